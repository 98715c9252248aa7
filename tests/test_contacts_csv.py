"""Contact CSV import and export (DESIGN section 8)."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from bizdesk.errors import ValidationError
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts as C
from bizdesk.services.exchange.crm_exports import export_contacts
from bizdesk.services.exchange.crm_imports import import_contacts

GOOD = (
    "name,kind,organization,email,phone,city,country,tags,stage,roles,notes\n"
    "Acme Ltd,organization,,info@acme.example,,Leeds,GB,wholesale,customer,customer;supplier,\n"
    "Ann Smith,person,Acme Ltd,ann@acme.example,+44 20 7946 0958,Leeds,GB,vip;retail,prospect,"
    'customer,"likes =SUM(A1) jokes"\n'
    '"Bolt [M8]",,,,,York,,,,,\n'
)


def do_import(store, data, dry_run=False):
    return import_contacts(store, data, dry_run=dry_run)


def export(store) -> str:
    buf = io.StringIO()
    with store.read() as uow:
        export_contacts(uow, buf)
    return buf.getvalue()


def names(store):
    with store.read() as uow:
        return sorted(r.name for r in C.list_page(uow, PageRequest(limit=500)).rows)


def test_import_creates_with_organisation_from_same_file(store):
    r = do_import(store, GOOD.encode())
    assert (r.created, r.updated, r.skipped) == (3, 0, 0)
    with store.read() as uow:
        ann = C.get(uow, C.find_by_name_or_email(uow, "ann@acme.example").id)
    assert ann.organization == "Acme Ltd" and ann.phone == "+442079460958"
    assert ann.tags == ("retail", "vip") and ann.is_customer and not ann.is_supplier


def test_an_organisation_with_accents_is_found_in_the_store_and_in_the_same_file(store):
    """Its name's key holds the letters and then the accented name (sort_key): looked up
    by the casefolded name, "Cadena Piñón S.A." was "no organisation", so a shop's own
    export did not import back."""
    both = (
        "name,kind,organization\n"
        "Cadena Piñón S.A.,organization,\n"
        "Lucía Gómez,person,cadena piñón s.a.\n"
    )
    assert do_import(store, both).created == 2
    later = "name,kind,organization\nÁlvaro Ruiz,person,Cadena Piñón S.A.\n"
    assert do_import(store, later).created == 1
    with store.read() as uow:
        alvaro = C.get(uow, C.find_by_name_or_email(uow, "Álvaro Ruiz").id)
    assert alvaro.organization == "Cadena Piñón S.A."
    again = do_import(store, export(store), dry_run=True)  # its own export: nothing new
    assert (again.created, again.updated) == (0, 0)
    refused = "name,kind,organization\nEva,person,Cadena Pinon S.A.\n"  # another name
    with pytest.raises(ValidationError, match="no organisation named 'Cadena Pinon S.A.'"):
        do_import(store, refused)


def test_bom_is_accepted(store):
    assert do_import(store, b"\xef\xbb\xbf" + GOOD.encode()).created == 3


def test_dry_run_writes_nothing_and_reports(store):
    r = do_import(store, GOOD, dry_run=True)
    assert (r.created, r.dry_run) == (3, True)
    assert names(store) == []


def test_upsert_by_email_and_unchanged_rows_skipped(store):
    do_import(store, GOOD)
    again = GOOD.replace("Leeds,GB,vip", "Bradford,GB,vip")
    r = do_import(store, again)
    assert (r.created, r.updated, r.skipped) == (1, 1, 1)  # the email-less row is new again


def test_every_bad_row_reported_and_nothing_written(store):
    bad = (
        "name,email,phone,stage,roles,owner\n"
        "Good Row,good@example.com,,,,\n"
        ",x@example.com,,,,\n"
        "Bad Email,not-an-email,,,,\n"
        "Bad Phone,,12,,,\n"
        "Bad Stage,,,sleeping,,\n"
        "Bad Role,,,,partner,\n"
        "Bad Owner,,,,,ghost\n"
        "Dup,good@example.com,,,,\n"
        "Esc \x1b[31m,,,,,\n" + "Long," + "x" * 10_000 + "@a.com,,,,\n"
    )
    with pytest.raises(ValidationError) as err:
        do_import(store, bad)
    msg = str(err.value)
    for expected in (
        "line 3: name: required",
        "line 4: email:",
        "line 5: phone:",
        "line 6: stage:",
        "line 7: roles:",
        "line 8: owner:",
        "line 9: email: also on line 2",
        "line 10: name: contains a control character (U+001B",
        "line 11: email:",
    ):
        assert expected in msg
    assert "line 2" not in msg.replace("also on line 2", "")
    assert names(store) == []


def test_unknown_column_lists_valid_ones(store):
    with pytest.raises(ValidationError) as err:
        do_import(store, "name,shoe_size\nAnn,42\n")
    assert "unknown columns shoe_size" in str(err.value) and "postcode" in str(err.value)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        # a quote never closed: read as the rest of the file (one cell), or "Ann,a@b.c"
        # as one name when it was the last line
        ('name,email\n"Ann,a@example.com\nBob,b@example.com\n', "line 2: a quoted cell "),
        ('name,email\n"Ann,a@example.com\n', "line 2: a quoted cell starts here and is never"),
        # text after a closing quote: '"Ann" Lee' was read as "Ann Lee"
        ('name,email\n"Ann" Lee,a@example.com\n', 'line 2: text after the closing " of'),
        ('"name,email\n', "line 1: a quoted cell starts here"),
    ],
)
def test_a_quote_is_never_guessed_at(store, data, said):
    with pytest.raises(ValidationError) as err:
        do_import(store, data)
    assert str(err.value).startswith(said), str(err.value)
    assert names(store) == []


def test_wrong_encoding_and_missing_header(store):
    with pytest.raises(ValidationError) as err:
        do_import(store, "name\nJos\xe9\n".encode("latin-1"))
    assert "line 2: not UTF-8" in str(err.value)
    with pytest.raises(ValidationError):
        do_import(store, b"")
    with pytest.raises(ValidationError) as err:
        do_import(store, "email\nx@example.com\n")
    assert "missing required columns name" in str(err.value)


def test_export_neutralises_formulas_and_round_trips(store, new_store):
    do_import(store, GOOD)
    with store.write() as uow:
        C.create(uow, C.ContactInput(name='=HYPERLINK("evil")', notes="@cmd", city="-x"))
        C.create(uow, C.ContactInput(name="שלום 🚲", tags="a;b"))
    text = export(store)
    assert "'=HYPERLINK" in text and "'@cmd" in text and "'-x" in text
    assert ",+442079460958," in text  # a phone number is a value, never neutralised
    # import the export into a fresh store without its ids: same data, same export
    other = new_store()
    do_import(other, "\n".join(line.partition(",")[2] for line in text.splitlines()))
    assert export(other) == text
    # and into the same store: nothing changes, with or without an email (the id column)
    r = do_import(store, text)
    assert (r.created, r.updated, r.skipped) == (0, 0, 5)
    # ids of another store are refused, never guessed
    with pytest.raises(ValidationError) as err:
        do_import(new_store(), text)
    assert "line 2: id: no contact #1 in this store" in str(err.value)


def test_export_json(store):
    do_import(store, GOOD)
    import json

    buf = io.StringIO()
    with store.read() as uow:
        export_contacts(uow, buf, fmt="json")
    rows = json.loads(buf.getvalue())
    assert [r["name"] for r in rows] == ["Acme Ltd", "Ann Smith", "Bolt [M8]"]


def test_an_update_keeps_what_the_contact_holds_in_the_columns_the_file_does_not_have(store):
    do_import(store, GOOD)
    with store.write() as uow:  # a word of where the contact came from, not a column
        ann = C.get(uow, C.resolve(uow, "ann@acme.example").id)
        C.update(uow, ann.id, replace(ann.as_input(), source="fair"), version=ann.version)
    said = do_import(store, "name,email\nAnn Smith-Jones,ann@acme.example\n")
    assert (said.updated, said.skipped) == (1, 0)
    with store.read() as uow:
        ann = C.get(uow, ann.id)
    assert ann.name == "Ann Smith-Jones"
    assert (ann.organization, ann.phone, ann.city, ann.country) == (
        "Acme Ltd", "+442079460958", "Leeds", "GB"
    )  # fmt: skip
    assert (set(ann.tags), ann.stage, ann.is_customer, ann.notes, ann.source) == (
        {"vip", "retail"}, "prospect", True, "likes =SUM(A1) jokes", "fair"
    )  # fmt: skip
    # the same file again: nothing in its columns differs, so nothing is updated
    assert do_import(store, "name,email\nAnn Smith-Jones,ann@acme.example\n").skipped == 1
    # a column the file has, left empty, empties what it holds
    do_import(store, "name,email,city\nAnn Smith-Jones,ann@acme.example,\n")
    with store.read() as uow:
        assert (C.get(uow, ann.id).city, C.get(uow, ann.id).phone) == ("", "+442079460958")


def test_a_contact_made_by_import_is_audited_with_what_it_was_made_with(store) -> None:  # noqa: ANN001
    """DESIGN 3: every write records its values. A contact made by hand did; one made by an
    import recorded an event with nothing in it."""
    import json

    from sqlmodel import select

    from bizdesk.models.core import AuditEvent

    do_import(store, GOOD.encode())
    with store.write() as uow:
        hand = C.create(uow, C.ContactInput(name="By Hand", country="GB")).contact.id

    def after_of(uow, contact_id: int) -> tuple[str, str]:  # noqa: ANN001
        event = uow.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "contact", AuditEvent.entity_id == contact_id
            )
        ).one()
        return event.action, event.after

    with store.read() as uow:
        action, text = after_of(uow, C.find_by_name_or_email(uow, "ann@acme.example").id)
        _, by_hand = after_of(uow, hand)
    assert action == "import"
    after = json.loads(text)
    assert (after["name"], after["phone"], after["tags"], after["stage"]) == (
        "Ann Smith",
        "+442079460958",
        ["retail", "vip"],
        "prospect",
    )
    assert after["organization_id"] is not None and after["version"] == 1
    assert set(after) == set(json.loads(by_hand)) - {"search_text"}  # as a contact by hand


def test_a_file_with_semicolons_between_its_columns_is_told_so(store):
    """A Spanish spreadsheet saves "CSV" with ';' between the cells: the import said
    "unknown columns name;email;phone" and the valid columns, which were the ones there."""
    with pytest.raises(ValidationError) as err:
        do_import(store, "name;email;phone\nJosé Peña;jose@example.es;\n")
    assert str(err.value) == (
        "line 1: the columns are separated by ';'; bizdesk reads them separated by commas "
        "(in a spreadsheet, save as CSV UTF-8, comma-separated)"
    )
    with store.read() as uow:
        assert C.list_page(uow, PageRequest()).rows == []


@pytest.mark.parametrize(
    ("language", "typed", "listed"),
    [
        (
            "es",
            ("Cliente", "interesado", " PROSPECTO "),
            "interesado, prospecto, cliente, inactivo",
        ),
        ("vi", ("khách hàng", "Tiềm Năng", "triển vọng"), "tiềm năng, triển vọng, khách hàng"),
    ],
)
def test_a_stage_is_read_as_the_reader_sees_it_and_as_stored(store, language, typed, listed):
    from bizdesk import i18n

    i18n.use(language)
    rows = "".join(f"P{i},p{i}@example.com,{t}\n" for i, t in enumerate(typed))
    assert do_import(store, "name,email,stage\n" + rows + "Q,q@example.com,inactive\n").created == 4
    with store.read() as uow:
        stages = {c.email: c.stage for c in C.list_page(uow, PageRequest(limit=50)).rows}
    assert stages == {
        "p0@example.com": "customer",
        "p1@example.com": "lead",
        "p2@example.com": "prospect",
        "q@example.com": "inactive",  # the stored word: what the export writes
    }
    written = export(store)
    assert ",customer," in written and ",lead," in written
    assert do_import(store, written).skipped == 4  # the export reads back, nothing changed
    with pytest.raises(ValidationError) as err:  # never a guess: not a stage as it is shown
        do_import(store, "name,stage\nR,clientes\nS,khach hang\n")
    assert f"stage: {i18n._('must be one of: {options}').format(options='')}" in str(err.value)
    assert listed in str(err.value) and "lead" not in str(err.value)
