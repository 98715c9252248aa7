"""Shared fixtures: every test runs on a real, freshly migrated SQLite file, and, when
BIZDESK_TEST_PG_URL names a PostgreSQL database, every test using ``store`` runs a second
time on a fresh PostgreSQL database (copied from a template migrated once per session)."""

from __future__ import annotations

import os
import sqlite3

import pytest

from bizdesk import i18n
from bizdesk.db import Store, open_store
from bizdesk.services.admin import setup
from tests.shop_template import give_the_shop_an_address

PG_URL = os.environ.get("BIZDESK_TEST_PG_URL", "")

# The tests read English unless a test asks for another language: a developer whose session
# speaks Spanish runs the same suite as CI. A test sets LANG (or a person's setting) itself.
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(scope="session", autouse=True)
def _a_cache_folder_of_the_tests(tmp_path_factory) -> None:  # noqa: ANN001
    """What bizdesk keeps in the person's cache folder (Home as last seen, compiled
    catalogs) goes to one of the run's own, for the tests and every process they start,
    never to the cache of whoever runs them."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def _english_after_each_test():  # noqa: ANN202
    """A test that switched this process's language (i18n.use, an app for a Spanish
    speaker) leaves English behind for the next one."""
    yield
    i18n.use("en")


def pytest_generate_tests(metafunc) -> None:  # noqa: ANN001
    # Without PostgreSQL nothing is parametrized, so test ids stay what they always were.
    # Screen snapshots are taken once, on SQLite: they picture the screens, not the back end
    # (the Pilot tests drive the same screens on PostgreSQL).
    if metafunc.module.__name__.endswith("test_snapshots"):
        return
    if PG_URL and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "pg"], indirect=True)


@pytest.fixture
def backend(request) -> str:  # noqa: ANN001
    """The back end the test's store lives on: "sqlite", or "pg" with BIZDESK_TEST_PG_URL."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def sqlite_only(backend) -> None:  # noqa: ANN001
    """For tests about SQLite itself (files, WAL, the backup API, FTS5)."""
    if backend != "sqlite":
        pytest.skip("SQLite-only: about the SQLite file, its backup API or FTS5")


@pytest.fixture(scope="session")
def pg_server():  # noqa: ANN201
    """The PostgreSQL test server: makes databases from one migrated template."""
    from tests.pg import PgServer

    server = PgServer(PG_URL)
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:  # noqa: ANN001
    """One SQLite store migrated and set up per session; each test gets a copy (migrating a
    new file takes about half a second, copying it a few milliseconds)."""
    path = str(tmp_path_factory.mktemp("template") / "template.db")
    store = open_store(path, user="tester")
    setup.ensure_initialized(store)
    give_the_shop_an_address(store)
    store.dispose()
    return path


@pytest.fixture(scope="session")
def cli_template(tmp_path_factory) -> str:  # noqa: ANN001
    """A store made once per test process by `bizdesk init`, as the user running the tests
    (its owner): each test's ``db`` (tests/test_cli.py) is a copy (an init costs 2-3 s, a
    copy milliseconds)."""
    import subprocess
    import sys

    path = str(tmp_path_factory.mktemp("cli-template") / "shop.db")
    args = ["init", "--db", path, "--company", "Test Cycles", "--currency", "eur"]
    r = subprocess.run(
        [sys.executable, "-m", "bizdesk", *args], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    store = open_store(path, user="tester")
    give_the_shop_an_address(store)
    store.dispose()
    return path


def copy_sqlite_store(template: str, path: str) -> None:
    """A consistent copy through SQLite's backup API, private like a store bizdesk makes."""
    src, dst = sqlite3.connect(template), sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    os.chmod(path, 0o600)


@pytest.fixture
def new_store(backend, tmp_path, request):  # noqa: ANN001, ANN201
    """Makes new, set-up stores acting as the owner 'tester', on the test's back end."""
    made: list[Store] = []

    def make() -> Store:
        if backend == "pg":
            url = request.getfixturevalue("pg_server").new_database()
        else:
            url = str(tmp_path / ("shop.db" if not made else f"shop{len(made)}.db"))
            copy_sqlite_store(request.getfixturevalue("sqlite_template"), url)
        s = open_store(url, user="tester")
        setup.ensure_initialized(s)
        made.append(s)
        return s

    yield make
    for s in made:
        s.dispose()
        if backend == "pg":
            request.getfixturevalue("pg_server").drop(s.url)


@pytest.fixture
def store(new_store) -> Store:  # noqa: ANN001
    """A new, set-up store acting as the owner 'tester'."""
    return new_store()
