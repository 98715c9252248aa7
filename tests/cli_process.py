"""``python -m bizdesk ARGS`` as its own process, without paying its imports each time.

Most command-line tests run bizdesk as a user does, a process per command; each of those paid
about half a second of CPU importing SQLAlchemy, SQLModel, typer, Babel and the models before
the command's first line ran, which made the import the largest single cost of the suite.
``run`` gives the same process, made differently: a server started once per test process has
imported those libraries, and each command is a ``fork`` of it, given the command's
arguments, environment, working folder, umask and standard streams (real pipes, read here as
``subprocess.run`` reads them). The fork then runs ``bizdesk.__main__`` as ``python -m`` does
and ends as any Python process does (its threads joined, ``atexit`` run, its stores closed),
so its exit status, output and files are the command's own.

What is not the same as a fresh process: Python's own start-up was done once, under the test
process's environment (UTF-8 mode, hash seed, the interpreter's flags), and the modules in
``PRELOADED`` were imported before the command's environment was set (bizdesk reads its
environment when it runs, not when imported). The rest of bizdesk each command imports
itself, as a user's does, so a command's group or tables it forgets to import are still
found missing. Set ``BIZDESK_TEST_EXEC=1`` to run every command as a fresh
``python -m bizdesk`` instead. Tests that time a start, kill a command, read its memory or
look at what it imports start their own processes; so do several files with a helper of
their own, which keeps the real start-up under test."""

from __future__ import annotations

import array
import atexit
import io
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

# imported by the server before it forks: the libraries, and the opening of a store (with
# the journal's and audit's tables). Never the command line: its modules translate their
# help as they are imported, into the language set just before (bizdesk.start), so each
# command imports it, and its group, services and other tables, as it does for a user
PRELOADED = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "sqlmodel",
    "pydantic",
    "typer",
    "click",
    "rich.console",
    "rich.table",
    "babel.numbers",
    "babel.dates",
    "platformdirs",
    "bizdesk.db.session",
)

_server: tuple[subprocess.Popen, socket.socket] | None = None
_lock = threading.Lock()


def run(
    args: list[str],
    *,
    input: str | None = None,  # noqa: A002 - as subprocess.run names it
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, "-m", "bizdesk", *args], capture_output=True,
    text=True, ...)``, the process forked from the server (see the module's text)."""
    command = [sys.executable, "-m", "bizdesk", *args]
    env = dict(os.environ if env is None else env)
    # commands run from several threads at once stay at once: only one is forked at a time
    if os.environ.get("BIZDESK_TEST_EXEC") or not _lock.acquire(blocking=False):
        return subprocess.run(
            command, capture_output=True, text=True, input=input, env=env, cwd=cwd,
            timeout=timeout,
        )  # fmt: skip
    try:
        return _forked(command, input, env, os.fspath(cwd or os.getcwd()), timeout)
    finally:
        _lock.release()


def _forked(command, input, env, cwd, timeout):  # noqa: A002, ANN001, ANN202
    server = _serving()
    stdin_r, stdin_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    umask = os.umask(0o022)  # read (only by setting it), then put back
    os.umask(umask)
    request = json.dumps({"argv": command[3:], "env": env, "cwd": cwd, "umask": umask}).encode()
    try:
        socket.send_fds(server, [request], [stdin_r, out_w, err_w])
    finally:
        for fd in (stdin_r, out_w, err_w):
            os.close(fd)
    pid = json.loads(server.recv(1 << 16))["pid"]
    deadline = None if timeout is None else time.monotonic() + timeout
    data = (input or "").encode()
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as sel:
        if data:
            os.set_blocking(stdin_w, False)
            sel.register(stdin_w, selectors.EVENT_WRITE)
        else:
            os.close(stdin_w)
        sel.register(out_r, selectors.EVENT_READ, out)
        sel.register(err_r, selectors.EVENT_READ, err)
        while sel.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                os.kill(pid, signal.SIGKILL)
                for key in list(sel.get_map().values()):
                    sel.unregister(key.fileobj)
                    os.close(key.fd)
                server.recv(1 << 16)
                raise subprocess.TimeoutExpired(command, timeout, bytes(out), bytes(err))
            for key, _ in sel.select(left):
                if key.fd == stdin_w:
                    try:
                        data = data[os.write(stdin_w, data[:65536]) :]
                    except BrokenPipeError:
                        data = b""
                    if not data:
                        sel.unregister(stdin_w)
                        os.close(stdin_w)
                    continue
                chunk = os.read(key.fd, 65536)
                if chunk:
                    key.data.extend(chunk)
                else:
                    sel.unregister(key.fd)
                    os.close(key.fd)
    status = json.loads(server.recv(1 << 16))["status"]
    return subprocess.CompletedProcess(command, status, _text(out), _text(err))


def _text(data: bytes) -> str:
    """As ``text=True`` reads a pipe: the locale's encoding, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=None).read()


def _serving() -> socket.socket:
    global _server
    if _server is not None and _server[0].poll() is None:
        return _server[1]
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    process = subprocess.Popen(
        [sys.executable, __file__, str(theirs.fileno())], pass_fds=[theirs.fileno()]
    )
    theirs.close()
    _server = (process, ours)
    atexit.register(_stop, process, ours)
    return ours


def _stop(process: subprocess.Popen, ours: socket.socket) -> None:
    ours.close()  # the server reads the end and leaves
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def _serve(fd: int) -> None:
    """The server: fork a command per request; tell its pid, then its exit status."""
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    sock = socket.socket(fileno=fd)
    while True:
        fds = array.array("i")
        try:
            msg, ancdata, _, _ = sock.recvmsg(1 << 20, socket.CMSG_LEN(3 * fds.itemsize))
        except ConnectionResetError:
            return
        if not msg:
            return
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
        request = json.loads(msg)
        pid = os.fork()
        if pid == 0:
            sock.close()
            _command(request, list(fds))  # returns only by raising SystemExit
        for each in fds:
            os.close(each)
        sock.send(json.dumps({"pid": pid}).encode())
        _, how = os.waitpid(pid, 0)
        sock.send(json.dumps({"status": os.waitstatus_to_exitcode(how)}).encode())


def _command(request: dict, fds: list[int]) -> None:
    """In the fork: become ``python -m bizdesk ARGS`` started with this request's streams,
    environment and folder, then run it; Python ends the process as it ends any."""
    import locale
    import runpy

    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.umask(request["umask"])  # the test's, as a process it started would have
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    try:
        ctype = locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:  # a locale the machine lacks: Python starts in "C"
        ctype = locale.setlocale(locale.LC_CTYPE, "C")
    errors = "strict"
    if ctype in ("C", "POSIX"):  # Python's C locale coercion (PEP 538)
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
        if "LC_ALL" not in os.environ:
            os.environ["LC_CTYPE"] = "C.UTF-8"
        errors = "surrogateescape"
    encoding, _, said = os.environ.get("PYTHONIOENCODING", "").partition(":")
    encoding = encoding or locale.getencoding()
    errors = said or errors
    sys.stdin = sys.__stdin__ = _stream(0, "r", encoding, errors)
    sys.stdout = sys.__stdout__ = _stream(1, "w", encoding, errors)
    sys.stderr = sys.__stderr__ = _stream(2, "w", encoding, "backslashreplace")
    sys.argv = ["-m", *request["argv"]]
    sys.path[0] = request["cwd"]
    runpy.run_module("bizdesk", run_name="__main__", alter_sys=True)
    raise SystemExit(0)


def _stream(fd: int, mode: str, encoding: str, errors: str) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    tty = raw.isatty()
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    return io.TextIOWrapper(
        buffered, encoding=encoding, errors=errors, line_buffering=tty or fd == 2
    )


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
