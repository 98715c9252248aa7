"""Purchases tab: orders by state, the order form with its lines editor, and an order's
page where it is sent, received, billed, paid, cancelled or written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import day, money, number, visible_text
from bizdesk.screens.common import ListPane, RecordScreen, tickets_text
from bizdesk.services.inventory import products
from bizdesk.services.trade import purchasing as PU
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.pick import PickScreen

COLUMNS = [
    Col("label", "Number", 9),
    Col("supplier", "Supplier", 22),
    Col("state", "State", 18),
    Col("order_date", "Ordered", 10, fmt=day),
    Col("total", "Total", 11, right=True, fmt=money),
]
# key -> (state filter, words)
STATE_KEYS = {
    "1": ("open", "open orders"),
    "2": ("draft", "drafts"),
    "3": ("sent", "sent"),
    "4": ("confirmed", "confirmed"),
    "5": ("partially received", "partially received"),
    "6": ("received", "received, to bill"),
    "7": ("billed", "billed, to pay"),
    "8": ("closed", "closed"),
    "9": ("cancelled", "cancelled"),
    "0": ("", "all orders"),
}
LINE_FIELDS = [
    Field("product", "Product (SKU)", width="3fr"),
    Field("qty", "Qty", "number", "1", width="8"),
    Field("unit_cost", "Unit cost", "number", width="11"),
    Field("vat_rate", "VAT %", "number", width="7"),
    Field("description", "Description", width="2fr"),
]


def _lines(lines: list[dict[str, str]]) -> list[PU.POLineInput]:
    return [PU.POLineInput(**ln) for ln in lines]


def _preview(uow, lines: list[dict[str, str]]) -> Text:  # noqa: ANN001
    net, vat, bad = PU.preview_totals(uow, _lines(lines))
    loc = uow.setting("locale", "en_US")
    t = Text(f"Net {money(net, loc)} · VAT {money(vat, loc)} · Total {money(net + vat, loc)}")
    if bad:
        t.append(f"   ({bad} line{'s' if bad > 1 else ''} not complete yet)", style="italic")
    return t


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
    lines = [
        {
            "product": ln.product,
            "qty": ln.qty,
            "unit_cost": ln.unit_cost,
            "vat_rate": ln.vat_rate,
            "description": ln.description,
        }
        for ln in d.lines
    ]

    def save(uow, values: dict[str, Any], lines: list[dict[str, str]]):  # noqa: ANN001, ANN202
        data = PU.POInput(**values, lines=_lines(lines))
        if view is None:
            return PU.create(uow, data)
        return PU.update(uow, view.id, data, version=view.version)

    title = "New purchase order" if view is None else f"Edit {view.label}"
    return LinesFormScreen(
        title,
        fields,
        LINE_FIELDS,
        lines,
        save,
        _preview,
        suggesters={"product": products.suggest_products},
    )


def receive_form(po: PU.POView) -> FormScreen:
    open_lines = [ln for ln in po.lines if ln.outstanding > 0]
    fields = [
        Field(f"line_{ln.id}", f"{ln.sku} ({ln.outstanding} to come)", "number", ln.outstanding)
        for ln in open_lines
    ]
    fields += [
        Field("location", "Into location", placeholder="empty: the main location"),
        Field("date", "Received on", placeholder="YYYY-MM-DD, empty: today"),
    ]

    def save(uow, v):  # noqa: ANN001, ANN202
        qtys = {ln.id: v[f"line_{ln.id}"] for ln in open_lines}
        return PU.receive(
            uow, po.id, qtys, location=v["location"], when=v["date"], version=po.version
        )

    return FormScreen(f"Receive goods on {po.label} (partial is fine)", fields, save)


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
    return FormScreen(
        f"Pay bill {bill.reference} ({money(bill.open, loc)} open)",
        [
            Field("amount", "Amount", "number", bill.open, required=True),
            Field("account", "Paid from", "select", "bank", options=PU.PAYMENT_ACCOUNTS),
            Field("date", "Paid on", placeholder="YYYY-MM-DD, empty: today"),
        ],
        lambda uow, v: PU.pay(
            uow, bill.id, amount=v["amount"], account=v["account"], when=v["date"]
        ),
    )


class PurchasesPane(ListPane):
    HELP = (
        "Purchase orders, newest first. 1 open orders, 2 drafts, 3 sent, 4 confirmed, "
        "5 partially received, 6 received (to bill), 7 billed (to pay), 8 closed, "
        "9 cancelled, 0 all. / filters by number or supplier. n starts an order; enter "
        "opens one to send, receive, bill, pay, cancel or print it."
    )
    BINDINGS = [
        Binding("n", "new", "New order", id="purchases.new"),
        *(
            Binding(k, f"state('{k}')", words, show=False, id=f"purchases.state{k}")
            for k, (_s, words) in STATE_KEYS.items()
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="po-title", classes="pane-title")
        yield PagedTable(
            PU.list_page,
            COLUMNS,
            sorts=("number", "date"),
            descending=True,
            filters={"state": "open"},
            id="po-table",
        )

    def on_mount(self) -> None:
        self._title("1")

    def _title(self, key: str) -> None:
        self.query_one("#po-title", Static).update(
            Text(f"Purchase orders: {STATE_KEYS[key][1]}  (1-9, 0: by state)")
        )

    def action_state(self, key: str) -> None:
        self.table.set_filters(state=STATE_KEYS[key][0])
        self._title(key)

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


class PurchaseOrderScreen(RecordScreen):
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
        Binding("g", "supplier", "Supplier", id="po.supplier"),
    ]
    HELP = (
        "A purchase order. e edits a draft; s marks it sent, c confirmed; r receives goods "
        "(partial is fine, the rest stays on order); b records the supplier's bill (a "
        "different amount is shown and posted as a price difference); p pays a bill; x "
        "cancels before anything arrived; w writes the order to a text file to send; j "
        "lists its journal entries; g opens the supplier."
    )

    def fetch(self, uow):  # noqa: ANN001, ANN201
        from bizdesk.services.crm.tickets import linked_to

        self.tickets = linked_to(uow, "purchase_order", self.record_id)
        return PU.get(uow, self.record_id)

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
        t.append(tickets_text(self.tickets))
        if po.entries:
            t.append("\nPosted: " + ", ".join(label for _i, label, _m in po.entries), style="dim")
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = po.label

    def _act(self, fn, success: str) -> None:  # noqa: ANN001
        if self.view is not None:
            self.run_service(fn, done=lambda _: self.load(), success=success)

    def action_edit(self) -> None:
        if self.view is None:
            return
        if self.view.state != "draft":
            self.notify(f"{self.view.label} is {self.view.state}: only a draft can be changed")
            return
        self.app.push_screen(order_form(self.view), lambda r: r and self.load())

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

        def chosen(bill) -> None:  # noqa: ANN001
            if bill is not None:
                self.app.push_screen(
                    pay_form(bill, self.app.locale),
                    lambda r: r and (self.notify("Payment posted"), self.load()),
                )

        if len(open_bills) == 1:
            chosen(open_bills[0])
        else:
            self.app.push_screen(
                PickScreen(
                    "Pay which bill?",
                    [
                        (f"{b.reference}: {money(b.open, self.app.locale)} open", b)
                        for b in open_bills
                    ],
                ),
                chosen,
            )

    def action_cancel_order(self) -> None:
        v = self.view
        if v is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._act(
                    lambda uow: PU.cancel(uow, v.id, version=v.version), f"{v.label} cancelled"
                )

        self.app.push_screen(
            ConfirmScreen(f"Cancel {v.label}? It stays in the list as cancelled."), confirmed
        )

    def action_write(self) -> None:
        v = self.view
        if v is None:
            return
        default = str(Path.cwd() / f"{v.label}.txt")
        self.app.push_screen(
            FormScreen(
                f"Write {v.label} to a text file",
                [Field("path", "File", value=default, required=True)],
                lambda uow, values: PU.write_text(uow, v.id, Path(values["path"]).expanduser()),
            ),
            lambda path: path and self.notify(f"Written to {path}", markup=False),
        )

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

    def action_supplier(self) -> None:
        if self.view is not None:
            self.app.action_open_record("contact", self.view.supplier_id)
