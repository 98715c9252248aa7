"""The messages the lower services raise (reading numbers, field checks, permissions, the
ledger's rules, stock, contacts, tickets) are English until a door shows them, and then in
the language of the person at that door, with their values in place."""

from __future__ import annotations

import pickle

import pytest

from bizdesk import i18n
from bizdesk.db import Store, open_store
from bizdesk.errors import Conflict, PermissionDenied, ValidationError
from bizdesk.i18n import Message
from bizdesk.services.admin import setup, users
from bizdesk.services.base.csvio import read_rows
from bizdesk.services.books import ledger
from bizdesk.services.crm import contacts, tickets
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.inventory import moves, products


def read_in(language: str, show):  # noqa: ANN001, ANN201
    """What ``show()`` gives while ``language`` is the door's language (then English again)."""
    try:
        i18n.use(language)
        return show()
    finally:
        i18n.use("en")


def refusal(exc_type, fn):  # noqa: ANN001, ANN201
    with pytest.raises(exc_type) as info:
        fn()
    return info.value


@pytest.fixture
def shop(tmp_path) -> Store:  # noqa: ANN001
    s = open_store(str(tmp_path / "shop.db"), user="anna")
    setup.ensure_initialized(s)
    with s.write() as uow:
        users.add(uow, "wes", "warehouse")
    yield s
    s.dispose()


@pytest.fixture
def vnd_shop(tmp_path) -> Store:  # noqa: ANN001
    s = open_store(str(tmp_path / "vnd.db"), user="anna")
    with s.write() as uow:
        setup.initialize(uow, company="Cửa hàng", currency="VND", locale="vi_VN")
    s.input_locale = "vi_VN"  # as the terminal interface reads forms
    yield s
    s.dispose()


def test_a_bad_amount_in_a_vnd_store_says_how_vietnamese_writes_it(vnd_shop: Store) -> None:
    def create(price: str):  # noqa: ANN202
        with vnd_shop.write() as uow:
            products.create_product(uow, products.ProductInput("PHO", "Phở bò", sale_price=price))

    err = refusal(ValidationError, lambda: create("1.500,5"))
    english = (
        "'1.500,5': no decimals here, whole numbers only; write it as in Vietnamese (Vietnam): "
        'e.g. 1.234.567 or 1234567 ("." between thousands)'
    )
    assert err.field_message("sale_price") == english
    assert read_in("vi", lambda: err.field_message("sale_price")) == (
        "'1.500,5': ở đây không có phần thập phân, chỉ số nguyên; hãy viết như trong "
        'Tiếng Việt (Việt Nam): ví dụ 1.234.567 hoặc 1234567 ("." giữa các hàng nghìn)'
    )
    assert read_in("es", lambda: str(err)) == (
        "sale_price: '1.500,5': aquí no caben decimales, solo números enteros; escríbalo como "
        'en vietnamita (Vietnam): p. ej. 1.234.567 o 1234567 ("." entre los miles)'
    )
    assert err.field_message("sale_price") == english  # the door's language, not the raise's

    err = refusal(ValidationError, lambda: create("mười"))
    assert read_in("vi", lambda: err.field_message("sale_price")).startswith(
        "'mười' không phải là số: hãy viết như trong Tiếng Việt (Việt Nam): ví dụ 1.234.567"
    )


def test_a_bad_amount_in_an_es_es_form_names_the_decimals_allowed(shop: Store) -> None:
    shop.input_locale = "es_ES"
    with shop.read() as uow:
        bank = ledger.account_for(uow, "bank").code
        equity = ledger.account_for(uow, "equity").code
    entry = ledger.EntryInput(
        "2026-11-02",
        "Capital",
        [ledger.LineInput(bank, debit="1.234,567"), ledger.LineInput(equity, credit="1.234,56")],
    )

    def post():  # noqa: ANN202
        with shop.write() as uow:
            ledger.save_and_post(uow, entry)

    err = refusal(ValidationError, post)
    assert err.field_message("line 1 debit").startswith("'1.234,567': at most 2 decimals; ")
    assert read_in("es", lambda: err.field_message("line 1 debit")) == (
        "'1.234,567': como máximo 2 decimales; escríbalo como en español (España): p. ej. "
        '12.345,67 o 12345,67 ("," antes de los decimales, "." entre los miles)'
    )
    assert read_in("ro", lambda: err.field_message("line 1 debit")).startswith(
        "'1.234,567': cel mult 2 zecimale; scrieți-l ca în spaniolă (Spania): de ex. 12.345,67"
    )


def test_the_lock_date_refusal_in_spanish_and_vietnamese(shop: Store) -> None:
    with shop.write() as uow:
        ledger.set_lock_date(uow, "2026-10-31")
        bank = ledger.account_for(uow, "bank").code
        equity = ledger.account_for(uow, "equity").code
    entry = ledger.EntryInput(
        "2026-10-15",
        "Capital",
        [ledger.LineInput(bank, debit="100"), ledger.LineInput(equity, credit="100")],
    )

    def post():  # noqa: ANN202
        with shop.write() as uow:
            ledger.save_and_post(uow, entry)

    err = refusal(ValidationError, post)
    assert str(err) == "date: the books are locked up to 2026-10-31; use a later date"
    assert read_in("es", lambda: err.field_message("date")) == (
        "la contabilidad está cerrada hasta el 2026-10-31; use una fecha posterior"
    )
    assert read_in("vi", lambda: err.field_message("date")) == (
        "sổ sách đã khóa đến ngày 2026-10-31; hãy dùng ngày sau đó"
    )


def test_a_role_refusal_names_what_who_and_whom_to_ask_in_the_readers_language(
    shop: Store,
) -> None:
    wes = Store(url=shop.url, engine=shop.engine, user="wes")
    err = refusal(PermissionDenied, lambda: _add_contact_as(wes))
    assert str(err) == (
        "Changing contacts is not allowed for your role (warehouse). Ask an owner (anna) to do "
        "it, or to change your role."
    )
    assert read_in("vi", lambda: str(err)) == (
        "Sửa liên hệ không được phép với vai trò của bạn (kho). Hãy nhờ một chủ cửa hàng "
        "(anna) làm việc này hoặc đổi vai trò cho bạn."
    )
    stranger = Store(url=shop.url, engine=shop.engine, user="mallory")
    err = refusal(PermissionDenied, lambda: _add_contact_as(stranger))
    assert read_in("es", lambda: str(err)) == (
        "Usted (mallory) no es usuario de este almacén de datos. Pida que le añada un "
        "propietario (anna): bizdesk users add mallory --role ROLE"
    )


def _add_contact_as(store: Store) -> None:
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Ana"))


def test_a_stock_shortage_in_romanian_keeps_its_quantities_and_names(shop: Store) -> None:
    with shop.write() as uow:
        pid = products.create_product(uow, products.ProductInput("BOLT", "Bolt M8")).id
        moves.adjust(uow, pid, "2", "found")

    def take_five():  # noqa: ANN202
        with shop.write() as uow:
            moves.adjust(uow, pid, "-5", "breakage")

    err = refusal(ValidationError, take_five)
    assert err.field_message("qty") == (
        "only 2 pcs of BOLT on hand at Main; BOLT may not go below zero"
    )
    assert read_in("ro", lambda: err.field_message("qty")) == (
        "doar 2 pcs din BOLT în stoc la Main; BOLT nu poate scădea sub zero"
    )
    err = refusal(ValidationError, lambda: _adjust(shop, pid, "0"))
    assert read_in("vi", lambda: err.field_message("qty")) == "không được bằng không"


def _adjust(store: Store, pid: int, qty: str) -> None:
    with store.write() as uow:
        moves.adjust(uow, pid, qty, "count")


def test_a_ticket_form_is_refused_field_by_field_in_the_readers_language(shop: Store) -> None:
    def create():  # noqa: ANN202
        with shop.write() as uow:
            tickets.create(
                uow,
                tickets.TicketInput(
                    subject="", priority="soon", link_kind="sales_order", link_id="SO-77"
                ),
            )

    err = refusal(ValidationError, create)
    assert err.field_message("subject") == "required"
    assert read_in("es", lambda: err.field_message("subject")) == "obligatorio"
    assert read_in("es", lambda: err.field_message("priority")) == (
        "debe ser uno de: low, normal, high, urgent"
    )
    assert read_in("vi", lambda: err.field_message("link_id")) == "không có đơn bán hàng 77"
    assert read_in("ro", lambda: str(err)).startswith("subject: obligatoriu; priority: ")


def test_a_contact_that_cannot_be_deleted_counts_what_it_has_in_each_language(
    shop: Store,
) -> None:
    with shop.write() as uow:
        ana = contacts.create(uow, ContactInput(name="Ana")).contact
        for subject in ("Late parcel", "Wrong size"):
            tickets.create(uow, tickets.TicketInput(subject=subject, contact=f"#{ana.id}"))

    def delete():  # noqa: ANN202
        with shop.write() as uow:
            contacts.delete(uow, ana.id, version=ana.version)

    err = refusal(Conflict, delete)
    assert str(err) == "Ana cannot be deleted: it has 2 tickets. Archive it instead."
    assert read_in("ro", lambda: str(err)) == (
        "Ana nu poate fi șters: are 2 tichete. Arhivați-l în schimb."
    )
    assert read_in("vi", lambda: str(err)) == (
        "Không thể xóa Ana: còn 2 phiếu hỗ trợ. Hãy lưu trữ thay vì xóa."
    )
    # a message crosses processes (multiprocessing imports) and is still translated there
    again = pickle.loads(pickle.dumps(err.message))
    assert read_in("es", lambda: str(again)) == (
        "Ana no se puede eliminar: tiene 2 incidencias. Archívelo en su lugar."
    )


def test_a_csv_file_refused_at_its_header_and_rows_in_the_readers_language() -> None:
    err = refusal(ValidationError, lambda: list(read_rows("name,colour\nAna,red\n", ("name",), ())))
    assert err.field_message("file") == ("line 1: unknown columns colour; valid columns are: name")
    assert read_in("es", lambda: err.field_message("file")) == (
        "línea 1: columnas desconocidas colour; las columnas válidas son: name"
    )
    rows = list(read_rows("name,city\nAna\n", ("name", "city"), ()))
    assert rows[0][1]["__error__"] == "1 cell, the header has 2"
    assert read_in("ro", lambda: str(rows[0][1]["__error__"])) == "1 celulă, antetul are 2"


def test_a_machine_file_keeps_a_message_in_english() -> None:
    """CSV is a machine format: a Message written into it stays English in any language."""
    from io import StringIO

    from bizdesk.services.base.csvio import write_rows

    out = StringIO()
    read_in("es", lambda: write_rows(out, ("label",), [(Message("draft #{id}", id=3),)]))
    assert out.getvalue() == "label\ndraft #3\n"


def test_a_date_outside_the_range_in_vietnamese(shop: Store) -> None:
    err = refusal(ValidationError, lambda: _lock(shop, "1899-12-31"))
    assert read_in("vi", lambda: err.field_message("lock_date")) == (
        "1899-12-31 nằm ngoài khoảng ngày bizdesk chấp nhận (từ 1900-01-01 đến 2199-12-31)"
    )
    with shop.read() as uow:
        assert ledger.lock_date(uow) is None


def _lock(store: Store, value: str) -> None:
    with store.write() as uow:
        ledger.set_lock_date(uow, value)


def test_a_wrong_email_address_says_why_in_the_readers_language(shop: Store) -> None:
    """The reason came from email-validator, in English, inside a Romanian sentence."""

    def create(email: str) -> ValidationError:
        with shop.write() as uow:
            return refusal(
                ValidationError, lambda: contacts.create(uow, ContactInput(name="X", email=email))
            )

    said = {
        email: read_in("ro", lambda e=create(email): e.field_message("email"))
        for email in ("ana", "ana@x", "ana@x..ro", "an a@x.ro", "ana@-x.ro")
    }
    assert said == {
        "ana": "nu este o adresă de e-mail validă (nu are @)",
        "ana@x": "nu este o adresă de e-mail validă (partea de după @ are nevoie de un punct, "
        "ca în exemplu.ro)",
        "ana@x..ro": "nu este o adresă de e-mail validă (are două puncte la rând)",
        "an a@x.ro": "nu este o adresă de e-mail validă (conține un caracter pe care o adresă "
        "nu îl poate avea)",
        "ana@-x.ro": "nu este o adresă de e-mail validă (o cratimă nu poate sta lângă @ sau "
        "lângă un punct)",
    }
