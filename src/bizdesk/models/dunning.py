"""Payment reminders: the shop's reminder levels, the reminders made and what each covers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class ReminderLevel(Row, table=True):
    """Level 1, 2, 3 ...: from how many days overdue it applies, its name and wording (in the
    shop's language, as the owner wrote them) and an optional fee."""

    __tablename__ = "reminder_level"

    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    days: int = Field(unique=True)
    name: str = Field(max_length=60)
    wording: str = Field(default="", max_length=2000)
    fee_minor: int = figure(0)


class Reminder(Row, table=True):
    """One reminder to one customer (number series RM), frozen when made: the level, its name
    and wording and the fee as they were, the date, the overdue total of its invoices."""

    __table_args__ = (Index("ix_reminder_customer", "customer_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    customer_id: int = Field(foreign_key="contact.id")
    issued_on: date
    level: int
    level_name: str = Field(max_length=60)
    wording: str = Field(default="", max_length=2000)
    overdue_minor: int = figure()  # the open amounts of the invoices it covers, on the day
    fee_minor: int = figure(0)
    entry_id: int | None = Field(default=None, foreign_key="journal_entry.id")  # the fee's
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=64)


class ReminderItem(Row, table=True):
    """An overdue invoice a reminder covers, at a level: never the same level twice for the
    same invoice (the unique constraint holds it even against two runs at once)."""

    __tablename__ = "reminder_item"
    __table_args__ = (UniqueConstraint("invoice_id", "level", name="uq_reminder_item_level"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    level: int
    open_minor: int = figure()
    days_overdue: int
