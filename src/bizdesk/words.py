"""Stored words as people read them: the database keeps English code words (an account's
type ``asset``, a ticket's priority ``high``, a user's role ``owner``); every door shows
them in its reader's language through these maps, one map per kind of word for the TUI and
the command line alike (JSON and CSV keep the stored words)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from bizdesk.i18n import (
    N_,
    USUAL_LOCALES,
    Message,
    _,
    current_language,
    current_locale,
    language_of,
)

# an account's type and the roles bizdesk posts to (the charts in data/accounts name them)
ACCOUNT_TYPE_NAMES = {
    "asset": N_("asset"),
    "liability": N_("liability"),
    "equity": N_("equity"),
    "income": N_("income"),
    "expense": N_("expense"),
}
ACCOUNT_ROLE_NAMES = {
    "bank": N_("bank"),
    "cash": N_("cash"),
    "cogs": N_("cogs"),
    "equity": Message.pgettext("account role", "equity"),  # not the account type
    "grni": N_("grni"),
    "inventory": N_("inventory"),
    "labour_absorbed": N_("labour absorbed"),
    "payable": N_("payable"),
    "price_difference": N_("price difference"),
    "receivable": N_("receivable"),
    "reminder_fees": N_("reminder fees"),
    "retained_earnings": N_("retained earnings"),
    "sales": N_("sales"),
    "stock_adjustment": N_("stock adjustment"),
    "vat_payable": N_("vat payable"),
    "vat_receivable": N_("vat receivable"),
    "wages": N_("wages"),
    "employer_contributions": N_("employer contributions"),
    "wages_payable": N_("wages payable"),
}
# the roles of the people who use a store
USER_ROLE_NAMES = {
    "owner": N_("owner"),
    "accountant": N_("accountant"),
    "sales": Message.pgettext("user role", "sales"),  # a person who sells, not revenue
    "support": N_("support"),
    "warehouse": N_("warehouse"),
    "viewer": N_("viewer"),
}
# a ticket's status, priority and SLA state (stored and computed as these words)
TICKET_STATUS_NAMES = {
    "new": N_("new"),
    "open": N_("open"),
    "waiting": N_("waiting"),
    "resolved": N_("resolved"),
    # a ticket, not an order: "închis" (a ticket) beside "închisă" (a comandă) in Romanian
    "closed": Message.pgettext("ticket status", "closed"),
}
PRIORITY_NAMES = {
    "low": N_("low"),
    "normal": N_("normal"),
    "high": N_("high"),
    "urgent": N_("urgent"),
}
# what happened with a contact (models.contacts.INTERACTION_KINDS)
INTERACTION_NAMES = {
    "call": N_("call"),
    "email": N_("email"),
    "meeting": N_("meeting"),
    "visit": N_("visit"),
    "note": N_("note"),
}
SLA_NAMES = {
    "ok": N_("ok"),
    "at risk": N_("at risk"),
    "breached": N_("breached"),
    "paused": N_("paused"),
    "met": N_("met"),
}
# what a report is grouped by (its --by: services.overview.analysis.GROUPINGS)
GROUPING_NAMES = {
    "product": N_("product"),
    "customer": N_("customer"),
    "owner": Message.pgettext("grouping", "owner"),  # who looks after it, not the shop's
    "city": N_("city"),
    "country": N_("country"),
    "tag": N_("tag"),
    "stage": N_("stage"),
    "age": N_("age"),
    "segment": N_("segment"),
    "reason": N_("reason"),
    "sales": N_("sales"),
    "purchases": N_("purchases"),
}
# what a pipeline stage is: still open, or where a deal ends
STAGE_KIND_NAMES = {"open": N_("open"), "won": N_("won"), "lost": N_("lost")}
# what payments go through an account as (services/books/ledger.py PAYMENT_KINDS)
PAYMENT_KIND_NAMES = {"bank": N_("bank"), "cash": N_("cash"), "card": N_("card")}
# a contact's kind (models/contacts.py CONTACT_KINDS)
CONTACT_KIND_NAMES = {"person": N_("person"), "organization": N_("organisation")}
# a journal entry's state
ENTRY_STATE_NAMES = {"draft": N_("draft"), "posted": N_("posted")}
# a bill of materials' kind: made by an assembly order, or sold as one line of its parts
BOM_KIND_NAMES = {"assembly": N_("assembled"), "kit": N_("kit (sold as its parts)")}
# an employee's pay basis, a leave request's kind, a payroll line's kind
PAY_BASIS_NAMES = {"monthly": N_("monthly"), "hourly": N_("hourly")}
LEAVE_KIND_NAMES = {"vacation": N_("vacation"), "sick": N_("sick"), "unpaid": N_("unpaid")}
PAY_LINE_KIND_NAMES = {"deduction": N_("deduction"), "contribution": N_("contribution")}


def named(names: Mapping[str, str], value: str | None) -> str:
    """A stored word in the reader's language for a table; a word the map does not know (a
    shop's own) as it is stored, and none as nothing. Where the reader's language says it
    as the English (English itself), the stored word as it is: what the command line takes
    back (``audit --entity journal_entry``), and English tables stay as they were."""
    if not value or value not in names:
        return value or ""
    shown = _(names[value])
    return value if shown == str.__str__(names[value]) else shown


# a contact's stage (models/contacts.py STAGES)
CONTACT_STAGE_NAMES = {
    "lead": N_("lead"),
    "prospect": N_("prospect"),
    "customer": N_("customer"),
    "inactive": N_("inactive"),
}


def typed_word(names: Mapping[str, str], text: str) -> str | None:
    """The stored word a person typed: the word itself or as their language shows it
    ("cliente" for customer), in any case; None when it is neither."""
    typed = " ".join(text.split()).casefold()
    for word, shown in names.items():
        if typed in (word.casefold(), _(shown).casefold()):
            return word
    return None


def word_message(names: Mapping[str, str], value: str) -> str:
    """A stored word for a value that is shown later (a report's cell): a ``Message``,
    whose value stays the stored word (JSON, CSV) and which reads in the reader's language
    where it is shown; an unknown word as it is."""
    known = names.get(value)
    if known is None:
        return value
    return known if isinstance(known, Message) else Message(known)


# the audit trail: what was changed (its table) and what was done to it (stored words)
AUDIT_ENTITY_NAMES = {
    "account": N_("account"),
    "assembly_order": N_("assembly order"),
    "bank_line": N_("bank line"),
    "bank_statement": N_("bank statement"),
    "budget": N_("budget"),
    "campaign": N_("campaign"),
    "campaign_recipient": N_("campaign recipient"),
    "contact": N_("contact"),
    "deal": N_("deal"),
    "email_consent": N_("e-mail consent"),
    "employee": N_("employee"),
    "follow_up": N_("follow-up"),
    "interaction": N_("interaction"),
    "invoice": N_("invoice"),
    "journal_entry": N_("journal entry"),
    "leave_request": N_("leave request"),
    "location": N_("location"),
    "mail": N_("mail settings"),
    "nurture_sequence": N_("nurture sequence"),
    "outbox_message": N_("outbox message"),
    "pay_line": N_("pay line"),
    "payroll_run": N_("payroll run"),
    "product": N_("product"),
    "purchase_order": N_("purchase order"),
    "recurring_template": N_("recurring template"),
    "reminder": N_("reminder"),
    "reminder_level": N_("reminder level"),
    "sales_order": N_("sales order"),
    "sales_target": N_("sales target"),
    "segment": N_("segment"),
    "setting": N_("setting"),
    "shop": N_("shop"),
    "stage": N_("stage"),
    "store": N_("store"),
    "supplier_bill": N_("supplier bill"),
    "ticket": N_("ticket"),
    "ticket_comment": N_("ticket comment"),
    "user": N_("user"),
}
AUDIT_ACTION_NAMES = {
    "activate": N_("activate"),
    "add": N_("add"),
    "add-key": N_("add key"),
    "approve": N_("approve"),
    "archive": N_("archive"),
    "bill": N_("bill"),
    "bom": N_("bom"),
    "bom_version": N_("bom version"),
    "business_hours": N_("business hours"),
    "cancel": N_("cancel"),
    "cancelled": N_("cancelled"),
    "close_rest": N_("close the rest"),
    "confirm": N_("confirm"),
    "confirmed": N_("confirmed"),
    "copy": N_("copy"),
    "count": N_("count"),
    "create": N_("create"),
    "credit": Message.pgettext("audit action", "credit"),  # a credit note, not a side
    "deactivate": N_("deactivate"),
    "delete": Message.pgettext("audit action", "delete"),  # not the key
    "deliver": N_("deliver"),
    "delivered": N_("delivered"),
    "disable": N_("disable"),
    "done": N_("done"),
    "end": N_("end"),
    "failed": N_("failed"),
    "finish": N_("finish"),
    "hours": N_("hours"),
    "import": N_("import"),
    "init": N_("init"),
    "install-chart": N_("install chart"),
    "invoiced": N_("invoiced"),
    "issue": N_("issue"),
    "leave_days": N_("leave days a year"),  # (the shop's for a new employee)
    "lock-date": N_("lock date"),
    "lose": N_("lose"),
    "match": N_("match"),
    "merged_into": N_("merged into"),
    "move": N_("move"),
    "opt_in": N_("opt in"),
    "opt_out": N_("opt out"),
    "pay": N_("pay"),
    "payment-kind": N_("payment kind"),
    "post": N_("post"),
    "queue": N_("queue"),
    "receive": N_("receive"),
    "received": N_("received"),
    "recount": N_("recount"),
    "refund": N_("refund"),
    "refuse": N_("refuse"),
    "rename": N_("rename"),
    "reopen": N_("reopen"),
    "replied": N_("replied"),
    "request": N_("request"),
    "resend": N_("resend"),
    "reverse": N_("reverse"),
    "run": N_("run"),
    "sent": N_("sent"),
    "set": N_("set"),
    "set-language": N_("set language"),
    "set-role": N_("set role"),
    "set_lines": N_("set lines"),
    "skip": N_("skip"),
    "sla_policy": N_("SLA policy"),
    "start": N_("start"),
    "status": N_("status"),
    "stop": N_("stop"),
    "transfer": N_("transfer"),
    "unarchive": N_("unarchive"),
    "undo": N_("undo"),
    "unsubscribe": N_("unsubscribe"),
    "unsure": N_("unsure"),
    "update": N_("update"),
    "win": N_("win"),
    "withdraw": N_("withdraw"),
}


# the days of the week: stored as English words, shown and read in the reader's language
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # stored, and typed in any language


def _day_locale() -> str | None:
    """The locale whose day names the reader reads; None: English, the stored words."""
    language = current_language()
    if language == "en":
        return None
    locale = current_locale()
    return locale if language_of(locale) == language else USUAL_LOCALES.get(language)


@functools.cache
def _babel_days(locale: str, width: str) -> tuple[str, ...]:
    from babel.dates import get_day_names

    names = get_day_names(width, locale=locale)
    return tuple(names[d] for d in range(7))


def day_names() -> tuple[str, ...]:
    """The days, Monday first, as the reader reads them ("lun" .. "dom", "Th 2" .. "CN");
    the stored words in English (mon .. sun)."""
    locale = _day_locale()
    return DAY_NAMES if locale is None else _babel_days(locale, "abbreviated")


def day_key(text: str) -> str:
    return "".join(text.split()).casefold()  # "Th 2", "th2": one day


def day_words() -> dict[str, int]:
    """Each way the reader may type a day -> the day (Monday = 0): the stored word, and the
    day as their language shows it (``day_names``), says it whole ("lunes") or writes it
    short (CLDR's short names: "T2" .. "CN", as Vietnamese write a week); in any case,
    spaces aside. A word that would name two days is none of them (never a guess)."""
    words: dict[str, int] = {}
    twice: set[str] = set()
    locale = _day_locale()
    forms = [DAY_NAMES]
    if locale is not None:
        forms += [_babel_days(locale, w) for w in ("abbreviated", "wide", "short")]
    for names in forms:
        for day, name in enumerate(names):
            key = day_key(name)
            if words.get(key, day) != day:
                twice.add(key)
            words[key] = day
    return {k: d for k, d in words.items() if k not in twice}


def days_example() -> Message:
    """Working days as the reader types them, for a hint: "lun-vie or lun,mié,sáb"."""
    names = day_names()
    return Message(
        "{days} or {other}",
        days=f"{names[0]}-{names[4]}",
        other=",".join(names[d] for d in (0, 2, 5)),
    )
