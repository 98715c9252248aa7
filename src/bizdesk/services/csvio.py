"""CSV plumbing shared by every import and export: decoding, headers, formula safety."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bizdesk.errors import ValidationError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Keep a spreadsheet from running a cell as a formula: prefix it with a quote."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(FORMULA_START) else s


def unneutralise(value: str) -> str:
    """Undo ``neutralise`` so that an export imports back unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def read_rows(
    data: bytes | str, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from UTF-8 CSV text; refuse bad encodings and headers."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ValidationError(
                {"file": f"line {line}: not UTF-8 text; save the file as CSV UTF-8"}
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError({"file": "empty file: a header row is required"}) from None
    header = [h.strip().lower() for h in header]
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise ValidationError(
            {
                "file": f"line 1: unknown columns {', '.join(unknown)}; valid "
                f"columns are: {', '.join(columns)}"
            }
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError({"file": f"line 1: missing required columns {', '.join(missing)}"})
    if len(set(header)) != len(header):
        raise ValidationError({"file": "line 1: a column is named twice"})
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num
            if len(values) != len(header):
                yield line, {"__error__": f"{len(values)} cells, the header has {len(header)}"}
                continue
            yield (
                line,
                {
                    h: unneutralise(v) if v[:1] == "'" else v
                    for h, v in zip(header, values, strict=True)
                },
            )
    except csv.Error as exc:
        raise ValidationError({"file": f"line {reader.line_num}: {exc}"}) from None


def write_rows(stream: io.TextIOBase, columns: tuple[str, ...], rows) -> int:  # noqa: ANN001
    """Write a header and rows (sequences in column order), neutralising formula cells."""
    w = csv.writer(stream, lineterminator="\n")
    w.writerow(columns)
    n = 0
    for row in rows:
        w.writerow([neutralise(x) for x in row])
        n += 1
    return n
