"""Payment reminders and terms: `bizdesk reminders [--as-of DATE] [--send]` makes the
reminders due (once per level per invoice), `bizdesk reminder-levels ...` edits the levels,
`bizdesk terms` shows or sets the shop's default payment terms (services/dunning)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.characters import shown_name
from bizdesk.cli.core import (
    DbOpt,
    date_form,
    fail,
    fields_as_typed,
    open_store,
    parse_date,
    say,
    say_error,
    show,
    typed_number,
)
from bizdesk.errors import ValidationError
from bizdesk.i18n import _, ngettext

app = typer.Typer()
levels_app = typer.Typer(help=_("The reminder levels: days overdue, name, wording, fee."))
app.add_typer(levels_app, name="reminder-levels")


@app.command(
    "reminders",
    help=_(
        "Make the payment reminders due today (or on --as-of): one per customer whose "
        "overdue invoices reached a level they have not had. Never twice for the same level. "
        "--send e-mails each one made, --print writes each one made as PDF (RM-00001.pdf) "
        "into the current folder or the one -o names."
    ),
)
def reminders_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar=date_form(), help=_("The day to make them for (not after today).")
        ),
    ] = None,
    send: Annotated[bool, typer.Option("--send", help=_("E-mail each reminder made."))] = False,
    print_: Annotated[
        bool, typer.Option("--print", help=_("Write each reminder made as PDF."))
    ] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help=_("--print: the folder to write the PDFs in (default: the current folder)."),
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import money, visible
    from bizdesk.services.dunning.reminders import make_reminders

    if output is not None and not print_:
        fail(_("-o is for --print only"), 2)
    if print_:
        from bizdesk.services import papers

        papers.place([], output)  # the folder, checked before anything is made
    store = open_store(ctx, db)
    day = parse_date(as_of, "--as-of")
    placed: list = []
    if print_:  # what an earlier run here made and was stopped before writing
        with store.read() as uow:
            earlier = papers.finish_pending(uow, "reminder", output)
        _tell_written(
            earlier,
            _(
                "{label} was made by an earlier run that stopped before writing it; "
                "written to {path}"
            ),
        )
    # made, queued and laid out together: none made without its e-mail, nor while its
    # PDF could not be written (the folder missing, a file there already); a marker for
    # each PDF before the commit lets the next run write what a stopped one could not
    try:
        with store.write() as uow:
            made = make_reminders(uow, day)
            if send:
                from bizdesk.services.mail.documents import queue_reminders

                queued, unsent = queue_reminders(uow, made)
            if print_:
                papers_made = [papers.render(uow, "reminder", m.label) for m in made]
                placed = papers.place(papers_made, output)
                papers.mark_pending(placed)
    except BaseException:
        if print_:
            papers.unmark_pending(placed)
        raise
    if not made:
        say(_("No reminders are due."))
        return
    locale = store.settings().get("locale", "en_US")
    amounts = [money(m.total, locale) for m in made]  # with its fee, as the screen says
    width = max(len(a) for a in amounts)
    for m, amount in zip(made, amounts, strict=True):
        level = _("level {level}, {name}").format(level=m.level, name=m.level_name)
        say(f"{m.label}  {visible(m.customer)}  {visible(level)}  {amount:>{width}}")
    n = len(made)
    say(ngettext("{n} reminder was made.", "{n} reminders were made.", n).format(n=n))
    bare = {q.message.doc_label for q in queued if q.without_shop_address} if send else set()
    bare |= {p.label for p in papers_made if p.without_shop_address} if print_ else set()
    if bare:  # (as a print of one says)
        from bizdesk.services.papers import no_shop_address

        for label in sorted(bare):
            say(str(no_shop_address(label)), stderr=True)
    if print_:
        done = papers.save_placed(placed)
        papers.unmark_pending(placed)  # written, or said how to print it
        _tell_written(done, _("{label} written to {path}"))
    if send:
        from bizdesk.services.mail.outbox import deliver

        for label in unsent:
            if print_:
                say(
                    _("{label}: the customer has no e-mail address; post the PDF").format(
                        label=label
                    )
                )
            else:
                say(
                    _(
                        "{label}: the customer has no e-mail address; print it with "
                        "bizdesk print reminder {label}"
                    ).format(label=label)
                )
        if queued:
            delivery = deliver(store, [q.message.id for q in queued])
            for line in delivery.said():
                say(str(line))
            if delivery.left_undone:  # still queued or unsure: exit 1 (a script can tell)
                raise typer.Exit(1)
    if print_ and done.failed:
        raise typer.Exit(1)


def _tell_written(done, written: str) -> None:  # noqa: ANN001 - papers.Placed
    """Each reminder's PDF written (said with ``written``), and each one not written with
    why and how to print it."""
    for paper, path in done.written:
        say(written.format(label=paper.label, path=shown_name(path)))
    for paper, path, reason in done.failed:
        say_error(
            _(
                "{label} was made but not written to {path} ({reason}); print it with "
                "bizdesk print reminder {label}"
            ).format(label=paper.label, path=shown_name(path), reason=reason)
        )


@levels_app.command("list", help=_("The reminder levels, fewest days first."))
def levels_list(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.formatting import money, visible
    from bizdesk.services.dunning.reminders import levels

    store = open_store(ctx, db)
    with store.read() as uow:
        found = levels(uow)
    locale = store.settings().get("locale", "en_US")
    table = Table(_("Level"), _("Days overdue"), _("Name"), _("Fee"), _("Wording"))
    for lv in found:
        table.add_row(
            str(lv.level),
            str(lv.days),
            Text(visible(lv.name)),
            Text(money(lv.fee, locale)),
            Text(visible(lv.wording)),
        )
    show(table)


@levels_app.command(
    "set",
    help=_("Change a level, or add the next one (its number: one more than the last)."),
)
def levels_set(
    ctx: typer.Context,
    level: int,
    days: Annotated[str | None, typer.Option("--days", help=_("Days overdue."))] = None,
    name: Annotated[str | None, typer.Option("--name", help=_("Its name."))] = None,
    wording: Annotated[
        str | None, typer.Option("--wording", help=_("What the reminder says."))
    ] = None,
    fee: Annotated[
        str | None, typer.Option("--fee", parser=typed_number, help=_("The fee (empty: none)."))
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.dunning.reminders import LevelInput, levels, set_levels

    store = open_store(ctx, db)
    with store.write() as uow:
        now = [LevelInput(str(x.days), x.name, x.wording, str(x.fee or "")) for x in levels(uow)]
        if not 1 <= level <= len(now) + 1:
            fail(_("level: a number from 1 to {most}").format(most=len(now) + 1))
        if level == len(now) + 1:
            now.append(LevelInput())
        it = now[level - 1]
        for attr, value in (("days", days), ("name", name), ("wording", wording), ("fee", fee)):
            if value is not None:
                setattr(it, attr, value)
        try:
            saved = set_levels(uow, now)[level - 1]
        except ValidationError as exc:  # "2.days": this level's is the option typed
            raise ValidationError(
                {_option(key, level): said for key, said in exc.fields.items()}
            ) from None
    from bizdesk.formatting import money, visible

    if saved.fee:  # what it now charges, said (a fee set was not confirmed)
        said = ngettext(
            "Level {level}: {days} day overdue, {name}, a fee of {fee}",
            "Level {level}: {days} days overdue, {name}, a fee of {fee}",
            saved.days,
        )
        fee = money(saved.fee, store.settings().get("locale", "en_US"))
    else:
        said = ngettext(
            "Level {level}: {days} day overdue, {name}, no fee",
            "Level {level}: {days} days overdue, {name}, no fee",
            saved.days,
        )
        fee = ""
    say(said.format(level=saved.level, days=saved.days, name=visible(saved.name), fee=fee))


def _option(key: str, level: int) -> str:
    """A set_levels field key ("2.days") as the command line names it: the option for the
    level being set ("--days"), the level and option for another ("2 --days")."""
    number, dot, field = key.partition(".")
    if not dot:
        return key
    return f"--{field}" if number == str(level) else f"{number} --{field}"


@levels_app.command("remove", help=_("Remove the last level."))
def levels_remove(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.dunning.reminders import LevelInput, levels, set_levels

    store = open_store(ctx, db)
    with store.write() as uow:
        now = [LevelInput(str(x.days), x.name, x.wording, str(x.fee or "")) for x in levels(uow)]
        set_levels(uow, now[:-1])
    say(_("Removed level {level}").format(level=len(now)))


@app.command(
    "terms",
    help=_(
        "The shop's default payment terms (for contacts without their own): shown, or set "
        "with --customers / --suppliers, such as 'net 30 days' or 'end of month + 10 days'."
    ),
)
def terms_cmd(
    ctx: typer.Context,
    customers: Annotated[
        str | None, typer.Option("--customers", help=_("Terms for customers' invoices."))
    ] = None,
    suppliers: Annotated[
        str | None, typer.Option("--suppliers", help=_("Terms for suppliers' bills."))
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.crm.terms import shown
    from bizdesk.services.dunning.reminders import default_terms, set_default_terms

    store = open_store(ctx, db)
    if customers is not None or suppliers is not None:
        with store.write() as uow:
            for side, value, option in (
                ("customer", customers, "--customers"),
                ("supplier", suppliers, "--suppliers"),
            ):
                if value is not None:  # refused naming the option: which of the two
                    fields_as_typed(ctx, terms=option)
                    set_default_terms(uow, side, value)
    with store.read() as uow:
        now = default_terms(uow)
    say(_("Customers: {terms}").format(terms=shown(now["customer"])))
    say(_("Suppliers: {terms}").format(terms=shown(now["supplier"])))
