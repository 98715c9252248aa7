"""Writers served in turn (db/turns.py): real processes on a real SQLite file, the lock handed
out in the order it was asked for, and a writer killed while waiting or while holding it
never blocks the others."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bizdesk.config import sqlite_path
from bizdesk.db import Store, open_store
from bizdesk.db import engine as engine_module
from bizdesk.db import session as session_module
from bizdesk.db.turns import COUNTER, side_file
from bizdesk.errors import StoreError
from bizdesk.services.admin import setup

pytestmark = pytest.mark.usefixtures("sqlite_only")

DEADLINE = 120  # seconds for a condition a loaded machine will reach (spawned children: slow)
_ctx = mp.get_context("spawn")


def _until(what: str, condition: Callable[[], bool]) -> None:
    """Wait for ``condition`` to hold, failing with ``what`` at the deadline."""
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"not within {DEADLINE} s: {what}"
        time.sleep(0.01)


def _tickets(store: Store) -> int:
    """How many tickets were handed out so far at ``store`` (the line's counter)."""
    data = side_file(sqlite_path(store.url)).read_bytes()[COUNTER : COUNTER + 8]
    return int.from_bytes(data.ljust(8, b"\0"), "little")


def _served(store: Store) -> list[str]:
    with sqlite3.connect(sqlite_path(store.url)) as conn:
        return [r[0] for r in conn.execute("SELECT who FROM served ORDER BY seq")]


def _writer(url: str, who: str, ready, go, hold) -> None:  # noqa: ANN001
    """Open the store, say so, wait for the go, then write ``who`` into ``served``; with a
    ``hold`` event, say so once inside and keep the lock until killed."""
    store = open_store(url, user="tester", migrate=False)
    ready.set()
    go.wait(DEADLINE)
    with store.write() as uow:
        uow.session.execute(text("INSERT INTO served (who) VALUES (:w)"), {"w": who})
        if hold is not None:
            hold.set()
            threading.Event().wait()  # until killed
    store.dispose()


class _Writer:
    def __init__(self, store: Store, who: str, *, holds: bool = False) -> None:
        self.ready, self.go = _ctx.Event(), _ctx.Event()
        self.holding = _ctx.Event() if holds else None
        self.proc = _ctx.Process(
            target=_writer, args=(store.url, who, self.ready, self.go, self.holding)
        )
        self.proc.start()

    def wait_ready(self) -> None:
        _until("the writer opened the store", lambda: self.ready.is_set() or not self.alive())

    def alive(self) -> bool:
        return self.proc.is_alive()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join(DEADLINE)
        assert self.proc.exitcode == -signal.SIGKILL

    def finish(self) -> None:
        self.proc.join(DEADLINE)
        assert self.proc.exitcode == 0


@pytest.fixture
def line(store: Store):  # noqa: ANN201
    """The store with a table recording who wrote in which order; every child is gone
    after the test."""
    with sqlite3.connect(sqlite_path(store.url)) as conn:
        conn.execute("CREATE TABLE served (seq INTEGER PRIMARY KEY, who TEXT NOT NULL)")
    writers: list[_Writer] = []

    def start(who: str, *, holds: bool = False) -> _Writer:
        w = _Writer(store, who, holds=holds)
        writers.append(w)
        return w

    yield store, start
    for w in writers:
        if w.alive():
            w.proc.kill()
            w.proc.join(10)


def _queue(store: Store, writers: list[_Writer]) -> None:
    """Send ``writers`` into the line one after the other, each only once the one before it
    has its ticket."""
    for w in writers:
        w.wait_ready()
    for w in writers:
        before = _tickets(store)
        w.go.set()
        _until("the writer took its ticket", lambda b=before: _tickets(store) > b)


def test_writers_are_served_in_the_order_they_asked(line) -> None:  # noqa: ANN001
    store, start = line
    writers = [start(f"w{i}") for i in range(6)]
    for w in writers:
        w.wait_ready()
    with store.write() as uow:  # the lock is taken: everyone after this waits in line
        _queue(store, writers)
        assert all(w.alive() for w in writers)  # none can write while this one holds
        uow.session.execute(text("INSERT INTO served (who) VALUES ('first')"))
    for w in writers:
        w.finish()
    assert _served(store) == ["first"] + [f"w{i}" for i in range(6)]


def test_a_holder_killed_lets_the_next_one_in(line) -> None:  # noqa: ANN001
    store, start = line
    holder = start("killed holder", holds=True)
    holder.wait_ready()
    holder.go.set()
    _until("the holder has the lock", holder.holding.is_set)
    waiter = start("waiter")
    _queue(store, [waiter])
    assert waiter.alive()  # it waits for the holder
    holder.kill()
    waiter.finish()
    with store.write() as uow:  # and the store takes writes as before
        uow.session.execute(text("INSERT INTO served (who) VALUES ('after')"))
    assert _served(store) == ["waiter", "after"]  # the killed holder's write never was


def test_a_waiter_killed_leaves_the_order_of_the_others(line) -> None:  # noqa: ANN001
    store, start = line
    writers = [start(w) for w in ("one", "killed", "three")]
    with store.write() as uow:
        _queue(store, writers)
        writers[1].kill()  # killed while waiting in the middle of the line
        assert writers[0].alive() and writers[2].alive()
        uow.session.execute(text("INSERT INTO served (who) VALUES ('holder')"))
    writers[0].finish()
    writers[2].finish()
    assert _served(store) == ["holder", "one", "three"]


def test_a_wait_too_long_says_busy_and_keeps_no_place(line, monkeypatch) -> None:  # noqa: ANN001
    """A writer of the same process (another thread, as in the terminal interface) that
    waits longer than the busy limit is told so, and its place does not hold up the
    writers after it."""
    store, start = line
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(session_module, "WRITE_TRIES", 2)
    other = Store(url=store.url, engine=store.engine, user=store.user)
    told: list[BaseException] = []

    def impatient() -> None:
        try:
            with other.write():
                pass
        except StoreError as exc:
            told.append(exc)

    with store.write():
        t = threading.Thread(target=impatient)
        t.start()
        t.join(DEADLINE)
        assert "busy" in str(told[0]) and "Nothing was saved" in str(told[0])
        later = start("later")
        _queue(store, [later])
    later.finish()
    assert _served(store) == ["later"]


def test_the_line_file_has_the_store_mode(tmp_path) -> None:  # noqa: ANN001
    """Beside the store, with its access: 0600 for a private store, 0660 in a shop's shared
    (set-group-id) folder; nothing else is made."""
    private = tmp_path / "private"
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    os.chmod(shared, 0o2770)
    for folder, mode in ((private, 0o600), (shared, 0o660)):
        s = open_store(str(folder / "shop.db"), user="tester")
        setup.ensure_initialized(s)
        s.dispose()
        turns = side_file(folder / "shop.db")
        assert stat.S_IMODE(turns.stat().st_mode) == mode
        assert stat.S_IMODE((folder / "shop.db").stat().st_mode) == mode
        assert {p.name for p in Path(folder).iterdir()} <= {
            "shop.db",
            "shop.db-wal",
            "shop.db-shm",
            "shop.db-turns",
        }
