"""The outbox: every e-mail bizdesk sends, kept from the moment it is queued (DESIGN section 5,
"Documents and e-mail"; services/mail).

A message is written whole when it is queued (the PDF's bytes included), so sending it later
needs nothing but this row and the shop's mail settings. ``state`` moves
queued -> sending (claimed by one process, ``claim`` its token) -> sent; a failed try goes
back to queued with its error and the time of the next try. A message claimed by a process
that never finished (killed between the server's answer and the row being marked) becomes
``unsure`` and is never sent again by itself (services/mail/outbox.py says why).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary
from sqlmodel import Column, Field

from bizdesk.models.base import Row, utcnow

OUTBOX_STATES = ("queued", "sending", "sent", "unsure", "cancelled")


class OutboxMessage(Row, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_try_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=250, unique=True)  # the Message-ID header, made once
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = ""
    # extra headers of this message alone, JSON {"List-Unsubscribe": "<...>"} ('' = none)
    headers: str = Field(default="", sa_column_kwargs={"server_default": ""})
    attachment_name: str = Field(default="", max_length=255)
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    doc_kind: str = Field(default="", max_length=30)  # quote, invoice, ... ('' for a test)
    doc_label: str = Field(default="", max_length=60)  # INV-00007
    doc_sha256: str = Field(default="", max_length=64)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    state: str = Field(default="queued", max_length=12)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    next_try_at: datetime = Field(default_factory=utcnow)
    claim: str = Field(default="", max_length=64)  # the token of the process sending it
    claimed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=64)
    sent_at: datetime | None = None
    # the interaction logged on the contact when it was sent
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")
