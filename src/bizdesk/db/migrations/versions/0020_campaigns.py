"""Marketing (issue 15, deliverable 4): e-mail consent per contact, saved segments,
campaigns and their recipients (one per campaign and contact), and per-message headers in
the outbox (List-Unsubscribe), and an index on contacts' birth dates (age groups).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # age groups of segments: a range of birth dates, read through an index
    op.create_index("ix_contact_birth_date", "contact", ["birth_date"])
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("headers", S(), nullable=False, server_default=""))
    op.create_table(
        "email_consent",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("state", S(length=4), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("how", S(length=30), nullable=False),
        sa.Column("by", S(length=64), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_table(
        "segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", S(length=80), nullable=False),
        sa.Column("definition", S(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", S(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", S(length=80), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("subject", S(length=300), nullable=False),
        sa.Column("body", S(), nullable=False),
        sa.Column("attribution_days", sa.Integer(), nullable=False),
        sa.Column("state", S(length=10), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", S(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_campaign_segment_id", "campaign", ["segment_id"])
    op.create_table(
        "campaign_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("email", S(length=254), nullable=False),
        sa.Column("token", S(length=64), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox_message.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_recipient"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_campaign_recipient_contact", "campaign_recipient", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_birth_date", table_name="contact")
    op.drop_table("campaign_recipient")
    op.drop_table("campaign")
    op.drop_table("segment")
    op.drop_table("email_consent")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("headers")
