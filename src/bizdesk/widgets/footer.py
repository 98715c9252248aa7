"""The footer of every screen, with help and quit always in view, and the keymap's clashes
said where they happen."""

from __future__ import annotations

from collections.abc import Mapping
from weakref import WeakKeyDictionary

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from bizdesk.i18n import N_, _, current_language

# Help (F1: every key of the screen) and quit come first: at 80 columns a screen's own keys
# fill the line and Textual's footer cuts what does not fit at the right. Found by their
# actions, so a keymap that gives them other keys keeps them in front.
FIRST = ("help", "quit")

# A list's own keys (filter, sort: the same on every list) come after the screen's: the
# focused list is nearest in Textual's order, and in a long language they pushed the keys
# that only this screen has (c Confirm on the bank's lines) off the line at 80 columns.
# So does h History, the same on every record's page (declared by their common class, it
# came first and pushed e Edit off the line).
GENERIC = ("list.", "record.")

# Textual's own keys its footer shows, in Textual's English (the select's open list, a
# link): here for the catalogs, so that translate_key finds them.
TEXTUAL_KEYS = (N_("Dismiss menu"), N_("Open link"))


class HelpKey(FooterKey):
    """Help's key, with how many keys only help shows now ("F1 Help +3"): drawn beside
    its description, which stays the binding's own."""

    more = ""

    def render(self) -> Text:
        plain = self.description
        self.description = plain + self.more
        try:
            return super().render()
        finally:
            self.description = plain


class KeysFooter(Footer):
    """Textual's footer with help and quit moved to the front, so they are never cut off.
    Each key's description is shown in the reader's language: the BINDINGS of every screen
    and widget are written at import time in English (marked with ``N_``) and translated
    here, as they are drawn."""

    _drawn: tuple | None = None  # the keys (and language) last composed
    _due = False  # a redraw is asked for after the next refresh

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._ends: WeakKeyDictionary[FooterKey, int] = WeakKeyDictionary()  # see _fit

    def bindings_changed(self, screen: Screen) -> None:
        """Textual composes the footer again on every change of focus or of a key's state,
        several times as a tab opens (the tab, its pane, its table); here it is composed
        once after them, and only when the keys it shows (or the language) changed."""
        self._bindings_ready = True
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            return
        if not self._due:
            self._due = True
            self.call_after_refresh(self._redraw)

    def on_mount(self) -> None:
        super().on_mount()
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def on_unmount(self) -> None:
        super().on_unmount()
        self.app.screen_change_signal.unsubscribe(self)

    def _screen_changed(self, _screen: Screen) -> None:
        """A screen opened over this footer's (a form, a question) or closed: under another
        screen only help and quit work (the form's own keys are in its footer). The others
        are hidden at once: composed again under another screen, the footer is not drawn
        again, and the keys of the list stayed on the terminal below the form. A question
        answered in the same burst of keys (x y) closes before the footer is composed: it is
        composed then all the same, or the hidden keys stayed hidden."""
        if self.is_attached and self.covered:
            self._drawn = None  # composed again when next drawn, even if uncovered by then
            for w in self.query_children(FooterKey):
                if w.action not in (*FIRST, "command_palette"):
                    w.display = False
                elif isinstance(w, HelpKey) and w.more:  # the keys it counted are not here
                    w.more = ""
                    w.refresh(layout=True)
        if self.is_attached and self._bindings_ready and not self._due:
            self._due = True
            self.call_after_refresh(self._redraw)

    @property
    def covered(self) -> bool:
        return self.screen is not self.app.screen

    async def _redraw(self) -> None:
        self._due = False
        if self.is_attached and self._keys() != self._drawn:
            await self.recompose()
            self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """A key that does not fit whole before the palette's key is not shown: cut, it
        reads as another word ("c Coun", "a Sho"). Help (F1), which lists every key, then
        says how many are not shown ("F1 Help +3"), so p Post past the edge of a record's
        page is not thought missing. Each key is measured where it was first laid out, all
        shown and help without its count: keys only ever go from the end."""
        if not self.is_attached:
            return
        keys = list(self.query_children(FooterKey))
        palette = next((w for w in keys if w.action == "command_palette"), None)
        helps = next((w for w in keys if w.action == "help"), None)
        end = (palette.region.x if palette is not None else self.region.right) - self.region.x
        for w in keys:
            if w is not palette and w.display and w.region.width and w not in self._ends:
                self._ends[w] = w.region.right - self.region.x
        later = [w for w in keys if w in self._ends and w is not helps]
        more, wider = "", 0  # the count beside help moves every later key right
        for _try in range(4):  # "+9" to "+10" can hide one more: settles at once in practice
            hidden = sum(self._ends[w] + wider > end for w in later)
            more = f" +{hidden}" if hidden else ""
            if cell_len(more) == wider:
                break
            wider = cell_len(more)
        for w in later:
            w.display = self._ends[w] + wider <= end
        if isinstance(helps, HelpKey) and helps.more != more:
            helps.more = more
            helps.refresh(layout=True)

    def _keys(self) -> tuple:
        shown = tuple(
            (key, b.binding.action, b.binding.description, b.binding.show, b.enabled, b.tooltip)
            for key, b in self.screen.active_bindings.items()
        )
        return current_language(), self.covered, shown

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._drawn = self._keys()
        widgets = list(super().compose())
        for w in widgets:
            translate_key(w)
        self._tell_clashes()
        first = sorted(
            (w for w in widgets if getattr(w, "action", None) in FIRST),
            key=lambda w: FIRST.index(w.action),
        )
        for w in first:
            if w.action == "help":  # Textual's key, made here to show a count (HelpKey)
                w.__class__ = HelpKey
        yield from first
        if self.covered:  # the keys below are not this screen's while another is on top
            return
        # in the order the screen declares its keys: a key the keymap changed would come
        # last (Textual appends it) and be cut off at 80 columns
        declared = self._declared_order() if getattr(self.app, "keymap", None) else {}
        generic = {
            key
            for key, b in self.screen.active_bindings.items()
            if (b.binding.id or "").startswith(GENERIC)
        }
        rest = [w for w in widgets if w not in first]
        yield from sorted(
            rest,
            key=lambda w: (
                getattr(w, "action", None) == "command_palette",  # docked right, last
                getattr(w, "key", None) in generic,
                declared.get(getattr(w, "action", None), 1 << 30),
            ),
        )

    def _declared_order(self) -> dict[str, int]:
        order: dict[str, int] = {}
        for node, _bindings in self.screen._binding_chain:
            for _key, binding in node._bindings:
                order.setdefault(binding.action, len(order))
        return order

    def _tell_clashes(self) -> None:
        """A key the keymap gave to one binding that another binding of the same screen or
        widget had: the other one has lost it there. Said once, never left silent (Textual
        8.2.8 reports no clash with a binding that has an id)."""
        keymap = getattr(self.app, "keymap", None)
        told = getattr(self.app, "clashes_told", None)
        if not keymap or told is None:
            return
        for node, _bindings in self.screen._binding_chain:
            for key, lost, winner in lost_keys(node._bindings, keymap):
                said = (type(node).__name__, lost.id or lost.action)
                if said in told:
                    continue
                told.add(said)
                shown = self.app.get_key_display(Binding(key, ""))
                self.app.notify(
                    _(
                        "Your keymap gives {key} to {winner}, so {lost} has no key {key} here "
                        "now. Change the [keymap] of your config file (bizdesk locate names it)."
                    ).format(
                        key=shown,
                        winner=_(winner.description) if winner.description else winner.id,
                        lost=_(lost.description) if lost.description else lost.action,
                    ),
                    title=_(N_("Keymap")),
                    severity="warning",
                    timeout=20,
                    markup=False,
                )


def translate_key(widget: object) -> None:
    """A footer key (or a group's label) in the reader's language, as it is composed."""
    if isinstance(widget, FooterKey):
        if widget.description:
            widget.description = _(widget.description)
        if isinstance(widget.tooltip, str) and widget.tooltip:
            widget.tooltip = _(widget.tooltip)
    elif isinstance(widget, FooterLabel):
        widget.update(_(str(widget.content)))
    for child in getattr(widget, "_pending_children", ()):
        translate_key(child)


def lost_keys(
    bindings: BindingsMap, keymap: Mapping[str, str]
) -> list[tuple[str, Binding, Binding]]:
    """(key, the binding that lost it, the one the keymap gave it to) in one namespace."""
    given: dict[str, Binding] = {}
    for binding in (b for bs in bindings.key_to_bindings.values() for b in bs):
        if binding.id in keymap:
            given.update((k, binding) for k in keymap[binding.id].split(","))
    return [
        (key, binding, given[key])
        for key, bs in bindings.key_to_bindings.items()
        if key in given
        for binding in bs
        if binding.id != given[key].id and binding.id not in keymap
    ]
