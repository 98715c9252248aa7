"""Frozen figures that the start shows before the database stack is imported (Home as it
was last seen: services/overview/glance.py): plain values, no query."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from bizdesk.i18n import Message
from bizdesk.money import from_minor, round_money


@dataclass(frozen=True)
class PipelineRow:
    stage: str
    probability: int
    deals: int
    amount: Decimal
    weighted: Decimal


def pipeline_rows(
    stages: list[tuple[str, int, int, int, int]], exp: int
) -> tuple[list[PipelineRow], PipelineRow]:
    """The pipeline's rows and their total from each stage's name, probability, number of
    open deals, Σ amount and Σ amount × probability, in minor units (exact: one rounding
    per stage of the weighted sum)."""
    rows = [
        PipelineRow(
            name, probability, n, from_minor(amount, exp),
            round_money(from_minor(weighted_x100, exp) / 100, exp),
        )
        for name, probability, n, amount, weighted_x100 in stages
    ]  # fmt: skip
    total = PipelineRow(
        Message("Total"),
        0,
        sum(r.deals for r in rows),
        sum((r.amount for r in rows), Decimal(0)),
        sum((r.weighted for r in rows), Decimal(0)),
    )
    return rows, total


def for_someone_else(entity: str, action: str, after: str | None, user: str) -> bool:
    """Whether an audit event is a follow-up started for a person other than ``user`` (a
    colleague's new lead entering its stage's nurturing sequence): Home counts a person's
    own follow-ups only, so such a write changes none of ``user``'s figures."""
    if (entity, action) != ("follow_up", "start") or after is None:
        return False
    try:
        details = json.loads(after)
    except ValueError:  # (not as bizdesk writes it: counted as one's own, a change)
        return False
    assignee = details.get("for") if isinstance(details, dict) else None
    return isinstance(assignee, str) and assignee != user
