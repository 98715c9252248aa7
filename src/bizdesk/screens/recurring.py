"""What repeats: the recurring invoices and journal entries (from the Journal tab's t, or
the palette). n adds an entry, i an invoice, x stops one; each is made by run-due."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import day, money, visible_text
from bizdesk.i18n import N_, _, ngettext
from bizdesk.screens import journal, sales
from bizdesk.screens.common import ServiceScreen, WithTable
from bizdesk.services.recurring import templates as R
from bizdesk.widgets.field import DATE_FORM
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field
from bizdesk.widgets.header import Header
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable


def _day(d) -> str:  # noqa: ANN001
    return day(d) if d else ""


COLUMNS = [
    Col("name", N_("Name"), 16),
    Col("kind", N_("Kind"), 13, fmt=lambda k: _(R.KIND_NAMES[k])),
    Col("frequency", N_("Every"), 9, fmt=lambda f: _(R.FREQUENCY_NAMES[f])),
    Col("next_date", N_("Next"), 10, fmt=_day),
    Col("end_date", N_("Ends"), 10, fmt=_day),
    Col("state", N_("State"), 7, fmt=lambda s: _(R.STATE_NAMES[s])),
]


def _head(customer: bool) -> list[Field]:
    fields = [Field("name", N_("Name"), required=True)]
    if customer:
        fields.append(Field("customer", N_("Customer"), "contact", required=True))
    return [
        *fields,
        Field(
            "frequency",
            N_("Every"),
            "select",
            "monthly",
            options=tuple(R.FREQUENCIES),
            required=True,
            option_labels=R.FREQUENCY_NAMES,
        ),
        Field("start", N_("First on"), required=True, placeholder=DATE_FORM),
        Field("end", N_("Last on"), placeholder=N_("{form}, empty: no end")),
        Field("memo", N_("Memo")),
    ]


def _save(kind: str):  # noqa: ANN202
    def save(uow, values: dict[str, Any], lines: list):  # noqa: ANN001, ANN202
        data = R.TemplateInput(
            kind=kind,
            name=values["name"],
            frequency=values["frequency"],
            start=values["start"],
            end=values["end"],
            customer=values.get("customer", ""),
            memo=values["memo"],
            lines=lines,
        )
        return R.create(uow, data)

    return save


def entry_form() -> LinesFormScreen:
    """A journal entry posted on each date (its lines must balance)."""
    return journal.LINES.form(
        _("New recurring journal entry (posted on each date)"), _head(False), [], _save("entry")
    )


def invoice_form() -> LinesFormScreen:
    """An invoice made on each date: ordered, delivered and invoiced at once, left unpaid."""
    return sales.LINES.form(
        _("New recurring invoice (delivered and invoiced on each date)"),
        _head(True),
        [],
        _save("invoice"),
    )


class RecurringScreen(WithTable, ServiceScreen):
    """Every recurring invoice and journal entry, by name."""

    shown: int | None = None  # the template whose details are under the list

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="recurring.back"),
        Binding("n", "new_entry", N_("Entry"), id="recurring.entry"),
        Binding("i", "new_invoice", N_("Invoice"), id="recurring.invoice"),
        Binding("x", "stop", N_("Stop"), id="recurring.stop"),
        Binding("k", "skip", N_("Skip next"), id="recurring.skip"),
    ]
    HELP = N_(
        "Recurring journal entries and invoices, made on each date by bizdesk run-due (and "
        "when bizdesk starts), missed dates too, each once. n adds a journal entry (posted on "
        "each date), i an invoice (ordered, delivered and invoiced on each date, left "
        "unpaid), x stops the selected one, k skips its next date (made by hand, or in a locked "
        "period); enter shows what it made."
    )
    DEFAULT_CSS = """
    RecurringScreen #recurring-title { height: 1; padding: 0 1; }
    RecurringScreen PagedTable { height: 1fr; }
    RecurringScreen #recurring-details { height: auto; max-height: 8; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text(_("Recurring entries and invoices  (n entry, i invoice, x stop, k skip)")),
            id="recurring-title",
        )
        yield PagedTable(R.list_page, COLUMNS, id="recurring-table")
        yield Static("", id="recurring-details")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Recurring")
        self.table.focus_grid()

    def _added(self, view: R.TemplateView | None) -> None:
        if view is not None:
            self.notify(
                _("Saved {name}: first on {date}").format(name=view.name, date=_day(view.next_date))
            )
            self.table.reload()

    def action_new_entry(self) -> None:
        self.app.push_screen(entry_form(), self._added)

    def action_new_invoice(self) -> None:
        self.app.push_screen(invoice_form(), self._added)

    def action_stop(self) -> None:
        row = self.table.selected
        if row is None or row.state != "active":
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: R.stop(uow, row.id),
                    done=lambda _v: self._changed(row.id),
                    success=_("{name} is stopped: nothing more is made.").format(name=row.name),
                )

        self.app.push_screen(
            ConfirmScreen(
                _("Stop {name}? What it made stays; nothing more is made.").format(name=row.name)
            ),
            answered,
        )

    def action_skip(self) -> None:
        row = self.table.selected
        if row is None or row.state != "active":
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: R.skip(uow, row.id),
                    done=lambda _v: self._changed(row.id),
                    success=_("{name}: {date} skipped").format(
                        name=row.name, date=_day(row.next_date)
                    ),
                )

        self.app.push_screen(
            ConfirmScreen(
                _("Skip {date} of {name}? Nothing is made for that date, now or later.").format(
                    date=_day(row.next_date), name=row.name
                )
            ),
            answered,
        )

    def _changed(self, template_id: int) -> None:
        """After a stop or a skip: the list, and the details if they are of that one (they
        kept saying "next 2026-12-31" of a template stopped)."""
        self.table.reload()
        if self.shown == template_id:
            self._details(template_id)

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self._details(event.row.id)

    def _details(self, template_id: int) -> None:
        self.run_service(lambda uow: R.get(uow, template_id), write=False, done=self._show)

    def _show(self, v: R.TemplateView) -> None:
        self.shown = v.id
        t = Text()
        what = _("{name}: {amount} {every}, next {next}").format(
            name=v.name,
            amount=money(v.amount, self.app.locale),
            every=_(R.FREQUENCY_NAMES[v.frequency]),
            next=(_day(v.next_date) if v.state == "active" else "") or "-",
        )
        t.append(what + "\n", style="bold")
        if v.customer:
            t.append(_("Customer: {name}").format(name=v.customer) + "\n")
        # each date and what was made for it: "INV-00039 for 30/11/2026" (one made late is
        # dated the day it was made, not the date it is for, which "(30/11/2026)" said)
        made = ", ".join(
            (_("{document} for {day}") if doc else _("{day} skipped")).format(
                document=doc, day=_day(d)
            )
            for d, doc in v.runs[:6]
        )
        if len(v.runs) > 6:  # the newest six, and how many before them
            more = len(v.runs) - 6
            earlier = ngettext("and {n} earlier one", "and {n} earlier ones", more)
            made += " " + earlier.format(n=more)
        t.append(_("Made: {documents}").format(documents=made or "-"))
        self.query_one("#recurring-details", Static).update(visible_text(t))
