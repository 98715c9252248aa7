"""Home as it was last seen, kept for the next start (services/overview/glance.py, issue
12's start): the figures come back only while the store is exactly as it was when they were
read, on the same day and before a ticket's clock runs out; and the app draws them while the
store is still opening, then takes over the figures read."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from bizdesk.app import BizdeskApp
from bizdesk.config import sqlite_path
from bizdesk.db import Store, open_store
from bizdesk.models.tickets import Ticket
from bizdesk.screens.home import HomePane
from bizdesk.services.admin import users as U
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.overview import glance as G
from bizdesk.services.overview.dashboard import dashboard, mark
from bizdesk.services.trade import deals as D
from tests.test_tui_newcomer import kpis, settle, until

SIZE = (80, 24)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def _path(store: Store) -> Path:
    return sqlite_path(store.url)


def _read(store: Store) -> tuple[G.Dashboard, G.Mark]:
    with store.read() as uow:
        return dashboard(uow), mark(uow)


def _glance(data: G.Dashboard, role: str = "owner") -> G.Glance:
    return G.Glance(
        role=role, ask="", language="ro", locale="ro_RO", company="Ciclu", which="x", data=data
    )


def _keep(store: Store) -> G.Glance:
    data, seen = _read(store)
    glance = _glance(data)
    G.keep(_path(store), store.user, seen, glance)
    return glance


def _with_a_deal(store: Store) -> None:
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ana Pop"))
        D.create(uow, D.DealInput(title="Bikes", contact="Ana Pop", amount="1234.56"))


def test_kept_figures_come_back_whole_while_nothing_was_written(store, sqlite_only, cache):  # noqa: ANN001
    _with_a_deal(store)
    glance = _keep(store)
    assert glance.data.pipeline_total is not None
    assert glance.data.pipeline_total.amount == Decimal("1234.56")
    assert G.kept(_path(store), store.user) == glance  # every figure, Decimals exact
    kept_file = G.kept_file(_path(store), store.user)
    assert stat.S_IMODE(kept_file.stat().st_mode) == 0o600  # the person's own figures
    assert stat.S_IMODE(kept_file.parent.stat().st_mode) == 0o700


def test_a_colleagues_new_contact_or_logged_call_leaves_them_as_seen(store, sqlite_only, cache):  # noqa: ANN001
    """Writes of records no figure of Home is read from (glance.IN_NO_FIGURE) since the
    last look leave the kept figures usable; and they are indeed the figures read whole."""
    _with_a_deal(store)
    glance = _keep(store)
    with store.write() as uow:  # a colleague adds a contact, logs a call, archives it
        ben = C.create(uow, C.ContactInput(name="Ben Colleague")).contact.id
        C.log_interaction(uow, ben, "call", "Asked about the spring service")
        C.archive(uow, ben, version=C.get(uow, ben).version)
    assert G.kept(_path(store), store.user) == glance
    assert _read(store)[0] == glance.data


def test_a_colleagues_new_lead_in_a_nurturing_sequence_leaves_them_as_seen(
    store, sqlite_only, cache
):  # noqa: ANN001
    """A lead entering a nurturing sequence gets follow-ups for whoever added it: Home
    counts the person's own, so a colleague's new lead leaves the kept figures usable, and
    the person's own new lead does not."""
    from bizdesk.services.crm import nurture as N

    with store.write() as uow:
        N.create_sequence(
            uow, N.SequenceInput(name="Welcome", steps=[N.StepInput("0", "call", "Say hi")])
        )
        U.add(uow, "seller1", "sales")
    glance = _keep(store)
    colleague = open_store(store.url, user="seller1", create=False)
    with colleague.write() as uow:
        C.create(uow, C.ContactInput(name="Lena Lead", stage="lead"))
    colleague.dispose()
    assert G.kept(_path(store), store.user) == glance
    assert _read(store)[0] == glance.data  # the person's follow-ups: as they were
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Otto Lead", stage="lead"))
    assert G.kept(_path(store), store.user) is None
    assert _read(store)[0].follow_ups != glance.data.follow_ups


@pytest.mark.parametrize("write", ["deal", "ticket", "product"])
def test_a_write_of_anything_home_counts_makes_them_unusable(store, sqlite_only, cache, write):  # noqa: ANN001
    """A deal (the pipeline), a ticket (the tickets' counts), a product (low stock): Home
    read as it was is not used, even with contacts written after it."""
    from tests.erp_helpers import product

    _with_a_deal(store)
    _keep(store)
    if write == "product":
        product(store, "BIKE")
    else:
        with store.write() as uow:
            if write == "deal":
                D.create(uow, D.DealInput(title="Tyres", contact="Ana Pop", amount="80"))
            else:
                T.create(uow, T.TicketInput(subject="Squeaky brake"))
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ben Colleague"))
    assert G.kept(_path(store), store.user) is None


def test_more_writes_since_than_are_read_make_them_unusable(store, sqlite_only, cache, monkeypatch):  # noqa: ANN001
    """Past NEWEST_READ events since the last look (an import), the kept are not used."""
    monkeypatch.setattr(G, "NEWEST_READ", 2)
    _keep(store)
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="One"))
        C.create(uow, C.ContactInput(name="Two"))
    assert G.kept(_path(store), store.user) is not None
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Three"))
    assert G.kept(_path(store), store.user) is None


def test_the_event_seen_then_changed_or_gone_makes_them_unusable(store, sqlite_only, cache):  # noqa: ANN001
    """The newest event seen at the last look must still be there with its chain link:
    another store put in its place (a backup restored) may hold anything."""
    _with_a_deal(store)
    _keep(store)
    seen = _read(store)[1]
    con = sqlite3.connect(_path(store))
    with con:
        con.execute("UPDATE audit_event SET chain_hash = 'other' WHERE id = ?", (seen.event,))
    assert G.kept(_path(store), store.user) is None
    with con:
        con.execute("UPDATE audit_event SET chain_hash = ? WHERE id = ?", (seen.link, seen.event))
    assert G.kept(_path(store), store.user) is not None
    with con:  # an earlier copy: the event seen then, and those after it, are not there
        con.execute("DELETE FROM audit_event WHERE id >= ?", (seen.event,))
    con.close()
    assert G.kept(_path(store), store.user) is None


def test_they_belong_to_one_person_and_one_store(store, new_store, sqlite_only, cache):  # noqa: ANN001
    _keep(store)
    assert G.kept(_path(store), "someone-else") is None
    other = new_store()
    assert G.kept(_path(other), store.user) is None
    # a file kept for another person, put in this one's place, is not taken either
    data, seen = _read(store)
    G.keep(_path(store), "mallory", seen, _glance(data))
    G.kept_file(_path(store), "mallory").replace(G.kept_file(_path(store), store.user))
    assert G.kept(_path(store), store.user) is None


def test_a_ticket_running_out_of_time_makes_them_unusable(store, sqlite_only, cache):  # noqa: ANN001
    """Home counts overdue tickets: the figures kept hold until the next ticket's clock
    runs out, though nothing is written."""
    with store.write() as uow:
        T.create(uow, T.TicketInput(subject="Chain snapped", priority="urgent"))
    day = datetime.now(UTC).date()
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    with store.write() as uow:  # its clock set to run out at 13:00 today
        uow.session.execute(
            update(Ticket).values(
                first_response_due=noon + timedelta(hours=1),
                resolution_due=noon + timedelta(hours=5),
            )
        )
    with store.read() as uow:
        data, seen = dashboard(uow), mark(uow, now=noon)
    assert seen.until == noon + timedelta(hours=1)
    G.keep(_path(store), store.user, seen, _glance(data))
    assert G.kept(_path(store), store.user, now=noon + timedelta(minutes=59)) is not None
    assert G.kept(_path(store), store.user, now=noon + timedelta(hours=1)) is None
    with store.read() as uow:  # and indeed, then, it is overdue
        assert T.count_overdue(uow, now=noon + timedelta(hours=1, seconds=1)) == 1
        assert T.count_overdue(uow, now=noon + timedelta(minutes=59)) == 0
        # the clock of its first answer has run out: the next one is its resolution's
        assert T.next_deadline(uow, now=noon + timedelta(hours=2)) == noon + timedelta(hours=5)


def test_no_ticket_clock_leaves_only_the_day(store, sqlite_only, cache):  # noqa: ANN001
    _keep(store)
    day = G.kept(_path(store), store.user).data.today
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    assert G.kept(_path(store), store.user, now=noon) is not None
    assert G.kept(_path(store), store.user, now=noon + timedelta(days=1)) is None


def test_another_schema_or_a_damaged_kept_file_is_not_used(store, sqlite_only, cache):  # noqa: ANN001
    _keep(store)
    revision = _read(store)[1].revision
    con = sqlite3.connect(_path(store))
    with con:
        con.execute("UPDATE alembic_version SET version_num = 'elsewhere'")
    con.close()
    assert G.kept(_path(store), store.user) is None
    con = sqlite3.connect(_path(store))
    with con:
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.close()
    kept_file = G.kept_file(_path(store), store.user)
    entry = json.loads(kept_file.read_text())
    assert G.kept(_path(store), store.user) is not None
    entry["glance"]["data"]["cash"] = "12,5"  # not a number as kept
    kept_file.write_text(json.dumps(entry))
    assert G.kept(_path(store), store.user) is None
    kept_file.write_text("{")
    assert G.kept(_path(store), store.user) is None


def test_a_folder_that_refuses_costs_only_the_head_start(store, sqlite_only, cache):  # noqa: ANN001
    cache.mkdir()
    (cache / "bizdesk").write_text("a file where the folder would be")
    _keep(store)  # no error
    assert G.kept(_path(store), store.user) is None


GATED = """
import sys
from pathlib import Path

from bizdesk.identity import Gate, enter_gate
from bizdesk.services.overview import glance as G

path, user, kept_entry = sys.argv[1:]
enter_gate(Gate(user, "sqlite:///" + path, Path("/nonexistent/authorized_keys"), ("bizdesk",)))
import json
entry = json.loads(kept_entry)
print(G.kept(Path(path), user))
G.keep(Path(path), user, G.Mark(**entry["mark"]), G.Glance(**entry["glance"]))
"""


def test_nothing_is_kept_or_read_under_the_gate(store, sqlite_only, cache):  # noqa: ANN001
    """Through the shop's gate everyone is the shop's account, with one cache folder."""
    _keep(store)
    kept_file = G.kept_file(_path(store), store.user)
    entry = kept_file.read_text()
    kept_file.unlink()
    ran = subprocess.run(
        [sys.executable, "-c", GATED, str(_path(store)), store.user, entry],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "None" and not kept_file.exists()


async def test_the_app_keeps_home_and_draws_it_while_the_store_opens(
    store,  # noqa: ANN001
    sqlite_only,  # noqa: ANN001
    cache,  # noqa: ANN001
):
    """The first start keeps Home; the next draws the kept figures before the store is
    open (the opener still waiting), keys held, then takes the figures read over without
    building Home again."""
    _with_a_deal(store)
    app = BizdeskApp(opener=lambda say: store)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.store is not None, "the store to open")
        await settle(pilot, app)
    glance = G.kept(_path(store), store.user)
    assert glance is not None and glance.role == "owner"
    release = threading.Event()

    def slow_opener(say):  # noqa: ANN001, ANN202
        release.wait(30)
        return store

    app = BizdeskApp(opener=slow_opener, kept=lambda: G.kept(_path(store), store.user))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.query(HomePane)), "the kept figures")
        home = app.query_one(HomePane)
        await until(pilot, lambda: home.data is not None, "the kept figures drawn")
        assert app.store is None and home.kept and app.keys_on_hold()
        shown = kpis(app)
        assert "Weighted pipeline" in shown and "1,234.56" in shown
        await pilot.press("f3")  # a key typed now waits for the store
        assert app.query_one("#tabs").active == "home"
        release.set()
        await until(pilot, lambda: app.store is not None, "the store to open")
        await until(pilot, lambda: app.query_one("#tabs").active == "contacts", "F3")
        assert app.query_one(HomePane) is home  # not built again


async def test_a_role_changed_meanwhile_builds_home_again(store, sqlite_only, cache):  # noqa: ANN001
    """The kept figures were an owner's; the store, opened, says the person is in sales
    now (changed between the look at the store and its opening): Home is built again for
    them, without the books' figures."""
    data, _seen = _read(store)
    glance = _glance(data)  # an owner's figures, books included
    with store.write() as uow:
        U.add(uow, "seller1", "sales")
    seller = open_store(store.url, user="seller1", create=False)
    app = BizdeskApp(opener=lambda say: seller, kept=lambda: glance)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.store is not None, "the store to open")
        await settle(pilot, app)
        home = app.query_one(HomePane)
        assert not home.kept and app.role == "sales"
        await until(pilot, lambda: home.data is not None, "the seller's figures")
        assert "Tickets open" in kpis(app) and "Sales this month" not in kpis(app)
    seller.dispose()


async def test_home_reread_in_part_is_not_kept(store, sqlite_only, cache):  # noqa: ANN001
    """Home reads only the tickets' counts again after a colleague's new ticket (the books
    kept from before): not kept, as those figures were not all read at one moment; a change
    of what is read with the books (a product: low stock) has Home read everything again,
    and that is kept."""
    from tests.erp_helpers import product
    from tests.test_changes import _other, _poll

    colleague = _other(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        home = app.query_one(HomePane)
        await until(pilot, lambda: home.data is not None, "Home's figures")
        await _poll(pilot, app, store)  # the app's first look for changes
        home.action_refresh()  # read whole: kept
        await until(pilot, lambda: G.kept(_path(store), store.user) is not None, "kept")
        await settle(pilot, app)
        with colleague.write() as uow:
            T.create(uow, T.TicketInput(subject="Squeaky brake"))
        await _poll(pilot, app, store)
        await until(pilot, lambda: home.data.tickets_open == 1, "the new ticket counted")
        assert G.kept(_path(store), store.user) is None  # the kept are from before it
        product(colleague, "BIKE")  # stock: Home's low stock, read with the books
        await _poll(pilot, app, store)
        await until(pilot, lambda: G.kept(_path(store), store.user) is not None, "kept")
        assert G.kept(_path(store), store.user).data == home.data
    colleague.dispose()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("data", "cash"), "NaN"),
        (("data", "cash"), "1e999999999"),
        (("data", "cash"), 12),  # a number where bizdesk writes text
        (("data", "follow_ups"), "x"),
        (("data", "tickets_open"), -1),
        (("data", "tickets_open"), True),
        (("data", "sales_by_month"), [["2026-01", "Infinity"]]),
        (("data", "pipeline"), [{"stage": 1}]),
        (("role",), "admin"),
        (("locale",), "xx_NOWHERE"),
        (("company",), ["a list"]),
    ],
)
def test_a_kept_file_not_as_bizdesk_writes_it_is_not_used(store, sqlite_only, cache, where, value):  # noqa: ANN001
    """Each of these drew Home into a crash (TypeError, an overflow in Babel) at every
    start, until the file was removed or the store written."""
    _keep(store)
    kept_file = G.kept_file(_path(store), store.user)
    entry = json.loads(kept_file.read_text())
    inner = entry["glance"]
    for key in where[:-1]:
        inner = inner[key]
    inner[where[-1]] = value
    kept_file.write_text(json.dumps(entry))
    assert G.kept(_path(store), store.user) is None


def test_a_kept_file_too_deep_to_read_is_not_used(store, sqlite_only, cache):  # noqa: ANN001
    """json's RecursionError killed the opening worker: "Opening the store…" for good."""
    _keep(store)
    G.kept_file(_path(store), store.user).write_text("[" * 200_000 + "]" * 200_000)
    assert G.kept(_path(store), store.user) is None


def test_only_a_file_and_folder_of_the_persons_own_are_used(store, sqlite_only, cache):  # noqa: ANN001
    """A cache folder others may write in let them put forged figures on a person's
    Home: such a folder, or a file another wrote or may read, is not read; a folder of
    another's is not written in, the person's own is made private first."""
    _keep(store)
    kept_file = G.kept_file(_path(store), store.user)
    folder = kept_file.parent
    folder.chmod(0o777)
    assert G.kept(_path(store), store.user) is None
    os.chown(folder, 65534, -1)  # another's folder (nobody's): nothing is written into it
    kept_file.unlink()
    _keep(store)
    assert not kept_file.exists()
    os.chown(folder, os.geteuid(), -1)  # the person's own: made private again, then used
    _keep(store)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept_file.chmod(0o644)
    assert G.kept(_path(store), store.user) is None
    kept_file.chmod(0o600)
    assert G.kept(_path(store), store.user) is not None
    os.chown(kept_file, 65534, -1)  # another person's file (nobody), put in its place
    assert G.kept(_path(store), store.user) is None


def test_a_file_that_cannot_be_put_in_place_leaves_nothing_behind(store, sqlite_only, cache):  # noqa: ANN001
    kept_file = G.kept_file(_path(store), store.user)
    kept_file.mkdir(parents=True)  # a folder where the file goes: the rename fails
    kept_file.parent.chmod(0o700)
    _keep(store)
    assert [p.name for p in kept_file.parent.iterdir()] == [kept_file.name]
