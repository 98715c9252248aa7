"""The journal's memo search: the SQLite full-text index kept beside journal_entry (migration
0005) and the condition that uses it. PostgreSQL's trigram index follows by itself."""

from __future__ import annotations

from sqlalchemy import text

from bizdesk.db.session import UnitOfWork
from bizdesk.models.ledger import JournalEntry
from bizdesk.services.base.paging import contains

RARE = 2000  # fewer matches than this: take them from the index; more: scan in order


def index_entries(uow: UnitOfWork, first_id: int, last_id: int) -> None:
    """Add new entries (ids first..last) to the memo search index (SQLite; one statement
    however many, which keeps imports fast). PostgreSQL's trigram index follows by itself."""
    if uow.store.is_sqlite:
        uow.session.execute(
            text(
                "INSERT INTO entry_search(rowid, memo) SELECT id, memo FROM journal_entry "
                "WHERE id BETWEEN :a AND :b"
            ),
            {"a": first_id, "b": last_id},
        )


def entry_memo_condition(uow: UnitOfWork, words: str):  # noqa: ANN201
    """A condition on JournalEntry for memos containing ``words``. A rare phrase is taken
    from the trigram index (a few ids); a common one is left to LIKE, which finds enough
    rows at the head of any ordered scan at once. On PostgreSQL, ILIKE, which the memo's
    trigram index (migration 0005) serves, and the planner makes the same choice."""
    like = contains(uow, JournalEntry.memo, words)
    if not (uow.store.is_sqlite and len(words) >= 3):
        return like
    phrase = '"' + words.replace('"', '""') + '"'
    ids = uow.session.scalars(
        text(f"SELECT rowid FROM entry_search WHERE entry_search MATCH :q LIMIT {RARE + 1}"),
        {"q": phrase},
    ).all()
    return like if len(ids) > RARE else JournalEntry.id.in_(ids)
