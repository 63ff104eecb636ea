"""Where the wind tunnel's time goes, stage by stage, alone and for a batch of municipalities.

Run with ``.venv/bin/python benchmarks/bench_windtunnel_stages.py [--every 29] [--count 12]``.
Times are CPU seconds of this process (``time.process_time``, so that other work on a shared
machine counts less), each stage summed over the municipalities and given per municipality,
and as a ratio to a baseline measured in the same process: one default model run of all
municipalities at the horizon year. The municipalities are every ``--every``-th of the default
indeling (as in the README's per-cell breakdown), with the report's goal and sample count.

Stages: the samples; the model runs of the first look (:func:`option_runs.model_outputs`);
turning them into results (:func:`windtunnel._results`); the judgement that decides the second
look; the second look's samples and model runs; the judgement of the pooled samples; and the
table (:meth:`WindTunnelResult.table`): quantiles and verdicts, scenario discovery (PRIM) and
the drivers (SRRC). The same stages are timed once per municipality (``evaluate`` alone, as a
report does) and once for all together (``evaluate_many``, one pass).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from contextlib import contextmanager

import numpy as np

from socecon.analysis import discovery, option_runs, windtunnel
from socecon.model import run
from socecon.model.inputs import snapshot_input
from socecon.regions import load_regions
from socecon.report.policy import report_goal

STAGES: dict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str):
    """Add the CPU time of the block to ``STAGES[name]``."""
    start = time.process_time()
    try:
        yield
    finally:
        STAGES[name] += time.process_time() - start


def instrument() -> dict:
    """Wrap the wind tunnel's stages so that each call adds its CPU time to :data:`STAGES`.

    Returns
    -------
    dict
        ``{"look": 1}``; set it to 1 before each evaluation (the first ``_results`` call of an
        evaluation is look 1, a second one look 2).
    """
    state = {"look": 1}
    originals = {
        "sample": windtunnel.sample,
        "model_outputs": option_runs.model_outputs,
        "_results": windtunnel._results,
        "worth_second_look": windtunnel.worth_second_look,
        "where_it_breaks": discovery.where_it_breaks,
        "option_drivers": discovery.option_drivers,
    }

    def timed(name, label):
        def call(*args, **kwargs):
            key = label() if callable(label) else label
            with stage(key):
                out = originals[name](*args, **kwargs)
            if name == "_results":
                state["look"] = 2
            return out

        return call

    windtunnel.sample = timed("sample", "samples (both looks)")
    option_runs.model_outputs = timed("model_outputs", lambda: f"model runs, look {state['look']}")
    windtunnel._results = timed("_results", lambda: f"results per region, look {state['look']}")
    windtunnel.worth_second_look = timed("worth_second_look", "judgement (second-look test)")
    discovery.where_it_breaks = timed("where_it_breaks", "table: scenario discovery (PRIM)")
    discovery.option_drivers = timed("option_drivers", "table: drivers (SRRC)")
    return state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=29, help="take every N-th municipality")
    parser.add_argument("--count", type=int, default=12, help="municipalities")
    parser.add_argument("--regions", nargs="*", help="these regions instead (codes or groups)")
    args = parser.parse_args()
    codes = args.regions or list(load_regions().index)[:: args.every][: args.count]
    goal = report_goal()
    inp = snapshot_input()
    windtunnel.matrix(codes[0], goal, model_input=inp)  # warm-up: snapshot, YAML, names
    start = time.process_time()
    for _ in range(20):
        run(years=[2020])
    base = (time.process_time() - start) / 20
    state = instrument()
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    how = "given" if args.regions else f"every {args.every}th"
    print(f"{len(codes)} regions ({how}): {', '.join(codes)}")
    print(f"baseline: default model run of all, horizon year: {base:.3f} s CPU\n")
    report = {}
    for label in ("alone (evaluate, one per report)", "together (evaluate_many, one pass)"):
        STAGES.clear()
        start = time.process_time()
        each, results, tables = {}, [], []
        if label.startswith("alone"):  # as a report: evaluate, then its table
            for code in codes:
                state["look"] = 1
                began = time.process_time()
                results += windtunnel.evaluate_many([code], goal=goal, model_input=inp)
                with stage("table (all of it)"):
                    tables.append(results[-1].table())
                each[code] = time.process_time() - began
        else:
            state["look"] = 1
            results = windtunnel.evaluate_many(codes, goal=goal, model_input=inp)
            with stage("table (all of it)"):
                tables = [r.table() for r in results]
        total = time.process_time() - start
        report[label] = (dict(STAGES), total, tables, results, each)
    alone, together = report.values()
    n = len(codes)
    same = sum(a.equals(b) for a, b in zip(alone[2], together[2], strict=True))
    verdicts = all(
        a[["status", "class"]].equals(b[["status", "class"]])
        for a, b in zip(alone[2], together[2], strict=True)
    )
    gap = max(
        float(np.nanmax(np.abs(getattr(a, k) - getattr(b, k)) / np.maximum(np.abs(a.placed), 1)))
        for a, b in zip(alone[3], together[3], strict=True)
        for k in ("placed", "net_cost")
    )
    second = sum(len(r.samples) > windtunnel.DEFAULT_SAMPLES for r in alone[3])
    print(f"second look for {second} of {len(codes)}")
    print(
        f"tables equal bit for bit: {same} of {n}; verdicts and cell statuses equal: {verdicts}; "
        f"largest difference of placed / net cost: {gap:.1e} (scaled by placed)\n"
    )
    names = sorted(set(alone[0]) | set(together[0]), key=lambda k: -alone[0].get(k, 0))
    print(f"{'stage (CPU s per municipality)':58} {'alone':>7} {'together':>9} {'x base':>7}")
    for name in names:
        a, b = alone[0].get(name, 0.0) / n, together[0].get(name, 0.0) / n
        print(f"{name:58} {a:7.3f} {b:9.3f} {a / base:7.2f}")
    a, b = alone[1] / n, together[1] / n
    print(f"{'total':58} {a:7.3f} {b:9.3f} {a / base:7.2f}")
    print(f"(the table stage includes PRIM and SRRC; {np.round(base, 4)} s = 1 x base)")
    print(
        "alone, evaluate + table, CPU s: " + ", ".join(f"{c} {t:.2f}" for c, t in alone[4].items())
    )
    slowest = max(alone[4], key=alone[4].get)
    print(f"slowest alone: {slowest} {alone[4][slowest]:.3f} s CPU (evaluate + table)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
