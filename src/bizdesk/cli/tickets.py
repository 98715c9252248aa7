"""Support targets and the business hours they count in (`bizdesk sla ...`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, open_store, say, show

app = typer.Typer()
sla = typer.Typer(help="Support targets and business hours.")
app.add_typer(sla, name="sla")


@sla.command("show")
def sla_show(ctx: typer.Context, db: DbOpt = None) -> None:
    """Targets per priority (business hours) and the business hours they count in."""
    from bizdesk.services.crm.tickets import business_hours, sla_policy

    store = open_store(ctx, db)
    with store.read() as uow:
        policy = sla_policy(uow)
        hours = business_hours(uow)
    table = Table("Priority", "First response (h)", "Resolution (h)")
    for prio, (fr, res) in policy.items():
        table.add_row(Text(prio), Text(str(fr)), Text(str(res)))
    show(table)
    say(f"Business hours: {hours.to_json()}")


@sla.command("set")
def sla_set(
    ctx: typer.Context, priority: str, first_response: str, resolution: str, db: DbOpt = None
) -> None:
    """Set one priority's targets, in business hours."""
    from bizdesk.services.crm.tickets import set_sla_policy, sla_policy

    store = open_store(ctx, db)
    with store.write() as uow:
        set_sla_policy(uow, {**sla_policy(uow), priority: (first_response, resolution)})
    say(f"{priority}: first response {first_response} h, resolution {resolution} h")


@sla.command("hours")
def sla_hours(
    ctx: typer.Context,
    days: Annotated[str, typer.Argument(help="e.g. mon-fri or mon,tue,sat")],
    start: Annotated[str, typer.Argument(help="HH:MM")],
    end: Annotated[str, typer.Argument(help="HH:MM")],
    timezone: Annotated[str, typer.Argument(help="e.g. Europe/Berlin")] = "UTC",
    db: DbOpt = None,
) -> None:
    """Set the business hours SLA clocks count in (new and re-timed tickets)."""
    from bizdesk.services.crm.tickets import set_business_hours

    store = open_store(ctx, db)
    with store.write() as uow:
        hours = set_business_hours(uow, days, start, end, timezone)
    say(f"Business hours set: {hours.to_json()}")
