"""People (issue 15): employees, leave requests, the shop's payroll lines, payroll runs with
their payslips, and the accounts payroll posts to (roles wages, employer_contributions and
wages_payable, with the liability accounts the demo's payroll lines use), given to a store
set up already the way 0017 gives it the labour-absorbed account.

Revision ID: 0019
Revises: 0018
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bizdesk.config import data_dir

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ROLES = ("wages", "employer_contributions", "wages_payable")
# the liability accounts this revision added to each chart (for its payroll lines)
LIABILITIES = {
    "generic": ("2310", "2320"),
    "es": (),
    "ro": ("4314", "436"),
    "vn": ("3384", "3386"),
}
_str = sqlmodel.sql.sqltypes.AutoString
_when = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "employee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("job_title", _str(length=100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("pay_basis", _str(length=10), nullable=False),
        sa.Column("pay_minor", sa.Integer(), nullable=False),
        sa.Column("iban", _str(length=34), nullable=False),
        sa.Column("leave_days", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", _str(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id"),
    )
    op.create_table(
        "leave_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("state", _str(length=20), nullable=False),
        sa.Column("note", _str(length=200), nullable=False),
        sa.Column("decided_by", _str(length=64), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", _str(length=64), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("leave_request") as batch_op:
        batch_op.create_index("ix_leave_employee", ["employee_id", "start_date"], unique=False)
    op.create_table(
        "pay_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _str(length=80), nullable=False),
        sa.Column("kind", _str(length=20), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "payroll_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("state", _str(length=20), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("paid_minor", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", _str(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["journal_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("payroll_run") as batch_op:
        batch_op.create_index("ix_payroll_run_month", ["month", "state"], unique=False)
    op.create_table(
        "payslip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("pay_basis", _str(length=10), nullable=False),
        sa.Column("pay_minor", sa.Integer(), nullable=False),
        sa.Column("hours_scaled", sa.Integer(), nullable=False),
        sa.Column("days_paid", sa.Integer(), nullable=False),
        sa.Column("days_month", sa.Integer(), nullable=False),
        sa.Column("gross_minor", sa.Integer(), nullable=False),
        sa.Column("deductions_minor", sa.Integer(), nullable=False),
        sa.Column("contributions_minor", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["payroll_run.id"]),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "employee_id", name="uq_payslip_employee"),
    )
    with op.batch_alter_table("payslip") as batch_op:
        batch_op.create_index("ix_payslip_run_id", ["run_id"], unique=False)
        batch_op.create_index("ix_payslip_employee_id", ["employee_id"], unique=False)
    op.create_table(
        "payslip_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payslip_id", sa.Integer(), nullable=False),
        sa.Column("pay_line_id", sa.Integer(), nullable=False),
        sa.Column("name", _str(length=80), nullable=False),
        sa.Column("kind", _str(length=20), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["payslip_id"], ["payslip.id"]),
        sa.ForeignKeyConstraint(["pay_line_id"], ["pay_line.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payslip_item") as batch_op:
        batch_op.create_index("ix_payslip_item_payslip_id", ["payslip_id"], unique=False)
    _payroll_accounts()


def _payroll_accounts() -> None:
    """A store set up already (it has accounts) gets its chart's payroll accounts: an
    account of the chart's code without a role is given the role; a free code gets the
    account; a taken code with another role is left alone (the owner gives one the role)."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM account")).scalar() == 0:
        return  # a new store: install_chart brings them
    chart = conn.execute(sa.text("SELECT value FROM setting WHERE key = 'chart'")).scalar()
    chart = chart or "generic"
    path = data_dir() / "accounts" / f"{chart}.json"
    if not path.is_file():
        return
    spec = json.loads(path.read_text("utf-8"))["accounts"]
    wanted = [a for a in spec if a.get("role") in ROLES]
    wanted += [a for a in spec if a["code"] in LIABILITIES.get(chart, ())]
    account = sa.table(
        "account",
        sa.column("code"),
        sa.column("name"),
        sa.column("type"),
        sa.column("role"),
        sa.column("archived", sa.Boolean()),
        sa.column("created_at", _when()),
    )
    for acct in wanted:
        role = acct.get("role")
        if (
            role
            and conn.execute(
                sa.text("SELECT COUNT(*) FROM account WHERE role = :role"), {"role": role}
            ).scalar()
        ):
            continue
        row = conn.execute(
            sa.text("SELECT id, role FROM account WHERE code = :code"), {"code": acct["code"]}
        ).first()
        if row is None:
            conn.execute(
                account.insert().values(
                    code=acct["code"],
                    name=acct["name"],
                    type=acct["type"],
                    role=role,
                    archived=False,
                    created_at=datetime.now(UTC).replace(microsecond=0),
                )
            )
        elif role and row.role is None:
            conn.execute(
                sa.text("UPDATE account SET role = :role WHERE id = :id"),
                {"role": role, "id": row.id},
            )


def downgrade() -> None:
    op.drop_table("payslip_item")
    op.drop_table("payslip")
    op.drop_table("payroll_run")
    op.drop_table("pay_line")
    op.drop_table("leave_request")
    op.drop_table("employee")
