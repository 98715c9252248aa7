"""The print keys at 80x24: a document's page writes its PDF where the person says, never
over a file, and says where; the shop's details form from the palette."""

from __future__ import annotations

from textual.widgets import Input

from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.deals import DealScreen
from bizdesk.screens.purchases import PurchaseOrderScreen
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.services.papers import shop as S
from bizdesk.services.people import leave
from bizdesk.widgets.form import FormScreen
from tests.erp_helpers import order, product, supplier
from tests.people_helpers import employee
from tests.shop_template import clear_the_shops_address
from tests.test_papers import lines_of, pdf_text
from tests.test_papers import shop as shop  # noqa: F401  (the fixture)
from tests.tui_helpers import SIZE, settle, wait_for


def _notes(app: BizdeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_print_key_of_a_purchase_order_writes_its_pdf(store, tmp_path) -> None:  # noqa: ANN001
    sid = supplier(store)
    product(store, "BOLT", name="Bolt M8", cost="0.20", vat_rate="20")
    po = order(store, sid, ("BOLT", "100", "0.20"))
    clear_the_shops_address(store)  # as `bizdesk init` leaves it
    target = tmp_path / "out.pdf"
    target_again = tmp_path / "again.pdf"
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PurchaseOrderScreen(po.id))
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        path = app.screen.query_one("#f-path", Input)
        assert path.value.endswith("PO-00001.pdf")  # the label, in the current folder
        path.value = str(target)
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: target.exists(), "the PDF")
        await wait_for(
            pilot, app, lambda: not isinstance(app.screen, FormScreen), "the form to close"
        )
        assert isinstance(app.screen, PurchaseOrderScreen)
        said = f"Written to {target}"
        await wait_for(pilot, app, lambda: said in _notes(app), "where it was written")
        # the shop never set its address: the order carries none, and it is said
        assert any(n.startswith("PO-00001 carries no address of the shop") for n in _notes(app))
        assert "BOLT Bolt M8 100 0.20 20% 20.00" in lines_of(pdf_text(target.read_bytes()))
        before = target.read_bytes()
        await pilot.press("w")  # the same file again: refused, the form stays open
        await settle(pilot, app)
        app.screen.query_one("#f-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert "exists already" in str(app.screen.query_one("#e-path").render())
        assert target.read_bytes() == before
        app.screen.query_one("#f-path", Input).value = str(target_again)
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: target_again.exists(), "the second PDF")


async def test_a_contact_s_statement_key_asks_for_the_period(store, tmp_path) -> None:  # noqa: ANN001
    sid = supplier(store, "Acme Supply")
    target = tmp_path / "st.pdf"
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ContactScreen(sid))
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-path", Input).value = str(target)
        form.query_one("#f-from", Input).value = "2026-12-31"
        form.query_one("#f-to", Input).value = "2026-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "starts after it ends" in str(form.query_one("#e-from").render())
        form.query_one("#f-from", Input).value = "2026-01-01"
        form.query_one("#f-to", Input).value = "2026-06-30"
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: target.exists(), "the statement")
    text = " ".join(pdf_text(target.read_bytes()).split())
    assert "ACCOUNT STATEMENT" in text and "Acme Supply" in text
    assert "Period: Jan 1, 2026 – Jun 30, 2026" in text


async def _print_to(pilot, app: BizdeskApp, target, ends: str) -> None:  # noqa: ANN001
    """In the print form just opened: its file is the document's label here at first; write
    to ``target``, wait for the file and for the page to say where it is."""
    await settle(pilot, app)
    assert isinstance(app.screen, FormScreen)
    path = app.screen.query_one("#f-path", Input)
    assert path.value.endswith(ends)
    path.value = str(target)
    await pilot.press("ctrl+s")
    await wait_for(pilot, app, lambda: target.exists(), "the PDF")
    said = f"Written to {target}"
    await wait_for(pilot, app, lambda: said in _notes(app), "where it was written")
    assert not isinstance(app.screen, FormScreen)


async def test_the_quote_key_of_a_deal_writes_its_quote(shop, tmp_path) -> None:  # noqa: F811, ANN001
    store, _cid, _so, _po, deal_id = shop
    label = f"Q-{deal_id:05d}"
    target = tmp_path / "quote.pdf"
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(DealScreen(deal_id))
        await settle(pilot, app)
        await pilot.press("q")
        await _print_to(pilot, app, target, f"{label}.pdf")
        assert isinstance(app.screen, DealScreen)
    lines = lines_of(pdf_text(target.read_bytes()))
    assert "QUOTE" in lines and label in lines and "Fleet for the club" in lines
    assert "Radhaus Köln GmbH" in lines and "VAT id: DE136695976" in lines
    assert "BIKE City bike 4 650.00 19% 2,600.00" in lines
    assert "Fitting 2 30.00 0% 60.00" in lines and "Total EUR 3,154.00" in lines


async def test_the_print_key_of_a_sales_order_writes_the_order_or_an_invoice(  # noqa: F811
    shop,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
) -> None:
    """w on a sales order offers the order, its invoice and its credit note: the first
    writes the order confirmation, the second the invoice."""
    store, _cid, so, _po, _deal = shop
    order_pdf, invoice_pdf = tmp_path / "order.pdf", tmp_path / "invoice.pdf"
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderScreen(so.id))
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        await pilot.press("enter")  # the order itself, listed first
        await _print_to(pilot, app, order_pdf, f"{so.label}.pdf")
        await pilot.press("w")
        await settle(pilot, app)
        await pilot.press("down", "enter")  # its invoice
        await _print_to(pilot, app, invoice_pdf, "INV-00001.pdf")
        assert isinstance(app.screen, SalesOrderScreen)
    lines = lines_of(pdf_text(order_pdf.read_bytes()))
    assert "ORDER CONFIRMATION" in lines and so.label in lines
    assert "BIKE City bike 2 650.00 19% 1,300.00" in lines and "Total EUR 1,610.00" in lines
    lines = lines_of(pdf_text(invoice_pdf.read_bytes()))
    assert "INVOICE" in lines and "INV-00001" in lines and f"Order: {so.label}" in lines
    assert "BOOK Repair manual 3 20.00 5% 60.00" in lines
    said = " ".join(pdf_text(invoice_pdf.read_bytes()).split())  # paid in part, credited
    assert "please pay the 336.50 EUR left by Nov 19, 2026, quoting INV-00001." in said


async def _shop_form(pilot, app: BizdeskApp) -> FormScreen:  # noqa: ANN001
    """The shop's details form, opened as the palette's command opens it."""
    await settle(pilot, app)
    app.action_shop_details()
    await settle(pilot, app)
    assert isinstance(app.screen, FormScreen)
    return app.screen


async def test_the_shop_s_details_form_checks_the_iban(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _shop_form(pilot, app)
        form.query_one("#f-iban", Input).value = "DE89 3704 0044 0532 0130 01"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "check digits do not match" in str(form.query_one("#e-iban").render())
        form.query_one("#f-iban", Input).value = "DE89 3704 0044 0532 0130 00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: not isinstance(app.screen, FormScreen), "saved")
    with store.read() as uow:
        assert S.get(uow).iban == "DE89370400440532013000"


async def test_the_shop_s_form_says_when_a_new_region_counts_leave_again(store) -> None:  # noqa: ANN001
    ana = employee(store, "Ana Pop", leave_days="20")
    with store.write() as uow:
        S.update(uow, S.ShopDetails(name="Bikes", country="ES"))
        leave.request(uow, ana, "vacation", "2026-03-30", "2026-04-03")  # 4 days in Spain
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _shop_form(pilot, app)
        form.query_one("#f-region", Input).value = "MD"
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: not isinstance(app.screen, FormScreen), "saved")
        await settle(pilot, app)
        assert "1 leave request was counted again on the new public holidays." in _notes(app)
    with store.read() as uow:
        assert [x.days for x in leave.list_leave(uow, employee_id=ana)] == [3]  # Madrid's day


async def test_the_shop_s_region_box_hints_at_a_region_of_the_shop_s_own_country(store) -> None:  # noqa: ANN001
    """A Romanian shop was told "e.g. MD (Madrid)" for its region, which it then refused:
    no region of Romania has public holidays of its own. A Spanish shop keeps Madrid."""
    with store.write() as uow:
        S.update(uow, S.ShopDetails(name="Roata", country="RO"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _shop_form(pilot, app)
        hint = " ".join(
            [
                form.query_one("#f-region", Input).placeholder,
                str(form.query_one("#h-region").render()),
            ]
        )
        assert "Madrid" not in hint
        assert "no regions of RO have public holidays of their own" in hint
        await pilot.press("escape")
        await settle(pilot, app)
    with store.write() as uow:
        S.update(uow, S.ShopDetails(name="Bikes", country="ES"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _shop_form(pilot, app)
        assert form.query_one("#f-region", Input).placeholder == (
            "for public holidays, e.g. MD (Madrid)"
        )
