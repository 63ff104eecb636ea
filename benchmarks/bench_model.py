"""Time the scenario model: all municipalities and one, components and the long table.

Run with ``.venv/bin/python benchmarks/bench_model.py``. Every row is called once as a warm-up
(which loads the snapshot and the YAML declarations), then ``REPEAT`` rounds call every row once
in turn (interleaved, so a burst of load on a shared machine falls on all rows alike). Per row it
prints the median wall-clock time, the median CPU time (:func:`time.process_time`, which leaves
out the time spent waiting for a core), each as a ratio to a baseline measured in the same rounds
(one pass of plain numpy arithmetic over as many cells, regions x scenarios x bands x years: the
floor for any vectorised model), and the target. The load average before and after is printed:
on a shared machine compare the CPU times and the ratios, not the wall clock.
"""

from __future__ import annotations

import os

import numpy as np
import timing

from socecon.model import run, snapshot_input

REPEAT = 15


def main() -> None:
    n = len(snapshot_input().regions)  # the default indeling
    n_2015 = len(snapshot_input(indeling=2015).regions)
    n_years = 6
    cells = np.ones((n, 5, 10))

    def floor():
        for _ in range(n_years):
            (cells * 0.6 * np.minimum(1.0, cells / 2.0)).sum(axis=-1)

    rows = [
        (f"numpy floor ({n} x 5 x 10, {n_years} years)", floor, None),
        (f"model components, all {n}", lambda: run(), 0.100),
        (f"model + long table, all {n}", lambda: run().to_frame(), 0.100),
        ("model + long table, one (GM0164)", lambda: run(["GM0164"]).to_frame(), 0.010),
        (
            "model + long table, ISD group",
            lambda: run(["isd_midden_langstraat"]).to_frame(),
            0.010,
        ),
        (
            f"model + long table, all {n}, 2015-2030",
            lambda: run(horizon=2030).to_frame(),
            0.100,
        ),
        (
            f"model + long table, all {n_2015} (2015), 2015-2030",
            lambda: run(horizon=2030, indeling=2015).to_frame(),
            0.100,
        ),
    ]
    load_before = os.getloadavg()[0]
    times = timing.interleaved_medians([func for _, func, _ in rows], REPEAT)
    load_after = os.getloadavg()[0]
    base_wall, base_cpu = times[0]
    print(
        f"{'what':50} {'wall ms':>8} {'x floor':>8} {'CPU ms':>8} {'x floor':>8} {'target ms':>10}"
    )
    for (name, _, target), (wall, cpu) in zip(rows, times, strict=True):
        tgt = f"{target * 1000:.0f}" if target else "-"
        print(
            f"{name:50} {wall * 1000:8.2f} {wall / base_wall:8.1f} "
            f"{cpu * 1000:8.2f} {cpu / base_cpu:8.1f} {tgt:>10}"
        )
    print(
        f"medians of {REPEAT} interleaved rounds; load average {load_before:.2f} before, "
        f"{load_after:.2f} after, on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
