"""Faults below bizdesk, through the real command line: a full disk (a small tmpfs), a
read-only store file or disk (read-only bind mounts), a truncated or overwritten store, a
missing one, kill -9 in the middle of init, backup and demo. Each ends with exit 1 and one
sentence naming the store and saying what to do; never a traceback, never a half-made file.

Mounting needs root (as in CI); elsewhere those tests are skipped, saying why.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bizdesk.faults import file_problem

pytestmark = pytest.mark.usefixtures("sqlite_only")

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="mounting a tmpfs or a bind mount needs root")


def bizdesk(*args: str, stdin: str | None = None, timeout: float = 180):
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        env={**os.environ, "BIZDESK_DB": ""},
    )


def refused(r: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 1, no traceback anywhere, and one sentence holding ``words``."""
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "Traceback" not in out and 'File "' not in out, out
    assert "SELECT" not in out and "INSERT" not in out, out  # never SQL
    for w in words:
        assert w in r.stderr, r.stderr
    return r.stderr


def init(path: Path) -> None:
    r = bizdesk("init", "--db", str(path), "--company", "Fault Cycles")
    assert r.returncode == 0, r.stderr


def interface_on(db: Path, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    """The interface started on ``db`` through a real pseudo-terminal: its exit status and
    what it drew (it ends by itself on a store, or a setting, it refuses)."""
    main, sub = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", "--db", str(db)],
        stdin=sub,
        stdout=sub,
        stderr=sub,
        env={**os.environ, "BIZDESK_DB": "", "TERM": "xterm-256color", **(env or {})},
        start_new_session=True,
    )
    os.close(sub)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([main], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        return proc.wait(timeout=60), seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path):  # noqa: ANN001, ANN201
    """A 4 MB tmpfs, unmounted afterwards; ``fill()`` takes all its free space."""
    if not ROOT:
        pytest.skip("mounting a tmpfs needs root")
    where = tmp_path / "disk"
    where.mkdir()
    mount("-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(where))

    def fill() -> None:
        with open(where / "filler", "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        # a few KB may remain in partly used blocks: take them too
        n = 0
        while True:
            try:
                (where / f"f{n}").write_bytes(b"\0" * 512)
            except OSError:
                break
            n += 1

    yield where, fill
    subprocess.run(["umount", "-l", str(where)], check=False)


CONTACTS = "name,email\nAnn Buyer,ann@example.com\n"


@needs_root
def test_full_disk_write_backup_export_and_init(small_disk):
    where, fill = small_disk
    db = where / "shop.db"
    init(db)
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS).returncode == 0
    before = db.read_bytes()
    fill()
    store = str(db)
    many = "name,notes\n" + "".join(f"P{i},{'x' * 500}\n" for i in range(400))
    refused(
        bizdesk("import", "contacts", "-", "--db", store, stdin=many),
        store,
        "full",
        "Nothing was lost",
        "Free some space",
    )
    # reading needs no space: the log and its index are there already (not removed when
    # a command ends: made anew, they could not be on a full disk)
    r = bizdesk("export", "contacts", "--format", "json", "--db", store)
    assert r.returncode == 0 and "Ann Buyer" in r.stdout, r.stderr
    refused(bizdesk("backup", "--db", store), "full", "Free some space")
    refused(
        bizdesk("export", "contacts", "-o", str(where / "out.csv"), "--db", store),
        "full",
        "Free some space",
    )
    new = str(where / "new.db")
    refused(bizdesk("init", "--db", new), new, "full", "Free some space")
    # nothing half-made: no empty or partial files under real names
    names = sorted(p.name for p in where.rglob("*") if p.is_file())
    assert "new.db" not in names and "out.csv" not in names
    assert not [n for n in names if ".partial" in n]  # nor SQLite's journal of one
    assert not list((where / "backups").glob("*.db")) if (where / "backups").exists() else True
    # and the store still holds what it held
    (where / "filler").unlink()
    for p in where.glob("f[0-9]*"):
        p.unlink()
    r = bizdesk("export", "contacts", "--format", "json", "--db", store)
    assert r.returncode == 0 and "Ann Buyer" in r.stdout, r.stderr
    assert bizdesk("check", "--db", store).returncode == 0
    assert len(db.read_bytes()) >= len(before) // 2


@needs_root
def test_a_file_written_on_another_full_disk_is_named_not_the_store(small_disk, tmp_path):
    """An export onto a full disk said "the disk holding /…/shop.db is full": the person
    would free space on the store's disk, which had room. The file written is named."""
    where, fill = small_disk
    db = tmp_path / "shop.db"
    init(db)
    fill()
    out = where / "out.csv"
    r = bizdesk("export", "journal", "-o", str(out), "--db", str(db))
    refused(r, f"the disk holding {out} is full", "Free some space")
    assert str(db) not in r.stderr and not out.exists()


@needs_root
def test_a_backup_onto_another_full_disk_names_the_backup_not_the_store(small_disk, tmp_path):
    """A backup onto a full disk said "the disk holding the store … is full": the person
    would have freed space on the store's disk, which had room."""
    where, fill = small_disk
    db = tmp_path / "shop.db"
    init(db)
    fill()
    dest = where / "b.db"
    r = bizdesk("backup", str(dest), "--db", str(db))
    refused(r, f"the disk holding {dest} is full", "Nothing was lost", "Free some space")
    assert str(db) not in r.stderr and not dest.exists()
    assert not [p.name for p in where.iterdir() if ".partial" in p.name]


@needs_root
def test_a_backup_into_a_read_only_folder_names_the_folder_not_the_store(tmp_path, read_only):
    db = tmp_path / "shop.db"
    init(db)
    out = tmp_path / "out"
    out.mkdir()
    read_only(out)
    dest = out / "b.db"
    r = bizdesk("backup", str(dest), "--db", str(db))
    refused(r, str(dest), "read-only disk")
    assert str(db) not in r.stderr and not dest.exists()


@needs_root
def test_a_document_printed_onto_a_full_disk_is_told_as_an_export_is(small_disk, tmp_path):
    """`print … -o` onto a full disk said "path: cannot write …: No space left on device",
    without saying that nothing was lost or what to do."""
    from bizdesk.db import open_store
    from tests.erp_helpers import order, product, supplier

    where, fill = small_disk
    db = tmp_path / "shop.db"
    init(db)
    s = open_store(str(db))
    try:
        sid = supplier(s, "Acme Supply")
        product(s, "BOLT", name="Bolt M8", cost="0.20")
        order(s, sid, ("BOLT", "100", "0.20"))
    finally:
        s.dispose()
    fill()
    pdf = where / "po.pdf"
    r = bizdesk("print", "purchase-order", "1", "-o", str(pdf), "--db", str(db))
    refused(r, f"the disk holding {pdf} is full", "Nothing was lost", "Free some space")
    assert not pdf.exists() and not [p for p in where.iterdir() if ".partial" in p.name]


@needs_root
def test_a_disk_that_fills_during_a_large_import_is_said_plainly(small_disk):
    """The disk fills half-way through writing a big import (after its search trigger was
    set aside): SQLite ends the transaction itself; the user reads that the disk is full,
    not an unexpected error about what was undone, and the store is as it was."""
    where, _fill = small_disk
    db = where / "shop.db"
    init(db)
    rows = "".join(f"Person {i},p{i}@example.com,in,,web\n" for i in range(60_000))
    many = "name,email,email_consent,consent_at,consent_how\n" + rows
    refused(
        bizdesk("import", "contacts", "-", "--db", str(db), stdin=many),
        str(db),
        "full",
        "Nothing was lost",
        "Free some space",
    )
    assert bizdesk("check", "--db", str(db)).returncode == 0


@pytest.fixture
def read_only(tmp_path):  # noqa: ANN001, ANN201
    """``make(path)``: bind-mount ``path`` (a file or a folder) read-only over itself."""
    if not ROOT:
        pytest.skip("a read-only bind mount needs root (chmod does not stop root)")
    mounted: list[Path] = []

    def make(path: Path) -> None:
        mount("--bind", str(path), str(path))
        mounted.append(path)
        mount("-o", "remount,ro,bind", str(path))

    yield make
    for p in reversed(mounted):
        subprocess.run(["umount", "-l", str(p)], check=False)


@needs_root
def test_read_only_store_file(tmp_path, read_only):
    db = tmp_path / "shop.db"
    init(db)
    read_only(db)
    refused(
        bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS),
        str(db),
        "cannot be written",
        "Nothing was lost",
        "Make it writable",
    )


@needs_root
def test_read_only_store_folder(tmp_path, read_only):
    """The store alone in a read-only folder (copied there without its log): it cannot
    even be read (SQLite would have to make the log's index), and every door says so."""
    folder = tmp_path / "shop"
    folder.mkdir(mode=0o700)
    init(folder / "shop.db")
    conn = sqlite3.connect(folder / "shop.db")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()  # the last connection to close removes the log and its index
    assert not (folder / "shop.db-wal").exists()
    read_only(folder)
    store = str(folder / "shop.db")
    for args in (
        ("import", "contacts", "-", "--db", store),
        ("report", "trial-balance", "--db", store),
    ):
        refused(bizdesk(*args, stdin=CONTACTS), store, "read-only", "Nothing was changed")
    code, drawn = interface_on(Path(store))  # the TUI: ends with the same sentence
    assert code == 1, drawn[-500:]
    assert b"read-only" in drawn and b"Traceback" not in drawn, drawn[-500:]


def test_read_only_store_folder_with_its_log(tmp_path, read_only):
    """As a command leaves it (the log and its index beside the store): it is read, and a
    change is refused saying so."""
    folder = tmp_path / "shop"
    folder.mkdir(mode=0o700)
    init(folder / "shop.db")
    assert (folder / "shop.db-wal").exists()
    read_only(folder)
    store = str(folder / "shop.db")
    r = bizdesk("report", "trial-balance", "--format", "json", "--db", store)
    assert r.returncode == 0, r.stderr
    refused(
        bizdesk("import", "contacts", "-", "--db", store, stdin=CONTACTS),
        store,
        "read-only",
        "Nothing was lost",
    )


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif how == "garbage":
        path.write_bytes(random.Random(1).randbytes(len(data)))
    elif how == "pages":  # the header intact, pages in the middle overwritten
        with open(path, "r+b") as fh:
            fh.seek(4096 * 3)
            fh.write(b"\xa5" * 4096 * 20)


@pytest.mark.parametrize("how", ["truncated", "garbage", "pages"])
def test_damaged_store_is_told_with_the_restore_command_and_restored(tmp_path, how):
    db = tmp_path / "shop.db"
    init(db)
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS).returncode == 0
    r = bizdesk("backup", "--db", str(db))
    assert r.returncode == 0, r.stderr
    backup = Path(r.stdout.strip().removeprefix("Backup written to "))
    _damage(db, how)
    # every command: exit 1 and the exact command that puts it right, never a traceback
    restore = f"bizdesk restore {backup} --db {db}"
    for args in (
        ("import", "contacts", "-", "--db", str(db)),
        ("backup", "--db", str(db)),
        ("check", "--db", str(db)),
    ):
        err = refused(bizdesk(*args, stdin="name\nLater\n"), str(db), "damaged", restore)
        assert err.count(f"The store {db} is damaged") == 1  # one sentence, said once
    # nothing copied: only the good backup and the chain heads it recorded
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name, backup.name + ".heads"]
    # restore works on the damaged file without opening it as a database
    r = bizdesk(*restore.split()[1:])
    assert r.returncode == 0, r.stderr
    assert "damaged file was moved to" in r.stdout
    r = bizdesk("export", "contacts", "--format", "json", "--db", str(db))
    assert r.returncode == 0 and "Ann Buyer" in r.stdout, r.stderr
    assert bizdesk("check", "--db", str(db)).returncode == 0
    assert list(tmp_path.glob("shop.db.damaged-*"))


def test_missing_store_is_never_made_except_by_init(tmp_path):
    typo = tmp_path / "typo" / "x.db"
    for args in (
        ("check", "--db", str(typo)),
        ("import", "contacts", "-", "--db", str(typo)),
        ("backup", "--db", str(typo)),
    ):
        refused(bizdesk(*args, stdin=CONTACTS), str(typo), f"bizdesk init --db {typo}")
    # the TUI without a terminal to ask in: refused as that (bad usage), nothing made
    r = bizdesk("--db", str(typo), stdin=CONTACTS)
    assert r.returncode == 2 and "needs a terminal" in r.stderr, r.stderr
    assert not typo.parent.exists()


@pytest.mark.parametrize(
    "value, words",
    [
        ("", "empty"),
        ("None", "not a store"),
        ("postgresql+psycopg:/localhost/shop", "two slashes"),
        ("mysql://localhost/shop", "not a store bizdesk can use"),
        # a driver bizdesk does not ship: refused before SQLAlchemy tries to import it
        ("postgresql+psycopg2://root@/shop?host=/tmp&port=5436", "postgresql+psycopg2://"),
        ("postgresql+asyncpg://root@/shop?host=/tmp&port=5436", "not a store bizdesk can use"),
        ("sqlite+pysqlcipher:///shop.db", "not a store bizdesk can use"),
    ],
)
def test_a_store_name_it_cannot_mean_is_refused(tmp_path, value, words):
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", "check", "--db", value],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    refused(r, words)
    assert list(tmp_path.iterdir()) == []


def test_unexpected_error_is_a_sentence_and_its_traceback_is_logged(tmp_path):
    """A bug (here: a service made to fail) ends as a sentence naming the log file."""
    db = tmp_path / "shop.db"
    init(db)
    state = tmp_path / "state"
    code = (
        "import sys\n"
        "from bizdesk.services.admin import audit\n"
        "def boom(*a, **k): raise KeyError('no such thing')\n"
        "audit.list_events = boom\n"
        "from bizdesk.cli import main\n"
        "sys.argv = ['bizdesk', 'audit', '--db', sys.argv[1]]\n"
        "main()\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_STATE_HOME": str(state)},
    )
    log = state / "bizdesk" / "errors.log"
    refused(r, "unexpected error (KeyError)", str(log))
    assert "Traceback" in log.read_text() and "no such thing" in log.read_text()
    assert os.stat(log).st_mode & 0o777 == 0o600


def _kill_at_random(
    args: list[str], rng: random.Random, up_to: float, writing: Path | None = None
) -> int:
    """Run bizdesk and SIGKILL it at a random moment: up to ``up_to`` s after the start, or,
    with ``writing`` (a folder), that long after a temporary file appears there (so the
    kill lands while it is writing, not before it began)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if writing is not None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if writing.is_dir() and any(p.name.endswith(".partial") for p in writing.iterdir()):
                break
            time.sleep(0.002)  # polling for the condition, with a deadline
    deadline = time.monotonic() + rng.uniform(0.0 if writing else 0.3, up_to)
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)  # polling for the random moment, not synchronising
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    return proc.wait()


def _no_half_files(folder: Path) -> None:
    for p in folder.rglob("*.db"):
        assert file_problem(p) is None, f"{p}: {file_problem(p)}"


def test_kill_during_init_leaves_no_store_or_a_whole_one(tmp_path):
    rng = random.Random(10)
    for i in range(4):
        db = tmp_path / f"s{i}" / "shop.db"
        db.parent.mkdir()  # (a --db in a folder that does not exist is refused)
        code = _kill_at_random(["init", "--db", str(db)], rng, 1.0, writing=db.parent)
        if db.exists():  # it appears only when whole: set up, sound
            _no_half_files(db.parent)
            assert code in (0, -signal.SIGKILL)
        else:  # nothing there (a hidden temporary file at most): init simply works now
            init(db)
        assert bizdesk("check", "--db", str(db)).returncode == 0


def test_kill_during_backup_leaves_no_partial_backup(tmp_path):
    db = tmp_path / "shop.db"
    init(db)
    many = "name,notes\n" + "".join(f"P{i},{'x' * 200}\n" for i in range(20_000))
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=many).returncode == 0
    rng = random.Random(11)
    for _ in range(6):
        _kill_at_random(["backup", "--db", str(db)], rng, 0.3, writing=tmp_path / "backups")
        _no_half_files(tmp_path / "backups")
    r = bizdesk("check", "--db", str(db))
    assert r.returncode == 0, r.stderr


def test_check_flags_a_cut_short_backup(tmp_path):
    db = tmp_path / "shop.db"
    init(db)
    r = bizdesk("backup", "--db", str(db))
    backup = Path(r.stdout.strip().removeprefix("Backup written to "))
    data = backup.read_bytes()
    backup.write_bytes(data[: len(data) // 2])
    r = bizdesk("check", "--db", str(db))
    assert r.returncode == 1 and f"backups: {backup} cannot be restored" in r.stderr, r.stderr


def test_kill_during_demo_is_all_or_nothing(tmp_path):
    rng = random.Random(12)
    for i in range(1):  # one random point a run (a whole demo afterwards: 20-40 s each)
        db = tmp_path / f"d{i}" / "demo.db"
        db.parent.mkdir()  # (a --db in a folder that does not exist is refused)
        _kill_at_random(["demo", "--db", str(db)], rng, 6.0, writing=db.parent)
        if db.exists():
            with sqlite3.connect(db) as conn:
                n = conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0]
            assert n in (0, 220)
        r = bizdesk("demo", "--db", str(db))
        if r.returncode == 1:  # the whole demo was there already
            assert "already has data" in r.stderr
        else:
            assert r.returncode == 0, r.stderr
        assert bizdesk("check", "--db", str(db)).returncode == 0
    # an existing store: killed half-way, nothing of the demo stays
    db = tmp_path / "kept.db"
    init(db)
    _kill_at_random(["demo", "--db", str(db)], rng, 4.0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0] in (0, 220)


@needs_root
async def test_tui_form_saving_into_a_read_only_store_shows_the_sentence(store, read_only):
    from textual.widgets import Input, Static

    from bizdesk.app import BizdeskApp
    from bizdesk.config import sqlite_path
    from bizdesk.widgets.form import FormScreen
    from tests.tui_helpers import SIZE, settle

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        read_only(sqlite_path(store.url))
        app.screen.query_one("#f-name", Input).value = "Ada Lovelace"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)  # still open: the typing is not lost
        text = str(app.screen.query_one("#form-error", Static).render())
        assert "cannot be written" in text and "Nothing was lost" in text, text
        assert "INSERT" not in text and "SQL" not in text and "parameters" not in text


def test_an_unreachable_postgresql_store_is_a_sentence_without_the_password():
    r = bizdesk("check", "--db", "postgresql+psycopg://shop:s3cret@127.0.0.1:1/shop")
    err = refused(r, "Cannot reach the store", "127.0.0.1", "Nothing was changed")
    assert "s3cret" not in err


def test_the_interface_asks_before_making_a_store_and_makes_none_when_told_no(tmp_path):
    import pty
    import select

    db = tmp_path / "new" / "shop.db"
    main, sub = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", "--db", str(db)],
        stdin=sub,
        stdout=sub,
        stderr=sub,
        env={**os.environ, "BIZDESK_DB": ""},
    )
    os.close(sub)
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(main, b"n\r")
            answered = True
        if proc.poll() is not None and not ready:
            break
    os.close(main)
    assert proc.wait(timeout=30) == 1
    text = seen.decode(errors="replace")
    assert f"There is no store at {db}" in text and "No store was created" in text, text
    assert "Traceback" not in text
    assert not db.parent.exists()


def test_written_files_get_the_store_access_not_the_umask(tmp_path):
    db = tmp_path / "shop.db"
    init(db)
    private = tmp_path / "out.csv"
    shared = tmp_path / "shop-folder"
    shared.mkdir()
    os.chmod(shared, 0o2770)
    old = os.umask(0o022)
    try:
        for dest in (private, shared / "out.csv"):
            r = bizdesk("export", "contacts", "-o", str(dest), "--db", str(db))
            assert r.returncode == 0, r.stderr
    finally:
        os.umask(old)
    assert os.stat(private).st_mode & 0o777 == 0o600
    assert os.stat(shared / "out.csv").st_mode & 0o777 == 0o660
    assert not [p for p in tmp_path.rglob(".*") if p.name.endswith(".partial")]


def test_a_failed_copy_leaves_no_journal_of_its_temporary_file(tmp_path):
    # A daily backup that ran out of space half-way removed its temporary copy but left
    # SQLite's journal of it in backups/, for good (the stale-file sweep never saw it).
    from bizdesk.files import atomic_path

    final = tmp_path / "2026-12-06-daily.db"
    with pytest.raises(OSError), atomic_path(final) as tmp:
        tmp.write_bytes(b"half")
        tmp.with_name(tmp.name + "-journal").write_bytes(b"journal")
        raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []
    # one left by a writer killed before this fix, or by kill -9: gone at the next copy;
    # a live writer's (this process's) stays
    gone = tmp_path / f".{final.name}.999999999.deadbeef.partial-journal"  # (no such pid)
    live = tmp_path / f".{final.name}.{os.getpid()}.cafe1234.partial-journal"
    gone.write_bytes(b"j")
    live.write_bytes(b"j")
    with atomic_path(final) as tmp:
        tmp.write_bytes(b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([final.name, live.name])


# A process that starts writing a file the way bizdesk writes every file (under a temporary
# name), says so, then waits for a line: "kill" kills it there (kill -9), anything else lets
# it finish.
HALF_WRITER = """
import os, sys
from pathlib import Path
from bizdesk.files import atomic_path
with atomic_path(Path(sys.argv[1])) as tmp:
    tmp.write_bytes(b"x" * 100_000)
    Path(str(tmp) + "-journal").write_bytes(b"j")
    print("writing", flush=True)
    if sys.stdin.readline().strip() == "kill":
        os.kill(os.getpid(), 9)
"""


def _half_written(final: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HALF_WRITER, str(final)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_partials_of_killed_writers_are_removed_and_those_being_written_kept(tmp_path):
    db = tmp_path / "shop.db"
    init(db)
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    out = tmp_path / "out"
    out.mkdir()
    # killed while writing: a before-restore copy, an export (names never written again)
    for final in (backups / "shop-20260101T000000Z-before-restore.db", out / "all.csv"):
        proc = _half_written(final)
        proc.communicate("kill\n", timeout=60)
        assert proc.returncode == -signal.SIGKILL
    assert len(_partials(backups)) == len(_partials(out)) == 2  # each with its journal
    # one being written right now, by a live process (a concurrent backup)
    busy = _half_written(backups / "shop-20260101T000001Z-manual.db")
    unrelated = backups / ".notes.partial"  # not a name bizdesk gives: not bizdesk's
    unrelated.write_text("mine")
    try:
        r = bizdesk("backup", "--db", str(db))
        assert r.returncode == 0, r.stderr
        left = _partials(backups)
        assert ".notes.partial" in left
        assert len([n for n in left if "-manual.db." in n]) == 2  # the live writer's, kept
        assert not [n for n in left if "before-restore" in n]  # the killed one's, gone
        r = bizdesk("export", "contacts", "-o", str(out / "other.csv"), "--db", str(db))
        assert r.returncode == 0, r.stderr
        assert _partials(out) == []
    finally:
        busy.communicate("finish\n", timeout=60)
    assert busy.returncode == 0 and (backups / "shop-20260101T000001Z-manual.db").exists()
    assert _partials(backups) == [".notes.partial"]


def test_an_export_to_a_pipe_or_a_terminal_is_written_straight_into_it(tmp_path):
    """`-o /dev/stdout` said "/proc/…/fd/.pipe:[…].partial: no such file or folder": a
    pipe cannot be replaced by a finished file. It is written into as it is; a device that
    is neither a terminal nor /dev/null is refused, untouched."""
    db = tmp_path / "shop.db"
    init(db)
    assert bizdesk("import", "contacts", "-", "--db", str(db), stdin=CONTACTS).returncode == 0
    r = bizdesk("export", "contacts", "-o", "/dev/stdout", "--db", str(db))  # into a pipe
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("id,name,") and "Ann Buyer" in r.stdout
    assert "1 row written to /dev/stdout" in r.stderr
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = bizdesk("export", "contacts", "--format", "json", "-o", str(fifo), "--db", str(db))
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert b"Ann Buyer" in got[0]
    assert sorted(p.name for p in tmp_path.iterdir() if "fifo" in p.name) == ["fifo"]
    r = bizdesk("export", "contacts", "-o", "/dev/null", "--db", str(db))
    assert r.returncode == 0, r.stderr
    if ROOT:  # a block device's node (of no disk), made where it can do no harm
        disk = tmp_path / "disk"
        os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 250))
        r = bizdesk("export", "contacts", "-o", str(disk), "--db", str(db))
        refused(r, str(disk), "not a regular file", "-o -")
        assert stat.S_ISBLK(os.stat(disk).st_mode)
