"""The rest of an order partly delivered (or partly received) is closed: the reservation (or
what is on order) is released, nothing moves and nothing is posted, and the order goes on
for what was done. A key of an order's page that cannot act says why, never nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.app import BizdeskApp
from bizdesk.models.core import AuditEvent
from bizdesk.models.ledger import JournalEntry
from bizdesk.screens.purchases import PurchaseOrderScreen
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import moves
from bizdesk.services.inventory.levels import on_order, reserved
from bizdesk.services.trade import purchasing, sales
from bizdesk.widgets.confirm import ConfirmScreen
from tests.erp_helpers import errors, order, product, supplier
from tests.tui_helpers import SIZE, footer_text, settle


def _so_half_delivered(store):  # noqa: ANN001, ANN202
    """5 bikes ordered, 2 delivered: 3 reserved."""
    pid = product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    with store.write() as uow:
        moves.adjust(uow, pid, "6", "opening")
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("BIKE", "5")])
        )
        so = sales.confirm(uow, so.id)
        so = sales.deliver(uow, so.id, {so.lines[0].id: "2"})
    return pid, so


def _entries(store) -> int:  # noqa: ANN001
    with store.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(JournalEntry))


def test_closing_the_rest_of_a_sales_order_releases_its_reservation(store) -> None:  # noqa: ANN001
    pid, so = _so_half_delivered(store)
    with store.read() as uow:
        assert reserved(uow, [pid]) == {pid: 3000}
    posted = _entries(store)
    with store.write() as uow:
        closed = sales.close_rest(uow, so.id, version=so.version)
    assert closed.state == "delivered" and closed.released == Decimal(3)
    assert _entries(store) == posted  # nothing moved, nothing posted
    with store.read() as uow:
        assert reserved(uow, [pid]) == {}
        assert sales.available(uow, pid) == 4000
        audit = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "close_rest")
        ).one()
        assert audit.entity == "sales_order" and audit.entity_id == so.id
    with store.write() as uow:  # what was delivered is invoiced and paid as usual
        inv = sales.invoice(uow, so.id)
        assert sales.get(uow, so.id).state == "invoiced"
        sales.pay(uow, inv.id)
        assert sales.get(uow, so.id).state == "closed"
    assert errors(store) == []


def test_closing_the_rest_of_a_purchase_order_takes_it_off_order(store) -> None:  # noqa: ANN001
    sid = supplier(store)
    pid = product(store, "BOLT", cost="2")
    po = order(store, sid, ("BOLT", "10", "2"))
    with store.write() as uow:
        po = purchasing.receive(uow, po.id, {po.lines[0].id: "4"})
        purchasing.bill(uow, po.id, reference="B-1")
        po = purchasing.get(uow, po.id)
        assert on_order(uow, [pid]) == {pid: 6000}
    posted = _entries(store)
    with store.write() as uow:
        closed = purchasing.close_rest(uow, po.id, version=po.version)
    assert closed.state == "billed" and closed.released == Decimal(6)
    assert _entries(store) == posted
    with store.read() as uow:
        assert on_order(uow, [pid]) == {}
    assert errors(store) == []


async def test_x_closes_the_rest_and_no_key_is_silent(store) -> None:  # noqa: ANN001
    pid, so = _so_half_delivered(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(SalesOrderScreen(so.id))
        await settle(pilot, app)
        keys = footer_text(app)
        assert "x Close rest" in keys and "Cancel order" not in keys, keys
        await pilot.press("c")  # cannot act: says why
        await settle(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("is partially delivered; it is confirmed already" in m for m in said), said
        await pilot.press("x")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.question).startswith("Close the rest of SO-00001? 3 not delivered")
        await pilot.press("y")
        await settle(pilot, app)
        with store.read() as uow:
            assert sales.get(uow, so.id).state == "delivered"
            assert reserved(uow, [pid]) == {}
        await pilot.press("x")  # delivered now: x cannot act, and says so
        await settle(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("is delivered; goods left the shop: return them instead" in m for m in said)

        with store.write() as uow:  # a draft purchase order: r and b say why they cannot act
            po = purchasing.create(
                uow,
                purchasing.POInput(
                    supplier=f"#{_supplier(uow)}",
                    lines=[purchasing.POLineInput("BIKE", "1", "400")],
                ),
            )
        app.push_screen(PurchaseOrderScreen(po.id))
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("is draft; send or confirm it first" in m for m in said), said
        assert any("is draft; nothing was received yet: receive the goods first" in m for m in said)


def _supplier(uow) -> int:  # noqa: ANN001
    return contacts.create(
        uow, contacts.ContactInput(name="Acme Supply", kind="organization", is_supplier=True)
    ).contact.id
