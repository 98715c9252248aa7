"""The shop's time zone: times are kept in UTC and shown in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from zoneinfo import available_timezones

from babel.core import get_global

from bizdesk.i18n import Message
from bizdesk.services.base import validate as v


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
                zone=repr(typed),
            )
        )
    return found


def country_zone(country: str) -> str:
    """The time zone of a country that has only one (Asia/Ho_Chi_Minh for VN, by CLDR as
    Babel has it); "" for one that has several (Spain: Madrid and the Canaries)."""
    zones = get_global("territory_zones").get(country.upper(), []) if country else []
    return zones[0] if len(zones) == 1 else ""


def shop_zone(setting: Callable[[str, str], str]) -> str:
    """The time zone the shop's times are shown in (they are kept in UTC): the one its
    details name, else the one it has without (zone_without_own). ``setting``:
    Store.settings().get or UnitOfWork.setting."""
    return setting("shop_timezone", "") or zone_without_own(setting)


def zone_without_own(setting: Callable[[str, str], str]) -> str:
    """The shop's time zone when its details name none: its ticket hours' (bizdesk sla
    hours), when they name one; else its country's, when the country has only one; else
    UTC."""
    hours = setting("business_hours", "")
    zone = json.loads(hours).get("timezone", "UTC") if hours else "UTC"
    if zone != "UTC":
        return zone
    return country_zone(setting("shop_country", "")) or "UTC"
