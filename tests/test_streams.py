"""Standard output closed (cron, a daemon, ``>&-``), its reader gone (``| head``), its disk
full (``> /dev/full``): the real program, run by a shell, says so in one sentence or goes
quietly, never with a traceback (bizdesk.streams)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("sqlite_only")

BIZDESK = f"{shlex.quote(sys.executable)} -m bizdesk"


def shell(line: str, *, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``line`` run by bash (so ``>&-`` and ``| head`` are as a user types them)."""
    return subprocess.run(
        ["/bin/bash", "-c", line],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "BIZDESK_DB": ""},
    )


def no_traceback(r: subprocess.CompletedProcess) -> None:
    out = r.stdout + r.stderr
    assert "Traceback" not in out and 'File "' not in out, out
    assert "unexpected error" not in out, out


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> str:  # noqa: ANN001
    path = tmp_path_factory.mktemp("streams") / "shop.db"
    r = shell(f"{BIZDESK} demo --db {path}")
    assert r.returncode == 0, r.stderr
    return str(path)


@pytest.mark.parametrize(
    "args",
    ["check", "report trial-balance", "report trial-balance --format json", "--help", "locate"],
)
def test_output_to_a_closed_standard_output_is_one_sentence_and_exit_1(shop, args):
    db = "" if args == "--help" else f" --db {shop}"
    r = shell(f"{BIZDESK} {args}{db} >&-")
    no_traceback(r)
    assert r.returncode == 1, r.stderr
    assert "Standard output is closed" in r.stderr, r.stderr
    assert "Nothing in the store was changed" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_change_made_before_the_output_failed_is_said_to_be_saved(shop):
    r = shell(f"{BIZDESK} users add streamer --role viewer --db {shop} >&-")
    no_traceback(r)
    assert r.returncode == 1, r.stderr
    assert "is saved" in r.stderr and "Nothing in the store" not in r.stderr, r.stderr
    listed = shell(f"{BIZDESK} users list --db {shop}")
    assert "streamer" in listed.stdout


def test_a_command_that_writes_nothing_there_is_untouched_by_a_closed_output(shop, tmp_path):
    r = shell(f"{BIZDESK} report no-such-report --db {shop} >&-")
    no_traceback(r)
    assert r.returncode == 2  # bad usage, said on stderr as ever
    missing = tmp_path / "missing.db"
    r = shell(f"{BIZDESK} check --db {missing} 2>&1 >&- | cat")
    no_traceback(r)
    assert "There is no store at" in r.stdout and "Standard output" not in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        "report general-ledger",
        "report general-ledger --format csv",
        "report general-ledger --format json",
        "export journal",
        "audit --limit 0",  # all: nothing said on stderr of events left out
        "audit --limit 0 --format csv",
    ],
)
def test_a_reader_that_goes_away_leaves_the_commands_own_exit_status(shop, args):
    r = shell(f'{BIZDESK} {args} --db {shop} | head -1 >/dev/null; echo "${{PIPESTATUS[0]}}"')
    no_traceback(r)
    assert r.stdout.strip() == "0", r.stderr
    assert r.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", ["report trial-balance", "report general-ledger --format csv"])
def test_a_full_disk_under_standard_output_is_not_told_as_the_stores(shop, args):
    r = shell(f"{BIZDESK} {args} --db {shop} > /dev/full")
    no_traceback(r)
    assert r.returncode == 1
    assert "disk that standard output goes to is full" in r.stderr, r.stderr
    assert "Nothing in the store was changed" in r.stderr
    assert shop not in r.stderr  # the store's disk is not the full one
