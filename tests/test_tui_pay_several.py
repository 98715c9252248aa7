"""One payment of several open invoices (or bills) from a contact's page (p), at 80x24,
against a real store: an amount per document, empty ones left unpaid, one journal entry."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from textual.widgets import Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.purchasing import SupplierPayment
from bizdesk.models.sales import CustomerPayment
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.crm import contacts
from bizdesk.services.trade import purchasing, sales
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.pick import PickScreen
from tests.erp_helpers import errors, order, product
from tests.test_bank_proposals import invoice
from tests.tui_helpers import SIZE, settle


def _count(store, model) -> int:  # noqa: ANN001
    with store.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def _balances(store) -> dict[str, Decimal]:  # noqa: ANN001
    with store.read() as uow:
        rows, _ = ledger_reports.trial_balance(uow)
    return {r.code: r.balance for r in rows}


async def _contact_page(pilot, app) -> ContactScreen:  # noqa: ANN001
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ContactScreen)
    return app.screen


def _error(app, name: str) -> str:  # noqa: ANN001
    return str(app.screen.query_one(f"#e-{name}", Static).render())


async def test_one_payment_for_two_invoices_and_part_of_a_third(store) -> None:  # noqa: ANN001
    labels = [invoice(store, "Cycle Club", price) for price in ("100.00", "50.00", "30.00")]
    with store.write() as uow:
        ledger.add_account(uow, "1011", "Second bank", "asset")
        ledger.set_payment_kind(uow, "1011", "bank")
        ids = [d.id for d in sales.open_invoices(uow, 1)]
    assert labels == ["INV-00001", "INV-00002", "INV-00003"] and len(ids) == 3
    before, entries = _balances(store), _count(store, JournalEntry)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        page = await _contact_page(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        first = form.query_one(f"#f-doc_{ids[0]}", Input)
        assert "100.00" in str(first.placeholder) and first.value == ""
        # nothing typed: nothing to pay
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        said = str(form.query_one("#form-error", Static).render())
        assert "Not saved. Type the amount paid on one document at least" in said
        # more than is open on INV-00003: said under its field, nothing posted
        first.value = "100.00"
        form.query_one(f"#f-doc_{ids[2]}", Input).value = "30.01"
        form.query_one("#f-account", Select).value = "1011"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form and "30.00" in _error(app, f"doc_{ids[2]}")
        assert _count(store, JournalEntry) == entries
        form.query_one(f"#f-doc_{ids[2]}", Input).value = "10"
        form.query_one("#f-date", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page
    assert _count(store, JournalEntry) == entries + 1
    with store.read() as uow:
        rows = uow.session.scalars(select(CustomerPayment)).all()
        assert sorted((r.invoice_id, r.amount_minor) for r in rows) == [
            (ids[0], 10000),
            (ids[2], 1000),
        ]
        assert len({r.entry_id for r in rows}) == 1
        assert [(d.label, d.open) for d in sales.open_invoices(uow, 1)] == [
            ("INV-00002", Decimal("50.00")),
            ("INV-00003", Decimal("20.00")),
        ]
    after = _balances(store)
    assert after["1011"] == Decimal("110.00") and after.get("1010", 0) == before.get("1010", 0)
    assert after["1100"] - before["1100"] == Decimal("-110.00")
    assert errors(store) == []


async def test_a_contact_both_customer_and_supplier_picks_then_pays_bills(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        contacts.create(
            uow,
            contacts.ContactInput(name="Cycle Club", is_customer=True, is_supplier=True),
        )
    invoice(store, "Cycle Club", "40.00")
    product(store, "BOLT", cost="0.20", vat_rate="20")
    bills = []
    for qty, ref in (("100", "CC-1"), ("50", "CC-2")):
        po = order(store, 1, ("BOLT", qty, "0.20"))
        with store.write() as uow:
            purchasing.receive(uow, po.id, {po.lines[0].id: qty})
            bills.append(purchasing.bill(uow, po.id, reference=ref).id)  # 24.00, 12.00
    entries = _count(store, JournalEntry)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        page = await _contact_page(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen) and "bills" in str(form.shown_title)
        form.query_one(f"#f-doc_{bills[0]}", Input).value = "24"
        form.query_one(f"#f-doc_{bills[1]}", Input).value = "2.50"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page
    assert _count(store, JournalEntry) == entries + 1
    with store.read() as uow:
        rows = uow.session.scalars(select(SupplierPayment)).all()
        assert sorted((r.bill_id, r.amount_minor) for r in rows) == [
            (bills[0], 2400),
            (bills[1], 250),
        ]
        assert [(d.label, d.open) for d in purchasing.open_bills(uow, 1)] == [
            ("CC-2 (PO-00002)", Decimal("9.50"))
        ]
    assert errors(store) == []
