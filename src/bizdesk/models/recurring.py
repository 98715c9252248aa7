"""What repeats (DESIGN section 5): templates of invoices and journal entries made again every
month, quarter or year, and one row per occurrence made.

A template's occurrences are counted from its start date: the n-th falls ``n`` periods after
it, on the start's day of the month or the month's last day when it is shorter (a template
starting on the 31st gives the 30th in April and the 31st again in May: no drift). The run
of one occurrence is unique on (template, due date) and is written in the same transaction
as the document it made, so two ``bizdesk run-due`` at the same moment make it once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, utcnow


class RecurringTemplate(Row, table=True):
    __tablename__ = "recurring_template"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # invoice | entry
    name: str = Field(max_length=200)
    frequency: str = Field(max_length=10)  # monthly | quarterly | yearly
    start_date: date
    end_date: date | None = None
    next_date: date | None = Field(default=None, index=True)  # None: nothing more to make
    made: int = 0  # occurrences made: the next one is ``made`` periods after the start
    customer_id: int | None = Field(default=None, foreign_key="contact.id")  # invoices
    memo: str = Field(default="", max_length=500)
    # the lines, checked and in the machine form (JSON): invoice lines (product, description,
    # qty, unit_price, vat_rate) or entry lines (account, debit, credit, contact, memo)
    lines: str = ""
    state: str = Field(default="active", max_length=10)  # active | stopped | ended
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class RecurringRun(Row, table=True):
    """One occurrence made: claimed in the transaction that makes its document."""

    __tablename__ = "recurring_run"
    __table_args__ = (UniqueConstraint("template_id", "due_on", name="uq_recurring_run_due"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="recurring_template.id")
    due_on: date
    made_at: datetime = Field(default_factory=utcnow)
    made_by: str = ""
    document: str = Field(default="", max_length=30)  # its label: INV-00007, JE-12
    entry_id: int | None = Field(default=None, foreign_key="journal_entry.id")
