"""Stock reports: valuation and low stock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.models.contacts import Contact
from bizdesk.models.stock import Product, StockMove
from bizdesk.money import QTY_SCALE, from_minor, qty_from_scaled
from bizdesk.services.base.permissions import requires
from bizdesk.services.inventory.levels import (
    half_even,
    low_condition,
    on_order,
    reserved_subquery,
    sum_of_moves,
)


@dataclass(frozen=True)
class ValuationRow:
    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    average_cost: Decimal
    value: Decimal


@requires("reports.stock")
def valuation(uow: UnitOfWork) -> tuple[list[ValuationRow], Decimal]:
    """Quantity and value per product (one GROUP BY over the moves)."""
    exp = uow.exponent
    rows = uow.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            func.sum(StockMove.qty_scaled),
            func.sum(StockMove.value_minor),
        )
        .join(StockMove, StockMove.product_id == Product.id)
        .group_by(Product.id, Product.sku, Product.name, Product.unit)
        .order_by(Product.sku)
    ).all()
    out = []
    total = 0
    for pid, sku, name, unit, q, val in rows:
        if not q and not val:
            continue
        total += val
        avg = half_even(val * QTY_SCALE, q) if q > 0 else 0
        out.append(
            ValuationRow(
                pid, sku, name, unit, qty_from_scaled(q), from_minor(avg, exp), from_minor(val, exp)
            )
        )
    return out, from_minor(total, exp)


@requires("reports.stock")
def total_stock_value(uow: UnitOfWork) -> int:
    return int(uow.session.scalar(select(func.coalesce(func.sum(StockMove.value_minor), 0))))


@dataclass(frozen=True)
class LowStockRow:
    product_id: int
    sku: str
    name: str
    supplier_id: int | None
    supplier: str
    on_hand: Decimal
    reserved: Decimal  # promised to confirmed sales and assembly orders
    on_order: Decimal
    reorder_point: Decimal
    reorder_qty: Decimal
    suggested: Decimal  # what a draft order would ask for (0: enough is on order)


@requires("reports.stock")
def low_stock_count(uow: UnitOfWork) -> int:
    """How many active products are at or below their reorder point (what is promised
    counted as gone)."""
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(Product)
            .where(Product.active.is_(True), low_condition())
        )
    )


@requires("reports.stock")
def low_stock(uow: UnitOfWork) -> list[LowStockRow]:
    """Active products at or below their reorder point once what is promised has left,
    with what is already on order: what to order brings the free stock above the point."""
    qty = sum_of_moves(StockMove.qty_scaled)
    promised = reserved_subquery()
    rows = uow.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.supplier_id,
            Contact.name,
            qty,
            promised,
            Product.reorder_point_scaled,
            Product.reorder_qty_scaled,
        )
        .outerjoin(Contact, Contact.id == Product.supplier_id)
        .where(Product.active.is_(True), low_condition(qty, promised))
        .order_by(Contact.sort_name, Product.sku)
    ).all()
    coming = on_order(uow, [r[0] for r in rows])
    out = []
    for pid, sku, name, sid, sname, q, res, point, rq in rows:
        ordered = coming.get(pid, 0)
        free = q - res
        suggest = 0 if free + ordered > point else (rq or point - free - ordered)
        out.append(
            LowStockRow(
                pid,
                sku,
                name,
                sid,
                sname or "",
                qty_from_scaled(q),
                qty_from_scaled(res),
                qty_from_scaled(ordered),
                qty_from_scaled(point),
                qty_from_scaled(rq),
                qty_from_scaled(suggest),
            )
        )
    return out
