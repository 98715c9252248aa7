"""The store (one database) and units of work (one short transaction each)."""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bizdesk.db import chain
from bizdesk.db.engine import WRITE, make_engine
from bizdesk.db.identity import os_username
from bizdesk.errors import StoreDamaged, StoreError
from bizdesk.models.core import AuditEvent, Setting, User

# Waiting for the write lock: SQLite waits up to its busy timeout (db/engine.py) each try; after
# that the unit of work tries again a few times, a little later each time, before telling
# the user. Only the BEGIN is retried: nothing has been done yet at that point.
WRITE_TRIES = 4
BUSY_MESSAGE = (
    "The store {store} is busy: someone else has been saving for a long time. Nothing was "
    "saved, and nothing saved before was lost; try again in a moment."
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
    # Why the store is damaged (the sentence saying how to restore it), or None. A damaged
    # store is only read: every write is refused with this sentence.
    damaged: StoreError | None = None
    _one: Session | None = field(default=None, repr=False)

    def busy(self) -> StoreError:
        from bizdesk.faults import where

        return StoreError(BUSY_MESSAGE.format(store=where(self.url)))

    def fault(self, exc: BaseException) -> StoreError | None:
        """``exc`` as the sentence for a fault of the disk, file or server, or None; damage
        found this way marks the store damaged (read-only) from then on."""
        from bizdesk.faults import translate

        if self.damaged is not None and isinstance(getattr(exc, "orig", exc), Exception):
            from bizdesk.faults import is_damage

            if is_damage(exc):
                return self.damaged  # told once, in the same words
        known = translate(exc, self.url)
        if isinstance(known, StoreDamaged) and self.damaged is None:
            self.damaged = known
        return known

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """A read-only unit of work: a deferred transaction, closed on exit."""
        if self._one is not None:  # inside one_transaction: see what it wrote so far
            yield UnitOfWork(self, self._one, write=False)
            return
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                uow = UnitOfWork(self, session, write=False)
                try:
                    yield uow
                finally:
                    session.rollback()
        except Exception as exc:
            known = self.fault(exc)
            if known is None or known is exc:
                raise
            raise known from exc

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """A write unit of work: BEGIN IMMEDIATE, committed on success, rolled back on error."""
        if self.damaged is not None:
            raise self.damaged
        if self._one is not None:  # inside one_transaction: part of it
            uow = UnitOfWork(self, self._one, write=True)
            yield uow
            if uow.settings_changed:
                self._settings = None
            return
        bind = self.engine.execution_options(bizdesk_mode=WRITE)
        try:
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
                        raise self.busy() from exc
                    raise
        except Exception as exc:
            known = self.fault(exc)
            if known is None or known is exc:
                raise
            raise known from exc
        if uow.settings_changed:
            self._settings = None

    def _chained(self, session: Session) -> bool:
        """Whether the schema has the hash chains (migration 0006): only a store still being
        upgraded, or a test writing an old schema on purpose, lacks them."""
        if self._has_chains is None:
            columns = inspect(session.connection()).get_columns("audit_event")
            self._has_chains = any(c["name"] == "chain_hash" for c in columns)
        return self._has_chains

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Every unit of work opened inside (in this thread) is part of one write
        transaction, committed at the end: a long job (the demo shop) is all or nothing,
        even if it is killed. Nobody else writes meanwhile."""
        if self.damaged is not None:
            raise self.damaged
        with self.write() as uow:
            self._one = uow.session
            try:
                yield
            finally:
                self._one = None

    def _begin(self, session: Session) -> None:
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
                    raise self.busy() from exc
                time.sleep(random.uniform(0.05, 0.2) * 2**attempt)

    def settings(self) -> dict[str, str]:
        if self._settings is None:
            with self.read() as uow:
                self._settings = {s.key: s.value for s in uow.session.exec(select(Setting))}
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


def open_store(
    db: str | None = None, *, user: str | None = None, migrate: bool = True, create: bool = True
) -> Store:
    """Open (and upgrade) the store named by --db / $BIZDESK_DB / the default.

    A missing SQLite store is made (empty, migrated, whole or not at all) only with
    ``create``; the commands pass ``create=False`` so that only ``init`` makes one. A store
    whose file is damaged opens read-only (``Store.damaged``), without upgrading it."""
    from bizdesk.config import resolve_db, sqlite_path
    from bizdesk.faults import damaged, header_problem, missing

    url = resolve_db(db)
    path = sqlite_path(url)
    problem = None
    if path is not None:
        if not path.exists():
            if not create:
                raise missing(url)
            return create_store(db, user=user, migrate=migrate)
        problem = header_problem(path)
    try:
        store = Store(url=url, engine=make_engine(url), user=user or os_username())
    except Exception as exc:
        from bizdesk.faults import translate

        known = translate(exc, url)
        if known is None:
            raise
        raise known from exc
    if problem is not None:
        store.damaged = damaged(url, problem)
        return store
    if migrate:
        _upgrade(store)
    return store


def _upgrade(store: Store) -> None:
    from bizdesk.db.migrate import upgrade

    try:
        upgrade(store)
    except StoreError:
        raise
    except Exception as exc:
        known = store.fault(exc)
        if known is None:
            raise
        if isinstance(known, StoreDamaged):
            return  # opened read-only: the interfaces say why
        raise known from exc


def create_store(
    db: str | None,
    *,
    user: str | None = None,
    fill: Callable[[Store], None] | None = None,
    migrate: bool = True,
) -> Store:
    """Make a new store, migrated and filled by ``fill`` (e.g. set up by ``init``): whole or
    not at all. An SQLite store is built under a temporary name beside its path and renamed
    into place when complete, so a kill or a full disk never leaves a half-made store (nor a
    file that blocks a second try). Refuses a store that exists."""
    from bizdesk.config import resolve_db, sqlite_path
    from bizdesk.faults import translate
    from bizdesk.files import atomic_path

    url = resolve_db(db)
    path = sqlite_path(url)
    if path is None:  # PostgreSQL: the migrations and ``fill`` each run in one transaction
        store = Store(url=url, engine=make_engine(url), user=user or os_username())
        if migrate:
            _upgrade(store)
        if fill is not None:
            fill(store)
        return store
    if path.exists():
        raise StoreError(f"{path} exists already; nothing was changed (choose another name)")
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
            os.chmod(path.parent, 0o700)
        with atomic_path(path, exclusive=True) as tmp:
            temp = Store(
                url="sqlite:///" + str(tmp),
                engine=make_engine("sqlite:///" + str(tmp)),
                user=user or os_username(),
            )
            try:
                if migrate:
                    _upgrade(temp)
                if fill is not None:
                    fill(temp)
                with temp.engine.connect() as conn:  # everything into the file itself
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                temp.dispose()
            for suffix in ("-wal", "-shm"):
                tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)
    except FileExistsError:
        raise StoreError(f"{path} exists already; nothing was changed") from None
    except StoreError as exc:
        # told about the temporary file: tell it again about the store being made
        cause = exc.__cause__
        known = translate(cause, url) if cause is not None else None
        if known is None:
            raise
        raise known from cause
    except Exception as exc:
        known = translate(exc, url)
        if known is None:
            raise
        raise known from exc
    return open_store(str(path), user=user, create=False, migrate=migrate)
