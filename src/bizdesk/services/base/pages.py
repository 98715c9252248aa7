"""What a list asks for and gets back, one page at a time (services/base/paging.py reads
the pages): plain values, so that a screen imports them without the database stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Key = tuple[Any, int]


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list. At most one of ``after``/``before``/``last`` is used."""

    limit: int = 50
    after: Key | None = None  # rows after this (sort value, id)
    before: Key | None = None  # rows before this one (paging up)
    last: bool = False  # the final page (End)
    search: str = ""  # the "/" filter as typed
    sort: str = ""  # a column name the list allows sorting by; "" = its default
    descending: bool = False
    filters: dict[str, Any] = field(default_factory=dict)  # list-specific (queue, stage ...)


@dataclass
class Page(Generic[T]):
    rows: list[T]
    keys: list[Key]
    more_before: bool
    more_after: bool
