"""Reading the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.models.core import AuditEvent
from bizdesk.services.permissions import requires


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


@requires("audit.view")
def list_events(
    uow: UnitOfWork, *, since: date | None = None, entity: str | None = None, limit: int = 1000
) -> list[AuditRow]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(since, datetime.min.time(), UTC))
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    return [
        AuditRow(e.id, e.at, e.username, e.entity, e.entity_id, e.action, e.before, e.after)
        for e in uow.session.exec(stmt)
    ][::-1]


def latest_id(uow: UnitOfWork) -> int:
    """The newest event's id: a cheap change counter for refreshing lists."""
    from sqlalchemy import func

    return uow.session.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one()
