"""Which time zone a shop's times are shown in, found from its settings alone (plain text
values: no database stack needed), so that a sentence said before the store is open, or of
a store that cannot be opened (faults: when its newest backup was written), can name times
in the shop's zone as every other door does. services/base/zones.py holds the rest (reading
a zone typed in, making the process live in the shop's day)."""

from __future__ import annotations

import json
from collections.abc import Callable

from babel.core import get_global


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
