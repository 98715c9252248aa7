"""The owner's overview: every figure is an aggregate query, never rows loaded into Python."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import func, select, text

from bizdesk.db.session import UnitOfWork
from bizdesk.models.core import AuditEvent
from bizdesk.models.ledger import JournalLine
from bizdesk.models.purchasing import SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.books.ledger import account_for
from bizdesk.services.crm import followups as F
from bizdesk.services.crm import tickets as T
from bizdesk.services.crm.nurture import shop_hours, shop_today
from bizdesk.services.overview.glance import (
    IN_NO_FIGURE,
    Dashboard,
    Mark,
    last_month,
    sales_months,
    with_books,
    without_books,
)
from bizdesk.services.trade import deals as D


def _balance(
    uow: UnitOfWork, role: str, date_from: date | None = None, date_to: date | None = None
) -> int:
    """Debit - credit of a role's account over posted lines (one index range)."""
    stmt = select(
        func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
    ).where(JournalLine.posted.is_(True), JournalLine.account_id == account_for(uow, role).id)
    if date_from:
        stmt = stmt.where(JournalLine.date >= date_from)
    if date_to:
        stmt = stmt.where(JournalLine.date <= date_to)
    return int(uow.session.scalar(stmt))


def _overdue_invoices(uow: UnitOfWork, today: date) -> int:
    paid = (
        select(func.coalesce(func.sum(CustomerPayment.amount_minor), 0))
        .where(CustomerPayment.invoice_id == Invoice.id)
        .scalar_subquery()
    )
    credit = (
        select(Invoice.credits_id, func.sum(Invoice.total_minor).label("back"))
        .where(Invoice.kind == "credit")
        .group_by(Invoice.credits_id)
        .subquery()
    )
    left = Invoice.total_minor - paid - func.coalesce(credit.c.back, 0)
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(left), 0))
            .outerjoin(credit, credit.c.credits_id == Invoice.id)
            .where(Invoice.kind == "invoice", Invoice.due_on < today, left > 0)
        )
    )


def _overdue_bills(uow: UnitOfWork, today: date) -> int:
    paid = (
        select(func.coalesce(func.sum(SupplierPayment.amount_minor), 0))
        .where(SupplierPayment.bill_id == SupplierBill.id)
        .scalar_subquery()
    )
    left = SupplierBill.total_minor - paid
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(left), 0)).where(SupplierBill.due_date < today, left > 0)
        )
    )


def _low_stock_count(uow: UnitOfWork) -> int:
    from bizdesk.services.inventory.reports import low_stock_count

    return low_stock_count(uow)


def _follow_ups(uow: UnitOfWork, today: date) -> dict[str, object]:
    return {"follow_ups": F.counts(uow, today=today) if can(uow, "followups.view") else None}


def _pipeline(uow: UnitOfWork, _today: date) -> dict[str, object]:
    pipeline, total = D.pipeline_report(uow) if can(uow, "reports.crm") else ([], None)
    return {"pipeline": pipeline, "pipeline_total": total}


def _tickets(uow: UnitOfWork, _today: date) -> dict[str, object]:
    return {"tickets_open": T.count_open(uow), "tickets_overdue": T.count_overdue(uow)}


# The overview's counts of the customer side, each with the kinds of record it is read from
# (services/admin/audit.py ENTITY_KINDS); with the kinds no figure is read from
# (glance.IN_NO_FIGURE), they are the kinds that are in no figure of the books, of the budget
# or of low stock (a won deal's sales order, a paid invoice are kinds of their own). A
# colleague adding contacts every 2 s (each one entering a nurturing sequence writes
# follow-ups) read the whole overview again each time.
CUSTOMER_COUNTS = (
    (frozenset({"follow_up"}), _follow_ups),
    (frozenset({"deal", "stage"}), _pipeline),
    (frozenset({"ticket", "ticket_comment"}), _tickets),
)
BESIDE_THE_BOOKS = IN_NO_FIGURE.union(*(kinds for kinds, _read in CUSTOMER_COUNTS))


def books_changed(changed: frozenset[str] | None) -> bool:
    """Whether a change of these kinds of record (None: not known) may change the books'
    figures, the budget's glance or low stock."""
    return changed is None or not changed <= BESIDE_THE_BOOKS


@requires("dashboard.view")
def dashboard(
    uow: UnitOfWork,
    today: date | None = None,
    *,
    last: Dashboard | None = None,
    changed: frozenset[str] | None = None,
) -> Dashboard:
    """The overview on ``today``. ``last``: the overview read before, and the kinds of
    record ``changed`` since (the app's look for others' changes): when they are all
    beside the books (BESIDE_THE_BOOKS), only the counts read from them are read again."""
    today = today or shop_today(uow)
    if last is not None and last.today == today and not books_changed(changed):
        parts: dict[str, object] = {}
        for kinds, read in CUSTOMER_COUNTS:
            if kinds & changed:
                parts.update(read(uow, today))
        return replace(last, **parts)
    common: dict[str, object] = dict(today=today, low_stock=_low_stock_count(uow))
    for _kinds, read in CUSTOMER_COUNTS:
        common.update(read(uow, today))
    if not can(uow, "reports.finance"):
        return without_books(**common)
    start, end = last_month(today)
    return with_books(
        uow.exponent,
        [(label, -_balance(uow, "sales", a, b)) for label, a, b in sales_months(today)],
        -_balance(uow, "sales", start, end),
        # balances on ``today``, as the aged lists its figures open: an entry dated ahead
        # (2199 for 2026) counts from its day, not in Home's figures now
        {r: _balance(uow, r, date_to=today) for r in ("cash", "bank", "receivable", "payable")},
        _overdue_invoices(uow, today),
        _overdue_bills(uow, today),
        **common,
    )


@requires("dashboard.view")
def mark(uow: UnitOfWork, now: datetime | None = None) -> Mark:
    """What the overview read in this unit of work was read from (services/overview/glance:
    Home kept for the next start): the newest audit event and its chain link, the schema's
    revision, the shop's time zone, and the next time a ticket's clock runs out."""
    newest = uow.session.execute(
        select(AuditEvent.id, AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    revision = uow.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    zone = shop_hours(uow).tz
    return Mark(
        event=newest[0] if newest else 0,
        link=newest[1] if newest else None,
        revision=revision,
        zone=getattr(zone, "key", None) or str(zone),
        until=T.next_deadline(uow, now=now),
    )
