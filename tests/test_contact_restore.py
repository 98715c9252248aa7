"""An archived contact is restored with the same key that archived it (the footer says
Restore), audited and at the version shown; archiving one with business still open says what
is open in the question."""

from __future__ import annotations

from sqlalchemy import select

from bizdesk.app import BizdeskApp
from bizdesk.errors import Conflict
from bizdesk.models.core import AuditEvent
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets
from bizdesk.services.inventory import moves, products
from bizdesk.services.overview.story import open_business
from bizdesk.services.trade import sales
from bizdesk.widgets.confirm import ConfirmScreen
from tests.erp_helpers import errors, product
from tests.tui_helpers import SIZE, footer_text, settle


def _customer_with_business(store) -> int:  # noqa: ANN001
    """Dana: an order of 2 bikes, 1 delivered and invoiced (780.00 unpaid), and a ticket."""
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    with store.write() as uow:
        moves.adjust(uow, products.resolve_product(uow, "BIKE").id, "3", "opening")
        cid = C.create(uow, C.ContactInput(name="Dana Client")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("BIKE", "2")])
        )
        so = sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, {so.lines[0].id: "1"})
        sales.invoice(uow, so.id)
        tickets.create(uow, tickets.TicketInput(subject="Bell rattles", contact=f"#{cid}"))
    return cid


def test_open_business_names_balance_orders_and_tickets(store) -> None:  # noqa: ANN001
    cid = _customer_with_business(store)
    with store.read() as uow:
        said = str(open_business(uow, cid))
    assert said == "780.00 unpaid, 1 open order, 1 open ticket", said
    with store.write() as uow:
        bare = C.create(uow, C.ContactInput(name="Nobody Yet")).contact.id
    with store.read() as uow:
        assert not open_business(uow, bare)


def test_unarchive_is_audited_and_version_checked(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        c = C.create(uow, C.ContactInput(name="Old Friend")).contact
        c = C.archive(uow, c.id, version=c.version)
    with store.write() as uow:
        try:
            C.unarchive(uow, c.id, version=c.version - 1)
        except Conflict:
            pass
        else:
            raise AssertionError("a stale version was accepted")
    with store.write() as uow:
        back = C.unarchive(uow, c.id, version=c.version)
    assert not back.archived
    with store.read() as uow:
        actions = list(
            uow.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "contact", AuditEvent.entity_id == c.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions[-2:] == ["archive", "unarchive"]


async def test_archive_says_what_is_open_then_d_restores(store) -> None:  # noqa: ANN001
    cid = _customer_with_business(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        assert "d Archive" in footer_text(app)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        shown = str(app.screen.question)
        assert shown.startswith(
            "Dana Client still has 780.00 unpaid, 1 open order, 1 open "
            "ticket. Archive it all the same?"
        ), shown
        await pilot.press("y")
        await settle(pilot, app)
        with store.read() as uow:
            assert C.get(uow, cid).archived
        await pilot.press("a")  # archived contacts shown: d restores the selected one
        await settle(pilot, app)
        keys = footer_text(app)
        assert "d Restore" in keys and "d Archive" not in keys, keys
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        assert "d Restore" in footer_text(app)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.question).startswith("Restore Dana Client?")
        await pilot.press("y")
        await settle(pilot, app)
        with store.read() as uow:
            assert not C.get(uow, cid).archived
        keys = footer_text(app)
        assert "d Archive" in keys and "d Restore" not in keys, keys
    assert errors(store) == []
