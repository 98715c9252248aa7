"""Contacts (people and organisations), their tags and their interactions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from bizdesk.models.base import Row, search_text_column, utcnow

CONTACT_KINDS = ("person", "organization")
STAGES = ("lead", "prospect", "customer", "inactive")
INTERACTION_KINDS = ("call", "email", "meeting", "visit", "note")


class Contact(Row, table=True):
    __table_args__ = (
        Index("ix_contact_sort", "sort_name", "id"),
        Index("ix_contact_city", "city"),
        Index("ix_contact_country", "country"),
        Index("ix_contact_stage", "stage"),
        Index("ix_contact_owner", "owner"),
        Index("ix_contact_phone", "phone"),
        Index("ix_contact_birth_date", "birth_date"),  # age groups of segments (0020)
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="person", max_length=20)
    name: str
    # casefolded name: sorting, prefix filtering and duplicate detection in SQL
    sort_name: str
    organization_id: int | None = Field(default=None, foreign_key="contact.id")
    email: str | None = Field(default=None, unique=True)
    phone: str | None = Field(default=None, max_length=20)  # E.164
    street: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""  # ISO 3166 alpha-2
    # VAT (tax) id, checked for the country and kept compact (services/base/validate.vat_id)
    vat_id: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    # the language of the documents made out to the contact (en, es, ro, vi); '' = the shop's
    language: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})
    birth_date: date | None = None  # people only (age groups of segments and analyses)
    stage: str = Field(default="lead", max_length=20)
    is_customer: bool = False
    is_supplier: bool = False
    owner: str | None = Field(default=None, max_length=64)
    source: str = ""
    notes: str = ""
    # "net 30 days", "end of month + 10 days" (services/crm/terms.py); '' = the shop's default
    payment_terms: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    archived: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1
    # name, email, phone and city folded (bizdesk.folding): what a search looks in
    search_text: str = search_text_column("name", "email", "phone", "city")


class ContactTag(Row, table=True):
    __tablename__ = "contact_tag"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    tag: str = Field(primary_key=True, index=True, max_length=60)


class Interaction(Row, table=True):
    __table_args__ = (Index("ix_interaction_contact_at", "contact_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    kind: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow)
    username: str = Field(max_length=64)
    summary: str
