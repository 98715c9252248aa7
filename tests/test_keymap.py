"""A [keymap] in the config file gives bindings other keys: the new key works, the old one
no longer does, and the footer, the help (F1) and the palette all show the new one. The
registry's list of binding ids is the bindings the screens really have."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets._footer import FooterKey

import bizdesk.screens
import bizdesk.widgets
from bizdesk.app import BizdeskApp
from bizdesk.config import load_settings
from bizdesk.errors import ConfigError
from bizdesk.screens.contacts import ContactsPane
from bizdesk.screens.help import HelpScreen
from bizdesk.screens.registry import ALL_BINDING_IDS, BINDING_IDS, check_keymap
from bizdesk.widgets.form import FormScreen
from tests.tui_helpers import SIZE, palette_hits, settle, wait_for

KEYMAP = {
    "contacts.new": "ctrl+n",
    "app.tab.contacts": "ctrl+o",
    "app.help": "f10",
    "form.save": "ctrl+w",
}


def _modules() -> list[str]:
    found = ["bizdesk.app"]
    for package in (bizdesk.screens, bizdesk.widgets):
        found += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    return found


def test_the_registry_lists_every_binding_id_and_no_other():
    """Every binding with an id in a screen or widget is in registry.BINDING_IDS under its
    module, and every id there is bound: a keymap is checked against what exists."""
    bound: dict[str, set[str]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == name:
                for b in cls.__dict__.get("BINDINGS", ()):
                    if isinstance(b, Binding) and b.id:
                        bound.setdefault(name, set()).add(b.id)
    listed = {module: set(ids) for module, ids in BINDING_IDS.items()}
    assert listed == bound
    assert len(ALL_BINDING_IDS) > 100


def _settings(tmp_path: Path, text: str):  # noqa: ANN202
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def test_keys_are_named_as_textual_names_them(tmp_path):
    settings = _settings(
        tmp_path,
        '[keymap]\n"deals.back" = "[, ctrl+["\n"list.filter" = "?"\n"app.quit" = "ctrl+x"\n',
    )
    assert check_keymap(settings) == {
        "deals.back": "left_square_bracket,ctrl+left_square_bracket",
        "list.filter": "question_mark",
        "app.quit": "ctrl+x",
    }


@pytest.mark.parametrize(
    "line,said",
    [
        ('"contact.nwe" = "x"', "line 3: [keymap] contact.nwe is not a binding of bizdesk."),
        ('"app.help" = "ctrl+shift+ctrl+h"', "'ctrl+shift+ctrl+h' is not a key"),
        ('"app.help" = "f1,,f10"', "'' is not a key"),
        ('"app.help" = "Ctrl+H"', "'Ctrl+H' is not a key"),
        ('"app.help" = "ctrl+nothing"', "'ctrl+nothing' is not a key"),
    ],
)
def test_a_keymap_naming_what_does_not_exist_is_refused(tmp_path, line, said):
    settings = _settings(tmp_path, f"\n[keymap]\n{line}\n")
    with pytest.raises(ConfigError) as refused:
        check_keymap(settings)
    assert said in str(refused.value) and str(settings.path) in str(refused.value)


def _footer(app: BizdeskApp) -> list[tuple[str, str, str]]:
    return [(k.key, k.key_display, k.description) for k in app.screen.query(FooterKey)]


async def test_a_remapped_key_works_and_shows_everywhere(store, tmp_path):
    settings = _settings(
        tmp_path, "[keymap]\n" + "".join(f'"{i}" = "{k}"\n' for i, k in KEYMAP.items())
    )
    app = BizdeskApp(store, check_keymap(settings))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")  # the old key of the Contacts tab does nothing now
        await settle(pilot, app)
        assert app.query_one("#tabs").active == "home"
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.query_one("#tabs").active == "contacts"
        assert isinstance(app.active_pane(), ContactsPane)

        footer = _footer(app)
        assert footer[0] == ("f10", "F10", "Help")  # help stays first in the footer
        assert ("ctrl+n", "^n", "New") in footer
        # where "n New" was (before Edit, after help and quit: the list's own keys come
        # last), not moved to the end and cut off at 80 columns
        assert footer[2:4] == [("ctrl+n", "^n", "New"), ("e", "e", "Edit")], footer
        assert not any(key == "n" for key, _shown, _text in footer)

        await pilot.press("n")  # the old key of "new" does nothing now
        await settle(pilot, app)
        assert app.screen is app.screen_stack[0]
        await pilot.press("ctrl+n")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "the form")
        await wait_for(pilot, app, lambda: ("ctrl+w", "^w", "Save") in _footer(app), "^w Save")
        await pilot.press("escape")
        await wait_for(pilot, app, lambda: app.screen is app.screen_stack[0], "the list")

        await pilot.press("f1")  # no longer help
        await settle(pilot, app)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f10")
        await wait_for(pilot, app, lambda: isinstance(app.screen, HelpScreen), "the help")
        entries = app.screen.entries()
        assert ("^n", "New", "contacts.new") in entries
        assert ("^o", "the Contacts tab", "app.tab.contacts") in entries
        assert ("F10", "this help", "app.help") in entries
        assert ("^w", "in a form: save", "form.save") in entries
        assert ("F2", "the Home tab", "app.tab.home") in entries  # not remapped: as it was
        assert not any(keys == "n" for keys, _text, _id in entries)
        await pilot.press("escape")
        await settle(pilot, app)

        await pilot.press("ctrl+p")
        await wait_for(pilot, app, lambda: isinstance(app.screen, CommandPalette), "palette")
        await wait_for(
            pilot, app, lambda: "Go to Contacts (^o)" in palette_hits(app), "the tab's key"
        )
        hits = palette_hits(app)
        assert "Help for this screen (F10)" in hits and "Go to Home (F2)" in hits


async def test_without_a_keymap_the_keys_are_bizdesks_own(store):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        footer = _footer(app)
        assert footer[:2] == [("f1", "F1", "Help"), ("ctrl+q", "^q", "Quit")]
        assert ("n", "n", "New") in footer
        await pilot.press("f1")
        await wait_for(pilot, app, lambda: isinstance(app.screen, HelpScreen), "the help")
        entries = app.screen.entries()
        assert ("n", "New", "contacts.new") in entries
        assert ("F3", "the Contacts tab", "app.tab.contacts") in entries
        assert ("^s", "in a form: save", "form.save") in entries


async def test_a_key_taken_from_another_binding_is_said(store):
    """contacts.new given "e" takes it from Edit on the same pane: said, not left silent."""
    app = BizdeskApp(store, {"contacts.new": "e"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await wait_for(
            pilot,
            app,
            lambda: any("Edit has no key e here" in n.message for n in app._notifications),
            "the warning",
        )
        assert ("e", "e", "New") in _footer(app)
        told = [n for n in app._notifications if "keymap" in n.message]
        assert len(told) == 1 and told[0].severity == "warning"
