"""Purchase orders: draft -> sent -> confirmed -> (partially) received -> billed -> closed.
Cancelled before anything is received; the rest of an order partly received is closed (no
longer on order) and the order goes on as received, for what came.

A receipt adds stock at the line's cost and posts Dr Inventory / Cr GRNI. The supplier's bill
clears GRNI for what was received (a different billed amount goes to price differences),
adds VAT receivable and owes the supplier: Cr Accounts payable. A payment settles it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.purchasing import (
    POState,
    PurchaseLine,
    PurchaseOrder,
    SupplierBill,
    SupplierPayment,
)
from bizdesk.models.stock import Product
from bizdesk.money import (
    AmountError,
    from_minor,
    line_amounts,
    parse_money,
    percent_from_bp,
    qty_from_scaled,
    qty_text,
)
from bizdesk.reading import date_text, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import PURCHASE_ORDER, po_label
from bizdesk.services.base.paging import Page, PageRequest, keyset_page
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.states import state_word
from bizdesk.services.books.ledger import (
    Posting,
    account_for,
    payment_account,
    payment_day,
    post_entry,
)
from bizdesk.services.crm.contacts import reference
from bizdesk.services.crm.terms import due_date as due_from_terms
from bizdesk.services.inventory.levels import is_kit
from bizdesk.services.inventory.locations import resolve_location
from bizdesk.services.inventory.moves import receive_into_stock
from bizdesk.services.inventory.products import resolve_supplier
from bizdesk.services.inventory.reports import low_stock
from bizdesk.services.trade.doc_lines import CleanLine
from bizdesk.services.trade.orders import (
    Flow,
    OpenDocument,
    OrderKind,
    amount_paid,
    paid_after,
)

FLOW = Flow(
    POState,
    {  # step: (the states it starts from, the states it may leave the order in)
        "send": ([POState.DRAFT], [POState.SENT]),
        "confirm": ([POState.DRAFT, POState.SENT], [POState.CONFIRMED]),  # e.g. by phone
        "cancel": ([POState.DRAFT, POState.SENT, POState.CONFIRMED], [POState.CANCELLED]),
        "receive": (
            [POState.SENT, POState.CONFIRMED, POState.PARTIALLY_RECEIVED],
            [POState.PARTIALLY_RECEIVED, POState.RECEIVED],
        ),
        "bill": ([POState.PARTIALLY_RECEIVED, POState.RECEIVED], [POState.BILLED]),
        # the rest still to come is not awaited: received, or billed if all of that was
        "close_rest": ([POState.PARTIALLY_RECEIVED], [POState.RECEIVED, POState.BILLED]),
        "settle": ([POState.BILLED], [POState.CLOSED]),  # every bill paid
    },
)
RECEIVABLE_STATES = FLOW.starts("receive")


def why_not(step: str, state: str) -> Message:
    """Why ``step`` is not taken in ``state`` and what to do instead: the end of "PO-00007
    is draft; ..." (each door says it when its key or command cannot act)."""
    if state == POState.CANCELLED:
        return Message("it is cancelled; nothing more is done with it")
    early = state in (POState.DRAFT, POState.SENT, POState.CONFIRMED)
    if step == "send":
        return Message("only a draft is marked sent")
    if step == "confirm":
        return Message("only a draft or a sent order is marked confirmed")
    if step == "receive":
        if state == POState.DRAFT:
            return Message("send or confirm it first")
        return Message("nothing is left to receive")
    if step == "bill":
        if early:
            return Message("nothing was received yet: receive the goods first, then bill them")
        return Message("there is nothing received to bill")
    if step == "cancel" and state == POState.PARTIALLY_RECEIVED:
        return Message("part of it was received: close the rest instead")
    if step == "cancel":
        return Message("what came in cannot be cancelled")
    if step == "close_rest" and early:
        return Message("nothing was received yet: cancel it instead")
    return Message("nothing is left to receive")


ORDERS = OrderKind(
    PurchaseOrder,
    PurchaseLine,
    PURCHASE_ORDER,
    FLOW,
    party="supplier_id",
    unit="unit_cost_minor",  # an empty cost is the product's usual cost
    default_unit="cost_minor",
    product_required=True,  # only stocked products are bought
    snapshot_fields=("order_date", "expected_date"),
)


@dataclass
class POLineInput:
    product: str = ""
    qty: str = "1"
    unit_cost: str = ""  # empty: the product's usual cost
    vat_rate: str = ""  # empty: the product's VAT rate
    description: str = ""


@dataclass
class POInput:
    supplier: str = ""
    order_date: str = ""
    expected_date: str = ""
    notes: str = ""
    lines: list[POLineInput] = field(default_factory=list)


@dataclass(frozen=True)
class POLineView:
    id: int
    product_id: int
    sku: str
    description: str
    unit: str
    qty: Decimal
    unit_cost: Decimal
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    received: Decimal
    billed: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.qty - self.received


@dataclass(frozen=True)
class BillView:
    id: int
    reference: str
    bill_date: date
    due_date: date
    net: Decimal
    vat: Decimal
    total: Decimal
    expected_net: Decimal
    paid: Decimal
    entry_id: int

    @property
    def difference(self) -> Decimal:
        return self.net - self.expected_net

    @property
    def open(self) -> Decimal:
        return self.total - self.paid


@dataclass(frozen=True)
class POView:
    id: int
    number: int
    label: str
    supplier_id: int
    supplier: str
    state: str
    order_date: date
    expected_date: date | None
    notes: str
    lines: list[POLineView]
    net: Decimal
    vat: Decimal
    total: Decimal
    received_value: Decimal
    bills: list[BillView]
    entries: list[tuple[int, str, str]]  # (entry id, label, memo) posted for this order
    version: int

    @property
    def billed(self) -> Decimal:
        return sum((b.total for b in self.bills), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((b.paid for b in self.bills), Decimal(0))

    @property
    def left_over(self) -> Decimal:
        """What is not received (what closing the rest stops awaiting, while it is open)."""
        return sum((ln.outstanding for ln in self.lines), Decimal(0))

    @property
    def released(self) -> Decimal:
        """What was ordered and is no longer awaited: the rest closed (close_rest)."""
        if self.state not in (POState.RECEIVED, POState.BILLED, POState.CLOSED):
            return Decimal(0)
        return self.left_over


def _clean(uow: UnitOfWork, data: POInput) -> tuple[dict, list[dict]]:
    chk = v.Checker()
    sup = chk("supplier", resolve_supplier, uow, data.supplier)
    head = {
        "supplier_id": sup.id if sup else None,
        "order_date": chk("order_date", v.iso_date, data.order_date, local=uow.person_input)
        or date.today(),
        "expected_date": chk(
            "expected_date", v.iso_date, data.expected_date, local=uow.person_input
        ),
        "notes": chk("notes", v.text, data.notes, max_len=2000, multiline=True) or "",
    }
    if head["expected_date"] and head["expected_date"] < head["order_date"]:
        chk.add("expected_date", Message("before the order date"))
    lines = ORDERS.clean_lines(
        uow, chk, data.lines, lambda line: _not_bought(line) or _kit_bought(uow, line)
    )
    chk.done()
    return head, lines


def _not_bought(line: CleanLine) -> str | None:
    if not line.product.stocked:
        return Message("{sku} is a service: it is not bought into stock", sku=line.product.sku)
    return None


def _kit_bought(uow: UnitOfWork, line: CleanLine) -> str | None:
    if is_kit(uow, line.product.id):
        return Message(
            "{sku} is a kit: it is never in stock itself; buy its components", sku=line.product.sku
        )
    return None


@requires("purchases.edit")
def create(uow: UnitOfWork, data: POInput) -> POView:
    head, lines = _clean(uow, data)
    return get(uow, ORDERS.create(uow, head, lines).id)


@requires("purchases.edit")
def update(uow: UnitOfWork, order_id: int, data: POInput, *, version: int) -> POView:
    """Change an order that is still a draft (sent orders are what the supplier has)."""
    po = ORDERS.update(uow, order_id, lambda: _clean(uow, data), version=version)
    return get(uow, po.id)


def _transition(
    uow: UnitOfWork, order_id: int, step: str, new: POState, version: int | None
) -> int:
    """A step that only changes the state (recorded in the audit trail as the new state)."""
    po = ORDERS.start(uow, order_id, step, lambda st: why_not(step, st), version=version)
    ORDERS.move(uow, po, step, new, new)
    return po.id


@requires("purchases.edit")
def send(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> POView:
    return get(uow, _transition(uow, order_id, "send", POState.SENT, version))


@requires("purchases.edit")
def confirm(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> POView:
    """The supplier confirmed the order (a draft may be confirmed directly, e.g. by phone)."""
    return get(uow, _transition(uow, order_id, "confirm", POState.CONFIRMED, version))


@requires("purchases.edit")
def cancel(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> POView:
    po = ORDERS.load(uow, order_id)
    if any(ln.received_scaled for ln in ORDERS.lines(uow, po.id)):
        raise ValidationError(
            {
                "": Message(
                    "{label} has receipts; goods received cannot be cancelled",
                    label=po_label(po.number),
                )
            }
        )
    return get(uow, _transition(uow, order_id, "cancel", POState.CANCELLED, version))


@requires("purchases.edit")
def close_rest(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> POView:
    """Stop waiting for what is not received of an order partly received: it is no longer
    on order; nothing moves and nothing is posted. The order goes on as received (to bill
    what came), billed if all of that is, closed if those bills are paid too."""
    po = ORDERS.start(
        uow, order_id, "close_rest", lambda st: why_not("close_rest", st), version=version
    )
    lines = ORDERS.lines(uow, po.id)
    released = {ln.id: _still_to_come(ln) for ln in lines}
    before = po.state
    done = all(ln.billed_scaled >= ln.received_scaled for ln in lines)
    FLOW.move(po, "close_rest", POState.BILLED if done else POState.RECEIVED)
    if FLOW.may("settle", po.state) and _order_open(uow, po.id) == 0:
        FLOW.move(po, "settle", POState.CLOSED)
    touch(uow, po)
    uow.audit(
        "purchase_order",
        po.id,
        "close_rest",
        before={"state": before},
        after={"state": po.state, "released": {k: q for k, q in released.items() if q}},
    )
    return get(uow, po.id)


def _still_to_come(ln: PurchaseLine) -> int:
    return ln.qty_scaled - ln.received_scaled


@requires("purchases.receive")
def receive(
    uow: UnitOfWork,
    order_id: int,
    quantities: dict[int, object],
    *,
    location: object = "",
    when: object = None,
    version: int | None = None,
) -> POView:
    """Receive quantities per line id (partial allowed, more than ordered refused)."""
    po = ORDERS.start(
        uow,
        order_id,
        "receive",
        lambda st: why_not("receive", st),
        version=version,
    )
    lines = {ln.id: ln for ln in ORDERS.lines(uow, po.id)}
    chk = v.Checker()
    loc = chk("location", resolve_location, uow, location)
    day = chk("date", v.iso_date, when, local=uow.person_input) or date.today()
    ORDERS.on_or_after_order(chk, po, day)
    ORDERS.not_ahead(chk, day)
    todo = ORDERS.quantities(
        uow,
        chk,
        lines,
        quantities,
        _still_to_come,
        "received",
        label=lambda ln: uow.session.get(Product, ln.product_id).sku,
        too_many=lambda ln: Message(
            "only {qty} still to come of {ordered} ordered; over-receipt is refused",
            qty=qty_text(_still_to_come(ln), uow.input_locale),
            ordered=qty_text(ln.qty_scaled, uow.input_locale),
        ),
    )
    chk.done()
    moves = []
    for ln, q in todo:
        move = receive_into_stock(
            uow, ln.product_id, loc.id, q, ln.unit_cost_minor, ("purchase_line", ln.id)
        )
        ln.received_scaled += q
        ln.received_value_minor += move.value_minor
        moves.append(move)
    total = sum(m.value_minor for m in moves)
    e = post_entry(
        uow,
        day,
        written(uow.setting("locale"), N_("Goods received on {order}"), order=po_label(po.number)),
        [
            Posting(account_for(uow, "inventory").id, debit_minor=total),
            Posting(account_for(uow, "grni").id, credit_minor=total, contact_id=po.supplier_id),
        ],
        source=("purchase_order", po.id),
    )
    for m in moves:
        m.entry_id = e.id
    all_in = all(ln.received_scaled >= ln.qty_scaled for ln in lines.values())
    FLOW.move(po, "receive", POState.RECEIVED if all_in else POState.PARTIALLY_RECEIVED)
    touch(uow, po)
    uow.audit(
        "purchase_order",
        po.id,
        "receive",
        after={"lines": {ln.id: q for ln, q in todo}, "value": total, "state": po.state},
    )
    return get(uow, po.id)


@requires("purchases.view")
def bill_defaults(uow: UnitOfWork, order_id: int) -> tuple[Decimal, Decimal]:
    """What a bill for everything received and not yet billed should say: (net, VAT)."""
    net = vat = 0
    for ln in ORDERS.lines(uow, order_id):
        q = ln.received_scaled - ln.billed_scaled
        if q > 0:
            n, t = line_amounts(q, ln.unit_cost_minor, ln.vat_bp)
            net += n
            vat += t
    return from_minor(net, uow.exponent), from_minor(vat, uow.exponent)


@requires("purchases.bill")
def bill(
    uow: UnitOfWork,
    order_id: int,
    *,
    reference: object,
    net: object = None,
    vat: object = None,
    bill_date: object = None,
    due_date: object = None,
    version: int | None = None,
) -> BillView:
    """Record the supplier's bill for everything received and not yet billed.

    Posts Dr GRNI (the received value it clears) + Dr VAT receivable, Cr Accounts payable;
    when the bill's net differs from the received value the difference goes to the price
    differences account, and the bill shows it.
    """
    exp = uow.exponent
    po = ORDERS.load(uow, order_id, lock=True)
    if version is not None:
        check_version(uow, po, version)
    lines = ORDERS.lines(uow, po.id)
    todo = [ln for ln in lines if ln.received_scaled > ln.billed_scaled]
    if not FLOW.may("bill", po.state) or not todo:
        raise ValidationError(
            {
                "": Message(
                    "{label} is {state}; there is nothing received to bill",
                    label=po_label(po.number),
                    state=state_word(po.state),
                )
            }
        )
    d_net, d_vat = bill_defaults(uow, po.id)
    chk = v.Checker()
    ref = chk("reference", v.text, reference, required=True, max_len=60)
    day = chk("bill_date", v.iso_date, bill_date, local=uow.person_input) or date.today()
    due = chk("due_date", v.iso_date, due_date, local=uow.person_input) or due_from_terms(
        uow, po.supplier_id, "supplier", day
    )
    if due < day:
        chk.add("due_date", Message("before the bill date"))
    amounts = {}
    for name, raw, default in (("net", net, d_net), ("vat", vat, d_vat)):
        try:
            amounts[name] = parse_money(
                default if raw in (None, "") else raw, exp, locale=uow.input_locale
            )
        except AmountError as exc:
            chk.add(name, exc.args[0])
    if (
        ref
        and uow.session.scalars(
            select(SupplierBill.id).where(
                SupplierBill.supplier_id == po.supplier_id, SupplierBill.reference == ref
            )
        ).first()
    ):
        chk.add(
            "reference",
            Message("a bill {ref} from this supplier is recorded already", ref=quoted(ref, 40)),
        )
    chk.done()
    clears = sum(ln.received_value_minor - ln.billed_value_minor for ln in todo)
    total = amounts["net"] + amounts["vat"]
    sup = po.supplier_id
    postings = [
        Posting(account_for(uow, "grni").id, debit_minor=clears, contact_id=sup),
        Posting(account_for(uow, "vat_receivable").id, debit_minor=amounts["vat"]),
        Posting(account_for(uow, "payable").id, credit_minor=total, contact_id=sup),
    ]
    diff = amounts["net"] - clears
    if diff:
        acct = account_for(uow, "price_difference").id
        postings.append(
            Posting(
                acct,
                debit_minor=diff,
                memo=written(
                    uow.setting("locale"), N_("{bill}: billed more than received"), bill=ref
                ),
            )
            if diff > 0
            else Posting(
                acct,
                credit_minor=-diff,
                memo=written(
                    uow.setting("locale"), N_("{bill}: billed less than received"), bill=ref
                ),
            )
        )
    e = post_entry(
        uow,
        day,
        written(
            uow.setting("locale"),
            N_("Bill {bill} for {order}"),
            bill=ref,
            order=po_label(po.number),
        ),
        postings,
        source=("purchase_order", po.id),
    )
    for ln in todo:
        ln.billed_scaled = ln.received_scaled
        ln.billed_value_minor = ln.received_value_minor
    b = SupplierBill(
        order_id=po.id,
        supplier_id=sup,
        reference=ref,
        bill_date=day,
        due_date=due,
        net_minor=amounts["net"],
        vat_minor=amounts["vat"],
        total_minor=total,
        expected_net_minor=clears,
        entry_id=e.id,
    )
    uow.session.add(b)
    uow.session.flush()
    if all(ln.billed_scaled >= ln.qty_scaled for ln in lines) or (
        po.state == POState.RECEIVED  # its rest closed: all that was received is billed
        and all(ln.billed_scaled >= ln.received_scaled for ln in lines)
    ):
        FLOW.move(po, "bill", POState.BILLED)
    touch(uow, po)
    uow.audit(
        "purchase_order",
        po.id,
        "bill",
        after={"bill": b.id, "reference": ref, "net": amounts["net"], "vat": amounts["vat"]},
    )
    return _bill_view(uow, b)


def _paid(uow: UnitOfWork, bill_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(SupplierPayment.amount_minor), 0)).where(
                SupplierPayment.bill_id == bill_id
            )
        )
    )


def _bill_view(uow: UnitOfWork, b: SupplierBill) -> BillView:
    exp = uow.exponent
    return BillView(
        b.id,
        b.reference,
        b.bill_date,
        b.due_date,
        from_minor(b.net_minor, exp),
        from_minor(b.vat_minor, exp),
        from_minor(b.total_minor, exp),
        from_minor(b.expected_net_minor, exp),
        from_minor(_paid(uow, b.id), exp),
        b.entry_id,
    )


@requires("purchases.view")
def open_bills(uow: UnitOfWork, supplier_id: int) -> list[OpenDocument]:
    """A supplier's bills with something still to pay, the first due first; each named by
    its reference and its purchase order ("AC-1234 (PO-00015)")."""
    exp = uow.exponent
    out = []
    for b, number in uow.session.execute(
        select(SupplierBill, PurchaseOrder.number)
        .join(PurchaseOrder, PurchaseOrder.id == SupplierBill.order_id)
        .where(SupplierBill.supplier_id == supplier_id)
        .order_by(SupplierBill.due_date, SupplierBill.id)
    ):
        open_ = b.total_minor - _paid(uow, b.id)
        if open_ > 0:
            label = f"{b.reference} ({po_label(number)})" if b.reference else po_label(number)
            left = from_minor(open_, exp)
            out.append(OpenDocument(b.id, label, b.bill_date, b.due_date, left, b.reference))
    return out


@requires("purchases.pay")
def pay(
    uow: UnitOfWork,
    bill_id: int,
    *,
    amount: object = None,
    account: str = "bank",
    when: object = None,
) -> BillView:
    """Pay a bill, in full (no amount) or in part: Dr Accounts payable / Cr ``account`` (a
    payment account's code, or "bank" / "cash")."""
    settle_bills(uow, [(bill_id, amount)], account=account, when=when)
    return _bill_view(uow, uow.session.get(SupplierBill, bill_id))


@requires("purchases.pay")
def settle_bills(
    uow: UnitOfWork,
    bills: list[tuple[int, object]],
    *,
    account: object = "bank",
    when: object = None,
    memo: str = "",
) -> JournalEntry:
    """One payment to suppliers for one bill or several, each (bill id, amount) in full
    (amount None or "") or in part: one journal entry, Dr payables per bill / Cr the payment
    account, and one payment row per bill (its allocation). With one bill, a problem is the
    field "amount"; with several, "REFERENCE amount"."""
    if not bills:
        raise ValidationError({"": Message("name at least one bill to pay")})
    chk = v.Checker()
    day = payment_day(uow, chk, when)
    acct = chk("account", payment_account, uow, account, "bank")
    todo: list[tuple[SupplierBill, PurchaseOrder, int]] = []
    seen: set[int] = set()
    for bill_id, amount in bills:
        b = uow.session.get(SupplierBill, bill_id, with_for_update=True)
        if b is None:
            raise NotFound(Message("There is no supplier bill #{id}.", id=bill_id))
        key = "amount" if len(bills) == 1 else f"{b.reference} amount"
        if b.id in seen:
            chk.add(key, Message("bill {ref} is named twice", ref=b.reference))
            continue
        seen.add(b.id)
        paid_after(chk, day, when, b.reference, b.bill_date)
        po = ORDERS.load(uow, b.order_id, lock=True)
        open_ = b.total_minor - _paid(uow, b.id)
        if open_ <= 0:
            raise ValidationError({key: Message("bill {ref} is paid already", ref=b.reference)})
        one = v.Checker()
        amt = amount_paid(uow, one, amount, open_, "bill")
        for problem in one.errors.values():
            chk.add(key, problem)
        todo.append((b, po, amt))
    chk.done()
    if len(todo) == 1:
        b, po, _amt = todo[0]
        text = written(
            uow.setting("locale"),
            N_("Payment of bill {bill} ({order})"),
            bill=b.reference,
            order=po_label(po.number),
        )
    else:
        text = written(
            uow.setting("locale"),
            N_("Payment of bills {bills}"),
            bills=", ".join(b.reference or po_label(po.number) for b, po, _amt in todo),
        )
    orders = {po.id for _b, po, _amt in todo}
    e = post_entry(
        uow,
        day,
        memo or text,
        [
            *(
                Posting(account_for(uow, "payable").id, debit_minor=amt, contact_id=b.supplier_id)
                for b, _po, amt in todo
            ),
            Posting(acct.id, credit_minor=sum(amt for _b, _po, amt in todo)),
        ],
        source=("purchase_order", next(iter(orders))) if len(orders) == 1 else None,
    )
    for b, _po, amt in todo:
        uow.session.add(
            SupplierPayment(
                bill_id=b.id, paid_on=day, amount_minor=amt, account_id=acct.id, entry_id=e.id
            )
        )
    uow.session.flush()
    for b, po, amt in todo:
        if FLOW.may("settle", po.state) and _order_open(uow, po.id) == 0:
            FLOW.move(po, "settle", POState.CLOSED)
        touch(uow, po)
        uow.audit("supplier_bill", b.id, "pay", after={"amount": amt, "account": acct.code})
    return e


@requires("purchases.pay")
def unsettle(uow: UnitOfWork, entry_id: int, reversal_id: int) -> None:
    """The payments of entry ``entry_id`` were reversed by ``reversal_id``: each bill gets
    its amount back as open (a negative payment row of the reversal), and an order closed
    by them is billed (open) again."""
    for p in list(
        uow.session.scalars(select(SupplierPayment).where(SupplierPayment.entry_id == entry_id))
    ):
        rev = uow.session.get(JournalEntry, reversal_id)
        uow.session.add(
            SupplierPayment(
                bill_id=p.bill_id,
                paid_on=rev.date,
                amount_minor=-p.amount_minor,
                account_id=p.account_id,
                entry_id=reversal_id,
            )
        )
        uow.session.flush()
        b = uow.session.get(SupplierBill, p.bill_id)
        po = ORDERS.load(uow, b.order_id, lock=True)
        if po.state == POState.CLOSED:
            po.state = POState.BILLED  # the flow has no step back: a payment was undone
            touch(uow, po)
            uow.audit(
                "purchase_order",
                po.id,
                "reopen",
                before={"state": "closed"},
                after={"state": "billed"},
            )
        uow.audit(
            "supplier_bill", b.id, "unpay", after={"amount": p.amount_minor, "entry": reversal_id}
        )


def _order_open(uow: UnitOfWork, order_id: int) -> int:
    """What is still unpaid on an order's bills, in minor units."""
    total = uow.session.scalar(
        select(func.coalesce(func.sum(SupplierBill.total_minor), 0)).where(
            SupplierBill.order_id == order_id
        )
    )
    paid = uow.session.scalar(
        select(func.coalesce(func.sum(SupplierPayment.amount_minor), 0))
        .join(SupplierBill, SupplierBill.id == SupplierPayment.bill_id)
        .where(SupplierBill.order_id == order_id)
    )
    return int(total) - int(paid)


@requires("purchases.view")
def get(uow: UnitOfWork, order_id: int) -> POView:
    po = ORDERS.load(uow, order_id)
    exp = uow.exponent
    rows = uow.session.execute(
        select(PurchaseLine, Product.sku, Product.unit)
        .join(Product, Product.id == PurchaseLine.product_id)
        .where(PurchaseLine.order_id == po.id)
        .order_by(PurchaseLine.position, PurchaseLine.id)
    ).all()
    lines = []
    net = vat = received = 0
    for ln, sku, unit in rows:
        n, t = line_amounts(ln.qty_scaled, ln.unit_cost_minor, ln.vat_bp)
        net += n
        vat += t
        received += ln.received_value_minor
        lines.append(
            POLineView(
                ln.id,
                ln.product_id,
                sku,
                ln.description,
                unit,
                qty_from_scaled(ln.qty_scaled),
                from_minor(ln.unit_cost_minor, exp),
                percent_from_bp(ln.vat_bp),
                from_minor(n, exp),
                from_minor(t, exp),
                qty_from_scaled(ln.received_scaled),
                qty_from_scaled(ln.billed_scaled),
            )
        )
    bills = [
        _bill_view(uow, b)
        for b in uow.session.scalars(
            select(SupplierBill).where(SupplierBill.order_id == po.id).order_by(SupplierBill.id)
        )
    ]
    paid_by = (
        select(SupplierPayment.entry_id)
        .join(SupplierBill, SupplierBill.id == SupplierPayment.bill_id)
        .where(SupplierBill.order_id == po.id)
    )
    entries = ORDERS.entries(uow, po.id, paid_by)
    supplier = uow.session.get(Contact, po.supplier_id)
    return POView(
        po.id,
        po.number,
        po_label(po.number),
        po.supplier_id,
        supplier.name,
        po.state,
        po.order_date,
        po.expected_date,
        po.notes,
        lines,
        from_minor(net, exp),
        from_minor(vat, exp),
        from_minor(net + vat, exp),
        from_minor(received, exp),
        bills,
        entries,
        po.version,
    )


def po_input(view: POView) -> POInput:
    return POInput(
        supplier=reference(view.supplier, view.supplier_id),
        order_date=date_text(view.order_date),
        expected_date=date_text(view.expected_date),
        notes=view.notes,
        lines=[
            POLineInput(
                ln.sku,
                str(ln.qty),
                str(ln.unit_cost),
                str(ln.vat_rate),
                ln.description,
            )
            for ln in view.lines
        ],
    )


@dataclass(frozen=True)
class PORow:
    id: int
    label: str
    supplier: str
    state: str
    order_date: date
    expected_date: date | None
    total: Decimal


PO_SORTS = {"number": PurchaseOrder.number, "date": PurchaseOrder.order_date}


@requires("purchases.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[PORow]:
    """Orders by number (lists ask for newest first); filters: state (one state, or "open"
    for the ones in progress)."""
    exp = uow.exponent
    sort_col = PO_SORTS.get(req.sort or "number", PurchaseOrder.number)
    stmt = select(
        PurchaseOrder.number,
        Contact.name,
        PurchaseOrder.state,
        PurchaseOrder.order_date,
        PurchaseOrder.expected_date,
        PurchaseOrder.net_minor + PurchaseOrder.vat_minor,
        sort_col,
        PurchaseOrder.id,
    ).join(Contact, Contact.id == PurchaseOrder.supplier_id)
    stmt = ORDERS.filtered(stmt, req, Contact.search_text)

    def to_row(r) -> PORow:  # noqa: ANN001
        return PORow(r[-1], po_label(r[0]), r[1], r[2], r[3], r[4], from_minor(int(r[5]), exp))

    return keyset_page(uow.session, stmt, sort_col, PurchaseOrder.id, req, to_row)


@requires("purchases.edit")
def draft_reorders(uow: UnitOfWork) -> tuple[list[POView], list[str]]:
    """One draft purchase order per supplier for the low-stock products that need one, at
    each product's usual cost. Returns the orders and, as words, the products that could not
    be ordered (no supplier, or no usual cost: never a line at cost 0). Services are never
    low on stock, so never proposed."""
    by_supplier: dict[int, list[POLineInput]] = {}
    skipped = []
    for r in low_stock(uow):
        if r.suggested <= 0:
            continue
        if r.supplier_id is None:
            skipped.append(Message("{sku} has no default supplier", sku=r.sku))
            continue
        cost = uow.session.get(Product, r.product_id).cost_minor
        if cost <= 0:
            skipped.append(Message("{sku} has no usual cost (set it on the product)", sku=r.sku))
            continue
        by_supplier.setdefault(r.supplier_id, []).append(  # at the usual cost (the default)
            POLineInput(product=f"#{r.product_id}", qty=str(r.suggested))
        )
    orders = [
        create(uow, POInput(supplier=f"#{sid}", lines=lines))
        for sid, lines in sorted(by_supplier.items())
    ]
    return orders, skipped


preview_totals = ORDERS.preview  # the order form's running totals
