"""`bizdesk bank import FILE --account CODE` and `bizdesk bank reconcile`: bank statements in
(CSV with a rules file, OFX, CAMT.053; each line stored once), and the lines not matched yet
with what they may settle (services/banking)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bizdesk.cli.core import (
    DbOpt,
    FormatOpt,
    Shown,
    data_out,
    fail,
    open_store,
    print_json,
    read_named,
    say,
    show,
    typed_number,
)
from bizdesk.i18n import _, ngettext, tr

app = typer.Typer()
bank = typer.Typer(
    help=_("Bank statements: import them, match their lines to documents and accounts.")
)
app.add_typer(bank, name="bank")

MAX_BYTES = 50 * 1024 * 1024  # far above a year of a shop's statement lines


def _read(file: str, too_large: str) -> bytes:
    data = read_named(file, MAX_BYTES)
    if len(data) > MAX_BYTES:
        fail(too_large.format(file=file))
    return data


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
    elif summary.no_closing is not None:
        say(str(summary.no_closing))


def _show_waiting(found, locale: str) -> None:  # noqa: ANN001
    from bizdesk.formatting import day, money, visible
    from bizdesk.services.banking.reconcile import line_said

    if not found:
        say(_("No statement lines wait to be matched."))
        return
    amounts = [money(ln.amount, locale) for ln in found]
    width = max(len(a) for a in amounts)
    for ln, amount in zip(found, amounts, strict=True):
        said = visible(line_said(ln.counterpart, ln.text))
        say(f"#{ln.line_id}  {day(ln.booked_on)}  {ln.account}  {amount:>{width}}  {said}")
        if not ln.proposals:
            say("    " + _("no proposal"))
        for p in ln.proposals:
            what = f"{p.label} · {p.contact}" if p.contact else p.label
            why = "; ".join(tr(r) for r in p.reasons)
            say(f"    {visible(what)}  ({why})")
    n = len(found)
    say(ngettext("{n} line waits to be matched.", "{n} lines wait to be matched.", n).format(n=n))


@bank.command(
    "reconcile",
    help=_(
        "The statement lines not matched yet (#id), each with its best proposals: open "
        "invoices, reminders (RM-00001: their invoices and fee), supplier bills, payments "
        "already in the books (JE-12) and the rules' "
        "accounts. With --auto, first confirm every unambiguous match; confirm the others "
        "with 'bizdesk bank match' (--entry JE-12 for a payment in the books)."
    ),
)
def bank_reconcile(
    ctx: typer.Context,
    account: Annotated[
        str | None,
        typer.Option("--account", help=_("Only this bank or cash account (its code).")),
    ] = None,
    auto: Annotated[
        bool,
        typer.Option(
            "--auto",
            help=_(
                "Confirm the unambiguous matches: one document or payment in the books with "
                "the exact amount and its reference or name in the line, or a rule's account."
            ),
        ),
    ] = False,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.banking.proposals import proposals
    from bizdesk.services.banking.reconcile import auto as auto_match
    from bizdesk.services.banking.reconcile import lines_left_out

    store = open_store(ctx, db)
    if auto:
        with store.write() as uow:
            summary = auto_match(uow, account)
        say(str(summary.message))
        if summary.locked:
            n = summary.locked
            say(
                ngettext(
                    "{n} line is on or before the lock date and was left alone.",
                    "{n} lines are on or before the lock date and were left alone.",
                    n,
                ).format(n=n)
            )
    with store.read() as uow:
        found = proposals(uow, account)
        left_out = lines_left_out(uow, account)
    _show_waiting(found, store.settings().get("locale", "en_US"))
    if left_out:
        say(
            ngettext(
                "{n} line holds a day bizdesk does not accept and is left out; "
                "'bizdesk check' names it.",
                "{n} lines hold a day bizdesk does not accept and are left out; "
                "'bizdesk check' names them.",
                left_out,
            ).format(n=left_out)
        )


@bank.command(
    "match",
    help=_(
        "Confirm what one statement line settled: open invoices or supplier bills (split "
        "over several, part of one), an account, or a payment already in the books. The "
        "payment or entry is posted in the statement's account on the line's day."
    ),
)
def bank_match(
    ctx: typer.Context,
    line: Annotated[str, typer.Argument(help=_("The line's number (#12 in the list)."))],
    doc: Annotated[
        list[str] | None,
        typer.Option(
            "--doc",
            help=_(
                "An invoice (INV-00007), a supplier bill (its reference) or a reminder "
                "(RM-00001: its open invoices and its fee) the line pays; REF=AMOUNT for a "
                "part. Repeat it to split the line."
            ),
        ),
    ] = None,
    to_account: Annotated[
        str | None,
        typer.Option(
            "--to-account",
            help=_("Match to this account (its code); --rule takes the rule's account."),
        ),
    ] = None,
    rule: Annotated[
        bool, typer.Option("--rule", help=_("Match to the account the rules file gave it."))
    ] = False,
    entry: Annotated[
        str | None,
        typer.Option("--entry", help=_("Match to a payment already in the books (JE-12).")),
    ] = None,
    memo: Annotated[str, typer.Option("--memo", help=_("The entry's memo."))] = "",
    contact: Annotated[
        str,
        typer.Option(
            "--contact",
            help=_(
                "With --to-account: the customer or supplier its line names (a debt on no "
                "invoice or bill, such as an opening balance)."
            ),
        ),
    ] = "",
    db: DbOpt = None,
) -> None:
    from bizdesk.services.banking import reconcile

    ways = sum((bool(doc), bool(to_account) or rule, bool(entry)))
    if ways != 1:
        fail(_("Give one of --doc, --to-account (or --rule) and --entry."), code=2)
    if contact and not (to_account or rule):
        fail(_("--contact goes with --to-account (or --rule)."), code=2)
    store = open_store(ctx, db)
    with store.write() as uow:
        if doc:
            documents = []
            for d in doc:
                ref, _sep, amount = d.partition("=")
                documents.append((ref.strip(), typed_number(amount.strip()) or None))
            done = reconcile.match_documents(uow, line, documents, memo=memo)
        elif entry:
            done = reconcile.match_entry(uow, line, entry)
        else:
            done = reconcile.match_account(uow, line, to_account, memo=memo, contact=contact)
    say(str(done.message))


@bank.command(
    "undo",
    help=_(
        "Undo the match of one statement line: what it posted is reversed on its day and "
        "the line waits again. Refused on or before the lock date."
    ),
)
def bank_undo(
    ctx: typer.Context,
    line: Annotated[str, typer.Argument(help=_("The line's number (#12 in the list)."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.banking.reconcile import undo

    store = open_store(ctx, db)
    with store.write() as uow:
        done = undo(uow, line)
    say(str(done.message))


@bank.command("statements", help=_("The imported statements, newest first: their files and lines."))
def bank_statements(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", help=_("Only this account's (its code)."))
    ] = None,
    fmt: FormatOpt = Shown.TABLE,
    db: DbOpt = None,
) -> None:
    from rich.table import Table
    from rich.text import Text

    from bizdesk.formatting import day, money, visible
    from bizdesk.services.banking.statements import list_statements

    store = open_store(ctx, db)
    with store.read() as uow:
        found = list_statements(uow, account)
    docs = [
        {
            "id": s.id,
            "account": s.account,
            "bank_account": s.account_ref,
            "file": s.source_name,
            "format": s.format,
            "imported_at": s.imported_at.isoformat(),
            "imported_by": s.imported_by,
            "lines": s.lines,
            "matched": s.matched,
            "closing": str(s.closing) if s.closing is not None else None,
            "closing_date": s.closing_date.isoformat() if s.closing_date else None,
        }
        for s in found
    ]
    if fmt is Shown.JSON:
        print_json(docs)
        return
    if fmt is Shown.CSV:
        from bizdesk.services.base.csvio import write_rows

        keys = tuple(docs[0]) if docs else ("id",)
        write_rows(data_out(), keys, (["" if d[k] is None else d[k] for k in keys] for d in docs))
        return
    locale = store.settings().get("locale", "en_US")
    table = Table("#", _("Account"), _("File"), _("Imported"), _("Lines"), _("Matched"))
    table.add_column(_("Closing balance"), justify="right")
    table.add_column(_("Balance date"))
    for s in found:
        table.add_row(
            str(s.id),
            s.account,
            Text(visible(s.source_name or s.format)),
            Text(f"{day(s.imported_at.date())} {visible(s.imported_by)}"),
            str(s.lines),
            str(s.matched),
            money(s.closing, locale) if s.closing is not None else "",
            day(s.closing_date) if s.closing_date else "",
        )
    show(table)


@bank.command(
    "remove-statement",
    help=_(
        "Take back an import (a wrong file, another account's): the statement and its "
        "lines go, none of them matched; the file may be imported again."
    ),
)
def bank_remove_statement(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(help=_("The statement's number (# in the list)."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.banking.statements import remove_statement

    store = open_store(ctx, db)
    with store.write() as uow:
        said = remove_statement(uow, statement)
    say(str(said))


@bank.command("accounts", help=_("The accounts payments go through: bank, cash and card."))
def bank_accounts(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.formatting import visible
    from bizdesk.services.books.ledger import payment_accounts, payment_kind

    store = open_store(ctx, db)
    with store.read() as uow:
        found = [(a.code, a.name, payment_kind(a)) for a in payment_accounts(uow)]
    for code, name, kind in found:
        say(f"{code}  {kind:<5} {visible(name)}")


@bank.command(
    "set-kind",
    help=_(
        "Make an asset account one payments go through (bank, cash or card), or no longer (none)."
    ),
)
def bank_set_kind(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help=_("The account's code."))],
    kind: Annotated[str, typer.Argument(help=_("bank, cash, card or none."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.books.ledger import set_payment_kind

    store = open_store(ctx, db)
    with store.write() as uow:
        a = set_payment_kind(uow, account, kind)
    say(_("{code} {name} saved.").format(code=a.code, name=a.name))
