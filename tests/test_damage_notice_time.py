"""The notice for a damaged or empty store names when the newest good backup was written.
That moment is said as the notice is shown: in the date form of the person reading it and in
the shop's time zone (read from the shop's settings without opening the store as one), and,
where the shop's zone cannot be known, in this machine's, named. It was written out as the
fault was found, before the person's language and the shop's zone were known: the command
line and a cold start of the interface said "2026-12-06 19:45" (ISO, UTC) where a start that
drew Home from kept figures said "07.12.2026 02:45". Real stores, real processes, a real
pseudo-terminal."""

from __future__ import annotations

import fcntl
import getpass
import os
import random
import re
import sqlite3
import struct
import subprocess
import sys
import termios
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_start import ESCAPES, _read_until
from tests.test_store_files import MANY

pytestmark = pytest.mark.usefixtures("sqlite_only")

WRITTEN = datetime(2026, 12, 6, 19, 45, tzinfo=UTC)  # 02:45 on the 7th in Vietnam
ENV = {"BIZDESK_DB": "", "LANG": "C.UTF-8", "LC_ALL": "", "LANGUAGE": "", "TZ": "UTC"}


def bizdesk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
        env={**os.environ, **ENV},
    )


def _ok(*args: str, stdin: str | None = None) -> str:
    r = bizdesk(*args, stdin=stdin)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _backup(db: Path) -> Path:
    """A backup of ``db``, written (as its file says) at WRITTEN."""
    found = re.search(r"(/\S+\.db)", _ok("backup", "--db", str(db)))
    backup = Path(found.group(1))
    os.utime(backup, (WRITTEN.timestamp(), WRITTEN.timestamp()))
    return backup


@pytest.fixture
def damaged_shop(tmp_path: Path) -> tuple[Path, Path]:
    """A Romanian shop in Vietnam's time zone, whose owner reads bizdesk in Romanian; a
    backup of it; then noise in the middle of its contacts, found by ``check`` (from then
    on the store opens read-only, its settings still readable)."""
    db = tmp_path / "shop.db"
    _ok("init", "--db", str(db), "--locale", "ro_RO", "--currency", "RON", "--company", "Zona")
    _ok("shop", "set", "timezone", "Asia/Ho_Chi_Minh", "--db", str(db))
    _ok("users", "set-language", getpass.getuser(), "ro", "--db", str(db))
    _ok("import", "contacts", "-", "--db", str(db), stdin=MANY)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    backup = _backup(db)
    with open(db, "r+b") as fh:  # 2 KB of noise among the contacts, the header intact
        fh.seek(db.stat().st_size * 6 // 10)
        fh.write(random.Random(7).randbytes(2048))
    r = bizdesk("check", "--db", str(db))
    assert r.returncode == 1 and str(db) in r.stderr, r.stdout + r.stderr
    return db, backup


def test_the_command_line_says_when_the_backup_was_written_as_the_person_and_shop_do(
    damaged_shop,
):
    db, backup = damaged_shop
    r = bizdesk("report", "trial-balance", "--db", str(db))
    said = " ".join(r.stderr.split())
    assert f"bizdesk restore {backup} --db {db}" in said, said
    assert "(scrisă la 07.12.2026 02:45)" in said, said  # in Romanian, Vietnam's time
    assert "2026-12-06" not in said and "19:45" not in said


def test_the_interface_says_it_the_same_way_on_a_cold_start(damaged_shop, tmp_path):
    db, _ = damaged_shop
    cache = tmp_path / "cache"  # no Home kept from an earlier look: the cold start
    main, sub = os.openpty()
    fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", "--db", str(db)],
        stdin=sub,
        stdout=sub,
        stderr=sub,
        env={**os.environ, **ENV, "TERM": "xterm-256color", "XDG_CACHE_HOME": str(cache)},
        start_new_session=True,
    )
    os.close(sub)
    seen = bytearray()
    try:
        _read_until(main, seen, b"bizdesk restore")
        _read_until(main, seen, b"02:45")
        os.write(main, b"\x11")  # ctrl+q
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    text = ESCAPES.sub(b"", bytes(seen)).decode(errors="replace")
    assert "07.12.2026 02:45" in text, text[-2000:]
    assert "2026-12-06 19:45" not in text and "Traceback" not in text


def test_an_empty_store_names_the_machines_zone_where_the_shops_is_not_known(tmp_path):
    """A store file emptied (0 bytes): its settings are gone with it, so the time is this
    machine's, and the notice says which zone that is."""
    db = tmp_path / "shop.db"
    _ok("init", "--db", str(db))
    backup = _backup(db)
    os.truncate(db, 0)
    for side in tmp_path.glob("shop.db-*"):
        side.unlink()
    r = bizdesk("report", "trial-balance", "--db", str(db))
    assert r.returncode == 1, r.stderr
    said = " ".join(r.stderr.split())
    assert f"(written 2026-12-06 19:45 UTC): bizdesk restore {backup}" in said, said
