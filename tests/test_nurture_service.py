"""Lead nurturing (issue 15, deliverable 4): sequences of follow-up activities made when a
contact enters a stage, by every path that sets the stage; done, skipped, moved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bizdesk.db import Store
from bizdesk.errors import Conflict, PermissionDenied, ValidationError
from bizdesk.models.nurture import FollowUp
from bizdesk.services.admin import users
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts, followups, nurture, tickets
from bizdesk.services.crm.business_hours import BusinessHours
from bizdesk.services.exchange import crm_imports

LEAD_STEPS = [
    nurture.StepInput("0", "call", "Welcome call"),
    nurture.StepInput("3", "email", "Send the catalogue"),
    nurture.StepInput("10", "meeting", "Visit the shop"),
]


def _sequence(store: Store, stage: str = "lead", name: str = "New lead", steps=None):  # noqa: ANN001, ANN202
    with store.write() as uow:
        return nurture.create_sequence(
            uow, nurture.SequenceInput(name, stage, True, list(steps or LEAD_STEPS))
        )


def _open(store: Store, contact_id: int) -> list:
    """The contact's open follow-ups (id, due, text, assignee, version), soonest first."""
    with store.read() as uow:
        return list(
            uow.session.execute(
                select(
                    FollowUp.id, FollowUp.due, FollowUp.text, FollowUp.assignee, FollowUp.version
                )
                .where(FollowUp.contact_id == contact_id, FollowUp.state == "open")
                .order_by(FollowUp.due, FollowUp.id)
            )
        )


def _states(store: Store, contact_id: int) -> dict[str, int]:
    with store.read() as uow:
        rows = uow.session.execute(
            select(FollowUp.state, func.count())
            .where(FollowUp.contact_id == contact_id)
            .group_by(FollowUp.state)
        )
        return dict(rows.all())


def _add(store: Store, name: str, stage: str = "lead", owner: str = "") -> contacts.ContactView:
    with store.write() as uow:
        return contacts.create(
            uow, contacts.ContactInput(name=name, stage=stage, owner=owner)
        ).contact


def _set_stage(store: Store, contact_id: int, stage: str) -> None:
    with store.write() as uow:
        view = contacts.get(uow, contact_id)
        data = view.as_input()
        data.stage = stage
        contacts.update(uow, contact_id, data, version=view.version)


def test_due_dates_fall_on_the_shops_working_days() -> None:
    hours = BusinessHours()  # mon-fri
    friday = date(2026, 11, 27)
    assert nurture.due_date(friday, 0, hours) == friday
    assert nurture.due_date(friday, 1, hours) == date(2026, 11, 30)  # Saturday -> Monday
    assert nurture.due_date(friday, 3, hours) == date(2026, 11, 30)  # Monday itself
    six = BusinessHours(days=(0, 1, 2, 3, 4, 5))
    assert nurture.due_date(friday, 1, six) == date(2026, 11, 28)  # open on Saturdays


def test_a_step_and_a_stage_are_read_as_the_readers_language_says_them(store: Store) -> None:
    """A step on one line splits after the activity, which may be two words ("cuộc gọi");
    the stage may be typed as the reader's language shows it ("tiềm năng": lead)."""
    from bizdesk import i18n

    assert nurture.split_step("3 email Send  the catalogue") == (
        "3",
        "email",
        "Send  the catalogue",
    )
    assert nurture.split_step("3 email") is None
    assert nurture.split_step("1 fax hello there") == ("1", "fax", "hello there")
    try:
        i18n.use("vi")
        assert nurture.split_step("0 Cuộc  gọi Gọi chào mừng") == ("0", "Cuộc gọi", "Gọi chào mừng")
        with store.write() as uow:
            view = nurture.create_sequence(
                uow,
                nurture.SequenceInput(
                    "Mới", "Tiềm năng", True, [nurture.StepInput("0", "cuộc gọi", "Gọi")]
                ),
            )
    finally:
        i18n.use("en")
    assert view.stage == "lead" and view.steps[0].activity == "call"
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        nurture.create_sequence(
            uow, nurture.SequenceInput("X", "someday", True, [nurture.StepInput("0", "call", "x")])
        )
    assert set(exc.value.fields) == {"stage"}


def test_a_new_lead_gets_the_sequence_for_its_owner(store: Store) -> None:
    _sequence(store)
    with store.write() as uow:
        users.add(uow, "maria", "sales")
    c = _add(store, "Ana Lopez", owner="maria")
    rows = _open(store, c.id)
    assert [r.text for r in rows] == ["Welcome call", "Send the catalogue", "Visit the shop"]
    assert {r.assignee for r in rows} == {"maria"}
    with store.read() as uow:
        today, hours = nurture.shop_today(uow), nurture.shop_hours(uow)
    assert [r.due for r in rows] == [nurture.due_date(today, d, hours) for d in (0, 3, 10)]
    # no owner: the person who made the change
    d = _add(store, "Bo Chen")
    assert {r.assignee for r in _open(store, d.id)} == {"tester"}
    # another stage: nothing
    assert _open(store, _add(store, "Cy Dunn", stage="customer").id) == []


def test_a_stage_change_starts_and_leaving_cancels(store: Store) -> None:
    _sequence(store)
    _sequence(
        store, "customer", "First purchase", [nurture.StepInput("2", "call", "How is the bike?")]
    )
    c = _add(store, "Ana Lopez", stage="prospect")
    assert _open(store, c.id) == []
    _set_stage(store, c.id, "lead")
    assert len(_open(store, c.id)) == 3
    _set_stage(store, c.id, "customer")  # leaving lead cancels its three, customer starts
    assert [r.text for r in _open(store, c.id)] == ["How is the bike?"]
    assert _states(store, c.id) == {"cancelled": 3, "open": 1}
    # saving without changing the stage makes nothing
    _set_stage(store, c.id, "customer")
    assert _states(store, c.id) == {"cancelled": 3, "open": 1}


def test_entering_again_while_open_does_not_double(store: Store) -> None:
    """Two leads merged: each has the lead sequence open; the kept one keeps one set."""
    _sequence(store)
    a, b = _add(store, "Ana Lopez"), _add(store, "Ana López")
    with store.write() as uow:
        contacts.merge(uow, a.id, b.id)
    assert len(_open(store, a.id)) == 3
    # a lead merged into a prospect: the prospect enters lead? no: it stays the furthest
    # along (prospect), and the lead's activities moved over are cancelled
    p, q = _add(store, "Cy Dunn", stage="prospect"), _add(store, "Cy Dun")
    with store.write() as uow:
        contacts.merge(uow, p.id, q.id)
    assert _open(store, p.id) == []
    # a prospect merged with a lead whose activities are open: kept as lead-> prospect
    r, s = _add(store, "Di Egan"), _add(store, "Di Eagan", stage="prospect")
    with store.write() as uow:
        contacts.merge(uow, r.id, s.id)
    assert _open(store, r.id) == []
    assert _states(store, r.id) == {"cancelled": 3}


def test_archiving_cancels_and_deleting_removes(store: Store) -> None:
    _sequence(store)
    a = _add(store, "Ana Lopez")
    with store.write() as uow:
        contacts.archive(uow, a.id, version=contacts.get(uow, a.id).version)
    assert _states(store, a.id) == {"cancelled": 3}
    b = _add(store, "Bo Chen")
    with store.write() as uow:
        contacts.delete(uow, b.id, version=contacts.get(uow, b.id).version)
    assert _states(store, b.id) == {}


def test_an_inactive_sequence_makes_nothing(store: Store) -> None:
    seq = _sequence(store)
    with store.write() as uow:
        nurture.set_active(uow, seq.id, False)
    assert _open(store, _add(store, "Ana Lopez").id) == []


def test_an_import_starts_the_sequences_of_new_and_updated_contacts(store: Store) -> None:
    _sequence(store)
    old = _add(store, "Zed Old", stage="prospect")
    with store.write() as uow:
        users.add(uow, "maria", "sales")
    csv = (
        "id,name,email,stage,owner\n"
        ",Ana Lopez,ana@example.com,lead,maria\n"
        ",Bo Chen,bo@example.com,customer,\n"
        f"{old.id},Zed Old,,lead,\n"
    )
    result = crm_imports.import_contacts(store, csv)
    assert (result.created, result.updated) == (2, 1)
    with store.read() as uow:
        ana = contacts.find_by_name_or_email(uow, "ana@example.com").id
        bo = contacts.find_by_name_or_email(uow, "bo@example.com").id
    rows = _open(store, ana)
    assert [(r.text, r.assignee) for r in rows] == [
        ("Welcome call", "maria"),
        ("Send the catalogue", "maria"),
        ("Visit the shop", "maria"),
    ]
    with store.read() as uow:
        today, hours = nurture.shop_today(uow), nurture.shop_hours(uow)
    assert rows[1].due == nurture.due_date(today, 3, hours)
    assert _open(store, bo) == []
    assert {r.assignee for r in _open(store, old.id)} == {"tester"}


def test_the_shop_time_zone_gives_today(store: Store) -> None:
    with store.write() as uow:
        tickets.set_business_hours(uow, "mon-sun", "09:00", "17:00", "Pacific/Kiritimati")
    _sequence(store, steps=[nurture.StepInput("0", "call", "Call")])
    a = _add(store, "Ana Lopez")
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    assert (
        _open(store, a.id)[0].due
        == datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    )


def test_sequence_input_is_checked(store: Store) -> None:
    with store.write() as uow:
        with pytest.raises(ValidationError) as err:
            nurture.create_sequence(
                uow,
                nurture.SequenceInput(
                    "",
                    "vip",
                    True,
                    [
                        nurture.StepInput("-1", "fax", ""),
                        nurture.StepInput("3.5", "call", "x"),
                        nurture.StepInput("99999", "task", "y\x1b"),
                    ],
                ),
            )
    f = err.value.fields
    assert set(f) >= {
        "name",
        "stage",
        "line 1 day",
        "line 1 activity",
        "line 1 what to do",
        "line 2 day",
        "line 3 day",
        "line 3 what to do",
    }
    assert "fax" not in str(f["line 1 activity"]) and "call" in str(f["line 1 activity"])
    with store.write() as uow:
        with pytest.raises(ValidationError) as err:
            nurture.create_sequence(uow, nurture.SequenceInput("Empty", "lead", True, []))
    assert "write at least one step" in str(err.value.fields[""])
    _sequence(store)
    with store.write() as uow:
        with pytest.raises(ValidationError) as err:
            nurture.create_sequence(
                uow, nurture.SequenceInput("NEW LEAD", "lead", True, LEAD_STEPS)
            )
    assert "name" in err.value.fields


def test_edit_and_add_step_and_stale_version(store: Store) -> None:
    seq = _sequence(store)
    with store.write() as uow:
        after = nurture.add_step(uow, seq.id, nurture.StepInput("30", "task", "Ask for a review"))
    assert [s.day for s in after.steps] == [0, 3, 10, 30]
    with store.write() as uow:
        with pytest.raises(Conflict):
            nurture.update_sequence(uow, seq.id, seq.as_input(), version=seq.version)
    with store.read() as uow:
        assert nurture.find_sequence(uow, "new lead").id == seq.id
        assert nurture.find_sequence(uow, f"#{seq.id}").name == "New lead"
        page = nurture.sequences_page(uow, PageRequest())
    assert [(r.name, r.steps) for r in page.rows] == [("New lead", 4)]


def test_done_is_logged_as_an_interaction(store: Store) -> None:
    _sequence(store)
    a = _add(store, "Ana Lopez")
    first, second, third = _open(store, a.id)
    with store.write() as uow:
        done = followups.complete(uow, first.id, "She wants a blue one", version=first.version)
    assert done.state == "done" and done.interaction_id
    with store.read() as uow:
        logged = contacts.list_interactions(uow, a.id)
    assert [(i.kind, i.summary) for i in logged] == [("call", "Welcome call\nShe wants a blue one")]
    with store.write() as uow:
        with pytest.raises(Conflict):  # twice: refused, says it is done
            followups.complete(uow, first.id)
        followups.skip(uow, second.id, "no e-mail address")
    with store.read() as uow:
        done_page = followups.list_page(uow, PageRequest(filters={"view": "done"}))
        skipped = followups.list_page(uow, PageRequest(filters={"view": "skipped"}))
    assert [r.id for r in done_page.rows] == [first.id]
    assert [r.id for r in skipped.rows] == [second.id]
    with store.write() as uow:
        with pytest.raises(Conflict):
            followups.complete(uow, third.id, version=third.version - 1)


def test_reschedule_reads_the_persons_dates_and_refuses_the_past(store: Store) -> None:
    _sequence(store)
    a = _add(store, "Ana Lopez")
    f = _open(store, a.id)[0]
    today = date(2026, 12, 1)
    with store.write() as uow:
        moved = followups.reschedule(uow, f.id, "2026-12-24", today=today)
        assert moved.due == date(2026, 12, 24)
        for bad in ("", "24/13/2026", "tomorrow", "2026-02-30", "2026-11-30"):
            with pytest.raises(ValidationError) as err:
                followups.reschedule(uow, f.id, bad, today=today)
            assert "due" in err.value.fields


def test_lists_and_home_counts(store: Store) -> None:
    _sequence(store)
    with store.write() as uow:
        users.add(uow, "maria", "sales")
        # Open every day, so the day-0 calls fall today whatever day the test runs on (on a day
        # off they fall on the next working day: test_due_dates_fall_on_the_shops_working_days).
        tickets.set_business_hours(uow, "mon-sun", "09:00", "17:00", "UTC")
    mine = [_add(store, f"Lead {i}").id for i in range(3)]
    _add(store, "Maria's", owner="maria")
    with store.read() as uow:
        today = nurture.shop_today(uow)
    with store.write() as uow:
        ids = [f.id for f in _open(store, mine[0])]
        followups.reschedule(uow, ids[1], today, today=today)
        uow.session.execute(  # one overdue: made a week ago and never done
            FollowUp.__table__.update()
            .where(FollowUp.__table__.c.id == ids[2])
            .values(due=today - timedelta(days=7))
        )
    with store.read() as uow:
        counts = followups.counts(uow, today=today)
        everyone = followups.list_page(uow, PageRequest(filters={"who": "all"}))
        mine_today = followups.list_page(uow, PageRequest(filters={"view": "today"}), today=today)
        overdue = followups.list_page(uow, PageRequest(filters={"view": "overdue"}), today=today)
        hers = followups.list_page(uow, PageRequest(filters={"who": "maria"}))
        page1 = followups.list_page(uow, PageRequest(limit=4, filters={"who": "all"}))
        page2 = followups.list_page(
            uow, PageRequest(limit=4, after=page1.keys[-1], filters={"who": "all"})
        )
        on_page = followups.for_contact(uow, mine[0])
    today_count = sum(1 for r in mine_today.rows)
    assert counts == {"today": today_count, "overdue": 1}
    assert today_count == 4  # three day-0 calls and the moved one
    assert [r.id for r in overdue.rows] == [ids[2]]
    assert len(everyone.rows) == 12 and {r.assignee for r in hers.rows} == {"maria"}
    assert len(page1.rows) == 4 and page1.more_after
    assert not {r.id for r in page1.rows} & {r.id for r in page2.rows}
    assert on_page[0].id == ids[2] and {r.id for r in on_page} == set(ids)
    with store.read() as uow:
        with pytest.raises(ValidationError):
            followups.list_page(uow, PageRequest(filters={"view": "someday"}))


@pytest.mark.parametrize("role", ["accountant", "warehouse", "viewer", "support"])
def test_refused_roles_cannot_define_sequences(store: Store, role: str) -> None:
    with store.write() as uow:
        users.add(uow, f"a_{role}", role)
    other = Store(url=store.url, engine=store.engine, user=f"a_{role}")
    with other.write() as uow, pytest.raises(PermissionDenied):
        nurture.create_sequence(uow, nurture.SequenceInput("X", "lead", True, LEAD_STEPS))


@pytest.mark.parametrize("role", ["accountant", "warehouse", "viewer"])
def test_refused_roles_cannot_do_follow_ups(store: Store, role: str) -> None:
    _sequence(store)
    a = _add(store, "Ana Lopez")
    f = _open(store, a.id)[0]
    with store.write() as uow:
        users.add(uow, f"a_{role}", role)
    other = Store(url=store.url, engine=store.engine, user=f"a_{role}")
    for fn in (followups.complete, followups.skip):
        with other.write() as uow, pytest.raises(PermissionDenied):
            fn(uow, f.id)
    with other.write() as uow, pytest.raises(PermissionDenied):
        followups.reschedule(uow, f.id, "2099-01-01")
    if role == "warehouse":
        with other.read() as uow, pytest.raises(PermissionDenied):
            followups.list_page(uow, PageRequest())


def test_the_list_filters_by_contact(store: Store) -> None:
    _sequence(store)
    _add(store, "Ana López")
    _add(store, "Bo Chen")
    with store.read() as uow:

        def found(text: str) -> set[tuple[str, str]]:
            rows = followups.list_page(uow, PageRequest(search=text, filters={"who": "all"})).rows
            return {(r.contact, r.text) for r in rows}

        assert {c for c, _t in found("lopez")} == {"Ana López"}  # accents ignored
        assert {c for c, _t in found("bo")} == {"Bo Chen"}  # a name's start
        assert len(found("CHEN")) == 3  # the contact's three follow-ups
        assert found("zzz") == set() and found("%") == set()


def test_check_holds_through_every_path_and_sees_tampering(store: Store) -> None:
    from tests.erp_helpers import errors

    _sequence(store)
    a, b, c = _add(store, "Ana Lopez"), _add(store, "Ana López"), _add(store, "Cy Dunn")
    first, second = _open(store, a.id)[:2]
    with store.write() as uow:
        followups.complete(uow, first.id, "fine")
        followups.skip(uow, second.id)
        contacts.merge(uow, a.id, b.id)
        contacts.archive(uow, c.id, version=contacts.get(uow, c.id).version)
    _set_stage(store, a.id, "customer")
    assert errors(store) == []
    with store.write() as uow:
        uow.session.execute(
            FollowUp.__table__.update()
            .where(FollowUp.__table__.c.id == first.id)
            .values(state="open")
        )
        uow.session.execute(
            FollowUp.__table__.update()
            .where(FollowUp.__table__.c.contact_id == c.id)
            .values(state="open")
        )
    found = errors(store)
    assert f"follow-up-done-logged: follow-up #{first.id}: done and logged" in found[0]
    assert any(f"is open on archived contact #{c.id}" in e for e in found)
