"""Keystrokes applied in the order typed, and Tab that accepts a type-ahead suggestion.

Over SSH keys arrive in bursts (lag, a paste without bracketed paste). Textual 8.2.8 hands
every key to the focused widget's queue, but a *bound* key (tab, ctrl+s, backspace, enter,
escape, ctrl+letter) is acted on elsewhere: a priority binding (ctrl+s saves a form) runs in
the app before the letters typed just before it reach the input; other bindings run when the
key has bubbled back up to the app, by which time the letters typed after it have been put
into the input, and the app has already sent them to the field that had the focus before a
Tab moved it. "Quick Save Name" + ctrl+s saved an empty name; "Burst One" Tab "BurstOrg"
saved "Burst OneBurstO" as the name. Upstream: Textualize/textual issue #6605; PR #6631 (not
released) runs a widget's own bindings inline in ``_on_key``, which mends backspace but not
tab or a priority ctrl+s. Remove ``OrderedKeys`` when a released Textual applies every key,
bound or not, in order (check with tests/test_keys.py without it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from textual import events, messages
from textual.binding import Binding
from textual.message import Message
from textual.suggester import SuggestionReady
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from bizdesk.i18n import N_

# How long a key may wait for the keys before it; only reached when the widget they went to
# is gone in a way Textual does not report (then waiting longer would only lose typing).
GIVE_UP_SECONDS = 10.0
CHECK_SECONDS = 0.5
# Marker rounds after a key while messages it set off are still on their way.
MAX_ROUNDS = 4
_MESSAGES = messages.__name__  # Textual's own (layout, update, prompt...)


class KeysApplied(Message):
    """Sent behind a key handed to a widget. It travels the way the key does (the widget's
    queue, then up to the app), so when it reaches the app the key has been acted on."""

    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


@dataclass
class _Wait:
    """A key (or, with ``key`` None, what was sent to ``target``) that the next keys wait
    for, the screen when it was sent, and the marker rounds sent so far."""

    key: events.Event | None
    token: int
    target: Widget
    screen: Widget
    rounds: int = 1
    checks: int = 0


class OrderedKeys:
    """App mixin (``class MyApp(OrderedKeys, App)``): a key is acted on only after every key
    received before it has been applied.

    Letters for the input that has the focus go straight into its queue, as Textual does
    (that input puts them in, in order). Any other key waits until every key before it is
    done, is then handled exactly as Textual handles it (priority bindings, then the focused
    widget, bubbling up to the bindings), and the next key waits until it is done: until it
    has come back up to the app and been acted on there, or, when a widget on the way
    stopped it, until a ``KeysApplied`` marker sent behind it reaches the app. What the key
    set off on its way (enter submits an input, the form then moves the focus) is waited
    for by sending the marker round again while that way has messages queued. After a key
    that opened or closed a screen, the next key also waits until that screen has mounted
    and set its focus, so typing ahead into a form that is opening lands in its first field.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_backlog: deque[events.Key | events.Paste] = deque()
        self._keys_token = 0
        self._keys_waiting: _Wait | None = None
        self._keys_wait_timer: Timer | None = None
        self._keys_sent_to: Widget | None = None  # letters sent here, not yet confirmed
        self.keys_given_up = 0  # waits given up on (a marker lost): keys then went on late
        # keys typed before a question nobody asked for appeared (``keys_typed_since``)
        self._keys_set_aside: list[events.Key | events.Paste] = []

    def keys_on_hold(self) -> bool:
        """Whether typed keys wait in the line for now (the app is not ready to act on them:
        it is still opening its store, or the screen shown is still reading what it shows).
        The app calls ``release_keys`` when it is ready."""
        return False

    def passes_hold(self, event: events.Key | events.Paste) -> bool:
        """Whether a key is acted on at once even while keys are on hold (quitting)."""
        return False

    async def release_keys(self) -> None:
        """Act on the keys that waited while on hold, in the order typed."""
        await self._feed_keys()

    def give_back_keys(self) -> int:
        """The keys set aside for a question nobody asked for, back at the head of the line
        (acted on where they were typed for, once the question is gone); how many."""
        keys, self._keys_set_aside = self._keys_set_aside, []
        self._key_backlog.extendleft(reversed(keys))
        if keys:
            self.call_after_refresh(self.release_keys)  # type: ignore[attr-defined]
        return len(keys)

    def drop_keys_set_aside(self) -> int:
        """Forget the keys set aside (the question's answer changed what they were typed
        into); how many."""
        keys, self._keys_set_aside = self._keys_set_aside, []
        return len(keys)

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key | events.Paste):
            await super().on_event(event)  # type: ignore[misc]
        elif not event.is_forwarded and self.keys_on_hold() and self.passes_hold(event):
            await super().on_event(event)  # type: ignore[misc]
        elif not event.is_forwarded:  # a key from the terminal: in the line
            self._key_backlog.extend(self._escape_and_key(event))
            await self._feed_keys()
        else:  # a key that bubbled back up: its bindings run here
            await super().on_event(event)  # type: ignore[misc]
            if self._keys_waiting is not None and self._keys_waiting.key is event:
                self._key_done()
                await self._feed_keys()

    def _escape_and_key(self, event: events.Key | events.Paste) -> list[events.Key | events.Paste]:
        """A terminal sends alt+n as escape then n, the very bytes an escape and an n typed
        in one burst make (a slow link): Textual reads them as alt+n, which no key of
        bizdesk binds (a keymap may), so the escape was lost and the n typed into the field
        the escape was to leave. Such a key no binding takes is the two keys, in order."""
        if not (isinstance(event, events.Key) and event.key.startswith("alt+")):
            return [event]
        char = event.character or ""
        if len(char) != 1 or not char.isalnum() or not self.screen_stack:  # type: ignore[attr-defined]
            return [event]
        chain = self.screen._binding_chain  # type: ignore[attr-defined]
        if any(bm.key_to_bindings.get(event.key) for _, bm in chain):
            return [event]
        escape, key = events.Key("escape", "\x1b"), events.Key(char, char)
        escape.time = key.time = event.time
        return [escape, key]

    def _typed_into(self, event: events.Key | events.Paste) -> Widget | None:
        """The input that takes this key in its own queue without acting anywhere else (a
        letter or a paste into an input, with no priority binding), else None."""
        focused = self.focused  # type: ignore[attr-defined]
        if not isinstance(focused, Input):
            return None
        if isinstance(event, events.Paste):
            return focused
        if not event.is_printable:
            return None
        # Textual drops the bindings of the input's ancestors for keys it takes (its
        # check_consume_key); only a priority binding of its own would act before it.
        if any(b.priority for b in focused._bindings.key_to_bindings.get(event.key, ())):
            return None
        return focused

    def _has_priority(self, event: events.Key | events.Paste) -> bool:
        """Would a priority binding act on this key in the app, before the focused widget?"""
        if not isinstance(event, events.Key):
            return False
        chain = self.screen._binding_chain  # type: ignore[attr-defined]
        return any(b.priority for _, bm in chain for b in bm.key_to_bindings.get(event.key, ()))

    async def _feed_keys(self) -> None:
        while self._key_backlog and self._keys_waiting is None and not self.keys_on_hold():
            event = self._key_backlog[0]
            if not self.screen_stack:  # type: ignore[attr-defined]
                self._key_backlog.popleft()  # not started or ending: as Textual does
                await super().on_event(event)  # type: ignore[misc]
                continue
            since = getattr(self.screen, "keys_typed_since", None)  # type: ignore[attr-defined]
            if since is not None and event.time < since:
                # typed before this question was on the screen: not an answer to it
                self._keys_set_aside.append(self._key_backlog.popleft())
                continue
            typed_into = self._typed_into(event)
            target = self.focused or self.screen  # type: ignore[attr-defined]
            sent_to = self._keys_sent_to
            if sent_to is not None and (target is not sent_to or self._has_priority(event)):
                # letters are still on their way into the input: let them land first (a key
                # for the same input that no priority binding takes queues up behind them)
                self._wait_for(None, sent_to)
                continue
            self._key_backlog.popleft()
            screen = self.screen  # type: ignore[attr-defined]
            await super().on_event(event)  # type: ignore[misc]
            if typed_into is not None and event.is_forwarded:
                self._keys_sent_to = typed_into
            elif event.is_forwarded:  # on its way through the widget (and up to the app)
                self._wait_for(event, target, screen)
            elif self.screen is not screen:  # type: ignore[attr-defined]
                self._wait_for(None, self.screen, screen)  # type: ignore[attr-defined]
            # else a priority binding acted on it here, in order

    def _wait_for(
        self,
        key: events.Event | None,
        target: Widget,
        screen: Widget | None = None,
        rounds: int = 1,
    ) -> None:
        """Hold the next keys until ``key`` (or, if None, what ``target`` has queued) is
        done."""
        self._keys_sent_to = None
        self._keys_token += 1
        # Sent by the app, whatever pump runs this: Textual stops a message bubbling up once
        # it reaches its sender, and keys let go from a screen's callback (a form's save
        # refused) made that screen the sender: the marker stopped there and the next key
        # waited GIVE_UP_SECONDS ("ctrl+s, a name, ctrl+s" lost the second save).
        marker = KeysApplied(self._keys_token).set_sender(self)  # type: ignore[arg-type]
        if not target.post_message(marker):
            return  # the widget is closing: nothing of it to wait for
        if screen is None:
            screen = self.screen  # type: ignore[attr-defined]
        self._keys_waiting = _Wait(key, self._keys_token, target, screen, rounds)
        if self._keys_wait_timer is None:
            self._keys_wait_timer = self.set_interval(  # type: ignore[attr-defined]
                CHECK_SECONDS, self._check_wait
            )
        else:
            self._keys_wait_timer.resume()

    def _key_done(self) -> None:
        wait = self._keys_waiting
        assert wait is not None
        self._keys_waiting = None
        if not self._key_backlog:
            pass  # nothing typed after it: nothing to hold back
        elif self.screen is not wait.screen:  # type: ignore[attr-defined]
            # the key opened or closed a screen: wait until that screen has mounted (its
            # on_mount gives the focus) before the next key
            self._wait_for(None, self.screen)  # type: ignore[attr-defined]
        elif wait.rounds < MAX_ROUNDS and _busy(wait.target):
            # what the key set off (messages on its way) comes first
            self._wait_for(None, wait.target, wait.screen, wait.rounds + 1)
        if self._keys_waiting is None and self._keys_wait_timer is not None:
            self._keys_wait_timer.pause()

    async def _on_keys_applied(self, marker: KeysApplied) -> None:
        marker.stop()
        if self._keys_waiting is None or self._keys_waiting.token != marker.token:
            return  # its key came back up to the app first, or it was given up on
        self._key_done()
        await self._feed_keys()

    async def _check_wait(self) -> None:
        """Never hold keys back for a widget that has gone (its queue dropped the marker)."""
        wait = self._keys_waiting
        if wait is None:
            return
        wait.checks += 1
        target = wait.target
        gone = not target.is_attached or target._closing or target._closed
        if gone or wait.checks * CHECK_SECONDS >= GIVE_UP_SECONDS:
            if not gone:
                self.keys_given_up += 1
            self._keys_waiting = None
            if self._keys_wait_timer is not None:
                self._keys_wait_timer.pause()
            await self._feed_keys()


# What a key sets off that cannot move the focus or open a screen: no need to wait for it.
_HARMLESS = (
    KeysApplied,
    events.Key,
    events.Paste,
    events.Focus,
    events.Blur,
    events.DescendantFocus,
    events.DescendantBlur,
    events.Idle,
    events.Resize,
    Input.Changed,
    SuggestionReady,
)


def _busy(widget: Widget) -> bool:
    """Has the way from ``widget`` up to its screen messages queued that may move the focus
    (an input submitted, a table row selected...)?"""
    if not widget.is_attached:
        return False
    node: Any = widget
    while node is not None and node is not widget.app:
        queued = getattr(node._message_queue, "values", None)  # textual._queue.Queue
        if queued is None:
            return not node._message_queue.empty()
        for message in list(queued):
            if not isinstance(message, _HARMLESS) and type(message).__module__ != _MESSAGES:
                return True
        node = node._parent
    return False


class TypeAheadInput(Input):
    """An input with type-ahead whose suggestion Tab accepts, then moves on as Tab does.

    The suggestion Tab takes is the one for what was typed, also when the lookup has not
    come back yet (keys typed in a burst): it is looked up then, so a burst and slow typing
    end the same way. A value the user did not type in (tabbing through a filled field) is
    left as it is, as no suggestion is shown for it.
    """

    BINDINGS = [
        Binding("tab", "accept_and_next", N_("Accept suggestion, next field"), show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._looked_up: str | None = None  # the value a suggestion was asked for

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self._looked_up = value if self.suggester and value else None

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._looked_up = None  # Input drops its suggestion on focus; so does Tab

    def action_end(self, select: bool = False) -> None:
        """End goes to the end and takes the suggestion shown there, as the right arrow does
        at the end (End only moved the cursor: "Northwind Traders" stayed "North")."""
        super().action_end(select)
        if not select and self._suggestion and len(self._suggestion) > len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)

    async def action_accept_and_next(self) -> None:
        value = self.value
        if self.suggester and self._looked_up == value and self.cursor_at_end:
            suggestion = self._suggestion
            if not suggestion:  # not back yet (or none): ask now
                asked = value if self.suggester.case_sensitive else value.casefold()
                suggestion = await self.suggester.get_suggestion(asked) or ""
            if suggestion and self.value == value and len(suggestion) > len(value):
                self.value = suggestion
                self.cursor_position = len(suggestion)
        self.screen.focus_next()
