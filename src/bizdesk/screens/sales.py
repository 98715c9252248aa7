"""Sales orders (opened from the Deals tab with `o`): the list by state, the order and
counter-sale forms with their lines editor, and an order's page where it is confirmed,
delivered, invoiced, paid, returned, cancelled or its invoice written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from bizdesk.formatting import day, money, number, visible_text
from bizdesk.screens.common import RecordScreen, ServiceRunner, WithTable, tickets_text
from bizdesk.services.inventory import products
from bizdesk.services.trade import sales as SA
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.pick import PickScreen

COLUMNS = [
    Col("label", "Number", 9),
    Col("customer", "Customer", 20),
    Col("state", "State", 18),
    Col("order_date", "Ordered", 10, fmt=day),
    Col("total", "Total", 11, right=True, fmt=money),
]
STATE_KEYS = {
    "1": ("open", "open orders"),
    "2": ("draft", "drafts"),
    "3": ("confirmed", "confirmed, to deliver"),
    "4": ("partially delivered", "partially delivered"),
    "5": ("delivered", "delivered, to invoice"),
    "6": ("invoiced", "invoiced, to be paid"),
    "7": ("closed", "closed"),
    "8": ("cancelled", "cancelled"),
    "0": ("", "all orders"),
}
LINE_FIELDS = [
    Field("product", "Product (SKU)", width="3fr"),
    Field("qty", "Qty", "number", "1", width="8"),
    Field("unit_price", "Unit price", "number", width="11"),
    Field("vat_rate", "VAT %", "number", width="7"),
    Field("description", "Description", width="2fr"),
]


def _lines(lines: list[dict[str, str]]) -> list[SA.SOLineInput]:
    return [SA.SOLineInput(**ln) for ln in lines]


def _preview(uow, lines: list[dict[str, str]]) -> Text:  # noqa: ANN001
    net, vat, bad = SA.preview_totals(uow, _lines(lines))
    loc = uow.setting("locale", "en_US")
    t = Text(f"Net {money(net, loc)} · VAT {money(vat, loc)} · Total {money(net + vat, loc)}")
    if bad:
        t.append(f"   ({bad} line{'s' if bad > 1 else ''} not complete yet)", style="italic")
    return t


def order_form(view: SA.SOView | None = None) -> LinesFormScreen:
    fields = [
        Field("customer", "Customer", "contact", view.customer if view else "", required=True),
        Field(
            "order_date",
            "Order date",
            value=view.order_date.isoformat() if view else "",
            placeholder="YYYY-MM-DD, empty: today",
        ),
        Field("notes", "Notes", value=view.notes if view else ""),
    ]
    lines = [
        {
            "product": ln.sku,
            "qty": str(ln.qty),
            "unit_price": str(ln.unit_price),
            "vat_rate": str(ln.vat_rate),
            "description": ln.description,
        }
        for ln in (view.lines if view else [])
    ]

    def save(uow, values: dict[str, Any], lines: list[dict[str, str]]):  # noqa: ANN001, ANN202
        data = SA.SOInput(**values, lines=_lines(lines))
        if view is None:
            return SA.create(uow, data)
        return SA.update(uow, view.id, data, version=view.version)

    return LinesFormScreen(
        "New sales order" if view is None else f"Edit {view.label}",
        fields,
        LINE_FIELDS,
        lines,
        save,
        _preview,
        suggesters={"product": products.suggest_products},
    )


def counter_form() -> LinesFormScreen:
    """Sell over the counter: lines, paid now; the customer may stay anonymous."""
    fields = [
        Field("customer", "Customer", "contact", placeholder="empty: walk-in customer"),
        Field("account", "Paid into", "select", "cash", options=SA.PAYMENT_ACCOUNTS),
    ]

    def save(uow, values: dict[str, Any], lines: list[dict[str, str]]):  # noqa: ANN001, ANN202
        return SA.counter_sale(
            uow, _lines(lines), customer=values["customer"], account=values["account"]
        )

    return LinesFormScreen(
        "Counter sale: delivered, invoiced and paid at once",
        fields,
        LINE_FIELDS,
        [],
        save,
        _preview,
        suggesters={"product": products.suggest_products},
    )


def quantities_form(
    title: str,
    so: SA.SOView,
    left,  # noqa: ANN001
    extra: list[Field],
    act,  # noqa: ANN001
    notes: dict[int, str] | None = None,
) -> FormScreen:
    """A quantity per order line (prefilled with what is left), plus a few more fields;
    ``notes`` adds a line under a line's label (where its stock is)."""
    open_lines = [ln for ln in so.lines if left(ln) > 0]
    notes = notes or {}
    fields = [
        Field(
            f"line_{ln.id}",
            f"{(ln.sku or ln.description)[:14]} ({left(ln)} left)"
            + (f"\n{notes[ln.id]}" if ln.id in notes else ""),
            "number",
            left(ln),
        )
        for ln in open_lines
    ] + extra

    def save(uow, v):  # noqa: ANN001, ANN202
        return act(uow, {ln.id: v[f"line_{ln.id}"] for ln in open_lines}, v)

    return FormScreen(title, fields, save)


def pay_form(inv: SA.InvoiceView, loc: str = "en_US") -> FormScreen:
    return FormScreen(
        f"Payment for {inv.label} ({money(inv.open, loc)} open)",
        [
            Field("amount", "Amount", "number", inv.open, required=True),
            Field("account", "Paid into", "select", "bank", options=SA.PAYMENT_ACCOUNTS),
            Field("date", "Paid on", placeholder="YYYY-MM-DD, empty: today"),
        ],
        lambda uow, v: SA.pay(
            uow, inv.id, amount=v["amount"], account=v["account"], when=v["date"]
        ),
    )


def refund_form(inv: SA.InvoiceView, loc: str = "en_US") -> FormScreen:
    return FormScreen(
        f"Refund on {inv.label} ({money(inv.refund_due, loc)} owed back to the customer)",
        [
            Field("amount", "Amount", "number", inv.refund_due, required=True),
            Field("account", "Paid from", "select", "cash", options=SA.PAYMENT_ACCOUNTS),
            Field("date", "Paid on", placeholder="YYYY-MM-DD, empty: today"),
        ],
        lambda uow, v: SA.refund(
            uow, inv.id, amount=v["amount"], account=v["account"], when=v["date"]
        ),
    )


class SalesOrdersScreen(WithTable, ServiceRunner, Screen):
    """Every sales order, newest first, by state."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="sales.back"),
        Binding("n", "new", "New order", id="sales.new"),
        Binding("c", "counter", "Counter sale", id="sales.counter"),
        *(
            Binding(k, f"state('{k}')", words, show=False, id=f"sales.state{k}")
            for k, (_s, words) in STATE_KEYS.items()
        ),
    ]
    HELP = (
        "Sales orders, newest first. 1 open, 2 drafts, 3 confirmed (to deliver), 4 partially "
        "delivered, 5 delivered (to invoice), 6 invoiced (to be paid), 7 closed, 8 cancelled, "
        "0 all. n starts an order, c sells over the counter in one step; enter opens one."
    )

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static("", id="so-title", classes="pane-title")
        yield PagedTable(
            SA.list_page, COLUMNS, descending=True, filters={"state": "open"}, id="so-table"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Sales orders"
        self._title("1")
        self.table.focus_grid()

    def _title(self, key: str) -> None:
        self.query_one("#so-title", Static).update(
            Text(f"Sales orders: {STATE_KEYS[key][1]}  (1-8, 0: by state)")
        )

    def action_state(self, key: str) -> None:
        self.table.set_filters(state=STATE_KEYS[key][0])
        self._title(key)

    def _open(self, so) -> None:  # noqa: ANN001
        if so is not None:
            self.table.reload()
            self.app.push_screen(SalesOrderScreen(so.id), lambda _: self.table.reload())

    def action_new(self) -> None:
        self.app.push_screen(order_form(), self._open)

    def action_counter(self) -> None:
        self.app.push_screen(counter_form(), self._open)

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self._open(event.row)


class SalesOrderScreen(RecordScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="so.back"),
        Binding("e", "edit", "Edit", id="so.edit"),
        Binding("c", "confirm", "Confirm", id="so.confirm"),
        Binding("l", "deliver", "Deliver", id="so.deliver"),
        Binding("i", "invoice", "Invoice", id="so.invoice"),
        Binding("p", "pay", "Payment", id="so.pay"),
        Binding("t", "return_goods", "Return", id="so.return"),
        Binding("x", "cancel_order", "Cancel order", id="so.cancel"),
        Binding("w", "write", "Print invoice", id="so.write"),
        Binding("j", "entries", "Postings", id="so.entries"),
        Binding("g", "customer", "Customer", id="so.customer"),
    ]
    HELP = (
        "A sales order. e edits a draft; c confirms it (its stock is reserved); l delivers "
        "(partial is fine); i invoices what was delivered; p records a payment; t takes "
        "invoiced goods back (a credit note); x cancels before delivery; w writes an invoice "
        "to a text file; j lists its journal entries; g opens the customer."
    )

    def fetch(self, uow):  # noqa: ANN001, ANN201
        from bizdesk.services.crm.tickets import linked_to

        self.tickets = linked_to(uow, "sales_order", self.record_id)
        self.stock = SA.delivery_stock(uow, self.record_id)
        return SA.get(uow, self.record_id)

    def show(self, so: SA.SOView) -> None:
        loc = self.app.locale
        t = Text()
        t.append(f"{so.label}  {so.state.upper()}\n", style="bold")
        t.append(f"Customer: {so.customer} · ordered {day(so.order_date)}")
        if so.deal_id:
            t.append(f" · from deal #{so.deal_id}")
        t.append("\n")
        if so.notes:
            t.append(so.notes + "\n")
        t.append("\nSKU          Qty  Deliv.  Inv.  Ret.  Unit price        Net\n", style="bold")
        for ln in so.lines:
            t.append(
                f"{(ln.sku or '-')[:10]:<10} {number(ln.qty, loc):>5} "
                f"{number(ln.delivered, loc):>7} {number(ln.invoiced, loc):>5} "
                f"{number(ln.returned, loc):>5} {money(ln.unit_price, loc):>11} "
                f"{money(ln.net, loc):>10}  "
            )
            t.append(ln.description[:16] + "\n", style="dim")
        t.append(
            f"Net {money(so.net, loc)} · VAT {money(so.vat, loc)} · total {money(so.total, loc)}\n"
        )
        if so.invoices:
            t.append("\nInvoices and credit notes\n", style="bold")
            for inv in so.invoices:
                t.append(f"{inv.label}  {day(inv.issued_on)}  total {money(inv.total, loc)}")
                if inv.kind == "invoice":
                    t.append(
                        f" · due {day(inv.due_on)} · settled {money(inv.paid, loc)} · "
                        f"open {money(inv.open, loc)}"
                    )
                t.append("\n")
        t.append(tickets_text(self.tickets))
        if so.entries:
            t.append("\nPosted: " + ", ".join(label for _i, label, _m in so.entries), style="dim")
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = so.label

    def _act(self, fn, success: str) -> None:  # noqa: ANN001
        if self.view is not None:
            self.run_service(fn, done=lambda _: self.load(), success=success)

    def action_edit(self) -> None:
        v = self.view
        if v is None:
            return
        if v.state != "draft":
            self.notify(f"{v.label} is {v.state}: only a draft can be changed")
            return
        self.app.push_screen(order_form(v), lambda r: r and self.load())

    def action_confirm(self) -> None:
        v = self.view
        self._act(
            lambda uow: SA.confirm(uow, v.id, version=v.version),
            f"{v.label} confirmed: its stock is reserved",
        )

    def action_deliver(self) -> None:
        v = self.view
        if v is None:
            return
        extra = [
            Field("location", "From location", placeholder="empty: main first, then most on hand"),
            Field("date", "Delivered on", placeholder="YYYY-MM-DD, empty: today"),
        ]
        where = {
            line_id: "on hand: " + ", ".join(f"{s.location} {s.on_hand}" for s in spots)
            for line_id, spots in getattr(self, "stock", {}).items()
        }
        form = quantities_form(
            f"Deliver {v.label} (partial is fine)",
            v,
            lambda ln: ln.to_deliver,
            extra,
            lambda uow, q, f: SA.deliver(
                uow, v.id, q, location=f["location"], when=f["date"], version=v.version
            ),
            notes=where,
        )
        self.app.push_screen(
            form, lambda r: r and (self.notify(f"{r.label} is {r.state}"), self.load())
        )

    def action_invoice(self) -> None:
        v = self.view
        self._act(lambda uow: SA.invoice(uow, v.id, version=v.version), "Invoice issued")

    def _invoices(self, kind: str = "invoice") -> list[SA.InvoiceView]:
        return [i for i in (self.view.invoices if self.view else []) if i.kind == kind]

    def _pick_invoice(self, invoices: list[SA.InvoiceView], then) -> None:  # noqa: ANN001
        if len(invoices) == 1:
            then(invoices[0])
        elif invoices:
            self.app.push_screen(
                PickScreen(
                    "Which one?",
                    [(f"{i.label}  {money(i.total, self.app.locale)}", i) for i in invoices],
                ),
                lambda i: i and then(i),
            )

    def action_pay(self) -> None:
        unpaid = [i for i in self._invoices() if i.open > 0]
        owed = [i for i in self._invoices() if i.refund_due > 0]
        if not unpaid and owed:
            self._pick_invoice(
                owed,
                lambda inv: self.app.push_screen(
                    refund_form(inv, self.app.locale),
                    lambda r: r and (self.notify("Refund posted"), self.load()),
                ),
            )
            return
        if not unpaid:
            self.notify("No open invoice on this order")
            return
        self._pick_invoice(
            unpaid,
            lambda inv: self.app.push_screen(
                pay_form(inv, self.app.locale),
                lambda r: r and (self.notify("Payment posted"), self.load()),
            ),
        )

    def action_return_goods(self) -> None:
        v = self.view
        if v is None:
            return
        extra = [
            Field("reason", "Reason", required=True),
            Field("location", "Into location", placeholder="empty: the main location"),
        ]
        form = quantities_form(
            f"Goods back on {v.label}: a credit note takes back the sale",
            v,
            lambda ln: ln.invoiced - ln.returned,
            extra,
            lambda uow, q, f: SA.return_goods(
                uow, v.id, q, reason=f["reason"], location=f["location"]
            ),
        )
        self.app.push_screen(form, lambda r: r and (self.notify(f"Issued {r.label}"), self.load()))

    def action_cancel_order(self) -> None:
        v = self.view
        if v is None:
            return
        self.app.push_screen(
            ConfirmScreen(f"Cancel {v.label}? Its reservation is released."),
            lambda yes: (
                yes
                and self._act(
                    lambda uow: SA.cancel(uow, v.id, version=v.version), f"{v.label} cancelled"
                )
            ),
        )

    def action_write(self) -> None:
        docs = self._invoices() + self._invoices("credit")
        if not docs:
            self.notify("No invoice yet: i invoices what was delivered")
            return

        def write(inv: SA.InvoiceView) -> None:
            self.app.push_screen(
                FormScreen(
                    f"Write {inv.label} to a text file",
                    [
                        Field(
                            "path",
                            "File",
                            value=str(Path.cwd() / f"{inv.label}.txt"),
                            required=True,
                        )
                    ],
                    lambda uow, values: SA.write_invoice(
                        uow, inv.id, Path(values["path"]).expanduser()
                    ),
                ),
                lambda path: path and self.notify(f"Written to {path}", markup=False),
            )

        self._pick_invoice(docs, write)

    def action_entries(self) -> None:
        v = self.view
        if v is None or not v.entries:
            self.notify("Nothing posted for this order yet")
            return
        from bizdesk.screens.journal import EntryScreen

        self.app.push_screen(
            PickScreen(
                "Journal entries of " + v.label,
                [(f"{label}  {memo}", eid) for eid, label, memo in v.entries],
            ),
            lambda eid: eid and self.app.push_screen(EntryScreen(eid)),
        )

    def action_customer(self) -> None:
        if self.view is not None:
            self.app.action_open_record("contact", self.view.customer_id)
