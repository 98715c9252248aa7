"""Command palette go-to-record, F1 help, and merging duplicates from a contact's page."""

from __future__ import annotations

from textual.widgets import Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.help import HelpScreen
from bizdesk.services.crm import contacts as C
from bizdesk.widgets.confirm import ConfirmScreen
from tests.tui_helpers import SIZE, palette_hits, settle, type_text, wait_for


async def test_palette_goes_to_a_contact_by_typing_its_name(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Zelda [Hyrule]"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, "Zelda")
        await wait_for(
            pilot, app, lambda: any("Zelda [Hyrule]" in h for h in palette_hits(app)), "the hit"
        )
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        assert "Zelda [Hyrule]" in str(app.screen.query_one("#details", Static).render())


async def test_f1_shows_the_keys_of_the_current_tab(store):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        assert ("2", "Unassigned") in app.screen.rows()
        assert "Support tickets by queue" in app.screen.target.HELP
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, HelpScreen)


async def test_merge_a_duplicate_from_the_contact_page(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Jon Smith"))
        dup = C.create(uow, C.ContactInput(name="Jonathan Smith", email="jon@example.com"))
        C.log_interaction(uow, dup.contact.id, "call", "asked for a quote")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(ContactScreen(1))
        await settle(pilot, app)
        await pilot.press("m")
        await settle(pilot, app)
        app.screen.query_one("#f-other", Input).value = "jon@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        # asked first, naming both (a merge cannot be undone): n changes nothing
        assert isinstance(app.screen, ConfirmScreen)
        assert "Merge Jonathan Smith (#2) into Jon Smith (#1)?" in app.screen.question
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        with store.read() as uow:
            assert not C.get(uow, 2).archived
        await pilot.press("m")
        await settle(pilot, app)
        app.screen.query_one("#f-other", Input).value = "Jon Smith"  # itself: refused
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "that is this contact" in str(app.screen.query_one("#e-other", Static).render())
        app.screen.query_one("#f-other", Input).value = "jon@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        assert "asked for a quote" in str(app.screen.query_one("#interactions", Static).render())
    with store.read() as uow:
        assert C.get(uow, 1).email == "jon@example.com"
        assert C.get(uow, 2).archived


async def test_palette_finds_what_lives_on_a_page_by_its_name(store):
    """ctrl+p "bill of materials" or "payslip" found nothing: they are kept on a product's
    page and on a payroll run's, which no command names. The command opening the list they
    are reached from carries those words, shown under it, and enter opens that list."""
    from bizdesk.screens.people import PayrollScreen

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for typed, first, opened in (
            ("bill of materials", "Go to Stock", lambda: app.query_one("#tabs").active == "stock"),
            ("payslip", "Payroll runs", lambda: isinstance(app.screen, PayrollScreen)),
        ):
            await pilot.press("ctrl+p")
            await settle(pilot, app)
            await type_text(pilot, typed)
            await wait_for(pilot, app, lambda: bool(palette_hits(app)), "hits")  # noqa: B023
            await settle(pilot, app)
            hits = palette_hits(app)
            assert hits and hits[0].startswith(first), (typed, hits)
            await pilot.press("enter")
            await wait_for(pilot, app, opened, first)
            await settle(pilot, app)
        # words are matched whole from their start: "sales" finds no bill of materials
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, "sales")
        await wait_for(pilot, app, lambda: bool(palette_hits(app)), "hits")
        await settle(pilot, app)
        assert not any(h.startswith("Go to Stock") for h in palette_hits(app))
