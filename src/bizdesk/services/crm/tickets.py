"""Support tickets: queues, threads, status flow and SLA clocks in business hours."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, not_, or_
from sqlalchemy import update as sql_update
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, _
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.purchasing import PurchaseOrder
from bizdesk.models.sales import SalesOrder
from bizdesk.models.stock import Product
from bizdesk.models.tickets import PRIORITIES, Ticket, TicketComment, TicketEvent
from bizdesk.money import AmountError, parse_decimal
from bizdesk.reading import is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import PURCHASE_ORDER, SALES_ORDER
from bizdesk.services.base.paging import Page, PageRequest, folded_contains, keyset_page
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.usernames import unknown_user
from bizdesk.services.base.zones import shop_zone
from bizdesk.services.crm.business_hours import (
    BusinessHours,
    add_business_seconds,
    business_seconds_between,
)
from bizdesk.services.crm.contacts import found_by_search, reference
from bizdesk.services.crm.contacts import resolve as resolve_contact
from bizdesk.words import PRIORITY_NAMES, TICKET_STATUS_NAMES, word_message

HOUR = 3600
DEFAULT_SLA = {  # business hours: (first response, resolution)
    "urgent": (1, 4),
    "high": (4, 8),
    "normal": (8, 24),
    "low": (16, 40),
}
AT_RISK_FRACTION = 0.25  # less than a quarter of the target left
CLOSED = ("resolved", "closed")
TRANSITIONS = {
    "new": {"open", "waiting", "resolved", "closed"},
    "open": {"waiting", "resolved", "closed"},
    "waiting": {"open", "resolved", "closed"},
    "resolved": {"open", "closed"},
    "closed": {"open"},
}
LINK_KINDS = ("sales_order", "purchase_order", "product")
_NO_LINK = {  # a link to a document that is not there
    "sales_order": N_("there is no sales order {number}"),
    "purchase_order": N_("there is no purchase order {number}"),
    "product": N_("there is no product {number}"),
}

# --- configuration -----------------------------------------------------------------------


def business_hours(uow: UnitOfWork) -> BusinessHours:
    """The shop's business hours (bizdesk sla hours); until set, Monday to Friday 9 to 5 in
    the shop's time zone (they were in UTC: 16:00 to 24:00 in Vietnam)."""
    kept = uow.setting("business_hours")
    if not kept:
        return replace(BusinessHours(), timezone=shop_zone(uow.setting))
    return BusinessHours.from_json(kept)


@requires("sla.config")
def set_business_hours(
    uow: UnitOfWork, days: str, start: str, end: str, timezone: str
) -> BusinessHours:
    hours = BusinessHours.parse(days, start, end, timezone)
    uow.set_setting("business_hours", hours.to_json())
    uow.audit("setting", None, "business_hours", after=json.loads(hours.to_json()))
    return hours


def sla_policy(uow: UnitOfWork) -> dict[str, tuple[int, int]]:
    """Targets per priority in business hours: (first response, resolution)."""
    raw = uow.setting("sla_policy")
    if not raw:
        return dict(DEFAULT_SLA)
    return {k: (int(a), int(b)) for k, (a, b) in json.loads(raw).items()}


def _hours(value: object, locale: str | None) -> int:
    """A support target, a whole number of business hours."""
    try:
        return int(parse_decimal(value, decimals=0, locale=locale))
    except AmountError:  # its example (1234567) and its rules are of amounts, not of hours
        if _negative(value, locale):  # "-1" is a whole number: said so, as the parser says
            raise v.FieldError(Message("must not be negative")) from None
        raise v.FieldError(
            Message(
                "{value} is not a whole number of hours (such as 8)",
                value=quoted(str(value).strip()),
            )
        ) from None


def _negative(value: object, locale: str | None) -> bool:
    try:
        return parse_decimal(value, decimals=0, allow_negative=True, locale=locale) < 0
    except AmountError:
        return False


@requires("sla.config")
def set_sla_policy(uow: UnitOfWork, policy: dict[str, tuple[object, object]]) -> None:
    errors = {}
    clean = {}
    for prio in PRIORITIES:
        pair = policy.get(prio, DEFAULT_SLA[prio])
        try:
            fr, res = (_hours(x, uow.input_locale) for x in pair)
        except v.FieldError as exc:  # names the value and the form it expects
            errors[prio] = exc.message
            continue
        if not (0 < fr <= res <= 2000):
            errors[prio] = Message("need 0 < first response <= resolution <= {max} hours", max=2000)
        clean[prio] = (fr, res)
    unknown = set(policy) - set(PRIORITIES)
    if unknown:
        errors["priority"] = Message(
            "unknown priorities: {priorities}; they are {known}",
            priorities=", ".join(sorted(unknown)),
            known=", ".join(_(PRIORITY_NAMES[p]) for p in PRIORITIES),
        )
    if errors:
        raise ValidationError(errors)
    uow.set_setting("sla_policy", json.dumps(clean))
    uow.audit("setting", None, "sla_policy", after=clean)


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """One SLA clock: its due time and state, always said in words, never colour alone."""

    due: datetime | None
    state: str  # ok, at risk, breached, met, paused


@dataclass(frozen=True)
class CommentView:
    id: int
    at: datetime
    username: str
    body: str
    internal: bool


@dataclass(frozen=True)
class TicketView:
    id: int
    subject: str
    description: str
    contact_id: int | None
    contact: str
    priority: str
    status: str
    assignee: str
    link_kind: str | None
    link_id: int | None
    link_label: str  # as people know it: SO-00012, PO-00007, a product's SKU; "" for none
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response: Clock
    resolution: Clock
    comments: tuple[CommentView, ...]
    updated_at: datetime
    updated_by: str
    version: int

    def as_input(self) -> TicketInput:
        return TicketInput(
            subject=self.subject,
            description=self.description,
            contact=reference(self.contact, self.contact_id),
            priority=self.priority,
            assignee=self.assignee,
            link_kind=self.link_kind or "",
            link_id=self.link_label,  # typed back as shown (the id is not the number)
        )


@dataclass(frozen=True)
class TicketRow:
    id: int
    subject: str
    contact: str
    priority: str
    status: str
    assignee: str
    due: datetime | None
    sla: str  # "breached", "at risk", "ok", "paused", "met"


@dataclass
class TicketInput:
    subject: str = ""
    description: str = ""
    contact: str = ""  # "#id", email or exact name; optional
    priority: str = "normal"
    assignee: str = ""
    link_kind: str = ""
    link_id: str = ""


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def _clock(
    due: datetime | None,
    done_at: datetime | None,
    breached: bool,
    target_h: int,
    paused: bool,
    now: datetime,
    hours: BusinessHours,
) -> Clock:
    due, done_at = _aware(due), _aware(done_at)
    if done_at is not None:
        return Clock(due, "breached" if breached else "met")
    if paused:
        return Clock(None, "breached" if breached else "paused")
    if breached or (due is not None and now >= due):
        return Clock(due, "breached")
    if due is not None:
        left = business_seconds_between(now, due, hours)
        if left < target_h * HOUR * AT_RISK_FRACTION:
            return Clock(due, "at risk")
    return Clock(due, "ok")


def _resolution_due(t: Ticket, hours: BusinessHours) -> datetime | None:
    """When the resolution was due: a resolved ticket keeps the working time it had left,
    not its due time ("MET (no due time)"), which is that time after it was resolved."""
    if t.resolution_due is not None or t.resolved_at is None or not t.resolution_remaining_s:
        return t.resolution_due
    return add_business_seconds(_aware(t.resolved_at), t.resolution_remaining_s, hours)


def _view(uow: UnitOfWork, t: Ticket, now: datetime | None = None) -> TicketView:
    now = now or utcnow()
    hours = business_hours(uow)
    fr_h, res_h = sla_policy(uow)[t.priority]
    contact = uow.session.get(Contact, t.contact_id) if t.contact_id else None
    comments = tuple(
        CommentView(c.id, c.at, c.username, c.body, c.internal)
        for c in uow.session.exec(
            select(TicketComment)
            .where(TicketComment.ticket_id == t.id)
            .order_by(TicketComment.at, TicketComment.id)
        )
    )
    return TicketView(
        id=t.id,
        subject=t.subject,
        description=t.description,
        contact_id=t.contact_id,
        contact=contact.name if contact else "",
        priority=t.priority,
        status=t.status,
        assignee=t.assignee or "",
        link_kind=t.link_kind,
        link_id=t.link_id,
        link_label=_link_label(uow, t.link_kind, t.link_id),
        created_at=t.created_at,
        first_response_at=t.first_response_at,
        resolved_at=t.resolved_at,
        first_response=_clock(
            t.first_response_due,
            t.first_response_at,
            t.first_response_breached,
            fr_h,
            False,
            now,
            hours,
        ),
        resolution=_clock(
            _resolution_due(t, hours),
            t.resolved_at,
            t.resolution_breached,
            res_h,
            t.status == "waiting",
            now,
            hours,
        ),
        comments=comments,
        updated_at=t.updated_at,
        updated_by=t.updated_by,
        version=t.version,
    )


def _load(uow: UnitOfWork, ticket_id: int) -> Ticket:
    t = uow.session.get(Ticket, ticket_id)
    if t is None:
        raise NotFound(Message("There is no ticket #{id}.", id=ticket_id))
    return t


@requires("tickets.view")
def get(uow: UnitOfWork, ticket_id: int, *, now: datetime | None = None) -> TicketView:
    return _view(uow, _load(uow, ticket_id), now)


# --- writing -----------------------------------------------------------------------------


def _clean(uow: UnitOfWork, data: TicketInput) -> dict:
    chk = v.Checker()
    out: dict = {}
    out["subject"] = chk("subject", v.text, data.subject, required=True, max_len=200)
    out["description"] = chk(
        "description", v.text, data.description, max_len=20_000, multiline=True
    )
    out["priority"] = chk("priority", v.word, data.priority, PRIORITY_NAMES, default="normal")
    out["contact_id"] = None
    if chk("contact", v.text, data.contact, max_len=200):
        c = chk("contact", resolve_contact, uow, data.contact)
        out["contact_id"] = c.id if c else None
    assignee = chk("assignee", v.text, data.assignee, max_len=64)
    refused = unknown_user(uow.session, assignee, active=True) if assignee else None
    if refused is not None:
        chk.add("assignee", refused)
    out["assignee"] = assignee or None
    kind = chk("link_kind", v.text, data.link_kind, max_len=20)
    out["link_kind"], out["link_id"] = None, None
    if kind:
        if kind not in LINK_KINDS:
            chk.add("link_kind", v.must_be_one_of(LINK_KINDS))
        typed = str(data.link_id or "").strip()
        product = _product_link(uow, typed) if kind == "product" else None
        link = typed.upper()
        for prefix in ("#", f"{SALES_ORDER.prefix}-", f"{PURCHASE_ORDER.prefix}-"):
            link = link.removeprefix(prefix)
        link = link.lstrip("0") or "0"
        if product is not None:
            out["link_kind"], out["link_id"] = kind, product
        elif kind == "product" and not is_digits(link):
            chk.add("link_id", Message(_NO_LINK[kind], number=quoted(typed, 40)))
        elif not is_digits(link):
            chk.add(
                "link_id",
                Message(
                    "the number of the linked document ({sales_order}, {purchase_order} or #id)",
                    sales_order=SALES_ORDER.label(12),
                    purchase_order=f"{PURCHASE_ORDER.prefix}-7",
                ),
            )
        elif kind in LINK_KINDS:
            target = _link_target(uow, kind, int(link))
            if target is None:
                chk.add("link_id", Message(_NO_LINK[kind], number=link))
            else:
                out["link_kind"], out["link_id"] = kind, target
    elif str(data.link_id or "").strip():  # a number with nothing to look it up in
        chk.add(
            "link_kind",
            Message(
                "choose what {number} is, or clear the number",
                number=quoted(str(data.link_id).strip(), 20),
            ),
        )
    chk.done()
    return out


def _product_link(uow: UnitOfWork, typed: str) -> int | None:
    """The product a ticket is linked to by its SKU, as every screen shows products ("#id"
    and a bare number no SKU has are read by _link_target as the product's id)."""
    if not typed or typed.startswith("#"):
        return None
    return uow.session.scalars(select(Product.id).where(Product.sku == typed.upper())).first()


def _link_label(uow: UnitOfWork, kind: str | None, record_id: int | None) -> str:
    """A linked document as people know it: its number (SO-00012), a product's SKU."""
    if not kind or record_id is None:
        return ""
    if kind == "product":
        p = uow.session.get(Product, record_id)
        return p.sku if p is not None else f"#{record_id}"
    model, series = (
        (SalesOrder, SALES_ORDER) if kind == "sales_order" else (PurchaseOrder, PURCHASE_ORDER)
    )
    number = uow.session.scalar(select(model.number).where(model.id == record_id))
    return series.label(number) if number is not None else f"#{record_id}"


def _link_target(uow: UnitOfWork, kind: str, number: int) -> int | None:
    """The id of the order with that number, or of the product with that id."""
    if kind == "product":
        return number if uow.session.get(Product, number) is not None else None
    model = SalesOrder if kind == "sales_order" else PurchaseOrder
    return uow.session.exec(select(model.id).where(model.number == number)).first()


@requires("tickets.view")
def linked_to(uow: UnitOfWork, kind: str, record_id: int) -> list[TicketRow]:
    """Tickets about a document or product (the other side of a ticket's link)."""
    req = PageRequest(limit=50, filters={"queue": "all", "link": (kind, record_id)})
    return list_page(uow, req).rows


def _snapshot(t: Ticket) -> dict:
    return t.model_dump(exclude={"updated_at", "created_at"})


def _event(uow: UnitOfWork, t: Ticket, old: str | None, new: str, now: datetime) -> None:
    uow.session.add(
        TicketEvent(ticket_id=t.id, at=now, username=uow.user, from_status=old, to_status=new)
    )


@requires("tickets.edit")
def create(uow: UnitOfWork, data: TicketInput, *, now: datetime | None = None) -> TicketView:
    now = now or utcnow()
    clean = _clean(uow, data)
    hours = business_hours(uow)
    fr_h, res_h = sla_policy(uow)[clean["priority"]]
    t = Ticket(
        **clean,
        created_at=now,
        updated_at=now,
        updated_by=uow.user,
        first_response_due=add_business_seconds(now, fr_h * HOUR, hours),
        resolution_due=add_business_seconds(now, res_h * HOUR, hours),
    )
    uow.session.add(t)
    uow.session.flush()
    _event(uow, t, None, "new", now)
    uow.audit("ticket", t.id, "create", after=_snapshot(t))
    return _view(uow, t, now)


@requires("tickets.edit")
def update(
    uow: UnitOfWork, ticket_id: int, data: TicketInput, *, version: int, now: datetime | None = None
) -> TicketView:
    """Edit the ticket's fields. A new priority re-times the clocks from creation."""
    now = now or utcnow()
    t = _load(uow, ticket_id)
    check_version(uow, t, version)
    clean = _clean(uow, data)
    before = _snapshot(t)
    retime = clean["priority"] != t.priority
    for k, val in clean.items():
        setattr(t, k, val)
    if retime:
        hours = business_hours(uow)
        fr_h, res_h = sla_policy(uow)[t.priority]
        created = _aware(t.created_at)
        t.first_response_due = add_business_seconds(created, fr_h * HOUR, hours)
        if t.status == "waiting" or t.status in CLOSED:
            pass  # the paused / stopped clock keeps what it had
        else:
            t.resolution_due = add_business_seconds(created, res_h * HOUR, hours)
    _flag_breaches(t, now)
    touch(uow, t)
    uow.session.flush()
    uow.audit("ticket", t.id, "update", before=before, after=_snapshot(t))
    return _view(uow, t, now)


def _flag_breaches(t: Ticket, now: datetime) -> None:
    """A clock past its due time is breached, and stays so."""
    fr_due, res_due = _aware(t.first_response_due), _aware(t.resolution_due)
    fr_at = _aware(t.first_response_at) or now
    if fr_due is not None and fr_at > fr_due:
        t.first_response_breached = True
    if res_due is not None and t.status not in CLOSED and now > res_due:
        t.resolution_breached = True


@requires("tickets.edit")
def set_status(
    uow: UnitOfWork, ticket_id: int, status: str, *, version: int, now: datetime | None = None
) -> TicketView:
    now = now or utcnow()
    t = _load(uow, ticket_id)
    check_version(uow, t, version)
    chk = v.Checker()
    status = chk("status", v.word, status, TICKET_STATUS_NAMES)
    chk.done()
    old = t.status
    if status == old:
        return _view(uow, t, now)
    if status not in TRANSITIONS[old]:
        raise ValidationError(
            {
                "status": Message(
                    "a {old} ticket cannot become {new}",
                    old=word_message(TICKET_STATUS_NAMES, old),
                    new=word_message(TICKET_STATUS_NAMES, status),
                )
            }
        )
    before = _snapshot(t)
    _flag_breaches(t, now)  # whatever was overdue up to now stays recorded
    hours = business_hours(uow)
    res_due = _aware(t.resolution_due)
    # pause or stop the resolution clock, keeping the working time that was left
    if old not in CLOSED and old != "waiting" and status in ("waiting", *CLOSED):
        t.resolution_remaining_s = business_seconds_between(now, res_due, hours) if res_due else 0
        if not (status in CLOSED and res_due is not None and now > res_due):
            t.resolution_due = None  # (resolved late, it keeps when it was due, beside its breach)
    if status in CLOSED:
        if t.resolved_at is None:
            t.resolved_at = now
    if status in ("open",) and old in ("waiting", *CLOSED):
        t.resolution_due = add_business_seconds(now, t.resolution_remaining_s or 0, hours)
        t.resolution_remaining_s = None
        t.resolved_at = None
    if old in CLOSED and status == "open":
        action = "reopen"
    else:
        action = "status"
    t.status = status
    _event(uow, t, old, status, now)
    touch(uow, t)
    uow.session.flush()
    uow.audit("ticket", t.id, action, before=before, after=_snapshot(t))
    return _view(uow, t, now)


@requires("tickets.edit")
def add_comment(
    uow: UnitOfWork,
    ticket_id: int,
    body: str,
    *,
    internal: bool = False,
    version: int | None = None,
    now: datetime | None = None,
) -> TicketView:
    """A reply to the customer (counts as first response) or an internal note (does not)."""
    now = now or utcnow()
    t = _load(uow, ticket_id)
    if version is not None:
        check_version(uow, t, version)
    chk = v.Checker()
    body = chk("body", v.text, body, required=True, max_len=20_000, multiline=True)
    chk.done()
    c = TicketComment(ticket_id=t.id, at=now, username=uow.user, body=body, internal=internal)
    uow.session.add(c)
    if not internal and t.first_response_at is None:
        t.first_response_at = now
        _flag_breaches(t, now)
    if not internal and t.status == "new":
        _event(uow, t, "new", "open", now)
        t.status = "open"
    touch(uow, t)
    uow.session.flush()
    uow.audit(
        "ticket_comment",
        c.id,
        "create",
        after={"ticket_id": t.id, "internal": internal, "body": body},
    )
    return _view(uow, t, now)


def stays_closed(view: TicketView, *, internal: bool) -> Message | None:
    """What the person who added a reply to a resolved or closed ticket is told: a reply
    saves as it is and does not reopen the ticket (DESIGN: reopening is a status change), so
    it stays out of the open queues unless reopened; None for a note or an open ticket."""
    if internal or view.status not in CLOSED:
        return None
    return Message(
        "The reply was saved; ticket #{id} stays {status} and out of the open queues. "
        "If the customer needs more help, reopen it: set its status to open.",
        id=view.id,
        status=word_message(TICKET_STATUS_NAMES, view.status),
    )


@requires("tickets.view")
def refresh_breaches(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Flag, in two UPDATEs, every clock that ran out while nobody looked. Returns rows hit."""
    now = now or utcnow()
    n = uow.session.execute(
        sql_update(Ticket)
        .where(
            Ticket.first_response_breached.is_(False),
            Ticket.first_response_at.is_(None),
            Ticket.first_response_due < now,
        )
        .values(first_response_breached=True)
    ).rowcount
    n += uow.session.execute(
        sql_update(Ticket)
        .where(
            Ticket.resolution_breached.is_(False),
            Ticket.status.not_in(CLOSED),
            Ticket.resolution_due < now,
        )
        .values(resolution_breached=True)
    ).rowcount
    return n


# --- lists and reports -------------------------------------------------------------------

QUEUES = ("mine", "unassigned", "overdue", "open", "all")
SORTS = {"id": Ticket.id, "due": Ticket.id, "subject": Ticket.subject}


def _overdue(now: datetime):  # noqa: ANN202
    return and_(
        Ticket.status.not_in(CLOSED),
        or_(
            and_(Ticket.first_response_at.is_(None), Ticket.first_response_due < now),
            Ticket.resolution_due < now,
        ),
    )


@requires("tickets.view")
def count_open(uow: UnitOfWork) -> int:
    stmt = select(func.count()).select_from(Ticket).where(Ticket.status.not_in(CLOSED))
    return int(uow.session.exec(stmt).one())


@requires("tickets.view")
def count_overdue(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Open tickets whose current clock (first response or resolution) has run out."""
    stmt = select(func.count()).select_from(Ticket).where(_overdue(now or utcnow()))
    return int(uow.session.exec(stmt).one())


@requires("tickets.view")
def next_deadline(uow: UnitOfWork, *, now: datetime | None = None) -> datetime | None:
    """The next moment an open ticket's clock runs out (after ``now``): until then
    count_overdue stays as it is unless something is written. None: no clock is running."""
    now = now or utcnow()
    is_open = Ticket.status.not_in(CLOSED)
    first = select(func.min(Ticket.first_response_due)).where(
        is_open, Ticket.first_response_at.is_(None), Ticket.first_response_due >= now
    )
    resolution = select(func.min(Ticket.resolution_due)).where(
        is_open, Ticket.resolution_due >= now
    )
    found = [
        d if d.tzinfo else d.replace(tzinfo=UTC)  # (SQLite gives its times back naive)
        for d in uow.session.execute(
            select(first.scalar_subquery(), resolution.scalar_subquery())
        ).one()
        if d is not None
    ]
    return min(found) if found else None


@requires("tickets.view")
def list_page(uow: UnitOfWork, req: PageRequest, *, now: datetime | None = None) -> Page[TicketRow]:
    """Queues: mine, unassigned, overdue, open (default), all. Newest first by default."""
    now = now or utcnow()
    queue = req.filters.get("queue", "open")
    if queue not in QUEUES:
        raise ValidationError({"queue": v.must_be_one_of(QUEUES)})
    sort_col = SORTS.get(req.sort or "id", Ticket.id)
    is_open = Ticket.status.not_in(CLOSED)
    stmt = select(
        Ticket.id,
        Ticket.subject,
        Contact.name,
        Ticket.priority,
        Ticket.status,
        Ticket.assignee,
        Ticket.first_response_due,
        Ticket.first_response_at,
        Ticket.resolution_due,
        Ticket.first_response_breached,
        Ticket.resolution_breached,
        sort_col,
        Ticket.id,
    ).join(Contact, Contact.id == Ticket.contact_id, isouter=True)
    if queue == "mine":
        stmt = stmt.where(is_open, Ticket.assignee == uow.user)
    elif queue == "unassigned":
        stmt = stmt.where(is_open, Ticket.assignee.is_(None))
    elif queue == "overdue":
        stmt = stmt.where(_overdue(now))
    elif queue == "open":
        stmt = stmt.where(is_open)
    if req.filters.get("contact_id"):
        stmt = stmt.where(Ticket.contact_id == req.filters["contact_id"])
    if req.filters.get("link"):
        kind, record_id = req.filters["link"]
        stmt = stmt.where(Ticket.link_kind == kind, Ticket.link_id == record_id)
    search = req.search.strip()
    if search:  # its subject, its contact as the contacts list finds them, its number
        found = folded_contains(Ticket.search_text, search)
        # the number the list's first column and a ticket's page show ("#71"), typed back
        number = search.removeprefix("#").lstrip("0") or "0"
        if is_digits(number) and len(number) <= 18 and search != "#":
            found = or_(found, Ticket.id == int(number))
        if not search.startswith("#"):  # "#71" is this ticket, not contact #71's
            found = or_(found, found_by_search(uow, search, Ticket.contact_id))
        stmt = stmt.where(found)
    if not req.sort:  # newest first unless the user picked a sort
        req = replace(req, descending=True)

    def row(r) -> TicketRow:  # noqa: ANN001
        fr_due, fr_at, res_due = _aware(r[6]), r[7], _aware(r[8])
        due = fr_due if fr_at is None else res_due
        if r[4] in CLOSED:
            sla = "breached" if (r[9] or r[10]) else "met"
        elif r[9] or r[10] or (due is not None and due < now):
            sla = "breached"
        elif r[4] == "waiting":
            sla = "paused"
        elif due is not None and due - now < timedelta(hours=2):
            sla = "at risk"
        else:
            sla = "ok"
        return TicketRow(r[0], r[1], r[2] or "", r[3], r[4], r[5] or "", due, sla)

    return keyset_page(uow.session, stmt, sort_col, Ticket.id, req, row)


@dataclass(frozen=True)
class SlaRow:
    priority: str
    tickets: int
    open: int
    first_response_met: int
    first_response_breached: int
    resolved: int
    resolution_met: int
    resolution_breached: int


@requires("reports.crm")
def sla_report(
    uow: UnitOfWork,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    now: datetime | None = None,
) -> tuple[list[SlaRow], SlaRow]:
    """Per priority, tickets created in the period and how their clocks did.

    Only reads: a clock that ran out while nobody touched the ticket counts as breached here
    (the same rule as ``refresh_breaches``) without being stamped, so a viewer's report
    changes nothing; the stamp is made by the next write to the ticket."""
    now = now or utcnow()

    def count(cond) -> object:  # noqa: ANN001
        return func.sum(case((cond, 1), else_=0))

    fr_breached = or_(
        Ticket.first_response_breached.is_(True),
        and_(Ticket.first_response_at.is_(None), Ticket.first_response_due < now),
    )
    res_breached = or_(
        Ticket.resolution_breached.is_(True),
        and_(Ticket.status.not_in(CLOSED), Ticket.resolution_due < now),
    )
    stmt = select(
        Ticket.priority,
        func.count(),
        count(Ticket.status.not_in(CLOSED)),
        count(and_(Ticket.first_response_at.is_not(None), not_(fr_breached))),
        count(fr_breached),
        count(Ticket.status.in_(CLOSED)),
        count(and_(Ticket.status.in_(CLOSED), not_(res_breached))),
        count(res_breached),
    ).group_by(Ticket.priority)
    if date_from:
        stmt = stmt.where(
            Ticket.created_at >= datetime.combine(date_from, datetime.min.time(), UTC)
        )
    if date_to:
        stmt = stmt.where(
            Ticket.created_at
            < datetime.combine(date_to + timedelta(days=1), datetime.min.time(), UTC)
        )
    found = {r[0]: SlaRow(r[0], *(int(x or 0) for x in r[1:])) for r in uow.session.exec(stmt)}
    rows = [found.get(p, SlaRow(p, 0, 0, 0, 0, 0, 0, 0)) for p in reversed(PRIORITIES)]
    total = SlaRow(
        Message("Total"),
        *(
            sum(getattr(r, f) for r in rows)
            for f in (
                "tickets",
                "open",
                "first_response_met",
                "first_response_breached",
                "resolved",
                "resolution_met",
                "resolution_breached",
            )
        ),
    )
    return rows, total
