"""Stock tab: products with on hand and value, a product's page with its moves, and the
forms that move stock (adjust, count, transfer) or order more (low stock -> draft orders)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from babel.numbers import format_percent
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import moment, money, number, visible, visible_text
from bizdesk.i18n import N_, _, tr
from bizdesk.screens.common import tickets_text
from bizdesk.screens.journal import fit
from bizdesk.screens.records import RecordActions, RecordKind, RecordListPane, RecordPage
from bizdesk.services.base.numbering import JOURNAL
from bizdesk.services.base.permissions import allowed
from bizdesk.services.books.ledger import suggest_accounts
from bizdesk.services.inventory import moves, products
from bizdesk.services.inventory.locations import suggest_locations
from bizdesk.services.overview.dashboard import BESIDE_THE_BOOKS
from bizdesk.services.trade import purchasing as PU
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen, record_form
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable

COLUMNS = [
    Col("sku", N_("SKU"), 12),
    Col("name", N_("Name"), 18),
    Col("on_hand", N_("On hand"), 8, right=True, fmt=number),
    Col("available", N_("Avail."), 7, right=True, fmt=number),
    Col("value", N_("Value"), 10, right=True, fmt=money),
    Col("sale_price", N_("Price"), 8, right=True, fmt=money),
    Col("low", N_("Low"), 3, fmt=lambda low: _("LOW") if low else ""),
]
# what people read for a move's kind (stored in English)
MOVE_KINDS = {
    "receipt": N_("receipt"),
    "delivery": N_("delivery"),
    "return": N_("return"),
    "adjustment": N_("adjustment"),
    "count": N_("count"),
    "transfer": N_("transfer"),
    "consumed": N_("consumed"),
    "made": N_("made"),
}
MOVE_COLUMNS = [
    Col("at", N_("When"), 16, fmt=moment),
    Col("kind", N_("Kind"), 10, fmt=lambda kind: _(MOVE_KINDS.get(kind, kind)) if kind else ""),
    Col("location", N_("Where"), 9),
    Col("qty", N_("Qty"), 8, right=True, fmt=number),
    Col("value", N_("Value"), 10, right=True, fmt=money),
    Col("note", N_("Reason / source"), 15),
]


def percent(rate: object, locale: str) -> str:
    """A rate in percent (``20`` -> "20%", "20 %" in Spanish) as the shop's locale writes it."""
    return format_percent(Decimal(str(rate)) / 100, locale=locale, decimal_quantization=False)


def product_fields(
    view: products.ProductView | None = None, new: products.ProductInput | None = None
) -> list[Field]:
    d = products.product_input(view) if view else new or products.ProductInput(vat_rate="0")
    return [
        Field("sku", N_("SKU"), value=d.sku, required=True),
        Field("name", N_("Name"), value=d.name, required=True),
        Field("unit", N_("Unit"), value=d.unit, placeholder=N_("pcs, kg, m")),
        Field("sale_price", N_("Sale price"), "number", d.sale_price),
        Field("cost", N_("Usual cost"), "number", d.cost),
        Field("vat_rate", N_("VAT %"), "number", d.vat_rate),
        Field("supplier", N_("Default supplier"), "contact", d.supplier),
        Field("reorder_point", N_("Reorder at (qty)"), "number", d.reorder_point),
        Field("reorder_qty", N_("Reorder quantity"), "number", d.reorder_qty),
        Field("allow_negative", N_("May go below zero"), "checkbox", d.allow_negative),
        Field("stocked", N_("Kept in stock (off: a service)"), "checkbox", d.stocked),
    ]


def product_form(
    view: products.ProductView | None = None, new: products.ProductInput | None = None
) -> FormScreen:
    return record_form(
        "product",
        lambda shown: product_fields(shown, new),
        view=view,
        get=products.get_product,
        create=lambda uow, values: products.create_product(uow, products.ProductInput(**values)),
        update=lambda uow, pid, values, version: products.update_product(
            uow, pid, products.ProductInput(**values), version=version
        ),
    )


def adjust_form(product_id: int, label: str, books: bool = False) -> FormScreen:
    return FormScreen(
        _("Adjust stock of {product}").format(product=label),
        [
            Field(
                "qty",
                N_("Change (+ in, - out)"),
                "number",
                required=True,
                placeholder=N_("-2 or 5"),
            ),
            Field("reason", N_("Reason"), required=True, placeholder=N_("breakage, found, sample")),
            *_where_and_cost(books),
        ],
        lambda uow, v: moves.adjust(
            uow,
            product_id,
            v["qty"],
            v["reason"],
            location=v["location"],
            unit_cost=v["unit_cost"],
            against=v.get("against", ""),
        ),
    )


def _where_and_cost(books: bool) -> list[Field]:
    """Where stock is adjusted or counted, what stock coming in is worth a unit (opening
    stock, a find; else the average cost) and, for those who write journal entries, the
    account the change posts against (opening stock against equity)."""
    fields = [
        Field(
            "location",
            N_("Location"),
            placeholder=N_("empty: the main location"),
            suggest=suggest_locations,
        ),
        Field(
            "unit_cost",
            N_("Unit cost (stock in)"),
            "number",
            placeholder=N_("empty: the average cost"),
        ),
    ]
    if books:
        fields.append(
            Field(
                "against",
                N_("Against account"),
                placeholder=N_("empty: stock adjustments"),
                suggest=suggest_accounts,
            )
        )
    return fields


def count_form(product_id: int, label: str, books: bool = False) -> FormScreen:
    return FormScreen(
        _("Count {product}").format(product=label),
        [
            Field("counted", N_("Counted quantity"), "number", required=True),
            Field("reason", N_("Reason"), value=_("stock count")),
            *_where_and_cost(books),
        ],
        lambda uow, v: moves.count(
            uow,
            product_id,
            v["counted"],
            v["reason"],
            location=v["location"],
            unit_cost=v["unit_cost"],
            against=v.get("against", ""),
        ),
    )


def transfer_form(product_id: int, label: str) -> FormScreen:
    return FormScreen(
        _("Move {product} between locations").format(product=label),
        [
            Field("qty", N_("Quantity"), "number", required=True),
            Field(
                "from_location",
                N_("From"),
                placeholder=N_("empty: the main location"),
                suggest=suggest_locations,
            ),
            Field("to_location", N_("To"), required=True, suggest=suggest_locations),
        ],
        lambda uow, v: moves.transfer(
            uow, product_id, v["qty"], v["from_location"], v["to_location"]
        ),
    )


def moved(widget, result) -> None:  # noqa: ANN001
    """Say what a stock form did, including the journal entry it posted."""
    if result is None:
        return
    if result.moved:  # a transfer (it said "Counted: matches the books")
        widget.notify(
            _("Moved {qty} from {source} to {place}").format(
                qty=number(result.moved, widget.app.locale),
                source=result.from_location,
                place=result.to_location,
            ),
            markup=False,
        )
        return
    if not result.qty:
        widget.notify(_("Counted: matches the books, nothing posted"))
        return
    qty = number(result.qty, widget.app.locale)
    if result.entry_number:
        said = _("Stock changed by {qty}, posted {entry}").format(
            qty=qty, entry=JOURNAL.label(result.entry_number)
        )
    elif result.qty > 0:  # in at no value: said, so that a cost left out is seen
        said = _(
            "Stock changed by {qty}, valued at 0: no cost known (type a unit cost to value "
            "stock coming in)"
        ).format(qty=qty)
    else:
        said = _("Stock changed by {qty}").format(qty=qty)
    widget.notify(said, markup=False)


PRODUCT = RecordKind(
    "product",
    get=products.get_product,
    label=lambda view: f"{view.sku} {view.name}",
    page=lambda product_id: ProductScreen(product_id),
    form=lambda view, new: product_form(view, new),
    prepare=products.new_product_input,
    archive=lambda uow, product_id, *, version: products.set_product_active(
        uow, product_id, False, version=version
    ),
)


class StockActions(RecordActions):
    """The record keys, and the stock forms (adjust, count, transfer), for the list and a
    product's page."""

    RECORD = PRODUCT

    def archive_question(self, view: products.ProductView) -> str:
        return _("Archive {product}? Its history stays; it leaves lists and pickers.").format(
            product=PRODUCT.label(view)
        )

    def _stock_form(self, make) -> None:  # noqa: ANN001
        def show(view: products.ProductView) -> None:
            self.app.push_screen(
                make(view.id, PRODUCT.label(view)),
                lambda r: (moved(self, r), self.after_change()),
            )

        record_id = self.current_id()
        if self.current_view() is not None or record_id is None:  # a page: its keys hide
            self.with_record(show)
            return

        def checked(got: tuple) -> None:
            view, why = got
            if why is not None:  # a kit or a service on the list: said before any form
                self.notify(str(why), severity="warning", markup=False)
            else:
                show(view)

        self.run_service(
            lambda uow: (PRODUCT.get(uow, record_id), moves.why_not_moved(uow, record_id)),
            write=False,
            done=checked,
        )

    def action_adjust(self) -> None:
        self._stock_form(partial(adjust_form, books=allowed(self.app.role, "journal.post")))

    def action_count(self) -> None:
        self._stock_form(partial(count_form, books=allowed(self.app.role, "journal.post")))

    def action_transfer(self) -> None:
        self._stock_form(transfer_form)


STOCK_KEYS = [
    Binding("e", "edit", N_("Edit"), id="stock.edit"),
    Binding("a", "adjust", N_("Adjust"), id="stock.adjust"),
    Binding("c", "count", N_("Count"), id="stock.count"),
    Binding("t", "transfer", N_("Transfer"), id="stock.transfer"),
    Binding("d", "archive", N_("Archive"), id="stock.archive"),
]


class StockPane(StockActions, RecordListPane):
    HELP = N_(
        "Products with what is on hand and its value at moving-average cost. / filters by "
        "SKU or name, s sorts. a adjusts stock with a reason, c enters a count (the "
        "difference is posted), t moves stock between locations. l shows only low stock; "
        "o then drafts one purchase order per supplier for everything that needs ordering."
    )
    BINDINGS = [
        Binding("n", "new", N_("New"), id="stock.new"),
        *STOCK_KEYS,
        Binding("l", "low", N_("Low stock"), id="stock.low"),
        Binding("o", "reorder", N_("Draft orders"), id="stock.reorder"),
    ]
    # products and their stock: nothing of the customer side (app.shows_any)
    NOT_SHOWN = BESIDE_THE_BOOKS

    def compose(self) -> ComposeResult:
        yield PagedTable(
            products.list_products,
            fit(COLUMNS, "low", [N_("LOW")], giver="name"),
            sorts=("name", "sku"),
            id="stock-table",
        )

    def action_low(self) -> None:
        low = not self.table.req.filters.get("low")
        self.table.set_filters(low=low)
        self.notify(_("Showing low stock only") if low else _("Showing every product"))

    def action_reorder(self) -> None:
        def done(result) -> None:  # noqa: ANN001
            orders, skipped = result
            if orders:
                labels = ", ".join(f"{o.label} ({o.supplier})" for o in orders)
                self.notify(
                    _("Drafted {orders}: see the Purchases tab").format(orders=labels),
                    markup=False,
                )
            else:
                self.notify(_("Nothing needs ordering: stock and open orders cover it"))
            for s in skipped:
                self.notify(tr(s), severity="warning", markup=False)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_service(PU.draft_reorders, done=done)

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Draft a purchase order per supplier for every product at or below its "
                    "reorder point (minus what is already on order)?"
                )
            ),
            confirmed,
        )


def bom_text(b, loc: str) -> str:  # noqa: ANN001
    """ "Made of 2 WHEEL, 1 FRAME + labour 12.50 = 132.50 a unit today (version 2)", and how
    many the parts in stock make (a kit shows no stock of its own: 0 read as none to sell)."""
    parts = ", ".join(f"{number(c.qty, loc)} {c.sku}" for c in b.components)
    if b.is_kit:
        text = _(
            "A kit of {parts}: sold as one line, delivered as its parts (version {version})"
        ).format(parts=parts, version=b.version)
    else:
        text = _(
            "Made of {parts} + labour {labour} = {cost} a unit today (version {version})"
        ).format(
            parts=parts,
            labour=money(b.labour, loc),
            cost=money(b.unit_cost, loc),
            version=b.version,
        )
    if b.can_make is not None:
        text += "\n" + _("The parts in stock, less what is promised, make {n}.").format(
            n=number(Decimal(b.can_make), loc)
        )
    return text


class ProductScreen(StockActions, RecordPage):
    """One product: prices, stock per location, value, and its move history (paged)."""

    AUDIT_ENTITY = "product"

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="product.back"),
        *STOCK_KEYS,
        Binding("m", "bom", N_("Made of"), id="product.bom"),
        Binding("o", "assembly", N_("Assembly"), id="product.assembly"),
    ]
    HELP = N_(
        "A product's page with its stock per location and every move, newest first. "
        "a adjusts, c counts, t transfers, e edits, m sets what it is made of (a new "
        "version of its bill of materials), o lists the assembly orders, escape goes back."
    )
    bom = None  # the active bill of materials, read with the product
    holds_stock = True  # as last shown: not a service, not a kit (check_action)

    DEFAULT_CSS = """
    ProductScreen #details { height: auto; padding: 0 1; }
    ProductScreen PagedTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(_("Loading…"), id="details")
        pid = self.record_id
        yield PagedTable(
            lambda uow, req: moves.product_moves(uow, pid, req), MOVE_COLUMNS, id="moves"
        )
        yield KeysFooter()

    def fetch(self, uow):  # noqa: ANN001, ANN201
        from bizdesk.services.crm.tickets import linked_to
        from bizdesk.services.making.boms import find_bom

        self.tickets = linked_to(uow, "product", self.record_id)
        self.bom = find_bom(uow, self.record_id)
        return products.get_product(uow, self.record_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Adjust, count and transfer are not offered for what holds no stock of its own: a
        service, or a kit (delivered as its parts, which are counted and moved on their own
        pages). The service refuses them too (moves.not_stocked)."""
        if action == "history":
            return self.may_see_history()
        if action in ("adjust", "count", "transfer"):
            return self.holds_stock
        return True

    def action_assembly(self) -> None:
        from bizdesk.screens.making import AssemblyListScreen

        self.app.push_screen(AssemblyListScreen(self.view.sku if self.view else ""))

    def action_bom(self) -> None:
        from bizdesk.screens.making import bom_form

        def show(view: products.ProductView) -> None:
            def done(result) -> None:  # noqa: ANN001
                if result is not None:
                    self.notify(
                        _("{sku}: version {version} of what it is made of is saved").format(
                            sku=result.sku, version=result.version
                        )
                    )
                    self.after_change()

            self.app.push_screen(bom_form(view, self.bom), done)

        self.with_record(show)

    def show(self, v: products.ProductView) -> None:
        self.holds_stock = v.stocked and not (self.bom is not None and self.bom.is_kit)
        loc = self.app.locale
        t = Text()
        t.append(f"{v.sku}  {v.name}", style="bold")
        t.append("  " + _("ARCHIVED") + "\n" if not v.active else "\n")
        t.append(
            _(
                "On hand {on_hand} {unit} · reserved {reserved} · available {available} · "
                "on order {on_order} · value {value} · average cost {average_cost}"
            ).format(
                on_hand=number(v.on_hand, loc),
                unit=v.unit,
                reserved=number(v.reserved, loc),
                available=number(v.available, loc),
                on_order=number(v.on_order, loc),
                value=money(v.value, loc),
                average_cost=money(v.average_cost, loc),
            )
            + "\n"
        )
        t.append(
            _(
                "Sale price {price} · usual cost {cost} · VAT {vat} · reorder at {reorder} "
                "(order {reorder_qty})"
            ).format(
                price=money(v.sale_price, loc),
                cost=money(v.cost, loc),
                vat=percent(v.vat_rate, loc),
                reorder=number(v.reorder_point, loc),
                reorder_qty=number(v.reorder_qty, loc),
            )
            + "\n"
        )
        where = ", ".join(f"{x.location} {number(x.on_hand, loc)}" for x in v.locations)
        facts = [
            _("Supplier: {supplier}").format(supplier=v.supplier or "-"),
            _("stock at: {places}").format(places=where or _("nowhere")),
        ]
        if v.allow_negative:
            facts.append(_("may go below zero"))
        if not v.stocked:
            facts.append(_("a service: not kept in stock"))
        t.append(" · ".join(facts))
        if self.bom is not None:
            t.append("\n")
            t.append(bom_text(self.bom, loc))
        about = tickets_text(self.tickets)
        about.rstrip()
        t.append(about)
        self.query_one("#details", Static).update(visible_text(t))
        self.sub_title = visible(v.sku)

    def after_change(self, view: products.ProductView | None = None) -> None:
        super().after_change(view)
        self.query_one(PagedTable).reload()

    def reread(self) -> None:
        """Someone else (or a screen opened over it: an assembly order finished) moved its
        stock: the moves are read again too, not only the figures above them."""
        super().reread()
        self.query_one(PagedTable).reload()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(PagedTable).focus_grid()
