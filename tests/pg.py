"""Test databases on a PostgreSQL server: one template migrated and set up per session,
then a copy per test (CREATE DATABASE ... TEMPLATE, a few milliseconds), dropped after."""

from __future__ import annotations

import itertools
import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bizdesk.db import open_store
from bizdesk.services.admin import setup
from tests.shop_template import give_the_shop_an_address


class PgServer:
    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"{self.url.database}_{os.getpid()}"
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.template = f"{self.prefix}_tpl"
        self._names = itertools.count(1)
        self._exec(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._exec(f'CREATE DATABASE "{self.template}"')
        store = open_store(self.url_of(self.template), user="tester")
        setup.ensure_initialized(store)
        give_the_shop_an_address(store)
        store.dispose()

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def new_database(self, empty: bool = False) -> str:
        """A fresh database: the set-up template's copy, or an empty one."""
        name = f"{self.prefix}_{next(self._names)}"
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        template = "template0" if empty else self.template
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url_of(name)

    def drop(self, url: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()
