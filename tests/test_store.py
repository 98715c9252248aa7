"""The store: file permissions, SQLite settings, write locking, migrations, audit, crashes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text

from bizdesk.db import open_store
from bizdesk.errors import StoreError
from bizdesk.services.admin import setup
from bizdesk.services.crm import contacts as C


def mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_personal_store_is_private(tmp_path):
    folder = tmp_path / "new" / "place"
    s = open_store(str(folder / "shop.db"))
    setup.ensure_initialized(s)
    assert mode(folder) == 0o700
    assert mode(folder / "shop.db") == 0o600
    with s.write() as uow:  # keep a connection open so -wal and -shm exist
        C.create(uow, C.ContactInput(name="x"))
        for suffix in ("-wal", "-shm"):
            assert mode(folder / f"shop.db{suffix}") == 0o600


def test_existing_shared_folder_keeps_group_access(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    os.chmod(folder, 0o2770)
    open_store(str(folder / "shop.db"))
    assert mode(folder) == 0o2770
    assert mode(folder / "shop.db") == 0o660


def test_sqlite_pragmas(store, sqlite_only):
    with store.read() as uow:
        q = lambda p: uow.session.execute(text(f"PRAGMA {p}")).scalar()  # noqa: E731
        assert q("journal_mode") == "wal"
        assert q("foreign_keys") == 1
        assert q("synchronous") == 2  # FULL
        assert q("busy_timeout") >= 5000


def test_writers_queue_instead_of_failing(store):
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            for i in range(30):
                with store.write() as uow:
                    C.create(uow, C.ContactInput(name=f"w{n}-{i}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.read() as uow:
        assert C.counts(uow)["contacts"] == 120


def test_store_from_a_newer_bizdesk_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    open_store(str(path)).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError) as err:
        open_store(str(path))
    assert "newer bizdesk" in str(err.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError):
        open_store(str(path))


def test_upgrade_of_an_existing_store_backs_it_up_first(tmp_path, monkeypatch):
    """A store at the previous revision is backed up, then migrated to the new head."""
    import shutil

    from bizdesk.db import migrate

    path = tmp_path / "old.db"
    open_store(str(path)).dispose()
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(migrate.MIGRATIONS)).get_current_head()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    (scripts / "versions" / "9999_test.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9999'\ndown_revision = {head!r}\nbranch_labels = None\n"
        "depends_on = None\n"
        "def upgrade():\n    op.create_table('upgrade_probe', sa.Column('id', sa.Integer))\n"
        "def downgrade():\n    op.drop_table('upgrade_probe')\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    monkeypatch.setattr(migrate, "HEAD", "9999")  # what a release with the new script says
    open_store(str(path)).dispose()
    backups = list((tmp_path / "backups").glob(f"old-*-before-upgrade-{head}.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999"


def test_audit_user_comes_from_effective_uid_not_environment(tmp_path):
    code = """
from bizdesk.db import open_store
from bizdesk.services.crm import contacts
from bizdesk.services.admin import setup
store = open_store(DB)
setup.ensure_initialized(store)
with store.write() as uow:
    contacts.create(uow, contacts.ContactInput(name="x"))
""".replace("DB", repr(str(tmp_path / "a.db")))
    env = {**os.environ, "USER": "mallory", "LOGNAME": "mallory"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    with sqlite3.connect(tmp_path / "a.db") as conn:
        users = {r[0] for r in conn.execute("SELECT username FROM audit_event")}
    import pwd

    assert users == {pwd.getpwuid(os.geteuid()).pw_name}


# A writer that saves one unit of work after another and says so on stdout once each is
# committed: a stock adjustment (a move and its journal entry) and a journal entry of
# KILL_LINES lines, both marked "kill N".
KILL_LINES = 40
_WRITER = """
import sys
from datetime import date
from bizdesk.db import open_store
from bizdesk.services.books import ledger
from bizdesk.services.inventory import locations, moves, products
store = open_store(sys.argv[1], migrate=False)
i = int(sys.argv[2])
with store.read() as uow:
    product = products.resolve_product(uow, "KILL").id
    cash, bank = ledger.account_for(uow, "cash").id, ledger.account_for(uow, "bank").id
print("ready", flush=True)
while True:
    with store.write() as uow:
        moves.adjust(uow, product, "1", f"kill {i}")
        lines = []
        for k in range(1, LINES // 2 + 1):
            lines.append(ledger.Posting(bank, debit_minor=k))
            lines.append(ledger.Posting(cash, credit_minor=k))
        ledger.post_entry(uow, date(2026, 11, 2), f"kill {i}", lines)
    print(i, flush=True)
    i += 1
""".replace("LINES", str(KILL_LINES))


def test_kill_9_while_writing_loses_nothing_acknowledged_and_half_applies_nothing(
    tmp_path, sqlite_only
):  # noqa: ANN001
    """SIGKILL a writer many times, at random points of its writing: every unit of work it
    acknowledged is there whole, an unacknowledged one is there whole or not at all, and
    the store passes integrity_check and `bizdesk check`."""
    import random

    from tests.erp_helpers import product

    path = tmp_path / "kill.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    product(s, "KILL", cost="1.00")
    s.dispose()
    rng = random.Random()
    acked: list[int] = []
    kills = 0
    next_i = 0
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(next_i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        wanted = rng.randrange(0, 6)  # acknowledgements to wait for, then a random moment
        for _ in range(wanted):
            line = proc.stdout.readline()
            assert line.strip().isdigit(), (line, proc.stderr.read())
            acked.append(int(line))
        time.sleep(rng.uniform(0, 0.05))  # lands anywhere in the next unit of work
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
        kills += 1
        acked.extend(int(x) for x in proc.stdout.read().split())  # said before it died
        proc.stdout.close()
        proc.stderr.close()

        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            entries = dict(
                conn.execute(
                    "SELECT e.memo, count(l.id) FROM journal_entry e "
                    "JOIN journal_line l ON l.entry_id = e.id "
                    "WHERE e.memo LIKE 'kill %' GROUP BY e.id"
                ).fetchall()
            )
            moves = [
                r[0]
                for r in conn.execute("SELECT reason FROM stock_move WHERE reason LIKE 'kill %'")
            ]
        done = sorted(int(m.split()[1]) for m in entries)
        # units are saved in order, each whole: 0..n-1, nothing missing, nothing half
        assert done == list(range(len(done)))
        assert set(acked) <= set(done)
        assert len(done) - len(acked) <= 1  # at most the one being acknowledged when killed
        assert all(n == KILL_LINES for n in entries.values()), entries
        assert sorted(int(m.split()[1]) for m in moves) == done
        next_i = len(done)
    assert kills == 8 and acked, "the writer never got to write"
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", "check", "--db", str(path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed" in r.stdout


def test_kill_9_while_an_import_writes_leaves_none_of_it(tmp_path, sqlite_only):  # noqa: ANN001
    """SIGKILL a large import once it is writing rows (its write-ahead log grows), at a
    random moment after: none of it is saved, and the store checks."""
    import random
    import shutil

    template = tmp_path / "template.db"
    s = open_store(str(template))
    setup.ensure_initialized(s)
    s.dispose()
    csv_path = tmp_path / "big.csv"
    lines = ["name,email,tags"] + [f"Person {i},p{i}@example.com,a;b" for i in range(60_000)]
    csv_path.write_text("\n".join(lines), encoding="utf-8")
    rng = random.Random()
    for round_ in range(2):
        path = tmp_path / f"kill{round_}.db"
        shutil.copy(template, path)
        wal = tmp_path / f"kill{round_}.db-wal"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bizdesk",
                "import",
                "contacts",
                str(csv_path),
                "--db",
                str(path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        start_size = None
        while proc.poll() is None and time.monotonic() < deadline:
            size = wal.stat().st_size if wal.exists() else 0
            if start_size is None:
                try:  # is somebody holding the write lock?
                    with sqlite3.connect(path, timeout=0) as conn:
                        conn.execute("BEGIN IMMEDIATE")
                        conn.rollback()
                except sqlite3.OperationalError:
                    start_size = size  # the import holds it: now wait for its writing
            elif size > start_size:
                break  # rows are being written to the log
            time.sleep(0.005)
        assert proc.poll() is None, "the import ended before it could be killed mid-write"
        assert start_size is not None and size > start_size, "the import never wrote"
        time.sleep(rng.uniform(0, 0.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            n = conn.execute("SELECT count(*) FROM contact").fetchone()[0]
            tags = conn.execute("SELECT count(*) FROM contact_tag").fetchone()[0]
        assert (n, tags) in ((0, 0), (60_000, 120_000))
        r = subprocess.run(
            [sys.executable, "-m", "bizdesk", "check", "--db", str(path)],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stdout + r.stderr


def test_head_constant_matches_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from bizdesk.db.migrate import HEAD, alembic_config

    class _Store:
        engine = None

    assert ScriptDirectory.from_config(alembic_config(_Store())).get_current_head() == HEAD


def test_a_crm_only_store_upgrades_and_gets_the_erp_defaults(tmp_path) -> None:  # noqa: ANN001
    """A store from before the ERP side (schema 0002) is backed up, upgraded, and given its
    chart of accounts and main location on open."""
    from alembic import command
    from sqlalchemy import text

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.services.admin import setup
    from bizdesk.services.admin.audit import list_events
    from bizdesk.services.admin.checks import run_checks
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.books import ledger
    from bizdesk.services.crm import contacts
    from bizdesk.services.inventory import locations

    path = tmp_path / "old.db"
    old = open_store(str(path), user="tester", migrate=False)
    command.upgrade(alembic_config(old), "0002")
    # rows written as that old bizdesk wrote them (today's models have columns it lacks)
    with old.engine.begin() as conn:
        for key, value in (("company", "Old Shop"), ("currency", "EUR"), ("locale", "en_US")):
            conn.execute(text("INSERT INTO setting VALUES (:k, :v)"), {"k": key, "v": value})
        conn.execute(  # its init made tester owner
            text(
                "INSERT INTO user (username, full_name, role, active, created_at) "
                "VALUES ('tester', '', 'owner', 1, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contact (kind, name, sort_name, street, city, postcode, country, "
                "stage, is_customer, is_supplier, source, notes, archived, created_at, "
                "updated_at, updated_by, version) VALUES ('person', 'Kept Customer', "
                "'kept customer', '', 'București', '', 'RO', 'customer', 1, 0, '', '', 0, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'tester', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO audit_event (at, username, entity, entity_id, action) "
                "VALUES ('2026-01-01 00:00:00', 'tester', 'contact', 1, 'create')"
            )
        )
    old.dispose()
    store = open_store(str(path), user="tester")
    setup.ensure_initialized(store)
    with store.read() as uow:
        assert ledger.account_for(uow, "inventory").code == "1200"
        assert locations.default_location(uow).name == "Main"
        assert contacts.get(uow, 1).name == "Kept Customer"
        # the migration built the audit chain over the old events and said so
        events = [(e.entity, e.action) for e in list_events(uow)]
        assert ("store", "chains-built") in events
        # migration 0007 folded the old row's search text: found without its accents
        found = contacts.list_page(uow, PageRequest(search="Bucuresti")).rows
        assert [r.name for r in found] == ["Kept Customer"]
    assert not [v for v in run_checks(store) if v.severity == "error"]
    assert list((tmp_path / "backups").glob("*before-upgrade-0002*"))
    store.dispose()


def test_a_missing_store_is_made_only_when_asked_and_whole(tmp_path):
    from bizdesk.db import create_store

    path = tmp_path / "new" / "shop.db"
    with pytest.raises(StoreError, match="bizdesk init --db"):
        open_store(str(path), create=False)
    assert not path.parent.exists()
    # nor in a folder that does not exist (only the default store's folder is made)
    with pytest.raises(StoreError, match="does not exist"):
        create_store(str(path), fill=setup.ensure_initialized)
    assert not path.parent.exists()
    path.parent.mkdir()

    def half(store) -> None:  # noqa: ANN001
        setup.ensure_initialized(store)
        raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError):
        create_store(str(path), fill=half)
    assert list(path.parent.iterdir()) == []  # no store, no partial file left
    s = create_store(str(path), fill=setup.ensure_initialized)
    assert mode(path) == 0o600
    with s.read() as uow:
        assert setup.is_initialized(uow)
    with pytest.raises(StoreError, match="exists already"):
        create_store(str(path))


@pytest.mark.parametrize(
    "value", ["", "None", "postgresql+psycopg:/localhost/shop", "mysql://localhost/shop"]
)
def test_open_store_refuses_a_name_it_cannot_mean(tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError):
        open_store(value)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_store_opens_read_only(tmp_path):
    path = tmp_path / "shop.db"
    s = open_store(str(path), user="tester")
    setup.ensure_initialized(s)
    s.dispose()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    s = open_store(str(path), user="tester")
    assert s.damaged is not None and "cut short" in str(s.damaged)
    with pytest.raises(StoreError, match="damaged"), s.write():
        pass
    assert path.read_bytes() == data[: len(data) // 2]


def test_a_store_killed_in_the_middle_of_a_checkpoint_is_not_damaged(tmp_path) -> None:  # noqa: ANN001
    """A checkpoint copies the write-ahead log's pages into the file in page order: page 1
    first, with the file's new size in its header. Killed after it (a hang-up, kill -9),
    the file is shorter than its header says while the log beside it still holds every
    page. The cheap look at the header called that store "cut short" and opened it
    read-only, damaged (seen once in tests/test_dunning_cli.py's kill test); SQLite reads
    it whole from the log, so it opens as it is, nothing lost."""
    path = tmp_path / "shop.db"
    s = open_store(str(path), user="tester")
    setup.ensure_initialized(s)
    s.dispose()
    pad = "x" * 2000
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # every page stays in the log
    with conn:
        conn.executemany(
            "INSERT INTO setting (key, value) VALUES (?, ?)",
            [(f"test.pad.{i}", pad) for i in range(300)],
        )
    # the files as a kill leaves them: the log whole, the checkpoint not begun
    killed = tmp_path / "killed.db"
    killed.write_bytes(path.read_bytes())
    log = path.with_name(path.name + "-wal").read_bytes()
    killed.with_name(killed.name + "-wal").write_bytes(log)
    conn.close()
    page_size = int.from_bytes(log[8:12], "big")
    frame = 24 + page_size
    firsts = [
        32 + i * frame
        for i in range((len(log) - 32) // frame)
        if int.from_bytes(log[32 + i * frame : 36 + i * frame], "big") == 1
    ]
    page1 = log[firsts[-1] + 24 : firsts[-1] + frame]  # the newest page 1 (the new size)
    with open(killed, "r+b") as fh:  # the checkpoint's first write, then the kill
        fh.write(page1)
    header_pages = int.from_bytes(page1[28:32], "big")
    assert killed.stat().st_size < header_pages * page_size  # shorter than its header says

    s = open_store(str(killed), user="tester")
    try:
        assert s.damaged is None, str(s.damaged)
        with s.read() as uow:
            assert uow.setting("test.pad.299", "") == pad  # read from the log
        with s.write() as uow:
            uow.set_setting("test.after", "written")
    finally:
        s.dispose()
    rows = sqlite3.connect(killed).execute("PRAGMA integrity_check").fetchall()
    assert rows == [("ok",)]


def test_a_store_with_stock_upgrades_from_the_chains_schema(tmp_path) -> None:  # noqa: ANN001
    """Migration 0007 adds columns to tables that others point at (products with moves):
    it must not rebuild them (a rebuilt table's DROP fails its foreign keys)."""
    import sqlite3

    from alembic import command

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.services.inventory import products

    path = tmp_path / "old.db"
    old = open_store(str(path), user="tester", migrate=False)
    command.upgrade(alembic_config(old), "0006")
    old.dispose()

    def insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
        """A row with every required column filled, as that bizdesk would have."""
        for _cid, name, type_, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
            if notnull and default is None and not pk and name not in values:
                values[name] = (
                    "2026-01-01 00:00:00"
                    if "DATETIME" in type_
                    else (0 if type_ in ("INTEGER", "BOOLEAN") else "")
                )
        cols = ", ".join(values)
        conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    insert(conn, "location", id=1, name="Main")
    insert(conn, "product", id=1, sku="BOLT", name="Bolt", unit="pcs", active=1)
    insert(conn, "stock_move", product_id=1, location_id=1, qty_scaled=5000, kind="receipt")
    conn.commit()
    conn.close()
    store = open_store(str(path), user="tester")  # upgrades to the head
    with store.engine.connect() as c:
        assert c.exec_driver_sql("SELECT stocked, search_text FROM product").one() == (1, "bolt")
    with store.read() as uow:
        assert products.resolve_product(uow, "BOLT").id == 1
    store.dispose()


def _bizdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args], capture_output=True, text=True, timeout=120
    )


def test_a_command_leaves_the_store_file_whole(tmp_path):
    """When a command ends, the write-ahead log is folded into the store file: a copy of
    the file alone (cp, scp, a mail attachment) holds everything, the rows just imported
    too (the log used to keep them until some later process folded it in)."""
    db = tmp_path / "shop.db"
    assert _bizdesk("init", "--db", str(db)).returncode == 0
    rows = tmp_path / "c.csv"
    rows.write_text("name\n" + "".join(f"Person {i}\n" for i in range(300)), encoding="utf-8")
    r = _bizdesk("import", "contacts", str(rows), "--db", str(db))
    assert r.returncode == 0, r.stderr
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 300


def test_a_command_beside_a_reader_ends_and_leaves_the_log_for_it(tmp_path):
    """Another process in the middle of reading the store (a read transaction open): the
    command ends as usual without waiting for it, the reader keeps its view, and nothing
    is lost."""
    db = tmp_path / "shop.db"
    assert _bizdesk("init", "--db", str(db)).returncode == 0
    reader = sqlite3.connect(db, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM contact").fetchone()[0] == 0
        rows = tmp_path / "c.csv"
        rows.write_text("name\nAnna Reader\n", encoding="utf-8")
        r = _bizdesk("import", "contacts", str(rows), "--db", str(db))
        assert r.returncode == 0, r.stderr
        assert reader.execute("SELECT count(*) FROM contact").fetchone()[0] == 0  # its view
        reader.execute("COMMIT")
        names = [n for (n,) in reader.execute("SELECT name FROM contact")]
        assert names == ["Anna Reader"]
    finally:
        reader.close()
    r = _bizdesk("check", "--db", str(db))
    assert r.returncode == 0, r.stdout + r.stderr


def _a_store_of_the_version_before(tmp_path) -> str:  # noqa: ANN001
    """A set-up store one migration behind this bizdesk: the next open upgrades it."""
    from alembic import command

    from bizdesk.db import migrate
    from tests.test_cli import bizdesk

    path = tmp_path / "old.db"
    assert bizdesk("init", "--db", str(path), "--company", "Old Cycles").returncode == 0
    store = open_store(str(path))
    before = str(int(migrate.HEAD) - 1).zfill(4)
    command.downgrade(migrate.alembic_config(store), before)
    store.dispose()
    return str(path)


UPGRADING = "Upgrading the store for this version of bizdesk: first a safety copy"


def test_the_command_line_says_why_an_upgrade_makes_one_wait(tmp_path) -> None:  # noqa: ANN001
    from tests.test_cli import bizdesk

    db = _a_store_of_the_version_before(tmp_path)
    done = bizdesk("report", "trial-balance", "--format", "json", "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(UPGRADING), done.stderr
    assert UPGRADING not in done.stdout  # the report's JSON stays clean
    again = bizdesk("report", "trial-balance", "--db", db)
    assert again.returncode == 0 and UPGRADING not in again.stderr + again.stdout


async def test_the_interface_says_why_an_upgrade_makes_one_wait(tmp_path) -> None:  # noqa: ANN001
    from bizdesk.app import BizdeskApp
    from bizdesk.start import open_for_interface
    from tests.tui_helpers import SIZE, wait_for

    db = _a_store_of_the_version_before(tmp_path)
    seen = threading.Event()

    def opener(say):  # noqa: ANN001, ANN202 - the real opening, held while the test looks
        def told(message) -> None:  # noqa: ANN001
            say(message)
            seen.wait(30)

        return open_for_interface(db, told)

    app = BizdeskApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:

        def shown() -> str:
            found = app.query("#opening")
            return str(found.first().render()) if found else ""

        for _ in range(600):  # not wait_for: it waits for the workers, and this one waits
            if UPGRADING in shown():
                break
            await pilot.pause(0.05)
        said = shown()
        seen.set()
        await wait_for(pilot, app, lambda: app.store is not None, "the store open")
    assert said.startswith(UPGRADING), said
    assert list((tmp_path / "backups").glob("*before-upgrade-*"))


def test_another_program_s_database_is_refused_by_its_file_name(tmp_path) -> None:  # noqa: ANN001
    """It said "sqlite:////tmp/…/notes.db already holds tables…": the URL, not the file."""
    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    with pytest.raises(StoreError) as refused:
        open_store(str(path))
    said = str(refused.value)
    assert said.startswith(f"{path} already holds tables that bizdesk did not make"), said
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["note"]


def test_an_empty_sqlite_database_is_no_store_but_for_init(tmp_path) -> None:  # noqa: ANN001
    """`bizdesk check --db empty.db` (a file `sqlite3` made, holding nothing) built a new
    shop in it and said "All checks passed.", as a typo once made a store."""
    path = tmp_path / "empty.db"
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    with pytest.raises(StoreError) as refused:
        open_store(str(path), create=False)
    assert str(refused.value).startswith(f"{path} is an SQLite database that holds nothing")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    open_store(str(path)).dispose()  # asked to make one (create=True), it does
