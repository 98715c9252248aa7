"""Search and find ignore accents: "Bucuresti" finds "București", "nguyen" finds "Nguyễn",
on SQLite and (with BIZDESK_TEST_PG_URL) on PostgreSQL, through the folded search column."""

from __future__ import annotations

import pytest

from bizdesk.folding import fold
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.exchange import crm_imports as imports
from bizdesk.services.inventory import products
from bizdesk.services.overview import search
from bizdesk.services.trade import deals
from tests.erp_helpers import order, product, supplier


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("București", "bucuresti"),
        ("Știrbu Țepeș", "stirbu tepes"),
        ("ȘȚĂÂÎ șțăâî", "staai staai"),
        ("Şerban Ţuţuianu", "serban tutuianu"),  # the cedilla forms too
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("Trương Thị Phượng", "truong thi phuong"),
        ("đường ĐỖ", "duong do"),  # đ does not decompose under NFKD
        ("Łódź Ørsted Straße", "lodz orsted strasse"),
    ],
)
def test_fold_takes_off_accents_and_case(text, folded) -> None:  # noqa: ANN001
    assert fold(text) == folded


def _names(store, query: str) -> list[str]:  # noqa: ANN001
    with store.read() as uow:
        return sorted(r.name for r in contacts.list_page(uow, PageRequest(search=query)).rows)


def _people(store) -> dict[str, int]:  # noqa: ANN001
    ids = {}
    with store.write() as uow:
        for name, city in (
            ("Ion Știrbu", "București"),
            ("Nguyễn Văn Đức", "Hà Nội"),
            ("Ana Țăranu", "Brașov"),
            ("Plain Person", "Leeds"),
        ):
            ids[name] = contacts.create(uow, ContactInput(name=name, city=city)).contact.id
    return ids


def test_the_contact_filter_ignores_accents(store) -> None:  # noqa: ANN001
    _people(store)
    assert _names(store, "Bucuresti") == ["Ion Știrbu"]
    assert _names(store, "bucurești") == ["Ion Știrbu"]
    assert _names(store, "nguyen") == ["Nguyễn Văn Đức"]
    assert _names(store, "NGUYEN VAN DUC") == ["Nguyễn Văn Đức"]
    assert _names(store, "duc") == ["Nguyễn Văn Đức"]
    assert _names(store, "ha noi") == ["Nguyễn Văn Đức"]
    assert _names(store, "taranu") == ["Ana Țăranu"]
    assert _names(store, "brasov") == ["Ana Țăranu"]
    assert _names(store, "stirbu") == ["Ion Știrbu"]
    assert _names(store, "zzz") == []
    # one or two letters: a word of the name (or of the city) starting with them, so a
    # Vietnamese name is found by its given name, which comes last ("an" found nothing)
    assert _names(store, "ng") == ["Nguyễn Văn Đức"]
    assert _names(store, "io") == ["Ion Știrbu"]
    assert _names(store, "đư") == ["Nguyễn Văn Đức"]
    assert _names(store, "St") == ["Ion Știrbu"]
    assert _names(store, "ta") == ["Ana Țăranu"]
    assert _names(store, "no") == ["Nguyễn Văn Đức"]  # Hà Nội
    assert _names(store, "br") == ["Ana Țăranu"]  # Brașov: the first word of a line (the city)
    assert _names(store, "an") == ["Ana Țăranu"]  # not Nguyễn Văn (a word's start only)
    assert _names(store, "p") == ["Plain Person"]


def test_an_edit_changes_what_is_found(store) -> None:  # noqa: ANN001
    ids = _people(store)
    with store.write() as uow:
        view = contacts.get(uow, ids["Plain Person"])
        contacts.update(
            uow,
            view.id,
            ContactInput(name="Plain Person", city="Cluj-Napoca", email="p@exemplu.ro"),
            version=view.version,
        )
    assert _names(store, "leeds") == []
    assert _names(store, "cluj") == ["Plain Person"]
    assert _names(store, "exemplu") == ["Plain Person"]


def test_imported_contacts_are_found_without_accents(store) -> None:  # noqa: ANN001
    csv = "name,email,city\nȘtefan Dumitrașcu,stefan@example.ro,Timișoara\n"
    imports.import_contacts(store, csv)
    assert _names(store, "timisoara") == ["Ștefan Dumitrașcu"]
    assert _names(store, "dumitrascu") == ["Ștefan Dumitrașcu"]


def test_find_anything_ignores_accents(store) -> None:  # noqa: ANN001
    ids = _people(store)
    product(store, "CUS-1", name="Cușcă pentru câine")
    with store.write() as uow:
        deals.create(
            uow, deals.DealInput(title="Xe đạp cho Phượng", contact=f"#{ids['Ana Țăranu']}")
        )
    with store.read() as uow:
        labels = [h.label for h in search.find(uow, "nguyen")]
        assert labels == ["Contact Nguyễn Văn Đức"]
        assert [h.label for h in search.find(uow, "cusca")] == ["Product CUS-1 Cușcă pentru câine"]
        assert [h.label for h in search.find(uow, "xe dap")] == ["Deal Xe đạp cho Phượng"]
        assert [h.label for h in search.find(uow, "phuong")] == ["Deal Xe đạp cho Phượng"]
        rows = products.list_products(uow, PageRequest(search="caine")).rows
        assert [r.sku for r in rows] == ["CUS-1"]
        assert products.suggest_products(uow, "cusc") == ["CUS-1 Cușcă pentru câine"]
        found = deals.list_page(uow, PageRequest(search="DAP CHO")).rows
        assert [d.title for d in found] == ["Xe đạp cho Phượng"]


def test_order_lists_filter_by_a_folded_supplier_name(store) -> None:  # noqa: ANN001
    from bizdesk.services.trade import purchasing

    sid = supplier(store, "Furnizor Șurub Oțel")
    product(store, "BOLT-1")
    po = order(store, sid, ("BOLT-1", "1", "1.00"))
    with store.read() as uow:
        rows = purchasing.list_page(uow, PageRequest(search="surub otel")).rows
        assert [r.id for r in rows] == [po.id]
        assert purchasing.list_page(uow, PageRequest(search="nimic")).rows == []


def test_tickets_are_found_without_accents(store) -> None:  # noqa: ANN001
    from bizdesk.services.crm import tickets

    with store.write() as uow:
        t = tickets.create(uow, tickets.TicketInput(subject="Frână defectă la bicicletă"))
    with store.read() as uow:
        rows = tickets.list_page(uow, PageRequest(search="frana defecta")).rows
        assert [r.id for r in rows] == [t.id]
        hits = [h.label for h in search.find(uow, "bicicleta")]
        assert hits == [f"Ticket #{t.id} Frână defectă la bicicletă"]


def test_check_flags_a_row_without_search_text(store) -> None:  # noqa: ANN001
    from sqlalchemy import text

    from tests.erp_helpers import errors

    ids = _people(store)
    assert errors(store) == []
    with store.write() as uow:  # as code writing around the services might leave it
        uow.session.execute(
            text("UPDATE contact SET search_text = '' WHERE id = :i"), {"i": ids["Plain Person"]}
        )
    assert errors(store) == [
        f"search-text: contact #{ids['Plain Person']}: no search text "
        "(it cannot be found; written around the store's code?)"
    ]


def test_find_anything_takes_a_number_as_the_screens_write_it(store) -> None:  # noqa: ANN001
    """A ticket's page reads "#2 Brakes squeak" and find-anything lists "Ticket #2 ...";
    typed back, "#2" found nothing (only "2" did). It finds the ticket, and the contact of
    that number, as a form writes one ("Ann Lee #2")."""
    from bizdesk.services.crm import tickets

    with store.write() as uow:
        first = contacts.create(uow, ContactInput(name="Ann Lee")).contact
        second = contacts.create(uow, ContactInput(name="Bob Roe")).contact
        tickets.create(uow, tickets.TicketInput(subject="Wobbly wheel"))
        tickets.create(uow, tickets.TicketInput(subject="Brakes squeak"))
    with store.read() as uow:
        assert [h.label for h in search.find(uow, f"#{second.id}")] == [
            "Ticket #2 Brakes squeak",
            "Contact Bob Roe",
        ]
        assert [h.label for h in search.find(uow, " #001 ")] == [
            "Ticket #1 Wobbly wheel",
            f"Contact {first.name}",
        ]
        assert search.find(uow, "#999") == []
