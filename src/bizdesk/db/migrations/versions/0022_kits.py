"""Kits (issue 15): a bill of materials of kind "kit" makes its product a kit, sold as one
line and delivered as its components; the components of a kit sold on a sales line, as the
kit was made up when the order was confirmed; an index for the assembly orders by state.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bom",
        sa.Column(
            "kind",
            sqlmodel.sql.sqltypes.AutoString(length=10),
            nullable=False,
            server_default="assembly",
        ),
    )
    op.create_table(
        "sales_kit_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sales_line_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("per_kit_scaled", sa.Integer(), nullable=False),
        sa.Column("delivered_value_minor", sa.Integer(), nullable=False),
        sa.Column("returned_value_minor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sales_line_id"], ["sales_line.id"]),
        sa.ForeignKeyConstraint(["component_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sales_line_id", "component_id", name="uq_sales_kit_component"),
    )
    with op.batch_alter_table("sales_kit_line") as batch_op:
        batch_op.create_index("ix_sales_kit_line_sales_line_id", ["sales_line_id"], unique=False)
        batch_op.create_index("ix_sales_kit_line_component_id", ["component_id"], unique=False)
    # the assembly orders list by state, in planned-date order (services/making/assembly.py)
    op.create_index(
        "ix_mo_state_planned", "assembly_order", ["state", "planned_date", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_mo_state_planned", table_name="assembly_order")
    op.drop_table("sales_kit_line")
    with op.batch_alter_table("bom") as batch_op:
        batch_op.drop_column("kind")
