"""E-mail in the terminal interface at 80x24: the owner's mail settings form (Users screen,
m), and m on a sales order's page e-mailing its invoice through a real SMTP server."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from bizdesk.app import BizdeskApp
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.screens.users import UsersScreen
from bizdesk.services.crm import contacts
from bizdesk.services.mail import outbox
from bizdesk.services.mail.settings import get_settings, update_settings
from bizdesk.services.trade import sales
from bizdesk.widgets.form import FormScreen
from tests.erp_helpers import product
from tests.mail_server import Inbox, Server
from tests.tui_helpers import SIZE, settle, wait_for


async def test_the_owner_sets_how_mail_is_sent(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("m")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen) and form.title_text == "How e-mail is sent"
        form.query_one("#f-host", Input).value = "smtp.example.com"
        form.query_one("#f-port", Input).value = "nope"
        form.query_one("#f-security", Select).value = "ssl"
        form.query_one("#f-from_address", Input).value = "shop@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # the port is refused under its field; nothing saved
        with store.read() as uow:
            assert get_settings(uow).host == ""
        form.query_one("#f-port", Input).value = "465"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, UsersScreen)
    with store.read() as uow:
        s = get_settings(uow)
    assert (s.host, s.port, s.security, s.from_address) == (
        "smtp.example.com",
        465,
        "ssl",
        "shop@example.com",
    )


async def test_m_on_a_sales_order_e_mails_its_invoice(store) -> None:  # noqa: ANN001
    pytest.importorskip("bizdesk.services.papers")  # helper `paper`'s, merged by the lead
    product(store, "SRV", name="Service hour", sale_price="45", vat_rate="20", allow_negative="yes")
    with store.write() as uow:
        ann = contacts.create(
            uow, contacts.ContactInput(name="Ann Buyer", email="ann@example.com")
        ).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{ann}", lines=[sales.SOLineInput("SRV", "1")])
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id)
        label = sales.invoice(uow, so.id).label
    inbox = Inbox()
    with Server(inbox) as server:
        with store.write() as uow:
            update_settings(
                uow,
                host="127.0.0.1",
                port=str(server.port),
                security="none",
                from_address="shop@example.com",
            )
        app = BizdeskApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            app.push_screen(SalesOrderScreen(so.id))
            await settle(pilot, app)
            await pilot.press("m")  # the order and its invoice: pick the invoice
            await settle(pilot, app)
            await pilot.press("down", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, FormScreen)
            await pilot.press("ctrl+s")  # To empty: the contact's address
            await wait_for(
                pilot,
                app,
                lambda: any("was sent to" in str(n.message) for n in app._notifications),
                "the notification that it was sent",
            )
            said = [str(n.message) for n in app._notifications]
            assert f"{label} was sent to ann@example.com." in said
    assert len(inbox.messages) == 1
    with store.read() as uow:
        assert [m.state for m in outbox.list_outbox(uow)] == ["sent"]
