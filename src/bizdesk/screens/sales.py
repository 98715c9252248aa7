"""Sales orders (opened from the Deals tab with `o`): the list by state, the order and
counter-sale forms with their lines editor, and an order's page where it is confirmed,
delivered, invoiced, paid, returned, cancelled or its invoice written to a file."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from bizdesk.formatting import day, money, number
from bizdesk.i18n import N_, _
from bizdesk.models.sales import SOState
from bizdesk.screens import orders
from bizdesk.screens.common import ServiceRunner, WithTable
from bizdesk.screens.records import print_paper
from bizdesk.services.crm.contacts import reference
from bizdesk.services.inventory.locations import suggest_locations
from bizdesk.services.trade import sales as SA
from bizdesk.services.trade.orders import OPEN
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable

COLUMNS = [
    Col("label", N_("Number"), 9),
    Col("customer", N_("Customer"), 20),
    Col("state", N_("State"), 18, fmt=orders.state_name, shows=tuple(SOState)),
    Col("order_date", N_("Ordered"), 10, fmt=day),
    Col("total", N_("Total"), 11, right=True, fmt=money),
]
STATE_KEYS = orders.state_keys(
    SOState,
    {
        SOState.DRAFT: N_("drafts"),
        SOState.CONFIRMED: N_("confirmed, to deliver"),
        SOState.DELIVERED: N_("delivered, to invoice"),
        SOState.INVOICED: N_("invoiced, to be paid"),
    },
)
LINES = orders.order_lines("unit_price", N_("Unit price"), SA.SOLineInput, SA.preview_totals)


def order_form(view: SA.SOView | None = None) -> LinesFormScreen:
    fields = [
        Field(
            "customer",
            N_("Customer"),
            "contact",
            reference(view.customer, view.customer_id) if view else "",
            required=True,
        ),
        Field(
            "order_date",
            N_("Order date"),
            value=day(view.order_date) if view else "",
            placeholder=orders.DATE_HINT,
        ),
        Field("notes", N_("Notes"), value=view.notes if view else ""),
    ]
    return LINES.form(
        _("New sales order") if view is None else _("Edit {label}").format(label=view.label),
        fields,
        orders.saved_lines(LINES, view) if view else [],
        orders.save_order(view, SA.SOInput, SA.create, SA.update),
    )


def counter_form(account: Field) -> LinesFormScreen:
    """Sell over the counter: lines, paid now; the customer may stay anonymous."""
    fields = [
        Field("customer", N_("Customer"), "contact", placeholder=N_("empty: walk-in customer")),
        replace(account, label=N_("Paid into")),
    ]

    def save(uow, values: dict[str, Any], lines: list):  # noqa: ANN001, ANN202
        return SA.counter_sale(uow, lines, customer=values["customer"], account=values["account"])

    return LINES.form(_("Counter sale: delivered, invoiced and paid at once"), fields, [], save)


def pay_form(inv: SA.InvoiceView, loc: str, account: Field) -> FormScreen:
    return orders.payment_form(
        _("Payment for {label} ({amount} open)").format(
            label=inv.label, amount=money(inv.open, loc)
        ),
        inv.open,
        N_("Paid into"),
        account,
        lambda uow, **how: SA.pay(uow, inv.id, **how),
    )


def refund_form(inv: SA.InvoiceView, loc: str, account: Field) -> FormScreen:
    return orders.payment_form(
        _("Refund on {label} ({amount} owed back to the customer)").format(
            label=inv.label, amount=money(inv.refund_due, loc)
        ),
        inv.refund_due,
        N_("Paid from"),
        account,
        lambda uow, **how: SA.refund(uow, inv.id, **how),
    )


class SalesOrdersScreen(orders.StateFilter, WithTable, ServiceRunner, Screen):
    """Every sales order, newest first, by state."""

    NOUN = N_("Sales orders")
    STATE_KEYS = STATE_KEYS

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="sales.back"),
        Binding("n", "new", N_("New order"), id="sales.new"),
        Binding("c", "counter", N_("Counter sale"), id="sales.counter"),
        *orders.state_bindings(STATE_KEYS, "sales"),
    ]
    HELP = N_(
        "Sales orders, newest first. 1 open, 2 drafts, 3 confirmed (to deliver), 4 partially "
        "delivered, 5 delivered (to invoice), 6 invoiced (to be paid), 7 closed, 8 cancelled, "
        "0 all. n starts an order, c sells over the counter in one step; enter opens one."
    )

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static("", id="so-title", classes="pane-title")
        yield PagedTable(
            SA.list_page, COLUMNS, descending=True, filters={"state": OPEN}, id="so-table"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Sales orders")
        self._title("1")
        self.table.focus_grid()

    def _open(self, so) -> None:  # noqa: ANN001
        if so is not None:
            self.table.reload()
            self.app.push_screen(SalesOrderScreen(so.id), lambda _: self.table.reload())

    def action_new(self) -> None:
        self.app.push_screen(order_form(), self._open)

    def action_counter(self) -> None:
        orders.with_payment_account(
            self, "cash", lambda account: self.app.push_screen(counter_form(account), self._open)
        )

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self._open(event.row)


class SalesOrderScreen(orders.OrderScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="so.back"),
        Binding("e", "edit", N_("Edit"), id="so.edit"),
        Binding("c", "confirm", N_("Confirm"), id="so.confirm"),
        Binding("l", "deliver", N_("Deliver"), id="so.deliver"),
        Binding("i", "invoice", N_("Invoice"), id="so.invoice"),
        Binding("p", "pay", N_("Payment"), id="so.pay"),
        Binding("t", "return_goods", N_("Return"), id="so.return"),
        Binding("x", "cancel_order", N_("Cancel order"), id="so.cancel"),
        Binding("x", "close_rest", N_("Close rest"), id="so.close"),
        Binding("w", "write", N_("Print"), id="so.write"),
        Binding("j", "entries", N_("Postings"), id="so.entries"),
        Binding("g", "party", N_("Customer"), id="so.customer"),
        Binding("m", "mail", N_("E-mail"), show=False, id="so.mail"),
    ]
    HELP = N_(
        "A sales order. e edits a draft; c confirms it (its stock is reserved); l delivers "
        "(partial is fine); i invoices what was delivered; p records a payment; t takes "
        "invoiced goods back (a credit note); x cancels before delivery, or once part was "
        "delivered closes the rest (its reservation released); w writes the order, an invoice "
        "or a credit note as a PDF; j lists its journal entries; g opens the customer."
    )

    SERVICE = SA
    FORM = staticmethod(order_form)
    CANCEL_QUESTION = N_("Cancel {label}? Its reservation is released.")
    CLOSE_QUESTION = N_(
        "Close the rest of {label}? {qty} not delivered will be released from its "
        "reservation; what was delivered is invoiced and paid as usual."
    )

    def fetch_order(self, uow):  # noqa: ANN001, ANN201
        self.stock = SA.delivery_stock(uow, self.record_id)  # where each line's goods are
        return super().fetch_order(uow)

    def show(self, so: SA.SOView) -> None:
        loc = self.app.locale
        t = Text()
        t.append(f"{so.label}  {orders.state_name(so.state).upper()}\n", style="bold")
        who = {"customer": so.customer, "date": day(so.order_date), "deal": so.deal_id}
        if so.deal_id:
            t.append(_("Customer: {customer} · ordered {date} · from deal #{deal}").format(**who))
        else:
            t.append(_("Customer: {customer} · ordered {date}").format(**who))
        t.append("\n")
        if so.notes:
            t.append(so.notes + "\n")
        heads = (_("SKU"), _("Qty"), _("Deliv."), _("Inv."), _("Ret."), _("Unit price"), _("Net"))
        # a code whole, however long (cut to ten, "JRS-P-S-AZU" read "JRS-P-S-AZ")
        w = max([10, *(len(ln.sku or "-") for ln in so.lines)])
        t.append(
            f"\n{heads[0]:<{w}} " + "{:>5} {:>7} {:>5} {:>5} {:>11} {:>10}\n".format(*heads[1:]),
            style="bold",
        )
        for ln in so.lines:
            figures = (
                f"{ln.sku or '-':<{w}} {number(ln.qty, loc):>5} "
                f"{number(ln.delivered, loc):>7} {number(ln.invoiced, loc):>5} "
                f"{number(ln.returned, loc):>5} {money(ln.unit_price, loc):>11} "
                f"{money(ln.net, loc):>10}  "
            )
            orders.line_text(self, t, figures, ln.description)
        t.append(
            _("Net {net} · VAT {vat} · total {total}").format(
                net=money(so.net, loc), vat=money(so.vat, loc), total=money(so.total, loc)
            )
            + "\n"
        )
        if so.released:
            t.append(
                _("{qty} not delivered: the rest was closed, its reservation released").format(
                    qty=number(so.released, loc)
                )
                + "\n"
            )
        if so.invoices:
            t.append("\n" + _("Invoices and credit notes") + "\n", style="bold")
            for inv in so.invoices:
                doc = {
                    "label": inv.label,
                    "date": day(inv.issued_on),
                    "total": money(inv.total, loc),
                }
                line = _("{label}  {date}  total {total}").format(**doc)
                # what is settled on a line of its own, under it: at 80 columns one line cut
                # "open 792.71" in two
                if inv.kind == "invoice" and inv.refund_due > 0:  # credited after payment
                    line += "\n    " + _(
                        "settled {paid} · {refund} owed back to the customer (p refunds it)"
                    ).format(paid=money(inv.paid, loc), refund=money(inv.refund_due, loc))
                elif inv.kind == "invoice":
                    line += "\n    " + _("due {due} · settled {paid} · open {open}").format(
                        due=day(inv.due_on), paid=money(inv.paid, loc), open=money(inv.open, loc)
                    )
                t.append(line + "\n")
        self.finish(t, so)

    def action_mail(self) -> None:
        """E-mail the order, or one of its invoices and credit notes."""
        v = self.view
        if v is not None:
            docs = [(v.label, ("sales-order", v.label))]
            for i in v.invoices:  # an invoice, or a credit note (kind "credit")
                docs.append(
                    (i.label, ("invoice" if i.kind == "invoice" else "credit-note", i.label))
                )
            self.mail(docs)

    def action_confirm(self) -> None:
        v = self.view
        self._act(
            lambda uow: SA.confirm(uow, v.id, version=v.version),
            _("{label} confirmed: its stock is reserved").format(label=v.label),
        )

    def action_deliver(self) -> None:
        if not self.app.allowed_or_told("sales.deliver"):  # noqa: SLF001 - before its form
            return
        v = self.view
        if v is None:
            return
        loc = self.app.locale
        extra = [
            Field(
                "location",
                N_("From location"),
                placeholder=N_("empty: main first, then most on hand"),
                suggest=suggest_locations,
            ),
            Field("date", N_("Delivered on"), placeholder=orders.DATE_HINT),
        ]
        where = {
            line_id: _("on hand: {places}").format(
                places=", ".join(f"{s.location} {number(s.on_hand, loc)}" for s in spots)
            )
            for line_id, spots in getattr(self, "stock", {}).items()
        }
        form = orders.quantities_form(
            _("Deliver {label} (partial is fine)").format(label=v.label),
            v.lines,
            lambda ln: ln.to_deliver,
            lambda ln: _line_label(ln, ln.to_deliver, loc, where.get(ln.id)),
            extra,
            lambda uow, q, f: SA.deliver(
                uow, v.id, q, location=f["location"], when=f["date"], version=v.version
            ),
        )
        self.app.push_screen(
            form,
            lambda r: (
                r
                and (
                    self.notify(
                        _("{label} is {state}").format(
                            label=r.label, state=orders.state_name(r.state)
                        )
                    ),
                    self.load(),
                )
            ),
        )

    def action_invoice(self) -> None:
        """Invoice what is delivered: its date (empty: today) and due date (empty: the
        customer's terms) asked first, as a delivery's are; with nothing to invoice, the
        refusal at once."""
        if not self.app.allowed_or_told("sales.invoice"):  # noqa: SLF001 - before its form
            return
        v = self.view
        if v is None:
            return
        if not any(ln.delivered > ln.invoiced for ln in v.lines):
            self._act(lambda uow: SA.invoice(uow, v.id, version=v.version), _("Invoice issued"))
            return
        form = FormScreen(
            _("Invoice what is delivered on {label}").format(label=v.label),
            [
                Field("date", N_("Invoice date"), placeholder=orders.DATE_HINT),
                Field("due", N_("Due"), placeholder=N_("{form}, empty: by the customer's terms")),
            ],
            lambda uow, f: SA.invoice(uow, v.id, when=f["date"], due=f["due"], version=v.version),
        )
        self.app.push_screen(
            form,
            lambda r: (
                r
                and (
                    self.notify(_("{label} issued").format(label=r.label), markup=False),
                    self.load(),
                )
            ),
        )

    def _invoices(self, kind: str = "invoice") -> list[SA.InvoiceView]:
        return [i for i in (self.view.invoices if self.view else []) if i.kind == kind]

    def _pick_invoice(self, invoices: list[SA.InvoiceView], then) -> None:  # noqa: ANN001
        loc = self.app.locale
        self.pick(
            _("Which one?"), [(f"{i.label}  {money(i.total, loc)}", i) for i in invoices], then
        )

    def action_pay(self) -> None:
        if not self.app.allowed_or_told("sales.pay"):  # noqa: SLF001 - before its form
            return
        unpaid = [i for i in self._invoices() if i.open > 0]
        owed = [i for i in self._invoices() if i.refund_due > 0]
        if not unpaid and owed:

            def refund(inv: SA.InvoiceView, account: Field) -> None:
                self.app.push_screen(
                    refund_form(inv, self.app.locale, account),
                    lambda r: r and (self.notify(_("Refund posted")), self.load()),
                )

            self._pick_invoice(
                owed,
                lambda inv: orders.with_payment_account(
                    self,  # out of the account it was paid into (or the one chosen)
                    lambda uow: SA.refund_account(uow, inv.id),
                    lambda account: refund(inv, account),
                ),
            )
            return
        if not unpaid:
            self.notify(_("No open invoice on this order"))
            return

        def pay(inv: SA.InvoiceView, account: Field) -> None:
            self.app.push_screen(
                pay_form(inv, self.app.locale, account),
                lambda r: r and (self.notify(_("Payment posted")), self.load()),
            )

        self._pick_invoice(
            unpaid,
            lambda inv: orders.with_payment_account(
                self, "bank", lambda account: pay(inv, account)
            ),
        )

    def action_return_goods(self) -> None:
        if not self.app.allowed_or_told("sales.return"):  # noqa: SLF001 - before its form
            return
        v = self.view
        if v is None:
            return
        loc = self.app.locale
        extra = [
            Field("reason", N_("Reason"), required=True),
            Field(
                "location",
                N_("Into location"),
                placeholder=N_("empty: the main location"),
                suggest=suggest_locations,
            ),
        ]
        form = orders.quantities_form(
            _("Goods back on {label}: a credit note takes back the sale").format(label=v.label),
            v.lines,
            lambda ln: ln.invoiced - ln.returned,
            lambda ln: _line_label(ln, ln.invoiced - ln.returned, loc),
            extra,
            lambda uow, q, f: SA.return_goods(
                uow, v.id, q, reason=f["reason"], location=f["location"]
            ),
        )
        self.app.push_screen(
            form,
            lambda r: r and (self.notify(_("Issued {label}").format(label=r.label)), self.load()),
        )

    def action_write(self) -> None:
        """The order itself (an order confirmation), or one of its invoices or credit notes,
        as a PDF."""
        v = self.view
        if v is None:
            return
        kinds = {"invoice": "invoice", "credit": "credit-note"}
        docs = [(v.label, ("sales-order", v.label))] + [
            (f"{i.label}  {money(i.total, self.app.locale)}", (kinds[i.kind], i.label))
            for i in self._invoices() + self._invoices("credit")
        ]
        self.pick(
            _("Print which document?"),
            docs,
            lambda chosen: print_paper(self, chosen[0], chosen[1], chosen[1]),
        )


def _line_label(ln: SA.SOLineView, left: object, loc: str, note: str | None = None) -> str:
    """A line in a quantities form, with a note under it (where its stock is)."""
    label = _("{product} ({left} left)").format(
        product=(ln.sku or ln.description)[:14], left=number(left, loc)
    )
    return label + (f"\n{note}" if note else "")
