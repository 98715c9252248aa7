"""The delivery form shows where each line's stock is, and delivers from there."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, Label

from bizdesk.app import BizdeskApp
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import locations, moves
from bizdesk.services.trade import sales
from bizdesk.widgets.form import FormScreen
from tests.erp_helpers import errors, product
from tests.tui_helpers import SIZE, settle


async def test_the_delivery_form_shows_on_hand_per_location(store) -> None:  # noqa: ANN001
    pid = product(store, "BIKE", name="City bike", cost="400", sale_price="650")
    with store.write() as uow:
        locations.add_location(uow, "Workshop")
        moves.adjust(uow, pid, "3", "opening", location="Workshop")  # none at Main
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("BIKE", "2")])
        )
        so = sales.confirm(uow, so.id)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(SalesOrderScreen(so.id))
        await settle(pilot, app)
        await pilot.press("l")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        labels = [str(label.render()) for label in form.query(Label)]
        assert any("BIKE (2 left)" in t and "on hand: Main 0, Workshop 3" in t for t in labels)
        where = form.query_one("#f-location", Input)
        assert where.placeholder == "empty: main first, then most on hand"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen)
    with store.read() as uow:
        assert sales.get(uow, so.id).state == "delivered"
        spots = moves.stock_by_location(uow, pid)
    assert [(s.location, s.on_hand) for s in spots] == [("Main", 0), ("Workshop", Decimal(1))]
    assert errors(store) == []
