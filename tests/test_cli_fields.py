"""The fields a service's refusal names reach the command line in the reader's language:
every field key a service raises a ValidationError with has a title (fieldnames.py)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from bizdesk.fieldnames import TITLES
from tests.test_cli import bizdesk, db  # noqa: F401 - the fixture

SRC = Path(__file__).parent.parent / "src" / "bizdesk"


def _checker(func: ast.expr) -> bool:
    """A call of a validate.Checker named ``chk``: the field keys it collects."""
    if isinstance(func, ast.Name):
        return func.id == "chk"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "add"
        and isinstance(func.value, ast.Name)
        and func.value.id == "chk"
    )


def raised_keys() -> dict[str, str]:
    """Each field key written outside the screens as a key of a ValidationError's dict, or of an
    ``errors``/``problems`` dict that becomes one, with where it is."""
    keys: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        if path.parent.name in ("screens", "widgets"):  # the forms name their own fields
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found: list[ast.expr] = []
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name == "ValidationError" and isinstance(node.args[0], ast.Dict):
                    found = [k for k in node.args[0].keys if k is not None]
                elif _checker(node.func):  # chk("field", ...) and chk.add("field", ...)
                    found = [node.args[0]]
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                target = node.targets[0]
                if isinstance(target.value, ast.Name) and target.value.id in ("errors", "problems"):
                    found = [target.slice]
            for key in found:
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value:
                    keys.setdefault(key.value, f"{path.relative_to(SRC)}:{node.lineno}")
    return keys


def test_every_field_a_service_names_has_a_title() -> None:
    keys = raised_keys()
    assert len(keys) > 40  # the scan finds them (it found 56 when written)
    untitled = {k: where for k, where in keys.items() if k not in TITLES}
    assert untitled == {}, "add these to fieldnames.py TITLES: " + repr(untitled)


def test_a_refused_field_is_named_in_the_readers_language(db: str) -> None:  # noqa: F811
    said = bizdesk("users", "set-language", "nobody", "xx", "--db", db, env={"LANGUAGE": "es"})
    assert said.returncode == 1 and "Traceback" not in said.stderr
    assert said.stderr.startswith("Idioma: 'xx' no es un idioma"), said.stderr
    english = bizdesk("users", "set-language", "nobody", "xx", "--db", db, env={"LANGUAGE": "en"})
    assert english.stderr.startswith("language: 'xx'"), english.stderr  # scripts read the key


def test_a_refused_option_is_named_as_it_was_typed(db: str) -> None:  # noqa: F811
    for language in ("en", "es"):
        said = bizdesk("reminders", "--as-of", "2099-01-01", "--db", db, env={"LANGUAGE": language})
        assert said.returncode == 1 and said.stderr.startswith("--as-of: "), said.stderr
    # a field named otherwise in the service: the one option it ends or starts with
    made = bizdesk("assembly", "new", "NOPE", "2", "--date", "31.02.2026", "--db", db)
    assert "--date: '31.02.2026' is not a date" in made.stderr, made.stderr
    assert "planned_date" not in made.stderr


def test_a_limit_is_a_count_of_one_or_more(db: str) -> None:  # noqa: F811
    assert bizdesk("segments", "add", "All", "--db", db).returncode == 0
    for typed in ("-1", "0", "x"):
        said = bizdesk("segments", "members", "All", "--limit", typed, "--db", db)
        assert said.returncode == 2, said.stdout
        assert said.stderr.strip() == f"--limit: '{typed}' is not a count of 1 or more"


def test_a_segments_members_show_their_stage_in_the_readers_words(db: str) -> None:  # noqa: F811
    r = bizdesk("import", "contacts", "-", "--db", db, stdin="name,stage\nAna Gil,inactive\n")
    assert r.returncode == 0, r.stderr
    assert bizdesk("segments", "add", "All", "--db", db).returncode == 0
    shown = bizdesk("segments", "members", "All", "--db", db, env={"LANGUAGE": "es"})
    assert shown.returncode == 0, shown.stderr
    row = next(ln for ln in shown.stdout.splitlines() if "Ana Gil" in ln)
    assert "inactivo" in row and "inactive" not in row, row
    data = bizdesk("segments", "members", "All", "--format", "json", "--db", db)
    assert json.loads(data.stdout)[0]["stage"] == "inactive"  # files keep the stored word


def test_a_support_targets_refusal_names_the_priority_as_typed(db: str) -> None:  # noqa: F811
    """`sla set urgente x 4` said "urgent: ...": the English key of what was typed in
    Spanish (and as `sla show` lists it)."""
    said = bizdesk("sla", "set", "urgente", "x", "4", "--db", db, env={"LANGUAGE": "es"})
    assert said.returncode == 1 and said.stderr.startswith("urgente: 'x'"), said.stderr
    english = bizdesk("sla", "set", "urgent", "x", "4", "--db", db, env={"LANGUAGE": "en"})
    assert english.stderr.startswith("urgent: 'x' is not a whole number of hours"), english.stderr


def test_pipeline_add_help_names_no_english_stage(db: str) -> None:  # noqa: F811
    """`pipeline add --help` in Spanish said "se sitúa antes de Won y Lost": English names of
    stages a Spanish shop calls Ganado and Perdido."""
    said = bizdesk("pipeline", "add", "--help", env={"LANGUAGE": "es", "COLUMNS": "200"})
    assert said.returncode == 0
    assert "Won" not in said.stdout and "Lost" not in said.stdout, said.stdout
