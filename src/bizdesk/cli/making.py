"""Bills of materials (`bizdesk bom show|set|versions|use`) and assembly orders
(`bizdesk assembly new|show|confirm|finish|cancel|list|plan`)."""

from __future__ import annotations

import sys
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer

from bizdesk.cli.core import (
    DbOpt,
    date_form,
    fail,
    open_store,
    print_json,
    read_named,
    say,
    show,
    typed_date,
    typed_number,
)
from bizdesk.errors import ValidationError
from bizdesk.i18n import _, ngettext
from bizdesk.reading import is_digits, quoted

app = typer.Typer()
bom = typer.Typer(help=_("Bills of materials: what a product is made of."))
app.add_typer(bom, name="bom")

SkuArg = Annotated[str, typer.Argument(help=_("The product's SKU."), show_default=False)]


class Printed(StrEnum):
    TEXT = "text"
    JSON = "json"


FormatOpt = Annotated[Printed, typer.Option("--format", help=_("text or json"))]
MAX_BYTES = 1024 * 1024


def _product_id(uow, sku: str) -> int:  # noqa: ANN001
    from bizdesk.services.base.validate import FieldError
    from bizdesk.services.inventory.products import resolve_product

    try:
        return resolve_product(uow, sku).id
    except FieldError as exc:
        raise ValidationError({"sku": exc.message}) from None


def _version(text: str | None) -> int | None:
    if text is None:
        return None
    if not is_digits(text.strip()):  # not "²": int() fails
        fail(_("{value} is not a version number (1, 2, ...)").format(value=quoted(text, 20)), 2)
    return int(text)


def _print(view, as_json: bool, locale: str) -> None:  # noqa: ANN001
    from rich.table import Column, Table

    from bizdesk.formatting import money, number, visible
    from bizdesk.services.making.boms import bom_json

    if as_json:
        print_json(bom_json(view))
        return
    state = _("active") if view.active else _("not active")
    say(
        _("{sku} {name}, version {version} ({state})").format(
            sku=view.sku, name=visible(view.name), version=view.version, state=state
        )
    )
    if view.is_kit:
        say(_("A kit: sold as one line, delivered as these components."))
    table = Table(
        _("Component"),
        _("Name"),
        Column(_("Quantity"), justify="right"),
        _("Unit cost"),
        _("Cost"),
    )
    for c in view.components:
        table.add_row(
            c.sku,
            visible(c.name),
            f"{number(c.qty, locale)} {c.unit}",
            money(c.unit_cost, locale),
            money(c.cost, locale),
        )
    show(table)
    say(_("Labour per unit: {amount}").format(amount=money(view.labour, locale)))
    say(_("Cost per unit today: {amount}").format(amount=money(view.unit_cost, locale)))
    if view.can_make is not None:
        say(
            _("The parts in stock, less what is promised, make {n}.").format(
                n=number(Decimal(view.can_make), locale)
            )
        )


@bom.command("show", help=_("What a product is made of (its active version, or --version)."))
def bom_show(
    ctx: typer.Context,
    sku: SkuArg,
    version: Annotated[
        str | None, typer.Option("--version", help=_("An older version."), show_default=False)
    ] = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.making.boms import get_bom

    store = open_store(ctx, db)
    with store.read() as uow:
        view = get_bom(uow, _product_id(uow, sku), _version(version))
    _print(view, fmt == Printed.JSON, store.settings().get("locale", "en_US"))


@bom.command(
    "set",
    help=_(
        "A new version of what a product is made of, from JSON (a file, or - or nothing for "
        'standard input): {"components": [{"sku": "WHEEL", "qty": 2}], "labour": "12.50"}; '
        'a kit (sold as one line, delivered as its components): "kind": "kit". What '
        "bom show --format json prints is read too (its version and costs are left aside)."
    ),
)
def bom_set(
    ctx: typer.Context,
    sku: SkuArg,
    file: Annotated[
        str | None,
        typer.Argument(help=_("The JSON file; - or nothing: standard input."), show_default=False),
    ] = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.exchange.new_documents import read_json
    from bizdesk.services.making.boms import bom_input_from_json, set_bom

    if file is None and sys.stdin.isatty():
        fail(_("Give the bill of materials as a JSON file, or - and pipe it in."), 2)
    data = read_named(file or "-", MAX_BYTES)
    if len(data) > MAX_BYTES:
        fail(_("{file}: too large (at most 1 MB)").format(file=file or "-"))
    data_in = bom_input_from_json(read_json(data), sku)
    store = open_store(ctx, db)
    with store.write() as uow:
        view = set_bom(uow, _product_id(uow, sku), data_in)
    _print(view, fmt == Printed.JSON, store.settings().get("locale", "en_US"))


@bom.command("versions", help=_("Every version of a product's bill of materials, newest first."))
def bom_versions(ctx: typer.Context, sku: SkuArg, db: DbOpt = None) -> None:
    from rich.table import Table

    from bizdesk.formatting import moment, money, visible
    from bizdesk.services.base.zones import shop_zone
    from bizdesk.services.making.boms import bom_versions as versions

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = versions(uow, _product_id(uow, sku))
    if not rows:
        say(_("{sku} has no bill of materials.").format(sku=sku.upper()))
        return
    locale = store.settings().get("locale", "en_US")
    table = Table(_("Version"), _("State"), _("Components"), _("Labour"), _("Made"), _("By"))
    for r in rows:
        table.add_row(
            str(r.version),
            _("active") if r.active else "",
            str(r.components),
            money(r.labour, locale),
            moment(r.created_at, shop_zone(store.settings().get)),
            visible(r.created_by),
        )
    show(table)


@bom.command("use", help=_("Make another version of a bill of materials the active one."))
def bom_use(
    ctx: typer.Context,
    sku: SkuArg,
    version: Annotated[str, typer.Argument(help=_("The version number."), show_default=False)],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.making.boms import use_bom_version

    store = open_store(ctx, db)
    with store.write() as uow:
        view = use_bom_version(uow, _product_id(uow, sku), _version(version))
    say(_("{sku}: version {version} is active").format(sku=view.sku, version=view.version))


assembly_app = typer.Typer(help=_("Assembly orders: make products from their components."))
app.add_typer(assembly_app, name="assembly")
LabelArg = Annotated[str, typer.Argument(help=_("The order's number, e.g. MO-00001."))]


def _order_line(mo, locale: str) -> str:  # noqa: ANN001
    from bizdesk.formatting import day, number, visible

    return _("{label} {state}: {done} of {qty} {unit} {sku} {name}, planned {date}").format(
        label=mo.label,
        state=_state(mo.state),
        done=number(mo.done, locale),
        qty=number(mo.qty, locale),
        unit=mo.unit,
        sku=mo.sku,
        name=visible(mo.name),
        date=day(mo.planned_date),
    )


def _state(state: str) -> str:
    from bizdesk.services.making.assembly import STATE_WORDS

    return _(STATE_WORDS.get(state, state))


def _orders_table(orders, loc: str) -> None:  # noqa: ANN001
    """Assembly orders (the list, the plan) as a table; show() right-aligns the figures."""
    from rich.table import Table

    from bizdesk.formatting import day, number, visible

    # the product in one column (its SKU, then its name): a name folds over the width of
    # both, not squeezed into a narrow column of its own beside a narrow SKU
    table = Table(_("Number"), _("Planned"), _("Product"), _("Qty"), _("Made"), _("State"))
    for o in orders:
        table.add_row(
            o.label,
            day(o.planned_date),
            f"{o.sku} {visible(o.name)}",
            number(o.qty, loc),
            number(o.done, loc),
            _state(o.state),
        )
    show(table)


def _order_json(mo) -> dict:  # noqa: ANN001
    return {
        "number": mo.label,
        "sku": mo.sku,
        "name": mo.name,
        "unit": mo.unit,
        "qty": str(mo.qty),
        "done": str(mo.done),
        "state": mo.state,
        "planned_date": mo.planned_date.isoformat(),
        "notes": mo.notes,
        "labour_per_unit": str(mo.labour_per_unit),
        "labour_value": str(mo.labour_value),
        "received_value": str(mo.received_value),
        "components": [
            {
                "sku": ln.sku,
                "name": ln.name,
                "unit": ln.unit,
                "per_unit": str(ln.per_unit),
                "qty": str(ln.qty),
                "consumed": str(ln.consumed),
                "consumed_value": str(ln.consumed_value),
            }
            for ln in mo.lines
        ],
        "entries": [
            {"number": e.label, "date": e.date.isoformat(), "value": str(e.value)}
            for e in mo.entries
        ],
    }


@assembly_app.command(
    "show",
    help=_(
        "An assembly order: what it makes, its components (needed and consumed), the labour, "
        "and what its finishes posted."
    ),
)
def assembly_show(
    ctx: typer.Context, label: LabelArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from rich.table import Column, Table

    from bizdesk.formatting import day, money, number, visible
    from bizdesk.services.making import assembly

    store = open_store(ctx, db)
    with store.read() as uow:
        mo = assembly.get(uow, assembly.find_order(uow, label))
    if fmt == Printed.JSON:
        print_json(_order_json(mo))
        return
    loc = store.settings().get("locale", "en_US")
    say(_order_line(mo, loc))
    if mo.notes:
        say(_("Notes: {value}").format(value=visible(mo.notes)))
    table = Table(
        _("Component"),
        _("Name"),
        Column(_("Qty per unit"), justify="right"),
        Column(_("Needed"), justify="right"),
        Column(_("Consumed"), justify="right"),
        _("Value"),
    )
    for ln in mo.lines:
        table.add_row(
            ln.sku,
            visible(ln.name),
            number(ln.per_unit, loc),
            f"{number(ln.qty, loc)} {ln.unit}",
            number(ln.consumed, loc),
            money(ln.consumed_value, loc),
        )
    show(table)
    say(_("Labour per unit: {amount}").format(amount=money(mo.labour_per_unit, loc)))
    if mo.done:
        say(
            _("Made so far worth {value} in all, of which labour {labour}").format(
                value=money(mo.received_value, loc), labour=money(mo.labour_value, loc)
            )
        )
    if mo.entries:
        posted = ", ".join(f"{e.label} ({day(e.date)}, {money(e.value, loc)})" for e in mo.entries)
        say(_("Posted: {entries}").format(entries=posted))


@assembly_app.command(
    "new",
    help=_("A draft order to make QTY of a product (SKU)."),
    context_settings={"ignore_unknown_options": True},  # -1: refused as a quantity
)
def assembly_new(
    ctx: typer.Context,
    sku: SkuArg,
    qty: Annotated[
        str, typer.Argument(parser=typed_number, help=_("How many to make."), show_default=False)
    ],
    planned: Annotated[
        str | None,
        typer.Option("--date", metavar=date_form(), help=_("The planned date; default: today.")),
    ] = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help=_("Confirm it: its components are reserved."))
    ] = False,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.making import assembly

    store = open_store(ctx, db)
    with store.write() as uow:
        mo = assembly.create(uow, assembly.MOInput(sku, qty, typed_date(planned, "--date") or ""))
        if confirm:
            mo = assembly.confirm(uow, mo.id)
    say(_order_line(mo, store.settings().get("locale", "en_US")))


@assembly_app.command("confirm", help=_("Confirm a draft: its components are reserved."))
def assembly_confirm(ctx: typer.Context, label: LabelArg, db: DbOpt = None) -> None:
    from bizdesk.services.making import assembly

    store = open_store(ctx, db)
    with store.write() as uow:
        mo = assembly.confirm(uow, assembly.find_order(uow, label))
    say(_order_line(mo, store.settings().get("locale", "en_US")))


@assembly_app.command(
    "finish",
    help=_(
        "Make QTY (default: all that is left): the components are consumed at average cost "
        "and the product received at that cost plus labour, posted."
    ),
)
def assembly_finish(
    ctx: typer.Context,
    label: LabelArg,
    qty: Annotated[
        str | None,
        typer.Argument(parser=typed_number, help=_("How many were made."), show_default=False),
    ] = None,
    when: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=date_form(),
            help=_("The day it was made (after the lock date, not after today); default: today."),
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import money
    from bizdesk.services.making import assembly

    store = open_store(ctx, db)
    day = typed_date(when, "--date") or ""
    with store.write() as uow:
        r = assembly.finish(uow, assembly.find_order(uow, label), qty or "", when=day)
    loc = store.settings().get("locale", "en_US")
    say(_order_line(r.order, loc))
    if r.entry_number:
        say(
            _("Received at {value}, posted {entry}").format(
                value=money(r.value, loc), entry=r.entry_label
            )
        )


@assembly_app.command("cancel", help=_("Cancel an order before it is done."))
def assembly_cancel(ctx: typer.Context, label: LabelArg, db: DbOpt = None) -> None:
    from bizdesk.services.making import assembly

    store = open_store(ctx, db)
    with store.write() as uow:
        mo = assembly.cancel(uow, assembly.find_order(uow, label))
    say(_order_line(mo, store.settings().get("locale", "en_US")))


class MOStateOpt(StrEnum):
    OPEN = "open"
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_DONE = "partially done"
    DONE = "done"
    CANCELLED = "cancelled"


@assembly_app.command("list", help=_("Assembly orders by planned date (the open ones)."))
def assembly_list(
    ctx: typer.Context,
    state: Annotated[
        MOStateOpt, typer.Option("--state", help=_("open (default) or one state"))
    ] = MOStateOpt.OPEN,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:

    from bizdesk.services.making import assembly

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = assembly.list_orders(uow, None if state == MOStateOpt.OPEN else state.value)
    if fmt == Printed.JSON:
        print_json(
            [
                {
                    "number": r.label,
                    "planned_date": r.planned_date.isoformat(),
                    "sku": r.sku,
                    "qty": str(r.qty),
                    "done": str(r.done),
                    "state": r.state,
                }
                for r in rows
            ]
        )
        return
    loc = store.settings().get("locale", "en_US")
    _orders_table(rows, loc)


@assembly_app.command(
    "plan",
    help=_(
        "The production plan: open orders by planned date and, per component, what is "
        "needed, on hand, reserved, on order, being made and short; --draft-orders drafts "
        "one purchase order per supplier for the shortage, and an assembly order for each "
        "short component made here (it has a bill of materials)."
    ),
)
def assembly_plan(
    ctx: typer.Context,
    draft_orders: Annotated[
        bool,
        typer.Option("--draft-orders", help=_("Draft purchase orders for what is short.")),
    ] = False,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import number, visible
    from bizdesk.services.making.plan import plan_json, production_plan

    store = open_store(ctx, db)
    loc = store.settings().get("locale", "en_US")
    if draft_orders:
        from bizdesk.services.trade.shortage import draft_shortage_orders

        with store.write() as uow:
            made = draft_shortage_orders(uow)
        if fmt == Printed.JSON:
            print_json(
                {
                    "orders": [po.label for po in made.orders],
                    "assembly_orders": [mo.label for mo in made.assemblies],
                    "notes": [str(m) for m in made.notes],
                    "not_ordered": [str(m) for m in made.skipped],
                }
            )
            return
        for line in made.said:
            say(str(line))
        return
    with store.read() as uow:
        plan = production_plan(uow)
    if fmt == Printed.JSON:
        print_json(plan_json(plan))
        return
    _orders_table(plan.orders, loc)
    if plan.more_orders:
        say(
            ngettext(
                "… and {n} more open order", "… and {n} more open orders", plan.more_orders
            ).format(n=plan.more_orders)
        )
    table = Table(
        _("Component"),
        _("Needed"),
        _("On hand"),
        _("Reserved"),
        _("On order"),
        _("Being made"),
        _("Short"),
        _("Supplier"),
    )
    for n in plan.needs:
        table.add_row(
            n.sku,
            number(n.needed, loc),
            number(n.on_hand, loc),
            number(n.reserved, loc),
            number(n.on_order, loc),
            number(n.being_made, loc),
            number(n.short, loc) if n.short else "",
            _("to make")
            if n.made
            else (visible(n.supplier) if n.supplier else (_("none known") if n.short else "")),
        )
    show(table)
    for note in plan.made_not_bought:
        say(str(note))
