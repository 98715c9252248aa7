"""Writers served in turn: a first-come, first-served line in front of SQLite's write lock.

SQLite makes a writer that finds the write lock taken sleep and try again (its busy handler),
longer each time; whoever tries at the right moment wins. Under many writers most are served
quickly, but one can sleep through dozens of other writers' turns and reach the busy timeout.
So before BEGIN IMMEDIATE a writer takes a ticket and waits until every writer with an
earlier ticket is done: the lock goes out in the order it was asked for, and a wait is as
long as the line ahead of it, never longer.

The line lives in a side file beside the store (``STORE-turns``, with the store's own mode:
0600 under a shop's account, 0660 in a shared folder), holding the next ticket number. A
ticket is a lock on one byte of that file (``TICKETS + number``), taken with fcntl's
open-file-description locks (``F_OFD_SETLK``): they belong to the open file, not to the
process, so two threads of one process queue like two processes, and the kernel drops them
when the file is closed, whatever way the process ends (``kill -9`` included). A dead
writer, waiting or holding, never blocks the others. A waiter waits on its predecessor's byte
(one wake-up per turn), then on every earlier byte (so a predecessor that died while waiting
does not let it pass someone still ahead).

The line only orders writers that use it: SQLite's lock stays the guard, and anything else
that writes the file (the ``sqlite3`` shell, an older bizdesk) is still waited for by the busy
handler. Where the side file cannot be made (a read-only folder) or open-file-description
locks do not exist (not Linux), writers go without the line, as before.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

SUFFIX = "-turns"
COUNTER = 0  # bytes 0-7: the next ticket number; a lock on them guards taking one
SERVED = 8  # bytes 8-15: how many turns were given (written by each writer given its turn)
TICKETS = 4096  # ticket n is a lock on byte TICKETS + n
_SETLK = getattr(fcntl, "F_OFD_SETLK", None)
_SETLKW = getattr(fcntl, "F_OFD_SETLKW", None)


def side_file(store: Path) -> Path:
    return store.with_name(store.name + SUFFIX)


def _lock(fd: int, start: int, length: int, *, wait: bool) -> bool:
    """An exclusive lock on ``length`` bytes from ``start``; False if not waiting and taken."""
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (0: an open-file-description lock)
    arg = struct.pack("@hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)
    try:
        fcntl.fcntl(fd, _SETLKW if wait else _SETLK, arg)
    except OSError as exc:
        if not wait and exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _open(store: Path) -> int | None:
    """The side file, opened for reading and writing (made with the store's mode if
    missing); None where there is none to be had."""
    if _SETLKW is None:
        return None
    try:
        mode = stat.S_IMODE(os.stat(store).st_mode) & 0o660
        path = side_file(store)
        flags = os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, mode)
            os.fchmod(fd, mode)  # exactly the store's mode, whatever the umask
        except FileExistsError:
            fd = os.open(path, flags)
    except OSError:
        return None
    return fd


def _read(fd: int, offset: int) -> int:
    return int.from_bytes(os.pread(fd, 8, offset).ljust(8, b"\0"), "little")


def _ticket(fd: int) -> int:
    """Take the next ticket and hold its byte (the next writer then waits for it)."""
    _lock(fd, COUNTER, 8, wait=True)
    try:
        number = _read(fd, COUNTER)
        while not _lock(fd, TICKETS + number, 1, wait=False):  # a counter set back by hand
            number += 1
        os.pwrite(fd, (number + 1).to_bytes(8, "little"), COUNTER)
    finally:
        fcntl.fcntl(fd, _SETLK, struct.pack("@hhqqi4x", fcntl.F_UNLCK, 0, COUNTER, 8, 0))
    return number


@contextlib.contextmanager
def turn(store: Path | None, timeout: float, busy: Callable[[], Exception]) -> Iterator[None]:
    """Wait for this writer's turn at the SQLite file ``store`` (None: not SQLite), hold it
    inside, and give it to the next writer on leaving. While the line moves, a writer waits
    however long it is; when no turn was given for ``timeout`` seconds (the one holding it
    is stuck), it gives up with ``busy()``."""
    place = _open(store) if store is not None else None
    if place is None:
        yield
        return
    waiting: int | None = None
    try:
        try:
            number = _ticket(place)
        except OSError:
            number = None  # the line is out of order: go as before, SQLite still guards
        if number:
            # Waited for on a second open file: on a time-out, closing the first gives this
            # place up at once, whatever the kernel is still waiting for on the second.
            waiting = os.open(side_file(store), os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
            if not _lock(waiting, TICKETS, number, wait=False):  # someone is ahead
                if not _wait_in_thread(waiting, number, timeout):
                    raise busy()
        if number is not None:
            os.pwrite(place, (_read(place, SERVED) + 1).to_bytes(8, "little"), SERVED)
        yield
    finally:
        for fd in (waiting, place):
            if fd is not None:
                os.close(fd)


def _wait_in_thread(fd: int, number: int, timeout: float) -> bool:
    """Block in the kernel until the turn comes (woken the moment it does), in a helper
    thread, so that the wait can end when the line stood still for ``timeout`` (then False).
    The helper waits on its own copy of ``fd`` (the same open file, so the locks it gets are
    the caller's): on a time-out the caller closes its files, and the helper's request, once
    granted, goes with the copy."""
    done = threading.Event()
    failed: list[BaseException] = []
    own = os.dup(fd)

    def wait() -> None:
        try:
            _lock(own, TICKETS + number - 1, 1, wait=True)  # the one just ahead
            _lock(own, TICKETS, number, wait=True)  # and every one before it
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            failed.append(exc)
        finally:
            os.close(own)
            done.set()

    threading.Thread(target=wait, name="bizdesk-turn", daemon=True).start()
    served, since = _read(fd, SERVED), time.monotonic()
    while not done.wait(min(1.0, timeout)):
        now = _read(fd, SERVED)
        if now != served:  # someone ahead was given the turn: the line moves
            served, since = now, time.monotonic()
        elif time.monotonic() - since >= timeout:
            return False
    if failed:
        raise failed[0]
    return True
