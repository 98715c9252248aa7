"""`bizdesk followups done --at`: a follow-up done yesterday is logged on the contact as an
interaction of yesterday (the date as the person writes dates, then HH:MM in the shop's time
zone), in its JSON too; wrong and future moments are refused, nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bizdesk.db import open_store
from bizdesk.services.admin import setup
from bizdesk.services.crm import contacts as C
from tests.test_cli import bizdesk


@pytest.fixture
def shop(tmp_path) -> str:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    with s.write() as uow:
        uow.set_setting("shop_timezone", "Europe/Madrid")
    s.dispose()
    r = bizdesk("nurture", "add", "New", "--stage", "lead", "--step", "0 call Hi", "--db", path)
    assert r.returncode == 0, r.stderr
    f = tmp_path / "c.csv"
    f.write_text("name,email,stage\nAna Lopez,ana@example.com,lead\n")
    assert bizdesk("import", "contacts", str(f), "--db", path).returncode == 0
    return path


def interactions(shop: str) -> list:
    s = open_store(shop)
    try:
        with s.read() as uow:
            return C.list_interactions(uow, 1)
    finally:
        s.dispose()


def test_a_follow_up_done_yesterday_is_logged_yesterday(shop) -> None:  # noqa: ANN001
    for typed, said in (
        ("2099-01-01 10:00", "'2099-01-01 10:00' is in the future"),
        ("2026-12-01 25:00", "'25:00' is not a time: write HH:MM"),
        ("01/12/26", "--at: '01/12/26' is not a date: write YYYY-MM-DD"),
    ):
        r = bizdesk("followups", "done", "1", "--at", typed, "--db", shop)
        assert r.returncode == 1 and said in r.stderr, (typed, r.stderr)
    assert interactions(shop) == []
    spanish = {"LANG": "es_ES.UTF-8"}
    r = bizdesk(
        "followups", "done", "1", "--at", "01/12/2026 09:30", "--format", "json", "--db", shop,
        env=spanish,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout)
    assert done["state"] == "done" and done["done_at"] == "2026-12-01T08:30:00+00:00"
    [logged] = interactions(shop)
    assert (logged.id, logged.at) == (
        done["interaction_id"],
        datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    )


def test_a_future_moment_is_refused_as_the_person_typed_it(shop) -> None:  # noqa: ANN001
    spanish = {"LANG": "es_ES.UTF-8"}
    for typed, said in (
        ("20/12/2099", "--at: '20/12/2099' está en el futuro"),  # it said '2099-12-20'
        ("20/12/2099 10:00", "--at: '20/12/2099 10:00' está en el futuro"),
        ("20/12/2099 10:00 x", "--at: '20/12/2099 10:00 x' no es una fecha"),
    ):
        r = bizdesk("followups", "done", "1", "--at", typed, "--db", shop, env=spanish)
        assert r.returncode == 1 and r.stderr.startswith(said), (typed, r.stderr)
    assert interactions(shop) == []
