"""Product, stock-count and journal imports check every row before they write (issues 10
and 12): the write lock is not held while a file is read and checked, the journal's entries
wait on disk rather than in memory, the problems listed are the first ones by line (and how
many more), and the journal import says what a hand-typed entry would say, from the same
rules in ``ledger``."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest

from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.exchange import erp_imports, journal_import
from bizdesk.services.inventory import levels, products
from tests.erp_helpers import errors

HEADER = "entry,date,account,debit,credit,memo,contact\n"


def bizdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args], capture_output=True, text=True, timeout=300
    )


class Feed:
    """A CSV file that arrives a line at a time: the test decides when each line is there
    and can wait until the importer has taken every line given so far."""

    def __init__(self) -> None:
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.given = self.taken = 0
        self.changed = threading.Condition()

    def give(self, *lines: str) -> None:
        for line in lines:
            self.given += 1
            self.lines.put(line.encode())

    def end(self) -> None:
        self.lines.put(None)

    def __iter__(self):  # noqa: ANN204
        while (line := self.lines.get(timeout=300)) is not None:
            with self.changed:
                self.taken += 1
                self.changed.notify_all()
            yield line

    def wait_all_taken(self, deadline: float = 120) -> None:
        end = time.monotonic() + deadline
        with self.changed:
            while self.taken < self.given:
                assert self.changed.wait(end - time.monotonic()), "the importer stopped reading"


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "shop.db")
    r = bizdesk("init", "--db", path, "--company", "Test Cycles")
    assert r.returncode == 0, r.stderr
    return path


@pytest.mark.parametrize("kind", ["products", "stock-count"])
def test_another_writer_is_not_kept_waiting_while_products_or_counts_are_checked(db, kind):
    store = open_store(db)
    n = 400
    if kind == "stock-count":
        skus = "".join(f"P{i},Part {i}\n" for i in range(n + 1))
        assert erp_imports.import_products(store, "sku,name\n" + skus).created == n + 1
    header, row = {
        "products": ("sku,name,sale_price\n", "P{0},Part {0},{0}.50\n"),
        "stock-count": ("sku,counted,reason\n", "P{0},{0},first count\n"),
    }[kind]
    run = {"products": erp_imports.import_products, "stock-count": erp_imports.import_stock_count}
    feed, result, failed = Feed(), [], []

    def importer() -> None:
        try:
            result.append(run[kind](store, feed))
        except BaseException as exc:  # reported by the test below
            failed.append(exc)

    worker = threading.Thread(target=importer)
    worker.start()
    try:
        feed.give(header, *(row.format(i) for i in range(n)))
        feed.wait_all_taken()  # the importer has checked n rows and waits for more
        other = bizdesk("locations", "add", "Back room", "--db", db)
        assert worker.is_alive() and not failed  # still in the middle of the file
        assert other.returncode == 0, other.stderr  # and the other writer saved, not "busy"
        feed.give(row.format(n))
    finally:
        feed.end()
        worker.join(timeout=300)
    assert not failed, failed
    if kind == "products":
        assert (result[0].created, result[0].updated) == (n + 1, 0)
    else:
        assert (result[0].created, result[0].skipped) == (n, 1)  # P0 counted 0: as it was
    assert "Back room" in bizdesk("locations", "list", "--db", db).stdout
    assert errors(store) == []


def test_a_product_saved_meanwhile_is_checked_again_in_the_write(store, monkeypatch):
    checked = erp_imports._check_products
    calls = []

    def check_then_someone_saves(uow, rows):  # noqa: ANN001, ANN202
        calls.append(uow)
        plan = checked(uow, rows)
        if len(calls) == 1:  # another writer, between the check and the write
            with store.write() as other:
                products.create_product(other, products.ProductInput(sku="NEW-2", name="Theirs"))
        return plan

    monkeypatch.setattr(erp_imports, "_check_products", check_then_someone_saves)
    r = erp_imports.import_products(store, "sku,name\nNEW-1,One\nNEW-2,Two\n")
    assert len(calls) == 2  # checked again, now, inside the write
    assert (r.created, r.updated) == (1, 1)  # NEW-2 exists now: the file updates it
    with store.read() as uow:
        assert products.resolve_product(uow, "NEW-2").name == "Two"
    assert errors(store) == []


def test_a_bad_file_never_takes_the_write_lock_and_writes_nothing(store):
    with pytest.raises(ValidationError) as exc:
        erp_imports.import_products(store, "sku,name,sale_price\nA,One,1\nB,,x\n")
    assert "line 3: name" in str(exc.value) and "line 3: sale_price" in str(exc.value)
    with store.read() as uow:
        assert products.list_products(uow, PageRequest(limit=5)).rows == []


# --- the journal: entries on disk, problems capped, one set of rules ---------------------------


def test_entries_whose_lines_come_back_later_are_taken_up_where_they_were_left(store, monkeypatch):
    monkeypatch.setattr(journal_import, "STAGE_BATCH", 50)  # entries go to disk every 50
    n = 400
    first = "".join(f"E{i},2026-03-{1 + i % 28:02d},1010,{i + 1}.25,,Till {i},\n" for i in range(n))
    second = "".join(f"E{i},2026-03-{1 + i % 28:02d},4000,,{i + 1}.25,,\n" for i in range(n))
    assert journal_import.import_journal(store, HEADER + first + second).created == n
    with store.read() as uow:
        page = ledger.list_entries(uow, PageRequest(limit=n + 1, sort="number"))
        rows = {r.label: r for r in page.rows}
    assert len(rows) == n
    assert rows["JE-1"].memo == "Till 0" and rows[f"JE-{n}"].memo == f"Till {n - 1}"
    assert str(rows["JE-30"].date) == "2026-03-02" and rows["JE-30"].amount == Decimal("30.25")
    assert errors(store) == []  # balanced, numbered without gaps, both chains verify
    # a date that differs in the part of an entry that came back: said against its first line
    bad = second.replace("E7,2026-03-08", "E7,2026-03-09")
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, HEADER + first + bad)
    assert f"line {n + 9}: date: entry E7 started on 2026-03-08 on line 9" in str(exc.value)


def test_the_problems_listed_are_the_first_by_line_and_the_rest_are_counted(store):
    lines = "".join(
        f"E{i},2026-03-01,1010,1.00,,,\nE{i},2026-03-01,4000,,2.00,,\n" for i in range(300)
    )
    lines += "".join(f"F{i},2026-03-01,9999,1.00,,,\n" for i in range(500))
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, HEADER + lines)
    shown = exc.value.fields["file"].splitlines()
    assert len(shown) == 201
    numbers = [int(s.split(":")[0].removeprefix("line ")) for s in shown[:200]]
    assert numbers == sorted(numbers) and numbers[0] == 2  # E0 on line 2: the first problem
    assert shown[0].startswith("line 2: entry E0: debits 1.00 and credits 2.00 differ by -1.00")
    # 300 unbalanced entries, 500 unknown accounts and 500 entries of one line: 1,300
    assert shown[-1] == "... and 1100 more problems"


def test_the_import_says_what_the_entry_form_says(store):
    """Lock date, balance, archived and controlled accounts, two lines: one rule each, in
    ledger; the import and an entry typed by hand give the same reason."""
    with store.write() as uow:
        ledger.set_lock_date(uow, "2026-10-31")
        old = ledger.add_account(uow, "6999", "Old costs", "expense")
        ledger.set_account_archived(uow, old.id)

    def typed(when: str, *lines: tuple[str, str, str]) -> str:
        with pytest.raises(ValidationError) as exc, store.write() as uow:
            e = ledger.create_draft(
                uow, ledger.EntryInput(when, "", [ledger.LineInput(*ln) for ln in lines])
            )
            ledger.post(uow, e.id, version=e.version)
        return " ".join(exc.value.fields.values())

    def imported(text: str) -> str:
        with pytest.raises(ValidationError) as exc:
            journal_import.import_journal(store, HEADER + text)
        return exc.value.fields["file"]

    cases = [
        ("2026-10-30", ("1010", "5", ""), ("3000", "", "5")),  # locked
        ("2026-11-02", ("1010", "5", ""), ("3000", "", "4")),  # unbalanced
        ("2026-11-02", ("6999", "5", ""), ("3000", "", "5")),  # archived
        ("2026-11-02", ("1200", "5", ""), ("3000", "", "5")),  # controlled
        ("2026-11-02", ("1010", "5", "5"), ("3000", "", "5")),  # debit and credit
        ("2026-11-02", ("1010", "5", "")),  # one line
    ]
    for when, *lines in cases:
        said = typed(when, *lines)
        text = "".join(f"A,{when},{a},{d},{c},,\n" for a, d, c in lines)
        assert said and said in imported(text), (said, imported(text))
    with store.read() as uow:
        assert ledger_reports.trial_balance(uow)[0] == []


def test_only_people_who_may_change_products_and_stock_import_them(store):
    from bizdesk.db.session import Store
    from bizdesk.errors import PermissionDenied
    from bizdesk.services.admin import users

    with store.write() as uow:
        users.add(uow, "sam", "sales")
        products.create_product(uow, products.ProductInput(sku="A", name="One"))
    sam = Store(url=store.url, engine=store.engine, user="sam")
    with pytest.raises(PermissionDenied):
        erp_imports.import_products(sam, "sku,name\nB,Two\n")
    with pytest.raises(PermissionDenied), sam.write() as uow:  # the older form: a unit
        erp_imports.import_products(uow, "sku,name\nB,Two\n")
    with pytest.raises(PermissionDenied):
        erp_imports.import_stock_count(sam, "sku,counted\nA,1\n")
    with store.read() as uow:
        assert levels.on_hand(uow, 1) == 0
        assert [p.sku for p in products.list_products(uow, PageRequest(limit=5)).rows] == ["A"]


def _post_by_hand(store, day: str, amount: str) -> None:  # noqa: ANN001
    """An entry typed and posted (cash in, capital), as from the Journal tab."""
    with store.write() as uow:
        lines = [ledger.LineInput("1010", amount), ledger.LineInput("3000", "", amount)]
        ledger.save_and_post(uow, ledger.EntryInput(day, "", lines))


def test_imported_entries_carry_the_links_check_computes_in_any_time_zone(
    new_store, backend, monkeypatch
):
    """The import links its entries from the values it writes, not from a read-back: the
    time of posting in UTC whatever zone the PostgreSQL session is in (here Ho Chi Minh
    City's, seven hours from UTC), each entry's lines in file order even when they come back
    later in the file, and the chain goes on from entries posted by hand before it and into
    those posted after."""
    monkeypatch.setenv("PGTZ", "Asia/Ho_Chi_Minh")  # libpq sets each session's zone from it
    store = new_store()
    if backend == "pg":
        from sqlalchemy import text

        with store.read() as uow:
            assert uow.session.execute(text("SHOW TIME ZONE")).scalar() == "Asia/Ho_Chi_Minh"
    _post_by_hand(store, "2026-11-01", "5")
    rows = (
        "A,2026-11-02,1010,1.50,,Först,\n"
        "B,2026-11-03,1010,2,,,\n"
        "A,2026-11-02,3000,,1.00,line memo,\n"
        "B,2026-11-03,3000,,2,,\n"
        "A,2026-11-02,3000,,0.50,,\n"
    )
    assert journal_import.import_journal(store, HEADER + rows).posted == "JE-2–JE-3"
    _post_by_hand(store, "2026-11-04", "1")
    assert errors(store) == []  # both chains verify, from JE-1 to JE-4
    with store.read() as uow:
        page = ledger.list_entries(uow, PageRequest(limit=5, sort="number"))
        a = ledger.get_entry(uow, next(r.id for r in page.rows if r.label == "JE-2"))
    assert [(ln.debit, ln.credit, ln.memo) for ln in a.lines] == [
        (Decimal("1.50"), 0, "Först"),
        (0, Decimal("1.00"), "line memo"),
        (0, Decimal("0.50"), ""),
    ]


def test_an_import_after_entries_posted_in_the_same_transaction_is_linked_after_them(store):
    """Inside one transaction (as the demo shop is made) entries posted by hand before an
    import are not linked yet when it writes: the seal then links all of them, in order."""
    with store.one_transaction():
        _post_by_hand(store, "2026-11-01", "5")
        rows = "A,2026-11-02,1010,1.50,,,\nA,2026-11-02,3000,,1.50,,\n"
        assert journal_import.import_journal(store, HEADER + rows).posted == "JE-2"
    assert errors(store) == []
