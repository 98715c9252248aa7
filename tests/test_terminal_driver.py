"""The terminal driver (terminal.py) through a real pseudo-terminal: an idle session's
threads sleep until a key comes, and keys still work after a pause, an escape alone
included, and after the session was suspended and resumed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.test_keys import showing, wait_until
from tests.test_ssh import Terminal
from tests.test_ssh import shop as shop  # noqa: F401  (the fixture: a new store, set up)

F3, F4 = "\x1bOR", "\x1bOS"  # Contacts, Deals
# Past the app's escape delay (0.4 s) and the second after it that the input thread stays awake
PAST_THE_LAST_KEY = 2.5
SAMPLE = 3.0  # s over which the threads' wakings are counted


@pytest.fixture
def terminal(shop, tmp_path):  # noqa: ANN001, ANN201
    term = Terminal(shop, tmp_path / "state")
    yield term
    term.close()


def wakings(pid: int) -> dict[int, int]:
    """Each thread's voluntary context switches so far: the times it went to sleep."""
    counts = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
        except FileNotFoundError:  # a worker thread that ended meanwhile
            continue
        line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches"))
        counts[int(tid)] = int(line.split()[1])
    return counts


def test_an_idle_session_sleeps_and_takes_keys_after_a_pause(terminal):  # noqa: ANN001
    """Textual's input thread woke every 0.1 s while nothing was typed (30 times in 3 s):
    a third of the CPU an idle session may use. Now no thread of an idle session wakes
    more than a few times in 3 s (the look for others' changes, every 2 s), and a key typed
    after the pause, an escape alone among them, is acted on."""
    showing(terminal, "Home")
    os.write(terminal.master, F3.encode())
    showing(terminal, "Archive")  # the contacts list's keys
    terminal.read(PAST_THE_LAST_KEY)
    before = wakings(terminal.proc.pid)
    terminal.read(SAMPLE)
    after = wakings(terminal.proc.pid)
    busiest = max(after[t] - before.get(t, 0) for t in after)
    assert busiest <= 10, f"a thread woke {busiest} times in {SAMPLE} s of an idle session"
    os.write(terminal.master, b"n")
    showing(terminal, "New contact")
    terminal.read(PAST_THE_LAST_KEY)
    os.write(terminal.master, b"\x1b")  # escape alone, after the pause: closes the form
    showing(terminal, "Archive")


def test_keys_are_taken_after_the_session_was_suspended_and_resumed(terminal):  # noqa: ANN001
    """A suspended session (SIGTSTP: ctrl+z in a shell with job control) gives the terminal
    back and takes it again on SIGCONT, with an input thread that hears keys and ends."""
    showing(terminal, "Home")
    for _ in range(2):
        os.kill(terminal.proc.pid, signal.SIGTSTP)
        wait_until(terminal, lambda _s: _stopped(terminal.proc.pid), "the session to stop")
        os.kill(terminal.proc.pid, signal.SIGCONT)
        terminal.read(PAST_THE_LAST_KEY)
    os.write(terminal.master, F4.encode())
    showing(terminal, "Lost")  # the deals board's last column
    os.write(terminal.master, b"\x11")  # ctrl+q
    assert terminal.proc.wait(timeout=30) == 0


def _stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
