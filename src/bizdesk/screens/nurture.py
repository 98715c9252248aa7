"""Lead nurturing: the follow-up activities (ctrl+t, or the palette) and the nurturing
sequences that make them (s there, or the palette)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from bizdesk.formatting import day, visible_text
from bizdesk.i18n import N_, _, ngettext
from bizdesk.reading import date_hint, date_text
from bizdesk.screens.common import ServiceRunner, ServiceScreen, WithTable
from bizdesk.services.crm import followups as F
from bizdesk.services.crm import nurture as N
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.lines_form import LineColumns, LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.words import CONTACT_STAGE_NAMES

STAGE_NAMES = CONTACT_STAGE_NAMES
# the lists of follow-ups, by key
VIEWS = {
    "1": ("due", N_("all open")),
    "2": ("today", N_("due today")),
    "3": ("overdue", N_("overdue")),
    "4": ("upcoming", N_("upcoming")),
    "5": ("done", N_("completed")),
    "6": ("skipped", N_("skipped ones")),
}


def kind_name(kind: str) -> str:
    return _(N.KIND_NAMES.get(kind, kind))


FOLLOW_UP_COLUMNS = [
    Col("due", N_("Due on"), 10, fmt=day),
    Col("kind", N_("Activity"), 9, fmt=kind_name),
    Col("contact", N_("Contact"), 18),
    Col("text", N_("What to do"), 24),
    Col("assignee", N_("Who"), 9),
]
SEQUENCE_COLUMNS = [
    Col("name", N_("Name"), 30),
    Col("stage", N_("Stage"), 12, fmt=lambda s: _(STAGE_NAMES.get(s, s))),
    Col("steps", N_("Steps"), 6, right=True),
    Col("active", N_("Active"), 8, fmt=lambda a: _("yes") if a else _("no")),
]


def _totals(uow: Any, lines: list[N.StepInput]) -> Text:  # noqa: ANN401
    typed = [s for s in lines if str(s.text).strip()]
    return Text(
        ngettext(
            "{n} step; the follow-ups fall on the shop's working days",
            "{n} steps; the follow-ups fall on the shop's working days",
            len(typed),
        ).format(n=len(typed))
    )


def _activities(_uow: Any, prefix: str) -> list[str]:  # noqa: ANN401
    """An activity's kind by its name in the reader's language, or its key."""
    return [
        w
        for k in N.ACTIVITY_KINDS
        for w in dict.fromkeys((_(N.KIND_NAMES[k]), k))
        if w.casefold().startswith(prefix.casefold())
    ]


def _step_lines() -> LineColumns:
    """A sequence's steps; a new step is a call, named in the reader's language."""
    return LineColumns(
        [
            Field("day", N_("Day"), value="0", width="8"),
            Field(
                "activity",
                N_("Activity"),
                value=_(N.KIND_NAMES["call"]),
                width="12",
                suggest=_activities,
            ),
            Field("text", N_("What to do"), width="3fr"),
        ],
        N.StepInput,
        _totals,
    )


def sequence_form(view: N.SequenceView | None = None) -> LinesFormScreen:
    """A new sequence, or ``view`` changed (its steps as the lines)."""
    d = view.as_input() if view else N.SequenceInput()
    fields = [
        Field("name", N_("Name"), value=d.name, required=True),
        Field(
            "stage",
            N_("When a contact becomes"),
            "select",
            d.stage,
            options=tuple(STAGE_NAMES),
            option_labels=STAGE_NAMES,
            required=True,
        ),
        Field("active", N_("Active"), "checkbox", d.active),
    ]
    lines = [
        N.StepInput(s.day, _(N.KIND_NAMES.get(s.activity, s.activity)), s.text) for s in d.steps
    ]

    def save(uow: Any, values: dict[str, Any], rows: list[N.StepInput]) -> Any:  # noqa: ANN401
        data = N.SequenceInput(
            values.get("name", ""), values.get("stage", ""), bool(values.get("active")), rows
        )
        if view is None:
            return N.create_sequence(uow, data)
        return N.update_sequence(uow, view.id, data, version=view.version)

    title = (
        _("New nurturing sequence")
        if view is None
        else _("Nurturing sequence #{id}").format(id=view.id)
    )
    return _step_lines().form(title, fields, lines, save)


def note_form(title: str, act: Any) -> FormScreen:  # noqa: ANN401
    """Skipped, with an optional note (``act(uow, note)``)."""
    return FormScreen(
        title,
        [Field("note", N_("Note (optional)"), "multiline")],
        lambda uow, values: act(uow, values.get("note", "")),
    )


def done_form(title: str, follow_up_id: int) -> FormScreen:
    """Done: when (as an interaction's moment is typed; empty: now), and an optional note."""
    return FormScreen(
        title,
        [
            Field("note", N_("Note (optional)"), "multiline"),
            Field("at", N_("When"), placeholder=N_("{form} HH:MM, empty: now")),
        ],
        lambda uow, values: F.complete(
            uow, follow_up_id, values.get("note", ""), at=values.get("at", "")
        ),
    )


def move_form(row: F.FollowUpRow) -> FormScreen:
    return FormScreen(
        _("Move the follow-up: {text}").format(text=row.text),
        [
            Field(
                "due",
                N_("New due date"),
                value=date_text(row.due),
                required=True,
                placeholder=date_hint(),
            )
        ],
        lambda uow, values: F.reschedule(uow, row.id, values.get("due", "")),
    )


class FollowUpsScreen(WithTable, ServiceRunner, Screen):
    """Follow-up activities by due date: mine or everyone's; open, today, overdue, done."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="followups.back"),
        Binding("d", "done", N_("Done"), id="followups.done"),
        Binding("k", "skip", N_("Skip"), id="followups.skip"),
        Binding("m", "move", N_("Move"), id="followups.move"),
        Binding("a", "who", N_("Mine/all"), id="followups.who"),
        Binding("g", "contact", N_("Contact"), id="followups.contact", show=False),
        Binding("v", "sequences", N_("Sequences"), id="followups.sequences", show=False),
        *(
            Binding(k, f"view('{v}')", label, id=f"followups.view.{v}", show=False)
            for k, (v, label) in VIEWS.items()
        ),
    ]
    HELP = N_(
        "Follow-up activities, soonest first: 1 open, 2 due today, 3 overdue, 4 upcoming, "
        "5 done, 6 skipped; a shows yours or everyone's. d marks the selected one done "
        "(logged on the contact as an interaction), k skips it, m moves it to another day, "
        "enter or g opens the contact, v the nurturing sequences that make them."
    )
    DEFAULT_CSS = """
    FollowUpsScreen #followups-title { height: 1; padding: 0 1; }
    FollowUpsScreen PagedTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.view_name, self.who = "due", "mine"

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static("", id="followups-title")
        yield PagedTable(
            F.list_page,
            FOLLOW_UP_COLUMNS,
            filters={"view": "due", "who": "mine"},
            id="followups-table",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Follow-ups")
        self._title()
        self.table.focus_grid()

    def _title(self) -> None:
        label = next(lbl for v, lbl in VIEWS.values() if v == self.view_name)
        whose = _("mine") if self.who == "mine" else _("everyone's")
        self.query_one("#followups-title", Static).update(
            Text(
                _("Follow-ups: {view}, {whose}   (1-6 · a mine/all · v sequences)").format(
                    view=_(label), whose=whose
                )
            )
        )

    def action_view(self, view: str) -> None:
        self.view_name = view
        self._title()
        self.table.set_filters(view=view, who=self.who)

    def action_who(self) -> None:
        self.who = "all" if self.who == "mine" else "mine"
        self._title()
        self.table.set_filters(view=self.view_name, who=self.who)

    def _row(self) -> F.FollowUpRow | None:
        row = self.table.selected
        return row if row is not None and row.state == "open" else None

    def _after(self, result: Any) -> None:  # noqa: ANN401
        if result is not None:
            self.notify(
                _("Follow-up #{id}: {state}").format(
                    id=result.id, state=_(F.STATE_NAMES.get(result.state, result.state))
                ),
                markup=False,
            )
            self.table.reload()

    def action_done(self) -> None:
        row = self._row()
        if row is not None:
            title = _("Done: {text} ({contact})").format(text=row.text, contact=row.contact)
            self.app.push_screen(done_form(title, row.id), self._after)

    def action_skip(self) -> None:
        row = self._row()
        if row is not None:
            title = _("Skip: {text} ({contact})").format(text=row.text, contact=row.contact)
            self.app.push_screen(
                note_form(title, lambda uow, note: F.skip(uow, row.id, note)), self._after
            )

    def action_move(self) -> None:
        row = self._row()
        if row is not None:
            self.app.push_screen(move_form(row), self._after)

    def action_contact(self) -> None:
        row = self.table.selected
        if row is not None:
            from bizdesk.screens.contacts import ContactScreen

            self.app.push_screen(ContactScreen(row.contact_id))

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.action_contact()

    def action_sequences(self) -> None:
        self.app.action_sequences()


class SequencesScreen(WithTable, ServiceScreen):
    """The nurturing sequences: n adds one, enter or e changes it, x switches it on or off."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="sequences.back"),
        Binding("n", "new", N_("New"), id="sequences.new"),
        Binding("e", "edit", N_("Edit"), id="sequences.edit"),
        Binding("x", "switch", N_("On/off"), id="sequences.switch"),
    ]
    HELP = N_(
        "Nurturing sequences: when a contact enters the stage a sequence names (created in "
        "it, or changed to it), its steps become follow-up activities for the contact's "
        "owner, due that many days later on the shop's working days. Leaving the stage "
        "cancels the open ones. n adds a sequence, enter or e changes the selected one (its "
        "steps in the lines editor: day, activity, what to do), x switches it on or off."
    )
    DEFAULT_CSS = """
    SequencesScreen #sequences-title { height: 1; padding: 0 1; }
    SequencesScreen PagedTable { height: 1fr; }
    SequencesScreen #sequence-details { height: auto; max-height: 9; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text(_("Nurturing sequences  (n new, e edit, x on/off)")), id="sequences-title"
        )
        yield PagedTable(N.sequences_page, SEQUENCE_COLUMNS, id="sequences-table")
        yield Static("", id="sequence-details")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Nurturing")
        self.table.focus_grid()

    def _saved(self, view: N.SequenceView | None) -> None:
        if view is not None:
            self.notify(_("Saved {name}").format(name=view.name), markup=False)
            self.table.reload()
            self._show(view)

    def action_new(self) -> None:
        self.app.push_screen(sequence_form(), self._saved)

    def action_edit(self) -> None:
        row = self.table.selected
        if row is not None:
            self.run_service(
                lambda uow: N.get_sequence(uow, row.id),
                write=False,
                done=lambda v: self.app.push_screen(sequence_form(v), self._saved),
            )

    def action_switch(self) -> None:
        row = self.table.selected
        if row is not None:
            self.run_service(
                lambda uow: N.set_active(uow, row.id, not row.active),
                done=lambda v: (self.table.reload(), self._show(v)),
            )

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.action_edit()

    def _show(self, v: N.SequenceView) -> None:
        t = Text()
        t.append(
            ngettext(
                "{name}: when a contact becomes {stage}; {n} open follow-up",
                "{name}: when a contact becomes {stage}; {n} open follow-ups",
                v.open_follow_ups,
            ).format(name=v.name, stage=_(STAGE_NAMES.get(v.stage, v.stage)), n=v.open_follow_ups)
            + "\n",
            style="bold",
        )
        for s in v.steps[:7]:
            t.append(
                _("day {day}: {activity}, {text}").format(
                    day=s.day, activity=kind_name(s.activity), text=s.text
                )
                + "\n"
            )
        self.query_one("#sequence-details", Static).update(visible_text(t))
