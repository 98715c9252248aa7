"""Public holidays and leave (issue 15, people): a week of vacation over Christmas costs the
days actually worked. The holidays are the national ones of the shop's country (the
``holidays`` library); a shop with no country has none and every Monday to Friday counts.
Unpaid leave over a holiday does not lower a salary for it. Real stores, the real library."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.papers import shop
from bizdesk.services.people import leave, payroll
from bizdesk.services.people.days import WorkCalendar
from tests.people_helpers import employee
from tests.test_cli import bizdesk


def country(store, code: str) -> None:  # noqa: ANN001
    with store.write() as uow:
        details = shop.get(uow)
        shop.update(uow, shop.ShopDetails(**{**vars(details), "name": "Bikes", "country": code}))


def test_the_calendar_leaves_out_weekday_holidays_only() -> None:
    es = WorkCalendar("ES")
    # 2026-12-21 (Monday) to 2026-12-27 (Sunday): Christmas on Friday the 25th
    assert es.working_days(date(2026, 12, 21), date(2026, 12, 27)) == 4
    assert WorkCalendar("").working_days(date(2026, 12, 21), date(2026, 12, 27)) == 5
    # a holiday on a Saturday costs nothing: 2027-01-01 is a Friday, 2028-01-01 a Saturday
    assert es.days_off(date(2027, 12, 27), date(2028, 1, 7)) == [date(2028, 1, 6)]
    # two years at once; Romania's 1 and 2 January, Vietnam's Tet (five days in 2026)
    assert WorkCalendar("RO").working_days(date(2025, 12, 29), date(2026, 1, 2)) == 3
    assert WorkCalendar("VN").working_days(date(2026, 2, 16), date(2026, 2, 20)) == 0
    assert WorkCalendar("XX").working_days(date(2026, 12, 21), date(2026, 12, 27)) == 5


def test_a_vacation_over_christmas_costs_the_days_worked(store) -> None:  # noqa: ANN001
    eid = employee(store, "Ana Pop", leave_days="4")
    with store.write() as uow:
        before = leave.request(uow, eid, "vacation", "2026-12-14", "2026-12-18")
    assert before.days == 5  # no country yet: every weekday
    country(store, "ES")
    with store.write() as uow:
        xmas = leave.request(uow, eid, "vacation", "2026-12-21", "2026-12-27")
        assert xmas.days == 4
        leave.approve(uow, xmas.id)  # 4 of 4 days: fits
        b = leave.balance(uow, eid, 2026)
    assert (b.taken, b.requested, b.left) == (4, 5, 0)
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        leave.request(uow, eid, "vacation", "2026-01-06")  # Epiphany, a Tuesday
    msg = str(exc.value.field_message("end_date"))
    assert "not a public holiday" in msg


def test_a_vacation_across_new_year_is_counted_in_each_year(store) -> None:  # noqa: ANN001
    country(store, "RO")
    eid = employee(store, "Ana Pop", start_date="2025-01-01", leave_days="20")
    with store.write() as uow:
        r = leave.request(uow, eid, "vacation", "2025-12-29", "2026-01-09")
        leave.approve(uow, r.id)
        y25, y26 = leave.balance(uow, eid, 2025), leave.balance(uow, eid, 2026)
    # 29-31 December: 3; 1-9 January: 7 weekdays less the 1st, 2nd, 6th (Epiphany) and 7th
    # (Saint John the Baptist) = 3
    assert r.days == 6 and (y25.taken, y26.taken) == (3, 3)


def test_unpaid_leave_over_a_holiday_is_not_unpaid_for_it(store) -> None:  # noqa: ANN001
    country(store, "ES")
    eid = employee(store, "Ana Pop", pay="2200")
    with store.write() as uow:
        # 2026-04-01 to 04-03: Wednesday to Good Friday (a national holiday in Spain)
        r = leave.request(uow, eid, "unpaid", "2026-04-01", "2026-04-03")
        leave.approve(uow, r.id)
        run = payroll.create_run(uow, "2026-04")
    s = run.slips[0]
    # April 2026: 22 weekdays less Good Friday = 21 working days, 2 of them unpaid
    assert r.days == 2 and (s.days_paid, s.days_month) == (19, 21)
    assert s.gross == Decimal("1990.48")  # 2200 x 19 / 21


def test_payroll_counts_the_working_days_leave_counts(store) -> None:  # noqa: ANN001
    """One rule for both: December 2026 in Romania has 23 weekdays, 1 and 25 December are
    public holidays, so 21 working days; unpaid leave 1-4 December is 3 of them (the 1st is
    a holiday) and the payslip pays 18 of 21, not 20 of 23. November: 30 November (Saint
    Andrew) is a holiday, 20 of 20."""
    country(store, "RO")
    eid = employee(store, "Ana Pop", pay="2100")
    with store.write() as uow:
        r = leave.request(uow, eid, "unpaid", "2026-12-01", "2026-12-04")
        leave.approve(uow, r.id)
        dec = payroll.create_run(uow, "2026-12").slips[0]
        nov = payroll.create_run(uow, "2026-11").slips[0]
    assert r.days == 3 and (dec.days_paid, dec.days_month) == (18, 21)
    assert dec.gross == Decimal("1800.00")  # 2100 x 18 / 21
    assert (nov.days_paid, nov.days_month) == (20, 20) and nov.gross == Decimal("2100.00")


def test_a_posted_run_keeps_its_days_when_the_holidays_change(store) -> None:  # noqa: ANN001
    """Posted with no country (every weekday a working day), a run keeps what it paid when
    the shop then sets its country; a draft computed before is refused at posting until
    computed again on the new holidays."""
    eid = employee(store, "Ana Pop", pay="2300")
    employee(store, "Bea Ro", start_date="2026-12-16", pay="2300")
    with store.write() as uow:
        nov = payroll.create_run(uow, "2026-11")
        payroll.post(uow, nov.id)
        dec = payroll.create_run(uow, "2026-12")
    assert [(s.days_paid, s.days_month) for s in dec.slips] == [(23, 23), (12, 23)]
    country(store, "RO")
    with store.write() as uow:
        kept = payroll.get(uow, nov.id)
        assert [(s.days_paid, s.days_month, s.gross) for s in kept.slips] == [
            (21, 21, Decimal("2300.00"))  # November 2026 as posted: 30 November counted
        ]
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        payroll.post(uow, dec.id)
    assert "computed before a change" in str(exc.value)
    with store.write() as uow:
        again = payroll.refresh(uow, dec.id)
    ana, bea = again.slips
    assert ana.employee_id == eid and (ana.days_paid, ana.days_month) == (21, 21)
    # Bea from Wednesday 16 December: 12 weekdays less Christmas = 11 of 21
    assert (bea.days_paid, bea.days_month, bea.gross) == (11, 21, Decimal("1204.76"))


def test_the_holidays_from_the_command_line(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db, "--company", "Bikes").returncode == 0
    r = bizdesk("leave", "holidays", "--year", "2026", "--db", db)
    assert r.returncode == 0 and "no country" in r.stdout and "shop set country" in r.stdout
    assert bizdesk("shop", "set", "country", "ES", "--db", db).returncode == 0
    r = bizdesk("leave", "holidays", "--year", "2026", "--format", "json", "--db", db)
    got = json.loads(r.stdout)
    assert got["country"] == "ES"
    assert {"date": "2026-01-06", "name": "Epiphany"} in got["holidays"]
    assert all(date.fromisoformat(h["date"]).weekday() < 5 for h in got["holidays"])
    es = bizdesk("leave", "holidays", "--year", "2026", "--db", db, env={"LANG": "es_ES.UTF-8"})
    assert es.returncode == 0 and "Epifanía del Señor" in es.stdout, es.stdout
    bad = bizdesk("leave", "holidays", "--year", "26", "--db", db)
    assert bad.returncode == 2 and "not a year" in bad.stderr


def region(store, code: str) -> shop.ShopDetails:  # noqa: ANN001
    with store.write() as uow:
        return shop.set_one(uow, "region", code).details


def test_a_region_adds_its_own_holidays(store) -> None:  # noqa: ANN001
    """Madrid keeps Maundy Thursday (2 April 2026) as a holiday; Spain as a whole does not.
    The week of 30 March: 4 working days in Spain (Good Friday is national), 3 in Madrid."""
    ana, bea, eva = (employee(store, n, leave_days="20") for n in ("Ana Pop", "Bea Ro", "Eva Li"))
    country(store, "ES")
    with store.write() as uow:
        assert leave.request(uow, ana, "vacation", "2026-03-30", "2026-04-03").days == 4
    assert region(store, "md").region == "MD"  # as the library spells it
    with store.write() as uow:
        assert leave.request(uow, bea, "vacation", "2026-03-30", "2026-04-03").days == 3
        cal, days = leave.public_holidays(uow, 2026)
        assert cal.place == "ES-MD" and date(2026, 4, 2) in dict(days)
    assert region(store, "").region == ""  # cleared: the country's holidays alone
    with store.write() as uow:
        assert leave.request(uow, eva, "vacation", "2026-03-30", "2026-04-03").days == 4
    assert WorkCalendar("DE", region="BY").days_off(date(2026, 1, 5), date(2026, 1, 9)) == [
        date(2026, 1, 6)  # Epiphany: Bavaria's, not Germany's
    ]
    assert WorkCalendar("DE").days_off(date(2026, 1, 5), date(2026, 1, 9)) == []


def test_a_new_country_or_region_counts_the_leave_again(store) -> None:  # noqa: ANN001
    """Asked for before the shop set its region, the week of 30 March was 4 days; in Madrid
    it is 3. Saving the region counts every request again (the list then agrees with the
    balance), says how many, and audits each; a detail that is not the place counts none."""
    ana = employee(store, "Ana Pop", leave_days="20")
    country(store, "ES")
    with store.write() as uow:
        r = leave.request(uow, ana, "vacation", "2026-03-30", "2026-04-03")
        other = leave.request(uow, ana, "vacation", "2026-06-01", "2026-06-05")
        leave.approve(uow, r.id)
    with store.write() as uow:
        saved = shop.set_one(uow, "region", "MD")
    assert saved.recounted == 1
    assert [str(m) for m in saved.said()] == [
        "1 leave request was counted again on the new public holidays."
    ]
    with store.read() as uow:
        days = {x.id: x.days for x in leave.list_leave(uow, employee_id=ana)}
        assert days == {r.id: 3, other.id: 5}
        assert leave.balance(uow, ana, 2026).taken == 3  # the list and the balance agree
        audit = uow.session.execute(
            text(
                "SELECT before, after FROM audit_event WHERE entity = 'leave_request' "
                "AND action = 'recount'"
            )
        ).all()
    assert [(json.loads(b), json.loads(a)) for b, a in audit] == [({"days": 4}, {"days": 3})]
    with store.write() as uow:
        assert shop.set_one(uow, "city", "Madrid").recounted == 0
        assert shop.set_one(uow, "region", "MD").said() == []  # unchanged: nothing to count
        assert shop.set_one(uow, "region", "").recounted == 1  # Madrid's day is gone
    with store.read() as uow:
        assert {x.id: x.days for x in leave.list_leave(uow, employee_id=ana)}[r.id] == 4


def test_a_region_is_refused_unless_the_country_has_it(store) -> None:  # noqa: ANN001
    def refused(code: str) -> str:
        with store.write() as uow, pytest.raises(ValidationError) as exc:
            shop.set_one(uow, "region", code)
        return str(exc.value.field_message("region"))

    with store.write() as uow:
        shop.set_one(uow, "name", "Bikes")
    assert "country first" in refused("MD")
    country(store, "ES")
    msg = refused("Bavaria")
    assert "'Bavaria' is not a region of ES; one of:" in msg and "MD" in msg and "CT" in msg
    assert "\x1b" not in refused("\x1b[2J")  # refused as text first, never echoed raw
    country(store, "RO")
    assert "no regions of RO" in refused("B")
    with store.read() as uow:
        assert shop.get(uow).region == ""


def person(db: str, name: str) -> None:
    s = open_store(db)
    try:
        with s.write() as uow:
            contacts.create(uow, ContactInput(name=name, kind="person"))
    finally:
        s.dispose()


def test_the_region_from_the_command_line(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db, "--company", "Bikes").returncode == 0
    assert bizdesk("shop", "set", "country", "ES", "--db", db).returncode == 0
    bad = bizdesk("shop", "set", "region", "XX", "--db", db)
    assert (
        bad.returncode != 0
        and "not a region of ES" in bad.stderr
        and "Traceback" not in (bad.stderr + bad.stdout)
    )
    person(db, "Ana Pop")
    assert bizdesk("employees", "add", "Ana Pop", "--start", "2026-01-01", "--pay", "2500",
                   "--leave-days", "20", "--db", db).returncode == 0  # fmt: skip
    asked = bizdesk("leave", "request", "Ana Pop", "vacation", "2026-03-30", "2026-04-03",
                    "--db", db)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    md = bizdesk("shop", "set", "region", "md", "--db", db)
    assert md.returncode == 0 and md.stdout.splitlines() == [
        "Region: MD",
        "1 leave request was counted again on the new public holidays.",
    ]
    r = bizdesk("leave", "holidays", "--year", "2026", "--format", "json", "--db", db)
    got = json.loads(r.stdout)
    assert (got["country"], got["region"]) == ("ES", "MD")
    assert "2026-04-02" in {h["date"] for h in got["holidays"]}
    table = bizdesk("leave", "holidays", "--year", "2026", "--db", db)
    assert table.returncode == 0 and "ES-MD" in table.stdout
    shown = bizdesk("shop", "show", "--db", db)
    assert "region" in shown.stdout and "MD" in shown.stdout
