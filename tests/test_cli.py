"""The command line contract (DESIGN section 7), run as a user would run it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_process

CONTACTS = (
    "name,email,city,country,tags,roles\n"
    "Ann Buyer,ann@example.com,Leeds,GB,vip,customer\n"
    "Ben Seller,ben@example.com,York,GB,,supplier\n"
)


def bizdesk(
    *args: str, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    return cli_process.run(list(args), input=stdin, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture
def db(tmp_path, cli_template) -> str:  # noqa: ANN001
    """A new store, as `bizdesk init --company "Test Cycles" --currency eur` makes it."""
    from tests.conftest import copy_sqlite_store

    path = str(tmp_path / "shop.db")
    copy_sqlite_store(cli_template, path)
    return path


def test_init_refuses_twice_and_bad_currency(db, tmp_path):
    again = bizdesk("init", "--db", db)
    assert again.returncode == 1, again.stderr  # it said "this store is already set up": which?
    assert f"{db} is set up already, for Test Cycles; nothing was changed" in again.stderr
    bad = bizdesk("init", "--db", str(tmp_path / "other.db"), "--currency", "XXQ")
    assert bad.returncode == 1 and "currency" in bad.stderr


def test_import_export_round_trip_and_dry_run(db, tmp_path):
    dry = bizdesk("import", "contacts", "-", "--dry-run", "--db", db, stdin=CONTACTS)
    assert dry.returncode == 0 and "2 contacts would be created" in dry.stdout
    ok = bizdesk("import", "contacts", "-", "--db", db, stdin=CONTACTS)
    assert "2 contacts were created" in ok.stdout
    out = tmp_path / "out.csv"
    exp = bizdesk("export", "contacts", "--db", db, "-o", str(out))
    assert exp.returncode == 0
    odd = tmp_path / "out\x1b]0;x\x07.csv"  # said with its codes, not as a title change
    exp = bizdesk("export", "contacts", "--db", db, "-o", str(odd))
    assert exp.stderr == f"2 rows written to {tmp_path}/out<U+001B>]0;x<U+0007>.csv\n", exp.stderr
    again = bizdesk("import", "contacts", str(out), "--db", db)
    assert "0 contacts were created, 0 updated, 2 unchanged" in again.stdout


def test_import_errors_exit_1_with_line_numbers(db):
    r = bizdesk("import", "contacts", "-", "--db", db, stdin="name,email\n,x@y.z\nB,nope\n")
    assert r.returncode == 1
    assert "line 2: name: required" in r.stderr and "line 3: email:" in r.stderr
    assert "Traceback" not in r.stderr
    cols = bizdesk("import", "contacts", "--help")
    assert "postcode" in cols.stdout


def test_reports_in_three_formats_with_decimal_strings(db):
    bizdesk("demo", "--db", db, "--force")
    j = json.loads(bizdesk("report", "pipeline", "--db", db, "--format", "json").stdout)
    assert j["report"] == "pipeline" and j["rows"][0]["stage"] == "New"
    assert isinstance(j["totals"]["amount"], str) and "." in j["totals"]["amount"]
    csv_out = bizdesk("report", "tickets-sla", "--db", db, "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("priority,tickets,open")
    seg = json.loads(
        bizdesk("report", "segments", "--by", "country", "--db", db, "--format", "json").stdout
    )
    assert seg["by"] == "country" and sum(r["contacts"] for r in seg["rows"]) >= 200
    table = bizdesk("report", "pipeline", "--db", db)
    assert "Weighted" in table.stdout


def test_usage_errors_exit_2(db):
    assert bizdesk("report", "nonsense", "--db", db).returncode == 2
    assert bizdesk("report", "pipeline", "--format", "xml", "--db", db).returncode == 2
    assert bizdesk("frobnicate").returncode == 2


def test_an_option_given_twice_or_empty_is_refused_not_guessed(db):
    """`--amount 5 --amount 6` would pay 6 and `--amount "$UNSET"` the whole invoice: both
    are refused before anything is read or written (exit 2, as any usage error)."""
    for args, said in (
        (("--from", "2026-01-01", "--from", "2026-02-01"), "--from is given twice"),
        (("--as-of", ""), "is empty: give a value, or leave the option out"),
        (("--as-of", "  "), "is empty"),
    ):
        r = bizdesk("report", "trial-balance", *args, "--db", db)
        assert r.returncode == 2 and said in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    r = bizdesk("--db", db, "--db", db, "check")
    assert r.returncode == 2 and "--db is given twice" in r.stderr
    # before the command and after it: the second used to win without a word
    r = bizdesk("--db", db, "report", "trial-balance", "--db", db + ".other")
    assert r.returncode == 2 and "--db is given twice" in r.stderr, r.stderr
    r = bizdesk("new", "payment", "--amount", "5", "--amount", "6", "--db", db, stdin="{}")
    assert r.returncode == 2 and "--amount is given twice" in r.stderr
    # a flag twice says the same thing twice: it is no guess
    again = bizdesk("import", "contacts", "-", "--dry-run", "--dry-run", "--db", db, stdin=CONTACTS)
    assert again.returncode == 0, again.stderr


def test_a_period_that_ends_before_it_starts_is_refused(db):
    r = bizdesk("report", "profit-loss", "--from", "2026-11-30", "--to", "2026-11-01", "--db", db)
    assert r.returncode == 1
    assert "to: the end of the period is before its start" in r.stderr
    ok = bizdesk("report", "profit-loss", "--from", "2026-11-01", "--to", "2026-11-01", "--db", db)
    assert ok.returncode == 0


def test_db_position_and_environment_variable(db):
    assert bizdesk("--db", db, "check").returncode == 0
    r = bizdesk("report", "pipeline", "--format", "json", env={"BIZDESK_DB": db})
    assert json.loads(r.stdout)["report"] == "pipeline"
    loc = bizdesk("locate", "--db", db)
    assert db in loc.stdout and "backups" in loc.stdout


def _folder(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file in a folder: its size, its modification time and its bytes."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(path.iterdir())
    }


def _started_with(args: tuple[str, ...], *, stdin, stdout) -> tuple[int, bytes]:  # noqa: ANN001
    """bizdesk's exit status and standard error, started with the given
    standard input and output (a pipe, a file, /dev/null or one side of a pseudo-terminal)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", *args],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "BIZDESK_DB": "", "TERM": "xterm-256color"},
    )
    try:
        _, err = proc.communicate(timeout=60)  # the interface would wait for keys: a timeout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


def test_the_screens_without_a_terminal_are_refused_as_bad_usage_and_touch_nothing(db, tmp_path):
    """From cron, a script, ssh without -t, or with its output sent into a file, the
    interface is not started (it drew its escape codes into the pipe or the file and waited
    for keys that could not come): one sentence says why and what works without a terminal,
    exit 2 (bad usage), and the store and its folder are exactly as they were (it was
    opened first: its -wal and -shm were made beside it)."""
    folder = Path(db).parent
    before = _folder(folder)
    for args, env in (
        (("--db", db), {}),
        (("--db=" + db,), {}),
        ((), {"BIZDESK_DB": db}),
        (("--db", str(folder / "missing.db")), {}),
    ):
        r = bizdesk(*args, stdin="", env=env)
        assert r.returncode == 2 and r.stdout == "", (args, r.returncode, r.stderr)
        said = r.stderr.strip()
        assert said.startswith("The full-screen interface of bizdesk needs a terminal"), said
        assert "nothing was changed" in said and "bizdesk report" in said
        assert "bizdesk --help" in said and "\n" not in said and "\x1b" not in said
        assert _folder(folder) == before
    main, sub = os.openpty()
    try:
        out = tmp_path / "out.txt"
        with open(out, "wb") as into:  # a terminal to type in, the output into a file
            code, err = _started_with(("--db", db), stdin=sub, stdout=into)
        assert code == 2 and out.read_bytes() == b"", (code, err)
        assert err.startswith(b"The full-screen interface of bizdesk needs a terminal"), err
        out.unlink()
        # no input (</dev/null, as from cron) though the output is a terminal
        code, err = _started_with(("--db", db), stdin=subprocess.DEVNULL, stdout=sub)
        assert code == 2 and b"needs a terminal" in err, (code, err)
        os.set_blocking(main, False)
        try:
            drawn = os.read(main, 65536)
        except BlockingIOError:
            drawn = b""
        assert b"\x1b" not in drawn, drawn
    finally:
        os.close(main)
        os.close(sub)
    assert _folder(folder) == before


def test_demo_refuses_non_empty_store_without_force(db):
    assert bizdesk("demo", "--db", db).returncode == 0
    again = bizdesk("demo", "--db", db)
    assert again.returncode == 1 and "--force" in again.stderr


def test_check_backup_restore_and_audit(db, tmp_path):
    bizdesk("import", "contacts", "-", "--db", db, stdin=CONTACTS)
    assert bizdesk("check", "--db", db).returncode == 0
    dest = tmp_path / "copy.db"
    assert bizdesk("backup", str(dest), "--db", db).returncode == 0
    bizdesk("import", "contacts", "-", "--db", db, stdin="name\nLater Person\n")
    assert bizdesk("restore", str(dest), "--db", db).returncode == 0
    names = [
        c["name"]
        for c in json.loads(bizdesk("export", "contacts", "--format", "json", "--db", db).stdout)
    ]
    assert "Later Person" not in names and "Ann Buyer" in names
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    bad = bizdesk("restore", str(junk), "--db", db)
    assert bad.returncode == 1 and "not a bizdesk store" in bad.stderr
    audit = json.loads(bizdesk("audit", "--db", db, "--format", "json").stdout)
    assert any(e["entity"] == "import" for e in audit)
    assert {e["user"] for e in audit} == {bizdesk_user()}
    # CSV as the format says (it printed the table): the JSON's rows, one a line
    rows = list(csv.DictReader(io.StringIO(bizdesk("audit", "--db", db, "--format", "csv").stdout)))
    assert [(int(r["id"]), r["entity"], r["action"]) for r in rows] == [
        (e["id"], e["entity"], e["action"]) for e in audit
    ]


def test_a_db_given_before_the_command_wins_over_the_environment(db, tmp_path) -> None:  # noqa: ANN001
    """`BIZDESK_DB=A bizdesk --db B lock-date ...` locks B, never A (the variable used to
    fill the command's own --db and overrule the one given before it); an empty variable
    is refused, never taken for the default store."""
    import shutil

    other = str(tmp_path / "other.db")
    shutil.copy(db, other)
    r = bizdesk("--db", other, "lock-date", "2026-10-31", env={"BIZDESK_DB": db})
    assert r.returncode == 0, r.stderr
    assert bizdesk("lock-date", "--db", other).stdout == "Locked up to 2026-10-31\n"
    assert bizdesk("lock-date", "--db", db).stdout == "No lock date\n"
    assert bizdesk("lock-date", env={"BIZDESK_DB": other}).stdout == "Locked up to 2026-10-31\n"
    empty = bizdesk("lock-date", env={"BIZDESK_DB": ""})
    assert empty.returncode == 1 and "$BIZDESK_DB is empty" in empty.stderr


def bizdesk_user() -> str:
    from bizdesk.identity import os_username

    return os_username()


def test_check_finds_a_broken_invariant(db):
    import sqlite3

    bizdesk("import", "contacts", "-", "--db", db, stdin=CONTACTS)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE contact SET email = 'Ann@Example.COM' WHERE id = 1")
        conn.execute("INSERT INTO contact_tag (contact_id, tag) VALUES (2, 'LOUD')")
    r = bizdesk("check", "--db", db)
    assert r.returncode == 1
    assert "contact #1: email" in r.stderr and "tag 'LOUD'" in r.stderr


def test_users_list(db):
    r = bizdesk("users", "list", "--db", db)
    assert bizdesk_user() in r.stdout and "owner" in r.stdout


def test_pipeline_and_sla_are_configurable_from_the_command_line(db):
    assert bizdesk("pipeline", "add", "Demo ride", "45", "--db", db).returncode == 0
    listed = bizdesk("pipeline", "list", "--db", db).stdout
    assert listed.index("Demo ride") < listed.index("Won")
    assert (
        bizdesk("pipeline", "set", "demo ride", "--probability", "50", "--db", db).returncode == 0
    )
    assert "50" in bizdesk("pipeline", "list", "--db", db).stdout
    bad = bizdesk("pipeline", "set", "Demo ride", "--probability", "150", "--db", db)
    assert bad.returncode == 1 and "between 0 and 100" in bad.stderr
    assert bizdesk("pipeline", "remove", "Won", "--db", db).returncode == 1
    assert bizdesk("pipeline", "remove", "Demo ride", "--db", db).returncode == 0
    assert "Demo ride" not in bizdesk("pipeline", "list", "--db", db).stdout

    assert bizdesk("sla", "set", "urgent", "2", "6", "--db", db).returncode == 0
    shown = bizdesk("sla", "show", "--db", db).stdout
    urgent = next(ln for ln in shown.splitlines() if "urgent" in ln)
    assert [c.strip() for c in urgent.strip("│ ").split("│")] == ["urgent", "2", "6"]
    refused = bizdesk("sla", "set", "urgent", "9", "1", "--db", db)
    assert refused.returncode == 1 and "first response" in refused.stderr
    refused = bizdesk("sla", "set", "urgent", "-1", "6", "--db", db)  # not "no such option"
    assert refused.returncode == 1 and "urgent: must not be negative" in refused.stderr
    assert (
        bizdesk("sla", "hours", "mon-sat", "08:00", "18:00", "Europe/Berlin", "--db", db).returncode
        == 0
    )
    # shown as the command takes them (not as JSON): it can be typed back
    said = bizdesk("sla", "show", "--db", db).stdout
    assert "Business hours: mon-sat 08:00 18:00 Europe/Berlin" in said
    set_ = bizdesk("sla", "hours", "mon,wed,fri-sun", "08:00", "18:00", "--db", db).stdout
    # without a zone: the shop's, which is the hours' own until the shop names one
    assert set_.strip() == "Business hours set: mon,wed,fri-sun 08:00 18:00 Europe/Berlin"
    wrong = bizdesk("sla", "hours", "funday", "8am", "18:00", "--db", db)
    assert wrong.returncode == 1 and "days" in wrong.stderr and "start" in wrong.stderr


def test_migrate_to_a_server_not_there_names_that_server(db) -> None:  # noqa: ANN001
    """It said "Cannot reach the store /path/shop.db": the store that was there."""
    target = "postgresql+psycopg://shop:secret@127.0.0.1:1/books"  # port 1: nobody listens
    r = bizdesk("migrate-to", target, "--db", db)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr.startswith("Cannot reach the store postgresql+psycopg://shop:***@127.0.0.1"), (
        r.stderr
    )
    assert db not in r.stderr and "secret" not in r.stderr


def test_report_help_names_every_grouping_of_every_report():
    """`report --help` names what each grouped report takes after --by, as the services
    have it (it left out sales-analysis's segment), and a statement's two sides."""
    from bizdesk.services.overview.analysis import GROUPINGS
    from bizdesk.services.overview.reports import STATEMENT_SIDES

    said = " ".join(bizdesk("report", "--help", env={"COLUMNS": "400"}).stdout.split())
    for name, keys in {**GROUPINGS, "statement": STATEMENT_SIDES}.items():
        assert f"{name}: {', '.join(keys)}" in said, name
