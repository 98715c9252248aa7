"""Each person's language: ``user.language`` holds en, es, ro or vi, or '' to follow the
environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) of the session, as before this change.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")
