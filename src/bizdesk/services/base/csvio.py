"""CSV plumbing shared by every import and export: decoding, headers, formula safety.

Formula safety (DESIGN section 8): a text cell that a spreadsheet would run as a formula
(one starting with ``= + - @``, a tab or a carriage return) is written with a leading
apostrophe, which spreadsheets show as text. Numbers never are: a cell that is a plain
number, a sign, digits and at most one ``.`` (amounts such as ``-10.00``, quantities, and
phone numbers in their E.164 form such as ``+4930925830``), cannot run anything (a
spreadsheet reads it as that number) and is written as it is, so it imports back unchanged.
(A spreadsheet shows an E.164 phone number as a number without its ``+``; format that column
as text before saving the file again from a spreadsheet.)

A real value that itself starts with apostrophes followed by one of those characters (say
``'=x``) gets one more apostrophe on the way out; the import takes exactly one leading
apostrophe away, and only before those characters, so every value round-trips exactly and
any other leading apostrophe (``'Allo 'Allo``) is kept as typed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from bizdesk.errors import ValidationError
from bizdesk.i18n import Message

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
_MARKED = re.compile(r"'+[=+\-@\t\r]")  # what the import reads as a neutralised cell


def neutralise(value: object) -> str:
    """Keep a spreadsheet from running a text cell as a formula: prefix it with a quote.
    Numbers (and E.164 phone numbers) are left as they are."""
    # a Message stays English: a CSV file is a machine format, never translated
    s = "" if value is None else value if isinstance(value, str) else str(value)
    if s.startswith(FORMULA_START):
        return s if _NUMBER.match(s) else "'" + s
    if s[:1] == "'" and _MARKED.match(s):
        return "'" + s  # a literal apostrophe before a formula character: marked once more
    return s


def unneutralise(value: str) -> str:
    """Undo ``neutralise`` so that an export imports back unchanged."""
    if value[:1] == "'" and _MARKED.match(value):
        return value[1:]
    return value


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _text_lines(data: bytes | str | BinaryIO) -> Iterator[str]:
    """The CSV's lines as text, decoded one at a time (never the whole file at once)."""
    if isinstance(data, str):
        yield from io.StringIO(data.removeprefix("\ufeff"), newline="")
        return
    raw = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    for n, line in enumerate(raw, 1):
        try:
            text = line.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8(n) from None
        yield text


def read_rows(
    data: bytes | str | BinaryIO, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from UTF-8 CSV text, bytes or a binary file, a row at a
    time (memory stays flat however long the file); refuse bad encodings and headers."""
    reader = csv.reader(_text_lines(data), strict=True)
    try:
        yield from _rows(reader, columns, required)
    except _NotUtf8 as exc:
        raise file_problem(
            Message("line {line}: not UTF-8 text; save the file as CSV UTF-8", line=exc.line)
        ) from None


def _rows(
    reader: Iterator[list[str]], columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        header = next(reader)
    except StopIteration:
        raise file_problem(Message("empty file: a header row is required")) from None
    except csv.Error as exc:
        raise file_problem(line_problem(1, exc)) from None
    header = [h.strip().lower() for h in header]
    unknown = [h for h in header if h not in columns]
    if len(header) == 1 and ";" in header[0]:
        # a spreadsheet set to a comma as the decimal mark (Spain, Romania, Vietnam) saves
        # "CSV" with ';' between the cells: said so, not as one unknown column "name;email"
        raise file_problem(
            Message(
                "line 1: the columns are separated by ';'; bizdesk reads them separated by "
                "commas (in a spreadsheet, save as CSV UTF-8, comma-separated)"
            )
        )
    if unknown:
        raise file_problem(
            Message(
                "line 1: unknown columns {unknown}; valid columns are: {columns}",
                unknown=", ".join(unknown),
                columns=", ".join(columns),
            )
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise file_problem(
            Message("line 1: missing required columns {columns}", columns=", ".join(missing))
        )
    if len(set(header)) != len(header):
        raise file_problem(Message("line 1: a column is named twice"))
    width = len(header)
    ended = reader.line_num  # the line the previous record ended on
    try:
        for values in reader:
            # a record is named by the line it starts on (a quoted cell may span lines;
            # csv's line_num is where the record ends)
            line, ended = ended + 1, reader.line_num
            joined = "".join(values)
            if not joined.strip():  # (no cell holds anything but spaces)
                continue
            if len(values) != width:
                yield line, {"__error__": cells_problem(len(values), width)}
                continue
            if "'" not in joined:  # the usual row: no cell to unneutralise
                yield line, dict(zip(header, values, strict=True))
                continue
            yield (
                line,
                {
                    h: unneutralise(v) if v[:1] == "'" else v
                    for h, v in zip(header, values, strict=True)
                },
            )
    except csv.Error as exc:  # named by the line its record starts on
        raise file_problem(line_problem(ended + 1, exc)) from None


def file_problem(problem: Message) -> ValidationError:
    """A problem of the file as a whole or of a line of it, said as it is (``line 2: ...``,
    not under a field's name): the key "file" for the forms that show it."""
    return ValidationError({"file": problem}, message=problem)


def line_problem(line: int, exc: csv.Error) -> Message:
    """``line N: ...`` for what a strict CSV reader refused there."""
    return Message("line {line}: {problem}", line=line, problem=csv_problem(exc))


def csv_problem(exc: csv.Error) -> Message:
    """What a strict CSV reader (``strict=True``: a quote is never guessed at; a lenient
    one read ``"a"b`` as ``ab`` and a quote never closed as the rest of the file) refused,
    said for the person who wrote the file."""
    said = str(exc)
    if said == "unexpected end of data":
        return Message(
            'a quoted cell starts here and is never closed: end it with " (a " inside a '
            'cell is written twice: "")'
        )
    if said.endswith("expected after '\"'"):
        return Message(
            'text after the closing " of a quoted cell: quote the whole cell (a " inside a '
            'cell is written twice: "")'
        )
    if said.startswith("field larger than field limit"):
        return Message("a cell longer than {n} characters", n=csv.field_size_limit())
    return Message("not CSV ({reason})", reason=said)


def cells_problem(cells: int, width: int) -> Message:
    """A row whose cell count differs from the header's (the ``__error__`` of read_rows)."""
    return Message.plural(
        "{n} cell, the header has {width}", "{n} cells, the header has {width}", cells, width=width
    )


def write_rows(stream: io.TextIOBase, columns: tuple[str, ...], rows) -> int:  # noqa: ANN001
    """Write a header and rows (sequences in column order), neutralising formula cells."""
    w = csv.writer(stream, lineterminator="\n")
    w.writerow(columns)
    n = 0
    for row in rows:
        w.writerow([neutralise(x) for x in row])
        n += 1
    return n
