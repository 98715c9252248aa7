"""Helpers for driving the real app with Pilot at 80x24."""

from __future__ import annotations

from bizdesk.app import BizdeskApp

SIZE = (80, 24)


async def settle(pilot, app: BizdeskApp) -> None:  # noqa: ANN001
    """Wait until workers are done and the screen has caught up."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
