"""The days of stored statement lines that reconciliation can work with.

An import only stores days bizdesk accepts (``reading.in_range``: 1900-01-01 to 2199-12-31),
but a line written by an older bizdesk or by hand into the store may hold any other: a year
past 9999 or a day that is no day (2026-02-30) cannot even be loaded, and one of year 1 or
2250 breaks the arithmetic of proposals and would be posted on a day no one can type. Such a
line is left out of reconciliation (its listings, proposals and matches), and ``bizdesk
check`` names it (``findings``): its statement is removed and the bank's file imported again.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Date, and_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from bizdesk.models.banking import BankLine
from bizdesk.reading import FIRST_DAY, LAST_DAY


class _day_as_written(FunctionElement):
    """A date column's value as the day it names, in the form it is stored in: SQLite keeps
    dates as text, and date(x, '+0 days') turns "2026-02-30" into "2026-03-02" and text that
    is no day into NULL; PostgreSQL keeps real days, the column itself."""

    type = Date()
    name = "day_as_written"
    inherit_cache = True


@compiles(_day_as_written)
def _day_itself(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(element.clauses, **kw)


@compiles(_day_as_written, "sqlite")
def _day_normalised(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"date({compiler.process(element.clauses, **kw)}, '+0 days')"


def accepted(column) -> ColumnElement[bool]:  # noqa: ANN001
    """The column holds a real day within the years bizdesk accepts."""
    return and_(column >= FIRST_DAY, column <= LAST_DAY, _day_as_written(column) == column)


def loadable(column) -> ColumnElement[bool]:  # noqa: ANN001
    """The column holds a day that can be read at all (a year 2250 can; 2026-02-30 cannot)."""
    return _day_as_written(column) == column


# a line whose days can be read: one outside the years accepted may be, and its match undone
LOADABLE_DAYS = and_(
    loadable(BankLine.booked_on),
    or_(BankLine.value_on.is_(None), loadable(BankLine.value_on)),
)

# a line whose booking day and value day (when it has one) are days bizdesk accepts
USABLE_DAYS = and_(
    accepted(BankLine.booked_on),
    or_(BankLine.value_on.is_(None), accepted(BankLine.value_on)),
)
