"""The store itself: make it (init, demo), check it, copy it (backup, migrate-to), put a copy
back (restore), say where it is (locate)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bizdesk.characters import shown_name
from bizdesk.cli.core import DbOpt, fail, given_db, open_store, say, say_error, store_url
from bizdesk.formatting import visible
from bizdesk.i18n import _
from bizdesk.shopzone import country_zone

app = typer.Typer()


@app.command(help=_("Create a store and set it up; you become its owner."))
def init(
    ctx: typer.Context,
    db: DbOpt = None,
    company: Annotated[str, typer.Option(help=_("The shop's name."))] = "My Shop",
    currency: Annotated[str, typer.Option(help=_("ISO 4217 code."))] = "EUR",
    locale: Annotated[str, typer.Option(help=_("e.g. en_US, de_DE."))] = "en_US",
    chart: Annotated[
        str | None,
        typer.Option(help=_("Chart of accounts: generic, es, ro or vn (default: the locale's).")),
    ] = None,
    shared_group: Annotated[
        str | None,
        typer.Option(help=_("Share the store with this Unix group (folder 2770, files 0660).")),
    ] = None,
) -> None:
    from bizdesk.config import sqlite_path
    from bizdesk.db import create_store
    from bizdesk.db.engine import prepare_shared_folder
    from bizdesk.services.admin import setup

    path = sqlite_path(store_url(ctx, db))
    # what is asked for, checked before the store's file is touched: an empty file named
    # for the shop stays empty, with nothing made beside it, when a value is refused
    setup.check_setup(company=company, currency=currency, locale=locale, chart=chart)
    if shared_group is not None:
        if path is None:
            fail(_("--shared-group is for SQLite stores (a file on this server)"), 2)
        prepare_shared_folder(path.parent, shared_group)

    def set_up(new) -> None:  # noqa: ANN001
        with new.write() as uow:
            setup.initialize(uow, company=company, currency=currency, locale=locale, chart=chart)

    if path is None or path.exists():  # PostgreSQL, a store made but not set up yet, or
        store = open_store(ctx, db, setup=False, empty_ok=True)  # an empty file named for it
        with store.read() as uow:
            there = uow.setting("company") if setup.is_initialized(uow) else None
        if there is not None:
            fail(
                _(
                    "{store} is set up already, for {company}; nothing was changed. A new "
                    "shop goes in a store of its own: bizdesk init --db NEW.db"
                ).format(store=path or store.url, company=visible(there))
            )
        set_up(store)
    else:  # made whole under a temporary name, then put in place
        store = create_store(given_db(ctx, db), fill=set_up)
    say(
        _("Set up {company} ({currency}) in {store}").format(
            company=company, currency=currency.upper(), store=shown_name(store.url)
        )
    )
    from bizdesk.services.inventory.products import standard_vat_rate

    with store.read() as uow:
        rate = standard_vat_rate(uow)
    if rate is None:  # the generic chart: every product at 0 % until the owner says
        say(
            _(
                "This chart of accounts names no VAT rate: a new product's is 0 until you "
                "set the shop's standard rate, in percent: {command}"
            ).format(command="bizdesk shop set vat-rate 20")
        )
    say(  # an invoice keeps its issuer's details as issued: set them before the first one
        _(
            "Documents carry the shop's address, VAT id and bank details, and an invoice "
            "keeps them as issued: set them before the first one (bizdesk shop set street "
            "…, city, country, vat-id, iban; or Shop details in the palette)."
        )
    )
    say(_shop_day_advice(locale))


def _shop_day_advice(locale: str) -> str:
    """What init says of the shop's day, which no new store knows: the country of the
    locale named when it has one time zone (setting it sets the zone), else the zone."""
    from babel import Locale

    territory = Locale.parse(locale).territory or ""
    command = (
        f"bizdesk shop set country {territory}"
        if country_zone(territory)
        else "bizdesk shop set timezone Europe/Madrid"
    )
    return _(
        "The shop's day (the date on its documents) follows this server's clock until the "
        "shop's time zone is known: set its country, if it has one time zone, or the zone "
        "as the tz database names it ({command})."
    ).format(command=command)


class Size(StrEnum):
    SMALL = "small"
    LARGE = "large"


@app.command(help=_("Fill a store with a sample shop (the same every time)."))
def demo(
    ctx: typer.Context,
    db: DbOpt = None,
    size: Annotated[Size, typer.Option(help=_("small or large"))] = Size.SMALL,
    force: Annotated[bool, typer.Option(help=_("Fill a store that has data."))] = False,
    locale: Annotated[
        str | None,
        typer.Option(help=_("The shop's country: en_US, es_ES, ro_RO or vi_VN.")),
    ] = None,
) -> None:
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
    say(
        _("Demo shop ready: {contacts} contacts, {deals} deals, {tickets} tickets").format(
            contacts=counts.get("contacts", 0),
            deals=counts.get("deals", 0),
            tickets=counts.get("tickets", 0),
        )
    )


@app.command("check", help=_("Verify every invariant; exit 1 and list violations."))
def check_cmd(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.admin.checks import run_checks

    store = open_store(ctx, db)
    found = run_checks(store)
    for v in found:
        say(_found(v), stderr=v.severity == "error")
    if store.damaged is not None:
        say_error(str(store.damaged))
    if any(v.severity == "error" for v in found):
        raise typer.Exit(1)
    say(_("All checks passed."))


def _found(v, who: str = "") -> str:  # noqa: ANN001
    """One finding of the checks: ``error: check: message`` (``source: error: ...``)."""
    said = {
        "error": _("error: {check}: {message}"),
        "warning": _("warning: {check}: {message}"),
        "info": _("info: {check}: {message}"),
    }.get(v.severity, "{severity}: {check}: {message}")
    said = said.format(severity=v.severity, check=v.check, message=v.message)
    if who == "source":
        return _("source: {finding}").format(finding=said)
    if who == "target":
        return _("target: {finding}").format(finding=said)
    return said


@app.command(help=_("Copy the store while others keep working (default: the backups folder)."))
def backup(
    ctx: typer.Context, dest: Annotated[str | None, typer.Argument()] = None, db: DbOpt = None
) -> None:
    from bizdesk.services.admin.backup import backup_store

    path = backup_store(open_store(ctx, db), dest or None)  # (as typed: "dir/" is a folder)
    say(_("Backup written to {path}").format(path=shown_name(path)))


@app.command(
    "migrate-to", help=_("Copy the store into an empty PostgreSQL database, then check both.")
)
def migrate_to_cmd(
    ctx: typer.Context, url: Annotated[str, typer.Argument()], db: DbOpt = None
) -> None:
    from bizdesk.services.admin.transfer import migrate_to

    rep = migrate_to(open_store(ctx, db), url)
    for t in rep.tables:
        mark = "" if t.source_rows == t.target_rows else "  " + _("MISMATCH")
        say(f"{t.table:<20} {t.source_rows:>9} -> {t.target_rows:>9}{mark}")
    for who, found in (("source", rep.source_problems), ("target", rep.target_problems)):
        for v in found:
            say(_found(v, who), stderr=v.severity == "error")
    if not rep.trial_balance_matches:
        say(_("The trial balances of the two stores differ."), stderr=True)
    if not rep.ok:
        raise typer.Exit(1)
    say(
        _(
            "Copied {rows} rows to {target}; checks pass on both and the trial "
            "balances agree. Open it with --db {target}"
        ).format(rows=rep.rows, target=rep.target)
    )


@app.command(
    help=_("Replace the store with a verified backup (the current one is backed up first).")
)
def restore(
    ctx: typer.Context,
    src: Annotated[str, typer.Argument()],
    db: DbOpt = None,
    other_shop: Annotated[
        bool,
        typer.Option("--other-shop", help=_("Put a backup of another shop in place of this one.")),
    ] = False,
) -> None:
    from bizdesk.services.admin.backup import restore_store

    done = restore_store(store_url(ctx, db), Path(src), other_shop=other_shop)
    if done.safety is not None:
        say(
            _("Restored from {backup}; the previous content is in {safety}").format(
                backup=shown_name(src), safety=shown_name(done.safety)
            )
        )
    elif done.aside is not None:
        say(
            _("Restored from {backup}; the damaged file was moved to {aside}").format(
                backup=shown_name(src), aside=shown_name(done.aside)
            )
        )
    else:
        say(_("Restored from {backup}").format(backup=shown_name(src)))


@app.command(help=_("Print the store, config and backup paths."))
def locate(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.config import backups_dir, config_path

    url = store_url(ctx, db)  # (under the shop's gate: its own store only)
    lines = (
        (_("store:"), url.removeprefix("sqlite:///")),
        (_("config:"), config_path()),
        (_("backups:"), backups_dir(url)),
    )
    width = max(len(label) for label, _path in lines) + 1
    for label, path in lines:
        say(f"{label:<{width}}{shown_name(path)}")
