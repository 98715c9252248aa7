"""Stock levels: how much of a product is on hand (where), promised and on order, and
what it is worth at moving-average cost. Every figure is a sum over the moves, never a
counter of its own."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import ColumnElement, and_, func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.models.making import AssemblyLine, AssemblyOrder, Bom, BomKind, MOState, SalesKitLine
from bizdesk.models.purchasing import POState, PurchaseLine, PurchaseOrder
from bizdesk.models.sales import SalesLine, SalesOrder, SOState
from bizdesk.models.stock import Product, StockMove
from bizdesk.money import QTY_SCALE
from bizdesk.services.base.permissions import requires

OPEN_PO_STATES = (POState.DRAFT, POState.SENT, POState.CONFIRMED, POState.PARTIALLY_RECEIVED)
# the sales orders whose lines not yet delivered hold stock (those a delivery starts from)
RESERVING_SO_STATES = (SOState.CONFIRMED, SOState.PARTIALLY_DELIVERED)
# the assembly orders whose components not yet consumed are held for them
RESERVING_MO_STATES = (MOState.CONFIRMED, MOState.PARTIALLY_DONE)


@dataclass(frozen=True)
class LocationQty:
    location_id: int
    location: str
    on_hand: Decimal


def half_even(numerator: int, denominator: int = 1) -> int:
    """numerator / denominator to a whole number of minor units, half-even: the one rounding
    of stock values."""
    exact = Decimal(numerator) / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def totals(uow: UnitOfWork, product_id: int) -> tuple[int, int]:
    q, val = uow.session.execute(
        select(
            func.coalesce(func.sum(StockMove.qty_scaled), 0),
            func.coalesce(func.sum(StockMove.value_minor), 0),
        ).where(StockMove.product_id == product_id)
    ).one()
    return int(q), int(val)


def is_kit(uow: UnitOfWork, product_id: int) -> bool:
    """Whether the product's active bill of materials is a kit's (sold as one line, delivered
    as its components, never in stock itself)."""
    return (
        uow.session.scalar(
            select(Bom.id)
            .where(Bom.product_id == product_id, Bom.active.is_(True), Bom.kind == BomKind.KIT)
            .limit(1)
        )
        is not None
    )


@requires("stock.view")
def on_hand(uow: UnitOfWork, product_id: int) -> int:
    """Thousandths on hand over every location."""
    return totals(uow, product_id)[0]


@requires("stock.view")
def on_hand_at(uow: UnitOfWork, product_id: int, location_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(StockMove.qty_scaled), 0)).where(
                StockMove.product_id == product_id, StockMove.location_id == location_id
            )
        )
    )


@requires("stock.view")
def reserved(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
    """Thousandths promised to confirmed sales orders and not yet delivered (a kit's
    components for a kit sold), and held for confirmed assembly orders and not yet consumed,
    per product."""
    rows = uow.session.execute(
        select(SalesLine.product_id, func.sum(SalesLine.qty_scaled - SalesLine.delivered_scaled))
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .where(
            SalesOrder.state.in_(RESERVING_SO_STATES),
            SalesLine.product_id.in_(product_ids),
            ~_kit_sold(),
        )
        .group_by(SalesLine.product_id)
    )
    out = {pid: int(q) for pid, q in rows if q}
    in_kits = uow.session.execute(
        select(
            SalesKitLine.component_id,
            func.sum(
                SalesKitLine.per_kit_scaled
                * (SalesLine.qty_scaled - SalesLine.delivered_scaled)
                // QTY_SCALE
            ),
        )
        .join(SalesLine, SalesLine.id == SalesKitLine.sales_line_id)
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .where(
            SalesOrder.state.in_(RESERVING_SO_STATES),
            SalesKitLine.component_id.in_(product_ids),
        )
        .group_by(SalesKitLine.component_id)
    )
    for pid, q in in_kits:
        if q:
            out[pid] = out.get(pid, 0) + int(q)
    held = uow.session.execute(
        select(
            AssemblyLine.component_id,
            func.sum(AssemblyLine.qty_scaled - AssemblyLine.consumed_scaled),
        )
        .join(AssemblyOrder, AssemblyOrder.id == AssemblyLine.order_id)
        .where(
            AssemblyOrder.state.in_(RESERVING_MO_STATES),
            AssemblyLine.component_id.in_(product_ids),
        )
        .group_by(AssemblyLine.component_id)
    )
    for pid, q in held:
        if q:
            out[pid] = out.get(pid, 0) + int(q)
    return out


def _kit_sold():  # noqa: ANN202
    """Per sales line row: it sells a kit (its components are what it reserves and moves)."""
    return select(SalesKitLine.id).where(SalesKitLine.sales_line_id == SalesLine.id).exists()


def on_order(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
    rows = uow.session.execute(
        select(
            PurchaseLine.product_id,
            func.sum(PurchaseLine.qty_scaled - PurchaseLine.received_scaled),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseLine.order_id)
        .where(PurchaseOrder.state.in_(OPEN_PO_STATES), PurchaseLine.product_id.in_(product_ids))
        .group_by(PurchaseLine.product_id)
    )
    return {pid: int(q) for pid, q in rows}


def last_cost(uow: UnitOfWork, p: Product) -> int:
    cost = uow.session.scalar(
        select(StockMove.unit_cost_minor)
        .where(StockMove.product_id == p.id, StockMove.qty_scaled > 0)
        .order_by(StockMove.id.desc())
        .limit(1)
    )
    return int(cost) if cost is not None else p.cost_minor


def average_cost(uow: UnitOfWork, p: Product, qty: int, value: int) -> int:
    if qty > 0:
        return half_even(value * QTY_SCALE, qty)
    return last_cost(uow, p)


def sum_of_moves(column):  # noqa: ANN001, ANN202
    """Per product row of a query: the sum of a move column (on the covering move index)."""
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(StockMove.product_id == Product.id)
        .scalar_subquery()
    )


def reserved_subquery():  # noqa: ANN202
    """Per product row: what confirmed sales orders still have to deliver, and confirmed
    assembly orders still have to consume."""
    sold = (
        select(func.coalesce(func.sum(SalesLine.qty_scaled - SalesLine.delivered_scaled), 0))
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .where(
            SalesLine.product_id == Product.id,
            SalesOrder.state.in_(RESERVING_SO_STATES),
            ~_kit_sold(),
        )
        .scalar_subquery()
    )
    in_kits = (
        select(
            func.coalesce(
                func.sum(
                    SalesKitLine.per_kit_scaled
                    * (SalesLine.qty_scaled - SalesLine.delivered_scaled)
                    // QTY_SCALE
                ),
                0,
            )
        )
        .join(SalesLine, SalesLine.id == SalesKitLine.sales_line_id)
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .where(
            SalesKitLine.component_id == Product.id,
            SalesOrder.state.in_(RESERVING_SO_STATES),
        )
        .scalar_subquery()
    )
    held = (
        select(func.coalesce(func.sum(AssemblyLine.qty_scaled - AssemblyLine.consumed_scaled), 0))
        .join(AssemblyOrder, AssemblyOrder.id == AssemblyLine.order_id)
        .where(
            AssemblyLine.component_id == Product.id,
            AssemblyOrder.state.in_(RESERVING_MO_STATES),
        )
        .scalar_subquery()
    )
    return sold + in_kits + held


def low_condition(qty=None, promised=None) -> ColumnElement[bool]:  # noqa: ANN001
    """Per product row: a stocked product at or below its reorder point once what is
    promised (confirmed sales, confirmed assembly) has left; ``qty`` and ``promised`` are the
    row's on-hand and reserved subqueries when the statement selects them already."""
    qty = sum_of_moves(StockMove.qty_scaled) if qty is None else qty
    promised = reserved_subquery() if promised is None else promised
    return and_(
        Product.stocked.is_(True),
        Product.reorder_point_scaled > 0,
        qty - promised <= Product.reorder_point_scaled,
    )
