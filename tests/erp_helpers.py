"""Small builders for ERP tests: a supplier, products and orders through the services."""

from __future__ import annotations

from datetime import date

from bizdesk.db import Store
from bizdesk.models.sales import SalesOrder
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.books import ledger
from bizdesk.services.crm import contacts, tickets
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.inventory import products
from bizdesk.services.trade import deals, purchasing, sales


def supplier(store: Store, name: str = "Acme Supply") -> int:
    with store.write() as uow:
        return contacts.create(
            uow, ContactInput(name=name, kind="organization", is_supplier=True)
        ).contact.id


def product(store: Store, sku: str = "BOLT-M8", **kw) -> int:  # noqa: ANN003
    data = products.ProductInput(sku=sku, name=kw.pop("name", f"Product {sku}"), **kw)
    with store.write() as uow:
        return products.create_product(uow, data).id


def order(store: Store, supplier_id: int, *lines: tuple[str, str, str], state: str = "sent"):  # noqa: ANN201
    """An order with lines (sku, qty, unit cost), moved on to ``state`` (draft/sent)."""
    data = purchasing.POInput(
        supplier=f"#{supplier_id}",
        order_date="2026-11-01",
        lines=[purchasing.POLineInput(product=s, qty=q, unit_cost=c) for s, q, c in lines],
    )
    with store.write() as uow:
        po = purchasing.create(uow, data)
        if state == "sent":
            po = purchasing.send(uow, po.id)
    return po


def errors(store: Store) -> list[str]:
    """Every failed invariant, as text (warnings left out)."""
    return [f"{v.check}: {v.message}" for v in run_checks(store) if v.severity == "error"]


def a_month(store):  # noqa: ANN001, ANN201
    """A month of business: capital, a purchase received, billed and paid, a won deal
    sold, delivered, invoiced and paid, one bike returned and refunded, a ticket."""
    sid = supplier(store)
    product(
        store,
        "BIKE",
        name="City bike",
        cost="400",
        sale_price="650",
        vat_rate="20",
        supplier="Acme Supply",
        reorder_point="8",
        reorder_qty="10",
    )
    with store.write() as uow:
        ledger.post_entry(
            uow,
            date(2026, 11, 1),
            "Capital",
            [
                ledger.Posting(ledger.account_for(uow, "bank").id, debit_minor=10_000_00),
                ledger.Posting(ledger.account_for(uow, "equity").id, credit_minor=10_000_00),
            ],
        )
        # buy, receive, bill, pay
        po = purchasing.create(
            uow,
            purchasing.POInput(
                supplier=f"#{sid}",
                order_date="2026-11-02",
                lines=[purchasing.POLineInput("BIKE", "10", "400")],
            ),
        )
        purchasing.send(uow, po.id)
        purchasing.receive(uow, po.id, {po.lines[0].id: "10"}, when="2026-11-05")
        bill = purchasing.bill(uow, po.id, reference="AC-1", bill_date="2026-11-05")
        purchasing.pay(uow, bill.id, when="2026-11-10")
        # sell from a won deal
        cid = contacts.create(
            uow, contacts.ContactInput(name="Cycle Club", city="Leeds", country="GB")
        ).contact.id
        d = deals.create(
            uow, deals.DealInput(title="Club bikes", contact=f"#{cid}", expected_close="2026-11-20")
        )
        bike = products.resolve_product(uow, "BIKE").id
        d = deals.set_lines(
            uow, d.id, [deals.LineInput("City bike", "3", "650", bike)], version=d.version
        )
        deals.win(uow, d.id, "good price", version=d.version)
        so_id = sales.list_page(uow, sales.PageRequest()).rows[0].id
        # won on 10 November: the draft's date, as its form would set it (won today, else)
        uow.session.get(SalesOrder, so_id).order_date = date(2026, 11, 10)
        so = sales.confirm(uow, so_id)
        sales.deliver(uow, so.id, when="2026-11-12")
        inv = sales.invoice(uow, so.id, when="2026-11-12", due="2026-11-19")
        sales.pay(uow, inv.id, when="2026-11-15")
        # one bike comes back; the club gets its money back; a ticket tells the story
        sales.return_goods(
            uow, so.id, {so.lines[0].id: "1"}, reason="frame too small", when="2026-11-18"
        )
        sales.refund(uow, inv.id, account="bank", when="2026-11-18")
        tickets.create(
            uow,
            tickets.TicketInput(
                subject="Frame too small",
                contact=f"#{cid}",
                link_kind="sales_order",
                link_id=str(so.number),
            ),
        )
    return store, cid, so_id
