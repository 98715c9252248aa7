"""Stock: products, locations and the ledger of moves, valued at moving-average cost.

On hand and value are sums over the moves, never counters of their own. Every move that
changes the stock value posts its journal entry in the same transaction, so the inventory
account equals the valuation at every moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.models.contacts import Contact
from bizdesk.models.purchasing import POState, PurchaseLine, PurchaseOrder
from bizdesk.models.sales import SalesLine, SalesOrder, SOState
from bizdesk.models.stock import Location, Product, StockMove
from bizdesk.money import (
    QTY_SCALE,
    AmountError,
    from_minor,
    parse_money,
    parse_qty,
    percent_from_bp,
    percent_to_basis_points,
    qty_from_scaled,
    qty_text,
)
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    folded_contains,
    folded_prefix,
    keyset_page,
    like_pattern,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.books.ledger import Posting, account_for, post_entry
from bizdesk.services.crm.contacts import resolve

OPEN_PO_STATES = (POState.DRAFT, POState.SENT, POState.CONFIRMED, POState.PARTIALLY_RECEIVED)
# the sales orders whose lines not yet delivered hold stock (those a delivery starts from)
RESERVING_SO_STATES = (SOState.CONFIRMED, SOState.PARTIALLY_DELIVERED)

# --- products -------------------------------------------------------------------------------


@dataclass
class ProductInput:
    sku: str = ""
    name: str = ""
    unit: str = "pcs"
    sale_price: str = "0"
    cost: str = "0"
    vat_rate: str = "0"
    supplier: str = ""
    reorder_point: str = "0"
    reorder_qty: str = "0"
    allow_negative: bool | str = False
    stocked: bool | str = True  # False: a service (a workshop hour), never in stock


@dataclass(frozen=True)
class LocationQty:
    location_id: int
    location: str
    on_hand: Decimal


@dataclass(frozen=True)
class ProductView:
    id: int
    sku: str
    name: str
    unit: str
    sale_price: Decimal
    cost: Decimal
    vat_rate: Decimal
    supplier_id: int | None
    supplier: str
    reorder_point: Decimal
    reorder_qty: Decimal
    allow_negative: bool
    active: bool
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    value: Decimal
    average_cost: Decimal
    locations: list[LocationQty]
    version: int
    stocked: bool = True

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class ProductRow:
    id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    available: Decimal
    value: Decimal
    sale_price: Decimal
    reorder_point: Decimal
    low: bool
    active: bool


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value or "").strip().lower()
    if s in ("", "0", "no", "n", "false"):
        return False
    if s in ("1", "yes", "y", "true"):
        return True
    raise v.FieldError("yes or no")


def _amount(fn, value: object, *args, **kwargs) -> int:  # noqa: ANN001, ANN003
    try:
        return fn(value, *args, **kwargs) if str(value or "").strip() else 0
    except AmountError as exc:
        raise v.FieldError(str(exc)) from None


def resolve_supplier(uow: UnitOfWork, text: object) -> Contact:
    c = resolve(uow, str(text or ""))
    if not c.is_supplier:
        raise v.FieldError(f"{c.name} is not marked as a supplier (edit the contact's roles)")
    return c


def _clean_product(uow: UnitOfWork, data: ProductInput, self_id: int | None = None) -> dict:
    exp, loc = uow.exponent, uow.input_locale
    chk = v.Checker()
    sku = chk("sku", v.text, data.sku, required=True, max_len=40)
    if sku:
        sku = sku.upper()
        if any(ch.isspace() for ch in sku):
            chk.add("sku", "no spaces in a SKU")
        clash = uow.session.scalars(select(Product).where(Product.sku == sku)).first()
        if clash is not None and clash.id != self_id:
            chk.add("sku", f"{sku} is already used by {clash.name}")
    out = {
        "sku": sku,
        "name": chk("name", v.text, data.name, required=True, max_len=200),
        "unit": chk("unit", v.text, data.unit or "pcs", max_len=12) or "pcs",
        "sale_price_minor": chk(
            "sale_price", _amount, parse_money, data.sale_price, exp, locale=loc
        ),
        "cost_minor": chk("cost", _amount, parse_money, data.cost, exp, locale=loc),
        "vat_bp": chk("vat_rate", _amount, percent_to_basis_points, data.vat_rate, locale=loc),
        "reorder_point_scaled": chk(
            "reorder_point", _amount, parse_qty, data.reorder_point, locale=loc
        ),
        "reorder_qty_scaled": chk("reorder_qty", _amount, parse_qty, data.reorder_qty, locale=loc),
        "allow_negative": chk("allow_negative", _flag, data.allow_negative),
        "stocked": chk("stocked", _flag, data.stocked),
        "supplier_id": None,
    }
    if out["stocked"] is False:
        for name in ("reorder_point", "reorder_qty"):
            if out[f"{name}_scaled"]:
                chk.add(name, "a service is never reordered: leave it at 0")
        if out["allow_negative"]:
            chk.add("allow_negative", "a service has no stock to go below zero")
        if self_id is not None:
            qty, value = _totals(uow, self_id)
            if qty or value:
                chk.add(
                    "stocked",
                    f"{qty_text(qty)} on hand, worth {from_minor(value, exp)}: count it to 0 "
                    "before making it a service",
                )
    if str(data.supplier or "").strip():
        sup = chk("supplier", resolve_supplier, uow, data.supplier)
        out["supplier_id"] = sup.id if sup else None
    chk.done()
    out["sort_name"] = v.sort_key(out["name"])
    return out


def _snapshot(p: Product) -> dict:
    return {
        k: getattr(p, k)
        for k in (
            "sku",
            "name",
            "unit",
            "sale_price_minor",
            "cost_minor",
            "vat_bp",
            "supplier_id",
            "reorder_point_scaled",
            "reorder_qty_scaled",
            "allow_negative",
            "active",
            "stocked",
        )
    }


@requires("products.edit")
def create_product(uow: UnitOfWork, data: ProductInput) -> ProductView:
    clean = _clean_product(uow, data)
    p = Product(**clean, updated_by=uow.user)
    uow.session.add(p)
    uow.session.flush()
    uow.audit("product", p.id, "create", after=_snapshot(p))
    return get_product(uow, p.id)


@requires("products.edit")
def update_product(
    uow: UnitOfWork, product_id: int, data: ProductInput, *, version: int
) -> ProductView:
    p = _load(uow, product_id)
    check_version(p, version)
    clean = _clean_product(uow, data, self_id=p.id)
    before = _snapshot(p)
    for k, val in clean.items():
        setattr(p, k, val)
    touch(uow, p)
    uow.session.flush()
    uow.audit("product", p.id, "update", before=before, after=_snapshot(p))
    return get_product(uow, p.id)


@requires("products.edit")
def set_product_active(uow: UnitOfWork, product_id: int, active: bool, *, version: int) -> None:
    """Archive (or bring back) a product: it leaves the lists and pickers, its history stays."""
    p = _load(uow, product_id)
    check_version(p, version)
    p.active = active
    touch(uow, p)
    uow.audit("product", p.id, "unarchive" if active else "archive")


def _load(uow: UnitOfWork, product_id: int, *, lock: bool = False) -> Product:
    p = uow.session.get(Product, product_id, with_for_update=lock)
    if p is None:
        raise NotFound(f"There is no product #{product_id}.")
    return p


def resolve_product(uow: UnitOfWork, text: object) -> Product:
    """An active product from its SKU (or "SKU name" as a picker fills it), or #id."""
    s = v.text(text, max_len=250)
    if not s:
        raise v.FieldError("required")
    if s.startswith("#") and s[1:].isdigit():
        p = uow.session.get(Product, int(s[1:]))
    else:
        sku = s.split(" ", 1)[0].upper()
        p = uow.session.scalars(select(Product).where(Product.sku == sku)).first()
    if p is None:
        raise v.FieldError(f"no product with SKU {s[:40]!r}")
    if not p.active:
        raise v.FieldError(f"{p.sku} {p.name} is archived")
    return p


def suggest_products(uow: UnitOfWork, prefix: str, limit: int = 8) -> list[str]:
    """Type-ahead for product pickers: "SKU name" by SKU or name prefix."""
    p = prefix.strip()
    if not p:
        return []
    pat = like_pattern(p)[1:]
    rows = uow.session.execute(
        select(Product.sku, Product.name)
        .where(
            Product.active.is_(True),
            or_(
                Product.sku.like(pat.upper(), escape="\\"),
                folded_prefix(Product.search_text, p),
            ),
        )
        .order_by(Product.sku)
        .limit(limit)
    )
    return [f"{sku} {name}" for sku, name in rows]


def _totals(uow: UnitOfWork, product_id: int) -> tuple[int, int]:
    q, val = uow.session.execute(
        select(
            func.coalesce(func.sum(StockMove.qty_scaled), 0),
            func.coalesce(func.sum(StockMove.value_minor), 0),
        ).where(StockMove.product_id == product_id)
    ).one()
    return int(q), int(val)


@requires("stock.view")
def on_hand(uow: UnitOfWork, product_id: int) -> int:
    """Thousandths on hand over every location."""
    return _totals(uow, product_id)[0]


@requires("stock.view")
def on_hand_at(uow: UnitOfWork, product_id: int, location_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(StockMove.qty_scaled), 0)).where(
                StockMove.product_id == product_id, StockMove.location_id == location_id
            )
        )
    )


def _on_order(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
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


@requires("stock.view")
def get_product(uow: UnitOfWork, product_id: int) -> ProductView:
    p = _load(uow, product_id)
    exp = uow.exponent
    qty, value = _totals(uow, p.id)
    locs = uow.session.execute(
        select(Location.id, Location.name, func.sum(StockMove.qty_scaled))
        .join(StockMove, StockMove.location_id == Location.id)
        .where(StockMove.product_id == p.id)
        .group_by(Location.id, Location.name)
        .order_by(Location.name)
    )
    supplier = uow.session.get(Contact, p.supplier_id) if p.supplier_id else None
    return ProductView(
        p.id,
        p.sku,
        p.name,
        p.unit,
        from_minor(p.sale_price_minor, exp),
        from_minor(p.cost_minor, exp),
        percent_from_bp(p.vat_bp),
        p.supplier_id,
        supplier.name if supplier else "",
        qty_from_scaled(p.reorder_point_scaled),
        qty_from_scaled(p.reorder_qty_scaled),
        p.allow_negative,
        p.active,
        qty_from_scaled(qty),
        qty_from_scaled(reserved(uow, [p.id]).get(p.id, 0)),
        qty_from_scaled(_on_order(uow, [p.id]).get(p.id, 0)),
        from_minor(value, exp),
        from_minor(_average_cost(uow, p, qty, value), exp),
        [LocationQty(i, n, qty_from_scaled(q)) for i, n, q in locs if q],
        p.version,
        p.stocked,
    )


def product_input(view: ProductView) -> ProductInput:
    return ProductInput(
        view.sku,
        view.name,
        view.unit,
        str(view.sale_price),
        str(view.cost),
        str(view.vat_rate),
        view.supplier,
        str(view.reorder_point),
        str(view.reorder_qty),
        view.allow_negative,
        view.stocked,
    )


def _sum_of_moves(column):  # noqa: ANN001, ANN202
    """Per product row of a query: the sum of a move column (on the covering move index)."""
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(StockMove.product_id == Product.id)
        .scalar_subquery()
    )


def _reserved_subquery():  # noqa: ANN202
    """Per product row: what confirmed sales orders still have to deliver."""
    return (
        select(func.coalesce(func.sum(SalesLine.qty_scaled - SalesLine.delivered_scaled), 0))
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .where(
            SalesLine.product_id == Product.id,
            SalesOrder.state.in_(RESERVING_SO_STATES),
        )
        .scalar_subquery()
    )


PRODUCT_SORTS = {"name": Product.sort_name, "sku": Product.sku}


@requires("stock.view")
def list_products(uow: UnitOfWork, req: PageRequest) -> Page[ProductRow]:
    """Products with on hand and value per row (sums over the move index, one page only).
    Filters: ``low`` (at or below the reorder point), ``archived``."""
    exp = uow.exponent
    qty = _sum_of_moves(StockMove.qty_scaled)
    value = _sum_of_moves(StockMove.value_minor)
    promised = _reserved_subquery()
    sort_col = PRODUCT_SORTS.get(req.sort, Product.sort_name)
    stmt = select(
        Product.sku,
        Product.name,
        Product.unit,
        qty,
        value,
        Product.sale_price_minor,
        Product.reorder_point_scaled,
        Product.active,
        promised,
        Product.stocked,
        sort_col,
        Product.id,
    ).where(Product.active.is_(not req.filters.get("archived", False)))
    if req.filters.get("low"):
        stmt = stmt.where(
            Product.stocked.is_(True),
            Product.reorder_point_scaled > 0,
            qty <= Product.reorder_point_scaled,
        )
    s = req.search.strip()
    if s:
        stmt = stmt.where(
            or_(
                Product.sku.like(like_pattern(s.upper()), escape="\\"),
                folded_contains(Product.search_text, s),
            )
        )

    def to_row(r) -> ProductRow:  # noqa: ANN001
        return ProductRow(
            r[-1],
            r[0],
            r[1],
            r[2],
            qty_from_scaled(r[3]),
            qty_from_scaled(r[3] - r[8]),
            from_minor(r[4], exp),
            from_minor(r[5], exp),
            qty_from_scaled(r[6]),
            r[9] and r[6] > 0 and r[3] <= r[6],
            r[7],
        )

    return keyset_page(uow.session, stmt, sort_col, Product.id, req, to_row)


# --- locations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationView:
    id: int
    name: str
    is_default: bool


@requires("stock.view")
def list_locations(uow: UnitOfWork) -> list[LocationView]:
    stmt = select(Location).where(Location.archived.is_(False)).order_by(Location.name)
    return [LocationView(loc.id, loc.name, loc.is_default) for loc in uow.session.scalars(stmt)]


@requires("products.edit")
def add_location(uow: UnitOfWork, name: object) -> LocationView:
    chk = v.Checker()
    name = chk("name", v.text, name, required=True, max_len=60)
    if (
        name
        and uow.session.scalars(
            select(Location.id).where(func.lower(Location.name) == name.lower())
        ).first()
    ):
        chk.add("name", f"a location called {name!r} exists already")
    chk.done()
    loc = Location(name=name)
    uow.session.add(loc)
    uow.session.flush()
    uow.audit("location", loc.id, "create", after={"name": name})
    return LocationView(loc.id, loc.name, loc.is_default)


def default_location(uow: UnitOfWork) -> Location:
    loc = uow.session.scalars(select(Location).where(Location.is_default.is_(True))).first()
    if loc is None:
        raise ValidationError({"location": "no default stock location; run bizdesk init"})
    return loc


def resolve_location(uow: UnitOfWork, text: object) -> Location:
    s = v.text(text, max_len=60)
    if not s:
        return default_location(uow)
    loc = uow.session.scalars(
        select(Location).where(func.lower(Location.name) == s.lower(), Location.archived.is_(False))
    ).first()
    if loc is None:
        names = ", ".join(x.name for x in list_locations(uow))
        raise v.FieldError(f"no location {s[:40]!r} (there are: {names})")
    return loc


# --- moves ----------------------------------------------------------------------------------


def _half_even(numerator: int, denominator: int = 1) -> int:
    """numerator / denominator to a whole number of minor units, half-even: the one rounding
    of stock values."""
    exact = Decimal(numerator) / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _scale_value(qty_scaled: int, unit_cost_minor: int) -> int:
    """qty (thousandths) x unit cost (minor units) -> value in minor units."""
    return _half_even(qty_scaled * unit_cost_minor, QTY_SCALE)


def _last_cost(uow: UnitOfWork, p: Product) -> int:
    cost = uow.session.scalar(
        select(StockMove.unit_cost_minor)
        .where(StockMove.product_id == p.id, StockMove.qty_scaled > 0)
        .order_by(StockMove.id.desc())
        .limit(1)
    )
    return int(cost) if cost is not None else p.cost_minor


def _average_cost(uow: UnitOfWork, p: Product, qty: int, value: int) -> int:
    if qty > 0:
        return _half_even(value * QTY_SCALE, qty)
    return _last_cost(uow, p)


def _check_stocked(p: Product) -> None:
    if not p.stocked:
        raise ValidationError(
            {"product": f"{p.sku} {p.name} is a service: it is not kept in stock"}
        )


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
    _check_stocked(p)
    qty, value = _totals(uow, p.id)
    if qty_scaled < 0 and not p.allow_negative:
        here = on_hand_at(uow, p.id, location_id)
        if here + qty_scaled < 0:
            loc = uow.session.get(Location, location_id)
            raise ValidationError(
                {
                    "qty": f"only {qty_text(here)} {p.unit} of {p.sku} on hand at "
                    f"{loc.name}; {p.sku} may not go below zero"
                }
            )
    if qty_scaled > 0 and unit_cost_minor is not None:
        delta = _scale_value(qty_scaled, unit_cost_minor)
        cost = unit_cost_minor
    elif qty + qty_scaled == 0:  # back to zero, from either side: the value goes with it
        delta = -value
        cost = _average_cost(uow, p, qty, value)
    elif qty > 0:
        delta = _half_even(qty_scaled * value, qty)  # this share of the value at average
        cost = _average_cost(uow, p, qty, value)
    else:
        cost = _last_cost(uow, p)
        delta = _scale_value(qty_scaled, cost)
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
    p = _load(uow, product_id, lock=True)
    return _apply_move(
        uow, p, location_id, qty_scaled, "receipt", unit_cost_minor=unit_cost_minor, source=source
    )


@requires("stock.move")
def issue_from_stock(
    uow: UnitOfWork, product_id: int, location_id: int, qty_scaled: int, source: tuple[str, int]
) -> StockMove:
    """Goods out at average cost (the caller posts the entry)."""
    p = _load(uow, product_id, lock=True)
    return _apply_move(uow, p, location_id, -qty_scaled, "delivery", source=source)


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
    rows.sort(key=lambda r: (not r[2], -r[3], r[1].casefold(), r[0]))
    return [LocationQty(i, name, qty_from_scaled(q)) for i, name, _d, q in rows]


def where_text(spots: list[LocationQty], unit: str) -> str:
    """ "Main 0 pcs, Workshop 5 pcs": where a product's stock is."""
    return ", ".join(f"{s.location} {qty_text(_scaled(s.on_hand))} {unit}" for s in spots)


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
                p.sku: f"only {qty_text(have)} {p.unit} on hand at {name}, "
                f"{qty_text(qty_scaled)} to deliver (on hand: {where_text(spots, p.unit)}); "
                "leave the location empty to take it from where it is"
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
                    p.sku: f"only {qty_text(total)} {p.unit} on hand, {qty_text(qty_scaled)} "
                    f"to deliver (on hand: {where_text(spots, p.unit)})"
                }
            )
        first = spots[0].location_id
        taken = dict(picks)
        taken[first] = taken.get(first, 0) + left
        picks = [(i, taken[i]) for i in dict.fromkeys([first, *(i for i, _ in picks)])]
    return picks


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
    p = _load(uow, product_id, lock=True)
    _check_stocked(p)
    move = StockMove(
        product_id=p.id,
        location_id=location_id,
        kind="return",
        qty_scaled=qty_scaled,
        unit_cost_minor=_half_even(value_minor * QTY_SCALE, qty_scaled),
        value_minor=value_minor,
        source_kind=source[0],
        source_id=source[1],
        username=uow.user,
    )
    uow.session.add(move)
    uow.session.flush()
    return move


@requires("stock.view")
def reserved(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
    """Thousandths promised to confirmed sales orders and not yet delivered, per product."""
    rows = uow.session.execute(
        select(SalesLine.product_id, func.sum(SalesLine.qty_scaled - SalesLine.delivered_scaled))
        .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
        .where(
            SalesOrder.state.in_(RESERVING_SO_STATES),
            SalesLine.product_id.in_(product_ids),
        )
        .group_by(SalesLine.product_id)
    )
    return {pid: int(q) for pid, q in rows if q}


@dataclass(frozen=True)
class MoveResult:
    product_id: int
    qty: Decimal  # signed change
    value: Decimal  # signed change of stock value
    entry_number: int | None


def _post_value_change(
    uow: UnitOfWork, move: StockMove, p: Product, when: date, memo: str
) -> int | None:
    """Dr/Cr Inventory against Stock adjustments for a move that changed the stock value."""
    if move.value_minor == 0:
        return None
    inv = account_for(uow, "inventory").id
    adj = account_for(uow, "stock_adjustment").id
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
) -> MoveResult:
    """Add (positive) or remove (negative) stock with a reason, e.g. breakage or a find."""
    p = _load(uow, product_id, lock=True)
    _check_stocked(p)
    chk = v.Checker()
    try:
        delta = parse_qty(qty, allow_negative=True, locale=uow.input_locale)
        if delta == 0:
            chk.add("qty", "must not be zero")
    except AmountError as exc:
        chk.add("qty", str(exc))
        delta = 0
    reason = _clean_reason(chk, reason)
    loc = chk("location", resolve_location, uow, location)
    chk.done()
    return _adjust(uow, p, loc.id, delta, reason, when or date.today(), kind)


def _adjust(
    uow: UnitOfWork, p: Product, location_id: int, delta: int, reason: str, when: date, kind: str
) -> MoveResult:
    move = _apply_move(uow, p, location_id, delta, kind, reason=reason, source=None)
    number = _post_value_change(uow, move, p, when, f"Stock {kind}: {p.sku} ({reason})")
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
) -> MoveResult:
    """A counted quantity: the difference from the books posts as an adjustment."""
    p = _load(uow, product_id, lock=True)
    _check_stocked(p)
    chk = v.Checker()
    try:
        counted_scaled = parse_qty(counted, locale=uow.input_locale)
    except AmountError as exc:
        chk.add("counted", str(exc))
        counted_scaled = 0
    reason = _clean_reason(chk, reason or "stock count")
    loc = chk("location", resolve_location, uow, location)
    chk.done()
    delta = counted_scaled - on_hand_at(uow, p.id, loc.id)
    if delta == 0:
        return MoveResult(p.id, Decimal(0), Decimal(0), None)
    return _adjust(uow, p, loc.id, delta, reason, when or date.today(), "count")


@requires("stock.move")
def transfer(
    uow: UnitOfWork, product_id: int, qty: object, from_location: object, to_location: object
) -> MoveResult:
    """Move stock between locations at average cost: the total value does not change."""
    p = _load(uow, product_id, lock=True)
    _check_stocked(p)
    chk = v.Checker()
    try:
        q = parse_qty(qty, locale=uow.input_locale)
        if q == 0:
            chk.add("qty", "must be more than zero")
    except AmountError as exc:
        chk.add("qty", str(exc))
        q = 0
    src = chk("from_location", resolve_location, uow, from_location)
    dst = chk("to_location", resolve_location, uow, to_location)
    if src and dst and src.id == dst.id:
        chk.add("to_location", "choose a different location")
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
    return MoveResult(p.id, Decimal(0), Decimal(0), None)


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
            StockMove.source_id,
            StockMove.username,
            StockMove.id,
            StockMove.id,
        )
        .join(Location, Location.id == StockMove.location_id)
        .where(StockMove.product_id == product_id)
    )
    req = PageRequest(**{**req.__dict__, "descending": True})

    def to_row(r) -> MoveRow:  # noqa: ANN001
        src = f"{r[7]} #{r[8]}" if r[7] else ""
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


# --- reports --------------------------------------------------------------------------------


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
        avg = _half_even(val * QTY_SCALE, q) if q > 0 else 0
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
    on_order: Decimal
    reorder_point: Decimal
    reorder_qty: Decimal
    suggested: Decimal  # what a draft order would ask for (0: enough is on order)


@requires("reports.stock")
def low_stock_count(uow: UnitOfWork) -> int:
    """How many active products are at or below their reorder point."""
    qty = _sum_of_moves(StockMove.qty_scaled)
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(Product)
            .where(
                Product.active.is_(True),
                Product.stocked.is_(True),
                Product.reorder_point_scaled > 0,
                qty <= Product.reorder_point_scaled,
            )
        )
    )


@requires("reports.stock")
def low_stock(uow: UnitOfWork) -> list[LowStockRow]:
    """Active products at or below their reorder point, with what is already on order."""
    qty = _sum_of_moves(StockMove.qty_scaled)
    rows = uow.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.supplier_id,
            Contact.name,
            qty,
            Product.reorder_point_scaled,
            Product.reorder_qty_scaled,
        )
        .outerjoin(Contact, Contact.id == Product.supplier_id)
        .where(
            Product.active.is_(True),
            Product.stocked.is_(True),
            Product.reorder_point_scaled > 0,
            qty <= Product.reorder_point_scaled,
        )
        .order_by(Contact.name, Product.sku)
    ).all()
    on_order = _on_order(uow, [r[0] for r in rows])
    out = []
    for pid, sku, name, sid, sname, q, point, rq in rows:
        ordered = on_order.get(pid, 0)
        suggest = 0 if q + ordered > point else (rq or point - q - ordered)
        out.append(
            LowStockRow(
                pid,
                sku,
                name,
                sid,
                sname or "",
                qty_from_scaled(q),
                qty_from_scaled(ordered),
                qty_from_scaled(point),
                qty_from_scaled(rq),
                qty_from_scaled(suggest),
            )
        )
    return out
