"""`bizdesk users ...` and the refusal of an OS user the store does not know, as run by a user."""

from __future__ import annotations

from bizdesk.db import open_store
from bizdesk.identity import os_username
from bizdesk.services.admin import setup, users
from tests.test_cli import bizdesk

ME = os_username()


def test_init_makes_me_the_owner_and_users_commands_work(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    listed = bizdesk("users", "list", "--db", db)
    assert listed.returncode == 0 and ME in listed.stdout and "owner" in listed.stdout
    add = bizdesk("users", "add", "maria", "--role", "sales", "--name", "Maria Ortiz", "--db", db)
    assert add.returncode == 0, add.stderr
    assert "Added maria as sales" in add.stdout
    # no login of that name here: said, so a typo is seen (it was added without a word)
    assert "this machine has no user maria" in add.stderr
    known = bizdesk("users", "add", "daemon", "--role", "viewer", "--db", db)
    assert known.returncode == 0 and known.stderr == "", known.stderr
    listed = bizdesk("users", "list", "--db", db)
    assert "Maria Ortiz" in listed.stdout and "sales" in listed.stdout
    bad = bizdesk("users", "add", "paul", "--role", "boss", "--db", db)
    assert bad.returncode == 1
    assert "owner, accountant, sales, support, warehouse, viewer" in bad.stderr
    again = bizdesk("users", "set-role", "maria", "accountant", "--db", db)
    assert again.returncode == 0 and "maria is now accountant" in again.stdout
    gone = bizdesk("users", "disable", "maria", "--db", db)
    assert gone.returncode == 0 and "maria is disabled" in gone.stdout
    unknown = bizdesk("users", "set-role", "nobody", "sales", "--db", db)
    assert unknown.returncode == 1 and "not a user" in unknown.stderr
    # the last active owner stays
    last = bizdesk("users", "disable", ME, "--db", db)
    assert last.returncode == 1 and "only owner" in last.stderr
    demote = bizdesk("users", "set-role", ME, "viewer", "--db", db)
    assert demote.returncode == 1 and "only owner" in demote.stderr
    audit = bizdesk("audit", "--entity", "user", "--db", db)
    assert audit.returncode == 0
    for action in ("add", "set-role", "disable"):
        assert action in audit.stdout


def test_an_os_user_the_store_does_not_know_is_refused(tmp_path) -> None:  # noqa: ANN001
    """The store belongs to someone else: every command that opens it says who to ask."""
    db = str(tmp_path / "theirs.db")
    theirs = open_store(db, user="alice")
    setup.ensure_initialized(theirs)  # alice is the owner
    theirs.dispose()
    for args in (
        ("users", "list"),
        ("report", "trial-balance"),
        ("check",),
        ("export", "contacts"),
        ("lock-date",),
        ("demo",),
    ):
        r = bizdesk(*args, "--db", db)
        assert r.returncode == 1, (args, r.stdout)
        assert f"You ({ME}) are not a user of this store" in r.stderr, args
        assert "alice" in r.stderr and f"bizdesk users add {ME} --role ROLE" in r.stderr
    # the environment never decides who you are
    r = bizdesk("users", "list", "--db", db, env={"USER": "alice", "LOGNAME": "alice"})
    assert r.returncode == 1 and "not a user" in r.stderr


def test_a_disabled_user_and_a_role_that_may_not_are_refused(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    theirs = open_store(db, user="alice")
    setup.ensure_initialized(theirs)
    with theirs.write() as uow:
        users.add(uow, ME, "warehouse")
    r = bizdesk("report", "trial-balance", "--db", db)
    assert r.returncode == 1
    assert "Reading financial reports is not allowed for your role (warehouse)" in r.stderr
    assert "alice" in r.stderr
    ok = bizdesk("report", "low-stock", "--db", db)
    assert ok.returncode == 0, ok.stderr
    lock = bizdesk("lock-date", "2026-01-01", "--db", db)
    assert lock.returncode == 1 and "lock date" in lock.stderr
    with theirs.write() as uow:
        users.disable(uow, ME)
    theirs.dispose()
    r = bizdesk("report", "low-stock", "--db", db)
    assert r.returncode == 1 and "disabled" in r.stderr
