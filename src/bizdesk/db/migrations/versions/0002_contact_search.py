"""Contact search index: substring search over name, email, phone and city (SQLite FTS5;
on PostgreSQL pg_trgm GIN indexes, which serve ILIKE '%...%').

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = "name, email, phone, city"


PG_COLUMNS = ("name", "email", "phone", "city")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for col in PG_COLUMNS:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS contact_search_{col} ON contact "
                f"USING gin ({col} gin_trgm_ops)"
            )
        return
    if dialect != "sqlite":
        return  # other databases search with plain LIKE
    op.execute(
        f"CREATE VIRTUAL TABLE contact_search USING fts5({COLUMNS}, content='contact', "
        "content_rowid='id', tokenize='trigram')"
    )
    values = "new.name, new.email, new.phone, new.city"
    old = "old.name, old.email, old.phone, old.city"
    op.execute(
        "CREATE TRIGGER contact_search_ai AFTER INSERT ON contact BEGIN "
        f"INSERT INTO contact_search(rowid, {COLUMNS}) VALUES (new.id, {values}); END"
    )
    op.execute(
        "CREATE TRIGGER contact_search_ad AFTER DELETE ON contact BEGIN "
        f"INSERT INTO contact_search(contact_search, rowid, {COLUMNS}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER contact_search_au AFTER UPDATE OF {COLUMNS} ON contact BEGIN "
        f"INSERT INTO contact_search(contact_search, rowid, {COLUMNS}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO contact_search(rowid, {COLUMNS}) VALUES (new.id, {values}); END"
    )
    op.execute("INSERT INTO contact_search(contact_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for col in PG_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS contact_search_{col}")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("contact_search_ai", "contact_search_ad", "contact_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contact_search")
