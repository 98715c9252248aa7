"""Helpers every editable record shares: optimistic locking and change stamps."""

from __future__ import annotations

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict
from bizdesk.i18n import Message
from bizdesk.models.base import utcnow
from bizdesk.reading import date_text


def check_version(record, version: int) -> None:  # noqa: ANN001
    """Refuse to save over a change made since the form was opened, saying who made it."""
    if record.version != version:
        when = f"{date_text(record.updated_at.date())} {record.updated_at:%H:%M} UTC"
        if not record.updated_by:
            raise Conflict(
                Message(
                    "Someone changed this record at {when}. Reload it and make your change again.",
                    when=when,
                )
            )
        raise Conflict(
            Message(
                "{who} changed this record at {when}. Reload it and make your change again.",
                who=record.updated_by,
                when=when,
            )
        )


def touch(uow: UnitOfWork, record) -> None:  # noqa: ANN001
    """Stamp an edit: next version, when and who."""
    record.version += 1
    record.updated_at = utcnow()
    record.updated_by = uow.user
