"""Bills of materials: components with exact quantities, labour, versions, cycles refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizdesk.errors import NotFound, PermissionDenied, ValidationError
from bizdesk.services.admin import users
from bizdesk.services.inventory import moves
from bizdesk.services.inventory.locations import default_location
from bizdesk.services.making import boms
from bizdesk.services.making.boms import BomInput
from tests.erp_helpers import product


def _set(store, pid: int, *comps: tuple[str, str], labour: str = "0"):  # noqa: ANN001, ANN202
    with store.write() as uow:
        return boms.set_bom(uow, pid, BomInput(list(comps), labour))


def test_a_bom_holds_exact_quantities_and_costs_from_average(store) -> None:  # noqa: ANN001
    wheel = product(store, "WHEEL", cost="10")
    product(store, "FRAME", cost="100")
    bike = product(store, "BIKE")
    with store.write() as uow:
        moves.adjust(uow, wheel, "3", "opening stock")  # at the product's cost, 10.00
    view = _set(store, bike, ("WHEEL", "2"), ("FRAME", "1"), ("", ""), labour="12.50")
    assert view.version == 1 and view.active
    assert [(c.sku, c.qty) for c in view.components] == [
        ("WHEEL", Decimal(2)),
        ("FRAME", Decimal(1)),
    ]
    assert view.labour == Decimal("12.50")
    assert view.components[0].unit_cost == Decimal("10.00")
    assert view.material_cost == Decimal("120.00") and view.unit_cost == Decimal("132.50")
    # a fraction of a component, to the thousandth: of one in metres, not in pieces
    product(store, "CABLE", unit="m", cost="10")
    view = _set(store, bike, ("CABLE", "0.125"), ("FRAME", "1"))
    assert view.components[0].qty == Decimal("0.125")
    assert view.components[0].cost == Decimal("1.25")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        boms.set_bom(uow, bike, BomInput([("WHEEL", "0.5")]))
    assert exc.value.fields["line 1 qty"] == (
        "WHEEL is counted in whole pcs: 0.5 is not a whole number (a product in another unit, "
        "such as m or kg, takes parts of one)"
    )


def test_versions_are_kept_and_one_is_active(store) -> None:  # noqa: ANN001
    product(store, "A")
    product(store, "B")
    kit = product(store, "KIT")
    _set(store, kit, ("A", "1"))
    _set(store, kit, ("A", "2"), ("B", "1"), labour="1")
    with store.read() as uow:
        vs = boms.bom_versions(uow, kit)
        assert [(x.version, x.active, x.components) for x in vs] == [(2, True, 2), (1, False, 1)]
        assert boms.get_bom(uow, kit).version == 2
        assert boms.get_bom(uow, kit, 1).components[0].qty == Decimal(1)
        with pytest.raises(NotFound, match="no version 9"):
            boms.get_bom(uow, kit, 9)
    with store.write() as uow:
        assert boms.use_bom_version(uow, kit, 1).active
    with store.read() as uow:
        assert [(x.version, x.active) for x in boms.bom_versions(uow, kit)] == [
            (2, False),
            (1, True),
        ]
        assert boms.get_bom(uow, kit).version == 1


def test_the_same_bill_set_again_makes_no_new_version(store) -> None:  # noqa: ANN001
    """`bom show --format json | bom set` (or the form saved unchanged) made a version each
    time, identical to the last; the same bill again (its lines in any order) is the active
    version itself; any change makes a new one."""
    product(store, "A")
    product(store, "B")
    bike = product(store, "BIKE")
    first = _set(store, bike, ("A", "2"), ("B", "1"), labour="3")
    again = _set(store, bike, ("B", "1"), ("A", "2.000"), labour="3.00")  # the same bill
    assert (again.version, again.active) == (first.version, True) == (1, True)
    changed = _set(store, bike, ("A", "2"), ("B", "1"), labour="3.01")
    assert changed.version == 2
    with store.read() as uow:
        assert [x.version for x in boms.bom_versions(uow, bike)] == [2, 1]


def test_no_bom_is_not_found(store) -> None:  # noqa: ANN001
    pid = product(store, "LONE")
    with store.read() as uow:
        assert boms.find_bom(uow, pid) is None
        with pytest.raises(NotFound, match="LONE has no bill of materials"):
            boms.get_bom(uow, pid)


def test_cycles_are_refused_at_any_depth(store) -> None:  # noqa: ANN001
    a = product(store, "A")
    b = product(store, "B")
    c = product(store, "C")
    product(store, "D")
    with pytest.raises(ValidationError, match="cannot be made of itself"):
        _set(store, a, ("A", "1"))
    _set(store, a, ("B", "1"))
    _set(store, b, ("C", "2"), ("D", "1"))
    with pytest.raises(ValidationError) as exc:
        _set(store, c, ("D", "1"), ("A", "1"))
    assert exc.value.fields["components"] == "C would be made of itself: C → A → B → C"
    # the same through an older version made active again
    _set(store, c, ("D", "1"))
    _set(store, b, ("D", "1"))  # B no longer needs C ...
    _set(store, c, ("A", "1"))  # ... so C may be made of A
    with pytest.raises(ValidationError, match="B would be made of itself: B → C → A → B"):
        with store.write() as uow:
            boms.use_bom_version(uow, b, 1)
    with store.read() as uow:
        assert boms.get_bom(uow, b).version == 2  # nothing changed


def test_bad_lines_are_refused_each_by_name(store) -> None:  # noqa: ANN001
    kit = product(store, "KIT")
    product(store, "A")
    product(store, "FIT", stocked=False)
    with pytest.raises(ValidationError) as exc:
        _set(
            store,
            kit,
            ("A", "1"),
            ("A", "2"),
            ("FIT", "1"),
            ("NOPE", "1"),
            ("A", "0"),
            labour="1.001",
        )
    f = exc.value.fields
    assert f["line 2 product"] == "A is already on line 1: give its whole quantity once"
    assert "service" in f["line 3 product"] and "labour" in f["line 3 product"]
    assert "no product with SKU" in f["line 4 product"]
    assert f["line 5 qty"] == "must be more than zero"
    assert "decimals" in f["labour"]
    with pytest.raises(ValidationError) as exc:
        _set(store, kit)
    assert exc.value.fields["components"] == "name at least one component"
    with pytest.raises(ValidationError, match="at most 3 decimals"):
        _set(store, kit, ("A", "0.0001"))
    svc = product(store, "HOUR", stocked=False)
    with pytest.raises(ValidationError, match="is a service"):
        _set(store, svc, ("A", "1"))
    with store.read() as uow:
        assert boms.bom_versions(uow, kit) == []


@pytest.mark.parametrize("role", ["sales", "accountant", "viewer", "support"])
def test_only_owner_and_warehouse_change_a_bom(store, role) -> None:  # noqa: ANN001
    from bizdesk.db import Store

    kit = product(store, "KIT")
    product(store, "A")
    with store.write() as uow:
        users.add(uow, "someone", role)
        users.add(uow, "keeper", "warehouse")
    other = Store(url=store.url, engine=store.engine, user="someone")
    with pytest.raises(PermissionDenied, match="bills of materials"):
        _set(other, kit, ("A", "1"))
    with other.read() as uow:  # seeing one is everyone's
        assert boms.find_bom(uow, kit) is None
    keeper = Store(url=store.url, engine=store.engine, user="keeper")
    assert _set(keeper, kit, ("A", "1")).version == 1


def test_a_bom_costs_its_components_as_taking_them_from_stock_would(store) -> None:  # noqa: ANN001
    """Three wheels worth 30.01 (average 10.0033): taking two costs 20.01, their share of the
    value, as the stock move posts it; the BOM said 2 x 10.00 = 20.00, a cent less than the
    assembly then posted."""
    wheel = product(store, "WHEEL", cost="10")
    bike = product(store, "BIKE")
    with store.write() as uow:
        main = default_location(uow).id
        for cost in (1000, 1000, 1001):
            moves.receive_into_stock(uow, wheel, main, 1000, cost, ("test", 1))
    view = _set(store, bike, ("WHEEL", "2"), labour="0.50")
    assert (view.components[0].unit_cost, view.components[0].cost) == (
        Decimal("10.00"),
        Decimal("20.01"),
    )
    assert view.unit_cost == Decimal("20.51")
