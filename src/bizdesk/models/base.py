"""Shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict
from pydantic_core import PydanticUndefined
from sqlalchemy import BigInteger, Dialect, Integer, TypeDecorator, event
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


class Figure(TypeDecorator):
    """A 64-bit integer, read as an int from any expression over it. PostgreSQL sums a
    BIGINT as NUMERIC, which psycopg gives as a Decimal: a sum there is read back as the
    int it is (exact: a sum of integers), as SQLite gives it. Whole-number arithmetic on
    figures (``debit - credit``, ``qty * price``) stays a Figure, so its sum does too."""

    impl = BigInteger
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator, BigInteger.Comparator):
        def _adapt_expression(self, op: Any, other_comparator: Any) -> Any:
            op, result = super()._adapt_expression(op, other_comparator)
            return op, (Figure() if result._type_affinity is Integer else result)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return _whole if dialect.name == "postgresql" else None


def _whole(value: Any) -> int | None:
    return None if value is None else int(value)


def figure(default: Any = PydanticUndefined) -> Any:
    """An amount (``*_minor``: cents, or dong) or a quantity (``*_scaled``: thousandths): a
    64-bit integer on every engine. PostgreSQL's INTEGER holds 32 bits, far less than the
    bounds a user may type (9,999,999,999,999.99; migration 0024)."""
    return Field(default=default, sa_type=Figure)


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
