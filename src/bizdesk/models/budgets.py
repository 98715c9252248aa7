"""Budgets per account per month, and sales targets per owner per month (DESIGN section 13).

Amounts are minor units of the shop's currency in the account's natural sign (what a sales
account earns, what a rent account costs), as the budget report compares them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class Budget(Row, table=True):
    __table_args__ = (
        UniqueConstraint("account_id", "year", "month", name="uq_budget_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_budget_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    year: int
    month: int
    amount_minor: int = figure()
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""


class SalesTarget(Row, table=True):
    __tablename__ = "sales_target"
    __table_args__ = (
        UniqueConstraint("owner", "year", "month", name="uq_sales_target_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_sales_target_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=64)  # a user's name, as deals name their owner
    year: int
    month: int
    amount_minor: int = figure()
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
