"""The double-entry journal: accounts, entries and their lines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow

ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")


class Account(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)
    name: str = Field(max_length=120)
    type: str = Field(max_length=10)
    # what the program posts to it automatically (inventory, grni, ap, ...); None for the rest
    role: str | None = Field(default=None, unique=True, max_length=30)
    # an account money is paid through (any number of each): bank, cash or card (card
    # clearing); None for the rest
    payment_kind: str | None = Field(default=None, max_length=10)
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow)


# what a journal entry's label starts with ("JE-12"): here, below the store's chains that name
# entries, and the document series (services/base/numbering.py) that number them
ENTRY_PREFIX = "JE"


class JournalEntry(Row, table=True):
    __tablename__ = "journal_entry"
    __table_args__ = (
        Index("ix_entry_number", "number", unique=True),
        Index("ix_entry_date", "date", "id"),
        Index("ix_entry_source", "source_kind", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = None  # given when posted: sequential, without gaps
    date: date
    memo: str = ""
    state: str = Field(default="draft", max_length=10)  # draft | posted
    source_kind: str | None = Field(default=None, max_length=30)
    source_id: int | None = None
    reverses_id: int | None = Field(default=None, foreign_key="journal_entry.id")
    reversed_by_id: int | None = Field(default=None, foreign_key="journal_entry.id")
    posted_at: datetime | None = None
    posted_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1
    chain_hash: str | None = Field(default=None, max_length=64)  # db/chain.py


class JournalLine(Row, table=True):
    """One debit or credit. Date and posted state are copied from the entry when it is
    posted so that balances are one indexed GROUP BY over this table alone."""

    __tablename__ = "journal_line"
    __table_args__ = (
        CheckConstraint(
            "debit_minor >= 0 AND credit_minor >= 0 AND (debit_minor = 0) != (credit_minor = 0)",
            name="ck_line_one_side",
        ),
        Index("ix_line_entry", "entry_id"),
        # balances (a covering index) and an account's ledger in (date, id) order, in one
        Index(
            "ix_line_balance", "posted", "account_id", "date", "id", "debit_minor", "credit_minor"
        ),
        Index("ix_line_contact", "contact_id", "account_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="journal_entry.id")
    account_id: int = Field(foreign_key="account.id")
    debit_minor: int = figure(0)
    credit_minor: int = figure(0)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    memo: str = ""
    date: date
    posted: bool = False


class Sequence(Row, table=True):
    """Counters for document numbers; taken inside the posting's own transaction, so a
    rolled-back posting gives its number back and the series has no gaps."""

    name: str = Field(primary_key=True, max_length=30)
    last: int = 0
