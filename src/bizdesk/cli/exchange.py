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

from bizdesk.characters import shown_name
from bizdesk.cli.core import DbOpt, data_out, data_to, fail, open_store, say
from bizdesk.i18n import N_, _, ngettext
from bizdesk.reading import quoted

# What a person needs to know about a column, beyond its name.
COLUMN_NOTES = {
    "contacts": {
        "kind": N_("person or organization"),
        "tags": N_(";-separated"),
        "roles": N_("customer;supplier"),
        "payment_terms": N_("net 30 days or end of month + 10 days; empty: the shop's default"),
        "birth_date": N_("ISO date, YYYY-MM-DD"),
        "email_consent": N_("in or out; empty: the store's is kept"),
        "consent_at": N_("ISO, UTC; default: now"),
        "consent_how": N_(
            "form, import, web, in person, phone, unsubscribe link or by hand; default: import"
        ),
    },
    "products": {
        "vat_rate": N_("percent"),
        "supplier": N_("email or name"),
        "allow_negative": N_("yes/no"),
        "stocked": N_("yes/no; no: a service such as a workshop hour, never stocked or reordered"),
    },
    "stock-count": {
        "location": N_("default: the main one"),
        "unit_cost": N_("what stock coming in is worth a unit; default: the average cost"),
        "against": N_("the account the difference posts against; default: stock adjustments"),
    },
    "journal": {
        "date": N_("ISO date, YYYY-MM-DD"),
        "account": N_("code"),
        "contact": N_("email or name"),
    },
}


def declared_columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns an import of ``kind`` takes, and those it requires, as its service says."""
    if kind == "contacts":
        from bizdesk.services.exchange import crm_imports

        return crm_imports.CONTACT_COLUMNS, crm_imports.CONTACT_REQUIRED
    if kind == "journal":
        from bizdesk.services.exchange import journal_import

        return journal_import.JOURNAL_COLUMNS, journal_import.JOURNAL_REQUIRED
    from bizdesk.services.exchange import erp_imports as erp

    return {
        "products": (erp.PRODUCT_COLUMNS, erp.PRODUCT_REQUIRED),
        "stock-count": (erp.STOCK_COUNT_COLUMNS, erp.STOCK_COUNT_REQUIRED),
    }[kind]


def columns_help(kind: str) -> str:
    """``Columns: name (required), kind (person or organization), ...``."""
    columns, required = declared_columns(kind)
    notes = COLUMN_NOTES[kind]
    shown = []
    for col in columns:
        note = _(notes[col]) if col in notes else ""
        said = [w for w in (_("required") if col in required else "", note) if w]
        shown.append(f"{col} ({'; '.join(said)})" if said else col)
    return _("Columns: {columns}.").format(columns=", ".join(shown))


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
imports = typer.Typer(help=_("Import CSV files (all rows or none)."))
exports = typer.Typer(help=_("Export current data."))
app.add_typer(imports, name="import")
app.add_typer(exports, name="export")

FileArg = Annotated[str, typer.Argument(help=_("CSV or -"))]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run", help=_("Check every row and say what it would do; nothing is saved.")
    ),
]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        help=_(
            "Numbers in the file are written as in this locale (e.g. de_DE: 1.234,56). "
            "Default: digits with . for decimals and no grouping (1234.56)."
        ),
    ),
]


@imports.command(
    "contacts",
    cls=ImportCommand,
    help=_(
        "Contacts: new ones added, known ones updated.\n\nA row with an id (the contact's "
        "number in this store, as `export contacts` writes it) updates that contact; else a row "
        "whose email exists updates that contact; else a new contact is created (leave id empty "
        "to copy contacts into another store). A contact updated keeps what it holds in the "
        "columns the file does not have."
    ),
)
def import_contacts(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    if locale is not None:
        fail(_("--locale: contacts have no numbers to read; leave it out"), 2)
    from bizdesk.services.exchange.crm_imports import import_contacts as run

    store = open_store(ctx, db)
    with _input(file) as fh:  # read and checked first; the write lock is taken to write
        result = run(store, fh, dry_run=dry_run)
    _created(result, "contacts", dry_run)


@imports.command(
    "products",
    cls=ImportCommand,
    help=_(
        "Products: new ones added, those whose SKU exists updated (keeping what they hold in "
        "the columns the file does not have)."
    ),
)
def import_products(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    from bizdesk.services.exchange.erp_imports import import_products as run

    _created(_checked_first(ctx, db, file, locale, run, dry_run), "products", dry_run)


@imports.command(
    "stock-count",
    cls=ImportCommand,
    help=_("A stock count: differences from the books post as stock adjustments."),
)
def import_stock_count(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    from bizdesk.services.exchange.erp_imports import import_stock_count as run

    result = _checked_first(ctx, db, file, locale, run, dry_run)
    n = result.created
    if dry_run:
        said = ngettext(
            "{n} product would be adjusted, {skipped} matched the books.",
            "{n} products would be adjusted, {skipped} matched the books.",
            n,
        )
    else:
        said = ngettext(
            "{n} product was adjusted, {skipped} matched the books.",
            "{n} products were adjusted, {skipped} matched the books.",
            n,
        )
    say(said.format(n=n, skipped=result.skipped))


@imports.command(
    "journal",
    cls=ImportCommand,
    help=_(
        "Journal entries, posted with the next numbers.\n\nRows with the same entry form "
        "one entry; every entry must balance."
    ),
)
def import_journal(
    ctx: typer.Context,
    file: FileArg,
    db: DbOpt = None,
    dry_run: DryRunOpt = False,
    locale: LocaleOpt = None,
) -> None:
    from bizdesk.services.exchange.journal_import import import_journal as run

    store = open_store(ctx, db)
    named = _known_locale(locale) if locale is not None else None
    with _input(file) as fh:  # read and checked first; the write lock is taken to write
        result = run(store, fh, dry_run=dry_run, locale=named)
    say(str(result.summary("journal")))


def _checked_first(ctx, db, file, locale, run, dry_run):  # noqa: ANN001, ANN202
    """An import that checks every row first (others keep writing meanwhile), then writes
    them all, or none, in one short write."""
    store = open_store(ctx, db)
    store.input_locale = _known_locale(locale) if locale is not None else None  # this process
    with _input(file) as fh:
        return run(store, fh, dry_run=dry_run)


def _created(result, kind: str, dry_run: bool) -> None:  # noqa: ANN001
    """What an import of contacts or products did (or, as a dry run, would do)."""
    n = result.created
    if kind == "contacts" and dry_run:
        said = ngettext(
            "{n} contact would be created, {updated} updated, {skipped} unchanged.",
            "{n} contacts would be created, {updated} updated, {skipped} unchanged.",
            n,
        )
    elif kind == "contacts":
        said = ngettext(
            "{n} contact was created, {updated} updated, {skipped} unchanged.",
            "{n} contacts were created, {updated} updated, {skipped} unchanged.",
            n,
        )
    elif dry_run:
        said = ngettext(
            "{n} product would be created, {updated} updated, {skipped} unchanged.",
            "{n} products would be created, {updated} updated, {skipped} unchanged.",
            n,
        )
    else:
        said = ngettext(
            "{n} product was created, {updated} updated, {skipped} unchanged.",
            "{n} products were created, {updated} updated, {skipped} unchanged.",
            n,
        )
    say(said.format(n=n, updated=result.updated, skipped=result.skipped))


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
        fail(_("{file}: no such file").format(file=file))
    with path.open("rb") as fh:
        yield fh


def _known_locale(name: str) -> str:
    """A locale Babel knows, as Babel names it (es_ES); anything else is refused."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(name))
    except (ValueError, TypeError, UnknownLocaleError):
        fail(
            _("--locale: {name} is not a locale bizdesk knows; for example en_US, es_ES").format(
                name=quoted(name, 20)
            ),
            2,
        )


class DataFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class JournalFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    LEDGER = "ledger"


FormatOpt = Annotated[DataFormat, typer.Option("--format", help=_("csv or json"))]
OutputOpt = Annotated[
    str | None, typer.Option("-o", "--output", help=_("The file to write (else standard output)."))
]


@exports.command("contacts", help=_("Export contacts (the columns `import` takes)."))
def export_contacts(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    _export(ctx, db, "contacts", fmt, output)


@exports.command("products", help=_("Export products (the columns `import` takes)."))
def export_products(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    _export(ctx, db, "products", fmt, output)


@exports.command("stock", help=_("Export stock on hand and its value, per product and location."))
def export_stock(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    _export(ctx, db, "stock", fmt, output)


@exports.command("purchase-orders", help=_("Export purchase orders."))
def export_purchase_orders(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = DataFormat.CSV, output: OutputOpt = None
) -> None:
    _export(ctx, db, "purchase-orders", fmt, output)


@exports.command("journal", help=_("Export posted journal lines (the columns `import` takes)."))
def export_journal(
    ctx: typer.Context,
    db: DbOpt = None,
    fmt: Annotated[
        JournalFormat, typer.Option("--format", help=_("csv, json or ledger (hledger's format)"))
    ] = JournalFormat.CSV,
    output: OutputOpt = None,
) -> None:
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

    from bizdesk.files import is_sqlite_file, output_file, writes_straight

    path = Path(output).expanduser() if output and output != "-" else None
    if path is not None and not writes_straight(path):  # (a pipe is named as it was given:
        path = path.resolve()  # /dev/stdout, not the pipe it leads to)
        if is_sqlite_file(path):  # -o shop.db put the export in its place
            fail(
                _(
                    "{path} is a bizdesk store; an export never goes over one (nothing was written)"
                ).format(path=path)
            )
    with store.read() as uow:
        if path is None:  # no -o, or -o -: standard output
            write(uow, data_out())
            return
        # a file: whole or not at all; 0600, or 0660 in a shop's group folder; a pipe or a
        # terminal (-o /dev/stdout): straight into it, its control characters shown on a
        # terminal as on standard output
        with output_file(path, newline="") as fh:
            n = write(uow, data_to(fh))
    if fmt == "ledger":
        said = ngettext("{n} entry written to {path}", "{n} entries written to {path}", n)
    else:
        said = ngettext("{n} row written to {path}", "{n} rows written to {path}", n)
    say(said.format(n=n, path=shown_name(path)), stderr=True)
