"""The model's national sums and the participating municipalities against sourced anchors.

Run with ``.venv/bin/python benchmarks/plausibility.py`` (about 10 s). Prints, as Markdown tables
for the README:

1. national sums per scenario at the horizon 2020 (all 393 municipalities of 2015) against the
   sourced anchors of ``../shared/domain/README.md`` (tags as there);
2. the net cost per payer (gemeente, Rijk, UWV) nationally, per scenario;
3. the spread of participation across municipalities per scenario;
4. the participating municipalities: people placed and net cost per payer at the horizon.

Everything comes from :func:`socecon.model.run` with the default assumptions; nothing is typed in.
"""

from __future__ import annotations

import numpy as np

from socecon.definitions import MODEL_VERSION, load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.model import run
from socecon.model.indicators import BANENAFSPRAAK_HOURS
from socecon.regions import group_members, region_name

YEAR = 2020
SCENARIOS = ("baseline", "sociaal_ondernemen", "regulier", "publiek_privaat", "publiek")
#: Sourced anchors (domain README sections 1d-1f and 6).
ANCHORS = {
    "wsw": "~102,500 end 2014, 96,300 start 2016 (Panteia, C)",
    "at_work": ("banenafspraak + Wsw + beschut werk: ~165,000 people end 2020 (SZW/UWV, C2)"),
    "regular": (
        "119,229 people in banenafspraak jobs end 2020 (UWV, C2), plus detached Wsw "
        "(~34,000: 36 % of ~94,000, C)"
    ),
    "extra_jobs": (
        "banenafspraak jobs added 2015-2020: 66,730 (Q4 2020) - 21,057 (2015) = ~45,700 (D from "
        "C2); 61,615 extra over the nulmeting in 2019 (C)"
    ),
    "beschut": (
        "Wsw working sheltered ~62,000 (96,300 x (1 - 0.356), D); beschut werk 4,004 end 2019, "
        "5,913 mid 2021 (C2)"
    ),
}


def _euros(value: float) -> str:
    return f"{value / 1e9:,.2f} bn"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def national_table() -> list[str]:
    """Return the national sums per scenario at the horizon, with the anchors."""
    model = run(scenarios=list(SCENARIOS), years=[2015, YEAR], indeling=2015)
    ind = model.indicators()
    c = model.components
    t = model.years.index(YEAR)
    hours = float(np.asarray(model.values["hours_per_week"]))
    names = {s.id: s.name for s in load_definitions().scenarios}

    def total(arr: np.ndarray, year_index: int = t) -> np.ndarray:
        arr = arr[year_index, 0]
        return arr.sum(axis=-1).sum(axis=0) if arr.ndim == 3 else arr.sum(axis=0)

    placed = total(c.placed)
    regular = total(c.placed_regular)
    wsw_cost = float(np.asarray(model.values["wsw_cost_per_employee"]))
    base = SCENARIOS.index("baseline")
    wsw = ["–"] * len(SCENARIOS)
    wsw[base] = _count(total(c.operating_subsidy)[base] / wsw_cost)
    extra_jobs = (regular - regular[base]) * hours / BANENAFSPRAAK_HOURS
    rows = [
        "| figure | " + " | ".join(names[s] for s in SCENARIOS) + " | anchor |",
        "|---|" + "---|" * (len(SCENARIOS) + 1),
        "| target group | "
        + " | ".join(_count(v) for v in total(c.target_group))
        + " | ~400,000 with a distance + ~90,000 Wsw, ~2016 (Cedris, C2) |",
        "| Wsw employees at work (baseline: Wsw subsidy / cost per employee) | "
        + " | ".join(wsw)
        + f" | {ANCHORS['wsw']} |",
        "| people at work | "
        + " | ".join(_count(v) for v in placed)
        + f" | {ANCHORS['at_work']} |",
        "| at regular employers (level) | "
        + " | ".join(_count(v) for v in regular)
        + f" | {ANCHORS['regular']} |",
        "| extra at regular employers vs the baseline, 25.5-hour jobs | "
        + " | ".join(_count(v) for v in extra_jobs)
        + f" | {ANCHORS['extra_jobs']} |",
        "| people in sheltered work | "
        + " | ".join(_count(v) for v in placed - regular)
        + f" | {ANCHORS['beschut']} |",
    ]
    money = [
        "| net cost per year | " + " | ".join(names[s] for s in SCENARIOS) + " |",
        "|---|" + "---|" * len(SCENARIOS),
    ]
    for label, key in (
        ("gemeente", "net_cost"),
        ("Rijk", "net_cost_rijk"),
        ("UWV", "net_cost_uwv"),
        ("together", "net_cost_total"),
    ):
        money.append(f"| {label} | " + " | ".join(_euros(v) for v in total(ind[key])) + " |")
    return [*rows, "", *money]


def spread_table() -> list[str]:
    """Return the spread of participation across the municipalities per scenario."""
    model = run(scenarios=list(SCENARIOS), years=[YEAR], indeling=2015)
    part = model.indicators()["participation_rate"][0, 0]  # (R, K)
    rows = ["| scenario | P5 | median | P95 | coefficient of variation |", "|---|---|---|---|---|"]
    names = {s.id: s.name for s in load_definitions().scenarios}
    for k, sid in enumerate(model.scenarios):
        p = part[:, k][np.isfinite(part[:, k])]
        p5, med, p95 = np.percentile(p, [5, 50, 95])
        rows.append(
            f"| {names[sid]} | {p5:.1f} % | {med:.1f} % | {p95:.1f} % | {p.std() / p.mean():.2f} |"
        )
    return rows


def participating_table() -> list[str]:
    """Return people placed and net cost per payer for the participating municipalities."""
    regions = [*group_members("participating"), "isd_midden_langstraat"]
    model = run(regions, scenarios=list(SCENARIOS), years=[YEAR], indeling=2015)
    ind = model.indicators()
    names = {s.id: s.name for s in load_definitions().scenarios}
    rows = [
        "| region | scenario | placed | net cost gemeente | Rijk | UWV | together |",
        "|---|---|---|---|---|---|---|",
    ]
    for r, code in enumerate(model.regions):
        name = region_name(code) if code.startswith("GM") else "ISD Midden-Langstraat"
        for k, sid in enumerate(model.scenarios):
            cells = [
                _count(ind["placed"][0, 0, r, k].sum()),
                *(
                    f"{ind[key][0, 0, r, k] / 1e6:,.2f} m"
                    for key in ("net_cost", "net_cost_rijk", "net_cost_uwv", "net_cost_total")
                ),
            ]
            rows.append(f"| {name if k == 0 else ''} | {names[sid]} | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    """Print the tables."""
    series = load_assumptions()["bijstand_norm_month"]
    print(f"Model version {MODEL_VERSION}, horizon {YEAR}, default assumptions.")
    print(
        "Bijstandsnorm (EUR/month) 2019-2023: "
        + ", ".join(f"{y}: {series.series_value(y):,.2f}" for y in range(2019, 2024))
    )
    for title, lines in (
        ("National sums (all 393 municipalities)", national_table()),
        ("Participation across municipalities", spread_table()),
        ("Participating municipalities", participating_table()),
    ):
        print(f"\n### {title}\n")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
