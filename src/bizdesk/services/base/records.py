"""Helpers every editable record shares: optimistic locking and change stamps."""

from __future__ import annotations

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict
from bizdesk.formatting import moment
from bizdesk.i18n import Message
from bizdesk.models.base import utcnow
from bizdesk.services.base.zones import shop_zone


def check_version(uow: UnitOfWork, record, version: int) -> None:  # noqa: ANN001
    """Refuse to save over a change made since the form was opened, saying who made it."""
    if record.version != version:
        when = moment(record.updated_at, shop_zone(uow.setting))
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
