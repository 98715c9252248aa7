"""The one form pattern: a modal screen of declared fields, validated by a service.

The service is the only validator. The form sends what was typed to it in a thread worker;
a ValidationError comes back as messages under the fields, and nothing is saved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from bizdesk.errors import BizdeskError, Conflict, StoreError, ValidationError
from bizdesk.faults import describe
from bizdesk.fieldnames import title
from bizdesk.formatting import editable, visible
from bizdesk.i18n import N_, _, current_language, sentence, tr
from bizdesk.reading import date_text
from bizdesk.services.admin import drafts
from bizdesk.widgets.confirm import Answer, ConfirmScreen
from bizdesk.widgets.field import Field, placeholder_text
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.keys import TypeAheadInput
from bizdesk.widgets.suggest import ContactSuggester, LookupSuggester


def kept_when(saved_at: str) -> str:
    """When a draft was kept, as the reader writes dates ("31/12/2026 14:05 UTC")."""
    try:
        at = datetime.fromisoformat(saved_at).astimezone(UTC)
    except ValueError:
        return visible(saved_at)
    return f"{date_text(at.date())} {at:%H:%M} UTC"


# why the form was left unsaved (drafts.WHY) as its draft is offered back
DRAFT_QUESTIONS = {
    "hang-up": N_(
        "{form}: what you typed here on {when} was not saved (the connection dropped) "
        "and was kept as a draft. Restore it into the form?"
    ),
    "quit": N_(
        "{form}: what you typed here on {when} was not saved (bizdesk was quit with the "
        "form open) and was kept as a draft. Restore it into the form?"
    ),
    "disabled": N_(
        "{form}: what you typed here on {when} was not saved (your account was disabled "
        "with the form open) and was kept as a draft. Restore it into the form?"
    ),
}
DRAFT_ANSWERS = (
    Answer("r", N_("Restore (r)"), "restore", "primary", drops_typing=True),
    Answer("d", N_("Discard (d)"), "discard"),
    Answer("escape", N_("Later (esc)"), None),
)


SaveFn = Callable[[Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Refill:
    """Fields a form fills from what others hold: ``fill(uow, values)`` (a read) gives the
    saved values of ``into`` for the ``watch`` fields as typed (a budget's amount for the
    account and month). A field is refilled only while it shows what was filled, never
    what the person typed; a refusal (a month half typed) empties it, so a value shown always
    belongs to the fields beside it."""

    watch: tuple[str, ...]
    into: tuple[str, ...]
    fill: Callable[[Any, dict[str, Any]], dict[str, Any]]


class TickBox(Checkbox):
    """A checkbox whose state reads without colour: X when ticked, blank when not.
    Textual draws the X either way and tells the two apart by colour alone, which a
    monochrome terminal, a dim screen or a colour-blind eye does not see."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - read by ToggleButton as a class constant
        return "X" if self.value else " "


class FieldsBox(VerticalScroll, can_focus=False):
    """A form's fields, scrolled to whichever has the focus: never a Tab stop itself (when
    the form is taller than the screen it would be one, drawn as nothing, and what was typed
    there lost)."""


class FormScreen(ModalScreen[Any]):
    """A modal form. ``save(uow, values)`` runs in a write unit of work in a thread.

    What it shows is in the reader's language: the title (a translated text, or a Message),
    the fields' labels, placeholders and option labels (N_-marked, translated here), and
    what a service says (Messages, translated here)."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="form.save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
        Binding("ctrl+r", "reload", N_("Reload"), id="form.reload", show=False),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #dialog { width: 90%; max-width: 100; height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }
    FormScreen #title { text-style: bold; height: auto; }  /* a long title wraps, whole */
    FormScreen #form-error { color: $error; height: auto; }
    FormScreen .field { height: auto; }
    FormScreen .field-label { width: 24; height: auto; padding-right: 1; color: $text-muted; }
    FormScreen .field-error { color: $error; height: auto; padding-left: 24; display: none; }
    FormScreen .field-error.shown { display: block; }
    FormScreen .field-hint { color: $text-muted; height: auto; padding-left: 24; display: none; }
    FormScreen .field-hint.shown { display: block; }
    FormScreen TextArea { height: 5; width: 1fr; }
    FormScreen Input, FormScreen Select, FormScreen Checkbox { width: 1fr; }
    """

    class Done(Message):
        def __init__(self, result: Any = None, error: Exception | None = None) -> None:
            super().__init__()
            self.result, self.error = result, error

    def __init__(
        self,
        title: str,
        fields: list[Field],
        save: SaveFn,
        *,
        reload: Callable[[Any], list[Field]] | None = None,
        draft_key: str | None = None,
        refill: Refill | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self._codes_shown: list[str] = []
        self.save_fn = save
        self.reload_fn = reload
        self.initial: dict[str, Any] = {}
        self.busy = False
        # The form's identity for drafts ("New contact", "Edit contact #42"): the English
        # value of a Message title, so a draft is found again in any language.
        self.draft_key = draft_key or str.__str__(title)
        self.saved = False
        self._draft_lock = threading.Lock()  # a save finishing vs. a hang-up keeping a draft
        self._draft_id: str | None = None  # the kept draft restored into this form
        self.refill = refill
        # not ready for keys until mounted with its focus set: keys typed after the key that
        # opened it ("a 5 Tab broken", a read first) were let go before, into nothing
        self._ready = False
        self._filled: dict[str, str] = {}  # what Refill last put in a field

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(visible(self.shown_title)), id="title")
            yield Static("", id="form-error")
            with FieldsBox(id="fields"):
                for f in self.fields:
                    with Horizontal(classes="field"):
                        yield Label(Text(field_label(f)), classes="field-label")
                        yield self._widget(f)
                    yield from self._hint(f)
                    yield Static("", id=f"e-{f.name}", classes="field-error")
            yield KeysFooter()

    @property
    def shown_title(self) -> str:
        """The title in the reader's language."""
        return _(tr(self.title_text))

    def _widget(self, f: Field):  # noqa: ANN202
        wid = f"f-{f.name}"
        if f.kind == "multiline":
            return TextArea(self._shown(f), id=wid, soft_wrap=True, compact=True)
        if f.kind == "select":
            return Select(
                [(option_label(f, o), o) for o in f.options],
                value=f.value or f.options[0],
                id=wid,
                allow_blank=False,
                compact=True,
            )
        if f.kind == "checkbox":
            return TickBox("", bool(f.value), id=wid, compact=True)
        suggester = self._suggester(f)
        if suggester is not None:
            return TypeAheadInput(
                self._shown(f),
                id=wid,
                placeholder=placeholder_text(f.placeholder),
                suggester=suggester,
                compact=True,
            )
        return Input(
            self._shown(f),
            id=wid,
            placeholder=placeholder_text(f.placeholder),
            compact=True,
        )

    def _hint(self, f: Field) -> ComposeResult:
        """A typed box's hint, written whole under it when it is longer than the box (at 80
        columns "vacío: según las condiciones del" was all a Spanish reader saw of it):
        hidden until ``_fit_hints`` finds it does not fit."""
        if f.kind not in ("multiline", "select", "checkbox") and f.placeholder:
            yield Static(
                Text(placeholder_text(f.placeholder)), id=f"h-{f.name}", classes="field-hint"
            )

    def _fit_hints(self) -> None:
        """Each hint in its box when it fits there, else under it (and its box left empty,
        not showing it twice, once cut)."""
        for hint in self.query(".field-hint").results(Static):
            box = self.query(f"#f-{(hint.id or '')[2:]}").results(Input)
            box = next(iter(box), None)
            if box is None or box.size.width <= 0:
                continue
            whole = str(hint.render())
            fits = cell_len(whole) <= box.size.width
            box.placeholder = whole if fits else ""
            hint.set_class(not fits, "shown")

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_hints)

    def _suggester(self, f: Field) -> Suggester | None:
        """What completes a box as it is typed: a service's suggestions, or contacts'
        names for a contact box. The lines editor's boxes complete the same way."""
        if f.suggest is not None:
            return LookupSuggester(self.app.store, f.suggest)
        if f.kind in ("contact", "organization"):
            kind = "organization" if f.kind == "organization" else None
            return ContactSuggester(self.app.store, kind)
        return None

    def _shown(self, f: Field) -> str:
        """A stored value as the field shows it: a number as the form reads it back (in the
        app, the shop's locale); a character text may not hold (old data) appears as its
        code, <U+001B>, and is saved as shown unless removed (said below it)."""
        if f.kind == "number":
            return editable(f.value, self.app.store.input_locale)
        value = str(f.value or "")
        shown = visible(value)
        if shown != value and f.name not in self._codes_shown:
            self._codes_shown.append(f.name)
        return shown

    def on_mount(self) -> None:
        self._ready = True  # its focus is set below: keys held for it go on once drawn
        release = getattr(self.app, "release_keys", None)  # (an app without a line of keys)
        if release is not None:
            self.app.call_after_refresh(release)
        try:
            self.initial = self.values()
        except NoMatches:  # the app is closing while the form opens: its fields are gone
            return
        for name in self._codes_shown:
            box = self.query_one(f"#e-{name}", Static)
            box.update(
                Text(
                    _(
                        "held characters text may not hold, shown as <U+…> codes; "
                        "saving keeps what you see here"
                    )
                )
            )
            box.add_class("shown")
        self.call_after_refresh(self._fit_hints)
        first = self.query(".field > Input, .field > TextArea, .field > Select")
        if first:
            first.first().focus()
        if self.refill is not None:
            self._refill(self.values())
        self._offer_draft()

    def _to_field(self, name: str) -> None:
        """The focus on field ``name``, scrolled into view with the mark under it."""
        found = self.query(f"#f-{name}")
        if found:
            found.first().focus()
            self.query_one(f"#e-{name}").scroll_visible(animate=False)

    # --- refilling fields from others (Refill) ---------------------------------------------

    @on(Input.Changed)
    def _watched_changed(self, event: Input.Changed) -> None:
        if self.refill is None or event.input.id is None:
            return
        if event.input.id.removeprefix("f-") in self.refill.watch:
            self._refill(self.values())

    class Refilled(Message):
        def __init__(self, watched: dict[str, Any], values: dict[str, Any]) -> None:
            super().__init__()
            self.watched, self.values = watched, values

    @work(thread=True, exclusive=True, group="refill")
    def _refill(self, values: dict[str, Any]) -> None:
        refill = self.refill
        assert refill is not None
        try:
            with self.app.store.read() as uow:
                filled = refill.fill(uow, values)
        except BizdeskError:  # not a whole account or month yet: nothing belongs here
            filled = {}
        except Exception:  # noqa: BLE001 - the store's fault is said when saving, not here
            return
        watched = {name: values[name] for name in refill.watch}
        self.post_message(self.Refilled(watched, {k: filled.get(k) for k in refill.into}))

    @on(Refilled)
    def _refilled(self, msg: Refilled) -> None:
        now = self.values()
        if any(now[name] != typed for name, typed in msg.watched.items()):
            return  # typed on meanwhile: the refill of what is typed now follows
        for f in self.fields:
            if f.name not in msg.values:
                continue
            w = self.query_one(f"#f-{f.name}", Input)
            if w.value != self._filled.get(f.name, self.initial.get(f.name)):
                continue  # the person's own typing stays
            shown = self._shown(replace(f, value=msg.values[f.name]))
            if self.initial.get(f.name) == w.value:
                self.initial[f.name] = shown  # filled, not typed: leaving asks nothing
            self._filled[f.name] = w.value = shown

    # --- drafts: typing kept when the link drops (see services/admin/drafts.py) --------------

    def draft_state(self) -> dict[str, Any]:
        return {"values": self.values()}

    def apply_draft(self, state: dict[str, Any]) -> None:
        for name, value in (state.get("values") or {}).items():
            try:
                w = self.query_one(f"#f-{name}")
            except Exception:  # a field this form no longer has
                continue
            try:
                if isinstance(w, TextArea):
                    w.text = str(value)
                elif isinstance(w, Checkbox):
                    w.value = bool(value)
                elif isinstance(w, Select):
                    w.value = value
                else:
                    w.value = str(value)
            except Exception:  # e.g. a choice that is gone: keep what the form shows
                continue

    def keep_draft(self, why: str = "hang-up") -> bool:
        """Keep unsaved typing as a draft as the session ends with this form open (``why``:
        see ``drafts.WHY``); whether there was any to keep."""
        with self._draft_lock:
            if self.saved or not self.is_mounted or not self.dirty:
                return False
            self._draft_id = drafts.save_draft(
                self.app.store.url,
                self.draft_key,
                self.draft_state(),
                why,
                self.app.store_born,
                replaces=self._draft_id,  # its typing is in this one; one left for later stays
            )
            return True

    def _offer_draft(self) -> None:
        doc = drafts.load_draft(self.app.store.url, self.draft_key, self.app.store_born)
        if doc is None:
            return

        def answered(answer: str | None) -> None:
            if answer == "restore":
                self.apply_draft(doc.get("state") or {})
                self._draft_id = doc.get("id")
                said = _("Draft restored: ctrl+s saves it, escape discards it.")
                if question.typed_ahead:
                    said += " " + _("What you typed before the question appeared was not applied.")
                self.query_one("#form-error", Static).update(Text(said))
            elif answer == "discard":
                drafts.discard_draft(self.app.store.url, self.draft_key, doc.get("id"))
            # later: kept, whatever this form then saves or discards or leaves as a draft

        when = kept_when(doc.get("saved_at", ""))
        asked = _(DRAFT_QUESTIONS.get(doc.get("why"), DRAFT_QUESTIONS["hang-up"])).format(
            form=self.shown_title, when=when
        )
        question = ConfirmScreen(asked, DRAFT_ANSWERS, width=64, unasked=True)
        self.app.push_screen(question, answered)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.query_one(f"#f-{f.name}")
            if isinstance(w, TextArea):
                out[f.name] = w.text
            elif isinstance(w, Select):
                out[f.name] = "" if w.value is Select.BLANK else w.value
            else:
                out[f.name] = w.value
        return out

    @property
    def dirty(self) -> bool:
        return self.values() != self.initial

    def action_save(self) -> None:
        if self.busy:
            return  # one save at a time: a repeated key press never saves twice
        self.busy = True
        self._save(self.values())

    @property
    def holds_keys(self) -> bool:
        """Keys typed while the form saves wait in the app's line (widgets/keys.py): once
        saved they act on what is shown after the form ("Name ctrl+s n" opens the next new
        contact), once refused they are typed into the form."""
        return self.busy or not self._ready

    @work(thread=True, exclusive=True, group="form")
    def _save(self, values: dict[str, Any]) -> None:
        store = self.app.store  # (not from self.app later: the app may be ending by then)
        try:
            with store.write() as uow:
                result = self.save_fn(uow, values)
        except Exception as exc:
            self.post_message(self.Done(error=exc))
            return
        with self._draft_lock:  # saved: no draft of it may stay (nor be written after)
            self.saved = True
            if self._draft_id is not None:
                drafts.discard_draft(store.url, self.draft_key, self._draft_id)
        self.post_message(self.Done(result=result))

    @on(Done)
    def _done(self, msg: Done) -> None:
        self.busy = False
        # once what follows is drawn (the screen under the form, or the form's messages)
        release = getattr(self.app, "release_keys", None)  # (an app without a line of keys)
        if release is not None:
            self.app.call_after_refresh(release)
        if getattr(self.app, "hung_up", False):
            return  # the terminal is gone: nothing to show (a saved form left no draft)
        for f in self.fields:
            box = self.query_one(f"#e-{f.name}", Static)
            box.update("")
            box.remove_class("shown")
        general = self.query_one("#form-error", Static)
        general.update("")
        if msg.error is None:
            self.dismiss(msg.result)
            return
        err = msg.error
        if isinstance(err, ValidationError):
            names = {f.name for f in self.fields}
            other = []
            for field, text in err.fields.items():
                if field in names:
                    box = self.query_one(f"#e-{field}", Static)
                    box.update(Text(visible(tr(text))))
                    box.add_class("shown")
                else:
                    other.append(f"{self.field_title(field)}: {tr(text)}" if field else tr(text))
            marked = [f.name for f in self.fields if f.name in err.fields]
            if marked:  # the first field to mend, in view (the marks pushed fields below)
                self.call_after_refresh(self._to_field, marked[0])
            general.update(
                Text(
                    _("Not saved. {reasons}").format(reasons=visible(sentence("; ".join(other))))
                    if other
                    else _("Not saved: please correct the fields marked below.")
                )
            )
        elif isinstance(err, Conflict):
            if self.reload_fn:
                text = _("Not saved. {reason} Press ctrl+r to reload it (your typing is lost).")
            else:
                text = _("Not saved. {reason}")
            general.update(Text(visible(text.format(reason=tr(err)))))
        else:
            general.update(Text(visible(self._sentence(_("Not saved. {reason}"), err))))

    def field_title(self, key: str) -> str:
        """How a service's field key that this form has no field for is named in the form's
        message (a lines form names its lines: "line 2 debit"): in the reader's language, as
        the command line names it ("state" read "state" in Romanian too)."""
        return key if current_language() == "en" else title(key)

    def _sentence(self, outcome: str, err: Exception) -> str:
        """What the form says about a fault: a refusal after what did not happen (``outcome``
        holds it as {reason}); the disk, the store or a bug as one sentence (never SQL), the
        details logged."""
        if isinstance(err, BizdeskError) and not isinstance(err, StoreError):
            return outcome.format(reason=tr(err))
        return tr(describe(err, self.app.store.url))

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                if self._draft_id is not None:
                    drafts.discard_draft(self.app.store.url, self.draft_key, self._draft_id)
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Discard what you typed in this form?")), answered)

    def action_reload(self) -> None:
        if self.reload_fn is None:
            return
        self._reload()

    class Reloaded(Message):
        def __init__(self, fields: list[Field] | None, error: Exception | None = None) -> None:
            super().__init__()
            self.fields, self.error = fields, error

    @work(thread=True, exclusive=True, group="form")
    def _reload(self) -> None:
        store = self.app.store
        try:
            with store.read() as uow:
                fields = self.reload_fn(uow)
        except Exception as exc:  # said in the form (the record gone, the disk...), as saving
            self.post_message(self.Reloaded(None, exc))
            return
        self.post_message(self.Reloaded(fields))

    @on(Reloaded)
    def _reloaded(self, msg: Reloaded) -> None:
        if msg.error is not None:
            box = self.query_one("#form-error", Static)
            box.update(Text(visible(self._sentence(_("Not reloaded. {reason}"), msg.error))))
            return
        by_name = {f.name: f for f in msg.fields}
        for f in self.fields:
            new = by_name.get(f.name)
            if new is None:
                continue
            w = self.query_one(f"#f-{f.name}")
            if isinstance(w, TextArea):
                w.text = visible(new.value or "")
            elif isinstance(w, Select | Checkbox | Input):
                w.value = new.value if not isinstance(w, Input) else self._shown(new)
        self.initial = self.values()
        self.query_one("#form-error", Static).update(Text(_("Reloaded the saved version.")))


# The cells a label's text has on screen: .field-label's width (24) less its padding (1).
LABEL_CELLS = 24 - 1


def field_label(f: Field) -> str:
    """A field's label as its form shows it: translated, a required one marked with *.

    The mark stays on the line of the label's last word: a label as long as its column
    ("Salariu sau tarif orar") would leave it alone on the next line, where it reads as
    marking nothing. A no-break space does not hold it there (Textual breaks lines at any
    space), so the label breaks before its last word instead."""
    text = _(f.label)
    if not f.required:
        return text
    marked = f"{text} *"
    lines = Content(marked).wrap(LABEL_CELLS)
    head, _space, last = text.rstrip().rpartition(" ")
    if len(lines) < 2 or lines[-1].plain.strip() != "*" or not head.strip():
        return marked  # the mark is on a word's line, or the label is a single word
    return f"{head}\n{last} *"


def option_label(f: Field, option: str) -> str:
    """How a select shows one of its values: its label translated, else the value itself."""
    labels = f.option_labels or {}
    return _(labels[option]) if option in labels else visible(option)


# The titles of the new and edit forms of each kind of record (record_form's ``what``).
NEW_TITLES = {
    "contact": N_("New contact"),
    "deal": N_("New deal"),
    "ticket": N_("New ticket"),
    "product": N_("New product"),
}
EDIT_TITLES = {
    "contact": N_("Edit contact #{id}"),
    "deal": N_("Edit deal #{id}"),
    "ticket": N_("Edit ticket #{id}"),
    "product": N_("Edit product #{id}"),
}


def record_form(
    what: str,
    fields: Callable[[Any], list[Field]],
    *,
    create: Callable,
    update: Callable,
    get: Callable,
    view: Any = None,
) -> FormScreen:
    """The new/edit form of a record. Editing saves against the version that was shown;
    after a conflict, ctrl+r reloads the saved version (and its version number)."""
    state = {"version": getattr(view, "version", None)}

    def save(uow, values):  # noqa: ANN001, ANN202
        if view is None:
            return create(uow, values)
        return update(uow, view.id, values, state["version"])

    def reload(uow):  # noqa: ANN001, ANN202
        fresh = get(uow, view.id)
        state["version"] = fresh.version
        return fields(fresh)

    # the draft's key stays English, so a draft kept in one language is offered in another
    if view is None:
        key, title = f"New {what}", _(NEW_TITLES.get(what, f"New {what}"))
    else:
        key = f"Edit {what} #{view.id}"
        title = _(EDIT_TITLES.get(what, "Edit {what} #{id}")).format(what=what, id=view.id)
    return FormScreen(
        title, fields(view), save, reload=reload if view is not None else None, draft_key=key
    )
