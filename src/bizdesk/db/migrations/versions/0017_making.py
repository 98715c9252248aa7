"""Making goods (issue 15): bills of materials in versions.

Revision ID: 0017
Revises: 0013
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0013"
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


def downgrade() -> None:
    op.drop_table("bom_line")
    op.drop_table("bom")
