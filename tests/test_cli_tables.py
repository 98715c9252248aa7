"""What the command line's tables show is what was typed, whole: text a user typed is never
read as rich markup ("[bold]Bolt [M8][/]" shown as "Bolt [M8]"), and at 80 columns a date,
a number, a label or an e-mail address is never split over two rows."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.bank_files import camt053
from tests.test_cli import bizdesk

# every command below prints user text (names, jobs, steps, addresses...) in a table or line
USER_TEXT_COMMANDS = [
    ("accounts", "list"),
    ("assembly", "list"),
    ("bank", "accounts"),
    ("campaigns", "list"),
    ("employees", "list"),
    ("followups", "list", "--who", "all"),
    ("leave", "list"),
    ("locations", "list"),
    ("mail", "outbox"),
    ("nurture", "list"),
    ("nurture", "show", "1"),
    ("payroll", "lines"),
    ("payroll", "show", "PR-00001"),
    ("pipeline", "list"),
    ("segments", "list"),
    ("users", "list"),
]

MARKED = [
    "UPDATE contact SET name = '[b]' || name || ' [X1]'",
    "UPDATE product SET name = '[b]' || name || ' [X1]'",
    "UPDATE employee SET job_title = '[b]' || job_title || ' [X1]'",
    "UPDATE nurture_sequence SET name = '[b]' || name || ' [X1]'",
    "UPDATE nurture_step SET text = '[b]' || text || ' [X1]'",
    "UPDATE pipeline_stage SET name = '[b]' || name || ' [X1]'",
    "UPDATE segment SET name = '[b]' || name || ' [X1]'",
    "UPDATE campaign SET name = '[b]' || name || ' [X1]'",
    "UPDATE account SET name = '[b]' || name || ' [X1]'",
    "UPDATE location SET name = '[b]' || name || ' [X1]'",
    "UPDATE user SET full_name = '[b]' || full_name || ' [X1]'",
    "UPDATE outbox_message SET to_address = '[b]' || to_address || '[X1]'",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:  # noqa: ANN001
    path = str(tmp_path_factory.mktemp("demo") / "shop.db")
    r = bizdesk("demo", "--db", path)
    assert r.returncode == 0, r.stderr
    return path


@pytest.fixture(scope="module")
def marked(demo, tmp_path_factory) -> str:  # noqa: ANN001
    """The demo shop with "[b]" (rich's bold) and "[X1]" typed into its names and texts."""
    path = str(tmp_path_factory.mktemp("marked") / "shop.db")
    with sqlite3.connect(demo) as src, sqlite3.connect(path) as dest:
        src.backup(dest)
    with sqlite3.connect(path) as conn:
        for statement in MARKED:
            conn.execute(statement)
    return path


@pytest.mark.parametrize("command", USER_TEXT_COMMANDS, ids=" ".join)
def test_user_text_is_shown_as_typed_never_as_markup(marked, command) -> None:  # noqa: ANN001
    r = bizdesk(*command, "--db", marked, env={"COLUMNS": "250"})
    assert r.returncode == 0, r.stderr
    typed = r.stdout.count("[b]")
    assert typed > 0, r.stdout  # the command does show the marked text
    assert typed == r.stdout.count("X1]"), r.stdout  # and every time as typed


def test_markup_typed_in_a_command_is_shown_back_as_typed(demo, tmp_path) -> None:  # noqa: ANN001
    """The tester's case: a job and a sequence typed with brackets in them."""
    db = str(tmp_path / "shop.db")
    with sqlite3.connect(demo) as src, sqlite3.connect(db) as dest:
        src.backup(dest)
    job = "[bold]Bolt [M8][/]"
    assert bizdesk("employees", "set", "#2", "--job", job, "--db", db).returncode == 0
    name, step = "Test [bold]X[/]", "Sună [red]acum[/]"
    added = bizdesk(
        "nurture", "add", name, "--stage", "prospect", "--step", f"0 call {step}", "--db", db
    )
    assert added.returncode == 0, added.stderr
    wide = {"COLUMNS": "200"}
    assert job in bizdesk("employees", "list", "--db", db, env=wide).stdout
    assert name in bizdesk("nurture", "list", "--db", db, env=wide).stdout
    shown = bizdesk("nurture", "show", "3", "--db", db, env=wide).stdout
    assert name in shown and step in shown


# tables at 80 columns: what is shown whole when there is room stays whole in 80
NARROW_COMMANDS = [
    ("accounts", "list"),
    ("assembly", "list"),
    ("audit", "--limit", "40"),
    ("bank", "statements"),
    ("campaigns", "list"),
    ("employees", "list"),
    ("followups", "list", "--who", "all"),
    ("leave", "list"),
    ("mail", "outbox"),
    ("nurture", "show", "1"),
    ("payroll", "list"),
    ("payroll", "show", "PR-00012"),
    ("pipeline", "list"),
    ("reminder-levels", "list"),
    ("segments", "list"),
    ("users", "list"),
]

_LINES = re.compile(r"[\u2500-\u257f\s]+")  # box drawing and spaces


def _words(out: str) -> set[str]:
    return {w for w in _LINES.split(out) if w}


@pytest.fixture(scope="module")
def banked(demo, tmp_path_factory) -> str:  # noqa: ANN001
    """The demo shop with a bank statement imported."""
    folder = tmp_path_factory.mktemp("banked")
    path, camt = str(folder / "shop.db"), folder / "statement.xml"
    with sqlite3.connect(demo) as src, sqlite3.connect(path) as dest:
        src.backup(dest)
    camt.write_bytes(camt053())
    r = bizdesk("bank", "import", str(camt), "--account", "1010", "--db", path)
    assert r.returncode == 0, r.stderr
    return path


@pytest.mark.parametrize("command", NARROW_COMMANDS, ids=" ".join)
def test_no_value_is_split_at_80_columns(banked, command) -> None:  # noqa: ANN001
    """A date ("2026-12-0" / "6"), an e-mail address, a number, a name is never broken
    inside: at 80 columns every word shown on a wide terminal is still shown whole."""
    wide = bizdesk(*command, "--db", banked, env={"COLUMNS": "300"})
    assert wide.returncode == 0, wide.stderr
    narrow = bizdesk(*command, "--db", banked, env={"COLUMNS": "80"})
    assert narrow.returncode == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80, narrow.stdout
    assert _words(wide.stdout) - _words(narrow.stdout) == set(), narrow.stdout


def test_names_stay_on_one_line_when_light_lines_make_room(banked) -> None:  # noqa: ANN001
    """The demo's payroll run and staff at 80 columns: in boxed lines the names wrapped
    ("Emma" / "Clarke"); the table is drawn with light lines instead and they fit whole."""
    for command in (("payroll", "show", "PR-00012"), ("employees", "list")):
        r = bizdesk(*command, "--db", banked, env={"COLUMNS": "80"})
        assert r.returncode == 0, r.stderr
        for name in ("Emma Clarke", "Oliver Hughes", "Sophie Turner"):
            assert name in r.stdout, r.stdout
        assert max(len(line) for line in r.stdout.splitlines()) <= 80, r.stdout


@pytest.mark.parametrize("lang", ["es_ES.UTF-8", "ro_RO.UTF-8"])
def test_headings_stay_whole_when_one_space_between_columns_makes_room(
    demo,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
    lang: str,
) -> None:
    """The Spanish demo's outbox at 80 columns: an address of 36 characters and a wrapped
    document left 6 columns of room, and the tries' heading folded ("Intent" / "os",
    "Încerc" / "ări"). The columns now stand one space apart when that keeps headings
    whole."""
    path = str(tmp_path / "shop.db")
    with sqlite3.connect(demo) as src, sqlite3.connect(path) as dest:
        src.backup(dest)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE outbox_message SET to_address = 'turiabicisdistribuci.100@example.com', "
            "doc_label = 'Revisión de la bici 2026'"
        )
    env = {"LANG": lang, "LC_ALL": lang}
    wide = bizdesk("mail", "outbox", "--db", path, env={**env, "COLUMNS": "300"})
    narrow = bizdesk("mail", "outbox", "--db", path, env={**env, "COLUMNS": "80"})
    assert wide.returncode == narrow.returncode == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80, narrow.stdout
    assert _words(wide.stdout) - _words(narrow.stdout) == set(), narrow.stdout
