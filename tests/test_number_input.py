"""Amounts and dates as the services read them: in the shop's locale when typed into the
terminal interface, in the machine form from the command line and from files."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.services.admin import setup
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.crm import contacts
from bizdesk.services.exchange import journal_import
from bizdesk.services.inventory import moves, products
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, order, product, supplier
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)

MACHINE = "use digits with . for decimals and no thousands separator"


def _entry(
    debit: str, credit: str, day: str = "2026-11-02", accounts: tuple[str, str] = ("1010", "3000")
) -> ledger.EntryInput:
    bank, equity = accounts
    return ledger.EntryInput(
        day, "typed", [ledger.LineInput(bank, debit, ""), ledger.LineInput(equity, "", credit)]
    )


VN = ("1121", "4111")  # bank and owner's capital in the Vietnamese chart (a vi_VN store's)


def _post(store, data: ledger.EntryInput) -> ledger.EntryView:  # noqa: ANN001
    with store.write() as uow:
        e = ledger.create_draft(uow, data)
        return ledger.post(uow, e.id, version=e.version)


def _balances(store) -> dict[str, Decimal]:  # noqa: ANN001
    with store.read() as uow:
        return {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}


def test_the_app_reads_forms_in_the_shops_locale(new_store) -> None:  # noqa: ANN001
    store = new_store()
    assert store.input_locale is None  # the command line and files: the machine form
    BizdeskApp(store)
    assert store.input_locale == "en_US"  # the setting made by init
    with store.read() as uow:
        assert uow.input_locale == "en_US"
        with uow.machine_form():
            assert uow.input_locale is None
        assert uow.input_locale == "en_US"


def test_journal_amount_typed_1000_in_an_en_us_form_posts_a_thousand(store) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("1,000", "1,000"))  # machine form: refused, not 1.00
    assert MACHINE in exc.value.fields["line 1 debit"]
    assert _balances(store) == {}
    store.input_locale = "en_US"  # as BizdeskApp sets it
    posted = _post(store, _entry("1,000", "1000.00"))
    assert posted.total_debit == posted.total_credit == Decimal("1000.00")
    assert _balances(store)["1010"] == Decimal("1000.00")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("1.234,56", "1.234,56"))  # not an en_US number
    assert "e.g. 12,345.67" in exc.value.fields["line 1 debit"]
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("2026", "2026", day="20260215"))
    assert "YYYY-MM-DD" in exc.value.fields["date"]
    assert errors(store) == []


def test_the_entry_form_never_says_balanced_with_an_amount_it_cannot_read(store) -> None:  # noqa: ANN001
    """1,0,0 is not read, so not added: "difference 0.00: balanced" was shown beside it."""
    from bizdesk.screens.journal import _totals

    store.input_locale = "en_US"
    lines = [
        ledger.LineInput(account="1010", debit="100.00"),
        ledger.LineInput(account="3000", credit="1,0,0"),
    ]
    with store.read() as uow:
        shown = _totals(uow, lines).plain
        assert shown == (
            "Debits 100.00 · credits 0.00 · 1 amount is not readable: mend it to see the difference"
        )
        lines[1] = ledger.LineInput(account="3000", credit="100")
        assert _totals(uow, lines).plain.endswith("difference 0.00: balanced")


def test_payment_typed_1000_in_an_en_us_form(store) -> None:  # noqa: ANN001
    sid = supplier(store)
    product(store, "BIKE", name="City bike", cost="400", sale_price="1200", vat_rate="0")
    po = order(store, sid, ("BIKE", "2", "400"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("BIKE", "2")])
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id)
        inv = sales.invoice(uow, so.id)
    assert inv.total == Decimal("2400.00")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.pay(uow, inv.id, amount="1,000")  # the command line: refused, never 1.00
    assert MACHINE in exc.value.fields["amount"]
    store.input_locale = "en_US"
    with store.write() as uow:
        sales.pay(uow, inv.id, amount="1,000")
        assert sales._invoice_view(uow, uow.session.get(sales.Invoice, inv.id)).open == Decimal(
            "1400.00"
        )
        with pytest.raises(ValidationError, match="at most 2 decimals"):
            sales.pay(uow, inv.id, amount="1.000")  # a thousand in es_ES: never 1.00 here
    assert _balances(store)["1100"] == Decimal("1400.00")
    assert errors(store) == []


@pytest.fixture
def vnd_store(tmp_path):  # noqa: ANN001, ANN201
    store = open_store(str(tmp_path / "vnd.db"), user="tester")
    with store.write() as uow:
        setup.initialize(uow, company="Cửa hàng", currency="VND", locale="vi_VN")
    BizdeskApp(store)  # forms typed in the shop's locale
    yield store
    store.dispose()


def test_a_vnd_store_reads_what_its_screens_show(vnd_store) -> None:  # noqa: ANN001
    store = vnd_store
    assert store.input_locale == "vi_VN"
    with store.write() as uow:
        p = products.create_product(
            uow, products.ProductInput("PHO", "Phở bò", sale_price="1.500.000", cost="350.000")
        )
        assert (p.sale_price, p.cost) == (Decimal("1500000"), Decimal("350000"))
        for typed in ("1,000", "350,5", "1,299.99"):  # never 1, 350 or 1,29999 dong
            with pytest.raises(ValidationError) as exc:
                products.update_product(
                    uow, p.id, products.ProductInput("PHO", "Phở bò", sale_price=typed), version=1
                )
            assert "1.234.567" in exc.value.fields["sale_price"]
    posted = _post(store, _entry("1.500.000", "1500000", accounts=VN))
    assert posted.total_debit == Decimal("1500000")
    with store.read() as uow:
        assert uow.exponent == 0
    store.input_locale = None  # the same store from the command line
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("1.500.000", "1.500.000", accounts=VN))
    assert "use digits only, no thousands separator" in exc.value.fields["line 1 debit"]


def test_imports_read_the_machine_form_even_in_a_locale_store(store) -> None:  # noqa: ANN001
    store.input_locale = "en_US"
    data = 'entry,date,account,debit,credit,memo,contact\nA,2026-11-01,1010,"12,500",,,\n'
    data += 'A,2026-11-01,3000,,"12,500",,\n'
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    assert "line 2: debit" in str(exc.value) and MACHINE in str(exc.value)
    assert _balances(store) == {}


@pytest.mark.parametrize("typed", ["１２３", "٣", "12.", "1_000", "1e3", "2,000", "12.500", "+5"])
def test_journal_import_amounts_are_the_machine_form(store, typed) -> None:  # noqa: ANN001
    data = "entry,date,account,debit,credit\n"
    data += f'A,2026-11-01,1010,"{typed}",\nA,2026-11-01,3000,,5\n'
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    assert "line 2: debit" in str(exc.value)
    assert _balances(store) == {}


@pytest.mark.parametrize("typed", ["2026-W07-1", "20260215", "0001-01-01", "2026-02-30", ""])
def test_journal_import_dates_are_iso_days(store, typed) -> None:  # noqa: ANN001
    data = f"entry,date,account,debit,credit\nA,{typed},1010,5,\nA,{typed},3000,,5\n"
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    assert "line 2: date: " in str(exc.value)
    assert _balances(store) == {}


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [
        (("report", "profit-loss"), "--from", "20260215"),
        (("report", "profit-loss"), "--to", "2026-W07-1"),
        (("report", "trial-balance"), "--as-of", "0001-01-01"),
        (("report", "trial-balance"), "--as-of", "2026-02-30"),
        (("audit",), "--since", "20260215"),
    ],
)
def test_cli_refuses_dates_that_are_not_iso_days(db, command, option, value) -> None:  # noqa: ANN001
    r = bizdesk(*command, "--db", db, option, value)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"{option}: {value!r}" in r.stderr or f"{option}: {value} is outside" in r.stderr
    assert any(hint in r.stderr for hint in ("YYYY-MM-DD", "no such day", "1900-01-01 to"))
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("kind", "csv", "message"),
    [
        (
            "journal",
            'entry,date,account,debit,credit\nA,2026-11-01,1010,"12,500",\n'
            'A,2026-11-01,3000,,"12,500"\n',
            "line 2: debit",
        ),
        ("stock-count", 'sku,counted\nBOLT,"2,000"\n', "line 2: counted: "),
        ("products", 'sku,name,sale_price\nNUT,Nut,"1,299.99"\n', "line 2: sale_price: "),
    ],
)
def test_cli_import_refuses_grouped_numbers_by_line_and_column(db, kind, csv, message) -> None:  # noqa: ANN001
    r = bizdesk("import", "products", "-", "--db", db, stdin="sku,name,cost\nBOLT,Bolt,0.20\n")
    assert r.returncode == 0, r.stderr
    r = bizdesk("import", kind, "-", "--db", db, stdin=csv)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert message in r.stderr and MACHINE in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    tb = bizdesk("report", "trial-balance", "--db", db, "--format", "json")
    assert json.loads(tb.stdout)["rows"] == []  # nothing was posted, not even a stock count


def test_cli_import_reads_a_named_locale_and_only_that(db) -> None:  # noqa: ANN001
    journal = 'entry,date,account,debit,credit\nA,2026-11-01,1010,"1.234,56",\n'
    journal += 'A,2026-11-01,3000,,"1.234,56"\n'
    r = bizdesk("import", "journal", "-", "--db", db, stdin=journal)
    assert r.returncode == 1 and MACHINE in r.stderr, r.stderr  # no locale named: refused
    r = bizdesk("import", "journal", "-", "--db", db, "--locale", "es_ES", stdin=journal)
    assert r.returncode == 0, r.stderr
    # in es_ES "." groups thousands: the machine form's 1234.56 is not silently 123456
    plain = (
        "entry,date,account,debit,credit\nB,2026-11-01,1010,1234.56,\nB,2026-11-01,3000,,1234.56\n"
    )
    r = bizdesk("import", "journal", "-", "--db", db, "--locale", "es_ES", stdin=plain)
    assert r.returncode == 1 and "line 2: debit" in r.stderr, r.stderr
    r = bizdesk("import", "products", "-", "--db", db, "--locale", "de_DE",
                stdin='sku,name,sale_price\nNUT,Nut,"1.299,99"\n')  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = bizdesk("export", "products", "--format", "json", "--db", db)
    assert json.loads(r.stdout)[0]["sale_price"] == "1299.99"
    tb = bizdesk("report", "trial-balance", "--db", db, "--format", "json")
    cash = [row for row in json.loads(tb.stdout)["rows"] if row["account"] == "1010"]
    assert cash and cash[0]["debit"] == "1234.56"
    for bad in ("xx_YY", "es-ES", ""):
        r = bizdesk("import", "journal", "-", "--db", db, "--locale", bad, stdin=journal)
        assert r.returncode == 2 and "--locale" in r.stderr and "Traceback" not in r.stderr
    r = bizdesk("import", "contacts", "-", "--db", db, "--locale", "es_ES", stdin="name\nAna\n")
    assert r.returncode == 2 and "no numbers" in r.stderr


# --- forms prefill numbers the way they read them back ------------------------------------------


async def test_a_product_form_saved_unchanged_keeps_its_numbers(vnd_store) -> None:  # noqa: ANN001
    from textual.widgets import Input

    from bizdesk.screens.stock import product_form
    from bizdesk.widgets.form import FormScreen
    from tests.tui_helpers import SIZE, settle

    store = vnd_store
    with store.write() as uow:
        p = products.create_product(
            uow,
            products.ProductInput(
                "PHO", "Phở bò", "bát", "1.500.000", "350.000", "8,5", "", "2,5", "1.000"
            ),
        )
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        with store.read() as uow:
            app.push_screen(product_form(products.get_product(uow, p.id)))
        await settle(pilot, app)
        form = app.screen
        shown = {
            name: form.query_one(f"#f-{name}", Input).value
            for name in ("sale_price", "cost", "vat_rate", "reorder_point", "reorder_qty")
        }
        assert shown == {
            "sale_price": "1.500.000",
            "cost": "350.000",
            "vat_rate": "8,5",
            "reorder_point": "2,5",
            "reorder_qty": "1.000",
        }
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen), form.query_one("#form-error").render()
    with store.read() as uow:
        after = products.get_product(uow, p.id)
    assert (after.sale_price, after.cost, after.vat_rate) == (1500000, 350000, Decimal("8.5"))
    assert (after.reorder_point, after.reorder_qty) == (Decimal("2.5"), 1000)


async def test_a_journal_draft_saved_unchanged_keeps_its_amounts(store) -> None:  # noqa: ANN001
    from textual.widgets import DataTable

    from bizdesk.screens.journal import entry_form
    from bizdesk.widgets.lines_form import LinesFormScreen
    from tests.tui_helpers import SIZE, settle

    with store.write() as uow:
        draft = ledger.create_draft(uow, _entry("1234567.50", "1234567.50"))
    app = BizdeskApp(store)  # en_US
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(entry_form(draft))
        await settle(pilot, app)
        form = app.screen
        assert [ln["debit"] for ln in form.lines] == ["1,234,567.50", ""]
        grid = form.query_one("#lines", DataTable)
        assert str(grid.get_row_at(1)[3]) == "1,234,567.50"  # the credit column
        assert "balanced" in str(form.query_one("#totals").render())
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, LinesFormScreen), form.query_one("#form-error").render()
    with store.read() as uow:
        saved = ledger.get_entry(uow, draft.id)
    assert saved.total_debit == saved.total_credit == Decimal("1234567.50")


# --- every numeric and date field of the services refuses the bad inputs, and stores nothing ----

BAD_NUMBERS = ["1_000", "１２３", "1e3", "NaN", "Infinity", "-", "+5", "1" * 10_000, "1.0001"]
MACHINE_ONLY = ["1,000", "12,500", "1,299.99"]  # fine in an en_US form, refused in a file
BAD_DATES = ["2026-W07-1", "20260215", "0001-01-01", "2026-02-30", "31/12/2026"]


@pytest.mark.parametrize("input_locale", [None, "en_US", "vi_VN"])
def test_every_number_and_date_field_refuses_and_stores_nothing(store, input_locale) -> None:  # noqa: ANN001
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.trade import deals

    pid = product(store, "NUT", cost="1")
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
    store.input_locale = input_locale

    def new_product(field: str):  # noqa: ANN202
        return lambda uow, t: products.create_product(
            uow, products.ProductInput("BOLT", "Bolt", **{field: t})
        )

    def new_deal(field: str):  # noqa: ANN202
        return lambda uow, t: deals.create(
            uow, deals.DealInput(title="Deal", contact=f"#{cid}", **{field: t})
        )

    number_fields = {
        **{f: new_product(f) for f in ("sale_price", "cost", "vat_rate")},
        **{f: new_product(f) for f in ("reorder_point", "reorder_qty")},
        "amount": new_deal("amount"),
        "probability": new_deal("probability"),
        "line 1 debit": lambda uow, t: ledger.create_draft(uow, _entry(t, "5")),
        "qty": lambda uow, t: moves.adjust(uow, pid, t, "found"),
        "counted": lambda uow, t: moves.count(uow, pid, t),
    }
    date_fields = {
        "expected_close": new_deal("expected_close"),
        "date": lambda uow, t: ledger.create_draft(uow, _entry("5", "5", day=t)),
    }
    bad_numbers = BAD_NUMBERS + (MACHINE_ONLY if input_locale is None else [])
    signed = {"qty"}  # an adjustment's "+in / -out" takes an explicit plus
    cases = [
        (f, call, t)
        for f, call in number_fields.items()
        for t in bad_numbers
        if not (f in signed and t == "+5")
    ]
    cases += [(f, call, t) for f, call in date_fields.items() for t in BAD_DATES]
    wrong = []
    for field, call, text in cases:
        with store.write() as uow:
            try:
                call(uow, text)
            except ValidationError as exc:
                message = exc.fields.get(field, "")
                if not message or len(message) > 300:
                    wrong.append((field, text[:20], exc.fields))
            else:
                wrong.append((field, text[:20], "accepted"))
    assert wrong == []
    with store.read() as uow:
        assert [p.sku for p in products.list_products(uow, PageRequest()).rows] == ["NUT"]
        assert deals.list_page(uow, PageRequest()).rows == []
        assert ledger.list_entries(uow, PageRequest()).rows == []
        assert products.get_product(uow, pid).on_hand == 0


@pytest.mark.parametrize("typed", ["1_0", "１２", "+5", "1e1", "8.5", "NaN"])
def test_support_targets_are_read_by_the_same_reader(store, typed) -> None:  # noqa: ANN001
    from bizdesk.services.crm import tickets

    with store.write() as uow, pytest.raises(ValidationError) as exc:
        tickets.set_sla_policy(uow, {"urgent": (typed, "24")})
    assert f"'{typed}'" in exc.value.fields["urgent"]  # the value and the form expected
    with store.write() as uow:
        tickets.set_sla_policy(uow, {"urgent": ("2", "24")})
    with store.read() as uow:
        assert tickets.sla_policy(uow)["urgent"] == (2, 24)
