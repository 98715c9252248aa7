"""The header every screen shows: Textual's, whose title survives a screen closing.

Textual 8.2.8's Header updates its title in a callback queued when a title changes; a title
set as its screen closes (a record read in a worker and shown as the page is dismissed, or
as the app ends) ran that callback after the header's children had gone, and the
``NoMatches`` it raised ended the app with a traceback (seen under load in
tests/test_tui_people.py). This one does what Textual's does, and lets a header that is
going say nothing.
"""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle


class Header(TextualHeader):
    def _on_mount(self, event: Mount) -> None:
        # instead of Header._on_mount (and Widget's, which only shows scrollbars set to
        # "scroll": a header has none)
        event.prevent_default()

        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except (NoScreen, NoMatches):
                pass  # the header is going (its screen closes): nothing to draw

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
