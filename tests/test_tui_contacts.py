"""The Contacts tab driven like a person would, at 80x24, against a real store."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.admin import drafts
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts as C
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.tui_helpers import SIZE, settle, type_text, wait_for


@pytest.fixture
def filled(store):
    with store.write() as uow:
        for i in range(500):
            C.create(
                uow,
                C.ContactInput(
                    name=f"Person {i:03d}",
                    city="Leeds" if i % 2 else "York",
                    email=f"p{i}@example.com",
                ),
            )
    return store


def visible_names(app: BizdeskApp) -> list[str]:
    table = app.query_one("#contacts-table", PagedTable)
    return [r.name for r in table.page_data.rows]


async def open_contacts(pilot, app):  # noqa: ANN001, ANN201
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)


async def test_list_pages_through_500_contacts_by_keyset(filled):
    app = BizdeskApp(filled)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        first = visible_names(app)
        assert first[0] == "Person 000" and 10 <= len(first) <= 20
        await pilot.press("pagedown")
        await settle(pilot, app)
        second = visible_names(app)
        assert second[0] == f"Person {len(first):03d}"
        await pilot.press("end")
        await settle(pilot, app)
        assert visible_names(app)[-1] == "Person 499"
        await pilot.press("home")
        await settle(pilot, app)
        assert visible_names(app) == first
        # arrow down past the last visible row scrolls by one row
        for _ in range(len(first)):
            await pilot.press("down")
        await settle(pilot, app)
        assert visible_names(app)[0] == "Person 001"
        table = app.query_one("#contacts-table", PagedTable)
        assert table.selected.name == f"Person {len(first):03d}"


async def test_filter_as_you_type_and_escape_clears(filled):
    app = BizdeskApp(filled)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("slash")
        await pilot.pause()
        await type_text(pilot, "son 49")
        wanted = [f"Person 49{i}" for i in range(10)]
        await wait_for(pilot, app, lambda: visible_names(app) == wanted, "the filtered list")
        await pilot.press("escape")
        await wait_for(
            pilot, app, lambda: visible_names(app)[:1] == ["Person 000"], "the whole list again"
        )


async def test_a_key_after_a_pause_filters_at_once_and_a_late_read_is_never_shown(filled):
    app = BizdeskApp(filled)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        table = app.query_one("#contacts-table", PagedTable)
        await pilot.press("slash")
        await pilot.pause()
        before, old_page = table._asked, table.page_data  # noqa: SLF001
        await pilot.press("4")
        # the read was asked for with the key itself, not after a timer
        assert table._asked == before + 1 and table._debounce is None  # noqa: SLF001
        await wait_for(
            pilot, app, lambda: all("4" in n for n in visible_names(app)), "the filtered list"
        )
        shown = visible_names(app)
        # a read asked for before that key, finishing late, does not replace its rows
        late = PagedTable.Loaded(old_page, table.req, 0, None, before)
        table.post_message(late)
        await settle(pilot, app)
        assert visible_names(app) == shown and table.req.search == "4"


async def test_new_contact_form_shows_errors_inline_and_saves_nothing(store):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#f-email", Input).value = "not-an-email"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert "required" in str(app.screen.query_one("#e-name", Static).render())
        assert "not a valid email" in str(app.screen.query_one("#e-email", Static).render())
        with store.read() as uow:
            assert C.counts(uow)["contacts"] == 0
        app.screen.query_one("#f-name", Input).value = "Ada Lovelace"
        app.screen.query_one("#f-email", Input).value = "ADA@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
        assert visible_names(app) == ["Ada Lovelace"]
        with store.read() as uow:
            assert C.list_page(uow, PageRequest()).rows[0].email == "ada@example.com"


async def test_escape_on_a_typed_form_asks_before_discarding(store):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Half typed")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("n")  # no: keep the form
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-name", Input).value == "Half typed"
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)


async def test_a_palette_command_over_an_open_form_keeps_the_form(store):
    """A report or a new record chosen from the palette while a form was open: the tab was
    not changed (the form keeps its keys) but the report was shown on the tab there, which
    has none: the app stopped on an unexpected error and what was typed was lost."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Half typed")
        for command in (
            app.action_show_report("budget"),
            app.action_new("deals"),
            app.action_lock_date(),
        ):
            await command  # as the palette runs it
            await settle(pilot, app)
            assert isinstance(app.screen, FormScreen) and len(app.screen_stack) == 2
            assert app.screen.query_one("#f-name", Input).value == "Half typed"
        assert any("A form is open" in str(n.message) for n in app._notifications)
        assert app.return_code is None


async def test_edit_archive_and_detail_with_interaction(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Bob Builder", city="York"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        app.screen.query_one("#f-city", Input).value = "Leeds"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        with store.read() as uow:
            bob = C.get(uow, 1)
        assert bob.city == "Leeds" and bob.version == 2

        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("i")
        await settle(pilot, app)
        await pilot.press("tab")
        await type_text(pilot, "Called about spring service")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Called about spring service" in str(
            app.screen.query_one("#interactions", Static).render()
        )
        await pilot.press("escape")
        await settle(pilot, app)

        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert visible_names(app) == []
        with store.read() as uow:
            assert C.get(uow, 1).archived


async def test_stale_edit_is_refused_with_who_changed_it(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Shared Customer"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        with store.write() as uow:  # somebody else saves meanwhile
            C.update(uow, 1, C.ContactInput(name="Shared Customer", city="Hull"), version=1)
        app.screen.query_one("#f-city", Input).value = "York"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        message = str(app.screen.query_one("#form-error", Static).render())
        assert "tester changed this record" in message and "ctrl+r" in message
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert app.screen.query_one("#f-city", Input).value == "Hull"
        app.screen.query_one("#f-city", Input).value = "York"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        with store.read() as uow:
            assert C.get(uow, 1).city == "York"


async def test_list_follows_changes_made_by_another_session(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="First"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        app._poll_changes()  # the 2-second tick, called directly: no sleeping in tests
        await settle(pilot, app)
        assert visible_names(app) == ["First"]
        with store.write() as uow:  # a colleague registered in the store (roles)
            from bizdesk.services.admin import users

            users.add(uow, "colleague", "sales")
        other = open_store(store.url, user="colleague")
        with other.write() as uow:
            C.create(uow, C.ContactInput(name="Added Elsewhere"))
        app._poll_changes()
        await settle(pilot, app)
        assert visible_names(app) == ["Added Elsewhere", "First"]


async def test_archiving_from_the_list_is_checked_against_the_version_asked_about(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Shared Customer"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Archive Shared Customer?" in app.screen.question
        with store.write() as uow:  # somebody else saves while the question is open
            C.update(uow, 1, C.ContactInput(name="Shared Customer", city="Hull"), version=1)
        await pilot.press("y")
        await settle(pilot, app)
        with store.read() as uow:
            assert not C.get(uow, 1).archived  # not over a change the question did not show
        messages = [str(n.message) for n in app._notifications]
        assert any("tester changed this record" in m for m in messages), messages
        await pilot.press("d")  # asked again, about the contact as it is now: done
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        with store.read() as uow:
            assert C.get(uow, 1).archived
        assert visible_names(app) == []


async def test_reloading_a_form_whose_record_is_gone_says_so_in_the_form(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Short Lived"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        with store.write() as uow:  # deleted by someone else meanwhile
            C.delete(uow, 1, version=1)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)  # the typing is still there
        message = str(app.screen.query_one("#form-error", Static).render())
        assert message == "Not reloaded. There is no contact #1.", message
        assert app.screen.query_one("#f-name", Input).value == "Short Lived"


async def test_a_kept_draft_is_offered_as_a_question_with_three_answers(
    store, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    drafts.save_draft(store.url, "New contact", {"values": {"name": "Kept Typing"}})
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)

        async def offered() -> ConfirmScreen:
            await pilot.press("n")
            await settle(pilot, app)
            assert isinstance(app.screen, ConfirmScreen)
            assert "was not saved" in app.screen.question
            labels = [str(b.label) for b in app.screen.query("Button")]
            assert labels == ["Restore (r)", "Discard (d)", "Later (esc)"]
            return app.screen

        await offered()
        await pilot.press("escape")  # later: the form, empty; the draft stays
        await settle(pilot, app)
        assert app.screen.query_one("#f-name", Input).value == ""
        await pilot.press("escape")
        await settle(pilot, app)
        assert drafts.load_draft(store.url, "New contact") is not None

        await offered()
        await pilot.press("r")
        await settle(pilot, app)
        assert app.screen.query_one("#f-name", Input).value == "Kept Typing"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert visible_names(app) == ["Kept Typing"]
        assert drafts.load_draft(store.url, "New contact") is None

        drafts.save_draft(store.url, "New contact", {"values": {"name": "Unwanted"}})
        await offered()
        await pilot.press("d")
        await settle(pilot, app)
        assert app.screen.query_one("#f-name", Input).value == ""
        assert drafts.load_draft(store.url, "New contact") is None


async def test_a_draft_left_for_later_survives_the_form_left_unsaved_again(
    store, tmp_path, monkeypatch
):
    """Later, then new typing in the same form, then the session ends again: both are
    kept, the newer offered first, the older once the newer is dealt with."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    drafts.save_draft(store.url, "New contact", {"values": {"name": "Older Typing"}})
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)

        async def answer(key: str) -> str:
            await pilot.press("n")
            await settle(pilot, app)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press(key)
            await settle(pilot, app)
            assert isinstance(app.screen, FormScreen)
            return app.screen.query_one("#f-name", Input).value

        assert await answer("escape") == ""  # later
        await pilot.press(*"Newer Typing")
        await settle(pilot, app)
        assert app.screen.keep_draft("quit")  # as ctrl+q or a dropped link keeps it
        app.pop_screen()
        await settle(pilot, app)
        assert await answer("r") == "Newer Typing"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert visible_names(app) == ["Newer Typing"]
        assert await answer("r") == "Older Typing"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert visible_names(app) == ["Newer Typing", "Older Typing"]
        assert drafts.load_draft(store.url, "New contact") is None


async def test_enter_on_a_question_gives_the_answer_that_changes_nothing(store):
    """The focus starts on the last answer (no, later): an Enter meant for the list below,
    typed ahead or by habit, never archives (nor sends a campaign, nor discards typing)."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Kept Customer"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.focused is not None and app.focused.id == "answer-1"  # No (n)
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, ConfirmScreen)
        with store.read() as uow:
            assert not C.get(uow, 1).archived
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("shift+tab", "enter")  # Yes chosen with the focus: done
        await settle(pilot, app)
        with store.read() as uow:
            assert C.get(uow, 1).archived


async def test_a_draft_of_another_store_at_the_same_path_is_not_offered(
    store, tmp_path, monkeypatch
):
    """Drafts are kept per store, not per path: a store made anew where another lay is not
    offered the old one's typing (it was, and a key typed ahead could restore it)."""
    from bizdesk.services.admin import setup

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    drafts.save_draft(
        store.url, "New contact", {"values": {"name": "Old Store"}}, born="2001-01-01T00:00:00"
    )
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)  # no question first
        assert app.screen.query_one("#f-name", Input).value == ""
        await pilot.press("escape")
        await settle(pilot, app)
        with store.read() as uow:
            this_store = setup.born(uow)
        assert this_store and app.store_born == this_store
        drafts.save_draft(store.url, "New contact", {"values": {"name": "This"}}, born=this_store)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)  # its own draft is


def test_a_draft_says_when_it_was_kept_as_the_reader_writes_dates():
    from bizdesk.i18n import use_setting
    from bizdesk.widgets.form import kept_when

    use_setting("es")
    try:
        assert kept_when("2026-12-02T15:06:43+00:00") == "02/12/2026 15:06 UTC"
    finally:
        use_setting("en")
    assert kept_when("2026-12-02T15:06:43+00:00") == "2026-12-02 15:06 UTC"
    assert "\x1b" not in kept_when("not a time\x1b[2J")  # a draft file is not trusted


async def test_a_refused_save_takes_the_focus_to_the_first_field_to_mend(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        form.query_one("#f-name", Input).value = "Mend Me"
        form.query_one("#f-email", Input).value = "not-an-address"
        form.query_one("#f-birth_date", Input).value = "31.02.2026"
        terms = form.query_one("#f-payment_terms", Input)
        terms.focus()  # the last box: the marks push the fields below out of view
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        email = form.query_one("#f-email", Input)
        await wait_for(pilot, app, lambda: app.focused is email, "the focus on the e-mail")
        box = form.query_one("#fields")
        mark = form.query_one("#e-email", Static)
        assert box.region.contains_region(mark.region), (box.region, mark.region)


async def test_archived_contacts_shown_with_the_live_ones_are_marked(store):
    """a shows archived contacts too, and they looked just like the live ones: only moving
    onto each and reading d's word (Restore) told them apart."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Live"))
        gone = C.create(uow, C.ContactInput(name="Bob Gone")).contact
        C.archive(uow, gone.id, version=gone.version)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_contacts(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        grid = app.query_one("#contacts-table", PagedTable).grid
        names = [str(grid.get_row_at(i)[0]) for i in range(grid.row_count)]
        assert names == ["Ann Live", "ARCHIVED · Bob Gone"], names
