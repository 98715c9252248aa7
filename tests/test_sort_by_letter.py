"""Lists sort names by their letters, accents second: "Ștefan" among the S and "Đặng" among
the D, not after Z as by code point; on SQLite and (with BIZDESK_TEST_PG_URL) PostgreSQL,
page by page, and for a store made before (migration 0025)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from bizdesk.db.migrate import HEAD, alembic_config
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.inventory import locations, products
from bizdesk.services.inventory.products import ProductInput
from bizdesk.services.marketing import segments
from bizdesk.services.people import employees
from bizdesk.services.trade import deals
from bizdesk.services.trade.deals import DealInput

# in the order a list shows them (typed in another)
IN_ORDER = [
    "Ana",
    "Ana Maria",
    "Dan",
    "Đặng Thu",  # Vietnamese Đ among the D
    "Émile Roux",
    "Stefan B",
    "Stefan Pop",
    "Ștefan Pop",  # after the same name without accents, before "Stefan Q"
    "Stefan Q",
    "Țurcanu Ion",
    "Zoe",
]
TYPED = IN_ORDER[::-1][::2] + IN_ORDER[::-1][1::2]


def _every_page(fetch, limit: int = 3) -> list[str]:  # noqa: ANN001
    """Every row's name, a few at a time as a list pages down."""
    names, after = [], None
    while True:
        page = fetch(PageRequest(limit=limit, after=after))
        names += [getattr(r, "name", None) or r.title for r in page.rows]
        if not page.more_after:
            return names
        after = page.keys[-1]


def test_the_key_puts_letters_first_and_accents_second() -> None:
    assert v.sort_key("Zoe") == "zoe"
    assert v.sort_key("Ștefan") == "stefan\x1fștefan"
    assert v.sort_key("ȘTEFAN") == v.sort_key("ștefan")  # case is not a difference
    assert v.sort_key("Stefan") != v.sort_key("Ștefan")  # accents are
    assert sorted(IN_ORDER, key=v.sort_key) == IN_ORDER
    assert v.sort_prefix("ȘTE") == "ste"


def test_contacts_list_by_letter_page_by_page(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for name in TYPED:
            contacts.create(uow, ContactInput(name=name))
    with store.read() as uow:
        assert _every_page(lambda req: contacts.list_page(uow, req)) == IN_ORDER
        back = contacts.list_page(uow, PageRequest(limit=4, last=True))
        assert [r.name for r in back.rows] == IN_ORDER[-4:]


def test_products_and_deals_list_by_letter(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Buyer"))
        for i, name in enumerate(TYPED):
            products.create_product(uow, ProductInput(sku=f"P{i}", name=name))
            deals.create(uow, DealInput(title=name, contact="Buyer"))
    with store.read() as uow:
        assert _every_page(lambda req: products.list_products(uow, req)) == IN_ORDER
        assert _every_page(lambda req: deals.list_page(uow, req)) == IN_ORDER


def test_a_name_is_still_matched_exactly_and_started_without_accents(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        plain = contacts.create(uow, ContactInput(name="Stefan Pop")).contact.id
        accented = contacts.create(uow, ContactInput(name="Ștefan Pop")).contact.id
    with store.read() as uow:
        assert contacts.find_by_name_or_email(uow, "stefan pop").id == plain
        assert contacts.find_by_name_or_email(uow, "ȘTEFAN POP").id == accented
        for typed in ("ste", "ȘTE", "Ștefan P"):
            assert [r.name for r in contacts.suggest(uow, typed)] == ["Stefan Pop", "Ștefan Pop"]
        assert [r.name for r in contacts.list_page(uow, PageRequest(search="șt")).rows] == [
            "Stefan Pop",
            "Ștefan Pop",
        ]


def test_employees_are_found_without_accents(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Ștefan Pop"))
        employees.add(
            uow, employees.EmployeeInput(contact="Ștefan Pop", start_date="2026-01-01", pay="2000")
        )
    with store.read() as uow:
        # a suggestion goes on from what was typed, as typed: "ște" is, "ste" is not
        assert employees.suggest_employees(uow, "ȘTE") == ["Ștefan Pop"]
        assert employees.suggest_employees(uow, "ste") == []
        assert [e.name for e in employees.page(uow, PageRequest(search="stefan")).rows] == [
            "Ștefan Pop"
        ]


def test_a_store_made_before_gets_keys_by_letter(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for name in TYPED:
            contacts.create(uow, ContactInput(name=name))
    config = alembic_config(store)
    command.downgrade(config, "0024")
    with store.engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT name, sort_name FROM contact")).all())
    assert keys["Ștefan Pop"] == "ștefan pop"  # as 0024 left them: by code point
    command.upgrade(config, HEAD)
    with store.read() as uow:
        assert _every_page(lambda req: contacts.list_page(uow, req)) == IN_ORDER


def test_locations_and_segments_by_letter(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for name in ("Zona B", "Ștand", "atelier", "Sala"):
            locations.add_location(uow, name)
            segments.create_segment(uow, segments.SegmentInput(name=name, city="Cluj"))
    with store.read() as uow:
        names = [loc.name for loc in locations.list_locations(uow)]
        assert [n for n in names if n != "Main"] == ["atelier", "Sala", "Ștand", "Zona B"]
        assert [s.name for s in segments.list_segments(uow)] == [
            "atelier",
            "Sala",
            "Ștand",
            "Zona B",
        ]
