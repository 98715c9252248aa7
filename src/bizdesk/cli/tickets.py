"""Support targets and the business hours they count in (`bizdesk sla ...`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, open_store, say, show
from bizdesk.formatting import number
from bizdesk.i18n import _
from bizdesk.words import PRIORITY_NAMES, days_example, named, typed_word

app = typer.Typer()
sla = typer.Typer(help=_("Support targets and business hours."))
app.add_typer(sla, name="sla")


@sla.command(
    "show", help=_("Targets per priority (business hours) and the business hours they count in.")
)
def sla_show(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.crm.tickets import business_hours, sla_policy

    store = open_store(ctx, db)
    with store.read() as uow:
        policy = sla_policy(uow)
        hours = business_hours(uow)
    locale = store.settings().get("locale", "en_US")
    table = Table(_("Priority"), _("First response (h)"), _("Resolution (h)"))
    for prio, (fr, res) in policy.items():
        table.add_row(
            Text(named(PRIORITY_NAMES, prio)), Text(number(fr, locale)), Text(number(res, locale))
        )
    show(table)
    say(_("Business hours: {hours}").format(hours=hours.typed()))


@sla.command(
    "set",
    help=_("Set one priority's targets, in business hours."),
    context_settings={"ignore_unknown_options": True},  # -1: refused as a number of hours
)
def sla_set(
    ctx: typer.Context, priority: str, first_response: str, resolution: str, db: DbOpt = None
) -> None:
    from bizdesk.services.crm.tickets import set_sla_policy, sla_policy

    store = open_store(ctx, db)
    key = typed_word(PRIORITY_NAMES, priority) or priority  # "alta", as `sla show` lists it
    with store.write() as uow:
        set_sla_policy(uow, {**sla_policy(uow), key: (first_response, resolution)})
    say(
        _("{priority}: first response {first} h, resolution {resolution} h").format(
            priority=named(PRIORITY_NAMES, key), first=first_response, resolution=resolution
        )
    )


@sla.command(
    "hours", help=_("Set the business hours SLA clocks count in (new and re-timed tickets).")
)
def sla_hours(
    ctx: typer.Context,
    days: Annotated[str, typer.Argument(help=_("e.g. {example}").format(example=days_example()))],
    start: Annotated[str, typer.Argument(help=_("HH:MM"))],
    end: Annotated[str, typer.Argument(help=_("HH:MM"))],
    timezone: Annotated[
        str, typer.Argument(help=_("e.g. Europe/Berlin; without it, the shop's time zone"))
    ] = "",
    db: DbOpt = None,
) -> None:
    from bizdesk.services.base.zones import shop_zone
    from bizdesk.services.crm.tickets import set_business_hours

    store = open_store(ctx, db)
    with store.write() as uow:
        hours = set_business_hours(uow, days, start, end, timezone or shop_zone(uow.setting))
    say(_("Business hours set: {hours}").format(hours=hours.typed()))
