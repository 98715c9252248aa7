"""Bills of materials: what one unit of a product is made of (components with exact
quantities, in the stock quantity scale) and the labour cost per unit. Every change is a
new version; the older ones are kept and exactly one is active. A product may never be
made of itself, at any depth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update

from bizdesk.db.session import MAX_ROW_ID, UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import Message
from bizdesk.models.making import AssemblyOrder, Bom, BomKind, BomLine, MOState
from bizdesk.models.stock import Product
from bizdesk.money import (
    QTY_SCALE,
    AmountError,
    from_minor,
    parse_money,
    parse_qty,
    qty_from_scaled,
    qty_text,
)
from bizdesk.reading import quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.permissions import requires
from bizdesk.services.inventory.levels import average_cost, half_even, is_kit, reserved, totals
from bizdesk.services.inventory.products import load_product, product_qty, resolve_product

MAX_COMPONENTS = 200


@dataclass
class BomInput:
    """As people type it: (product, quantity) pairs, the labour per unit, a note."""

    components: list[tuple[str, str]] = field(default_factory=list)
    labour: str = "0"
    note: str = ""
    kind: str = BomKind.ASSEMBLY  # or "kit": sold as one line, delivered as the components


@dataclass(frozen=True)
class ComponentView:
    product_id: int
    sku: str
    name: str
    unit: str
    qty: Decimal  # per one unit made
    unit_cost: Decimal  # moving-average cost today
    cost: Decimal  # qty x unit cost, rounded half-even
    available: Decimal = Decimal(0)  # on hand less what is promised (levels.reserved)
    stocked: bool = True  # a service (labour hours) is not counted in stock


@dataclass(frozen=True)
class BomView:
    id: int
    product_id: int
    sku: str
    name: str
    version: int
    active: bool
    labour: Decimal
    note: str
    created_at: datetime
    created_by: str
    components: list[ComponentView]
    kind: str = BomKind.ASSEMBLY

    @property
    def is_kit(self) -> bool:
        return self.kind == BomKind.KIT

    @property
    def material_cost(self) -> Decimal:
        return sum((c.cost for c in self.components), Decimal(0))

    @property
    def unit_cost(self) -> Decimal:
        """What one unit would cost to make today: components at average cost + labour."""
        return self.material_cost + self.labour

    @property
    def can_make(self) -> int | None:
        """Whole units (kits) the stocked components' available stock makes today; None
        when no component is counted in stock. A kit itself is never in stock: this is what
        a shop can sell of it."""
        counts = [int(c.available // c.qty) for c in self.components if c.stocked and c.qty > 0]
        return max(0, min(counts)) if counts else None


@dataclass(frozen=True)
class BomVersion:
    version: int
    active: bool
    components: int
    labour: Decimal
    created_at: datetime
    created_by: str
    note: str


def active_bom(uow: UnitOfWork, product_id: int) -> Bom | None:
    return uow.session.scalars(
        select(Bom).where(Bom.product_id == product_id, Bom.active.is_(True))
    ).first()


def bom_lines(uow: UnitOfWork, bom_id: int) -> list[BomLine]:
    return list(
        uow.session.scalars(select(BomLine).where(BomLine.bom_id == bom_id).order_by(BomLine.id))
    )


def _cost_today(need: int, qty: int, value: int, avg: int) -> int:
    """What taking ``need`` from stock would cost today, as stock moves take it (moves.move):
    their share of the stock's value (2 of 10.00375 each cost 20.01, not 2 x 10.00), or
    the average's when the stock is none or less."""
    if 0 < need <= qty:
        return half_even(need * value, qty)
    return half_even(need * avg, QTY_SCALE)


def _view(uow: UnitOfWork, bom: Bom) -> BomView:
    exp = uow.exponent
    p = load_product(uow, bom.product_id)
    comps = []
    for line in bom_lines(uow, bom.id):
        c = load_product(uow, line.component_id)
        qty, value = totals(uow, c.id)
        avg = average_cost(uow, c, qty, value)
        promised = reserved(uow, [c.id]).get(c.id, 0)
        comps.append(
            ComponentView(
                c.id,
                c.sku,
                c.name,
                c.unit,
                qty_from_scaled(line.qty_scaled),
                from_minor(avg, exp),
                from_minor(_cost_today(line.qty_scaled, qty, value, avg), exp),
                qty_from_scaled(qty - promised),
                c.stocked,
            )
        )
    return BomView(
        bom.id,
        p.id,
        p.sku,
        p.name,
        bom.version,
        bom.active,
        from_minor(bom.labour_minor, exp),
        bom.note,
        bom.created_at,
        bom.created_by,
        comps,
        bom.kind,
    )


@requires("stock.view")
def get_bom(uow: UnitOfWork, product_id: int, version: int | None = None) -> BomView:
    """The active bill of materials of a product, or the version named."""
    p = load_product(uow, product_id)
    if version is None:
        bom = active_bom(uow, p.id)
        if bom is None:
            raise NotFound(Message("{sku} has no bill of materials.", sku=p.sku))
    else:
        bom = _version_of(uow, p, version)
    return _view(uow, bom)


def _version_of(uow: UnitOfWork, p: Product, version: int) -> Bom:
    """A version of a product's bill of materials; one no row can have (99999999999999999999
    typed) is not there, never asked of the database."""
    bom = None
    if 0 < version <= MAX_ROW_ID:
        bom = uow.session.scalars(
            select(Bom).where(Bom.product_id == p.id, Bom.version == version)
        ).first()
    if bom is None:
        raise NotFound(Message("{sku} has no version {version}.", sku=p.sku, version=version))
    return bom


@requires("stock.view")
def find_bom(uow: UnitOfWork, product_id: int) -> BomView | None:
    """The active bill of materials, or None (a product page shows it when there is one)."""
    bom = active_bom(uow, product_id)
    return _view(uow, bom) if bom is not None else None


@requires("stock.view")
def bom_versions(uow: UnitOfWork, product_id: int) -> list[BomVersion]:
    """Every version of a product's bill of materials, newest first."""
    load_product(uow, product_id)
    counts = select(func.count(BomLine.id)).where(BomLine.bom_id == Bom.id).scalar_subquery()
    rows = uow.session.execute(
        select(Bom, counts).where(Bom.product_id == product_id).order_by(Bom.version.desc())
    )
    exp = uow.exponent
    return [
        BomVersion(
            b.version,
            b.active,
            n,
            from_minor(b.labour_minor, exp),
            b.created_at,
            b.created_by,
            b.note,
        )
        for b, n in rows
    ]


def made_of(uow: UnitOfWork, product_id: int) -> dict[int, int]:
    """The components of a product's active bill of materials: product id -> thousandths
    per unit (empty when it has none)."""
    bom = active_bom(uow, product_id)
    if bom is None:
        return {}
    return {line.component_id: line.qty_scaled for line in bom_lines(uow, bom.id)}


def _cycle(uow: UnitOfWork, product_id: int, components: list[int]) -> list[int] | None:
    """A path product -> ... -> product through the active bills of materials, were the
    product made of ``components``; None when there is none."""
    seen: set[int] = set()
    stack: list[tuple[int, list[int]]] = [(c, [product_id, c]) for c in components]
    while stack:
        pid, path = stack.pop()
        if pid == product_id:
            return path
        if pid in seen:
            continue
        seen.add(pid)
        for c in made_of(uow, pid):
            stack.append((c, [*path, c]))
    return None


def _clean(
    uow: UnitOfWork, p: Product, data: BomInput
) -> tuple[list[tuple[Product, int]], int, str, str]:
    chk = v.Checker()
    if not p.stocked:
        chk.add(
            "product",
            Message(
                "{sku} {name} is a service: it is not kept in stock, so it is not made",
                sku=p.sku,
                name=p.name,
            ),
        )
    lines: list[tuple[Product, int]] = []
    seen: dict[int, int] = {}
    rows = [(s, q) for s, q in data.components if str(s or "").strip() or str(q or "").strip()]
    if not rows:
        chk.add("components", Message("name at least one component"))
    if len(rows) > MAX_COMPONENTS:
        chk.add("components", Message("at most {max} components", max=MAX_COMPONENTS))
    for i, (sku, qty) in enumerate(rows, start=1):
        c = chk(f"line {i} product", resolve_product, uow, sku)
        try:
            q = product_qty(uow, c, qty)
            if q == 0:
                raise AmountError(Message("must be more than zero"))
        except AmountError as exc:
            chk.add(f"line {i} qty", exc.message)
            q = 0
        if c is None:
            continue
        if c.id == p.id:
            chk.add(f"line {i} product", Message("{sku} cannot be made of itself", sku=c.sku))
        elif not c.stocked:
            chk.add(
                f"line {i} product",
                Message(
                    "{sku} is a service, not kept in stock: put its cost in the labour",
                    sku=c.sku,
                ),
            )
        elif is_kit(uow, c.id):
            chk.add(
                f"line {i} product",
                Message("{sku} is a kit: name its components instead", sku=c.sku),
            )
        elif c.id in seen:
            chk.add(
                f"line {i} product",
                Message(
                    "{sku} is already on line {line}: give its whole quantity once",
                    sku=c.sku,
                    line=seen[c.id],
                ),
            )
        else:
            seen[c.id] = i
            lines.append((c, q))
    try:
        labour = (
            parse_money(data.labour, uow.exponent, locale=uow.input_locale)
            if str(data.labour or "").strip()
            else 0
        )
    except AmountError as exc:
        chk.add("labour", exc.message)
        labour = 0
    note = chk("note", v.text, data.note, max_len=200) or ""
    kind = str(data.kind or "").strip() or BomKind.ASSEMBLY
    if kind not in (BomKind.ASSEMBLY, BomKind.KIT):
        chk.add("kind", Message("either {assembly} or {kit}", assembly="assembly", kit="kit"))
    elif kind == BomKind.KIT:
        if labour:
            chk.add("labour", Message("a kit is not assembled: it has no labour"))
        why = _why_not_kit(uow, p)
        if why:
            chk.add("kind", why)
    if not chk.errors:
        path = _cycle(uow, p.id, [c.id for c, _ in lines])
        if path:
            names = " → ".join(load_product(uow, i).sku for i in path)
            chk.add(
                "components",
                Message("{sku} would be made of itself: {path}", sku=p.sku, path=names),
            )
    chk.done()
    return lines, labour, note, kind


def _why_not_kit(uow: UnitOfWork, p: Product) -> Message | None:
    """Why this product cannot become a kit now (a kit is never in stock itself), or None."""
    qty, value = totals(uow, p.id)
    if qty or value:
        return Message(
            "{sku} has {qty} {unit} in stock: a kit never is; sell or adjust it to zero first",
            sku=p.sku,
            qty=qty_text(qty, uow.input_locale),
            unit=p.unit,
        )
    if reserved(uow, [p.id]).get(p.id):
        return Message(
            "{sku} is promised on confirmed sales orders: deliver or cancel them first", sku=p.sku
        )
    if uow.session.scalar(
        select(AssemblyOrder.id)
        .where(
            AssemblyOrder.product_id == p.id,
            AssemblyOrder.state.in_((MOState.DRAFT, MOState.CONFIRMED, MOState.PARTIALLY_DONE)),
        )
        .limit(1)
    ):
        return Message("{sku} has open assembly orders: finish or cancel them first", sku=p.sku)
    parent = uow.session.scalar(
        select(Product.sku)
        .join(Bom, Bom.product_id == Product.id)
        .join(BomLine, BomLine.bom_id == Bom.id)
        .where(Bom.active.is_(True), BomLine.component_id == p.id)
        .limit(1)
    )
    if parent:
        return Message(
            "{sku} is a component of {parent}: a kit cannot be one", sku=p.sku, parent=parent
        )
    return None


@requires("making.edit")
def set_bom(uow: UnitOfWork, product_id: int, data: BomInput) -> BomView:
    """A new version of a product's bill of materials, made the active one (the older
    versions are kept); the active version itself when nothing differs from it (``bom show
    --format json | bom set`` made a copy of it each time)."""
    p = load_product(uow, product_id, lock=True)
    lines, labour, note, kind = _clean(uow, p, data)
    active = uow.session.scalar(select(Bom).where(Bom.product_id == p.id, Bom.active.is_(True)))
    if active is not None and (active.kind, active.labour_minor, active.note) == (
        kind,
        labour,
        note,
    ):
        held = sorted((ln.component_id, ln.qty_scaled) for ln in bom_lines(uow, active.id))
        if held == sorted((c.id, q) for c, q in lines):  # the same again: no new version
            return _view(uow, active)
    last = uow.session.scalar(select(func.max(Bom.version)).where(Bom.product_id == p.id)) or 0
    uow.session.execute(
        update(Bom).where(Bom.product_id == p.id, Bom.active.is_(True)).values(active=False)
    )
    bom = Bom(
        product_id=p.id,
        version=last + 1,
        active=True,
        labour_minor=labour,
        note=note,
        kind=kind,
        created_by=uow.user,
    )
    uow.session.add(bom)
    uow.session.flush()
    for c, q in lines:
        uow.session.add(BomLine(bom_id=bom.id, component_id=c.id, qty_scaled=q))
    uow.session.flush()
    uow.audit(
        "product",
        p.id,
        "bom",
        after={
            "version": bom.version,
            "kind": kind,
            "labour": labour,
            "components": {c.sku: q for c, q in lines},
        },
    )
    return _view(uow, bom)


@requires("making.edit")
def use_bom_version(uow: UnitOfWork, product_id: int, version: int) -> BomView:
    """Make an older (or newer) version the active one again."""
    p = load_product(uow, product_id, lock=True)
    bom = _version_of(uow, p, version)
    if bom.active:
        return _view(uow, bom)
    why = _why_not_kit(uow, p) if bom.kind == BomKind.KIT else None
    if why:
        raise ValidationError({"version": why})
    comps = [line.component_id for line in bom_lines(uow, bom.id)]
    path = _cycle(uow, p.id, comps)
    if path:
        names = " → ".join(load_product(uow, i).sku for i in path)
        raise ValidationError(
            {"version": Message("{sku} would be made of itself: {path}", sku=p.sku, path=names)}
        )
    uow.session.execute(
        update(Bom).where(Bom.product_id == p.id, Bom.active.is_(True)).values(active=False)
    )
    bom.active = True
    uow.session.flush()
    uow.audit("product", p.id, "bom_version", after={"version": version})
    return _view(uow, bom)


def bom_input(view: BomView | None) -> BomInput:
    """A form's starting values: the active version as typed, or empty."""
    if view is None:
        return BomInput()
    return BomInput(
        [(f"{c.sku} {c.name}", str(c.qty)) for c in view.components],
        str(view.labour),
        view.note,
        view.kind,
    )


JSON_KEYS = ("components", "labour", "note", "kind")
# what ``bom show --format json`` prints beside them: facts of the version shown, read back
# and left aside (a new version is made; costs come from stock when it is used)
SHOWN_KEYS = ("sku", "version", "active", "material_cost", "unit_cost")
SHOWN_COMPONENT_KEYS = ("unit_cost", "cost")


def _scalar(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise v.FieldError(Message("a text or a number"))
    return str(value)


def bom_input_from_json(raw: object, sku: str = "") -> BomInput:
    """``{"components": [{"sku": "WHEEL", "qty": 2}], "labour": "12.50", "note": ""}`` (the
    JSON of ``bizdesk bom set``, numbers read exactly) as a form would hold it. What ``bom
    show --format json`` prints is read too (its version and costs left aside); its "sku"
    must be ``sku``, the product it is set for."""
    if not isinstance(raw, dict):
        raise ValidationError({"": Message("expected a JSON object with the key components")})
    chk = v.Checker()
    for key in raw:
        if key not in JSON_KEYS and key not in SHOWN_KEYS:
            chk.add(
                key, Message("not a key of a bill of materials ({keys})", keys=", ".join(JSON_KEYS))
            )
    if "sku" in raw and sku and not sku.startswith("#"):
        given = str(raw["sku"]).strip()
        if given.upper() != sku.strip().split(" ", 1)[0].upper():
            chk.add(
                "sku",
                Message(
                    "this is the bill of materials of {given}, not of {sku}",
                    given=quoted(given, 40),
                    sku=sku.strip()[:40],
                ),
            )
    comps = raw.get("components")
    rows: list[tuple[str, str]] = []
    if not isinstance(comps, list):
        chk.add("components", Message("expected a list of {example}", example='{"sku", "qty"}'))
    else:
        for i, item in enumerate(comps, start=1):
            if (
                not isinstance(item, dict)
                or not {"sku", "qty"} <= set(item)
                or not set(item) <= {"sku", "qty", *SHOWN_COMPONENT_KEYS}
            ):
                chk.add(f"line {i}", Message("expected an object with {keys}", keys='"sku", "qty"'))
                continue
            sku_i = chk(f"line {i} product", _scalar, item["sku"])
            qty = chk(f"line {i} qty", _scalar, item["qty"])
            rows.append((sku_i or "", qty or ""))
    labour = chk("labour", _scalar, raw.get("labour", "0"))
    note = chk("note", _scalar, raw.get("note", ""))
    kind = chk("kind", _scalar, raw.get("kind", BomKind.ASSEMBLY))
    chk.done()
    return BomInput(rows, labour or "0", note or "", kind or BomKind.ASSEMBLY)


def bom_json(view: BomView) -> dict:
    """A bill of materials as ``bom show --format json`` prints it (amounts as strings)."""
    return {
        "sku": view.sku,
        "version": view.version,
        "active": view.active,
        "kind": view.kind,
        "labour": str(view.labour),
        "note": view.note,
        "components": [
            {"sku": c.sku, "qty": str(c.qty), "unit_cost": str(c.unit_cost), "cost": str(c.cost)}
            for c in view.components
        ],
        "material_cost": str(view.material_cost),
        "unit_cost": str(view.unit_cost),
    }


@dataclass
class BomLineInput:
    """One component as the form's lines editor holds it."""

    product: str = ""
    qty: str = "1"


def preview_cost(uow: UnitOfWork, lines: list[BomLineInput]) -> tuple[Decimal, int]:
    """What the components typed so far cost for one unit at today's average cost, and how
    many lines cannot be read yet (the form's running total; saving checks everything)."""
    total = bad = 0
    for ln in lines:
        if not str(ln.product or "").strip():
            continue
        try:
            c = resolve_product(uow, ln.product)
            q = parse_qty(ln.qty, locale=uow.input_locale)
        except (v.FieldError, AmountError):
            bad += 1
            continue
        qty, value = totals(uow, c.id)
        total += half_even(q * average_cost(uow, c, qty, value), QTY_SCALE)
    return from_minor(total, uow.exponent), bad
