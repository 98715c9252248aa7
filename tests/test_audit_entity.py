"""`audit --entity` takes only the kinds of record the audit trail holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import bizdesk
from bizdesk.errors import ValidationError
from bizdesk.services.admin.audit import ENTITY_KINDS, list_events
from tests.test_cli import bizdesk as run


def test_the_known_kinds_are_exactly_those_the_services_write() -> None:
    """Written as a word, or as the module's SOURCE (payroll_run, employee, leave_request
    were missed, and `audit --entity payroll_run` refused)."""
    import importlib

    root = Path(bizdesk.__file__).parent
    written = set()
    for path in root.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        written.update(re.findall(r"\.audit\(\s*\"([a-z_]+)\"", src))
        if re.search(r"\.audit\(\s*SOURCE\b", src):
            name = ".".join(("bizdesk", *path.relative_to(root).with_suffix("").parts))
            written.add(importlib.import_module(name).SOURCE)
    assert "payroll_run" in written
    assert written == set(ENTITY_KINDS)


def test_the_service_refuses_an_unknown_kind(store) -> None:  # noqa: ANN001
    with store.read() as uow, pytest.raises(ValidationError) as exc:
        list_events(uow, entity="bogus")
    assert exc.value.fields["entity"].startswith("'bogus' is not a kind of record; one of: ")
    with store.read() as uow:
        kinds = {e.entity for e in list_events(uow, entity="account")}
    assert kinds == {"account"}  # the chart of accounts installed at set-up


def test_the_command_refuses_bogus_and_lists_the_kinds(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert run("init", "--db", db).returncode == 0
    bad = run("audit", "--entity", "bogus", "--db", db)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert "'bogus' is not a kind of record" in bad.stderr
    assert ", ".join(ENTITY_KINDS) in bad.stderr.replace("\n", " ").replace("  ", " ")
    assert "Traceback" not in bad.stderr
    good = run("audit", "--entity", "account", "--db", db)
    assert good.returncode == 0 and "install-chart" in good.stdout


def test_a_limited_listing_says_what_it_left_out(tmp_path) -> None:  # noqa: ANN001
    """It stopped at the newest 1,000 events without a word, and nothing reached the rest."""
    db = str(tmp_path / "shop.db")
    assert run("init", "--db", db).returncode == 0
    whole = run("audit", "--db", db, "--format", "json", "--limit", "0")
    assert whole.returncode == 0 and whole.stderr == ""
    total = len(json.loads(whole.stdout))
    assert total >= 2
    cut = run("audit", "--db", db, "--format", "json", "--limit", "1")
    assert [e["id"] for e in json.loads(cut.stdout)] == [json.loads(whole.stdout)[-1]["id"]]
    assert cut.stderr == f"The newest 1 of {total} events are shown; --limit 0 shows them all.\n"
    enough = run("audit", "--db", db, "--format", "csv", "--limit", str(total))
    assert enough.stderr == "" and len(enough.stdout.splitlines()) == total + 1


def test_details_show_only_what_is_known_to_be_money() -> None:
    """Stored details stay as written; shown, a known amount is a decimal string with the
    currency's decimals (dong have none), a quantity as people write it; an integer not
    known to be money (an id, a count, a VAT rate in basis points), a detail of another
    shape, and an amount stored as text already are shown as they are."""
    from bizdesk.services.admin.audit import shown_details

    entry = json.dumps({"number": 7, "lines": [[2, 125000, 0, None], [14, 0, 125000, 3]]})
    assert shown_details(entry, "journal_entry", "post", 2)["lines"] == [
        [2, "1250.00", "0.00", None],
        [14, "0.00", "1250.00", 3],
    ]
    odd = json.dumps({"lines": [[2, 125000, 0]], "entries": 3})  # not the shape known
    assert shown_details(odd, "journal_entry", "post", 2) == {
        "lines": [[2, 125000, 0]],
        "entries": 3,
    }
    assert shown_details(json.dumps({"lines": 6}), "journal_entry", "import", 2) == {"lines": 6}
    order = json.dumps({"lines": [[45, 2500, 16500, 2000]], "number": 1})
    assert shown_details(order, "sales_order", "create", 0)["lines"] == [[45, "2.5", "16500", 2000]]
    product = json.dumps({"sale_price_minor": 64900, "vat_bp": 2000, "reorder_qty_scaled": 30000})
    assert shown_details(product, "product", "create", 2) == {
        "sale_price": "649.00",
        "vat_bp": 2000,
        "reorder_qty": "30",
    }
    levels = json.dumps({"levels": [{"level": 1, "fee": "5.00"}]})  # text as written
    assert shown_details(levels, "reminder_level", "set", 2) == json.loads(levels)
    assert shown_details(json.dumps({"amount": 1663}), "invoice", "pay", 2) == {"amount": "16.63"}
    assert shown_details(json.dumps({"amount": 5}), "campaign", "queue", 2) == {"amount": 5}
    assert shown_details(None, "invoice", "pay", 2) is None


def test_one_records_events_by_its_kind_and_number(tmp_path) -> None:  # noqa: ANN001
    """`--entity contact --id N`: the events of that one contact, oldest first; an id
    without its kind is refused (ids of different kinds are different records)."""
    db = str(tmp_path / "shop.db")
    assert run("init", "--db", db).returncode == 0
    made = [run("new", "ticket", "--subject", f"Flat tyre {n}", "--db", db) for n in (1, 2)]
    assert all(r.returncode == 0 for r in made), [r.stderr for r in made]
    events = json.loads(run("audit", "--entity", "ticket", "--format", "json", "--db", db).stdout)
    first = events[0]["entity_id"]
    assert {e["entity_id"] for e in events} == {first, first + 1}
    one = run("audit", "--entity", "ticket", "--id", str(first), "--format", "json", "--db", db)
    assert one.returncode == 0, one.stderr
    assert [e["id"] for e in json.loads(one.stdout)] == [
        e["id"] for e in events if e["entity_id"] == first
    ]
    alone = run("audit", "--id", str(first), "--db", db)
    assert alone.returncode == 1 and alone.stdout == ""
    assert "an id names a record of one kind" in alone.stderr
    assert "Traceback" not in alone.stderr


def test_the_service_takes_an_id_only_with_its_kind(store) -> None:  # noqa: ANN001
    with store.read() as uow, pytest.raises(ValidationError) as exc:
        list_events(uow, entity_id=1)
    assert "entity_id" in exc.value.fields


def test_the_table_names_what_an_update_changed(tmp_path) -> None:  # noqa: ANN001
    """An update's event keeps the record before and after; the table names the details
    that differ (as the forms name them, in the reader's language), not the bookkeeping
    every update changes (version, who, when)."""
    from bizdesk.db import open_store
    from bizdesk.services.admin.audit import changed
    from bizdesk.services.crm import contacts as C

    db = str(tmp_path / "shop.db")
    assert run("init", "--db", db).returncode == 0
    store = open_store(db, create=False)
    with store.write() as uow:
        cid = C.create(uow, C.ContactInput(name="Ana Pop", city="Cluj")).contact.id
    with store.write() as uow:
        view = C.get(uow, cid)
        data = view.as_input()
        data.city, data.phone = "Iași", "+40 721 000 111"
        C.update(uow, cid, data, version=view.version)
    with store.read() as uow:
        create, update = list_events(uow, entity="contact", entity_id=cid)
    store.dispose()
    assert changed(create) == []  # nothing before it
    assert changed(update) == ["city", "phone"]
    env = {"LANG": "es_ES.UTF-8", "COLUMNS": "120"}
    shown = run("audit", "--entity", "contact", "--id", str(cid), "--db", db, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Ciudad, Teléfono" in shown.stdout
