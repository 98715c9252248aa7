"""The screens' header (widgets/header.py): a title set while the header is going (its
screen closing, the app ending) is dropped, never a traceback that ends the app. Under load
a record page's title, read in a worker, came as the app closed: Textual's own header
raised NoMatches then (tests/test_tui_people.py failed in CI)."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen
from textual.widgets import Header as TextualHeader
from textual.widgets import Static
from textual.widgets._header import HeaderTitle

from bizdesk.widgets.header import Header


class _Page(Screen):
    def __init__(self, header: type[TextualHeader]) -> None:
        super().__init__()
        self.header = header

    def compose(self):  # noqa: ANN201
        yield self.header()
        yield Static("page")


async def _title_while_going(header: type[TextualHeader]) -> BaseException | None:
    """Show a page, take its header's title away (as closing does, children first), then
    set the page's title; what the app ended with."""
    app = App()
    async with app.run_test() as pilot:
        page = _Page(header)
        await app.push_screen(page)
        await pilot.pause()
        await page.query_one(HeaderTitle).remove()
        page.sub_title = "Read as the page closes"
        await pilot.pause()
        await pilot.pause()
    return app._exception


async def test_a_title_set_as_the_header_goes_is_dropped():
    assert await _title_while_going(Header) is None


async def test_textual_own_header_would_end_the_app():
    """The reason for widgets/header.py: remove this test and that module when Textual's
    header no longer raises here."""
    try:
        ended = await _title_while_going(TextualHeader)
    except Exception as exc:  # run_test raises what ended the app
        ended = exc
    assert type(ended).__name__ == "NoMatches"


async def test_the_header_still_shows_titles():
    app = App()
    async with app.run_test() as pilot:
        page = _Page(Header)
        await app.push_screen(page)
        page.title, page.sub_title = "bizdesk", "Payroll"
        await pilot.pause()
        await pilot.pause()
        shown = str(page.query_one(HeaderTitle).render())
        assert "bizdesk" in shown and "Payroll" in shown
