"""Helpers for driving the real app with Pilot at 80x24."""

from __future__ import annotations

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
