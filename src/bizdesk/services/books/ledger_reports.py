"""Reports from the journal: every figure is a SUM over posted lines, exact in minor units."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from bizdesk.db.session import UnitOfWork
from bizdesk.i18n import Message
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.money import from_minor
from bizdesk.services.base.numbering import entry_label
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import account_for, pay_summed

# natural side: assets and expenses grow with debits, the rest with credits
DEBIT_NATURE = {"asset": 1, "expense": 1, "liability": -1, "equity": -1, "income": -1}


def _sums(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None
) -> dict[int, tuple[int, int]]:
    """(debit, credit) per account over posted lines: one GROUP BY on a covering index."""
    stmt = select(
        JournalLine.account_id,
        func.sum(JournalLine.debit_minor),
        func.sum(JournalLine.credit_minor),
    ).where(JournalLine.posted.is_(True))
    if date_from:
        stmt = stmt.where(JournalLine.date >= date_from)
    if date_to:
        stmt = stmt.where(JournalLine.date <= date_to)
    stmt = stmt.group_by(JournalLine.account_id)
    return {a: (int(d), int(c)) for a, d, c in uow.session.execute(stmt)}


def _accounts(uow: UnitOfWork) -> list[Account]:
    return list(uow.session.scalars(select(Account).order_by(Account.code)))


@dataclass(frozen=True)
class TrialBalanceRow:
    account_id: int
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # debit - credit


@requires("reports.finance")
def trial_balance(
    uow: UnitOfWork, as_of: date | None = None
) -> tuple[list[TrialBalanceRow], TrialBalanceRow]:
    exp = uow.exponent
    sums = _sums(uow, None, as_of)
    rows = []
    for a in _accounts(uow):
        d, c = sums.get(a.id, (0, 0))
        if d or c:
            rows.append(
                TrialBalanceRow(
                    a.id,
                    a.code,
                    a.name,
                    a.type,
                    from_minor(d, exp),
                    from_minor(c, exp),
                    from_minor(d - c, exp),
                )
            )
    td = sum(d for d, _ in sums.values())
    tc = sum(c for _, c in sums.values())
    total = TrialBalanceRow(
        0,
        "",
        Message("Total"),
        "",
        from_minor(td, exp),
        from_minor(tc, exp),
        from_minor(td - tc, exp),
    )
    return rows, total


@dataclass(frozen=True)
class StatementLine:
    section: str
    account_id: int | None
    code: str
    name: str
    amount: Decimal


@requires("reports.finance")
def profit_loss(
    uow: UnitOfWork, date_from: date | None, date_to: date | None
) -> tuple[list[StatementLine], Decimal]:
    """Income and expenses over a period, each in its natural sign; returns the profit."""
    exp = uow.exponent
    sums = _sums(uow, date_from, date_to)
    lines: list[StatementLine] = []
    totals = {"income": 0, "expense": 0}
    for kind in ("income", "expense"):
        for a in _accounts(uow):
            if a.type != kind or a.id not in sums:
                continue
            d, c = sums[a.id]
            amount = (d - c) * DEBIT_NATURE[kind]
            totals[kind] += amount
            lines.append(StatementLine(kind, a.id, a.code, a.name, from_minor(amount, exp)))
        label = Message("Total income") if kind == "income" else Message("Total expenses")
        lines.append(StatementLine(kind, None, "", label, from_minor(totals[kind], exp)))
    return lines, from_minor(totals["income"] - totals["expense"], exp)


@requires("reports.finance")
def balance_sheet(
    uow: UnitOfWork, as_of: date | None
) -> tuple[list[StatementLine], dict[str, Decimal]]:
    """Assets = liabilities + equity at a date; the profit not yet closed counts as equity."""
    exp = uow.exponent
    sums = _sums(uow, None, as_of)
    lines: list[StatementLine] = []
    totals = {"asset": 0, "liability": 0, "equity": 0}
    earnings = 0
    for a in _accounts(uow):
        d, c = sums.get(a.id, (0, 0))
        if a.type in ("income", "expense"):
            earnings += c - d
            continue
        if not (d or c):
            continue
        amount = (d - c) * DEBIT_NATURE[a.type]
        totals[a.type] += amount
        lines.append(StatementLine(a.type, a.id, a.code, a.name, from_minor(amount, exp)))
    if earnings:
        lines.append(
            StatementLine("equity", None, "", Message("Profit to date"), from_minor(earnings, exp))
        )
    totals["equity"] += earnings
    lines.sort(key=lambda s: ("asset", "liability", "equity").index(s.section))
    out = {k: from_minor(v, exp) for k, v in totals.items()}
    out["liabilities_and_equity"] = from_minor(totals["liability"] + totals["equity"], exp)
    return lines, out


@dataclass(frozen=True)
class GeneralLedgerRow:
    code: str
    account: str
    date: date | None
    entry_id: int | None
    entry: str
    memo: str
    contact: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@requires("reports.finance")
def general_ledger(
    uow: UnitOfWork,
    date_from: date | None = None,
    date_to: date | None = None,
    account_id: int | None = None,
) -> Iterator[GeneralLedgerRow]:
    """Every posted line per account with its running balance, after an opening balance."""
    exp = uow.exponent
    opening = _sums(uow, None, date_from - _ONE_DAY) if date_from else {}
    for a in _accounts(uow):
        if account_id is not None and a.id != account_id:
            continue
        d0, c0 = opening.get(a.id, (0, 0))
        running = d0 - c0
        stmt = (
            select(
                JournalLine.date,
                JournalLine.entry_id,
                JournalEntry.number,
                func.coalesce(func.nullif(JournalLine.memo, ""), JournalEntry.memo),
                Contact.name,
                JournalLine.debit_minor,
                JournalLine.credit_minor,
                JournalLine.id,
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .outerjoin(Contact, Contact.id == JournalLine.contact_id)
            .where(JournalLine.account_id == a.id, JournalLine.posted.is_(True))
            .order_by(JournalLine.date, JournalLine.id)
        )
        summed = pay_summed(uow, a.id)
        if summed is not None:
            stmt = stmt.where(summed.condition())
        if date_from:
            stmt = stmt.where(JournalLine.date >= date_from)
        if date_to:
            stmt = stmt.where(JournalLine.date <= date_to)
        first = True
        for day, eid, number, memo, contact, debit, credit, line in uow.session.execute(stmt):
            if summed is not None and line in summed.shown:
                debit, credit, memo = summed.shown[line]
                contact = None
            if first:
                first = False
                if date_from:
                    yield GeneralLedgerRow(
                        a.code,
                        a.name,
                        date_from,
                        None,
                        "",
                        Message("Opening balance"),
                        "",
                        from_minor(0, exp),  # an amount, written as amounts are: 0.00
                        from_minor(0, exp),
                        from_minor(running, exp),
                    )
            running += debit - credit
            yield GeneralLedgerRow(
                a.code,
                a.name,
                day,
                eid,
                entry_label(number, eid),
                memo or "",
                contact or "",
                from_minor(debit, exp),
                from_minor(credit, exp),
                from_minor(running, exp),
            )


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


@dataclass(frozen=True)
class StatementRow:
    date: date
    entry_id: int
    entry: str
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    """A contact's account over a period, in the account's natural sign (what they owe us,
    or what we owe them): the balance brought forward from before the period, then every
    posted line in it with the running balance."""

    role: str  # "receivable" or "payable"
    opening: Decimal  # the balance on the day before the period (0 without a start)
    rows: list[StatementRow]
    debits: Decimal  # the period's
    credits: Decimal
    closing: Decimal


@requires("reports.finance")
def contact_statement(
    uow: UnitOfWork,
    contact_id: int,
    role: str = "receivable",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Statement:
    """A customer's (receivable) or supplier's (payable) account from ``date_from`` to
    ``date_to`` (either open: from the first line, up to the last), with a running balance
    from the balance brought forward. The report and the printed statement both read it."""
    exp = uow.exponent
    acct = account_for(uow, role)
    sign = DEBIT_NATURE[acct.type]
    where = [
        JournalLine.account_id == acct.id,
        JournalLine.contact_id == contact_id,
        JournalLine.posted.is_(True),
    ]
    opening = 0
    if date_from:
        net = func.sum(JournalLine.debit_minor - JournalLine.credit_minor)
        before = select(func.coalesce(net, 0)).where(*where, JournalLine.date < date_from)
        opening = sign * int(uow.session.execute(before).scalar_one())
        where.append(JournalLine.date >= date_from)
    if date_to:
        where.append(JournalLine.date <= date_to)
    stmt = (
        select(
            JournalLine.date,
            JournalLine.entry_id,
            JournalEntry.number,
            func.coalesce(func.nullif(JournalLine.memo, ""), JournalEntry.memo),
            JournalLine.debit_minor,
            JournalLine.credit_minor,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(*where)
        .order_by(JournalLine.date, JournalLine.id)
    )
    running = opening
    debits = credits = 0
    rows = []
    for day, eid, number, memo, d, c in uow.session.execute(stmt):
        running += (d - c) * sign
        debits, credits = debits + d, credits + c
        rows.append(
            StatementRow(
                day,
                eid,
                entry_label(number, eid),
                memo or "",
                from_minor(d, exp),
                from_minor(c, exp),
                from_minor(running, exp),
            )
        )
    return Statement(
        role,
        from_minor(opening, exp),
        rows,
        from_minor(debits, exp),
        from_minor(credits, exp),
        from_minor(running, exp),
    )


AGING_BUCKETS = ((0, 30, "0_30"), (31, 60, "31_60"), (61, 90, "61_90"), (91, None, "over_90"))


@dataclass(frozen=True)
class AgingRow:
    contact_id: int
    contact: str
    buckets: dict[str, Decimal]
    total: Decimal


def _later(uow: UnitOfWork, stmt):  # noqa: ANN001, ANN202
    """The rows of ``stmt``, read only if they are asked for."""
    yield from uow.session.execute(stmt)


def _open_documents(
    uow: UnitOfWork, role: str, contact_ids: list[int], as_of: date
) -> tuple[dict[int, list[tuple[date, int]]], object]:
    """Per contact, its invoices (receivable) or supplier bills (payable) open on ``as_of``,
    oldest first: (date, minor units open) after the payments (an undone one is a negative
    payment) and credit notes made by then; and a query of the entries that made
    documents (their lines are aged as the documents)."""
    from bizdesk.models.purchasing import SupplierBill, SupplierPayment
    from bizdesk.models.sales import CustomerPayment, Invoice

    if role == "receivable":
        doc, who, day, pay, paid_for = (
            Invoice,
            Invoice.customer_id,
            Invoice.issued_on,
            CustomerPayment,
            CustomerPayment.invoice_id,
        )
    elif role == "payable":
        doc, who, day, pay, paid_for = (
            SupplierBill,
            SupplierBill.supplier_id,
            SupplierBill.bill_date,
            SupplierPayment,
            SupplierPayment.bill_id,
        )
    else:  # an account of another role has no documents
        return {}, select(JournalEntry.id).where(JournalEntry.id.is_(None))
    paid = (
        select(paid_for.label("doc_id"), func.sum(pay.amount_minor).label("minor"))
        .where(pay.paid_on <= as_of)
        .group_by(paid_for)
        .subquery()
    )
    left = doc.total_minor - func.coalesce(paid.c.minor, 0)
    stmt = select(doc.id).outerjoin(paid, paid.c.doc_id == doc.id)
    if doc is Invoice:  # less the credit notes that take part of it back
        note = aliased(Invoice)
        credited = (
            select(note.credits_id.label("doc_id"), func.sum(note.total_minor).label("minor"))
            .where(note.kind == "credit", note.issued_on <= as_of)
            .group_by(note.credits_id)
            .subquery()
        )
        left = left - func.coalesce(credited.c.minor, 0)
        stmt = stmt.outerjoin(credited, credited.c.doc_id == doc.id).where(doc.kind == "invoice")
    stmt = stmt.with_only_columns(who, day, left)
    made_by = select(doc.entry_id)
    out: dict[int, list[tuple[date, int]]] = {}
    for i in range(0, len(contact_ids), 500):
        rows = uow.session.execute(
            stmt.where(who.in_(contact_ids[i : i + 500]), day <= as_of, left > 0).order_by(
                who, day, doc.id
            )
        )
        for cid, when, minor in rows:
            out.setdefault(cid, []).append((when, int(minor)))
    return out, made_by


@requires("reports.finance")
def aging(uow: UnitOfWork, role: str, as_of: date | None = None) -> tuple[list[AgingRow], dict]:
    """Open amounts per contact by age (days since posted). An invoice (or a bill) counts
    as what is open of it on the day asked for, aged from its own date: a payment pays the
    document it was made for, not the oldest (Home's overdue figure reads the documents
    too). An entry made by hand counts whole. The newest of these make up the balance:
    whatever paid the rest (a payment made by hand) paid the oldest first (FIFO). A
    contact on the other side (a customer who paid twice, a supplier who credited us) is a
    row of negative amounts, aged by the lines that put them there; so the total is the
    account's balance (of its lines that name a contact, which every new one does). An
    entry reversed by the day asked for and its reversal are left out of the ages. The
    totals also say how many are on the other side (``in_credit_contacts``) and what they
    hold (``in_credit``).

    The balance per contact is one GROUP BY; only contacts whose balance is not nil have
    their open documents, and then their newest lines of that balance's side, read.
    """
    exp = uow.exponent
    as_of = as_of or date.today()
    acct = account_for(uow, role)
    sign = DEBIT_NATURE[acct.type]
    grow = JournalLine.debit_minor if sign > 0 else JournalLine.credit_minor
    shrink = JournalLine.credit_minor if sign > 0 else JournalLine.debit_minor
    base = (
        JournalLine.account_id == acct.id,
        JournalLine.posted.is_(True),
        JournalLine.date <= as_of,
        JournalLine.contact_id.is_not(None),
    )
    balances = [
        (cid, int(bal))
        for cid, bal in uow.session.execute(
            select(
                JournalLine.contact_id,
                func.sum(JournalLine.debit_minor - JournalLine.credit_minor) * sign,
            )
            .where(*base)
            .group_by(JournalLine.contact_id)
        ).all()
        if bal
    ]
    names = dict(
        uow.session.execute(
            select(Contact.id, Contact.name).where(Contact.id.in_([cid for cid, _ in balances]))
        ).all()
    )
    # An entry and its reversal cancel out: neither is read for the ages, or a payment undone
    # today would make the invoice it had paid look a day old.
    reversal = aliased(JournalEntry)
    rows = []
    totals = {key: 0 for *_, key in AGING_BUCKETS}
    owing = [cid for cid, bal in balances if bal > 0]
    documents, made_by = _open_documents(uow, role, owing, as_of)
    for contact_id, balance in balances:
        side = grow if balance > 0 else shrink  # the lines that made this balance
        unit = 1 if balance > 0 else -1
        buckets = {key: 0 for *_, key in AGING_BUCKETS}
        left = abs(balance)
        lines = (
            select(JournalLine.date, side)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .outerjoin(reversal, reversal.id == JournalEntry.reversed_by_id)
            .where(
                *base,
                JournalLine.contact_id == contact_id,
                side > 0,
                JournalEntry.reverses_id.is_(None),
                or_(reversal.id.is_(None), reversal.date > as_of),
            )
            .order_by(JournalLine.date.desc(), JournalLine.id.desc())
        )
        newest = uow.session.execute(lines)
        if balance > 0:  # a document's lines are its open amount; those made by hand, each
            newest = itertools.chain(
                heapq.merge(
                    reversed(documents.get(contact_id, [])),
                    uow.session.execute(lines.where(JournalEntry.id.not_in(made_by))),
                    key=lambda item: item[0],
                    reverse=True,
                ),
                _later(uow, lines),  # beyond them all: any line
            )
        # the newest make up the balance: whatever paid the rest paid the oldest first
        for day, amount in newest:
            take = min(left, amount)
            age = (as_of - day).days
            for lo, hi, key in AGING_BUCKETS:
                if age >= lo and (hi is None or age <= hi):
                    buckets[key] += unit * take
                    totals[key] += unit * take
                    break
            left -= take
            if left <= 0:
                break
        rows.append(
            AgingRow(
                contact_id,
                names.get(contact_id, f"#{contact_id}"),
                {k: from_minor(x, exp) for k, x in buckets.items()},
                from_minor(balance, exp),
            )
        )
    rows.sort(key=lambda r: (-r.total, r.contact))
    out = {k: from_minor(x, exp) for k, x in totals.items()}
    out["total"] = from_minor(sum(totals.values()), exp)
    credits = [-bal for _cid, bal in balances if bal < 0]
    out["in_credit"] = from_minor(sum(credits), exp)
    out["in_credit_contacts"] = len(credits)
    return rows, out
