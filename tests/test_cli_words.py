"""Typer's and click's own words (the usage line, "[required]", the error panel, the usage
errors) in the reader's language: cli/group.py retells them (typer 0.29's click is English)."""

from __future__ import annotations

import pytest
import typer

from bizdesk.cli import app
from bizdesk.i18n import use
from tests.test_cli import bizdesk

ENGLISH = (
    "Usage",
    "Try ",
    "for help",
    "Error",
    "Missing",
    "Choose from",
    "No such",
    "Possible options",
    "Invalid value",
    "requires an argument",
    "unexpected extra",
    "[required]",
    "[default:",
    "[env var:",
    "[OPTIONS]",
    "Arguments",
    "Options",
    "Show this message",
)


def _in(lang: str, *args: str, stdin: str | None = None):
    env = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": f"{lang}.UTF-8"}
    return bizdesk(*args, stdin=stdin, env={**env, "BIZDESK_DB": "/nonexistent/i18nrest/shop.db"})


@pytest.mark.parametrize("lang", ["es_ES", "ro_RO", "vi_VN"])
@pytest.mark.parametrize(
    "args",
    [
        ("report",),  # a missing argument, its choices listed
        ("report", "--help"),
        ("report", "trial-balance", "--nope"),  # an unknown option
        ("report", "trial-balance", "--format"),  # an option without its value
        ("report", "trial-balance", "one", "two"),  # extra arguments
        ("reprt",),  # no such command, with a suggestion
        ("export", "contacts", "--format", "ledger"),  # an invalid value
        ("--nope",),
    ],
)
def test_typer_and_click_speak_the_readers_language(lang, args):
    r = _in(lang, *args)
    said = r.stdout + r.stderr
    assert r.returncode == (0 if "--help" in args else 2), said
    assert "Traceback" not in said
    same = {"es_ES": {"Error"}}.get(lang, set())  # Spanish writes "Error" too
    assert [w for w in ENGLISH if w in said and w not in same] == [], said


def test_english_stays_clicks_english():
    r = _in("en_US", "report")
    assert r.returncode == 2
    assert "bizdesk report [OPTIONS] NAME" in r.stderr
    assert "bizdesk report --help' for help." in r.stderr
    assert "Missing argument 'name'. Choose from: trial-balance" in r.stderr
    r = _in("en_US", "report", "trial-balance", "--format")
    assert "Option '--format' requires an argument." in r.stderr
    r = _in("en_US", "report", "--help")
    assert "[required]" in r.stdout and "[default: table]" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["report"],
        ["report", "trial-balance", "--nope"],
        ["report", "trial-balance", "--format"],
        ["lock-date", "--nope=1"],
        ["report", "trial-balance", "one", "two"],
        ["reprt"],
        ["nothing"],
        ["users"],
        ["export", "contacts", "--format", "ledger"],
    ],
)
def test_every_usage_error_typer_raises_is_retold(args):
    """Typer's usage errors are English sentences built in its click: group._usage_text
    knows each (by class, or by the English words typer writes); one it does not know keeps
    its own words and fails here when a new typer words them differently."""
    use("ro")
    try:
        with pytest.raises(typer._click.exceptions.UsageError) as found:
            typer.main.get_command(app).main(args, prog_name="bizdesk", standalone_mode=False)
    finally:
        use("en")
    said = found.value.format_message()
    assert type(found.value) is typer._click.exceptions.UsageError, said
    assert [w for w in ENGLISH if w in said] == [], said


def test_a_refusal_names_its_fields_in_the_readers_language(tmp_path):
    from bizdesk.fieldnames import title

    bad = ("--company", "\x1b[2JX")
    # a field the command took from an option is named by the option typed, in every
    # language ("as_of", "planned_date" were the service's keys in English)
    r = _in("es_ES", "init", "--db", str(tmp_path / "x.db"), *bad)
    assert r.returncode == 1 and r.stderr.startswith("--company: contiene"), r.stderr
    r = _in("en_US", "init", "--db", str(tmp_path / "y.db"), *bad)
    assert r.returncode == 1 and r.stderr.startswith("--company: contains"), r.stderr
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    r = _in("vi_VN", "report", "statement", "--db", db)
    assert r.returncode == 1 and r.stderr.startswith("--contact: bắt buộc"), r.stderr
    # the option the key ends with, beside one it starts with (pay_basis: --basis, not
    # --pay; neither matched, and the form's "Forma de pago" was said)
    r = _in("es_ES", "employees", "add", "Ana Uno", "--start", "2026-01-01", "--pay", "1000",
            "--basis", "weekly", "--db", db)  # fmt: skip
    assert r.returncode == 1 and "; --basis: debe ser uno de" in r.stderr, r.stderr
    # a priority as `sla show` lists it to the reader ("alta" was unknown, with no list)
    r = _in("es_ES", "sla", "set", "alta", "4", "24", "--db", db)
    assert (r.returncode, r.stdout) == (0, "alta: primera respuesta 4 h, resolución 24 h\n")
    r = _in("es_ES", "sla", "set", "altísima", "4", "24", "--db", db)
    assert r.returncode == 1 and r.stderr.endswith("baja, normal, alta, urgente\n"), r.stderr
    # one from an argument, as the reader's forms name it
    r = _in("es_ES", "users", "set-language", "nobody", "xx", "--db", db)
    assert r.returncode == 1 and r.stderr.startswith("Idioma: "), r.stderr
    use("ro")
    try:
        assert title("line 2 debit") == "rândul 2, Debit"
        assert title("line 3 unit price") == "rândul 3, " + title("unit price") != "unit price"
        assert title("lines[1].quantity") == "lines[1].quantity"  # a JSON path: as it is
        assert title("no_such_key") == "no_such_key"
    finally:
        use("en")


def test_new_keeps_the_json_names_in_every_language(tmp_path):
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    doc = '{"customer": "Nobody", "lines": [{"product": "NOPE", "quantity": "1,000"}]}'
    r = _in("es_ES", "new", "sales-order", "--db", db, stdin=doc)
    assert r.returncode == 1, r.stderr
    assert "customer: " in r.stderr and "lines[0].quantity: " in r.stderr, r.stderr
    r = _in(
        "es_ES", "new", "invoice", "-", "--order", "SO-2", "--db", db, stdin='{"order": "SO-1"}'
    )
    assert r.returncode == 1 and "order: " in r.stderr and "--order" in r.stderr, r.stderr


def test_sla_hours_take_back_the_days_as_sla_show_prints_them(tmp_path):
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    assert bizdesk("sla", "hours", "mon-sat", "09:00", "17:00", "UTC", "--db", db).returncode == 0
    shown = _in("es_ES", "sla", "show", "--db", db).stdout.splitlines()[-1]
    assert shown == "Horario laboral: lun-sáb 09:00 17:00 UTC", shown
    days, start, end, zone = shown.split(": ", 1)[1].split(" ")
    r = _in("es_ES", "sla", "hours", days.replace("sáb", "vie"), start, end, zone, "--db", db)
    assert (r.returncode, r.stdout) == (0, "Horario laboral fijado: lun-vie 09:00 17:00 UTC\n")
    r = _in("vi_VN", "sla", "hours", "mon-fri", "08:00", "17:00", "UTC", "--db", db)  # stored
    assert r.stdout.endswith(": Th 2-Th 6 08:00 17:00 UTC\n"), r.stdout + r.stderr
    assert bizdesk("sla", "show", "--db", db).stdout.endswith("mon-fri 08:00 17:00 UTC\n")
