"""Alembic migrations applied on open: backup first, refuse stores from a newer bizdesk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect, text

from bizdesk.db.copies import copy_store
from bizdesk.db.session import Store
from bizdesk.errors import StoreError
from bizdesk.faults import where
from bizdesk.i18n import Message
from bizdesk.revision import HEAD

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(store: Store):  # noqa: ANN201
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = store.engine
    return cfg


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def foreign_tables(url: str) -> StoreError:
    return StoreError(
        Message(
            "{store} already holds tables that bizdesk did not make; refusing to touch it",
            store=where(url),  # (a server's password is not shown)
        )
    )


def holds_nothing(url: str) -> StoreError:
    return StoreError(
        Message(
            "{store} is an SQLite database that holds nothing: not a bizdesk store; "
            "nothing was changed. Check the --db path (or $BIZDESK_DB), or create a "
            "new store with bizdesk init --db and a new file name",
            store=where(url),
        )
    )


def upgrade(
    store: Store, say: Callable[[Message], None] | None = None, *, blank_ok: bool = True
) -> None:
    """Bring the store to this bizdesk's schema. ``say`` is told, before the wait, that an
    SQLite store is being copied and upgraded (seconds on a large store): a door shows it.
    Without ``blank_ok`` an SQLite database that holds nothing is refused as no store (a
    command other than ``init`` never makes a shop where the person named another)."""
    if current_revision(store) == HEAD:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(store)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    current = current_revision(store)
    if current == head:
        return
    if current is None:
        with store.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if tables:
            raise foreign_tables(store.url)
        if not blank_ok and store.is_sqlite:
            raise holds_nothing(store.url)
    else:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise StoreError(
                Message(
                    "This store was written by a newer bizdesk (schema {schema}). "
                    "Upgrade bizdesk to open it; the store was not touched.",
                    schema=current,
                )
            )
        if store.is_sqlite:  # PostgreSQL runs the upgrade in one transaction (DDL included)
            if say is not None:
                say(
                    Message(
                        "Upgrading the store for this version of bizdesk: first a safety "
                        "copy, checked in full (a large store takes a few seconds)…"
                    )
                )
            copy_store(store, reason=f"before-upgrade-{current}")
    command.upgrade(cfg, "head")
