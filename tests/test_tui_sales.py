"""The sales flow at 80x24: from the Deals tab to an order, delivered, invoiced, paid;
and a counter sale in one form."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.sales import SalesOrderScreen, SalesOrdersScreen
from bizdesk.services.base.pages import PageRequest
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import moves, products
from bizdesk.services.papers import shop as S
from bizdesk.services.trade import sales
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from tests.erp_helpers import errors, product
from tests.tui_helpers import SIZE, footer_text, settle, type_text


def _shop(store):  # noqa: ANN001, ANN202
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    with store.write() as uow:
        moves.adjust(uow, products.resolve_product(uow, "BIKE").id, "3", "opening")
        contacts.create(uow, contacts.ContactInput(name="Dana Client"))
    return store


def main_text(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#main", Static).render())


async def test_order_confirm_deliver_invoice_pay(store) -> None:  # noqa: ANN001
    shop = _shop(store)
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrdersScreen)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#f-customer", Input).value = "Dana Client"
        form.query_one("#l-product", Input).focus()
        await type_text(pilot, "BIKE")
        form.query_one("#l-qty", Input).value = "5"
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Total 3,900.00" in str(form.query_one("#totals", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen)
        keys = footer_text(app)  # a draft: edited and confirmed, not delivered yet
        assert "e Edit" in keys and "c Confirm" in keys and "l Deliver" not in keys, keys
        await pilot.press("c")  # 5 wanted, 3 in stock: refused
        await settle(pilot, app)
        assert "DRAFT" in main_text(app)
        await pilot.press("e")
        await settle(pilot, app)
        edit = app.screen
        edit.query_one("#lines").focus()
        await pilot.press("enter")
        edit.query_one("#l-qty", Input).value = "2"
        edit.query_one("#l-qty", Input).focus()
        await pilot.press("enter", "ctrl+s")
        await settle(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        assert "CONFIRMED" in main_text(app)
        keys = footer_text(app)  # confirmed: no more editing or confirming; delivered
        assert "e Edit" not in keys and "c Confirm" not in keys and "l Deliver" in keys, keys
        await pilot.press("l")  # deliver: the form is prefilled with what is left
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("i")  # its date and due date asked, empty: today, the terms
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#f-date", Input).value = "2099-01-01"  # before it: refused
        app.screen.query_one("#f-due", Input).value = "2000-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "before the invoice date" in str(app.screen.query_one("#e-due", Static).render())
        app.screen.query_one("#f-date", Input).value = ""
        app.screen.query_one("#f-due", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "INV-00001" in main_text(app)
        await pilot.press("p")
        await settle(pilot, app)
        app.screen.query_one("#f-amount", Input).value = "1000"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "open 560.00" in main_text(app)
    with shop.read() as uow:
        so = sales.get(uow, 1)
        assert (so.state, so.unpaid) == ("invoiced", Decimal("560.00"))
    assert errors(shop) == []


async def test_counter_sale_from_one_form(store) -> None:  # noqa: ANN001
    shop = _shop(store)
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        app.action_sales(counter=True)
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#l-product", Input).focus()
        await type_text(pilot, "BIKE")
        await pilot.press("ctrl+s")  # the typed line counts without enter
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen)
        assert "CLOSED" in main_text(app) and "Walk-in customer" in main_text(app)
    assert errors(shop) == []


async def test_no_invoice_nor_counter_sale_while_the_shop_has_no_address(store) -> None:  # noqa: ANN001
    """A new shop (no address set) is told, in the invoice's form and the counter sale's,
    what is missing and where to set it; nothing is saved, and the form stays open."""
    shop = _shop(store)
    with shop.write() as uow:
        for key in ("street", "postcode", "city"):
            S.set_one(uow, key, "")
        so = sales.create(
            uow,
            sales.SOInput(customer="Dana Client", lines=[sales.SOLineInput("BIKE", "1")]),
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id)
    refused = (
        "Not saved. An invoice carries the shop's name and address, and these are not set: "
        "Street, City. An owner sets them in Shop details (ctrl+p) or with: "
        'bizdesk shop set street "…"; bizdesk shop set city "…"'
    )
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(SalesOrderScreen(so.id))
        await settle(pilot, app)
        await pilot.press("i")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        said = str(app.screen.query_one("#form-error", Static).render())
        assert " ".join(said.split()) == refused, said
        await pilot.press("escape")
        await settle(pilot, app)
        app.action_sales(counter=True)
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#l-product", Input).focus()
        await type_text(pilot, "BIKE")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        said = str(form.query_one("#form-error", Static).render())
        assert " ".join(said.split()) == refused, said
    with shop.read() as uow:
        assert sales.get(uow, so.id).invoices == []
        assert sales.list_page(uow, PageRequest()).rows[-1].id == so.id  # no other order
    assert errors(shop) == []


async def test_a_return_after_payment_shows_what_is_owed_back(store) -> None:  # noqa: ANN001
    """Paid, then returned: the order's page says what the customer is owed back and how
    to refund it, not "settled 1,560.00" of a total of 780.00 with nothing open."""
    shop = _shop(store)
    with shop.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("BIKE", "1")], account="cash")
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="changed mind")
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(SalesOrderScreen(so.id))
        await settle(pilot, app)
        text = main_text(app)
        assert "780.00 owed back to the customer (p refunds it)" in text, text
        await pilot.press("p")
        await settle(pilot, app)
        for _ in range(3):  # the invoice and the account to pay it from, when asked
            if isinstance(app.screen, FormScreen):
                break
            await pilot.press("enter")
            await settle(pilot, app)
        # out of the account it was paid into: the till here (sales.refund_account)
        assert app.screen.query_one("#f-account", Select).value == "1000"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = main_text(app)
        assert "owed back" not in text
        # what is settled under the invoice, never cut by the 80 columns ("open 792.71" was)
        lines = text.splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("INV-"))
        assert lines[at + 1].startswith("    due ") and " · open " in lines[at + 1], lines
        assert all(len(ln) <= 78 for ln in lines[at : at + 2]), lines
    assert errors(shop) == []


async def test_a_refund_is_offered_out_of_the_bank_the_invoice_was_paid_into(store) -> None:  # noqa: ANN001
    """The refund form chose the till whatever the customer paid by; an invoice paid by
    bank is refunded by bank unless the person chooses another account."""
    shop = _shop(store)
    with shop.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("BIKE", "1")])
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, {so.lines[0].id: "1"})
        inv = sales.invoice(uow, so.id)
        sales.pay(uow, inv.id, account="bank")
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="changed mind")
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(SalesOrderScreen(so.id))
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        for _ in range(3):
            if isinstance(app.screen, FormScreen):
                break
            await pilot.press("enter")
            await settle(pilot, app)
        assert app.screen.query_one("#f-account", Select).value == "1010"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "owed back" not in main_text(app)
    with shop.read() as uow:
        from bizdesk.services.books import ledger_reports

        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
    assert tb["1010"] == 0 and "1000" not in tb
    assert errors(shop) == []


async def test_a_step_the_role_may_not_take_is_refused_at_its_key_not_after_its_form(
    store,  # noqa: ANN001
) -> None:
    """A sales person pressed l on a confirmed order, filled in the whole delivery, and was
    told only on saving that delivering is not theirs: told at the key, no form opened."""
    from bizdesk.db import Store
    from bizdesk.services.admin import users

    shop = _shop(store)
    with shop.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(customer="Dana Client", lines=[sales.SOLineInput("BIKE", "1")]),
        )
        sales.confirm(uow, so.id, version=so.version)
        users.add(uow, "sam", "sales")
    sam = Store(url=shop.url, engine=shop.engine, user="sam")
    app = BizdeskApp(sam)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_open_record("sales_order", so.id)
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, SalesOrderScreen)
        await pilot.press("l")
        await settle(pilot, app)
        assert app.screen is page
        said = [n.message for n in app._notifications]  # noqa: SLF001
        assert any("Delivering sales orders is not allowed" in m for m in said), said
