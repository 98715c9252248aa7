"""`bizdesk employees|leave|payroll` through the real command line: what they print, JSON
with amounts as strings, refusals as one sentence and exit 1, bad usage exit 2."""

from __future__ import annotations

import json

import pytest

from bizdesk.db import open_store
from bizdesk.services.admin import setup
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from tests.test_cli import bizdesk


@pytest.fixture
def shop(tmp_path) -> str:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    with s.write() as uow:
        for name in ("Ana Pop", "Cy Dan"):
            contacts.create(uow, ContactInput(name=name, kind="person"))
    s.dispose()
    return path


def _ok(*args: str) -> str:
    r = bizdesk(*args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_month_of_payroll_from_the_command_line(shop) -> None:  # noqa: ANN001
    out = _ok(
        "employees", "add", "Ana Pop", "--start", "2026-01-01", "--pay", "2500",
        "--job", "Mechanic", "--iban", "DE89 3704 0044 0532 0130 00", "--leave-days", "22",
        "--db", shop,
    )  # fmt: skip
    assert "#1 Ana Pop, Mechanic, since 2026-01-01: 2,500.00 a month" in out
    assert "Leave days a year: 22" in out
    out = _ok("employees", "add", "Cy Dan", "--start", "2026-01-15", "--basis", "hourly",
              "--pay", "12.35", "--db", shop)  # fmt: skip
    assert "Leave days a year: 0" in out  # none given: said, not left unseen
    _ok("payroll", "add-line", "Income tax", "--percent", "10", "--account", "2310", "--db", shop)
    _ok("payroll", "add-line", "Employer SS", "--kind", "contribution", "--percent", "29.9",
        "--account", "2320", "--db", shop)  # fmt: skip
    lines = json.loads(_ok("payroll", "lines", "--format", "json", "--db", shop))
    assert lines[0] == {
        "name": "Income tax",
        "kind": "deduction",
        "percent": "10",
        "amount": None,
        "account": "2310",
        "active": True,
    }
    run = json.loads(
        _ok("payroll", "run", "2026-01", "--hours", "Cy Dan=40", "--format", "json", "--db", shop)
    )
    assert run["number"] == "PR-00001" and run["state"] == "draft"
    assert [s["gross"] for s in run["payslips"]] == ["2500.00", "494.00"]
    assert run["net"] == "2694.60" and run["contributions"] == "895.21"
    out = _ok("payroll", "post", "PR-00001", "--db", shop)
    assert "Posted JE-1" in out
    # a day before the run's is refused, named as the option typed (the service's field
    # is "date", the command's parameter "when")
    early = bizdesk("payroll", "pay", "2026-01", "--date", "2026-01-20", "--db", shop)
    assert early.returncode == 1 and early.stderr.startswith(
        "--date: 2026-01-20 is before the day the run is dated (2026-01-31)"
    ), early.stderr
    out = _ok("payroll", "pay", "2026-01", "--account", "1000", "--employee", "Cy Dan",
              "--date", "2026-02-01", "--db", shop)  # fmt: skip
    assert "PR-00001: 444.60 paid, posted JE-2" in out
    assert "partly paid" in _ok("payroll", "list", "--db", shop)
    twice = bizdesk("payroll", "pay", "2026-01", "--employee", "#2", "--db", shop)
    assert twice.returncode == 1 and "Traceback" not in twice.stderr
    assert "PR-00001/2 was paid already: JE-2 on 2026-02-01" in twice.stderr
    assert "JE-2" in _ok("payroll", "show", "PR-00001", "--db", shop)
    again = bizdesk("payroll", "post", "PR-00001", "--db", shop)  # said as an order's state is
    assert again.returncode == 1
    assert again.stderr.strip() == "PR-00001 is posted already; only a draft run can be posted."
    out = _ok(
        "payroll", "pay", "2026-01", "--account", "1000", "--date", "2026-02-01", "--db", shop
    )
    assert "PR-00001: 2,250.00 paid, posted JE-3" in out
    shown = json.loads(_ok("payroll", "show", "PR-00001", "--format", "json", "--db", shop))
    assert [s["paid_entry"] for s in shown["payslips"]] == ["JE-3", "JE-2"]
    listed = json.loads(_ok("payroll", "list", "--format", "json", "--db", shop))
    assert listed == [
        {
            "number": "PR-00001",
            "month": "2026-01",
            "state": "paid",
            "employees": 2,
            "gross": "2994.00",
            "net": "2694.60",
            "paid": "2694.60",
        }
    ]
    # net pay is named as pay is, not as an invoice's amount before tax ("Thành tiền")
    vi = {"LANG": "vi_VN.UTF-8", "LANGUAGE": "", "LC_ALL": "", "COLUMNS": "200"}
    heads = bizdesk("payroll", "list", "--db", shop, env=vi).stdout
    assert "Thực" in heads and "Thành" not in heads, heads  # (headings fold at a space)
    shown = json.loads(_ok("employees", "show", "Ana Pop", "--format", "json", "--db", shop))
    assert shown["pay"] == "2500.00" and shown["payslips"][0]["number"] == "PR-00001/1"
    out = _ok("leave", "request", "#1", "vacation", "2026-03-02", "2026-03-04", "--db", shop)
    assert "Leave #1: Ana Pop, vacation, 2026-03-02 to 2026-03-04, 3 working days" in out
    one = bizdesk("leave", "request", "#1", "sick", "2026-03-05", "--db", shop,
                  env={"LANG": "ro_RO.UTF-8", "LANGUAGE": "", "LC_ALL": ""})  # fmt: skip
    # one day takes the singular's own form: "1 zi", not "1 zile"
    assert "05.03.2026 – 05.03.2026, 1 zi lucrătoare" in one.stdout, one.stdout + one.stderr
    _ok("leave", "approve", "1", "--db", shop)
    bal = json.loads(_ok("leave", "balance", "Ana Pop", "--year", "2026", "--format", "json",
                         "--db", shop))  # fmt: skip
    assert (bal["taken"], bal["left"]) == (3, 19)
    # approved by mistake: withdrawn, its days free again (there was no way to)
    out = _ok("leave", "withdraw", "1", "--db", shop)
    assert out.startswith("Leave #1: Ana Pop, vacation,") and out.strip().endswith("withdrawn")
    listed = json.loads(_ok("leave", "list", "--state", "withdrawn", "--format", "json",
                            "--db", shop))  # fmt: skip
    assert [r["number"] for r in listed] == [1]
    again = bizdesk("leave", "withdraw", "1", "--db", shop)
    assert again.returncode == 1 and "only leave asked for or approved" in again.stderr
    assert "All checks passed" in _ok("check", "--db", shop)


def test_refusals_are_one_sentence(shop) -> None:  # noqa: ANN001
    r = bizdesk("employees", "add", "Ana Pop", "--pay", "abc", "--iban", "XX00", "--db", shop)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "--start: required" in r.stderr and "not a valid IBAN" in r.stderr
    r = bizdesk("payroll", "run", "2026-1", "--db", shop)
    assert r.returncode == 1 and "'2026-1' is not a month: write YYYY-MM, e.g. 2026-03" in r.stderr
    r = bizdesk("payroll", "run", "2026-01", "--hours", "40", "--db", shop)
    assert r.returncode == 2 and "EMPLOYEE=HOURS" in r.stderr
    r = bizdesk("payroll", "show", "PR-9", "--db", shop)
    assert r.returncode == 1 and "There is no payroll run 'PR-9'." in r.stderr
    r = bizdesk("leave", "balance", "Ana Pop", "--year", "26", "--db", shop)
    assert r.returncode == 2
    for year in ("9999", "1200"):  # a balance of a year no leave can be asked in: refused
        for command in (("leave", "balance", "Ana Pop"), ("leave", "holidays")):
            r = bizdesk(*command, "--year", year, "--db", shop)
            assert r.returncode == 2, r.stdout
            assert f"--year: {year} is not a year from 1900 to 2199" in r.stderr
    r = bizdesk("payroll", "add-line", "X", "--kind", "bonus", "--db", shop)
    assert r.returncode == 2


def test_digits_int_cannot_read_and_numbers_no_row_has_are_refused(shop) -> None:  # noqa: ANN001
    """ "²" is a digit to str.isdigit but not to int(); a number past the database's range
    is no row's: each is refused as what it is, never "stopped on an unexpected error"."""
    _ok("employees", "add", "Ana Pop", "--start", "2026-01-01", "--pay", "2500", "--db", shop)
    _ok("payroll", "run", "2026-01", "--db", shop)
    for args, said, code in [
        (("employees", "show", "#²"), "There is no employee '#²'.", 1),
        (("employees", "set", "#1", "--leave-days", "²"), "from 0 to 366", 1),
        (("leave", "approve", "²"), "'²' is not a leave request's number", 1),
        (("leave", "balance", "#1", "--year", "²⁰²⁶"), "is not a year", 2),
        (("print", "payslip", "PR-00001/²"), "There is no payslip 'PR-00001/²'", 1),
        (("print", "payslip", "PR-00001/99999999999999999999"), "There is no payslip", 1),
        (("employees", "add", "#²", "--start", "2026-01-01"), "no contact named '#²'", 1),
        (("print", "invoice", "²"), "'²' is not a number of an invoice", 1),
    ]:
        r = bizdesk(*args, "--db", shop)
        assert (r.returncode, "unexpected" in r.stderr) == (code, False), r.stderr
        assert said in r.stderr


def test_a_draft_is_computed_again_before_it_posts(shop) -> None:  # noqa: ANN001
    _ok("employees", "add", "Ana Pop", "--start", "2026-01-01", "--pay", "2200", "--db", shop)
    _ok("employees", "add", "Cy Dan", "--start", "2026-01-01", "--basis", "hourly", "--pay",
        "12.35", "--db", shop)  # fmt: skip
    twice = bizdesk("payroll", "run", "2026-03", "--hours", "Cy Dan=40", "--hours", "Cy Dan=4",
                    "--db", shop)  # fmt: skip
    assert twice.returncode == 1 and "given twice" in twice.stderr
    _ok("payroll", "run", "2026-03", "--hours", "Cy Dan=40", "--db", shop)
    _ok("leave", "request", "Ana Pop", "unpaid", "2026-03-02", "2026-03-03", "--db", shop)
    _ok("leave", "approve", "1", "--db", shop)
    stale = bizdesk("payroll", "post", "PR-00001", "--db", shop)
    assert stale.returncode == 1 and "Traceback" not in stale.stderr
    assert "Ana Pop" in stale.stderr and "bizdesk payroll refresh PR-00001" in stale.stderr
    again = json.loads(_ok("payroll", "refresh", "PR-00001", "--format", "json", "--db", shop))
    assert [s["gross"] for s in again["payslips"]] == ["2000.00", "494.00"]  # hours kept
    assert "Posted JE-1" in _ok("payroll", "post", "PR-00001", "--db", shop)
    shown = _ok("payroll", "show", "PR-00001", "--db", shop)  # at 80 columns
    assert "Deductions" in shown and "…" not in shown and "2,000.00" in shown
    # reversed and run again: the employee's page tells the two payslips of March apart
    _ok("payroll", "reverse", "PR-00001", "--db", shop)
    _ok("payroll", "run", "2026-03", "--hours", "Cy Dan=40", "--db", shop)
    page = _ok("employees", "show", "Ana Pop", "--db", shop)
    rows = [" ".join(ln.replace("│", " ").split()) for ln in page.splitlines() if "PR-0000" in ln]
    assert rows == [
        "PR-00002/1 2026-03 draft 2,000.00 2,000.00",
        "PR-00001/1 2026-03 reversed 2,000.00 2,000.00",
    ], page


def test_dates_are_typed_in_the_persons_own_form_too(shop) -> None:  # noqa: ANN001
    """What the command line shows (30/11/2026 for an en_GB reader) can be typed back to every
    command that takes a date, as to --from and --as-of; ISO still works; a wrong date is
    refused naming what was typed where."""
    from tests.test_cli import bizdesk_user

    _ok("users", "set-language", bizdesk_user(), "en_GB", "--db", shop)
    out = _ok("employees", "add", "Ana Pop", "--start", "01/01/2026", "--pay", "2500", "--db", shop)
    assert "since 01/01/2026" in out
    _ok("employees", "set", "Ana Pop", "--start", "2026-01-05", "--db", shop)
    out = _ok("leave", "request", "Ana Pop", "vacation", "15/12/2026", "16/12/2026", "--db", shop)
    assert "15/12/2026 to 16/12/2026" in out
    r = bizdesk("leave", "request", "Ana Pop", "vacation", "12/31/2026", "--db", shop)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("FIRST: '12/31/2026'"), r.stderr
    out = _ok("payroll", "run", "02/2026", "--db", shop)  # a month as the person writes it
    assert "PR-00001 02/2026" in out, out
    # the run named by its month as its line shows it, not only as 2026-02
    assert "PR-00001 02/2026" in _ok("payroll", "refresh", "02/2026", "--db", shop)
    assert "PR-00001 02/2026" in _ok("payroll", "show", "2026-02", "--db", shop)
    r = bizdesk("payroll", "run", "13/2026", "--db", shop)
    assert r.returncode == 1 and r.stderr.startswith("MONTH: '13/2026' is not a month"), r.stderr
    r = bizdesk("payroll", "post", "PR-00001", "--date", "31/01/2026", "--db", shop)
    assert r.returncode == 1
    assert "31/01/2026 is before 02/2026, the month this run pays" in r.stderr
    assert "Posted JE-1" in _ok("payroll", "post", "PR-00001", "--date", "28/02/2026", "--db", shop)
    out = _ok("payroll", "pay", "PR-00001", "--date", "02/03/2026", "--db", shop)
    assert "paid, posted JE-2" in out
    assert "until 31/12/2026" in _ok("employees", "end", "Ana Pop", "31/12/2026", "--db", shop)


def test_hours_a_spanish_reader_writes_two_ways_are_refused(shop) -> None:  # noqa: ANN001
    """A person who reads Spanish writes 12.500 for twelve thousand five hundred: on the
    command line it is 12.5, so it is refused in their words, never read as either; 12.5
    reads one way and is taken."""
    from tests.test_cli import bizdesk_user

    _ok("employees", "add", "Cy Dan", "--start", "2026-01-01", "--basis", "hourly", "--pay",
        "12.35", "--db", shop)  # fmt: skip
    _ok("users", "set-language", bizdesk_user(), "es_ES", "--db", shop)
    r = bizdesk("payroll", "run", "2026-03", "--hours", "Cy Dan=12.500", "--db", shop)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert (
        "'12.500' se lee de dos maneras: 12.5 en la línea de órdenes (. antes de los decimales, "
        "sin separador de miles), 12500 tal como se escriben los números en español (España); "
        "escriba 12.5 o 12500" in r.stderr
    ), r.stderr
    _ok("payroll", "run", "2026-03", "--hours", "Cy Dan=12.5", "--db", shop)
    r = bizdesk("payroll", "hours", "2026-03", "Cy Dan", "1.000", "--db", shop)
    assert r.returncode == 1 and "'1.000' se lee de dos maneras" in r.stderr, r.stderr
    shown = json.loads(_ok("payroll", "show", "2026-03", "--format", "json", "--db", shop))
    assert [s["hours"] for s in shown["payslips"]] == ["12.5"]
    r = bizdesk("payroll", "add-line", "Tax", "--percent", "12.500", "--db", shop)
    assert r.returncode == 1 and "'12.500' se lee de dos maneras" in r.stderr, r.stderr


def test_pay_takes_an_employee_as_the_refusal_names_them(shop) -> None:  # noqa: ANN001
    """`payroll pay --employee Ana` is refused with an example, "Ana Pop (#1)"; that
    example, and the hours form's "Ana Pop #1", are then taken as typed."""
    for name in ("Ana Pop", "Cy Dan"):
        _ok("employees", "add", name, "--start", "2026-01-01", "--pay", "2000", "--db", shop)
    _ok("payroll", "run", "2026-01", "--db", shop)
    _ok("payroll", "post", "2026-01", "--db", shop)
    part = bizdesk("payroll", "pay", "2026-01", "--employee", "Ana", "--db", shop)
    assert part.returncode == 1 and "such as Ana Pop (#1)." in part.stderr, part.stderr
    out = _ok("payroll", "pay", "2026-01", "--employee", "Ana Pop (#1)", "--db", shop)
    assert "PR-00001: 2,000.00 paid" in out, out
    out = _ok("payroll", "pay", "2026-01", "--employee", "Cy Dan #2", "--db", shop)
    assert "PR-00001: 2,000.00 paid" in out, out


def test_a_name_with_another_s_number_says_whose_number_it_is(shop) -> None:  # noqa: ANN001
    """ "Cy Dan (#1)", as a list shows employees, with #1 Ana Pop's number, said "There is no
    employee 'Cy Dan (#1)'." though both exist: it now says whose number #1 is, and still
    takes neither."""
    for name in ("Ana Pop", "Cy Dan"):
        _ok("employees", "add", name, "--start", "2026-01-01", "--pay", "2000", "--db", shop)
    for args in (("employees", "show", "Cy Dan (#1)"), ("leave", "balance", "Cy Dan #1")):
        r = bizdesk(*args, "--db", shop)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.strip().endswith(
            "#1 is Ana Pop, not 'Cy Dan'; give the employee's name or #number."
        ), r.stderr
    assert "Cy Dan" in _ok("employees", "show", "Cy Dan (#2)", "--db", shop)


def test_a_refusal_names_the_argument_typed_not_the_service_s_field(shop) -> None:  # noqa: ANN001
    """`leave request` and `employees end` said "start_date: ..." and "end_date: ..." for
    what was typed as FIRST, LAST and DATE: a refusal names the argument as the help does."""
    _ok("employees", "add", "Ana Pop", "--start", "2026-01-01", "--pay", "2000", "--db", shop)
    _ok("payroll", "run", "2026-12", "--db", shop)
    _ok("payroll", "post", "2026-12", "--db", shop)

    def refused(*args: str) -> str:
        r = bizdesk(*args, "--db", shop)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        return r.stderr.strip()

    said = refused("leave", "request", "#1", "unpaid", "2026-12-07", "2026-12-08")
    assert said.startswith("FIRST: the payroll of 2026-12 is posted (PR-00001)"), said
    said = refused("leave", "request", "#1", "vacation", "2026-12-19", "2026-12-20")
    assert said.startswith("LAST: no working day (Monday to Friday"), said
    said = refused("leave", "request", "#1", "vacation", "2026-12-19")  # the last one not typed
    assert said.startswith("FIRST: no working day (Monday to Friday"), said
    said = refused("leave", "request", "#1", "holiday", "2026-12-07")
    assert said.startswith("KIND: "), said
    said = refused("employees", "end", "#1", "2025-12-31")
    assert said.startswith("DATE: ") and "before" in said, said
    assert "_date" not in said


def test_a_new_employee_is_given_the_shops_leave_days(shop) -> None:  # noqa: ANN001
    """Every employee was added with 0 leave days unless each was typed: the shop sets how
    many a new employee is given, and one added without a number of their own is given
    those (said, as ever); those employed already keep their own."""
    _ok("employees", "add", "Ana Pop", "--start", "2026-01-01", "--pay", "2000", "--db", shop)
    assert _ok("employees", "leave-days", "--db", shop) == "Leave days a year: 0\n"
    assert _ok("employees", "leave-days", "22", "--db", shop) == (
        "A new employee is given 22 leave days a year.\n"
    )
    assert _ok("employees", "leave-days", "--db", shop) == "Leave days a year: 22\n"
    out = _ok("employees", "add", "Cy Dan", "--start", "2026-02-01", "--pay", "1900", "--db", shop)
    assert "Leave days a year: 22" in out
    shown = json.loads(_ok("employees", "list", "--format", "json", "--db", shop))
    assert [(e["name"], e["leave_days"]) for e in shown] == [("Ana Pop", 0), ("Cy Dan", 22)]
    _ok("employees", "set", "Cy Dan", "--job", "Mechanic", "--db", shop)  # the days kept
    shown = json.loads(_ok("employees", "list", "--format", "json", "--db", shop))
    assert [e["leave_days"] for e in shown] == [0, 22]
    for typed in ("", "400", "2.5", "-1", "x"):
        r = bizdesk("employees", "leave-days", "--db", shop, "--", typed)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.strip() == "DAYS: a whole number of days from 0 to 366", typed
    assert _ok("employees", "leave-days", "--db", shop) == "Leave days a year: 22\n"
