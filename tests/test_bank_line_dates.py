"""Statement lines stored with a day bizdesk does not accept (an import refuses them; an older
bizdesk, or a hand in the store, did not): `bizdesk check` names each, and reconciliation
leaves it out instead of stopping on it. Real SQLite files, the rows written with sqlite3."""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import Static

from bizdesk.app import BizdeskApp
from bizdesk.config import sqlite_path
from bizdesk.db import Store
from bizdesk.errors import ValidationError
from bizdesk.i18n import use
from bizdesk.screens.bank import ReconcileScreen
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.proposals import proposals
from bizdesk.services.banking.statements import import_statement, remove_statement
from bizdesk.services.base.paging import PageRequest
from bizdesk.widgets.paged_table import PagedTable
from tests.bank_files import camt053
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)
from tests.tui_helpers import SIZE, settle, wait_for

AFTER = "; reconciliation leaves it out: remove its statement #1 (bizdesk bank remove-statement 1) and import the bank's file again"  # noqa: E501
OUTSIDE = "is outside the dates bizdesk accepts (1900-01-01 to 2199-12-31)"


def _write(path: str, sql: str) -> None:
    """What no service writes, as an older bizdesk or a hand would have."""
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    conn.close()


def _dates(store: Store) -> list[str]:
    use("en")
    return [str(v.message) for v in run_checks(store) if v.check == "bank-line-date"]


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        ("2250-06-01", f"its booking day 2250-06-01 {OUTSIDE}"),
        ("1850-01-01", f"its booking day 1850-01-01 {OUTSIDE}"),
        ("0001-01-01", f"its booking day 0001-01-01 {OUTSIDE}"),  # (proposals overflowed)
        ("10000-01-01", "its booking day '10000-01-01' is not a day"),  # (cannot be loaded)
        ("2026-02-30", "its booking day '2026-02-30' is not a day"),
    ],
)
def test_a_line_stored_with_a_day_bizdesk_does_not_accept(
    store: Store, sqlite_only: None, stored: str, said: str
) -> None:
    """`bizdesk check` passed such a line; the reconciliation lists stopped on an unexpected
    error (ValueError) at a day that cannot be loaded, or said "a number is too large"."""
    with store.write() as uow:
        import_statement(uow, camt053(), account="1010", filename="day.xml")
    assert _dates(store) == []
    _write(sqlite_path(store.url), f"UPDATE bank_line SET booked_on = '{stored}' WHERE id = 2")
    found = [v for v in run_checks(store) if v.check == "bank-line-date"]
    assert [(str(v.message), v.severity) for v in found] == [
        (f"bank line #2: {said}{AFTER}", "error")
    ]
    with store.read() as uow:  # the line left out, the other still there to match
        page = reconcile.line_page(uow, PageRequest(filters={"state": "open"}))
        assert [r.id for r in page.rows] == [1]
        assert [p.line_id for p in proposals(uow, "1010")] == [1]
        assert reconcile.lines_left_out(uow) == 1 and reconcile.lines_left_out(uow, "1000") == 0
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.match_account(uow, "2", "6300")
    assert str(refused.value) == (
        "line #2 holds a day bizdesk does not accept; it cannot be matched (bizdesk check "
        "names it: remove its statement and import the bank's file again)"
    )
    with store.write() as uow:  # the way out the finding gives
        reconcile.auto(uow)
        remove_statement(uow, "1")
    assert _dates(store) == []


def test_a_matched_line_whose_day_cannot_be_read_is_refused_an_undo_with_the_way_out(
    store: Store, sqlite_only: None
) -> None:
    """`bank undo` of a matched line whose day became one that cannot be read stopped on an
    unexpected error (ValueError); its statement cannot be removed (a line is matched), so
    the way out is a backup from before: said, and nothing is undone. A line of a year out
    of range is undone, and its statement removed, as the check says."""
    from sqlalchemy import select

    from bizdesk.models.banking import BankLine

    with store.write() as uow:
        import_statement(uow, camt053(), account="1010", filename="day.xml")
        reconcile.match_account(uow, "2", "6300")
    _write(sqlite_path(store.url), "UPDATE bank_line SET booked_on = '2026-02-30' WHERE id = 2")
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.undo(uow, "2")
    assert str(refused.value) == (
        "line #2 holds a day bizdesk does not accept, so its match cannot be undone (bizdesk "
        "check names it): put back a backup from before its day was changed (bizdesk restore)"
    )
    with store.read() as uow:  # nothing undone: the line is still matched to its entry
        assert uow.session.scalar(select(BankLine.entry_id).where(BankLine.id == 2)) is not None
    _write(sqlite_path(store.url), "UPDATE bank_line SET booked_on = '2250-06-01' WHERE id = 2")
    with store.write() as uow:
        reconcile.undo(uow, "2")
        remove_statement(uow, "1")
    assert _dates(store) == []


def test_a_value_date_is_checked_too_and_said_as_the_shop_writes_dates(
    store: Store, sqlite_only: None
) -> None:
    with store.write() as uow:
        import_statement(uow, camt053(), account="1010", filename="day.xml")
    _write(sqlite_path(store.url), "UPDATE bank_line SET value_on = '2250-06-01' WHERE id = 1")
    use("es", "es_ES")
    try:
        found = [str(v.message) for v in run_checks(store) if v.check == "bank-line-date"]
    finally:
        use("en")
    assert len(found) == 1, found
    assert "#1" in found[0] and "01/06/2250" in found[0] and "31/12/2199" in found[0], found


def test_the_cli_check_fails_and_reconcile_lists_the_others(db, tmp_path) -> None:  # noqa: ANN001
    camt = tmp_path / "day.xml"
    camt.write_bytes(camt053())
    r = bizdesk("bank", "import", str(camt), "--account", "1010", "--db", db)
    assert r.returncode == 0, r.stderr
    _write(db, "UPDATE bank_line SET booked_on = '2026-02-30' WHERE id = 2")
    check = bizdesk("check", "--db", db)
    assert check.returncode == 1, check.stdout + check.stderr
    assert (
        f"error: bank-line-date: bank line #2: its booking day '2026-02-30' is not a day{AFTER}"
        in check.stderr
    ), check.stdout + check.stderr
    rec = bizdesk("bank", "reconcile", "--db", db)
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert "Traceback" not in rec.stderr and "unexpected" not in rec.stderr
    listed = [t for t in rec.stdout.splitlines() if t.startswith("#")]
    assert [t.split()[0] for t in listed] == ["#1"], rec.stdout
    assert rec.stdout.rstrip().endswith(
        "1 line holds a day bizdesk does not accept and is left out; 'bizdesk check' names it."
    ), rec.stdout
    auto = bizdesk("bank", "reconcile", "--auto", "--db", db)
    assert auto.returncode == 0 and "unexpected" not in auto.stderr, auto.stderr
    es = {"LANGUAGE": "es", "LC_ALL": "", "LANG": "es_ES.UTF-8"}
    _write(db, "UPDATE bank_line SET booked_on = '2250-06-01' WHERE id = 2")
    check = bizdesk("check", "--db", db, env=es)
    assert check.returncode == 1
    said = [t for t in check.stderr.splitlines() if "bank-line-date" in t]
    assert len(said) == 1 and "#2" in said[0] and "01/06/2250" in said[0], check.stderr


async def test_the_reconcile_screen_lists_the_other_lines(store: Store, sqlite_only: None) -> None:
    """The screen's list and the proposals of the line under the cursor: the day that cannot
    be loaded stopped the list ("Could not load the list") or the screen."""
    with store.write() as uow:
        import_statement(uow, camt053(), account="1010", filename="day.xml")
    _write(sqlite_path(store.url), "UPDATE bank_line SET booked_on = '2026-02-30' WHERE id = 1")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        assert isinstance(app.screen, ReconcileScreen)
        table = app.screen.query_one(PagedTable)
        await wait_for(pilot, app, lambda: table.page_data is not None, "the list")
        assert [r.id for r in table.page_data.rows] == [2]
        assert "No proposal" in str(app.screen.query_one("#proposals", Static).render())
        assert not [n for n in app._notifications if n.severity == "error"]
