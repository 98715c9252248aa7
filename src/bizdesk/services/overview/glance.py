"""Home as it was last seen, kept so that the next start shows it at once.

Home's figures are read by the app once the store is open, and opening it means importing
the database stack (SQLAlchemy, SQLModel, every table): most of a start. So each time Home
reads its figures, the app keeps them beside what they were read from (``Mark``: the newest
event of the store's audit trail and its link in the hash chain, the schema's revision, the
shop's day, and the next moment a figure changes by the clock alone: a ticket running out of
time). The next start on the same store by the same person reads that mark back with
Python's own sqlite3 (a read-only connection, no database stack) and, only when the store
is as it was for Home (every write since, as every write records an event, of records no
figure is read from: a colleague's new contact, their follow-ups or logged call; the same
day; that moment not reached), draws Home with the kept figures while the store is opened
as always; the figures read then replace them if anything differs. Anything else (another
store or person, a write of anything Home counts, a new day, PostgreSQL, the gate, a file
that cannot be read): nothing kept is shown (the start reads Home from the store without
the database stack instead, where it can: services/overview/fresh.py).

The kept file is the person's own (their cache folder, 0700; the file 0600): it holds
figures only their role may see. It is never kept under the gate (every person there runs
as the shop's account, whose cache folder they would share).

This module imports no database stack: the start imports it before its first frame.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.core import Locale

from bizdesk.config import kept_file as kept_file  # (where it is: faults reads it too)
from bizdesk.config import private, read_kept
from bizdesk.identity import current_gate
from bizdesk.money import MAX_ABS_MINOR, from_minor
from bizdesk.services.base.figures import PipelineRow, for_someone_else
from bizdesk.words import USER_ROLE_NAMES

FORMAT = 1  # of the kept file: another is not read

# The kinds of record (services/admin/audit.ENTITY_KINDS) that none of Home's figures is read
# from (services/overview/dashboard): writes of these alone since the last look leave Home as
# it was. Events since then read at most: more (an import) count as a change of Home.
IN_NO_FIGURE = frozenset(
    {
        "campaign", "campaign_recipient", "contact", "email_consent", "interaction",
        "leave_request", "nurture_sequence", "outbox_message", "segment",
    }
)  # fmt: skip
NEWEST_READ = 1000


@dataclass(frozen=True)
class Dashboard:
    """Figures the acting user's role may not see are None (money) or empty (the pipeline)."""

    today: date
    sales_this_month: Decimal | None
    sales_last_month: Decimal | None
    sales_by_month: list[tuple[str, Decimal]]  # the last 6 months, oldest first
    cash: Decimal | None
    bank: Decimal | None
    receivables: Decimal | None
    receivables_overdue: Decimal | None  # invoices past their due date, still open
    payables: Decimal | None
    payables_overdue: Decimal | None
    pipeline: list[PipelineRow]
    pipeline_total: PipelineRow | None
    tickets_open: int
    tickets_overdue: int
    low_stock: int
    # the acting person's open follow-ups {"today": n, "overdue": n}; None: not for the role
    follow_ups: dict[str, int] | None = None


# The figures of the books, shown only to the roles that read the books (reports.finance).
BOOKS_FIGURES = (
    "sales_this_month",
    "sales_last_month",
    "cash",
    "bank",
    "receivables",
    "receivables_overdue",
    "payables",
    "payables_overdue",
)


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month ``back`` months before ``day``'s."""
    y, m = day.year, day.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def sales_months(today: date, months: int = 6) -> list[tuple[str, date, date]]:
    """The calendar months Home charts the sales of, oldest first, this one up to ``today``:
    (YYYY-MM, first day, last day)."""
    out = []
    for back in range(months - 1, -1, -1):
        start = month_start(today, back)
        end = month_start(today, back - 1) - timedelta(days=1) if back else today
        out.append((start.strftime("%Y-%m"), start, end))
    return out


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before ``today``'s."""
    return month_start(today, 1), month_start(today) - timedelta(days=1)


def with_books(
    exp: int,
    sales: list[tuple[str, int]],
    sales_last_month: int,
    balances: dict[str, int],
    receivables_overdue: int,
    payables_overdue: int,
    **common: object,
) -> Dashboard:
    """Home for a role that reads the books, from the sums in minor units: ``sales`` per
    month (as sales_months), last month's, the ``balances`` (debit - credit) of the cash,
    bank, receivable and payable accounts on the day, what is overdue both ways."""
    return Dashboard(
        sales_this_month=from_minor(sales[-1][1], exp),
        sales_last_month=from_minor(sales_last_month, exp),
        sales_by_month=[(k, from_minor(v, exp)) for k, v in sales],
        cash=from_minor(balances["cash"], exp),
        bank=from_minor(balances["bank"], exp),
        receivables=from_minor(balances["receivable"], exp),
        receivables_overdue=from_minor(receivables_overdue, exp),
        payables=from_minor(-balances["payable"], exp),
        payables_overdue=from_minor(payables_overdue, exp),
        **common,
    )


def without_books(**common: object) -> Dashboard:
    """Home for a role that does not read the books."""
    return Dashboard(sales_by_month=[], **dict.fromkeys(BOOKS_FIGURES), **common)


@dataclass(frozen=True)
class Mark:
    """What a Dashboard was read from: the newest audit event (0: none) and its chain link,
    the schema's revision, the shop's time zone (its day), and the first moment after the
    reading at which a figure changes without a write (UTC; None: none)."""

    event: int
    link: str | None
    revision: str
    zone: str
    until: datetime | None


@dataclass(frozen=True)
class Glance:
    """What the app needs to draw Home before the store is open: the person's role (and
    whom to ask for more), their language setting, the shop's locale and name, the store's
    identity (services/admin/setup.born) and the figures."""

    role: str
    ask: str
    language: str
    locale: str
    company: str
    which: str
    data: Dashboard


def keep(store: Path, user: str, mark: Mark, glance: Glance) -> None:
    """Keep ``glance`` as read at ``mark`` (written whole under another name, then renamed;
    a folder or disk that refuses only costs the next start its head start). Never under
    the gate, where everyone is the shop's account."""
    if current_gate() is not None:
        return
    entry = {
        "format": FORMAT,
        "store": os.path.realpath(store),
        "user": user,
        "mark": {**asdict(mark), "until": mark.until.isoformat() if mark.until else None},
        "glance": asdict(glance),  # dates and Decimals as text (default=str)
    }
    path = kept_file(store, user)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = os.lstat(path.parent)
        if stat.S_ISDIR(folder.st_mode) and folder.st_uid == os.geteuid():
            os.chmod(path.parent, 0o700)  # its own folder, made private if it was not
        if not private(os.lstat(path.parent), folder=True):
            return  # a folder someone else owns or may write in: kept figures could be forged
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, default=str)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # (a full disk: nothing half-written is left)
            tmp.unlink()


def kept(store: Path, user: str, now: datetime | None = None) -> Glance | None:
    """Home as ``user`` last saw it on ``store``, if the store is as it was then for Home
    (the same revision, the event then newest still there with its chain link, and every
    event since of records none of their figures is read from: _as_seen), it is still the
    same day in the shop and no figure has changed by the clock since; else None (always
    under the gate)."""
    if current_gate() is not None:
        return None
    try:
        entry = read_kept(store, user)
        if entry["format"] != FORMAT or entry["user"] != user:
            return None
        mark = entry["mark"]
        now = now or datetime.now(ZoneInfo("UTC"))
        if mark["until"] is not None and now >= datetime.fromisoformat(mark["until"]):
            return None
        glance = entry["glance"]
        data = _data_from(glance["data"])
        if now.astimezone(ZoneInfo(mark["zone"])).date() != data.today:
            return None
        if not _as_seen(store, user, mark["event"], mark["link"], mark["revision"]):
            return None
        found = Glance(**{**glance, "data": data})
        texts = (found.ask, found.language, found.company, found.which)
        if found.role not in USER_ROLE_NAMES or not all(isinstance(t, str) for t in texts):
            return None
        Locale.parse(found.locale)  # (Home formats every figure in it)
        return found
    except Exception:  # noqa: BLE001 - not kept, or not as kept (a file made by hand, too
        return None  # deep, of other types): the start reads the store as it always did


def _as_seen(store: Path, user: str, event: int, link: str | None, revision: str) -> bool:
    """Whether the store is as it was at ``event`` (its chain link ``link``) for ``user``'s
    Home: the same schema, that event unchanged, and every event since of IN_NO_FIGURE or
    follow-ups started for someone else (a colleague's new lead entering a nurturing
    sequence: Home counts the person's own); read through a read-only connection that waits
    for no writer."""
    con = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True, timeout=0.1)
    try:
        (now_revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
        then = con.execute("SELECT chain_hash FROM audit_event WHERE id = ?", (event,)).fetchone()
        since = con.execute(  # the primary key's range, in order
            "SELECT entity, action, after FROM audit_event WHERE id > ? ORDER BY id LIMIT ?",
            (event, NEWEST_READ + 1),
        ).fetchall()
    finally:
        con.close()
    found = then[0] if then is not None else None
    if now_revision != revision or found != link or (then is None) != (event == 0):
        return False  # another schema; the event seen then rewritten, or gone (restored)

    def in_no_figure(entity: str, action: str, after: str | None) -> bool:
        return entity in IN_NO_FIGURE or for_someone_else(entity, action, after, user)

    return len(since) <= NEWEST_READ and all(in_no_figure(*row) for row in since)


def _data_from(raw: dict) -> Dashboard:
    """The figures as kept, each of the type and size bizdesk writes (ValueError else)."""

    def amount(value: object) -> Decimal:
        if not isinstance(value, str):
            raise ValueError(value)
        figure = Decimal(value)
        if not figure.is_finite() or abs(figure) >= MAX_ABS_MINOR:
            raise ValueError(value)
        return figure

    def money(value: object) -> Decimal | None:
        return None if value is None else amount(value)

    def count(value: object) -> int:
        if type(value) is not int or not 0 <= value < MAX_ABS_MINOR:
            raise ValueError(value)
        return value

    def text(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError(value)
        return value

    def row(r: dict) -> PipelineRow:
        return PipelineRow(
            text(r["stage"]),
            count(r["probability"]),
            count(r["deals"]),
            amount(r["amount"]),
            amount(r["weighted"]),
        )

    amounts = {
        f.name: money(raw[f.name])
        for f in fields(Dashboard)
        if f.type == "Decimal | None"  # (annotations are text: postponed evaluation)
    }
    total = raw["pipeline_total"]
    follow_ups = raw["follow_ups"]
    return Dashboard(
        today=date.fromisoformat(text(raw["today"])),
        sales_by_month=[(text(m), amount(v)) for m, v in raw["sales_by_month"]],
        pipeline=[row(r) for r in raw["pipeline"]],
        pipeline_total=row(total) if total is not None else None,
        tickets_open=count(raw["tickets_open"]),
        tickets_overdue=count(raw["tickets_overdue"]),
        low_stock=count(raw["low_stock"]),
        follow_ups=None
        if follow_ups is None
        else {"today": count(follow_ups["today"]), "overdue": count(follow_ups["overdue"])},
        **amounts,
    )
