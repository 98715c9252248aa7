"""The tabs built ahead once Home is drawn (as `bizdesk` runs the app): Home keeps the screen
and the focus, a list built ahead reads its first rows at the size it will have, keys typed
meanwhile act in order, and a tab built ahead follows what others save. Pilot at 80x24, a
real store."""

from __future__ import annotations

from contextlib import asynccontextmanager

from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.screens.registry import TABS
from bizdesk.services.admin import users
from bizdesk.services.books import ledger as L
from bizdesk.services.crm import contacts as C
from bizdesk.widgets.paged_table import PagedTable
from tests.tui_helpers import SIZE, settle, type_text, wait_for

# the lists among the tabs, by the key that shows each
LISTS = {"f3": "contacts", "f5": "tickets", "f6": "stock", "f7": "purchases", "f8": "journal"}


def _built(app: BizdeskApp) -> list[str]:
    tabs = app.query_one("#tabs")
    return [t.id for t in TABS if tabs.get_pane(t.id).children]


def _contacts(app: BizdeskApp) -> PagedTable:
    return app.query_one("#contacts-table", PagedTable)


async def _all_built(pilot, app: BizdeskApp) -> None:  # noqa: ANN001
    await wait_for(pilot, app, lambda: len(_built(app)) == len(TABS), "every tab built")


@asynccontextmanager
async def _built_ahead(store):  # noqa: ANN001, ANN202
    """A store with one contact, "First", and a session on it whose tabs are all built."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="First"))
    app = BizdeskApp(store, build_ahead=True)
    async with app.run_test(size=SIZE) as pilot:
        await _all_built(pilot, app)
        await settle(pilot, app)
        yield app, pilot


async def test_every_tab_is_built_behind_home_which_keeps_the_screen(store) -> None:  # noqa: ANN001
    async with _built_ahead(store) as (app, pilot):
        tabs = app.query_one("#tabs")
        assert tabs.active == "home"
        home = tabs.get_pane("home").children[0]
        assert app.focused is not None and home in app.focused.ancestors_with_self
        reports = tabs.get_pane("reports").children[0]
        assert reports.runs == 1 and reports.report is not None  # the report chosen, run
        # each list has read its first rows, as many as it shows once on view (its size
        # told from the styles): a first visit reads nothing more
        lists = {key: tabs.get_pane(tab).children[0].table for key, tab in LISTS.items()}
        read = {key: (t._asked, t.req.limit, t.page_data is not None) for key, t in lists.items()}
        assert all(asked == 1 and shown for asked, _, shown in read.values()), read
        for key, table in lists.items():
            await pilot.press(key)
            await settle(pilot, app)
            assert tabs.active == LISTS[key]
            assert (table._asked, table.req.limit) == read[key][:2], LISTS[key]
            assert table.req.limit == table.grid.size.height - 2
        assert [r.name for r in _contacts(app).page_data.rows] == ["First"]
        await pilot.press("f9")  # the report run ahead is shown, not run again
        await settle(pilot, app)
        assert tabs.active == "reports" and reports.runs == 1
        assert app.query_one("#report-rows").row_count == len(reports.report.rows) + 1


async def test_a_report_run_ahead_shows_what_was_posted_since(store) -> None:  # noqa: ANN001
    async with _built_ahead(store) as (app, pilot):
        reports = app.query_one("#tabs").get_pane("reports").children[0]
        assert reports.runs == 1
        with store.write() as uow:
            lines = [L.LineInput("1010", "12.34"), L.LineInput("3000", "", "12.34")]
            entry = L.create_draft(uow, L.EntryInput(date="2026-11-02", memo="m", lines=lines))
            L.post(uow, entry.id, version=entry.version)
        app._poll_changes()  # the 2-second tick, called directly
        await settle(pilot, app)
        assert "reports" in app._stale and reports.runs == 1  # not run while not shown
        await pilot.press("f9")
        await wait_for(pilot, app, lambda: reports.runs == 2, "the report run again")
        await settle(pilot, app)
        bank = next(r for r in reports.report.rows if r["account"] == "1010")
        assert str(bank["debit"]) == "12.34"


async def test_a_report_from_the_books_is_not_run_again_for_a_change_beside_them(
    store,  # noqa: ANN001
) -> None:
    """The trial balance on view while a colleague adds a contact who enters a nurturing
    sequence (follow-ups written) and opens a ticket: nothing the report reads changed, so
    it is not run again (on the large store that was 120 ms of CPU at each such change,
    every 2 s). A posting is still shown at the next look."""
    from bizdesk.services.crm import nurture as N
    from bizdesk.services.crm import tickets as T

    async with _built_ahead(store) as (app, pilot):
        reports = app.query_one("#tabs").get_pane("reports").children[0]
        await pilot.press("f9")
        await settle(pilot, app)
        assert reports.NOT_SHOWN and reports.runs == 1  # the trial balance, run ahead
        with store.write() as uow:
            steps = [N.StepInput("0", "call", "Say hi")]
            N.create_sequence(uow, N.SequenceInput(name="Welcome", steps=steps))
        with store.write() as uow:
            new = C.create(uow, C.ContactInput(name="Ana Lead", stage="lead"))
            T.create(uow, T.TicketInput(subject="Gears slip", contact=f"#{new.contact.id}"))
        app._poll_changes()
        await settle(pilot, app)
        assert reports.runs == 1 and "reports" not in app._stale
        with store.write() as uow:
            lines = [L.LineInput("1010", "12.34"), L.LineInput("3000", "", "12.34")]
            entry = L.create_draft(uow, L.EntryInput(date="2026-11-02", memo="m", lines=lines))
            L.post(uow, entry.id, version=entry.version)
        app._poll_changes()
        await wait_for(pilot, app, lambda: reports.runs == 2, "the report run again")


async def test_a_tab_built_ahead_shows_what_others_saved_since(store) -> None:  # noqa: ANN001
    async with _built_ahead(store) as (app, pilot):
        assert [r.name for r in _contacts(app).page_data.rows] == ["First"]
        # a colleague adds a contact: the Contacts tab built ahead is marked to read again
        with store.write() as uow:
            users.add(uow, "colleague", "sales")
        with open_store(store.url, user="colleague").write() as uow:
            C.create(uow, C.ContactInput(name="Added Elsewhere"))
        app._poll_changes()  # the 2-second tick, called directly
        await settle(pilot, app)
        assert "contacts" in app._stale
        await pilot.press("f3")
        await settle(pilot, app)
        assert [r.name for r in _contacts(app).page_data.rows] == ["Added Elsewhere", "First"]
        assert _contacts(app)._asked == 2  # read again once, when shown


async def test_keys_typed_while_tabs_are_built_act_in_order(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for name in ("Ana Pop", "Bob Stone", "Cyrus Vale"):
            C.create(uow, C.ContactInput(name=name))
    app = BizdeskApp(store, build_ahead=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app, lambda: not app._build_ahead, "Home's figures")
        assert len(_built(app)) < len(TABS)  # the tabs are still being built
        await pilot.press("f3", "slash")
        await type_text(pilot, "cyr")
        await _all_built(pilot, app)
        await wait_for(
            pilot,
            app,
            lambda: (
                _contacts(app).page_data is not None
                and [r.name for r in _contacts(app).page_data.rows] == ["Cyrus Vale"]
            ),
            "the filtered contacts",
        )
        assert app.query_one("#tabs").active == "contacts"
        assert app.query_one("#contacts-table #filter").value == "cyr"


async def test_a_board_built_ahead_never_takes_the_focus(store) -> None:  # noqa: ANN001
    """The deals board gives its first column the focus when it is filled and nothing has
    the focus: only when it is on view. Filled behind another tab (read ahead, or again
    after a change) while the focus is nowhere (a form closing), it used to take the focus,
    and the tabs followed it: a contact saved, and the session showed Deals."""
    async with _built_ahead(store) as (app, pilot):
        await pilot.press("f3")
        await settle(pilot, app)
        deals = app.query_one("#tabs").get_pane("deals").children[0]
        app.screen.set_focus(None)
        deals.read_board()
        await settle(pilot, app)
        assert app.query_one("#tabs").active == "contacts"
        assert app.focused is None or deals not in app.focused.ancestors_with_self
