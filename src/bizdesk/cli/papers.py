"""`bizdesk print KIND NUMBER [-o FILE]`: a document as PDF (services/papers); and
`bizdesk shop show | set KEY VALUE`: the shop's details that every document carries."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.characters import shown_name
from bizdesk.cli.core import (
    DbOpt,
    date_form,
    fail,
    fields_as_typed,
    open_store,
    parse_date,
    say,
    show,
)
from bizdesk.i18n import _

app = typer.Typer()


class Kind(StrEnum):
    QUOTE = "quote"
    SALES_ORDER = "sales-order"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit-note"
    PURCHASE_ORDER = "purchase-order"
    REMINDER = "reminder"
    STATEMENT = "statement"
    PAYSLIP = "payslip"


@app.command(
    "print",
    help=_(
        "Write a document as PDF: quote (a deal's number), sales-order, invoice, credit-note, "
        "purchase-order, reminder (a number as the screens show it, INV-00007 or 7), "
        "statement (a contact: #ID, e-mail or name), payslip (its run and the employee, "
        "PR-00001/3). "
        "Without -o it is LABEL.pdf in the current folder; an existing file is never replaced."
    ),
)
def print_paper(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help=_("The kind of document."))],
    number: Annotated[str, typer.Argument(help=_("Its number (a statement: the contact)."))],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", help=_("The PDF file to write; - for standard output.")),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", metavar=date_form(), help=_("statement: from (default: 1 January)")),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", metavar=date_form(), help=_("statement: to (default: today)")),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services import papers

    if kind != Kind.STATEMENT and (date_from or date_to):
        fail(_("--from and --to are for a statement only"), 2)
    if output == "-" and sys.stdout.isatty():
        fail(_("-o -: a PDF is not for the terminal; redirect it (> FILE) or name a file"))
    store = open_store(ctx, db)
    dates = {}
    if kind == Kind.STATEMENT:
        dates = {
            "date_from": parse_date(date_from, "--from"),
            "date_to": parse_date(date_to, "--to"),
        }
    with store.read() as uow:
        paper = papers.render(uow, kind.value, number, **dates)
    if output == "-":
        papers.to_stdout(paper)
        return
    path = papers.save(paper, output)
    say(
        _("{label} written to {path}").format(label=paper.label, path=shown_name(path)), stderr=True
    )
    if paper.without_shop_address:
        say(str(papers.no_shop_address(paper.label)), stderr=True)


shop = typer.Typer(help=_("The shop's details on every document: name, address, VAT id, bank."))
app.add_typer(shop, name="shop")


@shop.command("show", help=_("The shop's details."))
def shop_show(ctx: typer.Context, db: DbOpt = None) -> None:
    from bizdesk.services.base.zones import zone_without_own
    from bizdesk.services.papers import shop as S

    store = open_store(ctx, db)
    with store.read() as uow:
        details = S.get(uow)
        zone = zone_without_own(uow.setting)
    table = Table(_("Key"), _("What"), _("Value"))
    for key, name in S.KEYS.items():
        value = getattr(details, name)
        if name == "timezone" and not value:
            value = _("none set: times are shown in {zone}").format(zone=zone)
        if name == "vat_rate" and not value:
            value = _("none set: a new product's rate is 0")
        table.add_row(key, _(S.LABELS[name]), Text(value))
    show(table)


@shop.command(
    "set",
    help=_(
        "Set one of the shop's details (an owner): name, street, postcode, city, country, "
        "region (its public holidays: MD for Madrid), timezone (its times are shown in: "
        "Europe/Madrid), vat-id, iban, bic, account, email, phone or vat-rate (the standard "
        "VAT rate in percent: a new product's, and a line's without a product); an empty "
        "VALUE clears it."
    ),
)
def shop_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=_("name, street, … vat-id, iban, bic …"))],
    value: Annotated[str, typer.Argument(help=_("The new value."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.base.zones import zone_without_own
    from bizdesk.services.papers import shop as S

    typed = key.strip().lower()
    if typed in S.KEYS:  # refused as the key typed (vat-rate), not the service's vat_rate
        fields_as_typed(ctx, **{S.KEYS[typed]: typed})
    store = open_store(ctx, db)
    with store.write() as uow:
        saved = S.set_one(uow, key, value)
        zone = zone_without_own(uow.setting)
    name = S.KEYS.get(key.strip().lower(), key)
    now = getattr(saved.details, name)
    if not now:  # cleared: said so, not an empty value
        now = (
            _("none set: times are shown in {zone}").format(zone=zone)
            if name == "timezone"
            else _("none set: a new product's rate is 0")
            if name == "vat_rate"
            else _("not set")
        )
    say(_("{what}: {value}").format(what=_(S.LABELS[name]), value=now))
    for line in saved.said():
        say(line)
