"""The e-mail outbox (the palette's "E-mail outbox"): every message bizdesk sent or is to
send, newest first, with its state. r sends the queued ones now, s sends again one whose
sending is unsure (after checking it was not received), x cancels one; enter shows one's
last error and next try. The same services as `bizdesk mail outbox | retry | cancel`."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import moment, number, visible_text
from bizdesk.i18n import N_, Message, _, tr
from bizdesk.screens.common import ServiceResult, ServiceScreen, WithTable
from bizdesk.services.base.permissions import allowed
from bizdesk.services.base.states import state_word
from bizdesk.services.mail import outbox as O
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable

STATES = ("queued", "sending", "sent", "unsure", "cancelled")


def _state(state: str) -> str:
    return tr(state_word(state))


COLUMNS = [
    Col("created_at", N_("Queued"), 16, fmt=moment),
    Col("to_address", Message.pgettext("e-mail", "To"), 26),
    Col("document", N_("Document"), 14),
    Col("state", N_("State"), fmt=_state, shows=STATES),
    Col("attempts", N_("Tries"), 5, right=True, fmt=number),
]


class OutboxScreen(WithTable, ServiceScreen):
    """The outbox's messages, newest first."""

    shown: int | None = None  # the message whose details are under the list

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="outbox.back"),
        Binding("r", "send_now", N_("Send now"), id="outbox.send"),
        Binding("s", "send_again", N_("Send again"), id="outbox.resend"),
        Binding("x", "cancel", N_("Cancel"), id="outbox.cancel"),
    ]
    HELP = N_(
        "The e-mail outbox: every document and campaign message bizdesk sent or is to send, "
        "newest first. A message that could not be sent waits here, queued, and is tried "
        "again (by bizdesk run-due, or r now). r sends the queued messages now; s sends "
        "again a message whose sending is unsure (bizdesk stopped while sending it: check "
        "with the recipient that it did not arrive first); x cancels a queued or unsure "
        "message (it stays listed); enter shows a message's last error and next try."
    )
    DEFAULT_CSS = """
    OutboxScreen #outbox-title { height: 1; padding: 0 1; }
    OutboxScreen PagedTable { height: 1fr; }
    OutboxScreen #outbox-details { height: auto; max-height: 6; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text(_("E-mail outbox  (r send now, s send again, x cancel)")), id="outbox-title"
        )
        yield PagedTable(O.outbox_page, COLUMNS, descending=True, id="outbox-table")
        yield Static("", id="outbox-details")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Outbox")
        self.table.focus_grid()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Sending and cancelling are keys of those who may send mail (a viewer looks)."""
        if action in ("send_now", "send_again", "cancel"):
            return allowed(self.app.role, "mail.send")
        return True

    def action_send_now(self) -> None:
        self._services += 1  # keys typed meanwhile wait for the sending (KeysWaitForServices)
        self._send()

    @work(thread=True, exclusive=True, group="outbox")
    def _send(self) -> None:
        """The queued messages, sent now (outside any transaction, as `mail retry`)."""
        try:
            done = O.deliver(self.app.store)
        except Exception as exc:
            self.post_message(ServiceResult(self._changed, None, exc, None, ran=True))
            return
        said = " ".join(str(tr(line)) for line in done.said())
        self.post_message(ServiceResult(self._changed, None, None, said, ran=True))

    def action_send_again(self) -> None:
        row = self.table.selected
        if row is None:
            return
        if row.state not in O.RESENDABLE:
            self.notify(
                _(
                    "Only a message whose sending is unsure is sent again; this one is {state}."
                ).format(state=_state(row.state)),
                markup=False,
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(lambda uow: O.resend(uow, row.id), done=self._resent)

        question = _(
            "Send {document} to {address} again? Only if you checked that it did not arrive: "
            "bizdesk stopped while sending it."
        ).format(document=row.document, address=row.to_address)
        self.app.push_screen(ConfirmScreen(question), answered)

    def _resent(self, _view: O.OutboxView) -> None:
        self.action_send_now()

    def action_cancel(self) -> None:
        row = self.table.selected
        if row is None:
            return
        if row.state not in O.CANCELLABLE:
            self.notify(
                _("Only a queued or unsure message can be cancelled; this one is {state}.").format(
                    state=_state(row.state)
                ),
                markup=False,
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: O.cancel(uow, row.id),
                    done=self._changed,
                    success=_("{document} to {address} will not be sent.").format(
                        document=row.document, address=row.to_address
                    ),
                )

        question = _("Never send {document} to {address}? It stays listed, cancelled.").format(
            document=row.document, address=row.to_address
        )
        self.app.push_screen(ConfirmScreen(question), answered)

    def _changed(self, _value: object = None) -> None:
        self.table.reload()
        if self.shown is not None:
            self._details(self.shown)

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self._details(event.row.id)

    def _details(self, message_id: int) -> None:
        self.run_service(lambda uow: O.get_message(uow, message_id), write=False, done=self._show)

    def _show(self, m: O.OutboxView) -> None:
        self.shown = m.id
        zone = self.app.zone
        t = Text()
        head = _("{document} to {address}: {state}").format(
            document=m.doc_label or m.subject, address=m.to_address, state=_state(m.state)
        )
        t.append(head + "\n", style="bold")
        if m.state == "sent":
            t.append(_("Sent {when}").format(when=moment(m.sent_at, zone)) + "\n")
        elif m.state == "queued":
            t.append(_("Next try {when}").format(when=moment(m.next_try_at, zone)) + "\n")
        if m.last_error:
            t.append(_("Last error: {error}").format(error=m.last_error))
        self.query_one("#outbox-details", Static).update(visible_text(t))
