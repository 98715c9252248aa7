"""Where stock is kept (`bizdesk locations ...`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bizdesk.cli.core import DbOpt, open_store, say

app = typer.Typer()
locations = typer.Typer(help="Where stock is kept.")
app.add_typer(locations, name="locations")


@locations.command("list")
def locations_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """The stock locations (the default one first gets goods when none is named)."""
    from bizdesk.services.inventory.locations import list_locations

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_locations(uow)
    for loc in rows:
        say(loc.name + ("  (default)" if loc.is_default else ""))


@locations.command("add")
def locations_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument()], db: DbOpt = None
) -> None:
    """Add a stock location (a back room, a van, a second shop)."""
    from bizdesk.services.inventory.locations import add_location

    store = open_store(ctx, db)
    with store.write() as uow:
        loc = add_location(uow, name)
    say(f"Added location {loc.name}")
