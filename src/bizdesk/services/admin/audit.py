"""Reading the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.models.core import AuditEvent
from bizdesk.reading import quoted
from bizdesk.services.base.permissions import requires

# Every kind of record the services write to the audit trail (the first argument of
# UnitOfWork.audit); a test keeps this list in step with the code.
ENTITY_KINDS = (
    "account",
    "assembly_order",
    "bank_line",
    "bank_statement",
    "budget",
    "campaign",
    "campaign_recipient",
    "contact",
    "deal",
    "email_consent",
    "employee",
    "follow_up",
    "import",
    "interaction",
    "invoice",
    "journal_entry",
    "leave_request",
    "location",
    "nurture_sequence",
    "outbox_message",
    "pay_line",
    "payroll_run",
    "product",
    "purchase_order",
    "recurring_template",
    "reminder",
    "reminder_level",
    "sales_order",
    "sales_target",
    "segment",
    "setting",
    "shop",
    "stage",
    "store",
    "supplier_bill",
    "ticket",
    "ticket_comment",
    "user",
)


def check_entity(entity: str) -> str:
    """The entity kind as given, or a refusal listing the kinds there are."""
    if entity not in ENTITY_KINDS:
        raise ValidationError(
            {
                "entity": Message(
                    "{value} is not a kind of record; one of: {kinds}",
                    value=quoted(entity, 20),
                    kinds=", ".join(ENTITY_KINDS),
                )
            }
        )
    return entity


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    entity: str
    entity_id: int | None
    action: str
    before: str | None
    after: str | None


def _chosen(stmt, since: date | None, entity: str | None):  # noqa: ANN001, ANN202
    if since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(since, datetime.min.time(), UTC))
    if entity is not None:
        stmt = stmt.where(AuditEvent.entity == entity)
    return stmt


@requires("audit.view")
def list_events(
    uow: UnitOfWork,
    *,
    since: date | None = None,
    entity: str | None = None,
    limit: int | None = 1000,
) -> list[AuditRow]:
    """The newest ``limit`` events (all of them with None), oldest first."""
    if entity is not None:
        check_entity(entity)
    stmt = _chosen(select(AuditEvent).order_by(AuditEvent.id.desc()), since, entity)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        AuditRow(e.id, e.at, e.username, e.entity, e.entity_id, e.action, e.before, e.after)
        for e in uow.session.exec(stmt)
    ][::-1]


@requires("audit.view")
def count_events(uow: UnitOfWork, *, since: date | None = None, entity: str | None = None) -> int:
    """How many events list_events chooses from (to say what a limit left out)."""
    if entity is not None:
        check_entity(entity)
    stmt = _chosen(select(func.count()).select_from(AuditEvent), since, entity)
    return uow.session.exec(stmt).one()


def latest_id(uow: UnitOfWork) -> int:
    """The newest event's id: a cheap change counter for refreshing lists."""
    return uow.session.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one()


# In Changes.kinds: the store went back to an earlier state (a backup restored): anything
# may differ.
EVERYTHING = "*"
NEWEST_READ = 1000


@dataclass(frozen=True)
class Changes:
    """What was written since an earlier look: the newest event, the kinds of record
    (ENTITY_KINDS) written after the one seen then, and those of them only ``created``
    (every event of the kind a creation: no record seen before changed)."""

    latest: int
    kinds: frozenset[str]
    created: frozenset[str] = frozenset()


def changes_since(uow: UnitOfWork, seen: int | None) -> Changes:
    """Which kinds of record changed after event ``seen`` (None: nothing seen yet, so none
    are new). Every write records its events in its own transaction, so this sees whole
    changes; one range of the primary key, however large the store."""
    latest = latest_id(uow)
    if seen is None or latest == seen:
        return Changes(latest, frozenset())
    if latest < seen:  # an earlier copy of the store restored in place
        return Changes(latest, frozenset({EVERYTHING}))
    # Read in id order (the primary key's range: DISTINCT would walk the entity index whole);
    # a burst beyond NEWEST_READ events (an import) counts as everything changed.
    events = uow.session.exec(
        select(AuditEvent.entity, AuditEvent.action)
        .where(AuditEvent.id > seen)
        .order_by(AuditEvent.id)
        .limit(NEWEST_READ + 1)
    ).all()
    if len(events) > NEWEST_READ:
        return Changes(latest, frozenset({EVERYTHING}))
    kinds = frozenset(entity for entity, _action in events)
    changed = {entity for entity, action in events if action != "create"}
    return Changes(latest, kinds, kinds - changed)
