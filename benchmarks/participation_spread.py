"""How participation differs between municipalities, and what it tracks (issue 12).

Run with ``.venv/bin/python benchmarks/participation_spread.py [--horizon 2020] [--markdown]``.
For every scenario, over all municipalities with a target group, at the horizon year and the
default assumptions, it prints:

* the spread of participation (placed / target group): P5-P95 and the coefficient of variation
  (standard deviation / mean, unweighted over municipalities);
* its Spearman rank correlation with the observed outflow from bijstand to work (CBS, the
  2015-2017 outflow to work summed over the years divided by the summed bijstand stock);
* its Spearman rank correlation with the jobs inside the municipality's own borders per member
  of its target group (the artefact issue 12 removes: capacity came from the own jobs).

It also prints the participating municipalities' key table of the README (persons placed).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from socecon.data.snapshot import snapshot_wide
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.model import run, snapshot_input
from socecon.model.results import wide
from socecon.regions import default_regions, region_name

OBSERVED_YEARS = (2015, 2016, 2017)


def observed_outflow_rate() -> pd.Series:
    """Outflow from bijstand to work per municipality, summed 2015-2017 over the summed stock."""
    flows, stocks = [], []
    for year in OBSERVED_YEARS:
        frame = snapshot_wide(year, ["bijstand_outflow_to_work", "bijstand_15_aow"])
        flows.append(frame["bijstand_outflow_to_work"])
        stocks.append(frame["bijstand_15_aow"])
    rate = pd.concat(flows, axis=1).sum(axis=1, min_count=1) / pd.concat(stocks, axis=1).sum(
        axis=1, min_count=1
    )
    return rate[rate.index.str.startswith("GM")]


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman rank correlation over the pairs where both are known (average ranks for ties)."""
    both = pd.concat([a, b], axis=1).dropna()
    ranks = both.rank()
    return float(ranks.iloc[:, 0].corr(ranks.iloc[:, 1]))


def spread_table(horizon: int) -> pd.DataFrame:
    """Return one row per scenario: P5, P95, CV and the two rank correlations."""
    model = run(horizon=horizon, years=[horizon])
    table = wide(
        model.to_frame(),
        variable=["participation_rate", "target_group", "placed"],
        index=["region", "scenario"],
    )
    inp = snapshot_input()
    jobs = pd.Series(inp.jobs, index=inp.regions)
    observed = observed_outflow_rate()
    rows = []
    for scenario in model.scenarios:
        part = table.xs(scenario, level="scenario")
        part = part[part["target_group"] > 0]
        rate = part["participation_rate"]
        jobs_per_member = jobs.reindex(rate.index) / part["target_group"]
        rows.append(
            {
                "scenario": load_definitions().scenario(scenario).name,
                "P5 %": rate.quantile(0.05),
                "P95 %": rate.quantile(0.95),
                "CV": rate.std() / rate.mean(),
                "rho outflow to work": spearman(rate, observed.reindex(rate.index)),
                "rho own jobs per member": spearman(rate, jobs_per_member),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def participating_table(horizon: int) -> pd.DataFrame:
    """Return the README's table: target group and persons placed per scenario."""
    regions = default_regions()
    model = run(regions, horizon=horizon, years=[horizon])
    table = wide(
        model.to_frame(),
        variable=["target_group", "placed", "net_cost_per_placed"],
        index=["region", "scenario"],
    )
    defs = load_definitions()
    rows = []
    for region in regions:
        part = table.xs(region, level="region")
        row = {"region": region_name(region), "target group": part.loc["baseline", "target_group"]}
        for scenario in model.scenarios:
            label = "baseline placed" if scenario == "baseline" else defs.scenario(scenario).name
            row[label] = part.loc[scenario, "placed"]
        row["net cost per placed, Regulier"] = part.loc["regulier", "net_cost_per_placed"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("region")


def markdown(frame: pd.DataFrame) -> str:
    """Return ``frame`` as a Markdown table (index first), thousands with commas."""

    def cell(value) -> str:
        return f"{value:,}" if isinstance(value, int | np.integer) else f"{value:g}"

    header = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in frame.iterrows():
        lines.append("| " + " | ".join([str(name), *(cell(v) for v in row)]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=DEFAULT_HORIZON)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    spread = spread_table(args.horizon).round(3)
    people = participating_table(args.horizon).round(0).astype(np.int64)
    if args.markdown:
        print(markdown(spread))
        print()
        print(markdown(people))
    else:
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            print(spread)
            print()
            print(people)


if __name__ == "__main__":
    main()
