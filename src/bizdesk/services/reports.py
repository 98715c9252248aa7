"""Reports as plain tables: one shape, so the CLI and the TUI print them all the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError


@dataclass(frozen=True)
class Column:
    key: str  # snake_case, the JSON key
    label: str
    numeric: bool = False


@dataclass
class Report:
    name: str
    title: str
    params: dict[str, Any]
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def _pipeline(uow: UnitOfWork, **_: Any) -> Report:
    from bizdesk.services.deals import pipeline_report

    rows, total = pipeline_report(uow)
    cols = [
        Column("stage", "Stage"),
        Column("probability", "Prob. %", True),
        Column("deals", "Deals", True),
        Column("amount", "Amount", True),
        Column("weighted", "Weighted", True),
    ]

    def d(r):  # noqa: ANN001, ANN202
        return {
            "stage": r.stage,
            "probability": r.probability,
            "deals": r.deals,
            "amount": r.amount,
            "weighted": r.weighted,
        }

    tot = d(total)
    tot.pop("probability")
    return Report(
        "pipeline",
        "Weighted pipeline (open deals)",
        {"currency": uow.currency},
        cols,
        [d(r) for r in rows],
        tot,
    )


def _tickets_sla(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.tickets import sla_report

    rows, total = sla_report(uow, date_from, date_to)
    keys = (
        "priority",
        "tickets",
        "open",
        "first_response_met",
        "first_response_breached",
        "resolved",
        "resolution_met",
        "resolution_breached",
    )
    labels = (
        "Priority",
        "Tickets",
        "Open",
        "1st resp. met",
        "1st resp. breached",
        "Resolved",
        "Resolved in time",
        "Resolution breached",
    )
    cols = [Column(k, lbl, i > 0) for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))]
    out = [{k: getattr(r, k) for k in keys} for r in rows]
    tot = {k: getattr(total, k) for k in keys}
    return Report(
        "tickets-sla", "Ticket SLA by priority", {"from": date_from, "to": date_to}, cols, out, tot
    )


def _segments(uow: UnitOfWork, by: str = "city", **_: Any) -> Report:
    from bizdesk.services.contacts import segments

    rows = segments(uow, by)
    cols = [
        Column("value", by.capitalize()),
        Column("contacts", "Contacts", True),
        Column("customers", "Customers", True),
    ]
    out = [{"value": r.value, "contacts": r.contacts, "customers": r.customers} for r in rows]
    tot = {
        "value": "Total",
        "contacts": sum(r.contacts for r in rows),
        "customers": sum(r.customers for r in rows),
    }
    if by == "tag":
        tot = None  # a contact may carry several tags: a sum would count people twice
    return Report("segments", f"Contacts by {by}", {"by": by}, cols, out, tot)


REPORTS = {"pipeline": _pipeline, "tickets-sla": _tickets_sla, "segments": _segments}


def build(uow: UnitOfWork, name: str, **params: Any) -> Report:
    fn = REPORTS.get(name)
    if fn is None:
        raise ValidationError(
            {"report": f"unknown report {name!r}; available: {', '.join(REPORTS)}"}
        )
    return fn(uow, **params)


def plain(value: Any) -> Any:
    """A JSON-safe value: Decimals and dates as strings, never floats."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
