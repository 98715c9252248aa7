"""An hourly employee's hours are entered or not: ``payslip.hours_entered``. A run refused to
post while an hourly payslip had 0 hours, so someone who worked no hours in a month held up
everyone's pay. Payslips with hours, and every payslip of a run already posted, were entered.

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # in place, as 0023: payslip_item refers to payslip (SQLite could not rebuild the table)
    op.add_column(
        "payslip",
        sa.Column("hours_entered", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE payslip SET hours_entered = TRUE WHERE hours_scaled > 0 "
        "OR run_id IN (SELECT id FROM payroll_run WHERE state != 'draft')"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # as 0023's downgrade
        op.execute("CREATE TEMP TABLE payslip_item_kept AS SELECT * FROM payslip_item")
        op.execute("DELETE FROM payslip_item")
    with op.batch_alter_table("payslip") as batch_op:
        batch_op.drop_column("hours_entered")
    if sqlite:
        op.execute("INSERT INTO payslip_item SELECT * FROM payslip_item_kept")
        op.execute("DROP TABLE payslip_item_kept")
