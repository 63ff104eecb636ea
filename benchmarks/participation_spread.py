"""How participation differs between municipalities, and what it tracks (issue 12).

Run with ``.venv/bin/python benchmarks/participation_spread.py [--horizon 2020] [--markdown]``.
For every scenario, over all municipalities with a target group, at the horizon year and the
default assumptions, it prints:

* the spread of participation (placed / target group): P5-P95 and the coefficient of variation
  (standard deviation / mean, unweighted over municipalities);
* its Spearman rank correlation with the observed outflow from bijstand to work (CBS, the
  2015-2017 outflow to work summed over the years divided by the summed bijstand stock);
* its Spearman rank correlation with the jobs inside the municipality's own borders per member
  of its target group (the artefact issue 12 removes: capacity came from the own jobs), over all
  municipalities and within each arbeidsmarktregio (the mean over the regions of at least five
  municipalities, weighted by their number).

It also prints the participating municipalities' key table of the README (persons placed).

The model reads each municipality's calibrated effectiveness from the snapshot input
(``ModelInput.effectiveness``, filled by the calibration; ones without it). ``--stand-in``
replaces it by the unshrunk ratio of the municipality's own outflow to work in 2015-2016 to the
national one (clipped to 0.25-4), a crude preview of what a local factor does, not the calibration.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pandas as pd

from socecon.data.snapshot import snapshot_wide
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.model import run, snapshot_input
from socecon.model.results import wide
from socecon.regions import default_regions, labour_market_regions, region_name

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


def stand_in_effectiveness(inp) -> np.ndarray:
    """The own 2015-2016 outflow-to-work rate over the national one, unshrunk (a preview only)."""
    flows = sum(snapshot_wide(y, ["bijstand_outflow_to_work"]).iloc[:, 0] for y in (2015, 2016))
    stocks = sum(snapshot_wide(y, ["bijstand_15_aow"]).iloc[:, 0] for y in (2015, 2016))
    national = flows["NL01"] / stocks["NL01"]
    own = (flows / stocks).reindex(list(inp.regions)) / national
    return own.fillna(1.0).clip(0.25, 4.0).to_numpy()


def within_region(a: pd.Series, b: pd.Series, smallest: int = 5) -> float:
    """Mean Spearman correlation inside each arbeidsmarktregio of at least ``smallest`` members.

    Weighted by the number of municipalities; a constant series inside a region counts as 0.
    """
    region_of = labour_market_regions()
    both = pd.concat([a, b], axis=1).dropna()
    values, weights = [], []
    for _, part in both.groupby(region_of.reindex(both.index)):
        if len(part) >= smallest:
            rho = spearman(part.iloc[:, 0], part.iloc[:, 1])
            values.append(0.0 if np.isnan(rho) else rho)
            weights.append(len(part))
    return float(np.average(values, weights=weights))


def spread_table(horizon: int, inp) -> pd.DataFrame:
    """Return one row per scenario: P5, P95, CV and the two rank correlations."""
    model = run(horizon=horizon, years=[horizon], model_input=inp)
    table = wide(
        model.to_frame(),
        variable=["participation_rate", "target_group", "placed"],
        index=["region", "scenario"],
    )
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
                "same, within region": within_region(rate, jobs_per_member),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def participating_table(horizon: int, inp) -> pd.DataFrame:
    """Return the README's table: target group and persons placed per scenario."""
    regions = default_regions()
    model = run(regions, horizon=horizon, years=[horizon], model_input=inp)
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
    parser.add_argument(
        "--stand-in", action="store_true", help="own unshrunk outflow ratio as effectiveness"
    )
    args = parser.parse_args()
    inp = snapshot_input(indeling=2015)
    if args.stand_in:
        inp = replace(inp, effectiveness=stand_in_effectiveness(inp))
    spread = spread_table(args.horizon, inp).round(3)
    people = participating_table(args.horizon, inp).round(0).astype(np.int64)
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
