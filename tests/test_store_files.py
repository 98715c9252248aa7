"""What lies at a store's path when it is not a sound store: an empty file, a device, a
named pipe, a folder. Through the real command line, on real files: each is refused with one
sentence before anything connects to it, and nothing there is changed."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bizdesk.errors import StoreError
from tests.test_cli import bizdesk as run
from tests.test_faults import CONTACTS, bizdesk, init, interface_on, refused

pytestmark = pytest.mark.usefixtures("sqlite_only")

TICKET = '{"contact": "#1", "subject": "t"}'


def test_an_empty_store_file_is_refused_and_never_written(tmp_path):
    db = tmp_path / "shop.db"
    init(db)
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS).returncode == 0
    r = bizdesk("backup", "--db", str(db))
    assert r.returncode == 0, r.stderr
    backup = Path(r.stdout.strip().removeprefix("Backup written to "))
    os.truncate(db, 0)
    for side in tmp_path.glob("shop.db-*"):
        side.unlink()
    restore = f"bizdesk restore {backup} --db {db}"
    for args, stdin in (
        (("report", "profit-loss"), None),
        (("check",), None),
        (("check",), None),  # (the second was told "All checks passed", on a new empty shop)
        (("import", "contacts", "-"), CONTACTS),
        (("new", "ticket", "-"), TICKET),
        (("backup",), None),
    ):
        err = refused(bizdesk(*args, "--db", str(db), stdin=stdin), "empty file", restore)
        assert "unexpected" not in err
        assert db.stat().st_size == 0, args  # not even SQLite's header was written
        assert not list(tmp_path.glob("shop.db-*")), args
    # the interface without a terminal: refused as that (bad usage) before the store is read
    r = bizdesk("--db", str(db))
    assert r.returncode == 2 and "needs a terminal" in r.stderr, r.stderr
    assert db.stat().st_size == 0 and not list(tmp_path.glob("shop.db-*"))
    # the interface's own opening (its worker) says the same
    from bizdesk.start import open_for_interface

    with pytest.raises(StoreError, match="empty file"):
        open_for_interface(str(db))
    assert db.stat().st_size == 0
    # the restore command it names puts the shop back
    r = bizdesk(*restore.split()[1:])
    assert r.returncode == 0, r.stderr
    r = bizdesk("export", "contacts", "--format", "json", "--db", str(db))
    assert r.returncode == 0 and "Ann Buyer" in r.stdout, r.stderr


def test_an_empty_file_without_backups_names_init_which_makes_a_shop_in_it(tmp_path):
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    for args in (("report", "trial-balance"), ("import", "contacts", "-")):
        refused(
            bizdesk(*args, "--db", str(db), stdin=CONTACTS),
            "empty file",
            f"bizdesk init --db {db}",
        )
        assert db.stat().st_size == 0
    init(db)  # asked to, init makes the shop in that very file
    assert bizdesk("check", "--db", str(db)).returncode == 0
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS).returncode == 0


def _odd(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "odd" / f"{kind}.db"
    path.parent.mkdir()
    if kind == "device":  # a node like /dev/null (char 1,3), made where it can do no harm
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_a_store_path_that_is_not_a_regular_file_is_refused_untouched(tmp_path, kind):
    good = tmp_path / "good.db"
    init(good)
    r = bizdesk("backup", "--db", str(good))
    assert r.returncode == 0, r.stderr
    backup = r.stdout.strip().removeprefix("Backup written to ")
    path = _odd(tmp_path, kind)
    before = os.stat(path)
    said = "is a folder, not a file" if kind == "folder" else "is not a regular file"
    for args, stdin in (
        (("check",), None),
        (("report", "trial-balance"), None),
        (("import", "contacts", "-"), CONTACTS),
        (("init",), None),
        (("demo",), None),
        (("backup",), None),
        (("restore", backup), None),
        ((), None),  # the interface, without a terminal: refused as that (exit 2)
    ):
        # (a named pipe hung every command: the timeout makes that a failure)
        r = bizdesk(*args, "--db", str(path), stdin=stdin, timeout=60)
        if args:
            refused(r, str(path), said)
        else:
            assert r.returncode == 2 and "needs a terminal" in r.stderr, r.stderr
        after = os.stat(path)  # the very same node, never renamed nor replaced
        assert (after.st_ino, after.st_mode, after.st_rdev) == (
            before.st_ino,
            before.st_mode,
            before.st_rdev,
        ), args
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name], args


MANY = "name,email,notes\n" + "".join(f"P{i},p{i}@example.com,{'x' * 200}\n" for i in range(20_000))


def _contacts_store(db: Path) -> bytes:
    """A store with 20,000 contacts, its log folded in: its bytes."""
    init(db)
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=MANY).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db.read_bytes()


def _scribble(db: Path, at: int) -> None:
    """2 KB of noise in the middle of the file (the header intact), as dd would write it."""
    with open(db, "r+b") as fh:
        fh.seek(at)
        fh.write(random.Random(7).randbytes(2048))


def _state(db: Path) -> list[bytes]:
    """The store's bytes and its log's (none, or an empty one: nothing logged)."""
    wal = db.with_name(db.name + "-wal")
    return [db.read_bytes(), wal.read_bytes() if wal.exists() else b""]


def test_a_store_check_found_damaged_is_not_written_by_any_command(tmp_path):
    db = tmp_path / "shop.db"
    sound = _contacts_store(db)
    _scribble(db, len(sound) * 6 // 10)
    refused(bizdesk("check", "--db", str(db)), "is damaged", "bizdesk will not write to it")
    before = _state(db)
    for args, stdin in (
        (("import", "contacts", "-"), "name,email\nLate,late@example.com\n"),
        (("new", "ticket", "-"), TICKET),
        (("users", "add", "ben", "--role", "sales"), None),
    ):
        refused(bizdesk(*args, "--db", str(db), stdin=stdin), "is damaged")
        assert _state(db) == before, args  # not a byte written, nor into the log
    # the same bytes put back by hand (the same file): still only read, until check has
    # looked at every page again
    db.write_bytes(sound)
    refused(bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS), "is damaged")
    r = bizdesk("check", "--db", str(db))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "every page is sound now" in r.stdout
    r = bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS)
    assert r.returncode == 0, r.stderr


def test_damage_met_by_a_read_stops_every_later_write(tmp_path):
    from bizdesk.db import open_store

    db = tmp_path / "shop.db"
    sound = _contacts_store(db)
    r = bizdesk("backup", "--db", str(db))
    assert r.returncode == 0, r.stderr
    backup = r.stdout.strip().removeprefix("Backup written to ")
    _scribble(db, len(sound) * 6 // 10)
    store = open_store(str(db), create=False)
    try:
        with pytest.raises(StoreError, match="is damaged"), store.read() as uow:
            # every row the import wrote: its contacts, and their audit events (which hold
            # each contact's values, so the noise may fall on either)
            uow.session.execute(
                text(
                    "SELECT max(length(notes)) FROM contact "
                    "UNION ALL SELECT max(length(after)) FROM audit_event"
                )
            ).all()
        with pytest.raises(StoreError, match="is damaged"), store.write():
            pass
    finally:
        store.dispose()
    before = _state(db)
    # another process, whose write would not read the damaged pages
    refused(bizdesk("new", "ticket", "-", "--db", str(db), stdin=TICKET), "is damaged")
    assert _state(db) == before
    # the restore it names puts a sound file in its place: written again
    r = bizdesk("restore", backup, "--db", str(db))
    assert r.returncode == 0, r.stderr
    r = bizdesk("new", "ticket", "-", "--db", str(db), stdin=TICKET)
    assert r.returncode == 0, r.stderr


def test_a_line_break_in_a_store_path_is_shown_as_a_code_and_kept_out_of_backup_names(tmp_path):
    db = tmp_path / "new\nline.db"
    shown = str(tmp_path / "new<U+000A>line.db")
    r = bizdesk("init", "--db", str(db))
    assert r.returncode == 0, r.stderr
    said = r.stdout.splitlines()[0]  # (then what to set up next, a sentence a line)
    assert said.startswith("Set up ") and shown in said  # one sentence, one line
    r = bizdesk("backup", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1, r.stdout
    backups = list((tmp_path / "backups").iterdir())
    assert backups and not [p.name for p in backups if "\n" in p.name or "\t" in p.name]
    assert [p.name for p in backups if p.name.startswith("new_line-")]
    # a fault names the store in one line too, and finds that backup for it
    os.truncate(db, 0)
    err = refused(bizdesk("report", "trial-balance", "--db", str(db)), shown, "new_line-")
    assert err.count("\n") == 1, err


def test_a_file_that_is_not_a_store_gets_no_damage_mark_beside_it(tmp_path):
    """--db naming some other file (not SQLite at all): refused as damaged, and nothing is
    written beside it (the mark is for damage its header does not show)."""
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 20)
    refused(bizdesk("check", "--db", str(notes)), "is damaged")
    refused(bizdesk("report", "trial-balance", "--db", str(notes)), "is damaged")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_store_is_never_made_in_a_folder_that_does_not_exist(tmp_path):
    """`demo --db /tmp/a/b/c/typo.db` and `init --db …` made the missing folders (0755) and a
    shop in them, where nobody would look: a --db or $BIZDESK_DB in a folder that does not
    exist is refused naming it, as every other command refuses it; the default store's
    folder (platformdirs' data folder) is still made."""
    missing = tmp_path / "a" / "b" / "c"
    db = missing / "typo.db"
    backup = tmp_path / "shop.db"
    init(backup)
    mkdir = f"create the folder first: mkdir -p {missing}"
    for args, env in (
        (("demo", "--db", str(db)), None),
        (("init", "--db", str(db), "--company", "Typo"), None),
        (("init",), {"BIZDESK_DB": str(db)}),
        (("demo",), {"BIZDESK_DB": str(db)}),
        (("restore", str(backup), "--db", str(db)), None),
    ):
        err = refused(run(*args, env=env), f"The folder {missing} does not exist", mkdir)
        assert "nothing was changed" in err, args
        assert not (tmp_path / "a").exists(), args
    # the default store: its folder is made, private, as before
    data = tmp_path / "home" / "data"
    env = {k: v for k, v in os.environ.items() if k != "BIZDESK_DB"}
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", "demo"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**env, "XDG_DATA_HOME": str(data)},
    )
    assert r.returncode == 0, r.stderr
    assert (data / "bizdesk" / "bizdesk.db").is_file()
    assert stat.S_IMODE((data / "bizdesk").stat().st_mode) == 0o700


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", ["empty", "not a database", "blank SQLite", "foreign tables"])
def test_nothing_is_made_beside_a_file_that_is_refused(tmp_path, kind):
    """A file bizdesk refuses as a store gets nothing beside it and is not changed: init
    asked for an unknown currency made the shop's tables in an empty file and left its -wal,
    -shm and writers' line (-turns) beside it; an SQLite file that is not a store was turned
    to write-ahead logging, with its -wal and -shm left there, before it was refused."""
    db = tmp_path / "shop.db"
    if kind == "empty":
        db.write_bytes(b"")
    elif kind == "not a database":
        db.write_text("shopping list\n" * 50)
    else:
        conn = sqlite3.connect(db)
        if kind == "foreign tables":
            conn.execute("CREATE TABLE notes (body TEXT)")
        else:
            conn.execute("PRAGMA user_version = 1")  # a database file holding nothing
        conn.commit()
        conn.close()
    before = _files(tmp_path)
    for args, stdin in (
        (("init", "--currency", "QQQ"), None),
        (("init", "--locale", "zz_ZZ"), None),
        (("report", "trial-balance"), None),
        (("check",), None),
        (("import", "contacts", "-"), CONTACTS),
        (("new", "ticket", "-"), TICKET),
        (("users", "list"), None),
        (("demo",), None),
    ):
        r = bizdesk(*args, "--db", str(db), stdin=stdin)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (args, r.stderr)
        assert _files(tmp_path) == before, args
    code, drawn = interface_on(db)
    assert code == 1 and b"Traceback" not in drawn, drawn[-500:]
    assert _files(tmp_path) == before
