"""Recurring invoice and journal entry templates: defined once, made again every month,
quarter or year from a start date until an optional end date (due.py makes them).

An invoice template names a customer and lines (a product, or a description, with quantity,
unit price and VAT rate); each occurrence is a sales order confirmed, delivered and invoiced
on its due date in one step, as a counter sale is, but left unpaid (the payment comes in
later, like any invoice's). An entry template holds the lines of a journal entry; each
occurrence is posted (rent and subscriptions are the same every month: a draft would wait
for someone to post it, and a missed one would go unseen). The lines are checked when the
template is saved and kept in the machine form; they are checked again, by the services
that make the document, when each occurrence is made.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, NotFound, ValidationError
from bizdesk.i18n import N_, Message
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import Account
from bizdesk.models.recurring import RecurringRun, RecurringTemplate
from bizdesk.models.stock import Product
from bizdesk.money import from_minor, line_amounts, money_str, percent_from_bp, qty_text
from bizdesk.reading import date_text
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import Page, PageRequest, keyset_page, like_pattern
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.books import ledger as L
from bizdesk.services.crm.contacts import resolve as resolve_contact
from bizdesk.services.trade import sales

# months between two occurrences
FREQUENCIES = {"monthly": 1, "quarterly": 3, "yearly": 12}
FREQUENCY_NAMES = {"monthly": N_("monthly"), "quarterly": N_("quarterly"), "yearly": N_("yearly")}
KINDS = ("invoice", "entry")
KIND_NAMES = {"invoice": N_("invoice"), "entry": N_("journal entry")}
STATE_NAMES = {"active": N_("active"), "stopped": N_("stopped"), "ended": N_("ended")}


def occurrence(start: date, frequency: str, n: int) -> date:
    """The n-th occurrence (0: the start): ``n`` periods on, on the start's day of the month,
    or the month's last day when the month is shorter (the 31st gives the 30th in April and
    the 31st again in May: counted from the start each time, never from the last one)."""
    months = start.month - 1 + FREQUENCIES[frequency] * n
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_after(t: RecurringTemplate) -> date | None:
    """The occurrence after the ``t.made`` made so far; None past the end date."""
    d = occurrence(t.start_date, t.frequency, t.made)
    return None if t.end_date is not None and d > t.end_date else d


def claim(uow: UnitOfWork, t: RecurringTemplate) -> RecurringRun | None:
    """Claim the template's next occurrence (made or skipped): its row in the history, unique
    on (template, day); None when another run claimed that day at the same moment."""
    run = RecurringRun(template_id=t.id, due_on=t.next_date, made_by=uow.user)
    try:
        with uow.session.begin_nested():
            uow.session.add(run)
            uow.session.flush()
    except IntegrityError:
        return None
    return run


def advance(uow: UnitOfWork, t: RecurringTemplate) -> None:
    """On to the occurrence after the one just made or skipped; past the end date, ended."""
    t.made += 1
    t.next_date = next_after(t)
    if t.next_date is None:
        t.state = "ended"
    touch(uow, t)


@dataclass
class TemplateInput:
    """A template as typed (a form) or read (JSON): dates as YYYY-MM-DD."""

    kind: str = ""  # invoice | entry
    name: str = ""
    frequency: str = "monthly"
    start: str = ""
    end: str = ""
    customer: str = ""  # invoices
    memo: str = ""
    # invoices: sales.SOLineInput; entries: ledger.LineInput
    lines: list = field(default_factory=list)


@dataclass(frozen=True)
class TemplateView:
    id: int
    kind: str
    name: str
    frequency: str
    start_date: date
    end_date: date | None
    next_date: date | None
    made: int
    customer_id: int | None
    customer: str
    memo: str
    lines: list[dict]  # as kept: the machine form
    amount: Decimal  # an invoice's total with VAT, an entry's debits
    state: str
    version: int
    runs: list[tuple[date, str]]  # (due date, document made; "" skipped), newest first


def _invoice_lines(uow: UnitOfWork, chk: v.Checker, typed: list) -> list[dict]:
    cleaned = sales.ORDERS.clean_lines(uow, chk, typed)
    exp = uow.exponent
    out = []
    for ln in cleaned:
        sku = uow.session.get(Product, ln["product_id"]).sku if ln["product_id"] else ""
        out.append(
            {
                "product": sku,
                "description": ln["description"],
                "qty": qty_text(ln["qty_scaled"]),
                "unit_price": money_str(ln["unit_price_minor"], exp),
                "vat_rate": str(percent_from_bp(ln["vat_bp"])),
            }
        )
    return out


def _entry_lines(uow: UnitOfWork, chk: v.Checker, typed: list) -> list[dict]:
    try:
        postings = L.check_lines(uow, typed)
    except ValidationError as exc:
        chk.errors.update({k or "lines": m for k, m in exc.fields.items()})
        return []
    exp = uow.exponent
    return [
        {
            "account": uow.session.get(Account, p.account_id).code,
            "debit": money_str(p.debit_minor, exp) if p.debit_minor else "",
            "credit": money_str(p.credit_minor, exp) if p.credit_minor else "",
            "contact": f"#{p.contact_id}" if p.contact_id else "",
            "memo": p.memo,
        }
        for p in postings
    ]


@requires("recurring.manage")
def create(uow: UnitOfWork, data: TemplateInput) -> TemplateView:
    """Save a template; its first occurrence is its start date."""
    chk = v.Checker()
    kind = chk("kind", v.choice, data.kind, KINDS)
    name = chk("name", v.text, data.name, required=True, max_len=200) or ""
    frequency = chk("frequency", v.choice, data.frequency, tuple(FREQUENCIES), default="monthly")
    start = chk("start", v.iso_date, data.start, required=True, local=uow.person_input)
    end = chk("end", v.iso_date, data.end, local=uow.person_input)
    if start and end and end < start:
        chk.add("end", Message("before the start date"))
    memo = chk("memo", v.text, data.memo, max_len=500) or ""
    customer_id = None
    lines: list[dict] = []
    if kind == "invoice":
        c = chk("customer", resolve_contact, uow, data.customer)
        customer_id = c.id if c else None
        lines = _invoice_lines(uow, chk, data.lines)
    elif kind == "entry":
        if str(data.customer or "").strip():
            chk.add("customer", Message("only an invoice has a customer"))
        lines = _entry_lines(uow, chk, data.lines)
    chk.done()
    t = RecurringTemplate(
        kind=kind,
        name=name,
        frequency=frequency,
        start_date=start,
        end_date=end,
        next_date=start,
        customer_id=customer_id,
        memo=memo,
        lines=json.dumps(lines, ensure_ascii=False),
        updated_by=uow.user,
    )
    uow.session.add(t)
    uow.session.flush()
    uow.audit("recurring_template", t.id, "create", after=_snapshot(t))
    return get(uow, t.id)


def _snapshot(t: RecurringTemplate) -> dict:
    return {
        "kind": t.kind,
        "name": t.name,
        "frequency": t.frequency,
        "start": t.start_date.isoformat(),
        "end": t.end_date.isoformat() if t.end_date else None,
        "next": t.next_date.isoformat() if t.next_date else None,
        "customer_id": t.customer_id,
        "lines": json.loads(t.lines or "[]"),
        "state": t.state,
    }


@requires("recurring.view")
def load(uow: UnitOfWork, template_id: int, *, lock: bool = False) -> RecurringTemplate:
    t = uow.session.get(RecurringTemplate, template_id, with_for_update=lock)
    if t is None:
        raise NotFound(Message("There is no recurring template #{id}.", id=template_id))
    return t


@requires("recurring.manage")
def stop(
    uow: UnitOfWork, template_id: int, *, end: object = None, version: int | None = None
) -> TemplateView:
    """Stop a template now (nothing more is made), or, with ``end``, let it run up to that
    date (an occurrence due on it is still made)."""
    t = load(uow, template_id, lock=True)
    if version is not None:
        check_version(uow, t, version)
    if t.state != "active":
        raise ValidationError(
            {
                "": Message(
                    "{name} is {state} already", name=t.name, state=Message(STATE_NAMES[t.state])
                )
            }
        )
    before = _snapshot(t)
    if str(end or "").strip():
        chk = v.Checker()
        day = chk("end", v.iso_date, end, local=uow.person_input)
        if day is not None and day < t.start_date:
            chk.add("end", Message("before the start date"))
        chk.done()
        t.end_date = day
        t.next_date = next_after(t)
        if t.next_date is None:
            t.state = "ended"
    else:
        t.state = "stopped"
        t.next_date = None
    touch(uow, t)
    uow.audit("recurring_template", t.id, "stop", before=before, after=_snapshot(t))
    return get(uow, t.id)


@requires("recurring.manage")
def skip(uow: UnitOfWork, template_id: int, *, version: int | None = None) -> TemplateView:
    """Skip the next occurrence: nothing is made for it (it was made by hand, or it falls
    on or before the lock date, where nothing can be posted), and the template goes on from
    the one after. Its history keeps the day as skipped; the same day is never made later."""
    t = load(uow, template_id, lock=True)
    if version is not None:
        check_version(uow, t, version)
    if t.state != "active" or t.next_date is None:
        raise ValidationError(
            {
                "": Message(
                    "{name} is {state}: it has no next occurrence to skip",
                    name=t.name,
                    state=Message(STATE_NAMES[t.state]),
                )
            }
        )
    before = _snapshot(t)
    skipped = t.next_date
    if claim(uow, t) is None:  # the same claim as making it (due.make_next)
        raise Conflict(
            Message("{date} was made by another run at the same moment", date=date_text(skipped))
        )
    advance(uow, t)
    uow.audit(
        "recurring_template",
        t.id,
        "skip",
        before=before,
        after={**_snapshot(t), "skipped": str(skipped)},
    )
    return get(uow, t.id)


def _amount(t: RecurringTemplate, lines: list[dict], exp: int) -> Decimal:
    if t.kind == "entry":
        return sum((Decimal(ln["debit"]) for ln in lines if ln["debit"]), Decimal(0))
    total = 0
    for ln in lines:
        unit = int(Decimal(ln["unit_price"]).scaleb(exp))
        qty = int(Decimal(ln["qty"]).scaleb(3))
        bp = int(Decimal(ln["vat_rate"]).scaleb(2))
        net, vat = line_amounts(qty, unit, bp)
        total += net + vat
    return from_minor(total, exp)


@requires("recurring.view")
def get(uow: UnitOfWork, template_id: int) -> TemplateView:
    t = load(uow, template_id)
    lines = json.loads(t.lines or "[]")
    customer = uow.session.get(Contact, t.customer_id).name if t.customer_id else ""
    runs = [
        (r.due_on, r.document)
        for r in uow.session.scalars(
            select(RecurringRun)
            .where(RecurringRun.template_id == t.id)
            .order_by(RecurringRun.due_on.desc())
            .limit(24)
        )
    ]
    return TemplateView(
        t.id,
        t.kind,
        t.name,
        t.frequency,
        t.start_date,
        t.end_date,
        t.next_date,
        t.made,
        t.customer_id,
        customer,
        t.memo,
        lines,
        _amount(t, lines, uow.exponent),
        t.state,
        t.version,
        runs,
    )


@dataclass(frozen=True)
class TemplateRow:
    id: int
    name: str
    kind: str
    frequency: str
    next_date: date | None
    end_date: date | None
    state: str
    customer: str


@requires("recurring.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[TemplateRow]:
    """Templates by name; the filter matches the name; ``state`` filter: one state."""
    t = RecurringTemplate
    stmt = select(
        t.name, t.kind, t.frequency, t.next_date, t.end_date, t.state, Contact.name, t.name, t.id
    ).outerjoin(Contact, Contact.id == t.customer_id)
    if req.search.strip():
        stmt = stmt.where(t.name.like(like_pattern(req.search.strip()), escape="\\"))
    if req.filters.get("state"):
        stmt = stmt.where(t.state == req.filters["state"])

    def to_row(r) -> TemplateRow:  # noqa: ANN001
        return TemplateRow(r[-1], r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "")

    return keyset_page(uow.session, stmt, t.name, t.id, req, to_row)
