"""Who sees pay: owner and accountant see salaries, payroll lines, runs and payslips; the
other roles see employees without their pay (a view without the money, not a blank) and
are refused what is not theirs, with a sentence saying so."""

from __future__ import annotations

import pytest

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
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
