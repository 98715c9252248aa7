"""Shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import event
from sqlmodel import Field, SQLModel

from bizdesk.folding import fold_fields


class Row(SQLModel):
    """What every table's class is made from: pydantic builds a class's validator and
    serializer when one is first used, not when the class is made (a table's rows are
    made and read by SQLAlchemy, so most never need them): every class costs about half
    the time to make, and the start imports dozens (bench/RESULTS.md)."""

    model_config = ConfigDict(defer_build=True)


def utcnow() -> datetime:
    """Aware UTC, second precision: the one form every timestamp is stored in."""
    return datetime.now(UTC).replace(microsecond=0)


def search_text_column(*sources: str) -> Any:
    """A column holding ``sources`` folded (bizdesk.folding), kept by the store's code on
    every insert (ORM or Core, one row or many) and every ORM update: never typed by hand."""

    def default(context: Any) -> str:
        row = context.get_current_parameters()
        return fold_fields(*(row.get(s) for s in sources))

    return Field(
        default="",
        sa_column_kwargs={"default": default, "server_default": "", "info": {"fold": sources}},
    )


def _keep_search_text(_mapper: Any, _connection: Any, target: Any) -> None:
    column = target.__table__.c.get("search_text")
    if column is not None and column.info.get("fold"):
        target.search_text = fold_fields(*(getattr(target, s) for s in column.info["fold"]))


event.listen(SQLModel, "before_insert", _keep_search_text, propagate=True)
event.listen(SQLModel, "before_update", _keep_search_text, propagate=True)
