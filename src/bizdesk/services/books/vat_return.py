"""The VAT return for a period (DESIGN section 5, "Taxes"): output VAT and taxable base per
rate from invoices, credit notes and counter sales, input VAT and base per rate from supplier
bills, whatever other entries posted to the VAT accounts on lines of their own, and the
balance to pay or to reclaim.

It ties to the books exactly: the output rows add up to the VAT payable account's movement
in the period (credit - debit), the input rows to the VAT receivable account's (debit -
credit). A document counts on its journal entry's date, as the ledger counts it.

A bill's rate comes from its purchase order's lines (a bill stores its net and VAT only):
one rate on the order (the bill's VAT being its net's at that rate), or a single bill whose
amounts are exactly its lines' at their rates, splits exactly. A single bill whose VAT is
its lines' but whose net is more or less (a price difference the supplier charged no VAT
on) counts its lines at their rates and the difference in a row of its own, "no VAT
charged", so that each rate's base and VAT agree. Anything else (several bills on an order
of several rates) is one row of "several rates" rather than a guess.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import JournalEntry, JournalLine
from bizdesk.models.purchasing import PurchaseLine, PurchaseOrder, SupplierBill
from bizdesk.models.sales import Invoice, InvoiceLine, SalesLine
from bizdesk.money import from_minor, line_amounts, percent_from_bp
from bizdesk.services.base.numbering import entry_label, invoice_label, po_label
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import account_for

OUTPUT, INPUT = "output", "input"
OTHER = "other"  # a row's rate for VAT posted by other entries
MIXED = "mixed"  # a bill of several rates that cannot be split exactly
UNTAXED = "untaxed"  # the part of a bill's net it charged no VAT on (a price difference)


@dataclass(frozen=True)
class VatDocument:
    """One document (or journal entry) behind a row; amounts signed as the row counts them
    (a credit note's are negative)."""

    kind: str  # invoice | credit-note | bill | entry
    number: str  # INV-00007, CN-00002, the bill's reference, JE-12
    date: date
    contact: str
    base: Decimal
    vat: Decimal
    record: str  # the record that opens it: sales_order | purchase_order | entry
    record_id: int


@dataclass
class VatRow:
    side: str  # output | input
    rate: str  # "21", "5.5", UNTAXED, MIXED or OTHER
    base: Decimal
    vat: Decimal
    documents: list[VatDocument] = field(default_factory=list)


@dataclass(frozen=True)
class VatReturn:
    date_from: date
    date_to: date
    rows: list[VatRow]
    output_vat: Decimal  # = the VAT payable account's credit - debit in the period
    input_vat: Decimal  # = the VAT receivable account's debit - credit in the period
    balance: Decimal  # output - input: positive to pay, negative to reclaim


def _rate_key(bp: int) -> str:
    return str(percent_from_bp(bp))


def _period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    missing = {}
    if date_from is None:
        missing["from"] = Message("a VAT return is for a period: give its first day")
    if date_to is None:
        missing["to"] = Message("a VAT return is for a period: give its last day")
    if missing:  # (named by the door: --from in the command line, From in Reports)
        raise ValidationError(missing)
    if date_to < date_from:
        raise ValidationError({"to": Message("the end of the period is before its start")})
    return date_from, date_to


def _sales(uow: UnitOfWork, date_from: date, date_to: date, rows, exp: int) -> set[int]:  # noqa: ANN001
    """Invoice and credit note lines per rate; returns the entries they posted."""
    stmt = (
        select(
            Invoice.id,
            Invoice.kind,
            Invoice.number,
            Invoice.order_id,
            Invoice.entry_id,
            JournalEntry.date,
            Contact.name,
            SalesLine.vat_bp,
            func.sum(InvoiceLine.net_minor),
            func.sum(InvoiceLine.vat_minor),
        )
        .join(JournalEntry, JournalEntry.id == Invoice.entry_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(SalesLine, SalesLine.id == InvoiceLine.sales_line_id)
        .join(Contact, Contact.id == Invoice.customer_id)
        .where(JournalEntry.date >= date_from, JournalEntry.date <= date_to)
        .group_by(
            Invoice.id,
            Invoice.kind,
            Invoice.number,
            Invoice.order_id,
            Invoice.entry_id,
            JournalEntry.date,
            Contact.name,
            SalesLine.vat_bp,
        )
        .order_by(JournalEntry.date, Invoice.id, SalesLine.vat_bp)
    )
    entries = set()
    for _id, kind, number, order_id, entry_id, day, name, bp, net, vat in uow.session.execute(stmt):
        sign = 1 if kind == "invoice" else -1
        entries.add(entry_id)
        rows[(OUTPUT, _rate_key(bp))].append(
            VatDocument(
                "invoice" if kind == "invoice" else "credit-note",
                invoice_label(kind, number),
                day,
                name,
                from_minor(sign * int(net), exp),
                from_minor(sign * int(vat), exp),
                "sales_order",
                order_id,
            )
        )
    return entries


def _bill_split(lines: list[PurchaseLine], bills: int, net: int, vat: int) -> dict[str, tuple]:
    """A bill's (net, VAT) per rate from its order's lines, or one MIXED part (the rules:
    this module's docstring)."""
    rates = {ln.vat_bp for ln in lines}
    if len(rates) == 1:
        (bp,) = rates
        # the VAT of the whole net at the rate, but for each line's own rounding (half a
        # minor unit a line at most)
        if abs(net * bp - vat * 10000) * 2 <= 10000 * len(lines):
            return {_rate_key(bp): (net, vat)}
    if bills == 1:
        parts: dict[str, list[int]] = {}
        for ln in lines:
            if ln.billed_scaled > 0:
                n, t = line_amounts(ln.billed_scaled, ln.unit_cost_minor, ln.vat_bp)
                part = parts.setdefault(_rate_key(ln.vat_bp), [0, 0])
                part[0] += n
                part[1] += t
        if sum(p[1] for p in parts.values()) == vat:
            split = {k: (p[0], p[1]) for k, p in parts.items()}
            rest = net - sum(p[0] for p in parts.values())
            return {**split, UNTAXED: (rest, 0)} if rest else split
    return {MIXED: (net, vat)}


def _bills(uow: UnitOfWork, date_from: date, date_to: date, rows, exp: int) -> set[int]:  # noqa: ANN001
    stmt = (
        select(SupplierBill, JournalEntry.date, Contact.name, PurchaseOrder.number)
        .join(JournalEntry, JournalEntry.id == SupplierBill.entry_id)
        .join(Contact, Contact.id == SupplierBill.supplier_id)
        .join(PurchaseOrder, PurchaseOrder.id == SupplierBill.order_id)
        .where(JournalEntry.date >= date_from, JournalEntry.date <= date_to)
        .order_by(JournalEntry.date, SupplierBill.id)
    )
    found = uow.session.execute(stmt).all()
    order_ids = {b.order_id for b, *_ in found}
    lines: dict[int, list[PurchaseLine]] = defaultdict(list)
    counts: dict[int, int] = {}
    if order_ids:
        for ln in uow.session.scalars(
            select(PurchaseLine).where(PurchaseLine.order_id.in_(order_ids))
        ):
            lines[ln.order_id].append(ln)
        counts = dict(
            uow.session.execute(
                select(SupplierBill.order_id, func.count())
                .where(SupplierBill.order_id.in_(order_ids))
                .group_by(SupplierBill.order_id)
            ).all()
        )
    entries = set()
    for b, day, name, po_number in found:
        entries.add(b.entry_id)
        split = _bill_split(lines[b.order_id], counts.get(b.order_id, 1), b.net_minor, b.vat_minor)
        for rate, (net, vat) in split.items():
            rows[(INPUT, rate)].append(
                VatDocument(
                    "bill",
                    f"{b.reference} ({po_label(po_number)})",
                    day,
                    name,
                    from_minor(net, exp),
                    from_minor(vat, exp),
                    "purchase_order",
                    b.order_id,
                )
            )
    return entries


def _others(
    uow: UnitOfWork,
    account_id: int,
    sign: int,
    date_from: date,
    date_to: date,
    documents: set[int],
    exp: int,
) -> list[VatDocument]:
    """Lines on a VAT account posted by entries that are no invoice, credit note or bill
    (journal entries typed by hand, reversals, imports), one per entry."""
    stmt = (
        select(
            JournalLine.entry_id,
            JournalEntry.number,
            JournalLine.date,
            func.max(Contact.name),
            func.sum(JournalLine.debit_minor - JournalLine.credit_minor),
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .outerjoin(Contact, Contact.id == JournalLine.contact_id)
        .where(
            JournalLine.posted.is_(True),
            JournalLine.account_id == account_id,
            JournalLine.date >= date_from,
            JournalLine.date <= date_to,
        )
        .group_by(JournalLine.entry_id, JournalEntry.number, JournalLine.date)
        .order_by(JournalLine.date, JournalLine.entry_id)
    )
    out = []
    for eid, number, day, name, amount in uow.session.execute(stmt):
        if eid in documents:
            continue
        out.append(
            VatDocument(
                "entry",
                entry_label(number, eid),
                day,
                name or "",
                from_minor(0, exp),
                from_minor(sign * int(amount), exp),
                "entry",
                eid,
            )
        )
    return out


@requires("reports.finance")
def movement(uow: UnitOfWork, role: str, date_from: date, date_to: date) -> int:
    """A VAT account's movement in the period in minor units, in its natural sign (what the
    return must add up to): credit - debit for VAT payable, debit - credit for receivable."""
    sign = -1 if role == "vat_payable" else 1
    total = uow.session.scalar(
        select(
            func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
        ).where(
            JournalLine.posted.is_(True),
            JournalLine.account_id == account_for(uow, role).id,
            JournalLine.date >= date_from,
            JournalLine.date <= date_to,
        )
    )
    return sign * int(total)


def _sort_rate(rate: str) -> tuple:
    last = (UNTAXED, MIXED, OTHER)
    if rate in last:
        return (1 + last.index(rate), Decimal(0))
    return (0, -Decimal(rate))


@requires("reports.finance")
def vat_return(uow: UnitOfWork, date_from: date | None, date_to: date | None) -> VatReturn:
    """The VAT return for the period (both dates included)."""
    date_from, date_to = _period(date_from, date_to)
    exp = uow.exponent
    docs: dict[tuple[str, str], list[VatDocument]] = defaultdict(list)
    posted = _sales(uow, date_from, date_to, docs, exp)
    posted |= _bills(uow, date_from, date_to, docs, exp)
    for side, role, sign in ((OUTPUT, "vat_payable", -1), (INPUT, "vat_receivable", 1)):
        acct = account_for(uow, role).id
        others = _others(uow, acct, sign, date_from, date_to, posted, exp)
        if others:
            docs[(side, OTHER)] = others
    rows = []
    totals = {OUTPUT: from_minor(0, exp), INPUT: from_minor(0, exp)}
    for side in (OUTPUT, INPUT):
        keys = sorted((k for k in docs if k[0] == side), key=lambda k: _sort_rate(k[1]))
        for key in keys:
            found = docs[key]
            base = sum((d.base for d in found), from_minor(0, exp))
            vat = sum((d.vat for d in found), from_minor(0, exp))
            totals[side] += vat
            rows.append(VatRow(side, key[1], base, vat, found))
    out, inp = totals[OUTPUT], totals[INPUT]
    return VatReturn(date_from, date_to, rows, out, inp, out - inp)


@requires("reports.finance")
def untied(uow: UnitOfWork, date_from: date, date_to: date) -> list[Message]:
    """What keeps the return for the period from tying to the VAT accounts (a finding of
    ``check`` per account; empty when it ties)."""
    ret = vat_return(uow, date_from, date_to)
    out = []
    for role, figure, side in (
        ("vat_payable", ret.output_vat, Message("output VAT")),
        ("vat_receivable", ret.input_vat, Message("input VAT")),
    ):
        books = from_minor(movement(uow, role, date_from, date_to), uow.exponent)
        if books != figure:
            out.append(
                Message(
                    "the VAT return's {side} {figure} differs from the account's movement {books}",
                    side=side,
                    figure=str(figure),
                    books=str(books),
                )
            )
    return out
