"""The Users screen (owner) and what other roles see, driven with Pilot at 80x24."""

from __future__ import annotations

from textual.widgets import Select

from bizdesk.app import BizdeskApp
from bizdesk.db import Store
from bizdesk.screens.home import HomePane
from bizdesk.screens.users import NoAccess, UsersScreen
from bizdesk.services.admin import drafts, users
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.tui_helpers import SIZE, footer_text, settle, type_text


def _rows(app: BizdeskApp) -> dict[str, tuple[str, bool]]:
    table = app.screen.query_one("#users-table", PagedTable)
    return {r.username: (r.role, r.active) for r in table.page_data.rows}


async def test_the_owner_adds_changes_and_disables_users(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        assert isinstance(app.screen, UsersScreen)
        assert _rows(app) == {"tester": ("owner", True)}
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "maria")
        app.screen.query_one("#f-role", Select).value = "sales"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, UsersScreen)
        assert _rows(app)["maria"] == ("sales", True)
        table = app.screen.query_one("#users-table", PagedTable)
        assert app.focused is table.grid
        table.grid.move_cursor(row=0)  # by login name: maria, then tester
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot, app)
        assert app.screen.title_text == "Role of maria"
        app.screen.query_one("#f-role", Select).value = "warehouse"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert _rows(app)["maria"] == ("warehouse", True)
        await pilot.press("x")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert _rows(app)["maria"] == ("warehouse", False)
        table.grid.move_cursor(row=1)
        await pilot.pause()
        await pilot.press("x")  # the only owner cannot be disabled
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert _rows(app)["tester"] == ("owner", True)
        assert any("only owner" in str(n.message) for n in app._notifications)


async def test_other_roles_see_who_to_ask(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.add(uow, "wes", "warehouse")
    wes = Store(url=store.url, engine=store.engine, user="wes")
    app = BizdeskApp(wes)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f8")  # the Journal tab
        await settle(pilot, app)
        note = app.query_one("#journal NoAccess", NoAccess)
        text = str(note.render())
        assert "Viewing the journal is not allowed for your role (warehouse)" in text
        assert "tester" in text
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        assert not isinstance(app.screen, UsersScreen)
        assert any("Listing users" in str(n.message) for n in app._notifications)
        await pilot.press("f2")  # the dashboard: no money figures, no failure
        await settle(pilot, app)
        home = app.query_one(HomePane)
        assert home.data is not None and home.data.cash is None
        assert not any(n.severity == "error" for n in app._notifications)
        # the keys of the money figures are not offered (they took the footer's room), and
        # no chart is drawn empty: the pipeline's, which the role may see, takes its place
        shown = footer_text(app)
        assert "Deals" in shown and "Tickets" in shown
        assert not {"Cash", "Bank", "Receivables", "Payables"} & set(shown.split()), shown
        assert not home.query_one("#sales-chart").display
        screen = app.screen
        await pilot.press("r", "c")
        await settle(pilot, app)
        assert app.screen is screen and app.query_one("#tabs").active == "home"
        assert not any(n.severity == "error" for n in app._notifications)


async def test_a_role_change_reaches_an_open_session(store) -> None:  # noqa: ANN001
    """An owner moves maria from sales to warehouse, then disables her, while her bizdesk is
    open: her tabs follow within the poll interval, and then she is shut out."""
    from bizdesk.screens.deals import DealsPane

    with store.write() as uow:
        users.add(uow, "maria", "sales")
    maria = Store(url=store.url, engine=store.engine, user="maria")
    app = BizdeskApp(maria)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        assert isinstance(app.active_pane(), DealsPane)
        with store.write() as uow:
            users.set_role(uow, "maria", "warehouse")
        for _ in range(100):  # the poll (every 2 s) notices
            await pilot.pause(0.1)
            if isinstance(app.active_pane(), NoAccess):
                break
        assert isinstance(app.active_pane(), NoAccess), "the Deals tab did not follow"
        assert app.role == "warehouse"
        with store.write() as uow:
            users.disable(uow, "maria")
        for _ in range(100):
            await pilot.pause(0.1)
            if not app.is_running:
                break
        assert app.return_code == 1


async def test_shut_out_with_a_form_open_keeps_the_typing_saying_why(
    store, tmp_path, monkeypatch
) -> None:  # noqa: ANN001
    """Disabled while typing a new contact: the typing is kept as maria's draft, and the
    draft, offered back later, says the account was disabled."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with store.write() as uow:
        users.add(uow, "maria", "sales")
    maria = Store(url=store.url, engine=store.engine, user="maria")
    app = BizdeskApp(maria)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n", *"Half Typed")
        await settle(pilot, app)
        with store.write() as uow:
            users.disable(uow, "maria")
        for _ in range(100):  # the poll (every 2 s) notices
            await pilot.pause(0.1)
            if not app.is_running:
                break
        assert app.return_code == 1
    kept = drafts.load_draft(store.url, "New contact")
    assert kept is not None and kept["why"] == "disabled"
    assert kept["state"]["values"]["name"] == "Half Typed"


async def test_the_key_of_a_screen_pressed_again_opens_no_second_copy(store) -> None:  # noqa: ANN001
    """ctrl+u three times (or a burst of them over a laggy link) stacked three Users
    screens: escape then seemed to do nothing. One screen, one escape back."""
    from tests.test_keys import post_burst

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        post_burst(app, "\x15\x15")  # two more in one read
        await settle(pilot, app)
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["UsersScreen"]
        await pilot.press("escape")
        await settle(pilot, app)
        assert len(app.screen_stack) == 1
