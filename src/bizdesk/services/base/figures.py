"""Frozen figures that the start shows before the database stack is imported (Home as it
was last seen: services/overview/glance.py): plain values, no query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PipelineRow:
    stage: str
    probability: int
    deals: int
    amount: Decimal
    weighted: Decimal
