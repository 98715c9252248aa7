"""Who may use the store (`bizdesk users ...`) and what they did (`bizdesk audit`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import (
    DbOpt,
    FormatOpt,
    Shown,
    fail,
    open_store,
    parse_date,
    print_json,
    say,
    show,
)
from bizdesk.formatting import visible

app = typer.Typer()
users = typer.Typer(help="The people who may use this store.")
app.add_typer(users, name="users")

ROLE_HELP = "owner, accountant, sales, support, warehouse or viewer"
NameArg = Annotated[str, typer.Argument(help="Their Unix login name.")]


@app.command()
def audit(
    ctx: typer.Context,
    db: DbOpt = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    entity: Annotated[str | None, typer.Option(help="contact, deal, ticket ...")] = None,
    fmt: FormatOpt = Shown.TABLE,
) -> None:
    """Who changed what, and when."""
    from bizdesk.services.admin.audit import list_events

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_events(uow, since=parse_date(since, "--since"), entity=entity)
    if fmt is Shown.JSON:
        print_json(
            [
                {
                    "id": r.id,
                    "at": r.at.isoformat(),
                    "user": r.username,
                    "entity": r.entity,
                    "entity_id": r.entity_id,
                    "action": r.action,
                    "before": json.loads(r.before) if r.before else None,
                    "after": json.loads(r.after) if r.after else None,
                }
                for r in rows
            ]
        )
        return

    table = Table("When (UTC)", "Who", "What", "Id", "Action")
    for r in rows:
        table.add_row(
            Text(r.at.strftime("%Y-%m-%d %H:%M:%S")),
            Text(r.username),
            Text(r.entity),
            Text(str(r.entity_id or "")),
            Text(r.action),
        )
    show(table)


@users.command("list")
def users_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """The users of this store and their roles (owners only)."""
    from bizdesk.services.admin.users import list_users

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_users(uow)
    table = Table("User", "Name", "Role", "Active")
    for u in rows:
        table.add_row(
            Text(u.username), Text(visible(u.full_name)), Text(u.role), "yes" if u.active else "no"
        )
    show(table)


@users.command("add")
def users_add(
    ctx: typer.Context,
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    full_name: Annotated[str, typer.Option("--name", help="Their full name.")] = "",
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="Their SSH public key (a .pub file, or - to read it from stdin): in a shop "
            "set up with bizdesk gate, what lets them log in, as themselves.",
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Let a Unix user open this store with a role (owners only)."""
    from bizdesk.services.admin.users import add

    store = open_store(ctx, db)
    text = _read_key(key) if key is not None else None
    with store.write() as uow:
        u = add(uow, name, role, full_name, key=text)
    say(f"Added {u.username} as {u.role}" + (" with their key" if text else ""))


def _read_key(key: str) -> str:
    from bizdesk.files import may_read

    if key == "-":
        return sys.stdin.read(65536)
    may_read(Path(key))
    try:
        return Path(key).read_text(encoding="utf-8")[:65536]
    except UnicodeDecodeError:
        fail(f"--key: {key} is not a public key file")


@users.command("key")
def users_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their name in this store.")],
    key: Annotated[str, typer.Argument(help="Their SSH public key file, or - for stdin.")],
    db: DbOpt = None,
) -> None:
    """Let one more SSH key in as this user (a shop set up with bizdesk gate; owners only)."""
    from bizdesk.services.admin.users import add_key

    store = open_store(ctx, db)
    text = _read_key(key)
    with store.write() as uow:
        u = add_key(uow, name, text)
    say(f"Registered one more key for {u.username}")


@users.command("set-role")
def users_set_role(
    ctx: typer.Context,
    name: NameArg,
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
    db: DbOpt = None,
) -> None:
    """Change a user's role; a disabled user is enabled again (owners only)."""
    from bizdesk.services.admin.users import set_role

    store = open_store(ctx, db)
    with store.write() as uow:
        u = set_role(uow, name, role)
    say(f"{u.username} is now {u.role}")


@users.command("set-language")
def users_set_language(
    ctx: typer.Context,
    name: NameArg,
    language: Annotated[
        str, typer.Argument(help="en, es, ro or vi; auto follows the session's LANG.")
    ],
    db: DbOpt = None,
) -> None:
    """The language bizdesk speaks to someone (anyone may set their own; owners anyone's)."""
    from bizdesk.services.admin.users import set_language

    store = open_store(ctx, db)
    with store.write() as uow:
        u = set_language(uow, name, language)
    say(f"{u.username} now reads bizdesk in {u.language or 'the language of their session'}")


@users.command("disable")
def users_disable(ctx: typer.Context, name: NameArg, db: DbOpt = None) -> None:
    """Stop a user from opening this store; their history stays (owners only)."""
    from bizdesk.services.admin.users import disable

    store = open_store(ctx, db)
    with store.write() as uow:
        u = disable(uow, name)
    say(f"{u.username} is disabled")
