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
from bizdesk.i18n import N_, _
from bizdesk.models.purchasing import POState
from bizdesk.screens import orders
from bizdesk.screens.common import ListPane
from bizdesk.screens.records import print_paper
from bizdesk.services.inventory.locations import suggest_locations
from bizdesk.services.trade import purchasing as PU
from bizdesk.services.trade.orders import OPEN
from bizdesk.widgets.field import DATE_FORM
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable

COLUMNS = [
    Col("label", N_("Number"), 9),
    Col("supplier", N_("Supplier"), 22),
    Col("state", N_("State"), 18, fmt=orders.state_name, shows=tuple(POState)),
    Col("order_date", N_("Ordered"), 10, fmt=day),
    Col("total", N_("Total"), 11, right=True, fmt=money),
]
STATE_KEYS = orders.state_keys(
    POState,
    {
        POState.DRAFT: N_("drafts"),
        POState.RECEIVED: N_("received, to bill"),
        POState.BILLED: N_("billed, to pay"),
    },
)
LINES = orders.order_lines("unit_cost", N_("Unit cost"), PU.POLineInput, PU.preview_totals)


def order_form(view: PU.POView | None = None) -> LinesFormScreen:
    d = PU.po_input(view) if view else PU.POInput()
    fields = [
        Field(
            "supplier",
            N_("Supplier"),
            "contact",
            d.supplier if view is None else view.supplier,
            required=True,
        ),
        Field("order_date", N_("Order date"), value=d.order_date, placeholder=orders.DATE_HINT),
        Field("expected_date", N_("Expected"), value=d.expected_date, placeholder=DATE_FORM),
        Field("notes", N_("Notes"), value=d.notes),
    ]
    return LINES.form(
        _("New purchase order") if view is None else _("Edit {label}").format(label=view.label),
        fields,
        d.lines,
        orders.save_order(view, PU.POInput, PU.create, PU.update),
    )


def receive_form(po: PU.POView, loc: str = "en_US") -> FormScreen:
    return orders.quantities_form(
        _("Receive goods on {label} (partial is fine)").format(label=po.label),
        po.lines,
        lambda ln: ln.outstanding,
        lambda ln: _("{product} ({left} to come)").format(
            product=ln.sku, left=number(ln.outstanding, loc)
        ),
        [
            Field(
                "location",
                N_("Into location"),
                placeholder=N_("empty: the main location"),
                suggest=suggest_locations,
            ),
            Field("date", N_("Received on"), placeholder=orders.DATE_HINT),
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
        _("Supplier's bill for {label}: received goods worth {amount} not yet billed").format(
            label=po.label, amount=money(net, loc)
        ),
        [
            Field("reference", N_("Their invoice number"), required=True),
            Field("net", N_("Net amount"), "number", net),
            Field("vat", N_("VAT"), "number", vat),
            Field("bill_date", N_("Bill date"), placeholder=orders.DATE_HINT),
            Field("due_date", N_("Due"), placeholder=N_("{form}, empty: in 30 days")),
        ],
        save,
    )


def pay_form(bill: PU.BillView, loc: str, account: Field) -> FormScreen:
    return orders.payment_form(
        _("Pay bill {reference} ({amount} open)").format(
            reference=bill.reference, amount=money(bill.open, loc)
        ),
        bill.open,
        N_("Paid from"),
        account,
        lambda uow, **how: PU.pay(uow, bill.id, **how),
    )


class PurchasesPane(orders.StateFilter, ListPane):
    NOUN = N_("Purchase orders")
    STATE_KEYS = STATE_KEYS
    HELP = N_(
        "Purchase orders, newest first. 1 open orders, 2 drafts, 3 sent, 4 confirmed, "
        "5 partially received, 6 received (to bill), 7 billed (to pay), 8 closed, "
        "9 cancelled, 0 all. / filters by number or supplier. n starts an order; enter "
        "opens one to send, receive, bill, pay, cancel or print it."
    )
    BINDINGS = [
        Binding("n", "new", N_("New order"), id="purchases.new"),
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
                self.notify(_("Saved {label} as a draft").format(label=po.label), markup=False)
                self.table.reload()
                self.app.push_screen(PurchaseOrderScreen(po.id), lambda _: self.table.reload())

        self.app.push_screen(order_form(), done)

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(PurchaseOrderScreen(event.row.id), lambda _: self.table.reload())


class PurchaseOrderScreen(orders.OrderScreen):
    """One order: lines with what came and what was billed, bills, payments, postings."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="po.back"),
        Binding("e", "edit", N_("Edit"), id="po.edit"),
        Binding("s", "send", N_("Sent"), id="po.send"),
        Binding("c", "confirm", N_("Confirmed"), id="po.confirm"),
        Binding("r", "receive", N_("Receive"), id="po.receive"),
        Binding("b", "bill", N_("Bill"), id="po.bill"),
        Binding("p", "pay", N_("Pay"), id="po.pay"),
        Binding("x", "cancel_order", N_("Cancel order"), id="po.cancel"),
        Binding("x", "close_rest", N_("Close rest"), id="po.close"),
        Binding("w", "write", N_("Print"), id="po.write"),
        Binding("j", "entries", N_("Postings"), id="po.entries"),
        Binding("g", "party", N_("Supplier"), id="po.supplier"),
        Binding("m", "mail", N_("E-mail"), show=False, id="po.mail"),
    ]
    HELP = N_(
        "A purchase order. e edits a draft; s marks it sent, c confirmed; r receives goods "
        "(partial is fine, the rest stays on order); b records the supplier's bill (a "
        "different amount is shown and posted as a price difference); p pays a bill; x "
        "cancels before anything arrived, or once part came closes the rest (no longer on "
        "order); w writes the order as a PDF to send; j "
        "lists its journal entries; g opens the supplier."
    )

    SERVICE = PU
    FORM = staticmethod(order_form)
    CANCEL_QUESTION = N_("Cancel {label}? It stays in the list as cancelled.")
    CLOSE_QUESTION = N_(
        "Close the rest of {label}? {qty} not received will no longer be on order; what came "
        "is billed and paid as usual."
    )

    def show(self, po: PU.POView) -> None:
        loc = self.app.locale
        t = Text()
        t.append(f"{po.label}  {orders.state_name(po.state).upper()}\n", style="bold")
        who = {
            "supplier": po.supplier,
            "date": day(po.order_date),
            "expected": day(po.expected_date),
        }
        if po.expected_date:
            t.append(_("Supplier: {supplier} · ordered {date} · expected {expected}").format(**who))
        else:
            t.append(_("Supplier: {supplier} · ordered {date}").format(**who))
        t.append("\n")
        if po.notes:
            t.append(po.notes + "\n")
        heads = (_("SKU"), _("Qty"), _("Received"), _("Billed"), _("Unit cost"), _("Net"))
        # a code whole, however long (it was cut to ten characters)
        w = max([10, *(len(ln.sku) for ln in po.lines)])
        t.append(
            f"\n{heads[0]:<{w}} " + "{:>5}  {:>9} {:>7} {:>11} {:>10}\n".format(*heads[1:]),
            style="bold",
        )
        for ln in po.lines:
            figures = (
                f"{ln.sku:<{w}} {number(ln.qty, loc):>6} {number(ln.received, loc):>9} "
                f"{number(ln.billed, loc):>7} "
                f"{money(ln.unit_cost, loc):>11} {money(ln.net, loc):>10}  "
            )
            orders.line_text(self, t, figures, ln.description)
        t.append(
            _("Net {net} · VAT {vat} · total {total} · received worth {received}").format(
                net=money(po.net, loc),
                vat=money(po.vat, loc),
                total=money(po.total, loc),
                received=money(po.received_value, loc),
            )
            + "\n"
        )
        if po.released:
            t.append(
                _("{qty} not received: the rest was closed, no longer on order").format(
                    qty=number(po.released, loc)
                )
                + "\n"
            )
        if po.bills:
            t.append("\n" + _("Bills") + "\n", style="bold")
            for b in po.bills:
                bill = {
                    "reference": b.reference,
                    "date": day(b.bill_date),
                    "due": day(b.due_date),
                    "total": money(b.total, loc),
                    "paid": money(b.paid, loc),
                    "open": money(b.open, loc),
                    "difference": money(b.difference, loc),
                }
                line = _("{reference}  {date}  total {total}").format(**bill) + "\n    "
                line += _("due {due} · paid {paid} · open {open}").format(**bill)
                if b.difference:  # (what is paid on a line of its own: 80 columns cut it)
                    line += "\n    " + _("differs from received by {difference}").format(**bill)
                t.append(line + "\n")
        self.finish(t, po)

    def action_mail(self) -> None:
        if self.view is not None:
            self.mail([(self.view.label, ("purchase-order", self.view.label))])

    def action_send(self) -> None:
        v = self.view
        self._act(
            lambda uow: PU.send(uow, v.id, version=v.version),
            _("{label} marked sent").format(label=v.label),
        )

    def action_confirm(self) -> None:
        v = self.view
        self._act(
            lambda uow: PU.confirm(uow, v.id, version=v.version),
            _("{label} confirmed").format(label=v.label),
        )

    def action_receive(self) -> None:
        if not self.app.allowed_or_told("purchases.receive"):  # noqa: SLF001 - before its form
            return
        if self.view is None:
            return
        if not any(ln.outstanding > 0 for ln in self.view.lines) or self.view.state not in (
            PU.RECEIVABLE_STATES
        ):
            self.notify(
                _("{label} is {state}: nothing to receive now").format(
                    label=self.view.label, state=orders.state_name(self.view.state)
                )
            )
            return
        self.app.push_screen(
            receive_form(self.view, self.app.locale),
            lambda r: r and (self._received(r), self.load()),
        )

    def _received(self, po: PU.POView) -> None:
        self.notify(
            _("Received; {label} is {state}").format(
                label=po.label, state=orders.state_name(po.state)
            )
        )

    def action_bill(self) -> None:
        if not self.app.allowed_or_told("purchases.bill"):  # noqa: SLF001 - before its form
            return
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
        if b.difference:
            msg = _(
                "Bill {reference} recorded: {total}; {difference} differs from the goods "
                "received (posted as a price difference)"
            )
        else:
            msg = _("Bill {reference} recorded: {total}")
        self.notify(
            msg.format(
                reference=b.reference,
                total=money(b.total, loc),
                difference=money(b.difference, loc),
            ),
            markup=False,
        )

    def action_pay(self) -> None:
        if not self.app.allowed_or_told("purchases.pay"):  # noqa: SLF001 - before its form
            return
        v = self.view
        if v is None:
            return
        open_bills = [b for b in v.bills if b.open > 0]
        if not open_bills:
            self.notify(_("No open bill on this order"))
            return

        def pay(bill: PU.BillView, account: Field) -> None:
            self.app.push_screen(
                pay_form(bill, self.app.locale, account),
                lambda r: r and (self.notify(_("Payment posted")), self.load()),
            )

        def chosen(bill: PU.BillView) -> None:
            orders.with_payment_account(self, "bank", lambda account: pay(bill, account))

        loc = self.app.locale
        self.pick(
            _("Pay which bill?"),
            [
                (
                    _("{reference}: {amount} open").format(
                        reference=b.reference, amount=money(b.open, loc)
                    ),
                    b,
                )
                for b in open_bills
            ],
            chosen,
        )

    def action_write(self) -> None:
        v = self.view
        if v is None:
            return
        print_paper(self, "purchase-order", v.label, v.label)
