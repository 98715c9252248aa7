"""The footer of every screen, with help and quit always in view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

# F1 (help: every key of the screen) and quit come first: at 80 columns a screen's own keys
# fill the line and Textual's footer cuts what does not fit at the right.
FIRST = ("f1", "ctrl+q")


class KeysFooter(Footer):
    """Textual's footer with F1 and quit moved to the front, so they are never cut off."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        first = sorted(
            (w for w in widgets if getattr(w, "key", None) in FIRST),
            key=lambda w: FIRST.index(w.key),
        )
        yield from first
        yield from (w for w in widgets if w not in first)
