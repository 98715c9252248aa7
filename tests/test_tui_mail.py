"""E-mail in the terminal interface at 80x24: the owner's mail settings form (Users screen,
m), m on a sales order's page e-mailing its invoice, m on a deal's page its quote and t on a
contact's page their statement, through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.db import Store
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.deals import DealScreen
from bizdesk.screens.outbox import OutboxScreen
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.screens.users import UsersScreen
from bizdesk.services.admin import users
from bizdesk.services.crm import contacts
from bizdesk.services.mail import outbox
from bizdesk.services.mail.settings import get_settings, update_settings
from bizdesk.services.trade import sales
from bizdesk.widgets.form import FormScreen
from tests.erp_helpers import product
from tests.mail_server import Inbox, Server
from tests.shop_template import issued_without_address
from tests.test_papers import lines_of, pdf_text
from tests.test_papers import shop as shop  # noqa: F401  (the fixture)
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
    issued_without_address(store, label)  # as an older bizdesk issued it
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
            # issued before the shop set its address: it carries none, as printing says
            assert any(s.startswith(f"{label} carries no address of the shop") for s in said)
    assert len(inbox.messages) == 1
    with store.read() as uow:
        assert [m.state for m in outbox.list_outbox(uow)] == ["sent"]


def _smtp(store, port: int) -> None:  # noqa: ANN001
    with store.write() as uow:
        update_settings(
            uow, host="127.0.0.1", port=str(port), security="none", from_address="shop@example.com"
        )


def _notes(app: BizdeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _attached(inbox: Inbox) -> list[str]:
    """The one message that arrived, its one attachment read back as text (pypdf)."""
    assert len(inbox.messages) == 1
    parts = list(inbox.messages[0].iter_attachments())
    assert len(parts) == 1 and parts[0].get_content_type() == "application/pdf"
    return lines_of(pdf_text(parts[0].get_content()))


def _error(form: FormScreen) -> str:
    """What the form says above its fields ("" once it is closed)."""
    found = form.query("#form-error")
    return str(found.first().render()) if found else ""


async def _send_from(store, page, key: str, to: str = "", **more: str) -> BizdeskApp:  # noqa: ANN001
    """Open ``page``, press ``key``, fill in the form (``to``: empty, the contact's address;
    ``more``: other fields, a statement's period) and save it; wait until the app says what
    became of the message."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(page)
        await settle(pilot, app)
        await pilot.press(key)
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-to", Input).value = to
        for name, value in more.items():
            form.query_one(f"#f-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            app,
            lambda: any("sent to" in n for n in _notes(app)) or "Not saved" in _error(form),
            "what became of the message",
        )
        await settle(pilot, app)
        app.said = _notes(app)  # type: ignore[attr-defined]
        app.form_error = _error(form)  # type: ignore[attr-defined]
        app.field_errors = {  # type: ignore[attr-defined]
            str(w.id)[2:]: str(w.render()) for w in form.query(".field-error")
        }
        app.last_screen = app.screen  # type: ignore[attr-defined]
    return app


async def test_m_on_a_deal_s_page_e_mails_its_quote(shop) -> None:  # noqa: F811, ANN001
    store, cid, _so, _po, deal_id = shop
    label = f"Q-{deal_id:05d}"
    inbox = Inbox()
    with Server(inbox) as server:
        _smtp(store, server.port)
        app = await _send_from(store, DealScreen(deal_id), "m")
    assert f"{label} was sent to buy@radhaus.example." in app.said
    assert isinstance(app.last_screen, DealScreen)
    assert inbox.messages[0]["To"] == "buy@radhaus.example"
    assert inbox.messages[0]["Subject"].startswith(f"{label} from ")
    lines = _attached(inbox)
    assert "QUOTE" in lines and label in lines and "Fleet for the club" in lines
    assert "BIKE City bike 4 650.00 19% 2,600.00" in lines and "Total EUR 3,154.00" in lines
    with store.read() as uow:
        sent = outbox.list_outbox(uow)
        logged = contacts.list_interactions(uow, cid)
    assert [(m.state, m.doc_label) for m in sent] == [("sent", label)]
    assert any(label in i.summary and sent[0].doc_sha256 in i.summary for i in logged)


async def test_t_on_a_contact_s_page_e_mails_their_statement(shop) -> None:  # noqa: F811, ANN001
    store, cid, *_ = shop
    inbox = Inbox(refuse=1)  # busy at first: the message waits in the outbox, sent once later
    with Server(inbox) as server:
        _smtp(store, server.port)
        app = await _send_from(store, ContactScreen(cid), "t", to="books@radhaus.example")
        assert any("could not be sent to books@radhaus.example yet" in n for n in app.said)
        assert inbox.messages == []
        done = outbox.deliver(store)  # what `bizdesk mail retry` does
        assert len(done.sent) == 1
        assert outbox.deliver(store).sent == []  # never twice
    lines = _attached(inbox)
    assert inbox.messages[0]["To"] == "books@radhaus.example"
    assert "ACCOUNT STATEMENT" in lines and "Radhaus Köln GmbH" in lines
    assert any(line.startswith(f"ST-{cid:05d}-") for line in lines)


async def test_a_statement_is_e_mailed_over_the_period_asked(shop) -> None:  # noqa: F811, ANN001
    """t asks for the statement's period too (empty: 1 January to today); an impossible end
    is marked on the period's own field, not on the address; nothing is sent for it."""
    store, cid, *_ = shop
    inbox = Inbox()
    with Server(inbox) as server:
        _smtp(store, server.port)
        page = ContactScreen(cid)
        bad = await _send_from(store, page, "t", since="2020-01-01", until="2020-02-30")
        assert "no such day" in bad.field_errors["until"] and not bad.field_errors["to"].strip()
        assert inbox.messages == []
        await _send_from(store, ContactScreen(cid), "t", since="2020-01-01", until="2020-12-31")
    lines = _attached(inbox)
    assert "ACCOUNT STATEMENT" in lines and "Period: Jan 1, 2020 – Dec 31, 2020" in lines, lines
    assert "Closing balance 0.00 0.00 0.00" in lines, lines


async def test_the_e_mail_keys_keep_the_roles_of_bizdesk_send(shop) -> None:  # noqa: F811, ANN001
    """Support may not send documents: the form says so and nothing is queued or sent."""
    store, cid, _so, _po, deal_id = shop
    with store.write() as uow:
        users.add(uow, "sam", "support")
    inbox = Inbox()
    with Server(inbox) as server:
        _smtp(store, server.port)
        sam = Store(url=store.url, engine=store.engine, user="sam")
        app = await _send_from(sam, ContactScreen(cid), "t")
    assert "Not saved" in app.form_error and "support" in app.form_error
    assert inbox.messages == []
    with store.read() as uow:
        assert outbox.list_outbox(uow) == []


async def test_the_outbox_in_the_terminal_sends_again_and_cancels(store) -> None:  # noqa: ANN001
    """A message that failed waited in the outbox, told "bizdesk mail retry": a shop run
    from the terminal had no way to see it. The palette's E-mail outbox lists every
    message with its state; r sends the queued ones, s one whose sending is unsure (asked
    first), x cancels one (asked first); enter shows the last error."""
    from tests.test_mail import customer, queue, smtp_settings

    cid = customer(store)
    with Server(Inbox(hang_up=1)) as lost:  # handed over, then the link broke: unsure
        smtp_settings(store, lost.port)
        unsure = queue(store, cid, "INV-00001")
        outbox.deliver(store, [unsure])
    with Server(Inbox(refuse=1)) as busy:  # refused once: queued again with its error
        smtp_settings(store, busy.port)
        failed = queue(store, cid, "INV-00002")
        outbox.deliver(store, [failed])
    left = queue(store, cid, "INV-00003")
    with store.read() as uow:
        states = [outbox.get_message(uow, i).state for i in (unsure, failed, left)]
    assert states == ["unsure", "queued", "queued"]
    inbox = Inbox()
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        app = BizdeskApp(store)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_outbox(pilot, app)
            shown = [(r.document, r.state) for r in table.page_data.rows]
            assert shown == [
                ("INV-00003", "queued"),
                ("INV-00002", "queued"),
                ("INV-00001", "unsure"),
            ]
            await pilot.press("x")  # the newest: never to be sent
            await settle(pilot, app)
            await pilot.press("y")
            await wait_for(pilot, app, lambda: row_state(store, left) == "cancelled", "cancel")
            await pilot.press("down", "enter")  # the one refused: why, and when again
            details = app.screen.query_one("#outbox-details", Static)
            await wait_for(pilot, app, lambda: "Last error" in str(details.render()), "why")
            assert "Next try" in str(details.render())
            await pilot.press("r")
            await wait_for(pilot, app, lambda: row_state(store, failed) == "sent", "sent now")
            assert any("1 message was sent." in n for n in _notes(app))
            await pilot.press("s")  # on a sent one: only an unsure one is sent again
            await settle(pilot, app)
            assert any("Only a message whose sending is unsure" in n for n in _notes(app))
            await pilot.press("down", "s")
            await settle(pilot, app)
            await pilot.press("y")
            await wait_for(pilot, app, lambda: row_state(store, unsure) == "sent", "again")
            await wait_for(
                pilot,
                app,
                lambda: [r.state for r in table.page_data.rows] == ["cancelled", "sent", "sent"],
                "the list as it is now",
            )
    assert sorted(m["Subject"].split()[0] for m in inbox.messages) == ["INV-00001", "INV-00002"]


async def _open_outbox(pilot, app: BizdeskApp):  # noqa: ANN001, ANN202
    """The palette's E-mail outbox, its first page read: its table."""
    await settle(pilot, app)
    await pilot.press("ctrl+p", *"outbox", "enter")
    await wait_for(pilot, app, lambda: isinstance(app.screen, OutboxScreen), "outbox")
    table = app.screen.table
    await wait_for(pilot, app, lambda: table.page_data is not None, "rows")
    return table


def row_state(store, message_id: int) -> str:  # noqa: ANN001
    with store.read() as uow:
        return outbox.get_message(uow, message_id).state


async def test_a_viewer_looks_at_the_outbox_without_its_sending_keys(store) -> None:  # noqa: ANN001
    from tests.test_mail import customer, queue

    queue(store, customer(store), "INV-00009")
    with store.write() as uow:
        users.add(uow, "vic", "viewer")
    viewer = Store(url=store.url, engine=store.engine, user="vic")
    app = BizdeskApp(viewer)
    async with app.run_test(size=SIZE) as pilot:
        table = await _open_outbox(pilot, app)
        assert [r.document for r in table.page_data.rows] == ["INV-00009"]
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}
        assert not keys & {"r", "s", "x"}
        await pilot.press("x", "r")
        await settle(pilot, app)
        assert row_state(store, table.page_data.rows[0].id) == "queued"
