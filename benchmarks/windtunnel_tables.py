"""Print the wind tunnel's verdict counts per threshold and its stability over 20 seeds.

Run with ``.venv/bin/python benchmarks/windtunnel_tables.py`` (all three tables and the time
they took, about 3 minutes on a shared 2-core machine; all regions of one seed share one model
pass) or with ``counts`` / ``verdicts`` / ``stability`` for one. Every run uses the report's default
goal (participation at least 20 %, net cost per placed at most 20,000 euro), the declared default
sample count and criteria (``socecon/definitions/windtunnel.yaml``), and the nine participating
regions (the eight municipalities and ISD Midden-Langstraat).

counts
    Per satisficing threshold (0.5, 0.8, 0.9), how many options of the nine regions get each
    verdict (seed 0; one run per threshold, since the second look depends on it).
verdicts
    Per region (seed 0, the declared threshold), which options hold in some scenario
    (scenarioafhankelijk) and which are undecided; every other option is kwetsbaar or gedomineerd.
stability
    Per region, the wind tunnel with seeds 0-19: for each option the share of seeds that give its
    most frequent verdict (:func:`socecon.analysis.criteria.agreement`); the goal is >= 95 % for
    every option in every region.
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from socecon.analysis import criteria, windtunnel
from socecon.regions import participating_codes
from socecon.workbench.state import DEFAULT_GOAL_NET_COST_PER_PLACED, DEFAULT_GOAL_PARTICIPATION

REGIONS = [*participating_codes(), "isd_midden_langstraat"]
GOAL = criteria.Goal(
    participation_min=DEFAULT_GOAL_PARTICIPATION,
    net_cost_per_placed_max=DEFAULT_GOAL_NET_COST_PER_PLACED,
)
THRESHOLDS = (0.5, 0.8, 0.9)
SEEDS = range(20)


def counts() -> None:
    """Print the verdict counts per threshold over the participating regions."""
    verdicts = list(criteria.VERDICTS)
    print(f"verdicts of the options x {len(REGIONS)} regions, seed 0")
    print("| threshold | " + " | ".join(criteria.VERDICTS[v] for v in verdicts) + " |")
    print("|---" * (len(verdicts) + 1) + "|")
    for threshold in THRESHOLDS:
        # A run per threshold: which regions take the second look depends on it.
        results = windtunnel.evaluate_many(REGIONS, goal=GOAL, seed=0, threshold=threshold)
        tally = Counter(c for r in results for c in r.classes)
        print(f"| {threshold:g} | " + " | ".join(str(tally[v]) for v in verdicts) + " |")


def verdicts() -> None:
    """Print per region which options hold somewhere and which are undecided (seed 0)."""
    print("verdicts per region, seed 0 (other options: kwetsbaar or gedomineerd)")
    print("| region | scenarioafhankelijk | onzeker | robuust |")
    print("|---|---|---|---|")
    for result in windtunnel.evaluate_many(REGIONS, goal=GOAL, seed=0):
        cells = [
            ", ".join(o.name for o, c in zip(result.options, result.classes, strict=True) if c == v)
            or "-"
            for v in ("scenario_dependent", "undecided", "robust")
        ]
        print(f"| {result.region} | " + " | ".join(cells) + " |")


def stability() -> None:
    """Print per region how often each option gets its most frequent verdict over 20 seeds."""
    print(f"agreement of the verdict over {len(SEEDS)} seeds (goal: >= 95 % for every option)")
    print("| region | modal verdicts | lowest agreement | options below 95 % |")
    print("|---|---|---|---|")
    worst = 1.0
    labels: list[list[list[str]]] = [[] for _ in REGIONS]  # region -> seed -> verdicts
    for s in SEEDS:
        batch = windtunnel.evaluate_many(REGIONS, goal=GOAL, seed=s)
        for r, result in enumerate(batch):
            labels[r].append(result.classes)
    names = [o.name for o in batch[0].options]
    for r, result in enumerate(batch):
        modal, share = criteria.agreement(labels[r])
        tally = Counter(modal)
        text = ", ".join(
            f"{tally[v]} {criteria.VERDICTS[v]}" for v in criteria.VERDICTS if tally[v]
        )
        low = [f"{n} ({s:.0%})" for n, s in zip(names, share, strict=True) if s < 0.95]
        worst = min(worst, float(share.min()))
        print(f"| {result.region} | {text} | {share.min():.0%} | {', '.join(low) or '-'} |")
    print(f"lowest agreement over all regions and options: {worst:.0%}")


def main(argv: list[str]) -> None:
    """Print the tables named in ``argv`` (both by default)."""
    chosen = argv or ["counts", "verdicts", "stability"]
    start = time.perf_counter()
    for name in chosen:
        {"counts": counts, "verdicts": verdicts, "stability": stability}[name]()
        print()
    print(
        f"{', '.join(chosen)}: {time.perf_counter() - start:.0f} s wall, "
        f"{time.process_time():.0f} s CPU"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
