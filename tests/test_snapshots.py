"""Snapshot of each CRM screen at 80x24 (pytest-textual-snapshot), on fixed data.

Dates are fixed in the past so that overdue and SLA flags are stable; the home screen
shows only aggregates. Update with `pytest --snapshot-update` after a deliberate change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bizdesk.app import BizdeskApp
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.trade import deals as D
from tests.tui_helpers import workers_done

PAST = datetime(2024, 3, 4, 9, tzinfo=UTC)
AS_OF = date(2024, 3, 31)


@pytest.fixture
def shop(store):
    with store.write() as uow:
        uow.set_setting("company", "Snapshot Cycles")
        C.create(
            uow,
            C.ContactInput(
                name="Acme Wheels Ltd",
                kind="organization",
                email="hello@acme.example",
                city="Leeds",
                country="GB",
                is_supplier=True,
            ),
        )
        for i, (name, city, cc) in enumerate(
            [
                ("Ann Buyer", "York", "GB"),
                ("Bolt [M8]", "Berlin", "DE"),
                ("Chloé Dubois", "Paris", "FR"),
                ("שלום עולם", "Haifa", "IL"),
            ]
        ):
            C.create(
                uow,
                C.ContactInput(
                    name=name,
                    city=city,
                    country=cc,
                    email=f"c{i}@example.com",
                    is_customer=True,
                    organization="#1" if i == 0 else "",
                ),
            )
        for i, stage in enumerate(["New", "Qualified", "Proposal", "Negotiation", "New"]):
            D.create(
                uow,
                D.DealInput(
                    title=f"Deal {i} [x]",
                    contact="#2",
                    amount=f"{(i + 1) * 1000}.50",
                    stage=stage,
                    next_activity="Call",
                    next_activity_due="2024-03-01",
                ),
            )
        for i, prio in enumerate(["urgent", "high", "normal", "low"]):
            T.create(
                uow, T.TicketInput(subject=f"Ticket {i} [b]", contact="#2", priority=prio), now=PAST
            )
    return store


def app_for(store) -> BizdeskApp:  # noqa: ANN001
    return BizdeskApp(store)


async def _settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await workers_done(pilot.app)
        await pilot.pause()


def test_home(shop, snap_compare):
    assert snap_compare(_pinned(shop), terminal_size=(80, 24), run_before=_settle)


def test_contacts_list(shop, snap_compare):
    async def before(pilot):  # noqa: ANN001, ANN202
        await _settle(pilot)
        await pilot.press("f3")
        await _settle(pilot)

    assert snap_compare(app_for(shop), terminal_size=(80, 24), run_before=before)


def test_contact_form(shop, snap_compare):
    async def before(pilot):  # noqa: ANN001, ANN202
        await _settle(pilot)
        await pilot.press("f3")
        await _settle(pilot)
        await pilot.press("n")
        await _settle(pilot)

    assert snap_compare(app_for(shop), terminal_size=(80, 24), run_before=before)


def test_deals_board(shop, snap_compare):
    async def before(pilot):  # noqa: ANN001, ANN202
        await _settle(pilot)
        await pilot.press("f4")
        await _settle(pilot)

    assert snap_compare(app_for(shop), terminal_size=(80, 24), run_before=before)


def test_tickets_queue(shop, snap_compare):
    async def before(pilot):  # noqa: ANN001, ANN202
        await _settle(pilot)
        await pilot.press("f5")
        await _settle(pilot)

    assert snap_compare(app_for(shop), terminal_size=(80, 24), run_before=before)


def test_help(shop, snap_compare):
    async def before(pilot):  # noqa: ANN001, ANN202
        await _settle(pilot)
        await pilot.press("f3")
        await _settle(pilot)
        await pilot.press("f1")
        await _settle(pilot)

    assert snap_compare(app_for(shop), terminal_size=(80, 24), run_before=before)


@pytest.fixture
def erp_shop(shop):  # noqa: ANN001, ANN201
    """The CRM shop plus products (one with markup in its name), an order part-received
    and billed, and a hand-made entry, all on fixed dates."""
    from bizdesk.services.books import ledger as L
    from bizdesk.services.inventory import products
    from bizdesk.services.trade import purchasing as PU

    with shop.write() as uow:
        for sku, name, cost in (
            ("BOLT-M8", "Bolt [M8] zinc", "0.20"),
            ("TUBE-28", "Tube 28", "2.10"),
        ):
            products.create_product(
                uow,
                products.ProductInput(
                    sku=sku,
                    name=name,
                    cost=cost,
                    vat_rate="20",
                    sale_price="0.45",
                    supplier="#1",
                    reorder_point="50",
                    reorder_qty="200",
                ),
            )
        po = PU.create(
            uow,
            PU.POInput(
                supplier="#1",
                order_date="2024-03-01",
                lines=[PU.POLineInput("BOLT-M8", "500"), PU.POLineInput("TUBE-28", "20")],
            ),
        )
        PU.send(uow, po.id)
        PU.receive(uow, po.id, {po.lines[0].id: "300"}, when="2024-03-04")
        PU.bill(uow, po.id, reference="AW-77", bill_date="2024-03-05")
        PU.create(
            uow,
            PU.POInput(
                supplier="#1", order_date="2024-03-06", lines=[PU.POLineInput("TUBE-28", "40")]
            ),
        )
        e = L.create_draft(
            uow,
            L.EntryInput(
                "2024-03-07",
                "Rent March",
                [L.LineInput("6000", "900", ""), L.LineInput("1010", "", "900")],
            ),
        )
        L.post(uow, e.id, version=e.version)
    return shop


async def _at(pilot, *keys: str) -> None:  # noqa: ANN001
    await _settle(pilot)
    for key in keys:
        await pilot.press(key)
        await _settle(pilot)
    pane = pilot.app.active_pane()
    for _ in range(50):  # a report runs in a worker started by the key: wait for its rows
        if getattr(pane, "report", True) is not None:
            break
        await _settle(pilot)


@pytest.mark.parametrize(
    "keys",
    [("f6",), ("f7",), ("f7", "n"), ("f8",), ("f8", "v"), ("f8", "n")],
    ids=["stock", "purchases", "po-form", "journal", "accounts", "entry-form"],
)
def test_erp_screens(erp_shop, snap_compare, keys):  # noqa: ANN001
    async def before(pilot):  # noqa: ANN001, ANN202
        await _at(pilot, *keys)

    assert snap_compare(app_for(erp_shop), terminal_size=(80, 24), run_before=before)


def _pinned(store) -> BizdeskApp:  # noqa: ANN001
    app = app_for(store)
    app.today = AS_OF  # the dashboard's months and "this month" stay put
    return app


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_dashboard(erp_shop, snap_compare, size):  # noqa: ANN001
    async def before(pilot):  # noqa: ANN001, ANN202
        await _at(pilot)

    assert snap_compare(_pinned(erp_shop), terminal_size=size, run_before=before)


@pytest.mark.parametrize(
    "report,size",
    [
        ("trial-balance", (80, 24)),
        ("trial-balance", (160, 48)),
        ("balance-sheet", (80, 24)),
        ("ap-aging", (160, 48)),
    ],
    ids=["trial-balance-80x24", "trial-balance-160x48", "balance-sheet-80x24", "ap-aging-160x48"],
)
def test_reports(erp_shop, snap_compare, report, size):  # noqa: ANN001
    async def before(pilot):  # noqa: ANN001, ANN202
        await _at(pilot, "f9")
        pane = pilot.app.active_pane()
        pane.query_one("#as_of").value = "2024-03-31"
        pane.show(report)
        for _ in range(100):  # the report asked for, not the one the tab ran when shown
            shown = pane.report
            if shown is not None and shown.name == report and shown.params.get("as_of") == AS_OF:
                break
            await _settle(pilot)
        await _settle(pilot)

    assert snap_compare(_pinned(erp_shop), terminal_size=size, run_before=before)
