"""The command line in the reader's language (issue 13): real commands in a subprocess, with
the session's LANG and with a person's own setting (`users set-language`), and a VND shop's
amounts written the Vietnamese way in its tables while JSON and CSV stay machine formats."""

from __future__ import annotations

import json

import pytest

from bizdesk.identity import os_username
from tests.test_cli import bizdesk

WIDE = {"COLUMNS": "200"}  # one help line per sentence: nothing is wrapped mid-phrase
JOURNAL = (
    "entry,date,account,debit,credit,memo\n"
    "1,2026-11-02,1111,1500000,,Bán hàng\n"
    "1,2026-11-02,4111,,1500000,Bán hàng\n"
)


def lang(code: str) -> dict[str, str]:
    return {**WIDE, "LANG": code, "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}


@pytest.fixture(scope="module")
def vn_shop(tmp_path_factory) -> str:  # noqa: ANN001
    """A Vietnamese shop in dong, with one entry of 1,500,000 posted."""
    db = str(tmp_path_factory.mktemp("vn") / "shop.db")
    made = bizdesk("init", "--db", db, "--locale", "vi_VN", "--currency", "VND", env=lang("C"))
    assert made.returncode == 0, made.stderr
    posted = bizdesk("import", "journal", "-", "--db", db, stdin=JOURNAL, env=lang("vi_VN.UTF-8"))
    assert posted.returncode == 0, posted.stderr
    assert posted.stdout.strip() == "Đã ghi sổ 1 bút toán: JE-1."
    return db


def test_help_follows_the_sessions_language() -> None:
    spanish = bizdesk("--help", env=lang("es_ES.UTF-8"))
    assert spanish.returncode == 0, spanish.stderr
    assert "bizdesk: lleve una pequeña tienda desde un terminal." in spanish.stdout
    assert "Crea un almacén de datos y lo prepara; usted pasa a ser su propietario." in (
        spanish.stdout
    )
    assert "Opciones" in spanish.stdout and "Órdenes" in spanish.stdout
    assert "Muestra esta ayuda y sale." in spanish.stdout
    users = bizdesk("users", "set-role", "--help", env=lang("vi_VN.UTF-8"))
    assert "Đổi vai trò của người dùng" in users.stdout
    assert "Tên đăng nhập Unix của người đó." in users.stdout
    assert "Tham số" in users.stdout and "Tùy chọn" in users.stdout
    columns = bizdesk("import", "contacts", "--help", env=lang("ro_RO.UTF-8"))
    assert "Coloane: " in columns.stdout and "(obligatori" in columns.stdout  # "required"
    assert "postcode" in columns.stdout  # the columns' names are the file's: never translated
    english = bizdesk("--help", env=lang("C"))
    assert "bizdesk: run a small shop from one terminal." in english.stdout
    assert "Options" in english.stdout and "Commands" in english.stdout


def test_refusals_and_faults_in_the_sessions_language(vn_shop: str, tmp_path) -> None:  # noqa: ANN001
    nobody = bizdesk("users", "set-role", "nobody", "sales", "--db", vn_shop, env=lang("es_ES"))
    assert nobody.returncode == 1 and "Traceback" not in nobody.stderr
    assert "'nobody' no es usuario de este almacén de datos" in nobody.stderr  # a NotFound
    day = bizdesk(
        "report", "trial-balance", "--from", "2026-02-30", "--db", vn_shop, env=lang("ro_RO")
    )
    assert day.returncode == 1
    assert "--from: '2026-02-30' nu este o dată: această zi nu există" in day.stderr
    missing = tmp_path / "none.db"
    gone = bizdesk("accounts", "list", "--db", str(missing), env=lang("es_ES.UTF-8"))
    assert gone.returncode == 1
    assert f"No hay ningún almacén de datos en {missing}; no se cambió nada." in gone.stderr
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a store" * 20)
    broken = bizdesk("accounts", "list", "--db", str(damaged), env=lang("vi_VN.UTF-8"))
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert (
        f"Kho dữ liệu {damaged} bị hỏng (không phải là cơ sở dữ liệu SQLite); "
        "bizdesk sẽ không ghi vào đó." in broken.stderr
    )
    choice = bizdesk("report", "nonsense", "--db", vn_shop, env=lang("es_ES.UTF-8"))
    assert choice.returncode == 2 and "debe ser trial-balance, profit-loss" in choice.stderr
    said = " ".join(choice.stderr.replace("│", " ").split())  # the panel wraps its lines
    assert "Valor no válido para 'nombre': debe ser trial-balance" in said
    assert "win-loss o cycle-times" in said


def test_the_persons_language_wins_over_the_sessions(vn_shop: str) -> None:
    me = os_username()
    chosen = bizdesk("users", "set-language", me, "vi", "--db", vn_shop, env=lang("es_ES"))
    assert chosen.returncode == 0, chosen.stderr
    said = f"{me} giờ dùng bizdesk bằng Tiếng Việt, ngày viết như sau: 31/12/2026"
    assert chosen.stdout.strip() == said  # said in hers
    try:
        accounts = bizdesk("accounts", "list", "--db", vn_shop, env=lang("es_ES.UTF-8"))
        assert accounts.returncode == 0, accounts.stderr
        header = accounts.stdout.splitlines()[1]
        assert [w.strip() for w in header.strip("┃ ").split("┃")] == [
            "Mã",
            "Tên",
            "Loại",
            "Dùng cho",
            "Trạng thái",
        ]
        assert "đang dùng" in accounts.stdout  # a state; the types stay what --type takes
        people = bizdesk("users", "list", "--db", vn_shop, env=lang("ro_RO.UTF-8"))
        assert "Người dùng" in people.stdout and "Vai trò" in people.stdout
        assert f"│ {me} " in people.stdout and " có " in people.stdout
        nobody = bizdesk("users", "disable", "nobody", "--db", vn_shop, env=lang("es_ES"))
        assert "'nobody' không phải là người dùng của kho dữ liệu này" in nobody.stderr
    finally:
        back = bizdesk("users", "set-language", me, "auto", "--db", vn_shop, env=lang("ro_RO"))
        assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == f"{me} citește acum bizdesk în limba sesiunii sale"


def test_a_persons_locale_writes_and_reads_their_dates(vn_shop: str) -> None:
    """English with the United States' dates (month first), chosen by the person; the
    session's LANG=en_US gives the same to someone with no setting; a locale of a language
    bizdesk does not speak, or with an encoding, is refused."""
    me = os_username()
    chosen = bizdesk("users", "set-language", me, "en_US", "--db", vn_shop, env=lang("C"))
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.strip() == (
        f"{me} now reads bizdesk in English (United States), dates written 12/31/2026"
    )
    try:
        asked = ("report", "general-ledger", "--from", "11/01/2026", "--to", "11/30/2026")
        table = bizdesk(*asked, "--db", vn_shop, env=lang("C"))
        assert table.returncode == 0, table.stderr
        assert "11/02/2026" in table.stdout and "2026-11-02" not in table.stdout
        day_first = bizdesk(*asked[:2], "--from", "30/11/2026", "--db", vn_shop, env=lang("C"))
        assert day_first.returncode == 1 and "no such day (MM/DD/YYYY)" in day_first.stderr
        for wrong in ("de_DE", "ro_RO.UTF-8", "en_XX"):
            refused = bizdesk("users", "set-language", me, wrong, "--db", vn_shop, env=lang("C"))
            assert refused.returncode == 1 and "a locale of one such as en_GB" in refused.stderr
    finally:
        back = bizdesk("users", "set-language", me, "auto", "--db", vn_shop, env=lang("C"))
        assert back.returncode == 0, back.stderr
    session = bizdesk("report", "general-ledger", "--db", vn_shop, env=lang("en_US.UTF-8"))
    assert "11/02/2026" in session.stdout and "General ledger" in session.stdout


def test_a_vnd_shop_table_writes_amounts_the_vietnamese_way(vn_shop: str) -> None:
    table = bizdesk("report", "trial-balance", "--db", vn_shop, env=lang("vi_VN.UTF-8"))
    assert table.returncode == 0, table.stderr
    assert "1.500.000" in table.stdout and "-1.500.000" in table.stdout
    assert "1500000" not in table.stdout and "1,500,000" not in table.stdout
    assert "Tên" in table.stdout  # the column titles in the reader's language
    english = bizdesk("report", "trial-balance", "--db", vn_shop, env=lang("C"))
    assert "1.500.000" in english.stdout  # the shop's locale writes its amounts, any reader
    as_json = bizdesk(
        "report", "trial-balance", "--format", "json", "--db", vn_shop, env=lang("vi_VN")
    )
    rows = {r["account"]: r for r in json.loads(as_json.stdout)["rows"]}
    assert rows["1111"]["debit"] == "1500000"  # machine formats stay machine formats
    as_csv = bizdesk(
        "report", "trial-balance", "--format", "csv", "--db", vn_shop, env=lang("vi_VN")
    )
    assert as_csv.stdout.splitlines()[0].startswith("account,name,")  # keys, not titles
    assert ",1500000," in as_csv.stdout


def test_counts_take_each_languages_plural_forms(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    made = bizdesk("init", "--db", db, "--locale", "ro_RO", "--currency", "RON", env=lang("C"))
    assert made.returncode == 0, made.stderr
    rows = ["entry,date,account,debit,credit"]
    cash, equity = "5311", "1012"  # the Romanian chart: cash in lei, the owner's capital
    for n in range(1, 3):
        rows += [f"{n},2026-11-02,{cash},10.00,", f"{n},2026-11-02,{equity},,10.00"]
    two = "\n".join(rows) + "\n"
    one = "\n".join(rows[:3]) + "\n"
    said = {
        (code, text): bizdesk(
            "import", "journal", "-", "--dry-run", "--db", db, stdin=text, env=lang(code)
        ).stdout.strip()
        for code in ("C", "ro_RO", "es_ES")
        for text in (one, two)
    }
    assert said["C", one] == "1 entry would be posted."
    assert said["C", two] == "2 entries would be posted."
    assert said["ro_RO", one] == "S-ar înregistra 1 notă contabilă."
    assert said["ro_RO", two] == "S-ar înregistra 2 note contabile."
    assert said["es_ES", one] == "Se contabilizaría 1 asiento."
    assert said["es_ES", two] == "Se contabilizarían 2 asientos."


def test_dates_are_written_and_read_the_readers_way_files_stay_iso(vn_shop: str) -> None:
    """A Vietnamese reader types and reads 02/11/2026; JSON keeps ISO; a CSV file is a
    machine format: its dates are ISO for everyone, a day-first date in it is refused."""
    asked = ("report", "general-ledger", "--from", "01/11/2026", "--to", "30/11/2026")
    table = bizdesk(*asked, "--db", vn_shop, env=lang("vi_VN.UTF-8"))
    assert table.returncode == 0, table.stderr
    assert "02/11/2026" in table.stdout and "2026-11-02" not in table.stdout
    english = bizdesk(
        "report", "general-ledger", "--from", "2026-11-01", "--db", vn_shop, env=lang("C")
    )
    assert "2026-11-02" in english.stdout
    as_json = bizdesk(*asked, "--format", "json", "--db", vn_shop, env=lang("vi_VN.UTF-8"))
    assert '"2026-11-02"' in as_json.stdout and "02/11/2026" not in as_json.stdout
    wrong = bizdesk(
        "report", "general-ledger", "--from", "11/30/2026", "--db", vn_shop, env=lang("vi_VN.UTF-8")
    )
    assert wrong.returncode == 1 and "DD/MM/YYYY" in wrong.stderr, wrong.stderr
    local_csv = JOURNAL.replace("2026-11-02", "02/11/2026")
    refused = bizdesk(
        "import", "journal", "-", "--db", vn_shop, stdin=local_csv, env=lang("vi_VN.UTF-8")
    )
    assert refused.returncode == 1 and "YYYY-MM-DD" in refused.stderr, refused.stderr


def test_a_commands_arguments_are_named_in_the_readers_words(vn_shop: str) -> None:
    """typer names a positional argument by its Python parameter: "Falta el argumento
    'number'" in a Spanish refusal, "{kind} {number}" in a Vietnamese usage line."""
    missing = bizdesk("print", "invoice", "--db", vn_shop, env=lang("es_ES.UTF-8"))
    assert missing.returncode == 2 and "Falta el argumento 'número'." in missing.stderr
    usage = bizdesk("print", "--help", env=lang("vi_VN.UTF-8")).stdout
    assert "bizdesk print [TÙY CHỌN] LOẠI SỐ" in usage, usage
    typed = bizdesk("bank", "import", "--help", env=lang("es_ES.UTF-8")).stdout
    assert "archivo" in typed and "TEXTO" in typed and "<str>" not in typed, typed
    english = bizdesk("print", "invoice", "--db", vn_shop, env=lang("C"))
    assert "Missing argument 'number'." in english.stderr
    # and a refusal of what was typed there names it so ("MONTH: '13.2026'…" in Romanian)
    month = bizdesk("budget", "set", "4000", "13.2026", "5", "--db", vn_shop, env=lang("ro_RO"))
    assert month.returncode == 1 and month.stderr.startswith("LUNĂ: '13.2026' nu este o lună")
    day = bizdesk("lock-date", "31.13.2026", "--db", vn_shop, env=lang("ro_RO.UTF-8"))
    assert day.returncode == 1 and day.stderr.startswith("DATĂ: '31.13.2026'"), day.stderr


def test_a_whole_number_typed_wrong_is_refused_in_the_readers_words(vn_shop: str) -> None:
    """typer checks a whole-number argument with pydantic, whose words are English only:
    "Input should be a valid integer..." in a Romanian refusal. They are said in the
    reader's language, naming what was typed."""
    bad = bizdesk("reminder-levels", "set", "abc", "--db", vn_shop, env=lang("ro_RO.UTF-8"))
    assert bad.returncode == 2
    assert "'abc' nu este un număr întreg" in bad.stderr and "Input should" not in bad.stderr
    small = bizdesk("followups", "list", "--limit", "0", "--db", vn_shop, env=lang("vi_VN.UTF-8"))
    assert small.returncode == 2 and "0 quá nhỏ: ít nhất là 1" in small.stderr, small.stderr
    english = bizdesk("reminder-levels", "set", "abc", "--db", vn_shop, env=lang("C"))
    assert "Invalid value for 'level': 'abc' is not a whole number" in english.stderr


def test_every_argument_has_a_word_in_the_catalogs() -> None:
    import typer

    from bizdesk.cli import app
    from bizdesk.cli.core import ARGUMENT_WORDS

    def arguments(command) -> set[str]:  # noqa: ANN001
        found = {p.name for p in command.params if p.param_type_name == "argument"}
        for sub in getattr(command, "commands", {}).values():
            found |= arguments(sub)
        return found

    named = arguments(typer.main.get_command(app))
    assert named - set(ARGUMENT_WORDS) == set(), "give these a word in cli/core.ARGUMENT_WORDS"
    assert len(named) > 40
