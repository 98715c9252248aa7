"""The demo shop's plans (DESIGN section 13): this year's budget per income and expense
account and month, and the owner's sales targets, so that the budget report, Home's budget
line and the sales targets have something to show. Made from the demo's own figures, the
same every time for the same day."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select

from bizdesk.db.session import Store
from bizdesk.models.deals import Deal, PipelineStage
from bizdesk.money import from_minor
from bizdesk.services.books import budgets as B

GROWTH = {"income": Decimal("1.08"), "expense": Decimal("1.03")}  # the plan for this year
SEED = 13


def _month(today: date, back: int) -> tuple[date, date]:
    """The first and last day of the month ``back`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - back
    first = date(index // 12, index % 12 + 1, 1)
    following = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _round(value: Decimal, exponent: int) -> Decimal:
    """Three significant figures, as a plan is written (7,234.56 -> 7,230.00), never finer
    than the currency's minor unit."""
    if not value:
        return Decimal(0)
    step = Decimal(1).scaleb(max(value.adjusted() - 2, -exponent))
    return value.quantize(step, ROUND_HALF_EVEN)


def generate(store: Store, shop: dict, today: date) -> dict[str, int]:  # noqa: ARG001
    rng = random.Random(SEED)
    with store.write() as uow:
        exp = uow.exponent
        moved: dict[str, dict[date, Decimal]] = {}  # account -> month -> actual
        kinds: dict[str, str] = {}
        for back in range(1, 13):
            first, last = _month(today, back)
            for row in B.budget_report(uow, first, last).rows:
                if row.actual:
                    moved.setdefault(row.code, {})[first] = row.actual
                    kinds[row.code] = row.type
        lines = 0
        for code, months in sorted(moved.items()):
            # the months of this year gone by: as planned, give or take (the variance shows
            # both ways); this month and those to come: an average month, grown
            ahead = _round(sum(months.values()) / len(months) * GROWTH[kinds[code]], exp)
            for month in range(1, 13):
                first = date(today.year, month, 1)
                if month >= today.month:
                    plan = ahead
                elif first in months:
                    plan = _round(months[first] * Decimal(rng.randrange(90, 113)) / 100, exp)
                else:
                    continue  # before the shop's history
                B.set_budget(uow, code, f"{today.year}-{month:02d}", f"{plan:.{exp}f}")
                lines += 1
        # the owner's sales target for this month and the two after: what the demo's deals
        # won came to, give or take
        won = uow.session.scalar(
            select(func.coalesce(func.sum(Deal.amount_minor), 0))
            .join(PipelineStage, PipelineStage.id == Deal.stage_id)
            .where(PipelineStage.kind == "won", Deal.owner == uow.user)
        )
        targets = 0
        if won:
            target = _round(from_minor(won, exp) * Decimal(rng.randrange(85, 110)) / 100, exp)
            for ahead_by in range(3):
                month = _month(today, -ahead_by)[0]
                B.set_target(uow, uow.user, f"{month:%Y-%m}", f"{target:.{exp}f}")
                targets += 1
    return {"budget lines": lines, "sales targets": targets}
