"""The production plan: the open assembly orders (draft and confirmed) by planned date and,
per component, what they still need, what is on hand, reserved (by sales orders and
confirmed assembly orders), on order (open purchase orders) and being made (what open
assembly orders of that component are still to make), and what is short:

    short = what draft orders still need + reserved - on hand - on order - being made
                                                                          (never below 0)

(a confirmed order's components are in "reserved" already). A component with an active
bill of materials (of an assembly, not a kit) is made here: its shortage is met by an
assembly order, never by a purchase order, even when it has a supplier too (the plan says
so, naming the supplier: made_not_bought). Each other short component names the supplier a
purchase order would go to: the product's own supplier, else the one it was last bought
from; a component with neither is named as such, never guessed. Drafting the orders for the
shortage is in services/trade/shortage.py (trade is above making)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.i18n import Message
from bizdesk.models.contacts import Contact
from bizdesk.models.making import AssemblyLine, AssemblyOrder, Bom, BomKind, MOState
from bizdesk.models.purchasing import POState, PurchaseLine, PurchaseOrder
from bizdesk.models.stock import Product, StockMove
from bizdesk.money import qty_from_scaled
from bizdesk.services.base.numbering import ASSEMBLY_ORDER
from bizdesk.services.base.permissions import requires
from bizdesk.services.inventory.levels import on_order, reserved, sum_of_moves

PLANNED_STATES = (MOState.DRAFT, MOState.CONFIRMED, MOState.PARTIALLY_DONE)
MAX_ORDERS = 500  # the plan shows the first orders by date; the rest are counted


@dataclass(frozen=True)
class PlanOrder:
    id: int
    label: str
    planned_date: date
    sku: str
    name: str
    qty: Decimal
    done: Decimal
    state: str


# an open order as the plan lists it: these columns, read by _plan_order (joined to Product)
_ORDER_COLUMNS = (
    AssemblyOrder.id,
    AssemblyOrder.number,
    AssemblyOrder.planned_date,
    Product.sku,
    Product.name,
    AssemblyOrder.qty_scaled,
    AssemblyOrder.done_scaled,
    AssemblyOrder.state,
)


def _plan_order(mo_id, number, planned, sku, name, qty, done, state) -> PlanOrder:  # noqa: ANN001
    label = ASSEMBLY_ORDER.label(number)
    return PlanOrder(
        mo_id, label, planned, sku, name, qty_from_scaled(qty), qty_from_scaled(done), state
    )


@dataclass(frozen=True)
class PlanNeed:
    product_id: int
    sku: str
    name: str
    unit: str
    needed: Decimal  # what the open orders still need (drafts and confirmed)
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    being_made: Decimal  # still to make by open assembly orders of this component
    short: Decimal
    supplier_id: int | None
    supplier: str  # "" when no supplier is known
    first_date: date  # the earliest planned date that needs it
    made: bool = False  # it has an active assembly bill of materials: made here, not bought


@dataclass(frozen=True)
class Plan:
    orders: list[PlanOrder]
    more_orders: int  # open orders beyond the first MAX_ORDERS (by date)
    needs: list[PlanNeed]

    @property
    def shortages(self) -> list[PlanNeed]:
        return [n for n in self.needs if n.short > 0]

    @property
    def to_make(self) -> list[PlanNeed]:
        """Short components made here: each wants an assembly order, not a purchase order."""
        return [n for n in self.shortages if n.made]

    @property
    def to_buy(self) -> list[PlanNeed]:
        """Short components bought in (no bill of materials of their own)."""
        return [n for n in self.shortages if not n.made]

    @property
    def unsupplied(self) -> list[PlanNeed]:
        """Short components no purchase order can be drafted for (no supplier known)."""
        return [n for n in self.to_buy if n.supplier_id is None]

    @property
    def made_not_bought(self) -> list[Message]:
        """What the plan does with a short component that has a bill of materials and a
        supplier (its own, or the one it was last bought from): it is made, not ordered;
        said, so that a shop that meant to buy it this time knows to order it itself."""
        return [made_not_bought(n) for n in self.to_make if n.supplier]


def made_not_bought(n: PlanNeed) -> Message:
    """That a component made here is not ordered from its supplier (the plan, and what
    drafting the orders did, say it the same way)."""
    return Message(
        "{sku} has a bill of materials: it is made here, not ordered from {supplier} (to "
        "buy it this time, draft that purchase order yourself)",
        sku=n.sku,
        supplier=n.supplier,
    )


def _made_here(uow: UnitOfWork, product_ids: list[int]) -> set[int]:
    """The products among these with an active bill of materials of an assembly (a kit's
    is never assembled)."""
    if not product_ids:
        return set()
    return set(
        uow.session.scalars(
            select(Bom.product_id).where(
                Bom.product_id.in_(product_ids),
                Bom.active.is_(True),
                Bom.kind == BomKind.ASSEMBLY,
            )
        )
    )


def last_suppliers(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
    """Per product, the supplier of its latest purchase order (by date, then number)."""
    if not product_ids:
        return {}
    latest = (
        select(
            PurchaseLine.product_id.label("pid"),
            func.max(PurchaseOrder.id).label("po_id"),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseLine.order_id)
        .where(PurchaseLine.product_id.in_(product_ids), PurchaseOrder.state != POState.CANCELLED)
        .group_by(PurchaseLine.product_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(latest.c.pid, PurchaseOrder.supplier_id).join(
            PurchaseOrder, PurchaseOrder.id == latest.c.po_id
        )
    )
    return {pid: sid for pid, sid in rows}


def _being_made(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
    """Per product (scaled), what its open assembly orders are still to make."""
    if not product_ids:
        return {}
    rows = uow.session.execute(
        select(
            AssemblyOrder.product_id,
            func.sum(AssemblyOrder.qty_scaled - AssemblyOrder.done_scaled),
        )
        .where(AssemblyOrder.state.in_(PLANNED_STATES), AssemblyOrder.product_id.in_(product_ids))
        .group_by(AssemblyOrder.product_id)
    )
    return {pid: int(q) for pid, q in rows if q}


@requires("stock.view")
def short_orders(uow: UnitOfWork, needs: list[PlanNeed]) -> dict[int, list[PlanOrder]]:
    """Per short component, the open assembly orders it is short for: what is on hand, on
    order and being made, less what is reserved, goes to the drafts by planned date (then
    number); the drafts it does not cover are short. When it does not cover even what is
    reserved, the confirmed orders that still need it are short as well."""
    short = [n for n in needs if n.short > 0]
    if not short:
        return {}
    rows = uow.session.execute(
        select(
            AssemblyLine.component_id,
            AssemblyLine.qty_scaled - AssemblyLine.consumed_scaled,
            *_ORDER_COLUMNS,
        )
        .join(AssemblyOrder, AssemblyOrder.id == AssemblyLine.order_id)
        .join(Product, Product.id == AssemblyOrder.product_id)
        .where(
            AssemblyOrder.state.in_(PLANNED_STATES),
            AssemblyLine.component_id.in_([n.product_id for n in short]),
            AssemblyLine.qty_scaled > AssemblyLine.consumed_scaled,
        )
        .order_by(AssemblyOrder.planned_date, AssemblyOrder.number)
    )
    cover = {n.product_id: n.on_hand + n.on_order + n.being_made - n.reserved for n in short}
    out: dict[int, list[PlanOrder]] = {}
    for cid, left, *order in rows:
        if order[-1] == MOState.DRAFT:
            cover[cid] -= qty_from_scaled(left)
            if cover[cid] >= 0:
                continue
        elif cover[cid] >= 0:  # held already: short only when what is held is not there
            continue
        out.setdefault(cid, []).append(_plan_order(*order))
    return out


@requires("stock.view")
def production_plan(uow: UnitOfWork) -> Plan:
    """The open assembly orders by planned date, and what their components need."""
    open_orders = AssemblyOrder.state.in_(PLANNED_STATES)
    rows = uow.session.execute(
        select(*_ORDER_COLUMNS)
        .join(Product, Product.id == AssemblyOrder.product_id)
        .where(open_orders)
        .order_by(AssemblyOrder.planned_date, AssemblyOrder.id)
        .limit(MAX_ORDERS + 1)
    ).all()
    total = (
        uow.session.scalar(select(func.count()).select_from(AssemblyOrder).where(open_orders)) or 0
    )
    orders = [_plan_order(*row) for row in rows[:MAX_ORDERS]]
    left = AssemblyLine.qty_scaled - AssemblyLine.consumed_scaled
    need_rows = uow.session.execute(
        select(
            AssemblyLine.component_id,
            func.sum(left),
            func.sum(case((AssemblyOrder.state == MOState.DRAFT, left), else_=0)),
            func.min(AssemblyOrder.planned_date),
        )
        .join(AssemblyOrder, AssemblyOrder.id == AssemblyLine.order_id)
        .where(open_orders, left > 0)
        .group_by(AssemblyLine.component_id)
    ).all()
    ids = [r[0] for r in need_rows]
    held = reserved(uow, ids)
    coming = on_order(uow, ids)
    making = _being_made(uow, ids)
    made = _made_here(uow, ids)
    products = {}
    if ids:
        qty = sum_of_moves(StockMove.qty_scaled)
        for pid, sku, name, unit, sid, sname, q in uow.session.execute(
            select(
                Product.id,
                Product.sku,
                Product.name,
                Product.unit,
                Product.supplier_id,
                Contact.name,
                qty,
            )
            .outerjoin(Contact, Contact.id == Product.supplier_id)
            .where(Product.id.in_(ids))
        ):
            products[pid] = (sku, name, unit, sid, sname, int(q))
    last = last_suppliers(uow, [i for i in ids if products[i][3] is None])
    names: dict[int, str] = {}
    if last:
        names = dict(
            uow.session.execute(
                select(Contact.id, Contact.name).where(Contact.id.in_(set(last.values())))
            ).all()
        )
    needs = []
    for cid, need, draft_need, first in need_rows:
        sku, name, unit, own, sname, here = products[cid]
        r = held.get(cid, 0)
        o = coming.get(cid, 0)
        m = making.get(cid, 0)
        short = max(0, int(draft_need or 0) + r - here - o - m)
        sid = own or last.get(cid)
        needs.append(
            PlanNeed(
                cid,
                sku,
                name,
                unit,
                qty_from_scaled(int(need)),
                qty_from_scaled(here),
                qty_from_scaled(r),
                qty_from_scaled(o),
                qty_from_scaled(m),
                qty_from_scaled(short),
                sid,
                (sname if own else names.get(sid, "")) or "",
                first,
                cid in made,
            )
        )
    needs.sort(key=lambda n: (n.short <= 0, n.first_date, n.sku))
    return Plan(orders, max(0, total - MAX_ORDERS), needs)


def plan_json(plan: Plan) -> dict:
    """The plan as ``bizdesk assembly plan --format json`` prints it (quantities as text)."""
    return {
        "orders": [
            {
                "number": o.label,
                "planned_date": o.planned_date.isoformat(),
                "sku": o.sku,
                "qty": str(o.qty),
                "done": str(o.done),
                "state": o.state,
            }
            for o in plan.orders
        ],
        "more_orders": plan.more_orders,
        "notes": [str(m) for m in plan.made_not_bought],
        "components": [
            {
                "sku": n.sku,
                "needed": str(n.needed),
                "on_hand": str(n.on_hand),
                "reserved": str(n.reserved),
                "on_order": str(n.on_order),
                "being_made": str(n.being_made),
                "short": str(n.short),
                "make": n.made,
                "supplier": n.supplier or None,
                "first_date": n.first_date.isoformat(),
            }
            for n in plan.needs
        ],
    }
