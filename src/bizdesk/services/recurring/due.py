"""Making what is due: every occurrence of every active template up to a day, exactly once,
missed ones included (``bizdesk run-due`` from cron at any frequency, and the interface when
it starts).

Each occurrence is made in a write transaction of its own: the template's row is locked, its
next date read again (another run may have made it meanwhile), the occurrence claimed by a
row unique on (template, due date), the document made and the next date moved on, all
committed together. Two runs at the same moment therefore make each occurrence once: on
SQLite the second waits for the write lock and then finds the next date moved; on
PostgreSQL it waits on the template's row lock, and the unique row refuses a claim that got
past it. A template whose occurrence cannot be made (an archived account or customer, the
lock date, not enough stock, the shop's address not set) is reported, its later occurrences
wait for it, and the other templates are still made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from bizdesk.db.session import Store, UnitOfWork
from bizdesk.errors import BizdeskError, ValidationError
from bizdesk.fieldnames import refusal
from bizdesk.i18n import Message
from bizdesk.models.recurring import RecurringTemplate
from bizdesk.reading import date_text
from bizdesk.services.base.permissions import require, requires
from bizdesk.services.base.shop_details import require_issuer
from bizdesk.services.books import ledger as L
from bizdesk.services.recurring.templates import advance, claim, load
from bizdesk.services.trade import sales


@dataclass(frozen=True)
class Made:
    template_id: int
    name: str
    due_on: date
    document: str  # INV-00007, JE-12
    dated: date  # its date: the due date, or an invoice's later when one was issued since


@dataclass(frozen=True)
class Failed:
    template_id: int
    name: str
    due_on: date
    reason: str  # in the reader's language


@dataclass
class DueReport:
    made: list[Made] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)


def _make_invoice(
    uow: UnitOfWork, t: RecurringTemplate, due: date, as_of: date
) -> tuple[str, int, date]:
    """The invoice of an occurrence, dated its due date; one made late, after an invoice of
    a later day, takes that day (invoices are numbered in the order of their dates), as
    long as it is not after ``as_of``."""
    last = sales.last_issued(uow, "invoice")
    day = last if last is not None and due < last <= as_of else due
    lines = [sales.SOLineInput(**ln) for ln in json.loads(t.lines)]
    data = sales.SOInput(
        customer=f"#{t.customer_id}", order_date=day.isoformat(), notes=t.memo, lines=lines
    )
    so = sales.create(uow, data)
    sales.confirm(uow, so.id)
    sales.deliver(uow, so.id, when=day)
    inv = sales.invoice(uow, so.id, when=day)
    return inv.label, inv.entry_id, day


def _make_entry(uow: UnitOfWork, t: RecurringTemplate, day: date) -> tuple[str, int, date]:
    lines = [L.LineInput(**ln) for ln in json.loads(t.lines)]
    memo = t.memo or t.name
    e = L.save_and_post(uow, L.EntryInput(day.isoformat(), memo, lines))
    return e.label, e.id, day


@requires("recurring.run")
def make_next(uow: UnitOfWork, template_id: int, as_of: date) -> Made | None:
    """Make the template's next occurrence if it is due on or before ``as_of`` (None: nothing
    is due, or another run made it first). All or nothing: a refusal leaves no trace."""
    t = load(uow, template_id, lock=True)
    due = t.next_date
    if t.state != "active" or due is None or due > as_of:
        return None
    locked = L.lock_date(uow)
    if locked is not None and due <= locked:
        raise ValidationError(
            Message(
                "the books are locked up to {lock}: skip this occurrence (it cannot be "
                "posted), move the lock date, or stop this template",
                lock=date_text(locked),
            )
        )
    if t.kind == "invoice":  # refused whole: not claimed, made by a later run once set
        require_issuer(uow)
    run = claim(uow, t)
    if run is None:
        return None  # made by another run at the same moment
    with uow.machine_form():  # the lines are kept in the machine form
        if t.kind == "invoice":
            label, entry_id, dated = _make_invoice(uow, t, due, as_of)
        else:
            label, entry_id, dated = _make_entry(uow, t, due)
    run.document, run.entry_id = label, entry_id
    advance(uow, t)
    uow.audit(
        "recurring_template",
        t.id,
        "run",
        after={"due": due.isoformat(), "document": label, "next": str(t.next_date or "")},
    )
    return Made(t.id, t.name, due, label, dated)


@requires("recurring.run")
def next_due(uow: UnitOfWork, as_of: date, skip: set[int]) -> tuple[int, str, date] | None:
    """The active template with the earliest occurrence due on or before ``as_of``, leaving
    out ``skip``: (id, name, due date); None when nothing more is due."""
    t = RecurringTemplate
    stmt = select(t.id, t.name, t.next_date).where(
        t.state == "active", t.next_date.is_not(None), t.next_date <= as_of
    )
    if skip:
        stmt = stmt.where(t.id.not_in(skip))
    row = uow.session.execute(stmt.order_by(t.next_date, t.id).limit(1)).first()
    return tuple(row) if row is not None else None


def run_due(store: Store, as_of: date | None = None) -> DueReport:
    """Make everything due on or before ``as_of`` (default today), each occurrence once, in
    date order (missed ones first); the acting user needs the rights of what is made (an
    invoice and a journal entry: ``recurring.run``). A template that cannot be made is
    reported and left out of this run; the others go on."""
    as_of = as_of or date.today()
    with store.read() as uow:
        require(uow, "recurring.run")
    report = DueReport()
    skip: set[int] = set()
    tried: set[tuple[int, date]] = set()
    while True:
        with store.read() as uow:
            found = next_due(uow, as_of, skip)
        if found is None:
            return report
        tid, name, due = found
        try:
            with store.write() as uow:
                made = make_next(uow, tid, as_of)
        except BizdeskError as exc:
            said = refusal(exc) if isinstance(exc, ValidationError) else str(exc)
            report.failed.append(Failed(tid, name, due, said))
            skip.add(tid)
            continue
        if made is not None:
            report.made.append(made)
        elif (tid, due) in tried:  # said due, twice found not to be: leave it
            skip.add(tid)
        tried.add((tid, due))
