"""Child processes for race tests: a real start line, and each child must exit 0 having said
what it did.

Each child runs ``target(*args, ready)``: it gets ready (opens its store), calls ``ready()``
and then races. ``ready()`` is a barrier the parent waits on too, so no child starts before
every child is ready, and all start at once. A child's return value is its report; a child
that raises, is killed or hangs fails the test with its exit code.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import traceback
from collections.abc import Callable
from typing import Any

START_TIMEOUT = 120  # seconds for every child to start and open its store (spawned: slow)


def _child(target: Callable[..., Any], index: int, args: tuple, barrier, results) -> None:  # noqa: ANN001
    def ready() -> None:
        barrier.wait(START_TIMEOUT)

    try:
        results.put((index, "ok", target(*args, ready)))
    except BaseException:
        results.put((index, "crashed", traceback.format_exc()))
        raise


def run_together(
    target: Callable[..., Any], args: list[tuple], *, timeout: float = 300
) -> list[Any]:
    """Start one child per ``args`` entry, release them together, return their reports."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(args) + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_child, args=(target, i, a, barrier, results))
        for i, a in enumerate(args)
    ]
    for p in procs:
        p.start()
    try:
        try:
            barrier.wait(START_TIMEOUT)  # returns when every child is at the start line
        except threading.BrokenBarrierError:
            raise AssertionError(
                f"not every child reached the start: exit codes {_codes(procs)}"
            ) from None
        reports: dict[int, Any] = {}
        for _ in procs:
            try:
                index, how, report = results.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"a child said nothing within {timeout} s: exit codes {_codes(procs)}"
                ) from None
            assert how == "ok", f"child {index} crashed:\n{report}"
            reports[index] = report
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * len(procs), _codes(procs)
        return [reports[i] for i in range(len(procs))]
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join(5)


def _codes(procs: list) -> list[int | None]:
    return [p.exitcode for p in procs]
