"""Orders for what the production plan is short of (services/making/plan.py).

A component bought in gets a purchase order: one draft per supplier, each short component at
its usual cost, or at what it last cost from a purchase order when it has none. A component
with no known supplier, or no cost to go by, is named in the answer, never guessed. Each
order is expected by the earliest planned date of the assembly orders short of its
components (plan.short_orders; today when that has passed: an order is not expected before
it is made), and its note names them ("For MO-00003, MO-00005").

A component made here (it has a bill of materials) gets a draft assembly order for what is
short, planned for that same date, its note naming the same orders; never a purchase order,
even when it has a supplier (the answer says so, naming it). Its own components are then in
the plan, and drafting again orders what they are short of: one level at a time, each shown
before it is ordered. Drafting an assembly order is making's right (making.edit): a user
without it is told so for those components, the others are ordered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.purchasing import POState, PurchaseLine, PurchaseOrder
from bizdesk.models.stock import Product
from bizdesk.money import QTY_SCALE, from_minor, qty_text
from bizdesk.services.base.permissions import can, owners_hint, refusal, requires
from bizdesk.services.making import assembly
from bizdesk.services.making.assembly import MOInput, MOView
from bizdesk.services.making.plan import (
    PlanNeed,
    PlanOrder,
    made_not_bought,
    production_plan,
    short_orders,
)
from bizdesk.services.trade.purchasing import POInput, POLineInput, POView, create

NAMED = 30  # the assembly orders a note names; more are counted ("and 12 more")


@dataclass(frozen=True)
class ShortageOrders:
    orders: list[POView]
    skipped: list[Message]  # the short components no order could be drafted for, and why
    assemblies: list[MOView] = field(default_factory=list)  # for the components made here
    notes: list[Message] = field(default_factory=list)  # made, not bought from its supplier
    said: list[Message] = field(default_factory=list)  # all of it, as the doors say it


def _last_cost(uow: UnitOfWork, product_id: int) -> int:
    cost = uow.session.scalar(
        select(PurchaseLine.unit_cost_minor)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseLine.order_id)
        .where(PurchaseLine.product_id == product_id, PurchaseOrder.state != POState.CANCELLED)
        .order_by(PurchaseOrder.id.desc(), PurchaseLine.id.desc())
        .limit(1)
    )
    return int(cost or 0)


def _short_by(uow: UnitOfWork, n: PlanNeed) -> str:
    return qty_text(int(n.short * QTY_SCALE), uow.input_locale)


@requires("purchases.edit")
def draft_shortage_orders(uow: UnitOfWork) -> ShortageOrders:
    """One draft purchase order per supplier for every component the plan is short of that
    is bought in, and a draft assembly order for each one made here."""
    by_supplier: dict[int, list[POLineInput]] = {}
    served: dict[int, dict[int, PlanOrder]] = {}  # per supplier, the assembly orders served
    skipped: list[Message] = []
    made: list[MOView] = []
    notes: list[Message] = []
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
                    qty=_short_by(uow, n),
                    unit=n.unit,
                )
            )
            continue
        if n.made:
            mo = _make(uow, n, sorted(needing.get(n.product_id, []), key=lambda o: o.label))
            if isinstance(mo, Message):
                skipped.append(mo)
                continue
            made.append(mo)
            if n.supplier:
                notes.append(made_not_bought(n))
            continue
        if n.supplier_id is None:
            skipped.append(
                Message(
                    "{sku} is short by {qty} {unit} but has no supplier (set one on the product)",
                    sku=n.sku,
                    qty=_short_by(uow, n),
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
        expected = _wanted_by(mos)
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
    said = [
        *(
            Message("Drafted {label} to {supplier}", label=po.label, supplier=po.supplier)
            for po in orders
        ),
        *(
            Message(
                "Drafted {label} to make {qty} {unit} {sku}",
                label=mo.label,
                qty=qty_text(int(mo.qty * QTY_SCALE), uow.input_locale),
                unit=mo.unit,
                sku=mo.sku,
            )
            for mo in made
        ),
        *notes,
        *skipped,
    ]
    if made:
        said.append(
            Message(
                "What the new assembly orders need is in the plan now; drafting again orders "
                "what is short of it."
            )
        )
    if not said:
        said.append(Message("Nothing is short: no purchase order drafted."))
    return ShortageOrders(orders, skipped, made, notes, said)


def _wanted_by(mos: list[PlanOrder]) -> date | None:
    """When what the assembly orders ``mos`` are short of is wanted: the earliest planned
    date, today when that has passed."""
    return max(min(mo.planned_date for mo in mos), date.today()) if mos else None


def _make(uow: UnitOfWork, n: PlanNeed, mos: list[PlanOrder]) -> MOView | Message:
    """A draft assembly order for what a component made here is short of, or why none."""
    if not can(uow, "making.edit"):  # purchases.edit does not cover making it
        return Message(
            "{sku} is short by {qty} {unit} and is made here: {why}",
            sku=n.sku,
            qty=_short_by(uow, n),
            unit=n.unit,
            why=refusal(uow.role, "making.edit", owners_hint(uow)),
        )
    wanted = _wanted_by(mos)
    try:
        mo = assembly.create(
            uow,
            MOInput(
                product=f"#{n.product_id}",
                qty=n.short,
                planned_date=wanted.isoformat() if wanted else "",
                notes=_note(uow, mos),
            ),
        )
    except ValidationError as exc:  # such as a quantity its bill cannot make exactly
        return Message(
            "{sku} is short by {qty} {unit} and is made here, but no assembly order could "
            "be drafted: {why}",
            sku=n.sku,
            qty=_short_by(uow, n),
            unit=n.unit,
            why=next(iter(exc.fields.values())),
        )
    return mo


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
