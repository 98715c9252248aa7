"""Journal entry search index: memo substrings (SQLite FTS5, like the contact index; on
PostgreSQL a pg_trgm GIN index, kept up to date by PostgreSQL itself).

New entries are indexed by the code that writes them (services/books/entry_search.py), in
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
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX IF NOT EXISTS entry_search_memo ON journal_entry "
            "USING gin (memo gin_trgm_ops)"
        )
        return
    if dialect != "sqlite":
        return  # other databases search with plain LIKE
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS entry_search_memo")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("entry_search_ad", "entry_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS entry_search")
