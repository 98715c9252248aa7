"""Payment terms per contact and payment reminders (issue 14, deliverable 7): a
``payment_terms`` column on contacts ('' = the shop's default), the shop's reminder levels,
reminders (series RM) and the invoices each covers, once per level per invoice. A store with
a chart of accounts gets the account reminder fees post to (role ``reminder_fees``, as the
chart templates in data/accounts now have it): its chart's account, added when missing.

Revision ID: 0015
Revises: 0014
"""

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# the chart template's account for reminder fees (data/accounts/*.json at this revision)
FEES = {
    "generic": ("4910", "Reminder fees"),
    "es": ("769", "Otros ingresos financieros"),
    "ro": ("7581", "Venituri din despăgubiri, amenzi și penalități"),
    "vn": ("711", "Thu nhập khác"),
}


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(
            sa.Column(
                "payment_terms",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
    op.create_table(
        "reminder_level",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("wording", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("fee_minor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level"),
        sa.UniqueConstraint("days"),
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("level_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("wording", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("overdue_minor", sa.Integer(), nullable=False),
        sa.Column("fee_minor", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["journal_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.create_index("ix_reminder_customer", ["customer_id", "id"], unique=False)
    op.create_table(
        "reminder_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("open_minor", sa.Integer(), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"]),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminder.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invoice_id", "level", name="uq_reminder_item_level"),
    )
    with op.batch_alter_table("reminder_item") as batch_op:
        batch_op.create_index("ix_reminder_item_reminder_id", ["reminder_id"], unique=False)
    _fee_account()


def _fee_account() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT 1 FROM account")).first() is None:
        return  # no chart yet: the template brings the role when it is installed
    if conn.execute(sa.text("SELECT 1 FROM account WHERE role = 'reminder_fees'")).first():
        return
    chart = conn.execute(sa.text("SELECT value FROM setting WHERE key = 'chart'")).scalar()
    code, name = FEES.get(chart or "generic", FEES["generic"])
    found = conn.execute(
        sa.text("SELECT id, role FROM account WHERE code = :code"), {"code": code}
    ).first()
    if found is None:
        account = sa.table(
            "account",
            sa.column("code", sa.String),
            sa.column("name", sa.String),
            sa.column("type", sa.String),
            sa.column("role", sa.String),
            sa.column("archived", sa.Boolean),
            sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        )
        conn.execute(
            account.insert().values(
                code=code,
                name=name,
                type="income",
                role="reminder_fees",
                archived=False,
                created_at=datetime.now(UTC).replace(microsecond=0),
            )
        )
    elif found[1] is None:
        conn.execute(
            sa.text("UPDATE account SET role = 'reminder_fees' WHERE id = :id"), {"id": found[0]}
        )
    # (an account of that code with another role: left alone; a fee is refused until the
    # owner gives some account the role)


def downgrade() -> None:
    op.drop_table("reminder_item")
    op.drop_table("reminder")
    op.drop_table("reminder_level")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch: re-creating the table would
    # drop its search triggers (migration 0007)
    op.drop_column("contact", "payment_terms")
