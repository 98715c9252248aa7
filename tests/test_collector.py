"""Python's cycle collector is held while `bizdesk` starts and runs again once the store is
open (bizdesk/collector.py): in the real program, for a command and for the interface."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from bizdesk import collector
from bizdesk.app import BizdeskApp
from tests.tui_helpers import SIZE, settle, wait_for

# the real program's start (bizdesk.start:main, as the `bizdesk` script runs it), telling
# at its end whether the collector runs and how many objects the start set aside
PROBE = (
    "import atexit, gc, sys\n"
    "atexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count(),"
    " file=sys.stderr))\n"
    "sys.argv[0] = 'bizdesk'\n"
    "from bizdesk.start import main\n"
    "main()\n"
)


@pytest.fixture
def held():
    collector.hold()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def test_settle_freezes_what_the_start_made_only_after_hold(held) -> None:  # noqa: ANN001
    assert not gc.isenabled()
    collector.settle()
    assert gc.isenabled() and gc.get_freeze_count() > 1000
    frozen = gc.get_freeze_count()
    [object() for _ in range(10)]
    collector.settle()  # the second time: nothing more is set aside
    assert gc.get_freeze_count() == frozen


def test_settle_does_nothing_when_the_collector_was_never_held() -> None:
    collector.settle()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_command_runs_with_the_collector_once_its_store_is_open(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    env = {**os.environ, "BIZDESK_DB": db}
    run = [sys.executable, "-c", PROBE]
    made = subprocess.run([*run, "init", "--company", "Probe"], env=env, capture_output=True)
    assert made.returncode == 0, made.stderr
    assert b"collector True" in made.stderr  # a new store is filled with the collector on
    report = subprocess.run(
        [*run, "report", "trial-balance", "--format", "json"], env=env, capture_output=True
    )
    assert report.returncode == 0, report.stderr
    said = report.stderr.decode().split()
    enabled, frozen = said[said.index("collector") + 1 : said.index("collector") + 3]
    assert enabled == "True" and int(frozen) > 50_000  # the start's objects, set aside


async def test_the_interface_collects_again_once_home_is_read(store, held) -> None:  # noqa: ANN001
    app = BizdeskApp(opener=lambda say: store)  # opened by a worker, as run_app does
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app, lambda: app.store is not None, "the store to open")
        await settle(pilot, app)
        assert gc.isenabled() and gc.get_freeze_count() > 1000


async def test_the_interface_puts_them_back_once_its_tabs_are_built(store, held) -> None:  # noqa: ANN001
    """Set aside, the start's objects no longer count in what keeps full collections rare:
    once the tabs are built the interface collects as any program does."""
    app = BizdeskApp(opener=lambda say: store, build_ahead=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app, lambda: app.store is not None, "the store to open")
        assert gc.isenabled()
        await wait_for(pilot, app, lambda: gc.get_freeze_count() == 0, "the start's end")
        tabs = app.query_one("#tabs")
        assert all(pane.children for pane in tabs.query("TabPane"))
