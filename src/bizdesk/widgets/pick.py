"""Pick one of a few things (a bill to pay, an entry to open): enter picks, escape backs out."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bizdesk.formatting import visible
from bizdesk.i18n import N_, tr


class PickScreen(ModalScreen[Any]):
    BINDINGS = [Binding("escape", "dismiss(None)", N_("Back"), id="pick.back")]
    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical { width: 70; height: auto; max-height: 20; border: round $accent;
        background: $surface; padding: 0 1; }
    PickScreen OptionList { height: auto; max-height: 16; }
    """

    def __init__(self, question: str, choices: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(visible(tr(self.question)), style="bold"))
            yield OptionList(
                *(
                    Option(Text(visible(label)), id=str(i))
                    for i, (label, _) in enumerate(self.choices)
                )
            )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id)][1])
