"""The terminal driver: Textual's, with an input thread that sleeps while no key comes.

Textual's input thread (``LinuxDriver.run_input_thread``) wakes every 0.1 s for as long as
the app runs, to see whether the app is ending and whether a lone escape has waited long
enough to be a key. Measured on this machine, those ten wakings a second were 20 ms of CPU
per 10 s: a third of what an idle session may use (DESIGN section 10), spent while the
user types nothing. Here the thread still wakes every 0.1 s while a key may be half-read
(for a while after the last byte), then waits for the next byte, or for a byte on a pipe
of its own that ``disable_input`` writes when the app ends or is suspended.

The loop is Textual 8.2's (pinned in pyproject.toml), with only the wait changed.
"""

from __future__ import annotations

import os
import selectors
import time
from codecs import getincrementaldecoder

from textual import constants, events
from textual._loop import loop_last
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

TICK = 0.1  # s between wakings while a key may be half-read (Textual's own period)
AWAKE_AFTER_INPUT = 1.0  # s after the escape delay during which the thread keeps waking

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
HELD_ESCAPE = "\ufdd0"  # (a noncharacter: never in text) an ESC inside a paste, meanwhile


class PasteKeeper:
    """Keeps an ESC inside a paste in the pasted text. Textual's parser reads an ESC within
    a bracketed paste as the start of a key: "abc<ESC>def" pasted became the keys "^", "d",
    "e", "f" and then the paste "abc", so a form saved "^defabc", silently changed. Here
    each ESC inside a paste (other than its end) reaches the parser as HELD_ESCAPE, and the
    paste event gets the ESC back: the field holds what was pasted, which the text rule
    then refuses by name (a control character), as it refuses it typed any other way.
    Nothing outside a paste is touched or delayed (a lone Escape key stays one)."""

    def __init__(self) -> None:
        self.inside = False
        self.matched = 0  # outside: how much of PASTE_START the input so far ended with
        self.held = ""  # inside: the input's end, which may be the start of PASTE_END

    def feed(self, text: str) -> str:
        out: list[str] = []
        s, self.held = self.held + text, ""
        i = 0
        while i < len(s):
            if not self.inside:
                i = self._outside(s, i, out)
                continue
            j = s.find("\x1b", i)
            if j < 0:
                out.append(s[i:])
                break
            out.append(s[i:j])
            if s.startswith(PASTE_END, j):
                out.append(PASTE_END)
                i, self.inside, self.matched = j + len(PASTE_END), False, 0
            elif PASTE_END.startswith(s[j:]):  # the end may be cut between two reads
                self.held = s[j:]
                break
            else:
                out.append(HELD_ESCAPE)
                i = j + 1
        return "".join(out)

    def _outside(self, s: str, i: int, out: list[str]) -> int:
        """Pass ``s`` on from ``i`` unchanged up to the start of a paste (then inside)."""
        if self.matched:
            rest = PASTE_START[self.matched :]
            if s.startswith(rest, i):
                out.append(rest)
                self.inside, self.matched = True, 0
                return i + len(rest)
            if rest.startswith(s[i:]):  # the start cut over three reads or more
                out.append(s[i:])
                self.matched += len(s) - i
                return len(s)
        self.matched = 0
        j = s.find(PASTE_START, i)
        if j >= 0:
            out.append(s[i : j + len(PASTE_START)])
            self.inside = True
            return j + len(PASTE_START)
        out.append(s[i:])
        for n in range(min(len(PASTE_START) - 1, len(s) - i), 0, -1):
            if s.endswith(PASTE_START[:n]):
                self.matched = n
                break
        return len(s)

    @staticmethod
    def event(event: events.Event) -> events.Event:
        if isinstance(event, events.Paste) and HELD_ESCAPE in event.text:
            return events.Paste(event.text.replace(HELD_ESCAPE, "\x1b"))
        return event


class QuietLinuxDriver(LinuxDriver):
    _wake: tuple[int, int] | None = None  # the input thread's pipe, while in application mode

    def start_application_mode(self) -> None:
        self._wake = os.pipe()  # before the input thread starts (in the call below)
        super().start_application_mode()

    def run_input_thread(self) -> None:
        assert self._wake is not None
        wake = self._wake[0]
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        pastes = PasteKeeper()
        decode = getincrementaldecoder("utf-8")().decode
        last_input = time.monotonic()

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            nonlocal last_input
            keys = [(key, mask) for key, mask in events if key.fd == fileno]
            for last, (_key, mask) in loop_last(keys):
                if mask & selectors.EVENT_READ:
                    last_input = time.monotonic()
                    text = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not text:  # stdin is a pipe that ended
                        break
                    text = pastes.feed(text)  # ("": all of it may be a paste's end, cut)
                    for event in parser.feed(text) if text else ():
                        self.process_message(pastes.event(event))
            for event in parser.tick():
                self.process_message(event)

        def timeout() -> float | None:
            awake = constants.ESCAPE_DELAY + AWAKE_AFTER_INPUT
            return TICK if time.monotonic() - last_input < awake else None

        try:
            while not self.exit_event.is_set():
                process(selector.select(timeout()))
            selector.unregister(self.fileno)
            process(selector.select(TICK), final=True)
        finally:
            selector.close()

    def disable_input(self) -> None:
        # The thread may be waiting for a key: a byte on its pipe wakes it to see the app
        # ending, and stays there (the pipe reads ready), so no waking can be missed.
        if self._wake is not None:
            os.write(self._wake[1], b"x")
        super().disable_input()

    def close(self) -> None:
        super().close()
        thread = self._key_thread
        if self._wake is not None and (thread is None or not thread.is_alive()):
            for fd in self._wake:
                os.close(fd)
            self._wake = None
