"""Payroll paid per employee (issue 15): each payslip names the payment entry that paid it,
so a run can be paid in parts (one employee in cash today, the others by transfer later). A
run already paid had one payment for all of its payslips with net pay: they name it.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # in place (REFERENCES inline): payslip_item refers to payslip, so SQLite could not
    # rebuild the table with its foreign keys enforced
    op.add_column(
        "payslip",
        sa.Column(
            "paid_entry_id",
            sa.Integer(),
            sa.ForeignKey("journal_entry.id", name="fk_payslip_paid_entry_id"),
            nullable=True,
        ),
        inline_references=True,
    )
    op.execute(
        "UPDATE payslip SET paid_entry_id = (SELECT MIN(e.id) FROM journal_entry e "
        "WHERE e.source_kind = 'payroll_payment' AND e.source_id = payslip.run_id) "
        "WHERE net_minor != 0 AND run_id IN (SELECT id FROM payroll_run WHERE state = 'paid')"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite rebuilds payslip to drop a column; the payslip items that refer to it are
        # set aside meanwhile (dropping a table still referred to breaks the foreign key)
        op.execute("CREATE TEMP TABLE payslip_item_kept AS SELECT * FROM payslip_item")
        op.execute("DELETE FROM payslip_item")
    with op.batch_alter_table("payslip") as batch_op:
        batch_op.drop_column("paid_entry_id")
    if sqlite:
        op.execute("INSERT INTO payslip_item SELECT * FROM payslip_item_kept")
        op.execute("DROP TABLE payslip_item_kept")
