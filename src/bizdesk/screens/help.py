"""F1: what this screen is for, and every key that works on it, as bound now.

The keys are read from the bindings in force where F1 was pressed (the person's keymap
applied), and the keys that work everywhere from the registry of the app's own keys: a key
given another in the config file shows as that key here, in the footer and in the palette.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bizdesk.i18n import N_, _
from bizdesk.screens.registry import APP_KEYS, keys_of, tab
from bizdesk.widgets.form import FormScreen

# What lists do with keys of their own (Textual's table), which no keymap changes.
LISTS = [
    # a line each, within the keys' column (14): wrapped, "Home End" stood beside "page)"
    ("↑ ↓ PgUp PgDn", N_("move in a list (read page by page)"), ""),
    ("Home End", N_("the first or the last row"), ""),
    ("enter", N_("open the selected record"), ""),
]
EVERYWHERE = N_("Everywhere")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", N_("Close"), id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, target, bindings: Mapping[str, ActiveBinding] | None = None) -> None:  # noqa: ANN001
        """``target``: the pane or screen F1 was pressed on (its HELP is shown);
        ``bindings``: the bindings in force there (``Screen.active_bindings``)."""
        super().__init__()
        self.target = target
        self.bindings = dict(bindings or {})

    def entries(self) -> list[tuple[str, str, str]]:
        """(keys, what they do, binding id): the keys of the screen F1 was pressed on, then
        the keys that work everywhere, in the reader's language."""
        keymap = getattr(self.app, "keymap", {})
        return [*self.here(), ("", "", ""), (_(EVERYWHERE), "", ""), *self.everywhere(keymap)]

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do), as shown."""
        return [(keys, text) for keys, text, _id in self.entries()]

    def here(self) -> list[tuple[str, str, str]]:
        """The bindings in force, but the app's own (listed under everywhere) and Textual's
        (focus moves, copying, a table's cursor keys): a key bizdesk gives a meaning."""
        grouped: dict[tuple[int, str], list] = {}
        for key, (node, binding, _enabled, _tooltip) in self.bindings.items():
            if node is self.app or not _bizdesk_binding(node, binding):
                continue
            grouped.setdefault((id(node), binding.action), []).append((key, binding))
        return [
            (
                self.key_names([k for k, _b in keys]),
                _(keys[0][1].description) if keys[0][1].description else keys[0][1].action,
                keys[0][1].id or "",
            )
            for keys in grouped.values()
        ]

    def everywhere(self, keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
        out = [(self.key_names(keys_of(keymap, k.id, k.key)), about(k), k.id) for k in APP_KEYS]
        out[1:1] = [(keys, _(text), i) for keys, text, i in LISTS]
        form = {b.id: b for b in FormScreen.BINDINGS if isinstance(b, Binding) and b.id}
        for binding_id, text in (
            ("form.save", N_("in a form: save")),
            ("form.cancel", N_("in a form: cancel (asks first)")),
        ):
            keys = keys_of(keymap, binding_id, form[binding_id].key)
            out.append((self.key_names(keys), _(text), binding_id))
        return out

    def key_names(self, keys: list[str]) -> str:
        """Keys as the footer shows them ("left_square_bracket", "shift+left" are "[ or
        shift+←"), through Textual's own key display."""
        shown = [self.app.get_key_display(Binding(k.strip(), "")) for k in keys]
        out = shown[0] if shown else ""
        for key in shown[1:]:
            out = _("{keys} or {key}").format(keys=out, key=key)
        return out

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", max_width=14)
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        for key, text, binding_id in self.entries():
            shown = Text(key, style="underline") if key == _(EVERYWHERE) else Text(key)
            table.add_row(shown, Text(text), Text(binding_id))
        with VerticalScroll():
            yield Static(Text(help_text(self.target), style="italic"))
            yield Static(table)
            yield Static(
                Text(
                    _(
                        "escape closes this help. The ids on the right name the keys in the "
                        "[keymap] of the config file (see the README)."
                    ),
                    style="dim",
                )
            )


def help_text(target) -> str:  # noqa: ANN001
    """What a pane or screen is for (its ``HELP``, marked with ``N_``), in the reader's
    language; a screen whose help has parts filled in at run time gives ``help_text()``."""
    own = getattr(target, "help_text", None)
    if callable(own):
        return own()
    text = getattr(target, "HELP", "") or ""
    return _(text) if text else ""


def about(key) -> str:  # noqa: ANN001 - registry.AppKey
    """What an app key does, in the reader's language (a tab's key names its tab)."""
    if key.tab is None:
        return _(key.about)
    return _(key.about).format(tab=_(tab(key.tab).title))


def _bizdesk_binding(node, binding: Binding) -> bool:  # noqa: ANN001
    """A binding of bizdesk's own: with an id, or declared in a bizdesk class's BINDINGS."""
    if binding.id:
        return True
    for cls in type(node).__mro__:
        if cls.__module__.startswith("bizdesk."):
            declared = cls.__dict__.get("BINDINGS", ())
            if any(isinstance(b, Binding) and b.action == binding.action for b in declared):
                return True
    return False
