"""Business-hours arithmetic for SLA clocks: which seconds of the week count."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.reading import quoted
from bizdesk.words import DAY_NAMES, day_key, day_names, day_words, days_example

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")  # 8:00 or 08:00, as a clock shows it


@dataclass(frozen=True)
class BusinessHours:
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    start: time = time(9, 0)
    end: time = time(17, 0)
    timezone: str = "UTC"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_json(self) -> str:
        return json.dumps(
            {
                "days": [DAY_NAMES[d] for d in self.days],
                "start": self.start.strftime("%H:%M"),
                "end": self.end.strftime("%H:%M"),
                "timezone": self.timezone,
            }
        )

    def typed(self) -> str:
        """As ``bizdesk sla hours`` takes them, the days in the reader's language: "mon-fri
        09:00 17:00 Europe/Madrid" ("lun-vie ..." in Spanish)."""
        names = day_names()
        runs: list[list[int]] = []
        for d in self.days:
            if runs and runs[-1][-1] == d - 1:
                runs[-1].append(d)
            else:
                runs.append([d])
        days = ",".join(
            f"{names[r[0]]}-{names[r[-1]]}" if len(r) > 2 else ",".join(names[d] for d in r)
            for r in runs
        )
        return f"{days} {self.start:%H:%M} {self.end:%H:%M} {self.timezone}"

    @classmethod
    def parse(cls, days: str | list[str], start: str, end: str, timezone: str) -> BusinessHours:
        """From what a person types: days "mon-fri" or "mon,tue,sat" (or as their language
        shows them: "lun-vie", "Th 2-Th 6"), times "09:00"."""
        errors: dict[str, str] = {}
        words = day_words()
        items = days if isinstance(days, list) else day_key(str(days)).split(",")
        picked: set[int] = set()
        for item in items:
            lo, _, hi = day_key(item).partition("-")
            if lo not in words or (hi and hi not in words):
                errors["days"] = Message("use day names such as {example}", example=days_example())
                break
            a, b = words[lo], words[hi or lo]
            picked.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        if not picked and "days" not in errors:
            errors["days"] = Message("at least one working day")
        parsed = {}
        for name, value in (("start", start), ("end", end)):
            clock = _CLOCK.fullmatch(str(value).strip())
            hour, minute = (int(clock[1]), int(clock[2])) if clock else (99, 99)
            if hour > 23 or minute > 59:  # (08, 0800, 08:00+02:00: not said as a clock says)
                errors[name] = Message("{value} is not a time (HH:MM)", value=quoted(value, 20))
            else:
                parsed[name] = time(hour, minute)
        if not errors and parsed["end"] <= parsed["start"]:
            errors["end"] = Message("must be after the start")
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = Message(
                "unknown time zone {zone} (e.g. {example})",
                zone=quoted(timezone, 40),
                example="Europe/Berlin",
            )
        if errors:
            raise ValidationError(errors)
        return cls(tuple(sorted(picked)), parsed["start"], parsed["end"], str(timezone))

    @classmethod
    def from_json(cls, text: str) -> BusinessHours:
        if not text:
            return cls()
        d = json.loads(text)
        return cls.parse(d["days"], d["start"], d["end"], d["timezone"])

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working period of a local calendar day, in UTC; None on a day off."""
        if day.weekday() not in self.days:
            return None
        tz = self.tz
        start = datetime.combine(day, self.start, tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day, self.end, tzinfo=tz).astimezone(UTC)
        return start, end


def business_seconds_between(start: datetime, end: datetime, hours: BusinessHours) -> int:
    """Working seconds in [start, end); 0 if end is not after start."""
    if end <= start:
        return 0
    tz = hours.tz
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    total = 0
    while day <= last:
        w = hours.window(day)
        if w is not None:
            lo, hi = max(w[0], start), min(w[1], end)
            if hi > lo:
                total += int((hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


def add_business_seconds(start: datetime, seconds: int, hours: BusinessHours) -> datetime:
    """The moment when ``seconds`` of working time have passed since ``start``."""
    tz = hours.tz
    day = start.astimezone(tz).date()
    remaining = max(0, int(seconds))
    for _ in range(3700):  # ten years of days: a bound, not a limit anyone reaches
        w = hours.window(day)
        if w is not None:
            lo = max(w[0], start)
            if lo < w[1]:
                available = int((w[1] - lo).total_seconds())
                if remaining <= available:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
        day += timedelta(days=1)
    raise ValidationError({"": Message("SLA target too far in the future")})
