"""Contacts: every rule and every refusal of services/crm/contacts.py."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from bizdesk.errors import Conflict, NotFound, ValidationError
from bizdesk.models.core import AuditEvent
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.trade import deals as D


def new(store, **kw):
    with store.write() as uow:
        return C.create(uow, C.ContactInput(**kw))


def count_contacts(store) -> int:
    with store.read() as uow:
        return C.counts(uow)["contacts"]


def test_create_normalises_email_phone_country_and_tags(store):
    saved = new(
        store,
        name="  Jane Doe ",
        email="Jane.Doe@Example.COM",
        phone="030 1234567",
        country="Germany",
        tags="VIP; retail;vip",
    )
    c = saved.contact
    assert (c.name, c.email, c.phone, c.country) == (
        "Jane Doe",
        "jane.doe@example.com",
        "+49301234567",
        "DE",
    )
    assert c.tags == ("retail", "vip")
    assert saved.warnings == []


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("name", "", "required"),
        ("name", "x" * 10_000, "too long"),
        ("name", "Evil \x1b[31mred", "control character (U+001B"),
        ("email", "not-an-email", "not a valid email"),
        ("phone", "12", "phone"),
        ("country", "Atlantis", "unknown country"),
        ("country", "ZZ", "unknown country"),  # CLDR's "Unknown Region", no country
        ("country", "EU", "unknown country"),
        ("stage", "hot", "must be one of"),
        ("kind", "robot", "must be one of"),
        ("owner", "nobody", "not a bizdesk user"),
        ("organization", "No Such Org", "no organisation"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(store, field, value, fragment):
    kw = {"name": "Valid Name", field: value}
    with pytest.raises(ValidationError) as err:
        new(store, **kw)
    assert fragment in err.value.fields[field]
    assert count_contacts(store) == 0


def test_literal_hostile_text_is_kept_as_typed(store):
    for name in ("[bold]x[/]", "[/]", "Bolt [M8]", "Café ☕ 🚲", "שלום עולם"):
        assert new(store, name=name).contact.name == name


def test_email_is_unique(store):
    new(store, name="A", email="a@example.com")
    with pytest.raises(ValidationError) as err:
        new(store, name="B", email="A@example.com")
    assert "already used by A" in err.value.fields["email"]


def test_duplicate_warning_on_same_name_phone_or_reversed_words(store):
    new(store, name="John Smith", phone="+44 20 7946 0958")
    assert new(store, name="john smith").warnings
    assert new(store, name="Other", phone="+442079460958").warnings
    assert new(store, name="Smith John").warnings
    assert new(store, name="Somebody Else").warnings == []


def test_a_duplicate_is_found_without_its_accents_case_or_spaces(store):
    """ "Adrian Muresan" typed on a keyboard without Romanian letters is the Adrian Mureșan
    already there (and so is "adrian  MUREȘAN"); a LIKE wildcard in a name is only a
    character."""
    first = new(store, name="Adrian Mureșan").contact
    for typed in ("Adrian Muresan", "adrian  MUREȘAN", "Muresan Adrian", "Nguyễn Văn A"):
        said = [str(w) for w in new(store, name=typed).warnings]
        if typed.startswith("Nguy"):
            assert said == []
        else:
            assert f"Possible duplicate of Adrian Mureșan (#{first.id})" in said, typed
    assert new(store, name="nguyen van a").warnings  # Vietnamese without its marks too
    new(store, name="Ana_Pop%")
    assert new(store, name="AnaXPopY").warnings == []


def test_update_checks_version_and_says_who(store):
    c = new(store, name="Acme").contact
    with store.write() as uow:
        C.update(uow, c.id, C.ContactInput(name="Acme Ltd"), version=c.version)
    with pytest.raises(Conflict) as err, store.write() as uow:
        C.update(uow, c.id, C.ContactInput(name="Acme GmbH"), version=c.version)
    assert "tester changed this record" in str(err.value)
    with store.read() as uow:
        assert C.get(uow, c.id).name == "Acme Ltd"
    with pytest.raises(Conflict, match="tester changed this record"), store.write() as uow:
        C.archive(uow, c.id, version=c.version)  # archived as the user saw it, or not at all
    with store.read() as uow:
        assert not C.get(uow, c.id).archived


def test_every_write_is_audited_with_before_and_after(store):
    c = new(store, name="Audit Me").contact
    with store.write() as uow:
        C.update(uow, c.id, C.ContactInput(name="Audited"), version=c.version)
    with store.read() as uow:
        events = [
            (e.action, e.username, e.before, e.after)
            for e in uow.session.exec(select(AuditEvent).where(AuditEvent.entity == "contact"))
        ]
    assert [e[0] for e in events] == ["create", "update"]
    assert events[1][1] == "tester"
    assert "Audit Me" in events[1][2] and "Audited" in events[1][3]


def test_organisation_membership(store):
    org = new(store, name="Acme", kind="organization").contact
    p = new(store, name="Ann", organization="acme").contact
    assert p.organization_id == org.id and p.organization == "Acme"
    with pytest.raises(ValidationError), store.write() as uow:
        C.update(
            uow,
            org.id,
            C.ContactInput(name="Acme", kind="organization", organization="Acme"),
            version=org.version,
        )


def test_delete_only_when_unreferenced_else_archive(store):
    lone = new(store, name="Lone").contact
    busy = new(store, name="Busy").contact
    with store.write() as uow:
        C.log_interaction(uow, busy.id, "call", "asked about prices")
    with store.write() as uow:
        C.delete(uow, lone.id, version=lone.version)
    with pytest.raises(Conflict) as err, store.write() as uow:
        C.delete(uow, busy.id, version=busy.version)
    assert "Archive it instead" in str(err.value)
    with store.write() as uow:
        C.archive(uow, busy.id, version=busy.version)
    with store.read() as uow:
        assert C.list_page(uow, PageRequest()).rows == []
        assert len(C.list_page(uow, PageRequest(filters={"archived": True})).rows) == 1
        with pytest.raises(NotFound):
            C.get(uow, lone.id)


def test_interactions_newest_first_and_validated(store):
    from datetime import UTC, datetime

    c = new(store, name="Chatty").contact
    with store.write() as uow:
        C.log_interaction(uow, c.id, "call", "first", at=datetime(2026, 1, 1, tzinfo=UTC))
        C.log_interaction(uow, c.id, "visit", "second", at=datetime(2026, 2, 1, tzinfo=UTC))
    with pytest.raises(ValidationError) as err, store.write() as uow:
        C.log_interaction(uow, c.id, "telepathy", "")
    assert set(err.value.fields) == {"kind", "summary"}
    with store.read() as uow:
        assert [i.summary for i in C.list_interactions(uow, c.id)] == ["second", "first"]


def test_merge_moves_everything_and_archives_the_other(store):
    keep = new(store, name="Jon Smith", tags="a").contact
    drop = new(
        store, name="Jonathan Smith", email="jon@example.com", city="Leeds", tags="b"
    ).contact
    member = new(store, name="Org", kind="organization").contact
    with store.write() as uow:
        C.log_interaction(uow, drop.id, "email", "hello")
        deal = D.create(uow, D.DealInput(title="Bikes", contact=f"#{drop.id}", amount="10"))
        ticket = T.create(uow, T.TicketInput(subject="Broken", contact=f"#{drop.id}"))
        merged = C.merge(uow, keep.id, drop.id)
    assert merged.email == "jon@example.com" and merged.city == "Leeds"
    assert merged.tags == ("a", "b")
    with store.read() as uow:
        assert C.list_interactions(uow, keep.id)[0].summary == "hello"
        assert D.get(uow, deal.id).contact_id == keep.id
        assert T.get(uow, ticket.id).contact_id == keep.id
        gone = C.get(uow, drop.id)
        assert gone.archived and gone.email == ""
    with pytest.raises(ValidationError), store.write() as uow:
        C.merge(uow, keep.id, keep.id)
    with pytest.raises(ValidationError), store.write() as uow:
        C.merge(uow, keep.id, drop.id)  # archived now
    with store.read() as uow:  # a contact that was not part of the merge is left alone
        other = C.get(uow, member.id)
    assert other.name == "Org" and not other.archived


def test_segments_group_in_sql(store):
    new(store, name="A", city="Leeds", tags="vip", is_customer=True)
    new(store, name="B", city="Leeds")
    new(store, name="C", city="York", tags="vip")
    with store.read() as uow:
        by_city = C.segments(uow, "city")
        by_tag = C.segments(uow, "tag")
        with pytest.raises(ValidationError):
            C.segments(uow, "shoe size")
    assert [(r.value, r.contacts, r.customers) for r in by_city] == [
        ("Leeds", 2, 1),
        ("York", 1, 0),
    ]
    assert [(r.value, r.contacts) for r in by_tag] == [("vip", 2)]


def test_list_pages_by_keyset_and_filters(store):
    with store.write() as uow:
        for i in range(120):
            C.create(uow, C.ContactInput(name=f"Person {i:03d}", city="Leeds" if i % 2 else "York"))
    with store.read() as uow:
        p1 = C.list_page(uow, PageRequest(limit=50))
        p2 = C.list_page(uow, PageRequest(limit=50, after=p1.keys[-1]))
        p3 = C.list_page(uow, PageRequest(limit=50, after=p2.keys[-1]))
        back = C.list_page(uow, PageRequest(limit=50, before=p2.keys[0]))
        last = C.list_page(uow, PageRequest(limit=50, last=True))
        found = C.list_page(uow, PageRequest(search="son 11"))
        york = C.list_page(uow, PageRequest(limit=500, filters={"city": "York"}))
        pct = C.list_page(uow, PageRequest(search="%"))
    names = [r.name for r in p1.rows + p2.rows + p3.rows]
    assert names == sorted(names) and len(set(names)) == 120
    assert p1.more_after and p2.more_after and not p3.more_after
    assert back.rows == p1.rows
    assert last.rows == (p2.rows + p3.rows)[-50:]  # the last 50, in order
    assert [r.name for r in found.rows] == [f"Person 11{i}" for i in range(10)]
    assert len(york.rows) == 60
    assert pct.rows == []  # a literal %, not a wildcard


def test_counts(store):
    new(store, name="A", is_customer=True)
    new(store, name="B", is_supplier=True)
    with store.read() as uow:
        assert C.counts(uow) == {"contacts": 2, "customers": 1, "suppliers": 1}
        assert uow.session.exec(select(func.count()).select_from(AuditEvent)).one() >= 2


def test_a_name_typed_without_its_accents_finds_the_one_contact_so_named(store) -> None:  # noqa: ANN001
    """A keyboard over SSH may have no ă or ễ: "nguyen van an" names Nguyễn Văn An when no
    one else is named so but for accents; two such are refused saying which; a name written
    exactly as typed wins over one with accents."""
    from bizdesk.services.base.validate import FieldError

    with store.write() as uow:
        an = C.create(uow, C.ContactInput(name="Nguyễn Văn An", city="Huế")).contact
        assert C.resolve(uow, "nguyen van an").id == an.id
        assert C.resolve(uow, "NGUYEN VĂN AN").id == an.id
        assert C.resolve(uow, " nguyen  van an ").id == an.id  # spaces as typed in a hurry
        assert (
            D.create(uow, D.DealInput(title="Bikes", contact="Nguyen Van An")).contact_id == an.id
        )
        with pytest.raises(FieldError, match="no contact named 'nguyen van'"):
            C.resolve(uow, "nguyen van")  # a name's start is not the name
        stefan = C.create(uow, C.ContactInput(name="Ștefan Pop", city="Iași")).contact
        other = C.create(uow, C.ContactInput(name="Ştefan Pop", city="Cluj")).contact  # cedilla
        with pytest.raises(FieldError) as refused:
            C.resolve(uow, "stefan pop")
        assert str(refused.value.message) == (
            f"several contacts are named stefan pop: #{stefan.id} Ștefan Pop (Iași), "
            f"#{other.id} Ştefan Pop (Cluj); give the one meant by its #number or its e-mail"
        )
        plain = C.create(uow, C.ContactInput(name="Stefan Pop")).contact
        assert C.resolve(uow, "stefan pop").id == plain.id  # exactly as typed: that one
        assert C.resolve(uow, "Stefan  Pop").id == plain.id
        assert C.resolve(uow, "Ștefan Pop").id == stefan.id


def test_a_name_several_contacts_share_is_refused_saying_which(store) -> None:  # noqa: ANN001
    """Two live "Adrian Mureșan": a deal, a ticket, a merge or a consent typed with that
    name is refused, naming each by #number and city (the first used to be taken)."""
    from bizdesk.services.base.validate import FieldError

    with store.write() as uow:
        a = C.create(uow, C.ContactInput(name="Adrian Mureșan", city="Dej")).contact
        b = C.create(
            uow, C.ContactInput(name="adrian mureșan", city="Cluj", email="am@example.ro")
        ).contact
        with pytest.raises(FieldError) as refused:
            C.resolve(uow, "Adrian Mureșan")
        assert str(refused.value.message) == (
            f"several contacts are named Adrian Mureșan: #{a.id} (Dej), #{b.id} (Cluj); give "
            "the one meant by its #number or its e-mail"
        )
        assert C.resolve(uow, f"#{a.id}").id == a.id
        assert C.resolve(uow, "am@example.ro").id == b.id
        with pytest.raises(ValidationError, match="several contacts are named"):
            D.create(uow, D.DealInput(title="Bikes", contact="Adrian Mureșan"))
        C.archive(uow, a.id, version=C.get(uow, a.id).version)
        assert C.resolve(uow, "Adrian Mureșan").id == b.id  # one live one left
        with pytest.raises(FieldError) as refused:  # a number no contact has: not a name
            C.resolve(uow, "#99999")
        assert str(refused.value.message) == "there is no contact #99999"
        # as a form shows a contact: the name, and the number that tells namesakes apart
        assert C.resolve(uow, C.reference("Adrian Mureșan", b.id)).id == b.id
        assert C.resolve(uow, f"adrian  mureșan #{b.id}").id == b.id
        with pytest.raises(FieldError) as refused:
            C.resolve(uow, f"Someone Else #{b.id}")
        assert str(refused.value.message) == f"#{b.id} is adrian mureșan, not Someone Else"
        shop = C.create(uow, C.ContactInput(name="Shop #2")).contact  # a name, taken as one
        assert C.resolve(uow, "Shop #2").id == shop.id


def test_a_phone_number_typed_grouped_finds_the_contact(store) -> None:  # noqa: ANN001
    """ "612 345" and "+34 612 345 678" (as the form's example groups a number) found nothing:
    the number is stored without its spaces."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Lucía Gómez", phone="+34 612 345 678", country="ES"))
        C.create(uow, C.ContactInput(name="Other", phone="+34 699 000 111", country="ES"))
    for typed in ("612 345", "+34 612 345 678", "612-345", "(612) 345", "612345"):
        with store.read() as uow:
            found = [c.name for c in C.list_page(uow, PageRequest(search=typed)).rows]
        assert found == ["Lucía Gómez"], typed
    with store.read() as uow:  # text with digits is read as typed: not a phone number
        assert C.list_page(uow, PageRequest(search="Gómez 612")).rows == []


def test_a_phone_number_typed_as_at_home_finds_the_contact(store) -> None:  # noqa: ANN001
    """In a Vietnamese shop "0903 375 550" (or its start, "0903") is how staff write a number;
    it is stored international (+84903375550) and the search found nothing."""
    with store.write() as uow:
        uow.set_setting("shop_country", "VN")
        C.create(uow, C.ContactInput(name="Bùi Minh Châu", phone="0903 375 550", country="VN"))
        C.create(uow, C.ContactInput(name="Other", phone="+84 912 000 111", country="VN"))
    for typed in ("0903 375 550", "0903375550", "0903", "090-337", "+84903", "375 550"):
        with store.read() as uow:
            found = [c.name for c in C.list_page(uow, PageRequest(search=typed)).rows]
        assert found == ["Bùi Minh Châu"], typed
    with store.read() as uow:  # a digit after the prefix is too little to go on
        assert C.list_page(uow, PageRequest(search="09")).rows == []
    with store.write() as uow:
        uow.set_setting("shop_country", "ES")  # Spain writes no trunk prefix
    with store.read() as uow:
        assert C.list_page(uow, PageRequest(search="0903375550")).rows == []


def test_a_contact_is_found_by_its_number_as_pages_give_it(store) -> None:  # noqa: ANN001
    """A ticket's page names its contact "Ann Lee (#2)", a merge asks about "(#44)": typed
    into the contacts filter, "#2" found nothing."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Lee"))
        shop = C.create(uow, C.ContactInput(name="Shop #1")).contact
    with store.read() as uow:
        found = [c.name for c in C.list_page(uow, PageRequest(search=f"#{shop.id}")).rows]
        assert found == ["Shop #1"]
        found = [c.name for c in C.list_page(uow, PageRequest(search="#1")).rows]
        assert found == ["Ann Lee", "Shop #1"]  # number 1, and a name holding "#1"
        assert C.list_page(uow, PageRequest(search="#99")).rows == []
