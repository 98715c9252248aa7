"""The store itself: make it (init, demo), check it, copy it (backup, migrate-to), put a copy
back (restore), say where it is (locate)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bizdesk.cli.core import DbOpt, fail, given_db, open_store, say, say_error, store_url

app = typer.Typer()


@app.command()
def init(
    ctx: typer.Context,
    db: DbOpt = None,
    company: Annotated[str, typer.Option(help="The shop's name.")] = "My Shop",
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "EUR",
    locale: Annotated[str, typer.Option(help="e.g. en_US, de_DE.")] = "en_US",
    chart: Annotated[
        str | None,
        typer.Option(help="Chart of accounts: generic, es, ro or vn (default: the locale's)."),
    ] = None,
    shared_group: Annotated[
        str | None,
        typer.Option(help="Share the store with this Unix group (folder 2770, files 0660)."),
    ] = None,
) -> None:
    """Create a store and set it up; you become its owner."""
    from bizdesk.config import sqlite_path
    from bizdesk.db import create_store
    from bizdesk.db.engine import prepare_shared_folder
    from bizdesk.services.admin import setup

    path = sqlite_path(store_url(ctx, db))
    if shared_group is not None:
        if path is None:
            fail("--shared-group is for SQLite stores (a file on this server)", 2)
        prepare_shared_folder(path.parent, shared_group)

    def set_up(new) -> None:  # noqa: ANN001
        with new.write() as uow:
            setup.initialize(uow, company=company, currency=currency, locale=locale, chart=chart)

    if path is None or path.exists():  # PostgreSQL, or a store made but not set up yet
        store = open_store(ctx, db, setup=False)
        set_up(store)
    else:  # made whole under a temporary name, then put in place
        store = create_store(given_db(ctx, db), fill=set_up)
    say(f"Set up {company} ({currency.upper()}) in {store.url}")


class Size(StrEnum):
    SMALL = "small"
    LARGE = "large"


@app.command()
def demo(
    ctx: typer.Context,
    db: DbOpt = None,
    size: Annotated[Size, typer.Option(help="small or large")] = Size.SMALL,
    force: Annotated[bool, typer.Option(help="Fill a store that has data.")] = False,
    locale: Annotated[
        str | None,
        typer.Option(help="The shop's country: en_US, es_ES, ro_RO or vi_VN."),
    ] = None,
) -> None:
    """Fill a store with a sample shop (the same every time)."""
    from bizdesk.config import sqlite_path
    from bizdesk.db import create_store
    from bizdesk.services.demo import shop

    path = sqlite_path(store_url(ctx, db))
    counts: dict[str, int] = {}
    if path is not None and not path.exists():
        # a new store: built whole under a temporary name, put in place when complete

        def fill(new) -> None:  # noqa: ANN001
            shop.prepare(new, locale)
            counts.update(shop.generate(new, size=size.value, force=force, locale=locale))

        create_store(given_db(ctx, db), fill=fill)
    else:
        counts = shop.generate(open_store(ctx, db), size=size.value, force=force, locale=locale)
    say("Demo shop ready: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@app.command("check")
def check_cmd(ctx: typer.Context, db: DbOpt = None) -> None:
    """Verify every invariant; exit 1 and list violations."""
    from bizdesk.services.admin.checks import run_checks

    store = open_store(ctx, db)
    found = run_checks(store)
    for v in found:
        say(f"{v.severity}: {v.check}: {v.message}", stderr=v.severity == "error")
    if store.damaged is not None:
        say_error(str(store.damaged))
    if any(v.severity == "error" for v in found):
        raise typer.Exit(1)
    say("All checks passed.")


@app.command()
def backup(
    ctx: typer.Context, dest: Annotated[str | None, typer.Argument()] = None, db: DbOpt = None
) -> None:
    """Copy the store while others keep working (default: the backups folder)."""
    from bizdesk.services.admin.backup import backup_store

    path = backup_store(open_store(ctx, db), Path(dest) if dest else None)
    say(f"Backup written to {path}")


@app.command("migrate-to")
def migrate_to_cmd(
    ctx: typer.Context, url: Annotated[str, typer.Argument()], db: DbOpt = None
) -> None:
    """Copy the store into an empty PostgreSQL database, then check both."""
    from bizdesk.services.admin.transfer import migrate_to

    rep = migrate_to(open_store(ctx, db), url)
    for t in rep.tables:
        mark = "" if t.source_rows == t.target_rows else "  MISMATCH"
        say(f"{t.table:<20} {t.source_rows:>9} -> {t.target_rows:>9}{mark}")
    for who, found in (("source", rep.source_problems), ("target", rep.target_problems)):
        for v in found:
            say(f"{who}: {v.severity}: {v.check}: {v.message}", stderr=v.severity == "error")
    if not rep.trial_balance_matches:
        say("The trial balances of the two stores differ.", stderr=True)
    if not rep.ok:
        raise typer.Exit(1)
    say(
        f"Copied {rep.rows} rows to {rep.target}; checks pass on both and the trial "
        f"balances agree. Open it with --db {rep.target}"
    )


@app.command()
def restore(ctx: typer.Context, src: Annotated[str, typer.Argument()], db: DbOpt = None) -> None:
    """Replace the store with a verified backup (the current one is backed up first)."""
    from bizdesk.services.admin.backup import restore_store

    done = restore_store(store_url(ctx, db), Path(src))
    if done.safety is not None:
        say(f"Restored from {src}; the previous content is in {done.safety}")
    elif done.aside is not None:
        say(f"Restored from {src}; the damaged file was moved to {done.aside}")
    else:
        say(f"Restored from {src}")


@app.command()
def locate(ctx: typer.Context, db: DbOpt = None) -> None:
    """Print the store, config and backup paths."""
    from bizdesk.config import backups_dir, config_path, resolve_db

    url = resolve_db(given_db(ctx, db))
    say(f"store:   {url.removeprefix('sqlite:///')}")
    say(f"config:  {config_path()}")
    say(f"backups: {backups_dir(url)}")
