"""The shop's time zone: times are kept in UTC and shown in it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from zoneinfo import available_timezones

from bizdesk.i18n import Message
from bizdesk.reading import quoted
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
