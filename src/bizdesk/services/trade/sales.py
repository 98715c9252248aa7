"""Sales orders: where the CRM meets the ERP.

draft -> confirmed (reserves stock) -> partially delivered -> delivered -> invoiced -> closed;
cancel before anything left the shop; the rest of an order partly delivered is closed (its
reservation released) and the order goes on as delivered, for what was. Delivering issues
stock at average cost (Dr Cost of goods sold / Cr Inventory); invoicing what was delivered
posts Dr Receivables / Cr Sales + VAT payable; payments Dr Bank|Cash / Cr Receivables. A
return takes invoiced goods back at the cost they left with (Dr Inventory / Cr COGS) and
issues a credit note (Dr Sales + VAT payable / Cr Receivables). A counter sale does order,
delivery, invoice and payment in one step.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.formatting import editable
from bizdesk.i18n import N_, Message, written
from bizdesk.models.contacts import Contact
from bizdesk.models.core import AuditEvent
from bizdesk.models.deals import Deal, DealLine
from bizdesk.models.ledger import Account, JournalEntry
from bizdesk.models.making import SalesKitLine
from bizdesk.models.sales import (
    CustomerPayment,
    Invoice,
    InvoiceLine,
    SalesLine,
    SalesOrder,
    SOState,
)
from bizdesk.models.stock import Location, Product
from bizdesk.money import (
    AmountError,
    from_minor,
    line_amounts,
    money_text,
    parse_money,
    percent_from_bp,
    qty_from_scaled,
    qty_text,
)
from bizdesk.reading import date_text
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import (
    CREDIT_NOTE,
    INVOICE,
    SALES_ORDER,
    invoice_label,
    next_number,
    so_label,
)
from bizdesk.services.base.paging import Page, PageRequest, keyset_page
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.shop_details import issuer_details, require_issuer, without_address
from bizdesk.services.base.states import state_word
from bizdesk.services.books.ledger import (
    Posting,
    account_for,
    payment_account,
    payment_day,
    post_entry,
)
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.crm.contacts import create as create_contact
from bizdesk.services.crm.contacts import resolve as resolve_contact
from bizdesk.services.crm.terms import due_date
from bizdesk.services.inventory.levels import LocationQty, on_hand, reserved
from bizdesk.services.inventory.locations import resolve_location
from bizdesk.services.inventory.moves import (
    issue_from_stock,
    plan_issue,
    return_into_stock,
    stock_by_location,
)
from bizdesk.services.inventory.products import standard_vat_rate
from bizdesk.services.making.kits import (
    copy_kit,
    kit_components,
    per_kits,
    sold_kit_lines,
    whole_kits,
)
from bizdesk.services.trade.doc_lines import CleanLine
from bizdesk.services.trade.orders import (
    Flow,
    OpenDocument,
    OrderKind,
    amount_paid,
    paid_after,
)

WALK_IN = N_("Walk-in customer")  # in the shop's language: written(locale, WALK_IN)
WALK_IN_SOURCE = N_("counter sale")  # where the walk-in customer came from, written so too

FLOW = Flow(
    SOState,
    {  # step: (the states it starts from, the states it may leave the order in)
        "confirm": ([SOState.DRAFT], [SOState.CONFIRMED]),  # stock is reserved
        "cancel": ([SOState.DRAFT, SOState.CONFIRMED], [SOState.CANCELLED]),
        "deliver": (
            [SOState.CONFIRMED, SOState.PARTIALLY_DELIVERED],
            [SOState.PARTIALLY_DELIVERED, SOState.DELIVERED],
        ),
        "invoice": (
            [SOState.PARTIALLY_DELIVERED, SOState.DELIVERED],
            [SOState.INVOICED],
        ),
        # the rest not delivered is released: delivered, or invoiced if all of that was
        "close_rest": ([SOState.PARTIALLY_DELIVERED], [SOState.DELIVERED, SOState.INVOICED]),
        "settle": ([SOState.INVOICED], [SOState.CLOSED]),  # every invoice paid or credited
    },
)
# the tables, numbers and states, the customer, the price on a line and where it defaults from
ORDERS = OrderKind(
    SalesOrder, SalesLine, SALES_ORDER, FLOW, "customer_id", "unit_price_minor", "sale_price_minor"
)


def why_not(step: str, state: str) -> Message:
    """Why ``step`` is not taken in ``state`` and what to do instead: the end of "SO-00007
    is delivered; ..." (each door says it when its key or command cannot act)."""
    if state == SOState.CANCELLED:
        return Message("it is cancelled; nothing more is done with it")
    early = state in (SOState.DRAFT, SOState.CONFIRMED)
    if step == "confirm":
        return Message("it is confirmed already")
    if step == "deliver":
        if state == SOState.DRAFT:
            return Message("confirm it first")
        return Message("nothing is left to deliver")
    if step == "invoice":
        if early:
            return Message("deliver first: an invoice is for what was delivered")
        return Message("nothing delivered waits for an invoice")
    if step == "cancel" and state == SOState.PARTIALLY_DELIVERED:
        return Message("part of it was delivered: close the rest instead")
    if step == "cancel":
        return Message("goods left the shop: return them instead")
    if step == "close_rest" and early:
        return Message("nothing was delivered yet: cancel it instead")
    return Message("nothing is left to deliver")


@dataclass
class SOLineInput:
    product: str = ""  # SKU; empty for a line that is not stock (a service, a fee)
    qty: str = "1"
    unit_price: str = ""  # empty: the product's sale price
    vat_rate: str = ""  # empty: the product's VAT rate
    description: str = ""


@dataclass
class SOInput:
    customer: str = ""
    order_date: str = ""
    notes: str = ""
    lines: list[SOLineInput] = field(default_factory=list)


@dataclass(frozen=True)
class SOLineView:
    id: int
    product_id: int | None
    sku: str
    description: str
    qty: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    delivered: Decimal
    invoiced: Decimal
    returned: Decimal

    @property
    def to_deliver(self) -> Decimal:
        return self.qty - self.delivered


@dataclass(frozen=True)
class InvoiceView:
    id: int
    kind: str
    label: str
    issued_on: date
    due_on: date
    net: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    entry_id: int
    # issued while the shop's address was not set (an invoice before require_issuer refused
    # it; a credit note): it carries none for good, as printing and sending it say
    without_shop_address: bool = False

    @property
    def open(self) -> Decimal:
        """Still to be paid (0 once settled, and for credit notes), an amount with the
        currency's decimals ("0.00", as "settled 0.00" beside it; it was "open 0")."""
        left = self.total - self.paid
        return left if self.kind == "invoice" and left > 0 else Decimal(0).quantize(self.total)

    @property
    def refund_due(self) -> Decimal:
        """Paid and credited beyond the total: money the customer gets back."""
        back = self.paid - self.total
        return back if self.kind == "invoice" and back > 0 else Decimal(0).quantize(self.total)


@dataclass(frozen=True)
class SOView:
    id: int
    number: int
    label: str
    customer_id: int
    customer: str
    deal_id: int | None
    state: str
    order_date: date
    notes: str
    lines: list[SOLineView]
    net: Decimal
    vat: Decimal
    total: Decimal
    invoices: list[InvoiceView]
    entries: list[tuple[int, str, str]]
    version: int

    @property
    def unpaid(self) -> Decimal:
        return sum((i.open for i in self.invoices), Decimal(0))

    @property
    def left_over(self) -> Decimal:
        """What is not delivered (what closing the rest releases, while the order is open)."""
        return sum((ln.to_deliver for ln in self.lines), Decimal(0))

    @property
    def released(self) -> Decimal:
        """What was ordered and will not be delivered: the rest closed (close_rest)."""
        if self.state not in (SOState.DELIVERED, SOState.INVOICED, SOState.CLOSED):
            return Decimal(0)
        return self.left_over


# --- orders -----------------------------------------------------------------------------------


def _clean(uow: UnitOfWork, data: SOInput) -> tuple[dict, list[dict]]:
    chk = v.Checker()
    cust = chk("customer", resolve_contact, uow, data.customer)
    head = {
        "customer_id": cust.id if cust else None,
        "order_date": chk("order_date", v.iso_date, data.order_date, local=uow.person_input)
        or date.today(),
        "notes": chk("notes", v.text, data.notes, max_len=2000, multiline=True) or "",
    }
    lines = ORDERS.clean_lines(uow, chk, data.lines, lambda line: _kit_refusal(uow, line))
    chk.done()
    return head, lines


def _kit_refusal(uow: UnitOfWork, line: CleanLine) -> Message | None:
    if not whole_kits(line.qty_scaled) and kit_components(uow, line.product.id) is not None:
        return Message("{sku} is a kit: it is sold in whole kits", sku=line.product.sku)
    return None


@requires("sales.edit")
def create(uow: UnitOfWork, data: SOInput, *, deal_id: int | None = None) -> SOView:
    head, lines = _clean(uow, data)
    return get(uow, ORDERS.create(uow, head, lines, deal_id=deal_id).id)


@requires("sales.edit")
def update(uow: UnitOfWork, order_id: int, data: SOInput, *, version: int) -> SOView:
    so = ORDERS.update(uow, order_id, lambda: _clean(uow, data), version=version)
    return get(uow, so.id)


@requires("sales.edit")
def from_deal(uow: UnitOfWork, deal_id: int) -> SOView | None:
    """The sales order of a won deal with product lines (None: the deal has no lines)."""
    existing = uow.session.scalars(select(SalesOrder.id).where(SalesOrder.deal_id == deal_id))
    if existing.first() is not None:
        return None
    deal = uow.session.get(Deal, deal_id)
    rows = uow.session.execute(
        select(DealLine, Product.sku)
        .outerjoin(Product, Product.id == DealLine.product_id)
        .where(DealLine.deal_id == deal_id)
        .order_by(DealLine.id)
    ).all()
    if not rows:
        return None
    exp = uow.exponent
    # a line without a product has no VAT rate of its own: the shop's standard rate, as a
    # new product gets (it was 0 %: bikes sold from a deal at no VAT), shown on the draft
    standard = standard_vat_rate(uow) or "0"
    lines = [
        SOLineInput(
            product=sku or "",
            qty=str(qty_from_scaled(ln.qty_scaled)),
            unit_price=str(from_minor(ln.unit_price_minor, exp)),
            vat_rate="" if sku else standard,
            description=ln.description,
        )
        for ln, sku in rows
    ]
    notes = written(uow.setting("locale"), N_("From deal: {title}"), title=deal.title)
    data = SOInput(customer=f"#{deal.contact_id}", notes=notes, lines=lines)
    with uow.machine_form():  # the stored figures, written above in the machine form
        return create(uow, data, deal_id=deal_id)


@requires("sales.edit")
def confirm(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> SOView:
    """Confirm a draft: its stock is reserved (refused when not enough is available)."""
    so = ORDERS.start(uow, order_id, "confirm", lambda st: why_not("confirm", st), version=version)
    lines = ORDERS.lines(uow, so.id)
    need: dict[int, int] = {}
    kits: dict[int, list[tuple[int, int]]] = {}
    chk = v.Checker()
    for ln in lines:
        if ln.product_id is None:
            continue
        parts = kit_components(uow, ln.product_id)
        if parts is None:
            need[ln.product_id] = need.get(ln.product_id, 0) + ln.qty_scaled
            continue
        if not whole_kits(ln.qty_scaled):
            sku = uow.session.get(Product, ln.product_id).sku
            chk.add(
                f"line {ln.position + 1} qty",
                Message("{sku} is a kit: it is sold in whole kits", sku=sku),
            )
        kits[ln.id] = parts
        for cid, per_kit in parts:  # a kit reserves its components
            need[cid] = need.get(cid, 0) + per_kits(per_kit, ln.qty_scaled)
    for pid, qty in need.items():
        p = uow.session.get(Product, pid, with_for_update=True)
        if p.allow_negative or not p.stocked:  # nothing to reserve for a service
            continue
        free = available(uow, pid)
        if qty > free:
            chk.add(
                p.sku,
                Message(
                    "only {free} {unit} available, {wanted} wanted",
                    free=qty_text(free, uow.input_locale),
                    unit=p.unit,
                    wanted=qty_text(qty, uow.input_locale),
                ),
            )
    if so.net_minor + so.vat_minor == 0:  # invoiced, it would post nothing: it would stay open
        chk.add(
            "lines",
            Message(
                "{label} totals {total}: an order is invoiced and posted, and nothing would be; "
                "give its lines a price",
                label=SALES_ORDER.label(so.number),
                total=money_text(0, uow.exponent, uow.input_locale),
            ),
        )
    chk.done()
    for line_id, parts in kits.items():
        copy_kit(uow, line_id, parts)
    ORDERS.move(uow, so, "confirm", SOState.CONFIRMED, "confirm")
    return get(uow, so.id)


def available(uow: UnitOfWork, product_id: int) -> int:
    """On hand (all locations) less what confirmed orders have reserved, in thousandths."""
    return on_hand(uow, product_id) - reserved(uow, [product_id]).get(product_id, 0)


@requires("sales.edit")
def cancel(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> SOView:
    so = ORDERS.start(uow, order_id, "cancel", lambda st: why_not("cancel", st), version=version)
    ORDERS.move(uow, so, "cancel", SOState.CANCELLED, "cancel")
    return get(uow, so.id)


@requires("sales.edit")
def close_rest(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> SOView:
    """Close what is not delivered of an order partly delivered: its reservation is
    released, nothing moves and nothing is posted. The order goes on as delivered (to
    invoice what was), invoiced if all of that is, closed if that is paid too."""
    so = ORDERS.start(
        uow, order_id, "close_rest", lambda st: why_not("close_rest", st), version=version
    )
    lines = ORDERS.lines(uow, so.id)
    released = {ln.id: ln.qty_scaled - ln.delivered_scaled for ln in lines}
    before = so.state
    done = all(ln.invoiced_scaled >= ln.delivered_scaled for ln in lines)
    FLOW.move(so, "close_rest", SOState.INVOICED if done else SOState.DELIVERED)
    moved = so.state
    _close_if_settled(uow, so)  # stamps the order when it closes it
    if so.state == moved:
        touch(uow, so)
    uow.audit(
        "sales_order",
        so.id,
        "close_rest",
        before={"state": before},
        after={"state": so.state, "released": {k: q for k, q in released.items() if q}},
    )
    return get(uow, so.id)


def _set_progress(so: SalesOrder, lines: list[SalesLine], step: str) -> None:
    if all(ln.invoiced_scaled >= ln.qty_scaled for ln in lines) or (
        so.state == SOState.DELIVERED  # its rest closed: all that was delivered is invoiced
        and all(ln.invoiced_scaled >= ln.delivered_scaled for ln in lines)
    ):
        FLOW.move(so, step, SOState.INVOICED)
    elif all(ln.delivered_scaled >= ln.qty_scaled for ln in lines):
        FLOW.move(so, step, SOState.DELIVERED)
    elif any(ln.delivered_scaled for ln in lines):
        FLOW.move(so, step, SOState.PARTIALLY_DELIVERED)


@requires("sales.deliver")
def deliver(
    uow: UnitOfWork,
    order_id: int,
    quantities: dict[int, object] | None = None,
    *,
    location: object = "",
    when: object = None,
    version: int | None = None,
) -> SOView:
    """Deliver quantities per line id (None: everything still to deliver). From the named
    location only; with none, each product is taken from the default location first, then
    from the others by most on hand, split over as many as it takes (stock.DELIVERY_RULE).
    Refused, naming what is where, when there is not enough. Services move no stock."""
    so = ORDERS.start(
        uow,
        order_id,
        "deliver",
        lambda st: why_not("deliver", st),
        version=version,
    )
    lines = {ln.id: ln for ln in ORDERS.lines(uow, so.id)}
    if quantities is None:
        quantities = {
            i: str(qty_from_scaled(ln.qty_scaled - ln.delivered_scaled))
            for i, ln in lines.items()
            if ln.qty_scaled > ln.delivered_scaled
        }
    chk = v.Checker()
    named = str(location or "").strip()
    loc = chk("location", resolve_location, uow, location) if named else None
    day = chk("date", v.iso_date, when, local=uow.person_input) or date.today()
    ORDERS.on_or_after_order(chk, so, day)
    ORDERS.not_ahead(chk, day)
    # every box's problem at once: a bad date and a bad quantity are both named
    todo = ORDERS.quantities(
        uow, chk, lines, quantities, lambda ln: ln.qty_scaled - ln.delivered_scaled, "delivered"
    )
    chk.done()
    kits = sold_kit_lines(uow, [ln.id for ln, _q in todo])
    _whole_kits(uow, todo, kits)
    # enough of every product (all its lines together) before anything moves; a kit is
    # delivered as its components
    stocked = _stocked_products(
        uow,
        [ln.product_id for ln, _q in todo if ln.id not in kits]
        + [k.component_id for rows in kits.values() for k in rows],
    )
    need: dict[int, int] = {}
    for ln, q in todo:
        for pid, qty in _goods(ln, q, kits):
            if pid in stocked:
                need[pid] = need.get(pid, 0) + qty
    chk = v.Checker()
    for pid, q in need.items():
        try:
            plan_issue(uow, stocked[pid], q, loc.id if loc else None)
        except ValidationError as exc:
            chk.errors.update(exc.fields)
    chk.done()
    moves = []
    taken: dict[int, list[tuple[str, int]]] = {}
    for ln, q in todo:
        rows = {k.component_id: k for k in kits.get(ln.id, [])}
        for pid, qty in _goods(ln, q, kits):
            if pid not in stocked:
                continue
            p = stocked[pid]
            for loc_id, part in plan_issue(uow, p, qty, loc.id if loc else None):
                move = issue_from_stock(uow, p.id, loc_id, part, ("sales_line", ln.id))
                ln.delivered_value_minor += -move.value_minor
                if pid in rows:
                    rows[pid].delivered_value_minor += -move.value_minor
                moves.append(move)
                taken.setdefault(ln.id, []).append((_location_name(uow, loc_id), part))
        ln.delivered_scaled += q
    cost = -sum(m.value_minor for m in moves)
    if cost:
        e = post_entry(
            uow,
            day,
            written(
                uow.setting("locale"), N_("Goods delivered on {order}"), order=so_label(so.number)
            ),
            [
                Posting(account_for(uow, "cogs").id, debit_minor=cost),
                Posting(account_for(uow, "inventory").id, credit_minor=cost),
            ],
            source=("sales_order", so.id),
        )
        for m in moves:
            m.entry_id = e.id
    _set_progress(so, list(lines.values()), "deliver")
    touch(uow, so)
    uow.audit(
        "sales_order",
        so.id,
        "deliver",
        after={
            "lines": {ln.id: q for ln, q in todo},
            "from": taken,
            "cost": cost,
            "state": so.state,
        },
    )
    return get(uow, so.id)


def _goods(ln: SalesLine, q: int, kits: dict[int, list[SalesKitLine]]) -> list[tuple[int, int]]:
    """(product id, thousandths) that leave or come back for ``q`` of a line: the product,
    or the components of the kit it sells."""
    if ln.id in kits:
        return [(k.component_id, per_kits(k.per_kit_scaled, q)) for k in kits[ln.id]]
    return [(ln.product_id, q)] if ln.product_id is not None else []


def _whole_kits(
    uow: UnitOfWork,
    todo: list[tuple[SalesLine, int]],
    kits: dict[int, list[SalesKitLine]],
) -> None:
    """A kit leaves and comes back in whole kits only."""
    chk = v.Checker()
    for ln, q in todo:
        if ln.id in kits and not whole_kits(q):
            sku = uow.session.get(Product, ln.product_id).sku
            chk.add(
                ln.description[:30] or f"line {ln.id}",
                Message("{sku} is a kit: whole kits only, not part of one", sku=sku),
            )
    chk.done()


def _stocked_products(uow: UnitOfWork, product_ids: list[int | None]) -> dict[int, Product]:
    """The stocked products among these (locked: their stock is about to move)."""
    out = {}
    for pid in dict.fromkeys(i for i in product_ids if i is not None):
        p = uow.session.get(Product, pid, with_for_update=True)
        if p.stocked:
            out[pid] = p
    return out


def _location_name(uow: UnitOfWork, location_id: int) -> str:
    return uow.session.get(Location, location_id).name


@requires("sales.view")
def delivery_stock(uow: UnitOfWork, order_id: int) -> dict[int, list[LocationQty]]:
    """For the delivery form: per line still to deliver (stocked products only), on hand
    per location in the order a delivery takes from them."""
    out = {}
    by_product: dict[int, list[LocationQty]] = {}
    lines = ORDERS.lines(uow, order_id)
    kits = sold_kit_lines(uow, [ln.id for ln in lines])
    for ln in lines:
        if ln.product_id is None or ln.delivered_scaled >= ln.qty_scaled or ln.id in kits:
            continue
        p = uow.session.get(Product, ln.product_id)
        if not p.stocked:
            continue
        if p.id not in by_product:
            by_product[p.id] = stock_by_location(uow, p.id)
        out[ln.id] = by_product[p.id]
    return out


@requires("sales.invoice")
def invoice(
    uow: UnitOfWork,
    order_id: int,
    *,
    when: object = None,
    due: object = None,
    version: int | None = None,
) -> InvoiceView:
    """Invoice everything delivered and not yet invoiced, with the next invoice number;
    refused while the shop's name or address is not set (require_issuer)."""
    so = ORDERS.load(uow, order_id, lock=True)
    if version is not None:
        check_version(uow, so, version)
    lines = ORDERS.lines(uow, so.id)
    todo = [ln for ln in lines if ln.delivered_scaled > ln.invoiced_scaled]
    if not FLOW.may("invoice", so.state) or not todo:
        raise ValidationError(
            {
                "": Message(
                    "{label} is {state}; nothing delivered waits for an invoice",
                    label=so_label(so.number),
                    state=state_word(so.state),
                )
            }
        )
    require_issuer(uow)
    chk = v.Checker()
    day = chk("date", v.iso_date, when, local=uow.person_input) or date.today()
    ORDERS.on_or_after_order(chk, so, day)
    due_on = chk("due", v.iso_date, due, local=uow.person_input) or due_date(
        uow, so.customer_id, "customer", day
    )
    if due_on < day:
        chk.add("due", Message("before the invoice date"))
    chk.done()
    charged = []
    for ln in todo:
        q = ln.delivered_scaled - ln.invoiced_scaled
        charged.append((ln.id, q, *line_amounts(q, ln.unit_price_minor, ln.vat_bp)))
        ln.invoiced_scaled = ln.delivered_scaled
    net = sum(c[2] for c in charged)
    vat = sum(c[3] for c in charged)
    if net + vat == 0:  # free lines delivered alone: they go on the next invoice
        raise ValidationError(
            {
                "": Message(
                    "what {label} delivered and did not invoice yet totals {total}: it goes on "
                    "the invoice of its next delivery",
                    label=so_label(so.number),
                    total=money_text(0, uow.exponent, uow.input_locale),
                )
            }
        )
    number = next_number(uow, INVOICE)
    _in_date_order(uow, "invoice", day)
    label = INVOICE.label(number)
    e = post_entry(
        uow,
        day,
        written(
            uow.setting("locale"),
            N_("Invoice {invoice} ({order})"),
            invoice=label,
            order=so_label(so.number),
        ),
        [
            Posting(
                account_for(uow, "receivable").id, debit_minor=net + vat, contact_id=so.customer_id
            ),
            Posting(account_for(uow, "sales").id, credit_minor=net),
            Posting(account_for(uow, "vat_payable").id, credit_minor=vat),
        ],
        source=("sales_order", so.id),
    )
    inv = Invoice(
        kind="invoice",
        number=number,
        order_id=so.id,
        customer_id=so.customer_id,
        customer_details=customer_details(uow, so.customer_id),
        shop_details=issuer_details(uow),
        issued_on=day,
        due_on=due_on,
        net_minor=net,
        vat_minor=vat,
        total_minor=net + vat,
        entry_id=e.id,
    )
    uow.session.add(inv)
    uow.session.flush()
    _add_invoice_lines(uow, inv.id, charged)
    _set_progress(so, lines, "invoice")
    touch(uow, so)
    uow.audit("invoice", inv.id, "issue", after={"number": label, "total": net + vat})
    return _invoice_view(uow, inv)


def last_issued(uow: UnitOfWork, kind: str = "invoice") -> date | None:
    """The date of the last invoice (``kind`` credit: credit note) issued: the next one is
    not dated before it."""
    last = _last(uow, kind)
    return None if last is None else last.issued_on


def _last(uow: UnitOfWork, kind: str):  # noqa: ANN202
    """The last invoice (credit note) issued, its number and date: found by its number's
    index."""
    return uow.session.execute(
        select(Invoice.number, Invoice.issued_on)
        .where(Invoice.kind == kind)
        .order_by(Invoice.number.desc())
        .limit(1)
    ).first()


def _in_date_order(uow: UnitOfWork, kind: str, day: date) -> None:
    """An invoice (a credit note) is numbered in the order of its date, as the tax offices
    of Spain and Romania ask: it is not dated before the last one issued, nor after today
    (a typo of a year would hold every invoice after it back until then). Asked after its
    number is taken, so that of two written at once the second sees the first."""
    today = date.today()
    if day > today:
        if kind == "invoice":
            text = N_("{day} is after today, {today}: an invoice is dated the day it is issued")
        else:
            text = N_("{day} is after today, {today}: a credit note is dated the day it is issued")
        raise ValidationError({"date": Message(text, day=date_text(day), today=date_text(today))})
    last = _last(uow, kind)
    if last is not None and day < last.issued_on:
        if kind == "invoice":
            text = N_(
                "{day} is before {label}, issued on {last}: invoices are numbered in the "
                "order of their dates; date this one {last} or later"
            )
        else:
            text = N_(
                "{day} is before {label}, issued on {last}: credit notes are numbered in the "
                "order of their dates; date this one {last} or later"
            )
        raise ValidationError(
            {
                "date": Message(
                    text,
                    day=date_text(day),
                    label=invoice_label(kind, last.number),
                    last=date_text(last.issued_on),
                )
            }
        )


def _taken_back(uow: UnitOfWork, ln: SalesLine, q: int) -> tuple[int, int]:
    """The net and VAT a return of ``q`` of line ``ln`` takes back: what its invoices
    charged for the line, in the share of it come back in all (earlier returns and this
    one), less what earlier credit notes took back. Returned one at a time, three of three
    at 0.98 with 20 % VAT each took back VAT 0.20 (0.196 rounded) of an invoice's 0.59, and
    the customer was owed 0.01 they never paid; now the returns of a whole line take back
    exactly what was charged for it."""
    sums = uow.session.execute(
        select(
            Invoice.kind,
            func.sum(InvoiceLine.qty_scaled),
            func.sum(InvoiceLine.net_minor),
            func.sum(InvoiceLine.vat_minor),
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(InvoiceLine.sales_line_id == ln.id)
        .group_by(Invoice.kind)
    ).all()
    got = {kind: (int(qty or 0), int(n or 0), int(t or 0)) for kind, qty, n, t in sums}
    invoiced, net, vat = got.get("invoice", (0, 0, 0))
    _returned, net_back, vat_back = got.get("credit", (0, 0, 0))
    if not invoiced:  # (returns are of what was invoiced: not reached)
        return line_amounts(q, ln.unit_price_minor, ln.vat_bp)
    share = Decimal(ln.returned_scaled + q) / invoiced

    def part(whole: int) -> int:
        return int((whole * share).quantize(Decimal(1), ROUND_HALF_EVEN))

    return part(net) - net_back, part(vat) - vat_back


def _add_invoice_lines(uow: UnitOfWork, invoice_id: int, charged: list[tuple]) -> None:
    uow.session.add_all(
        InvoiceLine(
            invoice_id=invoice_id, sales_line_id=lid, qty_scaled=q, net_minor=n, vat_minor=t
        )
        for lid, q, n, t in charged
    )


def _paid(uow: UnitOfWork, invoice_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(CustomerPayment.amount_minor), 0)).where(
                CustomerPayment.invoice_id == invoice_id
            )
        )
    )


def _credited(uow: UnitOfWork, invoice_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
                Invoice.credits_id == invoice_id
            )
        )
    )


@requires("sales.view")
def credit_reason(uow: UnitOfWork, credit_note_id: int) -> str:
    """Why a credit note was issued, as typed when the goods came back (the audit trail
    keeps it: the note's own row has no column for it)."""
    after = uow.session.scalar(
        select(AuditEvent.after)
        .where(
            AuditEvent.entity == "invoice",
            AuditEvent.entity_id == credit_note_id,
            AuditEvent.action == "credit",
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )
    return str(json.loads(after).get("reason", "")) if after else ""


@requires("sales.view")
def left_to_pay(uow: UnitOfWork, invoice_id: int) -> int:
    """What is still open on an invoice (minor units): its total less payments and credit
    notes; nil or less when settled."""
    inv = uow.session.get(Invoice, invoice_id)
    return inv.total_minor - _paid(uow, inv.id) - _credited(uow, inv.id)


def _invoice_view(uow: UnitOfWork, inv: Invoice) -> InvoiceView:
    exp = uow.exponent
    settled = _paid(uow, inv.id) + (_credited(uow, inv.id) if inv.kind == "invoice" else 0)
    return InvoiceView(
        inv.id,
        inv.kind,
        invoice_label(inv.kind, inv.number),
        inv.issued_on,
        inv.due_on,
        from_minor(inv.net_minor, exp),
        from_minor(inv.vat_minor, exp),
        from_minor(inv.total_minor, exp),
        from_minor(settled, exp),
        inv.entry_id,
        without_address(inv.shop_details),
    )


@requires("sales.view")
def open_invoices(uow: UnitOfWork, customer_id: int) -> list[OpenDocument]:
    """A customer's invoices with something still to pay, the first due first."""
    exp = uow.exponent
    out = []
    for inv in uow.session.scalars(
        select(Invoice)
        .where(Invoice.kind == "invoice", Invoice.customer_id == customer_id)
        .order_by(Invoice.due_on, Invoice.number)
    ):
        open_ = inv.total_minor - _paid(uow, inv.id) - _credited(uow, inv.id)
        if open_ > 0:
            label = invoice_label(inv.kind, inv.number)
            left = from_minor(open_, exp)
            out.append(OpenDocument(inv.id, label, inv.issued_on, inv.due_on, left, label))
    return out


@requires("sales.pay")
def pay(
    uow: UnitOfWork,
    invoice_id: int,
    *,
    amount: object = None,
    account: str = "bank",
    when: object = None,
) -> InvoiceView:
    """A customer pays an invoice, in full (no amount) or in part, into ``account`` (a
    payment account's code, or "bank" / "cash")."""
    settle_invoices(uow, [(invoice_id, amount)], account=account, when=when)
    return _invoice_view(uow, uow.session.get(Invoice, invoice_id))


@requires("sales.pay")
def settle_invoices(
    uow: UnitOfWork,
    invoices: list[tuple[int, object]],
    *,
    account: object = "bank",
    when: object = None,
    memo: str = "",
    fees: Sequence[tuple[str, int, int]] = (),
) -> JournalEntry:
    """One customer payment for one invoice or several, each (invoice id, amount) in full
    (amount None or "") or in part: one journal entry, Dr the payment account / Cr
    receivables per invoice, and one payment row per invoice (its allocation). With one
    invoice, a problem is the field "amount"; with several, "INV-00007 amount". ``fees``
    (label, customer id, minor units) are paid in the same entry: Cr receivables naming the
    customer, on no invoice (a reminder's fee, RM-00001, which is owed on no invoice)."""
    if not invoices and not fees:
        raise ValidationError({"": Message("name at least one invoice to pay")})
    chk = v.Checker()
    day = payment_day(uow, chk, when)
    acct = chk("account", payment_account, uow, account, "bank")
    todo: list[tuple[Invoice, SalesOrder, int]] = []
    seen: set[int] = set()
    for invoice_id, amount in invoices:
        inv = uow.session.get(Invoice, invoice_id, with_for_update=True)
        if inv is None or inv.kind != "invoice":
            raise NotFound(Message("There is no invoice #{id}.", id=invoice_id))
        label = invoice_label(inv.kind, inv.number)
        key = "amount" if len(invoices) == 1 else f"{label} amount"
        if inv.id in seen:
            chk.add(key, Message("{label} is named twice", label=label))
            continue
        seen.add(inv.id)
        paid_after(chk, day, when, label, inv.issued_on)
        so = ORDERS.load(uow, inv.order_id, lock=True)
        open_ = inv.total_minor - _paid(uow, inv.id) - _credited(uow, inv.id)
        if open_ <= 0:
            raise ValidationError({key: Message("{label} is settled", label=label)})
        one = v.Checker()
        amt = amount_paid(uow, one, amount, open_, "invoice")
        for problem in one.errors.values():
            chk.add(key, problem)
        todo.append((inv, so, amt))
    chk.done()
    labels = [invoice_label(inv.kind, inv.number) for inv, _so, _amt in todo]
    labels += [label for label, _who, _amt in fees]
    orders = {so.id for _inv, so, _amt in todo}
    receivable = account_for(uow, "receivable").id
    e = post_entry(
        uow,
        day,
        memo
        or written(uow.setting("locale"), N_("Payment of {invoice}"), invoice=", ".join(labels)),
        [
            Posting(
                acct.id,
                debit_minor=sum(amt for _inv, _so, amt in todo) + sum(a for _l, _w, a in fees),
            ),
            *(
                Posting(receivable, credit_minor=amt, contact_id=inv.customer_id)
                for inv, _so, amt in todo
            ),
            *(Posting(receivable, credit_minor=amt, contact_id=who) for _l, who, amt in fees),
        ],
        source=("sales_order", next(iter(orders))) if len(orders) == 1 else None,
    )
    for inv, _so, amt in todo:
        uow.session.add(
            CustomerPayment(
                invoice_id=inv.id, paid_on=day, amount_minor=amt, account_id=acct.id, entry_id=e.id
            )
        )
    uow.session.flush()
    for inv, so, amt in todo:
        _close_if_settled(uow, so)
        uow.audit("invoice", inv.id, "pay", after={"amount": amt, "account": acct.code})
    return e


# what an invoice keeps of its customer as issued: a reprint shows these, not the contact as
# it is today (an issued invoice is not changed by the customer's move)
CUSTOMER_DETAILS = ("name", "street", "postcode", "city", "country", "vat_id", "email")


def customer_details(uow: UnitOfWork, contact_id: int) -> str:
    """The customer's details an invoice keeps (CUSTOMER_DETAILS), as JSON."""
    c = uow.session.get(Contact, contact_id)
    return json.dumps({k: getattr(c, k) or "" for k in CUSTOMER_DETAILS}, ensure_ascii=False)


@requires("sales.pay")
def unsettle(uow: UnitOfWork, entry_id: int, reversal_id: int) -> None:
    """The payments of entry ``entry_id`` were reversed by ``reversal_id``: each invoice gets
    its amount back as open (a negative payment row of the reversal), and an order closed
    by them is invoiced (open) again."""
    for p in list(
        uow.session.scalars(select(CustomerPayment).where(CustomerPayment.entry_id == entry_id))
    ):
        rev = uow.session.get(JournalEntry, reversal_id)
        uow.session.add(
            CustomerPayment(
                invoice_id=p.invoice_id,
                paid_on=rev.date,
                amount_minor=-p.amount_minor,
                account_id=p.account_id,
                entry_id=reversal_id,
            )
        )
        uow.session.flush()
        inv = uow.session.get(Invoice, p.invoice_id)
        so = ORDERS.load(uow, inv.order_id, lock=True)
        if so.state == SOState.CLOSED:
            so.state = SOState.INVOICED  # the flow has no step back: a payment was undone
            touch(uow, so)
            uow.audit(
                "sales_order",
                so.id,
                "reopen",
                before={"state": "closed"},
                after={"state": "invoiced"},
            )
        uow.audit(
            "invoice", inv.id, "unpay", after={"amount": p.amount_minor, "entry": reversal_id}
        )


@requires("sales.view")
def refund_account(uow: UnitOfWork, invoice_id: int) -> str:
    """The account a refund on an invoice goes out of unless told otherwise: the one its
    last payment came in through (a customer who paid by bank is paid back by bank) while
    that account is open, else the cash account's role."""
    code = uow.session.execute(
        select(Account.code)
        .join(CustomerPayment, CustomerPayment.account_id == Account.id)
        .where(
            CustomerPayment.invoice_id == invoice_id,
            CustomerPayment.amount_minor > 0,
            Account.archived.is_(False),  # (an archived one takes no payment)
        )
        .order_by(CustomerPayment.paid_on.desc(), CustomerPayment.id.desc())
        .limit(1)
    ).scalar()
    return code or "cash"


@requires("sales.pay")
def refund(
    uow: UnitOfWork,
    invoice_id: int,
    *,
    amount: object = None,
    account: str = "",
    when: object = None,
) -> InvoiceView:
    """Pay back what a customer paid beyond an invoice once a credit note took part of it
    back: Dr Receivables / Cr Cash or Bank (recorded as a negative payment); out of the
    account the invoice was last paid into unless ``account`` names another."""
    refund_entry(uow, invoice_id, amount=amount, account=account, when=when)
    return _invoice_view(uow, uow.session.get(Invoice, invoice_id))


@requires("sales.pay")
def refund_entry(
    uow: UnitOfWork,
    invoice_id: int,
    *,
    amount: object = None,
    account: str = "",
    when: object = None,
) -> JournalEntry:
    """refund, returning the entry it posted (a bank line matched to a credit note)."""
    exp = uow.exponent
    inv = uow.session.get(Invoice, invoice_id, with_for_update=True)
    if inv is None or inv.kind != "invoice":
        raise NotFound(Message("There is no invoice #{id}.", id=invoice_id))
    due = _paid(uow, inv.id) + _credited(uow, inv.id) - inv.total_minor
    label = invoice_label(inv.kind, inv.number)
    if due <= 0:
        raise ValidationError({"amount": Message("nothing is owed back on {label}", label=label)})
    chk = v.Checker()
    day = payment_day(uow, chk, when)
    acct = chk("account", payment_account, uow, account, refund_account(uow, inv.id))
    try:
        amt = due if amount in (None, "") else parse_money(amount, exp, locale=uow.input_locale)
        if amt <= 0 or amt > due:
            most = editable(from_minor(due, exp), uow.input_locale)  # as it is typed here
            chk.add("amount", Message("more than 0, at most {amount}", amount=most))
    except AmountError as exc:
        chk.add("amount", exc.args[0])
        amt = 0
    chk.done()
    e = post_entry(
        uow,
        day,
        written(uow.setting("locale"), N_("Refund on {invoice}"), invoice=label),
        [
            Posting(account_for(uow, "receivable").id, debit_minor=amt, contact_id=inv.customer_id),
            Posting(acct.id, credit_minor=amt),
        ],
        source=("sales_order", inv.order_id),
    )
    uow.session.add(
        CustomerPayment(
            invoice_id=inv.id, paid_on=day, amount_minor=-amt, account_id=acct.id, entry_id=e.id
        )
    )
    uow.session.flush()
    uow.audit("invoice", inv.id, "refund", after={"amount": amt, "account": acct.code})
    return e


def _close_if_settled(uow: UnitOfWork, so: SalesOrder) -> None:
    if not FLOW.may("settle", so.state):
        return
    for inv in uow.session.scalars(
        select(Invoice).where(Invoice.order_id == so.id, Invoice.kind == "invoice")
    ):
        if inv.total_minor - _paid(uow, inv.id) - _credited(uow, inv.id) > 0:
            return
    FLOW.move(so, "settle", SOState.CLOSED)
    touch(uow, so)


@requires("sales.return")
def return_goods(
    uow: UnitOfWork,
    order_id: int,
    quantities: dict[int, object],
    *,
    reason: object = "",
    location: object = "",
    when: object = None,
) -> InvoiceView:
    """Take invoiced goods back: stock returns at the cost it left with, and a credit note
    takes back the sale (net and VAT at the order's price) against the latest invoice."""
    so = ORDERS.load(uow, order_id, lock=True)
    lines = {ln.id: ln for ln in ORDERS.lines(uow, so.id)}
    chk = v.Checker()
    reason = chk("reason", v.text, reason, required=True, max_len=200) or ""
    loc = chk("location", resolve_location, uow, location)
    day = chk("date", v.iso_date, when, local=uow.person_input) or date.today()
    ORDERS.on_or_after_order(chk, so, day)
    ORDERS.not_ahead(chk, day)
    todo = ORDERS.quantities(
        uow, chk, lines, quantities, lambda ln: ln.invoiced_scaled - ln.returned_scaled, "returned"
    )
    chk.done()
    last_invoice = uow.session.scalars(
        select(Invoice)
        .where(Invoice.order_id == so.id, Invoice.kind == "invoice")
        .order_by(Invoice.id.desc())
    ).first()
    cost = 0
    charged = []
    moves = []
    kits = sold_kit_lines(uow, [ln.id for ln, _q in todo])
    _whole_kits(uow, todo, kits)
    stocked = _stocked_products(uow, [ln.product_id for ln, _q in todo if ln.id not in kits])
    for ln, q in todo:
        if ln.id in kits:  # the components come back, each at the cost it left with
            still_out = ln.delivered_scaled - ln.returned_scaled
            for k in kits[ln.id]:
                still_value = k.delivered_value_minor - k.returned_value_minor
                value = (
                    still_value if q == still_out else round(Decimal(still_value * q) / still_out)
                )
                moves.append(
                    return_into_stock(
                        uow,
                        k.component_id,
                        loc.id,
                        per_kits(k.per_kit_scaled, q),
                        value,
                        ("sales_line", ln.id),
                    )
                )
                k.returned_value_minor += value
                ln.returned_value_minor += value
                cost += value
        elif ln.product_id in stocked:
            still_out = ln.delivered_scaled - ln.returned_scaled
            still_value = ln.delivered_value_minor - ln.returned_value_minor
            value = still_value if q == still_out else round(Decimal(still_value * q) / still_out)
            moves.append(
                return_into_stock(uow, ln.product_id, loc.id, q, value, ("sales_line", ln.id))
            )
            ln.returned_value_minor += value
            cost += value
        charged.append((ln.id, q, *_taken_back(uow, ln, q)))
        ln.returned_scaled += q
    net = sum(c[2] for c in charged)
    vat = sum(c[3] for c in charged)
    number = next_number(uow, CREDIT_NOTE)
    _in_date_order(uow, "credit", day)
    label = CREDIT_NOTE.label(number)
    postings = [
        Posting(account_for(uow, "sales").id, debit_minor=net),
        Posting(account_for(uow, "vat_payable").id, debit_minor=vat),
        Posting(
            account_for(uow, "receivable").id, credit_minor=net + vat, contact_id=so.customer_id
        ),
    ]
    if cost:
        postings += [
            Posting(account_for(uow, "inventory").id, debit_minor=cost),
            Posting(account_for(uow, "cogs").id, credit_minor=cost),
        ]
    e = post_entry(
        uow,
        day,
        written(
            uow.setting("locale"),
            N_("Credit note {note} ({order}): {reason}"),
            note=label,
            order=so_label(so.number),
            reason=reason,
        ),
        postings,
        source=("sales_order", so.id),
    )
    for m in moves:  # the goods came back with this entry (as they left with the delivery's)
        m.entry_id = e.id
    cn = Invoice(
        kind="credit",
        number=number,
        order_id=so.id,
        customer_id=so.customer_id,
        customer_details=customer_details(uow, so.customer_id),
        shop_details=issuer_details(uow),
        credits_id=last_invoice.id if last_invoice else None,
        issued_on=day,
        due_on=day,
        net_minor=net,
        vat_minor=vat,
        total_minor=net + vat,
        entry_id=e.id,
    )
    uow.session.add(cn)
    uow.session.flush()
    _add_invoice_lines(uow, cn.id, charged)
    _close_if_settled(uow, so)
    uow.audit(
        "invoice", cn.id, "credit", after={"number": label, "total": net + vat, "reason": reason}
    )
    return _invoice_view(uow, cn)


@requires("sales.counter")
def walk_in_customer(uow: UnitOfWork) -> int:
    """The contact counter sales without a name go to (made on first use)."""
    locale = uow.setting("locale")
    name = written(locale, WALK_IN)
    c = uow.session.scalars(
        select(Contact).where(Contact.sort_name == v.sort_key(name), Contact.archived.is_(False))
    ).first()
    if c is not None:
        return c.id
    return create_contact(
        uow,
        ContactInput(
            name=name,
            is_customer=True,
            stage="customer",
            source=written(locale, WALK_IN_SOURCE),  # shown as stored: "counter" was English
        ),
    ).contact.id


@requires("sales.counter")
def counter_sale(
    uow: UnitOfWork,
    lines: list[SOLineInput],
    *,
    customer: str = "",
    account: str = "cash",
    when: object = None,
) -> SOView:
    """Sell over the counter: order, delivery, invoice and payment in one transaction;
    refused first, before a walk-in customer is made, while no invoice may be issued
    (require_issuer)."""
    require_issuer(uow)
    chk = v.Checker()
    acct = chk("account", payment_account, uow, account, "cash")
    chk.done()
    who = customer.strip() or f"#{walk_in_customer(uow)}"
    day = v.iso_date(when, local=uow.person_input) if str(when or "").strip() else date.today()
    so = create(uow, SOInput(customer=who, order_date=day.isoformat(), lines=lines))
    if so.total == 0:  # confirm's refusal would name an order this sale never makes
        raise ValidationError(
            {
                "lines": Message(
                    "the sale totals {total}: it is invoiced and paid at once, and nothing "
                    "would be; give its lines a price",
                    total=money_text(0, uow.exponent, uow.input_locale),
                )
            }
        )
    confirm(uow, so.id)
    deliver(uow, so.id, when=day)
    inv = invoice(uow, so.id, when=day, due=day)
    pay(uow, inv.id, account=acct.code, when=day)
    return get(uow, so.id)


preview_totals = ORDERS.preview  # the order form's running totals


@requires("sales.view")
def get(uow: UnitOfWork, order_id: int) -> SOView:
    so = ORDERS.load(uow, order_id)
    exp = uow.exponent
    rows = uow.session.execute(
        select(SalesLine, Product.sku)
        .outerjoin(Product, Product.id == SalesLine.product_id)
        .where(SalesLine.order_id == so.id)
        .order_by(SalesLine.position, SalesLine.id)
    ).all()
    lines = []
    for ln, sku in rows:
        n, t = line_amounts(ln.qty_scaled, ln.unit_price_minor, ln.vat_bp)
        lines.append(
            SOLineView(
                ln.id,
                ln.product_id,
                sku or "",
                ln.description,
                qty_from_scaled(ln.qty_scaled),
                from_minor(ln.unit_price_minor, exp),
                percent_from_bp(ln.vat_bp),
                from_minor(n, exp),
                from_minor(t, exp),
                qty_from_scaled(ln.delivered_scaled),
                qty_from_scaled(ln.invoiced_scaled),
                qty_from_scaled(ln.returned_scaled),
            )
        )
    invoices = [
        _invoice_view(uow, inv)
        for inv in uow.session.scalars(
            select(Invoice).where(Invoice.order_id == so.id).order_by(Invoice.id)
        )
    ]
    paid_by = (
        select(CustomerPayment.entry_id)
        .join(Invoice, Invoice.id == CustomerPayment.invoice_id)
        .where(Invoice.order_id == so.id)
    )
    entries = ORDERS.entries(uow, so.id, paid_by)
    customer = uow.session.get(Contact, so.customer_id)
    return SOView(
        so.id,
        so.number,
        so_label(so.number),
        so.customer_id,
        customer.name,
        so.deal_id,
        so.state,
        so.order_date,
        so.notes,
        lines,
        from_minor(so.net_minor, exp),
        from_minor(so.vat_minor, exp),
        from_minor(so.net_minor + so.vat_minor, exp),
        invoices,
        entries,
        so.version,
    )


@dataclass(frozen=True)
class SORow:
    id: int
    label: str
    customer: str
    state: str
    order_date: date
    total: Decimal


@requires("sales.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[SORow]:
    """Orders by number; filters: state (one state, or "open"), customer_id."""
    exp = uow.exponent
    stmt = select(
        SalesOrder.number,
        Contact.name,
        SalesOrder.state,
        SalesOrder.order_date,
        SalesOrder.net_minor + SalesOrder.vat_minor,
        SalesOrder.number,
        SalesOrder.id,
    ).join(Contact, Contact.id == SalesOrder.customer_id)
    stmt = ORDERS.filtered(stmt, req, Contact.search_text)
    if req.filters.get("customer_id"):
        stmt = stmt.where(SalesOrder.customer_id == req.filters["customer_id"])

    def to_row(r) -> SORow:  # noqa: ANN001
        return SORow(r[-1], so_label(r[0]), r[1], r[2], r[3], from_minor(int(r[4]), exp))

    return keyset_page(uow.session, stmt, SalesOrder.number, SalesOrder.id, req, to_row)
