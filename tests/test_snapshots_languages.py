"""Snapshots at 80x24 of the main screens of a shop in Spanish, Romanian and Vietnamese: its
own chart of accounts, currency and number formats, read by a person whose language it is.
Every text of the frame and of the screens is in that language, and nothing overflows.
Update with `pytest --snapshot-update` after looking at each new picture."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.services.admin import setup, users
from bizdesk.services.books import ledger as L
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.inventory import products
from bizdesk.services.trade import deals as D
from bizdesk.services.trade import purchasing as PU
from tests.test_snapshots import _at

PAST = datetime(2024, 3, 4, 9, tzinfo=UTC)
CHARTS = Path(__file__).parents[1] / "data" / "accounts"

# language: locale, currency, chart, company, people (name, city), products (sku, name, cost,
# price), supplier
SHOPS = {
    "es": (
        "es_ES",
        "EUR",
        "es",
        "Bicicletas Sol",
        [("Lucía Fernández", "Sevilla"), ("Javier Ruiz", "Valencia")],
        [("CAD-01", "Cadena 11v", "12.50", "24.90"), ("CAM-28", "Cámara 28", "2.10", "5.95")],
        "Recambios Ibéricos S.L.",
    ),
    "ro": (
        "ro_RO",
        "RON",
        "ro",
        "Biciclete Carpați SRL",
        [("Ioana Popescu", "Cluj-Napoca"), ("Mihai Ionescu", "Iași")],
        [("LAN-01", "Lanț 11v", "55.00", "119.00"), ("CAM-28", "Cameră 28", "9.50", "24.00")],
        "Piese Auto Brașov SRL",
    ),
    "vi": (
        "vi_VN",
        "VND",
        "vn",
        "Xe Đạp Sài Gòn",
        [("Nguyễn Thị Lan", "Hà Nội"), ("Trần Văn Minh", "Đà Nẵng")],
        [("XICH-01", "Xích 11 tốc độ", "250000", "450000"), ("SAM-28", "Săm 28", "45000", "90000")],
        "Phụ Tùng Bình Dương",
    ),
}


def _role(chart: str, role: str) -> str:
    accounts = json.loads((CHARTS / f"{chart}.json").read_text(encoding="utf-8"))["accounts"]
    return next(a["code"] for a in accounts if a.get("role") == role)


@pytest.fixture(params=sorted(SHOPS))
def lang_shop(request, tmp_path):  # noqa: ANN001, ANN201
    lang = request.param
    locale, currency, chart, company, people, items, supplier = SHOPS[lang]
    store = open_store(str(tmp_path / f"{lang}.db"), user="tester")
    with store.write() as uow:
        setup.initialize(uow, company=company, currency=currency, locale=locale, chart=chart)
        users.set_language(uow, "tester", lang)
    with store.write() as uow:
        C.create(uow, C.ContactInput(name=supplier, kind="organization", is_supplier=True))
        for name, city in people:
            C.create(uow, C.ContactInput(name=name, city=city, is_customer=True))
        stages = [st.name for st in D.list_stages(uow)]  # set up in the shop's language
        for i, stage in enumerate(stages[:3]):
            D.create(
                uow,
                D.DealInput(
                    title=f"{items[i % 2][1]} ×{i + 2}",
                    contact="#2",
                    amount=str(int(float(items[i % 2][3]) * (i + 2))),
                    stage=stage,
                    next_activity="☎",
                    next_activity_due="2024-03-01",
                ),
            )
        for i, prio in enumerate(["urgent", "normal"]):
            T.create(
                uow,
                T.TicketInput(subject=f"#{i + 1} {items[i][1]}", contact="#3", priority=prio),
                now=PAST,
            )
        for sku, name, cost, price in items:
            products.create_product(
                uow,
                products.ProductInput(
                    sku=sku,
                    name=name,
                    cost=cost,
                    sale_price=price,
                    supplier="#1",
                    reorder_point="5",
                    reorder_qty="20",
                ),
            )
        po = PU.create(
            uow,
            PU.POInput(
                supplier="#1",
                order_date="2024-03-01",
                lines=[PU.POLineInput(items[0][0], "10"), PU.POLineInput(items[1][0], "30")],
            ),
        )
        PU.send(uow, po.id)
        PU.receive(uow, po.id, {po.lines[0].id: "6"}, when="2024-03-04")
        PU.bill(uow, po.id, reference="F-77", bill_date="2024-03-05")
        e = L.create_draft(
            uow,
            L.EntryInput(
                "2024-03-07",
                "Capital",
                [
                    L.LineInput(
                        _role(chart, "bank"), "5000" if currency != "VND" else "50000000", ""
                    ),
                    L.LineInput(
                        _role(chart, "equity"), "", "5000" if currency != "VND" else "50000000"
                    ),
                ],
            ),
        )
        L.post(uow, e.id, version=e.version)
    yield store
    store.dispose()


SCREENS = {
    "home": (),
    "contacts": ("f3",),
    "contact-form": ("f3", "n"),
    "tickets": ("f5",),
    "stock": ("f6",),
    "purchases": ("f7",),
    "journal": ("f8",),
    "entry-form": ("f8", "n"),
    "help": ("f3", "f1"),
}


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screens_in_each_language(lang_shop, snap_compare, screen):  # noqa: ANN001
    async def before(pilot):  # noqa: ANN001, ANN202
        await _at(pilot, *SCREENS[screen])

    app = BizdeskApp(lang_shop)
    app.today = date(2024, 3, 31)  # the dashboard's months stay put
    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_trial_balance_in_each_language(lang_shop, snap_compare):  # noqa: ANN001
    async def before(pilot):  # noqa: ANN001, ANN202
        await _at(pilot, "f9")
        pane = pilot.app.active_pane()
        pane.query_one("#as_of").value = "2024-03-31"
        pane.show("trial-balance")
        pane.report = None
        await _at(pilot)

    app = BizdeskApp(lang_shop)
    app.today = date(2024, 3, 31)
    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
