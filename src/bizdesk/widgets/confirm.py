"""The one question screen: a question and a few answers, each a button with its key.

Yes or no before archiving or cancelling; restore, discard or later for a kept draft.
Escape gives the last answer, the one that changes nothing (no, later), and so does Enter
until another button has the focus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import _time, events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from bizdesk.formatting import visible
from bizdesk.i18n import N_, _, tr


@dataclass(frozen=True)
class Answer:
    key: str  # the key that gives it
    label: str  # on its button, with the key: "Yes (y)" (N_-marked, shown translated)
    value: Any
    variant: str = "default"  # the button's look: "warning" for the answer that acts
    # an unasked question's answer that changes what keys typed before it were meant for:
    # those keys are dropped, not given back (``ConfirmScreen.typed_ahead``)
    drops_typing: bool = False


YES_NO = (Answer("y", N_("Yes (y)"), True, "warning"), Answer("n", N_("No (n)"), False))


class ConfirmScreen(ModalScreen[Any]):
    """Dismissed with the value of the answer chosen; yes or no unless ``answers`` say.
    The last answer is the one that changes nothing: escape gives it."""

    BINDINGS = [Binding("escape", "quiet", N_("No"), show=False)]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 60; height: auto; border: round $warning;
        background: $surface; padding: 1 2; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; }
    """

    def __init__(
        self,
        question: str,
        answers: Sequence[Answer] = YES_NO,
        *,
        width: int = 60,
        unasked: bool = False,
    ) -> None:
        """``unasked``: a question the person did not ask for (a kept draft offered as a form
        opens). Keys typed before it was on the screen do not answer it: the app sets them
        aside (``OrderedKeys``) and gives them back once it is answered, to the screen they
        were typed for, unless the answer ``drops_typing``; ``typed_ahead`` then says how
        many keys that was."""
        super().__init__()
        self.question, self.answers, self.width = question, answers, width
        self.unasked = unasked
        self.holds_keys = unasked  # until it is drawn (app.keys_on_hold)
        self.keys_typed_since: float | None = None
        self.typed_ahead = 0

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.styles.width = self.width
            yield Static(Text(visible(tr(self.question))))
            with Horizontal():
                for i, a in enumerate(self.answers):
                    yield Button(_(a.label), id=f"answer-{i}", variant=a.variant)

    def on_mount(self) -> None:
        # Enter gives the answer that changes nothing, as escape does: an Enter meant for
        # the screen below (typed on, or ahead) never sends a campaign or discards typing
        self.query_one(f"#answer-{len(self.answers) - 1}", Button).focus()
        if self.unasked:
            self.call_after_refresh(self._drawn)

    async def _drawn(self) -> None:
        self.keys_typed_since = _time.get_time()  # the clock of a key's ``time``
        self.holds_keys = False
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            await release()

    def _answer(self, answer: Answer) -> None:
        if self.unasked:
            app: Any = self.app
            if answer.drops_typing:
                self.typed_ahead = app.drop_keys_set_aside()
            else:
                self.typed_ahead = app.give_back_keys()
        self.dismiss(answer.value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self._answer(self.answers[int(event.button.id.removeprefix("answer-"))])

    def on_key(self, event: events.Key) -> None:
        for a in self.answers:
            if a.key == event.key != "escape":  # escape is bound: see action_quiet
                event.stop()
                self._answer(a)
                return

    def action_quiet(self) -> None:
        self._answer(self.answers[-1])
