"""The ledger of stock moves: receipts, deliveries, returns, adjustments, counts and
transfers, valued at moving-average cost. Every move that changes the stock value posts its
journal entry in the same transaction, so the inventory account equals the valuation at
every moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.ledger import Account
from bizdesk.models.making import AssemblyOrder
from bizdesk.models.purchasing import PurchaseLine, PurchaseOrder
from bizdesk.models.sales import SalesLine, SalesOrder
from bizdesk.models.stock import Location, Product, StockMove
from bizdesk.money import (
    QTY_SCALE,
    AmountError,
    bounded,
    from_minor,
    parse_money,
    qty_from_scaled,
    qty_text,
)
from bizdesk.reading import date_text
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import ASSEMBLY_ORDER, PURCHASE_ORDER, SALES_ORDER
from bizdesk.services.base.paging import Page, PageRequest, keyset_page
from bizdesk.services.base.permissions import require, requires
from bizdesk.services.books.ledger import (
    Posting,
    account_for,
    line_account_problem,
    party_message,
    post_entry,
    resolve_account,
)
from bizdesk.services.inventory.levels import (
    LocationQty,
    average_cost,
    half_even,
    is_kit,
    last_cost,
    on_hand_at,
    totals,
)
from bizdesk.services.inventory.locations import resolve_location
from bizdesk.services.inventory.products import load_product, product_qty


def ahead_problem(day: date) -> Message | None:
    """Goods are recorded as they move: a receipt, a delivery, a return or a finished
    assembly dated after today is refused. Its stock moves at once while its entry would
    wait (in 2027 for 2026), so the stock's value and the inventory account disagreed until
    then, and a sale's cost fell in another period than the sale."""
    if day > date.today():
        return Message(
            "{day} is after today: goods are recorded on the day they move", day=date_text(day)
        )
    return None


def _scale_value(qty_scaled: int, unit_cost_minor: int) -> int:
    """qty (thousandths) x unit cost (minor units) -> value in minor units."""
    return half_even(qty_scaled * unit_cost_minor, QTY_SCALE)


@requires("stock.view")
def why_not_moved(uow: UnitOfWork, product_id: int) -> Message | None:
    """Why the product numbered ``product_id`` does not move in stock (a service, a kit), or
    None: asked before its adjust, count or transfer form is shown, so that nobody fills
    one in to be refused."""
    return not_stocked(uow, load_product(uow, product_id))


def not_stocked(uow: UnitOfWork, p: Product) -> Message | None:
    """Why ``p`` does not move in stock, or None. Only goods move: not a service, and not
    a kit (its active bill of materials is of kind "kit": it is delivered as its
    components, which are in stock)."""
    if not p.stocked:
        return Message("{sku} {name} is a service: it is not kept in stock", sku=p.sku, name=p.name)
    if is_kit(uow, p.id):
        return Message(
            "{sku} {name} is a kit: it is never in stock itself, its components are "
            "(receive, count or move those)",
            sku=p.sku,
            name=p.name,
        )
    return None


def _check_stocked(uow: UnitOfWork, p: Product) -> None:
    problem = not_stocked(uow, p)
    if problem is not None:
        raise ValidationError({"product": problem})


def _apply_move(
    uow: UnitOfWork,
    p: Product,
    location_id: int,
    qty_scaled: int,
    kind: str,
    *,
    unit_cost_minor: int | None = None,
    reason: str = "",
    source: tuple[str, int] | None = None,
) -> StockMove:
    """Append one move. Incoming stock at a given cost, or at average cost when none is
    given; outgoing stock always at average cost (the last of it takes the rest of the
    value, so value and quantity reach zero together). Refuses negative stock, and any
    move of a service (a product that is not stocked)."""
    _check_stocked(uow, p)
    qty, value = totals(uow, p.id)
    if qty_scaled < 0 and not p.allow_negative:
        here = on_hand_at(uow, p.id, location_id)
        if here + qty_scaled < 0:
            loc = uow.session.get(Location, location_id)
            raise ValidationError(
                {
                    "qty": Message(
                        "only {qty} {unit} of {sku} on hand at {location}; {sku} may not go "
                        "below zero",
                        qty=qty_text(here, uow.input_locale),
                        unit=p.unit,
                        sku=p.sku,
                        location=loc.name,
                    )
                }
            )
    if qty_scaled > 0 and unit_cost_minor is not None:
        delta = _scale_value(qty_scaled, unit_cost_minor)
        cost = unit_cost_minor
    elif qty + qty_scaled == 0:  # back to zero, from either side: the value goes with it
        delta = -value
        cost = average_cost(uow, p, qty, value)
    elif qty > 0:
        delta = half_even(qty_scaled * value, qty)  # this share of the value at average
        cost = average_cost(uow, p, qty, value)
    else:
        cost = last_cost(uow, p)
        delta = _scale_value(qty_scaled, cost)
    try:  # a quantity and a cost each within bounds, their product and the stock's value too
        bounded(delta, uow.exponent, uow.input_locale)
        bounded(value + delta, uow.exponent, uow.input_locale)
    except AmountError as exc:
        raise ValidationError({"qty": exc.args[0]}) from None
    move = StockMove(
        product_id=p.id,
        location_id=location_id,
        kind=kind,
        qty_scaled=qty_scaled,
        unit_cost_minor=cost,
        value_minor=delta,
        reason=reason,
        source_kind=source[0] if source else None,
        source_id=source[1] if source else None,
        username=uow.user,
    )
    uow.session.add(move)
    uow.session.flush()
    return move


@requires("stock.move")
def receive_into_stock(
    uow: UnitOfWork,
    product_id: int,
    location_id: int,
    qty_scaled: int,
    unit_cost_minor: int,
    source: tuple[str, int],
) -> StockMove:
    """Goods in at a known cost (purchasing posts the entry for the whole receipt)."""
    p = load_product(uow, product_id, lock=True)
    return _apply_move(
        uow, p, location_id, qty_scaled, "receipt", unit_cost_minor=unit_cost_minor, source=source
    )


@requires("stock.move")
def issue_from_stock(
    uow: UnitOfWork, product_id: int, location_id: int, qty_scaled: int, source: tuple[str, int]
) -> StockMove:
    """Goods out at average cost (the caller posts the entry)."""
    p = load_product(uow, product_id, lock=True)
    return _apply_move(uow, p, location_id, -qty_scaled, "delivery", source=source)


@requires("stock.move")
def return_into_stock(
    uow: UnitOfWork,
    product_id: int,
    location_id: int,
    qty_scaled: int,
    value_minor: int,
    source: tuple[str, int],
) -> StockMove:
    """Goods coming back at the value they left with (the caller posts the entry)."""
    p = load_product(uow, product_id, lock=True)
    _check_stocked(uow, p)
    move = StockMove(
        product_id=p.id,
        location_id=location_id,
        kind="return",
        qty_scaled=qty_scaled,
        unit_cost_minor=half_even(value_minor * QTY_SCALE, qty_scaled),
        value_minor=value_minor,
        source_kind=source[0],
        source_id=source[1],
        username=uow.user,
    )
    uow.session.add(move)
    uow.session.flush()
    return move


@requires("stock.move")
def issue_for(
    uow: UnitOfWork,
    product_id: int,
    location_id: int,
    qty_scaled: int,
    kind: str,
    source: tuple[str, int],
) -> StockMove:
    """Goods out at average cost for a document of another kind (an assembly consumes its
    components); the caller posts the entry."""
    p = load_product(uow, product_id, lock=True)
    return _apply_move(uow, p, location_id, -qty_scaled, kind, source=source)


@requires("stock.move")
def receive_at_value(
    uow: UnitOfWork,
    product_id: int,
    location_id: int,
    qty_scaled: int,
    value_minor: int,
    kind: str,
    source: tuple[str, int],
) -> StockMove:
    """Goods in at an exact total value (what was made: the components' cost and labour);
    the caller posts the entry."""
    p = load_product(uow, product_id, lock=True)
    _check_stocked(uow, p)
    move = StockMove(
        product_id=p.id,
        location_id=location_id,
        kind=kind,
        qty_scaled=qty_scaled,
        unit_cost_minor=half_even(value_minor * QTY_SCALE, qty_scaled),
        value_minor=value_minor,
        source_kind=source[0],
        source_id=source[1],
        username=uow.user,
    )
    uow.session.add(move)
    uow.session.flush()
    return move


@dataclass(frozen=True)
class MoveResult:
    product_id: int
    qty: Decimal  # signed change
    value: Decimal  # signed change of stock value
    entry_number: int | None
    # a transfer: how much went from where to where (the stock on hand does not change)
    moved: Decimal = Decimal(0)
    from_location: str = ""
    to_location: str = ""


# an adjustment's or a count's entry, in the shop's language (the reason as typed after it)
_MEMOS = {"adjustment": N_("Stock adjustment: {sku}"), "count": N_("Stock count: {sku}")}


def _post_value_change(
    uow: UnitOfWork,
    move: StockMove,
    p: Product,
    when: date,
    memo: str,
    against: Account | None = None,
) -> int | None:
    """Dr/Cr Inventory against Stock adjustments (or the account ``against``: opening stock
    against equity) for a move that changed the stock value."""
    if move.value_minor == 0:
        return None
    inv = account_for(uow, "inventory").id
    adj = (against or account_for(uow, "stock_adjustment")).id
    amt = abs(move.value_minor)
    lines = (
        [Posting(inv, debit_minor=amt, memo=p.sku), Posting(adj, credit_minor=amt, memo=p.sku)]
        if move.value_minor > 0
        else [Posting(adj, debit_minor=amt, memo=p.sku), Posting(inv, credit_minor=amt, memo=p.sku)]
    )
    e = post_entry(uow, when, memo, lines, source=("stock_move", move.id))
    move.entry_id = e.id
    return e.number


def _clean_reason(chk: v.Checker, reason: object) -> str:
    return chk("reason", v.text, reason, required=True, max_len=200) or ""


@requires("journal.post")
def posting_account(uow: UnitOfWork, typed: object) -> Account:
    """The account a stock adjustment posts against instead of Stock adjustments (an owner's
    opening stock against equity): any open account a person may post to, chosen by those
    who may write journal entries (asked here too: inside an adjustment, a service's own
    permission is covered by the adjustment's); FieldError otherwise."""
    require(uow, "journal.post")
    a = resolve_account(uow, typed)
    problem = line_account_problem(a) or party_message(a)
    if problem is not None:
        raise v.FieldError(problem)
    return a


def _against(uow: UnitOfWork, chk: v.Checker, typed: object) -> Account | None:
    """The account typed to post against, if one is (else: Stock adjustments)."""
    return chk("against", posting_account, uow, typed) if str(typed or "").strip() else None


def unit_cost_typed(uow: UnitOfWork, chk: v.Checker, typed: object) -> int | None:
    """A unit cost typed for stock coming in (None: none typed, the average cost); a
    cost that is no amount is told to chk under "unit_cost"."""
    if not str(typed or "").strip():
        return None
    try:
        return parse_money(typed, uow.exponent, locale=uow.input_locale)
    except AmountError as exc:
        chk.add("unit_cost", exc.message)
        return None


@requires("stock.move")
def adjust(
    uow: UnitOfWork,
    product_id: int,
    qty: object,
    reason: object,
    *,
    location: object = "",
    when: date | None = None,
    kind: str = "adjustment",
    unit_cost: object = "",
    against: object = "",
) -> MoveResult:
    """Add (positive) or remove (negative) stock with a reason, e.g. breakage or a find.
    Stock added is valued at ``unit_cost`` when one is typed (opening stock, a find whose
    cost is known), else at the average cost; stock removed always at the average cost."""
    p = load_product(uow, product_id, lock=True)
    _check_stocked(uow, p)
    chk = v.Checker()
    try:
        delta = product_qty(uow, p, qty, allow_negative=True)
        if delta == 0:
            chk.add("qty", Message("must not be zero"))
    except AmountError as exc:
        chk.add("qty", exc.message)
        delta = 0
    reason = _clean_reason(chk, reason)
    loc = chk("location", resolve_location, uow, location)
    cost = unit_cost_typed(uow, chk, unit_cost)
    if cost is not None and delta < 0:
        chk.add("unit_cost", COST_IS_FOR_STOCK_IN)
    other = _against(uow, chk, against)
    chk.done()
    return _adjust(uow, p, loc.id, delta, reason, when or date.today(), kind, cost, other)


COST_IS_FOR_STOCK_IN = Message(
    "a unit cost values stock coming in; stock going out leaves at its average cost: leave it empty"
)


def _adjust(
    uow: UnitOfWork,
    p: Product,
    location_id: int,
    delta: int,
    reason: str,
    when: date,
    kind: str,
    unit_cost_minor: int | None = None,
    against: Account | None = None,
) -> MoveResult:
    move = _apply_move(
        uow, p, location_id, delta, kind, unit_cost_minor=unit_cost_minor, reason=reason
    )
    memo = written(uow.setting("locale"), _MEMOS.get(kind, _MEMOS["adjustment"]), sku=p.sku)
    number = _post_value_change(uow, move, p, when, f"{memo} ({reason})", against)
    uow.audit(
        "product", p.id, kind, after={"qty": delta, "value": move.value_minor, "reason": reason}
    )
    exp = uow.exponent
    return MoveResult(p.id, qty_from_scaled(delta), from_minor(move.value_minor, exp), number)


@requires("stock.move")
def count(
    uow: UnitOfWork,
    product_id: int,
    counted: object,
    reason: object = "stock count",
    *,
    location: object = "",
    when: date | None = None,
    unit_cost: object = "",
    against: object = "",
) -> MoveResult:
    """A counted quantity: the difference from the books posts as an adjustment (more
    than the books: valued at ``unit_cost`` when one is typed, as ``adjust``)."""
    p = load_product(uow, product_id, lock=True)
    _check_stocked(uow, p)
    chk = v.Checker()
    try:
        counted_scaled = product_qty(uow, p, counted)
    except AmountError as exc:
        chk.add("counted", exc.message)
        counted_scaled = 0
    reason = _clean_reason(chk, reason or "stock count")
    loc = chk("location", resolve_location, uow, location)
    cost = unit_cost_typed(uow, chk, unit_cost)
    other = _against(uow, chk, against)
    chk.done()
    delta = counted_scaled - on_hand_at(uow, p.id, loc.id)
    if delta == 0:
        return MoveResult(p.id, Decimal(0), Decimal(0), None)
    if cost is not None and delta < 0:
        raise ValidationError({"unit_cost": COST_IS_FOR_STOCK_IN})
    return _adjust(uow, p, loc.id, delta, reason, when or date.today(), "count", cost, other)


@requires("stock.move")
def transfer(
    uow: UnitOfWork, product_id: int, qty: object, from_location: object, to_location: object
) -> MoveResult:
    """Move stock between locations at average cost: the total value does not change."""
    p = load_product(uow, product_id, lock=True)
    _check_stocked(uow, p)
    chk = v.Checker()
    try:
        q = product_qty(uow, p, qty)
        if q == 0:
            chk.add("qty", Message("must be more than zero"))
    except AmountError as exc:
        chk.add("qty", exc.message)
        q = 0
    src = chk("from_location", resolve_location, uow, from_location)
    dst = chk("to_location", resolve_location, uow, to_location)
    if src and dst and src.id == dst.id:
        chk.add("to_location", Message("choose a different location"))
    chk.done()
    out = _apply_move(uow, p, src.id, -q, "transfer", reason=f"to {dst.name}")
    inn = StockMove(
        product_id=p.id,
        location_id=dst.id,
        kind="transfer",
        qty_scaled=q,
        unit_cost_minor=out.unit_cost_minor,
        value_minor=-out.value_minor,
        reason=f"from {src.name}",
        source_kind="stock_move",
        source_id=out.id,
        username=uow.user,
    )
    uow.session.add(inn)
    uow.audit("product", p.id, "transfer", after={"qty": q, "from": src.name, "to": dst.name})
    return MoveResult(p.id, Decimal(0), Decimal(0), None, qty_from_scaled(q), src.name, dst.name)


DELIVERY_RULE = "the default location first, then the others by most on hand"


def stock_by_location(uow: UnitOfWork, product_id: int) -> list[LocationQty]:
    """On hand per location in the order a delivery takes from them (DELIVERY_RULE): the
    default location (always listed), then every other location holding some."""
    rows = uow.session.execute(
        select(
            Location.id,
            Location.name,
            Location.is_default,
            func.coalesce(func.sum(StockMove.qty_scaled), 0),
        )
        .outerjoin(
            StockMove,
            (StockMove.location_id == Location.id) & (StockMove.product_id == product_id),
        )
        .group_by(Location.id, Location.name, Location.is_default)
    ).all()
    rows = [r for r in rows if r[2] or r[3]]
    rows.sort(key=lambda r: (not r[2], -r[3], v.sort_key(r[1]), r[0]))
    return [LocationQty(i, name, qty_from_scaled(q)) for i, name, _d, q in rows]


def where_text(spots: list[LocationQty], unit: str, locale: str | None = None) -> str:
    """ "Main 0 pcs, Workshop 5 pcs": where a product's stock is (quantities as ``locale``
    writes them; None: the machine form)."""
    return ", ".join(f"{s.location} {qty_text(_scaled(s.on_hand), locale)} {unit}" for s in spots)


def _scaled(qty: Decimal) -> int:
    return int(qty * QTY_SCALE)


def plan_issue(
    uow: UnitOfWork, p: Product, qty_scaled: int, location_id: int | None = None
) -> list[tuple[int, int]]:
    """Where ``qty_scaled`` of ``p`` is taken from, as (location id, thousandths): from
    ``location_id`` only when one is named, else by DELIVERY_RULE, split over as many
    locations as it takes. Refused, naming what is where, when there is not enough (a
    product that may go below zero takes the rest from the first location)."""
    spots = stock_by_location(uow, p.id)
    if location_id is not None:
        here = next((s for s in spots if s.location_id == location_id), None)
        have = _scaled(here.on_hand) if here else 0
        if have >= qty_scaled or p.allow_negative:
            return [(location_id, qty_scaled)]
        name = here.location if here else uow.session.get(Location, location_id).name
        raise ValidationError(
            {
                p.sku: Message(
                    "only {qty} {unit} on hand at {location}, {wanted} to deliver (on hand: "
                    "{where}); leave the location empty to take it from where it is",
                    qty=qty_text(have, uow.input_locale),
                    unit=p.unit,
                    location=name,
                    wanted=qty_text(qty_scaled, uow.input_locale),
                    where=where_text(spots, p.unit, uow.input_locale),
                )
            }
        )
    picks: list[tuple[int, int]] = []
    left = qty_scaled
    for s in spots:
        take = min(left, max(0, _scaled(s.on_hand)))
        if take > 0:
            picks.append((s.location_id, take))
            left -= take
    if left > 0:
        if not p.allow_negative:
            total = sum(max(0, _scaled(s.on_hand)) for s in spots)
            raise ValidationError(
                {
                    p.sku: Message(
                        "only {qty} {unit} on hand, {wanted} to deliver (on hand: {where})",
                        qty=qty_text(total, uow.input_locale),
                        unit=p.unit,
                        wanted=qty_text(qty_scaled, uow.input_locale),
                        where=where_text(spots, p.unit, uow.input_locale),
                    )
                }
            )
        first = spots[0].location_id
        taken = dict(picks)
        taken[first] = taken.get(first, 0) + left
        picks = [(i, taken[i]) for i in dict.fromkeys([first, *(i for i, _ in picks)])]
    return picks


@dataclass(frozen=True)
class MoveRow:
    id: int
    at: datetime
    kind: str
    location: str
    qty: Decimal
    unit_cost: Decimal
    value: Decimal
    reason: str
    source: str
    username: str

    @property
    def note(self) -> str:
        return self.reason or self.source


# the documents that move stock, by the move's source_kind
_SOURCES = {
    "sales_line": SALES_ORDER,
    "purchase_line": PURCHASE_ORDER,
    "assembly_order": ASSEMBLY_ORDER,
}


@requires("stock.view")
def product_moves(uow: UnitOfWork, product_id: int, req: PageRequest) -> Page[MoveRow]:
    """A product's move history, newest first."""
    exp = uow.exponent
    stmt = (
        select(
            StockMove.at,
            StockMove.kind,
            Location.name,
            StockMove.qty_scaled,
            StockMove.unit_cost_minor,
            StockMove.value_minor,
            StockMove.reason,
            StockMove.source_kind,
            func.coalesce(SalesOrder.number, PurchaseOrder.number, AssemblyOrder.number),
            StockMove.username,
            StockMove.id,
            StockMove.id,
        )
        .join(Location, Location.id == StockMove.location_id)
        .where(StockMove.product_id == product_id)
    )
    # the order's number, for its label: a delivery's or receipt's move names its line
    stmt = (
        stmt.outerjoin(
            SalesLine,
            (StockMove.source_kind == "sales_line") & (SalesLine.id == StockMove.source_id),
        )
        .outerjoin(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .outerjoin(
            PurchaseLine,
            (StockMove.source_kind == "purchase_line") & (PurchaseLine.id == StockMove.source_id),
        )
        .outerjoin(PurchaseOrder, PurchaseOrder.id == PurchaseLine.order_id)
        .outerjoin(
            AssemblyOrder,
            (StockMove.source_kind == "assembly_order") & (AssemblyOrder.id == StockMove.source_id),
        )
    )
    labels = _SOURCES
    req = PageRequest(**{**req.__dict__, "descending": True})

    def to_row(r) -> MoveRow:  # noqa: ANN001
        series = labels.get(r[7])
        src = series.label(r[8]) if series and r[8] is not None else ""
        return MoveRow(
            r[-1],
            r[0],
            r[1],
            r[2],
            qty_from_scaled(r[3]),
            from_minor(r[4], exp),
            from_minor(r[5], exp),
            r[6],
            src,
            r[9],
        )

    return keyset_page(uow.session, stmt, StockMove.id, StockMove.id, req, to_row)
