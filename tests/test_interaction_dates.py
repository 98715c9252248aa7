"""An interaction logged with when it happened (a call made yesterday): typed as the person
writes dates, then optionally HH:MM in the shop's time zone; never in the future; shown on
the contact's timeline in its place, as it can be typed back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bizdesk import i18n
from bizdesk.errors import ValidationError
from bizdesk.formatting import moment
from bizdesk.services.crm import contacts as C

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 12:00 in Madrid


@pytest.fixture
def spanish(store):  # noqa: ANN001, ANN201
    """A shop in Madrid, a Spanish speaker typing into its forms."""
    with store.write() as uow:
        uow.set_setting("shop_timezone", "Europe/Madrid")
        cid = C.create(uow, C.ContactInput(name="Chatty")).contact.id
    store.input_locale = "es_ES"  # as the terminal interface reads forms
    i18n.use("es")
    yield store, cid
    store.input_locale = None
    i18n.use("en")


def log(store, cid, at, summary="x"):  # noqa: ANN001, ANN201
    with store.write() as uow:
        return C.log_interaction(uow, cid, "call", summary, at, now=NOW)


def test_a_back_dated_call_lands_in_its_place_and_reads_back(spanish):
    store, cid = spanish
    log(store, cid, "", "today")  # now
    log(store, cid, datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "last week")
    yesterday = log(store, cid, "06/12/2026 15:30", "yesterday")
    assert yesterday.at == datetime(2026, 12, 6, 14, 30, tzinfo=UTC)  # Madrid is UTC+1
    with store.read() as uow:
        shown = C.list_interactions(uow, cid)
    assert [i.summary for i in shown] == ["today", "yesterday", "last week"]
    assert shown[0].at == NOW
    typed_back = moment(shown[1].at, "Europe/Madrid")
    assert typed_back == "06/12/2026 15:30"
    assert log(store, cid, typed_back).at == shown[1].at


def test_summer_time_and_iso_and_a_date_alone(spanish):
    store, cid = spanish
    assert log(store, cid, "15/07/2026 09:05").at == datetime(2026, 7, 15, 7, 5, tzinfo=UTC)
    assert log(store, cid, "2026-07-15 9:05").at == datetime(2026, 7, 15, 7, 5, tzinfo=UTC)
    assert log(store, cid, "06/12/2026").at == datetime(2026, 12, 6, 11, 0, tzinfo=UTC)  # noon
    assert log(store, cid, "07/12/2026").at == NOW  # today alone: now
    assert log(store, cid, "07/12/2026 12:04").at == datetime(2026, 12, 7, 11, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("12/06/26", "DD/MM/AAAA"),  # a short year: never guessed
        ("31/02/2026", "ese día no existe"),
        ("mañana", "DD/MM/AAAA"),
        ("06/12/2026 25:00", "HH:MM"),
        ("06/12/2026 3pm", "HH:MM"),
        ("06/12/2026 15:30 ayer", "HH:MM"),
        ("08/12/2026", "'08/12/2026'"),
        ("07/12/2026 12:30", "'07/12/2026 12:30'"),
        ("29/03/2026 02:30", "02:30"),  # the clocks skip it
        ("25/10/2026 02:30", "02:30"),  # the clocks show it twice
    ],
)
def test_wrong_moments_are_refused_saying_what_is_expected(spanish, typed, said):
    store, cid = spanish
    with pytest.raises(ValidationError) as err:
        log(store, cid, typed)
    assert set(err.value.fields) == {"at"}
    assert said in str(err.value.fields["at"])
    with store.read() as uow:
        assert C.list_interactions(uow, cid) == []


def test_machine_input_reads_iso_only(store):
    with store.write() as uow:
        uow.set_setting("shop_timezone", "Asia/Ho_Chi_Minh")
        cid = C.create(uow, C.ContactInput(name="Lan")).contact.id
    assert log(store, cid, "2026-12-06 08:00").at == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as err:
        log(store, cid, "06/12/2026 08:00")
    assert "YYYY-MM-DD" in str(err.value.fields["at"])


def test_the_future_is_refused_saying_so(store):
    with store.write() as uow:
        cid = C.create(uow, C.ContactInput(name="Lan")).contact.id
    with pytest.raises(ValidationError) as err:
        log(store, cid, "2026-12-07 11:06")
    assert str(err.value.fields["at"]) == (
        "'2026-12-07 11:06' is in the future: log what has already happened (empty: now)"
    )
    assert log(store, cid, "2026-12-07 11:05").at == datetime(2026, 12, 7, 11, 5, tzinfo=UTC)


def test_the_future_is_said_as_the_reader_writes_dates_however_it_came(spanish):
    store, cid = spanish  # ISO typed (or made ISO by a door): said in the reader's form
    for typed, said in (("2099-12-20", "'20/12/2099'"), ("2099-12-20 9:30", "'20/12/2099 09:30'")):
        with pytest.raises(ValidationError) as err:
            log(store, cid, typed)
        assert str(err.value.fields["at"]).startswith(f"{said} está en el futuro"), typed
