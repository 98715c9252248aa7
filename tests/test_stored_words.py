"""Stored English code words reach a person in their own language (issue 13): the command
line's tables and the reports say ``tài sản`` for ``asset``, ``cao`` for ``high``, ``chủ cửa
hàng`` for ``owner``...; JSON keeps the stored words and English reads as before. A contact's
page writes a VND shop's amounts the Vietnamese way (41.764.800) with its states in words
of the reader's language and dates as the reader writes them. On a real Vietnamese demo
shop (a real SQLite file), the commands run in a subprocess as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from sqlmodel import select

from bizdesk.db import open_store
from bizdesk.i18n import use
from bizdesk.identity import os_username
from bizdesk.models.sales import SalesOrder
from bizdesk.models.tickets import Ticket
from bizdesk.services.overview.story import story


def run(*args: str, language: str = "vi") -> subprocess.CompletedProcess:
    env = {**os.environ, "LANGUAGE": language, "LC_ALL": "", "COLUMNS": "240"}
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


@pytest.fixture(scope="module")
def vi_demo(tmp_path_factory) -> str:  # noqa: ANN001
    """The Vietnamese demo shop (in dong), made once for this file."""
    db = str(tmp_path_factory.mktemp("vi-demo") / "shop.db")
    made = run("demo", "--locale", "vi_VN", "--db", db, language="en")
    assert made.returncode == 0, made.stderr
    return db


def cells(out: str) -> set[str]:
    """Every cell of a table as printed: a boxed table's lines split on │, a report's (ruled
    under its headings only) on its runs of spaces."""
    if "│" in out:
        return {c.strip() for line in out.splitlines() if "│" in line for c in line.split("│")}
    return {c for line in out.splitlines() for c in re.split(r"\s{2,}", line.strip())}


# command: (words a Vietnamese reader must read, English code words they must not)
COMMANDS = {
    ("report", "profit-loss"): ({"doanh thu", "chi phí"}, {"income", "expense"}),
    ("report", "balance-sheet"): ({"tài sản", "nợ phải trả"}, {"asset", "liability", "equity"}),
    ("report", "tickets-sla"): ({"cao", "thấp", "gấp"}, {"high", "low", "urgent", "normal"}),
    ("sla", "show"): ({"cao", "thấp", "thường"}, {"high", "low", "urgent", "normal"}),
    ("accounts", "list"): (
        {"tài sản", "vốn CSH", "tiền mặt", "lợi nhuận giữ lại"},
        {"asset", "equity", "cash", "retained_earnings", "receivable"},
    ),
    ("pipeline", "list"): ({"đang mở", "thắng", "thua"}, {"open", "won", "lost"}),
    ("users", "list"): ({"chủ cửa hàng"}, {"owner"}),
    ("mail", "outbox"): ({"đã gửi"}, {"sent"}),
    # (the actions' own words, "post" as "ghi sổ", read once their translations are merged)
    ("audit",): (
        {"bút toán", "đơn mua hàng", "đã xác nhận", "đã gửi"},
        {"journal_entry", "purchase_order", "sales_order", "confirmed", "sent"},
    ),
}


@pytest.mark.parametrize("command", list(COMMANDS), ids=" ".join)
def test_tables_say_stored_words_in_the_readers_language(vi_demo: str, command) -> None:  # noqa: ANN001
    shown, hidden = COMMANDS[command]
    r = run(*command, "--db", vi_demo)
    assert r.returncode == 0, r.stderr
    found = cells(r.stdout)
    assert shown <= found, r.stdout
    assert not hidden & found, r.stdout


def test_json_keeps_the_stored_words_and_english_reads_as_before(vi_demo: str) -> None:
    doc = json.loads(run("report", "profit-loss", "--format", "json", "--db", vi_demo).stdout)
    assert {row["section"] for row in doc["rows"]} == {"income", "expense"}
    sla = json.loads(run("report", "tickets-sla", "--format", "json", "--db", vi_demo).stdout)
    assert [row["priority"] for row in sla["rows"]] == ["urgent", "high", "normal", "low"]
    csv = run("report", "balance-sheet", "--format", "csv", "--db", vi_demo).stdout
    assert "\nasset,1111," in csv
    english = cells(run("report", "balance-sheet", "--db", vi_demo, language="en").stdout)
    assert {"asset", "liability"} <= english
    assert {"owner"} <= cells(run("users", "list", "--db", vi_demo, language="en").stdout)
    assert {"high", "low"} <= cells(run("sla", "show", "--db", vi_demo, language="en").stdout)
    assert {"post", "create"} <= cells(run("audit", "--db", vi_demo, language="en").stdout)


def test_a_contacts_page_in_a_vnd_shop_reads_the_vietnamese_way(vi_demo: str) -> None:
    """Amounts grouped as the shop's locale writes them (no 41764800), states and a
    ticket's SLA in Vietnamese, due dates as a Vietnamese reader writes them."""
    store = open_store(vi_demo, user=os_username())
    try:
        use("vi")
        with store.read() as uow:
            customers = {i.customer_id for i in _orders(uow)}
            pages = [story(uow, c) for c in sorted(customers)]
            ticketed = [p for p in pages if p.tickets]
            if not ticketed:  # a customer of the demo with tickets but no orders
                ticketed = [story(uow, _ticketed_contact(uow))]
    finally:
        store.dispose()
    orders = [str(i.text) for p in pages for i in p.orders]
    assert orders
    amount = re.compile(r"^SO-\d+ · [^·]+ · (\d{1,3}(\.\d{3})*)$")
    assert all(amount.match(t) for t in orders), orders[:5]
    assert any(re.search(r" · \d{1,3}\.\d{3}\.\d{3}$", t) for t in orders)  # millions grouped
    states = {t.split(" · ")[1] for t in orders}
    assert not states & {"draft", "confirmed", "delivered", "closed", "partially delivered"}
    assert states & {"đã đóng", "nháp", "đã xác nhận", "giao một phần", "đã giao"}, states
    invoices = [str(i.text) for p in pages for i in p.invoices]
    assert any(re.search(r"\d{2}/\d{2}/\d{4}", t) for t in invoices), invoices[:5]
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", t) for t in invoices)
    tickets = [str(i.text) for p in ticketed for i in p.tickets]
    sla = {t.rsplit(" · ", 1)[1] for t in tickets}
    status = {t.rsplit(" · ", 2)[1] for t in tickets}
    assert sla <= {"ổn", "nguy cơ", "vi phạm", "tạm dừng", "đạt"}, sla
    assert status <= {"mới", "đang mở", "chờ", "đã xử lý", "đã đóng"}, status


def _orders(uow):  # noqa: ANN001, ANN202
    return uow.session.scalars(select(SalesOrder)).all()


def _ticketed_contact(uow) -> int:  # noqa: ANN001
    return uow.session.scalars(select(Ticket.contact_id).limit(1)).one()


def test_a_user_role_and_an_account_role_of_one_english_word_read_apart() -> None:
    """ "sales" is a person's role and an account's: in Vietnamese the first sells (bán hàng),
    the second is revenue (doanh thu)."""
    from bizdesk import i18n
    from bizdesk.words import ACCOUNT_ROLE_NAMES, USER_ROLE_NAMES

    try:
        i18n.use("vi")
        assert i18n._(USER_ROLE_NAMES["sales"]) == "bán hàng"
        assert i18n._(ACCOUNT_ROLE_NAMES["sales"]) == "doanh thu"
    finally:
        i18n.use("en")


def test_a_refusal_names_the_role_in_the_reader_s_words() -> None:
    """ "không được phép với vai trò của bạn (viewer)": the users list says "chỉ xem"."""
    from bizdesk import i18n
    from bizdesk.services.base.permissions import refusal

    try:
        i18n.use("vi")
        said = i18n.tr(refusal("sales", "shop.edit", "root"))
        assert "(bán hàng)" in said and "(sales)" not in said, said
    finally:
        i18n.use("en")
    assert "(sales)" in str(refusal("sales", "shop.edit", "root"))


def test_a_closed_ticket_and_a_closed_order_agree_with_their_own_nouns() -> None:
    """A ticket (un tichet, una incidencia) is "închis" and "cerrada"; an order (o comandă,
    un pedido) "închisă" and "cerrado". The ticket's list showed "închisă" beside
    "deschis"."""
    from bizdesk import i18n
    from bizdesk.services.base.states import state_word
    from bizdesk.words import TICKET_STATUS_NAMES

    try:
        for lang, ticket, order in (("ro", "închis", "închisă"), ("es", "cerrada", "cerrado")):
            i18n.use(lang)
            assert i18n._(TICKET_STATUS_NAMES["closed"]) == ticket
            assert i18n._(state_word("closed")) == order
    finally:
        i18n.use("en")


def test_times_in_tables_show_their_date_as_the_reader_writes_it(vi_demo: str) -> None:
    """The outbox's and the campaigns' times (kept in UTC, shown in the shop's zone) read
    30/11/2026 14:05 in Vietnamese, as every other date does, and stay ISO in English and in
    JSON."""
    vi_day = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")
    iso = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
    for command in (("mail", "outbox"), ("campaigns", "list")):
        said = cells(run(*command, "--db", vi_demo).stdout)
        assert any(vi_day.match(c) for c in said), said
        assert not any(iso.match(c) for c in said), said
        english = cells(run(*command, "--db", vi_demo, language="en").stdout)
        assert any(iso.match(c) for c in english), english


def test_every_account_role_a_store_holds_has_a_name(store) -> None:  # noqa: ANN001
    """The payroll roles (migration 0019) had none: the chart said "wages payable" in every
    language, the stored word with its underscore turned into a space."""
    from bizdesk.models.ledger import Account
    from bizdesk.words import ACCOUNT_ROLE_NAMES

    with store.read() as uow:
        roles = set(uow.session.scalars(select(Account.role).where(Account.role.is_not(None))))
    assert {"wages", "wages_payable", "employer_contributions"} <= roles
    assert roles - set(ACCOUNT_ROLE_NAMES) == set()
