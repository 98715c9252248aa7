"""The double-entry journal: accounts, draft and posted entries, reversals and the lock date.

Posted entries never change. Every other service that moves money or stock value calls
``post_entry`` inside its own unit of work, so the document and its posting commit together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, or_, select, update

from bizdesk.config import data_dir
from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.folding import fold
from bizdesk.i18n import N_, Message, written
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import ACCOUNT_TYPES, Account, JournalEntry, JournalLine
from bizdesk.models.people import PayLine
from bizdesk.models.stock import StockMove
from bizdesk.money import AmountError, from_minor, money_text, parse_money
from bizdesk.reading import date_text, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import JOURNAL, entry_label, next_number
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    contains,
    keyset_page,
    like_pattern,
    same_name,
)
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.books.entry_search import entry_memo_condition, index_entries
from bizdesk.words import ACCOUNT_ROLE_NAMES, word_message

# --- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    id: int
    code: str
    name: str
    type: str
    role: str | None
    archived: bool
    used: bool = False


def _account_view(a: Account, used: bool = False) -> AccountView:
    return AccountView(a.id, a.code, a.name, a.type, a.role, a.archived, used)


# Chart-of-accounts templates in data/accounts, each mapping every role bizdesk posts to:
# a generic small shop (English), and small-shop charts shaped on Spain's PGC for SMEs,
# Romania's general chart and Vietnam's (Circulars 200 and 133), in their languages.
CHARTS = ("generic", "es", "ro", "vn")
_CHART_OF_COUNTRY = {"ES": "es", "RO": "ro", "VN": "vn"}
_COUNTRY_OF_LANGUAGE = {"es": "ES", "ro": "RO", "vi": "VN"}  # a locale that names none


def chart_for_locale(locale: str) -> str:
    """The chart a new store gets by default: its locale's country's, whose law it follows
    (es_ES and en_ES: Spain's; es_MX: the generic one, not Spain's), else the generic one."""
    parts = locale.replace("-", "_").split(".")[0].split("_")
    country = parts[1] if len(parts) > 1 else _COUNTRY_OF_LANGUAGE.get(parts[0].lower(), "")
    return _CHART_OF_COUNTRY.get(country.upper(), "generic")


def chart_template(name: str) -> dict:
    """One template as data/accounts holds it; a name that is not a template is refused."""
    if name not in CHARTS:
        raise ValidationError(
            {
                "chart": Message(
                    "{name} is not a chart of accounts bizdesk ships; choose one of {charts}",
                    name=quoted(name, 40),
                    charts=", ".join(CHARTS),
                )
            }
        )
    return json.loads((data_dir() / "accounts" / f"{name}.json").read_text("utf-8"))


def install_chart(uow: UnitOfWork, template: str = "generic") -> int:
    """Install a chart-of-accounts template; existing codes are kept. Records which chart
    the store follows and the VAT rates of its country (the first is the standard rate)."""
    spec = chart_template(template)
    have = set(uow.session.scalars(select(Account.code)))
    n = 0
    for a in spec["accounts"]:
        if a["code"] in have:
            continue
        role = a.get("role")
        kind = a.get("payment_kind") or (role if role in PAYMENT_ROLES else None)
        uow.session.add(
            Account(code=a["code"], name=a["name"], type=a["type"], role=role, payment_kind=kind)
        )
        n += 1
    uow.session.flush()
    uow.set_setting("chart", template)
    uow.set_setting("vat_rates", ",".join(spec["vat_rates"]))
    uow.audit("account", None, "install-chart", after={"template": template, "accounts": n})
    return n


@requires("accounts.view")
def list_accounts(uow: UnitOfWork, *, include_archived: bool = False) -> list[AccountView]:
    used = set(uow.session.scalars(select(JournalLine.account_id).distinct()))
    stmt = select(Account).order_by(Account.code)
    if not include_archived:
        stmt = stmt.where(Account.archived.is_(False))
    return [_account_view(a, a.id in used) for a in uow.session.scalars(stmt)]


def account_for(uow: UnitOfWork, role: str) -> Account:
    """The account the program posts to for a role (inventory, grni, payable ...)."""
    a = uow.session.scalars(select(Account).where(Account.role == role)).first()
    if a is None:
        raise ValidationError(
            {
                "account": Message(
                    "no account has the role {role}; give one that role in the chart",
                    role=quoted(role, 40),
                )
            }
        )
    return a


# --- the accounts money is paid through ------------------------------------------------------

# Any number of bank, cash and card-clearing accounts: each an account of the chart marked with
# its payment kind. The accounts with the role bank and cash are the defaults.
PAYMENT_KINDS = ("bank", "cash", "card")
PAYMENT_ROLES = ("bank", "cash")
# the SQL condition of a payment account: marked with a kind, or the default of a role
IS_PAYMENT_ACCOUNT = or_(Account.payment_kind.is_not(None), Account.role.in_(PAYMENT_ROLES))


def payment_kind(a: Account) -> str | None:
    """bank, cash or card; None for an account payments do not go through."""
    return a.payment_kind or (a.role if a.role in PAYMENT_ROLES else None)


def payment_accounts(uow: UnitOfWork) -> list[Account]:
    """The open accounts money is paid through, by code."""
    return list(
        uow.session.scalars(
            select(Account)
            .where(IS_PAYMENT_ACCOUNT, Account.archived.is_(False))
            .order_by(Account.code)
        )
    )


def _payment_choices(uow: UnitOfWork) -> str:
    return ", ".join(f"{a.code} {a.name}" for a in payment_accounts(uow))


def payment_day(uow: UnitOfWork, chk: v.Checker, when: object) -> date:
    """The day a payment was made (today when left empty). A day a person typed is never
    after today: a payment is recorded once made, and one dated ahead (2027 for 2026) left
    the books, the ages of what is owed and the documents each saying a different amount. A
    ``date`` the program holds is taken as it is: a bank statement line's, the bank's to
    give (a value date may be ahead)."""
    day = chk("date", v.iso_date, when, local=uow.person_input) or date.today()
    if day > date.today() and not isinstance(when, date):
        chk.add(
            "date",
            Message(
                "{date} is after today: a payment is recorded once it is made",
                date=date_text(day),
            ),
        )
    return day


def payment_account(uow: UnitOfWork, text: object, default: str = "bank") -> Account:
    """The account a payment goes through: a payment account's code (or "code name"), or
    "bank" / "cash" for the account with that role; empty is ``default``. FieldError
    otherwise, naming the accounts there are."""
    s = v.text(text, max_len=140) or default
    if s in PAYMENT_ROLES:
        a = uow.session.scalars(select(Account).where(Account.role == s)).first()
    else:
        a = uow.session.scalars(select(Account).where(Account.code == s.split(" ", 1)[0])).first()
    if a is None or payment_kind(a) is None:
        raise v.FieldError(
            Message(
                "{account} is not an account payments go through; choose one of {accounts}",
                account=quoted(s, 40),
                accounts=_payment_choices(uow),
            )
        )
    if a.archived:
        raise v.FieldError(archived_message(a))
    return a


@requires("accounts.edit")
def set_payment_kind(uow: UnitOfWork, code: object, kind: object) -> AccountView:
    """Mark an account as one money is paid through (bank, cash or card), or no longer
    (``kind`` "none" or empty)."""
    s = v.text(code, max_len=20)
    a = uow.session.scalars(select(Account).where(Account.code == s)).first()
    if a is None:
        raise ValidationError({"account": Message("no account {code}", code=quoted(s, 20))})
    chk = v.Checker()
    new = str(kind or "").strip().lower()
    if new in ("", "none"):
        new = None
    else:
        new = chk("kind", v.choice, new, PAYMENT_KINDS)
    chk.done()
    if new is not None and a.type != "asset":
        raise ValidationError(
            {
                "kind": Message(
                    "{code} {name} is not an asset account; money is paid through bank, cash "
                    "and card-clearing accounts, which are assets",
                    code=a.code,
                    name=a.name,
                )
            }
        )
    if new is None and a.role in PAYMENT_ROLES:
        raise ValidationError(
            {
                "kind": Message(
                    "{code} {name} is where bizdesk posts {role}; it stays a payment account",
                    code=a.code,
                    name=a.name,
                    role=role_words(a.role),
                )
            }
        )
    before = a.payment_kind
    a.payment_kind = new
    uow.audit("account", a.id, "payment-kind", before={"kind": before}, after={"kind": new})
    return _account_view(a, _account_used(uow, a.id))


def resolve_account(uow: UnitOfWork, text: object) -> Account:
    """An open account from its code, or from its exact name; FieldError otherwise."""
    s = v.text(text, max_len=120)
    if not s:
        raise v.FieldError(Message("required"))
    code = s.split(" ", 1)[0]
    a = uow.session.scalars(select(Account).where(Account.code == code)).first()
    if a is None:
        a = uow.session.scalars(select(Account).where(same_name(Account.name, s))).first()
    if a is None:
        raise v.FieldError(_no_account(uow, s))
    if a.archived:
        raise v.FieldError(archived_message(a))
    return a


def _no_account(uow: UnitOfWork, typed: str) -> Message:
    """Why ``typed`` names no account, with the open accounts it is the start of ("Bank f"
    of 6400 Bank fees: a suggestion seen on the screen, not taken): named, never chosen."""
    folded = fold(typed)
    begin = [
        f"{code} {name}"
        for code, name in uow.session.execute(
            select(Account.code, Account.name)
            .where(Account.archived.is_(False))
            .order_by(Account.code)
        )
        if code.startswith(typed) or fold(name).startswith(folded)
    ]
    if not begin:
        return Message("no account {account}", account=quoted(typed, 40))
    return Message(
        "no account {account}; did you mean {accounts}? Type the code or the whole name",
        account=quoted(typed, 40),
        accounts=" / ".join(begin[:3]) + (" / …" if len(begin) > 3 else ""),
    )


@requires("accounts.view")
def account_by_code(uow: UnitOfWork, code: str) -> AccountView:
    """The account with exactly this code, archived or not."""
    a = uow.session.scalars(select(Account).where(Account.code == code)).first()
    if a is None:
        raise NotFound(Message("There is no account {code}.", code=code))
    return _account_view(a, _account_used(uow, a.id))


def suggest_accounts(uow: UnitOfWork, prefix: str, limit: int = 8) -> list[str]:
    """Type-ahead for account pickers: "code name" of open accounts matching the start."""
    p = prefix.strip().lower()
    if not p:
        return []
    pat = like_pattern(p)[1:]  # prefix match
    rows = uow.session.execute(
        select(Account.code, Account.name)
        .where(
            Account.archived.is_(False),
            or_(
                Account.code.like(pat, escape="\\"), func.lower(Account.name).like(pat, escape="\\")
            ),
        )
        .order_by(Account.code)
        .limit(limit)
    )
    # matched by its code: "code name"; by its name: the name (a picker completes what was
    # typed, and the name is read back as the account)
    return [f"{c} {n}" if c.lower().startswith(p) else n for c, n in rows]


def _clean_account(uow: UnitOfWork, code: object, name: object, type_: object, self_id=None):  # noqa: ANN001, ANN202
    chk = v.Checker()
    code = chk("code", v.text, code, required=True, max_len=20)
    if code and " " in code:
        chk.add("code", Message("no spaces in an account code"))
    name = chk("name", v.text, name, required=True, max_len=120)
    type_ = chk("type", v.choice, type_, ACCOUNT_TYPES)
    if code:
        clash = uow.session.scalars(select(Account).where(Account.code == code)).first()
        if clash is not None and clash.id != self_id:
            chk.add(
                "code",
                Message("account {code} exists already ({name})", code=code, name=clash.name),
            )
    chk.done()
    return code, name, type_


@requires("accounts.edit")
def add_account(uow: UnitOfWork, code: object, name: object, type_: object) -> AccountView:
    code, name, type_ = _clean_account(uow, code, name, type_)
    a = Account(code=code, name=name, type=type_)
    uow.session.add(a)
    uow.session.flush()
    uow.audit("account", a.id, "create", after={"code": code, "name": name, "type": type_})
    return _account_view(a)


def _load_account(uow: UnitOfWork, account_id: int) -> Account:
    a = uow.session.get(Account, account_id)
    if a is None:
        raise NotFound(Message("There is no account #{id}.", id=account_id))
    return a


def _account_used(uow: UnitOfWork, account_id: int) -> bool:
    stmt = select(JournalLine.id).where(JournalLine.account_id == account_id).limit(1)
    return uow.session.scalars(stmt).first() is not None


@requires("accounts.edit")
def rename_account(uow: UnitOfWork, account_id: int, name: object) -> AccountView:
    a = _load_account(uow, account_id)
    chk = v.Checker()
    new = chk("name", v.text, name, required=True, max_len=120)
    chk.done()
    before = {"name": a.name}
    a.name = new
    uow.audit("account", a.id, "rename", before=before, after={"name": new})
    return _account_view(a)


@requires("accounts.edit")
def set_account_archived(uow: UnitOfWork, account_id: int, archived: bool = True) -> AccountView:
    """Archived accounts keep their history but take no new lines."""
    a = _load_account(uow, account_id)
    if archived and a.role:
        raise ValidationError(
            {
                "": Message(
                    "{code} {name} is where bizdesk posts {role}; it cannot be archived",
                    code=a.code,
                    name=a.name,
                    role=role_words(a.role),
                )
            }
        )
    owed = (
        uow.session.scalar(
            select(PayLine.name)
            .where(PayLine.account_id == a.id, PayLine.active.is_(True))
            .order_by(PayLine.id)
            .limit(1)
        )
        if archived
        else None
    )
    if owed is not None:  # the next run would post to it: an archived account takes no lines
        raise ValidationError(
            {
                "": Message(
                    "the payroll line {line} is owed to {code} {name}; switch that line off first",
                    code=a.code,
                    name=a.name,
                    line=quoted(owed, 80),
                )
            }
        )
    a.archived = archived
    uow.audit("account", a.id, "archive" if archived else "unarchive")
    return _account_view(a)


@requires("accounts.edit")
def delete_account(uow: UnitOfWork, account_id: int) -> None:
    a = _load_account(uow, account_id)
    if _account_used(uow, a.id) or a.role:
        raise ValidationError(
            {"": Message("{code} {name} is in use; archive it instead", code=a.code, name=a.name)}
        )
    uow.audit("account", a.id, "delete", before={"code": a.code, "name": a.name})
    uow.session.delete(a)


# Accounts only the program posts to: their balance must equal a report of another ledger
# (stock valuation, received-not-billed goods), so a hand-made line would break the books.
# (role: why a person's line is refused there)
CONTROLLED_ROLES = {
    "inventory": N_("{code} {name} changes only through stock moves"),
    "grni": N_("{code} {name} changes only through purchase receipts and bills"),
}


def controlled_message(a: Account) -> Message | None:
    if a.role in CONTROLLED_ROLES:
        return Message(CONTROLLED_ROLES[a.role], code=a.code, name=a.name)
    return None


# Accounts that hold what one party owes or is owed: each of their lines names that party,
# or the amount is in the books but on no customer's statement, reminder or aged list.
# (role: why a line without a contact is refused there)
PARTY_ROLES = {
    "receivable": N_("{code} {name} holds what customers owe: name the customer (contact)"),
    "payable": N_("{code} {name} holds what is owed to suppliers: name the supplier (contact)"),
}


def party_message(a: Account) -> Message | None:
    """Why a line on ``a`` needs a contact, if it does."""
    if a.role in PARTY_ROLES:
        return Message(PARTY_ROLES[a.role], code=a.code, name=a.name)
    return None


def role_words(role: str) -> str:
    """The role bizdesk posts an account for, in the reader's words where it is said (never
    the stored code word, "price_difference")."""
    return word_message(ACCOUNT_ROLE_NAMES, role)


def archived_message(a: Account) -> Message:
    return Message("account {code} {name} is archived", code=a.code, name=a.name)


# --- the rules of a posted entry, once: forms, programs and the journal import ----------------


def period_problem(when: date, locked: date | None) -> Message | None:
    """Nothing is posted on or before the lock date."""
    if locked is not None and when <= locked:
        return Message(
            "the books are locked up to {date}; use a later date", date=date_text(locked)
        )
    return None


def side_problem(debit_minor: int, credit_minor: int) -> Message | None:
    """A line is a debit or a credit, one of them, more than zero."""
    if (debit_minor > 0) == (credit_minor > 0):
        return Message("enter a debit or a credit (one of them, more than zero)")
    return None


def balance_problem(
    lines: int, debit_minor: int, credit_minor: int, exp: int, locale: str | None = None
) -> Message | None:
    """An entry has at least two lines and its debits equal its credits (the amounts written
    for ``locale``, money_text)."""
    if lines < 2:
        return Message("an entry needs at least two lines")
    if debit_minor != credit_minor:
        return Message(
            "debits {debit} and credits {credit} differ by {difference}; they must be equal "
            "to post",
            debit=money_text(debit_minor, exp, locale),
            credit=money_text(credit_minor, exp, locale),
            difference=money_text(debit_minor - credit_minor, exp, locale),
        )
    return None


@dataclass(frozen=True)
class PostingRules:
    """What the rules of posting need from the store, read once (``posting_rules``), so that
    a whole file of lines is checked without a query per line: every account by code (id, and
    why it takes no line typed by a person: archived or controlled), the lock date and the
    currency's exponent. Two readings compare equal when nothing they hold changed."""

    accounts: dict[str, tuple[int, str | None]]  # code -> (id, problem or None)
    locked: date | None
    exponent: int
    parties: dict[int, Message]  # account id -> why its lines name a contact (PARTY_ROLES)

    def account(self, code: str) -> tuple[int | None, Message | None]:
        """(id, problem) of an account code as typed; id None when there is no such account."""
        found = self.accounts.get(code.strip())
        if found is None:
            return None, Message("no account {account}", account=quoted(code, 20))
        return found

    def period(self, when: date) -> Message | None:
        return period_problem(when, self.locked)

    def balance(self, lines: int, debit_minor: int, credit_minor: int) -> Message | None:
        return balance_problem(lines, debit_minor, credit_minor, self.exponent)

    def contact(self, account_id: int, contact: str | None) -> Message | None:
        """A line on a receivable or payable account without a contact: why it is refused."""
        return None if contact else self.parties.get(account_id)


def line_account_problem(a: Account) -> Message | None:
    """Why a line typed by a person (or a file) may not go to this account, if it may not."""
    return archived_message(a) if a.archived else controlled_message(a)


@requires("journal.post")
def posting_rules(uow: UnitOfWork) -> PostingRules:
    accounts = list(uow.session.scalars(select(Account)))
    return PostingRules(
        {a.code: (a.id, line_account_problem(a)) for a in accounts},
        lock_date(uow),
        uow.exponent,
        {a.id: m for a in accounts if (m := party_message(a)) is not None},
    )


# --- the lock date --------------------------------------------------------------------------


def lock_date(uow: UnitOfWork) -> date | None:
    s = uow.setting("lock_date")
    return date.fromisoformat(s) if s else None


@requires("lock_date.set")
def set_lock_date(uow: UnitOfWork, value: object, *, reopen: bool = False) -> date | None:
    """Only the owner moves the lock date; nothing can be posted on or before it. It closes
    days that have passed (today at the latest). Moving it back, or removing it, opens
    closed days to posting again: only with ``reopen``, which says that is meant."""
    chk = v.Checker()
    new = chk("lock_date", v.iso_date, value, local=uow.person_input)
    if new is not None and new > date.today():
        chk.add(
            "lock_date",
            Message(
                "{date} is after today: the books are locked up to a day that has passed "
                "(today at the latest)",
                date=date_text(new),
            ),
        )
    chk.done()
    before = lock_date(uow)
    if before is not None and (new is None or new < before) and not reopen:
        raise ValidationError(
            {
                "reopen": Message(
                    "the books are locked up to {before}; this opens {days} to posting again: "
                    "confirm that you mean to reopen them",
                    before=date_text(before),
                    days=Message("every day up to it")
                    if new is None
                    else Message(
                        "the days from {start} to {end}",
                        start=date_text(new + timedelta(days=1)),
                        end=date_text(before),
                    ),
                )
            }
        )
    uow.set_setting("lock_date", new.isoformat() if new else "")
    uow.audit("setting", None, "lock-date", before={"lock_date": before}, after={"lock_date": new})
    return new


def _check_open_period(uow: UnitOfWork, when: date, field_name: str = "date") -> None:
    problem = period_problem(when, lock_date(uow))
    if problem:
        raise ValidationError({field_name: problem})


# --- entries --------------------------------------------------------------------------------


@dataclass
class LineInput:
    """One line as a person types it: account code or name, debit or credit, contact."""

    account: str = ""
    debit: str = ""
    credit: str = ""
    contact: str = ""
    memo: str = ""


@dataclass
class EntryInput:
    date: str = ""
    memo: str = ""
    lines: list[LineInput] = field(default_factory=list)


@dataclass(frozen=True)
class Posting:
    """A line built by the program (receipts, bills, payments): minor units, ids."""

    account_id: int
    debit_minor: int = 0
    credit_minor: int = 0
    contact_id: int | None = None
    memo: str = ""


@dataclass(frozen=True)
class LineView:
    id: int
    account_id: int
    account: str  # "code name"
    debit: Decimal
    credit: Decimal
    contact_id: int | None = None
    contact: str = ""
    memo: str = ""


@dataclass(frozen=True)
class EntryView:
    id: int
    number: int | None
    date: date
    memo: str
    state: str
    source_kind: str | None
    source_id: int | None
    reverses_id: int | None
    reverses_number: int | None
    reversed_by_id: int | None
    reversed_by_number: int | None
    posted_at: datetime | None
    posted_by: str
    lines: list[LineView]
    total_debit: Decimal
    total_credit: Decimal
    version: int
    pay_summed: bool = False  # a payroll entry read without people.pay: lines summed
    pay_people: int = 0  # ... over how many employees (one: that employee's pay alone)

    @property
    def label(self) -> str:
        return entry_label(self.number, self.id)

    def not_reversible(self) -> Message | None:
        """Why ``r`` cannot reverse this entry in the journal (None: it can)."""
        by = (
            entry_label(self.reversed_by_number, self.reversed_by_id)
            if self.reversed_by_id
            else None
        )
        return not_reversible(
            self.label, self.state, self.source_kind, by, self.reverses_id is not None
        )


def _clean_lines(uow: UnitOfWork, lines: list[LineInput], chk: v.Checker) -> list[Posting]:
    exp = uow.exponent
    out = []
    for i, ln in enumerate(lines, start=1):
        if not any(str(x).strip() for x in (ln.account, ln.debit, ln.credit, ln.contact, ln.memo)):
            continue  # an empty row of the editor
        acct = chk(f"line {i} account", resolve_account, uow, ln.account)
        if acct is not None and line_account_problem(acct):
            chk.add(f"line {i} account", line_account_problem(acct))
        amounts = {}
        unread = False  # an amount already refused: "enter a debit or a credit" would be wrong
        for side in ("debit", "credit"):
            raw = str(getattr(ln, side) or "").strip()
            try:
                amounts[side] = parse_money(raw, exp, locale=uow.input_locale) if raw else 0
            except AmountError as exc:
                chk.add(f"line {i} {side}", exc.message)
                amounts[side], unread = 0, True
        if not unread and side_problem(amounts["debit"], amounts["credit"]):
            chk.add(f"line {i} debit", side_problem(amounts["debit"], amounts["credit"]))
        contact_id = None
        if str(ln.contact or "").strip():
            from bizdesk.services.crm.contacts import resolve as resolve_contact

            c = chk(f"line {i} contact", resolve_contact, uow, ln.contact)
            contact_id = c.id if c else None
        elif acct is not None and party_message(acct):
            chk.add(f"line {i} contact", party_message(acct))
        memo = chk(f"line {i} memo", v.text, ln.memo, max_len=200) or ""
        if acct is not None:
            out.append(Posting(acct.id, amounts["debit"], amounts["credit"], contact_id, memo))
    return out


def _clean_entry(uow: UnitOfWork, data: EntryInput) -> tuple[date, str, list[Posting]]:
    chk = v.Checker()
    when = chk("date", v.iso_date, data.date, required=True, local=uow.person_input)
    memo = chk("memo", v.text, data.memo, max_len=500) or ""
    postings = _clean_lines(uow, data.lines, chk)
    chk.done()
    return when, memo, postings


@requires("journal.post")
def check_lines(uow: UnitOfWork, lines: list[LineInput]) -> list[Posting]:
    """Lines as typed, checked as a posted entry's are (problems by "line i field") and
    balanced: for a service that keeps lines to post later (services/recurring)."""
    chk = v.Checker()
    postings = _clean_lines(uow, lines, chk)
    chk.done()
    _check_balanced(uow, postings)
    return postings


def _add_lines(uow: UnitOfWork, entry: JournalEntry, postings: list[Posting]) -> None:
    uow.session.add_all(
        JournalLine(
            entry_id=entry.id,
            account_id=p.account_id,
            debit_minor=p.debit_minor,
            credit_minor=p.credit_minor,
            contact_id=p.contact_id,
            memo=p.memo,
            date=entry.date,
            posted=False,
        )
        for p in postings
    )


@requires("journal.post")
def create_draft(uow: UnitOfWork, data: EntryInput) -> EntryView:
    when, memo, postings = _clean_entry(uow, data)
    e = JournalEntry(date=when, memo=memo, updated_by=uow.user)
    uow.session.add(e)
    uow.session.flush()
    _index(uow, e)
    _add_lines(uow, e, postings)
    uow.session.flush()
    uow.audit("journal_entry", e.id, "create", after=_snapshot(e, postings))
    return get_entry(uow, e.id)


def _index(uow: UnitOfWork, e: JournalEntry) -> None:
    index_entries(uow, e.id, e.id)


def _load_entry(uow: UnitOfWork, entry_id: int, *, lock: bool = False) -> JournalEntry:
    e = uow.session.get(JournalEntry, entry_id, with_for_update=lock)
    if e is None:
        raise NotFound(Message("There is no journal entry #{id}.", id=entry_id))
    return e


def _require_draft(e: JournalEntry) -> None:
    if e.state != "draft":
        raise ValidationError(
            {
                "": Message(
                    "{entry} is posted and cannot change; reverse it instead",
                    entry=JOURNAL.label(e.number),
                )
            }
        )


@requires("journal.post")
def update_draft(uow: UnitOfWork, entry_id: int, data: EntryInput, *, version: int) -> EntryView:
    e = _load_entry(uow, entry_id, lock=True)
    _require_draft(e)
    check_version(uow, e, version)
    when, memo, postings = _clean_entry(uow, data)
    before = _snapshot(e, _postings_of(uow, e.id))
    e.date, e.memo = when, memo
    uow.session.execute(JournalLine.__table__.delete().where(JournalLine.entry_id == e.id))
    _add_lines(uow, e, postings)
    touch(uow, e)
    uow.session.flush()
    uow.audit("journal_entry", e.id, "update", before=before, after=_snapshot(e, postings))
    return get_entry(uow, e.id)


@requires("journal.post")
def delete_draft(uow: UnitOfWork, entry_id: int, *, version: int) -> None:
    e = _load_entry(uow, entry_id, lock=True)
    _require_draft(e)
    check_version(uow, e, version)
    uow.audit("journal_entry", e.id, "delete", before=_snapshot(e, _postings_of(uow, e.id)))
    uow.session.execute(JournalLine.__table__.delete().where(JournalLine.entry_id == e.id))
    uow.session.delete(e)


def _postings_of(uow: UnitOfWork, entry_id: int) -> list[Posting]:
    rows = uow.session.scalars(
        select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.id)
    )
    return [
        Posting(r.account_id, r.debit_minor, r.credit_minor, r.contact_id, r.memo) for r in rows
    ]


def _snapshot(e: JournalEntry, postings: list[Posting]) -> dict:
    return {
        "number": e.number,
        "date": e.date,
        "memo": e.memo,
        "state": e.state,
        "lines": [[p.account_id, p.debit_minor, p.credit_minor, p.contact_id] for p in postings],
    }


def _check_balanced(uow: UnitOfWork, postings: list[Posting]) -> None:
    dr = sum(p.debit_minor for p in postings)
    cr = sum(p.credit_minor for p in postings)
    problem = balance_problem(len(postings), dr, cr, uow.exponent, uow.input_locale)
    if problem:
        raise ValidationError({"lines": problem})


def _mark_posted(uow: UnitOfWork, e: JournalEntry) -> None:
    _check_open_period(uow, e.date)
    e.number = next_number(uow, JOURNAL)
    e.state = "posted"
    e.posted_at = utcnow()
    e.posted_by = uow.user
    uow.session.execute(
        update(JournalLine).where(JournalLine.entry_id == e.id).values(posted=True, date=e.date)
    )


@requires("journal.post")
def post(uow: UnitOfWork, entry_id: int, *, version: int) -> EntryView:
    """Post a balanced draft: it gets the next number and never changes again."""
    e = _load_entry(uow, entry_id, lock=True)
    _require_draft(e)
    check_version(uow, e, version)
    postings = _postings_of(uow, e.id)
    _check_balanced(uow, postings)
    _mark_posted(uow, e)
    touch(uow, e)
    uow.session.flush()
    uow.audit("journal_entry", e.id, "post", after=_snapshot(e, postings))
    return get_entry(uow, e.id)


@requires("journal.post")
def save_and_post(
    uow: UnitOfWork, data: EntryInput, *, entry_id: int | None = None, version: int | None = None
) -> EntryView:
    """Save an entry as typed (a new draft, or the draft ``entry_id`` at ``version``) and post
    it in the same transaction: when it cannot be posted, nothing is saved either."""
    if entry_id is None:
        saved = create_draft(uow, data)
    else:
        saved = update_draft(uow, entry_id, data, version=version)
    return post(uow, saved.id, version=saved.version)


@requires("journal.post")
def post_entry(
    uow: UnitOfWork,
    when: date,
    memo: str,
    postings: list[Posting],
    *,
    source: tuple[str, int] | None = None,
) -> JournalEntry:
    """Post an entry the program builds (receipts, bills, payments, adjustments)."""
    postings = [p for p in postings if p.debit_minor or p.credit_minor]
    _check_balanced(uow, postings)
    e = JournalEntry(
        date=when,
        memo=memo[:500],
        source_kind=source[0] if source else None,
        source_id=source[1] if source else None,
        updated_by=uow.user,
    )
    uow.session.add(e)
    uow.session.flush()
    _index(uow, e)
    _add_lines(uow, e, postings)
    uow.session.flush()
    _mark_posted(uow, e)
    uow.session.flush()
    uow.audit("journal_entry", e.id, "post", after=_snapshot(e, postings))
    return e


# who made an entry (its source kind), in words, for a person told to correct it there
MADE_BY = {
    "sales_order": N_("a sales order (its invoice, payment or delivery)"),
    "purchase_order": N_("a purchase order (its bill, payment or receipt)"),
    "bank_line": N_("a bank statement line (bizdesk bank undo LINE)"),
    "stock_move": N_("a stock adjustment (count or adjust the stock again)"),
    "reminder": N_("a payment reminder's fee"),
    "assembly_order": N_("an assembly order"),
    "payroll_run": N_("a payroll run (bizdesk payroll reverse RUN)"),
    "payroll_payment": N_("a payroll run's payment"),
}


def not_reversible(
    label: str,
    state: str,
    source_kind: str | None,
    reversed_by: str | None,
    is_reversal: bool,
    *,
    by_document: bool = False,
) -> Message | None:
    """Why the entry ``label`` cannot be reversed (None: it can): a draft, an entry a
    document made (corrected by that document's own undo, unless ``by_document``), one
    reversed already (by ``reversed_by``), or itself a reversal. Said before a date is
    asked for, and again by ``reverse``."""
    if state != "posted":
        return Message("only a posted entry can be reversed; edit the draft instead")
    if source_kind and not by_document:
        made_by = MADE_BY.get(source_kind)
        return Message(
            "{entry} was made by {document} and is corrected there, not by a reversal "
            "in the journal (the document would no longer match the books)",
            entry=label,
            document=Message(made_by) if made_by else source_kind,
        )
    if reversed_by is not None:
        return Message(
            "{entry} was reversed already by {reversal}", entry=label, reversal=reversed_by
        )
    if is_reversal:
        return Message("{entry} is itself a reversal; post a new entry", entry=label)
    return None


@requires("journal.post")
def reverse(
    uow: UnitOfWork,
    entry_id: int,
    when: object = None,
    memo: str = "",
    *,
    by_document: bool = False,
) -> EntryView:
    """Correct a posted entry with its mirror image, dated ``when`` (default: today, or the
    original's date when that is later). A reversal is never dated before its original.
    An entry a document made (a sale, a bank line, a payroll run…) is reversed only by
    that document's own undo (``by_document``): reversed alone in the journal, the
    document would still say it was posted or paid."""
    e = _load_entry(uow, entry_id, lock=True)
    label = JOURNAL.label(e.number)
    reversal = uow.session.get(JournalEntry, e.reversed_by_id) if e.reversed_by_id else None
    why = not_reversible(
        label,
        e.state,
        e.source_kind,
        JOURNAL.label(reversal.number) if reversal is not None else None,
        e.reverses_id is not None,
        by_document=by_document,
    )
    if why is not None:
        raise ValidationError({"": why})
    chk = v.Checker()
    day = chk("date", v.iso_date, when, local=uow.person_input) or max(date.today(), e.date)
    memo = chk("memo", v.text, memo, max_len=500) or written(
        uow.setting("locale"), N_("Reversal of {entry}"), entry=label
    )
    chk.done()
    if day < e.date:
        raise ValidationError(
            {
                "date": Message(
                    "{date} is before {entry} itself ({original}); a reversal is dated on or "
                    "after its original",
                    date=date_text(day),
                    entry=label,
                    original=date_text(e.date),
                )
            }
        )
    mirrored = [
        Posting(p.account_id, p.credit_minor, p.debit_minor, p.contact_id, p.memo)
        for p in _postings_of(uow, e.id)
    ]
    rev = post_entry(
        uow, day, memo, mirrored, source=(e.source_kind, e.source_id) if e.source_kind else None
    )
    rev.reverses_id = e.id
    e.reversed_by_id = rev.id
    touch(uow, e)
    uow.audit("journal_entry", e.id, "reverse", after={"reversal": rev.id})
    return get_entry(uow, rev.id)


# --- the payroll's entries, as a role that may not see pay reads them ----------------------

# The sources of the entries services/people/payroll posts: a line per employee on Wages
# payable (net pay owed, then paid), each with the employee as its contact.
PAYROLL_SOURCES = ("payroll_run", "payroll_payment")


@dataclass(frozen=True)
class PaySummed:
    """The payroll entries' lines as a role without ``people.pay`` reads them: one line per
    account and side of an entry, summed, with no contact and the entry's memo. The books
    and every balance stay whole; what each person is paid is not shown. Reading queries
    keep the first line of each group (``condition``) and show the group's sums (``shown``)."""

    entries: frozenset[int]
    shown: dict[int, tuple[int, int, str]]  # first line id -> (debit, credit, entry memo)

    def condition(self):  # noqa: ANN201
        """The lines shown: every line of other entries, one line per group of these."""
        return or_(JournalLine.entry_id.not_in(self.entries), JournalLine.id.in_(self.shown))


def pay_summed(uow: UnitOfWork, account_id: int | None = None) -> PaySummed | None:
    """None when the acting role sees pay (or no payroll entry touches the account)."""
    if can(uow, "people.pay"):
        return None
    side = case((JournalLine.debit_minor != 0, 1), else_=0)
    stmt = (
        select(
            JournalLine.entry_id,
            func.min(JournalLine.id),
            func.sum(JournalLine.debit_minor),
            func.sum(JournalLine.credit_minor),
            JournalEntry.memo,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.source_kind.in_(PAYROLL_SOURCES))
        .group_by(JournalLine.entry_id, JournalEntry.memo, JournalLine.account_id, side)
    )
    if account_id is not None:
        stmt = stmt.where(JournalLine.account_id == account_id)
    rows = uow.session.execute(stmt).all()
    if not rows:
        return None
    return PaySummed(
        frozenset(r[0] for r in rows), {first: (d, c, memo) for _e, first, d, c, memo in rows}
    )


@requires("journal.view")
def get_entry(uow: UnitOfWork, entry_id: int) -> EntryView:
    e = _load_entry(uow, entry_id)
    exp = uow.exponent
    rows = uow.session.execute(
        select(JournalLine, Account.code, Account.name, Contact.name)
        .join(Account, Account.id == JournalLine.account_id)
        .outerjoin(Contact, Contact.id == JournalLine.contact_id)
        .where(JournalLine.entry_id == e.id)
        .order_by(JournalLine.id)
    ).all()
    lines = [
        LineView(
            ln.id,
            ln.account_id,
            f"{code} {name}",
            from_minor(ln.debit_minor, exp),
            from_minor(ln.credit_minor, exp),
            ln.contact_id,
            cname or "",
            ln.memo,
        )
        for ln, code, name, cname in rows
    ]
    summed = pay_summed(uow) if e.source_kind in PAYROLL_SOURCES else None
    people = len({ln.contact_id for ln in lines if ln.contact_id}) if summed else 0
    if summed is not None:  # one line per account and side, without the person
        lines = [
            LineView(ln.id, ln.account_id, ln.account, from_minor(d, exp), from_minor(c, exp))
            for ln in lines
            if ln.id in summed.shown
            for d, c, _memo in [summed.shown[ln.id]]
        ]

    def number_of(eid: int | None) -> int | None:
        return uow.session.get(JournalEntry, eid).number if eid else None

    return EntryView(
        e.id,
        e.number,
        e.date,
        e.memo,
        e.state,
        e.source_kind,
        e.source_id,
        e.reverses_id,
        number_of(e.reverses_id),
        e.reversed_by_id,
        number_of(e.reversed_by_id),
        e.posted_at,
        e.posted_by,
        lines,
        sum((ln.debit for ln in lines), Decimal(0)),
        sum((ln.credit for ln in lines), Decimal(0)),
        e.version,
        summed is not None,
        people,
    )


def entry_input(view: EntryView) -> EntryInput:
    """A draft's values as the form edits them."""
    return EntryInput(
        date=date_text(view.date),
        memo=view.memo,
        lines=[
            LineInput(
                ln.account,
                str(ln.debit) if ln.debit else "",
                str(ln.credit) if ln.credit else "",
                f"#{ln.contact_id}" if ln.contact_id else "",
                ln.memo,
            )
            for ln in view.lines
        ],
    )


# --- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    id: int
    label: str
    date: date
    memo: str
    state: str
    amount: Decimal
    source: str


ENTRY_SORTS = {"date": JournalEntry.date, "number": JournalEntry.id}


@requires("journal.view")
def list_entries(uow: UnitOfWork, req: PageRequest) -> Page[EntryRow]:
    """Entries by date (lists ask for newest first); filters: state (draft/posted)."""
    exp = uow.exponent
    total = (
        select(func.coalesce(func.sum(JournalLine.debit_minor), 0))
        .where(JournalLine.entry_id == JournalEntry.id)
        .scalar_subquery()
    )
    sort_col = ENTRY_SORTS.get(req.sort or "date", JournalEntry.date)
    stmt = select(
        JournalEntry.number,
        JournalEntry.memo,
        JournalEntry.state,
        total,
        JournalEntry.source_kind,
        JournalEntry.source_id,
        JournalEntry.date,
        sort_col,
        JournalEntry.id,
    )
    state = req.filters.get("state")
    if state:
        stmt = stmt.where(JournalEntry.state == state)
    s = req.search.strip()
    if s:
        num = JOURNAL.number_in(s)
        cond = entry_memo_condition(uow, s)
        if num is not None:
            cond = or_(cond, JournalEntry.number == num)
        stmt = stmt.where(cond)

    def to_row(r) -> EntryRow:  # noqa: ANN001
        src = f"{r[4]} #{r[5]}" if r[4] else ""
        return EntryRow(
            r[-1], entry_label(r[0], r[-1]), r[6], r[1], r[2], from_minor(r[3], exp), src
        )

    return keyset_page(uow.session, stmt, sort_col, JournalEntry.id, req, to_row)


@dataclass(frozen=True)
class LedgerRow:
    id: int  # line id
    entry_id: int
    label: str
    date: date
    memo: str
    contact: str
    debit: Decimal
    credit: Decimal


@requires("journal.view")
def account_lines(uow: UnitOfWork, account_id: int, req: PageRequest) -> Page[LedgerRow]:
    """One account's posted lines by date: the general ledger drill-down, paged."""
    _load_account(uow, account_id)
    exp = uow.exponent
    stmt = (
        select(
            JournalLine.entry_id,
            JournalEntry.number,
            func.coalesce(func.nullif(JournalLine.memo, ""), JournalEntry.memo),
            Contact.name,
            JournalLine.debit_minor,
            JournalLine.credit_minor,
            JournalLine.date,
            JournalLine.id,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .outerjoin(Contact, Contact.id == JournalLine.contact_id)
        .where(JournalLine.account_id == account_id, JournalLine.posted.is_(True))
    )
    summed = pay_summed(uow, account_id)
    if summed is not None:
        stmt = stmt.where(summed.condition())
    s = req.search.strip()
    if s:
        line_memo = contains(uow, JournalLine.memo, s)
        if summed is not None:  # a payroll line's memo names the person's payslip
            line_memo = line_memo & JournalLine.entry_id.not_in(summed.entries)
        stmt = stmt.where(or_(contains(uow, JournalEntry.memo, s), line_memo))

    def to_row(r) -> LedgerRow:  # noqa: ANN001
        memo, contact, d, c = r[2], r[3], r[4], r[5]
        if summed is not None and r[-1] in summed.shown:
            d, c, memo = summed.shown[r[-1]]
            contact = ""
        return LedgerRow(
            r[-1],
            r[0],
            entry_label(r[1], r[0]),
            r[6],
            memo or "",
            contact or "",
            from_minor(d, exp),
            from_minor(c, exp),
        )

    return keyset_page(uow.session, stmt, JournalLine.date, JournalLine.id, req, to_row)


@requires("journal.view")
def account_balance(uow: UnitOfWork, account_id: int, as_of: date | None = None) -> Decimal:
    stmt = select(
        func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
    ).where(JournalLine.posted.is_(True), JournalLine.account_id == account_id)
    if as_of:
        stmt = stmt.where(JournalLine.date <= as_of)
    return from_minor(uow.session.scalar(stmt), uow.exponent)


@requires("journal.view")
def balance_by_role(uow: UnitOfWork, role: str) -> int:
    """Debit-minus-credit of the account with a role, in minor units."""
    a = account_for(uow, role)
    return int(
        uow.session.scalar(
            select(
                func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
            ).where(JournalLine.posted.is_(True), JournalLine.account_id == a.id)
        )
    )


@requires("journal.view")
def source_of_entry(uow: UnitOfWork, source_kind: str | None, source_id: int | None):  # noqa: ANN201
    """Where a journal entry came from, as (screen kind, id): a purchase or sales order, an
    assembly order, a payroll run (its posting or its payment), or the product of a stock
    move; None for entries made by hand or imported."""
    if source_kind in ("purchase_order", "sales_order", "assembly_order") and source_id:
        return (source_kind, source_id)
    if source_kind in PAYROLL_SOURCES and source_id:
        return ("payroll_run", source_id)
    if source_kind == "stock_move" and source_id:
        move = uow.session.get(StockMove, source_id)
        return ("product", move.product_id) if move else None
    return None


def preview_entry(uow: UnitOfWork, lines: list[LineInput]) -> tuple[Decimal, Decimal, int]:
    """Debits and credits typed so far and how many lines are not readable yet (the entry
    form's running difference; posting checks everything)."""
    exp, loc = uow.exponent, uow.input_locale
    debit = credit = bad = 0
    for ln in lines:
        try:
            d = parse_money(ln.debit, exp, locale=loc) if str(ln.debit).strip() else 0
            c = parse_money(ln.credit, exp, locale=loc) if str(ln.credit).strip() else 0
        except AmountError:
            bad += 1
            continue
        debit += d
        credit += c
    return from_minor(debit, exp), from_minor(credit, exp), bad


@dataclass(frozen=True)
class AccountRow:
    id: int
    code: str
    name: str
    type: str
    role: str
    archived: bool


@requires("accounts.view")
def account_page(uow: UnitOfWork, req: PageRequest) -> Page[AccountRow]:
    """The chart of accounts by code. No balances here: summing a million lines per page
    would make the list slow; an account's page and the trial balance show them."""
    stmt = select(
        Account.name, Account.type, Account.role, Account.archived, Account.code, Account.id
    )
    if not req.filters.get("archived"):
        stmt = stmt.where(Account.archived.is_(False))
    s = req.search.strip()
    if s:
        stmt = stmt.where(
            or_(
                Account.code.like(like_pattern(s), escape="\\"),
                func.lower(Account.name).like(like_pattern(s.lower()), escape="\\"),
            )
        )

    def to_row(r) -> AccountRow:  # noqa: ANN001
        return AccountRow(r[-1], r[-2], r[0], r[1], r[2] or "", r[3])

    return keyset_page(uow.session, stmt, Account.code, Account.id, req, to_row)


@requires("accounts.view")
def get_account(uow: UnitOfWork, account_id: int) -> AccountView:
    a = _load_account(uow, account_id)
    return _account_view(a, _account_used(uow, a.id))
