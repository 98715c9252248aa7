"""Analyses for a period, all in SQL aggregates: sales with margin (from the cost of goods
sold actually posted), win/loss of deals, order cycle times and segments with age groups;
and the rows behind each figure (the drill-down), one keyset page at a time.

Sales are counted when invoiced (credit notes take back), their cost when the goods left
(or came back), both by the date of the entry they posted: the same days the ledger's sales
and cost-of-goods-sold accounts count them, so the totals agree with the books.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Integer, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Message, _
from bizdesk.models.contacts import Contact, ContactTag
from bizdesk.models.core import AuditEvent
from bizdesk.models.deals import Deal, PipelineStage
from bizdesk.models.ledger import JournalEntry, JournalLine
from bizdesk.models.marketing import Segment
from bizdesk.models.purchasing import PurchaseLine, PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice, InvoiceLine, SalesLine, SalesOrder
from bizdesk.models.stock import Product, StockMove
from bizdesk.money import from_minor, qty_from_scaled
from bizdesk.services.base.numbering import po_label, so_label
from bizdesk.services.base.paging import Page, PageRequest, keyset_page
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.validate import FieldError, must_be_one_of
from bizdesk.services.books.ledger import account_for
from bizdesk.services.crm.contacts import NONE
from bizdesk.services.marketing.segments import condition as segment_condition
from bizdesk.words import CONTACT_STAGE_NAMES, GROUPING_NAMES, word_message

SALES_BY = ("product", "customer", "owner", "city", "country", "tag", "stage", "age", "segment")
WIN_LOSS_BY = ("reason", "stage", "owner")
SEGMENT_BY = ("city", "country", "tag", "stage", "owner", "age")
CYCLE_OF = ("sales", "purchases")
# what each grouped report is grouped by (its --by), the report's default first
GROUPINGS = {
    "segments": SEGMENT_BY,
    "sales-analysis": SALES_BY,
    "win-loss": WIN_LOSS_BY,
    "cycle-times": CYCLE_OF,
}
# age groups as stored keys (JSON) and as people read them
AGE_GROUPS = (
    ("under 25", N_("under 25")),
    ("25-34", "25–34"),
    ("35-44", "35–44"),
    ("45-54", "45–54"),
    ("55-64", "55–64"),
    ("65+", "65+"),
    ("unknown", N_("unknown")),
)
_AGE_LIMITS = (25, 35, 45, 55, 65)
# how the column grouped by is headed where that is not its grouping's word: read back there
GROUPING_HEADINGS = {
    "age": (N_("Age group"),),
    "reason": (N_("Close reason"),),
    "stage": (N_("Stage at close"),),
}


def check_period(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"to": Message("the end of the period is before its start")})


def grouping(name: str, typed: str) -> str:
    """What report ``name`` (one of GROUPINGS) is grouped by, typed in the reader's language
    ("ciudad", "oraș") or as the command line's help names it ("city"); anything else
    refused, naming the choices."""
    said = " ".join(typed.split()).casefold()
    for key in GROUPINGS[name]:
        headings = (_(h).casefold() for h in GROUPING_HEADINGS.get(key, ()))
        if said in (key, _(GROUPING_NAMES[key]).casefold(), *headings):
            return key
    raise FieldError(Message("must be one of: {options}", options=grouping_words(name)))


def grouping_words(name: str) -> str:
    """The choices of what report ``name`` is grouped by, in the reader's language."""
    return ", ".join(_(GROUPING_NAMES[key]) for key in GROUPINGS[name])


def _check_by(by: str, options: tuple[str, ...]) -> None:
    if by not in options:
        raise ValidationError({"by": must_be_one_of(options)})


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_group(birth: ColumnElement, on: date) -> ColumnElement:
    """A contact's age group on a day, from the birth date, in SQL ('unknown' without one)."""
    whens = [(birth.is_(None), "unknown"), (birth > _years_before(on, 25), "under 25")]
    for low, high in zip(_AGE_LIMITS, _AGE_LIMITS[1:], strict=False):
        whens.append((birth > _years_before(on, high), f"{low}-{high - 1}"))
    return case(*whens, else_="65+")


def age_label(key: str) -> str:
    """An age group's key as people read it (a Message where it has words)."""
    for k, shown in AGE_GROUPS:
        if k == key:
            return Message(shown) if shown.isascii() and shown[0].isalpha() else shown
    return key


def _start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def _between(col: ColumnElement, date_from: date | None, date_to: date | None) -> list:
    out = []
    if date_from:
        out.append(col >= date_from)
    if date_to:
        out.append(col <= date_to)
    return out


def _at_between(col: ColumnElement, date_from: date | None, date_to: date | None) -> list:
    """Conditions on a timestamp for whole days of the period."""
    out = []
    if date_from:
        out.append(col >= _start(date_from))
    if date_to:
        out.append(col < _start(date_to + timedelta(days=1)))
    return out


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- sales with margin ------------------------------------------------------------------


def _sales_facts(date_from: date | None, date_to: date | None):  # noqa: ANN202
    """Per sales line, what the period counts: invoiced quantity and net (credit notes
    negative) by invoice date, and cost of goods sold by the date of the entry that moved
    the goods (out: +, returned: -). One row per document line or stock move."""
    sign = case((Invoice.kind == "credit", -1), else_=1)
    invoiced = (
        select(
            InvoiceLine.sales_line_id.label("line_id"),
            (sign * InvoiceLine.qty_scaled).label("qty"),
            (sign * InvoiceLine.net_minor).label("net"),
            literal(0).label("cogs"),
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(*_between(Invoice.issued_on, date_from, date_to))
    )
    moved = (
        select(
            StockMove.source_id.label("line_id"),
            literal(0).label("qty"),
            literal(0).label("net"),
            (-StockMove.value_minor).label("cogs"),
        )
        .join(JournalEntry, JournalEntry.id == StockMove.entry_id)
        .where(
            StockMove.source_kind == "sales_line",
            JournalEntry.state == "posted",
            *_between(JournalEntry.date, date_from, date_to),
        )
    )
    return union_all(invoiced, moved).subquery("facts")


def _sales_key(by: str, on: date) -> tuple[ColumnElement, ColumnElement]:
    """The grouping key of a sales row and its label (both SQL expressions)."""
    if by == "product":
        return SalesLine.product_id, func.coalesce(Product.name, SalesLine.description)
    if by == "customer":
        return Contact.id, Contact.name
    if by == "tag":
        return ContactTag.tag, ContactTag.tag
    if by == "age":
        key = age_group(Contact.birth_date, on)
        return key, key
    col = getattr(Contact, by)
    return col, col


def _sales_joins(stmt, facts, by: str):  # noqa: ANN001, ANN202
    stmt = (
        stmt.join(SalesLine, SalesLine.id == facts.c.line_id)
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .join(Contact, Contact.id == SalesOrder.customer_id)
    )
    if by == "product":
        stmt = stmt.outerjoin(Product, Product.id == SalesLine.product_id)
    if by == "tag":
        stmt = stmt.outerjoin(ContactTag, ContactTag.contact_id == Contact.id)
    return stmt


def _matches(key: ColumnElement, value: Any) -> ColumnElement:  # noqa: ANN401
    return key.is_(None) if value is None else key == value


@dataclass(frozen=True)
class SalesRow:
    key: Any  # the group (product id, contact id, owner, city, tag, age group...)
    value: str
    qty: Decimal
    net: Decimal
    cogs: Decimal
    margin: Decimal
    margin_percent: Decimal | None
    sku: str = ""  # by product: its SKU, which tells apart names cut short on a screen


@dataclass(frozen=True)
class SalesAnalysis:
    rows: list[SalesRow]
    total: SalesRow | None  # None by tag: a customer with two tags counts in both
    ledger_sales: Decimal  # the books' sales and cost of goods sold for the same period
    ledger_cogs: Decimal


def _ledger(uow: UnitOfWork, role: str, date_from: date | None, date_to: date | None) -> int:
    """Debit - credit on a role's account over posted lines of the period."""
    stmt = select(
        func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
    ).where(
        JournalLine.posted.is_(True),
        JournalLine.account_id == account_for(uow, role).id,
        *_between(JournalLine.date, date_from, date_to),
    )
    return int(uow.session.scalar(stmt))


@requires("reports.finance")
def sales_analysis(
    uow: UnitOfWork, by: str = "product", date_from: date | None = None, date_to: date | None = None
) -> SalesAnalysis:
    """Quantity, net sales, cost of goods sold and margin per group for a period."""
    _check_by(by, SALES_BY)
    check_period(date_from, date_to)
    exp = uow.exponent
    facts = _sales_facts(date_from, date_to)
    if by == "segment":
        rows = _sales_by_segment(uow, facts, date_to or date.today())
        return SalesAnalysis(
            rows,
            None,  # a customer in two segments counts in both
            from_minor(-_ledger(uow, "sales", date_from, date_to), exp),
            from_minor(_ledger(uow, "cogs", date_from, date_to), exp),
        )
    key, shown = _sales_key(by, date_to or date.today())
    stmt = _sales_joins(
        select(
            key,
            func.min(shown),
            func.sum(facts.c.qty),
            func.sum(facts.c.net),
            func.sum(facts.c.cogs),
        ).select_from(facts),
        facts,
        by,
    )
    stmt = stmt.group_by(key).order_by(func.sum(facts.c.net).desc(), func.min(shown))
    rows = []
    for k, label, qty, net, cogs in uow.session.execute(stmt):
        rows.append(_sales_row(k, _group_label(by, k, label), qty, net, cogs, exp))
    if by == "product":
        skus = dict(
            uow.session.execute(
                select(Product.id, Product.sku).where(
                    Product.id.in_([r.key for r in rows if r.key is not None])
                )
            ).all()
        )
        rows = [replace(r, sku=skus.get(r.key, "")) for r in rows]
    total = None
    if by != "tag":
        total = _sales_row(
            None,
            Message("Total"),
            sum((r.qty for r in rows), qty_from_scaled(0)),
            sum((r.net for r in rows), from_minor(0, exp)),  # 0.00 when nothing was sold
            sum((r.cogs for r in rows), from_minor(0, exp)),
            None,
        )
    return SalesAnalysis(
        rows,
        total,
        from_minor(-_ledger(uow, "sales", date_from, date_to), exp),
        from_minor(_ledger(uow, "cogs", date_from, date_to), exp),
    )


def _sales_by_segment(uow: UnitOfWork, facts, on: date) -> list[SalesRow]:  # noqa: ANN001
    """The sales of each saved segment's customers (its members as of ``on``, the age
    groups included), biggest first; a segment whose customers bought nothing: 0."""
    rows = []
    for seg in uow.session.scalars(select(Segment).order_by(Segment.name)):
        stmt = _sales_joins(
            select(
                func.sum(facts.c.qty), func.sum(facts.c.net), func.sum(facts.c.cogs)
            ).select_from(facts),
            facts,
            "segment",
        ).where(segment_condition(json.loads(seg.definition), on))
        qty, net, cogs = uow.session.execute(stmt).one()
        rows.append(_sales_row(seg.id, seg.name, qty, net, cogs, uow.exponent))
    return sorted(rows, key=lambda r: -r.net)


def _sales_group(uow: UnitOfWork, by: str, key: Any, on: date) -> ColumnElement:  # noqa: ANN401
    """What picks the sales of one row of the analysis: its group's key, or a segment's
    members (``key``: the segment's id)."""
    if by == "segment":
        seg = uow.session.get(Segment, key)
        if seg is None:  # deleted since the report was run: nobody
            return literal(False)
        return segment_condition(json.loads(seg.definition), on)
    group, _shown = _sales_key(by, on)
    return _matches(group, key)


def _group_label(by: str, key: Any, label: Any) -> str:  # noqa: ANN401
    if by == "age":
        return age_label(key)
    if label in (None, ""):
        return Message(NONE)
    if by == "stage":  # a contact's stage, in the reader's words (the value stays stored)
        return word_message(CONTACT_STAGE_NAMES, label)
    return label


def _sales_row(key, label, qty, net, cogs, exp) -> SalesRow:  # noqa: ANN001
    if exp is not None:  # minor units from SQL
        qty, net, cogs = (
            qty_from_scaled(qty or 0),
            from_minor(net or 0, exp),
            from_minor(cogs or 0, exp),
        )
    return SalesRow(key, label, qty, net, cogs, net - cogs, _percent(net - cogs, net))


@dataclass(frozen=True)
class SalesDrillRow:
    order: str
    date: date
    customer: str
    net: Decimal
    cogs: Decimal
    margin: Decimal
    record: str
    record_id: int

    @property
    def id(self) -> int:  # the paged table keys its rows by id
        return self.record_id


@requires("reports.finance")
def sales_behind(
    uow: UnitOfWork,
    by: str,
    key: Any,  # noqa: ANN401
    date_from: date | None,
    date_to: date | None,
    req: PageRequest,
) -> Page[SalesDrillRow]:
    """The sales orders behind a row of the sales analysis: what each counts in the period."""
    _check_by(by, SALES_BY)
    exp = uow.exponent
    facts = _sales_facts(date_from, date_to)
    picked = _sales_group(uow, by, key, date_to or date.today())
    inner = _sales_joins(
        select(
            SalesOrder.id.label("oid"),
            func.sum(facts.c.net).label("net"),
            func.sum(facts.c.cogs).label("cogs"),
        ).select_from(facts),
        facts,
        by,
    )
    inner = inner.where(picked).group_by(SalesOrder.id).subquery()
    stmt = (
        select(
            SalesOrder.order_date,
            Contact.name,
            inner.c.net,
            inner.c.cogs,
            SalesOrder.number,
            SalesOrder.id,
        )
        .select_from(inner)
        .join(SalesOrder, SalesOrder.id == inner.c.oid)
        .join(Contact, Contact.id == SalesOrder.customer_id)
    )

    def to_row(r) -> SalesDrillRow:  # noqa: ANN001
        net, cogs = from_minor(r[2], exp), from_minor(r[3], exp)
        return SalesDrillRow(so_label(r[4]), r[0], r[1], net, cogs, net - cogs, "sales_order", r[5])

    return keyset_page(uow.session, stmt, SalesOrder.number, SalesOrder.id, req, to_row)


# --- win / loss ---------------------------------------------------------------------------


def _closing_stage(uow: UnitOfWork):  # noqa: ANN202
    """Per closed deal, the stage it stood in when it was won or lost (from the audit trail:
    the last win or lose event's ``before``)."""
    last = (
        select(AuditEvent.entity_id.label("deal_id"), func.max(AuditEvent.id).label("event_id"))
        .where(AuditEvent.entity == "deal", AuditEvent.action.in_(("win", "lose")))
        .group_by(AuditEvent.entity_id)
        .subquery("last_close")
    )
    if uow.store.is_sqlite:
        stage_id = cast(func.json_extract(AuditEvent.before, "$.stage_id"), Integer)
    else:
        stage_id = cast(cast(AuditEvent.before, JSON)["stage_id"].as_string(), Integer)
    return (
        select(last.c.deal_id, stage_id.label("stage_id"))
        .join(AuditEvent, AuditEvent.id == last.c.event_id)
        .subquery("closing")
    )


def _win_loss_base(uow: UnitOfWork, by: str, date_from: date | None, date_to: date | None):  # noqa: ANN202
    """(key, label, statement joined and filtered to deals closed in the period)."""
    stmt = (
        select()
        .select_from(Deal)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(
            PipelineStage.kind.in_(("won", "lost")),
            Deal.closed_at.is_not(None),
            *_at_between(Deal.closed_at, date_from, date_to),
        )
    )
    if by == "stage":
        closing = _closing_stage(uow)
        reached = PipelineStage.__table__.alias("reached")
        stmt = stmt.outerjoin(closing, closing.c.deal_id == Deal.id).outerjoin(
            reached, reached.c.id == closing.c.stage_id
        )
        return reached.c.id, reached.c.name, stmt
    if by == "owner":
        return Deal.owner, Deal.owner, stmt
    reason = func.trim(Deal.close_reason)
    return reason, reason, stmt


@dataclass(frozen=True)
class WinLossRow:
    key: Any
    value: str
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    win_rate: Decimal | None  # won / (won + lost), by count


@requires("reports.crm")
def win_loss(
    uow: UnitOfWork, by: str = "reason", date_from: date | None = None, date_to: date | None = None
) -> tuple[list[WinLossRow], WinLossRow]:
    """Deals won and lost in a period, counts and (estimated) amounts, by close reason, by
    the stage they stood in when closed, or by owner."""
    _check_by(by, WIN_LOSS_BY)
    check_period(date_from, date_to)
    exp = uow.exponent
    key, shown, base = _win_loss_base(uow, by, date_from, date_to)
    won = PipelineStage.kind == "won"
    lost = PipelineStage.kind == "lost"
    stmt = base.add_columns(
        key,
        func.min(shown),
        func.sum(case((won, 1), else_=0)),
        func.sum(case((won, Deal.amount_minor), else_=0)),
        func.sum(case((lost, 1), else_=0)),
        func.sum(case((lost, Deal.amount_minor), else_=0)),
    ).group_by(key)
    rows = []
    for k, label, nw, aw, nl, al in uow.session.execute(stmt):
        nw, nl = int(nw or 0), int(nl or 0)
        shown_label = label if label not in (None, "") else Message(NONE)
        if by == "stage" and k is None:
            shown_label = Message("(not recorded)")
        rows.append(
            WinLossRow(
                k,
                shown_label,
                nw,
                from_minor(aw, exp),
                nl,
                from_minor(al, exp),
                _percent(nw, nw + nl),
            )
        )
    rows.sort(key=lambda r: (-(r.won + r.lost), str(r.value)))
    nw, nl = sum(r.won for r in rows), sum(r.lost for r in rows)
    total = WinLossRow(
        None,
        Message("Total"),
        nw,
        sum((r.won_amount for r in rows), from_minor(0, exp)),  # 0.00 when none
        nl,
        sum((r.lost_amount for r in rows), from_minor(0, exp)),
        _percent(nw, nw + nl),
    )
    return rows, total


@dataclass(frozen=True)
class DealDrillRow:
    title: str
    contact: str
    owner: str
    outcome: str
    closed: date
    amount: Decimal
    reason: str
    record: str
    record_id: int

    @property
    def id(self) -> int:  # the paged table keys its rows by id
        return self.record_id


@requires("reports.crm")
def deals_behind(
    uow: UnitOfWork,
    by: str,
    key: Any,  # noqa: ANN401
    date_from: date | None,
    date_to: date | None,
    req: PageRequest,
) -> Page[DealDrillRow]:
    """The deals behind a row of the win/loss report, newest closed first."""
    _check_by(by, WIN_LOSS_BY)
    exp = uow.exponent
    group, _shown, base = _win_loss_base(uow, by, date_from, date_to)
    stmt = (
        base.add_columns(
            Deal.title,
            Contact.name,
            Deal.owner,
            PipelineStage.kind,
            Deal.amount_minor,
            Deal.close_reason,
            Deal.closed_at,
            Deal.id,
        )
        .join(Contact, Contact.id == Deal.contact_id)
        .where(_matches(group, key))
    )

    def to_row(r) -> DealDrillRow:  # noqa: ANN001
        outcome = Message("won") if r[3] == "won" else Message("lost")
        closed = r[6].date() if isinstance(r[6], datetime) else r[6]
        return DealDrillRow(
            r[0], r[1], r[2] or "", outcome, closed, from_minor(r[4], exp), r[5], "deal", r[7]
        )

    req = PageRequest(
        limit=req.limit, after=req.after, before=req.before, last=req.last, descending=True
    )
    return keyset_page(uow.session, stmt, Deal.closed_at, Deal.id, req, to_row)


# --- order cycle times --------------------------------------------------------------------


def _month(uow: UnitOfWork, col: ColumnElement) -> ColumnElement:
    if uow.store.is_sqlite:
        return func.substr(col, 1, 7)
    return func.to_char(col, "YYYY-MM")


def _days(uow: UnitOfWork, later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    if uow.store.is_sqlite:
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


def _sales_steps(uow: UnitOfWork):  # noqa: ANN202
    """Per sales order (not draft nor cancelled): the day it was ordered, first delivered
    (the first delivery's entry; a delivery of nothing stocked posts none: the first invoice
    then stands for it), first invoiced, and paid (the last payment, once the order is
    settled: closed). Each a lookup by the order's indexes (what a period's orders cost, not
    what the whole store holds)."""
    lines = select(SalesLine.id).where(SalesLine.order_id == SalesOrder.id).correlate(SalesOrder)
    delivered = (
        select(func.min(JournalEntry.date))
        .select_from(StockMove)
        .join(JournalEntry, JournalEntry.id == StockMove.entry_id)
        .where(
            StockMove.source_kind == "sales_line",
            StockMove.source_id.in_(lines),  # the order's lines first, then their moves
            StockMove.qty_scaled < 0,
        )
        .scalar_subquery()
    )
    invoiced = (
        select(func.min(Invoice.issued_on))
        .where(Invoice.order_id == SalesOrder.id, Invoice.kind == "invoice")
        .scalar_subquery()
    )
    paid = (
        select(func.max(CustomerPayment.paid_on))
        .join(Invoice, Invoice.id == CustomerPayment.invoice_id)
        .where(Invoice.order_id == SalesOrder.id)
        .scalar_subquery()
    )
    closed = SalesOrder.state == "closed"
    delivered_day = case(
        (SalesOrder.state.in_(("draft", "confirmed", "cancelled")), None),
        else_=func.coalesce(delivered, invoiced),
    )
    return select(
        SalesOrder.id.label("id"),
        SalesOrder.order_date.label("ordered"),
        delivered_day.label("delivered"),
        invoiced.label("invoiced"),
        case((closed, paid), else_=None).label("paid"),
        closed.label("settled"),
    ).where(SalesOrder.state.not_in(("draft", "cancelled")))


def _purchase_steps(uow: UnitOfWork):  # noqa: ANN202
    """Per purchase order (not draft nor cancelled): ordered, first received (the first
    receipt's entry), first billed, and paid (the last payment, once every bill is paid)."""
    lines = (
        select(PurchaseLine.id)
        .where(PurchaseLine.order_id == PurchaseOrder.id)
        .correlate(PurchaseOrder)
    )
    received = (
        select(func.min(JournalEntry.date))
        .select_from(StockMove)
        .join(JournalEntry, JournalEntry.id == StockMove.entry_id)
        .where(
            StockMove.source_kind == "purchase_line",
            StockMove.source_id.in_(lines),
            StockMove.qty_scaled > 0,
        )
        .scalar_subquery()
    )
    bills = SupplierBill.order_id == PurchaseOrder.id
    billed = select(func.min(SupplierBill.bill_date)).where(bills).scalar_subquery()
    billed_total = select(func.sum(SupplierBill.total_minor)).where(bills).scalar_subquery()
    paid_q = select(SupplierPayment).join(SupplierBill, SupplierBill.id == SupplierPayment.bill_id)
    paid = paid_q.with_only_columns(func.max(SupplierPayment.paid_on)).where(bills)
    paid_total = paid_q.with_only_columns(func.sum(SupplierPayment.amount_minor)).where(bills)
    settled = and_(billed_total.is_not(None), paid_total.scalar_subquery() >= billed_total)
    return select(
        PurchaseOrder.id.label("id"),
        PurchaseOrder.order_date.label("ordered"),
        received.label("delivered"),
        billed.label("invoiced"),
        case((settled, paid.scalar_subquery()), else_=None).label("paid"),
        case((settled, True), else_=False).label("settled"),
    ).where(PurchaseOrder.state.not_in(("draft", "cancelled")))


def _steps(uow: UnitOfWork, of: str, date_from: date | None, date_to: date | None):  # noqa: ANN202
    steps = _sales_steps(uow) if of == "sales" else _purchase_steps(uow)
    order = SalesOrder if of == "sales" else PurchaseOrder
    return steps.where(*_between(order.order_date, date_from, date_to)).subquery("steps")


STEPS = ("delivered", "invoiced", "paid")  # each measured from the step before it


@dataclass(frozen=True)
class StepTimes:
    done: int  # orders that reached the step (with a known day)
    median: int | None  # days, nearest rank
    p90: int | None
    waiting: int  # orders that reached the step before and not this one


@dataclass(frozen=True)
class CycleRow:
    month: str
    orders: int
    steps: dict[str, StepTimes]
    total: StepTimes  # order -> paid


def _rank(hist: list[tuple[int, int]], n: int, percent: int) -> int | None:
    """The nearest-rank ``percent``-th percentile of days from (days, count) sorted by days
    (whole numbers: 0.9 * 10 in floating point is 9.000000000000002, whose ceiling is 10)."""
    if not n:
        return None
    want = max(1, -(-percent * n // 100))
    seen = 0
    for days, count in hist:
        seen += count
        if seen >= want:
            return days
    return hist[-1][0]


@requires("reports.finance")
def cycle_times(
    uow: UnitOfWork, of: str = "sales", date_from: date | None = None, date_to: date | None = None
) -> tuple[list[CycleRow], CycleRow]:
    """Orders of a period by the month they were placed: days from order to delivery (or
    receipt), to invoice (or bill) and to payment, median and 90th percentile, and how many
    still wait at each step. Histograms come from SQL (days and counts per month); only
    their few distinct values are walked here."""
    if of not in CYCLE_OF:
        raise ValidationError({"of": must_be_one_of(CYCLE_OF)})
    check_period(date_from, date_to)
    steps = _sales_steps(uow) if of == "sales" else _purchase_steps(uow)
    order = SalesOrder if of == "sales" else PurchaseOrder
    s = steps.where(*_between(order.order_date, date_from, date_to)).cte("steps")
    month = _month(uow, s.c.ordered)
    prev = {"delivered": s.c.ordered, "invoiced": s.c.delivered, "paid": s.c.invoiced}
    wait_cond = {
        "delivered": s.c.delivered.is_(None),
        "invoiced": and_(s.c.delivered.is_not(None), s.c.invoiced.is_(None)),
        "paid": and_(s.c.invoiced.is_not(None), s.c.settled.is_not(True)),
    }
    # one pass over the period's orders (the CTE is read once, materialized): per month,
    # the orders, those waiting at each step and, per step, a histogram of days
    parts = [select(month.label("m"), literal("orders").label("k"), literal(0).label("d"))]
    for st in STEPS:
        parts.append(select(month, literal(f"wait:{st}"), literal(0)).where(wait_cond[st]))
    spans = {st: (s.c[st], prev[st]) for st in STEPS}
    spans["total"] = (s.c.paid, s.c.ordered)
    for st, (later, earlier) in spans.items():
        parts.append(
            select(month, literal(st), _days(uow, later, earlier)).where(
                later.is_not(None), earlier.is_not(None)
            )
        )
    u = union_all(*parts).subquery("parts")
    counts: dict[str, int] = {}
    waiting: dict[tuple[str, str], int] = {}
    hists: dict[tuple[str, str], list[tuple[int, int]]] = {}
    stmt = select(u.c.m, u.c.k, u.c.d, func.count()).group_by(u.c.m, u.c.k, u.c.d)
    for m, k, d, n in uow.session.execute(stmt):
        if k == "orders":
            counts[m] = int(n)
        elif k.startswith("wait:"):
            waiting[(m, k[5:])] = int(n)
        else:
            hists.setdefault((m, k), []).append((int(d), int(n)))
            hists.setdefault(("", k), []).append((int(d), int(n)))

    def times(m: str, st: str) -> StepTimes:
        hist = sorted(hists.get((m, st), []))
        if m == "":  # the whole period: the months' histograms merged
            merged: dict[int, int] = {}
            for d, n in hist:
                merged[d] = merged.get(d, 0) + n
            hist = sorted(merged.items())
        n = sum(c for _d, c in hist)
        wait = (
            sum(v for (mm, s2), v in waiting.items() if s2 == st)
            if m == ""
            else waiting.get((m, st), 0)
        )
        return StepTimes(n, _rank(hist, n, 50), _rank(hist, n, 90), 0 if st == "total" else wait)

    rows = [
        CycleRow(m, counts[m], {st: times(m, st) for st in STEPS}, times(m, "total"))
        for m in sorted(counts)
    ]
    total = CycleRow(
        Message("Total"),
        sum(counts.values()),
        {st: times("", st) for st in STEPS},
        times("", "total"),
    )
    return rows, total


@dataclass(frozen=True)
class OrderDrillRow:
    order: str
    contact: str
    ordered: date
    delivered: date | None
    invoiced: date | None
    paid: date | None
    record: str
    record_id: int

    @property
    def id(self) -> int:  # the paged table keys its rows by id
        return self.record_id


@requires("reports.finance")
def orders_behind(
    uow: UnitOfWork,
    of: str,
    month: str | None,
    date_from: date | None,
    date_to: date | None,
    req: PageRequest,
) -> Page[OrderDrillRow]:
    """The orders of a month of the cycle-time report (all of the period with no month),
    with the day each reached each step."""
    if of not in CYCLE_OF:
        raise ValidationError({"of": must_be_one_of(CYCLE_OF)})
    s = _steps(uow, of, date_from, date_to)
    order = SalesOrder if of == "sales" else PurchaseOrder
    party = SalesOrder.customer_id if of == "sales" else PurchaseOrder.supplier_id
    stmt = (
        select(
            Contact.name,
            s.c.ordered,
            s.c.delivered,
            s.c.invoiced,
            s.c.paid,
            order.number,
            order.id,
        )
        .select_from(s)
        .join(order, order.id == s.c.id)
        .join(Contact, Contact.id == party)
    )
    if month:
        stmt = stmt.where(_month(uow, s.c.ordered) == month)
    label = so_label if of == "sales" else po_label
    record = "sales_order" if of == "sales" else "purchase_order"

    def to_row(r) -> OrderDrillRow:  # noqa: ANN001
        return OrderDrillRow(label(r[5]), r[0], r[1], r[2], r[3], r[4], record, r[6])

    return keyset_page(uow.session, stmt, order.number, order.id, req, to_row)


# --- segments in a period, with age groups -----------------------------------------------


def _segment_key(by: str, on: date) -> ColumnElement:
    if by == "tag":
        return ContactTag.tag
    if by == "age":
        return age_group(Contact.birth_date, on)
    return func.coalesce(getattr(Contact, by), "")


def _segment_base(by: str, date_from: date | None, date_to: date | None):  # noqa: ANN202
    """(key, statement over live contacts with what each bought in the period, the
    'created in the period' condition, the 'bought in it' condition)."""
    sign = case((Invoice.kind == "credit", -Invoice.net_minor), else_=Invoice.net_minor)
    bought = (
        select(Invoice.customer_id.label("cid"), func.sum(sign).label("net"))
        .where(*_between(Invoice.issued_on, date_from, date_to))
        .group_by(Invoice.customer_id)
        .subquery("bought")
    )
    key = _segment_key(by, date_to or date.today())
    stmt = select().select_from(Contact)
    if by == "tag":
        stmt = stmt.join(ContactTag, ContactTag.contact_id == Contact.id)
    stmt = stmt.outerjoin(bought, bought.c.cid == Contact.id).where(Contact.archived.is_(False))
    created = (
        and_(*_at_between(Contact.created_at, date_from, date_to))
        if (date_from or date_to)
        else literal(True)
    )
    return key, stmt, created, bought


@dataclass(frozen=True)
class SegmentPeriodRow:
    key: Any
    value: str
    contacts: int  # created in the period
    customers: int  # bought in the period (net of credit notes, any amount)
    sales: Decimal


@requires("reports.crm")
def segments_in_period(
    uow: UnitOfWork, by: str = "city", date_from: date | None = None, date_to: date | None = None
) -> list[SegmentPeriodRow]:
    """Per group of live contacts (by city, country, tag, stage, owner or age group on the
    last day of the period): contacts created in the period, customers who bought in it and
    what they bought (net of credit notes). Groups with neither are left out."""
    _check_by(by, SEGMENT_BY)
    check_period(date_from, date_to)
    key, stmt, created, bought = _segment_base(by, date_from, date_to)
    new = func.sum(case((created, 1), else_=0))
    buyers = func.count(bought.c.cid)
    stmt = (
        stmt.add_columns(key, new, buyers, func.coalesce(func.sum(bought.c.net), 0))
        .group_by(key)
        .having(or_(new > 0, buyers > 0))
        .order_by(new.desc(), key)
    )
    exp = uow.exponent
    out = []
    for k, n, b, net in uow.session.execute(stmt):
        value = age_label(k) if by == "age" else (k or Message(NONE))
        if by == "stage" and k:
            value = word_message(CONTACT_STAGE_NAMES, k)
        out.append(SegmentPeriodRow(k, value, int(n or 0), int(b or 0), from_minor(int(net), exp)))
    if by == "age":  # in the order of age, every group shown
        found = {r.key: r for r in out}
        out = [
            found.get(k, SegmentPeriodRow(k, age_label(k), 0, 0, from_minor(0, exp)))
            for k, _s in AGE_GROUPS
        ]
    return out


@dataclass(frozen=True)
class ContactDrillRow:
    name: str
    city: str
    stage: str
    created: date
    sales: Decimal
    record: str
    record_id: int

    @property
    def id(self) -> int:  # the paged table keys its rows by id
        return self.record_id


@requires("reports.crm")
def contacts_behind(
    uow: UnitOfWork,
    by: str,
    key: Any,  # noqa: ANN401
    date_from: date | None,
    date_to: date | None,
    req: PageRequest,
) -> Page[ContactDrillRow]:
    """The contacts behind a row of the segments report: created in the period or bought
    in it (everyone of the group with no period), by name."""
    _check_by(by, SEGMENT_BY)
    group, stmt, created, bought = _segment_base(by, date_from, date_to)
    cond = group == key  # (a missing city or owner is '' in the key)
    stmt = stmt.add_columns(
        Contact.name,
        Contact.city,
        Contact.stage,
        Contact.created_at,
        func.coalesce(bought.c.net, 0),
        Contact.sort_name,
        Contact.id,
    ).where(cond, or_(created, bought.c.cid.is_not(None)))
    exp = uow.exponent

    def to_row(r) -> ContactDrillRow:  # noqa: ANN001
        day = r[3].date() if isinstance(r[3], datetime) else r[3]
        return ContactDrillRow(r[0], r[1], r[2], day, from_minor(int(r[4]), exp), "contact", r[6])

    return keyset_page(uow.session, stmt, Contact.sort_name, Contact.id, req, to_row)


def drill(uow: UnitOfWork, spec: dict[str, Any], req: PageRequest) -> Page:
    """One page of the rows behind a report's row (``spec``: the row's ``drill``)."""
    kind = spec["kind"]
    period = (spec.get("date_from"), spec.get("date_to"))
    if kind == "sales":
        return sales_behind(uow, spec["by"], spec["key"], *period, req)
    if kind == "deals":
        return deals_behind(uow, spec["by"], spec["key"], *period, req)
    if kind == "orders":
        return orders_behind(uow, spec["of"], spec["key"], *period, req)
    return contacts_behind(uow, spec["by"], spec["key"], *period, req)
