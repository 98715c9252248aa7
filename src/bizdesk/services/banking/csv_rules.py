"""A bank's CSV export, read by a rules file in the spirit of hledger's CSV rules
(https://hledger.org/1.40/hledger.html#csv):

```
# Banco Ejemplo, cuenta corriente
skip 1
separator ;
encoding latin-1
date-format %d/%m/%Y
decimal-mark ,
fields date, date2, description, amount, _, code

if CAFETERIA|BAR
  account2 6290
  memo coffee

if %description ^TRANSFERENCIA DE
& %amount ^-
  contact Acme Supply
```

Directives: ``skip N`` (lines before the records), ``separator`` (a character, or ``TAB``,
``SPACE``, ``;``), ``encoding`` (a Python codec name; default UTF-8), ``date-format``
(``strptime``; default ``%Y-%m-%d``), ``decimal-mark`` (``.`` or ``,``; default ``.``),
``fields`` (names in column order; ``_`` or nothing for a column not used). Field names:
``date``, ``date2`` (value date), ``description``, ``amount`` or ``amount-in`` and
``amount-out``, ``code`` (the bank's transaction id), ``payee`` (the counterpart's name),
``iban`` (the counterpart's account), ``comment``, ``balance`` (the account's balance after
the line: the last line's gives the statement's closing balance); other names are allowed
and ignored.

``if`` blocks: each following line that is not indented is one more pattern (a block
matches when any pattern matches; a line starting with ``&`` must also match the one before
it); a pattern is a case-insensitive regular expression matched against the whole record
(its fields joined by commas) or, as ``%field PATTERN``, against one field. The indented
lines set ``account2`` (an account code), ``contact`` and ``memo`` (``comment`` also
works): a suggestion kept on the line for reconciliation. Later blocks win.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from bizdesk.i18n import Message
from bizdesk.reading import is_digits, quoted
from bizdesk.services.banking.reading import (
    NAME_MAX,
    TEXT_MAX,
    BadValue,
    Problems,
    ReadLine,
    ReadStatement,
    clean_text,
    in_range,
    read_amount,
)
from bizdesk.services.base.csvio import csv_problem

KNOWN_FIELDS = ("date", "date2", "description", "amount", "amount-in", "amount-out", "code")
KNOWN_FIELDS += ("payee", "iban", "comment", "balance")
ASSIGNABLE = {"account2": "account", "contact": "contact", "memo": "memo", "comment": "memo"}
SEPARATORS = {"tab": "\t", "space": " "}
_NAME = re.compile(r"[a-z_][a-z0-9_-]*|", re.IGNORECASE)


@dataclass
class _Matcher:
    field: str | None  # None: the whole record
    pattern: re.Pattern[str]
    joined: bool  # "&": must match with the one before


@dataclass
class _Block:
    line: int
    matchers: list[_Matcher] = field(default_factory=list)
    sets: dict[str, str] = field(default_factory=dict)
    set_on: dict[str, int] = field(default_factory=dict)  # the line that set each

    def matches(self, record: str, values: dict[str, str]) -> bool:
        groups: list[list[_Matcher]] = []
        for m in self.matchers:
            if m.joined and groups:
                groups[-1].append(m)
            else:
                groups.append([m])
        return any(
            all(m.pattern.search(record if m.field is None else values.get(m.field, "")) for m in g)
            for g in groups
        )


@dataclass
class Rules:
    skip: int = 0
    separator: str = ","
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    decimal_mark: str = "."
    fields: list[str] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)


def _problem(problems: Problems, line: int, text: str) -> None:
    problems.add(line, Message("rules file: {problem}", problem=text))


def parse_rules(data: bytes, problems: Problems) -> Rules:
    """The rules file (UTF-8). Each problem is "line N: rules file: ..."."""
    rules = Rules()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _problem(problems, 1, Message("not UTF-8 text"))
        return rules
    block: _Block | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;*":
            continue
        indented = raw[:1] in (" ", "\t")
        if block is not None and indented:
            name, _, value = stripped.partition(" ")
            if name not in ASSIGNABLE:
                _problem(
                    problems,
                    n,
                    Message(
                        "{name} cannot be set here; use account2, contact or memo",
                        name=quoted(name, 30),
                    ),
                )
                continue
            key = ASSIGNABLE[name]
            try:
                block.sets[key] = clean_text(value, 20 if key == "account" else NAME_MAX)
                block.set_on[key] = n
            except BadValue as exc:
                _problem(problems, n, Message("{name}: {problem}", name=name, problem=exc.args[0]))
            continue
        if block is not None and not block.sets:  # more patterns of the same block
            _add_matcher(block, stripped, n, problems)
            continue
        block = None
        word, _, value = stripped.partition(" ")
        value = value.strip()
        if word == "if":
            block = _Block(n)
            rules.blocks.append(block)
            if value:
                _add_matcher(block, value, n, problems)
        elif word == "skip":
            if value and not is_digits(value):
                _problem(problems, n, Message("skip takes a number of lines"))
            rules.skip = int(value) if is_digits(value) else 1
        elif word == "separator":
            sep = SEPARATORS.get(value.lower(), value)
            if len(sep) != 1:
                _problem(problems, n, Message("the separator is one character, TAB or SPACE"))
            else:
                rules.separator = sep
        elif word == "encoding":
            try:
                rules.encoding = codecs.lookup(value).name
            except LookupError:
                _problem(problems, n, Message("{name} is not an encoding", name=quoted(value, 30)))
        elif word == "date-format":
            rules.date_format = value
            if not value or "%" not in value:
                _problem(problems, n, Message("date-format needs a format such as %d/%m/%Y"))
        elif word == "decimal-mark":
            if value not in (".", ","):
                _problem(problems, n, Message("decimal-mark is . or ,"))
            else:
                rules.decimal_mark = value
        elif word == "fields":
            names = [f.strip().lower() for f in value.split(",")]
            bad = [f for f in names if not _NAME.fullmatch(f)]
            if bad:
                _problem(
                    problems, n, Message("{name} is not a field name", name=quoted(bad[0], 30))
                )
            rules.fields = ["" if f == "_" else f for f in names]
        else:
            _problem(
                problems,
                n,
                Message(
                    "{word} is not a rule bizdesk knows (skip, separator, encoding, "
                    "date-format, decimal-mark, fields, if)",
                    word=quoted(word, 30),
                ),
            )
    for block in rules.blocks:  # (an if with nothing to match matched no line, unsaid)
        if not block.matchers:
            _problem(problems, block.line, Message("if needs a pattern, on its line or below it"))
    _check_fields(rules, problems)
    return rules


def _add_matcher(block: _Block, text: str, line: int, problems: Problems) -> None:
    joined = text.startswith("&")
    text = text.removeprefix("&").strip()
    name = None
    if text.startswith("%"):
        name, _, text = text[1:].partition(" ")
        name, text = name.lower(), text.strip()
    try:
        block.matchers.append(_Matcher(name, re.compile(text, re.IGNORECASE), joined))
    except re.error as exc:
        _problem(
            problems,
            line,
            Message("{text} is not a pattern ({reason})", text=quoted(text, 30), reason=str(exc)),
        )


def _check_fields(rules: Rules, problems: Problems) -> None:
    names = rules.fields
    if not names:
        _problem(
            problems, 1, Message("a fields line is required (fields date, description, amount)")
        )
        return
    if "date" not in names:
        _problem(problems, 1, Message("the fields need a date"))
    has_amount = "amount" in names
    has_in_out = "amount-in" in names or "amount-out" in names
    if has_amount == has_in_out:
        _problem(
            problems, 1, Message("the fields need amount, or amount-in and amount-out (not both)")
        )
    named = [f for f in names if f]
    if len(set(named)) != len(named):
        _problem(problems, 1, Message("a field is named twice"))
    for b in rules.blocks:
        for m in b.matchers:
            if m.field is not None and m.field not in names:
                _problem(
                    problems, b.line, Message("no field named {name}", name=quoted(m.field, 30))
                )
        if not b.sets:
            _problem(problems, b.line, Message("this if block sets nothing"))


def _date(text: str, fmt: str) -> date:
    try:
        day = datetime.strptime(text.strip(), fmt).date()
    except ValueError as exc:
        if "out of range" in str(exc):  # written so, but no such day (31/02/2026)
            raise BadValue(Message("{text}: there is no such day", text=quoted(text, 30))) from None
        raise BadValue(
            Message("{text} is not a date written as {format}", text=quoted(text, 30), format=fmt)
        ) from None
    return in_range(day)


def read_csv(data: bytes, rules: Rules, exponent: int, problems: Problems) -> ReadStatement:
    """The statement's records, read by the rules (which are known to be sound)."""
    out = ReadStatement("csv")
    try:
        text = data.decode(rules.encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            line,
            Message("not {encoding} text (see encoding in the rules)", encoding=rules.encoding),
        )
        return out
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=rules.separator, strict=True)
    names = rules.fields
    balances: list[int | None] = []
    line = 0  # the line the last record read ended on
    try:
        for values in reader:
            line = reader.line_num
            if line <= rules.skip or not "".join(values).strip():
                continue
            extra = values[len(names) :]
            if len(values) < _last_used(names) or any(x.strip() for x in extra):
                problems.add(
                    line,
                    Message(
                        "the line has {n} cells; the fields line names {fields}",
                        n=len(values),
                        fields=len(names),
                    ),
                )
                continue
            row = {f: values[i].strip() for i, f in enumerate(names) if f and i < len(values)}
            try:
                out.lines.append(_record(line, values, row, rules, exponent))
                got = row.get("balance", "")
                balances.append(read_amount(got, rules.decimal_mark, exponent) if got else None)
            except _Bad as exc:
                problems.add(line, exc.args[0], exc.args[1])
            except BadValue as exc:
                problems.add(line, exc.args[0], "balance")
    except csv.Error as exc:  # named by the line its record starts on
        problems.add(line + 1, csv_problem(exc))
    if "balance" in names:
        _closing(out, balances)
    return out


def _closing(out: ReadStatement, balances: list[int | None]) -> None:
    """The closing balance: the balance after the statement's last line (the file's last
    record, or its first when the bank lists the newest first). Without one there, the
    reader is told: the books are then not compared with the bank's figure."""
    if not out.lines or len(balances) != len(out.lines):
        return
    newest_first = out.lines[0].booked_on > out.lines[-1].booked_on
    last = 0 if newest_first else -1
    if balances[last] is None:
        out.no_closing = Message(
            "No closing balance: the statement's last line (line {line}) has no balance, so "
            "the books are not compared with the bank's figure.",
            line=out.lines[last].line,
        )
        return
    out.closing = (balances[last], out.lines[last].booked_on)


def _last_used(names: list[str]) -> int:
    return max((i + 1 for i, f in enumerate(names) if f), default=0)


class _Bad(Exception):
    """(problem, field) of one record."""


def _record(
    line: int, values: list[str], row: dict[str, str], rules: Rules, exponent: int
) -> ReadLine:
    def read(name: str, fn):  # noqa: ANN001, ANN202
        try:
            return fn()
        except BadValue as exc:
            raise _Bad(exc.args[0], name) from None

    booked = read("date", lambda: _date(row["date"], rules.date_format))
    value_on = None
    if row.get("date2"):
        value_on = read("date2", lambda: _date(row["date2"], rules.date_format))
    mark = rules.decimal_mark
    if "amount" in row:
        amount = read("amount", lambda: read_amount(row["amount"], mark, exponent))
    else:
        got_in = row.get("amount-in", "").strip()
        got_out = row.get("amount-out", "").strip()
        amt_in = read("amount-in", lambda: read_amount(got_in, mark, exponent)) if got_in else 0
        amt_out = read("amount-out", lambda: read_amount(got_out, mark, exponent)) if got_out else 0
        if amt_in < 0 or amt_out < 0:
            which = "amount-in" if amt_in < 0 else "amount-out"
            raise _Bad(Message("write it without a sign: the column gives the side"), which)
        if amt_in and amt_out:
            raise _Bad(Message("money both in and out on one line"), "amount-in")
        if not got_in and not got_out:
            raise _Bad(Message("an amount is required"), "amount-in")
        amount = amt_in - amt_out
    description = read("description", lambda: clean_text(row.get("description"), TEXT_MAX))
    comment = read("comment", lambda: clean_text(row.get("comment"), TEXT_MAX))
    text = f"{description} {comment}".strip() if comment else description
    out = ReadLine(
        line,
        booked,
        amount,
        value_on=value_on,
        counterpart=read("payee", lambda: clean_text(row.get("payee"), NAME_MAX)),
        counterpart_iban=read("iban", lambda: clean_text(row.get("iban"), 34))
        .replace(" ", "")
        .upper(),
        text=read("description", lambda: clean_text(text, TEXT_MAX)),
        transaction_id=read("code", lambda: clean_text(row.get("code"), 100)) or None,
    )
    record = ",".join(values)
    for block in rules.blocks:
        if block.matches(record, row):
            for key, value in block.sets.items():
                setattr(out, f"rule_{key}", value)
    return out
