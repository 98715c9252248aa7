"""Under the shop's gate bizdesk runs as the shop's account, which can read and write what
its users must not (the store, its backups and their heads, its keys, its mail password).
So no file a user names is read or written for them; bizdesk's own backups still are.
(A sales user once read the account's authorized_keys with `campaigns add --body-file`,
and filled the backups folder with PDFs named like daily backups, which pushed the real
ones out.) Through the gate as it starts a command (``enter_gate``), without sshd:
tests/test_gate.py runs the real one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bizdesk.config import backups_dir
from bizdesk.identity import os_username
from tests.test_cli import bizdesk
from tests.test_dunning_cli import GATED

READ = "does not read files on the server"
WRITE = "does not write files on the server"


@pytest.fixture
def db(tmp_path, cli_template) -> str:  # noqa: ANN001
    from tests.conftest import copy_sqlite_store

    path = str(tmp_path / "shop.db")
    copy_sqlite_store(cli_template, path)
    return path


def gated(db: str, *words: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", GATED, f"sqlite:///{db}", os_username(), *words],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        cwd=Path(db).parent,
    )


def refused(r: subprocess.CompletedProcess, words: str) -> None:
    assert r.returncode == 1, r.stdout
    assert words in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_no_file_is_written_for_a_user_not_even_among_the_backups(db) -> None:  # noqa: ANN001
    made = gated(db, "backup")  # bizdesk's own: still made, with its heads
    assert made.returncode == 0, made.stderr
    folder = backups_dir(f"sqlite:///{db}")
    (backup,) = folder.glob("*-manual.db")
    heads = backup.with_name(backup.name + ".heads")
    before = heads.read_bytes()
    for target in (folder / "shop-20990101-daily.db", heads, folder / "x.csv"):
        refused(gated(db, "export", "contacts", "-o", str(target)), WRITE)
    assert heads.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted([backup.name, heads.name])
    # what a user asks for goes through the SSH link
    out = gated(db, "export", "contacts")
    assert out.returncode == 0 and out.stdout.startswith("id,"), out.stderr


def test_no_file_is_read_for_a_user_not_even_a_backup(db, tmp_path) -> None:  # noqa: ANN001
    assert gated(db, "backup").returncode == 0
    (heads,) = backups_dir(f"sqlite:///{db}").glob("*.heads")
    refused(gated(db, "import", "contacts", str(heads), "--dry-run"), READ)
    secret = tmp_path / "authorized_keys"
    secret.write_text("command=... ssh-ed25519 AAAA secret\n")
    r = gated(db, "campaigns", "add", "Leak", "--segment", "x", "--body-file", str(secret))
    refused(r, READ)
    assert "secret" not in r.stdout + r.stderr
    # piped in, as the gate says
    r = gated(db, "campaigns", "add", "Leak", "--body-file", "-", stdin="Hello")
    assert READ not in r.stderr


def test_locate_names_no_other_store_under_the_gate(db, tmp_path) -> None:  # noqa: ANN001
    r = gated(db, "locate", "--db", str(tmp_path / "other.db"))
    refused(r, "opens its own store only")
    assert "other.db" not in r.stdout


def test_a_message_file_is_read_no_further_than_its_limit(db) -> None:  # noqa: ANN001
    """--body-file /dev/zero read the whole file first: memory ran out on the server."""
    r = bizdesk("campaigns", "add", "Z", "--segment", "x", "--body-file", "/dev/zero", "--db", db)
    assert r.returncode == 1 and "The message is longer than" in r.stderr, r.stderr


# Every command that reads a file it is given, and how it says a file is too large.
NAMED_FILE_READERS = (
    (("budget", "import", "{f}"), "too large for a budget"),
    (("recurring", "add", "{f}"), "too large"),
    (("bom", "set", "BIKE", "{f}"), "too large"),
    (("bank", "import", "{f}", "--account", "1200"), "too large for a bank statement"),
)


@pytest.mark.parametrize(("words", "too_large"), NAMED_FILE_READERS)
def test_files_named_are_read_as_any_file_is(db, tmp_path, words, too_large) -> None:  # noqa: ANN001
    """One reader for every named file (cli.core.read_named): a device is read no further
    than the command's limit, a folder is called a folder (as by every command), a pipe
    (`<(...)`) is read (each said "no such file" for all three), and under the gate none
    is read."""

    def run(f: str) -> subprocess.CompletedProcess:
        return bizdesk(*(w.format(f=f) for w in words), "--db", db)

    r = run("/dev/zero")
    assert r.returncode == 1 and too_large in r.stderr, r.stderr
    assert "no such file" not in r.stderr
    r = run(str(tmp_path))
    assert r.returncode == 1 and "is a folder, not a file. Nothing was changed." in r.stderr
    r = run(str(tmp_path / "missing.csv"))
    assert r.returncode == 1 and "missing.csv: no such file" in r.stderr, r.stderr
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_bytes, args=(b"\xff not text\n",))
    writer.start()
    r = run(str(pipe))  # read, then refused for what it holds (not for being a pipe)
    writer.join()
    assert r.returncode in (1, 2) and "no such file" not in r.stderr, r.stderr
    refused(gated(db, *(w.format(f="/etc/hostname") for w in words)), READ)
