"""Reading a bank statement file into lines: OFX (ofxtools), ISO 20022 CAMT.053 (ElementTree)
and the shared pieces (exact amounts, clean text). CSV is in ``csv_rules``.

Nothing here touches the store. Every problem is a ``Message`` "line N: ..." collected in a
``Problems``; the caller refuses the whole file when there is any.
"""

from __future__ import annotations

import bisect
import html.entities
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from xml.etree.ElementTree import Element, TreeBuilder

from bizdesk.i18n import Lines, Message
from bizdesk.reading import DateError, quoted, read_date
from bizdesk.services.base import validate as v

MAX_PROBLEMS = 50  # listed at most (then "... and N more")
TEXT_MAX = 500
NAME_MAX = 200


class Problems:
    """A file's problems, in the order found (the first ``MAX_PROBLEMS`` kept)."""

    def __init__(self) -> None:
        self.items: list[Message] = []
        self.count = 0

    def add(self, line: int | None, problem: str, column: str | None = None) -> None:
        """``line`` None: a problem of the whole file (its currency, its accounts), said
        without a line that would point at nothing."""
        self.count += 1
        if len(self.items) >= MAX_PROBLEMS:
            return
        if line is None:
            self.items.append(problem)
        elif column is None:
            self.items.append(Message("line {line}: {problem}", line=line, problem=problem))
        else:
            self.items.append(
                Message(
                    "line {line}: {column}: {problem}", line=line, column=column, problem=problem
                )
            )

    def __bool__(self) -> bool:
        return self.count > 0

    def as_text(self) -> Lines:
        shown: list[str] = list(self.items)
        if self.count > len(shown):
            more = self.count - len(shown)
            shown.append(
                Message.plural("... and {n} more problem", "... and {n} more problems", more)
            )
        return Lines(shown)


@dataclass
class ReadLine:
    """One line of a statement as the file gives it (amount in minor units, signed)."""

    line: int  # where it is in the file, for messages
    booked_on: date
    amount_minor: int
    value_on: date | None = None
    counterpart: str = ""
    counterpart_iban: str = ""
    text: str = ""
    transaction_id: str | None = None
    rule_account: str = ""
    rule_contact: str = ""
    rule_memo: str = ""


@dataclass
class ReadStatement:
    format: str  # csv | ofx | camt053
    lines: list[ReadLine] = field(default_factory=list)
    currency: str | None = None  # when the file says
    account_ref: str = ""  # the bank account the file is a statement of, when it says
    opening: tuple[int, date] | None = None  # (minor units, date)
    closing: tuple[int, date] | None = None
    no_closing: Message | None = None  # why a file that gives balances gives no closing one


class BadValue(ValueError):
    """One value that cannot be read; its argument is the Message saying why."""


class BadField(ValueError):
    """One field of a line that cannot be read: (the Message saying why, the field's name,
    the line it is on in the file, or None for the line's own)."""


class NotText(BadValue):
    """A value whose character reference stands for no character, or for one text may not
    hold (&#0;, &#27;); its argument is the Message saying which."""


class NotTextField(BadField):
    """A ``NotText`` in one field of a line (BadField's arguments)."""


def in_range(day: date) -> date:
    """A day from a bank's file, within the dates bizdesk accepts everywhere (the one rule
    of ``bizdesk.reading.read_date``): a line of 2250 would be matched and posted where no
    one could type its date."""
    try:
        return read_date(day)
    except DateError as exc:
        raise BadValue(exc.message) from None


def currency_shown(code: str) -> str:
    """A currency a file names, for a message: a code as it is (EUR), anything else quoted
    (it is the file's text)."""
    return code if re.fullmatch("[A-Z]{3}", code) else quoted(code, 10)


# --- exact amounts ---------------------------------------------------------------------------

_AMOUNT = re.compile(r"([+-]?)([0-9][0-9.,' ]*)", re.ASCII)


def read_amount(text: str, decimal_mark: str, exponent: int, *, grouped: bool = True) -> int:
    """A statement's amount -> minor units, exactly. ``decimal_mark`` is "." or "," (from
    the rules file, or the format's own); the other mark and spaces may only group
    thousands in threes, where ``grouped`` (a CSV file; OFX and camt.053 write no grouping).
    Anything else (another mark, bad grouping, more decimals than the currency has) is
    refused: an amount is never guessed."""
    raw = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    m = _AMOUNT.fullmatch(raw)
    if not raw:
        raise BadValue(Message("an amount is required"))
    if (
        not grouped
        and m is not None
        and any(g in raw for g in {",", ".", "'", " "} - {decimal_mark})
    ):
        raise BadValue(  # (it said "the rules say", of a file that has no rules)
            Message(
                "{text} is not an amount as this format writes one: digits, with {mark} "
                "before the decimals and no thousands separator",
                text=quoted(text, 30),
                mark=quoted(decimal_mark, 30),
            )
        )
    if m is None:
        raise BadValue(
            Message(
                "{text} is not an amount: write digits, with {mark} before the decimals",
                text=quoted(text, 30),
                mark=quoted(decimal_mark, 30),
            )
        )
    sign, body = m.groups()
    group_marks = {",", ".", "'", " "} - {decimal_mark}
    whole, _, decimals = body.partition(decimal_mark)
    if decimal_mark in decimals or any(g in decimals for g in group_marks):
        raise BadValue(
            Message(
                "{text} is ambiguous: the rules say {mark} is the decimal mark",
                text=quoted(text, 30),
                mark=quoted(decimal_mark, 30),
            )
        )
    used = {g for g in group_marks if g in whole}
    if used:
        groups = re.split(r"[,.' ]", whole)
        if len(used) > 1 or not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            raise BadValue(
                Message(
                    "{text} is ambiguous: the rules say {mark} is the decimal mark",
                    text=quoted(text, 30),
                    mark=quoted(decimal_mark, 30),
                )
            )
        whole = "".join(groups)
    if len(decimals) > exponent:
        raise BadValue(
            Message(
                "{text} has more decimals than the currency's {n}",
                text=quoted(text, 30),
                n=exponent,
            )
        )
    value = Decimal(f"{whole or '0'}.{decimals or '0'}").scaleb(exponent)
    if len(whole) > 13:
        raise BadValue(Message("{text} is too large", text=quoted(text, 30)))
    minor = int(value)
    return -minor if sign == "-" else minor


def clean_text(value: str | None, max_len: int) -> str:
    """Text from a bank's file: runs of spaces, tabs and line breaks (an XML file's layout,
    a multi-line memo) become one space; control characters are refused, never dropped."""
    s = " ".join((value or "").split())
    try:
        return v.text(s, max_len=max_len)
    except v.FieldError as exc:
        raise BadValue(exc.message) from None


# --- OFX ---------------------------------------------------------------------------------------

_OFX_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def _ofx_date(text: str | None) -> date:
    """The day an OFX date names, as the bank wrote it (its own time zone: the booking day
    on the statement, never shifted to UTC)."""
    if text is None or not text.strip():
        raise BadValue(Message("a date is required"))
    m = _OFX_DATE.match(text.strip())
    if m is None:
        raise BadValue(Message("{text} is not an OFX date (YYYYMMDD...)", text=quoted(text, 30)))
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise BadValue(Message("{text}: there is no such day", text=quoted(text, 30))) from None
    return in_range(day)


def _ofx_amount(text: str | None, exponent: int) -> int:
    """OFX amounts have no grouping: "." (or "," as some banks write) before decimals."""
    s = (text or "").strip()
    mark = "," if "," in s and "." not in s else "."
    return read_amount(s, mark, exponent, grouped=False)


_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));")


def _reference(m: re.Match[str]) -> str:
    """One character reference as the character it names: numeric (&#233; &#xE9;, the
    code point itself) or named (&amp; &lt; &gt; &nbsp; &apos; &quot; &eacute;...); a name
    HTML does not know stays as written (it is text: "&FOO;"). A number that names no
    character (&#0;, past U+10FFFF) or one text may not hold (&#27;, &#x1F;, &#x85;: a
    control character, which the folding of spaces would have turned into a space unsaid)
    is a NotText: the file holds something that is not text. Tabs and line breaks (&#9;
    &#10; &#13;) are the layout of a value, read as its written ones are."""
    decimal, hexadecimal, name = m.groups()
    if name is not None:
        return html.entities.html5.get(name + ";", m.group())
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF:
        raise NotText(Message("{ref} names no character", ref=quoted(m.group(), 20)))
    ch = chr(code)
    problem = None if ch in "\t\n\r" else v.text_problem(ch, multiline=True)
    if problem is not None:
        raise NotText(Message("{ref}: {problem}", ref=quoted(m.group(), 20), problem=problem))
    return ch


def _ofx_text(value: str | None, max_len: int) -> str:
    """An OFX value as text: its character references (OFX section 2.3: &amp; &lt; &gt;,
    the &nbsp; &apos; &quot; banks mix in, and numeric ones, &#233;) read as the characters
    they name, "Jos&#233; &amp; Co" as "José & Co"; one that names no character, or one
    the text rule refuses (&#0;, &#27; is ESC), is a NotText: refused, never stored."""
    return clean_text(_REFERENCE.sub(_reference, value) if value else value, max_len)


class _Where:
    """Where the values of an OFX file's transactions are: ofxtools' tree keeps no lines, so
    each transaction is found by its <STMTTRN> in the text, in order, and a value by its
    tag after it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [m.start() for m in re.finditer(r"<STMTTRN>", text, re.IGNORECASE)]
        self.breaks = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset) + 1

    def transaction(self, index: int) -> _Transaction:
        if index >= len(self.starts):
            return _Transaction(self, 1, None, None)
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return _Transaction(self, self.line_at(start), start, end)


@dataclass
class _Transaction:
    where: _Where
    line: int  # its <STMTTRN>'s
    start: int | None
    end: int | None

    def line_of(self, tag: str) -> int:
        """The line of the transaction's ``tag``; its own when the tag is not in it."""
        if self.start is None:
            return self.line
        m = re.compile(rf"<{tag}>", re.IGNORECASE).search(self.where.text, self.start, self.end)
        return self.where.line_at(m.start()) if m else self.line

    def read(self, column: str, tag: str, fn, *args: object):  # noqa: ANN001, ANN201
        """``fn(*args)``, a BadValue told as a BadField of ``column`` at ``tag``'s line."""
        try:
            return fn(*args)
        except NotText as exc:
            raise NotTextField(exc.args[0], column, self.line_of(tag)) from None
        except BadValue as exc:
            raise BadField(exc.args[0], column, self.line_of(tag)) from None


def _not_text(problem: Message) -> Message:
    return Message("the file holds a character that is not text ({problem})", problem=problem)


def _transaction_name(trn: Element, index: int) -> Message:
    """A transaction as a message names it: by its FITID, or else by its place (from 1)."""
    try:
        fitid = _ofx_text(trn.findtext("FITID"), 100)
    except BadValue:
        fitid = ""
    if fitid:
        return Message("transaction {id}", id=quoted(fitid, 30))
    return Message("transaction {n} of the file", n=index + 1)


def read_ofx(data: bytes, exponent: int, problems: Problems) -> ReadStatement:
    """An OFX file, version 1 (SGML) or 2 (XML), read by ofxtools' parser. The values are
    read from its tree here (not through ofxtools' conversion, which turns the booking day
    into a UTC time and refuses files that leave out fields a statement does not need)."""
    from ofxtools.header import OFXHeaderError
    from ofxtools.Parser import OFXTree, ParseError

    tree = OFXTree()
    try:
        tree.parse(BytesIO(data))
    except (OFXHeaderError, ParseError, ValueError, UnicodeDecodeError) as exc:
        # ofxtools' first line says what is wrong; the lines after it are the file's own
        reason = (str(exc).strip().splitlines() or [""])[0].rstrip(":")[:100]
        problems.add(None, Message("not an OFX file bizdesk can read ({reason})", reason=reason))
        return ReadStatement("ofx")
    except IndexError:  # ofxtools' tree, closing an element it has not open ("</FITID>" alone)
        problems.add(
            None,
            Message(
                "not an OFX file bizdesk can read ({reason})",
                reason=Message("a closing tag has no opening tag"),
            ),
        )
        return ReadStatement("ofx")
    root = tree.getroot()
    statements = root.findall(".//STMTRS") + root.findall(".//CCSTMTRS")
    out = ReadStatement("ofx")
    if not statements:
        problems.add(None, Message("the OFX file holds no bank statement (STMTRS)"))
        return out
    ids = {
        (s.findtext("BANKACCTFROM/ACCTID") or s.findtext("CCACCTFROM/ACCTID") or "").strip()
        for s in statements
    }
    if len(ids) > 1:
        problems.add(
            None,
            Message(
                "the file holds statements of {n} accounts ({ids}); export one account at a time",
                n=len(ids),
                ids=", ".join(sorted(ids)),
            ),
        )
        return out
    try:
        out.account_ref = _ofx_text(next(iter(ids)), 34)
    except NotText as exc:
        problems.add(None, Message("the account number: {reason}", reason=_not_text(exc.args[0])))
    except BadValue as exc:
        problems.add(None, Message("the account number: {reason}", reason=exc.args[0]))
    where = _Where(data.decode("latin-1"))  # (only to find the line of each value)
    index = 0
    for s in statements:
        out.currency = (s.findtext("CURDEF") or "").strip().upper() or out.currency
        for trn in s.iter("STMTTRN"):
            at = where.transaction(index)
            index += 1
            try:
                booked = at.read("date", "DTPOSTED", _ofx_date, trn.findtext("DTPOSTED"))
                avail = trn.findtext("DTAVAIL")  # when the money is there: the value date
                amount = at.read("amount", "TRNAMT", _ofx_amount, trn.findtext("TRNAMT"), exponent)
                name = trn.findtext("NAME") or trn.findtext("PAYEE/NAME")
                name = at.read("name", "NAME", _ofx_text, name, NAME_MAX)
                memo = at.read("memo", "MEMO", _ofx_text, trn.findtext("MEMO"), TEXT_MAX)
                fitid = at.read("id", "FITID", _ofx_text, trn.findtext("FITID"), 100) or None
                iban = trn.findtext("BANKACCTTO/ACCTID")
                iban = at.read("iban", "ACCTID", _ofx_text, iban, 34)
                value_on = at.read("value date", "DTAVAIL", _ofx_date, avail) if avail else None
                out.lines.append(
                    ReadLine(
                        at.line,
                        booked,
                        amount,
                        value_on=value_on,
                        counterpart=name,
                        counterpart_iban=iban,
                        text=memo or name,  # (a line's shown text: the door says it once)
                        transaction_id=fitid,
                    )
                )
            except NotTextField as exc:
                problem, column, line = exc.args
                problems.add(
                    line,
                    Message(
                        "{transaction}, {column}: {problem}",
                        transaction=_transaction_name(trn, index - 1),
                        column=column,
                        problem=_not_text(problem),
                    ),
                )
            except BadField as exc:
                problem, column, line = exc.args
                problems.add(line, problem, column)
        bal = s.find("LEDGERBAL")
        if bal is not None:
            try:
                out.closing = (
                    _ofx_amount(bal.findtext("BALAMT"), exponent),
                    _ofx_date(bal.findtext("DTASOF")),
                )
            except BadValue as exc:
                problems.add(None, Message("LEDGERBAL: {problem}", problem=exc.args[0]))
    return out


# --- ISO 20022 CAMT.053 ---------------------------------------------------------------------

CAMT_NS = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.([0-9]{2})")


class _NoDoctype(Exception):
    pass


def _parse_xml(data: bytes) -> tuple[Element, dict[int, int]]:
    """An XML file as an ElementTree, with the line each element starts on (expat tells it;
    ElementTree keeps none). A DOCTYPE (entities, outside files) is refused outright."""
    builder = TreeBuilder()
    lines: dict[int, int] = {}
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")

    def start(tag: str, attrs: dict) -> None:
        elem = builder.start("{" + tag if "}" in tag else tag, attrs)
        lines[id(elem)] = parser.CurrentLineNumber

    def doctype(*_args: object) -> None:
        raise _NoDoctype

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end("{" + tag if "}" in tag else tag)
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.Parse(data, True)
    return builder.close(), lines


def _camt_date(elem: Element | None, ns: str) -> date:
    if elem is None:
        raise BadValue(Message("a date is required"))
    text = (elem.findtext(f"{ns}Dt") or elem.findtext(f"{ns}DtTm") or "").strip()
    if not text:
        raise BadValue(Message("a date is required"))
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise BadValue(
            Message("{text} is not a date (YYYY-MM-DD)", text=quoted(text, 30))
        ) from None
    return in_range(day)


def _camt_amount(elem: Element, ns: str, exponent: int, currency: list[tuple[str, Element]]) -> int:
    """The signed amount of a balance or an entry; its currency (Ccy) and its element go
    to ``currency``, for ``_camt_currency`` to hold against the account's."""
    amt = elem.find(f"{ns}Amt")
    if amt is None:
        raise BadValue(Message("an amount is required"))
    ccy = (amt.get("Ccy") or "").strip().upper()
    if ccy:
        currency.append((ccy, amt))
    value = read_amount(amt.text or "", ".", exponent, grouped=False)
    side = (elem.findtext(f"{ns}CdtDbtInd") or "").strip()
    if side not in ("CRDT", "DBIT"):
        raise BadValue(Message("CdtDbtInd must be CRDT or DBIT, not {text}", text=quoted(side, 30)))
    if value < 0:
        raise BadValue(Message("the amount must not be negative (CdtDbtInd gives the side)"))
    return value if side == "CRDT" else -value


def _first(elem: Element, ns: str, *paths: str) -> str:
    for p in paths:
        found = elem.findtext("/".join(f"{ns}{step}" for step in p.split("/")))
        if found and found.strip():
            return found
    return ""


def _found(elem: Element, ns: str, *paths: str) -> Element | None:
    """The first of ``paths`` under ``elem`` that holds text (``_first``'s element)."""
    for p in paths:
        found = elem.find("/".join(f"{ns}{step}" for step in p.split("/")))
        if found is not None and found.text and found.text.strip():
            return found
    return None


def _dated(elem: Element | None, ns: str) -> Element | None:
    """The element holding a date's day (Dt or DtTm), where a bad one is told."""
    if elem is None:
        return None
    found = elem.find(f"{ns}Dt")
    return found if found is not None else elem.find(f"{ns}DtTm")


def _text_of(elem: Element | None, max_len: int) -> str:
    return clean_text(elem.text if elem is not None else "", max_len)


@dataclass
class _CamtLines:
    lines: dict[int, int]  # an element's id -> the line it starts on
    line: int  # the entry's (Ntry)

    def read(self, column: str, elem: Element | None, fn, *args: object):  # noqa: ANN001, ANN201
        """``fn(*args)``, a BadValue told as a BadField of ``column`` at ``elem``'s line
        (the entry's when there is no such element)."""
        try:
            return fn(*args)
        except BadValue as exc:
            line = self.lines.get(id(elem), self.line) if elem is not None else self.line
            raise BadField(exc.args[0], column, line) from None


def read_camt(data: bytes, exponent: int, problems: Problems) -> ReadStatement:
    """An ISO 20022 bank-to-customer statement, camt.053.001.02 or later: booked entries
    (pending ones are not on the books yet), opening (OPBD/PRCD) and closing (CLBD)
    balances. Several statements in one file must be of one account."""
    out = ReadStatement("camt053")
    try:
        root, lines = _parse_xml(data)
    except _NoDoctype:
        problems.add(1, Message("the XML file has a DOCTYPE, which a CAMT.053 statement never has"))
        return out
    except xml.parsers.expat.ExpatError as exc:
        problems.add(exc.lineno, Message("not well-formed XML ({reason})", reason=str(exc)))
        return out
    m = CAMT_NS.fullmatch(root.tag.partition("}")[0].lstrip("{"))
    if m is None or int(m.group(1)) < 2:
        problems.add(
            lines.get(id(root), 1),
            Message("not an ISO 20022 camt.053 statement (version 02 or later)"),
        )
        return out
    ns = "{" + root.tag.partition("}")[0].lstrip("{") + "}"
    stmts = root.findall(f"{ns}BkToCstmrStmt/{ns}Stmt")
    accounts = {
        _first(s, ns, "Acct/Id/IBAN", "Acct/Id/Othr/Id").replace(" ", "").upper() for s in stmts
    }
    if len(accounts) > 1:
        problems.add(
            None,
            Message(
                "the file holds statements of {n} accounts ({ids}); export one account at a time",
                n=len(accounts),
                ids=", ".join(sorted(accounts)),
            ),
        )
        return out
    try:
        out.account_ref = clean_text(next(iter(accounts), ""), 34)
    except BadValue as exc:
        problems.add(None, Message("the account number: {reason}", reason=exc.args[0]))
    amounts: list[_CamtAmount] = []  # every amount's currency, and where it is
    kept_in: set[str] = set()  # the currencies the statements' accounts are kept in
    for s in stmts:
        account_ccy = (s.findtext(f"{ns}Acct/{ns}Ccy") or "").strip().upper()
        if account_ccy:
            kept_in.add(account_ccy)
        balances: list[tuple[str, Element]] = []
        entries: list[tuple[str, Element]] = []
        for bal in s.findall(f"{ns}Bal"):
            code = _first(bal, ns, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry").strip()
            if code not in ("OPBD", "PRCD", "CLBD"):
                continue
            try:
                value = (
                    _camt_amount(bal, ns, exponent, balances),
                    _camt_date(bal.find(f"{ns}Dt"), ns),
                )
            except BadValue as exc:
                problems.add(lines.get(id(bal), 1), exc.args[0])
                continue
            if code == "CLBD":
                out.closing = value  # the last statement's, when the file holds several
            elif out.opening is None:
                out.opening = value
        for entry in s.findall(f"{ns}Ntry"):
            line = lines.get(id(entry), 1)
            status = _first(entry, ns, "Sts/Cd", "Sts").strip()
            if status and status != "BOOK":
                continue  # pending or information only: not on the account yet
            at = _CamtLines(lines, line)
            try:
                amount = at.read(
                    "amount",
                    entry.find(f"{ns}Amt"),
                    _camt_amount,
                    entry,
                    ns,
                    exponent,
                    entries,
                )
                bookg = entry.find(f"{ns}BookgDt")
                booked = at.read("date", _dated(bookg, ns), _camt_date, bookg, ns)
                val = entry.find(f"{ns}ValDt")
                tx = entry.find(f"{ns}NtryDtls/{ns}TxDtls")
                party = "Dbtr" if amount > 0 else "Cdtr"
                name = iban = text = ref = None
                if tx is not None:
                    name = _found(tx, ns, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")
                    iban = _found(tx, ns, f"RltdPties/{party}Acct/Id/IBAN")
                    said = tx.findall(f"{ns}RmtInf/{ns}Ustrd")
                    text = said[0] if said and "".join(u.text or "" for u in said) else None
                    text_said = " ".join((u.text or "") for u in said)
                    if text is None:
                        text = _found(tx, ns, "RmtInf/Strd/CdtrRefInf/Ref")
                        text_said = text.text if text is not None else ""
                    ref = _found(tx, ns, "Refs/AcctSvcrRef")
                if text is None:
                    text = _found(entry, ns, "AddtlNtryInf")
                    text_said = text.text if text is not None else ""
                own = _found(entry, ns, "AcctSvcrRef")  # (an Element without children is false)
                ref = own if own is not None else ref
                value_on = (
                    at.read("value date", _dated(val, ns), _camt_date, val, ns)
                    if val is not None
                    else None
                )
                out.lines.append(
                    ReadLine(
                        line,
                        booked,
                        amount,
                        value_on=value_on,
                        counterpart=at.read("name", name, _text_of, name, NAME_MAX),
                        counterpart_iban=at.read("iban", iban, _text_of, iban, 34)
                        .replace(" ", "")
                        .upper(),
                        text=at.read("text", text, clean_text, text_said, TEXT_MAX),
                        transaction_id=at.read("id", ref, _text_of, ref, 100) or None,
                    )
                )
            except BadField as exc:
                problem, column, at_line = exc.args
                problems.add(at_line, problem, column)
        amounts += [
            _CamtAmount(ccy, lines.get(id(amt), 1), column)
            for column, found in (("balance", balances), ("amount", entries))
            for ccy, amt in found
        ]
    out.currency = _camt_currency(amounts, kept_in, problems)
    return out


@dataclass(frozen=True)
class _CamtAmount:
    currency: str  # its Ccy
    line: int
    column: str  # "balance" or "amount" (an entry's)


def _camt_currency(amounts: list[_CamtAmount], kept_in: set[str], problems: Problems) -> str | None:
    """The currency of a camt.053 file: its account's (Acct/Ccy), every amount in it; when
    the file does not say the account's, its first amount's, every other amount in it. An
    amount in another currency is refused where it is: a statement of a dollar account whose
    entries say euro (or the other way round) is not the books' money, whichever is right."""
    if len(kept_in) > 1:
        problems.add(
            None,
            Message(
                "the file holds statements of accounts kept in several currencies ({codes}); "
                "export one currency at a time",
                codes=", ".join(sorted(kept_in)),
            ),
        )
        return None
    in_order = sorted(amounts, key=lambda a: a.line)
    if kept_in:
        expected = next(iter(kept_in))
        for a in in_order:
            if a.currency != expected:
                problems.add(
                    a.line,
                    Message(
                        "the amount is in {amount}, but the statement's account is kept in "
                        "{account} (<Acct><Ccy>): every amount of the statement must be in "
                        "{account}",
                        amount=currency_shown(a.currency),
                        account=currency_shown(expected),
                    ),
                    a.column,
                )
        return expected
    if not in_order:
        return None
    first = in_order[0]
    for a in in_order[1:]:
        if a.currency != first.currency:
            problems.add(
                a.line,
                Message(
                    "the amount is in {amount}, but the file's first amount (line {first}) is "
                    "in {currency}: every amount of a statement must be in one currency",
                    amount=currency_shown(a.currency),
                    first=first.line,
                    currency=currency_shown(first.currency),
                ),
                a.column,
            )
    return first.currency
