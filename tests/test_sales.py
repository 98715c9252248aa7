"""Sales orders: reservations, deliveries at average cost, invoices, payments, returns,
counter sales and the sales order a won deal makes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizdesk.errors import ValidationError
from bizdesk.services.books import ledger_reports
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import products
from bizdesk.services.trade import deals, purchasing, sales
from tests.erp_helpers import errors, order, product, supplier


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    sid = supplier(store)
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    product(
        store,
        "SRV",
        name="Service hour",
        unit="h",
        sale_price="45",
        vat_rate="20",
        allow_negative="yes",
    )
    po = order(store, sid, ("BIKE", "3", "400"), ("BIKE", "2", "430"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
    return store, cid


def _tb(store) -> dict[str, Decimal]:  # noqa: ANN001
    with store.read() as uow:
        return {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}


def _order(store, cid: int, *lines: tuple[str, ...]):  # noqa: ANN001, ANN202
    with store.write() as uow:
        return sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}",
                order_date="2026-11-01",  # its steps below are dated in November
                lines=[sales.SOLineInput(*ln) for ln in lines],
            ),
        )


def test_confirm_reserves_and_refuses_more_than_available(shop) -> None:  # noqa: ANN001
    store, cid = shop
    a = _order(store, cid, ("BIKE", "4"), ("SRV", "2"))
    b = _order(store, cid, ("BIKE", "2"))
    with store.write() as uow:
        sales.confirm(uow, a.id)
        view = products.get_product(uow, products.resolve_product(uow, "BIKE").id)
        assert (view.on_hand, view.reserved, view.available) == (5, 4, 1)
        with pytest.raises(ValidationError, match="only 1 pcs available, 2 wanted"):
            sales.confirm(uow, b.id)
        sales.cancel(uow, a.id)  # cancelling gives the reservation back
        assert sales.confirm(uow, b.id).state == "confirmed"


def test_deliver_invoice_pay_with_exact_postings(shop) -> None:  # noqa: ANN001
    store, cid = shop
    so = _order(store, cid, ("BIKE", "2"), ("SRV", "1"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
        with pytest.raises(ValidationError, match="only 2 can be delivered"):
            sales.deliver(uow, so.id, {so.lines[0].id: "3"})
        with pytest.raises(ValidationError) as both:  # each box's problem at once
            sales.deliver(uow, so.id, {so.lines[0].id: "2x"}, when="2026-02-31")
        assert set(both.value.fields) == {"date", "City bike"}
        so = sales.deliver(uow, so.id, {so.lines[0].id: "1"}, when="2026-11-02")
        assert so.state == "partially delivered"
        inv1 = sales.invoice(uow, so.id, when="2026-11-02")
        so = sales.deliver(uow, so.id)  # the rest
        assert so.state == "delivered"
        inv2 = sales.invoice(uow, so.id, when="2026-11-03")
        assert sales.get(uow, so.id).state == "invoiced"
        with pytest.raises(ValidationError, match="nothing delivered waits"):
            sales.invoice(uow, so.id)
    assert (inv1.label, inv2.label) == ("INV-00001", "INV-00002")
    assert inv1.total == Decimal("780.00") and inv2.total == Decimal("834.00")
    tb = _tb(store)
    # average cost (3 x 400 + 2 x 430) / 5 = 412 per bike
    assert tb["5000"] == Decimal("824.00") and tb["1200"] == Decimal("1236.00")
    assert tb["4000"] == Decimal("-1345.00") and tb["2200"] == Decimal("-269.00")
    assert tb["1100"] == Decimal("1614.00")
    with store.write() as uow, pytest.raises(ValidationError) as refused:  # before its invoice
        sales.pay(uow, inv1.id, amount="100", when="2026-11-01")
    assert str(refused.value.fields["date"]) == (
        "2026-11-01 is before INV-00001 (2026-11-02): a payment of it is dated on or after it"
    )
    ahead = date.today() + timedelta(days=1)  # a payment is recorded once it is made
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        sales.pay(uow, inv1.id, amount="100", when=ahead.isoformat())
    assert str(refused.value.fields["date"]) == (
        f"{ahead.isoformat()} is after today: a payment is recorded once it is made"
    )
    with store.write() as uow:
        sales.pay(uow, inv1.id, amount="100", when="2026-11-05")
        sales.pay(uow, inv1.id, account="cash")
        sales.pay(uow, inv2.id)
        assert sales.get(uow, so.id).state == "closed"
        # settled: nothing open, written as an amount ("open 0" stood beside "settled 0.00")
        assert [str(i.open) for i in sales.get(uow, so.id).invoices] == ["0.00", "0.00"]
        with pytest.raises(ValidationError, match="settled"):
            sales.pay(uow, inv2.id)
    assert _tb(store)["1100"] == 0
    assert errors(store) == []


def test_returns_take_stock_back_at_cost_and_credit_the_sale(shop) -> None:  # noqa: ANN001
    store, cid = shop
    so = _order(store, cid, ("BIKE", "2"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id)
        with pytest.raises(ValidationError, match="only 0 can be returned"):
            sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="too big")
        inv = sales.invoice(uow, so.id)
        cn = sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="too big")
        assert (cn.label, cn.total) == ("CN-00001", Decimal("780.00"))
        assert sales._invoice_view(uow, uow.session.get(sales.Invoice, inv.id)).open == Decimal(
            "780.00"
        )
        with pytest.raises(ValidationError, match="reason"):
            sales.return_goods(uow, so.id, {so.lines[0].id: "1"})
        view = products.get_product(uow, products.resolve_product(uow, "BIKE").id)
    assert view.on_hand == 4 and view.value == Decimal("1648.00")
    tb = _tb(store)
    assert tb["5000"] == Decimal("412.00") and tb["4000"] == Decimal("-650.00")
    assert errors(store) == []


def test_counter_sale_in_one_step(shop) -> None:  # noqa: ANN001
    store, _cid = shop
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("BIKE", "1")], account="cash")
        assert so.state == "closed" and so.customer == "Walk-in customer"
        with pytest.raises(ValidationError, match="not a number"):
            sales.counter_sale(uow, [sales.SOLineInput("BIKE", "x")])
    tb = _tb(store)
    assert tb["1000"] == Decimal("780.00") and tb["1100"] == 0
    assert errors(store) == []


def test_the_walk_in_customer_is_written_in_the_shops_language(shop) -> None:  # noqa: ANN001
    """A Vietnamese shop's walk-in customer page read "Nguồn: counter": its name was the
    shop's language, its source English. Both are the shop's words, stored as data."""
    from bizdesk.i18n import written
    from bizdesk.services.crm import contacts

    store, _cid = shop
    with store.write() as uow:
        uow.set_setting("locale", "vi_VN")
        walk_in = contacts.get(uow, sales.walk_in_customer(uow))
    assert walk_in.name == written("vi_VN", sales.WALK_IN)
    assert walk_in.source != "counter"
    assert walk_in.source == written("vi_VN", sales.WALK_IN_SOURCE)


def test_counter_sale_cannot_sell_what_is_not_there(shop) -> None:  # noqa: ANN001
    store, _ = shop
    with store.write() as uow, pytest.raises(ValidationError, match="only 5 pcs available"):
        sales.counter_sale(uow, [sales.SOLineInput("BIKE", "6")])
    assert _tb(store).get("1000") is None  # nothing happened


def test_a_counter_sale_of_nothing_is_refused_without_naming_an_order(shop) -> None:  # noqa: ANN001
    """A sale totalling 0.00 is refused as the sale it is (it said "SO-00001 totals 0.00:
    an order is invoiced...", an order the sale never made)."""
    store, _ = shop
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.counter_sale(uow, [sales.SOLineInput("", "1", "0", description="Free thing")])
    said = str(exc.value.fields["lines"])
    assert said.startswith("the sale totals 0.00") and "SO-" not in said, said
    with store.read() as uow:
        assert sales.list_page(uow, sales.PageRequest()).rows == []


def test_won_deal_with_lines_becomes_a_sales_order(shop) -> None:  # noqa: ANN001
    store, cid = shop
    with store.write() as uow:
        d = deals.create(uow, deals.DealInput(title="Two bikes", contact=f"#{cid}"))
        bike = products.resolve_product(uow, "BIKE").id
        d = deals.set_lines(
            uow,
            d.id,
            [deals.LineInput("City bike", "2", "620.00", product_id=bike)],
            version=d.version,
        )
        won = deals.win(uow, d.id, "good price", version=d.version)
        page = sales.list_page(uow, sales.PageRequest(filters={"customer_id": cid}))
        so = sales.get(uow, page.rows[0].id)
    assert so.deal_id == d.id and so.state == "draft" and won.order == so.label
    assert [(ln.sku, ln.qty, ln.unit_price) for ln in so.lines] == [("BIKE", 2, Decimal("620.00"))]


def test_a_won_deals_line_without_a_product_takes_the_shops_standard_vat(shop) -> None:  # noqa: ANN001
    """A deal's line of text alone ("Fitting") has no VAT rate: on the order it was 0 %, so
    a Spanish shop's bikes sold from a deal showed IVA 0,00. It takes the shop's standard
    rate now, as a new product does; the order's note is in the shop's language."""
    store, cid = shop
    with store.write() as uow:
        uow.set_setting("vat_rates", "21,10,4")
        uow.set_setting("locale", "es_ES")
        d = deals.create(uow, deals.DealInput(title="Flota", contact=f"#{cid}"))
        lines = [deals.LineInput("", "1", "", product="bike"), deals.LineInput("Ajuste", "1", "35")]
        d = deals.set_lines(uow, d.id, lines, version=d.version)
        deals.win(uow, d.id, "buen precio", version=d.version)
        page = sales.list_page(uow, sales.PageRequest(filters={"customer_id": cid}))
        so = sales.get(uow, page.rows[0].id)
    assert [(ln.sku, str(ln.vat_rate)) for ln in so.lines] == [("BIKE", "20"), ("", "21")]
    assert so.notes == "De la oportunidad: Flota"


def test_a_deal_with_lines_is_won_in_a_romanian_session(shop) -> None:  # noqa: ANN001
    """Typed as a Romanian writes numbers (2,5 and 1.899,99), the lines become the order's
    exactly: the order is made from the stored figures, not read again as Romanian input
    ("1899.99 is not a number" refused every won deal with lines)."""
    store, cid = shop
    store.input_locale = "ro_RO"
    try:
        with store.write() as uow:
            d = deals.create(uow, deals.DealInput(title="Bikes", contact=f"#{cid}"))
            bike = products.resolve_product(uow, "BIKE").id
            d = deals.set_lines(
                uow,
                d.id,
                [deals.LineInput("City bike", "2", "1.899,99", product_id=bike)],
                version=d.version,
            )
            deals.win(uow, d.id, "good price", version=d.version)
            page = sales.list_page(uow, sales.PageRequest(filters={"customer_id": cid}))
            so = sales.get(uow, page.rows[0].id)
    finally:
        store.input_locale = None
    assert so.deal_id == d.id
    assert [(ln.qty, ln.unit_price) for ln in so.lines] == [(Decimal("2"), Decimal("1899.99"))]


def test_deal_lines_by_sku_take_the_products_name_and_price(shop) -> None:  # noqa: ANN001
    store, cid = shop
    with store.write() as uow:
        d = deals.create(uow, deals.DealInput(title="Fleet", contact=f"#{cid}"))
        lines = [
            deals.LineInput("", "2", "", product="bike"),
            deals.LineInput("Fitting", "1", "35"),
        ]
        assert deals.preview_lines(uow, lines) == (Decimal("1335.00"), 0)
        nothing = deals.preview_lines(uow, [deals.LineInput(product="NOPE")])
        assert nothing == (0, 1) and str(nothing[0]) == "0.00"  # shown as an amount
        assert deals.preview_lines(uow, [*lines, deals.LineInput(unit_price="")]) == (
            Decimal("1335.00"),
            0,
        )
        d = deals.set_lines(uow, d.id, [*lines, deals.LineInput(unit_price="")], version=d.version)
    assert [(ln.sku, ln.description, ln.total) for ln in d.lines] == [
        ("BIKE", "City bike", Decimal("1300.00")),
        ("", "Fitting", Decimal("35.00")),
    ]
    assert d.amount == Decimal("1335.00")
    with pytest.raises(ValidationError) as err, store.write() as uow:
        deals.set_lines(uow, d.id, [deals.LineInput(product="NOPE")], version=d.version)
    assert set(err.value.fields) == {"line 1 product"}


def test_invoice_document_lists_what_it_charged(shop) -> None:  # noqa: ANN001
    from bizdesk.services import papers
    from tests.test_papers import pdf_text

    store, cid = shop
    so = _order(store, cid, ("BIKE", "3"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, {so.lines[0].id: "1"})
        sales.invoice(uow, so.id)
        paper = papers.render(uow, "invoice", "INV-00001")
    text = pdf_text(paper.data)
    assert "INVOICE" in text and "INV-00001" in text and "Dana Client" in text
    assert "Total EUR" in text and "780.00" in text and "1,950.00" not in text


def test_return_after_payment_owes_a_refund(shop) -> None:  # noqa: ANN001
    store, _ = shop
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("BIKE", "1")], account="cash")
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="changed mind")
        inv = sales.get(uow, so.id).invoices[0]
        assert (inv.open, inv.refund_due) == (0, Decimal("780.00"))
        with pytest.raises(ValidationError, match="more than 0, at most 780.00"):
            sales.refund(uow, inv.id, amount="800")
        inv = sales.refund(uow, inv.id)
        assert inv.refund_due == 0
    tb = _tb(store)
    assert tb.get("1000", 0) == 0 and tb.get("1100", 0) == 0 and tb.get("4000", 0) == 0
    assert errors(store) == []


def test_a_refund_goes_out_the_way_the_invoice_was_paid(shop) -> None:  # noqa: ANN001
    """Without an account named, a refund is paid out of the account the invoice was last
    paid into: a customer who paid by bank is not refunded from the till (it was always
    cash, while a payment's form offers the bank)."""
    store, cid = shop
    so = _order(store, cid, ("BIKE", "1"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, {so.lines[0].id: "1"})
        inv = sales.invoice(uow, so.id)
        sales.pay(uow, inv.id, account="bank")
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="changed mind")
        assert sales.refund_account(uow, inv.id) == "1010"
        assert sales.refund(uow, inv.id, amount="80").refund_due == Decimal("700.00")
        sales.refund(uow, inv.id, account="cash")  # named: as named
    tb = _tb(store)
    assert tb.get("1010", 0) == Decimal("700.00") and tb.get("1000", 0) == Decimal("-700.00")
    with store.write() as uow:
        cash = sales.counter_sale(uow, [sales.SOLineInput("BIKE", "1")], account="cash")
        sales.return_goods(uow, cash.id, {cash.lines[0].id: "1"}, reason="changed mind")
        assert sales.refund_account(uow, sales.get(uow, cash.id).invoices[0].id) == "1000"
    assert errors(store) == []


def test_the_most_that_may_be_paid_is_said_as_it_is_typed_in_a_form(shop) -> None:  # noqa: ANN001
    """A person's form reads amounts the shop's way: the refusal writes the amount that way
    too (2.340,00 in a Spanish form), so it can be typed back; the machine form stays plain."""
    store, _ = shop
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("BIKE", "3")], account="cash")
        sales.return_goods(uow, so.id, {so.lines[0].id: "3"}, reason="changed mind")
        inv = sales.get(uow, so.id).invoices[0]
    store.input_locale = "es_ES"
    try:
        with store.write() as uow, pytest.raises(ValidationError, match="at most 2.340,00"):
            sales.refund(uow, inv.id, amount="2.400")
    finally:
        store.input_locale = None
    with store.write() as uow, pytest.raises(ValidationError, match="at most 2340.00"):
        sales.refund(uow, inv.id, amount="2400")


def test_the_customers_whole_story_and_ticket_links(shop) -> None:  # noqa: ANN001
    from bizdesk.services.crm import tickets
    from bizdesk.services.overview.story import story

    store, cid = shop
    so = _order(store, cid, ("BIKE", "1"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id)
        inv = sales.invoice(uow, so.id)
        sales.pay(uow, inv.id, amount="80")
        with pytest.raises(ValidationError, match="no sales order 99"):
            tickets.create(
                uow,
                tickets.TicketInput(
                    subject="Wobbly", contact=f"#{cid}", link_kind="sales_order", link_id="SO-99"
                ),
            )
        # a number with nothing chosen to look it up in was dropped without a word
        with pytest.raises(ValidationError) as exc:
            tickets.create(
                uow, tickets.TicketInput(subject="Wobbly", contact=f"#{cid}", link_id="INV-99999")
            )
        assert exc.value.fields == {
            "link_kind": "choose what 'INV-99999' is, or clear the number"
        }, exc.value.fields
        t = tickets.create(
            uow,
            tickets.TicketInput(
                subject="Wobbly wheel", contact=f"#{cid}", link_kind="sales_order", link_id=so.label
            ),
        )
        st = story(uow, cid)
        assert [r.id for r in tickets.linked_to(uow, "sales_order", so.id)] == [t.id]
    assert st.unpaid == Decimal("700.00") and st.owed == 0
    assert [i.kind for i in st.orders] == ["sales_order"]
    assert "UNPAID 700.00" in st.invoices[0].text and "payment 80.00" in st.payments[0].text
    assert st.tickets[0].text.startswith(f"#{t.id} Wobbly wheel")
    with store.read() as uow:
        supplier_story = story(uow, 1)
    assert supplier_story.purchases and supplier_story.owed == 0


@pytest.mark.parametrize(
    "role,sees_money,sees_deals",
    [
        ("owner", True, True),
        ("accountant", True, True),
        ("sales", True, True),
        ("viewer", True, True),
        ("support", False, True),
        ("warehouse", False, False),
    ],
)
def test_a_contact_page_shows_each_role_what_it_may_read(
    shop, role, sees_money, sees_deals
) -> None:  # noqa: ANN001
    """Support and warehouse work with the customer, not with what they were invoiced,
    paid or owe; warehouse sees no deals either (as its Deals tab says)."""
    from bizdesk.db import Store
    from bizdesk.services.admin import users
    from bizdesk.services.overview.story import story

    store, cid = shop
    so = _order(store, cid, ("BIKE", "1"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id)
        inv = sales.invoice(uow, so.id)
        sales.pay(uow, inv.id, amount="80")
        deals.create(uow, deals.DealInput(title="Second bike", contact=f"#{cid}", amount="500"))
        users.add(uow, f"a_{role}", role)
    as_role = Store(url=store.url, engine=store.engine, user=f"a_{role}")
    with as_role.read() as uow:
        st = story(uow, cid)
        supplier_story = story(uow, 1)
    assert bool(st.invoices) is sees_money and bool(st.payments) is sees_money
    assert (st.unpaid == Decimal("700.00")) is sees_money
    assert (st.unpaid is None) is not sees_money and (supplier_story.owed is None) is not sees_money
    assert bool(st.deals) is sees_deals
    assert st.orders and supplier_story.purchases  # every role may see orders


def test_an_order_that_totals_nothing_is_not_confirmed(shop) -> None:  # noqa: ANN001
    """A free item alone: confirmed, delivered, then "lines: an entry needs at least two
    lines" at invoicing, and the order stayed delivered for good. It is refused at once,
    saying why; a free line beside a priced one is fine."""
    store, cid = shop
    free = _order(store, cid, ("SRV", "1", "0"))
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.confirm(uow, free.id)
    assert f"{free.label} totals 0.00: an order is invoiced and posted" in str(exc.value)
    with store.write() as uow, pytest.raises(ValidationError, match="give its lines a price"):
        sales.counter_sale(uow, [sales.SOLineInput("SRV", "0.001", "1")])  # 0.001 x 1 = 0.00
    both = _order(store, cid, ("SRV", "1", "0"), ("SRV", "1"))
    free_line, paid_line = (ln.id for ln in both.lines)
    with store.write() as uow:
        assert sales.confirm(uow, both.id).state == "confirmed"
        sales.deliver(uow, both.id, {free_line: "1"})
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.invoice(uow, both.id)  # the free line alone: on the next delivery's invoice
    assert "goes on the invoice of its next delivery" in str(exc.value)
    with store.write() as uow:
        sales.deliver(uow, both.id, {paid_line: "1"})
        inv = sales.invoice(uow, both.id)
    assert inv.total == Decimal("54.00")
    assert errors(store) == []


def test_a_step_of_an_order_is_not_dated_before_the_order(shop) -> None:  # noqa: ANN001
    """A delivery dated 2020 of an order of today was taken: its entry sat in the books
    years before the order. Receipts, deliveries, invoices and returns are refused so."""
    store, cid = shop
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}", order_date="2026-03-10", lines=[sales.SOLineInput("BIKE", "1")]
            ),
        )
        sales.confirm(uow, so.id)
        got = pytest.raises(ValidationError, sales.deliver, uow, so.id, when="2020-01-01")
    assert "2020-01-01 is before SO-00001 was ordered, on 2026-03-10" in str(got.value)
    with store.write() as uow:
        sales.deliver(uow, so.id, when="2026-03-10")
        with pytest.raises(ValidationError, match="before SO-00001 was ordered"):
            sales.invoice(uow, so.id, when="2026-03-09")
    sid = supplier(store, "Late Supply")
    po = order(store, sid, ("BIKE", "1", "400"))
    with store.write() as uow, pytest.raises(ValidationError, match="was ordered, on"):
        purchasing.receive(uow, po.id, {po.lines[0].id: "1"}, when="2001-01-01")
    assert errors(store) == []


def _two_delivered(store, cid: int, sku: str) -> tuple:  # noqa: ANN001
    """Two orders of one ``sku`` each, confirmed and delivered on 2 November."""
    orders = (_order(store, cid, (sku, "1")), _order(store, cid, (sku, "1")))
    with store.write() as uow:
        for so in orders:
            sales.confirm(uow, so.id)
            sales.deliver(uow, so.id, when="2026-11-02")
    return orders


def test_invoices_and_credit_notes_are_numbered_in_date_order(shop) -> None:  # noqa: ANN001
    """INV-00002 could be dated before INV-00001: the tax offices of Spain and Romania ask
    that an invoice's number follow its date. One dated before the last issued is refused,
    saying from which day it may be dated; the same day is fine. Credit notes alike."""
    store, cid = shop
    a, b = _two_delivered(store, cid, "BIKE")
    with store.write() as uow:
        sales.invoice(uow, a.id, when="2026-11-20")
    with store.write() as uow:
        got = pytest.raises(ValidationError, sales.invoice, uow, b.id, when="2026-11-19")
    assert str(got.value.fields["date"]) == (
        "2026-11-19 is before INV-00001, issued on 2026-11-20: invoices are numbered in the "
        "order of their dates; date this one 2026-11-20 or later"
    )
    with store.write() as uow:  # nothing was taken: the number is INV-00002 still
        assert sales.invoice(uow, b.id, when="2026-11-20").label == "INV-00002"
        sales.return_goods(uow, b.id, {b.lines[0].id: "1"}, reason="wrong size", when="2026-11-25")
        with pytest.raises(ValidationError, match="before CN-00001, issued on 2026-11-25: credit"):
            sales.return_goods(
                uow, a.id, {a.lines[0].id: "1"}, reason="wrong size", when="2026-11-24"
            )
    c = _order(store, cid, ("SRV", "1"))
    with store.write() as uow:  # nor after today: a typo of a year would hold them all back
        sales.confirm(uow, c.id)
        sales.deliver(uow, c.id, when="2026-11-25")
        got = pytest.raises(ValidationError, sales.invoice, uow, c.id, when="2099-11-20")
    assert str(got.value.fields["date"]) == (
        f"2099-11-20 is after today, {date.today()}: an invoice is dated the day it is issued"
    )
    with store.write() as uow:  # a counter sale's invoice too
        with pytest.raises(ValidationError, match="before INV-00002, issued on 2026-11-20"):
            sales.counter_sale(uow, [sales.SOLineInput("SRV", "1")], when="2026-11-01")
    assert errors(store) == []


def test_check_warns_of_invoices_out_of_date_order_or_ahead_of_today(shop) -> None:  # noqa: ANN001
    """An older bizdesk took an invoice dated before the one numbered before it, or after
    today: posted, they stay, and check says so (a warning: nothing can be undone)."""
    from sqlalchemy import text

    from bizdesk.services.admin.checks import run_checks

    store, cid = shop
    delivered = _two_delivered(store, cid, "SRV")
    with store.write() as uow:
        for so in delivered:
            sales.invoice(uow, so.id, when="2026-11-20")
    assert not [v for v in run_checks(store) if v.check == "invoice-date-order"]
    with store.write() as uow:  # as an older bizdesk wrote them
        uow.session.execute(text("UPDATE invoice SET issued_on = '2026-11-03' WHERE number = 2"))
        uow.session.execute(text("UPDATE invoice SET issued_on = '2099-01-01' WHERE number = 1"))
    found = [v for v in run_checks(store) if v.check == "invoice-date-order"]
    assert [(v.severity, str(v.message)) for v in found] == [
        (
            "warning",
            "INV-00001 is dated 2099-01-01, after today: the next invoice of its series cannot "
            "be dated before it",
        ),
        (
            "warning",
            "INV-00002 is dated 2026-11-03, before the one numbered before it (2099-01-01): "
            "the series is out of the order of its dates",
        ),
    ]


def test_goods_and_money_are_not_recorded_ahead_of_today(shop) -> None:  # noqa: ANN001
    """A delivery dated 2030 was taken: its stock left at once while its entry waited in
    2030, so the stock's value and the inventory account disagreed, and the sale's cost
    fell in another year than the sale. Receipts, deliveries and returns are dated today or
    before, as payments, refunds and payroll payments are."""
    store, cid = shop
    ahead = (date.today() + timedelta(days=1)).isoformat()
    said = f"{ahead} is after today: goods are recorded on the day they move"
    so = _order(store, cid, ("BIKE", "1"))
    with store.write() as uow:
        sales.confirm(uow, so.id)
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        sales.deliver(uow, so.id, when=ahead)
    assert str(refused.value.fields["date"]) == said
    with store.write() as uow:
        sales.deliver(uow, so.id)
        sales.invoice(uow, so.id)
        inv = sales.get(uow, so.id).invoices[0]
        sales.pay(uow, inv.id)
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="broken", when=ahead)
    assert str(refused.value.fields["date"]) == said
    with store.write() as uow:
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="broken")
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        sales.refund(uow, inv.id, when=ahead)
    assert "is after today: a payment is recorded once it is made" in str(refused.value)
    po = order(store, supplier(store, "Soon Supply"), ("BIKE", "1", "400"))
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        purchasing.receive(uow, po.id, {po.lines[0].id: "1"}, when=ahead)
    assert str(refused.value.fields["date"]) == said
    assert errors(store) == []


@pytest.mark.parametrize(("qty", "price", "steps"), [("3", "0.98", ["1", "1", "1"]),
                                                     ("7", "0.03", ["2", "1", "3", "1"]),
                                                     ("3", "0.98", ["2", "1"])])  # fmt: skip
def test_returns_one_at_a_time_take_back_exactly_what_was_invoiced(
    shop, qty: str, price: str, steps: list[str]
) -> None:  # noqa: ANN001
    """Three returns of one of three at 0.98 (20 % VAT) each rounded its own VAT, 0.196 to
    0.20: the credit notes took back 3.54 of an invoice of 3.53, and the customer was owed
    0.01 they never paid (VAT payable reversed a cent more than was charged)."""
    store, _ = shop
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("SRV", qty, price)], account="cash")
        (inv,) = sales.get(uow, so.id).invoices
        notes = [
            sales.return_goods(uow, so.id, {so.lines[0].id: q}, reason=f"r{i}")
            for i, q in enumerate(steps)
        ]
        after = sales.get(uow, so.id).invoices[0]
    assert sum(n.total for n in notes) == inv.total
    assert sum(n.vat for n in notes) == inv.vat and sum(n.net for n in notes) == inv.net
    assert after.refund_due == inv.total  # all of it, not a cent more
    tb = _tb(store)
    assert tb.get("2200", 0) == 0 and tb.get("4000", 0) == 0
    assert errors(store) == []


def test_check_finds_credit_notes_that_take_back_more_than_was_invoiced(shop) -> None:  # noqa: ANN001
    """Three credit notes took back 3.54 of an invoice of 3.53 and check said nothing."""
    from sqlalchemy import text

    store, _ = shop
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("SRV", "3", "0.98")], account="cash")
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="r")
    assert errors(store) == []
    with store.write() as uow:  # as the old rounding left it: a cent more VAT taken back
        uow.session.execute(
            text(
                "UPDATE invoice_line SET vat_minor = 60"
                " WHERE invoice_id = (SELECT max(id) FROM invoice)"
            )
        )
    assert f"sales order #{so.id}, line #{so.lines[0].id}: its credit notes take back more" in (
        " ".join(errors(store))
    )
