"""Shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC, second precision: the one form every timestamp is stored in."""
    return datetime.now(UTC).replace(microsecond=0)
