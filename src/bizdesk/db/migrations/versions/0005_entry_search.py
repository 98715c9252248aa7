"""Journal entry search index: memo substrings (SQLite FTS5, like the contact index).

New entries are indexed by the code that writes them (services.search.index_entries), in
bulk for imports; only changes and deletions of drafts go through triggers.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # other databases search with their own means
    op.execute(
        "CREATE VIRTUAL TABLE entry_search USING fts5(memo, content='journal_entry', "
        "content_rowid='id', tokenize='trigram')"
    )
    op.execute("INSERT INTO entry_search(rowid, memo) SELECT id, memo FROM journal_entry")
    op.execute(
        "CREATE TRIGGER entry_search_ad AFTER DELETE ON journal_entry BEGIN "
        "INSERT INTO entry_search(entry_search, rowid, memo) VALUES ('delete', old.id, old.memo); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER entry_search_au AFTER UPDATE OF memo ON journal_entry BEGIN "
        "INSERT INTO entry_search(entry_search, rowid, memo) VALUES ('delete', old.id, old.memo); "
        "INSERT INTO entry_search(rowid, memo) VALUES (new.id, new.memo); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("entry_search_ad", "entry_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS entry_search")
