"""Living with SSH, through a real pseudo-terminal: an idle session sends nothing, a dropped
link (SIGHUP) ends the process cleanly and keeps unsaved typing as a draft, 256 colours and
NO_COLOR. The app runs as a user runs it: ``python -m bizdesk --db ...`` on a pty at 80x24."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import termios
import time
from datetime import date
from pathlib import Path

import pytest

from bizdesk.app import HANGUP_EXIT

F3 = "\x1bOR"  # the Contacts tab
CTRL_S = "\x13"
QUIET = 1.5  # the screen has settled when nothing came for this long
IDLE = 3.0  # longer than the 2 s change poll and many cursor-blink periods


class Terminal:
    """A process on a pty of 80x24, like an SSH session."""

    def __init__(self, db: Path, state: Path, **env: str) -> None:
        environ = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": str(state), **env}
        for name in ("COLORTERM", "NO_COLOR", "ESCDELAY"):
            if name not in env:
                environ.pop(name, None)
        self._start([sys.executable, "-m", "bizdesk", "--db", str(db)], environ)

    @classmethod
    def running(cls, args: list[str], env: dict[str, str]) -> Terminal:
        """Any program on such a pty (``ssh -tt`` to a shop's account, say)."""
        term = cls.__new__(cls)
        term._start(args, env)
        return term

    def _start(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,  # its own session, as under sshd
        )
        os.close(slave)
        self.output = b""

    def read(self, seconds: float) -> bytes:
        """Everything written within ``seconds``."""
        got = b""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                got += chunk
        self.output += got
        return got

    def expect(self, pattern: str, limit: float = 60) -> bytes:
        """Read until the screen shows ``pattern`` (a regular expression) in what came since
        the call; fail after ``limit`` seconds saying what was shown."""
        got = b""
        end = time.monotonic() + limit
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
            self.output += chunk
            if re.search(pattern, screen_text(got)):
                return got
        raise AssertionError(f"waited for {pattern!r}; the screen showed: {screen_text(got)!r}")

    def type(self, keys: str, until: str) -> bytes:
        """Send keys, then read until the screen shows ``until``."""
        os.write(self.master, keys.encode())
        return self.expect(until)

    def settle(self, limit: float = 60) -> bytes:
        """Read until something came and then nothing for QUIET seconds."""
        got = b""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            chunk = self.read(QUIET)
            got += chunk
            if got and not chunk:
                return got
        raise AssertionError("the screen never settled")

    def send(self, keys: str) -> bytes:
        os.write(self.master, keys.encode())
        return self.settle()

    def finish(self, limit: float = 60) -> int:
        """Wait for the program to end, reading what it writes meanwhile (a pty nobody
        reads fills up and blocks its last writes); its exit code."""
        end = time.monotonic() + limit
        while self.proc.poll() is None and time.monotonic() < end:
            if not self.read(0.2) and self.master < 0:
                break
        return self.proc.wait(timeout=max(1, end - time.monotonic()))

    def drop_link(self) -> None:
        """Close our end of the pty, once: a second ``os.close`` of the same number would
        close whatever file the process opened next under it (a later test's store)."""
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def hang_up(self) -> int:
        """Drop the link as sshd does: close the pty (the kernel sends SIGHUP) and signal."""
        self.drop_link()
        self.proc.send_signal(signal.SIGHUP)
        return self.proc.wait(timeout=60)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.drop_link()


def screen_text(raw: bytes) -> str:
    return re.sub(r"\x1b\[[0-9;?<>=]*[A-Za-z]", "", raw.decode("utf-8", "replace"))


@pytest.fixture
def shop(tmp_path) -> Path:
    db = tmp_path / "shop.db"
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", "init", "--db", str(db)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return db


@pytest.fixture
def terminals():
    opened: list[Terminal] = []

    def open_(db: Path, state: Path, **env: str) -> Terminal:
        t = Terminal(db, state, **env)
        opened.append(t)
        return t

    yield open_
    for t in opened:
        t.close()


def check(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", "check", "--db", str(db)], capture_output=True, text=True
    )


def contact_names(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM contact")]


def test_an_idle_session_sends_nothing(shop, tmp_path, terminals):
    term = terminals(shop, tmp_path / "state")
    first = term.expect("Home")
    first += term.settle()  # the rest of the first screen; then it must stay quiet
    assert b"\x1b[38;5;" in first and b"\x1b[38;2;" not in first  # 256 colours, no truecolour
    assert term.read(IDLE) == b"", "the dashboard repaints while idle"
    assert "Contacts" in screen_text(term.send(F3))
    assert term.read(IDLE) == b"", "the contacts list repaints while idle"
    assert "New contact" in screen_text(term.send("n"))
    assert term.read(IDLE) == b"", "an open form (cursor in a box) repaints while idle"
    term.send("Ann")
    assert term.read(IDLE) == b"", "a form with typing repaints while idle"
    # the first start of the day made today's automatic backup
    assert len(list((shop.parent / "backups").glob(f"*-{date.today():%Y%m%d}-daily.db"))) == 1


def test_a_second_start_the_same_day_makes_no_backup(shop, tmp_path, terminals):
    backups = shop.parent / "backups"
    term = terminals(shop, tmp_path / "state")
    term.expect("Home")
    deadline = time.monotonic() + 60
    while not list(backups.glob("*-daily.db")) and time.monotonic() < deadline:
        term.read(0.1)  # the first start of the day writes its backup
    (daily,) = backups.glob("*-daily.db")
    made = daily.stat()
    term.close()
    term = terminals(shop, tmp_path / "state")
    term.expect("Home")
    term.settle()  # a quiet screen: the start, and any backup it would make, is over
    term.close()
    assert list(backups.glob("*-daily.db")) == [daily]
    assert (daily.stat().st_ino, daily.stat().st_mtime_ns) == (made.st_ino, made.st_mtime_ns)


def test_no_color_is_grey_only(shop, tmp_path, terminals):
    term = terminals(shop, tmp_path / "state", NO_COLOR="1")
    first = term.expect("Home")
    first += term.settle()  # the rest of the first screen
    used = {int(n) for n in re.findall(rb"\x1b\[[0-9;]*?[34]8;5;(\d+)", first)}
    assert used, "no colour codes at all"

    def grey(n: int) -> bool:
        if n >= 232 or n in (0, 7, 8, 15):
            return True
        if 16 <= n <= 231:
            r, g, b = (n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6
            return r == g == b
        return False

    assert all(grey(n) for n in used), sorted(used)


def typing_a_new_contact(term: Terminal, name: str) -> Terminal:
    """``term`` with the new-contact form open and ``name`` typed into it, not saved."""
    term.expect("Home")
    term.type(F3, "Contacts")
    term.type("n", "New contact")
    term.type(name, name.split()[-1])
    return term


def test_sighup_keeps_the_draft_and_offers_it_back(shop, tmp_path, terminals):
    state = tmp_path / "state"
    term = typing_a_new_contact(terminals(shop, state), "Draft Person")
    started = time.monotonic()
    assert term.hang_up() == HANGUP_EXIT
    assert time.monotonic() - started < 30  # promptly, with a wide margin for a busy machine
    r = check(shop)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Draft Person" not in contact_names(shop)
    (draft,) = (state / "bizdesk" / "drafts").glob("*.json")
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert stat.S_IMODE(draft.parent.stat().st_mode) == 0o700
    assert json.loads(draft.read_text())["form"] == "New contact"

    term = terminals(shop, state)
    term.expect("Home")
    term.type(F3, "Contacts")
    offered = screen_text(term.type("n", r"Restore \(r\)"))
    assert "was kept as" in offered
    term.read(QUIET)  # read as a person does: keys sent before it was drawn do not answer it
    term.type("r", "Draft Person")
    term.type(CTRL_S, "Draft Person")  # (on the screen already: the form's name)
    # saved, then the draft discarded by the same worker just after the commit: wait for
    # both (another process sees the commit first; the app may be busy a moment then)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        "Draft Person" not in contact_names(shop) or list(draft.parent.glob("*.json"))
    ):
        term.read(0.1)
    assert "Draft Person" in contact_names(shop)
    assert not list(draft.parent.glob("*.json"))  # saved: the draft is gone


def _wait_until_waiting_on(pid: int, store: Path, limit: float = 60) -> None:
    """Until the process has held the store open for a while without a break: a save that
    waits for the write lock (the change poll opens and closes it in a moment)."""
    held_since = None
    end = time.monotonic() + limit
    while time.monotonic() < end:
        open_now = False
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                open_now = open_now or os.readlink(fd) == str(store)
            except OSError:
                continue
        now = time.monotonic()
        if not open_now:
            held_since = None
        elif held_since is None:
            held_since = now
        elif now - held_since > 0.5:
            return
        time.sleep(0.02)  # sampling /proc, not waiting for the app
    raise AssertionError("the save never started")


def test_a_terminal_gone_without_sighup_ends_the_app_as_a_hang_up(shop, tmp_path, terminals):
    """A pty that is not the program's controlling terminal (a session of its own, as here)
    sends no SIGHUP when its other end closes: the app went on for ever, Textual's input
    thread spinning on the closed pty (two thirds of a core). Now it sees the hang-up and
    ends as after SIGHUP, keeping the form's typing as a draft."""
    state = tmp_path / "state"
    term = typing_a_new_contact(terminals(shop, state), "Unsent Person")
    term.drop_link()  # no signal
    assert term.proc.wait(timeout=60) == HANGUP_EXIT
    (draft,) = (state / "bizdesk" / "drafts").glob("*.json")
    assert "Unsent Person" in draft.read_text()


def test_sighup_while_saving_keeps_the_whole_change(shop, tmp_path, terminals):
    state = tmp_path / "state"
    term = terminals(shop, state)
    term.expect("Home")
    term.type(F3, "Contacts")
    term.type("n", "New contact")
    term.type("Saved Person", "Person")
    blocker = sqlite3.connect(shop, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another user's write: the save waits for it
    try:
        os.write(term.master, CTRL_S.encode())
        _wait_until_waiting_on(term.proc.pid, shop)  # the save started and waits for the lock
        term.drop_link()
        term.proc.send_signal(signal.SIGHUP)
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    assert term.proc.wait(timeout=60) == HANGUP_EXIT
    r = check(shop)
    assert r.returncode == 0, r.stdout + r.stderr
    saved = "Saved Person" in contact_names(shop)
    drafts = list((state / "bizdesk" / "drafts").glob("*.json"))
    # either the whole contact was saved (and no draft of it stays), or none of it and the
    # typing is kept as a draft
    assert saved != bool(drafts)
    assert saved  # the save was already running: it finishes before the process ends


def test_ctrl_q_in_a_form_quits_and_keeps_the_typing_as_a_draft(shop, tmp_path, terminals):
    """ctrl+q works on every screen (the footer says so under a form too): the form's
    unsaved typing is kept as a draft, the end says so, and the draft is offered back
    saying why it was kept. Quitting from the question a form asks (escape: "Discard what
    you typed?") keeps it as well."""
    state = tmp_path / "state"
    term = terminals(shop, state)
    term.expect("Home")
    term.type(F3, "Contacts")
    term.type("n", "New contact")
    term.type("Quit Person", "Person")
    term.type("\x1b", "Discard what you typed")  # escape: a question on top of the form
    os.write(term.master, b"\x11")  # ctrl+q
    assert term.finish() == 0
    said = " ".join(screen_text(term.output).split())
    assert "kept as a draft for you: New contact" in said, said[-600:]
    assert "Traceback" not in said
    (draft,) = (state / "bizdesk" / "drafts").glob("*.json")
    doc = json.loads(draft.read_text())
    (kept,) = doc["drafts"]
    assert (doc["form"], kept["why"]) == ("New contact", "quit")
    assert kept["state"]["values"]["name"] == "Quit Person"
    assert "Quit Person" not in contact_names(shop)

    term = terminals(shop, state)
    term.expect("Home")
    term.type(F3, "Contacts")
    offered = " ".join(screen_text(term.type("n", r"Restore \(r\)")).split())
    assert "bizdesk was quit with the form open" in offered
    term.read(QUIET)  # read as a person does: keys sent before it was drawn do not answer it
    term.type("r", "Quit Person")
    os.write(term.master, b"\x11")  # nothing typed since the draft came back: kept as it was
    assert term.finish() == 0
    (kept,) = json.loads(draft.read_text())["drafts"]  # the one restored, kept again
    assert kept["state"]["values"]["name"] == "Quit Person"


def test_ctrl_q_with_nothing_typed_quits_saying_nothing(shop, tmp_path, terminals):
    state = tmp_path / "state"
    term = terminals(shop, state)
    term.expect("Home")
    term.type(F3, "Contacts")
    term.type("n", "New contact")
    os.write(term.master, b"\x11")
    assert term.finish() == 0
    assert "draft" not in screen_text(term.output)
    assert not (state / "bizdesk" / "drafts").exists() or not list(
        (state / "bizdesk" / "drafts").glob("*.json")
    )


def test_quitting_leaves_the_store_readable_on_a_full_disk(shop, tmp_path, terminals):
    """The interface ends as a command does: the store file whole (the log folded in) and
    the log and its index left beside it. Freed one by one at the end, its connections
    deleted them, and a process reading the store on a full disk could not make them anew
    (`tests/test_faults.py` reads a full disk's store after a command)."""
    term = terminals(shop, tmp_path / "state")
    term.expect("Home")
    term.type(F3, "Contacts")
    os.write(term.master, b"\x11")
    assert term.finish() == 0
    db = Path(shop)
    assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
