"""A merged contact's documents follow its postings. A merge moved the contact's journal
lines to the contact it was merged into but left its sales orders, invoices, reminders and
recurring invoices on the archived one: the kept contact's statement listed invoices its
documents did not have. They move now to the contact the merge kept (the end of a chain of
merges).

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TABLES = (
    ("sales_order", "customer_id"),
    ("invoice", "customer_id"),
    ("reminder", "customer_id"),
    ("recurring_template", "customer_id"),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, merged_into_id FROM contact WHERE merged_into_id IS NOT NULL")
    )
    into = {merged: kept for merged, kept in rows}
    for merged in into:
        kept, seen = into[merged], {merged}
        while kept in into and kept not in seen:  # merged in its turn
            seen.add(kept)
            kept = into[kept]
        for table, column in TABLES:
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :kept WHERE {column} = :merged"),
                {"kept": kept, "merged": merged},
            )


def downgrade() -> None:
    """Nothing to undo: the documents stay with the contact their postings name."""
