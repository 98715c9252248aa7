"""Alembic migrations applied on open: backup first, refuse stores from a newer bizdesk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bizdesk.db.session import Store
from bizdesk.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(store: Store) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = store.engine
    return cfg


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store) -> None:
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
            raise StoreError(
                f"{store.url} already holds tables that bizdesk did not make; refusing to touch it"
            )
    else:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise StoreError(
                f"This store was written by a newer bizdesk (schema {current}). "
                "Upgrade bizdesk to open it; the store was not touched."
            )
        from bizdesk.services.backup import backup_store

        backup_store(store, reason=f"before-upgrade-{current}")
    command.upgrade(cfg, "head")
