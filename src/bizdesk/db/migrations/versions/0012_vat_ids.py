"""VAT ids and document languages of contacts: ``contact.vat_id`` (checked per country,
kept compact) and ``contact.language`` (en, es, ro or vi; '' = the shop's language).

Revision ID: 0012
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("vat_id", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("language")
        batch.drop_column("vat_id")
