"""Settings: one model read from the config file that `bizdesk locate` names and from the
environment (command line > environment > file > default); a file bizdesk cannot use is
refused with one sentence naming the file, the line and the key, by the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bizdesk.config import load_settings, resolve_db
from bizdesk.errors import ConfigError


def write_config(home: Path, text: str) -> Path:
    """The config file where bizdesk looks for it with XDG_CONFIG_HOME=home."""
    path = home / "bizdesk" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bizdesk(home: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "BIZDESK_DB"}
    environ.update(XDG_CONFIG_HOME=str(home), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env=environ,
    )


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    """A config folder of the test's own; $BIZDESK_DB unset."""
    folder = tmp_path / "config-home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("BIZDESK_DB", raising=False)
    return folder


def test_a_missing_file_leaves_every_default(home):
    settings = load_settings()
    assert settings.path == home / "bizdesk" / "config.toml"
    assert (settings.db, settings.escape_delay_ms, dict(settings.keymap)) == (None, None, {})


def test_the_file_is_read_with_its_keymap(home, tmp_path):
    store = tmp_path / "shop.db"
    write_config(
        home,
        f'# my settings\ndb = "{store}"\nescape_delay = 600\n\n[keymap]\n'
        '"contacts.new" = "ctrl+n"\n\'app.help\' = "f10"\n',
    )
    settings = load_settings()
    assert settings.db == str(store) and settings.escape_delay_ms == 600
    assert dict(settings.keymap) == {"contacts.new": "ctrl+n", "app.help": "f10"}
    assert settings.where("app.help", "keymap").endswith("config.toml, line 7: [keymap] app.help")


def test_command_line_beats_environment_beats_file_beats_default(home, tmp_path, monkeypatch):
    in_file, in_env, on_line = (tmp_path / n for n in ("file.db", "env.db", "line.db"))
    default = resolve_db(None)
    write_config(home, f'db = "{in_file}"\n')
    assert resolve_db(None) == f"sqlite:///{in_file}" != default
    monkeypatch.setenv("BIZDESK_DB", str(in_env))
    assert load_settings().db == str(in_env)
    assert resolve_db(None) == f"sqlite:///{in_env}"
    assert resolve_db(str(on_line)) == f"sqlite:///{on_line}"


@pytest.mark.parametrize(
    "text,said",
    [
        ('db = "/tmp/a.db"\nescape_delay = \n', "line 2: the config file is not valid TOML"),
        ("[keymap]\n'a' = 'x'\n'a' = 'y'\n", "line 3: [keymap] a is given twice (first on line 2)"),
        ('\n\ndbb = "/tmp/a.db"\n', "line 3: dbb is not a setting of bizdesk. Did you mean db?"),
        ('escape_delay = "fast"\n', 'line 1: escape_delay is "fast" (text): give whole'),
        ("escape_delay = true\n", "line 1: escape_delay is true (a yes or no)"),
        ("escape_delay = 0\n", "from 1 to 10000"),
        ("db = 12\n", "line 1: db is 12 (a number): give the store's full path"),
        ('db = "shop.db"\n', "line 1: db is 'shop.db', a relative path: write the full path"),
        ('db = "mysql://x/y"\n', "line 1: db: mysql:// is not a store bizdesk can use"),
        ("keymap = 'n'\n", 'line 1: keymap is "n" (text): it is a table'),
        ('[keymap]\n"contacts.new" = 3\n', "line 2: [keymap] contacts.new is 3 (a number)"),
        ('[keymap]\n"contacts.new" = ""\n', "line 2: [keymap] contacts.new is empty"),
    ],
)
def test_a_file_bizdesk_cannot_use_is_refused_saying_where(home, text, said):
    path = write_config(home, text)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value).startswith(f"{path}, line ") and said in str(refused.value)


def test_an_unreadable_file_is_said_as_such(home):
    path = write_config(home, "db = '/tmp/x.db'\n")
    path.write_bytes(b"db = '\xff'\n")
    with pytest.raises(ConfigError, match="is not UTF-8"):
        load_settings()


# The real command line, in a process of its own.


def test_locate_names_the_file_and_uses_its_store(home, tmp_path):
    store = tmp_path / "from-file.db"
    path = write_config(home, f'db = "{store}"\n')
    done = bizdesk(home, "locate")
    assert done.returncode == 0, done.stderr
    assert f"store:   {store}" in done.stdout and f"config:  {path}" in done.stdout
    other = tmp_path / "from-env.db"
    done = bizdesk(home, "locate", env={"BIZDESK_DB": str(other)})
    assert f"store:   {other}" in done.stdout
    done = bizdesk(home, "locate", "--db", str(tmp_path / "given.db"))
    assert f"store:   {tmp_path / 'given.db'}" in done.stdout


@pytest.mark.parametrize(
    "text,said",
    [
        ("db = '/tmp/x.db'\n[keymap\n", "line 2: the config file is not valid TOML"),
        ("\ncolor = 'blue'\n", "line 2: color is not a setting of bizdesk"),
        ("escape_delay = '400'\n", 'line 1: escape_delay is "400" (text)'),
    ],
)
def test_a_bad_file_is_one_sentence_and_exit_1(home, text, said):
    path = write_config(home, text)
    done = bizdesk(home, "locate")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().startswith(str(path)) and said in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.fixture
def shop(home, tmp_path) -> str:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    done = bizdesk(home, "init", "--db", path)
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.parametrize(
    "keymap,said",
    [
        ('"contacts.nwe" = "ctrl+n"', "line 3: [keymap] contacts.nwe is not a binding of bizdesk"),
        ('"contacts.new" = "ctrl-n"', "'ctrl-n' is not a key"),
        ('"app.help" = "F10"', "'F10' is not a key"),
        ('"app.help" = 12', "line 3: [keymap] app.help is 12 (a number)"),
    ],
)
def test_the_interface_refuses_a_keymap_it_cannot_apply(home, shop, keymap, said):
    """In a terminal (without one the interface is refused as that first, exit 2)."""
    from tests.test_faults import interface_on

    path = write_config(home, f"# keys\n[keymap]\n{keymap}\n")
    code, seen = interface_on(Path(shop), env={"XDG_CONFIG_HOME": str(home)})
    text = seen.decode("utf-8", "replace").replace("\r", "")
    assert code == 1, text
    assert text.strip().startswith(str(path)) and said in text, text
    assert "Traceback" not in text


def test_the_readme_example_is_a_file_bizdesk_takes(home):
    """The README's config file, as written there, loads and its keymap applies."""
    from bizdesk.screens.registry import check_keymap

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    write_config(home, example)
    settings = load_settings()
    assert settings.db and settings.escape_delay_ms == 600
    assert check_keymap(settings)["app.help"] == "f10"
