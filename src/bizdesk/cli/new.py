"""`bizdesk new KIND [FILE|-]`: a sales order, counter sale, invoice, payment, ticket, reply
or note on a ticket, interaction with a contact, delivery or receipt of goods from JSON (a
file, or standard input), or from options for the simple cases; the created document's
label on standard output (services/exchange/new_documents)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from bizdesk.cli.core import (
    DbOpt,
    data_out,
    fail,
    open_store,
    print_json,
    read_named,
    say,
    typed_number,
)
from bizdesk.errors import ValidationError
from bizdesk.i18n import _
from bizdesk.reading import quoted

app = typer.Typer()
new = typer.Typer(
    help=_(
        "Create a document from JSON (a file, or - or nothing for standard input) and print "
        "its number: a sales order, counter sale, invoice, payment, ticket, reply or note on "
        "a ticket (ticket-comment), interaction with a contact (a call, an e-mail, a meeting, "
        "a visit or a note), delivery or receipt. The JSON keys of each kind are in the README."
    )
)
app.add_typer(new, name="new")


class Printed(StrEnum):
    TEXT = "text"
    JSON = "json"


FileArg = Annotated[
    str | None,
    typer.Argument(help=_("The JSON file; - or nothing: standard input."), show_default=False),
]
PrintedOpt = Annotated[
    Printed,
    typer.Option(
        "--format", help=_("text: the number only; json: the document's label and figures")
    ),
]
DateOpt = Annotated[str | None, typer.Option("--date", help=_("YYYY-MM-DD; default: today."))]

MAX_BYTES = 10 * 1024 * 1024
_OPTION_OF = {"invoices": "invoice", "bills": "bill"}  # the option a JSON key comes from


def _document(file: str | None, options: dict[str, Any], lines: bool) -> bytes | None:
    """The JSON as given: from FILE, from standard input (``-``, or no FILE and no options
    or a kind that needs ``lines``, which options cannot give), or None when the options say it
    all."""
    given = {k: val for k, val in options.items() if val is not None}
    if file is None and given and not lines:
        return None
    if file is None or file == "-":
        if file is None and sys.stdin.isatty():
            fail(
                _(
                    "Give the document as a JSON file, or - and pipe it in (or the options, "
                    "see --help)."
                ),
                2,
            )
    return read_named(file or "-", MAX_BYTES)


def _run(
    ctx: typer.Context,
    db: str | None,
    kind: str,
    file: str | None,
    fmt: Printed,
    options: dict[str, Any] | None = None,
) -> None:
    from bizdesk.services.exchange import new_documents as nd

    options = options or {}
    data = _document(file, options, "lines" in nd.REQUIRED[kind])
    raw: Any = {} if data is None else nd.read_json(data)
    given = {k: val for k, val in options.items() if val is not None}
    if given and isinstance(raw, dict):
        twice = [k for k in given if k in raw and raw[k] != given[k]]
        if twice:
            said = {
                k: _("given both in the JSON and as --{option}").format(
                    option=_OPTION_OF.get(k, k).replace("_", "-")
                )
                for k in twice
            }  # named as the JSON names them, in every language
            raise ValidationError(said, message="; ".join(f"{k}: {v}" for k, v in said.items()))
        raw = {**raw, **given}
    store = open_store(ctx, db)
    with store.write() as uow:
        made = nd.MAKERS[kind](uow, raw)
    if fmt == Printed.JSON:
        print_json(made.as_json())
    else:
        data_out().write(made.label + "\n")
    for note in made.notes:
        say(note, stderr=True)


@new.command(
    "sales-order",
    help=_(
        'A sales order for a customer, as a draft or confirmed (--confirm, or "confirm": '
        "true: its stock is reserved)."
    ),
)
def new_sales_order(
    ctx: typer.Context,
    file: FileArg = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help=_("Confirm it: its stock is reserved."))
    ] = False,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    _run(ctx, db, "sales-order", file, fmt, {"confirm": True if confirm else None})


@new.command(
    "counter-sale",
    help=_("A sale over the counter: ordered, delivered, invoiced and paid at once."),
)
def new_counter_sale(
    ctx: typer.Context, file: FileArg = None, fmt: PrintedOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    _run(ctx, db, "counter-sale", file, fmt)


@new.command("invoice", help=_("The invoice of what was delivered on a sales order."))
def new_invoice(
    ctx: typer.Context,
    file: FileArg = None,
    order: Annotated[
        str | None, typer.Option("--order", help=_("The sales order, e.g. SO-00042."))
    ] = None,
    when: DateOpt = None,
    due: Annotated[
        str | None, typer.Option("--due", help=_("YYYY-MM-DD; default: in 14 days."))
    ] = None,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    _run(ctx, db, "invoice", file, fmt, {"order": order, "date": when, "due": due})


@new.command(
    "payment",
    help=_(
        "A payment of invoices (by a customer) or of supplier bills (to a supplier): one "
        "document, or several in one payment (repeat --invoice or --bill, or a list in the "
        "JSON)."
    ),
)
def new_payment(
    ctx: typer.Context,
    file: FileArg = None,
    invoice: Annotated[
        list[str] | None,
        typer.Option(
            "--invoice",
            help=_(
                "The invoice paid, e.g. INV-00007; repeat it for several, each NUMBER or "
                "NUMBER=AMOUNT for a part of it."
            ),
        ),
    ] = None,
    bill: Annotated[
        list[str] | None,
        typer.Option(
            "--bill",
            help=_(
                "The supplier bill paid: its reference; repeat it for several, each "
                "REFERENCE or REFERENCE=AMOUNT (a reference holding = goes in the JSON)."
            ),
        ),
    ] = None,
    order: Annotated[
        str | None,
        typer.Option("--order", help=_("With --bill: the purchase order the bills are for.")),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option(
            "--amount",
            parser=typed_number,
            help=_("With one document: default all that is still open."),
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            help=_("The bank, cash or card account the money went in or out from (its code)."),
        ),
    ] = None,
    when: DateOpt = None,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    options: dict[str, Any] = {"order": order, "amount": amount, "account": account, "date": when}
    if invoice:
        options.update(_paid_documents("invoice", invoice, None))
    if bill:
        options.update(_paid_documents("bill", bill, order))
        if "bills" in options:
            options["order"] = None  # on each bill
    _run(ctx, db, "payment", file, fmt, options)


def _paid_documents(key: str, values: list[str], order: str | None) -> dict[str, Any]:
    """The documents of ``--invoice``/``--bill`` as the JSON names them: one named alone is
    ``invoice`` (its amount is --amount); several, or one with ``=AMOUNT``, are the list
    ``invoices``, each with its amount when given after its last ``=`` (and, for bills,
    --order)."""
    if len(values) == 1 and "=" not in values[0]:
        return {key: values[0]}
    items = []
    for value in values:
        named, sep, amount = value.rpartition("=")
        if not sep:
            named = value
        elif not named.strip() or not amount.strip():
            fail(
                _("--{option} {value}: write DOCUMENT=AMOUNT, or the document alone").format(
                    option=key, value=quoted(value, 60)
                ),
                2,
            )
        item: dict[str, Any] = {key: named}
        if sep:
            item["amount"] = typed_number(amount)
        if order is not None:
            item["order"] = order
        items.append(item)
    return {f"{key}s": items}


@new.command("ticket", help=_("A support ticket."))
def new_ticket(
    ctx: typer.Context,
    file: FileArg = None,
    subject: Annotated[str | None, typer.Option("--subject", help=_("What it is about."))] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help=_("Email, exact name or #id."))
    ] = None,
    priority: Annotated[
        str | None, typer.Option("--priority", help=_("low, normal, high or urgent"))
    ] = None,
    body: Annotated[
        str | None, typer.Option("--body", help=_("The customer's words, or what is needed."))
    ] = None,
    assignee: Annotated[
        str | None, typer.Option("--assignee", help=_("A bizdesk user name."))
    ] = None,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    options = {
        "subject": subject,
        "contact": contact,
        "priority": priority,
        "body": body,
        "assignee": assignee,
    }
    _run(ctx, db, "ticket", file, fmt, options)


@new.command(
    "ticket-comment",
    help=_(
        "A reply to the customer on a ticket (its first response, if it is the first), or "
        "with --internal a note the customer is not sent. Printed: the ticket's number."
    ),
)
def new_ticket_comment(
    ctx: typer.Context,
    file: FileArg = None,
    ticket: Annotated[
        str | None, typer.Option("--ticket", help=_("The ticket's number, e.g. #71."))
    ] = None,
    body: Annotated[
        str | None, typer.Option("--body", help=_("The reply (the note, with --internal)."))
    ] = None,
    internal: Annotated[
        bool,
        typer.Option("--internal", help=_("An internal note, not a reply to the customer.")),
    ] = False,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    options = {"ticket": ticket, "body": body, "internal": True if internal else None}
    _run(ctx, db, "ticket-comment", file, fmt, options)


@new.command(
    "interaction",
    help=_(
        "A call, an e-mail, a meeting, a visit or a note logged with a contact. Printed: "
        "its record number, as the audit trail names it."
    ),
)
def new_interaction(
    ctx: typer.Context,
    file: FileArg = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help=_("Email, exact name or #id."))
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help=_("call, email, meeting, visit or note"))
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help=_("What happened."))] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help=_(
                "When it happened: YYYY-MM-DD, then optionally HH:MM in the shop's time "
                "zone; default: now."
            ),
        ),
    ] = None,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    options = {"contact": contact, "kind": kind, "summary": summary, "at": at}
    _run(ctx, db, "interaction", file, fmt, options)


@new.command(
    "delivery",
    help=_(
        "Goods delivered on a sales order: the lines and quantities in the JSON, or with "
        "--order alone all that is left to deliver."
    ),
)
def new_delivery(
    ctx: typer.Context,
    file: FileArg = None,
    order: Annotated[
        str | None, typer.Option("--order", help=_("The sales order, e.g. SO-00042."))
    ] = None,
    location: Annotated[
        str | None,
        typer.Option(
            "--location", help=_("Take the goods from here only; default: where they are.")
        ),
    ] = None,
    when: DateOpt = None,
    fmt: PrintedOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    _run(ctx, db, "delivery", file, fmt, {"order": order, "location": location, "date": when})


@new.command("receipt", help=_("Goods received on a purchase order (lines, quantities)."))
def new_receipt(
    ctx: typer.Context, file: FileArg = None, fmt: PrintedOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    _run(ctx, db, "receipt", file, fmt)
