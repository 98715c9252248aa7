"""F1: what this screen is for, and every key that works on it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

COMMON = [
    ("↑ ↓ PgUp PgDn Home End", "move in a list (read from the store page by page)"),
    ("/", "filter the list as you type; escape clears the filter"),
    ("enter", "open the selected record"),
    ("F2 … F9", "the tabs: Home, Contacts, Deals, Tickets, Stock, Purchases, Journal, Reports"),
    ("ctrl+f", "find any record by name or number (JE-12, PO-3, SO-7, INV-5)"),
    ("ctrl+p", "command palette: every action, and any record"),
    ("ctrl+s / escape", "in a form: save / cancel (asks before throwing typing away)"),
    ("ctrl+q", "quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, target) -> None:  # noqa: ANN001
        super().__init__()
        self.target = target

    def rows(self) -> list[tuple[str, str]]:
        """The keys of the screen F1 was pressed on, then the keys that work everywhere."""
        out: list[tuple[str, str]] = []
        seen = set()
        for b in getattr(self.target, "BINDINGS", []):
            if b.key in seen or b.action == "app.pop_screen":
                continue
            seen.add(b.key)
            out.append((self.key_names(b.key), b.description or b.action))
        return out + COMMON

    def key_names(self, keys: str) -> str:
        """A binding's keys as the footer shows them ("left_square_bracket,shift+left" is
        "[ or shift+←"), through Textual's own key display."""
        return " or ".join(
            self.app.get_key_display(Binding(k.strip(), "")) for k in keys.split(",")
        )

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, text in self.rows():
            table.add_row(Text(key), Text(text))
        with VerticalScroll():
            yield Static(Text(getattr(self.target, "HELP", "") or "", style="italic"))
            yield Static(table)
            yield Static(Text("escape closes this help", style="dim"))
