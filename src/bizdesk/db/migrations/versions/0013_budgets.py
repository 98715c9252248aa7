"""Budgets per account per month and sales targets per owner per month (issue 15).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "year", "month", name="uq_budget_month"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_budget_month"),
    )
    with op.batch_alter_table("budget") as batch_op:
        batch_op.create_index("ix_budget_account_id", ["account_id"], unique=False)
    op.create_table(
        "sales_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "year", "month", name="uq_sales_target_month"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_sales_target_month"),
    )


def downgrade() -> None:
    op.drop_table("sales_target")
    with op.batch_alter_table("budget") as batch_op:
        batch_op.drop_index("ix_budget_account_id")
    op.drop_table("budget")
