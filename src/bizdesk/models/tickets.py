"""Support tickets, their comment threads and their status history (for SLA clocks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from bizdesk.models.base import Row, search_text_column, utcnow

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "waiting", "resolved", "closed")


class Ticket(Row, table=True):
    __table_args__ = (
        Index("ix_ticket_status", "status", "id"),
        Index("ix_ticket_assignee", "assignee", "status"),
        Index("ix_ticket_contact", "contact_id"),
        Index("ix_ticket_resolution_due", "resolution_due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str
    description: str = ""
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    priority: str = Field(default="normal", max_length=10)
    status: str = Field(default="new", max_length=10)
    assignee: str | None = Field(default=None, max_length=64)
    # optional link to an order or a product ("sales_order", "purchase_order", "product")
    link_kind: str | None = Field(default=None, max_length=20)
    link_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    # SLA clocks: due times in wall-clock UTC, NULL while the clock is paused (waiting)
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    # business seconds of the resolution target still left when the clock was paused
    resolution_remaining_s: int | None = None
    first_response_breached: bool = False
    resolution_breached: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1
    search_text: str = search_text_column("subject")  # the subject folded, for searching


class TicketComment(Row, table=True):
    __tablename__ = "ticket_comment"
    __table_args__ = (Index("ix_ticket_comment_ticket", "ticket_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: datetime = Field(default_factory=utcnow)
    username: str = Field(max_length=64)
    body: str
    internal: bool = False  # internal note vs reply to the customer


class TicketEvent(Row, table=True):
    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket", "ticket_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: datetime = Field(default_factory=utcnow)
    username: str = Field(max_length=64)
    from_status: str | None = Field(default=None, max_length=10)
    to_status: str = Field(max_length=10)
