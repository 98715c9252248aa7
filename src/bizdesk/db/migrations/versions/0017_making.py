"""Making goods (issue 15): bills of materials in versions, assembly orders, and the
account that labour absorbed into made goods is credited to (role labour_absorbed, added to
a store whose chart lacks it when the chart's code is free).

Revision ID: 0017
Revises: 0016
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bizdesk.config import data_dir

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bom",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("labour_minor", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "version", name="uq_bom_product_version"),
    )
    with op.batch_alter_table("bom") as batch_op:
        batch_op.create_index("ix_bom_active", ["product_id", "active"], unique=False)
    op.create_table(
        "bom_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bom_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("qty_scaled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bom_id"], ["bom.id"]),
        sa.ForeignKeyConstraint(["component_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bom_id", "component_id", name="uq_bom_line_component"),
    )
    with op.batch_alter_table("bom_line") as batch_op:
        batch_op.create_index("ix_bom_line_bom_id", ["bom_id"], unique=False)
        batch_op.create_index("ix_bom_line_component", ["component_id"], unique=False)
    op.create_table(
        "assembly_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("bom_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=False),
        sa.Column("qty_scaled", sa.Integer(), nullable=False),
        sa.Column("done_scaled", sa.Integer(), nullable=False),
        sa.Column("labour_minor", sa.Integer(), nullable=False),
        sa.Column("received_value_minor", sa.Integer(), nullable=False),
        sa.Column("labour_value_minor", sa.Integer(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.ForeignKeyConstraint(["bom_id"], ["bom.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("assembly_order") as batch_op:
        batch_op.create_index("ix_mo_state", ["state", "id"], unique=False)
        batch_op.create_index("ix_mo_planned", ["planned_date", "id"], unique=False)
        batch_op.create_index("ix_assembly_order_product_id", ["product_id"], unique=False)
    op.create_table(
        "assembly_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("per_unit_scaled", sa.Integer(), nullable=False),
        sa.Column("qty_scaled", sa.Integer(), nullable=False),
        sa.Column("consumed_scaled", sa.Integer(), nullable=False),
        sa.Column("consumed_value_minor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["assembly_order.id"]),
        sa.ForeignKeyConstraint(["component_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assembly_line") as batch_op:
        batch_op.create_index("ix_assembly_line_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_mo_line_component", ["component_id"], unique=False)
    _labour_account()


def _labour_account() -> None:
    """A store set up already (it has accounts) gets its chart's labour-absorbed account,
    unless an account has that role or the code is taken (then the owner gives one the role)."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM account")).scalar() == 0:
        return  # a new store: install_chart brings it
    if conn.execute(
        sa.text("SELECT COUNT(*) FROM account WHERE role = 'labour_absorbed'")
    ).scalar():
        return
    chart = conn.execute(sa.text("SELECT value FROM setting WHERE key = 'chart'")).scalar()
    path = data_dir() / "accounts" / f"{chart or 'generic'}.json"
    if not path.is_file():
        return
    spec = json.loads(path.read_text("utf-8"))
    acct = next((a for a in spec["accounts"] if a.get("role") == "labour_absorbed"), None)
    if acct is None or conn.execute(
        sa.text("SELECT COUNT(*) FROM account WHERE code = :code"), {"code": acct["code"]}
    ).scalar():
        return
    account = sa.table(
        "account",
        sa.column("code"),
        sa.column("name"),
        sa.column("type"),
        sa.column("role"),
        sa.column("archived", sa.Boolean()),
        sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    conn.execute(
        account.insert().values(
            code=acct["code"],
            name=acct["name"],
            type=acct["type"],
            role="labour_absorbed",
            archived=False,
            created_at=datetime.now(UTC).replace(microsecond=0),
        )
    )


def downgrade() -> None:
    op.drop_table("assembly_line")
    op.drop_table("assembly_order")
    op.drop_table("bom_line")
    op.drop_table("bom")
