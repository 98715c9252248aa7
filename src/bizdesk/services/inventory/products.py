"""Products: what is sold and stocked (SKU, prices, VAT, supplier, reorder point), their
page with stock figures, and the list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.contacts import Contact
from bizdesk.models.stock import Location, Product, StockMove
from bizdesk.money import (
    QTY_SCALE,
    AmountError,
    from_minor,
    money_text,
    parse_money,
    parse_qty,
    percent_from_bp,
    percent_to_basis_points,
    qty_from_scaled,
    qty_text,
)
from bizdesk.reading import is_digits, quoted
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
from bizdesk.services.base.shop_details import vat_rates
from bizdesk.services.crm.contacts import resolve
from bizdesk.services.inventory.levels import (
    LocationQty,
    average_cost,
    low_condition,
    on_order,
    reserved,
    reserved_subquery,
    sum_of_moves,
    totals,
)


@dataclass
class ProductInput:
    sku: str = ""
    name: str = ""
    unit: str = ""  # empty: the shop's word for pieces (_default_unit)
    sale_price: str = "0"
    cost: str = "0"
    vat_rate: str | None = None  # None: the store's standard rate, or unchanged (_vat)
    supplier: str = ""
    reorder_point: str = "0"
    reorder_qty: str = "0"
    allow_negative: bool | str = False
    stocked: bool | str = True  # False: a service (a workshop hour), never in stock


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
    raise v.FieldError(Message("yes or no"))


def _amount(fn, value: object, *args, **kwargs) -> int:  # noqa: ANN001, ANN003
    try:
        return fn(value, *args, **kwargs) if str(value or "").strip() else 0
    except AmountError as exc:
        raise v.FieldError(exc.message) from None


def resolve_supplier(uow: UnitOfWork, text: object) -> Contact:
    c = resolve(uow, str(text or ""))
    if not c.is_supplier:
        raise v.FieldError(
            Message("{name} is not marked as a supplier (edit the contact's roles)", name=c.name)
        )
    return c


def _clean_product(uow: UnitOfWork, data: ProductInput, self_id: int | None = None) -> dict:
    exp, loc = uow.exponent, uow.input_locale
    chk = v.Checker()
    sku = chk("sku", v.text, data.sku, required=True, max_len=40)
    if sku:
        sku = sku.upper()
        if any(ch.isspace() for ch in sku):
            chk.add("sku", Message("no spaces in a SKU"))
        clash = uow.session.scalars(select(Product).where(Product.sku == sku)).first()
        if clash is not None and clash.id != self_id:
            chk.add("sku", Message("{sku} is already used by {name}", sku=sku, name=clash.name))
    out = {
        "sku": sku,
        "name": chk("name", v.text, data.name, required=True, max_len=200),
        "unit": chk("unit", v.text, data.unit, max_len=12) or _default_unit(uow),
        "sale_price_minor": chk(
            "sale_price", _amount, parse_money, data.sale_price, exp, locale=loc
        ),
        "cost_minor": chk("cost", _amount, parse_money, data.cost, exp, locale=loc),
        "vat_bp": chk(
            "vat_rate", _amount, percent_to_basis_points, _vat(uow, data, self_id), locale=loc
        ),
        "reorder_point_scaled": chk(
            "reorder_point", _amount, parse_qty, data.reorder_point, locale=loc
        ),
        "reorder_qty_scaled": chk("reorder_qty", _amount, parse_qty, data.reorder_qty, locale=loc),
        "allow_negative": chk("allow_negative", _flag, data.allow_negative),
        "stocked": chk("stocked", _flag, data.stocked),
        "supplier_id": None,
    }
    reorder = out["reorder_qty_scaled"]
    if reorder and reorder % QTY_SCALE and out["unit"] and _pieces(uow, out["unit"]):
        chk.add(  # (its draft purchase order was refused, at the one key that orders it)
            "reorder_qty",
            Message(
                "{unit} are ordered whole: {qty} is not a whole number (a product in another "
                "unit, such as m or kg, takes parts of one)",
                unit=out["unit"],
                qty=qty_text(reorder, loc),
            ),
        )
    if out["stocked"] is False:
        for name in ("reorder_point", "reorder_qty"):
            if out[f"{name}_scaled"]:
                chk.add(name, Message("a service is never reordered: leave it at 0"))
        if out["allow_negative"]:
            chk.add("allow_negative", Message("a service has no stock to go below zero"))
        if self_id is not None:
            qty, value = totals(uow, self_id)
            if qty or value:
                chk.add(
                    "stocked",
                    Message(
                        "{qty} on hand, worth {value}: count it to 0 before making it a service",
                        qty=qty_text(qty, uow.input_locale),
                        value=money_text(value, exp, uow.input_locale),
                    ),
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
    p = load_product(uow, product_id)
    check_version(uow, p, version)
    clean = _clean_product(uow, data, self_id=p.id)
    before = _snapshot(p)
    was_in_pieces = in_pieces(uow, p)
    for k, val in clean.items():
        setattr(p, k, val)
    parts = parts_on_hand(uow, p.id) if in_pieces(uow, p) and not was_in_pieces else []
    if parts:  # 1.5 on hand would become 1.5 bicycles
        _, where, qty = parts[0]
        raise ValidationError(
            {
                "unit": Message(
                    "{qty} are on hand at {location}, not a whole number: count it to a "
                    "whole number first, then count it in {unit}",
                    qty=qty_text(qty, uow.input_locale),
                    location=where,
                    unit=p.unit,
                )
            }
        )
    touch(uow, p)
    uow.session.flush()
    uow.audit("product", p.id, "update", before=before, after=_snapshot(p))
    return get_product(uow, p.id)


@requires("products.edit")
def set_product_active(uow: UnitOfWork, product_id: int, active: bool, *, version: int) -> None:
    """Archive (or bring back) a product: it leaves the lists and pickers, its history stays."""
    p = load_product(uow, product_id)
    check_version(uow, p, version)
    p.active = active
    touch(uow, p)
    uow.audit("product", p.id, "unarchive" if active else "archive")


def load_product(uow: UnitOfWork, product_id: int, *, lock: bool = False) -> Product:
    p = uow.session.get(Product, product_id, with_for_update=lock)
    if p is None:
        raise NotFound(Message("There is no product #{id}.", id=product_id))
    return p


def resolve_product(uow: UnitOfWork, text: object) -> Product:
    """An active product from its SKU, "SKU name" as a picker fills it, its exact name (when
    no other product has it), or #id. "SKU something" whose rest is not that product's name
    is refused, not read as the SKU."""
    s = v.text(text, max_len=250)
    if not s:
        raise v.FieldError(Message("required"))
    if s.startswith("#") and is_digits(s[1:]):  # not "#²": int() fails
        p = uow.session.get(Product, int(s[1:]))
    else:
        sku, _, rest = s.partition(" ")
        p = uow.session.scalars(select(Product).where(Product.sku == sku.upper())).first()
        if p is not None and rest.strip() and rest.strip().casefold() != p.name.casefold():
            p = None  # "BOLT Hammer": neither the bolt nor a guess
        if p is None:
            p = _named(uow, s)
    if p is None:
        raise v.FieldError(Message("no product with SKU {sku}", sku=quoted(s, 40)))
    if not p.active:
        raise v.FieldError(Message("{sku} {name} is archived", sku=p.sku, name=p.name))
    return p


def _named(uow: UnitOfWork, name: str) -> Product | None:
    """The active product with exactly this name (any case); several: refused, naming them."""
    found = uow.session.scalars(
        select(Product)
        .where(
            Product.active.is_(True),
            or_(func.lower(Product.name) == name.lower(), Product.name == name),
        )
        .order_by(Product.sku)
        .limit(6)
    ).all()
    found = [p for p in found if p.name.casefold() == name.casefold()]
    if len(found) > 1:
        raise v.FieldError(
            Message(
                "{count} products are named {name} ({skus}): give the SKU",
                count=len(found),
                name=quoted(name, 40),
                skus=", ".join(p.sku for p in found),
            )
        )
    return found[0] if found else None


def suggest_products(uow: UnitOfWork, prefix: str, limit: int = 8) -> list[str]:
    """Type-ahead for product pickers: "SKU name" by SKU prefix, the name by its start."""
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
    # by its name as typed: the name (a picker completes what was typed, and reads it back);
    # else (its SKU, or its name without the accents typed) "SKU name"
    low = p.casefold()
    return [
        name
        if name.casefold().startswith(low) and not sku.casefold().startswith(low)
        else f"{sku} {name}"
        for sku, name in rows
    ]


@requires("stock.view")
def get_product(uow: UnitOfWork, product_id: int) -> ProductView:
    p = load_product(uow, product_id)
    exp = uow.exponent
    qty, value = totals(uow, p.id)
    locs = uow.session.execute(
        select(Location.id, Location.name, func.sum(StockMove.qty_scaled))
        .join(StockMove, StockMove.location_id == Location.id)
        .where(StockMove.product_id == p.id)
        .group_by(Location.id, Location.name)
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
        qty_from_scaled(on_order(uow, [p.id]).get(p.id, 0)),
        from_minor(value, exp),
        from_minor(average_cost(uow, p, qty, value), exp),
        [
            LocationQty(i, n, qty_from_scaled(q))
            for i, n, q in sorted(locs, key=lambda r: (v.sort_key(r[1]), r[0]))
            if q
        ],
        p.version,
        p.stocked,
    )


@requires("stock.view")
def standard_vat_rate(uow: UnitOfWork) -> str | None:
    """The store's standard VAT rate: the first rate of its chart of accounts (the chart's
    ``vat_rates``, recorded when it was installed) or the one the shop set (`bizdesk shop
    set vat-rate`); None when there is none."""
    return next(iter(vat_rates(uow)), None)


def line_vat_bp(uow: UnitOfWork, product: Product | None) -> int:
    """The VAT rate of a deal's line in basis points: its product's; a line without a
    product has none of its own, so the store's standard rate, as the deal's sales order
    gets it (the quote said 0 % and the order 21 %)."""
    if product is not None:
        return product.vat_bp
    return percent_to_basis_points(standard_vat_rate(uow) or "0")


def _vat(uow: UnitOfWork, data: ProductInput, self_id: int | None = None) -> str | Decimal:
    """The rate typed; else a product's own rate, a new one the store's standard rate (0
    when its chart names none). Rates not typed are exact numbers (no locale to read)."""
    if data.vat_rate is not None:
        return data.vat_rate
    if self_id is not None:
        return percent_from_bp(uow.session.get(Product, self_id).vat_bp)
    return Decimal(standard_vat_rate(uow) or "0")


def _default_unit(uow: UnitOfWork) -> str:
    """The unit of a product given none: pieces, in the shop's language ("buc." in a
    Romanian shop, which read "pcs" beside its own units)."""
    return written(uow.setting("locale"), N_("pcs"))


def in_pieces(uow: UnitOfWork, p: Product) -> bool:
    """Whether ``p`` is counted in pieces (its unit is bizdesk's word for them, "pcs", or
    the shop's: "buc.", "ud.", "cái"): whole ones only. Another unit (m, kg, h) takes parts."""
    return _pieces(uow, p.unit)


def _pieces(uow: UnitOfWork, unit: str) -> bool:
    said = unit.strip().casefold()
    return said == "pcs" or said == _default_unit(uow).casefold()


def parts_on_hand(uow: UnitOfWork, product_id: int | None = None) -> list[tuple[Product, str, int]]:
    """(product, location, on hand) wherever what is on hand is not a whole number, of one
    product or of all: for a product counted in pieces, taken before pieces were whole only
    or written around bizdesk (``bizdesk check``), or before its unit became pieces."""
    on_hand = func.sum(StockMove.qty_scaled)
    stmt = (
        select(Product, Location.name, on_hand)
        .join(StockMove, StockMove.product_id == Product.id)
        .join(Location, Location.id == StockMove.location_id)
        .group_by(Product.id, Location.id, Location.name)
        .having(on_hand % QTY_SCALE != 0)
        .order_by(Product.sku, Location.name)
    )
    if product_id is not None:
        stmt = stmt.where(Product.id == product_id)
    return [(p, where, int(q)) for p, where, q in uow.session.execute(stmt)]


def product_qty(uow: UnitOfWork, p: Product | None, value: object, **kw: bool) -> int:
    """A quantity of ``p`` as typed (money.parse_qty, in the reader's locale; ``kw``: its
    allow_negative), in thousandths. Refused (AmountError) when ``p`` is counted in pieces
    and the quantity is not a whole number: 1.5 bicycles was taken, sold and delivered."""
    q = parse_qty(value, locale=uow.input_locale, **kw)
    if p is not None and q % QTY_SCALE and in_pieces(uow, p):
        raise AmountError(
            Message(
                "{product} is counted in whole {unit}: {qty} is not a whole number (a "
                "product in another unit, such as m or kg, takes parts of one)",
                product=p.sku,
                unit=p.unit,
                qty=qty_text(q, uow.input_locale),
            )
        )
    return q


@requires("stock.view")
def new_product_input(uow: UnitOfWork) -> ProductInput:
    """What a new product starts with: the store's standard VAT rate, pieces."""
    return ProductInput(unit=_default_unit(uow), vat_rate=standard_vat_rate(uow) or "0")


@requires("stock.view")
def stored_input(uow: UnitOfWork, p: Product) -> ProductInput:
    """A stored product as an input written as this unit of work reads numbers (what an
    import row that names only some columns keeps of it); its supplier by number, never a
    name to resolve; its VAT rate as it is (None)."""
    exp, loc = uow.exponent, uow.input_locale
    return ProductInput(
        p.sku,
        p.name,
        p.unit,
        money_text(p.sale_price_minor, exp, loc),
        money_text(p.cost_minor, exp, loc),
        None,
        f"#{p.supplier_id}" if p.supplier_id else "",
        qty_text(p.reorder_point_scaled, loc),
        qty_text(p.reorder_qty_scaled, loc),
        p.allow_negative,
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


PRODUCT_SORTS = {"name": Product.sort_name, "sku": Product.sku}


@requires("stock.view")
def list_products(uow: UnitOfWork, req: PageRequest) -> Page[ProductRow]:
    """Products with on hand and value per row (sums over the move index, one page only).
    Filters: ``low`` (at or below the reorder point), ``archived``."""
    exp = uow.exponent
    qty = sum_of_moves(StockMove.qty_scaled)
    value = sum_of_moves(StockMove.value_minor)
    promised = reserved_subquery()
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
        stmt = stmt.where(low_condition(qty, promised))
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
