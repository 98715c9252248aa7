"""Helpers for driving the real app with Pilot at 80x24."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.worker import WorkerCancelled

from bizdesk.app import BizdeskApp

SIZE = (80, 24)


async def workers_done(app: BizdeskApp) -> None:
    """Wait for every worker to end. One cancelled because a newer one replaced it (an
    exclusive reload) has ended too; one that failed raises."""
    for worker in list(app.workers):
        try:
            await worker.wait()
        except WorkerCancelled:
            pass


async def settle(pilot, app: BizdeskApp) -> None:  # noqa: ANN001
    """Wait until workers are done and the screen has caught up."""
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


async def wait_for(
    pilot,  # noqa: ANN001
    app: BizdeskApp,
    condition: Callable[[], bool],
    what: str,
    timeout: float = 30,
) -> None:
    """Let the app run until ``condition()`` holds; fail saying ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        await workers_done(app)
        if condition():
            # no key went on only because the wait for the one before it was given up
            assert getattr(app, "keys_given_up", 0) == 0, "a key waited in vain (keys.py)"
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        await pilot.pause(0.05)


def palette_hits(app: BizdeskApp) -> list[str]:
    """What the command palette (or find-anything) lists now."""
    from textual.command import CommandList

    hits = app.screen.query_one(CommandList)
    return [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]


def footer_text(app: BizdeskApp) -> str:
    """The keys the footer of the screen on top offers, as drawn ("c Confirm f Finish")."""
    from textual.widgets._footer import FooterKey

    return " ".join(f"{k.key_display} {k.description}".strip() for k in app.screen.query(FooterKey))
