"""Reconciliation: confirming what a statement line settled, undoing it, and doing the
unambiguous ones at once (DESIGN section 5, "Banking").

A line is matched in one of three ways, always in the statement's own account and dated on
the line:

- to open invoices (money in) or supplier bills (money out): one payment, one journal entry,
  split over the documents named (part of one allowed), each document's share recorded as
  its payment (services/trade: ``settle_invoices``, ``settle_bills``);
- to an account (a rule's or one chosen): an entry bank against that account;
- to a payment (any posted entry) already in the books on that account, for the same
  amount: nothing is posted, the line is linked to it.

The line then holds the entry (``entry_id``) and how it got it (``match``: "posted" or
"linked"). ``undo`` lets go of a match: a posted entry is reversed on its own date (and the
documents' payments with it), which the lock date forbids on or before it.

The account's *reconciled balance* at a day is what the books held on it before its first
statement line plus the entries the bank confirmed (matched lines) since, up to that day; a
statement's closing balance must equal it (``findings`` reports it to ``bizdesk check``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.db.session import MAX_ROW_ID, UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.banking import BankLine, BankStatement
from bizdesk.models.base import utcnow
from bizdesk.models.dunning import Reminder
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.models.purchasing import PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice
from bizdesk.money import AmountError, from_minor, money_text, parse_money
from bizdesk.reading import date_text, quoted
from bizdesk.services.banking.days import LOADABLE_DAYS, USABLE_DAYS
from bizdesk.services.banking.proposals import Proposal, proposals, reminder_open
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import (
    CREDIT_NOTE,
    INVOICE,
    JOURNAL,
    PURCHASE_ORDER,
    REMINDER,
    entry_label,
)
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    folded_contains,
    keyset_page,
    same_name,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import (
    Posting,
    line_account_problem,
    lock_date,
    post_entry,
    resolve_account,
    reverse,
)
from bizdesk.services.crm.contacts import resolve as resolve_contact
from bizdesk.services.trade import purchasing, sales

MATCHED = "matched"
OPEN = "open"
POSTED = "posted"  # the match posted the entry
LINKED = "linked"  # the entry was in the books already


@dataclass(frozen=True)
class Matched:
    """A line after a match or an undo."""

    line_id: int
    state: str  # open | matched
    entry: str  # JE-12 (the entry matched, or reversed by an undo); "" when none
    settled: tuple[str, ...]  # INV-00007, bill AC-1, 6290 Coffee
    message: Message


@dataclass(frozen=True)
class AutoSummary:
    documents: int  # lines matched to invoices or bills
    accounts: int  # lines matched to a rule's account
    entries: int  # lines linked to entries in the books
    left: int  # lines still waiting
    locked: int  # lines on or before the lock date, left alone

    @property
    def message(self) -> Message:
        """What it did; the lines waiting count those on or before the lock date too, as
        the list and `bank reconcile` do (it said 4 wait while 6 were listed)."""
        matched = self.documents + self.accounts + self.entries
        waiting = self.left + self.locked
        said = Message(
            "{matched}: {documents}, {accounts}, {entries}. {left}",
            matched=Message.plural("{n} line matched", "{n} lines matched", matched),
            documents=Message.plural("{n} to a document", "{n} to documents", self.documents),
            accounts=Message.plural("{n} by a rule", "{n} by rules", self.accounts),
            entries=Message.plural(
                "{n} to a payment in the books", "{n} to payments in the books", self.entries
            ),
            left=Message.plural(
                "{n} line waits to be matched.", "{n} lines wait to be matched.", waiting
            ),
        )
        if not self.locked:
            return said
        return Message(
            "{said} {locked}",
            said=said,
            locked=Message.plural(
                "{n} of them is dated on or before the lock date and was left alone.",
                "{n} of them are dated on or before the lock date and were left alone.",
                self.locked,
            ),
        )


# --- loading -------------------------------------------------------------------------------


def _line(uow: UnitOfWork, line_id: object, *, usable: bool = False) -> BankLine:
    """The line ``line_id`` names; with ``usable``, to be matched: of days bizdesk accepts
    (asked before it is loaded: a day that is no day cannot even be read). A line whose day
    cannot be read is never loaded: undoing its match is refused too (one of a year out of
    range is undone, and its statement can then be removed, as ``bizdesk check`` says)."""
    try:
        key = int(str(line_id).strip().lstrip("#"))
    except ValueError:
        raise ValidationError(
            {"line": Message("{line} is not a statement line number", line=quoted(line_id, 20))}
        ) from None
    if not -MAX_ROW_ID - 1 <= key <= MAX_ROW_ID:  # no row has it (nor can SQL be asked)
        raise NotFound(Message("There is no statement line #{id}.", id=key))
    refused = ~USABLE_DAYS if usable else ~LOADABLE_DAYS
    if uow.session.scalar(select(BankLine.id).where(BankLine.id == key, refused)):
        matched = uow.session.scalar(select(BankLine.entry_id).where(BankLine.id == key))
        if usable or matched is None:
            said = Message(  # (it names the line)
                "line #{id} holds a day bizdesk does not accept; it cannot be matched "
                "(bizdesk check names it: remove its statement and import the bank's file "
                "again)",
                id=key,
            )
        else:  # matched before its day was changed: its statement cannot be removed either
            said = Message(
                "line #{id} holds a day bizdesk does not accept, so its match cannot be "
                "undone (bizdesk check names it): put back a backup from before its day "
                "was changed (bizdesk restore)",
                id=key,
            )
        raise ValidationError({"": said})
    ln = uow.session.get(BankLine, key, with_for_update=True)
    if ln is None:
        raise NotFound(Message("There is no statement line #{id}.", id=key))
    return ln


def _open_line(uow: UnitOfWork, line_id: object) -> BankLine:
    ln = _line(uow, line_id, usable=True)
    if ln.state != OPEN:
        raise ValidationError(
            {
                "": Message(  # (it names the line)
                    "line #{id} is matched already ({entry}); undo that first",
                    id=ln.id,
                    entry=_entry_text(uow, ln.entry_id),
                )
            }
        )
    locked = lock_date(uow)
    if locked is not None and ln.booked_on <= locked:
        raise ValidationError(
            {
                "": Message(  # (it names the line)
                    "line #{id} was booked on {date}, on or before the lock date {lock}; it "
                    "cannot be matched",
                    id=ln.id,
                    date=date_text(ln.booked_on),
                    lock=date_text(locked),
                )
            }
        )
    return ln


def _entry_text(uow: UnitOfWork, entry_id: int | None) -> str:
    if entry_id is None:
        return ""
    e = uow.session.get(JournalEntry, entry_id)
    return entry_label(e.number, e.id) if e is not None else f"#{entry_id}"


def _mark(uow: UnitOfWork, ln: BankLine, entry: JournalEntry, how: str) -> None:
    ln.state = MATCHED
    ln.entry_id = entry.id
    ln.match = how
    ln.matched_at = utcnow()
    ln.matched_by = uow.user
    uow.session.flush()


# --- what a line names ---------------------------------------------------------------------


def _invoice_id(uow: UnitOfWork, ref: object) -> int:
    if isinstance(ref, int):
        return ref
    number = INVOICE.number_in(str(ref))
    found = None
    if number is not None:
        found = uow.session.scalar(
            select(Invoice.id).where(Invoice.kind == "invoice", Invoice.number == number)
        )
    if found is None and len(str(ref).split()) > 1:  # two labels typed with a space between
        raise ValidationError(
            {
                "documents": Message(
                    "no invoice {ref}; separate the documents with commas (INV-00007, INV-00008)",
                    ref=quoted(ref, 30),
                )
            }
        )
    if found is None:
        raise ValidationError({"documents": Message("no invoice {ref}", ref=quoted(ref, 30))})
    return found


def _bill_id(uow: UnitOfWork, ref: object) -> int:
    """A bill by its id, the supplier's reference, "REF (PO-00003)" as proposals write it,
    or its purchase order's label when that order has one bill."""
    if isinstance(ref, int):
        return ref
    text = str(ref).strip()
    m = re.fullmatch(r"(.*?)\s*\((PO-?\d+)\)", text, re.IGNORECASE)
    order = PURCHASE_ORDER.number_in(m.group(2) if m else text)
    stmt = select(SupplierBill.id).join(PurchaseOrder, PurchaseOrder.id == SupplierBill.order_id)
    if m:
        stmt = stmt.where(
            same_name(SupplierBill.reference, m.group(1)), PurchaseOrder.number == order
        )
    elif order is not None and text.upper().startswith(PURCHASE_ORDER.prefix):
        stmt = stmt.where(PurchaseOrder.number == order)
    else:
        stmt = stmt.where(same_name(SupplierBill.reference, text))
    ids = list(uow.session.scalars(stmt.limit(2)))
    if len(ids) != 1:
        problem = (
            Message("no supplier bill {ref}", ref=quoted(text, 30))
            if not ids
            else Message(
                "{ref} names more than one supplier bill; write it as the proposals do, "
                "REFERENCE (PO-00003)",
                ref=quoted(text, 30),
            )
        )
        raise ValidationError({"documents": problem})
    return ids[0]


def _open_invoice(uow: UnitOfWork, invoice_id: int) -> tuple[str, int]:
    inv = uow.session.get(Invoice, invoice_id)
    if inv is None or inv.kind != "invoice":
        raise NotFound(Message("There is no invoice #{id}.", id=invoice_id))
    paid = uow.session.scalar(
        select(func.coalesce(func.sum(CustomerPayment.amount_minor), 0)).where(
            CustomerPayment.invoice_id == inv.id
        )
    )
    credited = uow.session.scalar(
        select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(Invoice.credits_id == inv.id)
    )
    return INVOICE.label(inv.number), inv.total_minor - int(paid) - int(credited)


def _open_bill(uow: UnitOfWork, bill_id: int) -> tuple[str, int]:
    b = uow.session.get(SupplierBill, bill_id)
    if b is None:
        raise NotFound(Message("There is no supplier bill #{id}.", id=bill_id))
    paid = uow.session.scalar(
        select(func.coalesce(func.sum(SupplierPayment.amount_minor), 0)).where(
            SupplierPayment.bill_id == b.id
        )
    )
    return b.reference, b.total_minor - int(paid)


def _reminder(uow: UnitOfWork, ref: object) -> Reminder | None:
    """The reminder a typed RM-00001 names (money in: its PDF asks for its invoices and its
    fee quoting it), or None when ``ref`` is no reminder's label."""
    text = str(ref).strip()
    if isinstance(ref, int) or not text.upper().startswith(REMINDER.prefix):
        return None
    number = REMINDER.number_in(text)
    found = None
    if number is not None:
        found = uow.session.scalar(select(Reminder).where(Reminder.number == number))
    if found is None:
        raise ValidationError({"documents": Message("no reminder {ref}", ref=quoted(text, 30))})
    return found


def _reminder_documents(
    uow: UnitOfWork, rm: Reminder, amount: object
) -> list[tuple[int, str, int, object]]:
    """What a reminder asked for that is still open, as documents to share the line over:
    each of its invoices still open, then its fee still owed (id: minus the reminder's)."""
    label = REMINDER.label(rm.number)
    if amount not in (None, ""):
        raise ValidationError(
            {
                "documents": Message(
                    "{label}: a reminder is paid whole; to pay a part, name its invoices "
                    "with their amounts (INV-00007=50.00)",
                    label=label,
                )
            }
        )
    invoices, fee = reminder_open(uow, rm)
    docs: list[tuple[int, str, int, object]] = [(i, lb, o, None) for i, lb, o in invoices]
    if fee:
        docs.append((-rm.id, label, fee, None))
    if not docs:
        raise ValidationError({"documents": Message("{label} is settled", label=label)})
    return docs


_OPEN_ON = N_("only {amount} is open on {label}")
_OWED_BACK = N_("only {amount} is owed back on {label}")


def _shares(
    uow: UnitOfWork,
    ln: BankLine,
    docs: list[tuple[int, str, int, object]],
    most: str = _OPEN_ON,
) -> list[tuple[int, int]]:
    """(document id, minor units) for each (id, label, open, amount as typed): a typed amount
    is taken as it is; a document without one takes all that is open on it, or the rest of
    the line when less is left. The shares must add up to the line exactly."""
    line = abs(ln.amount_minor)
    exp = uow.exponent
    chk = v.Checker()
    typed: dict[int, int] = {}
    for doc_id, label, open_, amount in docs:
        if amount in (None, ""):
            continue
        try:
            amt = parse_money(amount, exp, locale=uow.input_locale)
        except AmountError as exc:
            chk.add("documents", Message("{label}: {problem}", label=label, problem=exc.args[0]))
            continue
        if amt <= 0:
            chk.add("documents", Message("{label}: must be more than zero", label=label))
        elif amt > open_:
            chk.add(
                "documents",
                Message(
                    most,
                    amount=money_text(open_, exp, uow.input_locale),
                    label=label,
                ),
            )
        typed[doc_id] = amt
    chk.done()
    rest = line - sum(typed.values())
    out = []
    for doc_id, label, open_, _amount in docs:
        if doc_id in typed:
            out.append((doc_id, typed[doc_id]))
            continue
        if rest <= 0:
            raise ValidationError(
                {"documents": Message("nothing of the line is left for {label}", label=label)}
            )
        share = min(open_, rest)
        out.append((doc_id, share))
        rest -= share
    if rest != 0:
        taken = line - rest
        raise ValidationError(
            {
                "documents": Message(
                    "the line is {line} but the documents take {taken}; they must add up to "
                    "the line (match the rest to an account in a separate entry, or name "
                    "the amounts)",
                    line=money_text(line, exp, uow.input_locale),
                    taken=money_text(taken, exp, uow.input_locale),
                )
            }
        )
    return out


def documents_typed(text: object) -> list[tuple[str, str | None]]:
    """The documents a person typed, each LABEL or LABEL=AMOUNT, separated by commas or
    semicolons: "INV-00007, INV-00008=50.00" -> [("INV-00007", None), ("INV-00008", "50.00")].
    A comma followed at once by a digit inside an amount belongs to the amount, as the
    person's locale writes it ("INV-00008=90,41" in es_ES; "=1,250.00" in en_US); the amount
    is then read exactly, or refused, by parse_money."""
    parts: list[list[str]] = []
    for chunk in str(text or "").split(";"):
        in_amount = False
        for part in chunk.split(","):
            if in_amount and part[:1].isdigit():
                parts[-1][1] += "," + part
                continue
            ref, sep, amount = part.partition("=")
            parts.append([ref, amount])
            in_amount = bool(sep)
    out = []
    for ref, amount in parts:
        if not ref.strip() and amount.strip():
            raise ValidationError(
                {
                    "documents": Message(
                        "{amount} names no document", amount=quoted(amount.strip(), 30)
                    )
                }
            )
        if ref.strip():
            out.append((ref.strip(), amount.strip() or None))
    if not out:
        raise ValidationError({"documents": Message("name at least one document")})
    return out


# --- confirming ----------------------------------------------------------------------------


@requires("bank.reconcile")
def match_documents(
    uow: UnitOfWork, line_id: object, documents: Sequence[tuple[object, object]], memo: str = ""
) -> Matched:
    """Match a line to open invoices (money in) or supplier bills (money out): each
    (document, amount) names an invoice (its id or label, INV-00007) or a bill (its id, its
    reference, or "REF (PO-00003)"), the amount empty for all that is open on it (or the
    rest of the line). One payment is posted in the statement's account on the line's day."""
    ln = _open_line(uow, line_id)
    if not documents:
        raise ValidationError({"documents": Message("name at least one document")})
    acct = uow.session.get(Account, ln.account_id)
    money_in = ln.amount_minor > 0
    if not money_in and len(documents) == 1:
        credited = _credit_note_invoice(uow, documents[0][0])
        if credited is not None:  # money out to a customer: the refund a credit note owes
            ref, amount = documents[0]
            return _match_refund(uow, ln, acct, ref, amount, credited)
    docs = []
    fees: dict[int, Reminder] = {}  # a reminder's fee: its id as a document's, negative
    for ref, amount in documents:
        if money_in and (rm := _reminder(uow, ref)) is not None:
            docs += _reminder_documents(uow, rm, amount)
            fees[-rm.id] = rm
            continue
        if money_in:
            doc_id = _invoice_id(uow, ref)
            label, open_ = _open_invoice(uow, doc_id)
        else:
            doc_id = _bill_id(uow, ref)
            label, open_ = _open_bill(uow, doc_id)
        if open_ <= 0:
            raise ValidationError({"documents": Message("{label} is settled", label=label)})
        docs.append((doc_id, label, open_, amount))
    if len({d[0] for d in docs}) != len(docs):
        raise ValidationError({"documents": Message("a document is named twice")})
    shares = _shares(uow, ln, docs)
    exp = uow.exponent
    memo = v.text(memo, max_len=200) or ""
    allocations = [(doc_id, from_minor(amt, exp)) for doc_id, amt in shares if doc_id > 0]
    if money_in:
        paid_fees = [
            (REMINDER.label(fees[doc_id].number), fees[doc_id].customer_id, amt)
            for doc_id, amt in shares
            if doc_id < 0
        ]
        e = sales.settle_invoices(
            uow, allocations, account=acct.code, when=ln.booked_on, memo=memo, fees=paid_fees
        )
    else:
        e = purchasing.settle_bills(
            uow, allocations, account=acct.code, when=ln.booked_on, memo=memo
        )
    _mark(uow, ln, e, POSTED)
    labels = tuple(label for _id, label, _open, _amt in docs)
    uow.audit(
        "bank_line",
        ln.id,
        "match",
        after={"entry": e.id, "documents": list(labels), "amounts": [a for _d, a in shares]},
    )
    return _matched(uow, ln, labels)


def _credit_note_invoice(uow: UnitOfWork, ref: object) -> int | None:
    """The invoice a credit note named CN-… takes back from, or None when ``ref`` names
    no credit note."""
    number = CREDIT_NOTE.number_in(str(ref)) if str(ref).strip().upper().startswith("CN") else None
    if number is None:
        return None
    return uow.session.scalar(
        select(Invoice.credits_id).where(Invoice.kind == "credit", Invoice.number == number)
    )


def _match_refund(
    uow: UnitOfWork, ln: BankLine, acct: Account, ref: object, typed: object, invoice_id: int
) -> Matched:
    """A line of money out matched to a credit note: the customer's refund of what they paid
    beyond the invoice it credits, posted on the line's day. The amount typed (``typed``) is
    read and checked as an invoice's share is: exactly, more than zero, at most what is owed
    back, and adding up to the line; without one, what is owed back or the line when less
    is (then it must be the whole line)."""
    label = CREDIT_NOTE.label(CREDIT_NOTE.number_in(str(ref)))
    owed = -_open_invoice(uow, invoice_id)[1]
    if owed > 0:
        ((_id, share),) = _shares(uow, ln, [(invoice_id, label, owed, typed)], _OWED_BACK)
    else:  # refund_entry says nothing is owed back
        share = -ln.amount_minor
    amount = from_minor(share, uow.exponent)
    try:
        e = sales.refund_entry(uow, invoice_id, amount=amount, account=acct.code, when=ln.booked_on)
    except ValidationError as exc:  # said of the documents the person typed
        raise ValidationError(
            {
                "documents": Message(
                    "{label}: {problem}", label=label, problem=next(iter(exc.fields.values()))
                )
            }
        ) from None
    _mark(uow, ln, e, POSTED)
    uow.audit("bank_line", ln.id, "match", after={"entry": e.id, "documents": [label]})
    return _matched(uow, ln, (label,))


_PARTY_ROLES = {
    "receivable": N_(
        "{code} {name} holds what customers owe: match the line to their invoices "
        "(p on the bank screen, or bizdesk bank match LINE --doc INV-...). A debt on no "
        "invoice (an opening balance): match the line to {code} naming the customer "
        "(Contact in the form, or --contact NAME)"
    ),
    "payable": N_(
        "{code} {name} holds what is owed to suppliers: match the line to their bills "
        "(p on the bank screen, or bizdesk bank match LINE --doc REFERENCE). A debt on no "
        "bill (an opening balance): match the line to {code} naming the supplier "
        "(Contact in the form, or --contact NAME)"
    ),
}


@requires("bank.reconcile")
def match_account(
    uow: UnitOfWork,
    line_id: object,
    account: object = None,
    memo: object = "",
    contact: object = "",
) -> Matched:
    """Match a line to an account: ``account`` (a code, or "code name"), else the account a
    rule of the rules file gave the line. Posts bank against that account on the line's day
    (the memo: as typed, else the rule's, else the line's text), the account's line naming
    ``contact`` when one is given: the customer or supplier a receivable or payable line
    must name (a debt on no invoice or bill, such as an opening balance)."""
    ln = _open_line(uow, line_id)
    code = str(account or "").strip() or ln.rule_account
    if not code:
        raise ValidationError(
            {"account": Message("no rule gave this line an account; name one (its code)")}
        )
    chk = v.Checker()
    other = chk("account", resolve_account, uow, code)
    memo = chk("memo", v.text, memo, max_len=200)
    party = chk("contact", resolve_contact, uow, contact) if str(contact or "").strip() else None
    chk.done()
    problem = line_account_problem(other)
    if problem is None and other.id == ln.account_id:
        problem = Message("that is the statement's own account")
    if problem is None and other.role in _PARTY_ROLES and party is None:
        # no customer or supplier named: their invoices or bills would stay open while the
        # account said paid (the ageing and the account would part)
        problem = Message(_PARTY_ROLES[other.role], code=other.code, name=other.name)
    if problem is not None:
        raise ValidationError({"account": problem})
    bank = ln.account_id
    amt = abs(ln.amount_minor)
    text = memo or ln.rule_memo or ln.text or ln.counterpart
    if not text:
        text = written(uow.setting("locale"), N_("Bank statement line {id}"), id=ln.id)
    who = party.id if party is not None else None
    postings = (
        [Posting(bank, debit_minor=amt), Posting(other.id, credit_minor=amt, contact_id=who)]
        if ln.amount_minor > 0
        else [Posting(other.id, debit_minor=amt, contact_id=who), Posting(bank, credit_minor=amt)]
    )
    e = post_entry(uow, ln.booked_on, text, postings, source=("bank_line", ln.id))
    _mark(uow, ln, e, POSTED)
    label = f"{other.code} {other.name}" + (f", {party.name}" if party is not None else "")
    after = {"entry": e.id, "account": other.code}
    if party is not None:
        after["contact"] = party.id
    uow.audit("bank_line", ln.id, "match", after=after)
    return _matched(uow, ln, (label,))


def _entry_amount(uow: UnitOfWork, entry_id: int, account_id: int) -> int:
    return int(
        uow.session.scalar(
            select(
                func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
            ).where(JournalLine.entry_id == entry_id, JournalLine.account_id == account_id)
        )
    )


@requires("bank.reconcile")
def match_entry(uow: UnitOfWork, line_id: object, entry: object) -> Matched:
    """Match a line to a payment already in the books: a posted entry (JE-12) that moves
    the statement's account by the line's amount, not reversed, not matched to another
    line. Nothing is posted."""
    ln = _open_line(uow, line_id)
    text = str(entry or "").strip()
    number = JOURNAL.number_in(text) if text else None
    e = (
        uow.session.scalars(select(JournalEntry).where(JournalEntry.number == number)).first()
        if number is not None
        else None
    )
    if e is None or e.state != "posted":
        raise ValidationError({"entry": Message("no posted entry {entry}", entry=quoted(text, 20))})
    label = entry_label(e.number, e.id)
    if e.reversed_by_id is not None or e.reverses_id is not None:
        raise ValidationError({"entry": Message("{entry} is reversed or a reversal", entry=label)})
    moved = _entry_amount(uow, e.id, ln.account_id)
    if moved != ln.amount_minor:
        exp = uow.exponent
        raise ValidationError(
            {
                "entry": Message(
                    "{entry} moves {moved} on the statement's account, the line {amount}",
                    entry=label,
                    moved=money_text(moved, exp, uow.input_locale),
                    amount=money_text(ln.amount_minor, exp, uow.input_locale),
                )
            }
        )
    other = uow.session.scalar(select(BankLine.id).where(BankLine.entry_id == e.id))
    if other is not None:
        raise ValidationError(
            {"entry": Message("{entry} is matched to line #{id} already", entry=label, id=other)}
        )
    _mark(uow, ln, e, LINKED)
    uow.audit("bank_line", ln.id, "match", after={"entry": e.id, "linked": True})
    return _matched(uow, ln, (label,))


def _settled(uow: UnitOfWork, entry_id: int) -> tuple[str, ...]:
    invoices = uow.session.scalars(
        select(Invoice.number)
        .join(CustomerPayment, CustomerPayment.invoice_id == Invoice.id)
        .where(CustomerPayment.entry_id == entry_id)
        .order_by(Invoice.number)
    )
    bills = uow.session.scalars(
        select(SupplierBill.reference)
        .join(SupplierPayment, SupplierPayment.bill_id == SupplierBill.id)
        .where(SupplierPayment.entry_id == entry_id)
        .order_by(SupplierBill.reference)
    )
    return tuple(INVOICE.label(n) for n in invoices) + tuple(bills)


def _matched(uow: UnitOfWork, ln: BankLine, settled: tuple[str, ...]) -> Matched:
    entry = _entry_text(uow, ln.entry_id)
    said = (
        Message("Line #{id} matched: {entry}", id=ln.id, entry=entry)
        if settled == (entry,)  # linked to a payment in the books: the entry is what it settled
        else Message(
            "Line #{id} matched: {entry} ({settled})",
            id=ln.id,
            entry=entry,
            settled=", ".join(settled),
        )
    )
    return Matched(ln.id, ln.state, entry, settled, said)


# --- undoing -------------------------------------------------------------------------------


@requires("bank.reconcile")
def undo(uow: UnitOfWork, line_id: object) -> Matched:
    """Let go of a line's match: an entry the match posted is reversed on its own day (and
    the documents' payments with it: they are open again); an entry that was in the books
    stays. The line is open again. Refused for a line on or before the lock date."""
    ln = _line(uow, line_id)
    if ln.state != MATCHED or ln.entry_id is None:
        raise ValidationError({"": Message("line #{id} is not matched", id=ln.id)})
    locked = lock_date(uow)
    e = uow.session.get(JournalEntry, ln.entry_id)
    label = entry_label(e.number, e.id)
    if locked is not None and ln.booked_on <= locked:
        raise ValidationError(
            {
                "": Message(  # (it names the line)
                    "line #{id} ({date}) is on or before the lock date {lock}; its match "
                    "cannot be undone",
                    id=ln.id,
                    date=date_text(ln.booked_on),
                    lock=date_text(locked),
                )
            }
        )
    # an entry the match posted is reversed on its day; one it linked stays as it is
    if locked is not None and ln.match == POSTED and e.date <= locked:
        raise ValidationError(
            {
                "": Message(
                    "{entry} ({date}), which the match of line #{id} posted, is on or before "
                    "the lock date {lock}; the match cannot be undone (post a correction "
                    "after the lock date)",
                    id=ln.id,
                    date=date_text(e.date),
                    entry=label,
                    lock=date_text(locked),
                )
            }
        )
    reversal = ""
    if ln.match == POSTED:
        settled = _settled(uow, e.id)
        memo = written(
            uow.setting("locale"), N_("Bank match undone: reversal of {entry}"), entry=label
        )
        rev = reverse(uow, e.id, when=e.date.isoformat(), memo=memo, by_document=True)
        sales.unsettle(uow, e.id, rev.id)
        purchasing.unsettle(uow, e.id, rev.id)
        reversal = rev.label
    else:
        settled = (label,)
    ln.state = OPEN
    ln.entry_id = None
    ln.match = ""
    ln.matched_at = None
    ln.matched_by = ""
    uow.session.flush()
    uow.audit("bank_line", ln.id, "undo", before={"entry": e.id}, after={"reversal": reversal})
    message = (
        Message(
            "line #{id} is open again; {entry} reversed by {reversal}",
            id=ln.id,
            entry=label,
            reversal=reversal,
        )
        if reversal
        else Message("line #{id} is open again; {entry} stays in the books", id=ln.id, entry=label)
    )
    return Matched(ln.id, ln.state, reversal or label, settled, message)


# --- the unambiguous ones at once ----------------------------------------------------------


def _unambiguous(p: Sequence[Proposal]) -> tuple[str, Proposal | None]:
    """What --auto may confirm of a line's proposals: ("document", the one document or
    payment in the books with the exact amount and a signal: the one whose reference the
    text names, else the one whose contact's name or known IBAN it has: it wins over a
    rule's account, as a rule matches a line's words, not its document), ("account", the
    rule's account when nothing has the exact amount), or ("", None)."""
    docs = [
        x
        for x in p
        if x.kind in ("invoice", "bill", "refund", "reminder", "entry") and x.exact and x.signal
    ]
    named = [x for x in docs if x.signal == "text"]
    rule = next((x for x in p if x.kind == "account"), None)
    if len(named) == 1 or (not named and len(docs) == 1):
        return "document", (named or docs)[0]
    if not docs and rule is not None and not any(x.kind != "account" and x.exact for x in p):
        return "account", rule
    return "", None


@requires("bank.reconcile")
def confirm(uow: UnitOfWork, line_id: object, proposal: Proposal) -> Matched:
    """Confirm one of a line's proposals (``proposals``): an invoice or a bill posts its
    payment (all that is open on it, or the line); a payment in the books is linked, nothing
    posted; an account posts the line against it."""
    if proposal.kind == "entry":
        return match_entry(uow, line_id, proposal.ref)
    if proposal.kind == "account":
        return match_account(uow, line_id, proposal.ref)
    if proposal.kind in ("refund", "reminder"):  # by its label: its id is not an invoice's
        return match_documents(uow, line_id, [(proposal.ref, None)])
    return match_documents(uow, line_id, [(proposal.id, None)])


@requires("bank.reconcile")
def auto(uow: UnitOfWork, account: str | None = None) -> AutoSummary:
    """Confirm every unambiguous match of the open lines of ``account`` (every payment
    account when None): the one document or payment in the books with exactly the line's
    amount and a reference, name or IBAN signal (the one the text names before the others),
    else a rule's account. The rest stays open, with its proposals."""
    found = proposals(uow, account, limit=50)
    locked = lock_date(uow)
    used: set[tuple[str, int]] = set()
    documents = accounts = entries = left = on_lock = 0
    for lp in found:
        if locked is not None and lp.booked_on <= locked:
            on_lock += 1
            continue
        how, chosen = _unambiguous(lp.proposals)
        if how == "document" and (chosen.kind, chosen.id) not in used:
            used.add((chosen.kind, chosen.id))  # a document or payment settles one line
            confirm(uow, lp.line_id, chosen)
            if chosen.kind == "entry":
                entries += 1
            else:
                documents += 1
            continue
        if how == "account":
            confirm(uow, lp.line_id, chosen)
            accounts += 1
            continue
        left += 1
    return AutoSummary(documents, accounts, entries, left, on_lock)


# --- the lines, a page at a time (the reconciliation screen) -------------------------------


def line_said(counterpart: str, text: str) -> str:
    """A statement line as the lists say it, "counterpart — text", the text said once when
    it is the counterpart's name (an OFX line without a memo: "late — late")."""
    parts = [counterpart] if text == counterpart else [counterpart, text]
    return " — ".join(x for x in parts if x)


@dataclass(frozen=True)
class LineRow:
    id: int
    label: str  # "#12"
    booked_on: date
    account: str  # the payment account's code
    amount: Decimal
    said: str  # counterpart — text
    entry: str  # JE-12 for a matched line


@requires("bank.view")
def line_page(uow: UnitOfWork, req: PageRequest) -> Page[LineRow]:
    """Statement lines by day; filters: state ("open" or "matched"), account (a code)."""
    exp = uow.exponent
    stmt = (
        select(
            BankLine.booked_on,
            Account.code,
            BankLine.amount_minor,
            BankLine.counterpart,
            BankLine.text,
            JournalEntry.number,
            BankLine.booked_on,
            BankLine.id,
        )
        .join(Account, Account.id == BankLine.account_id)
        .outerjoin(JournalEntry, JournalEntry.id == BankLine.entry_id)
        .where(BankLine.state == (req.filters.get("state") or OPEN), USABLE_DAYS)
    )
    if req.filters.get("account"):
        stmt = stmt.where(Account.code == req.filters["account"])
    if req.search.strip():
        stmt = stmt.where(
            folded_contains(func.lower(BankLine.counterpart + " " + BankLine.text), req.search)
        )

    def to_row(r) -> LineRow:  # noqa: ANN001
        said = line_said(r[3], r[4])
        entry = JOURNAL.label(r[5]) if r[5] else ""
        return LineRow(r[-1], f"#{r[-1]}", r[0], r[1], from_minor(r[2], exp), said, entry)

    return keyset_page(uow.session, stmt, BankLine.booked_on, BankLine.id, req, to_row)


# --- the reconciled balance ----------------------------------------------------------------


@requires("bank.view")
def statements_start(uow: UnitOfWork, account_id: int) -> date | None:
    """The first day the account's statements cover."""
    first_line = uow.session.scalar(
        select(func.min(BankLine.booked_on)).where(BankLine.account_id == account_id, USABLE_DAYS)
    )
    first_opening = uow.session.scalar(
        select(func.min(BankStatement.opening_date)).where(BankStatement.account_id == account_id)
    )
    days = [d for d in (first_line, first_opening) if d is not None]
    return min(days) if days else None


@requires("bank.view")
def lines_left_out(uow: UnitOfWork, account: str | None = None) -> int:
    """How many lines (of ``account``, a code, when given) hold a day bizdesk does not
    accept: reconciliation leaves them out (``days``), ``bizdesk check`` names them."""
    query = select(func.count()).select_from(BankLine).where(~USABLE_DAYS)
    if account is not None:
        query = query.join(Account, Account.id == BankLine.account_id).where(
            Account.code == str(account).strip()
        )
    return int(uow.session.scalar(query))


@requires("bank.view")
def reconciled_balance(uow: UnitOfWork, account_id: int, as_of: date) -> int:
    """What the books held on the account before its first statement day, plus the entries
    matched lines confirmed since, up to ``as_of`` (minor units)."""
    start = statements_start(uow, account_id)
    net = func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
    base = select(net).where(JournalLine.account_id == account_id, JournalLine.posted.is_(True))
    if start is None:
        return int(uow.session.scalar(base.where(JournalLine.date <= as_of)))
    before = int(uow.session.scalar(base.where(JournalLine.date < start)))
    matched = select(BankLine.entry_id).where(
        BankLine.account_id == account_id, BankLine.state == MATCHED
    )
    since = int(
        uow.session.scalar(
            base.where(
                JournalLine.date >= start,
                JournalLine.date <= as_of,
                JournalLine.entry_id.in_(matched),
            )
        )
    )
    return before + since


@requires("bank.view")
def open_lines(uow: UnitOfWork, account_id: int, as_of: date) -> int:
    return int(
        uow.session.scalar(
            select(func.count()).where(
                BankLine.account_id == account_id,
                BankLine.state == OPEN,
                BankLine.booked_on <= as_of,
            )
        )
    )
