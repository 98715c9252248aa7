"""A statement remembers the bank account its file names: ``bank_statement.account_ref`` (the
OFX ACCTID, the camt.053 IBAN or other id; empty for CSV). A file of another bank account
was taken into any bank ledger account and reconciled against the wrong money. Statements
imported before are unknown ("") and bind nothing.

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # in place, as 0028: bank_line refers to bank_statement
    op.add_column(
        "bank_statement",
        sa.Column("account_ref", sa.String(length=34), nullable=False, server_default=""),
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # as 0028's downgrade
        op.execute("CREATE TEMP TABLE bank_line_kept AS SELECT * FROM bank_line")
        op.execute("DELETE FROM bank_line")
    with op.batch_alter_table("bank_statement") as batch_op:
        batch_op.drop_column("account_ref")
    if sqlite:
        op.execute("INSERT INTO bank_line SELECT * FROM bank_line_kept")
        op.execute("DROP TABLE bank_line_kept")
