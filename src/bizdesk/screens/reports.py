"""Reports tab: every report of `bizdesk report` with its period and as-of date, written to
CSV from the screen, with drill-down from a row to the account, entry, product or contact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static

from bizdesk.characters import shown_name
from bizdesk.errors import ValidationError
from bizdesk.faults import describe
from bizdesk.fieldnames import refusal as field_refusal
from bizdesk.formatting import day, money, number, visible
from bizdesk.i18n import N_, _, ngettext, tr
from bizdesk.i18n import Message as Message_
from bizdesk.reading import date_hint, month_hint, month_text, read_month
from bizdesk.screens.common import KeysWaitForServices, Pane, ServiceRunner, no_files_here
from bizdesk.screens.registry import REPORT_TITLES
from bizdesk.services.base.permissions import allowed, refusal
from bizdesk.services.base.validate import FieldError, iso_date
from bizdesk.services.books.ledger import suggest_accounts
from bizdesk.services.overview.analysis import GROUPINGS, drill, grouping, grouping_words
from bizdesk.services.overview.dashboard import BESIDE_THE_BOOKS
from bizdesk.services.overview.reports import (
    REPORT_ACTIONS,
    REPORTS,
    Report,
    build,
    cell_text,
    heading,
    reads,
    run,
    write_csv,
)
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen, Refill
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.table import Table
from bizdesk.words import CONTACT_STAGE_NAMES

# reports that name no contact (nor hold any figure a contact's change could move)
# reports read from the books alone: no change beside them (Home's rule) alters them
BOOKS_ONLY = {"trial-balance", "profit-loss", "balance-sheet"}
NO_CONTACT = {"pipeline"}
NAMES_NO_CONTACT = frozenset({"contact", "interaction"})
SHOWN = 1000  # rows drawn on screen; the CSV has them all
DATE_WIDTH = 10  # a date as typed: 2024-03-31, 31.03.2024, 31/03/2024
LABELS = REPORT_TITLES  # what the list of reports shows people
# reports whose last box groups them (its default when empty: the report's own)
GROUPED = set(GROUPINGS)
# keys that act on the report; they type into a box that has the focus, so they are
# only offered (and shown in the footer) when no box has it
REPORT_KEYS = {"export", "run", "set_budget", "set_target", "other_side"}
# keys offered only beside their own report
OWN_REPORT = {"set_budget": "budget", "set_target": "sales-targets", "other_side": "statement"}
KEY_ACTIONS = {  # who sees them
    "set_budget": "budgets.edit",
    "set_target": "targets.edit",
    "other_side": REPORT_ACTIONS["statement"],
}
# a row's key -> the screen that opens it ("documents": the list behind a VAT return row)
DRILL = (
    ("drill", "drill"),
    ("documents", "documents"),
    ("entry_id", "entry"),
    ("account_id", "account"),
    ("product_id", "product"),
    ("contact_id", "contact"),
)


def file_dates(params: dict[str, Any]) -> str:
    """The dates a report's file is named by: its period ("2026-11-01-to-2026-11-30"), the
    day it is as of, else today (a trial balance as of October was named by the day it
    was written)."""
    start, end = params.get("date_from"), params.get("date_to") or params.get("as_of")
    if start and end:
        return f"{start.isoformat()}-to-{end.isoformat()}"
    return (end or start or date.today()).isoformat()


def label(name: str) -> str:
    """A report's name as the list of reports shows it, in the reader's language."""
    return _(LABELS.get(name, name))


def said(text: object) -> str:
    """A text a report service gives (a title, a column, a note): a Message in the reader's
    language, a text marked for the catalogs translated, anything else as it is."""
    text = tr(text)
    return _(text) if text else ""  # gettext gives the catalog's header for an empty text


def _cell(value: Any, numeric: bool, locale: str) -> Text:
    if isinstance(value, Decimal):
        text = money(value, locale) if value.as_tuple().exponent < 0 else number(value, locale)
    elif numeric and isinstance(value, int) and not isinstance(value, bool):
        text = number(value, locale)
    else:
        text = visible(cell_text(value, False, locale))  # a date as the reader writes it
    return Text(text, justify="right" if numeric else "left", no_wrap=True, overflow="ellipsis")


def _month_field(month: str = "") -> Field:
    """A budget's or a target's month, this month unless another is given."""
    today = date.today()
    return Field(
        "month",
        N_("Month"),
        value=month_text(read_month(month) if month else today),
        required=True,
        placeholder=month_hint(),
    )


class ReportsPane(KeysWaitForServices, Pane):
    HELP = N_(
        "Every report. Choose one at the top; From/To set a period (profit and loss, general "
        "ledger, SLA) and As of a date (trial balance, balance sheet, aging); the last box "
        "takes a contact for a statement or city/country/tag/stage/owner for segments. "
        "enter on a row opens what is behind it (an account's ledger, an entry, a product, "
        "a contact; on a VAT return the documents behind a rate); x writes the report to a "
        "CSV file (naming the file written); u runs it again. On the budget report b sets an "
        "account's budget for a month; on sales targets g sets a user's target. While a box "
        "has the focus, these keys type: enter runs the report, tab leaves. The last box "
        "also groups sales and margin (product, customer, owner, city, country, tag, stage, "
        "age), deals won and lost (reason, stage, owner) and cycle times (sales, purchases); "
        "there enter on a row lists the orders, deals or contacts behind it. A report wider "
        "than the screen moves sideways with ← and →, a whole column at a time."
    )
    BINDINGS = [
        Binding("x", "export", N_("Write CSV"), id="reports.export"),
        Binding("u", "run", N_("Run again"), id="reports.run"),
        Binding("b", "set_budget", N_("Set budget"), id="reports.budget"),
        Binding("g", "set_target", N_("Set target"), id="reports.target"),
        Binding("o", "other_side", N_("Other side"), id="reports.side"),
    ]
    DEFAULT_CSS = """
    ReportsPane #params { height: 1; }
    ReportsPane #params Select { width: 22; }
    ReportsPane #params Select Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    ReportsPane #params Input { width: 1fr; margin-left: 1; }
    ReportsPane #report-title { height: auto; max-height: 4; text-style: bold; padding: 0 1; }
    ReportsPane DataTable { height: 1fr; }
    ReportsPane #report-notes { height: auto; color: $text-muted; padding: 0 1; }
    """

    class Done(Message):
        def __init__(
            self, run: int, report: Report | None, error: Exception | None, again: bool = False
        ) -> None:
            super().__init__()
            self.run, self.report, self.error, self.again = run, report, error, again

    @property
    def NOT_SHOWN(self) -> frozenset[str]:  # noqa: N802 - read by the app (app.shows_any)
        """The kinds of record whose changes cannot alter the report on view: the records
        beside the books (contacts, their follow-ups, deals, tickets…) never reach the
        reports read from the books alone, nor contacts the reports that name no contact.
        Before the pane has its boxes (it is being mounted as a colleague's change
        arrives), every kind counts."""
        boxes = list(self.query("#report").results(Select))
        name = boxes[0].value if boxes else None
        if name in BOOKS_ONLY:
            return BESIDE_THE_BOOKS
        return NAMES_NO_CONTACT if name in NO_CONTACT else frozenset()

    def compose(self) -> ComposeResult:
        role = self.app.role  # only the reports this role may read are offered
        names = [n for n in REPORTS if allowed(role, REPORT_ACTIONS[n])] or list(REPORTS)
        with Horizontal(id="params"):
            yield Select(
                [(label(n), n) for n in names],
                value="trial-balance" if "trial-balance" in names else names[0],
                allow_blank=False,
                id="report",
                compact=True,
            )
            for box, hint in (
                ("from", _("From {form}").format(form=date_hint())),
                ("to", _("To")),
                ("as_of", _("As of")),
            ):  # a date's box as wide as a date or its hint: the last box has the rest
                date_box = Input(placeholder=hint, id=box, compact=True)
                date_box.styles.width = max(DATE_WIDTH, cell_len(hint)) + 1  # and the cursor
                yield date_box
            yield Input(placeholder=_("Contact / by"), id="extra", compact=True)
        yield Static("", id="report-title")
        yield Table(id="report-rows", cursor_type="row", zebra_stripes=False)
        yield Static("", id="report-notes")

    def on_mount(self) -> None:
        self.report: Report | None = None
        self.ran = False
        self.runs = 0  # the last run asked for: an earlier one still finishing is not shown
        self.side = ""  # a statement's side (receivable, payable) when o chose one
        self.drawn = 0  # the run whose outcome is on screen (runs: the last one asked for)
        self.flip = False  # o typed while a statement was still being run: flip when drawn
        self._boxes()

    def _boxes(self) -> None:
        """Only the boxes the chosen report reads take typing; the others are greyed out
        (what is typed there stays for a report that reads it)."""
        takes = reads(str(self.query_one("#report", Select).value))
        for box, keys in (
            ("from", ("date_from",)),
            ("to", ("date_to",)),
            ("as_of", ("as_of",)),
            ("extra", ("contact", "by")),
        ):
            self.query_one(f"#{box}", Input).disabled = not any(k in takes for k in keys)
        name = str(self.query_one("#report", Select).value)
        extra = self.query_one("#extra", Input)
        if name in GROUPED:  # what it is grouped by, in the reader's words
            extra.placeholder = _("by: {options}").format(options=grouping_words(name))
        else:
            extra.placeholder = _("Contact / by")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REPORT_KEYS and isinstance(self.app.focused, Input):
            return False  # the key types into the box (and the footer does not offer it)
        if action in OWN_REPORT:
            return self.query_one("#report", Select).value == OWN_REPORT[action] and allowed(
                self.app.role, KEY_ACTIONS[action]
            )
        return True

    def read_ahead(self, _height: int) -> None:
        """Built ahead: run the report chosen, so that the first visit only draws it. Once per
        session, seen or not (on a million journal lines 0.2-0.9 s of CPU, in a thread, mostly
        inside SQLite; what a first visit used to wait for); while the tab is not shown a
        change someone saves only marks it to run again when shown (app._stale). A report
        this role may not read is not run ahead (the visit says so, as before)."""
        name = str(self.query_one("#report", Select).value)
        if not self.ran and allowed(self.app.role, REPORT_ACTIONS[name]):
            self.ran = True
            self.action_run()

    def focus_main(self) -> None:
        if not self.ran:
            self.ran = True
            self.action_run()
        self.screen.set_focus(self.query_one("#report-rows", DataTable))

    def refresh_data(self) -> None:
        """Run the report again for a change someone saved; drawn only if it differs."""
        if self.ran:
            self.action_run(again=True)

    def show(self, name: str, *, fresh: bool = False) -> None:
        """Run report ``name``; ``fresh`` (the report behind a Home figure): for its own
        period, the boxes emptied (a period left from another report made the budget's key
        show another period, or a refusal)."""
        action = REPORT_ACTIONS[name]
        if not allowed(self.app.role, action):  # not offered: say so instead of failing
            message = tr(refusal(self.app.role, action, self.app.ask))
            self.notify(message, title=_("Not allowed"), severity="warning", markup=False)
            return
        for box in ("from", "to", "as_of", "extra") if fresh else ():
            self.query_one(f"#{box}", Input).value = ""
        select = self.query_one("#report", Select)
        self.ran = True
        if select.value != name:
            select.value = name  # Select.Changed runs it (once)
        else:
            self.action_run()

    def params(self) -> dict[str, Any]:
        """The boxes as report parameters; a bad date is refused here with the box named."""
        out: dict[str, Any] = {}
        for box, key, title in (
            ("from", "date_from", N_("From")),
            ("to", "date_to", N_("To")),
            ("as_of", "as_of", N_("As of")),
        ):
            date_box = self.query_one(f"#{box}", Input)
            if date_box.disabled:  # a box this report does not read (greyed out)
                continue
            try:
                out[key] = iso_date(date_box.value, local=True)
            except FieldError as exc:
                raise FieldError(
                    _("{box}: {problem}").format(box=_(title), problem=tr(exc))
                ) from None
        extra_box = self.query_one("#extra", Input)
        extra = "" if extra_box.disabled else extra_box.value.strip()
        name = self.query_one("#report", Select).value
        if name == "statement":
            out["contact"] = extra
            if self.side:
                out["by"] = self.side
        elif name in GROUPED and extra:
            try:
                out["by"] = grouping(name, extra)
            except FieldError as exc:
                raise FieldError(_("By: {problem}").format(problem=tr(exc))) from None
        if name == "general-ledger" and out.get("date_from") is None:
            today = date.today()  # a month unless asked: a million lines belong in a file
            out["date_from"] = date(today.year, today.month, 1)
        if name == "vat-return" and out.get("date_from") is None and out.get("date_to") is None:
            today = date.today()  # this month so far, unless a period is typed
            out["date_from"], out["date_to"] = date(today.year, today.month, 1), today
        return out

    @on(Select.Changed, "#report")
    def _chosen(self, _event: Select.Changed) -> None:
        self._boxes()
        self.refresh_bindings()  # the keys of the report chosen
        if self.ran:
            self.action_run()

    @on(Input.Changed, "#extra")
    def _another_contact(self, _event: Input.Changed) -> None:
        self.side = ""  # another contact's statement shows their own side first

    def action_other_side(self) -> None:
        """A statement's other side: what we owe a customer who also supplies us, or what a
        supplier who also buys owes us (the note under the statement gives its balance)."""
        if self.drawn != self.runs:  # keys typed ahead of the figures: o acts on them
            self.flip = str(self.query_one("#report", Select).value) == "statement"
            return
        if self.report is None or self.report.name != "statement":
            return
        shown = self.report.params.get("account")
        self.side = "payable" if shown == "receivable" else "receivable"
        self.action_run()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def action_run(self, again: bool = False) -> None:
        name = str(self.query_one("#report", Select).value)
        try:
            params = self.params()
        except Exception as exc:  # a FieldError from a date box
            self.notify(
                _("Not run: {reason}").format(reason=tr(exc)), severity="error", markup=False
            )
            self._not_run(exc)
            return
        if not again:  # a quiet rerun says nothing unless its figures changed
            self.query_one("#report-title", Static).update(
                Text(_("Running {report}…").format(report=label(name)))
            )
        self.runs += 1
        self._run(self.runs, name, params, again)

    def _not_run(self, error: Exception) -> None:
        """No figures under boxes they do not belong to: the old ones go, the reason shows."""
        self.report = None
        self.query_one("#report-rows", DataTable).clear(columns=True)
        if isinstance(error, ValidationError):  # its fields named in the reader's language
            text = field_refusal(error)
        else:
            text = describe(error, self.app.store.url)  # one sentence, never SQL
        self.query_one("#report-title", Static).update(
            Text(visible(_("Not run: {reason}").format(reason=text)))
        )
        self.query_one("#report-notes", Static).update("")

    @work(thread=True, exclusive=True, group="report")
    def _run(self, seq: int, name: str, params: dict[str, Any], again: bool = False) -> None:
        try:
            rep = run(self.app.store, name, **params)
        except Exception as exc:
            self.post_message(self.Done(seq, None, exc))
            return
        self.post_message(self.Done(seq, rep, None, again))

    def on_reports_pane_done(self, msg: Done) -> None:
        msg.stop()
        if msg.run != self.runs:  # a report asked for before the one now chosen
            return
        self.drawn = msg.run
        if self.flip:  # o was typed before these figures came: the other side, now
            self.flip = False
            if msg.report is not None and msg.report.name == "statement":
                self.report = msg.report  # the side it shows, which o turns over
                self.action_other_side()
                return
        if msg.again and msg.report is not None and msg.report == self.report:
            return  # the same figures: nothing is drawn, nothing sent
        if msg.error is not None:
            self._not_run(msg.error)
            return
        rep = self.report = msg.report
        loc = self.app.locale
        table = self.query_one("#report-rows", DataTable)
        table.clear(columns=True)
        for c in rep.columns:
            table.add_column(
                Text(said(c.label), justify="right" if c.numeric else "left"), key=c.key
            )
        for i, row in enumerate(rep.shown_rows()[:SHOWN]):
            table.add_row(*(_cell(row.get(c.key), c.numeric, loc) for c in rep.columns), key=str(i))
        if rep.totals:
            cells = [_cell(rep.totals.get(c.key, ""), c.numeric, loc) for c in rep.columns]
            for cell in cells:
                cell.stylize("bold")
            table.add_row(*cells, key="totals")
        table.fit({c.key for c in rep.columns if c.numeric})  # amounts whole at 80 columns
        n = len(rep.rows)
        title = ngettext("{title} · {shown} of {n} row", "{title} · {shown} of {n} rows", n)
        title = title.format(
            title=said(heading(rep)), shown=number(min(n, SHOWN), loc), n=number(n, loc)
        )
        self.query_one("#report-title", Static).update(Text(title))
        notes = [said(note) for note in rep.notes]
        if rep.name in GROUPED:  # (the box's hint is cut short at 80 columns)
            notes.append(
                _("The last box groups by: {options}.").format(options=grouping_words(rep.name))
            )
        if rep.own_entries:  # (the note says to see each entry)
            notes.append(_("enter lists a row's documents and entries; enter on one opens it."))
        if rep.other_side:
            notes.append(_("o shows the other side."))
        if n > SHOWN:
            notes.append(
                _("Only the first {n} rows are shown: x writes them all to CSV.").format(
                    n=number(SHOWN, loc)
                )
            )
        self.query_one("#report-notes", Static).update(Text(visible("\n".join(notes))))

    @on(DataTable.RowSelected, "#report-rows")
    def _drill(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.report is None or event.row_key.value == "totals":
            return
        row = self.report.rows[int(event.row_key.value)]
        for key, kind in DRILL:
            if row.get(key):
                if kind == "drill":
                    what = row.get("label") or next(
                        (row.get(c.key) for c in self.report.columns), ""
                    )
                    title = _("{report} · {row}").format(
                        report=said(self.report.title), row=said(what) or _("(none)")
                    )
                    self.app.push_screen(DrillScreen(title, row[key]))
                elif kind == "documents":
                    rate = row["rate"]
                    rate = said(rate) if isinstance(rate, Message_) else f"{rate} %"
                    n = len(row[key])
                    title = ngettext(
                        "{section} · {rate}: {n} document", "{section} · {rate}: {n} documents", n
                    ).format(section=said(row["section"]), rate=rate, n=number(n, self.app.locale))
                    self.app.push_screen(DocumentsScreen(title, row[key]))
                elif kind == "account":
                    from bizdesk.screens.journal import AccountScreen

                    self.app.push_screen(AccountScreen(row[key]))
                else:
                    self.app.action_open_record(kind, row[key])
                return
        self.notify(_("Nothing further behind this row"))

    def _highlighted(self, name: str) -> dict[str, Any]:
        """The row under the cursor of the report ``name`` when that one is shown (not its
        totals), else nothing: a form set from a row starts with that row's values."""
        table = self.query_one("#report-rows", DataTable)
        if self.report is None or self.report.name != name or not table.row_count:
            return {}
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return {} if key in (None, "totals") else self.report.rows[int(key)]

    def action_set_budget(self) -> None:
        """The form starts from the account under the cursor and this month; its amount is
        the budget set for the account and month the form shows, as they are changed."""
        from bizdesk.services.books.budgets import month_budget, set_budget

        def save(uow, values):  # noqa: ANN001, ANN202
            return set_budget(uow, values["account"], values["month"], values["amount"])

        def fill(uow, values):  # noqa: ANN001, ANN202
            return {"amount": month_budget(uow, values["account"], values["month"])}

        self._set_form(
            _("Set an account's budget for a month"),
            [
                Field(
                    "account",
                    N_("Account"),
                    value=str(self._highlighted("budget").get("account") or ""),
                    required=True,
                    placeholder=N_("the account's code or name"),
                    suggest=suggest_accounts,
                ),
                _month_field(),
                Field("amount", N_("Amount"), kind="number", required=True),
            ],
            save,
            lambda line: _("Budget of {account} for {month} set").format(
                account=line.account, month=month_text(date(line.year, line.month, 1))
            ),
            Refill(("account", "month"), ("amount",), fill),
        )

    def action_set_target(self) -> None:
        """The form starts from the user and month under the cursor; its amount is the target
        set for the user and month the form shows, as they are changed."""
        from bizdesk.services.books.budgets import month_target, set_target

        row = self._highlighted("sales-targets")

        def save(uow, values):  # noqa: ANN001, ANN202
            return set_target(uow, values["owner"], values["month"], values["amount"])

        def fill(uow, values):  # noqa: ANN001, ANN202
            return {"amount": month_target(uow, values["owner"], values["month"])}

        self._set_form(
            _("Set a user's sales target for a month"),
            [
                Field("owner", N_("User"), value=row.get("owner") or "", required=True),
                _month_field(row.get("month") or ""),
                Field("amount", N_("Won deals' value"), kind="number", required=True),
            ],
            save,
            lambda t: _("Sales target of {owner} for {month} set").format(
                owner=t.owner, month=month_text(date(t.year, t.month, 1))
            ),
            Refill(("owner", "month"), ("amount",), fill),
        )

    def _set_form(  # noqa: ANN001
        self, title: str, fields: list[Field], save, said_done, refill: Refill
    ) -> None:
        def done(result: Any) -> None:
            if result is not None:
                self.notify(said_done(result), markup=False)
                self.action_run()

        self.app.push_screen(FormScreen(title, fields, save, refill=refill), done)

    def action_export(self) -> None:
        if no_files_here(self):
            return
        name = str(self.query_one("#report", Select).value)
        try:
            params = self.params()
        except Exception as exc:
            self.notify(
                _("Not written: {reason}").format(reason=describe(exc, self.app.store.url)),
                severity="error",
                markup=False,
            )
            return
        default = Path.cwd() / f"{name}-{file_dates(params)}.csv"

        def save(uow, values):  # noqa: ANN001, ANN202
            path = Path(values["path"]).expanduser().resolve()
            return write_csv(build(uow, name, **params), path), path

        def written(result: tuple[int, Path] | None) -> None:
            if result is not None:
                rows, path = result
                text = ngettext("{n} row written to {path}", "{n} rows written to {path}", rows)
                self.notify(
                    text.format(n=number(rows, self.app.locale), path=shown_name(path)),
                    markup=False,
                )

        self.app.push_screen(
            FormScreen(
                _("Write the {report} report to a CSV file").format(report=label(name)),
                [Field("path", N_("File"), value=str(default), required=True)],
                save,
            ),
            written,
        )


class DocumentsScreen(ServiceRunner, Screen):
    """The documents behind a row of a report (a VAT return's rate): number, date, contact,
    base and VAT; enter opens the order or entry behind one."""

    HELP = N_(
        "The documents behind the row of the report: invoices, credit notes, bills or journal "
        "entries, with their taxable base and VAT. enter opens one; escape goes back."
    )
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="reports.documents.back")]
    DEFAULT_CSS = """
    DocumentsScreen #documents-title { height: 1; text-style: bold; padding: 0 1; }
    DocumentsScreen DataTable { height: 1fr; }
    """
    COLUMNS = (
        ("number", N_("Number"), False),
        ("date", N_("Date"), False),
        ("contact", N_("Contact"), False),
        ("base", N_("Taxable base"), True),
        ("vat", N_("VAT"), True),
    )

    def __init__(self, title: str, documents: list[dict[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.documents = documents

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(Text(visible(self.title_text)), id="documents-title")
        yield Table(id="documents", cursor_type="row", zebra_stripes=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        loc = self.app.locale
        table = self.query_one("#documents", DataTable)
        for key, title, numeric in self.COLUMNS:
            table.add_column(Text(_(title), justify="right" if numeric else "left"), key=key)
        for i, doc in enumerate(self.documents[:SHOWN]):
            table.add_row(*(_cell(doc.get(k), n, loc) for k, _t, n in self.COLUMNS), key=str(i))
        table.fit({k for k, _t, numeric in self.COLUMNS if numeric})
        table.focus()

    @on(DataTable.RowSelected, "#documents")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        doc = self.documents[int(event.row_key.value)]
        self.app.action_open_record(doc["record"], doc["record_id"])


class DrillTable(PagedTable):
    """The rows behind a report's figure: paged like every list (no filter nor sort)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "sort"):
            return False
        return super().check_action(action, parameters)  # escape: back, as no filter is set


DRILL_COLUMNS = {  # widths that fit 80 columns
    "sales": [
        Col("order", N_("Order"), 8),
        Col("date", N_("Date"), 10, fmt=day),
        Col("customer", N_("Customer"), 18),
        Col("net", N_("Net sales"), 10, True, money),
        Col("cogs", N_("Cost of sales"), 10, True, money),
        Col("margin", N_("Margin"), 10, True, money),
    ],
    "deals": [
        Col("title", N_("Deal"), 16),
        Col("contact", N_("Contact"), 16),
        Col("owner", N_("Owner"), 8),
        Col("outcome", N_("Result"), 6),
        Col("closed", N_("Closed"), 10, fmt=day),
        Col("amount", N_("Amount"), 10, True, money),
    ],
    "orders": [
        Col("order", N_("Order"), 8),
        Col("contact", N_("Contact"), 18),
        Col("ordered", N_("Ordered"), 10, fmt=day),
        Col("delivered", N_("Delivered"), 10, fmt=day),
        Col("invoiced", N_("Invoiced"), 10, fmt=day),
        Col("paid", N_("Paid"), 10, fmt=day),
    ],
    "contacts": [
        Col("name", N_("Name"), 24),
        Col("city", N_("City"), 12),
        Col(
            "stage",
            N_("Stage"),
            9,
            fmt=lambda s: _(CONTACT_STAGE_NAMES.get(s, s)),
            shows=tuple(CONTACT_STAGE_NAMES),
        ),
        Col("created", N_("Created"), 10, fmt=day),
        Col("sales", N_("Sales (net)"), 11, True, money),
    ],
}


class DrillScreen(ServiceRunner, Screen):
    """What a report's row is made of (orders, deals or contacts), a page at a time; enter
    opens one, escape goes back to the report."""

    HELP = N_(
        "The orders, deals or contacts behind the row of the report, a page at a time "
        "(page down for more). enter opens one; escape goes back to the report."
    )
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="reports.drill.back")]
    DEFAULT_CSS = """
    DrillScreen #drill-title { height: 1; text-style: bold; padding: 0 1; }
    """

    def __init__(self, title: str, spec: dict[str, Any]) -> None:
        super().__init__()
        self.title_text = title
        self.spec = spec

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Header(icon="")
        yield Static(Text(visible(self.title_text)), id="drill-title")
        yield DrillTable(
            lambda uow, req: drill(uow, spec, req), DRILL_COLUMNS[spec["kind"]], id="drill"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DrillTable).focus_grid()

    @on(PagedTable.Opened)
    def _open(self, event: PagedTable.Opened) -> None:
        event.stop()
        self.app.action_open_record(event.row.record, event.row.record_id)
