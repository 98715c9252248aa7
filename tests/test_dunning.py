"""Payment terms and reminders (issue 14, deliverable 7): terms read strictly and giving due
dates; reminders once per level per invoice, escalating with the days, lowered by payments
and credit notes, with their fee posted exactly; two runs at once; roles."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.i18n import _, use
from bizdesk.services.admin import users
from bizdesk.services.base.validate import FieldError
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.crm import contacts, terms
from bizdesk.services.dunning import reminders
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, order, product, supplier
from tests.procs import run_together

TODAY = date.today()


# --- terms ---------------------------------------------------------------------------------


def test_terms_are_read_strictly_and_shown_as_typed() -> None:
    assert terms.parse("net 30 days") == terms.Terms("net", 30)
    assert terms.parse("  Net   30  DAYS ") == terms.Terms("net", 30)
    assert terms.parse("net 1 day") == terms.Terms("net", 1)
    assert terms.parse("end of month + 10 days") == terms.Terms("eom", 10)
    assert terms.parse("end of month + 0 days") == terms.Terms("eom", 0)
    assert terms.parse("") is None  # the shop's default
    for shown in ("net 30 days", "end of month + 10 days", "net 1 day", "net 0 days"):
        assert str(terms.parse(shown).words) == shown  # typed back exactly as shown
    for bad in ("30", "net 30", "net thirty days", "eom+10", "30 days net", "net -3 days"):
        with pytest.raises(FieldError, match="write net 30 days or end of month \\+ 10 days"):
            terms.parse(bad)
    with pytest.raises(FieldError, match="at most 365 days"):
        terms.parse("net 400 days")


def test_terms_in_spanish_and_romanian_are_read_back() -> None:
    use("es")
    t = terms.parse("end of month + 10 days")  # English is always understood
    assert str(t.words) == "fin de mes + 10 días"
    assert terms.parse("fin de mes + 10 días") == t
    assert terms.parse("neto 30 días") == terms.Terms("net", 30)
    use("ro")
    assert str(terms.Terms("net", 20).words) == "net 20 de zile"
    assert terms.parse("net 20 de zile") == terms.Terms("net", 20)
    assert terms.parse("net 3 zile") == terms.Terms("net", 3)
    with pytest.raises(FieldError, match="scrieți"):
        terms.parse("treizeci")


TERMS_HELP = (  # cli/dunning.py, the help of `bizdesk terms`
    "The shop's default payment terms (for contacts without their own): shown, or set "
    "with --customers / --suppliers, such as 'net 30 days' or 'end of month + 10 days'."
)


@pytest.mark.parametrize("language", ["en", "es", "ro", "vi"])
def test_the_terms_the_help_shows_are_read_in_its_language(language: str) -> None:
    """The examples in `bizdesk terms --help` are the reader's own words, each read as
    the terms it names (the translations said 'net 30 days' in English)."""
    use(language)
    try:
        examples = re.findall(r"(?<!\w)'([^']+)'", _(TERMS_HELP))
        assert [terms.parse(e) for e in examples] == [
            terms.Terms("net", 30),
            terms.Terms("eom", 10),
        ]
        assert examples == [str(terms.Terms("net", 30).words), str(terms.Terms("eom", 10).words)]
    finally:
        use("en")


@pytest.mark.parametrize(
    ("kind", "days", "issued", "due"),
    [
        ("net", 30, date(2026, 12, 15), date(2027, 1, 14)),  # over the year end
        ("eom", 10, date(2026, 12, 15), date(2027, 1, 10)),
        ("eom", 0, date(2027, 2, 10), date(2027, 2, 28)),  # February
        ("eom", 0, date(2028, 2, 10), date(2028, 2, 29)),  # a leap February
        ("eom", 30, date(2027, 1, 31), date(2027, 3, 2)),  # past a short February
        ("eom", 15, date(2027, 2, 1), date(2027, 3, 15)),
        ("net", 0, date(2027, 2, 28), date(2027, 2, 28)),
    ],
)
def test_due_dates(kind: str, days: int, issued: date, due: date) -> None:
    assert terms.Terms(kind, days).due(issued) == due


@pytest.fixture
def shop(store: Store):  # noqa: ANN201
    product(store, "SRV", name="Service", sale_price="100", vat_rate="0", allow_negative="yes")
    with store.write() as uow:
        dana = contacts.create(
            uow, contacts.ContactInput(name="Dana Client", is_customer=True, email="d@x.org")
        ).contact.id
        eli = contacts.create(
            uow,
            contacts.ContactInput(
                name="Eli Late", is_customer=True, payment_terms="end of month + 10 days"
            ),
        ).contact.id
    return store, dana, eli


def _invoice(store: Store, cid: int, day: date, qty: str = "1"):  # noqa: ANN202
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}",
                order_date=day.isoformat(),
                lines=[sales.SOLineInput("SRV", qty)],
            ),
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, when=day)
        return sales.invoice(uow, so.id, when=day)


def test_invoices_and_bills_fall_due_by_the_contacts_terms(shop) -> None:  # noqa: ANN001
    store, dana, eli = shop
    assert _invoice(store, dana, date(2026, 11, 5)).due_on == date(2026, 11, 19)  # net 14
    assert _invoice(store, eli, date(2026, 11, 5)).due_on == date(2026, 12, 10)
    with store.write() as uow:
        assert reminders.set_default_terms(uow, "customer", "net 30 days") == "net 30 days"
    assert _invoice(store, dana, date(2026, 11, 5)).due_on == date(2026, 12, 5)
    with store.write() as uow:
        view = contacts.get(uow, eli)
        assert view.payment_terms == "end of month + 10 days"
        with pytest.raises(ValidationError) as e:
            contacts.update(
                uow, eli, contacts.ContactInput(name="Eli Late", payment_terms="30"), version=1
            )
        assert "write net 30 days" in e.value.fields["payment_terms"]
    # a supplier's bill: net 30 by default, else its terms
    sid = supplier(store)
    product(store, "PART", cost="10")
    for terms_text, due in (("", date(2026, 12, 5)), ("end of month + 0 days", date(2026, 11, 30))):
        with store.write() as uow:
            c = contacts.get(uow, sid)
            data = c.as_input()
            data.payment_terms = terms_text
            contacts.update(uow, sid, data, version=c.version)
        po = order(store, sid, ("PART", "1", "10"))
        with store.write() as uow:
            purchasing.receive(uow, po.id, {po.lines[0].id: "1"})
            b = purchasing.bill(uow, po.id, reference=f"B{terms_text}", bill_date="2026-11-05")
        assert b.due_date == due


def test_a_counter_sale_is_due_the_day_it_is_paid(shop) -> None:  # noqa: ANN001
    store, _dana, eli = shop
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("SRV", "1")], customer=f"#{eli}")
    assert so.invoices[0].due_on == so.invoices[0].issued_on


# --- reminders -----------------------------------------------------------------------------


def _run(store: Store, as_of: date) -> list[reminders.Made]:
    with store.write() as uow:
        return reminders.make_reminders(uow, as_of)


def test_reminders_escalate_once_per_level(shop) -> None:  # noqa: ANN001
    store, dana, _eli = shop
    start = TODAY - timedelta(days=400)
    inv = _invoice(store, dana, start)  # due start + 14
    due = inv.due_on
    assert _run(store, due + timedelta(days=6)) == []  # not yet 7 days late
    first = _run(store, due + timedelta(days=7))
    assert [(m.customer, m.level, m.level_name, m.overdue) for m in first] == [
        ("Dana Client", 1, "friendly", Decimal("100.00"))
    ]
    assert [(c.label, c.days_overdue, c.open) for c in first[0].invoices] == [
        (inv.label, 7, Decimal("100.00"))
    ]
    assert first[0].label == "RM-00001"
    assert _run(store, due + timedelta(days=7)) == []  # run twice: nothing again
    assert _run(store, due + timedelta(days=20)) == []  # still level 1
    second = _run(store, due + timedelta(days=21))
    assert [(m.level, m.level_name) for m in second] == [(2, "second")]
    # a later invoice, never reminded, gets its own first reminder beside the third
    later = _invoice(store, dana, due + timedelta(days=10))  # due 24 days after ``due``
    third = _run(store, due + timedelta(days=45))
    assert [(m.level, m.label, [c.days_overdue for c in m.invoices]) for m in third] == [
        (1, "RM-00003", [21]),
        (3, "RM-00004", [45]),
    ]
    # then one level at a time, as many days apart as the levels are
    assert _run(store, due + timedelta(days=45 + 13)) == []
    fourth = _run(store, due + timedelta(days=45 + 14))
    assert [(m.level, [c.label for c in m.invoices]) for m in fourth] == [(2, [later.label])]
    fifth = _run(store, due + timedelta(days=200))
    assert [(m.level, [c.label for c in m.invoices]) for m in fifth] == [(3, [later.label])]
    assert _run(store, due + timedelta(days=300)) == []  # nothing has a level left to reach
    with store.read() as uow:
        rows = reminders.reminders_of(uow, dana)
        assert [r.level for r in rows] == [3, 2, 3, 1, 2, 1]
        view = reminders.reminder_view(uow, "RM-00004")
        assert view.customer == "Dana Client" and view.level_name == "final"
        assert view.wording.startswith("Despite our reminders")
        assert view.total == view.overdue == Decimal("100.00") and view.fee == 0
        assert [c.open for c in view.invoices] == [Decimal("100.00")]
        assert reminders.reminder_view(uow, "3").label == "RM-00003"
    assert errors(store) == []


def test_a_late_invoice_starts_at_the_first_level(shop) -> None:  # noqa: ANN001
    """50 days late and never reminded: the first reminder is the friendly one, never a
    "final" that speaks of reminders that were not sent (nor its fee)."""
    store, dana, _eli = shop
    inv = _invoice(store, dana, TODAY - timedelta(days=200))
    made = _run(store, inv.due_on + timedelta(days=50))
    assert [(m.level, m.level_name) for m in made] == [(1, "friendly")]
    assert _run(store, inv.due_on + timedelta(days=63)) == []  # 14 days between 1 and 2
    assert [m.level for m in _run(store, inv.due_on + timedelta(days=64))] == [2]
    assert _run(store, inv.due_on + timedelta(days=87)) == []  # 24 days between 2 and 3
    assert [m.level for m in _run(store, inv.due_on + timedelta(days=88))] == [3]


def test_a_spanish_reminder_names_its_columns_as_nouns(shop) -> None:  # noqa: ANN001
    """The reminder in the customer's language: "Invoice", "Open" and "To" head a column or
    a party there, so they read as nouns ("Factura", "Pendiente", "Destinatario"), not as
    the keys that invoice, open or set a date range ("Facturar", "Abrir", "Hasta")."""
    from bizdesk.services import papers
    from tests.test_papers import pdf_text

    store, dana, _eli = shop
    with store.write() as uow:
        view = contacts.get(uow, dana)
        contacts.update(
            uow,
            dana,
            contacts.ContactInput(**{**view.as_input().__dict__, "language": "es"}),
            version=view.version,
        )
    inv = _invoice(store, dana, TODAY - timedelta(days=60))
    made = _run(store, inv.due_on + timedelta(days=7))
    with store.read() as uow:
        text = " ".join(pdf_text(papers.render(uow, "reminder", made[0].label).data).split())
    assert "RECORDATORIO DE PAGO" in text
    assert "Destinatario" in text and "Factura" in text and "Pendiente" in text
    assert "Facturar" not in text and "Abrir" not in text and "Hasta" not in text


def test_part_payments_and_credit_notes_lower_what_is_overdue(shop) -> None:  # noqa: ANN001
    store, dana, _eli = shop
    inv = _invoice(store, dana, TODAY - timedelta(days=100), qty="3")
    with store.write() as uow:
        sales.pay(uow, inv.id, amount="50", when=inv.issued_on + timedelta(days=3))
        so_id = uow.session.get(sales.Invoice, inv.id).order_id
        line = sales.get(uow, so_id).lines[0]
        sales.return_goods(
            uow, so_id, {line.id: "1"}, reason="broken", when=inv.issued_on + timedelta(days=4)
        )
        # a payment after the reminder's day (before today) counts too: the reminder is sent
        # today, and never asks for what was paid since
        sales.pay(uow, inv.id, amount="10", when=inv.due_on + timedelta(days=9))
    made = _run(store, inv.due_on + timedelta(days=8))
    assert [m.overdue for m in made] == [Decimal("140.00")]  # 300 - 60 paid - 100 credited
    with store.write() as uow:
        sales.pay(uow, inv.id, when=inv.due_on + timedelta(days=9))  # the rest
    assert _run(store, inv.due_on + timedelta(days=30)) == []  # paid: no second reminder


def test_a_day_past_never_dunns_an_invoice_paid_since(shop) -> None:  # noqa: ANN001
    """--as-of a day past: an invoice overdue then but paid (or credited) in full after it
    gets no reminder, nor a fee; one still open today is dunned for what is open today."""
    store, dana, eli = shop
    paid = _invoice(store, dana, TODAY - timedelta(days=100))
    credited = _invoice(store, dana, TODAY - timedelta(days=100))
    part = _invoice(store, eli, TODAY - timedelta(days=100), qty="2")
    day = paid.due_on + timedelta(days=30)
    with store.write() as uow:
        sales.pay(uow, paid.id, when=day + timedelta(days=5))
        so_id = uow.session.get(sales.Invoice, credited.id).order_id
        line = sales.get(uow, so_id).lines[0]
        sales.return_goods(uow, so_id, {line.id: "1"}, reason="x", when=day + timedelta(days=5))
        sales.pay(uow, part.id, amount="150", when=day + timedelta(days=5))
    made = _run(store, day)
    assert [(m.customer, m.overdue, [c.open for c in m.invoices]) for m in made] == [
        ("Eli Late", Decimal("50.00"), [Decimal("50.00")])
    ]
    assert errors(store) == []


def test_the_fee_is_posted_exactly_and_check_stays_green(shop) -> None:  # noqa: ANN001
    store, dana, _eli = shop
    with store.write() as uow:
        now = reminders.levels(uow)
        items = [reminders.LevelInput(str(x.days), x.name, x.wording, "") for x in now]
        items[1].fee = "5.50"
        reminders.set_levels(uow, items)
    inv = _invoice(store, dana, TODAY - timedelta(days=100))
    assert [m.fee for m in _run(store, inv.due_on + timedelta(days=7))] == [Decimal(0)]
    made = _run(store, inv.due_on + timedelta(days=21))
    assert [(m.fee, m.total) for m in made] == [(Decimal("5.50"), Decimal("105.50"))]
    with store.read() as uow:
        fees = ledger.account_for(uow, "reminder_fees").code
        receivable = ledger.account_for(uow, "receivable").code
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
        assert tb[fees] == Decimal("-5.50")
        assert tb[receivable] == Decimal("105.50")
    assert errors(store) == []


def test_levels_are_checked(store: Store) -> None:
    with store.write() as uow:
        with pytest.raises(ValidationError) as e:
            reminders.set_levels(
                uow,
                [
                    reminders.LevelInput("10", "first", "", ""),
                    reminders.LevelInput("10", "", "", "abc"),
                    reminders.LevelInput("seven", "third", "", ""),
                ],
            )
        f = e.value.fields
        assert "more days than level 1 (10)" in f["2.days"]
        assert f["2.name"] == "required" and "2.fee" in f
        assert "whole number of days" in f["3.days"]
        saved = reminders.set_levels(uow, [reminders.LevelInput("14", "only", "Pay", "2")])
        assert [(x.level, x.days, x.name, x.fee) for x in saved] == [
            (1, 14, "only", Decimal("2.00"))
        ]


def test_default_levels_are_written_in_the_shops_language(new_store) -> None:  # noqa: ANN001
    store = new_store()
    with store.write() as uow:
        uow.set_setting("locale", "es_ES")
    with store.read() as uow:
        names = [x.name for x in reminders.levels(uow)]
    assert names == ["amistoso", "segundo", "último"]


def test_roles_are_refused(shop) -> None:  # noqa: ANN001
    store, dana, _eli = shop
    with store.write() as uow:
        users.add(uow, "ben", "sales")
        users.add(uow, "ada", "accountant")
    ben = Store(url=store.url, engine=store.engine, user="ben")
    ada = Store(url=store.url, engine=store.engine, user="ada")
    with ben.write() as uow, pytest.raises(PermissionDenied, match="Making payment reminders"):
        reminders.make_reminders(uow)
    with ada.write() as uow, pytest.raises(PermissionDenied, match="Changing reminder levels"):
        reminders.set_levels(uow, [reminders.LevelInput("7", "x", "", "")])
    with ada.write() as uow, pytest.raises(PermissionDenied):
        reminders.set_default_terms(uow, "customer", "net 7 days")
    with ada.write() as uow:
        assert reminders.make_reminders(uow) == []
    with ben.read() as uow:
        assert reminders.reminders_of(uow, dana) == []


def _run_in_process(url: str, as_of: str, ready) -> str:  # noqa: ANN001
    from bizdesk.db import open_store

    store = open_store(url, user="tester")
    ready()
    try:
        with store.write() as uow:
            made = reminders.make_reminders(uow, as_of)
        return ",".join(f"{m.label}:{m.level}" for m in made)
    except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
        return f"{type(exc).__name__}: {exc}"
    finally:
        store.dispose()


def test_two_runs_at_once_make_each_reminder_once(shop) -> None:  # noqa: ANN001
    store, dana, eli = shop
    for cid in (dana, eli, dana):
        _invoice(store, cid, TODAY - timedelta(days=80))
    as_of = TODAY.isoformat()
    outcomes = sorted(run_together(_run_in_process, [(store.url, as_of), (store.url, as_of)]))
    assert outcomes[0] == ""  # the second run found everything done
    assert sorted(x.split(":")[0] for x in outcomes[1].split(",")) == ["RM-00001", "RM-00002"]
    with store.read() as uow:
        assert len(reminders.reminders_of(uow)) == 2
    assert errors(store) == []


@pytest.mark.parametrize(
    ("chart", "present", "code", "name"),
    [
        ("ro", ("758", None), "7581", "Venituri din despăgubiri, amenzi și penalități"),
        ("vn", ("711", None), "711", "Old"),  # the chart's own 711 keeps its name
        (None, ("4000", "sales"), "4910", "Reminder fees"),
    ],
)
def test_an_older_store_gets_the_fee_account_of_its_chart(
    tmp_path, chart, present, code, name
) -> None:  # noqa: ANN001
    """A store from before reminders (schema 0010) is given its chart's account for fees:
    added when missing, or the existing one given the role."""
    from alembic import command
    from sqlalchemy import text

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config

    path = tmp_path / "old.db"
    old = open_store(str(path), user="tester", migrate=False)
    command.upgrade(alembic_config(old), "0010")
    with old.engine.begin() as conn:
        if chart:
            conn.execute(text("INSERT INTO setting VALUES ('chart', :c)"), {"c": chart})
        conn.execute(
            text(
                "INSERT INTO account (code, name, type, role, archived, created_at) "
                "VALUES (:code, 'Old', 'income', :role, 0, '2026-01-01 00:00:00')"
            ),
            {"code": present[0], "role": present[1]},
        )
    old.dispose()
    store = open_store(str(path), user="tester")
    try:
        with store.read() as uow:
            a = ledger.account_for(uow, "reminder_fees")
            assert (a.code, a.name, a.type) == (code, name, "income")
    finally:
        store.dispose()


def test_a_reminder_printed_again_asks_only_for_what_is_left(shop) -> None:  # noqa: ANN001
    """A reminder sent again after its invoice was paid still said "Please pay 105.50 EUR
    now": it asks for what is open today of its invoices and fee (no more than the customer
    owes), or says it is settled."""
    from bizdesk.services import papers
    from bizdesk.services.books.ledger import Posting, account_for, post_entry
    from tests.test_papers import pdf_text

    store, dana, _eli = shop
    with store.write() as uow:
        now = reminders.levels(uow)
        items = [reminders.LevelInput(str(x.days), x.name, x.wording, "5.50") for x in now]
        reminders.set_levels(uow, items)
    inv = _invoice(store, dana, TODAY - timedelta(days=100))
    made = _run(store, inv.due_on + timedelta(days=7))
    assert [m.total for m in made] == [Decimal("105.50")]

    def asks() -> str:
        with store.read() as uow:
            data = papers.render(uow, "reminder", made[0].label).data
        return " ".join(pdf_text(data).split())

    assert "Please pay 105.50 EUR now, quoting RM-00001." in asks()
    with store.write() as uow:
        sales.pay(uow, inv.id, when=inv.due_on + timedelta(days=9))
    assert "Of 105.50 EUR, 100.00 has been paid since: please pay the 5.50 left now" in asks()
    with store.write() as uow:  # the fee paid by an entry, as a fee is
        day = inv.due_on + timedelta(days=10)
        post_entry(
            uow,
            day,
            "Fee RM-00001",
            [
                Posting(account_for(uow, "bank").id, debit_minor=550),
                Posting(account_for(uow, "receivable").id, credit_minor=550, contact_id=dana),
            ],
        )
    assert "Settled in full: nothing is left to pay on RM-00001." in asks()
    assert errors(store) == []
