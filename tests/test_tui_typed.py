"""What a person types in the TUI's forms: a deal's probability with its percent sign, and a
reply to a closed ticket (saved; the ticket stays closed, and the person is told)."""

from __future__ import annotations

from textual.widgets import Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.tickets import TicketScreen
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.trade import deals as D
from bizdesk.widgets.form import FormScreen
from tests.tui_helpers import SIZE, settle, type_text


async def test_a_deals_probability_typed_with_its_sign(store) -> None:  # noqa: ANN001
    """ "50%" in the deal form's Probability % was refused as not a number."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", email="ann@example.com"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "Fleet of cargo bikes")
        app.screen.query_one("#f-contact", Input).value = "Ann Buyer"
        app.screen.query_one("#f-amount", Input).value = "4500.00"
        app.screen.query_one("#f-probability", Input).value = "50%"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen), str(
            app.screen.query_one("#e-probability", Static).render()
        )
    with store.read() as uow:
        assert D.get(uow, 1).probability == 50


def test_a_reply_to_a_closed_ticket_is_saved_and_it_stays_closed(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        t = T.create(uow, T.TicketInput(subject="Chain skips"))
        t = T.add_comment(uow, t.id, "Fixed, thanks")
        t = T.set_status(uow, t.id, "closed", version=t.version)
        replied = T.add_comment(uow, t.id, "One more thing")
        noted = T.add_comment(uow, t.id, "customer wrote again", internal=True)
    assert replied.status == "closed"
    said = T.stays_closed(replied, internal=False)
    assert str(said) == (
        "The reply was saved; ticket #1 stays closed and out of the open queues. If the "
        "customer needs more help, reopen it: set its status to open."
    )
    assert T.stays_closed(noted, internal=True) is None  # a note is not to the customer
    with store.write() as uow:
        fresh = T.create(uow, T.TicketInput(subject="Brakes"))
        assert T.stays_closed(T.add_comment(uow, fresh.id, "On it"), internal=False) is None


async def test_the_one_replying_to_a_closed_ticket_is_told_it_stays_closed(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        t = T.create(uow, T.TicketInput(subject="Chain skips"))
        t = T.set_status(uow, t.id, "resolved", version=t.version)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(TicketScreen(t.id))
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        await type_text(pilot, "One more thing")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, TicketScreen)
        said = [str(n.message) for n in app._notifications]  # noqa: SLF001
    assert any("ticket #1 stays resolved" in s and "(s changes the status)" in s for s in said), (
        said
    )
    with store.read() as uow:
        assert T.get(uow, t.id).status == "resolved"
