"""bizdesk migrate-to: a SQLite store copied into an empty PostgreSQL database."""

from __future__ import annotations

import os

import pytest

from bizdesk.db import open_store
from bizdesk.errors import StoreError
from bizdesk.services.admin import setup
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.admin.transfer import migrate_to
from bizdesk.services.books import ledger_reports
from bizdesk.services.demo import shop as demo
from bizdesk.services.overview.search import find
from tests.test_cli import bizdesk

pytestmark = pytest.mark.skipif(
    not os.environ.get("BIZDESK_TEST_PG_URL"), reason="needs BIZDESK_TEST_PG_URL (PostgreSQL)"
)


def test_demo_store_moves_to_postgresql_whole(tmp_path, pg_server) -> None:  # noqa: ANN001
    source = open_store(str(tmp_path / "demo.db"))  # the OS user: the CLI below acts as them
    setup.ensure_initialized(source)
    demo.generate(source, "small")
    url = pg_server.new_database(empty=True)
    try:
        r = bizdesk("migrate-to", url, "--db", str(tmp_path / "demo.db"))
        assert r.returncode == 0, r.stdout + r.stderr
        assert "checks pass on both" in r.stdout
        rep_lines = [ln for ln in r.stdout.splitlines() if "->" in ln]
        assert rep_lines and not any("MISMATCH" in ln for ln in rep_lines)
        target = open_store(url)
        assert [v for v in run_checks(target) if v.severity == "error"] == []
        with source.read() as a, target.read() as b:
            assert ledger_reports.trial_balance(a) == ledger_reports.trial_balance(b)
            assert find(a, "JE-1") == find(b, "JE-1")
        with target.write() as uow:  # the id sequences moved past the copied rows
            from bizdesk.services.crm import contacts as C

            C.create(uow, C.ContactInput(name="After the move"))
        target.dispose()
        # a second copy into the now full database is refused, nothing touched
        with pytest.raises(StoreError, match="is not empty"):
            migrate_to(source, url)
        r = bizdesk("migrate-to", url, "--db", str(tmp_path / "demo.db"))
        assert r.returncode == 1 and "is not empty" in r.stderr
    finally:
        source.dispose()
        pg_server.drop(url)
