"""Birth dates of people: ``contact.birth_date`` (a date, empty for organisations and for
people whose birth date is not known); segments and analyses group people by age from it.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # added in place (ALTER TABLE ... ADD COLUMN): the search triggers stay
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN, not a batch: re-creating the table would drop its search
    # triggers (migration 0007)
    op.drop_column("contact", "birth_date")
