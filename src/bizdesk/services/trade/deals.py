"""Deals in the sales pipeline. Amounts and probabilities are estimates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import Message
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.deals import Deal, DealLine, PipelineStage
from bizdesk.models.stock import Product
from bizdesk.money import (
    QTY_SCALE,
    AmountError,
    bounded,
    from_minor,
    parse_money,
    parse_percent,
    qty_from_scaled,
    round_money,
    to_minor,
)
from bizdesk.reading import date_text, is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.figures import PipelineRow, pipeline_rows
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    folded_contains,
    keyset_page,
    same_name,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.states import state_word
from bizdesk.services.base.usernames import unknown_user
from bizdesk.services.crm.contacts import found_by_search, reference
from bizdesk.services.crm.contacts import resolve as resolve_contact

# --- pipeline stages ---------------------------------------------------------------------


@dataclass(frozen=True)
class StageView:
    id: int
    name: str
    position: int
    probability: int
    kind: str
    active: bool


@requires("deals.view")
def list_stages(uow: UnitOfWork, *, include_inactive: bool = False) -> list[StageView]:
    stmt = select(PipelineStage).order_by(PipelineStage.position, PipelineStage.id)
    if not include_inactive:
        stmt = stmt.where(PipelineStage.active.is_(True))
    return [
        StageView(s.id, s.name, s.position, s.probability, s.kind, s.active)
        for s in uow.session.exec(stmt)
    ]


@requires("deals.view")
def stage_named(uow: UnitOfWork, name: str) -> StageView:
    """The active stage of that name, in any case (as the command line names stages);
    compared here, not in SQL, whose lower() folds only ASCII letters."""
    wanted = name.strip().lower()
    for st in list_stages(uow):
        if st.name.lower() == wanted:
            return st
    raise NotFound(Message("no stage named {name}", name=quoted(name, 60)))


def _probability(value: object, locale: str | None = None) -> int:
    try:
        d = parse_percent(value, decimals=0, locale=locale)
    except AmountError:  # its example (1.234.567) and its rules are of amounts, not of this
        raise v.FieldError(
            Message(
                "{value} is not a whole percentage from 0 to 100 (such as 60)",
                value=quoted(str(value).strip()),
            )
        ) from None
    if d > 100:
        raise v.FieldError(Message("must be between 0 and 100"))
    return int(d)


@requires("pipeline.config")
def add_stage(
    uow: UnitOfWork, name: str, probability: object, position: int | None = None
) -> StageView:
    chk = v.Checker()
    name = chk("name", v.text, name, required=True, max_len=60)
    prob = chk("probability", _probability, probability, uow.input_locale)
    if (
        name
        and uow.session.exec(
            select(PipelineStage.id).where(same_name(PipelineStage.name, name))
        ).first()
    ):
        chk.add("name", Message("a stage called {name} exists already", name=quoted(name, 60)))
    chk.done()
    if position is None:
        # new open stages go before Won/Lost
        position = (
            uow.session.exec(
                select(func.min(PipelineStage.position)).where(PipelineStage.kind != "open")
            ).one()
            or 0
        )
    for s in uow.session.exec(select(PipelineStage).where(PipelineStage.position >= position)):
        s.position += 1
    st = PipelineStage(name=name, probability=prob, position=position, kind="open")
    uow.session.add(st)
    uow.session.flush()
    uow.audit("stage", st.id, "create", after={"name": name, "probability": prob})
    return StageView(st.id, st.name, st.position, st.probability, st.kind, st.active)


@requires("pipeline.config")
def update_stage(
    uow: UnitOfWork, stage_id: int, *, name: str | None = None, probability: object | None = None
) -> StageView:
    st = uow.session.get(PipelineStage, stage_id)
    if st is None:
        raise NotFound(Message("There is no stage #{id}.", id=stage_id))
    chk = v.Checker()
    before = {"name": st.name, "probability": st.probability}
    if name is not None:
        new = chk("name", v.text, name, required=True, max_len=60)
        if (
            new
            and uow.session.exec(
                select(PipelineStage.id).where(
                    same_name(PipelineStage.name, new), PipelineStage.id != st.id
                )
            ).first()
        ):
            chk.add("name", Message("a stage called {name} exists already", name=quoted(new, 60)))
        name = new
    if probability is not None:
        probability = chk("probability", _probability, probability, uow.input_locale)
        # a won deal is certain, a lost one gone: the forecast weighs them so
        if st.kind == "won" and probability not in (None, 100):
            said = Message("{stage} holds the won deals: its probability is 100%", stage=st.name)
            chk.add("probability", said)
        if st.kind == "lost" and probability not in (None, 0):
            said = Message("{stage} holds the lost deals: its probability is 0%", stage=st.name)
            chk.add("probability", said)
    chk.done()
    if name is not None:
        st.name = name
    if probability is not None:
        st.probability = probability
    uow.audit(
        "stage",
        st.id,
        "update",
        before=before,
        after={"name": st.name, "probability": st.probability},
    )
    return StageView(st.id, st.name, st.position, st.probability, st.kind, st.active)


@requires("pipeline.config")
def deactivate_stage(uow: UnitOfWork, stage_id: int) -> None:
    st = uow.session.get(PipelineStage, stage_id)
    if st is None:
        raise NotFound(Message("There is no stage #{id}.", id=stage_id))
    if st.kind != "open":
        raise ValidationError({"": Message("the Won and Lost stages cannot be removed")})
    n = uow.session.exec(
        select(func.count())
        .select_from(Deal)
        .where(Deal.stage_id == st.id, Deal.archived.is_(False))
    ).one()
    if n:
        raise ValidationError(
            {
                "": Message.plural(
                    "{n} deal is in {stage}; move it first",
                    "{n} deals are in {stage}; move them first",
                    n,
                    stage=st.name,
                )
            }
        )
    st.active = False
    uow.audit("stage", st.id, "deactivate")


def _stage_of_kind(uow: UnitOfWork, kind: str) -> PipelineStage:
    st = uow.session.exec(
        select(PipelineStage)
        .where(PipelineStage.kind == kind, PipelineStage.active.is_(True))
        .order_by(PipelineStage.position)
    ).first()
    if st is None:
        raise NotFound(Message("The pipeline has no {kind} stage.", kind=kind))
    return st


# --- deals -------------------------------------------------------------------------------


@dataclass
class DealInput:
    """A deal as typed in a form or a CSV: raw text, checked by the service."""

    title: str = ""
    contact: str = ""  # "#id", an email or an exact name
    organization: str = ""
    owner: str = ""
    amount: str = "0"
    probability: str = ""  # empty: the stage's default
    expected_close: str = ""
    stage: str = ""  # name or id; empty: the first open stage
    next_activity: str = ""
    next_activity_due: str = ""


@dataclass(frozen=True)
class LineView:
    id: int
    product_id: int | None
    description: str
    qty: Decimal
    unit_price: Decimal
    total: Decimal
    sku: str = ""  # the product's, when the line is one


@dataclass(frozen=True)
class DealView:
    id: int
    title: str
    contact_id: int
    contact: str
    organization_id: int | None
    organization: str
    owner: str
    amount: Decimal
    probability: int
    weighted: Decimal
    expected_close: date | None
    stage_id: int
    stage: str
    stage_kind: str
    next_activity: str
    next_activity_due: date | None
    overdue: bool
    close_reason: str
    closed_at: datetime | None
    lines: tuple[LineView, ...]
    updated_at: datetime
    updated_by: str
    version: int
    order: str = ""  # on winning: the sales order drafted from its lines (SO-00048)

    @property
    def is_open(self) -> bool:
        return self.stage_kind == "open"

    def as_input(self) -> DealInput:
        return DealInput(
            title=self.title,
            contact=reference(self.contact, self.contact_id),
            organization=reference(self.organization, self.organization_id),
            owner=self.owner,
            amount=str(self.amount),
            probability=str(self.probability),
            expected_close=date_text(self.expected_close),
            stage=self.stage,
            next_activity=self.next_activity,
            next_activity_due=date_text(self.next_activity_due),
        )


@dataclass(frozen=True)
class DealRow:
    id: int
    title: str
    contact: str
    stage: str
    amount: Decimal
    probability: int
    expected_close: date | None
    next_activity_due: date | None
    overdue: bool
    owner: str


def _today() -> date:
    return date.today()


def _weighted(amount_minor: int, probability: int, exponent: int) -> Decimal:
    return round_money(from_minor(amount_minor, exponent) * probability / 100, exponent)


def _load(uow: UnitOfWork, deal_id: int) -> Deal:
    d = uow.session.get(Deal, deal_id)
    if d is None or d.archived:
        raise NotFound(Message("There is no deal #{id}.", id=deal_id))
    return d


def _view(uow: UnitOfWork, d: Deal, today: date | None = None) -> DealView:
    today = today or _today()
    exp = uow.exponent
    st = uow.session.get(PipelineStage, d.stage_id)
    contact = uow.session.get(Contact, d.contact_id)
    org = uow.session.get(Contact, d.organization_id) if d.organization_id else None

    lines = tuple(
        LineView(
            ln.id,
            ln.product_id,
            ln.description,
            qty_from_scaled(ln.qty_scaled),
            from_minor(ln.unit_price_minor, exp),
            _line_total(ln, exp),
            sku or "",
        )
        for ln, sku in uow.session.execute(
            select(DealLine, Product.sku)
            .outerjoin(Product, Product.id == DealLine.product_id)
            .where(DealLine.deal_id == d.id)
            .order_by(DealLine.id)
        )
    )
    return DealView(
        id=d.id,
        title=d.title,
        contact_id=d.contact_id,
        contact=contact.name if contact else "",
        organization_id=d.organization_id,
        organization=org.name if org else "",
        owner=d.owner or "",
        amount=from_minor(d.amount_minor, exp),
        probability=d.probability,
        weighted=_weighted(d.amount_minor, d.probability, exp),
        expected_close=d.expected_close,
        stage_id=d.stage_id,
        stage=st.name,
        stage_kind=st.kind,
        next_activity=d.next_activity,
        next_activity_due=d.next_activity_due,
        overdue=bool(st.kind == "open" and d.next_activity_due and d.next_activity_due < today),
        close_reason=d.close_reason,
        closed_at=d.closed_at,
        lines=lines,
        updated_at=d.updated_at,
        updated_by=d.updated_by,
        version=d.version,
    )


def _line_total(ln: DealLine, exp: int) -> Decimal:
    return round_money(qty_from_scaled(ln.qty_scaled) * from_minor(ln.unit_price_minor, exp), exp)


@requires("deals.view")
def get(uow: UnitOfWork, deal_id: int, *, today: date | None = None) -> DealView:
    return _view(uow, _load(uow, deal_id), today)


def _resolve_stage(uow: UnitOfWork, text: str) -> PipelineStage:
    s = v.text(text, max_len=60)
    if not s:
        return uow.session.exec(
            select(PipelineStage)
            .where(PipelineStage.kind == "open", PipelineStage.active.is_(True))
            .order_by(PipelineStage.position)
        ).first()
    stmt = select(PipelineStage).where(PipelineStage.active.is_(True))
    if is_digits(s):
        st = uow.session.exec(stmt.where(PipelineStage.id == int(s))).first()
    else:
        st = uow.session.exec(stmt.where(same_name(PipelineStage.name, s))).first()
    if st is None:
        names = ", ".join(x.name for x in list_stages(uow))
        raise v.FieldError(
            Message("no stage {stage} (stages: {names})", stage=quoted(s, 60), names=names)
        )
    return st


def _clean(uow: UnitOfWork, data: DealInput) -> dict:
    chk = v.Checker()
    out: dict = {}
    out["title"] = chk("title", v.text, data.title, required=True, max_len=200)
    contact = chk("contact", resolve_contact, uow, data.contact)
    out["contact_id"] = contact.id if contact else None
    out["organization_id"] = None
    if chk("organization", v.text, data.organization, max_len=200):
        org = chk("organization", resolve_contact, uow, data.organization, kind="organization")
        out["organization_id"] = org.id if org else None
    elif contact is not None and contact.organization_id:
        out["organization_id"] = contact.organization_id
    owner = chk("owner", v.text, data.owner, max_len=64)
    refused = unknown_user(uow.session, owner) if owner else None
    if refused is not None:
        chk.add("owner", refused)
    out["owner"] = owner or None
    try:
        out["amount_minor"] = parse_money(data.amount or "0", uow.exponent, locale=uow.input_locale)
    except AmountError as exc:
        chk.add("amount", exc.args[0])
    stage = chk("stage", _resolve_stage, uow, data.stage)
    out["stage"] = stage
    prob_text = str(data.probability or "").strip()
    out["probability"] = (
        chk("probability", _probability, prob_text, uow.input_locale) if prob_text else None
    )
    out["expected_close"] = chk(
        "expected_close", v.iso_date, data.expected_close, local=uow.person_input
    )
    out["next_activity"] = chk("next_activity", v.text, data.next_activity, max_len=200)
    out["next_activity_due"] = chk(
        "next_activity_due", v.iso_date, data.next_activity_due, local=uow.person_input
    )
    if out.get("next_activity_due") and not out.get("next_activity"):
        chk.add("next_activity", Message("say what the next activity is"))
    chk.done()
    return out


def _snapshot(d: Deal) -> dict:
    return d.model_dump(exclude={"sort_title", "created_at", "updated_at"})


@requires("deals.edit")
def create(uow: UnitOfWork, data: DealInput) -> DealView:
    clean = _clean(uow, data)
    stage = clean.pop("stage")
    if stage.kind != "open":
        raise ValidationError(
            {"stage": Message("a new deal starts in an open stage; win or lose it later")}
        )
    if clean["probability"] is None:
        clean["probability"] = stage.probability
    d = Deal(**clean, stage_id=stage.id, sort_title=v.sort_key(clean["title"]), updated_by=uow.user)
    uow.session.add(d)
    uow.session.flush()
    uow.audit("deal", d.id, "create", after=_snapshot(d))
    return _view(uow, d)


@requires("deals.edit")
def update(uow: UnitOfWork, deal_id: int, data: DealInput, *, version: int) -> DealView:
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    clean = _clean(uow, data)
    stage = clean.pop("stage")
    before = _snapshot(d)
    old_stage = uow.session.get(PipelineStage, d.stage_id)
    if stage.id != d.stage_id and (stage.kind != "open" or old_stage.kind != "open"):
        raise ValidationError(
            {"stage": Message("use win, lose or reopen to close or reopen a deal")}
        )
    if clean["probability"] is None or (
        stage.id != d.stage_id and clean["probability"] == d.probability
    ):
        clean["probability"] = stage.probability
    if _has_lines(uow, d.id):  # the lines decide the amount: another one typed is refused
        if clean.pop("amount_minor") != d.amount_minor:  # (it was saved, and dropped unsaid)
            raise ValidationError(
                {
                    "amount": Message(
                        "the product lines decide this deal's amount (their sum); "
                        "change the lines instead"
                    )
                }
            )
    for k, val in clean.items():
        setattr(d, k, val)
    d.stage_id = stage.id
    d.sort_title = v.sort_key(d.title)
    touch(uow, d)
    uow.session.flush()
    uow.audit("deal", d.id, "update", before=before, after=_snapshot(d))
    return _view(uow, d)


def _has_lines(uow: UnitOfWork, deal_id: int) -> bool:
    return (
        uow.session.exec(select(DealLine.id).where(DealLine.deal_id == deal_id)).first() is not None
    )


def _require_open(uow: UnitOfWork, d: Deal) -> PipelineStage:
    st = uow.session.get(PipelineStage, d.stage_id)
    if st.kind != "open":
        raise ValidationError(
            {"stage": Message("this deal is {stage}; reopen it first", stage=state_word(st.kind))}
        )
    return st


@requires("deals.edit")
def move(uow: UnitOfWork, deal_id: int, step: int, *, version: int) -> DealView:
    """Move an open deal to the previous (-1) or next (+1) open stage; the board's keys."""
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    st = _require_open(uow, d)
    stages = [s for s in list_stages(uow) if s.kind == "open"]
    idx = next(i for i, s in enumerate(stages) if s.id == st.id) + step
    if not 0 <= idx < len(stages):
        raise ValidationError(
            {"stage": Message("no open stage further that way; win or lose it instead")}
        )
    return _set_stage(uow, d, stages[idx].id, stages[idx].probability, "move")


def _set_stage(
    uow: UnitOfWork, d: Deal, stage_id: int, probability: int, action: str, reason: str = ""
) -> DealView:
    before = _snapshot(d)
    d.stage_id = stage_id
    d.probability = probability
    if action in ("win", "lose"):
        d.close_reason = reason
        d.closed_at = utcnow()
    elif action == "reopen":
        d.close_reason = ""
        d.closed_at = None
    touch(uow, d)
    uow.session.flush()
    uow.audit("deal", d.id, action, before=before, after=_snapshot(d))
    return _view(uow, d)


@requires("deals.edit")
def win(uow: UnitOfWork, deal_id: int, reason: str = "", *, version: int) -> DealView:
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    _require_open(uow, d)
    chk = v.Checker()
    reason = chk("reason", v.text, reason, max_len=500) or ""
    chk.done()
    won = _stage_of_kind(uow, "won")
    view = _set_stage(uow, d, won.id, 100, "win", reason)
    from bizdesk.services.trade.sales import from_deal

    order = from_deal(uow, d.id)  # a deal with lines becomes a sales order (a draft)
    return view if order is None else replace(view, order=order.label)


@requires("deals.edit")
def lose(uow: UnitOfWork, deal_id: int, reason: str, *, version: int) -> DealView:
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    _require_open(uow, d)
    chk = v.Checker()
    reason = chk("reason", v.text, reason, required=True, max_len=500)
    chk.done()
    lost = _stage_of_kind(uow, "lost")
    return _set_stage(uow, d, lost.id, 0, "lose", reason)


@requires("deals.edit")
def reopen(uow: UnitOfWork, deal_id: int, *, version: int) -> DealView:
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    st = uow.session.get(PipelineStage, d.stage_id)
    if st.kind == "open":
        raise ValidationError({"stage": Message("this deal is open already")})
    last_open = [s for s in list_stages(uow) if s.kind == "open"][-1]
    return _set_stage(uow, d, last_open.id, last_open.probability, "reopen")


@requires("deals.edit")
def archive(uow: UnitOfWork, deal_id: int, *, version: int) -> None:
    """Take a deal off the board and the lists; its history stays in the audit trail."""
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    d.archived = True
    touch(uow, d)
    uow.audit("deal", d.id, "archive")


@dataclass
class LineInput:
    description: str = ""
    qty: str = "1"
    unit_price: str = "0"
    product_id: int | None = None
    product: str = ""  # a SKU (or #id): empty description and price take the product's


def _clean_lines(uow: UnitOfWork, chk: v.Checker, lines: list[LineInput]) -> list[tuple]:
    """(description, qty scaled, unit price minor, product id) per line; problems in chk."""
    from bizdesk.services.inventory.products import product_qty, resolve_product

    exp = uow.exponent
    rows = []
    for i, ln in enumerate(lines, start=1):
        if not any(str(x or "").strip() for x in (ln.product, ln.description, ln.unit_price)):
            continue  # a row left empty (an editor's default quantity is not a line)
        product = None
        if str(ln.product or "").strip():
            product = chk(f"line {i} product", resolve_product, uow, ln.product)
        desc = chk(
            f"line {i} description",
            v.text,
            ln.description,
            required=product is None and not str(ln.product or "").strip(),
            max_len=200,
        )
        try:
            qty = product_qty(uow, product, ln.qty)
            if qty == 0:
                raise AmountError(Message("must be more than zero"))
        except AmountError as exc:
            chk.add(f"line {i} qty", exc.args[0])
            qty = None
        try:
            if str(ln.product or "").strip() and not str(ln.unit_price or "").strip():
                price = product.sale_price_minor if product else None  # (its error says it)
            else:
                price = parse_money(ln.unit_price, exp, locale=uow.input_locale)
        except AmountError as exc:
            chk.add(f"line {i} unit price", exc.args[0])
            price = None
        if qty and price:
            try:  # each figure may be within bounds and their product not
                bounded(qty * price // QTY_SCALE, exp, uow.input_locale)
            except AmountError as exc:
                chk.add(f"line {i} qty", exc.args[0])
        pid = product.id if product is not None else ln.product_id
        rows.append((desc or (product.name if product else ""), qty, price, pid))
    return rows


def preview_lines(uow: UnitOfWork, lines: list[LineInput]) -> tuple[Decimal, int]:
    """The total of the lines readable so far and how many are not (the form's total;
    saving checks everything)."""
    exp = uow.exponent
    total, bad = from_minor(0, exp), 0
    for ln in lines:
        chk = v.Checker()
        rows = _clean_lines(uow, chk, [ln])
        if chk.errors:
            bad += 1
            continue
        if not rows:  # left empty
            continue
        _desc, qty, price, _pid = rows[0]
        total += round_money(qty_from_scaled(qty) * from_minor(price, exp), exp)
    return total, bad


@requires("deals.edit")
def set_lines(uow: UnitOfWork, deal_id: int, lines: list[LineInput], *, version: int) -> DealView:
    """Replace the product lines; the deal's amount becomes their exact sum."""
    d = _load(uow, deal_id)
    check_version(uow, d, version)
    _require_open(uow, d)
    exp = uow.exponent
    chk = v.Checker()
    rows = _clean_lines(uow, chk, lines)
    if not chk.errors:
        try:
            bounded(sum(q * p // QTY_SCALE for _d, q, p, _id in rows), exp, uow.input_locale)
        except AmountError as exc:
            chk.add("lines", exc.args[0])
    chk.done()
    before = _snapshot(d)
    for old in uow.session.exec(select(DealLine).where(DealLine.deal_id == d.id)):
        uow.session.delete(old)
    total = Decimal(0)
    for desc, qty, price, pid in rows:
        ln = DealLine(
            deal_id=d.id, description=desc, qty_scaled=qty, unit_price_minor=price, product_id=pid
        )
        uow.session.add(ln)
        total += _line_total(ln, exp)
    if rows:
        d.amount_minor = to_minor(total, exp)
    touch(uow, d)
    uow.session.flush()
    uow.audit(
        "deal",
        d.id,
        "set_lines",
        before=before,
        after={**_snapshot(d), "lines": [(r[0], r[1], r[2]) for r in rows]},
    )
    return _view(uow, d)


# --- lists and reports -------------------------------------------------------------------

SORTS = {
    "title": Deal.sort_title,
    "amount": Deal.amount_minor,
    "id": Deal.id,
    "probability": Deal.probability,
}


@requires("deals.view")
def list_page(uow: UnitOfWork, req: PageRequest, *, today: date | None = None) -> Page[DealRow]:
    """Filters: stage_id, owner, contact_id, open_only (bool), overdue (bool)."""
    today = today or _today()
    exp = uow.exponent
    sort_col = SORTS.get(req.sort or "title", Deal.sort_title)
    stmt = (
        select(
            Deal.id,
            Deal.title,
            Contact.name,
            PipelineStage.name,
            Deal.amount_minor,
            Deal.probability,
            Deal.expected_close,
            Deal.next_activity_due,
            PipelineStage.kind,
            Deal.owner,
            sort_col,
            Deal.id,
        )
        .join(Contact, Contact.id == Deal.contact_id)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(Deal.archived.is_(False))
    )
    f = req.filters
    if f.get("stage_id"):
        stmt = stmt.where(Deal.stage_id == f["stage_id"])
    if f.get("owner"):
        stmt = stmt.where(Deal.owner == f["owner"])
    if f.get("contact_id"):
        stmt = stmt.where(Deal.contact_id == f["contact_id"])
    if f.get("open_only") or f.get("overdue"):
        stmt = stmt.where(PipelineStage.kind == "open")
    if f.get("overdue"):
        stmt = stmt.where(Deal.next_activity_due < today)
    search = req.search.strip()
    if search:  # its title, or its contact as the contacts list finds them ("garcia")
        of_contact = found_by_search(uow, search, Deal.contact_id)
        stmt = stmt.where(or_(folded_contains(Deal.search_text, search), of_contact))
    return keyset_page(
        uow.session,
        stmt,
        sort_col,
        Deal.id,
        req,
        lambda r: DealRow(
            r[0],
            r[1],
            r[2],
            r[3],
            from_minor(r[4], exp),
            r[5],
            r[6],
            r[7],
            bool(r[8] == "open" and r[7] and r[7] < today),
            r[9] or "",
        ),
    )


@dataclass(frozen=True)
class BoardColumn:
    stage: StageView
    count: int
    amount: Decimal
    cards: tuple[DealRow, ...]


@requires("deals.view")
def board_columns(
    uow: UnitOfWork, limit_per_stage: int = 50, *, today: date | None = None
) -> list[BoardColumn]:
    """One column per open stage: its total count and amount, and its first cards."""
    exp = uow.exponent
    totals = dict(
        (r[0], (r[1], r[2]))
        for r in uow.session.exec(
            select(Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.amount_minor), 0))
            .where(Deal.archived.is_(False))
            .group_by(Deal.stage_id)
        )
    )
    cols = []
    for st in list_stages(uow):
        if st.kind != "open":
            continue
        page = list_page(
            uow,
            PageRequest(limit=limit_per_stage, sort="id", filters={"stage_id": st.id}),
            today=today,
        )
        n, amt = totals.get(st.id, (0, 0))
        cols.append(BoardColumn(st, n, from_minor(amt, exp), tuple(page.rows)))
    return cols


@requires("reports.crm")
def pipeline_report(uow: UnitOfWork) -> tuple[list[PipelineRow], PipelineRow]:
    """Open deals per stage with Σ amount and Σ amount × probability (weighted pipeline)."""
    stmt = (
        select(
            PipelineStage.name,
            PipelineStage.probability,
            func.count(Deal.id),
            func.coalesce(func.sum(Deal.amount_minor), 0),
            func.coalesce(func.sum(Deal.amount_minor * Deal.probability), 0),
        )
        .select_from(PipelineStage)
        .join(Deal, (Deal.stage_id == PipelineStage.id) & Deal.archived.is_(False), isouter=True)
        .where(PipelineStage.kind == "open", PipelineStage.active.is_(True))
        .group_by(
            PipelineStage.id, PipelineStage.name, PipelineStage.probability, PipelineStage.position
        )
        .order_by(PipelineStage.position)
    )
    return pipeline_rows(list(uow.session.exec(stmt)), uow.exponent)


@dataclass(frozen=True)
class ForecastRow:
    month: str  # YYYY-MM of the expected close, or "(no date)"
    deals: int
    amount: Decimal
    weighted: Decimal


@requires("reports.crm")
def forecast(uow: UnitOfWork) -> tuple[list[ForecastRow], ForecastRow]:
    """Open deals by the month they are expected to close: count, amount and weighted."""
    exp = uow.exponent
    if uow.store.is_sqlite:
        month = func.coalesce(func.substr(Deal.expected_close, 1, 7), "(no date)")
    else:
        month = func.coalesce(func.to_char(Deal.expected_close, "YYYY-MM"), "(no date)")
    stmt = (
        select(
            month,
            func.count(Deal.id),
            func.coalesce(func.sum(Deal.amount_minor), 0),
            func.coalesce(func.sum(Deal.amount_minor * Deal.probability), 0),
        )
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(PipelineStage.kind == "open", Deal.archived.is_(False))
        .group_by(month)
        .order_by(month)
    )
    rows = [
        ForecastRow(
            Message("(no date)") if m == "(no date)" else m,
            n,
            from_minor(a, exp),
            round_money(from_minor(w, exp) / 100, exp),
        )
        for m, n, a, w in uow.session.exec(stmt)
    ]
    total = ForecastRow(
        Message("Total"),
        sum(r.deals for r in rows),
        sum((r.amount for r in rows), Decimal(0)),
        sum((r.weighted for r in rows), Decimal(0)),
    )
    return rows, total
