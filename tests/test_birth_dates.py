"""Birth dates of people (issue 15, marketing and analysis group people by age): typed as
the person's language writes dates in a form, ISO in a CSV file; never in the future,
never before 1900, never on an organisation; exported and imported back unchanged."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bizdesk import i18n
from bizdesk.errors import ValidationError
from bizdesk.services.crm import contacts as C
from bizdesk.services.exchange.crm_exports import export_contacts
from bizdesk.services.exchange.crm_imports import import_contacts


def make(store, **fields) -> C.ContactView:  # noqa: ANN001, ANN003
    with store.write() as uow:
        return C.create(uow, C.ContactInput(**fields)).contact


def refused(store, **fields) -> str:  # noqa: ANN001, ANN003
    with pytest.raises(ValidationError) as exc, store.write() as uow:
        C.create(uow, C.ContactInput(**fields))
    return exc.value.field_message("birth_date")


def test_a_birth_date_is_kept_and_shown_back_as_typed(store) -> None:  # noqa: ANN001
    ann = make(store, name="Ann Lee", birth_date="1984-03-09")
    assert ann.birth_date == date(1984, 3, 9)
    assert ann.as_input().birth_date == "1984-03-09"
    nobody = make(store, name="No Date")
    assert nobody.birth_date is None and nobody.as_input().birth_date == ""
    with store.write() as uow:
        cleared = C.update(
            uow, ann.id, C.ContactInput(name="Ann Lee", birth_date=""), version=ann.version
        ).contact
    assert cleared.birth_date is None


def test_a_spanish_form_reads_and_shows_the_day_first(store) -> None:  # noqa: ANN001
    store.input_locale = "es_ES"  # as the terminal interface reads forms
    i18n.use("es")
    try:
        ana = make(store, name="Ana Ruiz", birth_date="09/03/1984")
        assert ana.birth_date == date(1984, 3, 9)
        assert ana.as_input().birth_date == "09/03/1984"  # typed back as shown
        assert "AAAA" in refused(store, name="Otra", birth_date="9/3/84")  # a short year
    finally:
        i18n.use("en")


def test_impossible_birth_dates_are_refused(store) -> None:  # noqa: ANN001
    assert "future" in refused(store, name="Later", birth_date="2100-01-01")
    assert "1900" in refused(store, name="Old", birth_date="1850-01-01")
    assert refused(store, name="Feb", birth_date="1990-02-30")
    assert "person" in refused(store, name="Acme Ltd", kind="organization", birth_date="1990-01-01")


def test_a_birth_date_goes_out_and_comes_back_through_csv(store) -> None:  # noqa: ANN001
    make(store, name="Ann Lee", email="ann@example.com", birth_date="1984-03-09")
    out = io.StringIO()
    with store.read() as uow:
        export_contacts(uow, out)
    text = out.getvalue()
    header, row = text.splitlines()[:2]
    assert ",birth_date," in header and ",1984-03-09," in row
    # the same file again changes nothing; with another date it updates that contact
    assert import_contacts(store, text.encode()).skipped == 1
    result = import_contacts(store, text.replace("1984-03-09", "1984-03-10").encode())
    assert (result.created, result.updated) == (0, 1)
    new = "name,email,birth_date\nBo Chan,bo@example.com,2001-12-31\nNo One,no@example.com,\n"
    assert import_contacts(store, new.encode()).created == 2
    with store.read() as uow:
        assert C.get(uow, C.find_by_name_or_email(uow, "ann@example.com").id).birth_date == date(
            1984, 3, 10
        )
        assert C.get(uow, C.find_by_name_or_email(uow, "Bo Chan").id).birth_date == date(
            2001, 12, 31
        )
        assert C.get(uow, C.find_by_name_or_email(uow, "No One").id).birth_date is None


def test_a_file_with_bad_birth_dates_is_refused_line_by_line(store) -> None:  # noqa: ANN001
    bad = (
        "name,kind,birth_date\n"
        "Ann,person,09/03/1984\n"  # a file holds ISO dates only
        "Bob,person,2100-01-01\n"
        "Acme,organization,1990-01-01\n"
    )
    with pytest.raises(ValidationError) as exc:
        import_contacts(store, bad.encode())
    said = str(exc.value)
    assert "line 2: birth_date" in said and "line 3: birth_date" in said
    assert "line 4: birth_date" in said
    with store.read() as uow:
        assert C.counts(uow)["contacts"] == 0
