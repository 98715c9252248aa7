"""Journal tab: entries newest first and the chart of accounts; an account's ledger drills
down to an entry, and an entry to the document it came from and its contact."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static

from bizdesk.formatting import (
    cell,
    day,
    moment,
    money,
    money_or_blank,
    visible,
    visible_text,
)
from bizdesk.i18n import N_, _, ngettext
from bizdesk.models.ledger import ACCOUNT_TYPES
from bizdesk.reading import date_text
from bizdesk.screens.common import ListPane
from bizdesk.screens.records import AuditedScreen
from bizdesk.services.base.numbering import JOURNAL
from bizdesk.services.books import ledger as L
from bizdesk.widgets.field import DATE_FORM
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.lines_form import LineColumns, LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.words import ACCOUNT_ROLE_NAMES as ROLE_NAMES
from bizdesk.words import ACCOUNT_TYPE_NAMES, ENTRY_STATE_NAMES

# what people read for stored words (the stored values stay English)
SOURCE_NAMES = {
    "sales_order": N_("sales order"),
    "purchase_order": N_("purchase order"),
    "stock_move": N_("stock move"),
    "reminder": N_("reminder"),
    "assembly_order": N_("assembly order"),
    "bank_line": N_("bank statement line"),
    "payroll_run": N_("payroll run"),
    "payroll_payment": N_("payroll run's payment"),
}


def _named(names: dict[str, str], value: str) -> str:
    """A stored word as the reader says it (unknown ones as they are, underscores spaced;
    none, nothing: gettext gives the catalog's header for an empty text)."""
    return _(names.get(value, value.replace("_", " "))) if value else ""


ENTRY_COLUMNS = [
    Col("label", N_("Entry"), 10),
    Col("date", N_("Date"), 10, fmt=day),
    Col("memo", N_("Memo"), 30),
    Col("amount", N_("Amount"), 12, right=True, fmt=money),
    Col("state", N_("State"), 6, fmt=lambda s: _named(ENTRY_STATE_NAMES, s)),
]
ACCOUNT_COLUMNS = [
    Col("code", N_("Code"), 6),
    Col("name", N_("Name"), 34),
    Col("type", N_("Type"), 9, fmt=lambda t: _named(ACCOUNT_TYPE_NAMES, t)),
    Col("role", N_("Posted for"), 18, fmt=lambda r: _named(ROLE_NAMES, r)),
]
LEDGER_COLUMNS = [
    Col("date", N_("Date"), 10, fmt=day),
    Col("label", N_("Entry"), 8),
    Col("memo", N_("Memo"), 20),  # "Payment of INV-00049" whole
    Col("contact", N_("Contact"), 8),
    Col("debit", N_("Debit"), 10, right=True, fmt=money_or_blank),
    Col("credit", N_("Credit"), 10, right=True, fmt=money_or_blank),
]


def fit(columns: list[Col], key: str, words: Iterable[str], giver: str) -> list[Col]:
    """``columns`` in the reader's language: the ``key`` column as wide as the longest of
    its title and ``words`` translated, the ``giver`` column narrower by as much (the row
    keeps its width). In English they are as declared."""
    col = next(c for c in columns if c.key == key)
    extra = max(len(_(w)) for w in (col.label, *words)) - (col.width or 0)
    if extra <= 0:
        return columns
    return [
        replace(c, width=(c.width or 0) + extra)
        if c.key == key
        else replace(c, width=(c.width or 0) - extra)
        if c.key == giver
        else c
        for c in columns
    ]


def _totals(uow, lines: list[L.LineInput]) -> Text:  # noqa: ANN001
    debit, credit, bad = L.preview_entry(uow, lines)
    loc = uow.setting("locale", "en_US")
    diff = debit - credit
    sums = {"debit": money(debit, loc), "credit": money(credit, loc)}
    if bad:  # what is not read is not added: no difference, and never "balanced", to show
        said = ngettext(
            "{n} amount is not readable: mend it to see the difference",
            "{n} amounts are not readable: mend them to see the difference",
            bad,
        ).format(n=bad)
        t = Text(_("Debits {debit} · credits {credit}").format(**sums) + " · ")
        t.append(said, style="reverse")
        return t
    if diff:  # from the difference on, the sentence shows in reverse
        text = _(
            "Debits {debit} · credits {credit} · difference {difference}: cannot post until it is 0"
        )
        head, _mark, tail = text.format(**sums, difference="\0").partition("\0")
        t = Text(head)
        t.append(money(diff, loc) + tail, style="reverse")
    else:
        text = _("Debits {debit} · credits {credit} · difference {difference}: balanced")
        t = Text(text.format(**sums, difference=money(diff, loc)))
    return t


LINES = LineColumns(
    [
        Field("account", N_("Account"), width="2fr", suggest=L.suggest_accounts),
        Field("debit", N_("Debit"), "number", width="12"),
        Field("credit", N_("Credit"), "number", width="12"),
        Field("contact", N_("Contact"), "contact", width="1fr"),
        Field("memo", N_("Memo"), width="1fr"),
    ],
    L.LineInput,
    _totals,
)


def entry_form(view: L.EntryView | None = None) -> LinesFormScreen:
    d = L.entry_input(view) if view else L.EntryInput()
    fields = [
        Field("date", N_("Date"), value=d.date, required=True, placeholder=DATE_FORM),
        Field("memo", N_("Memo"), value=d.memo),
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
        _("New journal entry") if view is None else _("Edit draft #{id}").format(id=view.id),
        fields,
        d.lines,
        save,
        extra=[("f9", N_("Save and post"), save_and_post)],
    )


def account_form() -> FormScreen:
    return FormScreen(
        _("New account"),
        [
            Field("code", N_("Code"), required=True),
            Field("name", N_("Name"), required=True),
            Field(
                "type",
                N_("Type"),
                "select",
                "expense",
                options=ACCOUNT_TYPES,
                option_labels=ACCOUNT_TYPE_NAMES,
            ),
        ],
        lambda uow, v: L.add_account(uow, v["code"], v["name"], v["type"]),
    )


def rename_form(account_id: int, name: str) -> FormScreen:
    return FormScreen(
        _("Rename account"),
        [Field("name", N_("Name"), value=name, required=True)],
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
                self.notify(
                    _("{label} is posted and cannot change: r reverses it").format(label=v.label)
                )
                return
            self.app.push_screen(entry_form(v), lambda r: r and self._saved(r))

        self._with_entry(edit)

    def _saved(self, v: L.EntryView) -> None:
        said = _("Posted {label}") if v.state == "posted" else _("Saved {label}")
        self.notify(said.format(label=v.label))
        self.after_change()

    def action_post(self) -> None:
        def post(v: L.EntryView) -> None:
            self.run_service(
                lambda uow: L.post(uow, v.id, version=v.version),
                done=lambda p: (
                    self.notify(_("Posted as {label}").format(label=p.label)),
                    self.after_change(),
                ),
            )

        self._with_entry(post)

    def action_reverse(self) -> None:
        def ask(v: L.EntryView) -> None:
            why = v.not_reversible()
            if why is not None:  # said before a date is asked for
                self.notify(why, severity="warning", markup=False)
                return
            form = FormScreen(
                _("Reverse {label}: a new entry with every line mirrored").format(label=v.label),
                [
                    Field(
                        "date",
                        N_("Date"),
                        # dated on or after its original: a later original's day, shown
                        value=date_text(v.date) if v.date > date.today() else "",
                        placeholder=N_("{form}, empty: today"),
                    ),
                    Field("memo", N_("Memo"), value=_("Reversal of {label}").format(label=v.label)),
                ],
                lambda uow, values: L.reverse(uow, v.id, values["date"], values["memo"]),
            )
            self.app.push_screen(
                form,
                lambda r: (
                    r
                    and (
                        self.notify(_("Posted {label}").format(label=r.label)),
                        self.after_change(),
                    )
                ),
            )

        self._with_entry(ask)


ENTRY_KEYS = [
    Binding("e", "edit", N_("Edit draft"), id="journal.edit"),
    Binding("p", "post", N_("Post"), id="journal.post"),
    Binding("r", "reverse", N_("Reverse"), id="journal.reverse"),
]


class JournalPane(EntryActions, ListPane):
    HELP = N_(
        "The journal, newest entries first; v switches to the chart of accounts (balances: "
        "on an account's page and in the trial balance). / "
        "filters by memo or number. n writes an entry (its lines must balance to post), e "
        "edits a draft, p posts it, r reverses a posted entry. 1 all, 2 drafts, 3 posted. "
        "On the accounts: enter opens an account's ledger, n adds, e renames, d archives. "
        "k sets the lock date (the owner only). b reconciles the bank statements."
    )
    BINDINGS = [
        Binding("n", "new", N_("New"), id="journal.new"),
        *ENTRY_KEYS,
        # e on the chart of accounts: the footer says what it does there
        Binding("e", "rename_account", N_("Rename"), id="journal.rename"),
        Binding("v", "toggle_view", N_("Accounts/entries"), id="journal.view"),
        Binding("1", "state('')", N_("All"), show=False, id="journal.all"),
        Binding("2", "state('draft')", N_("Drafts"), show=False, id="journal.drafts"),
        Binding("3", "state('posted')", N_("Posted"), show=False, id="journal.posted"),
        Binding("d", "archive_account", N_("Archive"), id="journal.archive"),
        Binding("k", "lock_date", N_("Lock date"), id="journal.lock"),
        Binding("t", "app.recurring", N_("Recurring"), id="journal.recurring"),
        Binding("b", "app.reconcile", N_("Bank"), id="journal.bank"),
    ]

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="entries-view"):
            with Vertical(id="entries-view"):
                yield PagedTable(
                    L.list_entries,
                    fit(ENTRY_COLUMNS, "state", ENTRY_STATE_NAMES.values(), giver="memo"),
                    sorts=("date", "number"),
                    descending=True,
                    id="entries",
                )
            with Vertical(id="accounts-view"):
                columns = fit(ACCOUNT_COLUMNS, "type", ACCOUNT_TYPE_NAMES.values(), giver="name")
                yield PagedTable(L.account_page, columns, id="accounts")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows the keys of the view on screen: entries or accounts."""
        if action in ("edit", "post", "reverse", "state"):
            return not self.showing_accounts
        if action in ("archive_account", "rename_account"):
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
                lambda a: (
                    a
                    and (
                        self.notify(_("Added {code} {name}").format(code=a.code, name=a.name)),
                        self.table.reload(),
                    )
                ),
            )
        else:
            self.app.push_screen(entry_form(), lambda r: r and self._saved(r))

    def action_rename_account(self) -> None:
        row = self.table.selected
        if row is not None:
            self.app.push_screen(rename_form(row.id, row.name), lambda a: a and self.table.reload())

    def action_lock_date(self) -> None:
        def ask(current) -> None:  # noqa: ANN001
            self.app.push_screen(
                FormScreen(
                    _("Lock the books: nothing can be posted on or before this date (owner only)"),
                    [
                        Field(
                            "lock_date",
                            N_("Locked up to"),
                            value=day(current),
                            placeholder=N_("{form}, empty: no lock"),
                        ),
                        Field("reopen", N_("Reopen days locked before"), "checkbox", False),
                    ],
                    lambda uow, v: (
                        L.set_lock_date(uow, v["lock_date"], reopen=bool(v["reopen"])) or "none"
                    ),
                ),
                lambda r: (
                    r
                    and self.notify(
                        _("Locked up to {date}").format(date=day(r))
                        if r != "none"
                        else _("The books are not locked")
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
                    success=_("Archived {code} {name}").format(code=row.code, name=row.name),
                )

        self.app.push_screen(
            ConfirmScreen(
                _("Archive {code} {name}? It keeps its lines, takes no new ones.").format(
                    code=row.code, name=row.name
                )
            ),
            confirmed,
        )

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        if event.table.id == "accounts":
            self.app.push_screen(AccountScreen(event.row.id), lambda _: self.table.reload())
        else:
            self.app.push_screen(EntryScreen(event.row.id), lambda _: self.table.reload())


class EntryScreen(EntryActions, AuditedScreen):
    """One entry: its lines, who posted it, what it reverses, where it came from."""

    AUDIT_ENTITY = "journal_entry"

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="entry.back"),
        *ENTRY_KEYS,
        Binding("o", "source", N_("Source document"), id="entry.source"),
        Binding("g", "contact", N_("Contact"), id="entry.contact"),
    ]
    HELP = N_(
        "A journal entry. e edits a draft, p posts it, r reverses a posted entry; o opens "
        "the document it came from (a purchase or sales order, or a product's stock move), g opens "
        "the contact on its lines."
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers e and p on a draft, r on a posted entry (a posted one offered
        e and p, each refused when pressed, and in Spanish they pushed r off the line)."""
        if action == "history":
            return self.may_see_history()
        if self.view is None:
            return True
        state = self.view[0].state
        if action in ("edit", "post"):
            return state == "draft"
        if action == "reverse":
            return state == "posted"
        return True

    def fetch(self, uow):  # noqa: ANN001, ANN201
        v = L.get_entry(uow, self.record_id)
        return v, L.source_of_entry(uow, v.source_kind, v.source_id)

    def show(self, loaded) -> None:  # noqa: ANN001
        v, self.source = loaded
        loc = self.app.locale
        t = Text()
        state = _named(ENTRY_STATE_NAMES, v.state).upper()
        t.append(f"{v.label}  {day(v.date)}  {state}\n", style="bold")
        if v.memo:
            t.append(v.memo + "\n")
        if v.posted_at:
            posted = _("Posted {when} by {user}").format(
                when=moment(v.posted_at, self.app.zone), user=v.posted_by
            )
            t.append(posted + "\n", style="dim")
        if v.reverses_number:
            t.append(_("Reverses {label}").format(label=JOURNAL.label(v.reverses_number)) + "\n")
        if v.reversed_by_number:
            by = _("Reversed by {label}").format(label=JOURNAL.label(v.reversed_by_number))
            t.append(by + "\n", style="reverse")
        if v.source_kind:
            source = _named(SOURCE_NAMES, v.source_kind)
            if v.source_id is None:  # an imported entry names no record ("import #None")
                t.append(_("From: {source}").format(source=source) + "\n")
            else:
                t.append(_("From: {source} #{id}").format(source=source, id=v.source_id) + "\n")
        # the amounts' columns as wide as the longest (the totals): never out of line
        w = max(12, len(money(v.total_debit, loc)), len(money(v.total_credit, loc)))
        heads = (_("Account"), _("Debit"), _("Credit"), _("Contact"))
        # the account as wide as the 78 columns leave beside the amounts and the contacts
        # (whole where they allow: it was cut at 30, "2100 Goods received not invoic")
        contact_w = min(18, max((cell_len(ln.contact) for ln in v.lines), default=0))
        room = 78 - 2 * (w + 1) - (contact_w + 2 if contact_w else 0)
        acct_w = max(30, min(room, max((cell_len(ln.account) for ln in v.lines), default=0)))
        t.append(
            f"\n{cell(heads[0], acct_w)} {heads[1]:>{w}} {heads[2]:>{w}}"
            + (f"  {heads[3]}" if contact_w else "")
            + "\n",
            style="bold",
        )
        for ln in v.lines:
            t.append(
                f"{cell(ln.account, acct_w)} {money(ln.debit, loc) if ln.debit else '':>{w}} "
                f"{money(ln.credit, loc) if ln.credit else '':>{w}}"
                + (f"  {cell(ln.contact, contact_w).rstrip()}" if ln.contact else "")
                + "\n"
            )
            if ln.memo:
                t.append(f"  {ln.memo}\n", style="dim")
        t.append(
            f"{cell(_('Total'), acct_w)} {money(v.total_debit, loc):>{w}} "
            f"{money(v.total_credit, loc):>{w}}\n",
            style="bold",
        )
        if v.pay_summed:  # honest about what the sum hides: one person's pay is theirs
            said = (
                _(
                    "This pays one employee, who is not named here: only roles that see "
                    "salaries see who."
                )
                if v.pay_people == 1
                else ngettext(
                    "The pay of {n} employee is summed here, without names: only roles that "
                    "see salaries see it per person.",
                    "The pay of {n} employees is summed here, without names: only roles that "
                    "see salaries see it per person.",
                    v.pay_people,
                ).format(n=v.pay_people)
            )
            t.append("\n" + said + "\n", style="dim")
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = v.label

    def current_entry(self) -> int | None:
        return self.record_id

    def after_change(self) -> None:
        self.load()

    def action_source(self) -> None:
        src = getattr(self, "source", None)
        if src is None:
            self.notify(_("This entry was made by hand or imported: no source document"))
            return
        self.app.action_open_record(*src)

    def action_contact(self) -> None:
        if self.view is None:
            return
        ids = [ln.contact_id for ln in self.view[0].lines if ln.contact_id]
        if not ids:
            self.notify(_("No contact on this entry's lines"))
            return
        self.app.action_open_record("contact", ids[0])


class AccountScreen(AuditedScreen):
    """One account's posted lines by date, paged: enter opens the entry; h its history."""

    AUDIT_ENTITY = "account"
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="account.back")]
    HELP = N_(
        "An account's ledger, oldest first (End jumps to the newest). enter opens an entry, "
        "h shows the account's history (made, renamed, archived, its payment kind)."
    )
    DEFAULT_CSS = """
    AccountScreen #details { height: auto; padding: 0 1; }
    AccountScreen PagedTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(_("Loading…"), id="details")
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
        t.append("  ")
        t.append(
            _("{type} · balance (debit - credit) {balance}").format(
                type=_named(ACCOUNT_TYPE_NAMES, a.type), balance=money(balance, self.app.locale)
            )
        )
        if a.archived:
            t.append("  " + _("ARCHIVED"))
        self.query_one("#details", Static).update(visible_text(t))
        self.sub_title = visible(f"{a.code} {a.name}")

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(EntryScreen(event.row.entry_id))
