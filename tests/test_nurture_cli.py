"""`bizdesk nurture ...` and `bizdesk followups ...` through the real command line."""

from __future__ import annotations

import json

import pytest

from bizdesk.db import open_store
from bizdesk.services.admin import setup, users
from tests.test_cli import bizdesk, bizdesk_user


@pytest.fixture
def shop(tmp_path) -> str:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    s.dispose()
    return path


def test_sequences_and_follow_ups(shop, tmp_path) -> None:  # noqa: ANN001
    r = bizdesk(
        "nurture", "add", "New lead", "--stage", "lead",
        "--step", "0 call Welcome call", "--step", "3 email Send the catalogue",
        "--db", shop,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "#1 New lead: when a contact becomes lead (active)" in r.stdout
    r = bizdesk("nurture", "add-step", "new lead", "10", "meeting", "Visit", "--db", shop)
    assert r.returncode == 0, r.stderr
    r = bizdesk("nurture", "show", "1", "--format", "json", "--db", shop)
    assert [s["day"] for s in json.loads(r.stdout)["steps"]] == [0, 3, 10]
    r = bizdesk("nurture", "list", "--format", "json", "--db", shop)
    assert json.loads(r.stdout) == [
        {"id": 1, "name": "New lead", "stage": "lead", "active": True, "steps": 3}
    ]
    # wrong things: refused with what is expected, nothing written
    r = bizdesk("nurture", "add", "X", "--step", "soon", "--db", shop)
    assert r.returncode == 2 and "DAYS" not in r.stderr and "3 email" in r.stderr
    r = bizdesk("nurture", "add", "X", "--step", "-1 fax hello", "--db", shop)
    assert r.returncode == 1 and "line 1 day" in r.stderr and "call, email" in r.stderr
    r = bizdesk("nurture", "add-step", "nobody", "1", "call", "x", "--db", shop)
    assert r.returncode == 1 and "no nurturing sequence named 'nobody'" in r.stderr

    f = tmp_path / "c.csv"
    f.write_text("name,email,stage\nAna Lopez,ana@example.com,lead\n")
    assert bizdesk("import", "contacts", str(f), "--db", shop).returncode == 0
    r = bizdesk("followups", "list", "--format", "json", "--db", shop)
    rows = json.loads(r.stdout)
    me = bizdesk_user()
    assert [(x["text"], x["contact"], x["assignee"]) for x in rows] == [
        ("Welcome call", "Ana Lopez", me),
        ("Send the catalogue", "Ana Lopez", me),
        ("Visit", "Ana Lopez", me),
    ]
    first, second, third = (x["id"] for x in rows)
    # typed back as it is said ("Follow-up #1 (...)"): "#1" was a usage error
    r = bizdesk("followups", "done", f"#{first}", "--note", "wants a blue one", "--db", shop)
    assert r.returncode == 0 and "done" in r.stdout, r.stderr
    for typed in ("x", "#²", "#"):
        r = bizdesk("followups", "skip", typed, "--db", shop)
        assert r.returncode == 2 and f"'{typed}' is not a follow-up's number" in r.stderr
    r = bizdesk("followups", "done", str(first), "--db", shop)
    assert r.returncode == 1 and "is done already" in r.stderr
    r = bizdesk("followups", "move", str(second), "2026-13-01", "--db", shop)
    assert r.returncode == 1 and "no such day" in r.stderr
    r = bizdesk("followups", "move", str(second), "2099-01-05", "--db", shop)
    assert r.returncode == 0 and "2099-01-05" in r.stdout, r.stderr
    assert bizdesk("followups", "skip", str(third), "--db", shop).returncode == 0
    r = bizdesk("followups", "list", "--show", "done", "--who", "all", "--db", shop)
    assert "Welcome call" in r.stdout and "Visit" not in r.stdout and "done" in r.stdout
    r = bizdesk("followups", "list", "--show", "skipped", "--format", "json", "--db", shop)
    assert [(x["text"], x["state"]) for x in json.loads(r.stdout)] == [("Visit", "skipped")]
    r = bizdesk("followups", "list", "--show", "upcoming", "--format", "json", "--db", shop)
    assert [x["due"] for x in json.loads(r.stdout)] == ["2099-01-05"]
    r = bizdesk("followups", "list", "--show", "someday", "--db", shop)
    assert r.returncode == 2
    r = bizdesk("followups", "list", "--who", "ghost", "--db", shop)  # not an empty list
    assert r.returncode == 1 and "'ghost' is not a bizdesk user" in r.stderr, r.stdout


def test_a_warehouse_clerk_is_refused(shop) -> None:  # noqa: ANN001
    from bizdesk.db import Store

    s = open_store(shop)
    with s.write() as uow:
        users.add(uow, "boss", "owner")
    me = s.user
    with Store(url=s.url, engine=s.engine, user="boss").write() as uow:
        users.set_role(uow, me, "warehouse")
    s.dispose()
    r = bizdesk("nurture", "add", "X", "--step", "0 call hi", "--db", shop)
    assert r.returncode == 1 and "not allowed for your role (warehouse)" in r.stderr
    r = bizdesk("followups", "list", "--db", shop)
    assert r.returncode == 1 and "not allowed for your role (warehouse)" in r.stderr


def test_a_sequence_is_typed_as_the_readers_language_shows_it(shop) -> None:  # noqa: ANN001
    """In Vietnamese `nurture list` shows the stage "tiềm năng" and `nurture show` the
    activity "cuộc gọi" (two words): --stage "tiềm năng" was a usage error in English and
    --step "0 cuộc gọi ..." refused the activity its refusal listed; a refusal named the
    step's fields by their keys ("dòng 1, activity")."""
    vi = {"LANGUAGE": "vi"}
    r = bizdesk(
        "nurture", "add", "Khách mới", "--stage", "tiềm năng",
        "--step", "0 cuộc gọi Gọi  chào mừng", "--step", "2 email Gửi bảng giá",
        "--format", "json", "--db", shop, env=vi,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    seq = json.loads(r.stdout)
    assert seq["stage"] == "lead"
    assert [(s["day"], s["activity"], s["text"]) for s in seq["steps"]] == [
        (0, "call", "Gọi  chào mừng"),
        (2, "email", "Gửi bảng giá"),
    ]
    r = bizdesk("nurture", "add", "X", "--stage", "Prospect", "--step", "1 Meeting Coffee",
                "--db", shop)  # fmt: skip
    assert r.returncode == 0 and "becomes prospect" in r.stdout, r.stderr
    r = bizdesk("nurture", "add", "Y", "--stage", "someday", "--step", "1 call x", "--db", shop)
    assert r.returncode == 1 and "lead, prospect, customer, inactive" in r.stderr, r.stderr
    r = bizdesk("nurture", "add", "Y", "--step", "1 fax x", "--db", shop, env=vi)
    assert r.returncode == 1 and "Hoạt động" in r.stderr and "activity" not in r.stderr
