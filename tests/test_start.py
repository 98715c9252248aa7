"""The interface's start (issue 12): its first frame is drawn before the database stack is
imported, then the store opens in a worker and Home's figures follow; driven through a real
pseudo-terminal at 80x24."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time

from bizdesk.start import interface_db
from tests.test_faults import bizdesk, init

ESCAPES = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>])"
)


def test_only_a_bare_start_or_db_skips_the_command_line():
    assert interface_db([]) == (True, None)
    assert interface_db(["--db", "shop.db"]) == (True, "shop.db")
    assert interface_db(["--db=shop.db"]) == (True, "shop.db")
    for argv in (["--db"], ["--db", ""], ["--db="], ["check"], ["--db", "x", "check"], ["--help"]):
        assert interface_db(argv)[0] is False, argv


def _read_until(fd: int, seen: bytearray, mark: bytes, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while mark not in ESCAPES.sub(b"", bytes(seen)):
        assert time.monotonic() < deadline, f"{mark!r} not shown: {bytes(seen[-300:])!r}"
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            seen += os.read(fd, 65536)


def _exit_status(proc: subprocess.Popen, fd: int, seen: bytearray, seconds: float = 60) -> int:
    """Wait for the interface to end, reading what it sends meanwhile as a terminal does:
    unread, a full pseudo-terminal stops its writes and so its end."""
    deadline = time.monotonic() + seconds
    while proc.poll() is None:
        assert time.monotonic() < deadline, "the interface did not end"
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return proc.wait(timeout=seconds)


def _interface(db) -> tuple[subprocess.Popen, int]:  # noqa: ANN001
    main, sub = os.openpty()
    fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "BIZDESK_DB": "", "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", "--db", str(db)],
        stdin=sub,
        stdout=sub,
        stderr=sub,
        env=env,
        start_new_session=True,
    )
    os.close(sub)
    return proc, main


def test_the_first_frame_comes_before_the_store_and_home_follows(tmp_path):
    db = tmp_path / "shop.db"
    init(db)
    proc, main = _interface(db)
    seen = bytearray()
    try:
        _read_until(main, seen, b"Sales this month")
        text = ESCAPES.sub(b"", bytes(seen))
        # the tabs were drawn first, at the latest with Home's figures, which are read
        # without the database stack before the store is opened (services/overview/fresh:
        # "Opening the store…" is seen only when they cannot be read so, as for an upgrade)
        assert text.index(b"Contacts") < text.index(b"Sales this month")
        _read_until(main, seen, b"Fault Cycles")  # the shop's name, from its settings
        os.write(main, b"\x11")  # ctrl+q, while the store may still be opening behind Home
        assert _exit_status(proc, main, seen) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    assert b"Traceback" not in seen


def test_a_store_that_cannot_open_ends_the_interface_with_a_sentence(tmp_path):
    """A damaged store (cut short): the first frame shows, then the interface ends, exit 1,
    saying what is wrong and the command that puts it right; it never hangs on 'Opening the
    store…' (Home waited for the store inside the app's own messages, so the end, and
    ctrl+q, were never acted on)."""
    db = tmp_path / "shop.db"
    init(db)
    assert bizdesk("backup", "--db", str(db)).returncode == 0
    with open(db, "r+b") as fh:
        fh.truncate(100_000)
    proc, main = _interface(db)
    seen = bytearray()
    try:
        _read_until(main, seen, b"is damaged")
        assert proc.wait(timeout=60) == 1
        while select.select([main], [], [], 0.5)[0]:
            try:
                seen += os.read(main, 65536)
            except OSError:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    text = ESCAPES.sub(b"", bytes(seen))
    assert b"bizdesk restore" in text and b"Traceback" not in text
