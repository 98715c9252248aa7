"""Payment terms: when an invoice or a bill falls due.

Two kinds, each with a number of days (0 to 365):

- "net 30 days": the document's date plus 30 days;
- "end of month + 10 days": the last day of the document's month plus 10 days.

A contact's terms are stored in English ("net 30 days"), shown in the reader's language
("neto 30 días"), and read back strictly from either form: anything else is refused with a
message saying what is expected. A contact without terms follows the shop's default for its
side (settings ``terms.customers``, ``terms.suppliers``), and without those the defaults
reproduce what bizdesk always did: customers net 14 days, suppliers net 30 days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bizdesk.i18n import Message, ngettext
from bizdesk.models.contacts import Contact
from bizdesk.services.base import validate as v
from bizdesk.services.base.validate import FieldError

NET, END_OF_MONTH = "net", "eom"
MAX_DAYS = 365

# the words of each kind (English in the store, the reader's language where shown)
_FORMS = {
    NET: ("net {n} day", "net {n} days"),
    END_OF_MONTH: ("end of month + {n} day", "end of month + {n} days"),
}
SETTING = {"customer": "terms.customers", "supplier": "terms.suppliers"}
DEFAULT = {"customer": "net 14 days", "supplier": "net 30 days"}


@dataclass(frozen=True)
class Terms:
    kind: str  # NET or END_OF_MONTH
    days: int

    @property
    def words(self) -> Message:
        """The terms in words, translated where shown (``str()``), English as a value."""
        if self.kind == NET:  # (the same words as _FORMS, written out for the catalogs)
            return Message.plural("net {n} day", "net {n} days", self.days)
        return Message.plural("end of month + {n} day", "end of month + {n} days", self.days)

    @property
    def stored(self) -> str:
        """The English form kept in the store."""
        return str.__str__(self.words)

    def due(self, issued: date) -> date:
        """The due date of a document dated ``issued``."""
        if self.kind == NET:
            return issued + timedelta(days=self.days)
        last = calendar.monthrange(issued.year, issued.month)[1]
        return issued.replace(day=last) + timedelta(days=self.days)


def _pattern(form: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in form.split()]
    body = r"\s+".join(w.replace(re.escape("{n}"), r"(\d{1,3})") for w in words)
    return re.compile(rf"^{body}$", re.IGNORECASE)


def _forms(kind: str) -> set[str]:
    """Every way the kind is written: English and the reader's language, each plural form
    (Romanian has three)."""
    one, many = _FORMS[kind]
    out = {one, many}
    for n in (1, 2, 5, 20, 21, 100, 101):
        out.add(ngettext(one, many, n))
    return {f for f in out if "{n}" in f}


def expected() -> Message:
    return Message(
        "write {net} or {eom}",
        net=Terms(NET, 30).words,
        eom=Terms(END_OF_MONTH, 10).words,
    )


def parse(value: object) -> Terms | None:
    """Terms from their words (English or the reader's language); None for an empty text
    (the shop's default); FieldError for anything else."""
    s = " ".join(v.text(value, max_len=60).split())  # control characters refused by name
    if not s:
        return None
    for kind in _FORMS:
        for form in _forms(kind):
            m = _pattern(form).match(s)
            if m is None:
                continue
            days = int(m.group(1))
            if days > MAX_DAYS:
                raise FieldError(
                    Message("at most {n} days; {expected}", n=MAX_DAYS, expected=expected())
                )
            return Terms(kind, days)
    raise FieldError(expected())


def stored(value: object) -> str:
    """What the store keeps for typed terms: their English words, '' for the default."""
    t = parse(value)
    return t.stored if t else ""


def shown(text: str) -> str:
    """Stored terms in the reader's language ('' stays '')."""
    t = parse(text)
    return str(t.words) if t else ""


def default_terms(uow, side: str) -> Terms:  # noqa: ANN001
    """The shop's default terms for customers or suppliers (``side``)."""
    text = uow.setting(SETTING[side]) or DEFAULT[side]
    try:
        return parse(text) or parse(DEFAULT[side])
    except FieldError:
        return parse(DEFAULT[side])  # a setting written by hand wrongly: the old behaviour


def terms_of(uow, contact_id: int | None, side: str) -> Terms:  # noqa: ANN001
    """The terms a contact's documents follow: its own, else the shop's default."""
    c = uow.session.get(Contact, contact_id) if contact_id else None
    if c is not None and c.payment_terms:
        try:
            return parse(c.payment_terms) or default_terms(uow, side)
        except FieldError:
            pass
    return default_terms(uow, side)


def due_date(uow, contact_id: int | None, side: str, issued: date) -> date:  # noqa: ANN001
    return terms_of(uow, contact_id, side).due(issued)
