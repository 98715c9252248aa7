"""A message never says typed text back through Python's repr(): repr shows an escape as
'\\x1b[31m' and says 100,000 characters typed by mistake whole. ``bizdesk.reading.quoted``
quotes the same way, shows a character that does not print as <U+001B> and cuts long text
with "…". Checked in the source (every .py of the package), and once through a service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bizdesk.errors import NotFound
from bizdesk.services.people import employees
from bizdesk.services.people import payroll as P

SRC = Path(__file__).resolve().parents[1] / "src" / "bizdesk"

# the calls whose arguments become words for people: a Message (and its classmethods), the
# gettext markers and functions, and the .format() of what they give
_MESSAGE_NAMES = {"Message", "N_", "_", "ngettext", "pgettext", "npgettext"}
_MESSAGE_METHODS = {"plural", "pgettext", "npgettext"}


def _is_message_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Name):
        return f.id in _MESSAGE_NAMES
    if isinstance(f, ast.Attribute):
        if isinstance(f.value, ast.Name) and f.value.id == "Message":
            return f.attr in _MESSAGE_METHODS
        if f.attr == "format":  # _("{value} is not a year").format(value=...)
            return _is_message_call(f.value)
    return False


def _reprs_in(node: ast.Call) -> list[int]:
    """Lines of each repr(...) call and f-string !r inside the call's arguments."""
    found = []
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                if sub.func.id == "repr":
                    found.append(sub.lineno)
            elif isinstance(sub, ast.FormattedValue) and sub.conversion == ord("r"):
                found.append(sub.lineno)
    return found


def reprs_in_messages(source: str, where: str) -> list[str]:
    """'file:line' of every repr() or !r said back inside a message's arguments."""
    tree = ast.parse(source, filename=where)
    return sorted(
        {f"{where}:{line}" for n in ast.walk(tree) if _is_message_call(n) for line in _reprs_in(n)}
    )


def test_no_message_says_text_back_through_repr() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 100  # (the package was found)
    found = []
    for path in files:
        found += reprs_in_messages(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    assert found == [], "say typed text back with bizdesk.reading.quoted(text, most): " + (
        ", ".join(found)
    )


@pytest.mark.parametrize(
    "code",
    [
        'Message("no contact named {name}", name=repr(s[:60]))',
        'Message.plural("{n} {name}", "{n} {name}s", n, name=repr(s))',
        'Message.pgettext("ctx", "no {x}", x=", ".join(repr(a) for a in b))',
        'Message.npgettext("ctx", "a {x}", "b {x}", n, x=f"{s!r}")',
        'N_(f"{s!r}")',
        '_("{value} is not a year").format(value=repr(text))',
    ],
)
def test_the_check_finds_each_way_a_repr_is_said_back(code: str) -> None:
    assert reprs_in_messages(f"x = 1\n{code}\n", "m.py") == ["m.py:2"]


def test_a_repr_outside_a_message_is_no_concern_of_the_check() -> None:
    code = 'raise KeyError(f"unknown action {action!r}")\nMessage("no {x}", x=quoted(s, 20))\n'
    assert reprs_in_messages(code, "m.py") == []


def test_a_service_says_an_escape_as_its_code_and_cuts_a_long_name(store) -> None:  # noqa: ANN001
    typed = "Emma\x1b[31m" + "x" * 200
    with store.read() as uow, pytest.raises(NotFound) as employee:
        employees.find_employee(uow, typed)
    with store.write() as uow, pytest.raises(NotFound) as line:
        P.set_line_active(uow, typed, False)
    for said in (str(employee.value), str(line.value)):
        assert "'Emma<U+001B>[31mxxx" in said and "…'" in said, said
        assert "\x1b" not in said and "\\x1b" not in said
        assert "x" * 100 not in said  # cut short, not said whole
