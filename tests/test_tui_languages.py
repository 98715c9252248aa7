"""The interface speaks the person's language (their setting in the store), at 80x24: the
footer, the tabs, Home, a form's labels, a notification, a validation message and the help,
with no English left where a translation exists. Driven with Pilot on a real store."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._footer import FooterKey
from textual.widgets._tabbed_content import ContentTab

from bizdesk import i18n
from bizdesk.app import BizdeskApp
from bizdesk.i18n import N_
from bizdesk.reading import date_hint
from bizdesk.screens.help import HelpScreen
from bizdesk.screens.journal import account_form
from bizdesk.screens.people import employee_form
from bizdesk.screens.stock import adjust_form
from bizdesk.screens.users import UsersScreen
from bizdesk.services.admin import users
from bizdesk.widgets.field import Field
from bizdesk.widgets.form import LABEL_CELLS, FormScreen, option_label
from tests.tui_helpers import SIZE, palette_hits, settle, type_text, wait_for


@pytest.fixture(autouse=True)
def english_again():
    """One language per process: the next test in this worker starts in English."""
    yield
    i18n.use("en")


def speaking(store, language: str):  # noqa: ANN001, ANN201
    with store.write() as uow:
        users.set_language(uow, "tester", language)
    return store


def footer(app: BizdeskApp) -> dict[str, FooterKey]:
    return {k.description: k for k in app.screen.query(FooterKey)}


def tab_labels(app: BizdeskApp) -> list[str]:
    return [str(t.label) for t in app.query(ContentTab)]


def notes(app: BizdeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def shown(widget: Static) -> str:
    return str(widget.render())


def drawn(widget) -> str:  # noqa: ANN001
    """The text a widget draws on screen, line by line."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def palette_said(app: BizdeskApp) -> str:
    """Every line the palette lists now, whatever it is drawn with (a hit, or a centred
    sentence such as no matches)."""
    options = app.screen.query_one(CommandList).options
    return " ".join(str(getattr(o.prompt, "renderable", o.prompt)) for o in options)


def form_labels(app: BizdeskApp) -> list[str]:
    return [shown(w) for w in app.screen.query(".field-label")]


def in_view(key: FooterKey) -> bool:
    """A footer key drawn whole inside the 80 columns."""
    region = key.region
    return region.width > 0 and region.right <= SIZE[0]


WORDS = {
    "es": {
        "help": "Ayuda",
        "quit": "Salir",
        "tabs": ["Inicio", "Contactos", "Oportunidades", "Incidencias", "Existencias"],
        "kpi": "Ventas este mes",
        "form": "Nuevo contacto",
        "labels": ["Nombre *", "Tipo", "Organización", "Teléfono"],
        "person": "persona",
        "select_first": "Seleccione primero un contacto",
        "not_saved": "No se guardó: corrija los campos marcados abajo.",
        "bad_login": "no es un nombre de inicio de sesión",
        "everywhere": "En general",
        "users": "Usuarios de este almacén de datos",
        "column": "Usuario",
        "go_to": "Ir a Contactos (F3)",
        "nothing": "No hay coincidencias",
        "theme": "Tema",
    },
    "vi": {
        "help": "Trợ giúp",
        "quit": "Thoát",
        "tabs": ["Trang chủ", "Liên hệ", "Cơ hội", "Phiếu hỗ trợ", "Tồn kho"],
        "kpi": "Doanh số tháng này",
        "form": "Liên hệ mới",
        "labels": ["Tên *", "Loại", "Tổ chức", "Điện thoại"],
        "person": "cá nhân",
        "select_first": "Hãy chọn một liên hệ trước",
        "not_saved": "Chưa lưu: hãy sửa các ô được đánh dấu bên dưới.",
        "bad_login": "không phải là tên đăng nhập",
        "everywhere": "Ở mọi nơi",
        "users": "Người dùng của kho dữ liệu này",
        "column": "Người dùng",
        "go_to": "Đến Liên hệ (F3)",
        "nothing": "Không tìm thấy kết quả nào",
        "theme": "Giao diện",
    },
}
ENGLISH = {
    "footer": ["Help", "Quit", "Sales", "Cash", "Refresh"],
    "tabs": ["Home", "Contacts", "Deals", "Tickets", "Stock"],
    "labels": ["Name *", "Kind", "Organisation", "Phone"],
}


@pytest.mark.parametrize("language", ["es", "vi"])
async def test_the_frame_home_and_footer_speak_the_persons_language(store, language) -> None:  # noqa: ANN001
    words = WORDS[language]
    app = BizdeskApp(speaking(store, language))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        keys = footer(app)
        assert words["help"] in keys and words["quit"] in keys, list(keys)
        assert in_view(keys[words["help"]]) and in_view(keys[words["quit"]])
        assert not set(ENGLISH["footer"]) & set(keys), list(keys)
        labels = tab_labels(app)
        assert labels[: len(words["tabs"])] == words["tabs"]
        assert not set(ENGLISH["tabs"]) & set(labels)
        kpis = drawn(app.query_one("#kpis", Static))
        assert words["kpi"] in kpis and "Sales this month" not in kpis

        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        rows = [text for _keys, text in app.screen.rows()]
        assert words["everywhere"] in [k for k, _t in app.screen.rows()]
        assert "this help" not in rows and "Everywhere" not in rows
        await pilot.press("escape")
        await settle(pilot, app)

        await pilot.press("ctrl+p")
        await wait_for(pilot, app, lambda: isinstance(app.screen, CommandPalette), "palette")
        await wait_for(
            pilot, app, lambda: words["go_to"] in palette_hits(app), "the palette's commands"
        )
        hits = palette_hits(app)
        assert any(hit.startswith(words["theme"]) for hit in hits), hits
        assert not any(hit.startswith(("Go to", "Help for")) for hit in hits), hits
        await type_text(pilot, "zzqx")  # nothing is called so: said in the person's language
        await wait_for(
            pilot, app, lambda: words["nothing"] in palette_said(app), "no matches, translated"
        )
        assert "No matches" not in palette_said(app)


async def test_the_palette_finds_a_command_typed_without_accents(store) -> None:  # noqa: ANN001
    """A keyboard over SSH may have no ế or ệ: "den lien he" finds "Đến Liên hệ (F3)",
    shown as written."""
    app = BizdeskApp(speaking(store, "vi"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, app, lambda: isinstance(app.screen, CommandPalette), "palette")
        await type_text(pilot, "den lien he")
        await wait_for(
            pilot, app, lambda: "Đến Liên hệ (F3)" in palette_hits(app), "the command found"
        )


@pytest.mark.parametrize("language", ["es", "vi"])
async def test_a_form_a_notification_and_a_validation_message_are_translated(
    store,  # noqa: ANN001
    language: str,
) -> None:
    words = WORDS[language]
    app = BizdeskApp(speaking(store, language))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("e")  # nothing selected in an empty list: a notification says so
        await wait_for(pilot, app, lambda: words["select_first"] in notes(app), "the notification")
        assert not any("Select a contact" in n for n in notes(app))

        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert shown(app.screen.query_one("#title", Static)) == words["form"]
        labels = form_labels(app)
        assert all(label in labels for label in words["labels"]), labels
        assert not set(ENGLISH["labels"]) & set(labels), labels
        kind = app.screen.query_one("#f-kind", Select)
        assert words["person"] in [str(prompt) for prompt, _value in kind._options]
        footer_keys = footer(app)
        assert "Save" not in footer_keys and "Cancel" not in footer_keys
        await pilot.press("escape")  # nothing typed: closes without asking
        await settle(pilot, app)

        # A service's refusal (a Message) under its field, and the form's own sentence.
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        assert isinstance(app.screen, UsersScreen)
        title = shown(app.screen.query_one("#users-title", Static))
        assert title.startswith(words["users"])
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Bad Name!")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            app,
            lambda: shown(app.screen.query_one("#form-error", Static)) == words["not_saved"],
            "the form's refusal",
        )
        under = shown(app.screen.query_one("#e-username", Static))
        assert words["bad_login"] in under, under
        assert "is not a login name" not in under


async def test_tabs_follow_the_language_read_when_the_store_opens(store) -> None:  # noqa: ANN001
    """Opened by a worker after the first frame (as run_app does): the tabs were composed
    before the language was known, and are named again in it once the store is open."""
    speaking(store, "es")
    app = BizdeskApp(opener=lambda say: store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app, lambda: app.store is not None, "the store to open")
        await settle(pilot, app)
        assert tab_labels(app)[:2] == ["Inicio", "Contactos"]
        assert "Ayuda" in footer(app)


async def test_english_stays_english(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        keys = footer(app)
        assert "Help" in keys and "Quit" in keys
        assert tab_labels(app)[:5] == ENGLISH["tabs"]


async def test_a_sales_person_switches_their_own_language_from_the_palette(store) -> None:  # noqa: ANN001
    """Not only the owner: anyone picks their own language ("My language" in the palette),
    and the frame and the tabs already built speak it at once, without starting again."""
    from bizdesk.db import Store

    with store.write() as uow:
        users.add(uow, "ana", "sales", "Ana Pop")
    ana = Store(url=store.url, engine=store.engine, user="ana")
    app = BizdeskApp(ana)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")  # a tab built in English, to be built again in Spanish
        await settle(pilot, app)
        assert tab_labels(app)[:2] == ["Home", "Contacts"]
        app.action_my_language()  # the palette's "My language"
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen) and "ana" in form.title_text
        form.query_one("#f-language", Select).value = "es"
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: tab_labels(app)[1] == "Contactos", "Spanish tabs")
        await settle(pilot, app)
        said = "bizdesk ahora le habla en Español; las fechas se escriben así: 31/12/2026."
        assert said in notes(app)
        assert "Ayuda" in footer(app)
        columns = app.active_pane().query_one(DataTable).columns.values()
        assert "Nombre" in [str(c.label).strip() for c in columns]
    with store.read() as uow:
        assert {u.username: u.language for u in users.list_users(uow)}["ana"] == "es"


async def test_a_person_picks_their_countrys_dates_and_types_them_back(store) -> None:  # noqa: ANN001
    """Language and locale per person: "English (United States)" in "My language" keeps
    English and writes dates month first, at once; the journal's form shows today that way,
    and a date typed that way is the day meant (issue 13)."""
    from datetime import date

    from textual.widgets import Input

    from bizdesk.reading import date_text

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_my_language()
        await settle(pilot, app)
        choice = app.screen.query_one("#f-language", Select)
        labels = {value: str(label) for label, value in choice._options}
        assert labels["en_GB"] == "English (United Kingdom)  31/12/2026"
        assert labels["en"] == "English  2026-12-31" and labels["ro"] == "Română  31.12.2026"
        choice.value = "en_US"
        await pilot.press("ctrl+s")
        said = "bizdesk now speaks English (United States) to you; dates are written 12/31/2026."
        await wait_for(pilot, app, lambda: said in notes(app), "the switch")
        assert i18n.current_locale() == "en_US" and tab_labels(app)[1] == "Contacts"
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        field = app.screen.query_one("#f-date", Input)
        assert "MM/DD/YYYY" in field.placeholder, field.placeholder
        assert date_text(date(2026, 2, 15)) == "02/15/2026"
    with store.read() as uow:
        assert {u.username: u.language for u in users.list_users(uow)}["tester"] == "en_US"


async def test_home_s_budget_key_shows_the_year_to_date_not_a_period_left_behind(store) -> None:  # noqa: ANN001
    """A period typed for another report stayed in the boxes: g on Home then showed the
    budget for it, or only its refusal, with the field in English ("to: ...") on a Spanish
    screen. Home's keys show their figure's report for its own period; a refusal names the
    box as the screen does."""
    from datetime import date

    from textual.widgets import Input, Select

    from bizdesk.services.books import budgets

    today = date.today()
    with store.write() as uow:
        budgets.set_budget(uow, "6200", f"{today:%Y-%m}", "100")
    app = BizdeskApp(speaking(store, "es"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        pane.query_one("#report", Select).value = "vat-return"
        await settle(pilot, app)
        pane.query_one("#from", Input).value = "01/12/2026"
        pane.query_one("#to", Input).value = "01/11/2026"
        pane.action_run()
        await wait_for(
            pilot, app, lambda: "No ejecutado" in shown(pane.query_one("#report-title")), "refused"
        )
        title = shown(pane.query_one("#report-title"))
        assert "Hasta: el final del periodo es anterior a su inicio" in title, title
        await pilot.press("f2")
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: app.active_pane().budget is not None, "Home's budget")
        await pilot.press("g")
        await wait_for(
            pilot, app, lambda: pane.report is not None and pane.report.name == "budget", "run"
        )
        assert pane.query_one("#to", Input).value == ""
        assert pane.report.params["from"] == date(today.year, 1, 1)


async def test_a_column_of_known_words_is_as_wide_as_its_longest_in_the_language(store) -> None:  # noqa: ANN001
    """The tickets' priority column was six wide: "urgent" fit, Spanish "urgente" was cut
    ("urgen…"). A column of known words is as wide as the longest of them, translated."""
    from bizdesk.services.crm import tickets

    with store.write() as uow:
        tickets.create(uow, tickets.TicketInput(subject="Brakes", priority="urgent"))
    app = BizdeskApp(speaking(store, "es"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_for(
            pilot, app, lambda: app.query_one("#tickets-table").grid.row_count == 1, "a ticket"
        )
        await settle(pilot, app)
        shown = drawn(app.query_one("#tickets-table").grid)
    assert "urgente" in shown and "urgen…" not in shown, shown


@pytest.mark.parametrize(
    ("language", "types"),
    [("es", ["activo", "pasivo"]), ("ro", ["activ"]), ("vi", ["tài sản"])],
)
def test_a_new_accounts_type_is_chosen_among_words_of_the_readers_language(
    language: str, types: list[str]
) -> None:
    i18n.use(language)
    field = next(f for f in account_form().fields if f.name == "type")
    shown_types = [option_label(field, option) for option in field.options]
    assert all(t in shown_types for t in types), shown_types
    assert "asset" not in shown_types and "expense" not in shown_types


@pytest.mark.parametrize(
    ("language", "form", "label"),
    [
        ("ro", lambda: employee_form(), "Salariu sau tarif orar"),
        ("es", lambda: adjust_form(1, "Casco"), "Cambio (+entra, -sale)"),
        ("vi", lambda: adjust_form(1, "Mũ"), "Thay đổi (+nhập/-xuất)"),
    ],
)
async def test_a_required_labels_mark_stays_with_its_last_word(
    store,  # noqa: ANN001
    language: str,
    form,  # noqa: ANN001
    label: str,
) -> None:
    """A required label as long as its column (23 cells) kept its words on one line and
    left its * alone on the next, as if it marked the field below."""
    app = BizdeskApp(speaking(store, language))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(form())
        await settle(pilot, app)
        for widget in app.screen.query(".field-label"):
            assert widget.content_region.width == LABEL_CELLS  # as field_label lays it out
            lines = [line.strip() for line in drawn(widget).splitlines() if line.strip()]
            assert "*" not in lines, lines
        labels = [" ".join(drawn(w).split()) for w in app.screen.query(".field-label")]
        assert f"{label} *" in labels, labels


@pytest.mark.parametrize(
    ("language", "placeholder", "shown"),
    [
        (
            "es",
            "{form}, empty: by the customer's terms",
            "DD/MM/AAAA, vacío: según las condiciones del cliente",
        ),
        (
            "vi",
            "{form}, empty: by the customer's terms",
            "DD/MM/YYYY, để trống: theo điều khoản của khách hàng",
        ),
        ("ro", "for public holidays, e.g. MD (Madrid)", "de ex. MD (Madrid)"),
    ],
)
async def test_a_hint_longer_than_its_box_is_read_whole_under_it(
    store,  # noqa: ANN001
    language: str,
    placeholder: str,
    shown: str,
) -> None:
    """An empty box's hint cut at the box's edge at 80 columns ("vacío: según las
    condiciones del" and no more; "(Madrid" with no bracket): it is written whole under the
    box instead, and a hint that fits stays in its box."""
    app = BizdeskApp(speaking(store, language))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        fields = [
            Field("date", N_("Invoice date"), placeholder="{form}"),
            Field("due", N_("Due"), placeholder=placeholder),
        ]
        app.push_screen(FormScreen("Invoice", fields, lambda uow, values: None))
        await settle(pilot, app)
        due = app.screen.query_one("#f-due", Input)
        assert cell_len(due.placeholder) <= due.size.width  # nothing cut in the box
        hints = [w for w in app.screen.query(".field-hint") if w.display]
        assert [w.id for w in hints] == ["h-due"]  # the date's hint fits: kept in its box
        assert app.screen.query_one("#f-date", Input).placeholder == date_hint()
        width, height = hints[0].outer_size  # as drawn, with the label's column before it
        lines = hints[0].render_lines(Region(0, 0, width, height))
        read = " ".join("".join(seg.text for seg in line) for line in lines)
        assert shown in " ".join(read.split()), read


async def test_the_users_help_says_what_each_role_may_do_in_the_readers_language(
    store,  # noqa: ANN001
) -> None:
    """The users screen's help named the roles in Romanian and what each may do in English
    ("proprietar: everything, including users, settings, …")."""
    app = BizdeskApp(speaking(store, "ro"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        said = " ".join(" ".join(str(w.render()).split()) for w in app.screen.query(Static))
        assert "proprietar: totul, inclusiv utilizatorii" in said, said
        assert "everything" not in said and "contacts and tickets" not in said, said


@pytest.mark.parametrize("language", ["en", "es", "ro", "vi"])
async def test_find_anything_says_what_it_finds_whole_at_80_columns(store, language) -> None:  # noqa: ANN001
    """ctrl+f's box said "Busque un contacto, oportunidad, incidencia, producto, pedido,
    factura," and no more at 80 columns (and the Romanian one lost its last word): what it
    finds is read whole in the box."""
    app = BizdeskApp(speaking(store, language))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, app, lambda: isinstance(app.screen, CommandPalette), "find")
        box = app.screen.query_one(Input)
        # (the palette is on screen before its box is laid out: width 0 until then)
        await wait_for(pilot, app, lambda: box.content_region.width > 0, "the box laid out")
        assert box.placeholder.endswith("…")
        assert cell_len(box.placeholder) <= box.content_region.width, box.placeholder


async def test_the_tickets_queues_agree_with_tickets_in_spanish(store) -> None:  # noqa: ANN001
    """Spanish tickets are "incidencias" (feminine): their queues are Mías, Vencidas,
    Abiertas, and the last one said "Todos" (the masculine "All" of other lists)."""
    app = BizdeskApp(speaking(store, "es_ES"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        said = dict(app.screen.rows())
        assert said.get("5") == "Todas", said
