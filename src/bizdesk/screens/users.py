"""The owner's Users screen: who may open this store, and with which role."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.i18n import (
    LANGUAGES,
    N_,
    OFFERED_LOCALES,
    Message,
    _,
    resolve_locale,
    setting_name,
    tr,
)
from bizdesk.models.core import ROLES
from bizdesk.reading import date_text_in
from bizdesk.screens.common import ServiceScreen, WithTable
from bizdesk.services.admin import users as U
from bizdesk.services.base.permissions import ROLE_SUMMARY
from bizdesk.services.crm.contacts import FormExamples
from bizdesk.services.mail import settings as MS
from bizdesk.services.people.days import regions
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.words import USER_ROLE_NAMES

COLUMNS = [
    Col("username", N_("User"), 14),
    Col("full_name", N_("Name"), 24),
    Col("role", N_("Role"), 11, fmt=lambda v: _(USER_ROLE_NAMES.get(v, v))),
    Col("active", N_("Active"), 6, fmt=lambda v: _("yes") if v else _("no")),
    Col("language", N_("Language"), 10, fmt=lambda v: setting_name(v) or _("(session)")),
]


def language_choices(now: str) -> dict[str, str]:
    """The language setting's choices, each by its own name and how its dates are written
    (the last day of 2026: "Español  31/12/2026"); auto follows the session; a locale set
    from the command line stays among them."""
    tags = ["auto", *LANGUAGES, *OFFERED_LOCALES]
    if now and now not in tags:
        tags.append(now)
    last = date(2026, 12, 31)
    return {
        tag: (
            _("auto (the session's LANG)")
            if tag == "auto"
            else f"{setting_name(tag)}  {date_text_in(last, resolve_locale(tag))}"
        )
        for tag in sorted(tags, key=lambda t: (t != "auto", t))
    }


def region_hint(country: str) -> str:
    """The shop's region box's hint, of the shop's own country: Madrid for a Spanish shop
    (or one with no country yet), a region of its own for another, and for a country none of
    whose regions has holidays of its own (Romania, Vietnam) that it has none, not Madrid,
    which it then refuses."""
    known = regions(country)
    if country and not known:
        return tr(
            Message("no regions of {country} have public holidays of their own", country=country)
        )
    if not country or country.upper() == "ES":
        return _("for public holidays, e.g. MD (Madrid)")
    return _("for public holidays, e.g. {region}").format(region=known[0])


def shop_form(details, examples: FormExamples, zone: str) -> FormScreen:  # noqa: ANN001 - papers.shop.ShopDetails
    """The shop's details that its documents carry (an owner saves them); ``examples``:
    of the shop's region (contacts.form_examples); ``zone``: the time zone the shop has
    without one of its own (zones.zone_without_own)."""
    from bizdesk.services.papers import shop as S

    hints = {
        "country": _("code or name, e.g. {code}").format(code=examples.country),
        "region": region_hint(details.country or ""),
        "timezone": _("empty: {zone}").format(zone=zone),
        "vat_id": _("e.g. {example}").format(example=examples.vat_id),
        "iban": _("e.g. {example}").format(example=examples.iban),
        "account": N_("where there is no IBAN: number and bank"),
        "vat_rate": N_("a new product's, e.g. 20"),
    }
    fields = [
        Field(
            name,
            S.LABELS[name],
            value=getattr(details, name) or "",
            required=name == "name",
            placeholder=hints.get(name, ""),
        )
        for name in S.KEYS.values()
    ]
    return FormScreen(
        _("The shop's details on its documents"),
        fields,
        lambda uow, v: S.update(uow, S.ShopDetails(**v)),
    )


def add_form() -> FormScreen:
    return FormScreen(
        _("Add a user (their Unix login name)"),
        [
            Field("username", N_("Login name"), required=True, placeholder=N_("e.g. maria")),
            Field(
                "role",
                N_("Role"),
                kind="select",
                value="viewer",
                options=ROLES,
                required=True,
                option_labels=USER_ROLE_NAMES,
            ),
            Field("full_name", N_("Full name")),
        ],
        lambda uow, v: U.add(uow, v["username"], v["role"], v["full_name"]),
    )


def role_form(username: str, role: str) -> FormScreen:
    return FormScreen(
        _("Role of {name}").format(name=username),
        [
            Field(
                "role",
                N_("Role"),
                kind="select",
                value=role,
                options=ROLES,
                required=True,
                option_labels=USER_ROLE_NAMES,
            )
        ],
        lambda uow, v: U.set_role(uow, username, v["role"]),
    )


def language_form(username: str, language: str) -> FormScreen:
    """Which language bizdesk speaks to one person, and so how their dates are written;
    "auto" follows their session's LANG."""
    choices = language_choices(language)
    return FormScreen(
        _("Language of {name}").format(name=username),
        [
            Field(
                "language",
                N_("Language"),
                kind="select",
                value=language or "auto",
                options=tuple(choices),
                required=True,
                option_labels=choices,
            )
        ],
        lambda uow, v: U.set_language(uow, username, v["language"]),
    )


def mail_form(settings: MS.MailSettings) -> FormScreen:
    """How the shop sends e-mail (owners); the password itself is never typed here."""
    return FormScreen(
        _("How e-mail is sent"),
        [
            Field("transport", N_("Transport"), "select", settings.transport,
                  options=MS.TRANSPORTS, required=True),
            Field("host", N_("SMTP server"), value=settings.host,
                  placeholder=N_("e.g. smtp.example.com")),
            Field("port", N_("Port"), value=str(settings.port)),
            Field("security", N_("Security"), "select", settings.security,
                  options=MS.SECURITIES, required=True),
            Field("user", N_("SMTP user"), value=settings.user,
                  placeholder=N_("empty: no login")),
            Field("from_address", N_("Sender address"), value=settings.from_address,
                  required=True),
            Field("password_file", N_("Password file"), value=settings.password_file,
                  placeholder=N_("mode 0600; empty: BIZDESK_SMTP_PASSWORD")),
            Field("sendmail", N_("sendmail program"), value=settings.sendmail),
        ],
        lambda uow, v: MS.update_settings(uow, **v),
    )  # fmt: skip


class NoAccess(Static):
    """In place of a tab the user's role may not use: what is refused and who to ask."""

    HELP = N_("Your role cannot use this tab; the message says who to ask.")
    DEFAULT_CSS = "NoAccess { padding: 1 2; }"

    def __init__(self, message: str) -> None:
        super().__init__(Text(tr(message)), classes="no-access")


class UsersScreen(WithTable, ServiceScreen):
    """Every user of the store (owners only: others get a message saying who to ask)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="users.back"),
        Binding("n", "new", N_("Add user"), id="users.new"),
        Binding("r", "role", N_("Change role"), id="users.role"),
        Binding("x", "disable", N_("Disable"), id="users.disable"),
        Binding("l", "language", N_("Language"), id="users.language"),
        Binding("m", "mail", N_("Mail"), id="users.mail"),
    ]
    HELP = N_(
        "The people who may open this store, by their Unix login name. n adds one, r changes "
        "the selected user's role (and enables a disabled user), x disables them, l sets the "
        "language bizdesk speaks to them (auto: their session's LANG). A store "
        "always keeps an active owner. Roles: {roles}."
    )

    def help_text(self) -> str:
        """HELP in the reader's language, with each role and what it may do."""
        roles = "; ".join(
            f"{_(USER_ROLE_NAMES.get(role, role))}: {_(what)}"
            for role, what in ROLE_SUMMARY.items()
        )
        return _(self.HELP).format(roles=roles)

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text(_("Users of this store  (n add, r role, x disable, l language)")),
            id="users-title",
        )
        yield PagedTable(U.list_page, COLUMNS, id="users-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Users")
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
            self.app.push_screen(language_form(row.username, row.language), self._language_set)

    def _language_set(self, saved: U.UserView | None) -> None:
        """The owner's own language switches at once (another person's, at their next
        start)."""
        self._changed(saved)
        if saved is not None and saved.username == self.app.store.user:
            self.app.run_worker(self.app.speak(saved.language))

    def action_mail(self) -> None:
        """The mail settings form (owners; anyone else is told who to ask)."""
        self.run_service(
            MS.get_settings,
            write=False,
            done=lambda s: self.app.push_screen(
                mail_form(s),
                lambda saved: saved and self.notify(_("The mail settings were saved.")),
            ),
        )

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
                    success=_("{name} can no longer open this store").format(name=name),
                )

        self.app.push_screen(
            ConfirmScreen(_("Disable {name}? Their history stays.").format(name=name)), answered
        )

    @on(PagedTable.Opened)
    def _opened(self, _event: PagedTable.Opened) -> None:
        self.action_role()
