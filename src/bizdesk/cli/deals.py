"""The stages deals move through (`bizdesk pipeline ...`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, open_store, say, show
from bizdesk.formatting import visible

app = typer.Typer()
pipeline = typer.Typer(help="The stages deals move through.")
app.add_typer(pipeline, name="pipeline")


@pipeline.command("list")
def pipeline_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """The active stages in order, with their default probabilities."""
    from bizdesk.services.trade.deals import list_stages

    store = open_store(ctx, db)
    with store.read() as uow:
        stages = list_stages(uow)
    table = Table("Stage", "Default %", "Kind")
    for st in stages:
        table.add_row(Text(visible(st.name)), Text(str(st.probability)), Text(st.kind))
    show(table)


@pipeline.command("add")
def pipeline_add(ctx: typer.Context, name: str, probability: str, db: DbOpt = None) -> None:
    """Add an open stage (placed before Won and Lost)."""
    from bizdesk.services.trade.deals import add_stage

    store = open_store(ctx, db)
    with store.write() as uow:
        st = add_stage(uow, name, probability)
    say(f"Added stage {st.name} ({st.probability}%)")


@pipeline.command("set")
def pipeline_set(
    ctx: typer.Context,
    stage: str,
    db: DbOpt = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    probability: Annotated[str | None, typer.Option(help="Default %.")] = None,
) -> None:
    """Rename a stage or change its default probability."""
    from bizdesk.services.trade.deals import stage_named, update_stage

    store = open_store(ctx, db)
    with store.write() as uow:
        st = stage_named(uow, stage)
        st = update_stage(uow, st.id, name=name, probability=probability)
    say(f"Stage {st.name}: {st.probability}%")


@pipeline.command("remove")
def pipeline_remove(ctx: typer.Context, stage: str, db: DbOpt = None) -> None:
    """Retire an open stage that no deal sits in."""
    from bizdesk.services.trade.deals import deactivate_stage, stage_named

    store = open_store(ctx, db)
    with store.write() as uow:
        deactivate_stage(uow, stage_named(uow, stage).id)
    say(f"Removed stage {stage}")
