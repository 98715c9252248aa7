"""Python's cycle collector while bizdesk starts.

A start makes a few hundred thousand objects that live as long as the process (modules,
classes, the tables and their mappers, the catalogs) and frees few of them; the collector
scans them again and again meanwhile: about 0.1 s of a 0.7 s start (two full collections
and some 270 younger ones, measured on the demo store). So the program starts without it
(``hold``, the first thing `bizdesk` does), and once the store is open and read (``settle``)
what exists then is set aside (``gc.freeze``: never scanned) and the collector runs again,
over what is made after only.

Set aside, those objects also no longer count in what makes Python's full collections rare
(one only once the objects that survived since the last grow by a quarter of those it
kept): the collector then scans what is new in full every few tens of thousands of objects,
which made a tab's first visit about 30 ms slower. A command ends soon enough for that not
to matter (a 200,000-row import measured no slower); the interface, once the start is over
and its tabs built (``release``), puts them back and collects once, while Home is read."""

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


def release() -> None:
    """The interface's start is over: what ``settle`` set aside is collected as usual again,
    after one full collection now (about 0.07 s) that the collector would otherwise make at
    its next chance, maybe under the person's key."""
    if gc.isenabled() and gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
