"""Python's cycle collector while bizdesk starts.

A start makes a few hundred thousand objects that live as long as the process (modules,
classes, the tables and their mappers, the catalogs) and frees few of them; the collector
scans them again and again meanwhile: about 0.1 s of a 0.7 s start (two full collections
and some 270 younger ones, measured on the demo store). So the program starts without it
(``hold``, the first thing `bizdesk` does), and once the store is open and read (``settle``)
what exists then is set aside for good (``gc.freeze``: never scanned, never freed) and the
collector runs again, over what is made after only; its full collections during the session
are shorter too."""

from __future__ import annotations

import gc


def hold() -> None:
    """No collection until ``settle``: the program's start."""
    gc.disable()


def settle() -> None:
    """The start is over: keep what exists, collect again. Does nothing unless ``hold``
    was called (in tests, and the second time)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
