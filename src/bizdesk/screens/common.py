"""What every pane and page shares: running a service in a worker and telling the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.containers import Vertical
from textual.message import Message

from bizdesk.errors import BizdeskError


class ServiceResult(Message):
    def __init__(
        self,
        done: Callable[[Any], None] | None,
        value: Any,
        error: Exception | None,
        success: str | None,
    ) -> None:
        super().__init__()
        self.done, self.value, self.error, self.success = done, value, error, success


class ServiceRunner:
    """Mixin for widgets and screens: ``run_service(fn)`` calls ``fn(uow)`` in a thread."""

    @work(thread=True, group="service")
    def run_service(
        self,
        fn: Callable[[Any], Any],
        *,
        write: bool = True,
        done: Callable[[Any], None] | None = None,
        success: str | None = None,
    ) -> None:
        store = self.app.store
        try:
            with store.write() if write else store.read() as uow:
                value = fn(uow)
        except Exception as exc:
            self.post_message(ServiceResult(done, None, exc, None))
            return
        self.post_message(ServiceResult(done, value, None, success))

    def on_service_result(self, msg: ServiceResult) -> None:
        msg.stop()
        if msg.error is not None:
            err = msg.error
            text = str(err) if isinstance(err, BizdeskError) else f"{type(err).__name__}: {err}"
            self.notify(text, title="Not done", severity="error", markup=False)
            return
        if msg.success:
            self.notify(msg.success, markup=False)
        if msg.done is not None:
            msg.done(msg.value)


class Pane(ServiceRunner, Vertical):
    """A tab's content. HELP is shown by F1 together with the pane's keys."""

    HELP = ""

    def focus_main(self) -> None:
        """Focus the pane's main widget (its list)."""
