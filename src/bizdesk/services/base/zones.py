"""The shop's time zone: times are kept in UTC and shown in it."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo, available_timezones

from bizdesk.i18n import Message
from bizdesk.models.base import utcnow
from bizdesk.reading import date_text, quoted
from bizdesk.services.base import validate as v
from bizdesk.shopzone import country_zone as country_zone
from bizdesk.shopzone import shop_zone as shop_zone
from bizdesk.shopzone import zone_without_own as zone_without_own


def zone_name(value: object) -> str:
    """A time zone by its IANA name, spelled as the tz database spells it (europe/madrid is
    Europe/Madrid); empty: the one shop_zone finds."""
    typed = v.text(value, max_len=60)
    if not typed:
        return ""
    found = next((z for z in available_timezones() if z.casefold() == typed.casefold()), None)
    if found is None:
        raise v.FieldError(
            Message(
                "{zone} is not a time zone; write one as the tz database names it, e.g. "
                "Europe/Madrid or Asia/Ho_Chi_Minh",
                zone=quoted(typed, 40),
            )
        )
    return found


def live_in_shop_zone(setting: Callable[[str, str], str]) -> None:
    """Make this process's day the shop's: ``date.today()`` (a document's date, "after
    today", a report's "as of", the daily backup's name) was the server's, in UTC, so at
    05:00 in Vietnam it was still yesterday. Only for a zone the shop has (its own, its
    ticket hours', its country's): without one the server's own stays. For the doors (the
    command line, the terminal app), once their store is open."""
    zone = shop_zone(setting)
    if zone == "UTC" and not setting("shop_timezone", ""):
        return  # not known: the machine's zone stays
    os.environ["TZ"] = zone
    time.tzset()


_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)  # 9:05 or 09:05, as a clock shows it
AHEAD = timedelta(minutes=5)  # a clock a little fast is not the future
NOON = clock_time(12, 0)  # a past day typed without a time


def read_moment(
    value: object, zone: str, *, local: bool = False, now: datetime | None = None
) -> datetime | None:
    """When something happened, as a person types it: a date (as they write dates, with
    ``local``; ISO always), then, optionally, a time HH:MM in the shop's time zone ``zone``:
    what ``formatting.moment`` shows reads back. Empty: None (now). A date alone is now when
    it is today, else 12:00 of that day. Aware UTC. Refused, with what is expected: not a
    date or not a time, a time the clocks skip or show twice (daylight saving), and a moment
    more than a few minutes ahead of ``now``."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    typed = v.text(value, max_len=40)
    if not typed:
        return None
    parts = typed.split()
    if len(parts) > 2:
        raise v.FieldError(
            Message(
                "{text} is not a date and time: write a date, then optionally a time HH:MM",
                text=quoted(typed, 40),
            )
        )
    day = v.iso_date(parts[0], local=local)
    tz = ZoneInfo(zone)
    now = now or utcnow()
    if len(parts) == 1 and day == now.astimezone(tz).date():
        return now
    at_clock = NOON
    if len(parts) == 2:
        clock = _CLOCK.fullmatch(parts[1])
        hour, minute = (int(clock[1]), int(clock[2])) if clock else (99, 99)
        if hour > 23 or minute > 59:
            raise v.FieldError(
                Message(
                    "{text} is not a time: write HH:MM on the 24-hour clock, e.g. 14:30",
                    text=quoted(parts[1]),
                )
            )
        at_clock = clock_time(hour, minute)
    naive = datetime.combine(day, at_clock)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
            raise v.FieldError(
                Message(
                    "there is no {time} on that day in {zone}: the clocks were put forward",
                    time=f"{at_clock:%H:%M}",
                    zone=zone,
                )
            )
        raise v.FieldError(
            Message(
                "{time} happened twice on that day in {zone} (the clocks were put back), "
                "so it says neither: write a time outside that hour",
                time=f"{at_clock:%H:%M}",
                zone=zone,
            )
        )
    at = first.astimezone(UTC)
    if at > now + AHEAD:  # the day as the reader writes it, however it reached here (a door
        said = date_text(day)  # may have made it ISO), and the time if one was typed
        raise v.FieldError(
            Message(
                "{text} is in the future: log what has already happened (empty: now)",
                text=quoted(f"{said} {at_clock:%H:%M}" if len(parts) == 2 else said, 40),
            )
        )
    return at
