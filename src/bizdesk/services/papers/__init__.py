"""Documents that go out, as PDF: quotes, sales orders, invoices, credit notes, purchase
orders, statements and payslips (a reminder is made the same way from the reminders' data).

``render(uow, kind, number)`` is the one door (the CLI's ``print``, the TUI's print keys, and
whatever sends documents by e-mail): it checks the permission for the kind, makes the
document (``kinds``) and draws it (``layout``, the one place the look is decided)."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.faults import disk_fault, write_reason
from bizdesk.files import atomic_path, fsync_file, fsync_folder, may_write
from bizdesk.i18n import Message
from bizdesk.reading import quoted
from bizdesk.services.papers import kinds
from bizdesk.services.papers.kinds import statement_label
from bizdesk.services.papers.layout import draw

__all__ = [
    "KINDS",
    "Paper",
    "Placed",
    "finish_pending",
    "mark_pending",
    "place",
    "render",
    "save",
    "save_placed",
    "statement_label",
    "to_stdout",
    "unmark_pending",
]

# the kinds, as DESIGN section 7 names them
MAKERS = {
    "quote": kinds.quote,
    "sales-order": kinds.sales_order,
    "invoice": kinds.invoice,
    "credit-note": kinds.credit_note,
    "purchase-order": kinds.purchase_order,
    "statement": kinds.statement,
    "reminder": kinds.reminder,
    "payslip": kinds.payslip,
}
KINDS = tuple(MAKERS)


@dataclass(frozen=True)
class Paper:
    kind: str
    label: str  # "INV-00007"
    filename: str  # "INV-00007.pdf"
    data: bytes  # the PDF
    contact_id: int | None  # whom it is for
    email: str  # that contact's address ("" when none)
    sha256: str
    without_shop_address: bool = False  # the shop's address not set (as issued): none on it


def render(
    uow: UnitOfWork,
    kind: str,
    number: str,
    *,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> Paper:
    """The document ``kind`` numbered ``number`` as the screens show it ("INV-00007" or 7; a
    quote: its deal's number; a statement: the contact, "#12", an e-mail or a name, over
    ``date_from``..``date_to``). Refuses a kind the user's role may not print."""
    maker = MAKERS.get(kind)
    if maker is None:
        raise ValidationError(
            {
                "kind": Message(
                    "{kind} is not a kind of document; one of: {kinds}",
                    kind=quoted(kind, 20),
                    kinds=", ".join(KINDS),
                )
            }  # fmt: skip
        )
    if kind == "statement":
        made = maker(uow, number, date_from=date_from, date_to=date_to)
    else:
        made = maker(uow, number)
    data = draw(made.doc)
    return Paper(
        kind=kind,
        label=made.label,
        filename=f"{made.label.replace('/', '-')}.pdf",  # a payslip: PR-00003/2
        data=data,
        contact_id=made.contact_id,
        email=made.email,
        sha256=hashlib.sha256(data).hexdigest(),
        without_shop_address=not made.doc.shop.address,
    )


def no_shop_address(label: str) -> Message:
    """What a door says of a document that carries no address of the shop."""
    return Message(
        "{label} carries no address of the shop: none was set when it was made. An owner "
        "sets it in Shop details (palette) or with bizdesk shop set street|postcode|city "
        "VALUE; an invoice keeps what it was issued with.",
        label=label,
    )


def save(paper: Paper, path: Path | str | None = None) -> Path:
    """Write the PDF to ``path`` (default: its file name in the current folder), whole or
    not at all, never over an existing file."""
    target = Path(path).expanduser() if path else Path.cwd() / paper.filename
    try:
        with atomic_path(target, exclusive=True) as tmp:
            Path(tmp).write_bytes(paper.data)
    except FileExistsError:
        raise ValidationError(
            {"path": Message("{path} exists already; choose another name", path=str(target))}
        ) from None
    except IsADirectoryError:
        raise ValidationError(
            {"path": Message("{path} is a folder; name a file", path=str(target))}
        ) from None
    except OSError as exc:
        if (known := disk_fault(exc)) is not None:  # a full disk: what to do about it
            raise known from None
        raise ValidationError(
            {
                "path": Message(
                    "cannot write {path}: {reason}", path=str(target), reason=write_reason(exc)
                )
            }  # fmt: skip
        ) from None
    return target


@dataclass(frozen=True)
class Placed:
    """What ``save_placed`` did: the files written, and each document not written with
    why (the reason, in the reader's language)."""

    written: tuple[tuple[Paper, Path], ...]
    failed: tuple[tuple[Paper, Path, str], ...]


def place(papers: list[Paper], folder: Path | str | None = None) -> list[tuple[Paper, Path]]:
    """Where each document goes when several are written at once: its file name in
    ``folder`` (default: the current folder). Refused before anything is written (so a
    caller can still undo what it made them from) when the folder is not there, when
    bizdesk may not write there (the shop's gate: as ``save``), or when a file is there
    already; also with no documents, so that a mistyped folder is said at once."""
    where = Path(folder).expanduser() if folder else Path.cwd()
    placed = [(p, where / p.filename) for p in papers]
    may_write(where)
    for _paper, target in placed:
        may_write(target)
    if not where.is_dir():
        raise ValidationError(
            {"path": Message("{path} is not a folder; name one that exists", path=str(where))}
        )
    for _paper, target in placed:
        if target.exists() or target.is_symlink():
            raise ValidationError(
                {
                    "path": Message(
                        "{path} exists already; choose another folder", path=str(target)
                    )
                }  # fmt: skip
            )
    return placed


def save_placed(placed: list[tuple[Paper, Path]]) -> Placed:
    """Write each document where ``place`` put it, each whole or not at all and never over
    a file; one that cannot be written does not stop the others."""
    written: list[tuple[Paper, Path]] = []
    failed: list[tuple[Paper, Path, str]] = []
    for paper, target in placed:
        try:
            written.append((paper, save(paper, target)))
        except ValidationError as exc:
            failed.append((paper, target, exc.field_message("path")))
    return Placed(tuple(written), tuple(failed))


# Documents made in a transaction and written as files after it commits: a marker beside
# each file to come (".RM-00003.pdf.pending"), made durable before the commit and removed
# once the file is written, lets the next run in that folder finish what a run stopped
# between the two (kill -9, a power cut) left undone.
PENDING = ".pending"


def _marker(target: Path) -> Path:
    return target.with_name(f".{target.name}{PENDING}")


def mark_pending(placed: list[tuple[Paper, Path]]) -> None:
    """Before the transaction that made the documents commits: a marker for each file,
    durable (its name too) before the commit."""
    for _paper, target in placed:
        _marker(target).touch(mode=0o600)
        fsync_file(_marker(target))
    if placed:
        fsync_folder(placed[0][1].parent)


def unmark_pending(placed: list[tuple[Paper, Path]]) -> None:
    """The files are written (or said not to be), or the transaction did not commit."""
    for _paper, target in placed:
        _marker(target).unlink(missing_ok=True)


def finish_pending(uow: UnitOfWork, kind: str, folder: Path | str | None = None) -> Placed:
    """Write the documents a stopped run made but did not write into ``folder``: each
    marker's document if it was made (its transaction committed) and its file is not there
    yet, rendered again from the store; a marker whose document was never made is dropped.
    Each marker is removed once settled."""
    where = Path(folder).expanduser() if folder else Path.cwd()
    todo: list[tuple[Paper, Path]] = []
    settled: list[Path] = []
    for marker in sorted(where.glob(f".*.pdf{PENDING}")):
        target = where / marker.name[1 : -len(PENDING)]
        settled.append(marker)
        if target.exists():
            continue  # written before its marker went
        try:
            todo.append((render(uow, kind, target.stem), target))
        except NotFound:
            continue  # never made: the run stopped before its commit
    done = save_placed(todo)
    for marker in settled:
        marker.unlink(missing_ok=True)
    return done


def to_stdout(paper: Paper) -> None:
    """The PDF on standard output (`print … -o -`: through an SSH link)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(paper.data)
    sys.stdout.buffer.flush()
