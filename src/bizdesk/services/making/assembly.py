"""Assembly orders ("MO-00001"): make a quantity of a product from the components of its
active bill of materials. draft -> confirmed (the components are reserved: the availability
sales see counts them) -> partially done -> done; cancel before done (what was made stays
made; the rest of the reservation is released). Finishing, whole or in part, consumes the
components at moving-average cost and receives the product at exactly that cost plus the
labour, posted in one entry: Dr Inventory / Cr Inventory and Cr Labour absorbed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.ledger import JournalEntry, JournalLine
from bizdesk.models.making import AssemblyLine, AssemblyOrder, BomKind, MOState
from bizdesk.models.stock import Product
from bizdesk.money import (
    QTY_DECIMALS,
    QTY_SCALE,
    AmountError,
    bounded,
    from_minor,
    qty_from_scaled,
    qty_text,
)
from bizdesk.reading import DateError, quoted, read_date
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import ASSEMBLY_ORDER, JOURNAL, next_number
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    folded_contains,
    keyset_page,
    like_pattern,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.books.ledger import (
    Posting,
    account_for,
    lock_date,
    period_problem,
    post_entry,
)
from bizdesk.services.inventory.levels import half_even, on_hand, reserved
from bizdesk.services.inventory.locations import default_location
from bizdesk.services.inventory.moves import (
    ahead_problem,
    issue_for,
    plan_issue,
    receive_at_value,
)
from bizdesk.services.inventory.products import load_product, product_qty, resolve_product
from bizdesk.services.making.boms import active_bom, bom_lines

OPEN_STATES = (MOState.DRAFT, MOState.CONFIRMED, MOState.PARTIALLY_DONE)
# the states each step is taken from (the services refuse the others; a page offers its key
# only there)
MAY = {
    "confirm": (MOState.DRAFT,),
    "finish": (MOState.CONFIRMED, MOState.PARTIALLY_DONE),
    "cancel": OPEN_STATES,
}
# a state as a message names it (stored in English; translated where the message is shown)
# an assembly order's own words: Spanish says "confirmada" of an order (la orden), not
# "confirmado" as of a sales order (el pedido)
STATE_WORDS = {
    MOState.DRAFT: Message.pgettext("assembly order", "draft"),
    MOState.CONFIRMED: Message.pgettext("assembly order", "confirmed"),
    MOState.PARTIALLY_DONE: Message.pgettext("assembly order", "partially done"),
    MOState.DONE: Message.pgettext("assembly order", "done"),
    MOState.CANCELLED: Message.pgettext("assembly order", "cancelled"),
}
SOURCE = "assembly_order"


@dataclass
class MOInput:
    product: str = ""
    qty: str = "1"
    planned_date: str = ""
    notes: str = ""


@dataclass(frozen=True)
class MOLineView:
    component_id: int
    sku: str
    name: str
    unit: str
    per_unit: Decimal
    qty: Decimal
    consumed: Decimal
    consumed_value: Decimal


@dataclass(frozen=True)
class MOEntry:
    """A journal entry a finish posted (one a finish, whole or in part)."""

    label: str
    date: date
    value: Decimal


@dataclass(frozen=True)
class MOView:
    id: int
    number: int
    label: str
    product_id: int
    sku: str
    name: str
    unit: str
    state: str
    planned_date: date
    qty: Decimal
    done: Decimal
    labour_per_unit: Decimal
    received_value: Decimal
    labour_value: Decimal
    notes: str
    version: int
    lines: list[MOLineView]
    entries: list[MOEntry] = field(default_factory=list)

    @property
    def open_qty(self) -> Decimal:
        return self.qty - self.done


@dataclass(frozen=True)
class FinishResult:
    order: MOView
    made: Decimal
    value: Decimal
    entry_number: int | None

    @property
    def entry_label(self) -> str:
        return JOURNAL.label(self.entry_number) if self.entry_number else ""


def _load(uow: UnitOfWork, order_id: int, *, lock: bool = False) -> AssemblyOrder:
    mo = uow.session.get(AssemblyOrder, order_id, with_for_update=lock)
    if mo is None:
        raise NotFound(Message("There is no assembly order #{id}.", id=order_id))
    return mo


def _lines(uow: UnitOfWork, order_id: int) -> list[AssemblyLine]:
    return list(
        uow.session.scalars(
            select(AssemblyLine).where(AssemblyLine.order_id == order_id).order_by(AssemblyLine.id)
        )
    )


@requires("stock.view")
def find_order(uow: UnitOfWork, text: object) -> int:
    """An assembly order's id from its label ("MO-00003", "mo3", "3")."""
    n = ASSEMBLY_ORDER.number_in(str(text or ""))
    mo_id = (
        uow.session.scalar(select(AssemblyOrder.id).where(AssemblyOrder.number == n))
        if n is not None
        else None
    )
    if mo_id is None:
        raise NotFound(Message("There is no assembly order {label}.", label=quoted(str(text), 60)))
    return mo_id


@requires("stock.view")
def get(uow: UnitOfWork, order_id: int) -> MOView:
    mo = _load(uow, order_id)
    p = load_product(uow, mo.product_id)
    exp = uow.exponent
    lines = []
    for ln in _lines(uow, mo.id):
        c = load_product(uow, ln.component_id)
        lines.append(
            MOLineView(
                c.id,
                c.sku,
                c.name,
                c.unit,
                qty_from_scaled(ln.per_unit_scaled),
                qty_from_scaled(ln.qty_scaled),
                qty_from_scaled(ln.consumed_scaled),
                from_minor(ln.consumed_value_minor, exp),
            )
        )
    return MOView(
        mo.id,
        mo.number,
        ASSEMBLY_ORDER.label(mo.number),
        p.id,
        p.sku,
        p.name,
        p.unit,
        mo.state,
        mo.planned_date,
        qty_from_scaled(mo.qty_scaled),
        qty_from_scaled(mo.done_scaled),
        from_minor(mo.labour_minor, exp),
        from_minor(mo.received_value_minor, exp),
        from_minor(mo.labour_value_minor, exp),
        mo.notes,
        mo.version,
        lines,
        _entries(uow, mo.id),
    )


def _entries(uow: UnitOfWork, order_id: int) -> list[MOEntry]:
    """The entries its finishes posted, oldest first, each at what it received."""
    rows = uow.session.execute(
        select(JournalEntry.number, JournalEntry.date, func.sum(JournalLine.debit_minor))
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(
            JournalEntry.source_kind == SOURCE,
            JournalEntry.source_id == order_id,
            JournalEntry.number.is_not(None),
        )
        .group_by(JournalEntry.id, JournalEntry.number, JournalEntry.date)
        .order_by(JournalEntry.number)
    )
    exp = uow.exponent
    return [MOEntry(JOURNAL.label(n), d, from_minor(int(v or 0), exp)) for n, d, v in rows]


def _qty(chk: v.Checker, name: str, value: object, uow: UnitOfWork, p: Product | None) -> int:
    try:
        q = product_qty(uow, p, value)
        if q == 0:
            raise AmountError(Message("must be more than zero"))
        return q
    except AmountError as exc:
        chk.add(name, exc.message)
        return 0


def _component_qty(per_unit: int, qty: int) -> int | None:
    """Thousandths of a component for ``qty`` thousandths made, or None when that is not a
    whole number of thousandths (never rounded)."""
    whole, rest = divmod(per_unit * qty, QTY_SCALE)
    return None if rest else whole


@requires("making.edit")
def create(uow: UnitOfWork, data: MOInput) -> MOView:
    """A draft order to make ``qty`` of a product from its active bill of materials."""
    chk = v.Checker()
    p = chk("product", resolve_product, uow, data.product)
    q = _qty(chk, "qty", data.qty, uow, p)
    when = chk("planned_date", v.iso_date, data.planned_date, local=uow.person_input)
    notes = chk("notes", v.text, data.notes, max_len=500) or ""
    bom = None
    if p is not None:
        bom = active_bom(uow, p.id)
        if bom is not None and bom.kind == BomKind.KIT:
            chk.add(
                "product",
                Message(
                    "{sku} is a kit: it is sold and delivered as its components, never assembled",
                    sku=p.sku,
                ),
            )
            bom = None
        elif bom is None:
            chk.add(
                "product",
                Message(
                    "{sku} has no bill of materials; set one first: m on its page (Stock), "
                    "or {command}",
                    sku=p.sku,
                    command=f"bizdesk bom set {p.sku}",
                ),
            )
    lines: list[AssemblyLine] = []
    if bom is not None and q:
        try:  # the labour and each component's quantity within bounds, as any figure typed
            bounded(half_even(bom.labour_minor * q, QTY_SCALE), uow.exponent, uow.input_locale)
            for bl in bom_lines(uow, bom.id):
                bounded(bl.qty_scaled * q // QTY_SCALE, QTY_DECIMALS, uow.input_locale)
        except AmountError as exc:
            chk.add("qty", exc.args[0])
            q = 0
    if bom is not None and q:
        for bl in bom_lines(uow, bom.id):
            need = _component_qty(bl.qty_scaled, q)
            if need is None:
                c = load_product(uow, bl.component_id)
                chk.add(
                    "qty",
                    Message(
                        "{qty} x {per_unit} {unit} of {sku} is finer than a thousandth; "
                        "choose a quantity that comes out whole",
                        qty=qty_text(q, uow.input_locale),
                        per_unit=qty_text(bl.qty_scaled, uow.input_locale),
                        unit=c.unit,
                        sku=c.sku,
                    ),
                )
                continue
            lines.append(
                AssemblyLine(
                    component_id=bl.component_id, per_unit_scaled=bl.qty_scaled, qty_scaled=need
                )
            )
    chk.done()
    mo = AssemblyOrder(
        number=next_number(uow, ASSEMBLY_ORDER),
        product_id=p.id,
        bom_id=bom.id,
        location_id=default_location(uow).id,
        planned_date=when or date.today(),
        qty_scaled=q,
        labour_minor=bom.labour_minor,
        notes=notes,
        updated_by=uow.user,
    )
    uow.session.add(mo)
    uow.session.flush()
    for ln in lines:
        ln.order_id = mo.id
        uow.session.add(ln)
    uow.session.flush()
    uow.audit(
        "assembly_order",
        mo.id,
        "create",
        after={"product": p.sku, "qty": q, "bom_version": bom.version},
    )
    return get(uow, mo.id)


def _start(
    uow: UnitOfWork, order_id: int, allowed: tuple[str, ...], why: Message, version: int | None
) -> AssemblyOrder:
    mo = _load(uow, order_id, lock=True)
    if version is not None:
        check_version(uow, mo, version)
    if mo.state not in allowed:
        raise ValidationError(
            {
                "": Message(
                    "{label} is {state}; {reason}",
                    label=ASSEMBLY_ORDER.label(mo.number),
                    state=STATE_WORDS.get(mo.state, mo.state),
                    reason=why,
                )
            }
        )
    return mo


@requires("making.edit")
def confirm(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> MOView:
    """Reserve the components (refused, naming each, when not enough is available)."""
    mo = _start(uow, order_id, MAY["confirm"], Message("only a draft is confirmed"), version)
    lines = _lines(uow, mo.id)
    held = reserved(uow, [ln.component_id for ln in lines])
    chk = v.Checker()
    for ln in lines:
        c = uow.session.get(Product, ln.component_id, with_for_update=True)
        if c.allow_negative:
            continue
        free = on_hand(uow, c.id) - held.get(c.id, 0)
        if ln.qty_scaled > free:
            chk.add(
                c.sku,
                Message(
                    "only {free} {unit} available, {wanted} wanted",
                    free=qty_text(free, uow.input_locale),
                    unit=c.unit,
                    wanted=qty_text(ln.qty_scaled, uow.input_locale),
                ),
            )
    chk.done()
    mo.state = MOState.CONFIRMED
    touch(uow, mo)
    uow.audit("assembly_order", mo.id, "confirm")
    return get(uow, mo.id)


@requires("making.edit")
def cancel(uow: UnitOfWork, order_id: int, *, version: int | None = None) -> MOView:
    """Cancel before done: the components not consumed are no longer held; what was made
    already stays in stock."""
    mo = _start(uow, order_id, MAY["cancel"], Message("it cannot be cancelled"), version)
    mo.state = MOState.CANCELLED
    touch(uow, mo)
    uow.audit("assembly_order", mo.id, "cancel", after={"done": mo.done_scaled})
    return get(uow, mo.id)


@requires("making.finish")
def finish(
    uow: UnitOfWork,
    order_id: int,
    qty: object = "",
    *,
    when: object = None,
    version: int | None = None,
) -> FinishResult:
    """Make ``qty`` (empty: all that is left): consume its components at moving-average
    cost, receive the product at that cost plus labour, and post it on ``when`` (a date, or
    as typed; empty: today), which the lock date refuses as any posting's."""
    mo = _start(
        uow,
        order_id,
        MAY["finish"],
        # a draft can be confirmed; a done or cancelled order is made no more
        Message("confirm it first (only a confirmed order is made)")
        if _load(uow, order_id).state == MOState.DRAFT
        else Message("nothing more is made on it"),
        version,
    )
    left = mo.qty_scaled - mo.done_scaled
    chk = v.Checker()
    day = chk("date", v.iso_date, when, local=uow.person_input) or date.today()
    # said with the rest, before anything moves
    for problem in (ahead_problem(day), period_problem(day, lock_date(uow))):
        if problem is not None:
            chk.add("date", problem)
    made = uow.session.get(Product, mo.product_id)
    q = left if not str(qty or "").strip() else _qty(chk, "qty", qty, uow, made)
    if q > left:
        chk.add(
            "qty",
            Message(
                "only {left} left to make of {qty}",
                left=qty_text(left, uow.input_locale),
                qty=qty_text(mo.qty_scaled, uow.input_locale),
            ),
        )
    chk.done()  # the components are counted for a quantity that may be made, not for any typed
    lines = _lines(uow, mo.id)
    takes: list[tuple[AssemblyLine, int]] = []
    for ln in lines:
        need = (
            ln.qty_scaled - ln.consumed_scaled
            if q == left
            else _component_qty(ln.per_unit_scaled, q)
        )
        if need is None:
            c = load_product(uow, ln.component_id)
            chk.add(
                "qty",
                Message(
                    "{qty} x {per_unit} {unit} of {sku} is finer than a thousandth; "
                    "choose a quantity that comes out whole",
                    qty=qty_text(q, uow.input_locale),
                    per_unit=qty_text(ln.per_unit_scaled, uow.input_locale),
                    unit=c.unit,
                    sku=c.sku,
                ),
            )
            continue
        takes.append((ln, need))
        c = load_product(uow, ln.component_id)
        have = on_hand(uow, c.id)
        if not c.allow_negative and need > have:  # counted or moved away since it was held
            chk.add(
                c.sku,
                Message(
                    "only {have} {unit} on hand, {need} needed to make {qty}; receive or "
                    "count them first, or make fewer",
                    have=qty_text(max(have, 0), uow.input_locale),
                    unit=c.unit,
                    need=qty_text(need, uow.input_locale),
                    qty=qty_text(q, uow.input_locale),
                ),
            )
    chk.done()
    source = (SOURCE, mo.id)
    consumed = 0
    for ln, need in takes:
        c = load_product(uow, ln.component_id, lock=True)
        for loc_id, part in plan_issue(uow, c, need):
            move = issue_for(uow, c.id, loc_id, part, "consumed", source)
            ln.consumed_value_minor += -move.value_minor
            consumed += -move.value_minor
        ln.consumed_scaled += need
    labour = half_even(mo.labour_minor * q, QTY_SCALE)
    value = consumed + labour
    receive_at_value(uow, mo.product_id, mo.location_id, q, value, "made", source)
    mo.done_scaled += q
    mo.received_value_minor += value
    mo.labour_value_minor += labour
    mo.state = MOState.DONE if mo.done_scaled == mo.qty_scaled else MOState.PARTIALLY_DONE
    touch(uow, mo)
    number = _post(uow, mo, value, consumed, labour, day)
    uow.audit(
        "assembly_order",
        mo.id,
        "finish",
        after={"qty": q, "consumed": consumed, "labour": labour, "entry": number},
    )
    exp = uow.exponent
    return FinishResult(get(uow, mo.id), qty_from_scaled(q), from_minor(value, exp), number)


def _post(
    uow: UnitOfWork, mo: AssemblyOrder, value: int, consumed: int, labour: int, when: date
) -> int | None:
    if value == 0 and consumed == 0:
        return None
    inv = account_for(uow, "inventory").id
    label = ASSEMBLY_ORDER.label(mo.number)
    p = load_product(uow, mo.product_id)
    postings = [Posting(inv, debit_minor=value, memo=p.sku)]
    if consumed:
        postings.append(Posting(inv, credit_minor=consumed, memo=label))
    if labour:
        postings.append(
            Posting(account_for(uow, "labour_absorbed").id, credit_minor=labour, memo=label)
        )
    memo = written(uow.setting("locale"), N_("Assembly {label}: {sku}"), label=label, sku=p.sku)
    e = post_entry(uow, when, memo, postings, source=(SOURCE, mo.id))
    return e.number


@dataclass(frozen=True)
class MORow:
    id: int
    label: str
    planned_date: date
    sku: str
    name: str
    qty: Decimal
    done: Decimal
    state: str


@requires("stock.view")
def list_orders(uow: UnitOfWork, state: str | None = None, limit: int = 200) -> list[MORow]:
    """Assembly orders by planned date (open ones when no state is named)."""
    stmt = (
        select(AssemblyOrder, Product.sku, Product.name)
        .join(Product, Product.id == AssemblyOrder.product_id)
        .order_by(AssemblyOrder.planned_date, AssemblyOrder.id)
        .limit(limit)
    )
    stmt = stmt.where(
        AssemblyOrder.state == state if state else AssemblyOrder.state.in_(OPEN_STATES)
    )
    return [
        MORow(
            mo.id,
            ASSEMBLY_ORDER.label(mo.number),
            mo.planned_date,
            sku,
            name,
            qty_from_scaled(mo.qty_scaled),
            qty_from_scaled(mo.done_scaled),
            mo.state,
        )
        for mo, sku, name in uow.session.execute(stmt)
    ]


ORDER_FINAL = (MOState.DONE, MOState.CANCELLED)


def _typed_day(uow: UnitOfWork, text: str) -> date | None:
    """The day ``text`` is, as the person's language writes dates or ISO; None when it is
    not a date (then it is searched for as words only)."""
    try:
        return read_date(text, local=uow.person_input)
    except DateError:
        return None


@requires("stock.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[MORow]:
    """Assembly orders by planned date (then number), one page. Filters: ``state`` (one
    state, "open" for those not done or cancelled, "" for all) and ``product`` (a SKU);
    the search: an order's number, words of the product's SKU or name, or a planned date
    (as the list shows it, or ISO)."""
    stmt = select(
        AssemblyOrder.number,
        AssemblyOrder.state,
        AssemblyOrder.qty_scaled,
        AssemblyOrder.done_scaled,
        Product.sku,
        Product.name,
        AssemblyOrder.planned_date,
        AssemblyOrder.id,
    ).join(Product, Product.id == AssemblyOrder.product_id)
    state = req.filters.get("state", "")
    if state == "open":
        stmt = stmt.where(AssemblyOrder.state.not_in(ORDER_FINAL))
    elif state:
        stmt = stmt.where(AssemblyOrder.state == state)
    sku = str(req.filters.get("product") or "").strip()
    if sku:
        stmt = stmt.where(Product.sku == sku.upper())
    s = req.search.strip()
    if s:
        named = select(Product.id).where(
            or_(
                folded_contains(Product.search_text, s),
                Product.sku.like(like_pattern(s.upper()), escape="\\"),
            )
        )
        cond = AssemblyOrder.product_id.in_(named)
        n = ASSEMBLY_ORDER.number_in(s)
        if n is not None:
            cond = or_(cond, AssemblyOrder.number == n)
        planned = _typed_day(uow, s)
        if planned is not None:
            cond = or_(cond, AssemblyOrder.planned_date == planned)
        stmt = stmt.where(cond)

    def to_row(r) -> MORow:  # noqa: ANN001
        return MORow(
            r[-1],
            ASSEMBLY_ORDER.label(r[0]),
            r[-2],
            r[4],
            r[5],
            qty_from_scaled(r[2]),
            qty_from_scaled(r[3]),
            r[1],
        )

    return keyset_page(uow.session, stmt, AssemblyOrder.planned_date, AssemblyOrder.id, req, to_row)
