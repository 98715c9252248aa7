"""Who may use the store (`bizdesk users ...`) and what they did (`bizdesk audit`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import (
    DbOpt,
    FormatOpt,
    Shown,
    data_out,
    date_form,
    fail,
    open_store,
    parse_date,
    print_json,
    read_named,
    say,
    say_error,
    show,
)
from bizdesk.fieldnames import title
from bizdesk.formatting import number, visible
from bizdesk.i18n import _, ngettext, resolve_locale, setting_name, use_setting
from bizdesk.reading import date_text, date_text_in
from bizdesk.words import AUDIT_ACTION_NAMES, AUDIT_ENTITY_NAMES, USER_ROLE_NAMES, named

app = typer.Typer()
users = typer.Typer(help=_("The people who may use this store."))
app.add_typer(users, name="users")

ROLE_HELP = _("owner, accountant, sales, support, warehouse or viewer")
NameArg = Annotated[str, typer.Argument(help=_("Their Unix login name."))]


@app.command(help=_("Who changed what, and when."))
def audit(
    ctx: typer.Context,
    db: DbOpt = None,
    since: Annotated[
        str | None, typer.Option(metavar=date_form(), help=_("From this day on."))
    ] = None,
    entity: Annotated[str | None, typer.Option(help=_("contact, deal, ticket ..."))] = None,
    entity_id: Annotated[
        int | None,
        typer.Option(
            "--id", min=1, help=_("Only the record of that kind with this number (with --entity).")
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(min=0, help=_("The newest this many events (0: all of them).")),
    ] = 1000,
    fmt: FormatOpt = Shown.TABLE,
) -> None:
    from bizdesk.services.admin.audit import changed, count_events, list_events, shown_details

    store = open_store(ctx, db)
    day = parse_date(since, "--since")
    with store.read() as uow:
        chosen = dict(since=day, entity=entity, entity_id=entity_id)
        rows = list_events(uow, **chosen, limit=limit or None)
        total = count_events(uow, **chosen) if len(rows) == limit else len(rows)
        exponent = uow.exponent

    def details(r, stored: str | None):  # noqa: ANN001, ANN202
        """Amounts as decimal strings, as every other output gives them (stored: minor
        units, kept as they are: the trail is hashed)."""
        return shown_details(stored, r.entity, r.action, exponent)

    if total > len(rows):  # said, never cut unsaid (it stopped at 1,000 without a word)
        locale = store.settings().get("locale", "en_US")
        say(
            ngettext(
                "The newest {shown} of {total} event are shown; --limit 0 shows them all.",
                "The newest {shown} of {total} events are shown; --limit 0 shows them all.",
                total,
            ).format(shown=number(len(rows), locale), total=number(total, locale)),
            stderr=True,
        )
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
                    "before": details(r, r.before),
                    "after": details(r, r.after),
                }
                for r in rows
            ]
        )
        return
    if fmt is Shown.CSV:  # as JSON has them: before and after as JSON
        from bizdesk.services.base.csvio import write_rows

        keys = ("id", "at", "user", "entity", "entity_id", "action", "before", "after")
        write_rows(
            data_out(),
            keys,
            (
                (r.id, r.at.isoformat(), r.username, r.entity, r.entity_id or "", r.action)
                + tuple(_as_json(details(r, stored)) for stored in (r.before, r.after))
                for r in rows
            ),
        )
        return

    table = Table(_("When (UTC)"), _("Who"), _("What"), _("Id"), _("Action"), _("Changed"))
    for r in rows:
        table.add_row(
            Text(f"{date_text(r.at.date())} {r.at:%H:%M:%S}"),
            Text(r.username),
            Text(named(AUDIT_ENTITY_NAMES, r.entity)),
            Text(str(r.entity_id or "")),
            Text(named(AUDIT_ACTION_NAMES, r.action)),
            Text(", ".join(title(key) for key in changed(r))),  # what, --format json: how
        )
    show(table)


def _as_json(values: object) -> str:
    """An event's details in a CSV cell: JSON, empty for none."""
    return "" if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


@users.command("list", help=_("The users of this store and their roles (owners only)."))
def users_list(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.admin.users import list_users

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_users(uow)
    table = Table(_("User"), _("Name"), _("Role"), _("Active"))
    for u in rows:
        table.add_row(
            Text(u.username),
            Text(visible(u.full_name)),
            Text(named(USER_ROLE_NAMES, u.role)),
            _("yes") if u.active else _("no"),
        )
    show(table)


@users.command("add", help=_("Let a Unix user open this store with a role (owners only)."))
def users_add(
    ctx: typer.Context,
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    full_name: Annotated[str, typer.Option("--name", help=_("Their full name."))] = "",
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help=_(
                "Their SSH public key (a .pub file, or - to read it from stdin): in a shop "
                "set up with bizdesk gate, what lets them log in, as themselves."
            ),
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.admin.users import add, has_login

    store = open_store(ctx, db)
    text = _read_key(key) if key is not None else None
    with store.write() as uow:
        u = add(uow, name, role, full_name, key=text)
    if text:
        say(_("Added {name} as {role} with their key").format(name=u.username, role=u.role))
    else:
        say(_("Added {name} as {role}").format(name=u.username, role=u.role))
    if not has_login(u.username):  # a typo, or a login not made yet: either way, said
        say_error(
            _(
                "Note: this machine has no user {name}; they can open the store once that "
                "login exists (adduser {name}), or remove this one with bizdesk users "
                "disable {name}"
            ).format(name=u.username)
        )


def _read_key(key: str) -> str:
    try:  # (a key is one line of some hundred characters: what is beyond 64 KB is not one)
        return read_named(key, 65536)[:65536].decode("utf-8")
    except UnicodeDecodeError:
        fail(_("--key: {file} is not a public key file").format(file=key))


@users.command(
    "key",
    help=_("Let one more SSH key in as this user (a shop set up with bizdesk gate; owners only)."),
)
def users_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Their name in this store."))],
    key: Annotated[str, typer.Argument(help=_("Their SSH public key file, or - for stdin."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.admin.users import add_key

    store = open_store(ctx, db)
    text = _read_key(key)
    with store.write() as uow:
        u = add_key(uow, name, text)
    say(_("Registered one more key for {name}").format(name=u.username))


@users.command(
    "set-role", help=_("Change a user's role; a disabled user is enabled again (owners only).")
)
def users_set_role(
    ctx: typer.Context,
    name: NameArg,
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.admin.users import set_role

    store = open_store(ctx, db)
    with store.write() as uow:
        u = set_role(uow, name, role)
    say(_("{name} is now {role}").format(name=u.username, role=u.role))


@users.command(
    "set-language",
    help=_("The language bizdesk speaks to someone (anyone may set their own; owners anyone's)."),
)
def users_set_language(
    ctx: typer.Context,
    name: NameArg,
    language: Annotated[
        str,
        typer.Argument(
            help=_(
                "en, es, ro or vi; or a locale of one, such as en_GB or en_US, for its "
                "dates; auto follows the session's LANG."
            )
        ),
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.admin.users import set_language

    store = open_store(ctx, db)
    with store.write() as uow:
        u = set_language(uow, name, language)
    if u.username == store.user:  # told in the language just chosen
        use_setting(u.language)
    if u.language:
        say(
            _("{name} now reads bizdesk in {language}, dates written {example}").format(
                name=u.username,
                language=setting_name(u.language),
                example=date_text_in(date(2026, 12, 31), resolve_locale(u.language)),
            )
        )
    else:
        say(_("{name} now reads bizdesk in the language of their session").format(name=u.username))


@users.command(
    "disable", help=_("Stop a user from opening this store; their history stays (owners only).")
)
def users_disable(ctx: typer.Context, name: NameArg, db: DbOpt = None) -> None:
    from bizdesk.services.admin.users import disable

    store = open_store(ctx, db)
    with store.write() as uow:
        u = disable(uow, name)
    say(_("{name} is disabled").format(name=u.username))
