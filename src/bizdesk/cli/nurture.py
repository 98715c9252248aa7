"""Lead nurturing: sequences (`bizdesk nurture list|show|add|add-step|on|off`) and the
follow-up activities they make (`bizdesk followups list|done|skip|move`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from bizdesk.cli.core import DbOpt, date_form, fail, open_store, print_json, say, show, typed_date
from bizdesk.i18n import _
from bizdesk.reading import is_digits, quoted

app = typer.Typer()
nurture_app = typer.Typer(
    help=_("Nurturing sequences: follow-up activities made when a contact enters a stage.")
)
followups_app = typer.Typer(help=_("Follow-up activities: list them, do, skip or move them."))
app.add_typer(nurture_app, name="nurture")
app.add_typer(followups_app, name="followups")


class Printed(StrEnum):
    TEXT = "text"
    JSON = "json"


class ViewOpt(StrEnum):
    DUE = "due"
    TODAY = "today"
    OVERDUE = "overdue"
    UPCOMING = "upcoming"
    DONE = "done"
    SKIPPED = "skipped"


FormatOpt = Annotated[Printed, typer.Option("--format", help=_("text or json"))]
SeqArg = Annotated[
    str, typer.Argument(help=_("The sequence's number or name."), show_default=False)
]
# a number as the follow-ups say it back ("Follow-up #9 ..."): 9 or #9
IdArg = Annotated[str, typer.Argument(help=_("The follow-up's number."), show_default=False)]
NoteOpt = Annotated[str, typer.Option("--note", help=_("What came of it (optional)."))]


def _follow_up(typed: str) -> int:
    """The follow-up's number, typed as listed (9) or as said back (#9)."""
    number = typed.strip().removeprefix("#")
    if not is_digits(number) or len(number) > 18:  # not "²", which int() cannot read
        fail(_("{value} is not a follow-up's number").format(value=quoted(typed, 20)), 2)
    return int(number)


def _kind(kind: str) -> str:
    from bizdesk.services.crm.nurture import KIND_NAMES

    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def _stage(stage: str) -> str:
    return {
        "lead": _("lead"),
        "prospect": _("prospect"),
        "customer": _("customer"),
        "inactive": _("inactive"),
    }.get(stage, stage)


def _step(text: str):  # noqa: ANN202
    """ "3 email Send the catalogue" -> a step as typed (the service checks it)."""
    from bizdesk.services.crm.nurture import StepInput, split_step

    parts = split_step(text)
    if parts is None:
        fail(
            _("--step {step}: write the days, the activity and what to do: {example}").format(
                step=quoted(text, 60), example='--step "3 email Send the catalogue"'
            ),
            2,
        )
    return StepInput(*parts)


def _seq_json(view) -> dict:  # noqa: ANN001
    return {
        "id": view.id,
        "name": view.name,
        "stage": view.stage,
        "active": view.active,
        "open_follow_ups": view.open_follow_ups,
        "steps": [{"day": s.day, "activity": s.activity, "text": s.text} for s in view.steps],
    }


def _print_seq(view, as_json: bool) -> None:  # noqa: ANN001
    from rich.table import Table

    from bizdesk.formatting import visible

    if as_json:
        print_json(_seq_json(view))
        return
    state = _("active") if view.active else _("not active")
    say(
        _("#{id} {name}: when a contact becomes {stage} ({state})").format(
            id=view.id, name=visible(view.name), stage=_stage(view.stage), state=state
        )
    )
    table = Table(_("Day"), _("Activity"), _("What to do"))
    for s in view.steps:
        table.add_row(str(s.day), _kind(s.activity), visible(s.text))
    show(table)


@nurture_app.command("list", help=_("The nurturing sequences."))
def nurture_list(ctx: typer.Context, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None) -> None:
    from rich.table import Table

    from bizdesk.formatting import visible
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.crm import nurture

    store = open_store(ctx, db)
    rows, after = [], None
    with store.read() as uow:
        while True:
            page = nurture.sequences_page(uow, PageRequest(limit=500, after=after))
            rows += page.rows
            if not page.more_after:
                break
            after = page.keys[-1]
    if fmt == Printed.JSON:
        print_json(
            [
                {"id": r.id, "name": r.name, "stage": r.stage, "active": r.active, "steps": r.steps}
                for r in rows
            ]
        )
        return
    table = Table(_("No."), _("Name"), _("Stage"), _("Steps"), _("Active"))
    for r in rows:
        table.add_row(
            str(r.id),
            visible(r.name),
            _stage(r.stage),
            str(r.steps),
            _("yes") if r.active else _("no"),
        )
    show(table)


@nurture_app.command("show", help=_("A sequence and its steps."))
def nurture_show(
    ctx: typer.Context, sequence: SeqArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.services.crm import nurture

    store = open_store(ctx, db)
    with store.read() as uow:
        view = nurture.find_sequence(uow, sequence)
    _print_seq(view, fmt == Printed.JSON)


@nurture_app.command(
    "add",
    help=_(
        'A new sequence: bizdesk nurture add "New lead" --stage lead --step "0 call Welcome '
        'call" --step "3 email Send the catalogue".'
    ),
)
def nurture_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Its name."), show_default=False)],
    stage: Annotated[
        str,
        typer.Option(
            "--stage",
            help=_("The stage whose entry starts it.")
            + " "
            + _("lead, prospect, customer or inactive"),
        ),
    ] = "lead",
    step: Annotated[
        list[str] | None,
        typer.Option(
            "--step", help=_('A step, "DAYS ACTIVITY WHAT TO DO" (repeat it).'), show_default=False
        ),
    ] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help=_("Make it switched off."))] = False,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.crm import nurture

    steps = [_step(s) for s in step or []]
    store = open_store(ctx, db)
    with store.write() as uow:
        view = nurture.create_sequence(uow, nurture.SequenceInput(name, stage, not inactive, steps))
    _print_seq(view, fmt == Printed.JSON)


@nurture_app.command("add-step", help=_("One more step at the end of a sequence."))
def nurture_add_step(
    ctx: typer.Context,
    sequence: SeqArg,
    days: Annotated[str, typer.Argument(help=_("Days after entering the stage."))],
    activity: Annotated[str, typer.Argument(help=_("call, email, meeting or task."))],
    text: Annotated[str, typer.Argument(help=_("What to do."))],
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.crm import nurture

    store = open_store(ctx, db)
    with store.write() as uow:
        seq = nurture.find_sequence(uow, sequence)
        view = nurture.add_step(uow, seq.id, nurture.StepInput(days, activity, text))
    _print_seq(view, fmt == Printed.JSON)


def _switch(ctx: typer.Context, sequence: str, active: bool, db: str | None) -> None:
    from bizdesk.services.crm import nurture

    store = open_store(ctx, db)
    with store.write() as uow:
        view = nurture.set_active(uow, nurture.find_sequence(uow, sequence).id, active)
    _print_seq(view, False)


@nurture_app.command("on", help=_("Switch a sequence on."))
def nurture_on(ctx: typer.Context, sequence: SeqArg, db: DbOpt = None) -> None:
    _switch(ctx, sequence, True, db)


@nurture_app.command("off", help=_("Switch a sequence off (its open activities stay)."))
def nurture_off(ctx: typer.Context, sequence: SeqArg, db: DbOpt = None) -> None:
    _switch(ctx, sequence, False, db)


# --- follow-ups ----------------------------------------------------------------------------


@followups_app.command("list", help=_("Follow-up activities by due date (yours, open)."))
def followups_list(
    ctx: typer.Context,
    view: Annotated[
        ViewOpt,
        typer.Option(
            "--show", help=_("due (every open one), today, overdue, upcoming, done or skipped")
        ),
    ] = ViewOpt.DUE,
    who: Annotated[str, typer.Option("--who", help=_("mine, all, or a user's name"))] = "mine",
    limit: Annotated[int, typer.Option("--limit", help=_("At most this many."), min=1)] = 200,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import day, visible
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.crm import followups

    store = open_store(ctx, db)
    rows, after = [], None
    with store.read() as uow:
        while len(rows) < limit:
            page = followups.list_page(
                uow,
                PageRequest(
                    limit=min(500, limit - len(rows)),
                    after=after,
                    filters={"view": view.value, "who": who},
                ),
            )
            rows += page.rows
            if not page.more_after:
                break
            after = page.keys[-1]
    if fmt == Printed.JSON:
        print_json(
            [
                {
                    "id": r.id,
                    "due": r.due.isoformat(),
                    "activity": r.kind,
                    "text": r.text,
                    "contact_id": r.contact_id,
                    "contact": r.contact,
                    "assignee": r.assignee,
                    "state": r.state,
                    "sequence": r.sequence,
                }
                for r in rows
            ]
        )
        return
    from bizdesk.services.crm.followups import STATE_NAMES

    done = view in (ViewOpt.DONE, ViewOpt.SKIPPED)
    heads = [_("No."), _("Due on"), _("Activity"), _("Contact"), _("What to do"), _("Who")]
    table = Table(*heads, *([_("State")] if done else []))
    for r in rows:
        cells = [str(r.id), day(r.due), _kind(r.kind), visible(r.contact), visible(r.text)]
        cells.append(r.assignee)
        if done:
            cells.append(_(STATE_NAMES.get(r.state, r.state)))
        table.add_row(*cells)
    show(table)


def _said(view) -> None:  # noqa: ANN001
    from bizdesk.formatting import day, visible
    from bizdesk.services.crm.followups import STATE_NAMES

    say(
        _("Follow-up #{id} ({contact}, due {due}): {state}").format(
            id=view.id,
            contact=visible(view.contact),
            due=day(view.due),
            state=_(STATE_NAMES.get(view.state, view.state)),
        )
    )


def _typed_moment(value: str | None) -> str | None:
    """A moment typed in --at: its date in the person's form (or ISO) made ISO, as every date
    option is read; its time, and what is not a date, checked by the service."""
    parts = (value or "").split()
    if not 1 <= len(parts) <= 2:  # (more is refused by the service, said as typed)
        return value
    return " ".join([typed_date(parts[0], "--at") or "", *parts[1:]])


@followups_app.command("done", help=_("Mark a follow-up done (logged on the contact)."))
def followups_done(
    ctx: typer.Context,
    follow_up: IdArg,
    note: NoteOpt = "",
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help=_(
                "When it was done: {form}, then optionally HH:MM in the shop's time zone; "
                "default: now."
            ).format(form=date_form()),
        ),
    ] = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.crm import followups

    store = open_store(ctx, db)
    with store.write() as uow:
        view = followups.complete(uow, _follow_up(follow_up), note, at=_typed_moment(at))
    if fmt == Printed.JSON:
        print_json(
            {
                "id": view.id,
                "state": view.state,
                "contact_id": view.contact_id,
                "contact": view.contact,
                "due": view.due.isoformat(),
                "interaction_id": view.interaction_id,
                "done_at": view.done_at.isoformat() if view.done_at else None,
                "note": view.note,
            }
        )
        return
    _said(view)


@followups_app.command("skip", help=_("Skip a follow-up (not done; the note says why)."))
def followups_skip(
    ctx: typer.Context, follow_up: IdArg, note: NoteOpt = "", db: DbOpt = None
) -> None:
    from bizdesk.services.crm import followups

    store = open_store(ctx, db)
    with store.write() as uow:
        view = followups.skip(uow, _follow_up(follow_up), note)
    _said(view)


@followups_app.command("move", help=_("Move a follow-up to another day."))
def followups_move(
    ctx: typer.Context,
    follow_up: IdArg,
    when: Annotated[
        str,
        typer.Argument(
            help=_("The new due date ({form}).").format(form=date_form()), show_default=False
        ),
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.crm import followups

    store = open_store(ctx, db)
    with store.write() as uow:
        view = followups.reschedule(uow, _follow_up(follow_up), typed_date(when, "WHEN"))
    _said(view)
