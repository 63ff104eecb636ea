"""Shared timing helpers for the benchmark scripts (not part of the package)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def median_seconds(func: Callable[[], object], repeat: int = 5) -> float:
    """Return the median wall-clock time of ``func()`` over ``repeat`` calls, after a warm-up."""
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(
    funcs: Sequence[Callable[[], object]], repeat: int = 5
) -> list[tuple[float, float]]:
    """Return the median wall-clock and CPU time of each of ``funcs``, measured interleaved.

    Every function is called once as a warm-up, then ``repeat`` rounds call each function once
    in turn, so a burst of load from other processes on a shared machine falls on all of them
    alike instead of on whichever ran during it. CPU time is :func:`time.process_time` (user +
    system time of this process, all threads): time spent waiting for a core is left out, so it
    moves much less with the machine's load than the wall clock does.

    Returns
    -------
    list of (float, float)
        Per function, (median wall-clock seconds, median CPU seconds).
    """
    for func in funcs:
        func()
    walls: list[list[float]] = [[] for _ in funcs]
    cpus: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            wall, cpu = time.perf_counter(), time.process_time()
            func()
            cpus[i].append(time.process_time() - cpu)
            walls[i].append(time.perf_counter() - wall)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)]
