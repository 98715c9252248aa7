"""The one list of tabs and app-wide commands, and every binding id a [keymap] may name.

The app builds its tab keys and panes from ``TABS`` and its own keys from ``APP_KEYS``; the
palette lists ``COMMANDS``; the help shows the keys in force. Each shows a key as it is
bound now, after the person's keymap (``[keymap]`` in the config file), never a key
written down here or there. A tab's module is named by its dotted path and imported the
first time the tab is shown, so the first frame loads Home only.

Titles and texts here are written in English and marked with ``N_``: the app's tabs, the
footer, the help and the palette translate them as they show them (the person's language is
only known once the store is open, after this module is imported).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import NamedTuple

from textual.keys import Keys, _character_to_key, key_to_character

from bizdesk.config import Settings, did_you_mean
from bizdesk.errors import ConfigError
from bizdesk.i18n import N_, Message
from bizdesk.reading import quoted


class Tab(NamedTuple):  # NamedTuple, not dataclass: on the start path, and cheaper to make
    id: str
    title: str
    pane: str  # "package.module:Class", imported on the first visit
    key: str  # the key out of the box (a keymap may give another)
    permission: str | None = None  # a role without it sees a message there instead

    @property
    def binding_id(self) -> str:
        return f"app.tab.{self.id}"

    def pane_class(self) -> type:
        module, _, name = self.pane.partition(":")
        return getattr(import_module(module), name)


TABS = (
    Tab("home", N_("Home"), "bizdesk.screens.home:HomePane", "f2"),
    Tab("contacts", N_("Contacts"), "bizdesk.screens.contacts:ContactsPane", "f3"),
    Tab("deals", N_("Deals"), "bizdesk.screens.deals:DealsPane", "f4", "deals.view"),
    Tab("tickets", N_("Tickets"), "bizdesk.screens.tickets:TicketsPane", "f5"),
    Tab("stock", N_("Stock"), "bizdesk.screens.stock:StockPane", "f6"),
    Tab("purchases", N_("Purchases"), "bizdesk.screens.purchases:PurchasesPane", "f7"),
    Tab("journal", N_("Journal"), "bizdesk.screens.journal:JournalPane", "f8", "journal.view"),
    Tab("reports", N_("Reports"), "bizdesk.screens.reports:ReportsPane", "f9"),
)


def tab(tab_id: str) -> Tab:
    return next(t for t in TABS if t.id == tab_id)


class AppKey(NamedTuple):
    """A key of the app's own, working on every screen."""

    id: str
    key: str  # out of the box
    action: str
    title: str  # in the footer
    about: str  # in the help
    show: bool = True  # in the footer
    priority: bool = False
    tab: str | None = None  # a tab's key: its ``about`` names the tab as {tab}


APP_KEYS = (
    # priority: a form or a question has no F1 of its own (the app's keys stop at a modal
    # screen); in the help, F1 closes it
    AppKey("app.help", "f1", "help", N_("Help"), N_("this help"), priority=True),
    *(
        AppKey(
            t.binding_id,
            t.key,
            f"show_tab('{t.id}')",
            t.title,
            N_("the {tab} tab"),
            False,
            tab=t.id,
        )
        for t in TABS
    ),
    AppKey(
        "app.find",
        "ctrl+f",
        "find",
        N_("Find"),
        N_("find any record by name or number"),
    ),
    AppKey(
        "app.palette",
        "ctrl+p",
        "command_palette",
        N_("palette"),
        N_("every action, and any record"),
        show=False,
        priority=True,
    ),
    AppKey("app.users", "ctrl+u", "users", N_("Users"), N_("the users and their roles"), False),
    AppKey(
        "app.campaigns",
        "ctrl+k",
        "campaigns",
        N_("Campaigns"),
        N_("e-mail campaigns and segments"),
        False,
    ),
    AppKey(
        "app.people",
        "ctrl+e",
        "people",
        N_("Employees"),
        N_("the employees, their leave and the payroll"),
        False,
    ),
    AppKey(
        "app.followups",
        "ctrl+t",
        "followups",
        N_("Follow-ups"),
        N_("your follow-up activities (lead nurturing)"),
        False,
    ),
    # priority: it acts on every screen, a form's or a question's too (app.action_quit)
    AppKey("app.quit", "ctrl+q", "quit", N_("Quit"), N_("quit"), priority=True),
)


class Command(NamedTuple):
    """An entry of the command palette: its name, the app action it runs, and the app key
    that runs it too (the palette shows that key as it is bound now)."""

    title: str  # marked with N_; a tab's command names the tab as {tab}
    action: str
    binding_id: str | None = None
    tab: str | None = None
    # marked with N_: what the palette finds it by too, besides its name (what lives on the
    # pages it leads to), shown under it when found so: no key named (a keymap changes them)
    words: str = ""

    def shown(self, translate) -> str:  # noqa: ANN001 - i18n._, passed by the door
        """The command's name in the reader's language."""
        if self.tab is None:
            return translate(self.title)
        return translate(self.title).format(tab=translate(tab(self.tab).title))


# what the list of reports shows people (the name is what `bizdesk report` takes)
REPORT_TITLES = {
    "trial-balance": N_("Trial balance"),
    "profit-loss": N_("Profit and loss"),
    "balance-sheet": N_("Balance sheet"),
    "general-ledger": N_("General ledger"),
    "stock-valuation": N_("Stock valuation"),
    "low-stock": N_("Low stock"),
    "ar-aging": N_("Aged receivables"),
    "ap-aging": N_("Aged payables"),
    "statement": N_("Statement of account"),
    "pipeline": N_("Weighted pipeline"),
    "forecast": N_("Sales forecast"),
    "tickets-sla": N_("Ticket SLA"),
    "segments": N_("Contacts by segment"),
    "vat-return": N_("VAT return"),
    "budget": N_("Budget against actual"),
    "sales-targets": N_("Sales targets"),
    "sales-analysis": N_("Sales and margin"),
    "win-loss": N_("Deals won and lost"),
    "cycle-times": N_("Order cycle times"),
}


# what a report's command is found by too (Command.words): the words a shop owner types for
# it that its name lacks ("win" for the deals won and lost, "aging" for the aged receivables)
REPORT_WORDS = {
    "ar-aging": N_("ageing (aging) of what customers owe: overdue invoices, debtors"),
    "ap-aging": N_("ageing (aging) of what the shop owes suppliers: overdue bills, creditors"),
    "stock-valuation": N_("inventory value at cost"),
    "low-stock": N_("reorder: products at or below their reorder point"),
    "tickets-sla": N_("support: first response and resolution times, met or breached"),
    "segments": N_("new contacts and customers by city, country, tag, stage, owner or age group"),
    "vat-return": N_("tax return: output and input VAT"),
    "budget": N_("variance: the books against the plan, per account and month"),
    "sales-targets": N_("quotas per owner against won deals"),
    "sales-analysis": N_(
        "gross profit, margin and cost of sales by product, customer, owner or segment; "
        "best sellers"
    ),
    "win-loss": N_("win rate, win-loss: deals closed, by close reason, stage at close or owner"),
    "cycle-times": N_("lead times: days from order to delivery, to invoice and to payment"),
}

# what a tab's command is found by too (Command.words)
TAB_WORDS = {"stock": N_("bills of materials and kits: on a product's page")}

COMMANDS = (
    *(
        Command(
            N_("Go to {tab}"), f"show_tab('{t.id}')", t.binding_id, t.id, TAB_WORDS.get(t.id, "")
        )
        for t in TABS
    ),
    Command(N_("New contact"), "new('contacts')"),
    Command(N_("New deal"), "new('deals')"),
    Command(N_("New ticket"), "new('tickets')"),
    Command(N_("New product"), "new('stock')"),
    Command(N_("New purchase order"), "new('purchases')"),
    Command(N_("New journal entry"), "new('journal')"),
    Command(N_("Sales orders"), "sales"),
    Command(N_("Counter sale"), "sales(True)"),
    Command(N_("Assembly orders"), "assembly_orders"),
    Command(N_("Production plan"), "production_plan"),
    Command(N_("Recurring entries and invoices"), "recurring"),
    Command(N_("Employees"), "people", "app.people"),
    Command(N_("Leave to approve"), "people('leave')"),
    Command(
        N_("Payroll runs"),
        "people('payroll')",
        words=N_("payslips: on a run's page, and on an employee's"),
    ),
    Command(N_("Bank reconciliation"), "reconcile"),
    Command(N_("Follow-up activities"), "followups", "app.followups"),
    Command(N_("Nurturing sequences"), "sequences"),
    Command(N_("Reminders"), "reminders"),
    Command(N_("Make the reminders due today"), "reminders(True)"),
    Command(N_("Payment terms and reminder levels"), "reminder_levels"),
    Command(N_("E-mail campaigns"), "campaigns", "app.campaigns"),
    Command(N_("E-mail outbox"), "outbox"),
    Command(N_("Segments of contacts"), "segments"),
    Command(N_("Find a record"), "find", "app.find"),
    Command(
        N_("History of this record"),
        "history",
        words=N_("audit trail: who made it, who changed what and when"),
    ),
    Command(N_("Users and roles"), "users", "app.users"),
    Command(N_("My language"), "my_language"),
    Command(N_("Shop details (on documents)"), "shop_details"),
    Command(N_("Help for this screen"), "help", "app.help"),
    Command(N_("Lock date"), "lock_date"),
    # each report by its name (the Reports tab, that report run): "IVA" finds the VAT return
    *(
        Command(title, f"show_report('{name}')", words=REPORT_WORDS.get(name, ""))
        for name, title in REPORT_TITLES.items()
    ),
)


def _digits(prefix: str, digits: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{d}" for d in digits)


# Every binding id, by the module whose BINDINGS hold it: what a [keymap] may name. Checked
# against the bindings of every screen and widget, both ways, by tests/test_keymap.py (a
# binding added, renamed or removed there fails it until it is written here too), so that
# a keymap is checked before the app starts without importing every tab.
BINDING_IDS: Mapping[str, tuple[str, ...]] = {
    "bizdesk.app": tuple(k.id for k in APP_KEYS),
    "bizdesk.screens.home": tuple(
        f"home.{n}" for n in ("sales", "cash", "bank", "ar", "ap", "deals", "tickets", "low")
    )
    + ("home.refresh", "home.budget", "home.followups"),
    "bizdesk.screens.contacts": (
        *(f"contacts.{n}" for n in ("open", "new", "edit", "archive", "restore", "archived")),
        *(f"contact.{n}" for n in ("back", "edit", "interaction", "merge", "archive", "restore")),
        "contact.documents",
        "contact.statement",
        "contact.consent",
        "contact.mail",
        "contact.pay",
    ),
    "bizdesk.screens.deals": (
        *(f"deals.{n}" for n in ("new", "edit", "lines", "back", "forward", "win", "lose")),
        *(f"deals.{n}" for n in ("archive", "view", "orders", "reopen", "filter")),
        "deal.back",
        "deal.contact",
        "deal.quote",
        "deal.mail",
    ),
    "bizdesk.screens.tickets": (
        "tickets.new",
        *(f"tickets.queue.{q}" for q in ("mine", "unassigned", "overdue", "open", "all")),
        *(f"ticket.{n}" for n in ("back", "reply", "note", "status", "edit", "linked")),
        "ticket.contact",
    ),
    "bizdesk.screens.stock": (
        *(f"stock.{n}" for n in ("new", "edit", "adjust", "count", "transfer", "archive")),
        *("stock.low", "stock.reorder", "product.back", "product.bom", "product.assembly"),
    ),
    "bizdesk.screens.making": (
        *("assembly.back", "assembly.new", "assembly.plan"),
        *_digits("assembly.state", "0123456"),
        *("plan.back", "plan.draft", "plan.refresh"),
        *(f"mo.{n}" for n in ("back", "confirm", "finish", "cancel")),
    ),
    "bizdesk.screens.purchases": (
        "purchases.new",
        *_digits("purchases.state", "0123456789"),
        *(f"po.{n}" for n in ("back", "edit", "send", "confirm", "receive", "bill", "pay")),
        *(f"po.{n}" for n in ("cancel", "close", "write", "entries", "supplier", "mail")),
    ),
    "bizdesk.screens.sales": (
        *("sales.back", "sales.new", "sales.counter"),
        *_digits("sales.state", "012345678"),
        *(f"so.{n}" for n in ("back", "edit", "confirm", "deliver", "invoice", "pay")),
        *(f"so.{n}" for n in ("return", "cancel", "close", "write", "entries", "customer")),
        "so.mail",
    ),
    "bizdesk.screens.journal": (
        *(f"journal.{n}" for n in ("new", "edit", "rename", "post", "reverse", "view", "archive")),
        *("journal.lock", "journal.all", "journal.drafts", "journal.posted", "journal.bank"),
        "journal.recurring",
        *("entry.back", "entry.source", "entry.contact", "account.back"),
    ),
    "bizdesk.screens.bank": (
        *(f"bank.{n}" for n in ("back", "confirm", "second", "third", "split", "account")),
        *("bank.auto", "bank.view", "bank.undo"),
    ),
    "bizdesk.screens.reports": (
        "reports.export",
        "reports.run",
        "reports.budget",
        "reports.target",
        "reports.side",
        "reports.documents.back",
        "reports.drill.back",
    ),
    "bizdesk.screens.people": (
        *("employees.back", "employees.new", "employees.leave", "employees.payroll"),
        "employees.leave_days",
        *("employee.back", "employee.edit", "employee.leave", "employee.withdraw"),
        *("employee.end", "leave.back"),
        "leave.approve",
        *("leave.refuse", "payroll.back", "payroll.new"),
        *("run.back", "run.hours", "run.refresh", "run.post", "run.pay"),
        *("run.reverse", "run.delete", "run.write", "run.history"),
    ),
    "bizdesk.screens.reminders": ("reminders.write", "reminders.mail"),
    "bizdesk.screens.outbox": ("outbox.back", "outbox.send", "outbox.resend", "outbox.cancel"),
    "bizdesk.screens.recurring": (
        *(
            "recurring.back",
            "recurring.entry",
            "recurring.invoice",
            "recurring.stop",
            "recurring.skip",
        ),
    ),
    "bizdesk.screens.nurture": (
        *(f"followups.{n}" for n in ("back", "done", "skip", "move", "who", "contact")),
        "followups.sequences",
        *(f"followups.view.{v}" for v in ("due", "today", "overdue", "upcoming", "done")),
        "followups.view.skipped",
        *(f"sequences.{n}" for n in ("back", "new", "edit", "switch")),
    ),
    "bizdesk.screens.users": (
        "users.back",
        "users.new",
        "users.role",
        "users.disable",
        "users.language",
        "users.mail",
    ),
    "bizdesk.screens.marketing": (
        *(f"campaigns.{n}" for n in ("back", "new", "edit", "send", "segments")),
        *("campaign.back", "campaign.send", "campaign.replied", "members.back"),
        *(f"segments.{n}" for n in ("back", "new", "edit", "delete")),
    ),
    "bizdesk.screens.help": ("help.close",),
    "bizdesk.screens.records": ("record.history",),
    "bizdesk.screens.history": ("history.back", "event.back"),
    "bizdesk.widgets.form": ("form.save", "form.cancel", "form.reload"),
    "bizdesk.widgets.paged_table": ("list.filter", "list.sort", "list.clear"),
    "bizdesk.widgets.pick": ("pick.back",),
}
ALL_BINDING_IDS = frozenset(i for ids in BINDING_IDS.values() for i in ids)

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMED_KEYS = frozenset(k.value.rpartition("+")[2] for k in Keys if not k.value.startswith("<")) - {
    ""
}


def _key(key: str) -> str | None:
    """A key as Textual names it ("ctrl+n", "f3", "[" as "left_square_bracket"), or None
    for something that names no key (a typo bizdesk will not guess at)."""
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() and not key.isspace() else None
    *mods, base = key.split("+")
    if any(m not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        return None
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            return None
        return "+".join((*mods, _character_to_key(base)))
    if base in _NAMED_KEYS or key_to_character(base) is not None:
        return key
    return None


def check_keymap(settings: Settings) -> dict[str, str]:
    """The [keymap] of the config file, for ``App.set_keymap``: each binding id one bizdesk
    has, each key one Textual knows. Anything else is refused with the file, line and id
    (ConfigError); no entry is skipped or read as a near one."""
    out: dict[str, str] = {}
    for binding_id, keys in settings.keymap.items():
        where = settings.where(binding_id, "keymap")
        if binding_id not in ALL_BINDING_IDS:
            raise ConfigError(
                Message(
                    "{where} is not a binding of bizdesk.{hint} F1 shows the id of every key "
                    "on a screen.",
                    where=where,
                    hint=did_you_mean(binding_id, ALL_BINDING_IDS),
                )
            )
        named = []
        for key in (k.strip() for k in keys.split(",")):
            known = _key(key)
            if known is None:
                raise ConfigError(
                    Message(
                        '{where} = "{keys}": {key} is not a key. Write keys as Textual names '
                        'them, in lower case: "n", "ctrl+n", "f3", "escape", "shift+left", '
                        '"[" or "left_square_bracket"; several separated by commas.',
                        where=where,
                        keys=keys,
                        key=quoted(key, 20),
                    )
                )
            named.append(known)
        out[binding_id] = ",".join(named)
    return out


def keys_of(keymap: Mapping[str, str], binding_id: str, default: str) -> list[str]:
    """The keys a binding has under ``keymap`` (Textual's names, first the main one)."""
    return [k for k in keymap.get(binding_id, default).split(",") if k]


def app_key(binding_id: str) -> AppKey:
    return next(k for k in APP_KEYS if k.id == binding_id)


def commands_with_keys(keymap: Mapping[str, str]) -> Iterable[tuple[Command, str | None]]:
    """Each palette command with the key that runs it now (None: no key of its own)."""
    for command in COMMANDS:
        if command.binding_id is None:
            yield command, None
        else:
            key = app_key(command.binding_id).key
            yield command, keys_of(keymap, command.binding_id, key)[0]
