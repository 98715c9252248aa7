"""Making goods: bills of materials (what a product is made of, in versions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bizdesk.models.base import utcnow


class Bom(SQLModel, table=True):
    """One version of a product's bill of materials. Versions are kept; at most one per
    product is active (the one an assembly uses)."""

    __table_args__ = (
        UniqueConstraint("product_id", "version", name="uq_bom_product_version"),
        Index("ix_bom_active", "product_id", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    version: int
    active: bool = False
    labour_minor: int = 0  # labour cost per unit made, in minor units
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=64)


class BomLine(SQLModel, table=True):
    __tablename__ = "bom_line"
    __table_args__ = (
        UniqueConstraint("bom_id", "component_id", name="uq_bom_line_component"),
        Index("ix_bom_line_component", "component_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bom_id: int = Field(foreign_key="bom.id", index=True)
    component_id: int = Field(foreign_key="product.id")
    qty_scaled: int  # thousandths of the component per one unit of the product
