"""The Deals and Tickets tabs driven with keys at 80x24."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Input, OptionList, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.deals import DealsPane
from bizdesk.screens.tickets import TicketScreen
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.trade import deals as D
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.tui_helpers import SIZE, settle, type_text, wait_for


@pytest.fixture
def shop(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", email="ann@example.com"))
    return store


def deal(store, deal_id: int) -> D.DealView:
    with store.read() as uow:
        return D.get(uow, deal_id)


async def moved_to(pilot, app, store, stage: str, version: int | None = None) -> None:  # noqa: ANN001
    """Wait until deal 1 is in ``stage`` (at ``version``, when a burst passes through the
    stage on its way) and the board has it under the cursor again (the board reloads after
    a move; the next key acts on what is under the cursor)."""

    def ready() -> bool:
        focused = app.focused
        now = deal(store, 1)
        return (
            now.stage == stage
            and (version is None or now.version == version)
            and isinstance(focused, OptionList)
            and focused.highlighted is not None
            and focused.get_option_at_index(focused.highlighted).id == "1"
        )

    await wait_for(pilot, app, ready, f"the deal under the cursor in {stage}")


async def test_create_move_win_and_lose_deals_on_the_board(shop):
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "Fleet of cargo bikes")
        app.screen.query_one("#f-contact", Input).value = "Ann Buyer"
        app.screen.query_one("#f-amount", Input).value = "12x"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "not a number" in str(app.screen.query_one("#e-amount", Static).render())
        app.screen.query_one("#f-amount", Input).value = "4500.00"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
        assert deal(shop, 1).stage == "New"

        focused = app.focused
        assert isinstance(focused, OptionList) and focused.id.startswith("stage-")
        await pilot.press("right_square_bracket")
        await moved_to(pilot, app, shop, "Qualified")
        await pilot.press("right_square_bracket")
        await moved_to(pilot, app, shop, "Proposal")
        assert (deal(shop, 1).stage, deal(shop, 1).probability) == ("Proposal", 60)
        await pilot.press("left_square_bracket")
        await moved_to(pilot, app, shop, "Qualified")

        await pilot.press("l")
        await settle(pilot, app)
        await pilot.press("ctrl+s")  # no reason: refused
        await settle(pilot, app)
        assert "required" in str(app.screen.query_one("#e-reason", Static).render())
        await type_text(pilot, "Too expensive")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        lost = deal(shop, 1)
        assert lost.stage == "Lost" and lost.close_reason == "Too expensive"

        # the list view shows closed deals too, and filters by title
        await pilot.press("v")
        await settle(pilot, app)
        table = app.query_one(DealsPane).query_one(PagedTable)
        assert [r.title for r in table.page_data.rows] == ["Fleet of cargo bikes"]
        await pilot.press("slash")
        await type_text(pilot, "zzz")
        await wait_for(pilot, app, lambda: table.page_data.rows == [], "an empty list")


async def test_win_from_the_board(shop):
    with shop.write() as uow:
        D.create(uow, D.DealInput(title="Helmets", contact="#1", amount="100"))
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        await type_text(pilot, "Quick delivery")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        won = deal(shop, 1)
        assert (won.stage, won.probability, won.close_reason) == ("Won", 100, "Quick delivery")


async def test_ticket_flow_create_reply_wait_resolve_reopen(shop):
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Chain skips")
        app.screen.query_one("#f-contact", Input).value = "ann@example.com"
        app.screen.query_one("#f-priority", Select).value = "high"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        table = app.query_one("#tickets-table", PagedTable)
        assert [r.subject for r in table.page_data.rows] == ["Chain skips"]

        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("i")
        await settle(pilot, app)
        await type_text(pilot, "check stock first")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        await type_text(pilot, "Please bring it in")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = str(app.screen.query_one("#ticket", Static).render())
        assert "INTERNAL NOTE" in text and "Please bring it in" in text
        assert "First response: MET" in text

        for status in ("waiting", "resolved"):
            await pilot.press("s")
            await settle(pilot, app)
            app.screen.query_one("#f-status", Select).value = status
            await pilot.press("ctrl+s")
            await settle(pilot, app)
        with shop.read() as uow:
            assert T.get(uow, 1).status == "resolved"
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#f-status", Select).value = "open"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        with shop.read() as uow:
            t = T.get(uow, 1)
        assert t.status == "open" and t.resolved_at is None
        await pilot.press("escape")
        await settle(pilot, app)


async def test_ticket_queues(shop):
    past = datetime(2020, 1, 6, 9, tzinfo=UTC)
    with shop.write() as uow:
        T.create(uow, T.TicketInput(subject="Mine", assignee="tester"))
        T.create(uow, T.TicketInput(subject="Nobody's"))
        T.create(uow, T.TicketInput(subject="Ancient"), now=past)
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        table = app.query_one("#tickets-table", PagedTable)

        async def queue(key: str) -> list[str]:
            await pilot.press(key)
            await settle(pilot, app)
            return sorted(r.subject for r in table.page_data.rows)

        assert await queue("1") == ["Mine"]
        assert await queue("2") == ["Ancient", "Nobody's"]
        assert await queue("3") == ["Ancient"]
        assert await queue("4") == ["Ancient", "Mine", "Nobody's"]
    with shop.read() as uow:
        assert len(T.list_page(uow, PageRequest(filters={"queue": "all"})).rows) == 3


async def test_archive_a_deal_from_the_board_after_confirming(shop):
    with shop.write() as uow:
        D.create(uow, D.DealInput(title="Old lead", contact="#1", amount="10"))
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("n")  # changed my mind
        await settle(pilot, app)
        with shop.read() as uow:
            assert D.list_page(uow, PageRequest()).rows
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
    with shop.read() as uow:
        assert D.list_page(uow, PageRequest()).rows == []


async def test_the_deals_list_shows_amounts_as_the_shops_locale_writes_and_reads_them(tmp_path):
    from decimal import Decimal

    from bizdesk.db import open_store
    from bizdesk.money import parse_decimal
    from bizdesk.services.admin import setup

    store = open_store(str(tmp_path / "inr.db"), user="tester")
    try:
        with store.write() as uow:
            setup.initialize(uow, company="Dukaan", currency="INR", locale="en_IN")
        with store.write() as uow:
            C.create(uow, C.ContactInput(name="Asha"))
            D.create(uow, D.DealInput(title="Wholesale", contact="#1", amount="1234567.80"))
        app = BizdeskApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("f4")
            await settle(pilot, app)
            await pilot.press("v")
            await settle(pilot, app)
            table = app.query_one(DealsPane).query_one(PagedTable)
            shown = str(table.grid.get_row_at(0)[3])
            assert shown == "12,34,567.80"  # the lakh grouping of the shop's locale
            typed = parse_decimal(shown, decimals=2, locale=store.input_locale)
            assert typed == Decimal("1234567.80")  # typed back as shown: the same amount
            await pilot.press("e")
            await settle(pilot, app)
            assert app.screen.query_one("#f-amount", Input).value == shown
    finally:
        store.dispose()


async def test_a_card_on_the_board_keeps_to_its_two_lines_cut_with_an_ellipsis(shop):
    with shop.write() as uow:
        D.create(
            uow,
            D.DealInput(
                title="Fleet of forty cargo bikes for the municipal parks department",
                contact="Ann Buyer",
                amount="4500",
            ),
        )
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        board = app.query_one("#stage-1", OptionList)
        lines = [board.render_line(y).text.rstrip() for y in range(3)]
        assert lines[0].startswith("Fleet of") and lines[0].endswith("…"), lines
        assert lines[1].startswith("4,500.00 Ann") and lines[2] == "", lines


async def test_a_burst_of_moves_on_the_board_moves_the_deal_once_per_key(shop):
    """Over SSH "] ] [" can arrive in one read: each key acts on the deal as the key before
    it left it (not on the version it replaced, which would say "changed by someone else")."""
    from tests.test_keys import post_burst

    with shop.write() as uow:
        D.create(uow, D.DealInput(title="Cargo bikes", contact="Ann Buyer", amount="100.00"))
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        assert isinstance(app.focused, OptionList)
        post_burst(app, "]]][")  # through Proposal (version 3) to Negotiation and back
        await moved_to(pilot, app, shop, "Proposal", version=5)
        await settle(pilot, app)
        assert deal(shop, 1).stage == "Proposal" and deal(shop, 1).version == 5
        assert not [n for n in app._notifications if n.severity == "error"]  # noqa: SLF001


async def test_slash_on_the_board_filters_the_list_and_types_nothing_else(shop):
    """/ did nothing on the board: "/Week test" typed in one burst opened "Edit deal #1"
    with e and filled its title with the rest (a w would have won a deal)."""
    from tests.test_keys import post_burst

    with shop.write() as uow:
        D.create(uow, D.DealInput(title="Weekly service", contact="Ann Buyer", amount="100"))
        D.create(uow, D.DealInput(title="Fleet", contact="Ann Buyer", amount="900"))
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot, app)
        pane = app.query_one(DealsPane)
        assert pane.showing_board
        post_burst(app, "/Week")
        table = pane.query_one("#list", PagedTable)

        def filtered() -> bool:
            rows = table.page_data.rows if table.page_data is not None else []
            return [r.title for r in rows] == ["Weekly service"]

        await wait_for(pilot, app, filtered, "the list filtered")
        assert not isinstance(app.screen, FormScreen) and not pane.showing_board
        assert pane.query_one("#filter", Input).value == "Week"
    with shop.read() as uow:
        assert {d.title for d in D.list_page(uow, PageRequest()).rows} == {
            "Weekly service",
            "Fleet",
        }
