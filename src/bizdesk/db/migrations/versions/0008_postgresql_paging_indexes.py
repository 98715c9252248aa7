"""PostgreSQL indexes that serve every list the way SQLite's already do.

Keyset paging orders by (sort key, id). A SQLite index on ``contact.stage`` carries the row
id, so it serves ``ORDER BY stage, id``; a PostgreSQL one does not, and the list sorted by
stage sorted the whole table on every page (25-28 ms at 100,000 contacts, growing with the
table). Here each sorted column gets its (column, id) index on PostgreSQL. The folded
``search_text`` of deals, tickets and products gets the pg_trgm GIN index that contacts got
in 0007, so that find-anything and the list filters stop scanning those tables with ILIKE.
SQLite is left as it is.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEYSET = {
    "ix_contact_city_id": ("contact", "city, id"),
    "ix_contact_country_id": ("contact", "country, id"),
    "ix_contact_stage_id": ("contact", "stage, id"),
    "ix_deal_amount_id": ("deal", "amount_minor, id"),
    "ix_deal_probability_id": ("deal", "probability, id"),
    "ix_ticket_subject_id": ("ticket", "subject, id"),
    "ix_po_date_id": ("purchase_order", "order_date, id"),
}
TRIGRAM = ("deal", "ticket", "product")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, columns) in KEYSET.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for table in TRIGRAM:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_text ON {table} "
            "USING gin (search_text gin_trgm_ops)"
        )
    # the planner chooses by statistics: give it fresh ones for the tables indexed here
    for table in {t for t, _ in KEYSET.values()} | set(TRIGRAM):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in KEYSET:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for table in TRIGRAM:
        op.execute(f"DROP INDEX IF EXISTS {table}_search_text")
