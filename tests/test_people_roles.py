"""Who sees pay: owner and accountant see salaries, payroll lines, runs and payslips; the
other roles see employees without their pay (a view without the money, not a blank) and
are refused what is not theirs, with a sentence saying so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.models.ledger import JournalEntry
from bizdesk.services.admin import users
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.people import employees, leave, payroll
from tests.people_helpers import employee, lines


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    lines(store)
    ana = employee(store, "Ana Pop", pay="2500", iban="DE89370400440532013000", leave_days="20")
    with store.write() as uow:
        for role in ("accountant", "sales", "support", "warehouse", "viewer"):
            users.add(uow, f"a_{role}", role)
        run = payroll.create_run(uow, "2026-01")
    return store, ana, run.id


def _as(store: Store, role: str) -> Store:
    return Store(url=store.url, engine=store.engine, user=f"a_{role}")


@pytest.mark.parametrize("role", ["sales", "support", "warehouse", "viewer"])
def test_others_see_employees_without_pay(shop, role) -> None:  # noqa: ANN001
    store, ana, run_id = shop
    other = _as(store, role)
    with other.read() as uow:
        e = employees.get(uow, ana)
        listed = employees.page(uow, PageRequest()).rows
        bal = leave.balance(uow, ana, 2026)
    assert e.name == "Ana Pop" and e.pay is None and e.iban is None and e.leave_days == 20
    assert [r.pay for r in listed] == [None] and bal.entitlement == 20
    for call in (
        lambda uow: payroll.get(uow, run_id),
        lambda uow: payroll.list_lines(uow),
        lambda uow: payroll.list_runs(uow),
        lambda uow: payroll.find_slip(uow, "PR-00001/1"),
        lambda uow: payroll.employee_slips(uow, ana),
    ):
        with other.read() as uow, pytest.raises(PermissionDenied) as exc:
            call(uow)
        assert "Seeing salaries, payroll lines and payslips is not allowed" in str(exc.value)
    for call in (
        lambda uow: payroll.post(uow, run_id),
        lambda uow: payroll.create_run(uow, "2026-02"),
        lambda uow: employees.end(uow, ana, "2026-12-31"),
        lambda uow: leave.approve(uow, 1),
    ):
        with other.write() as uow, pytest.raises(PermissionDenied):
            call(uow)


def test_accountant_sees_and_runs_pay_but_does_not_approve_leave(shop) -> None:  # noqa: ANN001
    store, ana, run_id = shop
    acc = _as(store, "accountant")
    with acc.write() as uow:
        assert employees.get(uow, ana).pay is not None
        run = payroll.post(uow, run_id)
        payroll.pay(uow, run.id, "bank", when="2026-02-01")
        r = leave.request(uow, ana, "vacation", "2026-05-04")
    with acc.write() as uow, pytest.raises(PermissionDenied) as exc:
        leave.approve(uow, r.id)
    assert "Approving or refusing leave is not allowed for your role (accountant)" in str(exc.value)


def test_staff_ask_for_their_own_leave_only(shop) -> None:  # noqa: ANN001
    store, ana, _run = shop
    bo = employee(store, "Bo Lee", user="a_sales")
    sales = _as(store, "sales")
    with sales.write() as uow:
        mine = leave.request(uow, bo, "sick", "2026-03-02")
        with pytest.raises(ValidationError) as exc:
            leave.request(uow, ana, "vacation", "2026-03-02")
    assert mine.state == "requested" and "for yourself only" in str(exc.value)
    with _as(store, "viewer").write() as uow, pytest.raises(PermissionDenied):
        leave.request(uow, bo, "sick", "2026-03-03")
    with store.write() as uow:  # the owner decides
        assert leave.approve(uow, mine.id).state == "approved"


def test_the_journal_sums_the_payroll_for_whom_may_not_see_pay(store) -> None:  # noqa: ANN001
    """Posting a run credits Wages payable once per employee, with the employee as contact
    and the payslip as memo; paying debits it the same way. A viewer reads the journal, the
    general ledger, an account's lines and the journal export: each shows those lines summed
    per account and side, without the person, and the books' totals unchanged. The owner
    sees every line."""
    import io

    from bizdesk.services.books import ledger, ledger_reports
    from bizdesk.services.exchange import erp_exports

    lines(store)
    employee(store, "Ana Pop", pay="2500")
    employee(store, "Bo Lee", pay="1800")
    with store.write() as uow:
        users.add(uow, "a_viewer", "viewer")
        run = payroll.post(uow, payroll.create_run(uow, "2026-01").id)
        payroll.pay(uow, run.id, "bank", when="2026-02-02")
        payable = ledger.account_for(uow, "wages_payable").id
        made = uow.session.scalars(
            select(JournalEntry.id)
            .where(JournalEntry.source_kind.in_(ledger.PAYROLL_SOURCES))
            .order_by(JournalEntry.id)
        ).all()
    nets = {s.employee_id: s.net for s in run.slips}
    assert len(set(nets.values())) == 2 and run.net == sum(nets.values()) and len(made) == 2

    def seen(who: Store) -> dict:
        with who.read() as uow:
            entries = [ledger.get_entry(uow, i) for i in made]
            lines_ = ledger.account_lines(uow, payable, PageRequest(limit=50)).rows
            gl = list(ledger_reports.general_ledger(uow, account_id=payable))
            csv, hledger = io.StringIO(), io.StringIO()
            erp_exports.export(uow, "journal", csv)
            erp_exports.export(uow, "journal", hledger, "ledger")
        return {
            "entries": entries,
            "payable": [(r.contact, r.debit, r.credit) for r in lines_],
            "gl": [(r.contact, r.debit, r.credit) for r in gl],
            "text": csv.getvalue() + hledger.getvalue(),
        }

    mine, theirs = seen(store), seen(_as(store, "viewer"))
    # the owner: a line per employee, named
    assert sorted(r[2] for r in mine["payable"] if r[2]) == sorted(nets.values())
    assert {r[0] for r in mine["payable"]} == {"Ana Pop", "Bo Lee"}
    assert "Ana Pop" in mine["text"] and not mine["entries"][0].pay_summed
    # the viewer: one line each way, the run's net pay, no one named
    assert theirs["payable"] == [("", 0, run.net), ("", run.net, 0)]
    assert theirs["gl"] == theirs["payable"]
    for entry, owner_entry in zip(theirs["entries"], mine["entries"], strict=True):
        assert entry.pay_summed and entry.pay_people == 2  # (the page says over how many)
        assert entry.total_debit == owner_entry.total_debit
        assert entry.total_credit == owner_entry.total_credit
        assert all(not ln.contact and not ln.contact_id and not ln.memo for ln in entry.lines)
        assert len(entry.lines) == len({(ln.account_id, bool(ln.debit)) for ln in entry.lines})
    assert "Ana Pop" not in theirs["text"] and "Bo Lee" not in theirs["text"]
    for net in nets.values():
        assert f"{net:.2f}" not in theirs["text"]
        assert all(net not in (ln.debit, ln.credit) for e in theirs["entries"] for ln in e.lines)
    assert f"{run.net:.2f}" in theirs["text"]
