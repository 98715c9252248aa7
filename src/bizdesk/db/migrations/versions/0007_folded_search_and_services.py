"""Accent-insensitive search and service products.

A folded ``search_text`` column (bizdesk.folding: lower case, accents and đ/ł/ø... taken
off) on contacts (name, email, phone, city), products (name), deals (title) and tickets
(subject), so that "Bucuresti" finds "București" and "nguyen" finds "Nguyễn" on SQLite
and PostgreSQL alike (PostgreSQL's ``unaccent`` extension is not needed). The contact search index now covers
that column: FTS5 trigram on SQLite, one pg_trgm GIN index on PostgreSQL instead of four.

``product.stocked``: false for a service (a workshop hour), which is never stocked,
counted or reordered. Existing products stay stocked.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from bizdesk.folding import fold_fields

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FOLDED = {
    "contact": ("name", "email", "phone", "city"),
    "product": ("name",),
    "deal": ("title",),
    "ticket": ("subject",),
}
OLD_PG_INDEXES = ("name", "email", "phone", "city")
BATCH = 5000


def _backfill(table: str, sources: tuple[str, ...]) -> None:
    conn = op.get_bind()
    cols = ", ".join(sources)
    rows = conn.execute(sa.text(f"SELECT id, {cols} FROM {table} ORDER BY id")).all()
    stmt = sa.text(f"UPDATE {table} SET search_text = :s WHERE id = :id")
    for start in range(0, len(rows), BATCH):
        conn.execute(
            stmt, [{"id": r[0], "s": fold_fields(*r[1:])} for r in rows[start : start + BATCH]]
        )


def _sqlite_contact_index(column_list: str) -> None:
    for trigger in ("contact_search_ai", "contact_search_ad", "contact_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contact_search")
    op.execute(
        f"CREATE VIRTUAL TABLE contact_search USING fts5({column_list}, content='contact', "
        "content_rowid='id', tokenize='trigram')"
    )
    new = ", ".join(f"new.{c.strip()}" for c in column_list.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in column_list.split(","))
    op.execute(
        "CREATE TRIGGER contact_search_ai AFTER INSERT ON contact BEGIN "
        f"INSERT INTO contact_search(rowid, {column_list}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER contact_search_ad AFTER DELETE ON contact BEGIN "
        f"INSERT INTO contact_search(contact_search, rowid, {column_list}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER contact_search_au AFTER UPDATE OF {column_list} ON contact BEGIN "
        f"INSERT INTO contact_search(contact_search, rowid, {column_list}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO contact_search(rowid, {column_list}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO contact_search(contact_search) VALUES ('rebuild')")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN (a constant default): a batch operation would rebuild the tables on
    # SQLite, and dropping a table that stock moves or lines point at fails its foreign keys.
    for table, sources in FOLDED.items():
        op.add_column(
            table, sa.Column("search_text", sa.String(), nullable=False, server_default="")
        )
        _backfill(table, sources)
    op.add_column(
        "product", sa.Column("stocked", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX IF NOT EXISTS contact_search_text ON contact "
            "USING gin (search_text gin_trgm_ops)"
        )
        for col in OLD_PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS contact_search_{col}")
    elif dialect == "sqlite":
        _sqlite_contact_index("search_text")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for col in OLD_PG_INDEXES:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS contact_search_{col} ON contact "
                f"USING gin ({col} gin_trgm_ops)"
            )
        op.execute("DROP INDEX IF EXISTS contact_search_text")
    elif dialect == "sqlite":  # the index reads search_text: off before the column goes
        for trigger in ("contact_search_ai", "contact_search_ad", "contact_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS contact_search")
    with op.batch_alter_table("product") as batch_op:
        batch_op.drop_column("stocked")
    for table in FOLDED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("search_text")
    if dialect == "sqlite":
        _sqlite_contact_index("name, email, phone, city")
