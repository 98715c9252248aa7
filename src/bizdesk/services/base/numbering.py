"""Document series and their labels: one place that numbers documents and names them
("JE-12", "SO-00042", "INV-00007", "CN-00003", "PO-00015"). Every document module imports
this; it imports none of them (so search, story and exports name documents without
reaching into the modules that make them). A new kind of document (a quote, an assembly
order, a payroll run) adds its ``Series`` here and to ``SERIES``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bizdesk.db.session import MAX_ROW_ID, UnitOfWork
from bizdesk.i18n import Message
from bizdesk.models.ledger import ENTRY_PREFIX, Sequence


@dataclass(frozen=True)
class Series:
    """A numbered series: its counter (a ``Sequence`` row) and how its numbers are written."""

    name: str  # the counter's name in the store
    prefix: str  # what a label starts with, before the dash
    width: int = 5  # digits, zero-padded (0: as they come)

    def label(self, number: int) -> str:
        return f"{self.prefix}-{number:0{self.width}d}"

    def number_in(self, text: str) -> int | None:
        """The number a typed label or bare number names ("SO-42", "so42", "00042", "42"),
        or None when the text is not one of this series or names a number no document can
        have (past the store's 64-bit integers: looked for, it stopped SQLite's driver)."""
        m = LABEL.match(text.strip())
        if m is None or (m.group(1) and m.group(1).upper() != self.prefix):
            return None
        number = int(m.group(2))
        return number if number <= MAX_ROW_ID else None


JOURNAL = Series("journal", ENTRY_PREFIX, width=0)
SALES_ORDER = Series("sales_order", "SO")
INVOICE = Series("invoice", "INV")
CREDIT_NOTE = Series("credit_note", "CN")
PURCHASE_ORDER = Series("purchase_order", "PO")
REMINDER = Series("reminder", "RM")
ASSEMBLY_ORDER = Series("assembly_order", "MO")
PAYROLL_RUN = Series("payroll_run", "PR")
SERIES = (
    JOURNAL,
    PURCHASE_ORDER,
    SALES_ORDER,
    INVOICE,
    CREDIT_NOTE,
    REMINDER,
    ASSEMBLY_ORDER,
    PAYROLL_RUN,
)

# a label of any series, or a bare number: (prefix or None, number)
LABEL = re.compile(
    r"^(?:(" + "|".join(s.prefix for s in SERIES) + r")-?)?0*([0-9]+)$", re.IGNORECASE
)


def next_number(uow: UnitOfWork, series: Series | str) -> int:
    """The next number of a series, taken in the caller's transaction (so: no gaps)."""
    name = series.name if isinstance(series, Series) else series
    seq = uow.session.get(Sequence, name, with_for_update=True)
    if seq is None:
        seq = Sequence(name=name, last=0)
        uow.session.add(seq)
    seq.last += 1
    uow.session.flush()
    return seq.last


def entry_label(number: int | None, entry_id: int) -> str:
    return JOURNAL.label(number) if number else Message("draft #{id}", id=entry_id)


def so_label(number: int) -> str:
    return SALES_ORDER.label(number)


def invoice_label(kind: str, number: int) -> str:
    return (INVOICE if kind == "invoice" else CREDIT_NOTE).label(number)


def po_label(number: int) -> str:
    return PURCHASE_ORDER.label(number)
