"""The one pattern for acting on a record: new, open, edit and archive, the same keys and the
same steps from a list, a board or the record's own page.

A screen says which kind of record it shows (``RECORD``: how to read one, name it, open its
page, its form, how to archive it) and, where it is not a plain list or page, which record
the keys act on (``current_id``) and what to redraw after a change (``after_change``).
Edits and archiving are made against the version the person saw: on a page, the one it
shows; from a list, the one read when the key was pressed and named in the question. The
service refuses a stale version with a Conflict that says who changed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from bizdesk.characters import shown_name
from bizdesk.i18n import N_, Message, _
from bizdesk.screens.common import (
    KeysWaitForServices,
    ListPane,
    RecordScreen,
    ServiceResult,
    ServiceRunner,
    no_files_here,
)
from bizdesk.services.base.permissions import allowed
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.field import Field
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from bizdesk.widgets.pick import PickScreen


@dataclass(frozen=True)
class RecordKind:
    noun: str  # "contact": in "Select a contact first"
    get: Callable[[Any, int], Any]  # the service's read of one record, as a view
    label: Callable[[Any], str]  # how a message names a view: "Ann Buyer", "#12 Printer"
    page: Callable[[int], Screen]  # the record's page
    # the new (view None) or edit form, given what ``prepare`` read (None without it)
    form: Callable[[Any, Any], Screen] | None = None
    prepare: Callable[[Any], Any] | None = None  # read before the form opens (e.g. choices)
    # or, instead, made at once from the store's kept settings (no query: the form opens on
    # the key that asks for it, so keys typed after that key land in the form)
    prepare_now: Callable[[Any], Any] | None = None
    archive: Callable[..., Any] | None = None  # archive(uow, id, *, version)
    # restore(uow, id, *, version): the same key on an archived record takes it back
    restore: Callable[..., Any] | None = None
    # what is still open with the record (a Listing, empty: nothing), said before archiving
    still_open: Callable[[Any, int], Any] | None = None
    saved_view: Callable[[Any], Any] = lambda result: result  # a save's result -> its view


# "Select a contact first": one whole sentence for each kind of record (RecordKind.noun).
SELECT_FIRST = {
    "contact": N_("Select a contact first"),
    "deal": N_("Select a deal first"),
    "ticket": N_("Select a ticket first"),
    "product": N_("Select a product first"),
}


class RecordActions(ServiceRunner):
    """Mixin: the record keys (n, enter, e, d) for a screen that shows records of one kind."""

    RECORD: ClassVar[RecordKind]

    def current_id(self) -> int | None:
        """The record the keys act on (the selected row, the focused card, the page's own)."""
        raise NotImplementedError

    def current_view(self) -> Any:
        """The record as this screen shows it whole (a page), else None: then it is read."""
        return None

    def after_change(self, view: Any = None) -> None:
        """Redraw after a change (``view``: the record as saved, when there is one)."""
        raise NotImplementedError

    def after_archive(self) -> None:
        self.after_change()

    def archive_question(self, view: Any) -> str:
        return _("Archive {name}?").format(name=self.RECORD.label(view))

    def with_record(self, then: Callable[[Any], None]) -> None:
        """Call ``then`` with the view of the record the keys act on."""
        shown = self.current_view()
        if shown is not None:
            then(shown)
            return
        record_id = self.current_id()
        if record_id is None:
            noun = self.RECORD.noun
            self.notify(_(SELECT_FIRST.get(noun, f"Select a {noun} first")), severity="warning")
            return
        self.run_service(lambda uow: self.RECORD.get(uow, record_id), write=False, done=then)

    def open_record(self, record_id: int) -> None:
        self.app.push_screen(self.RECORD.page(record_id), lambda _: self.after_change())

    def open_form(self, view: Any = None) -> None:
        kind = self.RECORD

        def show(prepared: Any) -> None:
            self.app.push_screen(kind.form(view, prepared), self.record_saved)

        if kind.prepare_now is not None:
            show(kind.prepare_now(self.app.store.settings()))
        elif kind.prepare is None:
            show(None)
        else:
            self.run_service(kind.prepare, write=False, done=show)

    def record_saved(self, result: Any) -> None:
        """A form's result (None: cancelled): said, with the warnings a save may return
        (possible duplicates of a contact), then shown."""
        if result is None:
            return
        view = self.RECORD.saved_view(result)
        self.notify(_("Saved {name}").format(name=self.RECORD.label(view)), markup=False)
        for warning in getattr(result, "warnings", ()):
            self.notify(warning, title=_("Possible duplicate"), severity="warning", markup=False)
        self.after_change(view)

    def action_new(self) -> None:
        self.open_form()

    def action_open(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            self.open_record(record_id)

    def action_edit(self) -> None:
        self.with_record(self.open_form)

    def action_archive(self) -> None:
        kind = self.RECORD

        def ask(view: Any, open_now: Any = None) -> None:
            restoring = kind.restore is not None and getattr(view, "archived", False)

            def answered(yes: bool | None) -> None:
                if not yes:
                    return
                name = kind.label(view)
                if restoring:
                    self.run_service(
                        lambda uow: kind.restore(uow, view.id, version=view.version),
                        done=lambda restored: self.after_change(restored),
                        success=_("Restored {name}").format(name=name),
                    )
                    return
                self.run_service(
                    lambda uow: kind.archive(uow, view.id, version=view.version),
                    done=lambda _: self.after_archive(),
                    success=_("Archived {name}").format(name=name),
                )

            if restoring:
                question = _("Restore {name}? It is listed and used again.").format(
                    name=kind.label(view)
                )
            elif open_now:
                question = self.archive_open_question(view, open_now)
            else:
                question = self.archive_question(view)
            self.app.push_screen(ConfirmScreen(question), answered)

        def read_open(view: Any) -> None:
            if kind.still_open is None or getattr(view, "archived", False):
                ask(view)
                return
            self.run_service(
                lambda uow: kind.still_open(uow, view.id),
                write=False,
                done=lambda open_now: ask(view, open_now),
            )

        self.with_record(read_open)

    def action_restore(self) -> None:
        """An archived record's d (its own binding, so the footer says Restore)."""
        self.action_archive()

    def archive_open_question(self, view: Any, open_now: Any) -> str:  # noqa: ANN401
        """Archiving a record with something still open (``open_now``: a Listing of it)."""
        return _("{name} still has {open}. Archive it all the same?").format(
            name=self.RECORD.label(view), open=open_now
        )


class RecordListPane(RecordActions, KeysWaitForServices, ListPane):
    """A tab listing records of one kind: the keys act on the selected row. Keys typed
    while it reads the row's record (a then its form) wait for what the read opens."""

    def current_id(self) -> int | None:
        row = self.table.selected
        return None if row is None else row.id

    def after_change(self, view: Any = None) -> None:
        self.table.reload()

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.open_record(event.row.id)


class AuditedScreen(RecordScreen):
    """A record's page with its history: h lists the audit trail's events of the record
    (``AUDIT_ENTITY``: its kind there, the page's record id its id), for the roles that
    read the trail. For the others the key is not offered; pressed all the same (or asked
    for from the palette), it says why not."""

    AUDIT_ENTITY: ClassVar[str | None] = None
    BINDINGS: ClassVar = [Binding("h", "history", N_("History"), id="record.history")]

    @property
    def audit_entity(self) -> str | None:
        return self.AUDIT_ENTITY

    def may_see_history(self) -> bool:
        return self.audit_entity is not None and allowed(self.app.role, "audit.view")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            return self.may_see_history()
        return True

    def on_key(self, event: events.Key) -> None:
        """h (as the keymap binds it) for a role that may not read the trail: told so,
        never nothing."""
        bound = self._bindings.key_to_bindings.get(event.key, ())
        if any(b.action == "history" for b in bound) and not self.may_see_history():
            event.stop()
            self.action_history()

    def action_history(self) -> None:
        if self.audit_entity is None or not self.app.allowed_or_told("audit.view"):
            return
        from bizdesk.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.audit_entity, self.record_id))


class RecordPage(RecordActions, AuditedScreen):
    """A record's page: the keys act on the record it shows, as it shows it."""

    def current_id(self) -> int | None:
        return self.record_id

    def current_view(self) -> Any:
        return self.view

    def after_change(self, view: Any = None) -> None:
        if view is not None:  # the next key acts on the version just saved, not the one before
            self.view = view
        self.load()


def period_fields(since: str = "from", until: str = "to") -> list[Field]:
    """A statement's period, asked where it is printed or e-mailed (named apart there)."""
    return [
        Field(since, N_("From"), placeholder=N_("{form}, empty: 1 January")),
        Field(until, N_("To"), placeholder=N_("{form}, empty: today")),
    ]


def free_path(folder: Path, stem: str, suffix: str = ".pdf") -> Path:
    """Where to offer to write a file: ``stem.pdf`` in ``folder``, else the first of
    ``stem (2).pdf``, ``stem (3).pdf``... that is not there (the form never writes over a
    file: offering one that is there was refused on save)."""
    path, n = folder / f"{stem}{suffix}", 1
    while path.exists() and n < 1000:
        n += 1
        path = folder / f"{stem} ({n}){suffix}"
    return path


def say_no_shop_address(widget: Widget, label: str) -> None:
    """Warn that document ``label`` carries no address of the shop (none was set)."""
    from bizdesk.services.papers import no_shop_address

    widget.notify(str(no_shop_address(label)), severity="warning", markup=False)


def print_paper(
    screen: Screen, kind: str, number: str, label: str, *, period: bool = False
) -> None:
    """Ask where to write the PDF of a document (its label in the current folder, at first;
    a statement also asks for its period), write it there, never over a file, and say where."""
    if no_files_here(screen):
        return
    fields = [Field("path", N_("File"), value=str(free_path(Path.cwd(), label)), required=True)]
    if period:
        fields += period_fields()

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        from bizdesk.services import papers

        dates = {"date_from": values["from"], "date_to": values["to"]} if period else {}
        paper = papers.render(uow, kind, number, **dates)
        return papers.save(paper, values["path"]), paper

    def written(result: Any) -> None:  # noqa: ANN401
        if result is None:
            return
        path, paper = result
        screen.notify(_("Written to {path}").format(path=shown_name(path)), markup=False)
        if paper.without_shop_address:
            say_no_shop_address(screen, paper.label)

    screen.app.push_screen(
        FormScreen(_("Print {label} as PDF").format(label=label), fields, save), written
    )


class SendsPapers:
    """Mixin for a document's page (an order, a deal's quote, a contact's statement): its
    e-mail key. ``mail`` queues the document with the form's save (services/mail, the
    same roles as `bizdesk send`), then sends it at once and says what happened."""

    def pick(self, title: str, choices: list[tuple[str, Any]], then: Callable) -> None:
        """``then(choice)`` at once when there is one, else after the user picks."""
        if len(choices) == 1:
            then(choices[0][1])
        elif choices:
            self.app.push_screen(PickScreen(title, choices), lambda c: c and then(c))

    def mail(self, documents: list[tuple[str, tuple[str, str]]]) -> None:
        """E-mail one of ``documents`` ((label, (kind, number)); picked when there are
        several)."""
        self.pick(
            _("E-mail which document?"),
            [(label, (kind, number, label)) for label, (kind, number) in documents],
            self._mail_form,
        )

    def _mail_form(self, document: tuple[str, str, str]) -> None:
        from bizdesk.services.mail.documents import queue_document

        kind, number, label = document
        fields = [
            Field(
                "to",
                Message.pgettext("e-mail", "To"),
                placeholder=N_("empty: the contact's e-mail address"),
            )
        ]
        if kind == "statement":  # over which period ("to" is the address here)
            since, until = period_fields("since", "until")
            fields += [
                replace(since, label=N_("Period from")),
                replace(until, label=N_("Period to")),
            ]

        def queue(uow: Any, v: dict[str, Any]) -> Any:  # noqa: ANN401
            dates = {}
            if kind == "statement":
                dates = {"date_from": v["since"], "date_to": v["until"]}
            return queue_document(uow, kind, number, v["to"] or None, **dates)

        self.app.push_screen(
            FormScreen(_("E-mail {label}").format(label=label), fields, queue),
            lambda paper: paper and self._deliver(paper),
        )

    @work(thread=True, group="mail")
    def _deliver(self, paper: Any) -> None:  # noqa: ANN401
        """Send the message just queued (outside any transaction); say what happened."""
        from bizdesk.services.mail.outbox import deliver

        queued = paper.message
        if paper.without_shop_address:
            self.app.call_from_thread(say_no_shop_address, self, queued.doc_label)
        try:
            done = deliver(self.app.store, [queued.id])
        except Exception as exc:
            self.post_message(ServiceResult(None, None, exc, None))
            return
        said = {"label": queued.doc_label, "address": queued.to_address}
        if done.sent:
            text = _("{label} was sent to {address}.").format(**said)
        elif done.failed:
            text = _(
                "{label} could not be sent to {address} yet ({reason}); it waits in the "
                "outbox (E-mail outbox, ctrl+p) and will be tried again."
            ).format(**said, reason=done.failed[0].last_error)
        else:
            text = _("{label} is in the outbox for {address}; another bizdesk is sending it.")
            text = text.format(**said)
        self.post_message(ServiceResult(None, None, None, text))
