"""The stages deals move through (`bizdesk pipeline ...`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, open_store, say, show
from bizdesk.formatting import number, visible
from bizdesk.i18n import _
from bizdesk.words import STAGE_KIND_NAMES, named

app = typer.Typer()
pipeline = typer.Typer(help=_("The stages deals move through."))
app.add_typer(pipeline, name="pipeline")


@pipeline.command("list", help=_("The active stages in order, with their default probabilities."))
def pipeline_list(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.trade.deals import list_stages

    store = open_store(ctx, db)
    with store.read() as uow:
        stages = list_stages(uow)
    locale = store.settings().get("locale", "en_US")
    table = Table(_("Stage"), _("Default %"), _("Kind"))
    for st in stages:
        table.add_row(
            Text(visible(st.name)),
            Text(number(st.probability, locale)),
            Text(named(STAGE_KIND_NAMES, st.kind)),
        )
    show(table)


# the won and lost stages by what they are, not by English names (a Spanish shop's are
# Ganado and Perdido; the help said "antes de Won y Lost")
@pipeline.command("add", help=_("Add an open stage (placed before the won and lost stages)."))
def pipeline_add(ctx: typer.Context, name: str, probability: str, db: DbOpt = None) -> None:
    from bizdesk.services.trade.deals import add_stage

    store = open_store(ctx, db)
    with store.write() as uow:
        st = add_stage(uow, name, probability)
    say(_("Added stage {name} ({probability}%)").format(name=st.name, probability=st.probability))


@pipeline.command("set", help=_("Rename a stage or change its default probability."))
def pipeline_set(
    ctx: typer.Context,
    stage: str,
    db: DbOpt = None,
    name: Annotated[str | None, typer.Option(help=_("New name."))] = None,
    probability: Annotated[str | None, typer.Option(help=_("Default %."))] = None,
) -> None:
    from bizdesk.services.trade.deals import stage_named, update_stage

    store = open_store(ctx, db)
    with store.write() as uow:
        st = stage_named(uow, stage)
        st = update_stage(uow, st.id, name=name, probability=probability)
    say(_("Stage {name}: {probability}%").format(name=st.name, probability=st.probability))


@pipeline.command("remove", help=_("Retire an open stage that no deal sits in."))
def pipeline_remove(ctx: typer.Context, stage: str, db: DbOpt = None) -> None:
    from bizdesk.services.trade.deals import deactivate_stage, stage_named

    store = open_store(ctx, db)
    with store.write() as uow:
        deactivate_stage(uow, stage_named(uow, stage).id)
    say(_("Removed stage {name}").format(name=stage))
