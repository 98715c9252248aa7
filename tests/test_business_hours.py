"""Business-hours arithmetic behind the SLA clocks."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizdesk.errors import ValidationError
from bizdesk.services.crm.business_hours import (
    BusinessHours,
    add_business_seconds,
    business_seconds_between,
)

H = BusinessHours()  # Mon-Fri 09:00-17:00 UTC
MON = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=hour, minutes=minute)


def test_within_one_day():
    assert business_seconds_between(at(0, 10), at(0, 12), H) == 2 * 3600


def test_overnight_and_weekend_do_not_count():
    assert business_seconds_between(at(0, 16), at(1, 10), H) == 2 * 3600
    assert business_seconds_between(at(4, 16), at(7, 10), H) == 2 * 3600  # Fri -> Mon


def test_start_outside_hours_waits_for_opening():
    assert add_business_seconds(at(0, 7), 3600, H) == at(0, 10)
    assert add_business_seconds(at(5, 12), 3600, H) == at(7, 10)  # Saturday -> Monday


def test_add_spans_days_and_weeks():
    assert add_business_seconds(at(0, 16), 2 * 3600, H) == at(1, 10)
    assert add_business_seconds(at(0, 9), 40 * 3600, H) == at(4, 17)
    assert add_business_seconds(at(0, 9), 41 * 3600, H) == at(7, 10)


def test_dst_change_in_local_time_zone():
    berlin = BusinessHours.parse("mon-fri", "09:00", "17:00", "Europe/Berlin")
    # 2026-10-25 is the Sunday clocks go back; Friday 16:00 local + 2h = Monday 10:00 local
    fri = datetime(2026, 10, 23, 14, 0, tzinfo=UTC)  # 16:00 CEST
    due = add_business_seconds(fri, 2 * 3600, berlin)
    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert business_seconds_between(fri, due, berlin) == 2 * 3600


@given(st.integers(0, 300 * 3600), st.integers(0, 14 * 24 * 60))
def test_add_then_measure_round_trips(seconds, start_minute):
    start = MON + timedelta(minutes=start_minute)
    due = add_business_seconds(start, seconds, H)
    assert business_seconds_between(start, due, H) == seconds


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("funday", "09:00", "17:00", "UTC"), "days"),
        (("mon-fri", "9am", "17:00", "UTC"), "start"),
        (("mon-fri", "17:00", "09:00", "UTC"), "end"),
        (("mon-fri", "09:00", "17:00", "Mars/Olympus"), "timezone"),
        # only as a clock shows a time: not an hour alone, digits run together, an offset
        (("mon-fri", "08", "17:00", "UTC"), "start"),
        (("mon-fri", "0800", "17:00", "UTC"), "start"),
        (("mon-fri", "08:00+02:00", "17:00", "UTC"), "start"),
        (("mon-fri", "08:00:30", "17:00", "UTC"), "start"),
        (("mon-fri", "24:00", "17:00", "UTC"), "start"),
        (("mon-fri", "08:00", "17:60", "UTC"), "end"),
    ],
)
def test_bad_configuration_refused(args, field):
    with pytest.raises(ValidationError) as err:
        BusinessHours.parse(*args)
    assert field in err.value.fields


def test_an_hour_is_written_with_one_digit_or_two():
    assert BusinessHours.parse("mon-fri", "8:00", "17:30", "UTC") == BusinessHours.parse(
        "mon-fri", "08:00", "17:30", "UTC"
    )


def test_parse_day_ranges_and_json_round_trip():
    h = BusinessHours.parse("sat-mon", "08:30", "12:00", "Europe/London")
    assert h.days == (0, 5, 6)
    assert BusinessHours.from_json(h.to_json()) == h


@pytest.mark.parametrize(
    ("language", "locale", "shown", "typed"),
    [
        ("es", "es_ES", "lun-vie,dom", ["lun-vie,dom", "LUNES-viernes,Domingo", "LU-VI,DO"]),
        (
            "ro",
            "ro_RO",
            "lun.-vin.,dum.",
            ["lun.-vin.,dum.", "luni-vineri,duminică", "lu.-vi.,du."],
        ),
        (
            "vi",
            "vi_VN",
            "Th 2-Th 6,CN",
            ["Th 2-Th 6,CN", "th2-th6,cn", "Thứ Hai-Thứ Sáu,Chủ Nhật", "T2-T6,CN"],
        ),
    ],
)
def test_days_are_shown_and_read_in_the_readers_language(language, locale, shown, typed):
    from bizdesk.i18n import use

    use(language, locale)
    hours = BusinessHours.parse("mon-fri,sun", "09:00", "17:00", "UTC")  # stored: scripts
    assert hours.typed() == f"{shown} 09:00 17:00 UTC"
    for text in typed:  # what is shown is taken back, in any case
        assert BusinessHours.parse(text, "09:00", "17:00", "UTC") == hours
    assert json.loads(hours.to_json())["days"] == ["mon", "tue", "wed", "thu", "fri", "sun"]


def test_english_days_stay_the_stored_words():
    hours = BusinessHours.parse("mon-fri", "09:00", "17:00", "UTC")
    assert hours.typed() == "mon-fri 09:00 17:00 UTC"


def test_an_unknown_day_is_refused_with_the_days_as_the_reader_writes_them():
    from bizdesk.i18n import use

    use("es", "es_ES")
    with pytest.raises(ValidationError) as caught:
        BusinessHours.parse("lux-vix", "09:00", "17:00", "UTC")  # no day's name, in any form
    assert caught.value.fields["days"] == "use day names such as lun-vie or lun,mié,sáb"
