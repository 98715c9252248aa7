"""Bank statements as they came in, and their lines (DESIGN section 5, "Banking").

A line is stored once per account: the bank's transaction id, where the file gives one, and
a fingerprint of the line (services/banking/statements.py) are each unique on the account,
so importing an overlapping statement again (or two imports at once) adds nothing twice.
Amounts are minor units of the shop's currency, signed: money in is positive.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class BankStatement(Row, table=True):
    """One imported file: where it came from, and the balances it states (when it does)."""

    __tablename__ = "bank_statement"
    __table_args__ = (UniqueConstraint("account_id", "source_hash", name="uq_bank_statement_file"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    source_name: str = Field(default="", max_length=255)
    source_hash: str = Field(max_length=64)  # SHA-256 of the file's bytes
    format: str = Field(max_length=10)  # csv | ofx | camt053
    # the bank's account number or IBAN the file says it is a statement of ("" for CSV)
    account_ref: str = Field(default="", max_length=34)
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by: str = ""
    opening_minor: int | None = figure(None)
    opening_date: date | None = None
    closing_minor: int | None = figure(None)
    closing_date: date | None = None


class BankLine(Row, table=True):
    """One line of a statement. ``state`` is "open" until reconciliation matches it."""

    __tablename__ = "bank_line"
    __table_args__ = (
        UniqueConstraint("account_id", "transaction_id", name="uq_bank_line_transaction"),
        UniqueConstraint("account_id", "fingerprint", name="uq_bank_line_fingerprint"),
        Index("ix_bank_line_open", "account_id", "state", "booked_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="bank_statement.id", index=True)
    account_id: int = Field(foreign_key="account.id")
    booked_on: date
    value_on: date | None = None
    amount_minor: int = figure()
    counterpart: str = Field(default="", max_length=200)
    counterpart_iban: str = Field(default="", max_length=34)
    text: str = Field(default="", max_length=500)  # the reference or description
    transaction_id: str | None = Field(default=None, max_length=100)  # the bank's, if given
    fingerprint: str = Field(max_length=64)
    state: str = Field(default="open", max_length=10)  # open | matched
    # what a rule of the CSV rules file suggests for reconciliation (account code, contact,
    # memo); empty when no rule matched
    rule_account: str = Field(default="", max_length=20)
    rule_contact: str = Field(default="", max_length=200)
    rule_memo: str = Field(default="", max_length=200)
    # a matched line: the journal entry it settled, and whether the match posted it ("posted":
    # undo reverses it) or found it there already ("linked": undo only lets go of it)
    entry_id: int | None = Field(default=None, foreign_key="journal_entry.id", index=True)
    match: str = Field(default="", max_length=10)  # "" | posted | linked
    matched_at: datetime | None = None
    matched_by: str = ""
