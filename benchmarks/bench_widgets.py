"""Latency of the analyst workbench: a slider change to updated chart specs, five municipalities.

Prints p50/p95 over repeated take-up slider changes, with the ratio to the bare model run for the
same five municipalities (the floor) measured in the same run. The explorer draws only the view
in sight (the comparison when it opens); the other views are measured when opened. Not asserted
anywhere.

    .venv/bin/python benchmarks/bench_widgets.py [--repeat 40]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from socecon.model import run_model
from socecon.workbench.controller import VIEWS, Workbench
from socecon.workbench.explorer import Explorer

REGIONS = ["GM0164", "GM0106", "GM0301", "GM0090", "GM0784"]  # five participating municipalities


def measure(step, repeat: int) -> np.ndarray:
    step(0)  # warm-up
    times = []
    for i in range(1, repeat + 1):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    return np.array(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    repeat = parser.parse_args().repeat
    values = np.linspace(0.3, 0.9, 7)

    def take_up(i: int) -> float:
        return float(values[i % len(values)] + 1e-6 * i)  # never the same value twice

    workbench = Workbench(REGIONS)
    explorer = Explorer(Workbench(REGIONS))
    cases = {
        "model run, 5 municipalities, 1 year (floor)": lambda i: run_model(
            REGIONS, years=[2020], overrides={"take_up": take_up(i)}
        ),
        "slider -> specs of the view in sight (comparison, 2 charts)": lambda i: (
            workbench.set_assumption("take_up", take_up(i)),
            workbench.specs(VIEWS["Vergelijking"]),
        ),
        "widget slider -> outputs replaced (Explorer, view in sight)": lambda i: setattr(
            explorer.sliders["take_up"], "value", take_up(i)
        ),
    }
    for title in ("Tijdpad", "Doelgroep", "Ranglijst", "Onzekerheid", "Windtunnel"):
        cases[f"slider -> view '{title}' when in sight"] = lambda i, names=VIEWS[title]: (
            workbench.set_assumption("take_up", take_up(i)),
            workbench.specs(names),
        )
    cases["open a view after a slider change (Explorer, Tijdpad)"] = lambda i: (
        explorer.open_view("Vergelijking"),
        setattr(explorer.sliders["take_up"], "value", take_up(i)),
        explorer.open_view("Tijdpad"),
    )
    print(f"{'case':<62} {'p50 ms':>8} {'p95 ms':>8} {'p95/floor':>10}")
    floor = None
    for name, step in cases.items():
        ms = measure(step, repeat)
        p50, p95 = np.percentile(ms, 50), np.percentile(ms, 95)
        floor = floor or p50
        print(f"{name:<62} {p50:8.1f} {p95:8.1f} {p95 / floor:10.1f}")


if __name__ == "__main__":
    main()
