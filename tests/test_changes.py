"""Noticing other people's changes cheaply (issue 12): kept connections, PRAGMA data_version
and the kinds of record written, on real SQLite files with a second store (its own
connections, as another process has) writing; and an idle Home that draws nothing while
only what it does not show changes."""

from __future__ import annotations

import shutil

from textual.widgets import OptionList, Static

from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.screens.home import HomePane
from bizdesk.services.admin import audit
from bizdesk.services.admin.audit import EVERYTHING, changes_since, latest_id
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from tests.test_tui_newcomer import settle, until


def _other(store):  # noqa: ANN001, ANN202
    """The same store opened again: another engine, other connections (a colleague)."""
    return open_store(store.url, user=store.user, create=False)


def _latest(store) -> int:  # noqa: ANN001
    with store.read() as uow:
        return latest_id(uow)


async def _poll(pilot, app, store) -> None:  # noqa: ANN001
    """The app's look for others' changes, now, and what it set off, done."""
    app._poll_changes()
    await until(pilot, lambda: app._seen_change == _latest(store), "the poll")
    await settle(pilot, app)


def test_the_change_token_moves_only_when_someone_commits(store, sqlite_only):  # noqa: ANN001
    colleague = _other(store)
    before = store.change_token()
    with store.read() as uow:  # reading changes nothing
        C.counts(uow)
    with colleague.read() as uow:
        C.counts(uow)
    assert store.change_token() == before
    with colleague.write() as uow:
        C.create(uow, C.ContactInput(name="Ada Colleague"))
    after = store.change_token()
    assert after != before
    assert store.change_token() == after  # read again: the same until the next commit
    with store.write() as uow:  # this store's own units of work count too
        C.create(uow, C.ContactInput(name="Ben Self"))
    assert store.change_token() != after
    colleague.dispose()


def test_changes_since_names_the_kinds_of_record_written(store):  # noqa: ANN001
    colleague = _other(store)
    seen = _latest(store)
    with store.read() as uow:
        assert changes_since(uow, None).kinds == frozenset()  # nothing seen: nothing new
        assert changes_since(uow, seen).kinds == frozenset()
    with colleague.write() as uow:
        C.create(uow, C.ContactInput(name="Ada Colleague"))
    with store.read() as uow:
        changes = changes_since(uow, seen)
    assert changes.kinds == {"contact"} and changes.latest > seen
    with colleague.write() as uow:
        T.create(uow, T.TicketInput(subject="Brakes squeak"))
    with colleague.write() as uow:
        C.create(uow, C.ContactInput(name="Ben Colleague"))
    with store.read() as uow:
        both = changes_since(uow, changes.latest)
        assert both.kinds == {"ticket", "contact"} and both.created == {"ticket", "contact"}
        # the store now holds fewer events than were seen: an earlier copy was restored
        assert changes_since(uow, changes.latest + 1000).kinds == {EVERYTHING}
    with colleague.write() as uow:  # one contact made, another changed: not only created
        ben = C.find_by_name_or_email(uow, "Ben Colleague")
        C.update(uow, ben.id, C.ContactInput(name="Ben Colleague Ltd"), version=ben.version)
        C.create(uow, C.ContactInput(name="Cy Colleague"))
    with store.read() as uow:
        later = changes_since(uow, both.latest)
    assert later.kinds == {"contact"} and later.created == frozenset()
    colleague.dispose()


def test_a_burst_of_changes_counts_as_everything(store, monkeypatch):  # noqa: ANN001
    """More new events than are worth reading one by one (an import): every pane reloads."""
    monkeypatch.setattr(audit, "NEWEST_READ", 2)
    seen = _latest(store)
    for name in ("Ada One", "Ben Two"):
        with store.write() as uow:
            C.create(uow, C.ContactInput(name=name))
    with store.read() as uow:
        assert changes_since(uow, seen).kinds == {"contact"}
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Cy Three"))
    with store.read() as uow:
        assert changes_since(uow, seen).kinds == {EVERYTHING}


def test_a_kept_connection_follows_a_store_file_replaced_by_another(store, tmp_path, sqlite_only):  # noqa: ANN001
    """Connections stay open between units of work; a store file put in place of the old
    one (as a restore of a damaged store does, from another process) is read, not the old."""
    path = store.engine.url.database
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Before Copy"))
    store.dispose()  # everything into the file, then copy it
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    with store.read() as uow:  # a connection is opened and kept
        assert C.counts(uow)["contacts"] == 1
    token = store.change_token()
    colleague = open_store(str(copy), user=store.user, create=False)
    with colleague.write() as uow:
        C.create(uow, C.ContactInput(name="Only In Copy"))
    colleague.dispose()
    shutil.move(copy, path + ".new")
    shutil.move(path + ".new", path)  # another file under the store's name
    assert store.change_token() != token
    with store.read() as uow:
        assert C.counts(uow)["contacts"] == 2


async def test_idle_home_reruns_and_draws_nothing_for_changes_it_does_not_show(store, sqlite_only):  # noqa: ANN001
    """While a colleague adds contacts, an open Home neither reads its figures again nor
    draws; a new ticket (which Home counts) is read and drawn, and only what a ticket may
    change is read (not the books, nor the budget's glance)."""
    colleague = _other(store)
    app = BizdeskApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.query_one(HomePane)
        await until(pilot, lambda: home.data is not None, "Home's figures")
        await settle(pilot, app)
        await until(pilot, lambda: app._seen_change == _latest(store), "the first poll")
        runs, draws = [], []
        kpis = home.query_one("#kpis", Static)
        home_read, kpis_update, budget = home._read, kpis.update, home._load_budget
        home._read = lambda changed: (runs.append(changed), home_read(changed))
        kpis.update = lambda *a, **k: (draws.append(1), kpis_update(*a, **k))
        home._load_budget = lambda: (draws.append("budget"), budget())
        for i in range(3):
            with colleague.write() as uow:
                C.create(uow, C.ContactInput(name=f"Idle Colleague {i}"))
            app._poll_changes()
            await until(pilot, lambda: app._seen_change == _latest(store), "the poll")
            await settle(pilot, app)
        assert runs == [] and draws == []
        open_before = home.data.tickets_open
        with colleague.write() as uow:
            T.create(uow, T.TicketInput(subject="Chain slips"))
        app._poll_changes()
        await until(pilot, lambda: home.data.tickets_open == open_before + 1, "the new ticket")
        await settle(pilot, app)
        assert runs == [frozenset({"ticket"})] and draws == [1]
        app._poll_changes()  # nothing new: nothing read, nothing drawn
        await settle(pilot, app)
        assert runs == [frozenset({"ticket"})] and draws == [1]
    colleague.dispose()


async def test_an_open_deals_board_draws_nothing_for_a_change_it_does_not_show(
    store,  # noqa: ANN001
    sqlite_only,  # noqa: ANN001
) -> None:
    """The board is read again at a colleague's change (a contact's name may be on a card),
    but when it reads as before nothing is drawn: it was cleared and filled anew at every
    change, sending the whole board to the terminal every 2 s while a colleague added
    contacts. A new deal is drawn."""
    from bizdesk.screens.deals import DealsPane
    from bizdesk.services.trade import deals as D

    colleague = _other(store)
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Fleet Co"))
        D.create(uow, D.DealInput(title="Spring fleet", contact="Fleet Co", amount="900"))
    app = BizdeskApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        board = app.query_one(DealsPane)
        await until(pilot, lambda: bool(board.query(OptionList)), "the board")
        await settle(pilot, app)
        await _poll(pilot, app, store)
        built, fill = [], board._fill
        board._fill = lambda msg: (built.append(msg.columns), fill(msg))[1]
        with colleague.write() as uow:
            C.create(uow, C.ContactInput(name="Idle Colleague"))
        await _poll(pilot, app, store)
        assert built == []
        with colleague.write() as uow:
            D.create(uow, D.DealInput(title="Tandem", contact="Fleet Co", amount="2500"))
        await _poll(pilot, app, store)
        assert [[c.title for c in col.cards] for col in built[0]][0] == ["Spring fleet", "Tandem"]
        first = board.query(OptionList).first()
        assert "Tandem" in str(first.get_option_at_index(1).prompt)
    colleague.dispose()


async def test_stock_and_the_deals_board_are_not_read_again_for_the_customer_side(
    store,  # noqa: ANN001
    sqlite_only,  # noqa: ANN001
) -> None:
    """A ticket or a contact changes nothing the Stock list shows, and a ticket or a new
    contact nothing on the deals board: neither is read again for them (on the large store
    each was read again at every contact a colleague added). A contact renamed may be on a
    card: the board is read again when it shows next. A new product is read."""
    from bizdesk.screens.deals import DealsPane
    from bizdesk.screens.stock import StockPane
    from tests.erp_helpers import product

    colleague = _other(store)
    app = BizdeskApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await settle(pilot, app)
        board = app.query_one(DealsPane)
        await pilot.press("f5")
        await settle(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        stock = app.query_one(StockPane).table
        await _poll(pilot, app, store)
        lists, boards = stock._asked, board._asked
        with colleague.write() as uow:
            T.create(uow, T.TicketInput(subject="Brakes squeal"))
        await _poll(pilot, app, store)
        assert "deals" not in app._stale and board._asked == boards  # not to read on return
        with colleague.write() as uow:
            new = C.create(uow, C.ContactInput(name="Idle Colleague")).contact
            T.create(uow, T.TicketInput(subject="Chain slips"))
        await _poll(pilot, app, store)
        assert stock._asked == lists and "stock" not in app._stale
        assert "deals" not in app._stale  # a new contact is on no card
        with colleague.write() as uow:
            C.update(uow, new.id, C.ContactInput(name="Idle Colleague Ltd"), version=new.version)
        await _poll(pilot, app, store)
        assert "deals" in app._stale and "stock" not in app._stale  # a card may name it
        assert "tickets" in app._stale  # new tickets; and a ticket may name the contact
        await pilot.press("f5")
        await settle(pilot, app)
        with colleague.write() as uow:
            C.create(uow, C.ContactInput(name="Dee Colleague"))
        await pilot.press("f6")
        await _poll(pilot, app, store)
        assert "tickets" not in app._stale  # a new contact has no ticket
        product(colleague, "CHAIN-9")
        await _poll(pilot, app, store)
        assert stock._asked == lists + 1
        assert [r.sku for r in stock.page_data.rows] == ["CHAIN-9"]
    colleague.dispose()


def test_a_reports_pane_not_yet_built_counts_every_change() -> None:
    """A colleague's change can arrive while the Reports pane is being mounted, before its
    boxes exist: the pane then says every kind may alter it. (It used to look for its
    report box and stop the whole interface with NoMatches.)"""
    from bizdesk.app import shows_any
    from bizdesk.screens.reports import ReportsPane

    pane = ReportsPane()
    assert pane.NOT_SHOWN == frozenset()
    assert shows_any(pane, frozenset({"contact"}))


async def test_an_open_record_page_shows_a_colleagues_change(store, sqlite_only):  # noqa: ANN001
    """A contact's page open while a colleague renames the contact shows the new name at
    the next poll (it showed the old one until closed); a change to another contact is read
    but draws nothing; a page under a form is read again when the form closes."""
    from dataclasses import replace

    from bizdesk.screens.contacts import ContactScreen
    from bizdesk.widgets.confirm import ConfirmScreen

    colleague = _other(store)
    with store.write() as uow:
        cid = C.create(uow, C.ContactInput(name="Ana Before")).contact.id
    app = BizdeskApp(store)

    def details() -> str:
        found = page.query("#details")  # none until the page is mounted
        return str(found.first(Static).render()) if found else ""

    def rename(name: str) -> None:
        with colleague.write() as uow:
            v = C.get(uow, cid)
            C.update(uow, cid, replace(C.ContactInput(name=v.name), name=name), version=v.version)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await until(pilot, lambda: app._seen_change == _latest(store), "the first poll")
        page = ContactScreen(cid)
        app.push_screen(page)
        await until(pilot, lambda: "Ana Before" in details(), "the page")
        draws = []
        shown = page.show
        page.show = lambda loaded: (draws.append(1), shown(loaded))
        with colleague.write() as uow:
            C.create(uow, C.ContactInput(name="Someone Else"))
        await _poll(pilot, app, store)
        assert draws == []  # read again, the same: nothing drawn
        rename("Ana After")
        await _poll(pilot, app, store)
        await until(pilot, lambda: "Ana After" in details(), "the colleague's name")
        assert draws == [1]
        app.push_screen(ConfirmScreen("?"))
        await settle(pilot, app)
        rename("Ana Third")
        await _poll(pilot, app, store)
        assert "Ana After" in details()  # under the question: not read yet
        app.pop_screen()
        await until(pilot, lambda: "Ana Third" in details(), "read when shown again")
    colleague.dispose()


async def test_a_list_over_the_tabs_follows_a_colleague_and_keeps_its_cursor(store, sqlite_only):  # noqa: ANN001
    """The leave to approve, open while a colleague approves the first request from their
    own session, drops it at the next poll (it showed it until closed), and the cursor stays
    on the request chosen, so `a` approves that one; the employees list (a paged list)
    shows an employee the colleague adds, and draws nothing for a change not on its page."""
    from textual.widgets import DataTable

    from bizdesk.screens import people as P
    from bizdesk.services.people import leave
    from tests.people_helpers import employee

    colleague = _other(store)
    ana = employee(store, "Ana Pop")
    with store.write() as uow:
        first, second, third = (
            leave.request(uow, ana, "sick", day).id
            for day in ("2026-03-02", "2026-03-03", "2026-03-04")
        )
    app = BizdeskApp(store)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await until(pilot, lambda: app._seen_change == _latest(store), "the first poll")
        screen = P.LeaveScreen()
        app.push_screen(screen)
        await until(pilot, lambda: len(screen.rows) == 3, "the leave list")
        screen.query_one(DataTable).move_cursor(row=2)  # the third request
        with colleague.write() as uow:
            leave.approve(uow, first)
        await _poll(pilot, app, store)
        await until(pilot, lambda: [r.id for r in screen.rows] == [second, third], "followed")
        assert screen.query_one(DataTable).cursor_row == 1  # still on the third request
        await pilot.press("a")
        await settle(pilot, app)
        assert [r.id for r in screen.rows] == [second]
        app.pop_screen()
        listed = P.EmployeesScreen()
        app.push_screen(listed)
        await settle(pilot, app)
        draws = []
        clear = listed.table.grid.clear
        listed.table.grid.clear = lambda *a, **k: (draws.append(1), clear(*a, **k))[1]
        with colleague.write() as uow:
            C.create(uow, C.ContactInput(name="Not An Employee"))
        await _poll(pilot, app, store)
        assert draws == []  # read again, the same page: nothing drawn
        employee(colleague, "Bo Colleague")
        await _poll(pilot, app, store)
        await until(
            pilot,
            lambda: "Bo Colleague" in {r.name for r in listed.table.page_data.rows},
            "the colleague's employee",
        )
    with store.read() as uow:
        states = {r.id: r.state for r in leave.list_leave(uow)}
    assert states == {first: "approved", second: "requested", third: "approved"}
    colleague.dispose()


def test_the_overview_read_in_part_equals_the_overview_read_whole(store, sqlite_only):  # noqa: ANN001
    """After each unit of work of a month of business (a purchase, a won deal sold and
    paid, a return, a ticket) and of the customer side (contacts entering a nurturing
    sequence, their follow-ups done, tickets), the overview read from the last one and the
    kinds of record written since (what Home does at a colleague's change) is the overview
    read whole; the customer-side writes were read in part."""
    from contextlib import contextmanager
    from datetime import date, timedelta

    from bizdesk.services.crm import followups as F
    from bizdesk.services.crm import nurture as N
    from bizdesk.services.overview.dashboard import books_changed, dashboard
    from tests.erp_helpers import a_month

    today = date.today() + timedelta(days=10)  # the contacts' follow-ups are due by then
    colleague = _other(store)
    with store.read() as uow:
        last, seen = dashboard(uow, today=today), latest_id(uow)
    partial = []

    def check() -> None:
        nonlocal last, seen
        with store.read() as uow:
            changes = changes_since(uow, seen)
            kept = dashboard(uow, today=today, last=last, changed=changes.kinds)
            whole = dashboard(uow, today=today)
        assert kept == whole, changes.kinds
        partial.append(not books_changed(changes.kinds))
        last, seen = whole, changes.latest

    writes = colleague.write

    @contextmanager
    def write_and_check():  # noqa: ANN202
        with writes() as uow:
            yield uow
        check()

    colleague.write = write_and_check
    with colleague.write() as uow:
        N.create_sequence(
            uow, N.SequenceInput(name="Welcome", steps=[N.StepInput("0", "call", "Say hi")])
        )
    a_month(colleague)
    overdue = last.follow_ups["overdue"]
    for name in ("Ana Lead", "Bo Lead"):
        with colleague.write() as uow:
            C.create(uow, C.ContactInput(name=name, stage="lead"))
    assert last.follow_ups["overdue"] == overdue + 2  # read in part, as they came
    with colleague.read() as uow:
        due = [f.id for f in F.list_page(uow, F.PageRequest(limit=10)).rows]
    with colleague.write() as uow:
        F.complete(uow, due[0], note="called")
    tickets = last.tickets_open
    with colleague.write() as uow:
        T.create(uow, T.TicketInput(subject="Bell rings"))
    assert last.tickets_open == tickets + 1
    # two leads merged (the one kept has the same sequence open: the other's follow-ups are
    # cancelled), and a lead deleted (its follow-ups go with it): fewer follow-ups, said by
    # events of their own, so Home counts them again
    with colleague.read() as uow:
        ana, bo = (C.find_by_name_or_email(uow, n).id for n in ("Ana Lead", "Bo Lead"))
    overdue = last.follow_ups["overdue"]
    with colleague.write() as uow:
        C.merge(uow, ana, bo)
    assert last.follow_ups["overdue"] == overdue - 1
    with colleague.write() as uow:
        cy = C.create(uow, C.ContactInput(name="Cy Lead", stage="lead")).contact
    with colleague.write() as uow:
        C.delete(uow, cy.id, version=C.get(uow, cy.id).version)
    assert last.follow_ups["overdue"] == overdue - 1
    colleague.dispose()
    assert any(partial) and not all(partial), partial


def test_a_colleagues_new_lead_changes_no_figure_of_my_home(store):  # noqa: ANN001
    """A colleague's new lead enters its stage's nurturing sequence: follow-ups start for
    the colleague. Home counts only one's own follow-ups, so it was read again (and drawn:
    the charts were sent anew) every time a colleague added a lead. A lead of one's own
    still changes Home."""
    from bizdesk.app import shows_any
    from bizdesk.services.admin import users
    from bizdesk.services.crm import nurture

    with store.write() as uow:
        users.add(uow, "sam", "sales")
        steps = [nurture.StepInput("0", "call", "Welcome call")]
        nurture.create_sequence(uow, nurture.SequenceInput("New lead", "lead", True, steps))
    sam = open_store(store.url, user="sam", create=False)
    seen = _latest(store)
    with sam.write() as uow:
        C.create(uow, C.ContactInput(name="Ada Lead", stage="lead"))
    with store.read() as uow:
        theirs = changes_since(uow, seen)
    assert theirs.kinds == {"contact", "follow_up"} and theirs.for_others == {"follow_up"}
    home = HomePane()
    assert not shows_any(home, *theirs.shown)
    assert shows_any(home, theirs.kinds, theirs.created)  # (told nothing of whose: read)
    with sam.read() as uow:  # to sam, they are sam's own
        assert changes_since(uow, seen).for_others == frozenset()
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Bo Lead", stage="lead"))
    with store.read() as uow:
        both = changes_since(uow, seen)
    assert both.for_others == frozenset() and shows_any(home, *both.shown)
    sam.dispose()


async def test_home_changed_sends_its_charts_again_only_when_they_change(store):  # noqa: ANN001
    """A figure of Home changed (one's own follow-up): the figures were drawn again, and
    the two charts with them though their bars were the same (2 KB every time)."""
    from bizdesk.screens.home import Chart
    from bizdesk.services.trade import deals as D

    with store.write() as uow:  # an open deal: the charts are shown (a new shop's are not)
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        D.create(uow, D.DealInput(title="Bikes", contact="Ann Buyer", amount="1000"))
    app = BizdeskApp(store)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        home = app.query_one(HomePane)
        chart = app.query_one("#pipeline-chart", Chart)
        await until(pilot, lambda: chart.spec is not None, "the pipeline chart")
        await pilot.pause()
        assert chart.size.width and "Bikes" not in chart.content.plain  # (drawn: stages)
        drawn = chart.content
        with store.write() as uow:
            T.create(uow, T.TicketInput(subject="Brakes squeak"))  # a figure, not a bar
        home.refresh_data()
        await until(pilot, lambda: home.data.tickets_open == 1, "the ticket counted")
        await pilot.pause()
        assert chart.content is drawn
        chart.plot("Weighted pipeline by stage", ["New"], [5], horizontal=True)
        await pilot.pause()
        assert chart.content is not drawn  # new bars: drawn


def test_a_follow_up_event_not_as_bizdesk_writes_it_counts_as_ones_own() -> None:
    """Details that are no JSON object (a store written by hand) are a change of Home, never
    an error: the look for changes would fail at every tick and show no change again."""
    from bizdesk.services.base.figures import for_someone_else

    assert for_someone_else("follow_up", "start", '{"for": "sam"}', "me")
    assert not for_someone_else("follow_up", "start", '{"for": "me"}', "me")
    for after in ("not json", "[1, 2]", '"sam"', '{"for": 7}', None):
        assert not for_someone_else("follow_up", "start", after, "me")
    assert not for_someone_else("contact", "start", '{"for": "sam"}', "me")
