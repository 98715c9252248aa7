"""The command line (DESIGN section 7). Every command takes --db; BIZDESK_DB works for all.

Exit codes: 0 ok, 1 a user error or a failed check (message on stderr), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup
from typer.exceptions import TyperException

from bizdesk.errors import BizdeskError, NotFound
from bizdesk.formatting import visible
from bizdesk.identity import current_gate
from bizdesk.reading import DateError, read_date

# The store the command works on (for the sentence a fault is told with).
_current_url: str | None = None


class FaultsToSentences(TyperGroup):
    """Every command runs inside this: whatever escapes it (a full disk, a damaged store, a
    bug) ends as one sentence on stderr and exit 1, never a traceback. The unexpected ones
    are logged with their traceback (bizdesk.faults.describe says where)."""

    def invoke(self, ctx):  # noqa: ANN001, ANN201
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (| head): nothing more to say
            raise typer.Exit(1) from None
        except Exception as exc:
            from bizdesk.faults import describe

            try:
                say_error(describe(exc, _current_url))
            except OSError:
                pass
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=FaultsToSentences,
    add_completion=False,
    no_args_is_help=False,
    help="bizdesk: run a small shop from one terminal.",
)
import_app = typer.Typer(help="Import CSV files (all rows or none).")
export_app = typer.Typer(help="Export current data.")
users_app = typer.Typer(help="The people who may use this store.")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(users_app, name="users")
accounts_app = typer.Typer(help="The chart of accounts.")
app.add_typer(accounts_app, name="accounts")
pipeline_app = typer.Typer(help="The stages deals move through.")
sla_app = typer.Typer(help="Support targets and business hours.")
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(sla_app, name="sla")

DbOpt = Annotated[
    str | None, typer.Option("--db", envvar="BIZDESK_DB", help="Store file or SQLAlchemy URL.")
]
FormatOpt = Annotated[str, typer.Option("--format", help="table, csv or json")]


class _Console(Console):
    """Prints user text literally and visibly: a control or bidi character in data (an ESC
    sequence in an old memo) is written as its code, <U+001B>, never sent to the terminal
    (tables and values also go through ``visible`` first, so columns line up)."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control else seg._replace(text=visible(seg.text)) for seg in buffer
        )


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


class _VisibleStream:
    """Standard output for data (CSV, JSON, ledger) when a person reads it on a terminal:
    control and bidi characters show as codes there. A pipe or a file gets the exact data."""

    def __init__(self, stream) -> None:  # noqa: ANN001
        self.stream = stream

    def write(self, s: str) -> int:
        return self.stream.write(visible(s))

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.stream, name)


def data_out():  # noqa: ANN201
    return _VisibleStream(sys.stdout) if sys.stdout.isatty() else sys.stdout


# Sentences already printed (a damaged store is told once, when it is opened).
_said: set[str] = set()


def say_error(message: str) -> None:
    if message not in _said:
        _said.add(message)
        err.print(Text(message))


def fail(message: str, code: int = 1) -> None:
    say_error(message)
    raise typer.Exit(code)


@contextmanager
def user_errors():
    """Turn a shop owner's error into a message and exit 1, never a traceback."""
    try:
        yield
    except BizdeskError as exc:
        fail(str(exc))
    except OSError as exc:  # a disk that is full or read-only, a folder one may not open
        from bizdesk.faults import translate

        known = translate(exc, _current_url)
        if known is None:
            raise
        fail(str(known))


def _resolve(db: str | None) -> str:
    global _current_url
    from bizdesk.config import resolve_db

    with user_errors():
        _current_url = resolve_db(db)

    gate = current_gate()
    if gate is not None and _current_url != gate.url:
        fail("--db: this shop's account opens its own store only; leave --db out. Nothing was run.")
    return _current_url


def open_store(db: str | None, *, setup: bool = True):  # noqa: ANN201
    """Open the store; a set-up store refuses an OS user it does not know (or disabled).
    A missing store is refused (only ``init`` makes one); a damaged one opens read-only,
    and the sentence saying how to restore it is printed first."""
    from bizdesk.db import open_store as _open
    from bizdesk.services.admin.setup import ensure_initialized
    from bizdesk.services.admin.users import whoami

    _resolve(db)
    with user_errors():
        store = _open(db, create=False)
        if store.damaged is not None:
            say_error(str(store.damaged))
        if setup:
            if store.damaged is None:
                ensure_initialized(store)
            with store.read() as uow:
                whoami(uow)
    return store


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return read_date(value)
    except DateError as exc:
        fail(f"{name}: {exc}")
    return None


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, db: DbOpt = None) -> None:
    """With no command: open the terminal interface (creating or upgrading the store)."""
    if ctx.invoked_subcommand is not None:
        if db is not None:
            ctx.obj = db
        return
    from bizdesk.config import sqlite_path

    path = sqlite_path(_resolve(db))
    if path is not None and not path.exists():
        _offer_new_store(db, path)
    store = open_store(db)
    from bizdesk.app import run_app

    code = run_app(store)
    if code:
        raise typer.Exit(code)


def _offer_new_store(db: str | None, path: Path) -> None:
    """The TUI on a store that does not exist: ask (in the terminal, before the interface
    starts) whether to create it; without a terminal to ask, say how."""
    from bizdesk.db import create_store
    from bizdesk.faults import missing
    from bizdesk.services.admin.setup import ensure_initialized

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(str(missing(_current_url or "")))
    answer = typer.prompt(
        f"There is no store at {path}. Create a new, empty one there? [y/N]",
        default="n",
        show_default=False,
    )
    if answer.strip().lower() not in ("y", "yes"):
        fail("No store was created. To open another one: bizdesk --db PATH", 1)
    with user_errors():
        create_store(db, fill=ensure_initialized)


def _db(ctx: typer.Context, db: str | None) -> str | None:
    if db is not None:  # an empty --db "" is refused, never taken for the default store
        return db
    return ctx.obj if isinstance(ctx.obj, str) else None


@app.command()
def init(
    ctx: typer.Context,
    db: DbOpt = None,
    company: Annotated[str, typer.Option(help="The shop's name.")] = "My Shop",
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "EUR",
    locale: Annotated[str, typer.Option(help="e.g. en_US, de_DE.")] = "en_US",
    shared_group: Annotated[
        str | None,
        typer.Option(help="Share the store with this Unix group (folder 2770, files 0660)."),
    ] = None,
) -> None:
    """Create a store and set it up; you become its owner."""
    from bizdesk.config import sqlite_path
    from bizdesk.db.engine import prepare_shared_folder
    from bizdesk.services.admin import setup

    if shared_group is not None:
        path = sqlite_path(_resolve(_db(ctx, db)))
        if path is None:
            fail("--shared-group is for SQLite stores (a file on this server)", 2)
        with user_errors():
            prepare_shared_folder(path.parent, shared_group)
    from bizdesk.db import create_store

    def set_up(new) -> None:  # noqa: ANN001
        with new.write() as uow:
            setup.initialize(uow, company=company, currency=currency, locale=locale)

    url = _resolve(_db(ctx, db))
    path = sqlite_path(url)
    if path is None or path.exists():  # PostgreSQL, or a store made but not set up yet
        store = open_store(_db(ctx, db), setup=False)
        with user_errors():
            set_up(store)
    else:  # made whole under a temporary name, then put in place
        with user_errors():
            store = create_store(_db(ctx, db), fill=set_up)
    out.print(Text(f"Set up {company} ({currency.upper()}) in {store.url}"))


@app.command()
def demo(
    ctx: typer.Context,
    db: DbOpt = None,
    size: Annotated[str, typer.Option(help="small or large")] = "small",
    force: Annotated[bool, typer.Option(help="Fill a store that has data.")] = False,
) -> None:
    """Fill a store with a sample shop (the same every time)."""
    from bizdesk.config import sqlite_path
    from bizdesk.db import create_store
    from bizdesk.services.admin.setup import ensure_initialized
    from bizdesk.services.demo import shop as demo_service

    if size not in ("small", "large"):
        fail("--size must be small or large", 2)
    path = sqlite_path(_resolve(_db(ctx, db)))
    counts: dict[str, int] = {}
    if path is not None and not path.exists():
        # a new store: built whole under a temporary name, put in place when complete

        def fill(new) -> None:  # noqa: ANN001
            ensure_initialized(new)
            counts.update(demo_service.generate(new, size=size, force=force))

        with user_errors():
            create_store(_db(ctx, db), fill=fill)
    else:
        store = open_store(_db(ctx, db))
        with user_errors():
            counts = demo_service.generate(store, size=size, force=force)
    out.print(Text("Demo shop ready: " + ", ".join(f"{n} {k}" for k, n in counts.items())))


IMPORT_HELP = {
    "contacts": "Columns: name (required), kind, organization, email, phone, street, city, "
    "postcode, country, tags (;-separated), stage, roles (customer;supplier), owner, notes, "
    "id. A row with an id (the contact's number in this store, as `export contacts` writes "
    "it) updates that contact; else a row whose email exists updates that contact; else a "
    "new contact is created (leave id empty to copy contacts into another store).",
    "products": "Columns: sku, name (required), unit, sale_price, cost, vat_rate (percent), "
    "supplier (email or name), reorder_point, reorder_qty, allow_negative (yes/no), "
    "stocked (yes/no; no: a service such as a workshop hour, never stocked or reordered). "
    "Products with a SKU that exists are updated.",
    "stock-count": "Columns: sku, counted (required), location (default: the main one), "
    "reason. Differences from the books post as stock adjustments.",
    "journal": "Columns: entry, date (YYYY-MM-DD), account (code) (required), debit, credit, "
    "memo, contact (email or name). Rows with the same entry form one entry; every entry "
    "must balance. Entries are posted with the next numbers.",
}


@contextmanager
def _open_input(file: str):  # noqa: ANN202
    """The CSV as a binary stream (read as the import goes, never whole into memory)."""
    if file == "-":
        yield sys.stdin.buffer
        return
    from bizdesk.files import may_read

    path = Path(file)
    with user_errors():
        may_read(path)
    if not path.is_file():
        fail(f"{file}: no such file")
    with user_errors(), path.open("rb") as fh:
        yield fh


def _known_locale(name: str) -> str:
    """A locale Babel knows, as Babel names it (es_ES); anything else is refused."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(name))
    except (ValueError, TypeError, UnknownLocaleError):
        fail(f"--locale: {name!r} is not a locale bizdesk knows; for example en_US, es_ES", 2)
    return name


def _import_command(kind: str, noun: str) -> None:
    """One `bizdesk import KIND` command: read the file, run the service, say what happened."""

    def run(
        ctx: typer.Context,
        file: Annotated[str, typer.Argument(help="CSV or -")],
        db: DbOpt = None,
        dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
        locale: Annotated[
            str | None,
            typer.Option(
                "--locale",
                help="Numbers in the file are written as in this locale (e.g. de_DE: "
                "1.234,56). Default: digits with . for decimals and no grouping (1234.56).",
            ),
        ] = None,
    ) -> None:
        from bizdesk.services.exchange import crm_imports as imports
        from bizdesk.services.exchange import erp_imports

        if locale is not None and kind == "contacts":
            fail("--locale: contacts have no numbers to read; leave it out", 2)
        store = open_store(_db(ctx, db))
        named = _known_locale(locale) if locale is not None else None
        with _open_input(file) as fh, user_errors():
            # these two read and check the file first, then take the write lock to write
            if kind == "contacts":
                result = imports.import_contacts(store, fh, dry_run=dry_run)
            elif kind == "journal":
                result = erp_imports.import_journal(store, fh, dry_run=dry_run, locale=named)
            else:
                store.input_locale = named  # this process only: numbers as the file writes them
                data = fh.read()
                service = {
                    "products": erp_imports.import_products,
                    "stock-count": erp_imports.import_stock_count,
                }[kind]
                with store.write() as uow:
                    result = service(uow, data, dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        if kind == "journal":
            msg = f"{result.created} entries {verb} posted."
        elif kind == "stock-count":
            msg = f"{result.created} products {verb} adjusted, {result.skipped} matched the books."
        else:
            msg = (
                f"{result.created} {noun} {verb} created, {result.updated} updated, "
                f"{result.skipped} unchanged."
            )
        out.print(Text(msg))

    import_app.command(kind, help=IMPORT_HELP[kind])(run)


for _kind, _noun in (
    ("contacts", "contacts"),
    ("products", "products"),
    ("stock-count", "products"),
    ("journal", "entries"),
):
    _import_command(_kind, _noun)


EXPORT_KINDS = ("contacts", "products", "stock", "purchase-orders", "journal")


def _export_command(kind: str) -> None:
    def run(
        ctx: typer.Context,
        db: DbOpt = None,
        fmt: Annotated[
            str, typer.Option("--format", help="csv or json (journal also: ledger)")
        ] = "csv",
        output: Annotated[str | None, typer.Option("-o", "--output")] = None,
    ) -> None:
        from bizdesk.services.exchange import crm_exports as exports
        from bizdesk.services.exchange import erp_exports

        formats = ("csv", "json", "ledger") if kind == "journal" else ("csv", "json")
        if fmt not in formats:
            fail(f"--format must be {' or '.join(formats)}", 2)
        store = open_store(_db(ctx, db))

        def write(stream) -> int:  # noqa: ANN001
            if kind == "contacts":
                return exports.export_contacts(uow, stream, fmt)
            return erp_exports.export(uow, kind, stream, fmt)

        with user_errors(), store.read() as uow:
            if output:
                from bizdesk.files import atomic_write

                path = Path(output).expanduser().resolve()
                # whole or not at all; 0600, or 0660 in a shop's group folder
                with atomic_write(path, newline="") as fh:
                    n = write(fh)
                err.print(Text(f"{n} {'entries' if fmt == 'ledger' else 'rows'} written to {path}"))
            else:
                write(data_out())

    run.__doc__ = f"Export {kind.replace('-', ' ')} (the columns `import` takes, where it does)."
    export_app.command(kind)(run)


for _kind in EXPORT_KINDS:
    _export_command(_kind)


@app.command()
def report(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="trial-balance, profit-loss, balance-sheet, general-ledger, stock-valuation, "
            "low-stock, ar-aging, ap-aging, statement, pipeline, forecast, tickets-sla or "
            "segments"
        ),
    ],
    db: DbOpt = None,
    date_from: Annotated[str | None, typer.Option("--from")] = None,
    date_to: Annotated[str | None, typer.Option("--to")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    by: Annotated[str, typer.Option(help="segments: city, country, tag, stage, owner")] = "city",
    contact: Annotated[str, typer.Option(help="statement: the contact (name, email, #id)")] = "",
    fmt: FormatOpt = "table",
) -> None:
    """Print a report as a table, CSV or JSON."""
    from bizdesk.services.overview.reports import REPORTS, build, cell_text, plain, report_csv

    if name not in REPORTS:
        fail(f"unknown report {name!r}; available now: {', '.join(REPORTS)}", 2)
    if fmt not in ("table", "csv", "json"):
        fail("--format must be table, csv or json", 2)
    params = {
        "date_from": parse_date(date_from, "--from"),
        "date_to": parse_date(date_to, "--to"),
        "as_of": parse_date(as_of, "--as-of"),
        "by": by,
        "contact": contact,
    }
    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
        rep = build(uow, name, **params)
        loc = uow.setting("locale", "en_US")
    keys = [c.key for c in rep.columns]
    if fmt == "json":
        doc = {
            "report": rep.name,
            **{k: plain(v) for k, v in rep.params.items()},
            "rows": [{k: plain(r[k]) for k in keys} for r in rep.rows],
        }
        if rep.totals is not None:
            doc["totals"] = {k: plain(v) for k, v in rep.totals.items()}
        data_out().write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        report_csv(rep, data_out())
    else:
        table = Table(title=rep.title, show_footer=rep.totals is not None)
        for c in rep.columns:
            foot = "" if rep.totals is None else cell_text(rep.totals.get(c.key), c.numeric, loc)
            table.add_column(
                Text(c.label), footer=Text(foot), justify="right" if c.numeric else "left"
            )
        for r in rep.rows:
            table.add_row(
                *(Text(visible(cell_text(r[c.key], c.numeric, loc))) for c in rep.columns)
            )
        out.print(table)
        for note in rep.notes:
            out.print(Text(note))


@app.command("check")
def check_cmd(ctx: typer.Context, db: DbOpt = None) -> None:
    """Verify every invariant; exit 1 and list violations."""
    from bizdesk.services.admin.checks import run_checks

    store = open_store(_db(ctx, db))
    with user_errors():
        found = run_checks(store)
    errors = [v for v in found if v.severity == "error"]
    for v in found:
        (err if v.severity == "error" else out).print(Text(f"{v.severity}: {v.check}: {v.message}"))
    if store.damaged is not None:
        say_error(str(store.damaged))
    if errors:
        raise typer.Exit(1)
    out.print(Text("All checks passed."))


@app.command()
def backup(
    ctx: typer.Context, dest: Annotated[str | None, typer.Argument()] = None, db: DbOpt = None
) -> None:
    """Copy the store while others keep working (default: the backups folder)."""
    from bizdesk.services.admin.backup import backup_store

    store = open_store(_db(ctx, db))
    with user_errors():
        path = backup_store(store, Path(dest) if dest else None)
    out.print(Text(f"Backup written to {path}"))


@app.command("migrate-to")
def migrate_to_cmd(
    ctx: typer.Context, url: Annotated[str, typer.Argument()], db: DbOpt = None
) -> None:
    """Copy the store into an empty PostgreSQL database, then check both."""
    from bizdesk.services.admin.transfer import migrate_to

    store = open_store(_db(ctx, db))
    with user_errors():
        rep = migrate_to(store, url)
    for t in rep.tables:
        mark = "" if t.source_rows == t.target_rows else "  MISMATCH"
        out.print(Text(f"{t.table:<20} {t.source_rows:>9} -> {t.target_rows:>9}{mark}"))
    for who, found in (("source", rep.source_problems), ("target", rep.target_problems)):
        for v in found:
            (err if v.severity == "error" else out).print(
                Text(f"{who}: {v.severity}: {v.check}: {v.message}")
            )
    if not rep.trial_balance_matches:
        err.print(Text("The trial balances of the two stores differ."))
    if not rep.ok:
        raise typer.Exit(1)
    out.print(
        Text(
            f"Copied {rep.rows} rows to {rep.target}; checks pass on both and the trial "
            f"balances agree. Open it with --db {rep.target}"
        )
    )


@app.command()
def restore(ctx: typer.Context, src: Annotated[str, typer.Argument()], db: DbOpt = None) -> None:
    """Replace the store with a verified backup (the current one is backed up first)."""
    from bizdesk.services.admin.backup import restore_store

    url = _resolve(_db(ctx, db))
    with user_errors():
        done = restore_store(url, Path(src))
    if done.safety is not None:
        out.print(Text(f"Restored from {src}; the previous content is in {done.safety}"))
    elif done.aside is not None:
        out.print(Text(f"Restored from {src}; the damaged file was moved to {done.aside}"))
    else:
        out.print(Text(f"Restored from {src}"))


@app.command()
def audit(
    ctx: typer.Context,
    db: DbOpt = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    entity: Annotated[str | None, typer.Option(help="contact, deal, ticket ...")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Who changed what, and when."""
    from bizdesk.services.admin.audit import list_events

    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
        rows = list_events(uow, since=parse_date(since, "--since"), entity=entity)
    if fmt == "json":
        doc = [
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
        data_out().write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
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
    out.print(table)


@app.command()
def locate(ctx: typer.Context, db: DbOpt = None) -> None:
    """Print the store, config and backup paths."""
    from bizdesk.config import backups_dir, config_path, resolve_db

    url = resolve_db(_db(ctx, db))
    out.print(Text(f"store:   {url.removeprefix('sqlite:///')}"))
    out.print(Text(f"config:  {config_path()}"))
    out.print(Text(f"backups: {backups_dir(url)}"))


@users_app.command("list")
def users_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """The users of this store and their roles (owners only)."""
    from bizdesk.services.admin import users

    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
        rows = users.list_users(uow)
    table = Table("User", "Name", "Role", "Active")
    for u in rows:
        table.add_row(
            Text(u.username), Text(visible(u.full_name)), Text(u.role), "yes" if u.active else "no"
        )
    out.print(table)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their Unix login name.")],
    role: Annotated[
        str, typer.Option("--role", help="owner, accountant, sales, support, warehouse or viewer")
    ],
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
    from bizdesk.services.admin import users

    store = open_store(_db(ctx, db))
    text = _read_key(key) if key is not None else None
    with user_errors(), store.write() as uow:
        u = users.add(uow, name, role, full_name, key=text)
    out.print(Text(f"Added {u.username} as {u.role}" + (" with their key" if text else "")))


def _read_key(key: str) -> str:
    from bizdesk.files import may_read

    if key == "-":
        return sys.stdin.read(65536)
    with user_errors():
        may_read(Path(key))
        try:
            return Path(key).read_text(encoding="utf-8")[:65536]
        except UnicodeDecodeError:
            fail(f"--key: {key} is not a public key file")
    return ""


@users_app.command("key")
def users_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their name in this store.")],
    key: Annotated[str, typer.Argument(help="Their SSH public key file, or - for stdin.")],
    db: DbOpt = None,
) -> None:
    """Let one more SSH key in as this user (a shop set up with bizdesk gate; owners only)."""
    from bizdesk.services.admin import users

    store = open_store(_db(ctx, db))
    text = _read_key(key)
    with user_errors(), store.write() as uow:
        u = users.add_key(uow, name, text)
    out.print(Text(f"Registered one more key for {u.username}"))


@users_app.command("set-role")
def users_set_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their Unix login name.")],
    role: Annotated[
        str, typer.Argument(help="owner, accountant, sales, support, warehouse or viewer")
    ],
    db: DbOpt = None,
) -> None:
    """Change a user's role; a disabled user is enabled again (owners only)."""
    from bizdesk.services.admin import users

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        u = users.set_role(uow, name, role)
    out.print(Text(f"{u.username} is now {u.role}"))


@users_app.command("disable")
def users_disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their Unix login name.")],
    db: DbOpt = None,
) -> None:
    """Stop a user from opening this store; their history stays (owners only)."""
    from bizdesk.services.admin import users

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        u = users.disable(uow, name)
    out.print(Text(f"{u.username} is disabled"))


def _stage_id(uow, name: str) -> int:  # noqa: ANN001
    from bizdesk.services.trade import deals

    for st in deals.list_stages(uow):
        if st.name.lower() == name.strip().lower():
            return st.id
    fail(f"no stage named {name!r}")
    return 0


@pipeline_app.command("list")
def pipeline_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """The active stages in order, with their default probabilities."""
    from bizdesk.services.trade import deals

    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
        stages = deals.list_stages(uow)
    table = Table("Stage", "Default %", "Kind")
    for st in stages:
        table.add_row(Text(visible(st.name)), Text(str(st.probability)), Text(st.kind))
    out.print(table)


@pipeline_app.command("add")
def pipeline_add(ctx: typer.Context, name: str, probability: str, db: DbOpt = None) -> None:
    """Add an open stage (placed before Won and Lost)."""
    from bizdesk.services.trade import deals

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        st = deals.add_stage(uow, name, probability)
    out.print(Text(f"Added stage {st.name} ({st.probability}%)"))


@pipeline_app.command("set")
def pipeline_set(
    ctx: typer.Context,
    stage: str,
    db: DbOpt = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    probability: Annotated[str | None, typer.Option(help="Default %.")] = None,
) -> None:
    """Rename a stage or change its default probability."""
    from bizdesk.services.trade import deals

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        st = deals.update_stage(uow, _stage_id(uow, stage), name=name, probability=probability)
    out.print(Text(f"Stage {st.name}: {st.probability}%"))


@pipeline_app.command("remove")
def pipeline_remove(ctx: typer.Context, stage: str, db: DbOpt = None) -> None:
    """Retire an open stage that no deal sits in."""
    from bizdesk.services.trade import deals

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        deals.deactivate_stage(uow, _stage_id(uow, stage))
    out.print(Text(f"Removed stage {stage}"))


@sla_app.command("show")
def sla_show(ctx: typer.Context, db: DbOpt = None) -> None:
    """Targets per priority (business hours) and the business hours they count in."""
    from bizdesk.services.crm import tickets

    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
        policy = tickets.sla_policy(uow)
        hours = tickets.business_hours(uow)
    table = Table("Priority", "First response (h)", "Resolution (h)")
    for prio, (fr, res) in policy.items():
        table.add_row(Text(prio), Text(str(fr)), Text(str(res)))
    out.print(table)
    out.print(Text(f"Business hours: {hours.to_json()}"))


@sla_app.command("set")
def sla_set(
    ctx: typer.Context, priority: str, first_response: str, resolution: str, db: DbOpt = None
) -> None:
    """Set one priority's targets, in business hours."""
    from bizdesk.services.crm import tickets

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        policy = {**tickets.sla_policy(uow), priority: (first_response, resolution)}
        tickets.set_sla_policy(uow, policy)
    out.print(Text(f"{priority}: first response {first_response} h, resolution {resolution} h"))


@sla_app.command("hours")
def sla_hours(
    ctx: typer.Context,
    days: Annotated[str, typer.Argument(help="e.g. mon-fri or mon,tue,sat")],
    start: Annotated[str, typer.Argument(help="HH:MM")],
    end: Annotated[str, typer.Argument(help="HH:MM")],
    timezone: Annotated[str, typer.Argument(help="e.g. Europe/Berlin")] = "UTC",
    db: DbOpt = None,
) -> None:
    """Set the business hours SLA clocks count in (new and re-timed tickets)."""
    from bizdesk.services.crm import tickets

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        hours = tickets.set_business_hours(uow, days, start, end, timezone)
    out.print(Text(f"Business hours set: {hours.to_json()}"))


def main() -> None:
    if sys.argv[1:2] == ["gate"]:  # the enforced shared set-up (bizdesk/gate.py)
        from bizdesk.gate import main as gate_main  # not loaded for any other command

        sys.exit(gate_main(sys.argv[2:], app))
    app()


@accounts_app.command("list")
def accounts_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """Every account with its type and the role bizdesk posts to it for."""
    from bizdesk.services.books.ledger import list_accounts

    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
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
    out.print(table)


@accounts_app.command("add")
def accounts_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument()],
    account_type: Annotated[
        str, typer.Option("--type", help="asset, liability, equity, income or expense")
    ],
    db: DbOpt = None,
) -> None:
    """Add an account."""
    from bizdesk.services.books.ledger import add_account

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        a = add_account(uow, code, name, account_type)
    out.print(Text(f"Added {a.code} {a.name} ({a.type})"))


def _account_id(uow, code: str) -> int:  # noqa: ANN001
    from bizdesk.services.books.ledger import list_accounts

    for a in list_accounts(uow, include_archived=True):
        if a.code == code:
            return a.id
    raise NotFound(f"There is no account {code}.")


@accounts_app.command("rename")
def accounts_rename(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument()],
    db: DbOpt = None,
) -> None:
    """Give an account a new name (its lines stay with it)."""
    from bizdesk.services.books.ledger import rename_account

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        a = rename_account(uow, _account_id(uow, code), name)
    out.print(Text(f"{a.code} is now {a.name}"))


@accounts_app.command("archive")
def accounts_archive(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument()],
    db: DbOpt = None,
    undo: Annotated[bool, typer.Option("--undo", help="Bring it back.")] = False,
) -> None:
    """Archive an account: it keeps its history and takes no new lines."""
    from bizdesk.services.books.ledger import set_account_archived

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        a = set_account_archived(uow, _account_id(uow, code), not undo)
    out.print(Text(f"{a.code} {a.name} {'archived' if a.archived else 'open again'}"))


locations_app = typer.Typer(help="Where stock is kept.")
app.add_typer(locations_app, name="locations")


@locations_app.command("list")
def locations_list(ctx: typer.Context, db: DbOpt = None) -> None:
    """The stock locations (the default one first gets goods when none is named)."""
    from bizdesk.services.inventory.locations import list_locations

    store = open_store(_db(ctx, db))
    with user_errors(), store.read() as uow:
        for loc in list_locations(uow):
            out.print(Text(loc.name + ("  (default)" if loc.is_default else "")))


@locations_app.command("add")
def locations_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument()], db: DbOpt = None
) -> None:
    """Add a stock location (a back room, a van, a second shop)."""
    from bizdesk.services.inventory.locations import add_location

    store = open_store(_db(ctx, db))
    with user_errors(), store.write() as uow:
        loc = add_location(uow, name)
    out.print(Text(f"Added location {loc.name}"))


@app.command("lock-date")
def lock_date_cmd(
    ctx: typer.Context,
    new: Annotated[str | None, typer.Argument(help="YYYY-MM-DD, or 'none' to unlock")] = None,
    db: DbOpt = None,
) -> None:
    """Show or move the lock date: nothing is posted on or before it (owner only)."""
    from bizdesk.services.books.ledger import lock_date, set_lock_date

    store = open_store(_db(ctx, db))
    if new is None:
        with store.read() as uow:
            current = lock_date(uow)
        out.print(Text(f"Locked up to {current}" if current else "No lock date"))
        return
    with user_errors(), store.write() as uow:
        current = set_lock_date(uow, "" if new.lower() == "none" else new)
    out.print(Text(f"Locked up to {current}" if current else "No lock date"))
