"""The enforced shared set-up: one shop account that staff reach only through bizdesk.

The store belongs to a system account of its own (``bikeshop``), 0600 in a 0700 home; no
member of staff can read it, its ``-wal``/``-shm``, its backups or anyone's drafts. Each
person logs in to that account with their own SSH key, and the key's line in the account's
``authorized_keys`` (written by ``bizdesk users add NAME --role R --key -``) forces one
command: ``bizdesk gate serve --db STORE --user NAME``. That is the gitolite / gitlab-shell
pattern: identity comes from the key, never from anything the person sends; what they ask
to run arrives as ``$SSH_ORIGINAL_COMMAND`` and is only ever read as bizdesk's arguments.

Here:

- the environment is rebuilt (only the terminal's and the language's variables are kept;
  drafts, logs and settings go to a folder of that person's inside the account);
- the command is split as a shell would, without running one; ``init``, ``demo``,
  ``migrate-to`` and ``gate`` are refused (only the server's administrator makes or moves a
  store), so is any other store (``--db``), and files are neither written nor read on the
  server except the shop's own backups (``bizdesk.files.may_write``/``may_read``);
- with no command the interface starts on the pty sshd gave.

``bizdesk gate init`` is the administrator's one step that makes the store and lets its
owner's key in (run as the shop account, e.g. ``runuser -u bikeshop -- bizdesk gate init
…``).
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from bizdesk.config import resolve_db, sqlite_path
from bizdesk.errors import BizdeskError
from bizdesk.formatting import visible
from bizdesk.i18n import N_, _
from bizdesk.identity import Gate, enter_gate
from bizdesk.reading import quoted

REFUSED = {
    "init": N_("the store exists already; a new one is made by the server's administrator"),
    "demo": N_("a sample shop is not made in a shop's own store"),
    "migrate-to": N_("moving the store is the server's administrator's work"),
    "gate": N_("you are inside the gate already"),
}
_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,63}$", re.IGNORECASE)
KEEP = ("TERM", "LANG", "LANGUAGE", "COLORTERM", "NO_COLOR", "TZ")
PROGRAM = (sys.executable, "-I", "-m", "bizdesk")


def _say(message: str, code: int = 1) -> int:
    print(visible(message), file=sys.stderr)
    return code


def _account_home() -> Path:
    return Path(pwd.getpwuid(os.geteuid()).pw_dir)


def _keys_file() -> Path:
    return _account_home() / ".ssh" / "authorized_keys"


def _clean_environment(user: str) -> None:
    """Only what sshd passes for the terminal and the language; the rest is the account's."""
    entry = pwd.getpwuid(os.geteuid())
    kept = {k: v for k, v in os.environ.items() if k in KEEP or k.startswith("LC_")}
    own = Path(entry.pw_dir) / "people" / user
    for sub in ("state", "config", "data"):
        (own / sub).mkdir(parents=True, mode=0o700, exist_ok=True)
    os.environ.clear()
    os.environ.update(
        kept,
        HOME=entry.pw_dir,
        USER=entry.pw_name,
        LOGNAME=entry.pw_name,
        PATH="/usr/bin:/bin",
        XDG_STATE_HOME=str(own / "state"),
        XDG_CONFIG_HOME=str(own / "config"),
        XDG_DATA_HOME=str(own / "data"),
    )
    os.chdir(own)


def _requested() -> list[str] | str:
    """The bizdesk arguments asked for over SSH, or a sentence saying why not."""
    raw = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    try:
        words = shlex.split(raw)
    except ValueError as exc:
        return _("Could not read the command {command} ({error}). Nothing was run.").format(
            command=quoted(raw, 200), error=exc
        )
    if words and os.path.basename(words[0]) == "bizdesk":
        words = words[1:]
    if not words:
        return []
    first = words[0]
    if first.startswith("-") and first not in ("--help", "-h"):
        return _(
            "{option}: options go after the command here (this account opens its shop's "
            "store only). For example: bizdesk report trial-balance --format json"
        ).format(option=first)
    if first in REFUSED:
        return _("bizdesk {command} is not available through the shop's account: {why}.").format(
            command=first, why=_(REFUSED[first])
        )
    return words


def serve(argv: list[str], run: Callable[..., object]) -> int:
    """The forced command of every staff key (see the module's text); ``run`` is the
    command line's Typer app (passed in: the command line is what calls the gate)."""
    parser = argparse.ArgumentParser(prog="bizdesk gate serve")
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args(argv)
    if not _NAME.match(args.user):
        return _say(
            _("{name} is not a user name; the key's line is wrong (ask the owner)").format(
                name=quoted(args.user, 60)
            )
        )
    if os.geteuid() == 0:
        return _say(_("bizdesk gate runs as a shop's own account, never as root."))
    url = resolve_db(args.db)
    words = _requested()
    if isinstance(words, str):
        return _say(words)
    _clean_environment(args.user)
    enter_gate(Gate(user=args.user, url=url, keys_file=_keys_file(), program=PROGRAM))
    try:
        run(args=["--db", url, *words], prog_name="bizdesk")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def init(argv: list[str]) -> int:
    """Make the shop's store in the shop account's home and let its owner's key in."""
    parser = argparse.ArgumentParser(
        prog="bizdesk gate init",
        description=_("Run as the shop's account: runuser -u ACCOUNT -- bizdesk gate init …"),
    )
    parser.add_argument("--db", required=True, help=_("the store's path, e.g. ~ACCOUNT/shop.db"))
    parser.add_argument("--owner", required=True, help=_("the owner's name in bizdesk"))
    parser.add_argument("--key", required=True, help=_("the owner's SSH public key file"))
    parser.add_argument("--company", default="My Shop")
    parser.add_argument("--currency", default="EUR")
    parser.add_argument("--locale", default="en_US")
    args = parser.parse_args(argv)
    if os.geteuid() == 0:
        return _say(
            _(
                "Run this as the shop's account, not as root, so that the store is the "
                "account's: runuser -u ACCOUNT -- bizdesk gate init …"
            )
        )
    if not _NAME.match(args.owner):
        return _say(
            _("--owner: {name} is not a user name (letters, digits, . _ -)").format(
                name=quoted(args.owner, 60)
            )
        )
    # the store and the services (the database stack) only for this command
    from bizdesk.db import create_store
    from bizdesk.services.admin import setup, ssh_keys

    url = resolve_db(args.db)
    path = sqlite_path(url)
    if path is None or not path.is_absolute():
        return _say(_("--db: the store of a gated shop is a file in the shop account's home"))
    try:
        key = Path(args.key).read_text(encoding="utf-8")
        ssh_keys.read_public_key(key)
        os.chmod(_account_home(), 0o700)

        def set_up(new) -> None:  # noqa: ANN001
            with new.write() as uow:
                setup.initialize(
                    uow, company=args.company, currency=args.currency, locale=args.locale
                )

        store = create_store(url, user=args.owner, fill=set_up)
        store.dispose()
        ssh_keys.register(_keys_file(), PROGRAM, url, args.owner, key)
    except BizdeskError as exc:
        return _say(str(exc))
    except OSError as exc:
        return _say(
            _("{file}: {error}. Nothing was made.").format(
                file=exc.filename or "", error=exc.strerror
            )
        )
    print(
        _(
            "Set up {company} in {path}; {owner} is its owner and logs in with "
            "ssh {account}@THIS-SERVER"
        ).format(
            company=args.company,
            path=path,
            owner=args.owner,
            account=pwd.getpwuid(os.geteuid()).pw_name,
        )
    )
    return 0


def main(argv: list[str], run: Callable[..., object]) -> int:
    what = argv[0] if argv else ""
    if what == "serve":
        return serve(argv[1:], run)
    if what == "init":
        return init(argv[1:])
    return _say(_("usage: bizdesk gate init … | bizdesk gate serve --db STORE --user NAME"), 2)
