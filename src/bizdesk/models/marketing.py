"""Marketing (DESIGN section 13): e-mail consent per contact, saved segments, campaigns and
their recipients (services/marketing).

A contact's consent is one row: opted in or out, when, how and by whom (every change is in
the audit too). A segment keeps its filter as data (``definition``, JSON), evaluated in SQL
each time it is read. A campaign's recipients are queued once each: (campaign, contact) is
unique, so queuing again, or after a crash, adds nobody twice; each has its own unguessable
``token`` for the unsubscribe link.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, utcnow

CONSENT_STATES = ("in", "out")
# how a consent was given or withdrawn (stored as these words)
CONSENT_HOW = ("form", "import", "web", "in person", "phone", "unsubscribe link", "by hand")
CAMPAIGN_STATES = ("draft", "queued")


class EmailConsent(Row, table=True):
    __tablename__ = "email_consent"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    state: str = Field(max_length=4)  # in | out
    at: datetime = Field(default_factory=utcnow)
    how: str = Field(max_length=30)
    by: str = Field(default="", max_length=64)


class Segment(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    definition: str = "{}"  # JSON: {"city": ..., "age_group": "25-34", "bought": {...}}
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class Campaign(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    segment_id: int = Field(foreign_key="segment.id", index=True)
    subject: str = Field(max_length=300)
    body: str = ""
    attribution_days: int = 30
    state: str = Field(default="draft", max_length=10)  # draft | queued
    queued_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class CampaignRecipient(Row, table=True):
    __tablename__ = "campaign_recipient"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_recipient"),
        Index("ix_campaign_recipient_contact", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    contact_id: int = Field(foreign_key="contact.id")
    email: str = Field(max_length=254)
    token: str = Field(unique=True, max_length=64)  # the unsubscribe link's, unguessable
    outbox_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    unsubscribed_at: datetime | None = None
    replied_at: datetime | None = None
