"""The store (one database) and units of work (one short transaction each)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bizdesk.db import chain
from bizdesk.db.engine import WRITE, make_engine
from bizdesk.db.identity import os_username
from bizdesk.errors import StoreError
from bizdesk.models.core import AuditEvent, Setting, User

# Waiting for the write lock: SQLite waits up to its busy timeout (db/engine.py) each try; after
# that the unit of work tries again a few times, a little later each time, before telling
# the user. Only the BEGIN is retried: nothing has been done yet at that point.
WRITE_TRIES = 4
BUSY_MESSAGE = (
    "The store is busy: someone else has been saving for a long time. Nothing was saved; "
    "try again in a moment."
)


def is_busy(exc: BaseException) -> bool:
    """A lock that could not be had in time (SQLite "database is locked"/"busy")."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


@dataclass
class Store:
    """An open store: its URL, its engine and the user acting on it."""

    url: str
    engine: Engine
    user: str = field(default_factory=os_username)
    # How typed numbers are read (bizdesk.reading): None, the machine form (command line,
    # CSV, JSON); a locale such as "vi_VN" when people type into the terminal interface.
    input_locale: str | None = None
    _settings: dict[str, str] | None = None
    _has_chains: bool | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """A read-only unit of work: a deferred transaction, closed on exit."""
        with Session(self.engine, expire_on_commit=False) as session:
            uow = UnitOfWork(self, session, write=False)
            try:
                yield uow
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """A write unit of work: BEGIN IMMEDIATE, committed on success, rolled back on error."""
        bind = self.engine.execution_options(bizdesk_mode=WRITE)
        with Session(bind, expire_on_commit=False) as session:
            self._begin(session)
            marks = chain.start_marks(session) if self._chained(session) else None
            uow = UnitOfWork(self, session, write=True)
            try:
                yield uow
                if marks is not None:
                    chain.seal(session, marks)
                session.commit()
            except BaseException as exc:
                session.rollback()
                if is_busy(exc):
                    raise StoreError(BUSY_MESSAGE) from exc
                raise
        if uow.settings_changed:
            self._settings = None

    def _chained(self, session: Session) -> bool:
        """Whether the schema has the hash chains (migration 0006): only a store still being
        upgraded, or a test writing an old schema on purpose, lacks them."""
        if self._has_chains is None:
            columns = inspect(session.connection()).get_columns("audit_event")
            self._has_chains = any(c["name"] == "chain_hash" for c in columns)
        return self._has_chains

    @staticmethod
    def _begin(session: Session) -> None:
        """Take the write lock now, before the caller does anything, so that waiting for it
        can be retried (with backoff and jitter) and a busy store never half-runs a change."""
        for attempt in range(WRITE_TRIES):
            try:
                session.connection()
                return
            except OperationalError as exc:
                session.rollback()
                if not is_busy(exc):
                    raise
                if attempt == WRITE_TRIES - 1:
                    raise StoreError(BUSY_MESSAGE) from exc
                time.sleep(random.uniform(0.05, 0.2) * 2**attempt)

    def settings(self) -> dict[str, str]:
        if self._settings is None:
            with Session(self.engine) as session:
                self._settings = {s.key: s.value for s in session.exec(select(Setting))}
        return self._settings

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass
class UnitOfWork:
    store: Store
    session: Session
    write: bool
    settings_changed: bool = False
    service_depth: int = 0  # > 0 inside a permission-checked service (services/permissions.py)
    machine_input: bool = False  # inside machine_form(): the store's input locale is ignored
    _account: User | None = field(default=None, repr=False)

    @property
    def user(self) -> str:
        return self.store.user

    def _user_row(self) -> User | None:
        if self._account is None:
            self._account = self.session.exec(
                select(User).where(User.username == self.user)
            ).first()
        return self._account

    def forget_account(self) -> None:
        """Read the acting user's row again (after a change to the users)."""
        self._account = None

    @property
    def role(self) -> str | None:
        """The acting user's role in this store; None if not registered or disabled."""
        row = self._user_row()
        return row.role if row is not None and row.active else None

    @property
    def user_disabled(self) -> bool:
        row = self._user_row()
        return row is not None and not row.active

    def active_owners(self) -> list[str]:
        return list(
            self.session.exec(
                select(User.username)
                .where(User.role == "owner", User.active.is_(True))
                .order_by(User.username)
            )
        )

    def setting(self, key: str, default: str = "") -> str:
        return self.store.settings().get(key, default)

    def set_setting(self, key: str, value: str) -> None:
        row = self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        self.settings_changed = True

    @property
    def input_locale(self) -> str | None:
        """The form typed numbers are read in: None for the machine form, else a locale."""
        return None if self.machine_input else self.store.input_locale

    @contextmanager
    def machine_form(self) -> Iterator[None]:
        """Read numbers in the machine form inside, whatever the store's input locale (a
        CSV file is in the documented machine form, even when a form started the import)."""
        before, self.machine_input = self.machine_input, True
        try:
            yield
        finally:
            self.machine_input = before

    @property
    def currency(self) -> str:
        return self.setting("currency", "EUR")

    @property
    def exponent(self) -> int:
        from bizdesk.money import currency_exponent

        return currency_exponent(self.currency)

    def audit(
        self,
        entity: str,
        entity_id: int | None,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Record who did what; every write calls this inside its own transaction."""
        self.session.add(
            AuditEvent(
                username=self.user,
                entity=entity,
                entity_id=entity_id,
                action=action,
                before=_dump(before),
                after=_dump(after),
            )
        )


def _dump(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)


def open_store(db: str | None = None, *, user: str | None = None, migrate: bool = True) -> Store:
    """Open (creating or upgrading) the store named by --db / $BIZDESK_DB / the default."""
    from bizdesk.config import resolve_db
    from bizdesk.db.migrate import upgrade

    url = resolve_db(db)
    engine = make_engine(url)
    store = Store(url=url, engine=engine, user=user or os_username())
    if migrate:
        upgrade(store)
    return store
