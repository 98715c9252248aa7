"""Kits: a product whose active bill of materials is of kind "kit" is sold as one line (its
price and VAT) and delivered as its components; it is never assembled and never in stock
itself. When a sales order is confirmed, each kit line takes a copy of what the kit is made
of (``SalesKitLine``): the reservation, the delivery and the returns work from that copy, so
a later version of the kit changes no order already promised."""

from __future__ import annotations

from sqlalchemy import select

from bizdesk.db.session import UnitOfWork
from bizdesk.models.making import BomKind, SalesKitLine
from bizdesk.money import QTY_SCALE
from bizdesk.services.making.boms import active_bom, bom_lines


def kit_components(uow: UnitOfWork, product_id: int) -> list[tuple[int, int]] | None:
    """(component id, thousandths per kit) of a kit; None when the product is not a kit."""
    bom = active_bom(uow, product_id)
    if bom is None or bom.kind != BomKind.KIT:
        return None
    return [(ln.component_id, ln.qty_scaled) for ln in bom_lines(uow, bom.id)]


def whole_kits(qty_scaled: int) -> bool:
    return qty_scaled % QTY_SCALE == 0


def sold_kit_lines(uow: UnitOfWork, line_ids: list[int]) -> dict[int, list[SalesKitLine]]:
    """The components copied onto these sales lines, per line (lines selling no kit absent)."""
    out: dict[int, list[SalesKitLine]] = {}
    if not line_ids:
        return out
    rows = uow.session.scalars(
        select(SalesKitLine)
        .where(SalesKitLine.sales_line_id.in_(line_ids))
        .order_by(SalesKitLine.id)
    )
    for row in rows:
        out.setdefault(row.sales_line_id, []).append(row)
    return out


def copy_kit(uow: UnitOfWork, line_id: int, components: list[tuple[int, int]]) -> None:
    """Record what the kit sold on a line is made of (when its order is confirmed)."""
    for component_id, per_kit in components:
        uow.session.add(
            SalesKitLine(sales_line_id=line_id, component_id=component_id, per_kit_scaled=per_kit)
        )
    uow.session.flush()


def per_kits(per_kit_scaled: int, kits_scaled: int) -> int:
    """Thousandths of a component in ``kits_scaled`` thousandths of whole kits (exact)."""
    return per_kit_scaled * kits_scaled // QTY_SCALE
