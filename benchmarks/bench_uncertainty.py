"""Time the uncertainty analysis and the wind tunnel.

Run with ``.venv/bin/python benchmarks/bench_uncertainty.py``. Prints the median of repeated runs
(after one warm-up run that loads the snapshot, the YAML declarations and the region names) and
the ratio to a baseline measured in the same process: one plain default model run of all
municipalities at the horizon year (``run(years=[2020])``).

Targets (issue 8): 1,000 samples x 5 scenarios x all municipalities under 5 s; the wind tunnel
of 10 options for one municipality with the default sample count (issue 13) under 1 s, and
under 0.1 s per region when the participating regions are evaluated together
(:func:`socecon.analysis.windtunnel.evaluate_many`).
"""

from __future__ import annotations

import timing

from socecon.analysis import criteria, uncertainty, windtunnel
from socecon.definitions.options import load_options
from socecon.model import run
from socecon.regions import participating_codes

#: The report batch's regions: the participating municipalities and ISD Midden-Langstraat.
BATCH = [*participating_codes(), "isd_midden_langstraat"]

REPEAT = 5


def median_seconds(func, repeat: int = REPEAT) -> float:
    """Median of ``repeat`` timed calls (see benchmarks/timing.py)."""
    return timing.median_seconds(func, repeat)


def main() -> None:
    goal = criteria.Goal(participation_min=20, net_cost_per_placed_max=20000)
    samples = uncertainty.sample(1000, seed=1)
    n_options = len(load_options())
    rows = [
        ("default model, all 393, horizon year (baseline)", lambda: run(years=[2020]), None),
        ("sample 1,000 (LHS, 29 assumptions)", lambda: uncertainty.sample(1000, seed=1), None),
        (
            "propagate 1,000 x 5 scenarios x 393",
            lambda: uncertainty.propagate(samples),
            5.0,
        ),
        (
            "run_uncertainty 1,000 x 393 + summary",
            lambda: uncertainty.run_uncertainty(n_samples=1000, seed=1).summary(),
            None,
        ),
        (
            f"wind tunnel {n_options} options, GM0301, 200 samples",
            lambda: windtunnel.matrix("GM0301", goal, n_samples=200, seed=1),
            1.0,
        ),
        (
            f"wind tunnel {n_options} options, GM0301, 1,000 samples",
            lambda: windtunnel.matrix("GM0301", goal, n_samples=1000, seed=1),
            1.0,
        ),
        (
            f"wind tunnel {n_options} options, GM0301, default {windtunnel.DEFAULT_SAMPLES:,}",
            lambda: windtunnel.matrix("GM0301", goal, seed=1),
            1.0,
        ),
        (
            f"wind tunnel {n_options} options, ISD group, 200 samples",
            lambda: windtunnel.matrix("isd_midden_langstraat", goal, n_samples=200, seed=1),
            1.0,
        ),
        (
            f"wind tunnel {n_options} options, ISD group, default {windtunnel.DEFAULT_SAMPLES:,}",
            lambda: windtunnel.matrix("isd_midden_langstraat", goal, seed=1),
            1.0,
        ),
        (
            f"wind tunnel batch of {len(BATCH)} regions, default, per region",
            lambda: [r.table() for r in windtunnel.evaluate_many(BATCH, goal=goal, seed=1)],
            0.1,
        ),
    ]
    results = [(name, median_seconds(func), target) for name, func, target in rows]
    # The batch row is timed for all regions together; report it per region.
    name, seconds, target = results[-1]
    results[-1] = (name, seconds / len(BATCH), target)
    base = results[0][1]
    print(f"{'what':55} {'median s':>9} {'x baseline':>11} {'target s':>9}")
    for name, seconds, target in results:
        tgt = f"{target:.1f}" if target else "-"
        print(f"{name:55} {seconds:9.3f} {seconds / base:11.1f} {tgt:>9}")


if __name__ == "__main__":
    main()
