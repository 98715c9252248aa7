"""VAT ids and document languages of contacts: ``contact.vat_id`` (checked per country,
kept compact) and ``contact.language`` (en, es, ro or vi; '' = the shop's language).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # columns added in place (ALTER TABLE ... ADD COLUMN): the search triggers stay
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("vat_id", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default=""))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch: re-creating the table would
    # drop its search triggers (migration 0007)
    op.drop_column("contact", "language")
    op.drop_column("contact", "vat_id")
