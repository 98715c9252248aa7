"""The command line (DESIGN section 7). Every command takes --db; BIZDESK_DB works for all.

Exit codes: 0 ok, 1 a user error or a failed check (message on stderr), 2 bad usage.

Each group of commands lives in a module of its own (``group.COMMANDS`` says which), loaded
only when one of its commands is named; ``core`` holds what they share.
"""

from __future__ import annotations

import os
import sys

import typer

from bizdesk.cli.core import DbOpt, fail, open_store, store_url
from bizdesk.cli.group import CommandLine
from bizdesk.i18n import _, use_setting

app = typer.Typer(
    cls=CommandLine,
    add_completion=False,
    no_args_is_help=False,
    help=_("bizdesk: run a small shop from one terminal."),
)


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, db: DbOpt = None) -> None:
    """With no command: open the terminal interface (creating or upgrading the store)."""
    if ctx.invoked_subcommand is not None:
        if db is not None:
            ctx.obj = db
        return
    if not (os.isatty(0) and os.isatty(1)):  # cron, a script, ssh without -t: said first,
        from bizdesk.faults import NO_TERMINAL

        fail(_(NO_TERMINAL), 2)  # before the store is touched (as bizdesk.start does)
    from bizdesk.config import sqlite_path

    path = sqlite_path(store_url(ctx, db))
    if path is not None and not path.exists():
        _offer_new_store(db, path)
    store = open_store(ctx, db)  # (what is wrong with the store is said first)
    from bizdesk.app import run_app

    code = run_app(store)
    if code:
        raise typer.Exit(code)


def _offer_new_store(db: str | None, path) -> None:  # noqa: ANN001
    """The TUI on a store that does not exist: ask (in the terminal, before the interface
    starts; main_callback refused already where there is none) whether to create it."""
    from bizdesk.db import create_store
    from bizdesk.services.admin.setup import ensure_initialized

    answer = typer.prompt(
        _("There is no store at {path}. Create a new, empty one there? [y/N]").format(path=path),
        default="n",
        show_default=False,
    )
    if answer.strip().lower() not in ("y", "yes", _("y"), _("yes")):
        fail(_("No store was created. To open another one: bizdesk --db PATH"), 1)
    create_store(db, fill=ensure_initialized, new_folder=True)  # (asked)


def main() -> None:
    use_setting()  # the session's language until a store names the person's
    if sys.argv[1:2] == ["gate"]:  # the enforced shared set-up (bizdesk/gate.py)
        from bizdesk.gate import main as gate_main  # not loaded for any other command

        sys.exit(gate_main(sys.argv[2:], app))
    app()
