"""The `bizdesk` program. With no command it is the terminal interface, started so that its
first frame is on the screen before the database stack (SQLAlchemy, SQLModel, the models)
or the command line's (typer, pydantic) is even imported: the store is opened by a worker
of the app while that frame shows. Every command, and any case the interface does not
start by itself (no such store yet: the command line asks whether to make one), goes to
the command line (bizdesk.cli)."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bizdesk import collector, streams
from bizdesk.i18n import _, use_setting
from bizdesk.identity import current_gate, os_username

if TYPE_CHECKING:
    from bizdesk.services.overview.glance import Glance


def interface_db(argv: list[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` asks for the interface alone (nothing, or only ``--db X``), and the
    store it names (None: $BIZDESK_DB or the default)."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and argv[1] and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > 5:
        return True, argv[0][5:]
    return False, None


def main() -> NoReturn:
    streams.guard()  # closed, gone or full standard streams told, never a traceback
    try:
        _run()
    except SystemExit as exc:
        end(exc.code)
    except streams.OutputFailed:  # outside a command (its --help): said as end() flushes
        end(1)
    end(0)


def end(code: object) -> NoReturn:
    """End the process as Python does after ``sys.exit(code)`` (threads still running
    waited for, exit handlers run, the output flushed), but without freeing every object
    one by one. Freed, the store's last SQLite connection would delete the write-ahead log
    and its index beside the store (``Store.close`` has folded the log into the store
    file): a process reading the store on a full disk could not make them anew. (Whether
    they were freed depended on which objects the collector had set aside: the interface
    and some commands deleted them, other commands not.) Left open, they are closed by the
    system as the process ends, as after kill -9, which the store is made to survive."""
    if sys.getprofile() is not None:  # a profiler (python -m cProfile) writes as Python ends
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # noqa: SLF001 - what Python runs at exit, as Python runs it
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # (None: closed when Python started, not guarded)
                stream.flush()
        except streams.OutputFailed:
            code = code or 1
        except (OSError, ValueError):  # not guarded (streams.guard says why it is quiet)
            pass
    _tell_output_problem()
    if streams.output_failed():
        code = code or 1
    os._exit(code)


def _tell_output_problem() -> None:
    """Standard output could not be written and nobody said so yet (a --help, or output
    still buffered when the command ended): one sentence on standard error."""
    if streams.untold():
        from bizdesk.faults import output_problem

        problem = output_problem()
        if problem is not None:
            try:
                sys.stderr.write(problem + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass


def _run() -> None:
    collector.hold()  # until the store is open (collector.settle)
    use_setting()  # the session's language until the store names the person's
    wanted, db = interface_db(sys.argv[1:])
    if wanted and not (os.isatty(0) and os.isatty(1)):  # cron, a script, ssh without -t
        _no_terminal()
    if wanted and db is None and os.environ.get("BIZDESK_DB") == "":
        wanted = False  # an empty $BIZDESK_DB: the command line says what is wrong
    settings = None
    if wanted:
        from bizdesk.config import load_settings, resolve_db, sqlite_path
        from bizdesk.screens.registry import check_keymap

        try:
            url = resolve_db(db)
            settings = load_settings()
            check_keymap(settings)  # a keymap bizdesk cannot apply: refused before the start
        except Exception:  # the command line turns it into a sentence
            url = None
        path = sqlite_path(url) if url is not None else None
        wanted = url is not None and current_gate() is None and (path is None or path.is_file())
    if not wanted:
        from bizdesk.cli import main as cli_main

        cli_main()
        return
    early = _home_early(path) if path is not None else None  # (before the interface)
    from bizdesk.app import run_app

    sys.exit(
        run_app(
            settings=settings,
            opener=lambda say: open_for_interface(db, say),
            # Home as this person last saw it, else as the store is now, read without the
            # database stack, while the store opens (SQLite only)
            kept=early,
        )
    )


def _home_early(path: Path) -> Callable[[], Glance | None]:
    """Home as this person last saw it on the store at ``path``, else as the store is now
    (services/overview/glance.kept, fresh.read: neither imports the database stack), read
    by a thread of its own started before the interface is imported: Python's sqlite3 lets
    go of the interpreter while it reads, so the store's queries run beside those imports
    (on a second core). The app asks for it once its first frame is up."""
    from bizdesk.services.overview import fresh
    from bizdesk.services.overview.glance import kept

    user, found = os_username(), []
    reader = threading.Thread(
        target=lambda: found.append(kept(path, user) or fresh.read(path, user)),
        name="home-early",
        daemon=True,
    )
    reader.start()

    def result() -> Glance | None:
        reader.join()
        return found[0] if found else None

    return result


def _no_terminal() -> NoReturn:
    """The interface asked for where there is no terminal to draw it on or to read keys
    from: said before anything else is imported or opened (the store is not touched), as a
    usage error (exit 2), never drawn as escape codes into a pipe or a file."""
    from bizdesk.faults import NO_TERMINAL

    sys.stderr.write(_(NO_TERMINAL) + "\n")
    sys.exit(2)


def open_for_interface(db: str | None, say=None):  # noqa: ANN001, ANN201
    """What the command line does before the interface, run by the app's opening worker:
    open (and upgrade) the store, set a fresh one up, refuse a user it does not know.
    A BizdeskError says what is wrong in a sentence (the app prints it as it ends).
    ``say`` shows the person why they wait (an upgrade), where "Opening the store…" is."""
    from bizdesk.db import open_store
    from bizdesk.services.admin.setup import ensure_initialized
    from bizdesk.services.admin.users import whoami

    store = open_store(db, create=False, say=say)
    if store.damaged is None:
        ensure_initialized(store)
    with store.read() as uow:
        whoami(uow)
    return store
