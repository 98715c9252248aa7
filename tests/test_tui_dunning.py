"""Payment terms and reminders in the interface, at 80x24, driven with Pilot on a real store:
the contact form's terms field (English and Spanish words), the owner's levels form, the
reminders list from the palette and on the customer's page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Input, Static

from bizdesk import i18n
from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.admin import users
from bizdesk.services.crm import contacts as C
from bizdesk.services.dunning import reminders as R
from bizdesk.services.trade import sales
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.pick import PickScreen
from tests.erp_helpers import product
from tests.tui_helpers import SIZE, settle, type_text


@pytest.fixture(autouse=True)
def english_again():
    yield
    i18n.use("en")


def _error(app: BizdeskApp, name: str) -> str:
    return str(app.screen.query_one(f"#e-{name}", Static).render())


async def _type_into(pilot, app: BizdeskApp, name: str, text: str) -> None:  # noqa: ANN001
    box = app.screen.query_one(f"#f-{name}", Input)
    box.value = ""
    box.focus()
    await settle(pilot, app)
    await type_text(pilot, text)


async def test_the_contact_forms_terms_field_reads_strictly(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Bob Builder", is_customer=True))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await _type_into(pilot, app, "payment_terms", "30 days")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)  # refused, nothing saved
        assert "write net 30 days or end of month + 10 days" in _error(app, "payment_terms")
        await _type_into(pilot, app, "payment_terms", "end of month + 10 days")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
        with store.read() as uow:
            assert C.get(uow, 1).payment_terms == "end of month + 10 days"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        details = str(app.screen.query_one("#details", Static).render())
        assert "Payment terms: end of month + 10 days" in details


async def test_terms_are_shown_and_typed_in_the_persons_language(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Bob", payment_terms="net 30 days"))
        users.set_language(uow, "tester", "es")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        assert app.screen.query_one("#f-payment_terms", Input).value == "neto 30 días"
        await _type_into(pilot, app, "payment_terms", "treinta")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "escriba neto 30 días o fin de mes + 10 días" in _error(app, "payment_terms")
        await _type_into(pilot, app, "payment_terms", "fin de mes + 5 días")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
    with store.read() as uow:
        assert C.get(uow, 1).payment_terms == "end of month + 5 days"  # stored in English


async def test_the_owner_edits_the_levels_in_a_form(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_reminder_levels()
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-l3_name", Input).value == "final"
        await _type_into(pilot, app, "l2_fee", "5")
        await _type_into(pilot, app, "l4_days", "30")
        await _type_into(pilot, app, "customer_terms", "net 10 days")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert "more days than level 3 (45)" in _error(app, "l4_days")
        assert "required" in _error(app, "l4_name")
        await _type_into(pilot, app, "l4_days", "")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
    with store.read() as uow:
        assert [(x.days, str(x.fee)) for x in R.levels(uow)] == [
            (7, "0.00"),
            (21, "5.00"),
            (45, "0.00"),
        ]
        assert R.default_terms(uow)["customer"] == "net 10 days"


async def test_reminders_from_the_palette_and_on_the_customers_page(store) -> None:  # noqa: ANN001
    product(store, "SRV", name="Service", sale_price="100", vat_rate="0", allow_negative="yes")
    day = date.today() - timedelta(days=40)
    with store.write() as uow:
        cid = C.create(uow, C.ContactInput(name="Dana Client", is_customer=True)).contact.id
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}", order_date=day.isoformat(), lines=[sales.SOLineInput("SRV")]
            ),
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, when=day)
        sales.invoice(uow, so.id, when=day)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_reminders(True)  # the palette's "Make the reminders due today"
        await settle(pilot, app)
        assert isinstance(app.screen, PickScreen)
        assert app.screen.choices[0][0].startswith("RM-00001 ")
        assert "Dana Client · friendly · 100.00" in app.screen.choices[0][0]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        story = str(app.screen.query_one("#story", Static).render())
        assert "Payment reminders" in story and "RM-00001  level 1, friendly  100.00" in story


def two_reminders(store) -> None:  # noqa: ANN001
    """Dana Client (RM-00001, 200.00 overdue) and Eli Late (RM-00002, 100.00), ten days
    late."""
    product(store, "SRV", name="Service", sale_price="100", vat_rate="0", allow_negative="yes")
    day = date.today() - timedelta(days=10)
    with store.write() as uow:
        for name in ("Dana Client", "Eli Late"):
            cid = C.create(uow, C.ContactInput(name=name, is_customer=True)).contact.id
            so = sales.create(
                uow,
                sales.SOInput(
                    customer=f"#{cid}",
                    order_date=day.isoformat(),
                    lines=[sales.SOLineInput("SRV", "2" if name == "Dana Client" else "1")],
                ),
            )
            sales.confirm(uow, so.id)
            sales.deliver(uow, so.id, when=day)
            sales.invoice(uow, so.id, when=day, due=(day + timedelta(days=1)).isoformat())
        made = R.make_reminders(uow)
    assert [m.label for m in made] == ["RM-00001", "RM-00002"]


async def test_the_reminders_list_prints_the_highlighted_one(store, tmp_path) -> None:  # noqa: ANN001
    """The palette's list of reminders: w (Print, in its footer at 80x24) writes the
    highlighted reminder's PDF where the person says, and says where."""
    from textual.widgets import OptionList
    from textual.widgets._footer import FooterKey

    from bizdesk.screens.reminders import RemindersScreen
    from tests.test_papers import lines_of, pdf_text
    from tests.tui_helpers import wait_for

    two_reminders(store)
    target = tmp_path / "dana.pdf"
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_reminders()  # the palette's "Reminders"
        await settle(pilot, app)
        listed = app.screen
        assert isinstance(listed, RemindersScreen)
        keys = {(k.key, k.description) for k in listed.query(FooterKey)}
        assert ("w", "Print") in keys
        assert listed.choices[1][0].startswith("RM-00001 ")  # newest first: Dana's second
        await pilot.press("down")
        await settle(pilot, app)
        assert listed.query_one(OptionList).highlighted == 1
        await pilot.press("w")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        path = app.screen.query_one("#f-path", Input)
        assert path.value.endswith("RM-00001.pdf")  # its label, in the current folder
        path.value = str(target)
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: target.exists(), "the PDF")
        await wait_for(pilot, app, lambda: app.screen is listed, "back on the list")
        said = f"Written to {target}"
        await wait_for(
            pilot, app, lambda: said in [str(n.message) for n in app._notifications], said
        )
    text = pdf_text(target.read_bytes())
    assert "PAYMENT REMINDER" in text and "RM-00001" in text and "Dana Client" in text
    assert "Eli Late" not in text and "INV-00001" in text
    lines = lines_of(text)
    assert "Overdue 200.00" in lines and "Total EUR 200.00" in lines
    assert [ln.split()[-2:] for ln in lines if ln.startswith("INV-")] == [["9", "200.00"]]


async def test_the_reminders_list_e_mails_the_highlighted_one(store) -> None:  # noqa: ANN001
    """m on the palette's list of reminders e-mails the highlighted one (a real SMTP server
    on loopback): it arrives once with its PDF, and the list stays open."""
    from textual.widgets import OptionList

    from bizdesk.screens.reminders import RemindersScreen
    from tests.mail_server import Inbox, Server
    from tests.test_papers import lines_of, pdf_text
    from tests.test_tui_mail import _smtp
    from tests.tui_helpers import wait_for

    two_reminders(store)
    inbox = Inbox()
    with Server(inbox) as server:
        _smtp(store, server.port)
        app = BizdeskApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            app.action_reminders()
            await settle(pilot, app)
            listed = app.screen
            assert isinstance(listed, RemindersScreen)
            await pilot.press("down")  # RM-00001, Dana's
            await settle(pilot, app)
            assert listed.query_one(OptionList).highlighted == 1
            await pilot.press("m")
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormScreen)
            form.query_one("#f-to", Input).value = "dana@example.com"
            await pilot.press("ctrl+s")
            said = "RM-00001 was sent to dana@example.com."
            await wait_for(
                pilot, app, lambda: said in [str(n.message) for n in app._notifications], said
            )
            assert app.screen is listed
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "dana@example.com"
    (part,) = inbox.messages[0].iter_attachments()
    lines = lines_of(pdf_text(part.get_content()))
    assert lines[:4] == ["My Shop", "1 Test Street", "10001 Testville", "PAYMENT REMINDER"]
    assert "RM-00001" in lines and "Dana Client" in lines
    assert "Total EUR 200.00" in lines
