"""The books' settings: the chart of accounts (`bizdesk accounts ...`) and the lock date."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, date_form, fail, open_store, parse_date, say, show
from bizdesk.errors import ValidationError
from bizdesk.formatting import day, visible
from bizdesk.i18n import _, sentence, tr
from bizdesk.words import ACCOUNT_ROLE_NAMES, ACCOUNT_TYPE_NAMES, named

app = typer.Typer()
accounts = typer.Typer(help=_("The chart of accounts."))
app.add_typer(accounts, name="accounts")

CodeArg = Annotated[str, typer.Argument()]


@accounts.command(
    "list", help=_("Every account with its type and the role bizdesk posts to it for.")
)
def accounts_list(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.books.ledger import list_accounts

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_accounts(uow, include_archived=True)
    table = Table(_("Code"), _("Name"), _("Type"), _("Posted for"), _("State"))
    for a in rows:
        state = _("archived") if a.archived else (_("in use") if a.used else "")
        table.add_row(
            Text(visible(a.code)),
            Text(visible(a.name)),
            Text(named(ACCOUNT_TYPE_NAMES, a.type)),
            Text(named(ACCOUNT_ROLE_NAMES, a.role)),
            Text(state),
        )
    show(table)


@accounts.command("add", help=_("Add an account."))
def accounts_add(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str, typer.Argument()],
    account_type: Annotated[
        str, typer.Option("--type", help=_("asset, liability, equity, income or expense"))
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.books.ledger import add_account

    store = open_store(ctx, db)
    with store.write() as uow:
        a = add_account(uow, code, name, account_type)
    say(_("Added {code} {name} ({type})").format(code=a.code, name=a.name, type=a.type))


@accounts.command("rename", help=_("Give an account a new name (its lines stay with it)."))
def accounts_rename(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str, typer.Argument()],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.books.ledger import account_by_code, rename_account

    store = open_store(ctx, db)
    with store.write() as uow:
        a = rename_account(uow, account_by_code(uow, code).id, name)
    say(_("{code} is now {name}").format(code=a.code, name=a.name))


@accounts.command(
    "archive", help=_("Archive an account: it keeps its history and takes no new lines.")
)
def accounts_archive(
    ctx: typer.Context,
    code: CodeArg,
    db: DbOpt = None,
    undo: Annotated[bool, typer.Option("--undo", help=_("Bring it back."))] = False,
) -> None:
    from bizdesk.services.books.ledger import account_by_code, set_account_archived

    store = open_store(ctx, db)
    with store.write() as uow:
        a = set_account_archived(uow, account_by_code(uow, code).id, not undo)
    if a.archived:
        say(_("{code} {name} archived").format(code=a.code, name=a.name))
    else:
        say(_("{code} {name} open again").format(code=a.code, name=a.name))


@app.command(
    "lock-date",
    help=_("Show or move the lock date: nothing is posted on or before it (owner only)."),
)
def lock_date_cmd(
    ctx: typer.Context,
    new: Annotated[
        str | None,
        typer.Argument(
            help=_("The new lock date ({form}), or 'none' to unlock").format(form=date_form())
        ),
    ] = None,
    reopen: Annotated[
        bool,
        typer.Option(
            "--reopen",
            help=_("Move the lock date back, or remove it: closed days open to posting again."),
        ),
    ] = False,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.books.ledger import lock_date, set_lock_date

    store = open_store(ctx, db)
    if new is None:
        with store.read() as uow:
            current = lock_date(uow)
    else:
        typed = "" if new.lower() == "none" else parse_date(new, "DATE")
        try:
            with store.write() as uow:
                current = set_lock_date(uow, typed, reopen=reopen)
        except ValidationError as exc:
            if "reopen" not in exc.fields:
                raise
            problem = sentence(tr(exc.fields["reopen"]))
            fail(_("{problem}. Add --reopen to do so.").format(problem=problem))
    say(_("Locked up to {day}").format(day=day(current)) if current else _("No lock date"))
