"""Home read at the start without the database stack (services/overview/fresh.py, issue 12's
start when nothing is kept): the same figures as the overview (services/overview/dashboard)
on the demo shops, for every role and on days around the data; nothing where the start
must read the store as it always did."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bizdesk.app import BizdeskApp
from bizdesk.config import sqlite_path
from bizdesk.db import Store, open_store
from bizdesk.screens.home import HomePane
from bizdesk.services.admin import users as U
from bizdesk.services.admin.setup import born
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.demo import shop as demo
from bizdesk.services.overview import fresh
from bizdesk.services.overview.dashboard import dashboard
from bizdesk.services.overview.glance import Glance
from bizdesk.services.trade import deals as D
from bizdesk.words import USER_ROLE_NAMES
from tests.test_tui_newcomer import kpis, settle, until

DAY = date(2026, 11, 22)  # the demo's day


# What the demo shop has too little of for every rule of the figures to count: products at
# the edge of their reorder point (on hand one above it: whatever is promised, by a sales
# order, a kit's component or an assembly order, makes it low), some of them retired or
# not stocked; archived deals, a retired stage; lines not posted.
EDGES = (
    "UPDATE product SET reorder_point_scaled ="
    " (SELECT coalesce(sum(qty_scaled), 0) FROM stock_move WHERE product_id = product.id) - 1",
    "UPDATE product SET active = 0 WHERE id % 7 = 0",
    "UPDATE product SET stocked = 0 WHERE id % 11 = 0",
    "UPDATE deal SET archived = 1 WHERE id % 3 = 0",
    "UPDATE pipeline_stage SET active = 0 WHERE kind = 'open'"
    " AND position = (SELECT max(position) FROM pipeline_stage WHERE kind = 'open')",
    "UPDATE journal_line SET posted = 0 WHERE id % 5 = 0",
)


def _overview(store: Store, now: datetime, monkeypatch) -> Glance:  # noqa: ANN001
    """What the start reads once the store is open (app._read_access, HomePane.preload)."""
    monkeypatch.setattr(T, "utcnow", lambda: now)  # the tickets' clocks, at ``now``
    with store.read() as uow:
        role, ask = U.access(uow)
        language, which = U.my_language(uow), born(uow)
        data = dashboard(uow, today=now.date())
    settings = store.settings()
    return Glance(
        role=role,
        ask=ask,
        language=language,
        locale=settings.get("locale", "en_US"),
        company=settings.get("company", ""),
        which=which,
        data=data,
    )


@pytest.mark.parametrize("locale", ["en_US", "vi_VN"])  # cents; the dong has no minor unit
def test_the_figures_are_the_overviews_for_every_role_and_day(
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
    locale: str,
) -> None:
    store = open_store(str(tmp_path / "shop.db"))
    demo.prepare(store, locale)
    demo.generate(store, "small", today=DAY, locale=locale)
    with store.write() as uow:
        for role in USER_ROLE_NAMES:
            U.add(uow, f"fresh-{role}", role)
        U.set_language(uow, "fresh-sales", "ro")
    path = sqlite_path(store.url)
    compared = 0
    for offset, edges in (
        (timedelta(0), ()),
        (timedelta(days=9, hours=17), ()),
        (timedelta(days=-80), ()),
        (timedelta(0), EDGES),
    ):
        with sqlite3.connect(path) as con:
            for statement in edges:
                con.execute(statement)
        # the demo's day at noon; ten days on (tickets' clocks run out, invoices fall
        # due, a new month); and months before, when much is dated ahead
        now = datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=12) + offset
        for user in [store.user, *(f"fresh-{role}" for role in USER_ROLE_NAMES)]:
            as_user = open_store(store.url, user=user, create=False)
            try:
                expected = _overview(as_user, now, monkeypatch)
            finally:
                as_user.dispose()
            assert fresh.read(path, user, now) == expected, (user, now)
            compared += 1
    store.dispose()
    assert compared == 4 * (1 + len(USER_ROLE_NAMES))


def test_figures_are_read_only_from_a_store_as_the_opening_leaves_it(store, sqlite_only):  # noqa: ANN001
    """Not for a person the store does not know or has disabled (the opening refuses them
    with its sentence), nor from a store at another schema (the opening upgrades it), nor
    from what is not a store: the start then reads it as it always did."""
    path = sqlite_path(store.url)
    assert fresh.read(path, store.user) is not None
    assert fresh.read(path, "nobody") is None
    with store.write() as uow:
        U.add(uow, "gone", "sales")
        U.disable(uow, "gone")
    assert fresh.read(path, "gone") is None
    with sqlite3.connect(path) as con:  # business hours no form would save (refused by
        con.execute(  # BusinessHours.parse: an error not of sqlite3's own)
            "INSERT OR REPLACE INTO setting (key, value) VALUES ('business_hours', ?)",
            ('{"days": "Nope", "start": "09:00", "end": "17:00", "timezone": "UTC"}',),
        )
    assert fresh.read(path, store.user) is None
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM setting WHERE key = 'business_hours'")
    assert fresh.read(path, store.user) is not None
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '0001'")
    assert fresh.read(path, store.user) is None
    junk = path.with_name("junk.db")
    junk.write_bytes(b"not a store" * 100)
    assert fresh.read(junk, store.user) is None
    assert fresh.read(path.with_name("missing.db"), store.user) is None
    assert not path.with_name("missing.db").exists()  # read-only: nothing made


GATED = """
import sys
from pathlib import Path

from bizdesk.identity import Gate, enter_gate
from bizdesk.services.overview import fresh

path, user = sys.argv[1:]
print(fresh.read(Path(path), user) is not None)
enter_gate(Gate(user, "sqlite:///" + path, Path("/nonexistent/authorized_keys"), ("bizdesk",)))
print(fresh.read(Path(path), user))
print("sqlalchemy" in sys.modules)
"""


def test_nothing_is_read_so_under_the_gate_nor_with_the_database_stack(store, sqlite_only):  # noqa: ANN001
    """Through the shop's gate the person is told by the gate (the opening checks who);
    and the reading imports no SQLAlchemy, which is what it is for."""
    ran = subprocess.run(
        [sys.executable, "-c", GATED, str(sqlite_path(store.url)), store.user],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["True", "None", "False"]


async def test_the_app_draws_them_while_the_store_opens(store, sqlite_only):  # noqa: ANN001
    """Read so, Home is drawn before the store is open, keys held, and the figures read
    once it is open take over without Home being built again (as for figures kept)."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ana Pop"))
        D.create(uow, D.DealInput(title="Bikes", contact="Ana Pop", amount="1234.56"))
    release = threading.Event()

    def slow_opener(say):  # noqa: ANN001, ANN202
        release.wait(30)
        return store

    path = sqlite_path(store.url)
    app = BizdeskApp(opener=slow_opener, kept=lambda: fresh.read(path, store.user))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app.query(HomePane)), "Home")
        home = app.query_one(HomePane)
        await until(pilot, lambda: home.data is not None, "the figures drawn")
        assert app.store is None and home.kept and app.keys_on_hold()
        assert "1,234.56" in kpis(app)
        release.set()
        await until(pilot, lambda: app.store is not None, "the store to open")
        await settle(pilot, app)
        assert app.query_one(HomePane) is home and "1,234.56" in kpis(app)
