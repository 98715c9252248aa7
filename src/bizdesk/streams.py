"""Standard input, output and error as the command line uses them, whatever the program was
started with: closed (cron, a daemon, ``>&-``), a pipe whose reader went away (``| head``),
a full disk (``> /dev/full``).

``guard`` runs first thing. A standard descriptor found closed gets /dev/null, so that no
file the process opens later (the store, the error log) takes its number: a child process
(sendmail) or a stray write to descriptor 1 would otherwise write into that file.
Standard output and error are then wrapped (``Output``):

- The reader went away (EPIPE): the rest of the output goes to /dev/null and the command
  runs to its end, exiting with its own status. That is what ``head`` expects of the program
  before it (go quietly), and the status then says what the command did, not whether its
  output happened to fit in the pipe's buffer before the reader left: dying by SIGPIPE
  (status 141, what C tools do) or exiting 1 (Python's documented recipe) would give 0 for a
  short report and another status for a long one, and would stop a command that changes the
  store half-way through its work.
- Standard output closed when the program started, or a write to it failing otherwise
  (ENOSPC, EIO): ``OutputFailed`` stops the command. The command line says so in one
  sentence on standard error (bizdesk.faults.output_fault) and exits 1. A command that
  writes nothing to standard output is not affected by its being closed.
- Standard error failing: nothing can be told there; its output is dropped.
"""

from __future__ import annotations

import errno
import io
import os
import sys


class OutputFailed(Exception):  # noqa: N818 - named for what happened, as OSError's are
    """Standard output could not be written: ``error`` is the system's reason (EBADF when it
    was closed when the program started)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _State:
    def __init__(self, fd: int | None) -> None:
        self.fd = fd  # None: closed when the program started
        self.gone = False  # the reader went away: the rest goes nowhere
        self.failed: OSError | None = None
        self.told = False  # the sentence about it has been said


class Output:
    """A standard stream (text, or its binary ``buffer``) whose write errors are dealt
    with as the module says. ``stream`` None: closed when the program started."""

    def __init__(self, stream, state: _State, *, quiet: bool) -> None:  # noqa: ANN001
        self._stream = stream
        self._state = state
        self._quiet = quiet  # standard error: never raises, there is nowhere to tell

    @property
    def state(self) -> _State:
        return self._state

    @property
    def buffer(self) -> Output:
        return Output(self._stream.buffer if self._stream is not None else None, self._state,
                      quiet=self._quiet)  # fmt: skip

    def write(self, data):  # noqa: ANN001, ANN201
        self._do("write", data)
        return len(data)

    def writelines(self, lines) -> None:  # noqa: ANN001
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._do("flush")

    def isatty(self) -> bool:
        return self._stream is not None and not self._state.gone and self._stream.isatty()

    def fileno(self) -> int:
        if self._stream is None:
            raise io.UnsupportedOperation("closed when the program started")
        return self._stream.fileno()

    def __getattr__(self, name: str):  # noqa: ANN204
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)

    def _do(self, what: str, *args) -> None:  # noqa: ANN002
        state = self._state
        if state.gone or (state.failed is not None and self._quiet):
            return
        if state.failed is not None:
            raise OutputFailed(state.failed)
        if self._stream is None:
            if what == "flush":
                return  # nothing was written: nothing is lost
            error = OSError(errno.EBADF, os.strerror(errno.EBADF))
            state.failed = error
            if self._quiet:
                return
            raise OutputFailed(error)
        try:
            getattr(self._stream, what)(*args)
        except OSError as exc:
            if isinstance(exc, io.UnsupportedOperation):
                raise
            self._to_nowhere()  # what is still buffered can go (a flush at the end succeeds)
            if exc.errno == errno.EPIPE:
                state.gone = True
                return
            state.failed = exc
            if not self._quiet:
                raise OutputFailed(exc) from None
        except ValueError:  # closed by Python (at the very end): nothing more to write
            state.gone = True

    def _to_nowhere(self) -> None:
        if self._state.fd is None:
            return
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._state.fd)
            os.close(null)
        except OSError:
            pass


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def guard() -> None:
    """Give a closed standard descriptor /dev/null and wrap standard output and error (see
    the module). Run once, before anything is opened or written."""
    if isinstance(sys.stdout, Output):
        return
    for fd in (0, 1, 2):
        if _closed(fd):
            null = os.open(os.devnull, os.O_RDWR)  # the lowest free number: ``fd``
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:  # read as an empty input, as `< /dev/null` would be
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    out, err = sys.stdout, sys.stderr
    sys.stdout = Output(out, _State(1 if out is not None else None), quiet=False)
    sys.stderr = Output(err, _State(2 if err is not None else None), quiet=True)


def _state() -> _State | None:
    state = getattr(sys.stdout, "state", None)
    return state if isinstance(state, _State) else None


def output_failed() -> bool:
    """Whether standard output could not be written (told or not)."""
    state = _state()
    return state is not None and state.failed is not None


def untold() -> bool:
    """Whether standard output could not be written and that is not yet said."""
    state = _state()
    return state is not None and state.failed is not None and not state.told


def failed() -> OSError | None:
    """Why standard output could not be written, when it could not and that is not yet
    said; it counts as said from here on."""
    state = _state()
    if state is None or state.failed is None or state.told:
        return None
    state.told = True
    return state.failed
