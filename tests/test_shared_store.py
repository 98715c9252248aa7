"""Shared stores: a shop folder owned by a Unix group (2770), files 0660, nobody else."""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys

import pytest

from bizdesk.db import open_store
from bizdesk.services.admin import checks
from bizdesk.services.admin.backup import backup_store
from bizdesk.services.crm import contacts as C


def mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.stat(path).st_mode)


def bizdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args], capture_output=True, text=True, timeout=120
    )


def my_group() -> str:
    """A group the test user belongs to (the primary one), so no root is needed."""
    return grp.getgrgid(os.getgid()).gr_name


def test_init_shared_group_makes_a_group_folder_and_group_files(tmp_path):
    folder = tmp_path / "shop"
    db = folder / "bizdesk.db"
    r = bizdesk("init", "--db", str(db), "--shared-group", my_group(), "--company", "Bikes")
    assert r.returncode == 0, r.stderr
    assert mode(folder) == 0o2770
    assert os.stat(folder).st_gid == os.getgid()
    assert mode(db) == 0o660
    s = open_store(str(db))  # the OS user who ran init: its owner
    with s.write() as uow:  # a connection is open: -wal and -shm exist meanwhile
        C.create(uow, C.ContactInput(name="x"))
        for suffix in ("-wal", "-shm"):
            extra = folder / f"bizdesk.db{suffix}"
            assert mode(extra) == 0o660
            assert os.stat(extra).st_gid == os.getgid()
    backup = backup_store(s)
    assert mode(backup.parent) == 0o2770 and mode(backup) == 0o660
    assert os.stat(backup).st_gid == os.getgid()
    assert not [v for v in checks.run_checks(s) if v.check == "store-permissions"]
    s.dispose()


def test_init_personal_store_is_private_with_its_backups(tmp_path):
    """The default store's folder is made by init, private (a --db's folder must exist)."""
    data = tmp_path / "data"
    db = data / "bizdesk" / "bizdesk.db"
    env = {k: v for k, v in os.environ.items() if k != "BIZDESK_DB"}
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", "init"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "XDG_DATA_HOME": str(data)},
    )
    assert r.returncode == 0, r.stderr
    assert mode(db.parent) == 0o700 and mode(db) == 0o600
    s = open_store(str(db))  # the OS user who ran init: its owner
    backup = backup_store(s)
    assert mode(backup.parent) == 0o700 and mode(backup) == 0o600
    s.dispose()


def test_unknown_group_is_refused_and_nothing_is_made(tmp_path):
    db = tmp_path / "shop" / "bizdesk.db"
    r = bizdesk("init", "--db", str(db), "--shared-group", "no-such-group-xyz")
    assert r.returncode == 1
    assert "no Unix group named 'no-such-group-xyz'" in r.stderr
    assert not db.parent.exists()


def test_folder_that_cannot_be_created_is_refused(tmp_path):
    db = tmp_path / "missing" / "shop" / "bizdesk.db"
    r = bizdesk("init", "--db", str(db), "--shared-group", my_group())
    assert r.returncode == 1 and "cannot create" in r.stderr
    assert not (tmp_path / "missing").exists()


def test_an_existing_private_folder_is_never_widened(tmp_path):
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)
    r = bizdesk("init", "--db", str(folder / "bizdesk.db"), "--shared-group", my_group())
    assert r.returncode == 1 and "not shared with group" in r.stderr
    assert mode(folder) == 0o700
    assert list(folder.iterdir()) == []


def test_check_warns_when_others_can_read_the_store(tmp_path):
    db = tmp_path / "shop.db"
    assert bizdesk("init", "--db", str(db)).returncode == 0
    assert "warning: store-permissions" not in bizdesk("check", "--db", str(db)).stdout
    os.chmod(db, 0o644)
    r = bizdesk("check", "--db", str(db))
    assert r.returncode == 0  # a warning, not a failed check
    assert "warning: store-permissions" in r.stdout and "chmod o-rwx" in r.stdout
    # the log and its index beside it, made by SQLite as open as the store: one warning
    # naming them all, and a command that closes them all
    wal = db.with_name("shop.db-wal")
    wal.touch()
    os.chmod(wal, 0o644)
    said = [ln for ln in bizdesk("check", "--db", str(db)).stdout.splitlines() if "o-rwx" in ln]
    assert len(said) == 1 and f"(chmod o-rwx {db} " in said[0] and f" {wal}" in said[0], said


def test_check_warns_about_a_backup_others_can_read(store, sqlite_only):
    copy = backup_store(store)
    assert not [v for v in checks.run_checks(store) if v.check == "store-permissions"]
    os.chmod(copy, 0o644)
    found = [v for v in checks.run_checks(store) if v.check == "store-permissions"]
    assert len(found) == 1 and str(copy) in found[0].message and found[0].severity == "warning"


def test_a_store_you_may_not_open_is_a_message_not_a_traceback(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may open every file")
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o000)
    try:
        done = bizdesk("check", "--db", str(folder / "sub" / "bizdesk.db"))
    finally:
        folder.chmod(0o700)
    assert done.returncode == 1
    assert "permission denied" in done.stderr and "Traceback" not in done.stderr
