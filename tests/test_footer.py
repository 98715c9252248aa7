"""The footer on a real store at 80x24: composed once as a tab opens (Textual composed it
again on every change of focus), again only when the keys it shows or the language change,
and always showing the keys of what has the focus."""

from __future__ import annotations

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
