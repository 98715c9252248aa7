"""Backups: one automatic backup a day (14 kept), backup and restore while others write,
and a damaged file is never restored."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from bizdesk.config import backups_dir, sqlite_path
from bizdesk.errors import StoreError
from bizdesk.services.admin import backup as B
from bizdesk.services.crm import contacts as C
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)

# backups are SQLite files (PostgreSQL stores are backed up with pg_dump)
pytestmark = pytest.mark.usefixtures("sqlite_only")


def contact_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0]


def test_daily_backup_once_a_day_and_fourteen_kept(store):
    folder = backups_dir(store.url)
    manual = B.backup_store(store)  # a manual one is never pruned
    start = date(2026, 1, 1)
    made = [B.daily_backup(store, today=start + timedelta(days=i)) for i in range(20)]
    assert all(p is not None for p in made)
    assert B.daily_backup(store, today=start + timedelta(days=19)) is None  # same day again
    daily = sorted(folder.glob("*-daily.db"))
    assert [p.name for p in daily] == [p.name for p in made[-14:]]
    assert manual.exists()
    assert not list(folder.glob(".*partial"))
    B.verify_backup(daily[-1])
    # files named like later daily backups (not stores, or dated ahead) push none out: they
    # once took every real one, the one just made too
    stem = made[0].name.split("-20")[0]
    fakes = [folder / f"{stem}-209901{n:02d}-daily.db" for n in range(1, 15)]
    for fake in fakes:
        fake.write_bytes(b"%PDF-1.4 not a store")
    ahead = folder / f"{stem}-20990201-daily.db"
    shutil.copyfile(daily[0], ahead)  # a store, but dated ahead
    later = B.daily_backup(store, today=start + timedelta(days=20))
    kept = sorted(set(folder.glob("*-daily.db")) - {*fakes, ahead})
    assert later in kept and [p.name for p in kept] == [p.name for p in [*made[-13:], later]]
    assert all(f.exists() for f in fakes) and ahead.exists()


def test_daily_backup_keeps_the_store_folder_access(store):
    path = B.daily_backup(store, today=date(2026, 3, 1))
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700


WRITER = textwrap.dedent(
    """
    import sys
    from bizdesk.db import open_store
    from bizdesk.services.crm import contacts as C
    s = open_store(sys.argv[1], user="tester")
    print("ready", flush=True)
    n = 0
    while sys.stdin.readline().strip() != "stop":
        with s.write() as uow:
            C.create(uow, C.ContactInput(name=f"writer {n}"))
        n += 1
        print(n, flush=True)
    """
)


@pytest.fixture
def writer(store):  # noqa: ANN001
    """Another process holding the store open and writing on request."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(sqlite_path(store.url))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"

    def write() -> int:
        proc.stdin.write("go\n")
        proc.stdin.flush()
        return int(proc.stdout.readline())

    yield write
    proc.stdin.write("stop\n")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0


def test_backup_and_restore_while_another_process_writes(store, writer, tmp_path):
    db = sqlite_path(store.url)
    for _ in range(5):
        writer()
    copy = B.backup_store(store, tmp_path / "copy.db")
    assert contact_count(copy) == 5
    writer()  # the other process keeps writing after the backup
    assert contact_count(db) == 6
    B.restore_store(store, copy)
    assert contact_count(db) == 5
    assert writer() == 7  # and after the restore; its writes land in the restored store
    assert contact_count(db) == 6
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_holds_the_write_lock_from_its_safety_copy_to_the_new_content(
    store, tmp_path, monkeypatch
):
    """A writer that commits while restore runs is in its safety copy or in the restored
    store, never in neither: restore takes the store's write lock before the safety copy
    and keeps it until the new content is in. Writers try right before and right after the
    safety copy, from another thread, without waiting (SQLite's timeout 0): each either
    commits (then it must be kept) or finds the lock taken."""
    db = sqlite_path(store.url)
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="before the backup"))
    good = B.backup_store(store, tmp_path / "good.db")
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="after the backup"))
    committed: list[str] = []

    def write(key: str) -> None:
        conn = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO setting (key, value) VALUES (?, 'x')", (key,))
            conn.execute("COMMIT")
            committed.append(key)
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
        finally:
            conn.close()

    def another_writer(key: str) -> None:
        t = threading.Thread(target=write, args=(key,))
        t.start()
        t.join()

    real_copy = B.copy_store

    def safety_copy_between_writers(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        another_writer("probe-before-safety-copy")
        made = real_copy(*args, **kw)
        another_writer("probe-after-safety-copy")
        return made

    monkeypatch.setattr(B, "copy_store", safety_copy_between_writers)
    done = B.restore_store(store, good)

    def keys(path: Path) -> set[str]:
        with sqlite3.connect(path) as conn:
            return {r[0] for r in conn.execute("SELECT key FROM setting")}

    kept = keys(done.safety) | keys(db)
    assert [k for k in committed if k not in kept] == []  # nothing acknowledged was lost
    assert committed == []  # the lock was held all along: both were kept waiting
    assert contact_count(db) == 1
    assert contact_count(done.safety) == 2  # the previous content, whole


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_restore_refuses_a_damaged_file_and_changes_nothing(store, tmp_path, damage):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="keep me"))
    good = B.backup_store(store, tmp_path / "good.db")
    bad = tmp_path / f"{damage}.db"
    data = good.read_bytes()
    bad.write_bytes(
        {"truncated": data[: len(data) // 3], "garbage": os.urandom(len(data)), "empty": b""}[
            damage
        ]
    )
    db = sqlite_path(store.url)
    before = _digest(db)
    folder = backups_dir(store.url)
    backups_before = sorted(folder.glob("*")) if folder.exists() else []
    with pytest.raises(StoreError):
        B.restore_store(store, bad)
    assert _digest(db) == before
    assert (sorted(folder.glob("*")) if folder.exists() else []) == backups_before
    assert contact_count(db) == 1


def _cut_short(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_damaged_store_is_never_copied_and_the_good_backups_stay(store):
    folder = backups_dir(store.url)
    start = date(2026, 2, 1)
    good = [B.daily_backup(store, today=start + timedelta(days=i)) for i in range(B.KEEP_DAILY)]
    db = sqlite_path(store.url)
    store.dispose()
    with open(db, "r+b") as fh:  # pages overwritten, the header intact
        fh.seek(4096 * 2)
        fh.write(b"\xa5" * 4096 * 30)
    with pytest.raises(StoreError, match="damaged"):
        B.daily_backup(store, today=start + timedelta(days=30))
    assert sorted(folder.glob("*-daily.db")) == good  # none pruned, none added
    assert store.damaged is not None
    with pytest.raises(StoreError, match="damaged"), store.write():
        pass
    with pytest.raises(StoreError, match="damaged"):
        B.backup_store(store)
    assert not list(folder.glob(".*partial"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_restore_replaces_a_damaged_store_without_opening_it(store, tmp_path, damage):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="keep me"))
    good = B.backup_store(store, tmp_path / "good.db")
    db = sqlite_path(store.url)
    store.dispose()
    data = db.read_bytes()
    db.write_bytes(
        {"truncated": data[: len(data) // 3], "garbage": os.urandom(len(data)), "empty": b""}[
            damage
        ]
    )
    done = B.restore_store(store.url, good)
    assert done.aside is not None and done.aside.read_bytes() != data
    assert contact_count(db) == 1
    assert B.file_problem(db) is None


def test_every_backup_is_verified_and_check_flags_a_bad_one(store):
    from bizdesk.services.admin.checks import run_checks

    made = B.backup_store(store)
    assert B.file_problem(made) is None
    _cut_short(made)
    found = [v for v in run_checks(store) if v.check == "backups"]
    assert len(found) == 1 and str(made) in found[0].message


async def test_a_role_that_may_not_back_up_is_not_told_the_daily_backup_failed(store) -> None:  # noqa: ANN001
    """Sales and viewers were shown "Today's backup failed: backing up … is not allowed for
    your role" on every start: the daily backup is an owner's, made at an owner's start."""
    from bizdesk.app import BizdeskApp
    from bizdesk.db import Store
    from bizdesk.services.admin import users
    from tests.tui_helpers import SIZE, settle

    with store.write() as uow:
        users.add(uow, "sam", "sales")
    sam = Store(url=store.url, engine=store.engine, user="sam")
    app = BizdeskApp(sam, backup=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.5)
        await settle(pilot, app)
        said = [str(n.message) for n in app._notifications]  # noqa: SLF001
    assert not any("backup" in m.lower() for m in said), said


def test_copies_named_here_in_the_same_second_each_get_a_name_of_their_own(store) -> None:  # noqa: ANN001
    """Two restores in one second: the second's safety copy was refused as "already
    exists; choose another name", a name the person never chose."""
    from bizdesk.db.copies import copy_store

    made = [copy_store(store, reason="before-restore") for _ in range(3)]
    assert len(set(made)) == 3 and all(p.exists() for p in made)
    assert all(p.name.endswith("-before-restore.db") for p in made)


def test_a_backup_into_a_folder_that_is_not_there_names_the_folder(store, tmp_path) -> None:  # noqa: ANN001
    """`backup nodir/b.db` said the store could not be opened (its folder not writable)."""
    from bizdesk.db.copies import copy_store

    for dest, said in (
        (tmp_path / "nodir" / "b.db", f"the folder {tmp_path / 'nodir'} does not exist"),
        (Path(sqlite_path(store.url)) / "b.db", "is not a folder; name a file in one"),
    ):
        with pytest.raises(StoreError) as refused:
            copy_store(store, dest)
        assert said in str(refused.value) and "nothing was written" in str(refused.value)
        assert "Cannot open the store" not in str(refused.value)


def test_a_backup_is_private_from_its_first_byte(store, tmp_path, monkeypatch):
    """The temporary file a backup is written into has the finished file's access (0600
    here) before anything is written into it, whatever the umask: a kill mid-copy leaves
    nothing others can read."""
    from bizdesk.db import copies

    seen: list[int] = []
    real_copy = copies.copy_file

    def copy_and_look(src: Path, dest: Path) -> None:
        real_copy(src, dest)
        seen.append(os.stat(dest).st_mode & 0o777)  # as it is while being written

    monkeypatch.setattr(copies, "copy_file", copy_and_look)
    old = os.umask(0o022)
    try:
        (tmp_path / "out").mkdir()
        os.chmod(tmp_path / "out", 0o755)
        made = B.backup_store(store, tmp_path / "out" / "b.db")
        daily = B.daily_backup(store, today=date(2026, 3, 2))
    finally:
        os.umask(old)
    assert seen == [0o600, 0o600]
    assert os.stat(made).st_mode & 0o777 == 0o600
    assert os.stat(daily).st_mode & 0o777 == 0o600


def _company(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT value FROM setting WHERE key = 'company'").fetchone()[0]


def test_restore_refuses_a_backup_of_another_shop_unless_told(tmp_path, db):
    """`restore vi.db` put a Vietnamese VND shop in place of an English EUR one, exit 0: a
    backup of another shop is refused naming both; --other-shop says it is meant."""
    ours = Path(db)  # Test Cycles, EUR
    theirs = tmp_path / "theirs.db"
    made = bizdesk(
        "init", "--db", str(theirs), "--company", "Phong Vũ", "--currency", "VND",
        "--locale", "vi_VN",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    theirs = theirs.rename(tmp_path / "their\tshop.db")  # a tab is shown as its code
    r = bizdesk("restore", str(theirs), "--db", str(ours))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    said = " ".join(r.stderr.split())
    shown = str(theirs).replace("\t", "<U+0009>")
    assert f"{shown} is a backup of another shop, Phong Vũ (VND), not of Test Cycles (EUR)" in (
        said
    ), said
    assert "Nothing was changed" in said and "--other-shop" in said
    assert _company(ours) == "Test Cycles"
    assert not list(backups_dir("sqlite:///" + str(ours)).glob("*before-restore*"))
    # said so: restored, the old shop kept in the safety copy
    r = bizdesk("restore", str(theirs), "--db", str(ours), "--other-shop")
    assert r.returncode == 0, r.stderr
    assert _company(ours) == "Phong Vũ"
    (safety,) = backups_dir("sqlite:///" + str(ours)).glob("*before-restore.db")
    assert _company(safety) == "Test Cycles"


def test_restore_of_the_same_shop_is_unchanged(tmp_path, db):
    """The same store renamed since, and a store made anew for the same shop (same name and
    currency), take its backups back without being asked; so does an unreadable store."""
    ours = Path(db)
    old = tmp_path / "old.db"
    assert bizdesk("backup", str(old), "--db", db).returncode == 0
    with sqlite3.connect(ours) as conn:  # renamed since the backup
        conn.execute("UPDATE setting SET value = 'Test Cycles & Sons' WHERE key = 'company'")
    r = bizdesk("restore", str(old), "--db", db)
    assert r.returncode == 0, r.stderr
    assert _company(ours) == "Test Cycles"
    anew = tmp_path / "anew.db"
    made = bizdesk("init", "--db", str(anew), "--company", "Test  cycles", "--currency", "eur")
    assert made.returncode == 0, made.stderr
    r = bizdesk("restore", str(old), "--db", str(anew))
    assert r.returncode == 0, r.stderr
    # an unreadable store is restored (and kept aside), whichever shop it held
    other = tmp_path / "other.db"
    made = bizdesk("init", "--db", str(other), "--company", "Other", "--currency", "USD")
    assert made.returncode == 0, made.stderr
    other.write_bytes(os.urandom(other.stat().st_size))
    r = bizdesk("restore", str(old), "--db", str(other))
    assert r.returncode == 0, r.stderr
    assert _company(other) == "Test Cycles"


def test_backup_into_a_folder(tmp_path, db):
    """`backup DIR` said "DIR already exists; choose another name", and `backup NEW/` wrote
    a file named NEW: a folder that exists gets a backup inside it, named as the backups
    folder's are; a name ending in a slash is a folder, refused when it does not exist."""
    folder = tmp_path / "kept"
    folder.mkdir()
    for given in (str(folder), str(folder) + "/"):
        r = bizdesk("backup", given, "--db", db)
        assert r.returncode == 0, r.stderr
        made = Path(r.stdout.strip().removeprefix("Backup written to "))
        assert made.parent == folder and made.name.startswith("shop-"), made
        assert made.name.endswith("-manual.db")
        B.verify_backup(made)
    assert len(list(folder.glob("*.db"))) == 2
    missing = tmp_path / "missing"
    r = bizdesk("backup", str(missing) + "/", "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    said = " ".join(r.stderr.split())
    assert f"the folder {missing} does not exist; make it first" in said, said
    assert not missing.exists() and not list(tmp_path.glob("missing*"))
    # a file is still named as before
    r = bizdesk("backup", str(tmp_path / "one.db"), "--db", db)
    assert r.returncode == 0 and (tmp_path / "one.db").is_file(), r.stderr
