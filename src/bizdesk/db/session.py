"""The store (one database) and units of work (one short transaction each)."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bizdesk.config import sqlite_path
from bizdesk.db import chain, turns
from bizdesk.db import engine as engines
from bizdesk.db.engine import WRITE, file_state
from bizdesk.errors import StoreDamaged, StoreError
from bizdesk.faults import (
    damaged,
    forget_damage,
    is_damage,
    note_change,
    record_damage,
    recorded_damage,
    translate,
    where,
)
from bizdesk.i18n import N_, Message
from bizdesk.identity import os_username
from bizdesk.models.core import AuditEvent, Setting, User
from bizdesk.money import currency_exponent

# the largest row id a store can hold (SQLite's and PostgreSQL's 64-bit integers): a larger
# "#id" names no record (asked for, SQLite's driver stops on an OverflowError)
MAX_ROW_ID = 2**63 - 1


class _Session(Session):
    """SQLModel's session, whose ``get`` finds nothing for a number no row can have (a
    "#99999999999999999999" typed for an employee, a line, a run): SQLite's driver stopped
    on an OverflowError, and every service that looks a record up by its number now says
    there is none, as for any other number."""

    def get(self, entity: Any, ident: Any, **kw: Any) -> Any:  # noqa: ANN401
        if isinstance(ident, int) and not -MAX_ROW_ID - 1 <= ident <= MAX_ROW_ID:
            return None
        return super().get(entity, ident, **kw)


# Waiting for the write lock: SQLite waits up to its busy timeout (db/engine.py) each try; after
# that the unit of work tries again a few times, a little later each time, before telling
# the user. Only the BEGIN is retried: nothing has been done yet at that point.
WRITE_TRIES = 4
BUSY_MESSAGE = N_(
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
    # store is only read: every write is refused with this sentence. Damage found inside
    # the file is also written down beside it (faults.record_damage) for every process.
    damaged: StoreError | None = None
    _damage_recalled: bool = field(default=False, repr=False)  # damaged: from that mark
    _one: Session | None = field(default=None, repr=False)
    _watcher: Any = field(default=None, repr=False)  # the connection change_token reads
    _watch_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def busy(self) -> StoreError:
        return StoreError(Message(BUSY_MESSAGE, store=where(self.url)))

    def fault(self, exc: BaseException) -> StoreError | None:
        """``exc`` as the sentence for a fault of the disk, file or server, or None; damage
        found this way marks the store damaged (read-only) from then on."""
        if self.damaged is not None and isinstance(getattr(exc, "orig", exc), Exception):
            if is_damage(exc):  # (known already: from its header, or written down)
                return self.damaged  # told once, in the same words
        known = translate(exc, self.url)
        if isinstance(known, StoreDamaged):
            if self.damaged is None:
                self.damaged = known
            if is_damage(exc):  # (not a sentence said already, passing through)
                self._record(getattr(exc, "orig", exc))
        return known

    def mark_damaged(self, detail: object) -> StoreError:
        """Damage found inside the file (``detail``: what was found): from now on the store
        is only read, by this process and, through the mark written beside it, by every
        process that opens it, until ``check`` finds it sound or a restore replaces it."""
        if self.damaged is None:
            self.damaged = damaged(self.url, str(detail))
        self._record(detail)
        return self.damaged

    def _record(self, detail: object) -> None:
        path = sqlite_path(self.url)
        if path is not None:
            record_damage(path, detail)

    def recall_damage(self) -> StoreError | None:
        """``damaged``, also when another process (or an earlier run) found the damage and
        wrote it down beside the file. Costs one failed open when there is no mark."""
        if self.damaged is None and (path := sqlite_path(self.url)) is not None:
            detail = recorded_damage(path)
            if detail is not None:
                self.damaged = damaged(self.url, detail)
                self._damage_recalled = True
        return self.damaged

    def found_sound(self) -> bool:
        """Every page was checked and found sound: a damage mark goes (and with it the
        read-only state it gave). Whether there was one."""
        path = sqlite_path(self.url)
        if path is None or recorded_damage(path) is None:
            return False
        forget_damage(path)
        if self._damage_recalled:
            self.damaged, self._damage_recalled = None, False
        return True

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
            with _Session(self.engine, expire_on_commit=False) as session:
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
        """A write unit of work: BEGIN IMMEDIATE, committed on success, rolled back on error.
        Refused on a store known to be damaged (also by another process: its mark)."""
        if self.recall_damage() is not None:
            raise self.damaged
        if self._one is not None:  # inside one_transaction: part of it
            uow = UnitOfWork(self, self._one, write=True)
            yield uow
            if uow.settings_changed:
                self._settings = None
            return
        bind = self.engine.execution_options(bizdesk_mode=WRITE)
        chained = self._chained()  # (read before the lock is asked for: nobody waits on it)
        try:
            with _Session(bind, expire_on_commit=False) as session, self._turn():
                self._begin(session)
                marks = chain.start_marks(session) if chained else None
                uow = UnitOfWork(self, session, write=True)
                try:
                    yield uow
                    if marks is not None:
                        chain.seal(session, marks)
                    session.commit()
                    note_change()
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

    def _chained(self) -> bool:
        """Whether the schema has the hash chains (migration 0006): only a store still being
        upgraded, or a test writing an old schema on purpose, lacks them."""
        if self._has_chains is None:
            with self.engine.connect() as conn:
                columns = inspect(conn).get_columns("audit_event")
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

    def writers_turn(self) -> AbstractContextManager[None]:
        """This process's place in the writers' line, held inside (restore replaces the
        content meanwhile): every bizdesk writer waits for it, as for another writer."""
        return self._turn()

    def _turn(self) -> AbstractContextManager[None]:
        """This writer's place in line for the write lock (db/turns.py): taken before BEGIN
        IMMEDIATE, given to the next writer after COMMIT (before the connection closes). A
        writer waits while the line moves; "busy" once nobody was served for as long as
        SQLite's own tries would have waited."""
        wait = WRITE_TRIES * engines.BUSY_TIMEOUT_MS / 1000
        return turns.turn(sqlite_path(self.url), wait, self.busy)

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

    def forget_settings(self) -> None:
        """Read the settings again when next asked (another process changed them)."""
        self._settings = None

    def settings(self) -> dict[str, str]:
        if self._settings is None:
            with self.read() as uow:
                self._settings = {s.key: s.value for s in uow.session.exec(select(Setting))}
        return self._settings

    def change_token(self) -> tuple | None:
        """On SQLite, a value that changes whenever anyone (this process or another) commits
        a change to the store: ``PRAGMA data_version`` on a connection kept for it alone,
        with the file's identity (a store replaced by a restore counts as changed, as does
        one made read-only). Reading
        it touches no table and takes no lock. None on other engines: ask the store."""
        if not self.is_sqlite:
            return None
        path = self.engine.url.database
        with self._watch_lock:
            now = file_state(path)
            if self._watcher is not None and self._watcher[0] != now:
                self._watcher[1].close()  # the file was replaced: watch the new one
                self._watcher = None
            if self._watcher is None:
                conn = self.engine.raw_connection()
                conn.detach()  # never handed to a unit of work, never pooled
                self._watcher = (now, conn)
            cur = self._watcher[1].cursor()
            try:
                cur.execute("PRAGMA data_version")
                return now, cur.fetchone()[0]
            finally:
                cur.close()

    def close(self) -> None:
        """Done with the store for this process (a command ends, the interface closes): on
        SQLite the write-ahead log is folded into the store file, so the file alone (copied
        by hand: cp, scp, a mail attachment) holds everything saved. PASSIVE: it never waits
        for another process (what a reader still needs stays in the log, for it). The
        connections stay open (the program ends without closing them: bizdesk.start.end),
        so the log and its index stay beside the store: deleted, the next process would
        have to make them anew, and on a full disk it could then not even read the store.
        On PostgreSQL the connections are closed, saying goodbye to the server.
        Never raises: a log not folded in now stays for the next opening, as after a power
        cut."""
        if sqlite_path(self.url) is None:
            try:
                self.dispose()
            except Exception:  # noqa: S110 - ending; nothing saved depends on it
                pass
            return
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: S110 - ending; nothing saved depends on it
            pass

    def dispose(self) -> None:
        with self._watch_lock:
            if self._watcher is not None:
                self._watcher[1].close()
                self._watcher = None
        self.engine.dispose()


@dataclass
class UnitOfWork:
    store: Store
    session: Session
    write: bool
    settings_changed: bool = False
    service_depth: int = 0  # > 0 inside a permission-checked service (services/base/permissions.py)
    machine_input: bool = False  # inside machine_form(): the store's input locale is ignored
    _account: User | None = field(default=None, repr=False)
    _settings: dict[str, str] | None = field(default=None, repr=False)

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
        """A shop setting. A write reads them in its own transaction: the store's copy may
        be older than a change another process made (the lock date set from the command
        line while a session is open must hold for that session's next posting)."""
        if not self.write:
            return self.store.settings().get(key, default)
        if self._settings is None:
            self._settings = {s.key: s.value for s in self.session.exec(select(Setting))}
            self.store._settings = dict(self._settings)  # noqa: SLF001 - refreshed here
        return self._settings.get(key, default)

    def set_setting(self, key: str, value: str) -> None:
        row = self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        if self._settings is not None:
            self._settings[key] = value
        self.settings_changed = True

    @property
    def input_locale(self) -> str | None:
        """The form typed numbers are read in: None for the machine form, else a locale."""
        return None if self.machine_input else self.store.input_locale

    @property
    def person_input(self) -> bool:
        """Whether a person typed what is read (dates then in their locale's form too)."""
        return self.input_locale is not None

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
