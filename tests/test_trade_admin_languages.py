"""The upper services speak the reader's language (issue 13): an import's summary and its
problems, a check's finding, a report's title and labels, and the words of a written
document; JSON keeps its English, and English stays the default."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from bizdesk import i18n
from bizdesk.config import sqlite_path
from bizdesk.errors import ValidationError
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.crm import contacts
from bizdesk.services.exchange.crm_imports import import_contacts
from bizdesk.services.exchange.staging import ImportResult
from bizdesk.services.overview import reports
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import order, product, supplier


@pytest.fixture
def speak():  # noqa: ANN201
    """``speak("es")`` for the rest of the test; English again afterwards, whatever happens."""
    try:
        yield i18n.use
    finally:
        i18n.use("en")


def test_an_import_summary_has_each_count_in_its_own_plural(speak) -> None:  # noqa: ANN001
    one = ImportResult(created=1, updated=2, skipped=20)
    assert one.summary("contacts") == "1 contact was created, 2 updated, 20 unchanged."
    assert ImportResult(created=3, dry_run=True).summary("journal") == (
        "3 entries would be posted."
    )
    speak("ro")  # one / few (2-19) / many (20+: "20 de ...")
    assert str(one.summary("contacts")) == (
        "s-a creat 1 contact, 2 actualizate, 20 de neschimbate."
    )
    assert str(ImportResult(created=2).summary("products")) == (
        "s-au creat 2 produse, 0 actualizate, 0 neschimbate."  # 0 is "few" in Romanian
    )
    assert str(ImportResult(created=21, skipped=1).summary("stock-count")) == (
        "s-au ajustat 21 de produse, 1 corespunde evidenței."
    )
    speak("es")
    assert str(one.summary("contacts")) == "se creó 1 contacto, 2 actualizados, 20 sin cambios."
    assert str(ImportResult(created=1).summary("journal")) == "Se contabilizó 1 asiento."
    speak("vi")
    assert str(ImportResult(created=5).summary("journal")) == "Đã ghi sổ 5 bút toán."
    speak("en")
    assert str(one.summary("contacts")) == "1 contact was created, 2 updated, 20 unchanged."


def test_an_imported_files_problems_are_shown_in_the_readers_language(store, speak) -> None:  # noqa: ANN001
    csv = "name,email\nAna,ana@example.com\nBea,ana@example.com\n"
    with pytest.raises(ValidationError) as err:
        import_contacts(store, csv)
    assert str(err.value) == "line 3: email: also on line 2"  # English: the default
    speak("es")
    assert err.value.field_message("file") == "línea 3: email: también en la línea 2"
    speak("vi")
    assert str(err.value) == "dòng 3: email: cũng có ở dòng 2"


def test_a_check_finding_is_written_in_the_readers_language(store, speak, sqlite_only) -> None:  # noqa: ANN001
    path = sqlite_path(store.url)
    os.chmod(path, 0o644)
    try:
        found = [v for v in run_checks(store) if v.check == "store-permissions"]
    finally:
        os.chmod(path, 0o600)
    assert found and found[0].severity == "warning"
    message = found[0].message
    assert message == (
        f"{path} can be read or written by every user on this machine (chmod o-rwx {path})"
    )
    speak("es")
    assert str(message) == (
        f"{path} lo puede leer o escribir cualquier usuario de este equipo (chmod o-rwx {path})"
    )
    speak("ro")
    assert str(message).startswith(f"{path} poate fi citit sau scris de orice utilizator")


def test_a_reports_title_and_labels_in_the_readers_language_json_in_english(
    store,  # noqa: ANN001
    speak,  # noqa: ANN001
) -> None:
    rep = reports.run(store, "trial-balance")
    speak("es")
    assert str(rep.title) == "Sumas y saldos"
    assert [str(c.label) for c in rep.columns] == ["Cuenta", "Nombre", "Debe", "Haber", "Saldo"]
    assert reports.cell_text(rep.totals["name"], False) == "Total"
    pl = reports.run(store, "profit-loss")
    assert (str(pl.title), reports.cell_text(pl.totals["name"], False)) == (
        "Pérdidas y ganancias",
        "Resultado",
    )
    speak("vi")
    assert str(rep.title) == "Cân đối phát sinh"
    assert [str(c.label) for c in rep.columns][2:] == ["Nợ", "Có", "Số dư"]
    assert reports.cell_text(rep.totals["name"], False) == "Tổng"
    doc = json.dumps(reports.as_json(rep))  # a machine format: its English whatever the reader
    assert json.loads(doc)["totals"]["name"] == "Total"
    speak("en")
    assert (rep.title, rep.columns[2].label) == ("Trial balance", "Debit")


def test_a_document_is_written_in_its_party_s_language_else_the_shop_s(store, speak) -> None:  # noqa: ANN001
    """Whoever prints it, in whatever language they read: the customer's language, else the
    shop's (en_US here); dates and amounts as the shop's locale writes them."""
    from bizdesk.services import papers
    from tests.test_papers import pdf_text

    sid = supplier(store)
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    po = order(store, sid, ("BIKE", "3", "400"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        cid = contacts.create(
            uow, contacts.ContactInput(name="Dana Client", language="es")
        ).contact.id
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}", order_date="2026-03-02", lines=[sales.SOLineInput("BIKE", "2")]
            ),
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, when="2026-03-04")
        sales.invoice(uow, so.id, when="2026-03-05", due="2026-03-19")
    speak("vi")  # the person printing reads Vietnamese: the customer still gets Spanish
    with store.read() as uow:
        text = pdf_text(papers.render(uow, "invoice", "1").data)
        po_text = pdf_text(papers.render(uow, "purchase-order", "1").data)
    assert "FACTURA" in text and "INV-00001" in text and "Dana Client" in text
    for word in ("Descripción", "Cant.", "Precio ud.", "Neto", "IVA", "Total EUR"):
        assert word in text, word
    assert "Fecha: Mar 5, 2026" in text and "Vencimiento: Mar 19, 2026" in text  # shop: en_US
    assert "INVOICE" not in text and "Qty" not in text
    assert "PURCHASE ORDER" in po_text and "Unit cost" in po_text  # the shop's language
    with store.write() as uow:
        view = contacts.get(uow, cid)
        contacts.update(uow, cid, replace(view.as_input(), language="vi"), version=view.version)
        text = pdf_text(papers.render(uow, "invoice", "1").data)
    assert "HÓA ĐƠN" in text and "Thuế GTGT" in text and "Đơn giá" in text
