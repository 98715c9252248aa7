"""Reports at 80x24 in each language (issue 13): an amount is never cut. A shop's books with
the longest account names of its chart and amounts in the millions (a Vietnamese shop's
billions of đồng): the trial balance, profit and loss and balance sheet show every figure
whole on the row it belongs to, the account's name giving way; and the report's boxes show
their hints whole. Driven with Pilot on a real store; read from what the screen draws."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bizdesk import i18n
from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.formatting import money, number
from bizdesk.reading import date_hint
from bizdesk.screens.reports import label
from bizdesk.services.admin import setup, users
from bizdesk.services.books import ledger as L
from bizdesk.services.books.ledger import CONTROLLED_ROLES, PARTY_ROLES
from bizdesk.services.overview.reports import reads, run
from tests.tui_helpers import SIZE, settle

CHARTS = Path(__file__).parents[1] / "data" / "accounts"
# language: locale, currency, chart, a big amount and a smaller one (as typed)
SHOPS = {
    "en": ("en_US", "USD", "generic", "1234567", "98765"),
    "es": ("es_ES", "EUR", "es", "1234567", "98765"),
    "ro": ("ro_RO", "RON", "ro", "1234567", "98765"),
    "vi": ("vi_VN", "VND", "vn", "3134234800", "465000000"),
}
REPORTS = ("trial-balance", "profit-loss", "balance-sheet")
HINTS = ("From {form}", "To", "As of", "Contact / by")  # {form}: how the reader writes dates


@pytest.fixture(autouse=True)
def english_again():
    yield
    i18n.use("en")


def _longest(chart: str, kind: str) -> str:
    """The code of the account of this type with the longest name, among those a journal
    entry may post to without naming a contact (stock moves only through its documents;
    a receivable or payable line names its customer or supplier)."""
    accounts = json.loads((CHARTS / f"{chart}.json").read_text(encoding="utf-8"))["accounts"]
    free = [
        a
        for a in accounts
        if a["type"] == kind and a.get("role") not in {*CONTROLLED_ROLES, *PARTY_ROLES}
    ]
    return max(free, key=lambda a: len(a["name"]))["code"]


def _shop(tmp_path: Path, lang: str):  # noqa: ANN202
    locale, currency, chart, big, small = SHOPS[lang]
    store = open_store(str(tmp_path / f"{lang}.db"), user="tester")
    with store.write() as uow:
        setup.initialize(uow, company="Shop", currency=currency, locale=locale, chart=chart)
        users.set_language(uow, "tester", lang)
    with store.write() as uow:
        # every type of account, with the longest name of its chart, in the millions
        lines = [
            L.LineInput(_longest(chart, "asset"), big, ""),
            L.LineInput(_longest(chart, "expense"), small, ""),
            L.LineInput(_longest(chart, "liability"), "", small),
            L.LineInput(_longest(chart, "income"), "", str(int(big) // 2)),
            L.LineInput(_longest(chart, "equity"), "", str(int(big) - int(big) // 2)),
        ]
        e = L.create_draft(uow, L.EntryInput("2024-03-07", "Opening", lines))
        L.post(uow, e.id, version=e.version)
    return store


def _figure(value: object, locale: str) -> str:
    """A figure as the report writes it (its decimals, the shop's locale)."""
    if isinstance(value, Decimal) and value.as_tuple().exponent < 0:
        return money(value, locale)
    return number(value, locale)


def _screen(app: BizdeskApp) -> list[str]:
    """The lines of text the screen shows now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("lang", sorted(SHOPS))
async def test_every_amount_of_a_report_shows_whole_at_80_columns(tmp_path, lang) -> None:  # noqa: ANN001
    store = _shop(tmp_path, lang)
    locale = SHOPS[lang][0]
    app = BizdeskApp(store)
    app.today = date(2024, 3, 31)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("f9")
            await settle(pilot, app)
            pane = app.active_pane()
            pane.query_one("#as_of").value = "2024-03-31"
            for name in REPORTS:
                pane.show(name)
                await settle(pilot, app)
                await settle(pilot, app)
                screen = _screen(app)
                # the report's name in its box: whole, or cut with an ellipsis (never a
                # word short, 'Pérdidas y' for 'Pérdidas y ganancias')
                chosen = next(ln for ln in screen if "▼" in ln).split("▼")[0].strip()
                whole = label(name)
                assert chosen == whole or (
                    chosen.endswith("…") and whole.startswith(chosen[:-1])
                ), (chosen, whole)
                day = {"as_of": date(2024, 3, 31)} if "as_of" in reads(name) else {}
                rep = run(store, name, **day)
                amounts = [c.key for c in rep.columns if c.numeric]
                rows = [*rep.rows, *([rep.totals] if rep.totals else [])]
                assert len(rows) <= 15, "the rows all fit the screen"
                for row in rows:
                    figures = [_figure(row[k], locale) for k in amounts if row.get(k) is not None]
                    assert figures
                    shown = [ln for ln in screen if all(f" {f} " in f"{ln} " for f in figures)]
                    assert shown, (name, figures, "\n".join(screen))
    finally:
        store.dispose()


@pytest.mark.parametrize("lang", sorted(SHOPS))
async def test_the_report_boxes_show_their_hints_whole(tmp_path, lang) -> None:  # noqa: ANN001
    """From (with the date's format), To, As of and 'Contact / by' beside the report's name,
    in every language ('Contact / dup' in Romanian was cut)."""
    store = _shop(tmp_path, lang)
    app = BizdeskApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("f9")
            await settle(pilot, app)
            screen = _screen(app)
            for hint in HINTS:
                shown = i18n._(hint).format(form=date_hint())  # "Desde DD/MM/AAAA"
                assert any(shown in ln for ln in screen), (shown, "\n".join(screen))
    finally:
        store.dispose()
