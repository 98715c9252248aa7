"""Users, settings and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from bizdesk.models.base import Row, utcnow

ROLES = ("owner", "accountant", "sales", "support", "warehouse", "viewer")


class User(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    full_name: str = Field(default="", max_length=200)
    role: str = Field(default="viewer", max_length=20)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # en, es, ro or vi, or a locale of one (en_GB: its dates); '' follows the session (i18n)
    language: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})


class Setting(Row, table=True):
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


class AuditEvent(Row, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    username: str = Field(max_length=64)
    entity: str = Field(max_length=40)
    entity_id: int | None = Field(default=None)
    action: str = Field(max_length=40)
    before: str | None = None  # JSON
    after: str | None = None  # JSON
    chain_hash: str | None = Field(default=None, max_length=64)  # db/chain.py
