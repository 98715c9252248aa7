"""Bank statements and their lines (issue 14, bank statement import). A line is stored once
per account: unique on (account, bank's transaction id) and on (account, fingerprint).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("source_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opening_minor", sa.Integer(), nullable=True),
        sa.Column("opening_date", sa.Date(), nullable=True),
        sa.Column("closing_minor", sa.Integer(), nullable=True),
        sa.Column("closing_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "source_hash", name="uq_bank_statement_file"),
    )
    with op.batch_alter_table("bank_statement") as batch_op:
        batch_op.create_index("ix_bank_statement_account_id", ["account_id"], unique=False)

    op.create_table(
        "bank_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("value_on", sa.Date(), nullable=True),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("counterpart", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "counterpart_iban", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False
        ),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "transaction_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
        ),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("rule_account", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rule_contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rule_memo", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["statement_id"], ["bank_statement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "fingerprint", name="uq_bank_line_fingerprint"),
        sa.UniqueConstraint("account_id", "transaction_id", name="uq_bank_line_transaction"),
    )
    with op.batch_alter_table("bank_line") as batch_op:
        batch_op.create_index(
            "ix_bank_line_open", ["account_id", "state", "booked_on"], unique=False
        )
        batch_op.create_index("ix_bank_line_statement_id", ["statement_id"], unique=False)


def downgrade() -> None:
    op.drop_table("bank_line")
    op.drop_table("bank_statement")
