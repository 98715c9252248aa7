"""Amounts and quantities as 64-bit integers on PostgreSQL.

Every amount (``*_minor``: cents, or dong) and quantity (``*_scaled``: thousandths) was made
with ``sa.Integer``: SQLite's INTEGER holds 64 bits, PostgreSQL's only 32, so a PostgreSQL
store refused with "integer out of range" any amount over 21,474,836.47 (2,147,483,647 VND)
and any quantity over 2,147,483.647, far below the bounds that bizdesk takes from a user
(9,999,999,999,999.99 and 999,999,999,999.999). Here each such column becomes BIGINT, one
rewrite per table. SQLite is left as it is.

Revision ID: 0024
Revises: 0023
"""

from itertools import groupby

from alembic import op
from sqlalchemy import text

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _columns(of_type: str) -> list[tuple[str, str]]:
    """(table, column) of every amount and quantity column of this type, by table."""
    rows = op.get_bind().execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = :t "
            "AND (column_name LIKE '%\\_minor' OR column_name LIKE '%\\_scaled') "
            "ORDER BY table_name, column_name"
        ),
        {"t": of_type},
    )
    return [(t, c) for t, c in rows]


def _alter(of_type: str, to: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, cols in groupby(_columns(of_type), key=lambda tc: tc[0]):
        changes = ", ".join(f'ALTER COLUMN "{c}" TYPE {to}' for _, c in cols)
        op.execute(f'ALTER TABLE "{table}" {changes}')


def upgrade() -> None:
    _alter("integer", "BIGINT")


def downgrade() -> None:
    # refused by PostgreSQL ("integer out of range") if a store holds a larger figure
    _alter("bigint", "INTEGER")
