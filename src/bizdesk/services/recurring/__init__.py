"""What repeats: recurring invoices and journal entries (templates.py), and what is due made
exactly once (due.py: ``bizdesk run-due`` and the interface's start).

``anything_due`` is here, apart from due.py, so that the interface's start asks with the
models alone and loads the code that makes documents (sales, the ledger) only when there is
something to make."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bizdesk.db.session import Store
from bizdesk.models.recurring import RecurringTemplate
from bizdesk.services.base.permissions import require


def anything_due(store: Store, as_of: date | None = None) -> bool:
    """Whether an active template has an occurrence due on or before ``as_of`` (today)."""
    t = RecurringTemplate
    with store.read() as uow:
        require(uow, "recurring.run")
        found = uow.session.execute(
            select(t.id)
            .where(
                t.state == "active",
                t.next_date.is_not(None),
                t.next_date <= (as_of or date.today()),
            )
            .limit(1)
        ).first()
    return found is not None
