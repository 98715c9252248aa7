"""Hostile strings: user text is shown literally everywhere and never breaks the screen."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from textual.widgets import Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.errors import ValidationError
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.admin import setup
from bizdesk.services.admin import users as U
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.books import ledger as L
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.exchange import crm_imports as I
from bizdesk.services.exchange import erp_imports as E
from bizdesk.services.exchange import journal_import as J
from bizdesk.services.inventory import locations, moves, products
from bizdesk.services.trade import deals as D
from bizdesk.services.trade import purchasing as PU
from bizdesk.services.trade import sales as SA
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.tui_helpers import SIZE, settle

LITERAL = [
    "[bold]x[/]",
    "[/]",
    "Bolt [M8]",
    "Velo 🚲 ☕ 👍🏽",
    "שלום עולם",
    "مرحبا بالعالم",
    "[@click=app.quit]quit[/]",
    "$var {x}",
]
ANSI = "Evil \x1b[31mred\x1b[0m \x1b]0;title\x07"
LONG = "L" * 10_000


def table_text(app: BizdeskApp) -> str:
    grid = app.query_one("#contacts-table", PagedTable).grid
    return "\n".join(str(cell) for row in range(grid.row_count) for cell in grid.get_row_at(row))


@pytest.mark.parametrize("name", LITERAL)
async def test_literal_names_through_form_table_detail_and_notification(store, name):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        app.screen.query_one("#f-name", Input).value = name
        app.screen.query_one("#f-notes").text = name
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
        assert name in table_text(app)
        assert any(name in str(n.message) for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        details = app.screen.query_one("#details", Static).render()
        assert name in str(details)
        assert app.is_running  # [@click=app.quit] did not quit, markup did not apply
    with store.read() as uow:
        assert C.list_page(uow, PageRequest()).rows[0].name == name


@pytest.mark.parametrize(
    ("value", "fragment"), [(ANSI, "control character (U+001B, escape)"), (LONG, "too long")]
)
async def test_refused_names_explained_in_the_form(store, value, fragment):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        app.screen.query_one("#f-name", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert fragment in str(app.screen.query_one("#e-name", Static).render())
    with store.read() as uow:
        assert C.counts(uow)["contacts"] == 0


async def test_hostile_ticket_thread_renders_literally(store):
    with store.write() as uow:
        t = T.create(uow, T.TicketInput(subject="[red]Bolt [M8][/red]"))
        T.add_comment(uow, t.id, "[b]not bold[/b]\nשלום 🚲")
    from bizdesk.screens.tickets import TicketScreen

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(TicketScreen(t.id))
        await settle(pilot, app)
        text = str(app.screen.query_one("#ticket", Static).render())
        assert "[red]Bolt [M8][/red]" in text and "[b]not bold[/b]" in text


def run_cli(
    *args: str, stdin: bytes | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_hostile_names_through_cli_import_export_and_reports(tmp_path):
    db = str(tmp_path / "cli.db")
    assert run_cli("init", "--db", db).returncode == 0  # only init makes a store
    rows = ["name,city,tags"] + [f'"{n}","{n}",' for n in LITERAL] + [f"{LONG[:200]},x,"]
    r = run_cli("import", "contacts", "-", "--db", db, stdin="\n".join(rows).encode())
    assert r.returncode == 0, r.stderr
    out = run_cli("export", "contacts", "--db", db, "--format", "json")
    names = [c["name"] for c in json.loads(out.stdout)]
    for n in LITERAL:
        assert n in names
    seg = run_cli("report", "segments", "--by", "city", "--db", db)
    assert seg.returncode == 0
    text = seg.stdout.decode()
    assert "[bold]x[/]" in text and "Bolt [M8]" in text and "[/]" in text
    assert "\x1b[1m" not in text  # nothing was turned into styling
    bad = run_cli("import", "contacts", "-", "--db", db, stdin=f"name\n{ANSI}\n{LONG}\n".encode())
    assert bad.returncode == 1
    assert "line 2: name: contains a control character (U+001B" in bad.stderr.decode()
    assert "line 3: name: too long" in bad.stderr.decode()


# --- the text rule: every text field of every service, and every CSV text column ---------

# (value, the code point a refusal must name); refused in every field
REFUSED = [
    ("\x1b[2J", "U+001B"),
    ("Evil \x1b]0;title\x07", "U+001B"),
    ("nul\x00byte", "U+0000"),
    ("bell\x07", "U+0007"),
    ("Invoice\u202egpj.exe", "U+202E"),
    ("iso\u2066late\u2069", "U+2066"),
    ("carriage\rreturn", "U+000D"),
    ("c1\x9b31m", "U+009B"),
    ("lone\ud800surrogate", "U+D800"),
    ("para\u2029graph", "U+2029"),
]
# refused in a one-line field, kept in a multi-line one
LINE_BREAKS = [("two\nlines", "U+000A"), ("tab\tbed", "U+0009")]
# stored and shown exactly as typed
ACCEPTED = [
    "Velo 🚲 ☕ 👍🏽",
    "שלום עולם",
    "مرحبا بالعالم",
    "[bold]x[/]",
    "[@click=app.quit]q[/]",
    "rtl mark \u200f ok",
]
_n = itertools.count(1)


def _customer(uow) -> int:  # noqa: ANN001
    return C.create(uow, C.ContactInput(name=f"Customer {next(_n)}", is_customer=True)).contact.id


def _supplier(uow) -> int:  # noqa: ANN001
    data = C.ContactInput(name=f"Supplier {next(_n)}", kind="organization", is_supplier=True)
    return C.create(uow, data).contact.id


def _sku(uow) -> str:  # noqa: ANN001
    sku = f"P{next(_n)}"
    products.create_product(
        uow, products.ProductInput(sku=sku, name=sku, sale_price="10", cost="4")
    )
    return sku


def _deal(uow) -> D.DealView:  # noqa: ANN001
    return D.create(uow, D.DealInput(title=f"Deal {next(_n)}", contact=f"#{_customer(uow)}"))


def _entry(memo: str = "", line_memo: str = "") -> L.EntryInput:
    return L.EntryInput(
        date="2026-11-02",
        memo=memo,
        lines=[
            L.LineInput(account="1010", debit="1", memo=line_memo),
            L.LineInput(account="3000", credit="1"),
        ],
    )


def _po(uow, notes: str = "", desc: str = "") -> PU.POView:  # noqa: ANN001
    line = PU.POLineInput(product=_sku(uow), qty="2", unit_cost="3", description=desc)
    return PU.create(uow, PU.POInput(supplier=f"#{_supplier(uow)}", notes=notes, lines=[line]))


def _so(uow, notes: str = "", desc: str = "") -> SA.SOView:  # noqa: ANN001
    line = SA.SOLineInput(product=_sku(uow), qty="1", unit_price="5", description=desc)
    return SA.create(uow, SA.SOInput(customer=f"#{_customer(uow)}", notes=notes, lines=[line]))


def _bill(uow, ref: str) -> str:  # noqa: ANN001
    po = PU.send(uow, _po(uow).id)
    PU.receive(uow, po.id, {ln.id: "2" for ln in po.lines})
    return PU.bill(uow, po.id, reference=ref).reference


def _last_move_reason(uow) -> str:  # noqa: ANN001
    from sqlalchemy import select

    from bizdesk.models.stock import StockMove

    return uow.session.scalars(select(StockMove.reason).order_by(StockMove.id.desc())).first()


def _new_product_id(uow) -> int:  # noqa: ANN001
    return products.resolve_product(uow, _sku(uow)).id


def _contact(field: str):  # noqa: ANN202
    return lambda uow, x: getattr(
        C.create(uow, C.ContactInput(**{"name": "Someone", field: x})).contact, field
    )


def _ticket(field: str):  # noqa: ANN202
    def write(uow, x):  # noqa: ANN001, ANN202
        data = T.TicketInput(**{"subject": "Help", field: x})
        return getattr(T.create(uow, data), field)

    return write


def _deal_field(field: str):  # noqa: ANN202
    def write(uow, x):  # noqa: ANN001, ANN202
        data = D.DealInput(**{"title": "A deal", "contact": f"#{_customer(uow)}", field: x})
        return getattr(D.create(uow, data), field)

    return write


def _product(field: str):  # noqa: ANN202
    def write(uow, x):  # noqa: ANN001, ANN202
        data = products.ProductInput(**{"sku": f"Q{next(_n)}", "name": "Widget", field: x})
        return getattr(products.create_product(uow, data), field)

    return write


def _update_contact(uow, x):  # noqa: ANN001, ANN202
    saved = C.create(uow, C.ContactInput(name="Before")).contact
    return C.update(uow, saved.id, C.ContactInput(name=x), version=saved.version).contact.name


def _update_ticket(uow, x):  # noqa: ANN001, ANN202
    t = T.create(uow, T.TicketInput(subject="Before"))
    return T.update(uow, t.id, T.TicketInput(subject=x), version=t.version).subject


def _update_product(uow, x):  # noqa: ANN001, ANN202
    p = products.create_product(uow, products.ProductInput(sku=f"U{next(_n)}", name="Before"))
    data = products.ProductInput(sku=p.sku, name=x)
    return products.update_product(uow, p.id, data, version=p.version).name


def _update_draft(uow, x):  # noqa: ANN001, ANN202
    e = L.create_draft(uow, _entry())
    return L.update_draft(uow, e.id, _entry(memo=x), version=e.version).memo


def _reverse(uow, x):  # noqa: ANN001, ANN202
    e = L.create_draft(uow, _entry())
    e = L.post(uow, e.id, version=e.version)
    return L.reverse(uow, e.id, memo=x).memo


def _deal_close(won: bool):  # noqa: ANN202
    def write(uow, x):  # noqa: ANN001, ANN202
        d = _deal(uow)
        return (D.win if won else D.lose)(uow, d.id, x, version=d.version).close_reason

    return write


def _deal_line(uow, x):  # noqa: ANN001, ANN202
    d = _deal(uow)
    line = D.LineInput(description=x, qty="1", unit_price="2")
    return D.set_lines(uow, d.id, [line], version=d.version).lines[0].description


@dataclass(frozen=True)
class TextField:
    """A text field of a service call: ``write(uow, value)`` returns what was stored."""

    id: str
    field: str  # the name the ValidationError gives it
    write: Callable[[Any, str], str]
    multiline: bool = False
    free: bool = True  # free text (else a lookup/choice: only the refusals are checked)
    accepted: tuple[str, ...] = tuple(ACCEPTED)
    norm: Callable[[str], str] = staticmethod(lambda s: s)  # a documented normal form


UPPER = staticmethod(str.upper)
TEXT_FIELDS = [
    *(TextField(f"contact.{f}", f, _contact(f)) for f in ("name", "street", "city", "source")),
    TextField("contact.postcode", "postcode", _contact("postcode"), accepted=("שלום", "🚲")),
    TextField("contact.notes", "notes", _contact("notes"), multiline=True),
    *(
        TextField(f"contact.{f}", f, _contact(f), free=False)
        for f in ("email", "phone", "country", "owner", "organization", "tags", "kind", "stage")
    ),
    TextField("contact.update.name", "name", _update_contact),
    TextField(
        "interaction.summary",
        "summary",
        lambda uow, x: C.log_interaction(uow, _customer(uow), "call", x).summary,
        multiline=True,
    ),
    TextField("stage.name", "name", lambda uow, x: D.add_stage(uow, x, "50").name),
    TextField(
        "stage.rename",
        "name",
        lambda uow, x: D.update_stage(uow, D.add_stage(uow, f"S{next(_n)}", "5").id, name=x).name,
    ),
    TextField("deal.title", "title", _deal_field("title")),
    TextField("deal.next_activity", "next_activity", _deal_field("next_activity")),
    *(
        TextField(f"deal.{f}", f, _deal_field(f), free=False)
        for f in ("owner", "organization", "stage")
    ),
    TextField(
        "deal.contact",
        "contact",
        lambda uow, x: D.create(uow, D.DealInput(title="t", contact=x)).contact,
        free=False,
    ),
    TextField("deal.won_reason", "reason", _deal_close(True)),
    TextField("deal.lost_reason", "reason", _deal_close(False)),
    TextField("deal.line", "line 1 description", _deal_line),
    TextField("ticket.subject", "subject", _ticket("subject")),
    TextField("ticket.description", "description", _ticket("description"), multiline=True),
    *(
        TextField(f"ticket.{f}", f, _ticket(f), free=False)
        for f in ("contact", "assignee", "link_kind", "priority")
    ),
    TextField("ticket.update.subject", "subject", _update_ticket),
    TextField(
        "ticket.comment",
        "body",
        lambda uow, x: (
            T.add_comment(uow, T.create(uow, T.TicketInput(subject="s")).id, x).comments[-1].body
        ),
        multiline=True,
    ),
    TextField(
        "product.sku", "sku", _product("sku"), accepted=("Velo🚲", "שלום", "[B]X"), norm=UPPER
    ),
    TextField("product.name", "name", _product("name")),
    TextField("product.unit", "unit", _product("unit"), accepted=("שלום", "🚲", "[b]x[/]")),
    TextField("product.supplier", "supplier", _product("supplier"), free=False),
    TextField("product.update.name", "name", _update_product),
    TextField("location.name", "name", lambda uow, x: locations.add_location(uow, x).name),
    TextField(
        "stock.adjust.reason",
        "reason",
        lambda uow, x: (moves.adjust(uow, _new_product_id(uow), "1", x), _last_move_reason(uow))[1],
    ),
    TextField(
        "stock.count.reason",
        "reason",
        lambda uow, x: (moves.count(uow, _new_product_id(uow), "3", x), _last_move_reason(uow))[1],
    ),
    TextField(
        "stock.adjust.location",
        "location",
        lambda uow, x: moves.adjust(uow, _new_product_id(uow), "1", "r", location=x),
        free=False,
    ),
    TextField(
        "account.code",
        "code",
        lambda uow, x: L.add_account(uow, x, "Name", "expense").code,
        accepted=("[b]x[/]", "שלום", "🚲☕"),
    ),
    TextField(
        "account.name", "name", lambda uow, x: L.add_account(uow, f"9{next(_n)}", x, "expense").name
    ),
    TextField(
        "account.rename",
        "name",
        lambda uow, x: (
            L.rename_account(
                uow, L.add_account(uow, f"8{next(_n)}", "Before", "expense").id, x
            ).name
        ),
    ),
    TextField("entry.memo", "memo", lambda uow, x: L.create_draft(uow, _entry(memo=x)).memo),
    TextField(
        "entry.line.memo",
        "line 1 memo",
        lambda uow, x: L.create_draft(uow, _entry(line_memo=x)).lines[0].memo,
    ),
    TextField("entry.update.memo", "memo", _update_draft),
    TextField("entry.reversal.memo", "memo", _reverse),
    TextField("po.notes", "notes", lambda uow, x: _po(uow, notes=x).notes, multiline=True),
    TextField(
        "po.line", "line 1 description", lambda uow, x: _po(uow, desc=x).lines[0].description
    ),
    TextField("bill.reference", "reference", _bill),
    TextField("so.notes", "notes", lambda uow, x: _so(uow, notes=x).notes, multiline=True),
    TextField(
        "so.line", "line 1 description", lambda uow, x: _so(uow, desc=x).lines[0].description
    ),
    TextField(
        "so.return.reason",
        "reason",
        lambda uow, x: SA.return_goods(uow, _so(uow).id, {}, reason=x),
        free=False,
    ),
    TextField(
        "user.full_name",
        "full_name",
        lambda uow, x: U.add(uow, f"user{next(_n)}", "sales", x).full_name,
    ),
]


def _attempt(store, f: TextField, value: str):  # noqa: ANN001, ANN202
    """What the service did with ``value``: ("stored", text) or ("refused", fields)."""
    try:
        with store.write() as uow:
            return "stored", f.write(uow, value)
    except ValidationError as exc:
        return "refused", exc.fields


@pytest.mark.parametrize("f", TEXT_FIELDS, ids=lambda f: f.id)
def test_every_text_field_refuses_hostile_text_naming_it_or_stores_it_literally(store, f):
    refused = REFUSED + ([] if f.multiline else LINE_BREAKS)
    for value, code in refused:
        outcome, got = _attempt(store, f, value)
        assert outcome == "refused", f"{f.id} stored {value!r} as {got!r}"
        assert f.field in got, f"{f.id}: {value!r} refused without naming {f.field}: {got}"
        assert code in got[f.field], f"{f.id}: {got[f.field]!r} does not name {code}"
    outcome, got = _attempt(store, f, LONG)
    if outcome == "refused":
        assert "too long" in got[f.field]
    else:
        assert got == LONG
    if not f.free:
        return
    kept = list(f.accepted) + (["two\nlines", "tab\tbed"] if f.multiline else [])
    for value in kept:
        outcome, got = _attempt(store, f, value)
        assert (outcome, got) == ("stored", f.norm(value)), f"{f.id}: {value!r}"
    if f.multiline:  # a Windows line ending is a line break; a lone \r is refused above
        assert _attempt(store, f, "a\r\nb") == ("stored", "a\nb")


@pytest.mark.parametrize("value", [v for v, _ in REFUSED[:5]] + ["L" * 201])
def test_the_company_name_is_checked_at_init(new_store, tmp_path, value):
    from bizdesk.db import open_store

    s = open_store(str(tmp_path / "fresh.db"), user="tester")
    try:
        with pytest.raises(ValidationError) as exc, s.write() as uow:
            setup.initialize(uow, company=value)
        assert "company" in exc.value.fields
        with s.read() as uow:
            assert not setup.is_initialized(uow)
    finally:
        s.dispose()


@pytest.mark.parametrize("value", ACCEPTED)
def test_a_company_name_in_any_script_is_kept(tmp_path, value):
    from bizdesk.db import open_store

    s = open_store(str(tmp_path / "fresh.db"), user="tester")
    try:
        with s.write() as uow:
            setup.initialize(uow, company=value)
        assert s.settings()["company"] == value
    finally:
        s.dispose()


def _csv(rows: list[dict[str, str]]) -> str:
    import csv
    import io

    out = io.StringIO(newline="")
    names = list(dict.fromkeys(k for r in rows for k in r))
    w = csv.DictWriter(out, fieldnames=names, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


# import kind -> (columns, the row a hostile cell goes into, more rows, the columns whose
# refusal must name the character's code: text read through the text rule)
_JOURNAL_ROW = {"entry": "A", "date": "2026-11-02", "account": "1010", "debit": "1"}
IMPORTS = {
    "contacts": (
        I.CONTACT_COLUMNS,
        {"name": "Ann"},
        [],
        set(I.CONTACT_COLUMNS) - {"id"},  # id is a number: refused as "not a contact number"
    ),
    "products": (
        E.PRODUCT_COLUMNS,
        {"sku": "NEW-1", "name": "Thing"},
        [],
        {"sku", "name", "unit", "supplier"},
    ),
    "stock_count": (
        E.STOCK_COUNT_COLUMNS,
        {"sku": "BOLT-1", "counted": "5"},
        [],
        {"sku", "location", "reason"},
    ),
    "journal": (
        J.JOURNAL_COLUMNS,
        _JOURNAL_ROW,
        [{**_JOURNAL_ROW, "account": "3000", "debit": "", "credit": "1"}],
        {"entry", "memo"},
    ),
}


def _import(store, kind: str, data: str):  # noqa: ANN001, ANN202
    run = {
        "contacts": I.import_contacts,
        "products": E.import_products,
        "stock_count": E.import_stock_count,
        "journal": J.import_journal,
    }[kind]
    if kind in ("contacts", "journal"):  # these stream: they take the store, not a unit
        return run(store, data)
    with store.write() as uow:
        return run(uow, data)


@pytest.mark.parametrize("kind", IMPORTS)
def test_every_csv_column_refuses_hostile_text_naming_line_and_column(store, kind):
    with store.write() as uow:
        products.create_product(uow, products.ProductInput(sku="BOLT-1", name="Bolt"))
    columns, row, more, coded = IMPORTS[kind]
    for col in columns:
        for value, code in REFUSED + LINE_BREAKS:
            if col == "notes" and value in ("two\nlines", "tab\tbed"):
                continue  # a contact's notes are multi-line
            blank = dict.fromkeys(columns, "")
            rows = [{**blank, **row, col: value}, *({**blank, **r} for r in more)]
            with pytest.raises(ValidationError) as exc:
                _import(store, kind, _csv(rows))
            lines = exc.value.fields["file"].splitlines()
            named = [
                ln for ln in lines if f": {col}:" in ln or f": {col}/" in ln or f"/{col}:" in ln
            ]
            assert named, f"{kind}.{col} = {value!r}: {lines}"
            if col in coded:
                assert code in named[0], f"{kind}.{col} = {value!r}: {named[0]}"


def test_csv_text_in_any_script_is_imported_literally(store):
    with store.write() as uow:
        products.create_product(uow, products.ProductInput(sku="BOLT-1", name="Bolt"))
    people = [
        {"name": v, "city": v, "street": v, "notes": v + "\nsecond line\twith a tab"}
        for v in ACCEPTED
    ]
    assert _import(store, "contacts", _csv(people)).created == len(ACCEPTED)
    rows = [{"sku": f"LIT-{i}", "name": v, "unit": "pcs"} for i, v in enumerate(ACCEPTED)]
    assert _import(store, "products", _csv(rows)).created == len(ACCEPTED)
    _import(store, "stock_count", _csv([{"sku": "BOLT-1", "counted": "3", "reason": ACCEPTED[1]}]))
    journal = []
    credit = {"account": "3000", "debit": "", "credit": "1"}
    for v in ACCEPTED:  # no memo: the entry's memo is made from its key
        journal += [{**_JOURNAL_ROW, "entry": v}, {**_JOURNAL_ROW, "entry": v, **credit}]
    journal += [  # memos
        {**_JOURNAL_ROW, "entry": "memos", "memo": ACCEPTED[1]},
        {**_JOURNAL_ROW, "entry": "memos", **credit, "memo": ACCEPTED[2]},
    ]
    assert _import(store, "journal", _csv(journal)).created == len(ACCEPTED) + 1
    with store.read() as uow:
        got = {
            C.get(uow, r.id).name: C.get(uow, r.id)
            for r in C.list_page(uow, PageRequest(limit=50)).rows
        }
        for v in ACCEPTED:
            assert (got[v].city, got[v].street) == (v, v)
            assert got[v].notes == v + "\nsecond line\twith a tab"
            assert (
                products.get_product(
                    uow, products.resolve_product(uow, f"LIT-{ACCEPTED.index(v)}").id
                ).name
                == v
            )
        assert _last_move_reason(uow) == ACCEPTED[1]
        memos = [L.get_entry(uow, r.id) for r in L.list_entries(uow, PageRequest(limit=50)).rows]
        # an entry without a memo takes its key: "Imported entry <key>", literally
        keyed = {f"Imported entry {v}" for v in ACCEPTED}
        assert {e.memo for e in memos} == keyed | {ACCEPTED[1]}
        lines = [ln.memo for e in memos if e.memo == ACCEPTED[1] for ln in e.lines]
        assert sorted(lines) == sorted(ACCEPTED[1:3])


def test_journal_entry_key_with_an_escape_is_refused_before_it_becomes_a_memo(store):
    data = _csv(
        [
            {**_JOURNAL_ROW, "entry": "\x1b[2J"},
            {**_JOURNAL_ROW, "entry": "\x1b[2J", "account": "3000", "debit": "", "credit": "1"},
        ]
    )
    with pytest.raises(ValidationError) as exc:
        _import(store, "journal", data)
    assert "line 2: entry: contains a control character (U+001B, escape)" in str(exc.value)
    with store.read() as uow:
        assert L.list_entries(uow, PageRequest()).rows == []


# --- the second wall: old data holding such characters is shown visibly, never sent -----

OLD_MEMO = "Rent \x1b[2J\x1b]0;pwned\x07 paid\u202egpj.exe"
SHOWN_MEMO = "Rent <U+001B>[2J<U+001B>]0;pwned<U+0007> paid<U+202E>gpj.exe"


def _plant(db_file, memo: str = OLD_MEMO, name: str = "Evil\x1b[31m\u202eCo") -> None:
    """Write text as a store from before the rule holds it: straight into the file."""
    import sqlite3

    con = sqlite3.connect(db_file)
    with con:
        con.execute("UPDATE journal_entry SET memo = ?", (memo,))
        con.execute("UPDATE journal_line SET memo = ?", (memo,))
        con.execute("UPDATE contact SET name = ?", (name,))
    con.close()


def _post_one_entry(uow) -> None:  # noqa: ANN001
    C.create(uow, C.ContactInput(name="Will be renamed"))
    e = L.create_draft(uow, _entry(memo="plain"))
    L.post(uow, e.id, version=e.version)


def test_visible_shows_every_refused_character_as_its_code():
    from bizdesk.formatting import visible

    for value, code in REFUSED:
        assert f"<{code}>" in visible(value)
    assert visible(OLD_MEMO) == SHOWN_MEMO
    assert visible(visible(OLD_MEMO)) == SHOWN_MEMO
    for value in [*LITERAL, "two\nlines", "tab\tbed", "rtl mark \u200f ok"]:
        assert visible(value) == value  # what the rule allows is shown as it is


def test_visible_text_keeps_styles_on_the_right_characters():
    from rich.text import Text

    from bizdesk.formatting import visible_text

    t = Text("Memo: ")
    t.append("a\x1bb", style="bold")
    t.append(" end", style="italic")
    shown = visible_text(t)
    assert shown.plain == "Memo: a<U+001B>b end"
    assert [(s.start, s.end, str(s.style)) for s in shown.spans] == [
        (6, 16, "bold"),
        (16, 20, "italic"),
    ]


def test_the_tui_line_filter_never_lets_a_control_character_through():
    from rich.segment import Segment
    from textual.color import Color

    from bizdesk.app import NeverSendUnsafe

    segs = [
        Segment("ok "),
        Segment("a\x1b[2J\u202eb\x9b"),
        Segment("\x07"),  # nothing left of it: dropped
        Segment("\x1b[?25l", None, [(1,)]),
    ]
    out = NeverSendUnsafe().apply(segs, Color(0, 0, 0))
    assert [s.text for s in out] == ["ok ", "a[2Jb", "\x1b[?25l"]  # a control segment stays
    clean = [Segment("שלום 🚲 [b]x[/]")]
    assert NeverSendUnsafe().apply(clean, Color(0, 0, 0)) is clean


def test_old_escape_sequences_print_visibly_through_the_cli_and_check_finds_them(tmp_path):
    db = str(tmp_path / "old.db")
    assert run_cli("init", "--db", db, "--company", "Old Shop").returncode == 0
    journal = b"entry,date,account,debit,credit,memo,contact\nA,2026-11-01,1010,10,,x,\n"
    journal += b"A,2026-11-01,3000,,10,,\n"
    assert run_cli("import", "journal", "-", "--db", db, stdin=journal).returncode == 0
    _plant(db)
    for args in (("report", "general-ledger"), ("report", "trial-balance")):
        r = run_cli(*args, "--db", db)
        assert r.returncode == 0, r.stderr
        raw = r.stdout + r.stderr
        assert b"\x1b" not in raw and "\u202e".encode() not in raw and b"\x07" not in raw
    gl = run_cli("report", "general-ledger", "--db", db, env={"COLUMNS": "300"})
    assert SHOWN_MEMO.encode() in gl.stdout
    # data for a pipe or a file is exact (an import would refuse it, naming the character)
    data = run_cli("report", "general-ledger", "--format", "csv", "--db", db)
    assert OLD_MEMO.encode() in data.stdout
    # ... and on a terminal every door shows it visibly: tables, CSV, JSON, exports
    for args in (
        ("report", "general-ledger"),
        ("report", "general-ledger", "--format", "csv"),
        ("report", "general-ledger", "--format", "json"),
        ("export", "journal"),
        ("export", "journal", "--format", "json"),
        ("export", "journal", "--format", "ledger"),
    ):
        raw = _run_in_pty(*args, "--db", db)
        assert b"\x1b[2J" not in raw and b"\x1b]0;" not in raw and b"\x07" not in raw, args
        assert "\u202e".encode() not in raw, args
        shown = b"\\u001b[2J" if "json" in args else b"<U+001B>[2J"  # JSON escapes it itself
        assert shown in raw, (args, raw[-400:])
    check = run_cli("check", "--db", db)
    raw = check.stdout + check.stderr
    assert b"\x1b" not in raw
    text = raw.decode()
    assert "text-characters: journal_entry #1 memo: contains a control character (U+001B" in text
    assert "text-characters: journal_line #1 memo:" in text
    assert "text-characters: contact" not in text  # no contact in this store


def _run_in_pty(*args: str) -> bytes:
    """What the CLI writes to a terminal: its output and errors, read from a real pty."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "300", "LINES": "50", "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=max(1, deadline - time.monotonic())) == 0, b"".join(chunks)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return b"".join(chunks)


def test_init_refuses_a_company_name_with_an_escape_sequence(tmp_path):
    r = run_cli("init", "--db", str(tmp_path / "x.db"), "--company", "\x1b[2JX")
    assert r.returncode == 1
    assert b"company: contains a control character (U+001B, escape)" in r.stderr
    assert b"\x1b" not in r.stdout + r.stderr
    r = run_cli("init", "--db", str(tmp_path / "y.db"), "--company", "Invoice\u202egpj.exe")
    assert r.returncode == 1 and b"(U+202E)" in r.stderr


def _screen_lines(app: BizdeskApp) -> list[str]:
    """The text of every line of the screen as drawn (after Textual's line filters)."""
    update = app.screen._compositor.render_update(full=True)  # noqa: SLF001
    return ["".join(seg.text for seg in strip) for strip in update.strips]


def _assert_nothing_unsafe(lines: list[str]) -> None:
    from bizdesk.formatting import UNSAFE

    bad = [ln for ln in lines if UNSAFE.search(ln)]
    assert bad == []


async def test_old_escape_sequences_show_visibly_in_the_journal_and_contacts(store, sqlite_only):
    from bizdesk.config import sqlite_path

    with store.write() as uow:
        _post_one_entry(uow)
    _plant(sqlite_path(store.url), memo="M\x1b[2JX\u202eY")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        lines = _screen_lines(app)
        _assert_nothing_unsafe(lines)
        assert any("M<U+001B>[2JX<U+202E>Y" in ln for ln in lines), lines
        await pilot.press("enter")  # the entry's page: memo and its lines
        await settle(pilot, app)
        lines = _screen_lines(app)
        _assert_nothing_unsafe(lines)
        assert sum("M<U+001B>[2JX<U+202E>Y" in ln for ln in lines) >= 2, lines
        await pilot.press("escape", "f3")
        await settle(pilot, app)
        lines = _screen_lines(app)
        _assert_nothing_unsafe(lines)
        assert any("Evil<U+001B>[31m<U+20" in ln for ln in lines), lines  # a narrow column
        app.notify("Saved Evil\x1b[31m\u202eCo")
        await pilot.pause()
        assert any("Saved Evil<U+001B>[31m<U+202E>Co" in str(n.message) for n in app._notifications)


async def test_a_form_shows_old_control_characters_as_codes_and_says_so(store, sqlite_only):
    from bizdesk.config import sqlite_path

    with store.write() as uow:
        _post_one_entry(uow)
    _plant(sqlite_path(store.url))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-name", Input).value == "Evil<U+001B>[31m<U+202E>Co"
        assert "<U+…>" in str(app.screen.query_one("#e-name", Static).render())
        _assert_nothing_unsafe(_screen_lines(app))
        await pilot.press("ctrl+s")  # saved as shown: visible, harmless text
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
    with store.read() as uow:
        assert C.list_page(uow, PageRequest()).rows[0].name == "Evil<U+001B>[31m<U+202E>Co"


def test_a_record_number_larger_than_any_store_holds_is_no_such_record(tmp_path) -> None:  # noqa: ANN001
    """ "#99999999999999999999999" stopped bizdesk on an OverflowError (the SQLite driver
    cannot send it) in the consent, segment, campaign, nurture and statement commands; it
    is now no such record, as "#0" is."""
    from tests.test_cli import bizdesk

    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    huge = "#99999999999999999999999"
    for args in (
        ("consent", "set", huge, "in"),
        ("segments", "show", huge),
        ("campaigns", "show", huge),
        ("nurture", "show", huge[1:]),
        ("report", "statement", "--contact", huge),
    ):
        r = bizdesk(*args, "--db", db)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        said = r.stdout + r.stderr
        assert "unexpected" not in said and "Overflow" not in said, (args, said)
        assert "no " in said.lower() or "there is no" in said.lower(), (args, said)
