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
from bizdesk.services import contacts as C
from bizdesk.services import setup


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
from bizdesk.services import contacts, setup
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


def test_kill_during_import_leaves_store_consistent(tmp_path):
    """SIGKILL in the middle of a large import: all of it or none of it, never half."""
    path = tmp_path / "kill.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    s.dispose()
    csv_path = tmp_path / "big.csv"
    lines = ["name,email,tags"] + [f"Person {i},p{i}@example.com,a;b" for i in range(60_000)]
    csv_path.write_text("\n".join(lines), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", "import", "contacts", str(csv_path), "--db", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    # wait until the import holds the write lock (it is writing), then kill it
    while time.time() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(path, timeout=0) as conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.rollback()
        except sqlite3.OperationalError:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = conn.execute("SELECT count(*) FROM contact").fetchone()[0]
        tags = conn.execute("SELECT count(*) FROM contact_tag").fetchone()[0]
    assert n in (0, 60_000)
    assert tags == 2 * n
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", "check", "--db", str(path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr


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

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.models.core import User
    from bizdesk.services import contacts, ledger, setup, stock
    from bizdesk.services.paging import PageRequest

    path = tmp_path / "old.db"
    old = open_store(str(path), user="tester", migrate=False)
    command.upgrade(alembic_config(old), "0002")
    with old.write() as uow:
        for key, value in (("company", "Old Shop"), ("currency", "EUR"), ("locale", "en_US")):
            uow.set_setting(key, value)
        uow.session.add(User(username="tester", role="owner"))  # its init made tester owner
        # a contact as bizdesk 0002 wrote it (today's model has more columns)
        uow.session.execute(
            text(
                "INSERT INTO contact (kind, name, sort_name, street, city, postcode, country, "
                "stage, is_customer, is_supplier, source, notes, archived, created_at, "
                "updated_at, updated_by, version) VALUES ('person', 'Kept Customer', "
                "'kept customer', '', 'București', '', 'RO', 'customer', 1, 0, '', '', 0, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'tester', 1)"
            )
        )
    old.dispose()
    store = open_store(str(path), user="tester")
    setup.ensure_initialized(store)
    with store.read() as uow:
        assert ledger.account_for(uow, "inventory").code == "1200"
        assert stock.default_location(uow).name == "Main"
        # migration 0006 folded the old row's search text: found without its accents
        found = contacts.list_page(uow, PageRequest(search="Bucuresti")).rows
        assert [r.name for r in found] == ["Kept Customer"]
    assert list((tmp_path / "backups").glob("*before-upgrade-0002*"))
    store.dispose()
