"""`bizdesk bank import FILE --account CODE` and `bizdesk bank reconcile`: bank statements in
(CSV with a rules file, OFX, CAMT.053; each line stored once), and the lines not matched yet
with what they may settle (services/banking)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bizdesk.cli.core import DbOpt, fail, open_store, say
from bizdesk.i18n import _, ngettext, tr

app = typer.Typer()
bank = typer.Typer(help=_("Bank statements: import them, see the lines waiting to be matched."))
app.add_typer(bank, name="bank")

MAX_BYTES = 50 * 1024 * 1024  # far above a year of a shop's statement lines


def _read(file: str, too_large: str) -> bytes:
    from bizdesk.files import may_read

    path = Path(file)
    may_read(path)
    if not path.is_file():
        fail(_("{file}: no such file").format(file=file))
    if path.stat().st_size > MAX_BYTES:
        fail(too_large.format(file=file))
    return path.read_bytes()


@bank.command(
    "import",
    help=_(
        "Import a bank statement: CSV (with --rules FILE), OFX or ISO 20022 CAMT.053. Lines "
        "already imported are skipped; a file with a bad line changes nothing."
    ),
)
def bank_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help=_("The statement file."))],
    account: Annotated[
        str, typer.Option("--account", help=_("The code of the bank or cash account."))
    ],
    rules: Annotated[
        str | None,
        typer.Option("--rules", help=_("The rules file that reads a CSV statement.")),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Check the file and say what would be added."))
    ] = False,
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import day, money
    from bizdesk.services.banking.statements import import_statement

    data = _read(file, _("{file}: too large for a bank statement (at most 50 MB)"))
    if rules is not None:
        rules_data = _read(rules, _("{file}: too large for a rules file (at most 50 MB)"))
    else:
        rules_data = None
    store = open_store(ctx, db)
    with store.read() if dry_run else store.write() as uow:
        summary = import_statement(
            uow, data, account=account, rules=rules_data, filename=Path(file).name, dry_run=dry_run
        )
    say(str(summary.message))
    if summary.closing is not None:
        locale = store.settings().get("locale", "en_US")
        say(
            _("The statement's closing balance on {date}: {amount}").format(
                date=day(summary.closing_date), amount=money(summary.closing, locale)
            )
        )


@bank.command(
    "reconcile",
    help=_(
        "The statement lines not matched yet, each with its best proposals: open invoices, "
        "supplier bills and the rules' accounts. Nothing is posted."
    ),
)
def bank_reconcile(
    ctx: typer.Context,
    account: Annotated[
        str | None,
        typer.Option("--account", help=_("Only this bank or cash account (its code).")),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import day, money, visible
    from bizdesk.services.banking.proposals import proposals

    store = open_store(ctx, db)
    with store.read() as uow:
        found = proposals(uow, account)
    if not found:
        say(_("No statement lines wait to be matched."))
        return
    locale = store.settings().get("locale", "en_US")
    amounts = [money(ln.amount, locale) for ln in found]
    width = max(len(a) for a in amounts)
    for ln, amount in zip(found, amounts, strict=True):
        said = " — ".join(visible(x) for x in (ln.counterpart, ln.text) if x)
        say(f"{day(ln.booked_on)}  {ln.account}  {amount:>{width}}  {said}")
        if not ln.proposals:
            say("    " + _("no proposal"))
        for p in ln.proposals:
            what = f"{p.label} · {p.contact}" if p.contact else p.label
            why = "; ".join(tr(r) for r in p.reasons)
            say(f"    {visible(what)}  ({why})")
    n = len(found)
    say(ngettext("{n} line waits to be matched.", "{n} lines wait to be matched.", n).format(n=n))
