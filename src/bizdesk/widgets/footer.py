"""The footer of every screen, with help and quit always in view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

# Help (F1: every key of the screen) and quit come first: at 80 columns a screen's own keys
# fill the line and Textual's footer cuts what does not fit at the right. Found by their
# actions, so a keymap that gives them other keys keeps them in front.
FIRST = ("help", "quit")


class KeysFooter(Footer):
    """Textual's footer with help and quit moved to the front, so they are never cut off."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        first = sorted(
            (w for w in widgets if getattr(w, "action", None) in FIRST),
            key=lambda w: FIRST.index(w.action),
        )
        yield from first
        yield from (w for w in widgets if w not in first)
