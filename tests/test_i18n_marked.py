"""Every text a person reads is marked for translation where it is written (DESIGN section 6).

Reads the source of the package and finds the places that put words in front of people: a
notification, a binding's description, a form field's label, a widget's text, an error a
service raises, a command's help, a line the command line prints. Each must receive a text
marked with ``_``, ``N_``, ``ngettext``, ``Message`` or ``Message.plural`` (or a value that is
no literal: a name, a stored record, a number), never a bare English literal or f-string.
A new screen or command that forgets to mark its words fails here, naming the line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bizdesk

PACKAGE = Path(bizdesk.__file__).parent
MARKERS = {"_", "N_", "ngettext", "Message", "plural", "tr"}
WORDS = re.compile(r"[A-Za-z]{2,}")

# call name -> which arguments carry words (positions, keyword names)
SINKS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "notify": ((0,), ("message", "title")),
    "Binding": ((2,), ("description", "tooltip")),
    "Field": ((1,), ("label", "placeholder", "hint")),
    "Static": ((0,), ()),
    "Label": ((0,), ()),
    "Button": ((0,), ()),
    "Option": ((0,), ()),
    "ValidationError": ((0, 1), ("message",)),
    "NotFound": ((0,), ()),
    "Conflict": ((0,), ()),
    "PermissionDenied": ((0,), ()),
    "StoreError": ((0,), ()),
    "BizdeskError": ((0,), ()),
    "FieldError": ((0, 1), ()),
    "ConfigError": ((0,), ()),
    "AmountError": ((0,), ()),
    "say": ((0,), ()),
    "say_error": ((0,), ()),
    "fail": ((0,), ()),
    "echo": ((0,), ()),
    "Option_": ((), ("help",)),
    "command": ((), ("help", "short_help")),
    "Typer": ((), ("help",)),
    "Argument": ((), ("help",)),
}
TYPER_HELP = {"Option", "Argument", "command", "callback", "Typer", "add_typer"}

# Words that are not language: a key name, a unit symbol, a format, a code a person types.
NOT_WORDS = re.compile(
    r"^([A-Z]{2,}[-_ ]?|[a-z_]+\.[a-z_.]+|ctrl\+\w|f\d+|YYYY-MM-DD|--?[a-z][a-z-]*|"
    r"[#$%/:·\-–—… ,.()]*|\W*\w\W*)$"
)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _words(node: ast.expr) -> bool:
    """A bare literal (or f-string, or a + of them) carrying words, not marked."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return bool(WORDS.search(text)) and not NOT_WORDS.match(text)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and WORDS.search(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _words(node.left) or _words(node.right)
    if isinstance(node, ast.IfExp):
        return _words(node.body) or _words(node.orelse)
    if isinstance(node, ast.Dict):
        return any(_words(v) for v in node.values if v is not None)
    return False


def unmarked(source: str, filename: str = "<src>") -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in MARKERS:
            continue
        positions, keywords = SINKS.get(name, ((), ()))
        if name in TYPER_HELP:
            keywords = (*keywords, "help", "short_help")
        args = [node.args[i] for i in positions if i < len(node.args)]
        args += [k.value for k in node.keywords if k.arg in keywords]
        found += [(node.lineno, name) for a in args if _words(a)]
    return found


def test_the_finder_finds_bare_words_and_passes_marked_ones() -> None:
    bare = 'app.notify("Saved")\nBinding("n", "new", "New")\nraise NotFound(f"no {x} here")\n'
    assert [n for _l, n in unmarked(bare)] == ["notify", "Binding", "NotFound"]
    marked = (
        'app.notify(_("Saved"))\nBinding("n", "new", N_("New"))\n'
        'raise NotFound(Message("no {x} here", x=x))\nStatic(name)\nStatic("")\n'
        'Binding("escape", "back", "")\nField("qty", N_("Quantity"), placeholder="-2 or 5 kg")\n'
    )
    assert [n for _l, n in unmarked(marked)] == ["Field"]


def test_every_text_a_person_reads_is_marked() -> None:
    left: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(PACKAGE)
        left += [f"{rel}:{line} {name}" for line, name in unmarked(path.read_text(), str(path))]
    assert left == [], f"{len(left)} texts not marked for translation:\n" + "\n".join(left)
