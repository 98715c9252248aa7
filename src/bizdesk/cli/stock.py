"""Where stock is kept (`bizdesk locations ...`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bizdesk.cli.core import DbOpt, open_store, say
from bizdesk.i18n import _

app = typer.Typer()
locations = typer.Typer(help=_("Where stock is kept."))
app.add_typer(locations, name="locations")


@locations.command(
    "list", help=_("The stock locations (the default one first gets goods when none is named).")
)
def locations_list(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.inventory.locations import list_locations

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_locations(uow)
    for loc in rows:
        say(_("{name}  (default)").format(name=loc.name) if loc.is_default else loc.name)


@locations.command("add", help=_("Add a stock location (a back room, a van, a second shop)."))
def locations_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument()], db: DbOpt = None
) -> None:
    from bizdesk.services.inventory.locations import add_location

    store = open_store(ctx, db)
    with store.write() as uow:
        loc = add_location(uow, name)
    say(_("Added location {name}").format(name=loc.name))
