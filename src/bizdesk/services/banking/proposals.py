"""What each unmatched statement line may settle, ranked (read-only).

Money in is proposed against open invoices, money out against open supplier bills and the
refunds credit notes owe customers, a
payment already in the books on the line's account (an entry for exactly the line's amount,
within LINK_DAYS of it, not reversed and not matched to another line: a customer's payment
typed by hand before the statement came), and a line a rule of the CSV rules file matched
against that rule's account. Each candidate earns points for what ties it to the line:

- the amount equals what is still open on it (or is part of it: a part payment); a payment
  in the books is a candidate only for exactly its amount;
- the line's text names the document (INV-00007, the supplier's bill reference, PO-00003),
  or, for a payment in the books, the entry (JE-12) or a document its memo names;
- the counterpart's name is like the contact's (a payment's: the contact on its lines), with
  or without its legal form (a bank writes "URBAN WHEEL" for Urban Wheel GmbH);
- the counterpart's IBAN was matched to the contact before;
- the booking day is close to the document's due date (or issue date).

A candidate with nothing but a close date is not proposed. Confirming a proposal (posting
the payment) is reconciliation's, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache, lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.folding import fold
from bizdesk.i18n import Message
from bizdesk.models.banking import BankLine
from bizdesk.models.contacts import Contact
from bizdesk.models.dunning import Reminder, ReminderItem
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.models.purchasing import PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice
from bizdesk.money import from_minor
from bizdesk.reading import quoted
from bizdesk.services.banking.days import USABLE_DAYS
from bizdesk.services.banking.statements import is_bank_account
from bizdesk.services.base.numbering import (
    CREDIT_NOTE,
    INVOICE,
    JOURNAL,
    PURCHASE_ORDER,
    REMINDER,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import IS_PAYMENT_ACCOUNT

SAME_AMOUNT = 50
PART_AMOUNT = 10
NAMED_IN_TEXT = 60
ORDER_IN_TEXT = 40
NAME_LIKE = 30
NAME_CLOSE = 15
IBAN_SEEN = 30  # the line's IBAN was matched to this contact before
RULE = 40
DATE_MAX = 10  # the same day; one point less for every three days away
LINK_DAYS = 14  # a payment in the books is proposed for a line this many days around it
MEMO_SHOWN = 40  # characters of a payment's memo in its label


@dataclass(frozen=True)
class Proposal:
    kind: str  # invoice | bill | refund (a credit note's) | reminder | entry | account
    id: int | None  # the invoice's, the bill's or the entry's; None for an account
    label: str  # INV-00007; AC-1 (PO-00003); JE-12 Payment of INV-00007; 6290 Coffee
    contact: str
    open_amount: Decimal | None  # what is still open on the document (None: an entry, an account)
    score: int
    reasons: tuple[Message, ...]
    exact: bool = False  # the line's amount is exactly what is open on the document
    signal: str = ""  # "text": the text names the document; "name": the name is the contact's
    ref: str = ""  # what confirming it names: INV-00007, AC-1 (PO-00003), JE-12, 6290


def split_suggestion(found: Sequence[Proposal]) -> list[str]:
    """The documents a split starts with: the best proposed invoice or bill and the next
    one of the same customer or supplier, never another's (a line from William Petit was
    offered his invoice and Urban Coastal's, and one ctrl+s paid both)."""
    docs = [p for p in found if p.kind in ("invoice", "bill", "reminder")]
    if not docs:
        return []
    if docs[0].kind == "reminder":  # it stands for its invoices (and its fee) itself
        return [docs[0].label]
    docs = [p for p in docs if p.kind != "reminder"]
    return [p.label.split(" (")[0] for p in docs if p.contact == docs[0].contact][:2]


@dataclass(frozen=True)
class LineProposals:
    line_id: int
    account: str  # the bank account's code
    booked_on: date
    amount: Decimal
    counterpart: str
    text: str
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True)
class _Doc:
    kind: str
    id: int
    label: str
    # (what names it in a text, points, what the reason says it names)
    patterns: tuple[tuple[re.Pattern[str], int, str], ...]
    contact: str
    open_minor: int
    day: date  # due date (a payment's date)
    issued: date
    ref: str = ""  # a payment's entry (JE-12); the label for a document


def _label_pattern(prefix: str, number: int) -> re.Pattern[str]:
    """INV-00007, inv 7, INV00007: the label as people and banks write it."""
    return re.compile(rf"(?<![a-z0-9]){prefix}[\s\-/.#]*0*{number}(?![0-9])", re.IGNORECASE)


def _reference_pattern(reference: str) -> re.Pattern[str] | None:
    """A supplier's bill reference as a word of the text (spaces and dashes may differ)."""
    parts = [re.escape(p) for p in re.split(r"[\s\-/.]+", fold(reference)) if p]
    if not parts or len("".join(parts)) < 3:
        return None
    return re.compile(r"(?<![a-z0-9])" + r"[\s\-/.]*".join(parts) + r"(?![a-z0-9])")


def _open_parts():  # noqa: ANN202 - (paid, credited, open): subqueries and an expression
    """What is open on each invoice: its total less its payments and its credit notes."""
    paid = (
        select(CustomerPayment.invoice_id, func.sum(CustomerPayment.amount_minor).label("paid"))
        .group_by(CustomerPayment.invoice_id)
        .subquery()
    )
    credited = (
        select(Invoice.credits_id, func.sum(Invoice.total_minor).label("credited"))
        .where(Invoice.credits_id.is_not(None))
        .group_by(Invoice.credits_id)
        .subquery()
    )
    open_ = (
        Invoice.total_minor - func.coalesce(paid.c.paid, 0) - func.coalesce(credited.c.credited, 0)
    )
    return paid, credited, open_


@requires("bank.view")
def reminder_open(uow: UnitOfWork, rm: Reminder) -> tuple[list[tuple[int, str, int]], int]:
    """What a reminder asked for that is still open: (invoice id, label, open minor units) of
    each of its invoices still open, in its order, and what is still owed of its fee: the
    fee, at most what the customer owes on the receivables beyond their open invoices (the
    fee is posted on no invoice, so a payment of it is what brings that down; undone, it is
    owed again)."""
    paid, credited, open_ = _open_parts()
    rows = uow.session.execute(
        select(Invoice.id, Invoice.number, open_)
        .join(ReminderItem, ReminderItem.invoice_id == Invoice.id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(credited, credited.c.credits_id == Invoice.id)
        .where(ReminderItem.reminder_id == rm.id, open_ > 0)
        .order_by(ReminderItem.id)
    )
    invoices = [(i, INVOICE.label(n), int(o)) for i, n, o in rows]
    if not rm.fee_minor:
        return invoices, 0
    owed = uow.session.scalar(
        select(func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .where(Account.role == "receivable", JournalLine.contact_id == rm.customer_id)
    )
    on_invoices = uow.session.scalar(
        select(func.coalesce(func.sum(open_), 0))
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(credited, credited.c.credits_id == Invoice.id)
        .where(Invoice.kind == "invoice", Invoice.customer_id == rm.customer_id, open_ > 0)
    )
    return invoices, max(0, min(rm.fee_minor, int(owed) - int(on_invoices)))


_REMINDER_IN_TEXT = re.compile(
    rf"(?<![a-z0-9]){REMINDER.prefix}[\s\-/.#]*0*(\d{{1,18}})(?![0-9])", re.IGNORECASE
)


def _named_reminders(uow: UnitOfWork, lines: Sequence[BankLine]) -> list[_Doc]:
    """The reminders the texts of lines of money in name (RM-00001: its PDF asks to quote
    it), with what is still open of what each asked for."""
    numbers = {
        int(m.group(1))
        for ln in lines
        if ln.amount_minor > 0
        for m in _REMINDER_IN_TEXT.finditer(f"{ln.text} {ln.counterpart}")
    }
    if not numbers:
        return []
    out = []
    for rm, name in uow.session.execute(
        select(Reminder, Contact.name)
        .join(Contact, Contact.id == Reminder.customer_id)
        .where(Reminder.number.in_(sorted(numbers)))
    ):
        invoices, fee = reminder_open(uow, rm)
        left = sum(o for _i, _l, o in invoices) + fee
        if left > 0:
            label = REMINDER.label(rm.number)
            pattern = _label_pattern(REMINDER.prefix, rm.number)
            out.append(
                _Doc(
                    "reminder",
                    rm.id,
                    label,
                    ((pattern, NAMED_IN_TEXT, label),),
                    name,
                    left,
                    rm.issued_on,
                    rm.issued_on,
                    ref=label,
                )
            )
    return out


def _open_invoices(uow: UnitOfWork) -> list[_Doc]:
    paid, credited, open_ = _open_parts()
    rows = uow.session.execute(
        select(Invoice.id, Invoice.number, Invoice.issued_on, Invoice.due_on, Contact.name, open_)
        .join(Contact, Contact.id == Invoice.customer_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(credited, credited.c.credits_id == Invoice.id)
        .where(Invoice.kind == "invoice", open_ > 0)
    )
    return [
        _Doc(
            "invoice",
            i,
            INVOICE.label(n),
            ((_label_pattern(INVOICE.prefix, n), NAMED_IN_TEXT, INVOICE.label(n)),),
            name,
            int(o),
            due,
            issued,
        )
        for i, n, issued, due, name, o in rows
    ]


def _owed_refunds(uow: UnitOfWork) -> list[_Doc]:
    """Money a customer gets back: an invoice paid beyond what its credit notes leave of it,
    proposed as the newest credit note's refund (confirming it posts the refund)."""
    paid = (
        select(CustomerPayment.invoice_id, func.sum(CustomerPayment.amount_minor).label("paid"))
        .group_by(CustomerPayment.invoice_id)
        .subquery()
    )
    credit = aliased(Invoice)
    credited = (
        select(
            credit.credits_id,
            func.sum(credit.total_minor).label("credited"),
            func.max(credit.number).label("number"),
        )
        .where(credit.credits_id.is_not(None))
        .group_by(credit.credits_id)
        .subquery()
    )
    due = func.coalesce(paid.c.paid, 0) + credited.c.credited - Invoice.total_minor
    rows = uow.session.execute(
        select(Invoice.number, credited.c.number, Contact.name, due, credit.id, credit.issued_on)
        .join(credited, credited.c.credits_id == Invoice.id)
        .join(credit, (credit.kind == "credit") & (credit.number == credited.c.number))
        .join(Contact, Contact.id == Invoice.customer_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.kind == "invoice", due > 0)
    )
    docs = []
    for inv, cn, name, owed, cn_id, issued in rows:
        label = CREDIT_NOTE.label(cn)
        patterns = (
            (_label_pattern(CREDIT_NOTE.prefix, cn), NAMED_IN_TEXT, label),
            (_label_pattern(INVOICE.prefix, inv), ORDER_IN_TEXT, INVOICE.label(inv)),
        )
        docs.append(_Doc("refund", cn_id, label, patterns, name, int(owed), issued, issued))
    return docs


def _open_bills(uow: UnitOfWork) -> list[_Doc]:
    paid = (
        select(SupplierPayment.bill_id, func.sum(SupplierPayment.amount_minor).label("paid"))
        .group_by(SupplierPayment.bill_id)
        .subquery()
    )
    open_ = SupplierBill.total_minor - func.coalesce(paid.c.paid, 0)
    rows = uow.session.execute(
        select(
            SupplierBill.id,
            SupplierBill.reference,
            SupplierBill.bill_date,
            SupplierBill.due_date,
            PurchaseOrder.number,
            Contact.name,
            open_,
        )
        .join(Contact, Contact.id == SupplierBill.supplier_id)
        .join(PurchaseOrder, PurchaseOrder.id == SupplierBill.order_id)
        .outerjoin(paid, paid.c.bill_id == SupplierBill.id)
        .where(open_ > 0)
    )
    docs = []
    for i, ref, issued, due, po, name, o in rows:
        label = f"{ref} ({PURCHASE_ORDER.label(po)})" if ref else PURCHASE_ORDER.label(po)
        patterns = [(_label_pattern(PURCHASE_ORDER.prefix, po), ORDER_IN_TEXT, label)]
        by_ref = _reference_pattern(ref or "")
        if by_ref is not None:
            patterns.insert(0, (by_ref, NAMED_IN_TEXT, label))
        docs.append(_Doc("bill", i, label, tuple(patterns), name, int(o), due, issued))
    return docs


# a document's label in a memo: INV-00007, AC-77, PO00003 (a letter prefix, a dash or none)
_MEMO_LABEL = re.compile(r"(?<![a-z0-9])([a-z]{2,4})-?(\d+)(?![0-9])")


def _open_entries(
    uow: UnitOfWork, account_ids: list[int], first: date, last: date
) -> dict[tuple[int, int], list[_Doc]]:
    """The payments in the books a line from ``first`` to ``last`` may be: posted entries
    on those accounts within LINK_DAYS, not reversed nor reversals, not matched to any
    statement line; by (account id, what the entry moves on it in minor units)."""
    moved = func.sum(JournalLine.debit_minor - JournalLine.credit_minor)
    linked = select(BankLine.entry_id).where(BankLine.entry_id.is_not(None))
    rows = list(
        uow.session.execute(
            select(
                JournalEntry.id,
                JournalEntry.number,
                JournalEntry.date,
                JournalEntry.memo,
                JournalLine.account_id,
                moved,
            )
            .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
            .where(
                JournalLine.account_id.in_(account_ids),
                JournalEntry.state == "posted",
                JournalEntry.reversed_by_id.is_(None),
                JournalEntry.reverses_id.is_(None),
                JournalEntry.date.between(
                    first - timedelta(days=LINK_DAYS), last + timedelta(days=LINK_DAYS)
                ),
                JournalEntry.id.not_in(linked),
            )
            .group_by(
                JournalEntry.id,
                JournalEntry.number,
                JournalEntry.date,
                JournalEntry.memo,
                JournalLine.account_id,
            )
            .having(moved != 0)
        )
    )
    if not rows:
        return {}
    contacts: dict[int, str] = {}
    ids = [r[0] for r in rows]
    for at in range(0, len(ids), 500):
        for entry_id, name in uow.session.execute(
            select(JournalLine.entry_id, Contact.name)
            .join(Contact, Contact.id == JournalLine.contact_id)
            .where(JournalLine.entry_id.in_(ids[at : at + 500]))
            .order_by(JournalLine.entry_id, JournalLine.id)
        ):
            contacts.setdefault(entry_id, name)
    out: dict[tuple[int, int], list[_Doc]] = {}
    for i, number, day, memo, account_id, amount in rows:
        ref = JOURNAL.label(number)
        patterns = [(_label_pattern(JOURNAL.prefix, number), NAMED_IN_TEXT, ref)]
        for prefix, n in _MEMO_LABEL.findall(fold(memo)):
            if prefix != JOURNAL.prefix.lower():
                label = f"{prefix.upper()}-{n}"
                patterns.append((_label_pattern(prefix, int(n)), NAMED_IN_TEXT, label))
        shown = " ".join(memo.split())
        if len(shown) > MEMO_SHOWN:
            shown = shown[: MEMO_SHOWN - 1].rstrip() + "…"
        doc = _Doc(
            "entry",
            i,
            f"{ref} {shown}".strip(),
            tuple(patterns),
            contacts.get(i, ""),
            abs(int(amount)),
            day,
            day,
            ref,
        )
        out.setdefault((account_id, int(amount)), []).append(doc)
    return out


# legal forms that come first in a name ("Công ty TNHH Minh Anh", Romania's "S.C. ... S.R.L."),
# folded; cleanco knows
# those that come last in most countries (GmbH, S.L., S.R.L., Ltd, BV, ...)
LEADING_FORMS = ("cong ty tnhh", "cong ty co phan", "cong ty", "cty tnhh", "cty cp", "dntn", "sc")


@cache
def _legal_forms() -> tuple[list, list]:
    """cleanco's terms (last in a name) and the leading ones, in its form."""
    from cleanco import prepare_default_terms

    leading = [(len(t.split()), t.split()) for t in LEADING_FORMS]
    return prepare_default_terms(), sorted(leading, key=lambda x: (-x[0], x[1]))


@lru_cache(maxsize=4096)
def _names_of(contact: str) -> tuple[str, ...]:
    """A contact's name folded, and without its legal form when that leaves a name of four
    letters or more ("Ben Sa" is not "Ben")."""
    from cleanco.clean import custom_basename

    whole = fold(" ".join(contact.split()))
    last, leading = _legal_forms()
    base = custom_basename(custom_basename(contact, last), leading, suffix=False, prefix=True)
    base = fold(" ".join(base.split()))
    return (whole, base) if base != whole and len(base.replace(" ", "")) >= 4 else (whole,)


def _name_points(line_names: list[str], contact: str) -> int:
    """How alike the line's counterpart (or text) is to the contact's name."""
    best = 0
    for want in _names_of(contact):
        if not want:
            continue
        words = want.split()
        for have in line_names:
            if not have:
                continue
            if len(want) >= 3 and all(
                re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", have) for w in words
            ):
                return NAME_LIKE
            ratio = SequenceMatcher(None, have, want).ratio()
            if ratio >= 0.85:
                return NAME_LIKE
            if ratio >= 0.6:
                best = max(best, NAME_CLOSE)
    return best


def _ibans(uow: UnitOfWork, ibans: set[str]) -> dict[str, set[str]]:
    """For each counterpart IBAN, the contacts that lines from it were matched to before
    (the contacts on their entries' lines)."""
    if not ibans:
        return {}
    rows = uow.session.execute(
        select(BankLine.counterpart_iban, Contact.name)
        .join(JournalLine, JournalLine.entry_id == BankLine.entry_id)
        .join(Contact, Contact.id == JournalLine.contact_id)
        .where(BankLine.state == "matched", BankLine.counterpart_iban.in_(list(ibans)))
        .distinct()
    )
    out: dict[str, set[str]] = {}
    for iban, name in rows:
        out.setdefault(iban, set()).add(name)
    return out


def _score(
    line: BankLine, doc: _Doc, exponent: int, paid_before: set[str] = frozenset()
) -> tuple[int, int, list[Message], bool, str]:
    """(points, days away, reasons, exact amount, signal: "text", "name", "iban" or "") of
    one document for one line; ``paid_before``: the contacts the line's IBAN paid before."""
    amount = abs(line.amount_minor)
    points, reasons, signal = 0, [], ""
    if amount == doc.open_minor:
        points += SAME_AMOUNT
        reasons.append(
            Message("the same amount, in the books already")
            if doc.kind == "entry"
            else Message("the same amount as is open")
        )
    elif amount < doc.open_minor:
        points += PART_AMOUNT
        reasons.append(Message("part of the open amount"))
    text = fold(f"{line.text} {line.counterpart}")
    for pattern, worth, names in doc.patterns:
        if pattern.search(text):
            points += worth
            signal = "text"
            reasons.append(Message("the text names {label}", label=names))
            break
    named = _name_points(
        [fold(line.counterpart), fold(line.rule_contact), fold(line.text)], doc.contact
    )
    if named:
        points += named
        signal = signal or ("name" if named == NAME_LIKE else "")
        reasons.append(Message("the name is like {name}", name=doc.contact))
    if doc.contact in paid_before:
        points += IBAN_SEEN
        signal = signal or "iban"
        reasons.append(Message("this IBAN paid {name} before", name=doc.contact))
    if not points:
        return 0, 0, [], False, ""
    days = min(abs((line.booked_on - doc.day).days), abs((line.booked_on - doc.issued).days))
    near = max(0, DATE_MAX - days // 3)
    if near:
        points += near
        reasons.append(Message.plural("{n} day from its dates", "{n} days from its dates", days))
    return points, days, reasons, amount == doc.open_minor, signal


@requires("bank.view")
def proposals(
    uow: UnitOfWork,
    account: str | None = None,
    *,
    limit: int = 3,
    line_ids: list[int] | None = None,
) -> list[LineProposals]:
    """Every unmatched line of ``account`` (a bank or cash account's code; every such
    account when None), oldest first, with its best ``limit`` proposals (only the lines
    ``line_ids`` when given: a screen's visible ones)."""
    accounts = select(Account).where(IS_PAYMENT_ACCOUNT)
    if account is not None:
        accounts = select(Account).where(Account.code == str(account).strip())
    found = {a.id: a for a in uow.session.scalars(accounts)}
    if account is not None:
        acct = next(iter(found.values()), None)
        if acct is None:
            raise ValidationError(
                {"account": Message("no account {code}", code=quoted(account, 20))}
            )
        if not is_bank_account(acct):
            raise ValidationError(
                {
                    "account": Message(
                        "{code} {name} is not a bank or cash account; statements go to an "
                        "account with the role bank or cash",
                        code=acct.code,
                        name=acct.name,
                    )
                }
            )
    if not found:
        return []
    lines = list(
        uow.session.scalars(
            select(BankLine)
            .where(
                BankLine.account_id.in_(list(found)),
                BankLine.state == "open",
                BankLine.id.in_(line_ids) if line_ids is not None else True,
                USABLE_DAYS,  # (a line of a day bizdesk does not accept: bizdesk check)
            )
            .order_by(BankLine.booked_on, BankLine.id)
        )
    )
    if not lines:
        return []
    exp = uow.exponent
    money_in = any(ln.amount_minor > 0 for ln in lines)
    invoices = [*_open_invoices(uow), *_named_reminders(uow, lines)] if money_in else []
    money_out = any(ln.amount_minor < 0 for ln in lines)
    bills = [*_open_bills(uow), *_owed_refunds(uow)] if money_out else []
    entries = _open_entries(
        uow,
        sorted({ln.account_id for ln in lines}),
        min(ln.booked_on for ln in lines),
        max(ln.booked_on for ln in lines),
    )
    rule_codes = {ln.rule_account for ln in lines if ln.rule_account}
    ibans = _ibans(uow, {ln.counterpart_iban for ln in lines if ln.counterpart_iban})
    rule_names = (
        dict(
            uow.session.execute(
                select(Account.code, Account.name).where(Account.code.in_(list(rule_codes)))
            ).all()
        )
        if rule_codes
        else {}
    )
    out = []
    for ln in lines:
        ranked: list[tuple[int, int, int, Proposal]] = []
        paid = [
            e
            for e in entries.get((ln.account_id, ln.amount_minor), [])
            if abs((e.day - ln.booked_on).days) <= LINK_DAYS
        ]
        for doc in [*(invoices if ln.amount_minor > 0 else bills), *paid]:
            seen = ibans.get(ln.counterpart_iban, set()) if ln.counterpart_iban else set()
            points, days, reasons, exact, signal = _score(ln, doc, exp, seen)
            if points:
                ranked.append(
                    (
                        -points,
                        days,
                        doc.id,
                        Proposal(
                            doc.kind,
                            doc.id,
                            doc.label,
                            doc.contact,
                            from_minor(doc.open_minor, exp) if doc.kind != "entry" else None,
                            points,
                            tuple(reasons),
                            exact,
                            signal,
                            doc.ref or doc.label,
                        ),
                    )
                )
        if ln.rule_account:
            name = rule_names.get(ln.rule_account, "")
            ranked.append(
                (
                    -RULE,
                    0,
                    0,
                    Proposal(
                        "account",
                        None,
                        f"{ln.rule_account} {name}".strip(),
                        ln.rule_contact,
                        None,
                        RULE,
                        (Message("a rule of the rules file says so"),),
                        ref=ln.rule_account,
                    ),
                )
            )
        ranked.sort(key=lambda r: r[:3])
        out.append(
            LineProposals(
                ln.id,
                found[ln.account_id].code,
                ln.booked_on,
                from_minor(ln.amount_minor, exp),
                ln.counterpart,
                ln.text,
                tuple(r[3] for r in ranked[:limit]),
            )
        )
    return out
