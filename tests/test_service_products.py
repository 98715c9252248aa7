"""Service products (a workshop hour): never stocked, counted, low or reordered; selling
one moves no stock. Reorder drafts use the product's cost and never propose cost 0."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.models.stock import StockMove
from bizdesk.services.admin import setup
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.books import ledger_reports
from bizdesk.services.crm import contacts
from bizdesk.services.exchange import erp_exports, erp_imports
from bizdesk.services.inventory import moves, products, reports
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, product, supplier


def _moves(store) -> int:  # noqa: ANN001
    with store.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(StockMove))


@pytest.fixture
def hour(store):  # noqa: ANN001, ANN201
    sid = supplier(store)
    pid = product(
        store, "HOUR", name="Workshop hour", unit="h", sale_price="45", vat_rate="20",
        cost="20", supplier=f"#{sid}", stocked="no",
    )  # fmt: skip
    return store, pid, sid


def test_selling_a_service_moves_no_stock_and_posts_no_cost(hour) -> None:  # noqa: ANN001
    store, pid, _sid = hour
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("HOUR", "3")])
        )
        sales.confirm(uow, so.id)  # nothing to reserve, nothing refused
        sales.deliver(uow, so.id)
        inv = sales.invoice(uow, so.id)
        sales.return_goods(uow, so.id, {so.lines[0].id: "1"}, reason="not done")
        sold = sales.counter_sale(uow, [sales.SOLineInput("HOUR", "2")])
    assert inv.total == Decimal("162.00") and sold.state in ("paid", "closed", "invoiced")
    assert _moves(store) == 0
    with store.read() as uow:
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
        view = products.get_product(uow, pid)
    assert "5000" not in tb or tb["5000"] == 0  # no cost of goods sold
    assert (view.on_hand, view.value, view.stocked) == (0, 0, False)
    assert errors(store) == []


def test_a_service_is_never_low_and_never_reordered(hour) -> None:  # noqa: ANN001
    store, _pid, sid = hour
    product(store, "PAD", name="Brake pad", cost="3.50", supplier=f"#{sid}", reorder_point="5")
    with store.write() as uow:
        assert [r.sku for r in reports.low_stock(uow)] == ["PAD"]
        assert reports.low_stock_count(uow) == 1
        low = products.list_products(uow, PageRequest(filters={"low": True})).rows
        assert [r.sku for r in low] == ["PAD"]
        orders, skipped = purchasing.draft_reorders(uow)
    assert skipped == []
    assert [(ln.sku, ln.qty, ln.unit_cost) for o in orders for ln in o.lines] == [
        ("PAD", Decimal(5), Decimal("3.50"))
    ]


def test_a_reorder_never_proposes_cost_zero(store) -> None:  # noqa: ANN001
    sid = supplier(store)
    product(store, "FREE", name="No cost yet", supplier=f"#{sid}", reorder_point="2")
    with store.write() as uow:
        orders, skipped = purchasing.draft_reorders(uow)
    assert orders == []
    assert skipped == ["FREE has no usual cost (set it on the product)"]


def test_a_service_has_no_stock_moves_counts_or_purchases(hour) -> None:  # noqa: ANN001
    store, pid, sid = hour
    for move in (
        lambda uow: moves.adjust(uow, pid, "5", "found"),
        lambda uow: moves.count(uow, pid, "5"),
        lambda uow: moves.transfer(uow, pid, "1", "Main", "Main"),
    ):
        with store.write() as uow, pytest.raises(ValidationError) as exc:
            move(uow)
        assert "HOUR Workshop hour is a service: it is not kept in stock" in str(exc.value)
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        purchasing.create(
            uow,
            purchasing.POInput(supplier=f"#{sid}", lines=[purchasing.POLineInput("HOUR", "1")]),
        )
    assert exc.value.fields["line 1 product"] == "HOUR is a service: it is not bought into stock"
    assert _moves(store) == 0


def test_a_service_takes_no_reorder_point_and_stock_blocks_the_switch(store) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        products.create_product(
            uow, products.ProductInput(sku="H2", name="Hour", reorder_point="2", stocked="no")
        )
    assert exc.value.fields["reorder_point"] == "a service is never reordered: leave it at 0"
    pid = product(store, "BOX", name="Box", cost="2")
    with store.write() as uow:
        moves.adjust(uow, pid, "3", "found")
        view = products.get_product(uow, pid)
        data = products.product_input(view)
        data.stocked = False
        with pytest.raises(ValidationError) as exc:
            products.update_product(uow, pid, data, version=view.version)
    assert exc.value.fields["stocked"] == (
        "3 on hand, worth 6.00: count it to 0 before making it a service"
    )


def test_the_stocked_column_imports_and_exports(store) -> None:  # noqa: ANN001
    csv = "sku,name,sale_price,stocked\nHOUR,Workshop hour,45,no\nBELL,Bell,5,yes\n"
    with store.write() as uow:
        erp_imports.import_products(uow, csv)
        # a file without the column leaves a service a service
        erp_imports.import_products(uow, "sku,name,sale_price\nHOUR,Workshop hour,50\n")
        rows = {r["sku"]: r for r in erp_exports.product_rows(uow)}
        hour = products.get_product(uow, products.resolve_product(uow, "HOUR").id)
    assert (rows["HOUR"]["stocked"], rows["BELL"]["stocked"]) == ("no", "yes")
    assert (hour.stocked, hour.sale_price) == (False, Decimal("50.00"))


def test_an_import_keeps_what_a_product_holds_in_the_columns_its_file_does_not_have(
    store,  # noqa: ANN001
) -> None:
    sid = supplier(store)
    product(store, "ROPE", name="Rope", unit="m", cost="5", sale_price="9", vat_rate="20",
            supplier=f"#{sid}", reorder_point="10", reorder_qty="50")  # fmt: skip
    with store.write() as uow:
        done = erp_imports.import_products(uow, "sku,name\nROPE,Rope red\n")
        rope = products.get_product(uow, products.resolve_product(uow, "ROPE").id)
        # a cell left empty in a column the file has takes the default, as on a new product
        erp_imports.import_products(uow, "sku,name,cost\nROPE,Rope red,\n")
        emptied = products.get_product(uow, rope.id)
    assert done.updated == 1 and rope.name == "Rope red"
    assert (rope.unit, rope.cost, rope.sale_price, rope.vat_rate) == (
        "m", Decimal("5.00"), Decimal("9.00"), Decimal("20")
    )  # fmt: skip
    assert (rope.supplier_id, rope.reorder_point, rope.reorder_qty) == (sid, 10, 50)
    assert (emptied.cost, emptied.unit) == (Decimal("0.00"), "m")

    # a file in a named locale (import --locale de_DE) keeps them too, read in that form
    product(store, "NET", name="Net", cost="1234.5", reorder_point="2.5")
    store.input_locale = "de_DE"
    erp_imports.import_products(store, "sku,name\nNET,Net blue\n")
    with store.read() as uow:
        net = products.get_product(uow, products.resolve_product(uow, "NET").id)
    assert (net.name, net.cost, net.reorder_point) == ("Net blue", Decimal("1234.50"), 2.5)


@pytest.mark.parametrize(
    ("locale", "pieces"), [("en_GB", "pcs"), ("ro_RO", "buc."), ("es_ES", "ud."), ("vi_VN", "cái")]
)
def test_a_product_given_no_unit_counts_pieces_in_the_shops_language(
    tmp_path, locale: str, pieces: str
) -> None:  # noqa: ANN001
    store = open_store(str(tmp_path / "shop.db"), user="tester")
    with store.write() as uow:
        setup.initialize(uow, company="Shop", locale=locale)
        assert products.new_product_input(uow).unit == pieces  # what the new form shows
        made = products.create_product(uow, products.ProductInput(sku="X", name="Thing"))
        assert made.unit == pieces
        kept = products.create_product(uow, products.ProductInput("Y", "Rope", "m"))
        assert kept.unit == "m"
