"""Purchase orders for what the production plan is short of (services/making/plan.py): one
draft per supplier, each short component at its usual cost, or at what it last cost from a
purchase order when it has none. A component with no known supplier, or no cost to go by,
is named in the answer, never guessed. Each order is expected by the earliest planned date
of the assembly orders short of its components (plan.short_orders; today when that has
passed: an order is not expected before it is made), and its note names them ("For
MO-00003, MO-00005")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bizdesk.db.session import UnitOfWork
from bizdesk.i18n import N_, Message, written
from bizdesk.models.purchasing import POState, PurchaseLine, PurchaseOrder
from bizdesk.models.stock import Product
from bizdesk.money import QTY_SCALE, from_minor, qty_text
from bizdesk.services.base.permissions import requires
from bizdesk.services.making.plan import PlanOrder, production_plan, short_orders
from bizdesk.services.trade.purchasing import POInput, POLineInput, POView, create

NAMED = 30  # the assembly orders a note names; more are counted ("and 12 more")


@dataclass(frozen=True)
class ShortageOrders:
    orders: list[POView]
    skipped: list[Message]  # the short components no order could be drafted for, and why


def _last_cost(uow: UnitOfWork, product_id: int) -> int:
    cost = uow.session.scalar(
        select(PurchaseLine.unit_cost_minor)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseLine.order_id)
        .where(PurchaseLine.product_id == product_id, PurchaseOrder.state != POState.CANCELLED)
        .order_by(PurchaseOrder.id.desc(), PurchaseLine.id.desc())
        .limit(1)
    )
    return int(cost or 0)


@requires("purchases.edit")
def draft_shortage_orders(uow: UnitOfWork) -> ShortageOrders:
    """One draft purchase order per supplier for every component the plan is short of."""
    by_supplier: dict[int, list[POLineInput]] = {}
    served: dict[int, dict[int, PlanOrder]] = {}  # per supplier, the assembly orders served
    skipped: list[Message] = []
    exp = uow.exponent
    shortages = production_plan(uow).shortages
    needing = short_orders(uow, shortages)
    for n in shortages:
        p = uow.session.get(Product, n.product_id)
        if not p.active:  # a purchase order takes no archived product: named, not refused
            skipped.append(
                Message(
                    "{sku} is short by {qty} {unit} but is archived (bring it back, or take it "
                    "out of the bills of materials that use it)",
                    sku=n.sku,
                    qty=qty_text(int(n.short * QTY_SCALE), uow.input_locale),
                    unit=n.unit,
                )
            )
            continue
        if n.supplier_id is None:
            skipped.append(
                Message(
                    "{sku} is short by {qty} {unit} but has no supplier (set one on the product)",
                    sku=n.sku,
                    qty=qty_text(int(n.short * QTY_SCALE), uow.input_locale),
                    unit=n.unit,
                )
            )
            continue
        cost = p.cost_minor or _last_cost(uow, n.product_id)
        if cost <= 0:
            skipped.append(Message("{sku} has no usual cost (set it on the product)", sku=n.sku))
            continue
        by_supplier.setdefault(n.supplier_id, []).append(
            POLineInput(product=f"#{n.product_id}", qty=n.short, unit_cost=from_minor(cost, exp))
        )
        for mo in needing.get(n.product_id, []):
            served.setdefault(n.supplier_id, {})[mo.id] = mo
    orders = []
    for sid, lines in sorted(by_supplier.items()):
        mos = sorted(served.get(sid, {}).values(), key=lambda mo: mo.label)
        expected = max(min(mo.planned_date for mo in mos), date.today()) if mos else None
        orders.append(
            create(
                uow,
                POInput(
                    supplier=f"#{sid}",
                    expected_date=expected.isoformat() if expected else "",
                    notes=_note(uow, mos),
                    lines=lines,
                ),
            )
        )
    return ShortageOrders(orders, skipped)


def _note(uow: UnitOfWork, mos: list[PlanOrder]) -> str:
    """A purchase order's note naming the assembly orders it serves, in the shop's language
    (stored: the order keeps it as written)."""
    if not mos:
        return ""
    names = ", ".join(mo.label for mo in mos[:NAMED])
    locale = uow.setting("locale")
    if len(mos) > NAMED:
        return written(locale, N_("For {orders} and {n} more"), orders=names, n=len(mos) - NAMED)
    return written(locale, N_("For {orders}"), orders=names)
