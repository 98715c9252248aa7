"""Purchases tab: orders by state, the order form with its lines editor, and an order's
page where it is sent, received, billed, paid, cancelled or written to a file."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import day, money, number
from bizdesk.models.purchasing import POState
from bizdesk.screens import orders
from bizdesk.screens.common import ListPane
from bizdesk.services.trade import purchasing as PU
from bizdesk.services.trade.orders import OPEN
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable

COLUMNS = [
    Col("label", "Number", 9),
    Col("supplier", "Supplier", 22),
    Col("state", "State", 18),
    Col("order_date", "Ordered", 10, fmt=day),
    Col("total", "Total", 11, right=True, fmt=money),
]
STATE_KEYS = orders.state_keys(
    POState,
    {
        POState.DRAFT: "drafts",
        POState.RECEIVED: "received, to bill",
        POState.BILLED: "billed, to pay",
    },
)
LINES = orders.order_lines("unit_cost", "Unit cost", PU.POLineInput, PU.preview_totals)


def order_form(view: PU.POView | None = None) -> LinesFormScreen:
    d = PU.po_input(view) if view else PU.POInput()
    fields = [
        Field(
            "supplier",
            "Supplier",
            "contact",
            d.supplier if view is None else view.supplier,
            required=True,
        ),
        Field(
            "order_date", "Order date", value=d.order_date, placeholder="YYYY-MM-DD, empty: today"
        ),
        Field("expected_date", "Expected", value=d.expected_date, placeholder="YYYY-MM-DD"),
        Field("notes", "Notes", value=d.notes),
    ]
    return LINES.form(
        "New purchase order" if view is None else f"Edit {view.label}",
        fields,
        d.lines,
        orders.save_order(view, PU.POInput, PU.create, PU.update),
    )


def receive_form(po: PU.POView) -> FormScreen:
    return orders.quantities_form(
        f"Receive goods on {po.label} (partial is fine)",
        po.lines,
        lambda ln: ln.outstanding,
        lambda ln: f"{ln.sku} ({ln.outstanding} to come)",
        [
            Field("location", "Into location", placeholder="empty: the main location"),
            Field("date", "Received on", placeholder="YYYY-MM-DD, empty: today"),
        ],
        lambda uow, qtys, v: PU.receive(
            uow, po.id, qtys, location=v["location"], when=v["date"], version=po.version
        ),
    )


def bill_form(po: PU.POView, net: Any, vat: Any, loc: str) -> FormScreen:
    def save(uow, v):  # noqa: ANN001, ANN202
        return PU.bill(
            uow,
            po.id,
            reference=v["reference"],
            net=v["net"],
            vat=v["vat"],
            bill_date=v["bill_date"],
            due_date=v["due_date"],
            version=po.version,
        )

    return FormScreen(
        f"Supplier's bill for {po.label}: received goods worth {money(net, loc)} not yet billed",
        [
            Field("reference", "Their invoice number", required=True),
            Field("net", "Net amount", "number", net),
            Field("vat", "VAT", "number", vat),
            Field("bill_date", "Bill date", placeholder="YYYY-MM-DD, empty: today"),
            Field("due_date", "Due", placeholder="YYYY-MM-DD, empty: in 30 days"),
        ],
        save,
    )


def pay_form(bill: PU.BillView, loc: str = "en_US") -> FormScreen:
    return orders.payment_form(
        f"Pay bill {bill.reference} ({money(bill.open, loc)} open)",
        bill.open,
        "Paid from",
        "bank",
        lambda uow, **how: PU.pay(uow, bill.id, **how),
    )


class PurchasesPane(orders.StateFilter, ListPane):
    NOUN = "Purchase orders"
    STATE_KEYS = STATE_KEYS
    HELP = (
        "Purchase orders, newest first. 1 open orders, 2 drafts, 3 sent, 4 confirmed, "
        "5 partially received, 6 received (to bill), 7 billed (to pay), 8 closed, "
        "9 cancelled, 0 all. / filters by number or supplier. n starts an order; enter "
        "opens one to send, receive, bill, pay, cancel or print it."
    )
    BINDINGS = [
        Binding("n", "new", "New order", id="purchases.new"),
        *orders.state_bindings(STATE_KEYS, "purchases"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="po-title", classes="pane-title")
        yield PagedTable(
            PU.list_page,
            COLUMNS,
            sorts=("number", "date"),
            descending=True,
            filters={"state": OPEN},
            id="po-table",
        )

    def on_mount(self) -> None:
        self._title("1")

    def action_new(self) -> None:
        def done(po) -> None:  # noqa: ANN001
            if po is not None:
                self.notify(f"Saved {po.label} as a draft", markup=False)
                self.table.reload()
                self.app.push_screen(PurchaseOrderScreen(po.id), lambda _: self.table.reload())

        self.app.push_screen(order_form(), done)

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(PurchaseOrderScreen(event.row.id), lambda _: self.table.reload())


class PurchaseOrderScreen(orders.OrderScreen):
    """One order: lines with what came and what was billed, bills, payments, postings."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="po.back"),
        Binding("e", "edit", "Edit", id="po.edit"),
        Binding("s", "send", "Sent", id="po.send"),
        Binding("c", "confirm", "Confirmed", id="po.confirm"),
        Binding("r", "receive", "Receive", id="po.receive"),
        Binding("b", "bill", "Bill", id="po.bill"),
        Binding("p", "pay", "Pay", id="po.pay"),
        Binding("x", "cancel_order", "Cancel order", id="po.cancel"),
        Binding("w", "write", "Print", id="po.write"),
        Binding("j", "entries", "Postings", id="po.entries"),
        Binding("g", "party", "Supplier", id="po.supplier"),
    ]
    HELP = (
        "A purchase order. e edits a draft; s marks it sent, c confirmed; r receives goods "
        "(partial is fine, the rest stays on order); b records the supplier's bill (a "
        "different amount is shown and posted as a price difference); p pays a bill; x "
        "cancels before anything arrived; w writes the order to a text file to send; j "
        "lists its journal entries; g opens the supplier."
    )

    SERVICE = PU
    FORM = staticmethod(order_form)
    CANCEL_NOTE = "It stays in the list as cancelled."

    def show(self, po: PU.POView) -> None:
        loc = self.app.locale
        t = Text()
        t.append(f"{po.label}  {po.state.upper()}\n", style="bold")
        t.append(f"Supplier: {po.supplier} · ordered {day(po.order_date)}")
        if po.expected_date:
            t.append(f" · expected {day(po.expected_date)}")
        t.append("\n")
        if po.notes:
            t.append(po.notes + "\n")
        t.append("\nSKU          Qty   Received  Billed   Unit cost        Net\n", style="bold")
        for ln in po.lines:
            t.append(
                f"{ln.sku[:10]:<10} {number(ln.qty, loc):>6} {number(ln.received, loc):>9} "
                f"{number(ln.billed, loc):>7} "
                f"{money(ln.unit_cost, loc):>11} {money(ln.net, loc):>10}  "
            )
            t.append(ln.description[:20] + "\n", style="dim")
        t.append(
            f"Net {money(po.net, loc)} · VAT {money(po.vat, loc)} · total "
            f"{money(po.total, loc)} · received worth {money(po.received_value, loc)}\n"
        )
        if po.bills:
            t.append("\nBills\n", style="bold")
            for b in po.bills:
                diff = (
                    f" · differs from received by {money(b.difference, loc)}"
                    if b.difference
                    else ""
                )
                t.append(
                    f"{b.reference}  {day(b.bill_date)} due {day(b.due_date)}  total "
                    f"{money(b.total, loc)} · paid {money(b.paid, loc)} · open "
                    f"{money(b.open, loc)}{diff}\n"
                )
        self.finish(t, po)

    def action_send(self) -> None:
        v = self.view
        self._act(lambda uow: PU.send(uow, v.id, version=v.version), f"{v.label} marked sent")

    def action_confirm(self) -> None:
        v = self.view
        self._act(lambda uow: PU.confirm(uow, v.id, version=v.version), f"{v.label} confirmed")

    def action_receive(self) -> None:
        if self.view is None:
            return
        if not any(ln.outstanding > 0 for ln in self.view.lines) or self.view.state not in (
            PU.RECEIVABLE_STATES
        ):
            self.notify(f"{self.view.label} is {self.view.state}: nothing to receive now")
            return
        self.app.push_screen(
            receive_form(self.view),
            lambda r: r and (self.notify(f"Received; {r.label} is {r.state}"), self.load()),
        )

    def action_bill(self) -> None:
        v = self.view
        if v is None:
            return

        def got(defaults) -> None:  # noqa: ANN001
            net, vat = defaults
            self.app.push_screen(
                bill_form(v, net, vat, self.app.locale),
                lambda b: b and (self._billed(b), self.load()),
            )

        self.run_service(lambda uow: PU.bill_defaults(uow, v.id), write=False, done=got)

    def _billed(self, b: PU.BillView) -> None:
        loc = self.app.locale
        msg = f"Bill {b.reference} recorded: {money(b.total, loc)}"
        if b.difference:
            msg += (
                f"; {money(b.difference, loc)} differs from the goods received (posted as a "
                "price difference)"
            )
        self.notify(msg, markup=False)

    def action_pay(self) -> None:
        v = self.view
        if v is None:
            return
        open_bills = [b for b in v.bills if b.open > 0]
        if not open_bills:
            self.notify("No open bill on this order")
            return

        def chosen(bill: PU.BillView) -> None:
            self.app.push_screen(
                pay_form(bill, self.app.locale),
                lambda r: r and (self.notify("Payment posted"), self.load()),
            )

        loc = self.app.locale
        self.pick(
            "Pay which bill?",
            [(f"{b.reference}: {money(b.open, loc)} open", b) for b in open_bills],
            chosen,
        )

    def action_write(self) -> None:
        v = self.view
        if v is None:
            return
        self.write_file(v.label, lambda uow, path: PU.write_text(uow, v.id, path))
