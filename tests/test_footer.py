"""The footer on a real store at 80x24: composed once as a tab opens (Textual composed it
again on every change of focus), again only when the keys it shows or the language change,
and always showing the keys of what has the focus."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets._footer import FooterKey

from bizdesk.app import BizdeskApp
from bizdesk.i18n import use
from bizdesk.widgets.footer import KeysFooter
from tests.tui_helpers import SIZE, settle


def shown(app: BizdeskApp) -> list[str]:
    footer = app.screen.query_one(KeysFooter)
    return [str(k.description) for k in footer.query(FooterKey)]


async def test_the_footer_is_composed_once_per_change_of_keys(store, monkeypatch) -> None:  # noqa: ANN001
    composed = []
    original = KeysFooter.compose

    def counting(self):  # noqa: ANN001, ANN202
        composed.append(1)
        return original(self)

    monkeypatch.setattr(KeysFooter, "compose", counting)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        composed.clear()
        await pilot.press("f3")
        await settle(pilot, app)
        assert len(composed) == 1
        assert "Filter" in shown(app) and "New" in shown(app)
        composed.clear()
        app.refresh_bindings()  # nothing changed: nothing composed
        await settle(pilot, app)
        assert composed == []
        await pilot.press("f9")  # another tab: its own keys
        await settle(pilot, app)
        assert "Write CSV" in shown(app) and "Filter" not in shown(app)
        await pilot.press("f3")
        await settle(pilot, app)
        assert "Filter" in shown(app) and "Write CSV" not in shown(app)
        composed.clear()
        try:
            use("es")  # the same keys in another language: composed again, in Spanish
            app.refresh_bindings()
            await settle(pilot, app)
            assert len(composed) == 1
            assert "Filtrar" in shown(app)
        finally:
            use("en")


def help_drawn(app: BizdeskApp) -> str:
    footer = app.screen.query_one(KeysFooter)
    helps = next(k for k in footer.query(FooterKey) if k.action == "help")
    return helps.render().plain.strip()


def _drawn(app: BizdeskApp) -> tuple[list[str], FooterKey]:
    """The keys drawn before the palette's key (each whole: none ends past it), and it."""
    footer = app.screen.query_one(KeysFooter)
    keys = list(footer.query(FooterKey))
    palette = next(k for k in keys if k.action == "command_palette")
    drawn = [k for k in keys if k is not palette and k.display]
    assert all(k.region.right <= palette.region.x for k in drawn), [
        (str(k.description), k.region) for k in drawn
    ]
    return [str(k.description) for k in drawn], palette


async def test_a_key_that_does_not_fit_whole_is_not_drawn_cut(store) -> None:  # noqa: ANN001
    """At 80 columns the contacts' keys ran into the palette's, cut mid-word ("a Sho" for
    Show archived); a key that does not fit whole is left to help (F1), which says how many
    it holds ("F1 Help +3": p Post off a record's page was thought missing), and comes back when
    the terminal is wide enough. The list's own keys (filter, sort: the same on every list)
    come after the screen's, so they are the ones left to help: in a long language they had
    pushed c Confirm off the bank's lines."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        narrow, _palette = _drawn(app)
        assert narrow[:2] == ["Help", "Quit"], narrow
        assert "Show archived" in narrow and "Sort" not in narrow, narrow
        # help says how many keys only it shows now: filter, sort and find
        assert help_drawn(app) == "F1 Help +3"
        await pilot.resize_terminal(130, 24)
        await settle(pilot, app)
        wide, _palette = _drawn(app)
        assert wide[: len(narrow)] == narrow and "Sort" in wide, wide
        assert help_drawn(app) == "F1 Help"
        assert wide.index("Show archived") < wide.index("Filter") < wide.index("Sort"), wide
        await pilot.resize_terminal(*SIZE)
        await settle(pilot, app)
        assert _drawn(app)[0] == narrow


def bottom_line(app: BizdeskApp) -> str:
    """The terminal's last line as drawn: the screen on top over those below it."""
    update = app.screen._compositor.render_update(  # noqa: SLF001
        full=True,
        screen_stack=app._background_screens,  # noqa: SLF001
    )
    out = Console(width=SIZE[0], record=True, file=io.StringIO())
    out.print(update)
    return out.export_text().splitlines()[-1]


async def test_under_a_form_the_list_below_draws_only_help_and_quit(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        assert "n New" in bottom_line(app)
        await pilot.press("n")  # the contact form, over the list: n types an n there
        await settle(pilot, app)
        drawn = bottom_line(app)
        assert "F1 Help" in drawn and "New" not in drawn and "Filter" not in drawn, drawn
        assert "+" not in drawn, drawn  # no count of keys that are not there
        await pilot.press("escape")
        await settle(pilot, app)
        assert "n New" in bottom_line(app)


async def test_a_deal_s_closing_keys_fit_at_80_columns_in_romanian(store) -> None:  # noqa: ANN001
    """w Won and l Lost came after the stage moves and were cut off the deals' board in
    Romanian; they come first."""
    from bizdesk.services.admin import users

    with store.write() as uow:
        users.set_language(uow, uow.user, "ro")
    app = BizdeskApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("f4")
            await settle(pilot, app)
            drawn, _palette = _drawn(app)
            assert "Câștigat" in drawn and "Pierdut" in drawn, drawn
    finally:
        use("en")
