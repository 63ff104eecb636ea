"""The wind-tunnel section of the report: policy options tested in every scenario, in Dutch.

:func:`windtunnel_table` runs the wind tunnel of :mod:`socecon.analysis.windtunnel` for one region
with the report's overrides held fixed; :func:`summary_nl` writes its verdict as a few Dutch
sentences (also printed by ``socecon windtunnel`` and shown in the workbench), and
:func:`windtunnel_summary` turns both into the report's HTML section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from socecon.analysis.criteria import CLASSES, DEFAULT_CONFIDENCE, OBJECTIVES, Goal
from socecon.analysis.windtunnel import WindTunnelResult, matrix
from socecon.definitions import DEFAULT_HORIZON
from socecon.definitions.units import unit
from socecon.exceptions import WindTunnelError
from socecon.present.formats import format_number, format_plain
from socecon.report.tables import as_html, esc, html_table


def describe_goal(goal: Goal | None) -> str:
    """Return a wind-tunnel goal in Dutch.

    Parameters
    ----------
    goal : Goal or None
        The goal; None or an empty goal reads as "geen doel gesteld".

    Returns
    -------
    str
        E.g. ``deelname ≥ 25,0 % en netto kosten ≤ € 15.000 per geplaatste``.
    """
    parts = []
    if goal is not None and goal.participation_min is not None:
        parts.append(f"deelname ≥ {format_number(goal.participation_min, 1)} %")
    if goal is not None and goal.net_cost_per_placed_max is not None:
        parts.append(
            f"netto kosten ≤ € {format_number(goal.net_cost_per_placed_max)} per geplaatste"
        )
    if goal is not None and goal.net_cost_max is not None:
        parts.append(f"netto kosten ≤ € {format_number(goal.net_cost_max)} per jaar")
    return " en ".join(parts) if parts else "geen doel gesteld"


def windtunnel_table(
    region: str,
    goal: Mapping[str, float],
    *,
    horizon: int = DEFAULT_HORIZON,
    overrides: Mapping[str, Any] | None = None,
    n_samples: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Run the wind tunnel for one region, with the report's overrides held fixed.

    Scalar overrides pin the assumption in every uncertainty sample (its range becomes a point);
    other overrides (distributions) cannot be sampled around and are refused.

    Parameters
    ----------
    region : str
        Region id.
    goal : mapping
        Keyword arguments of :class:`socecon.analysis.windtunnel.Goal` (e.g. ``participation_min``).
    horizon : int
    overrides : mapping, optional
    n_samples, seed : int
        Uncertainty samples and their seed (fixed: the same report twice gives the same table).

    Returns
    -------
    pandas.DataFrame
        The option x scenario matrix of :func:`socecon.analysis.windtunnel.matrix`.
    """
    return matrix(
        region, goal, n_samples=n_samples, seed=seed, horizon=horizon, overrides=overrides
    )


def windtunnel_summary(table: pd.DataFrame) -> Any:
    """Return the wind tunnel's verdict for a region as Dutch HTML: the classes and why.

    Parameters
    ----------
    table : pandas.DataFrame
        A matrix from :func:`windtunnel_table`.

    Returns
    -------
    IPython.display.HTML
        The Dutch summary paragraphs, then one row per option with its class, the scenarios where
        it breaks and its largest regret.
    """
    paragraphs = "".join(f"<p>{esc(line)}</p>" for line in summary_nl(table).splitlines() if line)
    rank = {c: i for i, c in enumerate(CLASSES)}  # robust first, dominated last
    options = (
        table.drop_duplicates("option")
        .assign(rank=lambda d: d["class"].map(rank))
        .sort_values(["rank", "option_name"], kind="stable")
    )
    rows = [
        (
            r.option_name,
            r.class_name,
            r.breaks_in or "–",
            format_plain(round(float(r.max_regret), 1)) + " procentpunt",
        )
        for r in options.itertuples()
    ]
    explanation = (
        "<p><strong>Zo lezen.</strong> Elke beleidsoptie is een bundel maatregelen uit de studie. "
        "De windtunnel rekent elke optie door in elk scenario, telkens voor "
        f"{int(table.attrs.get('n_samples', 0))} combinaties van de onzekere aannames. "
        "Een optie <em>houdt stand</em> in een scenario als ze daar het doel haalt en hoogstens "
        f"{format_plain(table.attrs.get('regret_tolerance') or 0)} procentpunt deelname "
        "achterblijft bij de beste optie (geen spijt). "
        "<em>Robuust</em>: houdt in elk scenario stand en wordt niet gedomineerd. "
        "<em>Scenarioafhankelijk</em>: houdt alleen in sommige scenario's stand. "
        "<em>Kwetsbaar</em>: houdt in geen enkel scenario stand. <em>Gedomineerd</em>: een "
        "andere optie plaatst in elke wereld minstens evenveel mensen tegen hoogstens dezelfde "
        "kosten. <em>Spijt</em>: hoeveel procentpunt deelname een optie achterblijft bij de beste "
        "optie in hetzelfde scenario.</p>"
    )
    table_html = html_table(
        ["Beleidsoptie", "Oordeel", "Breekt in", "Grootste spijt"],
        rows,
        caption=f"Doel: {describe_goal(table.attrs.get('goal'))}",
        numeric=[False, False, False, True],
    )
    return as_html(paragraphs + explanation + table_html)


def summary_nl(result: WindTunnelResult | pd.DataFrame) -> str:
    """Return a few Dutch sentences: which options are robust for this region, and why.

    Parameters
    ----------
    result : WindTunnelResult or pandas.DataFrame
        A result of :func:`evaluate`, or the table of :func:`matrix`.

    Returns
    -------
    str
    """
    table = result.table() if isinstance(result, WindTunnelResult) else result
    need = {"option_name", "scenario_name", "class", "breaks_in", "dominated_by", "max_regret"}
    if not need <= set(table.columns) or table.empty:
        raise WindTunnelError("summary_nl needs a wind-tunnel result or the table of matrix()")
    per_option = table.groupby("option", sort=False).first()
    n_scen = table["scenario"].nunique()
    region = f"{table['region_name'].iloc[0]} ({table['region'].iloc[0]})"
    goal = describe_goal(table.attrs["goal"]) if "goal" in table.attrs else "het gestelde doel"
    conf = table.attrs.get("confidence", DEFAULT_CONFIDENCE)
    unit_label = unit(OBJECTIVES[table.attrs.get("objective", "participation_rate")][1]).label
    by_class = {c: per_option[per_option["class"] == c] for c in CLASSES}
    tolerance = table.attrs.get("regret_tolerance")
    lines = [
        f"Windtunnel voor {region}: {len(per_option)} beleidsopties getoetst in {n_scen} "
        f"scenario's, doel: {goal} (gehaald als dat in minstens {format_number(conf * 100)} % "
        f"van de {table.attrs.get('n_samples', '')} doorrekeningen lukt)."
        + (
            f" Een optie houdt stand in een scenario als ze het doel haalt en daar hoogstens "
            f"{format_number(tolerance, 1)} {unit_label} achterblijft bij de beste optie "
            "(geen spijt)."
            if tolerance is not None
            else ""
        )
    ]
    robust = by_class["robust"].sort_values("max_regret")
    if len(robust):
        names = ", ".join(f"'{n}'" for n in robust["option_name"])
        lines.append(
            f"Robuust ({len(robust)}): {names}. "
            + (
                "Deze optie houdt in elk scenario stand en geen andere optie plaatst in elke "
                "wereld meer mensen tegen lagere kosten."
                if len(robust) == 1
                else "Deze opties houden in elk scenario stand en geen andere optie plaatst in "
                "elke wereld meer mensen tegen lagere kosten."
            )
        )
        best = robust.iloc[0]
        worst_scen = (
            table[(table["option"] == robust.index[0])].sort_values("regret_median").iloc[-1]
        )
        lines.append(
            f"De veiligste keuze is '{best['option_name']}': de grootste spijt is "
            f"{format_number(best['max_regret'], 1)} {unit_label} ten opzichte van de beste optie "
            f"(in {worst_scen['scenario_name']})."
        )
    else:
        closest = per_option[per_option["class"] != "dominated"].sort_values(
            "goal_share_all", ascending=False
        )
        text = "Geen enkele optie houdt in elk scenario stand."
        if len(closest):
            c = closest.iloc[0]
            text += (
                f" Het dichtst bij komt '{c['option_name']}' (doel gehaald in "
                f"{format_number(c['goal_share_all'] * 100)} % van alle doorrekeningen; breekt in "
                f"{c['breaks_in']})."
            )
        lines.append(text)
    dep = by_class["scenario_dependent"]
    if len(dep):
        parts = [
            f"'{n}' (breekt in {b})"
            for n, b in zip(dep["option_name"], dep["breaks_in"], strict=True)
        ]
        lines.append(f"Scenarioafhankelijk: {'; '.join(parts)}.")
    fragile = by_class["fragile"]
    if len(fragile):
        names = ", ".join(f"'{n}'" for n in fragile["option_name"])
        lines.append(f"Kwetsbaar, houdt in geen enkel scenario stand: {names}.")
    dominated = by_class["dominated"]
    if len(dominated):
        parts = [
            f"'{n}' (door '{b}')"
            for n, b in zip(dominated["option_name"], dominated["dominated_by"], strict=True)
        ]
        lines.append(
            "Gedomineerd, want een andere optie plaatst in elke wereld minstens evenveel mensen "
            f"tegen hoogstens dezelfde kosten: {'; '.join(parts)}."
        )
    return "\n".join(lines)
