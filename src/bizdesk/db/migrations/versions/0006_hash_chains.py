"""Tamper evidence: a SHA-256 hash chain over posted journal entries and one over audit
events (db/chain.py). A store from before this change gets both chains built once, here, and
the audit trail says so.

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bizdesk.db import chain
    from bizdesk.identity import os_username
    from bizdesk.models.base import utcnow
    from bizdesk.models.core import AuditEvent

    op.add_column("journal_entry", sa.Column("chain_hash", sa.String(64), nullable=True))
    op.add_column("audit_event", sa.Column("chain_hash", sa.String(64), nullable=True))
    bind = op.get_bind()
    session = Session(bind=bind)
    posted = session.execute(
        sa.text("SELECT COUNT(*) FROM journal_entry WHERE state = 'posted'")
    ).scalar()
    events = session.execute(sa.text("SELECT COUNT(*) FROM audit_event")).scalar()
    if posted or events:
        session.execute(
            sa.insert(AuditEvent.__table__).values(
                at=utcnow(),
                username=os_username(),
                entity="store",
                action="chains-built",
                after=json.dumps({"posted_entries": posted, "audit_events": events}),
            )
        )
    chain.seal(session, chain.Marks(journal=0, audit_id=0, audit_hash=chain.GENESIS))
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("chain_hash")
    with op.batch_alter_table("journal_entry") as batch:
        batch.drop_column("chain_hash")
