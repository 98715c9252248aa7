"""Payment accounts and bank reconciliation (issue 14, deliverables 1 and 3).

- ``account.payment_kind``: bank, cash or card (card clearing) for every account money is
  paid through; any number of each. The accounts with the role bank or cash get that kind.
- ``bank_line.entry_id``: the journal entry a matched line settled (posted by the match, or an
  entry that was there already: ``match`` says which), and who matched it when.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(
            sa.Column("payment_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
    op.execute("UPDATE account SET payment_kind = role WHERE role IN ('bank', 'cash')")
    with op.batch_alter_table("bank_line") as batch_op:
        batch_op.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "match",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("matched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "matched_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.create_foreign_key(
            "fk_bank_line_entry_id", "journal_entry", ["entry_id"], ["id"]
        )
        batch_op.create_index("ix_bank_line_entry_id", ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bank_line") as batch_op:
        batch_op.drop_index("ix_bank_line_entry_id")
        batch_op.drop_constraint("fk_bank_line_entry_id", type_="foreignkey")
        batch_op.drop_column("matched_by")
        batch_op.drop_column("matched_at")
        batch_op.drop_column("match")
        batch_op.drop_column("entry_id")
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_column("payment_kind")
