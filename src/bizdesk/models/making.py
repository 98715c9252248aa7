"""Making goods: bills of materials (what a product is made of, in versions) and assembly
orders (making a quantity of it from its components)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class BomKind(StrEnum):
    """What a bill of materials is for: a product assembled into stock, or a kit sold as one
    line and delivered as its components (never assembled, never in stock itself)."""

    ASSEMBLY = "assembly"
    KIT = "kit"


class Bom(Row, table=True):
    """One version of a product's bill of materials. Versions are kept; at most one per
    product is active (the one an assembly uses, or the components a kit is delivered as)."""

    __table_args__ = (
        UniqueConstraint("product_id", "version", name="uq_bom_product_version"),
        Index("ix_bom_active", "product_id", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    version: int
    active: bool = False
    labour_minor: int = figure(0)  # labour cost per unit made, in minor units
    note: str = Field(default="", max_length=200)
    kind: str = Field(default=BomKind.ASSEMBLY, max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=64)


class BomLine(Row, table=True):
    __tablename__ = "bom_line"
    __table_args__ = (
        UniqueConstraint("bom_id", "component_id", name="uq_bom_line_component"),
        Index("ix_bom_line_component", "component_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bom_id: int = Field(foreign_key="bom.id", index=True)
    component_id: int = Field(foreign_key="product.id")
    qty_scaled: int = figure()  # thousandths of the component per one unit of the product


class MOState(StrEnum):
    """An assembly order's states, as stored (the moves: services/making/assembly.py)."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"  # its components are reserved
    PARTIALLY_DONE = "partially done"
    DONE = "done"
    CANCELLED = "cancelled"


class AssemblyOrder(Row, table=True):
    """Make ``qty`` of a product from the components of one version of its bill of
    materials (copied onto the lines when the order is made)."""

    __tablename__ = "assembly_order"
    __table_args__ = (
        Index("ix_mo_state", "state", "id"),
        Index("ix_mo_planned", "planned_date", "id"),
        Index("ix_mo_state_planned", "state", "planned_date", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    bom_id: int = Field(foreign_key="bom.id")
    location_id: int = Field(foreign_key="location.id")  # where the product is received
    state: str = Field(default=MOState.DRAFT, max_length=20)
    planned_date: date
    qty_scaled: int = figure()
    done_scaled: int = figure(0)
    labour_minor: int = figure(0)  # labour per unit made (from the bill of materials)
    received_value_minor: int = figure(0)  # the value of what was made, received into stock
    labour_value_minor: int = figure(0)  # the labour absorbed into that value
    notes: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class AssemblyLine(Row, table=True):
    __tablename__ = "assembly_line"
    __table_args__ = (Index("ix_mo_line_component", "component_id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="assembly_order.id", index=True)
    component_id: int = Field(foreign_key="product.id")
    per_unit_scaled: int = figure()  # thousandths of the component per unit made
    qty_scaled: int = figure()  # for the whole order
    consumed_scaled: int = figure(0)
    consumed_value_minor: int = figure(0)  # what the consumed components cost (average cost)


class SalesKitLine(Row, table=True):
    """One component of a kit sold on a sales line, as the kit was made up when the order
    was confirmed; the line's delivered value is the sum of its components'."""

    __tablename__ = "sales_kit_line"
    __table_args__ = (
        UniqueConstraint("sales_line_id", "component_id", name="uq_sales_kit_component"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sales_line_id: int = Field(foreign_key="sales_line.id", index=True)
    component_id: int = Field(foreign_key="product.id", index=True)
    per_kit_scaled: int = figure()  # thousandths of the component in one kit
    delivered_value_minor: int = figure(0)  # what the delivered components cost (average cost)
    returned_value_minor: int = figure(0)
