"""Document series and their labels: one place that numbers documents and names them
("JE-12", "SO-00042", "INV-00007", "CN-00003", "PO-00015"). Every document module imports
this; it imports none of them (so search, story and exports name documents without
reaching into the modules that make them)."""

from __future__ import annotations

from bizdesk.db.session import UnitOfWork
from bizdesk.models.ledger import Sequence


def next_number(uow: UnitOfWork, name: str) -> int:
    """The next number of a series, taken in the caller's transaction (so: no gaps)."""
    seq = uow.session.get(Sequence, name, with_for_update=True)
    if seq is None:
        seq = Sequence(name=name, last=0)
        uow.session.add(seq)
    seq.last += 1
    uow.session.flush()
    return seq.last


def entry_label(number: int | None, entry_id: int) -> str:
    return f"JE-{number}" if number else f"draft #{entry_id}"


def so_label(number: int) -> str:
    return f"SO-{number:05d}"


def invoice_label(kind: str, number: int) -> str:
    return f"{'INV' if kind == 'invoice' else 'CN'}-{number:05d}"


def po_label(number: int) -> str:
    return f"PO-{number:05d}"
