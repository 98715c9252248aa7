"""Stock: products, locations and the append-only ledger of moves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, true
from sqlmodel import Field

from bizdesk.models.base import Row, figure, search_text_column, utcnow

MOVE_KINDS = (
    "receipt",
    "delivery",
    "adjustment",
    "transfer",
    "return",
    "count",
    "consumed",
    "made",
)


class Product(Row, table=True):
    __table_args__ = (Index("ix_product_sort", "sort_name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, max_length=40)
    name: str = Field(max_length=200)
    sort_name: str
    unit: str = Field(default="pcs", max_length=12)
    sale_price_minor: int = figure(0)
    cost_minor: int = figure(0)  # the usual purchase price: the default on a purchase order line
    vat_bp: int = 0  # VAT rate in hundredths of a percent
    supplier_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    reorder_point_scaled: int = figure(0)
    reorder_qty_scaled: int = figure(0)
    allow_negative: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1
    # False: a service (a workshop hour, a fee): never stocked, counted or reordered
    stocked: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    search_text: str = search_text_column("name")  # the name folded, for searching


class Location(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)
    is_default: bool = False
    archived: bool = False


class StockMove(Row, table=True):
    """Never updated or deleted. On hand is SUM(qty), stock value is SUM(value)."""

    __tablename__ = "stock_move"
    __table_args__ = (
        Index("ix_move_product", "product_id", "location_id", "qty_scaled", "value_minor"),
        Index("ix_move_history", "product_id", "id"),
        Index("ix_move_source", "source_kind", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    location_id: int = Field(foreign_key="location.id")
    kind: str = Field(max_length=12)
    qty_scaled: int = figure()  # signed thousandths: + in, - out
    unit_cost_minor: int = figure(0)
    value_minor: int = figure(0)  # signed change of stock value, exact
    reason: str = ""
    source_kind: str | None = Field(default=None, max_length=30)
    source_id: int | None = None
    entry_id: int | None = Field(default=None, foreign_key="journal_entry.id")
    username: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow)
