"""Payment terms and reminders in the interface: the owner's form for the shop's default
terms and the reminder levels, the list of reminders made (from the palette; its print
key writes one as PDF), and the palette's "make the reminders due today"."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList

from bizdesk.errors import ValidationError
from bizdesk.formatting import day, money
from bizdesk.i18n import N_, _, ngettext
from bizdesk.screens.common import ServiceRunner
from bizdesk.screens.records import SendsPapers, print_paper
from bizdesk.services.crm import terms
from bizdesk.services.dunning import reminders as R
from bizdesk.widgets.field import Field
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.pick import PickScreen

TERMS_HINT = N_("net 30 days, or end of month + 10 days")
SIDES = {"customer": "customer_terms", "supplier": "supplier_terms"}


def _key(level: int, part: str) -> str:
    return f"l{level}_{part}"  # a widget id: no dots


def levels_fields(levels: list[R.LevelView], defaults: dict[str, str], locale: str) -> list[Field]:
    """The form's fields: the shop's default terms, then each level and one empty level to
    add (labels given translated: they carry the level's number)."""
    fields = [
        Field(
            "customer_terms",
            N_("Customers' terms"),
            value=terms.shown(defaults["customer"]),
            required=True,
            placeholder=TERMS_HINT,
        ),
        Field(
            "supplier_terms",
            N_("Suppliers' terms"),
            value=terms.shown(defaults["supplier"]),
            required=True,
            placeholder=TERMS_HINT,
        ),
    ]
    rows = [(str(lv.days), lv.name, lv.wording, lv.fee) for lv in levels] + [("", "", "", None)]
    for i, (days, name, wording, fee) in enumerate(rows, start=1):
        fee_text = money(fee, locale) if fee else ""
        fields += [
            Field(_key(i, "days"), _("Level {level}: days overdue").format(level=i), value=days),
            Field(_key(i, "name"), _("Level {level}: name").format(level=i), value=name),
            Field(_key(i, "fee"), _("Level {level}: fee").format(level=i), value=fee_text),
            Field(_key(i, "wording"), _("Level {level}: wording").format(level=i), value=wording),
        ]
    return fields


def save_levels(uow, values: dict[str, Any]) -> list[R.LevelView]:  # noqa: ANN001
    """Save the default terms and the levels in one go; problems come back under the
    form's fields."""
    items: list[R.LevelInput] = []
    i = 1
    while _key(i, "days") in values:
        items.append(
            R.LevelInput(
                str(values[_key(i, "days")]),
                values[_key(i, "name")],
                values[_key(i, "wording")],
                values[_key(i, "fee")],
            )
        )
        i += 1
    while items and not any(str(x).strip() for x in vars(items[-1]).values()):
        items.pop()  # empty levels at the end: not kept
    errors: dict[str, str] = {}
    for side, name in SIDES.items():
        try:
            R.set_default_terms(uow, side, values[name])
        except ValidationError as exc:
            errors[name] = next(iter(exc.fields.values()))
    try:
        saved = R.set_levels(uow, items)
    except ValidationError as exc:
        for key, text in exc.fields.items():
            level, _dot, part = key.partition(".")
            errors[_key(int(level), part) if part else key] = text
    if errors:
        raise ValidationError(errors)
    return saved


def levels_form(app) -> FormScreen:  # noqa: ANN001
    with app.store.read() as uow:
        now, defaults = R.levels(uow), R.default_terms(uow)
    return FormScreen(
        _("Payment terms and reminder levels"),
        levels_fields(now, defaults, app.locale),
        save_levels,
    )


def reminder_choices(rows: list[R.ReminderRow], locale: str) -> list[tuple[str, Any]]:
    """A line per reminder, opening its customer: number, date, customer, level, amount."""
    return [
        (
            _("{number} {date} {customer} · {name} · {amount}").format(
                number=r.label,
                date=day(r.issued_on),
                customer=r.customer,
                name=r.level_name,
                amount=money(r.overdue + r.fee, locale),
            ),
            ("contact", r.customer_id),
        )
        for r in rows
    ]


class RemindersScreen(SendsPapers, ServiceRunner, PickScreen):
    """The reminders made, newest first: enter opens the customer; the print key writes
    the highlighted reminder's PDF and m e-mails it (as a document's page does)."""

    BINDINGS = [
        Binding("w", "write", N_("Print"), id="reminders.write"),
        Binding("m", "mail", N_("E-mail"), id="reminders.mail"),
    ]

    def __init__(self, question: str, rows: list[R.ReminderRow], locale: str) -> None:
        super().__init__(question, reminder_choices(rows, locale))
        self.labels = [r.label for r in rows]

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield KeysFooter()

    def _highlighted(self) -> str | None:
        at = self.query_one(OptionList).highlighted
        return None if at is None else self.labels[at]

    def action_write(self) -> None:
        if label := self._highlighted():
            print_paper(self, "reminder", label, label)

    def action_mail(self) -> None:
        if label := self._highlighted():
            self.mail([(label, ("reminder", label))])


def show_reminders(app, made: int | None = None) -> None:  # noqa: ANN001
    with app.store.read() as uow:
        rows = R.reminders_of(uow)
    if not rows:
        app.notify(_("No reminders have been made yet."), markup=False)
        return
    title = _("Reminders, newest first (enter opens the customer)")
    if made is not None:
        title = ngettext("{n} reminder was made.", "{n} reminders were made.", made).format(n=made)
    app.push_screen(
        RemindersScreen(title, rows, app.locale),
        lambda target: target and app.action_open_record(*target),
    )


def make_due(app) -> None:  # noqa: ANN001
    """Make the reminders due today, then show the list."""
    with app.store.write() as uow:
        made = R.make_reminders(uow)
    if not made:
        app.notify(_("No reminders are due."), markup=False)
        return
    show_reminders(app, len(made))
