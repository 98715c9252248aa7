"""`bizdesk bom show|set|versions|use` through the real command line."""

from __future__ import annotations

import json

import pytest

from bizdesk.db import open_store
from bizdesk.services.admin import setup
from bizdesk.services.making import boms
from tests.erp_helpers import product
from tests.test_cli import bizdesk


@pytest.fixture
def shop(tmp_path) -> str:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    product(s, "WHEEL", name="Wheel", cost="10.01")
    product(s, "FRAME", name="Frame", cost="100")
    product(s, "BIKE", name="Bike")
    product(s, "HOUR", name="Workshop hour", stocked=False)
    product(s, "CHAIN", name="Chain", unit="m", cost="10.01")  # by the metre: parts of one
    s.dispose()
    return path


def test_set_show_versions_and_use(shop, tmp_path) -> None:  # noqa: ANN001
    doc = {"components": [{"sku": "WHEEL", "qty": 2}, {"sku": "FRAME", "qty": "1"}]}
    r = bizdesk("bom", "set", "BIKE", "--db", shop, stdin=json.dumps({**doc, "labour": 12.5}))
    assert r.returncode == 0, r.stderr
    assert "BIKE Bike, version 1 (active)" in r.stdout and "Labour per unit: 12.50" in r.stdout
    f = tmp_path / "bom.json"
    f.write_text(json.dumps({"components": [{"sku": "chain", "qty": "0.5"}], "note": "v2"}))
    r = bizdesk("bom", "set", "BIKE", str(f), "--db", shop, "--format", "json")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["version"] == 2 and shown["components"] == [
        {"sku": "CHAIN", "qty": "0.5", "unit_cost": "10.01", "cost": "5.00"}
    ]
    r = bizdesk("bom", "show", "BIKE", "--version", "1", "--format", "json", "--db", shop)
    old = json.loads(r.stdout)
    assert old["active"] is False and old["labour"] == "12.50"
    assert [(c["sku"], c["qty"], c["cost"]) for c in old["components"]] == [
        ("WHEEL", "2", "20.02"),
        ("FRAME", "1", "100.00"),
    ]
    assert old["unit_cost"] == "132.52"
    r = bizdesk("bom", "versions", "BIKE", "--db", shop)
    assert r.returncode == 0 and "active" in r.stdout
    assert bizdesk("bom", "use", "BIKE", "1", "--db", shop).stdout.strip() == (
        "BIKE: version 1 is active"
    )
    s = open_store(shop)
    with s.read() as uow:
        assert boms.get_bom(uow, product_id=3).version == 1
    s.dispose()


def test_refusals_are_sentences(shop) -> None:  # noqa: ANN001
    r = bizdesk("bom", "show", "BIKE", "--db", shop)
    assert r.returncode == 1 and "BIKE has no bill of materials" in r.stderr
    r = bizdesk("bom", "set", "NOPE", "--db", shop, stdin='{"components": []}')
    assert r.returncode == 1 and "no product with SKU" in r.stderr
    r = bizdesk("bom", "set", "BIKE", "--db", shop, stdin='{"components": [{"sku": "HOUR"}]}')
    assert r.returncode == 1 and '"sku", "qty"' in r.stderr
    bad = {"components": [{"sku": "HOUR", "qty": 1}], "labor": 1}
    r = bizdesk("bom", "set", "BIKE", "--db", shop, stdin=json.dumps(bad))
    assert r.returncode == 1 and "labor: not a key" in r.stderr
    bad = {"components": [{"sku": "HOUR", "qty": 1}, {"sku": "BIKE", "qty": 1}]}
    r = bizdesk("bom", "set", "BIKE", "--db", shop, stdin=json.dumps(bad))
    assert r.returncode == 1 and "HOUR is a service" in r.stderr
    assert "BIKE cannot be made of itself" in r.stderr
    r = bizdesk("bom", "set", "BIKE", "--db", shop, stdin="{oops")
    assert r.returncode == 1 and "not JSON" in r.stderr
    assert "Traceback" not in r.stderr
    r = bizdesk("bom", "use", "BIKE", "x", "--db", shop)
    assert r.returncode == 2 and "not a version number" in r.stderr
    r = bizdesk("bom", "use", "BIKE", "²", "--db", shop)  # a digit int() cannot read
    assert r.returncode == 2 and "not a version number" in r.stderr
    r = bizdesk("assembly", "new", "#²", "1", "--db", shop)  # nor a product's #id
    assert r.returncode == 1 and "no product with SKU '#²'" in r.stderr, r.stderr


def test_a_version_no_row_can_have_is_not_there(shop) -> None:  # noqa: ANN001
    doc = {"components": [{"sku": "WHEEL", "qty": 2}]}
    assert bizdesk("bom", "set", "BIKE", "--db", shop, stdin=json.dumps(doc)).returncode == 0
    for command in ("show", "use"):
        args = ("bom", command, "BIKE")
        r = bizdesk(*args, *(["--version"] if command == "show" else []), "9" * 20, "--db", shop)
        assert r.returncode == 1 and f"BIKE has no version {'9' * 20}." in r.stderr, r.stderr


def test_assembly_from_the_command_line(shop) -> None:  # noqa: ANN001
    from bizdesk.services.inventory import moves

    s = open_store(shop)
    with s.write() as uow:
        moves.adjust(uow, 1, "4", "opening stock")  # 4 wheels at 10.01
        moves.adjust(uow, 2, "1", "opening stock")  # 1 frame at 100.00
        boms.set_bom(uow, 3, boms.BomInput([("WHEEL", "2"), ("FRAME", "1")], "12.50"))
    s.dispose()
    r = bizdesk("assembly", "new", "BIKE", "1", "--date", "2026-12-05", "--confirm", "--db", shop)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "MO-00001 confirmed: 0 of 1 pcs BIKE Bike, planned 2026-12-05"
    r = bizdesk("assembly", "new", "BIKE", "1", "--confirm", "--db", shop)
    assert r.returncode == 1 and "FRAME: only 0 pcs available, 1 wanted" in r.stderr
    r = bizdesk("assembly", "new", "BIKE", "-1", "--db", shop)  # a quantity, not an option
    assert r.returncode == 1 and "qty: must not be negative" in r.stderr, r.stderr
    r = bizdesk("assembly", "list", "--format", "json", "--db", shop)
    assert [o["number"] for o in json.loads(r.stdout)] == ["MO-00001"]
    r = bizdesk("assembly", "finish", "mo1", "--db", shop)
    assert r.returncode == 0, r.stderr
    assert "MO-00001 done: 1 of 1" in r.stdout and "Received at 132.52, posted JE-" in r.stdout
    r = bizdesk("assembly", "cancel", "MO-00001", "--db", shop)
    assert r.returncode == 1 and "cannot be cancelled" in r.stderr
    # an order's own words (Spanish: la orden, "terminada", not "terminado"); the product
    # in one column, its SKU and name together
    es = {"LANGUAGE": "es", "COLUMNS": "80"}
    r = bizdesk("assembly", "cancel", "MO-00001", "--db", shop, env=es)
    assert "MO-00001 está terminada" in r.stderr, r.stderr
    shown = bizdesk("assembly", "list", "--state", "done", "--db", shop, env=es).stdout
    row = " ".join(next(ln for ln in shown.splitlines() if "MO-00001" in ln).split())
    assert row == "│ MO-00001 │ 05/12/2026 │ BIKE Bike │ 1 │ 1 │ terminada │", shown
    assert bizdesk("check", "--db", shop).returncode == 0
    r = bizdesk("assembly", "finish", "MO-9", "--db", shop)
    assert r.returncode == 1 and "There is no assembly order 'MO-9'" in r.stderr


def test_what_show_prints_is_set_back(shop) -> None:  # noqa: ANN001
    """`bom show --format json`, edited and fed to `bom set`, was refused key by key
    (version, costs): show, edit, set is how a script changes a bill of materials."""
    doc = {"components": [{"sku": "WHEEL", "qty": 2}], "labour": "5"}
    assert bizdesk("bom", "set", "BIKE", "--db", shop, stdin=json.dumps(doc)).returncode == 0
    shown = json.loads(bizdesk("bom", "show", "BIKE", "--format", "json", "--db", shop).stdout)
    shown["components"][0]["qty"] = "3"
    r = bizdesk("bom", "set", "BIKE", "--format", "json", "--db", shop, stdin=json.dumps(shown))
    assert r.returncode == 0, r.stderr
    again = json.loads(r.stdout)
    assert again["version"] == 2 and again["components"][0]["qty"] == "3"
    assert again["unit_cost"] == "35.03"  # from stock, not from the file's figures
    r = bizdesk("bom", "set", "FRAME", "--db", shop, stdin=json.dumps(shown))
    assert r.returncode == 1 and "the bill of materials of 'BIKE', not of FRAME" in r.stderr


def _in_spanish(path: str) -> None:
    s = open_store(path)
    with s.write() as uow:
        uow.set_setting("locale", "es_ES")  # the shop writes 1.000 for a thousand
    s.dispose()


def test_a_number_the_shop_writes_otherwise_is_refused_on_the_command_line(shop) -> None:  # noqa: ANN001
    """`1.000` typed on the command line is one in the machine form and a thousand as a
    Spanish shop writes it: refused, naming both, never read as one; what reads one way (1,
    2.5, 1000) is taken, and a file keeps the machine form (its 2.500 is two and a half)."""
    from bizdesk.services.inventory import levels

    s = open_store(shop)
    with s.write() as uow:
        boms.set_bom(uow, 3, boms.BomInput([("CHAIN", "0.5")], ""))
    s.dispose()
    english = bizdesk("assembly", "new", "BIKE", "1.000", "--db", shop, env={"LANG": "C"})
    assert english.returncode == 0, english.stderr  # en_US reads 1.000 as one too
    _in_spanish(shop)
    r = bizdesk("assembly", "new", "BIKE", "1.000", "--db", shop, env={"LANG": "C"})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert (
        "'1.000' reads two ways: 1 on the command line (. before the decimals, no thousands "
        "separator), 1000 as Spanish (Spain) writes numbers; type 1 or 1000" in r.stderr
    )
    r = bizdesk("budget", "set", "6000", "2026-12", "1.000", "--db", shop, env={"LANG": "C"})
    assert r.returncode == 1 and "'1.000' reads two ways: 1 on the command line" in r.stderr
    assert "MO-00002" in bizdesk("assembly", "new", "BIKE", "1", "--db", shop).stdout
    count = "sku,counted\nCHAIN,2.500\n"
    r = bizdesk("import", "stock-count", "-", "--db", shop, stdin=count, env={"LANG": "C"})
    assert r.returncode == 0, r.stderr
    s = open_store(shop)
    with s.read() as uow:
        assert levels.on_hand(uow, 5) == 2500  # thousandths: two and a half metres
    s.dispose()


def test_a_number_typed_as_the_shop_shows_it_is_taken(shop) -> None:  # noqa: ANN001
    """A Spanish shop shows 1.234,56: typed back on the command line it is 1234.56, also
    for a reader of English (whose own form reads it as no number); `12,500` is twelve and
    a half to the shop and 12500 to that reader, so it is refused naming both; a file keeps
    the machine form alone."""
    _in_spanish(shop)
    english = {"LANG": "C", "LC_ALL": "en_US.UTF-8"}
    r = bizdesk("budget", "set", "6000", "2026-12", "1.234,56", "--db", shop, env=english)
    assert r.returncode == 0, r.stderr
    assert "Rent for 12/2026: 1.234,56" in r.stdout, r.stdout
    r = bizdesk("assembly", "new", "BIKE", "12,500", "--db", shop, env=english)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert (
        "'12,500' reads two ways: 12500 as English (United States) writes numbers, 12.5 as "
        "Spanish (Spain) writes numbers; type 12500 or 12.5 (. before the decimals, no "
        "thousands separator), which read one way" in r.stderr
    ), r.stderr
    r = bizdesk("budget", "import", "-", "--db", shop, stdin="account,month,amount\n"
                "6000,2026-11,\"1.234,56\"\n", env=english)  # fmt: skip
    assert r.returncode == 1 and "'1.234,56' is not a number" in r.stderr, r.stderr


def test_assembly_show_and_a_finish_dated_after_the_lock_date(shop) -> None:  # noqa: ANN001
    """`assembly show` (text and JSON): the header, the components needed and consumed, the
    labour and the entry posted; books locked: the finish is refused saying why on the lock
    date and after today, and made with --date on the day between."""
    from datetime import date, timedelta

    from bizdesk.services.inventory import moves

    s = open_store(shop)
    with s.write() as uow:
        moves.adjust(uow, 1, "4", "opening stock")  # 4 wheels at 10.01
        moves.adjust(uow, 2, "1", "opening stock")  # 1 frame at 100.00
        boms.set_bom(uow, 3, boms.BomInput([("WHEEL", "2"), ("FRAME", "1")], "12.50"))
    s.dispose()
    r = bizdesk("assembly", "new", "BIKE", "1", "--date", "2026-12-05", "--confirm", "--db", shop)
    assert r.returncode == 0, r.stderr
    r = bizdesk("assembly", "show", "MO-00001", "--db", shop, env={"COLUMNS": "100"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("MO-00001 confirmed: 0 of 1 pcs BIKE Bike, planned 2026-12-05")
    assert "WHEEL" in r.stdout and "Labour per unit: 12.50" in r.stdout
    assert "Posted" not in r.stdout
    today = date.today()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert bizdesk("lock-date", yesterday, "--db", shop).returncode == 0
    r = bizdesk("assembly", "finish", "MO-00001", "--date", yesterday, "--db", shop)
    assert r.returncode == 1 and "--date: the books are locked up to" in r.stderr, r.stderr
    tomorrow = (today + timedelta(days=1)).isoformat()  # goods are recorded as they move
    r = bizdesk("assembly", "finish", "MO-00001", "--date", tomorrow, "--db", shop)
    assert r.returncode == 1 and "is after today" in r.stderr, r.stderr
    later = today.isoformat()  # the first day after the lock date
    r = bizdesk("assembly", "finish", "MO-00001", "--date", later, "--db", shop)
    assert r.returncode == 0, r.stderr
    entry = r.stdout.split("posted ")[-1].strip()
    r = bizdesk("assembly", "show", "mo1", "--format", "json", "--db", shop)
    shown = json.loads(r.stdout)
    assert (shown["number"], shown["state"], shown["qty"], shown["done"]) == (
        "MO-00001",
        "done",
        "1",
        "1",
    )
    assert shown["planned_date"] == "2026-12-05" and shown["labour_value"] == "12.50"
    assert [
        (c["sku"], c["qty"], c["consumed"], c["consumed_value"]) for c in shown["components"]
    ] == [
        ("WHEEL", "2", "2", "20.02"),
        ("FRAME", "1", "1", "100.00"),
    ]
    assert shown["entries"] == [{"number": entry, "date": later, "value": "132.52"}]
    r = bizdesk("assembly", "show", "MO-00001", "--db", shop, env={"COLUMNS": "100"})
    assert f"Posted: {entry} ({later}, 132.52)" in r.stdout
    assert "Made so far worth 132.52 in all, of which labour 12.50" in r.stdout
    r = bizdesk("assembly", "show", "MO-9", "--db", shop)
    assert r.returncode == 1 and "There is no assembly order 'MO-9'" in r.stderr
