"""Home reads its figures in a worker: a store that fails while it reads (here a table gone,
as a damaged store would be) is told in one sentence and the app goes on; it never ends the
app or shows a traceback."""

from __future__ import annotations

from sqlalchemy import text

from bizdesk.app import BizdeskApp
from tests.tui_helpers import SIZE, settle, wait_for


async def test_home_says_a_failed_read_and_goes_on(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        with store.engine.begin() as conn:
            conn.execute(text("ALTER TABLE deal RENAME TO deal_gone"))
        try:
            await pilot.press("u")
            await wait_for(
                pilot,
                app,
                lambda: any(n.severity == "error" for n in app._notifications),
                "the failed read told",
            )
            said = [str(n.message) for n in app._notifications if n.severity == "error"]
            assert all("Traceback" not in s for s in said), said
            assert app.is_running and app.return_code is None
        finally:
            with store.engine.begin() as conn:
                conn.execute(text("ALTER TABLE deal_gone RENAME TO deal"))
