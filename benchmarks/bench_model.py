"""Time the scenario model: all municipalities and one, components and the long table.

Run with ``.venv/bin/python benchmarks/bench_model.py``. Prints the median of repeated runs (after
one warm-up run that loads the snapshot and the YAML declarations) and the ratio to a baseline
measured in the same process: one pass of plain numpy arithmetic over the same number of cells
(regions x scenarios x bands x years), the floor for any vectorised model.
"""

from __future__ import annotations

import numpy as np
import timing

from socecon.model import run, snapshot_input

REPEAT = 15


def median_seconds(func, repeat: int = REPEAT) -> float:
    """Median of ``repeat`` timed calls (see benchmarks/timing.py)."""
    return timing.median_seconds(func, repeat)


def main() -> None:
    inp = snapshot_input(indeling=2015)
    n_years = 6
    cells = np.ones((len(inp.regions), 5, 10))

    def floor():
        for _ in range(n_years):
            (cells * 0.6 * np.minimum(1.0, cells / 2.0)).sum(axis=-1)

    rows = [
        ("numpy floor (393 x 5 x 10, 6 years)", median_seconds(floor), None),
        ("model components, all 393", median_seconds(lambda: run()), 0.100),
        ("model + long table, all 393", median_seconds(lambda: run().to_frame()), 0.100),
        (
            "model + long table, one (GM0164)",
            median_seconds(lambda: run(["GM0164"]).to_frame()),
            0.010,
        ),
        (
            "model + long table, ISD group",
            median_seconds(lambda: run(["isd_midden_langstraat"]).to_frame()),
            0.010,
        ),
        (
            "model + long table, all 393, 2015-2030",
            median_seconds(lambda: run(horizon=2030).to_frame()),
            0.100,
        ),
    ]
    base = rows[0][1]
    print(f"{'what':45} {'median ms':>10} {'x floor':>9} {'target ms':>10}")
    for name, seconds, target in rows:
        tgt = f"{target * 1000:.0f}" if target else "-"
        print(f"{name:45} {seconds * 1000:10.2f} {seconds / base:9.1f} {tgt:>10}")


if __name__ == "__main__":
    main()
