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
lock date, not enough stock) is reported, its later occurrences wait for it, and the other
templates are still made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bizdesk.db.session import Store, UnitOfWork
from bizdesk.errors import BizdeskError
from bizdesk.models.recurring import RecurringRun, RecurringTemplate
from bizdesk.services.base.permissions import require, requires
from bizdesk.services.base.records import touch
from bizdesk.services.books import ledger as L
from bizdesk.services.recurring.templates import load, next_after
from bizdesk.services.trade import sales


@dataclass(frozen=True)
class Made:
    template_id: int
    name: str
    due_on: date
    document: str  # INV-00007, JE-12


@dataclass(frozen=True)
class Failed:
    template_id: int
    name: str
    due_on: date | None
    reason: str  # in the reader's language


@dataclass
class DueReport:
    made: list[Made] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)


def _make_invoice(uow: UnitOfWork, t: RecurringTemplate, day: date) -> tuple[str, int]:
    lines = [sales.SOLineInput(**ln) for ln in json.loads(t.lines)]
    data = sales.SOInput(
        customer=f"#{t.customer_id}", order_date=day.isoformat(), notes=t.memo, lines=lines
    )
    so = sales.create(uow, data)
    sales.confirm(uow, so.id)
    sales.deliver(uow, so.id, when=day)
    inv = sales.invoice(uow, so.id, when=day)
    return inv.label, inv.entry_id


def _make_entry(uow: UnitOfWork, t: RecurringTemplate, day: date) -> tuple[str, int]:
    lines = [L.LineInput(**ln) for ln in json.loads(t.lines)]
    memo = t.memo or t.name
    e = L.save_and_post(uow, L.EntryInput(day.isoformat(), memo, lines))
    return e.label, e.id


@requires("recurring.run")
def make_next(uow: UnitOfWork, template_id: int, as_of: date) -> Made | None:
    """Make the template's next occurrence if it is due on or before ``as_of`` (None: nothing
    is due, or another run made it first). All or nothing: a refusal leaves no trace."""
    t = load(uow, template_id, lock=True)
    due = t.next_date
    if t.state != "active" or due is None or due > as_of:
        return None
    run = RecurringRun(template_id=t.id, due_on=due, made_by=uow.user)
    try:
        with uow.session.begin_nested():  # the claim: unique on (template, due date)
            uow.session.add(run)
            uow.session.flush()
    except IntegrityError:
        return None  # made by another run at the same moment
    with uow.machine_form():  # the lines are kept in the machine form
        if t.kind == "invoice":
            label, entry_id = _make_invoice(uow, t, due)
        else:
            label, entry_id = _make_entry(uow, t, due)
    run.document, run.entry_id = label, entry_id
    t.made += 1
    t.next_date = next_after(t)
    if t.next_date is None:
        t.state = "ended"
    touch(uow, t)
    uow.audit(
        "recurring_template",
        t.id,
        "run",
        after={"due": due.isoformat(), "document": label, "next": str(t.next_date or "")},
    )
    return Made(t.id, t.name, due, label)


@requires("recurring.run")
def due_templates(uow: UnitOfWork, as_of: date) -> list[tuple[int, str]]:
    """Active templates with an occurrence due on or before ``as_of``: (id, name)."""
    t = RecurringTemplate
    return [
        (tid, name)
        for tid, name in uow.session.execute(
            select(t.id, t.name)
            .where(t.state == "active", t.next_date.is_not(None), t.next_date <= as_of)
            .order_by(t.next_date, t.id)
        )
    ]


def run_due(store: Store, as_of: date | None = None) -> DueReport:
    """Make everything due on or before ``as_of`` (default today), each occurrence once, in
    date order per template; the acting user needs the rights of what is made (an invoice
    and a journal entry: ``recurring.run``)."""
    as_of = as_of or date.today()
    with store.read() as uow:
        require(uow, "recurring.run")
        todo = due_templates(uow, as_of)
    report = DueReport()
    for tid, name in todo:
        while True:
            due = None
            try:
                with store.write() as uow:
                    due = load(uow, tid).next_date
                    made = make_next(uow, tid, as_of)
            except BizdeskError as exc:
                report.failed.append(Failed(tid, name, due, str(exc)))
                break
            if made is None:
                break
            report.made.append(made)
    return report
