"""The books' settings: the chart of accounts (`bizdesk accounts ...`) and the lock date."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, open_store, say, show
from bizdesk.formatting import visible

app = typer.Typer()
accounts = typer.Typer(help="The chart of accounts.")
app.add_typer(accounts, name="accounts")

CodeArg = Annotated[str, typer.Argument()]


@accounts.command("list")
def accounts_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """Every account with its type and the role bizdesk posts to it for."""
    from bizdesk.services.books.ledger import list_accounts

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_accounts(uow, include_archived=True)
    table = Table("Code", "Name", "Type", "Posted for", "State")
    for a in rows:
        state = "archived" if a.archived else ("in use" if a.used else "")
        table.add_row(
            Text(visible(a.code)),
            Text(visible(a.name)),
            Text(a.type),
            Text(a.role or ""),
            Text(state),
        )
    show(table)


@accounts.command("add")
def accounts_add(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str, typer.Argument()],
    account_type: Annotated[
        str, typer.Option("--type", help="asset, liability, equity, income or expense")
    ],
    db: DbOpt = None,
) -> None:
    """Add an account."""
    from bizdesk.services.books.ledger import add_account

    store = open_store(ctx, db)
    with store.write() as uow:
        a = add_account(uow, code, name, account_type)
    say(f"Added {a.code} {a.name} ({a.type})")


@accounts.command("rename")
def accounts_rename(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str, typer.Argument()],
    db: DbOpt = None,
) -> None:
    """Give an account a new name (its lines stay with it)."""
    from bizdesk.services.books.ledger import account_by_code, rename_account

    store = open_store(ctx, db)
    with store.write() as uow:
        a = rename_account(uow, account_by_code(uow, code).id, name)
    say(f"{a.code} is now {a.name}")


@accounts.command("archive")
def accounts_archive(
    ctx: typer.Context,
    code: CodeArg,
    db: DbOpt = None,
    undo: Annotated[bool, typer.Option("--undo", help="Bring it back.")] = False,
) -> None:
    """Archive an account: it keeps its history and takes no new lines."""
    from bizdesk.services.books.ledger import account_by_code, set_account_archived

    store = open_store(ctx, db)
    with store.write() as uow:
        a = set_account_archived(uow, account_by_code(uow, code).id, not undo)
    say(f"{a.code} {a.name} {'archived' if a.archived else 'open again'}")


@app.command("lock-date")
def lock_date_cmd(
    ctx: typer.Context,
    new: Annotated[str | None, typer.Argument(help="YYYY-MM-DD, or 'none' to unlock")] = None,
    db: DbOpt = None,
) -> None:
    """Show or move the lock date: nothing is posted on or before it (owner only)."""
    from bizdesk.services.books.ledger import lock_date, set_lock_date

    store = open_store(ctx, db)
    if new is None:
        with store.read() as uow:
            current = lock_date(uow)
    else:
        with store.write() as uow:
            current = set_lock_date(uow, "" if new.lower() == "none" else new)
    say(f"Locked up to {current}" if current else "No lock date")
