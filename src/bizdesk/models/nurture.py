"""Lead nurturing: sequences of follow-up activities made when a contact enters a stage
(services/crm/nurture.py), and the follow-up activities themselves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, utcnow

ACTIVITY_KINDS = ("call", "email", "meeting", "task")
# open: to do; done: logged on the contact as an interaction; skipped: decided not to;
# cancelled: the contact left the stage that made it before it was done
FOLLOW_UP_STATES = ("open", "done", "skipped", "cancelled")


class NurtureSequence(Row, table=True):
    __tablename__ = "nurture_sequence"
    __table_args__ = (
        UniqueConstraint("name", name="uq_nurture_sequence_name"),
        Index("ix_nurture_sequence_stage", "stage", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    stage: str = Field(max_length=20)  # the contact stage whose entry starts it
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class NurtureStep(Row, table=True):
    __tablename__ = "nurture_step"
    __table_args__ = (Index("ix_nurture_step_sequence", "sequence_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    sequence_id: int = Field(foreign_key="nurture_sequence.id")
    position: int  # 1, 2, ... in the order the steps were written
    day_offset: int  # days after entering the stage (0: the same day)
    kind: str = Field(max_length=20)  # ACTIVITY_KINDS
    text: str = Field(max_length=500)


class FollowUp(Row, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_assignee", "assignee", "state", "due", "id"),
        Index("ix_follow_up_state_due", "state", "due", "id"),
        Index("ix_follow_up_contact", "contact_id", "state", "due", "id"),
        Index("ix_follow_up_sequence", "sequence_id", "contact_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    sequence_id: int | None = Field(default=None, foreign_key="nurture_sequence.id")
    stage: str = Field(max_length=20)  # the stage whose entry made it
    kind: str = Field(max_length=20)  # ACTIVITY_KINDS
    text: str = Field(max_length=500)
    due: date
    assignee: str = Field(max_length=64)  # a user's name
    state: str = Field(default="open", max_length=20)  # FOLLOW_UP_STATES
    note: str = Field(default="", max_length=2000)  # what the person wrote when done/skipped
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1
