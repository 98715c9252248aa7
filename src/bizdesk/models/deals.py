"""The sales pipeline: stages, deals and their optional product lines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from bizdesk.models.base import Row, figure, search_text_column, utcnow

STAGE_KINDS = ("open", "won", "lost")


class PipelineStage(Row, table=True):
    __tablename__ = "pipeline_stage"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)
    position: int
    probability: int  # percent, 0-100: the default for deals entering the stage
    kind: str = Field(default="open", max_length=10)
    active: bool = True


class Deal(Row, table=True):
    __table_args__ = (
        Index("ix_deal_stage", "stage_id", "id"),
        Index("ix_deal_contact", "contact_id"),
        Index("ix_deal_owner", "owner"),
        Index("ix_deal_sort", "sort_title", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    sort_title: str
    contact_id: int = Field(foreign_key="contact.id")
    organization_id: int | None = Field(default=None, foreign_key="contact.id")
    owner: str | None = Field(default=None, max_length=64)
    amount_minor: int = figure(0)  # estimate, minor units of the shop's currency
    probability: int = 10  # percent
    expected_close: date | None = None
    stage_id: int = Field(foreign_key="pipeline_stage.id")
    next_activity: str = ""
    next_activity_due: date | None = None
    close_reason: str = ""
    closed_at: datetime | None = None
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1
    search_text: str = search_text_column("title")  # the title folded, for searching


class DealLine(Row, table=True):
    __tablename__ = "deal_line"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    # the product table arrives with the ERP side; the column is ready for its foreign key
    product_id: int | None = None
    description: str
    qty_scaled: int = figure()  # thousandths
    unit_price_minor: int = figure()
