"""A new shop's first day on a store with no demo data, driven with keys at 80x24: where a
new owner got stuck (a key that did nothing visible, a box that did not complete)."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from bizdesk.app import BizdeskApp
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from tests.erp_helpers import product, supplier
from tests.tui_helpers import SIZE, settle, type_text


async def test_tab_after_the_last_header_field_reaches_the_line_editor(store) -> None:  # noqa: ANN001
    """The journal form's memo, Tab, an account typed: it went to the empty lines table,
    where typing does nothing, and the account typed was lost unseen."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#f-memo", Input).focus()
        await pilot.press("tab")
        await type_text(pilot, "1010")
        assert form.query_one("#l-account", Input).value == "1010"
        await pilot.press("tab")
        await type_text(pilot, "50")
        await pilot.press("enter")
        await settle(pilot, app)
        # with a line, the table is a stop again (enter edits a line, d removes it)
        form.query_one("#f-memo", Input).focus()
        await pilot.press("tab")
        grid = form.query_one("#lines", DataTable)
        assert form.focused is grid
        await pilot.press("d")  # its only line: the focus goes on to the line editor
        await settle(pilot, app)
        assert form.lines == []
        assert form.focused is form.query_one("#l-account", Input)


async def test_a_journal_lines_contact_box_completes_a_name(store) -> None:  # noqa: ANN001
    """An opening balance owed by a supplier: 'Acme', Tab stayed 'Acme', and posting said
    no contact is named 'Acme'. Like every contact box, it completes the name."""
    supplier(store, "Acme Supply")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        box = form.query_one("#l-contact", Input)
        box.focus()
        await type_text(pilot, "Acm")
        await settle(pilot, app)
        await pilot.press("tab")
        await settle(pilot, app)
        assert box.value == "Acme Supply"


async def test_a_location_box_completes_a_name(store) -> None:  # noqa: ANN001
    """Opening stock counted into the back room: 'back' was refused (no location 'back'),
    the box completing nothing. Like a product's or an account's box, it completes."""
    from bizdesk.services.inventory import levels, locations

    product(store, "HELM", name="Helmet", cost="18")
    with store.write() as uow:
        back = locations.add_location(uow, "Back room")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot, app)
        await pilot.press("c")  # count
        await settle(pilot, app)
        await type_text(pilot, "20")
        await pilot.press("tab")
        await pilot.press("tab")  # the reason as it is (stock count)
        box = app.screen.query_one("#f-location", Input)
        assert app.screen.focused is box
        await type_text(pilot, "ba")
        await settle(pilot, app)
        await pilot.press("tab")
        await settle(pilot, app)
        assert box.value == "Back room"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
    with store.read() as uow:
        assert levels.on_hand_at(uow, 1, back.id) == 20 * levels.QTY_SCALE
