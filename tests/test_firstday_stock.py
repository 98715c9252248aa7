"""A new shop's locations (no demo data): what a location box completes."""

from __future__ import annotations

from bizdesk.services.inventory import locations


def test_suggest_locations_by_the_start_of_a_name_in_any_case(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        locations.add_location(uow, "Back room")
        locations.add_location(uow, "Basement")
        locations.add_location(uow, "Van")
    with store.read() as uow:
        assert locations.suggest_locations(uow, "ba") == ["Back room", "Basement"]
        assert locations.suggest_locations(uow, " BACK") == ["Back room"]
        assert locations.suggest_locations(uow, "m") == ["Main"]  # the one init made
        assert locations.suggest_locations(uow, "") == []
        assert locations.suggest_locations(uow, "x") == []


def test_stock_coming_in_is_valued_at_the_unit_cost_typed(store) -> None:  # noqa: ANN001
    """A new shop's opening stock of a product whose cost was left empty went in at 0 and
    posted nothing; setting the cost later did not help (stock added again took the
    average, 0). An adjustment or a count up now takes a unit cost for what comes in."""
    from decimal import Decimal

    import pytest

    from bizdesk.errors import ValidationError
    from bizdesk.services.inventory import levels, moves
    from tests.erp_helpers import errors, product

    pid = product(store, "WHEEL")
    with store.write() as uow:
        free = moves.adjust(uow, pid, "2", "found")  # no cost known: in at 0, as before
        assert (free.value, free.entry_number) == (Decimal("0.00"), None)
        got = moves.adjust(uow, pid, "5", "opening stock", unit_cost="12.50")
        assert got.value == Decimal("62.50") and got.entry_number is not None
        up = moves.count(uow, pid, "10", unit_cost="10")  # 7 on the books: 3 more at 10.00
        assert up.value == Decimal("30.00")
        for args, kw in (
            (("-1", "breakage"), {"unit_cost": "5"}),  # out: always at the average
            (("1", "found"), {"unit_cost": "-5"}),
            (("1", "found"), {"unit_cost": "1,2,3"}),
        ):
            with pytest.raises(ValidationError) as exc:
                moves.adjust(uow, pid, *args, **kw)
            assert set(exc.value.fields) == {"unit_cost"}, exc.value.fields
        with pytest.raises(ValidationError) as exc:
            moves.count(uow, pid, "4", unit_cost="5")  # fewer than the books
        assert "stock going out leaves at its average cost" in str(exc.value.fields["unit_cost"])
        assert levels.totals(uow, pid) == (10 * 1000, 9250)  # 10 pcs (scaled), 92.50
    assert errors(store) == []


def test_opening_stock_imported_as_a_count_with_its_unit_cost(store) -> None:  # noqa: ANN001
    """`bizdesk import stock-count` takes a unit_cost column: a new shop's opening stock in
    one file, valued; a cost on a row counting fewer than the books is refused by line."""
    import pytest

    from bizdesk.errors import ValidationError
    from bizdesk.services.exchange import erp_imports as E
    from bizdesk.services.inventory import levels
    from tests.erp_helpers import errors, product

    wheel, tube = product(store, "WHEEL"), product(store, "TUBE")
    data = "sku,counted,unit_cost\nWHEEL,4,12.50\nTUBE,10,\n"
    result = E.import_stock_count(store, data)
    assert (result.created, result.skipped) == (2, 0)
    with store.read() as uow:
        assert levels.totals(uow, wheel)[1] == 5000  # 4 x 12.50
        assert levels.totals(uow, tube)[1] == 0  # no cost typed, none known
    for bad, said in (
        ("sku,counted,unit_cost\nWHEEL,2,3\n", "stock going out leaves at its average cost"),
        ("sku,counted,unit_cost\nWHEEL,6,abc\n", "unit_cost"),
    ):
        with pytest.raises(ValidationError) as exc:
            E.import_stock_count(store, bad)
        assert "line 2" in str(exc.value) and said in str(exc.value), str(exc.value)
    with store.read() as uow:
        assert levels.totals(uow, wheel) == (4000, 5000)  # nothing of the refused files
    assert errors(store) == []


def test_opening_stock_posts_against_the_account_typed(store) -> None:  # noqa: ANN001
    """Opening stock went to Stock adjustments: this year's profit showed the stock the shop
    started with. An adjustment or a count may post against another account (equity), typed
    by those who write journal entries; never against stock itself, a customer's or a
    supplier's account, nor typed by the warehouse."""
    import pytest

    from bizdesk.db import Store
    from bizdesk.errors import PermissionDenied, ValidationError
    from bizdesk.services.admin import users
    from bizdesk.services.books import ledger
    from bizdesk.services.exchange import erp_imports as E
    from bizdesk.services.inventory import moves
    from tests.erp_helpers import errors, product

    wheel, tube = product(store, "WHEEL"), product(store, "TUBE")
    with store.write() as uow:
        got = moves.adjust(uow, wheel, "4", "opening stock", unit_cost="10", against="3000")
        assert got.entry_number is not None
        assert ledger.balance_by_role(uow, "equity") == -4000  # 40.00, credited
        assert ledger.balance_by_role(uow, "stock_adjustment") == 0  # not this year's result
        for account, said in (
            ("1200", "changes only through stock moves"),
            ("1100", "name the customer"),
            ("9999", "no account"),
        ):
            with pytest.raises(ValidationError) as exc:
                moves.count(uow, wheel, "5", unit_cost="10", against=account)
            assert said in str(exc.value.fields["against"]), exc.value.fields
        users.add(uow, "wes", "warehouse")
    bad = "sku,counted,unit_cost,against\nTUBE,3,2,1200\n"  # stock against stock
    with pytest.raises(ValidationError) as exc:
        E.import_stock_count(store, bad, dry_run=True)  # said before anything is written
    assert "line 2" in str(exc.value) and "only through stock moves" in str(exc.value)
    result = E.import_stock_count(store, "sku,counted,unit_cost,against\nTUBE,3,2,3000\n")
    assert result.created == 1
    with store.read() as uow:
        assert ledger.balance_by_role(uow, "equity") == -4600  # 40.00 + 3 x 2.00
    wes = Store(url=store.url, engine=store.engine, user="wes")
    with wes.write() as uow:
        moves.adjust(uow, tube, "1", "found")  # the warehouse adjusts, as before
        with pytest.raises(PermissionDenied):
            moves.adjust(uow, tube, "1", "found", against="3000")
    with pytest.raises(PermissionDenied):
        E.import_stock_count(wes, "sku,counted,against\nTUBE,9,3000\n", dry_run=True)
    assert errors(store) == []
