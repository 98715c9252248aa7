"""The owner's Users screen: who may open this store, and with which role."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from bizdesk.i18n import LANGUAGE_NAMES, LANGUAGES, _
from bizdesk.models.core import ROLES
from bizdesk.screens.common import ServiceRunner, WithTable
from bizdesk.services.admin import users as U
from bizdesk.services.base.permissions import ROLE_SUMMARY
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.paged_table import Col, PagedTable

COLUMNS = [
    Col("username", "User", 14),
    Col("full_name", "Name", 24),
    Col("role", "Role", 11),
    Col("active", "Active", 6, fmt=lambda v: "yes" if v else "no"),
    Col("language", "Language", 10, fmt=lambda v: LANGUAGE_NAMES.get(v, "(session)")),
]


def add_form() -> FormScreen:
    return FormScreen(
        "Add a user (their Unix login name)",
        [
            Field("username", "Login name", required=True, placeholder="e.g. maria"),
            Field("role", "Role", kind="select", value="viewer", options=ROLES, required=True),
            Field("full_name", "Full name"),
        ],
        lambda uow, v: U.add(uow, v["username"], v["role"], v["full_name"]),
    )


def role_form(username: str, role: str) -> FormScreen:
    return FormScreen(
        f"Role of {username}",
        [Field("role", "Role", kind="select", value=role, options=ROLES, required=True)],
        lambda uow, v: U.set_role(uow, username, v["role"]),
    )


def language_form(username: str, language: str) -> FormScreen:
    """Which language bizdesk speaks to one person; "auto" follows their session's LANG."""
    return FormScreen(
        _("Language of {name}").format(name=username),
        [
            Field(
                "language",
                _("Language"),
                kind="select",
                value=language or "auto",
                options=("auto", *LANGUAGES),
                required=True,
            )
        ],
        lambda uow, v: U.set_language(uow, username, v["language"]),
    )


class NoAccess(Static):
    """In place of a tab the user's role may not use: what is refused and who to ask."""

    HELP = "Your role cannot use this tab; the message says who to ask."
    DEFAULT_CSS = "NoAccess { padding: 1 2; }"

    def __init__(self, message: str) -> None:
        super().__init__(Text(message), classes="no-access")


class UsersScreen(WithTable, ServiceRunner, Screen):
    """Every user of the store (owners only: others get a message saying who to ask)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="users.back"),
        Binding("n", "new", "Add user", id="users.new"),
        Binding("r", "role", "Change role", id="users.role"),
        Binding("x", "disable", "Disable", id="users.disable"),
        Binding("l", "language", "Language", id="users.language"),
    ]
    HELP = (
        "The people who may open this store, by their Unix login name. n adds one, r changes "
        "the selected user's role (and enables a disabled user), x disables them, l sets the "
        "language bizdesk speaks to them (auto: their session's LANG). A store "
        "always keeps an active owner. Roles: "
        + "; ".join(f"{role}: {what}" for role, what in ROLE_SUMMARY.items())
        + "."
    )

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text("Users of this store  (n add, r role, x disable, l language)"), id="users-title"
        )
        yield PagedTable(U.list_page, COLUMNS, id="users-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Users"
        self.table.focus_grid()

    def _changed(self, result: object) -> None:
        if result is not None:
            self.table.reload()

    def action_new(self) -> None:
        self.app.push_screen(add_form(), self._changed)

    def action_role(self) -> None:
        row = self.table.selected
        if row is not None:
            self.app.push_screen(role_form(row.username, row.role), self._changed)

    def action_language(self) -> None:
        row = self.table.selected
        if row is not None:
            self.app.push_screen(language_form(row.username, row.language), self._changed)

    def action_disable(self) -> None:
        row = self.table.selected
        if row is None or not row.active:
            return
        name = row.username

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: U.disable(uow, name),
                    done=self._changed,
                    success=f"{name} can no longer open this store",
                )

        self.app.push_screen(ConfirmScreen(f"Disable {name}? Their history stays."), answered)

    @on(PagedTable.Opened)
    def _opened(self, _event: PagedTable.Opened) -> None:
        self.action_role()
