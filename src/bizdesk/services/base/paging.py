"""Keyset pagination: every list reads one page at a time, sorted and filtered in SQL.

A page is addressed by the sort key of a row next to it, never by an OFFSET, so page
fifty costs what page one costs and memory does not grow with the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, tuple_
from sqlalchemy.sql import ColumnElement

from bizdesk.folding import fold
from bizdesk.services.base.pages import Key, Page, PageRequest, T


def keyset_page(
    session: Any,
    stmt: Select,
    sort_col: ColumnElement,
    id_col: ColumnElement,
    req: PageRequest,
    to_row: Callable[[Any], T],
) -> Page[T]:
    """Run ``stmt`` (already filtered) for one page ordered by (sort_col, id_col).

    ``sort_col`` must be NOT NULL, so that row-value comparisons are total.
    """
    limit = max(1, min(req.limit, 500))
    key = tuple_(sort_col, id_col)
    asc = not req.descending
    forward = (sort_col.asc(), id_col.asc()) if asc else (sort_col.desc(), id_col.desc())
    backward = (sort_col.desc(), id_col.desc()) if asc else (sort_col.asc(), id_col.asc())

    if req.before is not None:
        cond = key < tuple_(*req.before) if asc else key > tuple_(*req.before)
        raw = list(session.execute(stmt.where(cond).order_by(*backward).limit(limit + 1)))
        more_before = len(raw) > limit
        raw = raw[:limit][::-1]
        more_after = True
    elif req.last:
        raw = list(session.execute(stmt.order_by(*backward).limit(limit + 1)))
        more_before = len(raw) > limit
        raw = raw[:limit][::-1]
        more_after = False
    else:
        q = stmt
        if req.after is not None:
            q = q.where(key > tuple_(*req.after) if asc else key < tuple_(*req.after))
        raw = list(session.execute(q.order_by(*forward).limit(limit + 1)))
        more_after = len(raw) > limit
        raw = raw[:limit]
        more_before = req.after is not None
    return Page(
        rows=[to_row(r) for r in raw],
        keys=[_key(r) for r in raw],
        more_before=more_before,
        more_after=more_after,
    )


def _key(row: Sequence[Any]) -> Key:
    # Convention: the statement's last two columns are the sort value and the id.
    return (row[-2], row[-1])


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its wildcards escaped."""
    esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


def contains(uow, column, text: str):  # noqa: ANN001, ANN201
    """``column`` contains ``text``, ignoring case, as SQLite's LIKE does: ILIKE on
    PostgreSQL (whose LIKE heeds case; its trigram indexes serve both)."""
    if uow.store.is_sqlite:
        return column.like(like_pattern(text), escape="\\")
    return column.ilike(like_pattern(text), escape="\\")


def same_name(column, text: str):  # noqa: ANN001, ANN201
    """``column`` holds ``text``, as typed or in another case of its letters A-Z. SQLite's
    lower() knows no other letters: a reference typed exactly as stored, "HĐ-4012", did not
    find itself (lowered to "hđ-4012" here and "hĐ-4012" there); the exact text always does."""
    return or_(column == text, func.lower(column) == text.lower())


def folded_contains(column, text: str):  # noqa: ANN001, ANN201
    """A folded ``search_text`` column (bizdesk.folding) contains ``text`` with case and
    accents ignored ("bucuresti" finds "București"): one plain LIKE on both back ends, as
    the column is lower case already."""
    return column.like(like_pattern(fold(text)), escape="\\")


def folded_prefix(column, text: str):  # noqa: ANN001, ANN201
    """A folded ``search_text`` column starts with ``text``, case and accents ignored."""
    return column.like(like_pattern(fold(text))[1:], escape="\\")


def folded_word_start(column, text: str):  # noqa: ANN001, ANN201
    """A word of a folded ``search_text`` column (words apart by spaces, lines by newlines)
    starts with ``text``, case and accents ignored: "an" finds "tran van an"."""
    start = like_pattern(fold(text))[1:]
    return or_(*(column.like(before + start, escape="\\") for before in ("", "% ", "%\n")))
