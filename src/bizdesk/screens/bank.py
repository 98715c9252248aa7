"""Bank reconciliation (opened from the Journal tab with `b`, or the palette): the statement
lines waiting to be matched, with the proposals of the one under the cursor; keys confirm a
proposal, split a line over documents, match it to an account, run --auto; `m` shows the
matched lines, where `u` undoes a match. Every rule is in services/banking/reconcile.py."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from bizdesk.formatting import day, money
from bizdesk.i18n import N_, _, tr
from bizdesk.screens.common import ServiceRunner, WithTable
from bizdesk.services.banking import reconcile as R
from bizdesk.services.banking.proposals import proposals, split_suggestion
from bizdesk.services.books.ledger import suggest_accounts
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable

COLUMNS = [
    Col("label", N_("Line"), 6),
    Col("booked_on", N_("Date"), 10, fmt=day),
    Col("account", N_("Account"), 7),
    Col("amount", N_("Amount"), 11, right=True, fmt=money),
    Col("said", N_("Counterpart and text"), 25),  # the rest of 80 columns (the entry in view)
    Col("entry", N_("Entry"), 7),
]


def split_form(row: R.LineRow, suggested: str, loc: str) -> FormScreen:
    return FormScreen(
        _("Line {line} ({amount}): the documents it pays").format(
            line=row.label, amount=money(row.amount, loc)
        ),
        [
            Field(
                "documents",
                N_("Documents"),
                value=suggested,
                required=True,
                placeholder=N_("INV-00007, INV-00008=50.00"),
            ),
            Field("memo", N_("Memo")),
        ],
        lambda uow, v: R.match_documents(
            uow, row.id, R.documents_typed(v["documents"]), memo=v["memo"]
        ),
    )


def account_form(row: R.LineRow, rule: str, loc: str) -> FormScreen:
    return FormScreen(
        _("Line {line} ({amount}): match it to an account").format(
            line=row.label, amount=money(row.amount, loc)
        ),
        [
            Field("account", N_("Account"), value=rule, required=True, suggest=suggest_accounts),
            Field("memo", N_("Memo")),
            Field(
                "contact",
                N_("Contact"),
                "contact",
                placeholder=N_("customer or supplier (on their accounts)"),
            ),
        ],
        lambda uow, v: R.match_account(uow, row.id, v["account"], v["memo"], v["contact"]),
    )


class ReconcileScreen(WithTable, ServiceRunner, Screen):
    """The lines waiting to be matched (or, with m, the matched ones) and what they may
    settle."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="bank.back"),
        Binding("c", "confirm(0)", N_("Confirm"), id="bank.confirm"),
        Binding("2", "confirm(1)", N_("Second"), show=False, id="bank.second"),
        Binding("3", "confirm(2)", N_("Third"), show=False, id="bank.third"),
        Binding("p", "split", N_("Split"), id="bank.split"),
        Binding("a", "account", N_("Account"), id="bank.account"),
        Binding("t", "auto", N_("Auto"), id="bank.auto"),
        Binding("m", "toggle", N_("Open/matched"), id="bank.view"),
        Binding("u", "undo", N_("Undo"), id="bank.undo"),
    ]
    HELP = N_(
        "Bank statement lines waiting to be matched, oldest first, with the proposals of the "
        "line under the cursor: open invoices, reminders (RM-00001: their invoices and fee), "
        "supplier bills, payments already in the books (JE-12) and a rule's account. c "
        "confirms the first proposal (2 and 3 the others; a payment in the books is linked, "
        "nothing posted); p splits the line over documents "
        "(INV-00007, INV-00008=50.00); a matches it to an account (a rule's account is "
        "offered); t confirms every unambiguous match at once. m shows "
        "the matched lines, where u undoes a match (not on or before the lock date). "
        "/ filters by counterpart or text."
    )
    DEFAULT_CSS = """
    ReconcileScreen PagedTable { height: 1fr; }
    ReconcileScreen #proposals { height: auto; max-height: 7; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.state = R.OPEN
        self.shown: list = []  # the proposals of the line under the cursor
        # the line ``shown`` belongs to, None while the line under the cursor's are read: a
        # key typed in that moment (Down c in one burst) must not take the last line's
        self.shown_for: int | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static("", id="bank-title", classes="pane-title")
        yield PagedTable(R.line_page, COLUMNS, filters={"state": R.OPEN}, id="bank-lines")
        yield Static("", id="proposals")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Bank reconciliation")
        self._title()
        self.table.focus_grid()

    def _title(self) -> None:
        text = (
            _("Statement lines waiting to be matched")
            if self.state == R.OPEN
            else _("Matched statement lines (u undoes a match)")
        )
        self.query_one("#bank-title", Static).update(Text(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "split", "account", "auto"):  # (auto matches waiting lines)
            return self.state == R.OPEN
        if action == "undo":
            return self.state == R.MATCHED
        return True

    # --- the proposals of the line under the cursor --------------------------------------

    @on(PagedTable.Changed)
    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.shown_for = None
        row = self.table.selected
        if row is None or self.state != R.OPEN:
            self.shown = []
            self._show_proposals(row)
            return

        def fetch(uow):  # noqa: ANN001, ANN202
            try:
                return proposals(uow, line_ids=[row.id])
            except Exception as exc:  # noqa: BLE001 (said by _got: not read again, as a
                return exc  # failed match is, or a store that cannot be read loops)

        self.run_service(fetch, write=False, done=lambda found: self._got(row, found))

    def _got(self, row: R.LineRow, found: list | Exception) -> None:
        if isinstance(found, Exception):
            ServiceRunner.say_not_done(self, found)
            return
        if self.table.selected is not row:
            return
        self.shown = list(found[0].proposals) if found else []
        self.shown_for = row.id
        self._show_proposals(row)

    def _proposals_of(self, row: R.LineRow | None) -> list | None:
        """The proposals shown for ``row``, or None (and a word why) while they are read;
        None for no row."""
        if row is None:
            return None
        if self.shown_for == row.id:
            return self.shown
        self.notify(
            _("The proposals of line {line} are still being read: press the key again").format(
                line=row.label
            ),
            severity="warning",
        )
        return None

    def _proposals_now(self, row: R.LineRow | None) -> list | None:
        """The proposals of ``row`` to fill a form with, read now if they are still being
        read: the form opens at once, so the keys typed after its key in one burst go into
        it (told "press the key again", ``a 6300`` ctrl+s confirmed the third proposal)."""
        if row is None or self.shown_for == row.id:
            return self._proposals_of(row)
        try:
            with self.app.store.read() as uow:
                found = proposals(uow, line_ids=[row.id])
        except Exception as exc:  # noqa: BLE001 (said as every fault is, never raised)
            ServiceRunner.say_not_done(self, exc)
            return None
        self.shown = list(found[0].proposals) if found else []
        self.shown_for = row.id
        self._show_proposals(row)
        return self.shown

    def _show_proposals(self, row: R.LineRow | None) -> None:
        t = Text()
        if row is not None and self.state == R.MATCHED:
            t.append(_("{line} is matched to {entry}").format(line=row.label, entry=row.entry))
        elif row is not None and not self.shown:
            t.append(_("No proposal: p splits it over documents, a matches it to an account"))
        loc = self.app.locale
        box = self.query_one("#proposals", Static)
        room = (box.size.width or self.app.size.width) - 2  # (its padding)
        for n, p in enumerate(self.shown, start=1):
            # a proposal on two lines, each cut to the width: wrapped, three of them ran
            # past the box and the end of the last sentence went behind the footer
            first = Text(f"{n} ", style="bold")
            first.append(f"{p.label}")
            if p.contact:
                first.append(f" · {p.contact}")
            if p.open_amount is not None:
                first.append(" · " + _("{amount} open").format(amount=money(p.open_amount, loc)))
            why = Text("  " + "; ".join(tr(r) for r in p.reasons), style="dim")
            for line in (first, why):
                line.truncate(room, overflow="ellipsis")
                t.append_text(line)
                t.append("\n")
        box.update(t)

    # --- actions -------------------------------------------------------------------------

    def _done(self, result: Any) -> None:  # noqa: ANN401
        if result:
            self.shown_for = None  # the line matched: the next one's proposals are read
            self.notify(str(result.message), markup=False)
            self.table.reload()

    def action_confirm(self, n: int) -> None:
        row = self.table.selected
        shown = self._proposals_of(row)
        if shown is None:
            return
        if n >= len(shown):
            self.notify(_("No such proposal for this line"), severity="warning")
            return
        p = shown[n]
        self.shown_for = None  # until the list is read again: a second c is not this one
        self.run_service(lambda uow: R.confirm(uow, row.id, p), done=self._done)

    def say_not_done(self, err: Exception) -> None:
        super().say_not_done(err)
        self._moved()  # nothing changed: the proposals of the line under the cursor again

    def action_split(self) -> None:
        row = self.table.selected
        shown = self._proposals_now(row)
        if shown is None:
            return
        docs = split_suggestion(shown)
        self.app.push_screen(split_form(row, ", ".join(docs), self.app.locale), self._done)

    def action_account(self) -> None:
        row = self.table.selected
        shown = self._proposals_now(row)
        if shown is None:
            return
        rule = next((p.ref for p in shown if p.kind == "account"), "")
        self.app.push_screen(account_form(row, rule, self.app.locale), self._done)

    def action_auto(self) -> None:
        account = self.table.req.filters.get("account")
        self.run_service(lambda uow: R.auto(uow, account), done=self._done)

    def action_undo(self) -> None:
        """Asked first: an entry the match posted is reversed, and what it paid is open."""
        row = self.table.selected
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(lambda uow: R.undo(uow, row.id), done=self._done)

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Undo the match of line {line} ({entry})? An entry the match posted is "
                    "reversed, and the documents it paid are open again."
                ).format(line=row.label, entry=row.entry)
            ),
            answered,
        )

    def action_toggle(self) -> None:
        self.state = R.MATCHED if self.state == R.OPEN else R.OPEN
        self.shown = []
        self._title()
        self.table.set_filters(state=self.state)
        self.refresh_bindings()
