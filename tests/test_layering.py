"""The core (models, services, db) never imports the UI framework."""

import ast
from pathlib import Path

import bizdesk

CORE = ("models", "services", "db")
ROOT = Path(bizdesk.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_textual():
    files = [p for part in CORE for p in (ROOT / part).rglob("*.py")]
    assert len(files) > 5
    offenders = [str(p.relative_to(ROOT)) for p in files if "textual" in _imports(p)]
    assert offenders == []


def test_core_files_import_cleanly_without_textual_loaded():
    import subprocess
    import sys

    code = (
        "import sys, bizdesk.services.contacts, bizdesk.db, bizdesk.models;"
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
