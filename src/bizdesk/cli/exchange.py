"""`bizdesk import KIND FILE` and `bizdesk export KIND`: CSV in (all rows or none), current
data out. The columns are the services' own (services/exchange declares them)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from bizdesk.cli.core import DbOpt, data_out, fail, open_store, say

# What a person needs to know about a column, beyond its name.
COLUMN_NOTES = {
    "contacts": {
        "kind": "person or organization",
        "tags": ";-separated",
        "roles": "customer;supplier",
    },
    "products": {
        "vat_rate": "percent",
        "supplier": "email or name",
        "allow_negative": "yes/no",
        "stocked": "yes/no; no: a service such as a workshop hour, never stocked or reordered",
    },
    "stock-count": {"location": "default: the main one"},
    "journal": {"date": "YYYY-MM-DD", "account": "code", "contact": "email or name"},
}


def declared_columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns an import of ``kind`` takes, and those it requires, as its service says."""
    if kind == "contacts":
        from bizdesk.services.exchange import crm_imports

        return crm_imports.CONTACT_COLUMNS, crm_imports.CONTACT_REQUIRED
    from bizdesk.services.exchange import erp_imports as erp

    return {
        "products": (erp.PRODUCT_COLUMNS, erp.PRODUCT_REQUIRED),
        "stock-count": (erp.STOCK_COUNT_COLUMNS, erp.STOCK_COUNT_REQUIRED),
        "journal": (erp.JOURNAL_COLUMNS, erp.JOURNAL_REQUIRED),
    }[kind]


def columns_help(kind: str) -> str:
    """``Columns: name (required), kind (person or organization), ...``."""
    columns, required = declared_columns(kind)
    notes = COLUMN_NOTES[kind]
    shown = []
    for col in columns:
        said = [w for w in ("required" if col in required else "", notes.get(col, "")) if w]
        shown.append(f"{col} ({'; '.join(said)})" if said else col)
    return "Columns: " + ", ".join(shown) + "."


class ImportCommand(TyperCommand):
    """`import KIND --help` ends with the columns the service declares (the service is
    loaded for that help only, not for `bizdesk --help` nor for an import)."""

    def format_help(self, ctx, formatter):  # noqa: ANN001, ANN201
        lead = self.help
        self.help = f"{lead}\n\n{columns_help(self.name)}"
        try:
            return super().format_help(ctx, formatter)
        finally:
            self.help = lead


app = typer.Typer()
imports = typer.Typer(help="Import CSV files (all rows or none).")
exports = typer.Typer(help="Export current data.")
app.add_typer(imports, name="import")
app.add_typer(exports, name="export")

FileArg = Annotated[str, typer.Argument(help="CSV or -")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run")]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        help="Numbers in the file are written as in this locale (e.g. de_DE: 1.234,56). "
        "Default: digits with . for decimals and no grouping (1234.56).",
    ),
]


@imports.command(
    "contacts",
    cls=ImportCommand,
    help="Contacts: new ones added, known ones updated.\n\nA row with an id (the contact's "
    "number in this store, as `export contacts` writes it) updates that contact; else a row "
    "whose email exists updates that contact; else a new contact is created (leave id empty "
    "to copy contacts into another store).",
)
def import_contacts(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    if locale is not None:
        fail("--locale: contacts have no numbers to read; leave it out", 2)
    from bizdesk.services.exchange.crm_imports import import_contacts as run

    store = open_store(ctx, db)
    with _input(file) as fh:  # read and checked first; the write lock is taken to write
        result = run(store, fh, dry_run=dry_run)
    _created(result, "contacts", dry_run)


@imports.command("products", cls=ImportCommand)
def import_products(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    """Products: new ones added, those whose SKU exists updated."""
    from bizdesk.services.exchange.erp_imports import import_products as run

    _created(_checked_first(ctx, db, file, locale, run, dry_run), "products", dry_run)


@imports.command("stock-count", cls=ImportCommand)
def import_stock_count(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    """A stock count: differences from the books post as stock adjustments."""
    from bizdesk.services.exchange.erp_imports import import_stock_count as run

    result = _checked_first(ctx, db, file, locale, run, dry_run)
    verb = "would be" if dry_run else "were"
    say(f"{result.created} products {verb} adjusted, {result.skipped} matched the books.")


@imports.command(
    "journal",
    cls=ImportCommand,
    help="Journal entries, posted with the next numbers.\n\nRows with the same entry form "
    "one entry; every entry must balance.",
)
def import_journal(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    from bizdesk.services.exchange.erp_imports import import_journal as run

    store = open_store(ctx, db)
    named = _known_locale(locale) if locale is not None else None
    with _input(file) as fh:  # read and checked first; the write lock is taken to write
        result = run(store, fh, dry_run=dry_run, locale=named)
    say(f"{result.created} entries {'would be' if dry_run else 'were'} posted.")


def _checked_first(ctx, db, file, locale, run, dry_run):  # noqa: ANN001, ANN202
    """An import that checks every row first (others keep writing meanwhile), then writes
    them all, or none, in one short write."""
    store = open_store(ctx, db)
    store.input_locale = _known_locale(locale) if locale is not None else None  # this process
    with _input(file) as fh:
        return run(store, fh, dry_run=dry_run)


def _created(result, noun: str, dry_run: bool) -> None:  # noqa: ANN001
    verb = "would be" if dry_run else "were"
    say(
        f"{result.created} {noun} {verb} created, {result.updated} updated, "
        f"{result.skipped} unchanged."
    )


@contextmanager
def _input(file: str):  # noqa: ANN202
    """The CSV as a binary stream (read as the import goes, never whole into memory)."""
    if file == "-":
        yield sys.stdin.buffer
        return
    from bizdesk.files import may_read

    path = Path(file)
    may_read(path)
    if not path.is_file():
        fail(f"{file}: no such file")
    with path.open("rb") as fh:
        yield fh


def _known_locale(name: str) -> str:
    """A locale Babel knows, as Babel names it (es_ES); anything else is refused."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(name))
    except (ValueError, TypeError, UnknownLocaleError):
        fail(f"--locale: {name!r} is not a locale bizdesk knows; for example en_US, es_ES", 2)


class DataFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class JournalFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    LEDGER = "ledger"


FormatOpt = Annotated[DataFormat, typer.Option("--format", help="csv or json")]
OutputOpt = Annotated[str | None, typer.Option("-o", "--output")]


@exports.command("contacts")
def export_contacts(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    """Export contacts (the columns `import` takes)."""
    _export(ctx, db, "contacts", fmt, output)


@exports.command("products")
def export_products(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    """Export products (the columns `import` takes)."""
    _export(ctx, db, "products", fmt, output)


@exports.command("stock")
def export_stock(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    """Export stock on hand and its value, per product and location."""
    _export(ctx, db, "stock", fmt, output)


@exports.command("purchase-orders")
def export_purchase_orders(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    """Export purchase orders."""
    _export(ctx, db, "purchase-orders", fmt, output)


@exports.command("journal")
def export_journal(
    ctx: typer.Context,
    db: DbOpt = None,
    fmt: Annotated[
        JournalFormat, typer.Option("--format", help="csv, json or ledger (hledger's format)")
    ] = JournalFormat.CSV,
    output: OutputOpt = None,
) -> None:
    """Export posted journal lines (the columns `import` takes)."""
    _export(ctx, db, "journal", fmt, output)


def _export(
    ctx: typer.Context, db: str | None, kind: str, fmt: StrEnum, output: str | None
) -> None:
    from bizdesk.services.exchange import crm_exports, erp_exports

    store = open_store(ctx, db)

    def write(uow, stream) -> int:  # noqa: ANN001
        if kind == "contacts":
            return crm_exports.export_contacts(uow, stream, fmt.value)
        return erp_exports.export(uow, kind, stream, fmt.value)

    with store.read() as uow:
        if not output:
            write(uow, data_out())
            return
        from bizdesk.files import atomic_write

        path = Path(output).expanduser().resolve()
        # whole or not at all; 0600, or 0660 in a shop's group folder
        with atomic_write(path, newline="") as fh:
            n = write(uow, fh)
    say(f"{n} {'entries' if fmt == 'ledger' else 'rows'} written to {path}", stderr=True)
