"""Making goods: the form of a product's bill of materials (what one unit is made of, and
the labour per unit), opened from the product's page; the assembly orders (a list, opened
from a product's page with o, and an order's page with its keys)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from bizdesk.errors import ValidationError
from bizdesk.formatting import day, money, number, visible, visible_text
from bizdesk.i18n import N_, Message, _, ngettext
from bizdesk.screens.common import (
    FollowsOthers,
    ServiceScreen,
    WithTable,
)
from bizdesk.screens.orders import DATE_HINT, StateFilter, not_complete, state_bindings
from bizdesk.screens.records import AuditedScreen
from bizdesk.services.inventory import products
from bizdesk.services.making import assembly, boms
from bizdesk.services.making import plan as plan_service
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.lines_form import LineColumns, LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.table import Table
from bizdesk.words import BOM_KIND_NAMES


def _totals(uow: Any, lines: list[boms.BomLineInput]) -> Text:  # noqa: ANN401
    cost, bad = boms.preview_cost(uow, lines)
    loc = uow.setting("locale", "en_US")
    return not_complete(
        Text(_("Components per unit at today's cost: {cost}").format(cost=money(cost, loc))), bad
    )


BOM_LINES = LineColumns(
    [
        Field("product", N_("Component (SKU)"), width="3fr", suggest=products.suggest_products),
        Field("qty", N_("Qty per unit"), "number", "1", width="12"),
    ],
    boms.BomLineInput,
    _totals,
)


BOM_KINDS = ["assembly", "kit"]


def bom_form(product: products.ProductView, view: boms.BomView | None) -> LinesFormScreen:
    """A new version of ``product``'s bill of materials, starting from the active one."""
    d = boms.bom_input(view)
    lines = [boms.BomLineInput(p, q) for p, q in d.components]
    fields = [
        Field(
            "kind", N_("Kind"), "select", d.kind, options=BOM_KINDS, option_labels=BOM_KIND_NAMES
        ),
        Field("labour", N_("Labour per unit"), "number", d.labour),
        Field("note", N_("Note"), value=d.note),
    ]
    pid = product.id

    def save(uow: Any, values: dict[str, Any], rows: list[boms.BomLineInput]) -> Any:  # noqa: ANN401
        data = boms.BomInput(
            [(r.product, r.qty) for r in rows],
            values.get("labour", ""),
            values.get("note", ""),
            values.get("kind", "assembly"),
        )
        return boms.set_bom(uow, pid, data)

    title = (
        _("What {sku} is made of").format(sku=product.sku)
        if view is None
        else _("What {sku} is made of (now version {version})").format(
            sku=product.sku, version=view.version
        )
    )
    return BOM_LINES.form(title, fields, lines, save)


# --- assembly orders: the list (open ones, by planned date) and an order's page ------------


def state_name(state: str) -> str:
    return _(assembly.STATE_WORDS.get(state, state))


def new_order_form(sku: str = "") -> FormScreen:
    fields = [
        Field(
            "product",
            N_("Product (SKU)"),
            value=sku,
            required=True,
            suggest=products.suggest_products,
        ),
        Field("qty", N_("Qty"), "number", "1", required=True),
        Field("planned_date", N_("Planned date"), placeholder=DATE_HINT),
        Field("notes", N_("Notes")),
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return assembly.create(
            uow,
            assembly.MOInput(
                values.get("product", ""),
                values.get("qty", ""),
                values.get("planned_date", ""),
                values.get("notes", ""),
            ),
        )

    return FormScreen(_("New assembly order"), fields, save)


def finish_form(mo: assembly.MOView) -> FormScreen:
    fields = [
        Field("qty", N_("Qty made"), "number", mo.open_qty, required=True),
        Field("date", N_("Made on"), placeholder=DATE_HINT),
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        qty = str(values.get("qty") or "").strip()
        if not qty:  # the service reads none as all that is left: here it is asked for
            raise ValidationError({"qty": Message("required")})
        return assembly.finish(uow, mo.id, qty, when=values.get("date", ""), version=mo.version)

    return FormScreen(
        _("Finish {label}: {sku} {name}").format(label=mo.label, sku=mo.sku, name=mo.name),
        fields,
        save,
    )


ORDER_COLUMNS = [
    Col("label", N_("Number"), 8),
    Col("planned_date", N_("Planned"), 10, fmt=day),
    Col("sku", N_("SKU"), 8),
    Col("name", N_("Name"), 13),
    Col("qty", N_("Qty"), 6, right=True, fmt=number),
    Col("done", N_("Made"), 6, right=True, fmt=number),
    Col("state", N_("State"), 14, fmt=state_name, shows=tuple(assembly.STATE_WORDS)),
]
# digit -> (state filter, words): 1 the open orders, then each state, 0 all
ORDER_STATE_KEYS = {
    "1": ("open", N_("open orders")),
    "2": ("draft", N_("drafts")),
    "3": ("confirmed", N_("confirmed, to make")),
    "4": ("partially done", N_("partially done")),
    "5": ("done", N_("done")),
    "6": ("cancelled", N_("cancelled")),
    "0": ("", N_("all orders")),
}


class AssemblyListScreen(StateFilter, WithTable, ServiceScreen):
    """Assembly orders by planned date (the open ones first), paged and filtered; enter
    opens one, n drafts a new one, p shows the production plan."""

    NOUN = N_("Assembly orders")
    STATE_KEYS = ORDER_STATE_KEYS
    REREAD_ON_RESUME = True  # an order opened from here changes
    HELP = N_(
        "Assembly orders by planned date. 1 open, 2 drafts, 3 confirmed, 4 partially done, "
        "5 done, 6 cancelled, 0 all; / filters by number, SKU, name or planned date. enter "
        "opens one, n drafts a new one, p shows the production plan, escape goes back."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="assembly.back"),
        Binding("n", "new", N_("New"), id="assembly.new"),
        Binding("p", "plan", N_("Plan"), id="assembly.plan"),
        *state_bindings(ORDER_STATE_KEYS, "assembly"),
    ]

    def __init__(self, sku: str = "") -> None:
        super().__init__()
        self.sku = sku

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static("", id="mo-title", classes="pane-title")
        yield PagedTable(
            assembly.list_page,
            ORDER_COLUMNS,
            filters={"state": "open", "product": self.sku},
            id="mo-table",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = (
            _("Assembly orders of {sku}").format(sku=self.sku) if self.sku else _("Assembly orders")
        )
        self._title("1")
        self.table.focus_grid()

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        if event.row is not None:
            self.app.push_screen(AssemblyScreen(event.row.id))

    def action_new(self) -> None:
        def done(mo: assembly.MOView | None) -> None:
            if mo is not None:
                self.notify(_("Drafted {label}").format(label=mo.label))
                self.app.push_screen(AssemblyScreen(mo.id))

        self.app.push_screen(new_order_form(self.sku), done)

    def action_plan(self) -> None:
        self.app.push_screen(ProductionPlanScreen())


class ProductionPlanScreen(FollowsOthers, ServiceScreen):
    """The open assembly orders by planned date, and per component what they need, what
    is on hand, reserved, on order and being made, and what is short; d drafts the purchase
    orders."""

    HELP = N_(
        "The production plan: open assembly orders by planned date (enter opens one) and, "
        "per component, what they need, what is on hand, reserved, on order and being made "
        "(by open assembly orders), and what is short. d drafts one purchase order per "
        "supplier for the shortage (a component with no known supplier is named) and an "
        "assembly order for each short component made here (it has a bill of materials; "
        "what that order needs is in the plan next), r reads it again, tab moves between "
        "the tables, escape goes back."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="plan.back"),
        Binding("d", "draft_orders", N_("Order shortage"), id="plan.draft"),
        Binding("r", "reload", N_("Refresh"), id="plan.refresh"),
    ]
    DEFAULT_CSS = """
    ProductionPlanScreen #plan-orders { height: 1fr; }
    ProductionPlanScreen #plan-needs { height: 1fr; }
    ProductionPlanScreen .pane-title { height: 1; }
    ProductionPlanScreen #plan-notes { height: auto; max-height: 4; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.plan: plan_service.Plan | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(_("Open orders by planned date"), classes="pane-title")
        orders = Table(id="plan-orders", cursor_type="row")
        orders.add_columns(
            _("Number"), _("Planned"), _("SKU"), _right(_("Qty")), _right(_("Made")), _("State"),
            _("Name"),
        )  # fmt: skip
        yield orders
        yield Static("", id="plan-short", classes="pane-title")
        needs = Table(id="plan-needs", cursor_type="row")
        needs.add_columns(
            _("Component"),
            *(
                _right(_(t))
                for t in (
                    N_("Needed"),
                    N_("On hand"),
                    N_("Reserved"),
                    N_("On order"),
                    N_("Being made"),
                )
            ),  # fmt: skip
            _right(_("Short")),
            _("Supplier"),
        )
        yield needs
        yield Static("", id="plan-notes")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Production plan")
        self.action_reload()
        self.query_one("#plan-orders", DataTable).focus()

    REREAD_ON_RESUME = True  # an order opened from here changes what is needed

    def reread(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.run_service(plan_service.production_plan, write=False, done=self._show)

    def _show(self, plan: plan_service.Plan) -> None:
        if plan == self.plan:
            return  # read again after a change elsewhere that is not in the plan
        loc = self.app.locale
        self.plan = plan
        orders = self.query_one("#plan-orders", DataTable)
        rows = [
            [
                o.label,
                day(o.planned_date),
                o.sku,
                _right(number(o.qty, loc)),
                _right(number(o.done, loc)),
                state_name(o.state),
                visible(o.name),
            ]
            for o in plan.orders
        ]
        _fill(orders, rows, [o.id for o in plan.orders])
        needs = self.query_one("#plan-needs", DataTable)
        rows = [
            [
                n.sku,
                *(
                    _right(number(q, loc))
                    for q in (n.needed, n.on_hand, n.reserved, n.on_order, n.being_made)
                ),
                Text(number(n.short, loc), style="bold red", justify="right") if n.short else "",
                _source(n),
            ]
            for n in plan.needs
        ]
        _fill(needs, rows, [n.product_id for n in plan.needs])
        notes = self.query_one("#plan-notes", Static)
        notes.update(Text("\n".join(str(m) for m in plan.made_not_bought)))
        notes.display = bool(plan.made_not_bought)
        short = len(plan.shortages)
        title = (
            ngettext("Components: {n} short", "Components: {n} short", short).format(n=short)
            if short
            else _("Components: nothing is short")
        )
        if plan.to_make:
            title += "  " + ngettext(
                "({n} made here: d drafts an assembly order)",
                "({n} made here: d drafts assembly orders)",
                len(plan.to_make),
            ).format(n=len(plan.to_make))
        if plan.more_orders:
            title += "  " + ngettext(
                "(and {n} more open order, not shown)",
                "(and {n} more open orders, not shown)",
                plan.more_orders,
            ).format(n=plan.more_orders)
        self.query_one("#plan-short", Static).update(Text(title))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "plan-orders" or self.plan is None:
            return
        if 0 <= event.cursor_row < len(self.plan.orders):
            self.app.push_screen(AssemblyScreen(self.plan.orders[event.cursor_row].id))

    def action_draft_orders(self) -> None:
        from bizdesk.services.trade.shortage import draft_shortage_orders

        def done(made: Any) -> None:  # noqa: ANN401
            self.notify("\n".join(str(m) for m in made.said), markup=False, timeout=10)
            self.action_reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(draft_shortage_orders, done=done)

        short = self.plan.shortages if self.plan is not None else []
        if not short:
            self.notify(_("Nothing is short: no purchase order drafted."), markup=False)
            return
        buy = self.plan.to_buy
        make = len(self.plan.to_make)
        suppliers = len({n.supplier_id for n in buy if n.supplier_id is not None})
        if not suppliers and not make:  # nothing can be ordered: nothing to ask, only why
            self.run_service(draft_shortage_orders, done=done)
            return
        if make:
            ask = ngettext(
                "Draft orders for {n} short component?",
                "Draft orders for {n} short components?",
                len(short),
            ).format(n=len(short))
            if suppliers:
                ask += " " + ngettext(
                    "Purchase orders: {n} supplier.",
                    "Purchase orders: {n} suppliers.",
                    suppliers,
                ).format(n=suppliers)
            ask += " " + ngettext(
                "Assembly orders: {n} component made here.",
                "Assembly orders: {n} components made here.",
                make,
            ).format(n=make)
            ask += " " + _("The plan is read again first.")
            self.app.push_screen(ConfirmScreen(ask), answered)
            return
        ask = ngettext(
            "Draft purchase orders for {n} short component?",
            "Draft purchase orders for {n} short components?",
            len(short),
        ).format(n=len(short))
        ask += " " + ngettext(
            "({n} supplier; the plan is read again first.)",
            "({n} suppliers; the plan is read again first.)",
            suppliers,
        ).format(n=suppliers)
        self.app.push_screen(ConfirmScreen(ask), answered)


def _fill(table: Table, rows: list[list[str | Text]], keys: list[object]) -> None:
    """``rows`` (their records' ``keys``) in ``table``, the cursor kept on its record, the
    last column (a name) cut with "…" to what the others leave of the screen's width: a
    long name pushed the state and what is made off an 80-column screen, and a supplier's
    name was cut at the edge without a mark."""
    heads = [c.label for c in table.columns.values()]
    widths = [
        max(cell_len(str(h)), *(cell_len(str(r[i])) for r in rows))
        for i, h in enumerate(heads[:-1])
    ]
    width = table.size.width or table.app.size.width
    gutter = table.styles.scrollbar_size_vertical + 2 * table.cell_padding * len(heads)
    room = max(4, width - sum(widths) - gutter)
    cut = []
    for row in rows:
        last = Text(str(row[-1]))
        last.truncate(room, overflow="ellipsis")
        cut.append([*row[:-1], last])
    table.refill(cut, keys)


def _source(n: plan_service.PlanNeed) -> str:
    """Where a component comes from, in the plan's last column: made here, or its supplier
    (none known, when it is short and has none)."""
    if n.made:
        return _("to make")
    return visible(n.supplier) if n.supplier else (_("none known") if n.short else "")


def _right(text: str) -> Text:
    """A quantity (or its column's title) as a table aligns numbers: to the right."""
    return Text(text, justify="right")


class AssemblyScreen(AuditedScreen):
    """One assembly order: what it makes, its components (held, consumed, at what cost);
    h its history."""

    AUDIT_ENTITY = "assembly_order"

    HELP = N_(
        "An assembly order. c confirms it (its components are reserved), f finishes it in "
        "whole or in part (components consumed at average cost, the product received at that "
        "cost plus labour, posted), x cancels it before it is done, escape goes back."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="mo.back"),
        Binding("c", "confirm", N_("Confirm"), id="mo.confirm"),
        Binding("f", "finish", N_("Finish"), id="mo.finish"),
        Binding("x", "cancel_order", N_("Cancel order"), id="mo.cancel"),
    ]

    def fetch(self, uow: Any) -> assembly.MOView:  # noqa: ANN401
        return assembly.get(uow, self.record_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers a step only in a state it is taken from."""
        step = {"confirm": "confirm", "finish": "finish", "cancel_order": "cancel"}.get(action)
        if step is None or self.view is None:
            return super().check_action(action, parameters)
        return self.view.state in assembly.MAY[step]

    def show(self, mo: assembly.MOView) -> None:
        loc = self.app.locale
        t = Text()
        t.append(f"{mo.label}  {mo.sku}  {mo.name}", style="bold")
        t.append("\n")
        t.append(
            _(
                "{state} · planned {date} · made {done} of {qty} {unit} · labour {labour} a unit"
            ).format(
                state=state_name(mo.state),
                date=day(mo.planned_date),
                done=number(mo.done, loc),
                qty=number(mo.qty, loc),
                unit=mo.unit,
                labour=money(mo.labour_per_unit, loc),
            )
            + "\n"
        )
        if mo.notes:
            t.append(mo.notes + "\n")
        if mo.done:
            t.append(
                _("Made so far worth {value} in all, of which labour {labour}").format(
                    value=money(mo.received_value, loc), labour=money(mo.labour_value, loc)
                )
                + "\n"
            )
        t.append("\n" + _("Components") + "\n", style="bold")
        for ln in mo.lines:
            t.append(
                "  "
                + _("{sku} {name}: {qty} {unit}, consumed {consumed} worth {value} in all").format(
                    sku=ln.sku,
                    name=ln.name,
                    qty=number(ln.qty, loc),
                    unit=ln.unit,
                    consumed=number(ln.consumed, loc),
                    value=money(ln.consumed_value, loc),
                )
                + "\n"
            )
        if mo.entries:
            posted = ", ".join(
                f"{e.label} ({day(e.date)}, {money(e.value, loc)})" for e in mo.entries
            )
            t.append("\n" + _("Posted: {entries}").format(entries=posted), style="dim")
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = mo.label

    def _act(self, fn: Any, said: str) -> None:  # noqa: ANN401
        if self.view is None:
            return
        mo = self.view

        def done(_result: Any) -> None:  # noqa: ANN401
            self.notify(said.format(label=mo.label))
            self.load()

        self.run_service(lambda uow: fn(uow, mo.id, version=mo.version), done=done)

    def action_confirm(self) -> None:
        self._act(assembly.confirm, _("Confirmed {label}: its components are reserved"))

    def action_cancel_order(self) -> None:
        if self.view is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(assembly.cancel, _("Cancelled {label}"))

        self.app.push_screen(
            ConfirmScreen(
                _("Cancel {label}? What is made stays made; the rest is no longer held.").format(
                    label=self.view.label
                )
            ),
            answered,
        )

    def action_finish(self) -> None:
        if self.view is None:
            return

        def done(r: assembly.FinishResult | None) -> None:
            if r is not None:
                self.notify(
                    _("Made {qty}, received at {value}, posted {entry}").format(
                        qty=number(r.made, self.app.locale),
                        value=money(r.value, self.app.locale),
                        entry=r.entry_label or "-",
                    )
                )
                self.load()

        self.app.push_screen(finish_form(self.view), done)
