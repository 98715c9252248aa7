"""Employees, leave and the monthly payroll through the services: pro rata in working
days, hourly pay, every line rounded once to the cent, one entry per run that equals its
payslips, a month posted once, paying, reversing; `check` green and catching tampering."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bizdesk.errors import NotFound, ValidationError
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.models.people import PayLine
from bizdesk.services.books import ledger
from bizdesk.services.books.ledger import account_balance, account_for
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.people import employees, leave, payroll
from bizdesk.services.people.days import working_days
from bizdesk.services.people.employees import EmployeeInput
from tests.erp_helpers import errors
from tests.people_helpers import employee, lines


def _refused(fn, *args, **kw) -> dict:  # noqa: ANN001, ANN003
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kw)
    return {k: str(v) for k, v in exc.value.fields.items()}


def test_working_days_count_monday_to_friday() -> None:
    assert working_days(date(2026, 1, 1), date(2026, 1, 31)) == 22
    assert working_days(date(2026, 2, 1), date(2026, 2, 28)) == 20
    assert working_days(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert working_days(date(2026, 3, 6), date(2026, 3, 9)) == 2  # Friday to Monday
    assert working_days(date(2026, 3, 9), date(2026, 3, 8)) == 0


def test_employee_refusals_and_iban(store) -> None:  # noqa: ANN001
    eid = employee(store, "Ana Pop", iban="de89 3704 0044 0532 0130 00", job_title="Mechanic")
    with store.read() as uow:
        e = employees.get(uow, eid)
    assert e.iban == "DE89370400440532013000" and e.pay == Decimal("2500.00")
    with store.write() as uow:
        got = _refused(
            employees.add,
            uow,
            EmployeeInput(
                contact="Ana Pop",
                start_date="2026-02-30",
                pay="-1",
                pay_basis="weekly",
                iban="DE89 3704 0044 0532 0130 01",
                leave_days="1.5",
            ),
        )
    assert set(got) == {"contact", "start_date", "pay", "pay_basis", "iban", "leave_days"}
    assert "an employee already" in got["contact"] and "check digits" in got["iban"]
    with store.write() as uow:
        got = _refused(employees.end, uow, eid, "2025-12-31")
    assert "before the start" in got["end_date"]
    with store.read() as uow, pytest.raises(NotFound):
        employees.find_employee(uow, "Nobody")
    # a company (a supplier) is not taken on as an employee
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Metro Spoke Ltd", kind="organization"))
        got = _refused(employees.add, uow, EmployeeInput(contact="Metro Spoke Ltd", pay="100"))
    assert "an employee is a person" in got["contact"]
    # the basis changed and the pay not: 2,500.00 a month is not 2,500.00 an hour
    with store.write() as uow:
        now = employees.get(uow, eid)
        same = EmployeeInput(
            contact="Ana Pop", start_date="2026-01-01", pay="2500.00", pay_basis="hourly"
        )
        got = _refused(employees.update, uow, eid, same, version=now.version)
        assert "give the pay on that basis too" in got["pay"]
        hourly = EmployeeInput(
            contact="Ana Pop", start_date="2026-01-01", pay="15.50", pay_basis="hourly"
        )
        assert employees.update(uow, eid, hourly, version=now.version).pay == Decimal("15.50")


def test_an_employee_box_completes_names_and_never_picks_one_of_two(store) -> None:  # noqa: ANN001
    """The hours form's employee box took a whole name or a number, with no type-ahead; two
    employees of one name were read as the first. Names now complete as typed; a name two
    employees share is refused, naming their numbers."""
    maria = employee(store, "María López", pay_basis="hourly", pay="15")
    employee(store, "Mario Rossi")
    with store.read() as uow:
        assert sorted(employees.suggest_employees(uow, "mar")) == ["Mario Rossi", "María López"]
        assert employees.suggest_employees(uow, "MARIA") == []  # (its accent was not typed)
        assert employees.find_employee(uow, "maría lópez") == maria
    with store.write() as uow:  # another person of the same name
        cid = contacts.create(uow, ContactInput(name="María López", kind="person")).contact.id
        data = EmployeeInput(contact=f"#{cid}", start_date="2026-01-01", pay="2000")
        other = employees.add(uow, data).id
    with store.read() as uow, pytest.raises(NotFound) as err:
        employees.find_employee(uow, "María López")
    assert str(err.value.message) == (
        f"'María López' is 2 employees (#{maria}, #{other}): give the number"
    )
    with store.read() as uow:  # as the hours form names one: the name and the number
        assert employees.find_employee(uow, f"María López #{other}") == other
        assert employees.find_employee(uow, f"maria  lopez #{maria}") == maria
        with pytest.raises(NotFound) as other_s:
            employees.find_employee(uow, f"Mario Rossi #{maria}")  # another's number
        assert str(other_s.value) == (
            f"#{maria} is María López, not 'Mario Rossi'; give the employee's name or #number."
        )
    with store.read() as uow, pytest.raises(NotFound) as part:  # a part of a name: never a guess
        employees.find_employee(uow, "lopez")
    assert str(part.value.message) == (
        "No employee is named 'lopez': type the whole name or the number, such as "
        f"María López (#{maria}), María López (#{other})."
    )
    with store.read() as uow:  # and each example it gives is typed back as shown
        assert employees.find_employee(uow, f"María López (#{other})") == other
        assert employees.find_employee(uow, f"maria lopez(#{maria})") == maria
        with pytest.raises(NotFound) as other_s:  # another's number: neither is guessed
            employees.find_employee(uow, f"Mario Rossi (#{maria})")
        assert str(other_s.value) == (
            f"#{maria} is María López, not 'Mario Rossi'; give the employee's name or #number."
        )
        with pytest.raises(NotFound) as nobody:  # no such number: said as typed
            employees.find_employee(uow, "Mario Rossi (#99)")
        assert str(nobody.value) == "There is no employee 'Mario Rossi (#99)'."


def test_leave_days_overlap_employment_and_balance(store) -> None:  # noqa: ANN001
    eid = employee(store, "Ana Pop", leave_days="10", end_date="2026-06-30")
    with store.write() as uow:
        r = leave.request(uow, eid, "vacation", "2026-03-06", "2026-03-13")  # Fri..Fri
    assert r.days == 6 and r.state == "requested"
    with store.write() as uow:
        assert (
            "overlaps leave #1"
            in _refused(leave.request, uow, eid, "sick", "2026-03-13", "2026-03-16")["start_date"]
        )
        assert (
            "after the employment ends"
            in _refused(leave.request, uow, eid, "vacation", "2026-06-29", "2026-07-02")["end_date"]
        )
        assert (
            "before the employment began"
            in _refused(leave.request, uow, eid, "vacation", "2025-12-31")["start_date"]
        )
        assert (
            "no working day"
            in _refused(leave.request, uow, eid, "unpaid", "2026-03-21", "2026-03-22")["end_date"]
        )
        assert "must be one of" in _refused(leave.request, uow, eid, "party", "2026-04-01")["kind"]
        leave.approve(uow, r.id)
        big = leave.request(uow, eid, "vacation", "2026-04-06", "2026-04-10")  # 5 > 4 left
        assert "only 4 left of 10" in _refused(leave.approve, uow, big.id)["days"]
        leave.refuse(uow, big.id)
        assert "refused already" in _refused(leave.approve, uow, big.id)[""]
        # a refused request does not block the days
        leave.request(uow, eid, "sick", "2026-04-06", "2026-04-07")
    with store.read() as uow:
        b = leave.balance(uow, eid, 2026)
    assert (b.entitlement, b.taken, b.left, b.requested, b.sick) == (10, 6, 4, 0, 0)
    # a year before they came or after they left holds no days (it said 10 left in 2025)
    with store.read() as uow:
        before, after = leave.balance(uow, eid, 2025), leave.balance(uow, eid, 2027)
    assert (before.entitlement, before.left, after.entitlement, after.left) == (0, 0, 0, 0)


def test_a_month_pro_rata_hourly_and_exact_cents(store) -> None:  # noqa: ANN001
    lines(store)
    full = employee(store, "Ana Pop", pay="2500")
    starts = employee(store, "Bo Lee", start_date="2026-01-15", pay="3000.01")
    hourly = employee(store, "Cy Dan", pay_basis="hourly", pay="12.35")
    employee(store, "Di Gone", start_date="2025-01-01", end_date="2025-12-31")  # left: none
    employee(store, "Ed Later", start_date="2026-02-01")  # not yet: none
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-01", {"Cy Dan": "101.5"})
    assert run.label == "PR-00001" and [s.employee_id for s in run.slips] == [full, starts, hourly]
    a, b, c = run.slips
    assert a.gross == Decimal("2500.00") and (a.days_paid, a.days_month) == (22, 22)
    # 12 of 22 working days of 3000.01: 1636.3690... -> 1636.37 (rounded once)
    assert b.gross == Decimal("1636.37") and (b.days_paid, b.days_month) == (12, 22)
    # 101.5 h x 12.35 = 1253.525 -> 1253.52 (half-even)
    assert c.gross == Decimal("1253.52") and c.hours == Decimal("101.5")
    # each line once: 10 % of 1253.52 = 125.352 -> 125.35; 6.35 % = 79.59852 -> 79.60
    assert [(i.name, i.amount) for i in c.items] == [
        ("Income tax", Decimal("125.35")),
        ("Social security", Decimal("79.60")),
        ("Union fee", Decimal("12.00")),
        ("Employer social security", Decimal("374.80")),  # 374.80248
    ]
    assert c.deductions == Decimal("216.95") and c.net == Decimal("1036.57")
    assert run.gross == a.gross + b.gross + c.gross
    assert run.net == run.gross - run.deductions
    with store.write() as uow:
        posted = payroll.post(uow, run.id)
    assert posted.state == "posted" and posted.entry == "JE-1"
    with store.read() as uow:
        wages = account_balance(uow, account_for(uow, "wages").id)
        contrib = account_balance(uow, account_for(uow, "employer_contributions").id)
        payable = account_balance(uow, account_for(uow, "wages_payable").id)
        e = uow.session.scalar(select(JournalEntry).where(JournalEntry.number == 1))
        assert e.date == date(2026, 1, 31) and e.source_kind == "payroll_run"
        per_account = dict(
            uow.session.execute(
                select(Account.code, JournalLine.credit_minor - JournalLine.debit_minor)
                .join(Account, Account.id == JournalLine.account_id)
                .where(JournalLine.entry_id == e.id, Account.code == "2310")
            ).all()
        )
    assert wages == run.gross and contrib == run.contributions
    assert -payable == run.net
    assert per_account["2310"] == sum(
        int(i.amount * 100) for s in run.slips for i in s.items if i.name == "Income tax"
    )
    assert errors(store) == []


def test_posts_once_pays_once_and_reverses_through_the_journal(store) -> None:  # noqa: ANN001
    lines(store)
    employee(store, "Ana Pop")
    hourly = employee(store, "Cy Dan", pay_basis="hourly", pay="10")
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-02")
        assert (
            "has its payroll run already: PR-00001 (draft)"
            in _refused(payroll.create_run, uow, "2026-02")["month"]
        )
        said = _refused(payroll.post, uow, run.id)["hours"]
        assert "no hours in PR-00001; enter them (h on its page, or bizdesk payroll" in said
        payroll.set_hours(uow, run.id, f"#{hourly}", "80")
        assert _refused(payroll.set_hours, uow, run.id, "Ana Pop", "5")["hours"] == (
            "Ana Pop is paid monthly; hours are for hourly pay"  # (it named nobody)
        )
        assert "only a posted run is paid" in _refused(payroll.pay, uow, run.id, "bank")[""]
        # February's wages are February's cost (or a later month's), never January's
        assert _refused(payroll.post, uow, run.id, when="2026-01-31")["date"] == (
            "2026-01-31 is before 2026-02, the month this run pays: post it on a day of that "
            "month or later"
        )
        run = payroll.post(uow, run.id)
        assert _refused(payroll.post, uow, run.id)[""] == (  # one plain sentence
            "PR-00001 is posted already; only a draft run can be posted."
        )
        assert (
            "only a draft's hours change"
            in _refused(payroll.set_hours, uow, run.id, f"#{hourly}", "81")[""]
        )
        assert (
            "not an account payments go through"
            in _refused(payroll.pay, uow, run.id, "2310")["account"]
        )
    with store.write() as uow:
        rev = payroll.reverse(uow, run.id, when="2026-03-01")
    assert rev.state == "reversed"
    with store.read() as uow:  # the month names its reversed run until it runs again
        assert payroll.find_run(uow, "2026-02") == run.id
    with store.write() as uow:
        assert _refused(payroll.post, uow, run.id)[""] == (
            "PR-00001 is reversed; only a draft run can be posted."
        )
    assert errors(store) == []
    with store.write() as uow:  # the month runs again after the reversal
        again = payroll.create_run(uow, "2026-02", {f"#{hourly}": "80"})
        again = payroll.post(uow, again.id)
        # a run is dated its month's last day (posted today or not): paid from then on
        assert _refused(payroll.pay, uow, again.id, "cash", when="2026-02-20")["date"] == (
            "2026-02-20 is before the day the run is dated (2026-02-28): its pay is paid on "
            "that day or later; to pay it sooner, reverse the run and post the month's run "
            "again dated 2026-02-20 or before"
        )
        ahead = (date.today() + timedelta(days=1)).isoformat()  # a payment once it is made
        assert _refused(payroll.pay, uow, again.id, "cash", when=ahead)["date"] == (
            f"{ahead} is after today and after the day the run is dated (2026-02-28): a "
            "payment is recorded once it is made"
        )
        paid = payroll.pay(uow, again.id, "cash", when="2026-03-02")
    assert paid.amount == again.net and paid.run.state == "paid" and paid.run.paid == again.net
    with store.read() as uow:
        assert account_balance(uow, account_for(uow, "wages_payable").id) == 0
        assert account_balance(uow, account_for(uow, "cash").id) == -again.net
        assert payroll.find_run(uow, "2026-02") == again.id
    with store.write() as uow:
        assert "only a posted run" in _refused(payroll.pay, uow, again.id, "bank")[""]
        assert "only a posted run that is not paid" in _refused(payroll.reverse, uow, again.id)[""]
    assert errors(store) == []


def test_a_run_dated_after_today_is_paid_on_its_day_by_default(store) -> None:  # noqa: ANN001
    """This month's run is dated its last day: paid with no date given, the payment is dated
    that day (as a reversal is, and as the pay form proposes), not refused for being paid
    "today", before the day the run is dated (payroll run, post, pay on the 7th)."""
    employee(store, "Ana Pop")
    month = date.today().replace(day=1)
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, month.strftime("%Y-%m")).id)
    assert run.posted_on >= date.today()
    with store.write() as uow:
        paid = payroll.pay(uow, run.id, "bank")
    assert paid.run.state == "paid"
    with store.read() as uow:
        paid_on = uow.session.scalar(
            select(JournalEntry.date).where(JournalEntry.number == paid.entry_number)
        )
    assert paid_on == run.posted_on
    assert errors(store) == []


def test_hours_without_an_employee_say_the_employee_is_required(store) -> None:  # noqa: ANN001
    """The hours form's employee left empty: "required" on that field, not "There is no
    employee ''." above the form."""
    employee(store, "Cy Dan", pay_basis="hourly", pay="12.35")
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-01")
        assert _refused(payroll.set_hours, uow, run.id, "  ", "8") == {"employee": "required"}


def test_a_run_is_paid_employee_by_employee(store) -> None:  # noqa: ANN001
    """Ana in cash today, then the others by bank: each payslip paid whole, once; the run is
    paid when the last one is; a partly paid run is not reversed; check green throughout."""
    lines(store)
    ana = employee(store, "Ana Pop")
    bo = employee(store, "Bo Li", pay="1800")
    cy = employee(store, "Cy Dan", pay="2100")
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, "2026-02").id)
    net = {s.employee_id: s.net for s in run.slips}
    with store.write() as uow:
        first = payroll.pay(uow, run.id, "cash", employees=["Ana Pop"], when="2026-02-28")
    assert first.amount == net[ana] and first.run.state == "posted"
    assert first.run.shown_state == "partly paid"
    assert first.run.paid == net[ana]
    assert {s.employee_id: s.paid_entry for s in first.run.slips} == {
        ana: first.entry_label,
        bo: "",
        cy: "",
    }
    assert errors(store) == []
    with store.read() as uow:  # each employee's page says their own payslip's state
        assert payroll.employee_slips(uow, ana)[0][2] == "paid"
        assert payroll.employee_slips(uow, bo)[0][2] == "posted"
    with store.write() as uow:
        assert (
            f"PR-00001/{ana} was paid already: {first.entry_label} on "
            in _refused(payroll.pay, uow, run.id, "bank", employees=[f"#{ana}"])["employee"]
        )
        twice = _refused(payroll.pay, uow, run.id, "bank", employees=["Bo Li", f"#{bo}"])
        assert "named twice" in twice["employee"]
        with pytest.raises(NotFound):
            payroll.pay(uow, run.id, "bank", employees=["Nobody Here"])
        assert "is partly paid" in _refused(payroll.reverse, uow, run.id)[""]
    with store.write() as uow:
        rest = payroll.pay(uow, run.id, "bank", when="2026-03-02")  # everyone not paid yet
    assert rest.amount == net[bo] + net[cy] and rest.run.state == "paid"
    assert rest.run.paid == run.net == sum(net.values())
    with store.read() as uow:
        assert account_balance(uow, account_for(uow, "wages_payable").id) == 0
        assert account_balance(uow, account_for(uow, "cash").id) == -net[ana]
        assert account_balance(uow, account_for(uow, "bank").id) == -(net[bo] + net[cy])
    with store.write() as uow:
        assert "only a posted run is paid" in _refused(payroll.pay, uow, run.id, "bank")[""]
    assert errors(store) == []


def test_unpaid_leave_lowers_a_monthly_salary(store) -> None:  # noqa: ANN001
    eid = employee(store, "Ana Pop", pay="2200")
    with store.write() as uow:
        r = leave.request(uow, eid, "unpaid", "2026-03-02", "2026-03-03")
        leave.approve(uow, r.id)
        run = payroll.create_run(uow, "2026-03")
    s = run.slips[0]
    assert (s.days_paid, s.days_month) == (20, 22) and s.gross == Decimal("2000.00")


def test_refusals_of_runs_and_lines(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        assert "not a month" in _refused(payroll.create_run, uow, "2026-13")["month"]
        assert "nobody was employed" in _refused(payroll.create_run, uow, "2026-01")["month"]
        # not a month ahead: a typo of a year posted next year's wages and locked its leave
        this = date.today().replace(day=1)
        ahead = (this + timedelta(days=31)).replace(day=1)
        assert _refused(payroll.create_run, uow, f"{ahead:%Y-%m}")["month"] == (
            f"{ahead:%Y-%m} has not begun (this month is {this:%Y-%m}): a payroll is run for "
            "a month that has begun"
        )
        got = _refused(payroll.add_line, uow, payroll.PayLineInput("X", "bonus", "5", "3", "4000"))
        assert set(got) == {"kind", "percent", "account"}
        got = _refused(payroll.add_line, uow, payroll.PayLineInput("", "deduction", "101", "", ""))
        assert set(got) == {"name", "percent", "account"}
    lines(store)
    employee(store, "Ana Pop", pay="10")
    with store.write() as uow:
        assert (
            "there is a payroll line"
            in _refused(
                payroll.add_line,
                uow,
                payroll.PayLineInput("Union fee", "deduction", "", "1", "2320"),
            )["name"]
        )
        run = payroll.create_run(uow, "2026-01")
        assert "below zero" in _refused(payroll.post, uow, run.id)["net"]  # 12.00 fee > 10.00
    # a draft whose net is below zero (not postable yet: hours to come, a line to change)
    # is not a broken store: check said "paid 0 of a net -200"
    assert errors(store) == []
    with store.write() as uow:
        payroll.set_line_active(uow, "Union fee", False)
        payroll.refresh(uow, run.id)
        payroll.delete_draft(uow, run.id)
        # 10.00 less 1.00 and 0.635 -> 0.64 (half-even)
        assert payroll.create_run(uow, "2026-01").slips[0].net == Decimal("8.36")


def test_check_finds_a_changed_payslip(store, sqlite_only) -> None:  # noqa: ANN001
    lines(store)
    employee(store, "Ana Pop")
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, "2026-01").id)
    con = sqlite3.connect(store.url.removeprefix("sqlite:///"))
    con.execute("UPDATE payslip SET gross_minor = gross_minor + 1, net_minor = net_minor + 1")
    con.execute("UPDATE payroll_run SET paid_minor = 5")
    con.commit()
    con.close()
    found = errors(store)
    assert any(f.startswith("payroll-entry: payroll run #1") for f in found), found
    assert any(f.startswith("payroll-paid:") for f in found) and any(
        f.startswith("payroll-state:") for f in found
    )
    del run


def test_check_finds_a_payslip_paid_by_another_entry(store, sqlite_only) -> None:  # noqa: ANN001
    lines(store)
    employee(store, "Ana Pop")
    employee(store, "Bo Li", pay="1800")
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, "2026-01").id)
        payroll.pay(uow, run.id, "bank", employees=["Ana Pop"], when="2026-02-02")
    assert errors(store) == []
    con = sqlite3.connect(store.url.removeprefix("sqlite:///"))
    con.execute(  # Ana's payslip now names the run's own posting as its payment
        "UPDATE payslip SET paid_entry_id = (SELECT entry_id FROM payroll_run) "
        "WHERE paid_entry_id IS NOT NULL"
    )
    con.commit()
    con.close()
    found = errors(store)
    assert any(f.startswith("payslip-paid: payslip PR-1/1") for f in found), found


def test_a_store_from_before_names_each_paid_payslip_s_payment(tmp_path) -> None:  # noqa: ANN001
    """A store at 0022 with one run paid (one payment for all) and one posted: after the
    upgrade the paid run's payslips with net pay name that payment, the posted run's none,
    and the posted one is then paid employee by employee."""
    from alembic import command

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.services.admin import setup

    path = tmp_path / "old.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    lines(s)
    employee(s, "Ana Pop")
    employee(s, "Bo Li", pay="1800")
    with s.write() as uow:
        paid = payroll.post(uow, payroll.create_run(uow, "2026-01").id)
        payment = payroll.pay(uow, paid.id, "bank", when="2026-02-02")
        posted = payroll.post(uow, payroll.create_run(uow, "2026-02").id)
    command.downgrade(alembic_config(s), "0022")
    s.dispose()
    with sqlite3.connect(path) as conn:
        assert "paid_entry_id" not in {r[1] for r in conn.execute("PRAGMA table_info(payslip)")}
    s = open_store(str(path))
    with s.read() as uow:
        assert [x.paid_entry for x in payroll.get(uow, paid.id).slips] == [payment.entry_label] * 2
        assert [x.paid_entry for x in payroll.get(uow, posted.id).slips] == ["", ""]
    assert errors(s) == []
    with s.write() as uow:
        payroll.pay(uow, posted.id, "cash", employees=["Bo Li"], when="2026-03-02")
    assert errors(s) == []
    s.dispose()


def test_a_run_with_no_net_pay_is_not_paid_with_an_empty_entry(store) -> None:  # noqa: ANN001
    with store.write() as uow:  # an advance already paid: the whole salary is withheld
        payroll.add_line(uow, payroll.PayLineInput("Advance", "deduction", "", "1000", "2320"))
    employee(store, "Ana Pop", pay="1000")
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, "2026-01").id)
    assert run.net == 0
    with store.write() as uow:
        assert "PR-00001 has no net pay left to pay" in _refused(payroll.pay, uow, run.id)[""]
    assert errors(store) == []


def test_a_draft_changed_under_it_is_not_posted_until_computed_again(store) -> None:  # noqa: ANN001
    """Unpaid leave approved after the draft was made: posting the draft as it stood paid
    the days in full. It is refused, naming who changed, until computed again."""
    ana = employee(store, "Ana Pop", pay="2200")
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-03")
        r = leave.request(uow, ana, "unpaid", "2026-03-02", "2026-03-03")
        leave.approve(uow, r.id)
        got = _refused(payroll.post, uow, run.id)[""]
    assert "Ana Pop" in got and "bizdesk payroll refresh PR-00001" in got
    # someone employed in the month since the draft was made is missing from it
    bo = employee(store, "Bo Lee", start_date="2026-03-16", pay="3000")
    with store.write() as uow:
        assert "Ana Pop, Bo Lee" in _refused(payroll.post, uow, run.id)[""]
        again = payroll.refresh(uow, run.id)
    assert [(s.employee_id, s.gross) for s in again.slips] == [
        (ana, Decimal("2000.00")),
        (bo, Decimal("1636.36")),  # 12 of 22 working days
    ]
    with store.write() as uow:
        posted = payroll.post(uow, run.id)
    assert posted.gross == Decimal("3636.36")
    assert errors(store) == []


def test_a_posted_month_keeps_its_days(store) -> None:  # noqa: ANN001
    """What a posted run paid stays true: no unpaid leave in its month (asked for or
    approved), no employment dates moved in it; after the run is reversed, both may."""
    ana = employee(store, "Ana Pop", pay="2200")
    with store.write() as uow:
        early = leave.request(uow, ana, "unpaid", "2026-03-04")
        run = payroll.post(uow, payroll.create_run(uow, "2026-03").id)
        got = _refused(leave.request, uow, ana, "unpaid", "2026-03-30", "2026-04-01")
        assert "the payroll of 2026-03 is posted (PR-00001)" in got["start_date"]
        assert "PR-00001" in _refused(leave.approve, uow, early.id)["start_date"]
        # a vacation or sick day does not change pay
        leave.request(uow, ana, "sick", "2026-03-05")
        now = employees.get(uow, ana)
        got = _refused(employees.end, uow, ana, "2026-03-20")
        assert "the payroll of 2026-03 is posted" in got["end_date"]
        later = EmployeeInput(contact="Ana Pop", start_date="2026-03-02", pay="2200")
        got = _refused(employees.update, uow, ana, later, version=now.version)
        assert "reverse that run before changing the dates in 2026-03" in got["start_date"]
        # after the posted month, dates move freely
        assert employees.end(uow, ana, "2026-04-15").end_date == date(2026, 4, 15)
        payroll.reverse(uow, run.id)
        assert employees.end(uow, ana, "2026-03-20").end_date == date(2026, 3, 20)
        assert leave.approve(uow, early.id).state == "approved"
    assert errors(store) == []


def test_leave_is_approved_only_inside_the_employment(store) -> None:  # noqa: ANN001
    ana = employee(store, "Ana Pop")
    with store.write() as uow:
        r = leave.request(uow, ana, "vacation", "2026-06-01", "2026-06-05")
        employees.end(uow, ana, "2026-05-29")
        assert "after the employment ends" in _refused(leave.approve, uow, r.id)["end_date"]
        assert leave.refuse(uow, r.id).state == "refused"


def test_hours_are_given_once_per_employee(store) -> None:  # noqa: ANN001
    cy = employee(store, "Cy Dan", pay_basis="hourly", pay="12.35")
    with store.write() as uow:
        got = _refused(payroll.create_run, uow, "2026-01", [("Cy Dan", "100"), (f"#{cy}", "80")])
    assert "given twice" in got[f"#{cy}"]


@pytest.mark.parametrize(
    ("month", "said"),
    [
        ("", "a month is required (YYYY-MM)"),  # it said "'' is not a month; write it as 2026-11"
        ("  ", "a month is required (YYYY-MM)"),
        ("2026-1", "'2026-1' is not a month: write YYYY-MM, e.g. 2026-03"),
        ("2026-13", "'2026-13' is not a month: write YYYY-MM, e.g. 2026-03"),
    ],
)
def test_a_run_s_month_missing_or_malformed_is_said_so(store, month, said) -> None:  # noqa: ANN001
    employee(store, "Ana Pop")
    with store.write() as uow:
        assert _refused(payroll.create_run, uow, month)["month"] == said


def test_an_hourly_employee_who_worked_no_hours_is_paid_nothing_and_the_run_posts(
    store,  # noqa: ANN001
) -> None:
    """0 hours is an answer: it was taken and then the run refused to post "until hours are
    entered", which held up everyone's pay that month. Hours never given still hold it."""
    lines(store)
    employee(store, "Ana Pop")
    cy = employee(store, "Cy Dan", pay_basis="hourly", pay="10")
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-02")
        assert [s.hours for s in run.slips if s.pay_basis == "hourly"] == [None]
        assert "no hours in PR-00001" in _refused(payroll.post, uow, run.id)["hours"]
        run = payroll.set_hours(uow, run.id, f"#{cy}", "0")
        assert [s.hours for s in run.slips if s.pay_basis == "hourly"] == [Decimal("0")]
        posted = payroll.post(uow, run.id)
    assert posted.state == "posted"
    assert next(s for s in posted.slips if s.employee_id == cy).gross == 0
    with store.write() as uow:  # given when the run is made, 0 is taken the same way
        payroll.reverse(uow, run.id, when="2026-03-01")
        again = payroll.create_run(uow, "2026-02", {f"#{cy}": "0"})
        assert payroll.post(uow, again.id).state == "posted"
    assert errors(store) == []


def test_a_store_from_before_knows_which_hours_were_entered(tmp_path) -> None:  # noqa: ANN001
    """At 0027 a 0 meant "not entered": after the upgrade a draft's hourly payslip with hours
    is entered and one at 0 is not (its run still waits for them); a posted run's are."""
    from alembic import command

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.services.admin import setup

    path = tmp_path / "old.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    cy = employee(s, "Cy Dan", pay_basis="hourly", pay="10")
    bo = employee(s, "Bo Li", pay_basis="hourly", pay="12")
    with s.write() as uow:
        posted = payroll.post(uow, payroll.create_run(uow, "2026-01", {"#1": "3", "#2": "0"}).id)
        draft = payroll.create_run(uow, "2026-02", {f"#{cy}": "5"})
    command.downgrade(alembic_config(s), "0027")
    s.dispose()
    s = open_store(str(path))
    with s.read() as uow:
        assert [x.hours for x in payroll.get(uow, posted.id).slips] == [3, 0]
        assert {x.employee_id: x.hours for x in payroll.get(uow, draft.id).slips} == {
            cy: 5,
            bo: None,
        }
    with s.write() as uow:
        assert "Bo Li is paid by the hour" in _refused(payroll.post, uow, draft.id)["hours"]
    assert errors(s) == []
    s.dispose()


def test_an_employee_is_not_started_in_a_month_whose_payroll_is_posted(store) -> None:  # noqa: ANN001
    """Hired on 7 December after December's payroll was paid: the run could be neither made
    again nor reversed (paid), so they could never be paid for those days."""
    lines(store)
    employee(store, "Ana Pop")
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, "2026-02").id)
        contacts.create(uow, ContactInput(name="Gil Third", kind="person"))
        said = _refused(
            employees.add,
            uow,
            EmployeeInput(contact="Gil Third", start_date="2026-02-17", pay="100"),
        )
        assert said["start_date"] == (
            "the payroll of 2026-02 is posted (PR-00001) without them, so they would never be "
            "paid for it: start them after 2026-02, or reverse that run first"
        )
        started = employees.add(
            uow, EmployeeInput(contact="Gil Third", start_date="2026-03-01", pay="100")
        )
        assert started.start_date == date(2026, 3, 1)
        payroll.reverse(uow, run.id, when="2026-03-01")  # reversed: that month runs again
        contacts.create(uow, ContactInput(name="Hal Fourth", kind="person"))
        employees.add(uow, EmployeeInput(contact="Hal Fourth", start_date="2026-02-17", pay="1"))
    assert errors(store) == []


def test_a_user_is_one_employee(store) -> None:  # noqa: ANN001
    from bizdesk.services.admin import users

    with store.write() as uow:
        users.add(uow, "gil", "sales")
    one = employee(store, "Gil Third", user="gil")
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Hal Fourth", kind="person"))
        said = _refused(
            employees.add,
            uow,
            EmployeeInput(contact="Hal Fourth", start_date="2026-01-01", pay="1", user="gil"),
        )
        assert (
            said["user"] == f"gil is the user of Gil Third (#{one}) already: a user is one employee"
        )
        mine = employees.get(uow, one)  # saving the same employee again is not "another"
        again = employees.update(
            uow,
            one,
            EmployeeInput(user="gil", start_date="2026-01-01", pay="2500", leave_days="0"),
            version=mine.version,
        )
    assert again.user == "gil"


def test_a_year_s_vacation_days_are_not_fewer_than_it_has_approved(store) -> None:  # noqa: ANN001
    eid = employee(store, "Ana Pop", leave_days="10")
    with store.write() as uow:
        leave.approve(uow, leave.request(uow, eid, "vacation", "2026-03-09", "2026-03-13").id)
        now = employees.get(uow, eid)
        data = EmployeeInput(start_date="2026-01-01", pay="2500", leave_days="4")
        said = _refused(employees.update, uow, eid, data, version=now.version)
        assert said["leave_days"] == (
            "5 vacation days of 2026 are approved already: a year's days cannot be fewer"
        )
        data = EmployeeInput(start_date="2026-01-01", pay="2500", leave_days="5")
        assert employees.update(uow, eid, data, version=now.version).leave_days == 5


def test_hours_are_no_more_than_the_month_has(store) -> None:  # noqa: ANN001
    """744 hours were taken for every month: 31 days' worth, so November took 744."""
    cy = employee(store, "Cy Dan", pay_basis="hourly", pay="10")
    with store.write() as uow:
        said = _refused(payroll.create_run, uow, "2026-02", {f"#{cy}": "673"})
        assert said[f"#{cy}"] == "more hours than 2026-02 has (672)"
        run = payroll.create_run(uow, "2026-11", {f"#{cy}": "720"})
        assert _refused(payroll.set_hours, uow, run.id, f"#{cy}", "721")["hours"] == (
            "more hours than 2026-11 has (720)"
        )


@pytest.mark.parametrize("code", ["2000", "2100", "2200", "2300"])
def test_a_payroll_line_is_not_owed_to_an_account_bizdesk_keeps_for_itself(store, code) -> None:  # noqa: ANN001
    """Accounts payable, goods received not invoiced, VAT payable and wages payable are
    liabilities bizdesk posts to for its own purposes: a union fee on accounts payable was
    taken, and posting the run broke check (a payable line naming no supplier; GRNI no
    longer the goods not billed; wages payable holding more than the net pay)."""
    with store.write() as uow:
        got = _refused(
            payroll.add_line, uow, payroll.PayLineInput("Union fee", "deduction", "", "5", code)
        )
        assert "a liability account of its own" in got["account"], got
        assert uow.session.scalar(select(func.count()).select_from(PayLine)) == 0


def test_an_account_a_payroll_line_is_owed_to_is_not_archived_under_it(store) -> None:  # noqa: ANN001
    """Archiving 2310 while the income tax line was owed to it was taken, and the next run
    posted its withholding on the archived account (which takes no new lines). Switched
    off, the line no longer holds it."""
    lines(store)
    with store.write() as uow:
        tax = ledger.resolve_account(uow, "2310")
        with pytest.raises(ValidationError) as exc:
            ledger.set_account_archived(uow, tax.id)
        said = str(exc.value)
        assert said == (
            "the payroll line 'Income tax' is owed to 2310 Payroll tax withheld; switch that "
            "line off first"
        )
        assert tax.archived is False
        payroll.set_line_active(uow, "Income tax", False)
        assert ledger.set_account_archived(uow, tax.id).archived is True
        # nor is the line switched on again while its account is archived
        got = _refused(payroll.set_line_active, uow, "Income tax", True)
        assert got == {"account": "account 2310 Payroll tax withheld is archived"}


def test_leave_approved_by_mistake_is_withdrawn_and_its_days_are_free_again(store) -> None:  # noqa: ANN001
    """An approval made by mistake stayed forever: no request could be called off. An owner
    withdraws leave asked for or approved; its days leave the balance and may be asked for
    again; leave refused or withdrawn is not withdrawn (again)."""
    eid = employee(store, "Ana Pop", leave_days="10")
    with store.write() as uow:
        r = leave.request(uow, eid, "vacation", "2026-03-02", "2026-03-06")
        leave.approve(uow, r.id)
        asked = leave.request(uow, eid, "unpaid", "2026-05-04")
    with store.read() as uow:
        assert leave.balance(uow, eid, 2026).left == 5
    with store.write() as uow:
        assert leave.withdraw(uow, r.id).state == "withdrawn"
        assert leave.withdraw(uow, asked.id).state == "withdrawn"
        refused = leave.request(uow, eid, "sick", "2026-06-01")
        leave.refuse(uow, refused.id)
        for done in (r.id, refused.id):
            said = _refused(leave.withdraw, uow, done)[""]
            assert "only leave asked for or approved is withdrawn" in said, said
        again = leave.request(uow, eid, "vacation", "2026-03-02", "2026-03-06")  # no overlap
    with store.read() as uow:
        b = leave.balance(uow, eid, 2026)
        assert (b.taken, b.requested, b.left) == (0, 5, 10)
        assert again.state == "requested"
    with store.write() as uow, pytest.raises(NotFound):
        leave.withdraw(uow, 999)
