"""Journal tab: entries newest first and the chart of accounts; an account's ledger drills
down to an entry, and an entry to the document it came from and its contact."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Header, Static

from bizdesk.formatting import day, moment, money, money_or_blank, visible, visible_text
from bizdesk.models.ledger import ACCOUNT_TYPES
from bizdesk.screens.common import ListPane, RecordScreen
from bizdesk.services.base.numbering import JOURNAL
from bizdesk.services.books import ledger as L
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.lines_form import LineColumns, LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable

ENTRY_COLUMNS = [
    Col("label", "Entry", 10),
    Col("date", "Date", 10, fmt=day),
    Col("memo", "Memo", 30),
    Col("amount", "Amount", 12, right=True, fmt=money),
    Col("state", "State", 6),
]
ACCOUNT_COLUMNS = [
    Col("code", "Code", 6),
    Col("name", "Name", 34),
    Col("type", "Type", 9),
    Col("role", "Posted for", 18, fmt=lambda r: r.replace("_", " ")),
]
LEDGER_COLUMNS = [
    Col("date", "Date", 10, fmt=day),
    Col("label", "Entry", 8),
    Col("memo", "Memo", 16),
    Col("contact", "Contact", 10),
    Col("debit", "Debit", 10, right=True, fmt=money_or_blank),
    Col("credit", "Credit", 10, right=True, fmt=money_or_blank),
]


def _totals(uow, lines: list[L.LineInput]) -> Text:  # noqa: ANN001
    debit, credit, bad = L.preview_entry(uow, lines)
    loc = uow.setting("locale", "en_US")
    diff = debit - credit
    t = Text(f"Debits {money(debit, loc)} · credits {money(credit, loc)} · difference ")
    if diff:
        t.append(f"{money(diff, loc)}: cannot post until it is 0", style="reverse")
    else:
        t.append(f"{money(diff, loc)}: balanced")
    if bad:
        t.append(f"  ({bad} amount{'s' if bad > 1 else ''} not readable)", style="italic")
    return t


LINES = LineColumns(
    [
        Field("account", "Account", width="2fr"),
        Field("debit", "Debit", "number", width="12"),
        Field("credit", "Credit", "number", width="12"),
        Field("contact", "Contact", width="1fr"),
        Field("memo", "Memo", width="1fr"),
    ],
    L.LineInput,
    _totals,
    suggesters={"account": L.suggest_accounts},
)


def entry_form(view: L.EntryView | None = None) -> LinesFormScreen:
    d = L.entry_input(view) if view else L.EntryInput()
    fields = [
        Field("date", "Date", value=d.date, required=True, placeholder="YYYY-MM-DD"),
        Field("memo", "Memo", value=d.memo),
    ]
    entry_id, version = (view.id, view.version) if view else (None, None)

    def save(uow, values: dict[str, Any], lines: list[L.LineInput]):  # noqa: ANN001, ANN202
        data = L.EntryInput(values["date"], values["memo"], lines)
        if entry_id is None:
            return L.create_draft(uow, data)
        return L.update_draft(uow, entry_id, data, version=version)

    def save_and_post(uow, values: dict[str, Any], lines: list[L.LineInput]):  # noqa: ANN001, ANN202
        data = L.EntryInput(values["date"], values["memo"], lines)
        return L.save_and_post(uow, data, entry_id=entry_id, version=version)

    return LINES.form(
        "New journal entry" if view is None else f"Edit draft #{view.id}",
        fields,
        d.lines,
        save,
        extra=[("f9", "Save and post", save_and_post)],
    )


def account_form() -> FormScreen:
    return FormScreen(
        "New account",
        [
            Field("code", "Code", required=True),
            Field("name", "Name", required=True),
            Field("type", "Type", "select", "expense", options=ACCOUNT_TYPES),
        ],
        lambda uow, v: L.add_account(uow, v["code"], v["name"], v["type"]),
    )


def rename_form(account_id: int, name: str) -> FormScreen:
    return FormScreen(
        "Rename account",
        [Field("name", "Name", value=name, required=True)],
        lambda uow, v: L.rename_account(uow, account_id, v["name"]),
    )


class EntryActions:
    """Post, reverse and edit, shared by the entries list and an entry's page: they act on
    ``current_entry()`` (the entry id) and call ``after_change()``."""

    def current_entry(self) -> int | None:
        raise NotImplementedError

    def after_change(self) -> None:
        raise NotImplementedError

    def _with_entry(self, then) -> None:  # noqa: ANN001
        eid = self.current_entry()
        if eid is not None:
            self.run_service(lambda uow: L.get_entry(uow, eid), write=False, done=then)

    def action_edit(self) -> None:
        def edit(v: L.EntryView) -> None:
            if v.state != "draft":
                self.notify(f"{v.label} is posted and cannot change: r reverses it")
                return
            self.app.push_screen(entry_form(v), lambda r: r and self._saved(r))

        self._with_entry(edit)

    def _saved(self, v: L.EntryView) -> None:
        self.notify(f"Posted {v.label}" if v.state == "posted" else f"Saved {v.label}")
        self.after_change()

    def action_post(self) -> None:
        def post(v: L.EntryView) -> None:
            self.run_service(
                lambda uow: L.post(uow, v.id, version=v.version),
                done=lambda p: (self.notify(f"Posted as {p.label}"), self.after_change()),
            )

        self._with_entry(post)

    def action_reverse(self) -> None:
        def ask(v: L.EntryView) -> None:
            form = FormScreen(
                f"Reverse {v.label}: a new entry with every line mirrored",
                [
                    Field("date", "Date", placeholder="YYYY-MM-DD, empty: today"),
                    Field("memo", "Memo", value=f"Reversal of {v.label}"),
                ],
                lambda uow, values: L.reverse(uow, v.id, values["date"], values["memo"]),
            )
            self.app.push_screen(
                form, lambda r: r and (self.notify(f"Posted {r.label}"), self.after_change())
            )

        self._with_entry(ask)


ENTRY_KEYS = [
    Binding("e", "edit", "Edit draft", id="journal.edit"),
    Binding("p", "post", "Post", id="journal.post"),
    Binding("r", "reverse", "Reverse", id="journal.reverse"),
]


class JournalPane(EntryActions, ListPane):
    HELP = (
        "The journal, newest entries first; v switches to the chart of accounts (balances: "
        "on an account's page and in the trial balance). / "
        "filters by memo or number. n writes an entry (its lines must balance to post), e "
        "edits a draft, p posts it, r reverses a posted entry. 1 all, 2 drafts, 3 posted. "
        "On the accounts: enter opens an account's ledger, n adds, e renames, d archives. "
        "k sets the lock date (the owner only)."
    )
    BINDINGS = [
        Binding("n", "new", "New", id="journal.new"),
        *ENTRY_KEYS,
        Binding("v", "toggle_view", "Accounts/entries", id="journal.view"),
        Binding("1", "state('')", "All", show=False, id="journal.all"),
        Binding("2", "state('draft')", "Drafts", show=False, id="journal.drafts"),
        Binding("3", "state('posted')", "Posted", show=False, id="journal.posted"),
        Binding("d", "archive_account", "Archive", id="journal.archive"),
        Binding("k", "lock_date", "Lock date", id="journal.lock"),
    ]

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="entries-view"):
            with Vertical(id="entries-view"):
                yield PagedTable(
                    L.list_entries,
                    ENTRY_COLUMNS,
                    sorts=("date", "number"),
                    descending=True,
                    id="entries",
                )
            with Vertical(id="accounts-view"):
                yield PagedTable(L.account_page, ACCOUNT_COLUMNS, id="accounts")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows the keys of the view on screen: entries or accounts."""
        if action in ("post", "reverse", "state"):
            return not self.showing_accounts
        if action == "archive_account":
            return self.showing_accounts
        return True

    @property
    def showing_accounts(self) -> bool:
        return self.query_one(ContentSwitcher).current == "accounts-view"

    @property
    def table(self) -> PagedTable:
        return self.query_one("#accounts" if self.showing_accounts else "#entries", PagedTable)

    def action_toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "entries-view" if self.showing_accounts else "accounts-view"
        self.refresh_bindings()
        table = self.table
        if table.page_data is None:
            table.load(table.req)
        else:
            table.reload()
        self.call_after_refresh(table.focus_grid)

    def current_entry(self) -> int | None:
        if self.showing_accounts:
            return None
        row = self.table.selected
        return row.id if row is not None else None

    def after_change(self) -> None:
        self.table.reload()

    def action_state(self, state: str) -> None:
        if not self.showing_accounts:
            self.table.set_filters(state=state)

    def action_new(self) -> None:
        if self.showing_accounts:
            self.app.push_screen(
                account_form(),
                lambda a: a and (self.notify(f"Added {a.code} {a.name}"), self.table.reload()),
            )
        else:
            self.app.push_screen(entry_form(), lambda r: r and self._saved(r))

    def action_edit(self) -> None:
        if not self.showing_accounts:
            super().action_edit()
            return
        row = self.table.selected
        if row is not None:
            self.app.push_screen(rename_form(row.id, row.name), lambda a: a and self.table.reload())

    def action_lock_date(self) -> None:
        def ask(current) -> None:  # noqa: ANN001
            self.app.push_screen(
                FormScreen(
                    "Lock the books: nothing can be posted on or before this date (owner only)",
                    [
                        Field(
                            "lock_date",
                            "Locked up to",
                            value=current.isoformat() if current else "",
                            placeholder="YYYY-MM-DD, empty: no lock",
                        )
                    ],
                    lambda uow, v: L.set_lock_date(uow, v["lock_date"]) or "none",
                ),
                lambda r: (
                    r
                    and self.notify(
                        f"Locked up to {r}" if r != "none" else "The books are not locked"
                    )
                ),
            )

        self.run_service(L.lock_date, write=False, done=ask)

    def action_archive_account(self) -> None:
        row = self.table.selected if self.showing_accounts else None
        if row is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: L.set_account_archived(uow, row.id),
                    done=lambda _: self.table.reload(),
                    success=f"Archived {row.code} {row.name}",
                )

        self.app.push_screen(
            ConfirmScreen(f"Archive {row.code} {row.name}? It keeps its lines, takes no new ones."),
            confirmed,
        )

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        if event.table.id == "accounts":
            self.app.push_screen(AccountScreen(event.row.id), lambda _: self.table.reload())
        else:
            self.app.push_screen(EntryScreen(event.row.id), lambda _: self.table.reload())


class EntryScreen(EntryActions, RecordScreen):
    """One entry: its lines, who posted it, what it reverses, where it came from."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="entry.back"),
        *ENTRY_KEYS,
        Binding("o", "source", "Source document", id="entry.source"),
        Binding("g", "contact", "Contact", id="entry.contact"),
    ]
    HELP = (
        "A journal entry. e edits a draft, p posts it, r reverses a posted entry; o opens "
        "the document it came from (a purchase or sales order, or a product's stock move), g opens "
        "the contact on its lines."
    )

    def fetch(self, uow):  # noqa: ANN001, ANN201
        v = L.get_entry(uow, self.record_id)
        return v, L.source_of_entry(uow, v.source_kind, v.source_id)

    def show(self, loaded) -> None:  # noqa: ANN001
        v, self.source = loaded
        loc = self.app.locale
        t = Text()
        t.append(f"{v.label}  {day(v.date)}  {v.state.upper()}\n", style="bold")
        if v.memo:
            t.append(v.memo + "\n")
        if v.posted_at:
            t.append(f"Posted {moment(v.posted_at)} by {v.posted_by}\n", style="dim")
        if v.reverses_number:
            t.append(f"Reverses {JOURNAL.label(v.reverses_number)}\n")
        if v.reversed_by_number:
            t.append(f"Reversed by {JOURNAL.label(v.reversed_by_number)}\n", style="reverse")
        if v.source_kind:
            t.append(f"From: {v.source_kind.replace('_', ' ')} #{v.source_id}\n")
        t.append(f"\n{'Account':<30} {'Debit':>12} {'Credit':>12}  Contact\n", style="bold")
        for ln in v.lines:
            t.append(
                f"{ln.account[:30]:<30} {money(ln.debit, loc) if ln.debit else '':>12} "
                f"{money(ln.credit, loc) if ln.credit else '':>12}  {ln.contact[:18]}\n"
            )
            if ln.memo:
                t.append(f"  {ln.memo}\n", style="dim")
        t.append(
            f"{'Total':<30} {money(v.total_debit, loc):>12} {money(v.total_credit, loc):>12}\n",
            style="bold",
        )
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = v.label

    def current_entry(self) -> int | None:
        return self.record_id

    def after_change(self) -> None:
        self.load()

    def action_source(self) -> None:
        src = getattr(self, "source", None)
        if src is None:
            self.notify("This entry was made by hand or imported: no source document")
            return
        self.app.action_open_record(*src)

    def action_contact(self) -> None:
        if self.view is None:
            return
        ids = [ln.contact_id for ln in self.view[0].lines if ln.contact_id]
        if not ids:
            self.notify("No contact on this entry's lines")
            return
        self.app.action_open_record("contact", ids[0])


class AccountScreen(RecordScreen):
    """One account's posted lines by date, paged: enter opens the entry."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="account.back")]
    HELP = "An account's ledger, oldest first (End jumps to the newest). enter opens an entry."
    DEFAULT_CSS = """
    AccountScreen #details { height: auto; padding: 0 1; }
    AccountScreen PagedTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static("Loading…", id="details")
        aid = self.record_id
        yield PagedTable(
            lambda uow, req: L.account_lines(uow, aid, req), LEDGER_COLUMNS, id="ledger"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(PagedTable).focus_grid()

    def fetch(self, uow):  # noqa: ANN001, ANN201
        return L.get_account(uow, self.record_id), L.account_balance(uow, self.record_id)

    def show(self, loaded) -> None:  # noqa: ANN001
        a, balance = loaded
        t = Text()
        t.append(f"{a.code} {a.name}", style="bold")
        t.append(f"  {a.type} · balance (debit - credit) {money(balance, self.app.locale)}")
        if a.archived:
            t.append("  ARCHIVED")
        self.query_one("#details", Static).update(visible_text(t))
        self.sub_title = visible(f"{a.code} {a.name}")

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(EntryScreen(event.row.entry_id))
