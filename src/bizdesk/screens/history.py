"""A record's history: the audit trail's events of one record, newest first (h on its page),
and one event's details, before and after (enter)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from bizdesk.fieldnames import title
from bizdesk.formatting import money
from bizdesk.i18n import N_, _, ngettext
from bizdesk.money import percent_from_bp
from bizdesk.reading import date_text
from bizdesk.screens.common import ServiceScreen
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.header import Header
from bizdesk.words import (
    ACCOUNT_TYPE_NAMES,
    AUDIT_ACTION_NAMES,
    AUDIT_ENTITY_NAMES,
    BOM_KIND_NAMES,
    CONTACT_KIND_NAMES,
    CONTACT_STAGE_NAMES,
    ENTRY_STATE_NAMES,
    INTERACTION_NAMES,
    LEAVE_KIND_NAMES,
    PAY_BASIS_NAMES,
    PAY_LINE_KIND_NAMES,
    PAYMENT_KIND_NAMES,
    PRIORITY_NAMES,
    TICKET_STATUS_NAMES,
    USER_ROLE_NAMES,
    named,
)

NEWEST = 500  # events read for one record; more are said, never cut unsaid
_SUFFIXES = ("_minor", "_scaled")


@dataclass(frozen=True)
class Shown:
    """One event as the history shows it: its row, and its details as shown_details gives
    them (before, after), with the keys the page names."""

    row: Any
    before: Any
    after: Any
    keys: list[str]
    names: dict[str, str]  # what a detail naming a record by id shows: "Qualified (#2)"


@dataclass(frozen=True)
class History:
    events: list[Shown]  # newest first
    total: int


def when(row: Any) -> str:  # noqa: ANN401
    """The moment of an event as `bizdesk audit` prints it (UTC)."""
    return f"{date_text(row.at.date())} {row.at:%H:%M:%S}"


def shown_name(key: str, shown: Any) -> str:  # noqa: ANN401
    """A stored key under the name shown_details gives it ("sale_price_minor": "sale_price")."""
    for suffix in _SUFFIXES:
        name = key.removesuffix(suffix)
        if name != key and isinstance(shown, dict) and name in shown:
            return name
    return key


# The kinds of record the trail keeps under a record's own id, shown in its history: a
# contact's e-mail consent (who opted them in or out, when and how) is kept as its own kind.
KEPT_WITH = {"contact": ("contact", "email_consent")}


def read_history(uow: Any, entity: str, entity_id: int) -> History:  # noqa: ANN401
    from bizdesk.services.admin.audit import (
        JOURNAL_NUMBER,
        LINE_KEYED,
        count_events,
        list_events,
        named_ids,
        names_of,
        shown_details,
        shown_keys,
    )

    kinds = KEPT_WITH.get(entity, (entity,))
    found = [
        r for k in kinds for r in list_events(uow, entity=k, entity_id=entity_id, limit=NEWEST)
    ]
    rows = sorted(found, key=lambda r: r.id)[-NEWEST:]  # (oldest first, as list_events)
    total = (
        sum(count_events(uow, entity=k, entity_id=entity_id) for k in kinds)
        if len(found) >= NEWEST
        else 0
    )
    exponent = uow.exponent
    names = names_of(uow, rows)

    def named(r: Any, details: Any) -> dict[str, str]:  # noqa: ANN401
        """Each of these details that names a record by its id, as shown: its name and id,
        or the id alone (a record since deleted); each order line a detail is keyed by, by
        its SKU ("lines.12": "BOLT")."""
        out = {}
        for key, value in details.items() if isinstance(details, dict) else ():
            kind, ids = named_ids(r.entity, key, value) or ("", [])
            for one in ids:
                name = names.get((kind, one))
                if kind == JOURNAL_NUMBER:  # (its label says the number: "JE-12")
                    out[f"{key}={one}"] = name or f"#{one}"
                else:
                    out[f"{key}={one}"] = f"{name} (#{one})" if name else f"#{one}"
            line = LINE_KEYED.get((r.entity, key))
            if line is not None and isinstance(value, dict):
                for k in value:
                    if k.isdigit() and (line, int(k)) in names:
                        out[f"{key}.{k}"] = names[(line, int(k))]
        return out

    events = []
    for r in reversed(rows):
        before = shown_details(r.before, r.entity, r.action, exponent)
        after = shown_details(r.after, r.entity, r.action, exponent)
        events.append(Shown(r, before, after, shown_keys(r), named(r, before) | named(r, after)))
    return History(events, max(total, len(rows)))


def stored_words(entity: str, key: str) -> dict[str, str]:
    """The words a detail stored as an English word is said in (a state, a ticket's status
    or priority, a contact's stage and kind, an employee's pay basis): the history says
    "received" as every list of orders says it. Empty for a detail that is not such a
    word."""
    from bizdesk.services.base.states import STATE_WORDS
    from bizdesk.services.crm.followups import STATE_NAMES as FOLLOW_UP_STATES
    from bizdesk.services.making.assembly import STATE_WORDS as ASSEMBLY_STATES
    from bizdesk.services.marketing.campaigns import STATE_WORDS as CAMPAIGN_STATES
    from bizdesk.services.marketing.consent import HOW_WORDS as CONSENT_HOW
    from bizdesk.services.marketing.consent import STATE_WORDS as CONSENT_STATES
    from bizdesk.services.people.leave import STATE_WORDS as LEAVE_STATES
    from bizdesk.services.people.payroll import STATE_WORDS as PAYROLL_STATES
    from bizdesk.services.recurring.templates import STATE_NAMES as TEMPLATE_STATES

    if key == "state":
        return {
            "assembly_order": ASSEMBLY_STATES,
            "campaign": CAMPAIGN_STATES,
            "email_consent": CONSENT_STATES,
            "follow_up": FOLLOW_UP_STATES,
            "journal_entry": ENTRY_STATE_NAMES,
            "leave_request": LEAVE_STATES,
            "payroll_run": PAYROLL_STATES,
            "purchase_order": STATE_WORDS,
            "recurring_template": TEMPLATE_STATES,
            "sales_order": STATE_WORDS,
        }.get(entity, {})
    return {
        ("ticket", "status"): TICKET_STATUS_NAMES,
        ("ticket", "priority"): PRIORITY_NAMES,
        ("contact", "stage"): CONTACT_STAGE_NAMES,
        ("contact", "kind"): CONTACT_KIND_NAMES,
        ("follow_up", "stage"): CONTACT_STAGE_NAMES,
        ("nurture_sequence", "stage"): CONTACT_STAGE_NAMES,
        ("interaction", "kind"): INTERACTION_NAMES,
        ("employee", "basis"): PAY_BASIS_NAMES,
        ("leave_request", "kind"): LEAVE_KIND_NAMES,
        ("pay_line", "kind"): PAY_LINE_KIND_NAMES,
        ("product", "kind"): BOM_KIND_NAMES,  # (its bill of materials')
        ("email_consent", "how"): CONSENT_HOW,
        ("account", "type"): ACCOUNT_TYPE_NAMES,
        ("account", "kind"): PAYMENT_KIND_NAMES,
        ("user", "role"): USER_ROLE_NAMES,
    }.get((entity, key), {})


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def value_text(
    key: str,
    shown: Any,  # noqa: ANN401
    locale: str,
    shape: Any = None,  # noqa: ANN401
    names: dict[str, str] | None = None,
    words: dict[str, str] | None = None,
) -> str:
    """One detail's value as the page shows it: money and quantities in the shop's locale
    where what it holds is known (``shape``: audit.detail_shape), a rate in hundredths of a
    percent as the percentage, a record named by its id as ``names`` shows it (Shown.names),
    a stored word in ``words`` as the reader says it (stored_words), a day and a moment as
    the page's other dates (in UTC), lines one after another, each line's places with " · "
    between them; anything else as shown_details gives it."""
    if not isinstance(shown, dict):
        return "—"
    name = shown_name(key, shown)
    if name not in shown:
        return "—"
    value = shown[name]
    if names and type(value) is int and f"{name}={value}" in names:
        return names[f"{name}={value}"]
    if names and isinstance(value, list) and value and all(f"{name}={v}" in names for v in value):
        return "; ".join(names[f"{name}={v}"] for v in value)  # (a list of ids: each named)
    if names and isinstance(value, dict):  # keyed by order lines: each by its SKU (and
        labels = [names.get(f"{name}.{k}", k) for k in value]  # the line, for two alike)
        value = {
            label if labels.count(label) == 1 else f"{label} #{k}": v
            for label, (k, v) in zip(labels, value.items(), strict=True)
        }
    if words and isinstance(value, str) and value in words:
        return named(words, value)
    return _value(value, shape, locale)


def _value(value: Any, shape: Any, locale: str) -> str:  # noqa: ANN401
    """value_text of one value, or of one place of a line, by what it holds (``shape``)."""
    from bizdesk.services.admin.audit import MONEY, PERCENT, QTY, Each, Row

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if shape in (MONEY, QTY) and isinstance(value, str):
        try:
            return money(Decimal(value), locale)  # (every digit it has, as a form writes it)
        except InvalidOperation:
            return value
    if shape == PERCENT and type(value) is int:
        return money(percent_from_bp(value), locale)  # (its title says "%": "VAT %")
    inner = shape.shape if isinstance(shape, Each) else None
    if isinstance(value, list) and isinstance(shape, Row) and len(value) == len(shape.places):
        return " · ".join(_value(v, s, locale) for v, s in zip(value, shape.places, strict=True))
    if isinstance(value, list) and value:
        return "; ".join(_value(v, inner, locale) for v in value)
    if isinstance(value, dict) and value:
        return "; ".join(f"{k}: {_value(v, inner, locale)}" for k, v in value.items())
    if isinstance(value, str):
        return _written(value)
    return json.dumps(value, ensure_ascii=False)


def _written(value: str) -> str:
    """A text detail; a day or a moment stored in ISO form as the page writes dates."""
    try:
        if _DAY.fullmatch(value):
            return date_text(date.fromisoformat(value))
        if _MOMENT.fullmatch(value):
            at = datetime.fromisoformat(value)
            at = at.astimezone(UTC) if at.tzinfo else at  # (kept in UTC: the page's zone)
            return f"{date_text(at.date())} {at:%H:%M:%S}"
    except ValueError:  # (digits in that shape that are no day: said as stored)
        pass
    return value


def changed_titles(event: Shown) -> str:
    """What an event changed, named as the forms name it (empty for none: a creation)."""
    from bizdesk.services.admin.audit import changed

    return ", ".join(title(shown_name(k, event.after)) for k in changed(event.row))


class HistoryScreen(ServiceScreen):
    """The events of one record, newest first: when, who, what was done, what changed."""

    HELP = N_(
        "The history of a record, from the audit trail, newest first: when (UTC, as bizdesk "
        "audit prints it), who, what was done and what changed. enter shows an event's "
        "details, before and after; escape goes back."
    )
    BINDINGS: ClassVar = [Binding("escape", "app.pop_screen", N_("Back"), id="history.back")]
    DEFAULT_CSS = """
    HistoryScreen #history-title { padding: 0 1; text-style: bold; }
    HistoryScreen #history-note { padding: 0 1; }
    HistoryScreen DataTable { height: 1fr; }
    """

    def __init__(self, entity: str, entity_id: int) -> None:
        super().__init__()
        self.entity, self.entity_id = entity, entity_id
        self.events: list[Shown] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        kind = named(AUDIT_ENTITY_NAMES, self.entity)
        heading = _("History of {kind} #{id}").format(kind=kind, id=self.entity_id)
        yield Static(Text(heading), id="history-title")
        yield Static(Text(_("Loading…")), id="history-note")
        table = DataTable(cursor_type="row", zebra_stripes=False)
        table.add_column(_("When (UTC)"), key="when")
        table.add_column(_("Who"), key="who")
        table.add_column(_("Action"), key="action")
        table.add_column(_("Changed"), key="changed")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        entity, entity_id = self.entity, self.entity_id
        self.run_service(
            lambda uow: read_history(uow, entity, entity_id), write=False, done=self.show
        )

    def show(self, history: History) -> None:
        self.events = history.events
        table = self.query_one(DataTable)
        table.clear()
        rows = [
            (when(e.row), e.row.username, named(AUDIT_ACTION_NAMES, e.row.action))
            for e in history.events
        ]
        # what changed fills the rest of the line (cut with …; enter shows it all): at 80
        # columns the list never scrolls sideways
        used = sum(max((cell_len(r[i]) for r in rows), default=0) + 2 for i in range(3))
        room = max(12, self.size.width - used - 8)
        for i, (e, (at, who, action)) in enumerate(zip(history.events, rows, strict=True)):
            changed = Text(changed_titles(e), no_wrap=True)
            changed.truncate(room, overflow="ellipsis")
            table.add_row(Text(at), Text(who), Text(action), changed, key=str(i))
        note = self.query_one("#history-note", Static)
        if not history.events:
            note.update(Text(_("No events are recorded for this record.")))
        elif history.total > len(history.events):
            shown, total = len(history.events), history.total
            note.update(
                Text(
                    ngettext(
                        "The newest {shown} of {total} event are shown; bizdesk audit "
                        "shows them all.",
                        "The newest {shown} of {total} events are shown; bizdesk audit "
                        "shows them all.",
                        total,
                    ).format(shown=shown, total=total)
                )
            )
        else:
            note.update(Text(_("Newest first; enter shows what an event changed.")))
        table.focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = int(event.row_key.value or 0)
        if 0 <= index < len(self.events):
            self.app.push_screen(EventScreen(self.events[index], self.app.locale))


class EventScreen(ModalScreen):
    """One event's details: for each detail, before → after (read only)."""

    BINDINGS: ClassVar = [Binding("escape", "app.pop_screen", N_("Back"), id="event.back")]
    DEFAULT_CSS = """
    EventScreen { align: center middle; }
    EventScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    EventScreen VerticalScroll { height: auto; max-height: 18; }
    EventScreen #event-title { text-style: bold; }
    """

    def __init__(self, event: Shown, locale: str) -> None:
        super().__init__()
        self.event, self.locale = event, locale

    def details(self) -> Text:
        from bizdesk.services.admin.audit import changed_nothing, detail_shape

        e, out = self.event, Text()
        for key in e.keys:
            shape = detail_shape(e.row.entity, e.row.action, key)
            words = stored_words(e.row.entity, key)
            before = value_text(key, e.before, self.locale, shape, e.names, words)
            after = value_text(key, e.after, self.locale, shape, e.names, words)
            name = title(shown_name(key, e.after if isinstance(e.after, dict) else e.before))
            if e.before is None:
                line = _("{field}: {value}").format(field=name, value=after)
            elif e.after is None:
                line = _("{field}: {value}").format(field=name, value=before)
            else:
                line = _("{field}: {before} → {after}").format(
                    field=name, before=before, after=after
                )
            out.append(line + "\n")
        if changed_nothing(e.row):
            out.append(_("This save changed nothing: every detail was kept as it was.") + "\n")
        elif not e.keys:
            out.append(_("Nothing else was recorded with this event.") + "\n")
        return out

    def compose(self) -> ComposeResult:
        r = self.event.row
        heading = f"{when(r)} · {r.username} · {named(AUDIT_ACTION_NAMES, r.action)}"
        with Vertical():
            yield Static(Text(heading), id="event-title")
            with VerticalScroll():
                yield Static(self.details(), id="event-details")
            yield Static(Text(_("escape goes back"), style="dim"))
