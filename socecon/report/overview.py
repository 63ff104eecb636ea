"""All municipalities at once: tables, comparable municipalities, and the hindcast of 2020.

The building blocks of ``notebooks/overview.ipynb``: the model for every municipality at the
horizon, a Dutch table per indicator and scenario, the participating municipalities against the
municipalities most like them (the reports' declared rule), and what actually happened by 2020
(declared in ``definitions/hindcast.yaml``, from the domain research) held against the model's
national result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from socecon.analysis.peers import peer_codes
from socecon.data.snapshot import snapshot_wide
from socecon.definitions import BASE_YEAR, DEFAULT_HORIZON, MUNICIPALITY_CODE, NATIONAL_CODE
from socecon.definitions.hindcast import load_hindcast
from socecon.model import results
from socecon.model.core import run_model
from socecon.present import figures
from socecon.present.formats import format_number
from socecon.regions import participating_codes, region_name
from socecon.report.tables import as_html, esc

MATCH_LABELS = {
    "closest": "Kwam het dichtst bij",
    "partial": "Deels uitgekomen",
    "least": "Het minst uitgekomen",
}


def all_municipalities(
    horizon: int = DEFAULT_HORIZON,
    overrides: Mapping[str, Any] | None = None,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Run the model for every municipality and for the Netherlands, at the horizon only.

    Parameters
    ----------
    horizon : int
    overrides : mapping, optional
        Assumption overrides.
    indeling : int or str, optional
        The municipal boundaries: 2025 (342 municipalities, the default) or 2015 (393).

    Returns
    -------
    pandas.DataFrame
        The long table; regions are the municipalities of the indeling and ``NL01``.
    """
    run = {"horizon": horizon, "years": [horizon], "overrides": overrides, "indeling": indeling}
    municipalities = run_model(None, **run)
    national = run_model([NATIONAL_CODE], **run)
    return pd.concat([municipalities, national], ignore_index=True)


def indicator_table(frame: pd.DataFrame, variable: str, regions: Sequence[str] | None = None):
    """Return one indicator per region (rows) and scenario (columns), in Dutch notation.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table from :func:`all_municipalities`.
    variable : str
        Indicator id.
    regions : sequence of str, optional
        Rows to show, in this order; every region of ``frame`` (Nederland first) by default.

    Returns
    -------
    pandas.DataFrame
        Indexed by the Dutch region name; values as Dutch number strings.
    """
    table = results.wide(frame, variable=variable, index="region", columns="scenario", dropna=False)
    names = {s: figures.scenario_label(s) for s in table.columns}
    order = [s for s in figures.scenario_order() if s in names.values()]
    if regions is None:
        regions = [NATIONAL_CODE, *sorted(r for r in table.index if r != NATIONAL_CODE)]
    table = table.reindex(list(regions)).rename(columns=names)[order]
    table.index = [region_name(r) for r in table.index]
    table.index.name = f"{figures.indicator_label(variable, with_unit=True)}"
    decimals = figures.indicator_unit(variable).decimals
    return table.map(lambda v: format_number(v, decimals))


def spread_chart(frame: pd.DataFrame, variable: str) -> alt.Chart:
    """Show how an indicator spreads over the municipalities in each scenario (box plots).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table from :func:`all_municipalities`.
    variable : str
        Indicator id.

    Returns
    -------
    altair.Chart
    """
    data = frame[(frame["variable"] == variable) & (frame["region"] != NATIONAL_CODE)]
    data = data.astype({"scenario": str})[["scenario", "value"]].dropna()
    data["scenario_name"] = data["scenario"].map(figures.scenario_label)
    return (
        alt.Chart(data)
        .mark_boxplot(extent="min-max", size=28)
        .encode(
            x=alt.X("scenario_name:N", title=None, sort=figures.scenario_order()),
            y=figures.value_axis(variable),
            color=alt.Color(
                "scenario_name:N",
                legend=None,
                scale=figures.color_scale(),  # the scenario colours of every other chart
            ),
        )
        .properties(
            width=420,
            height=260,
            title=f"{figures.indicator_label(variable)}: spreiding over alle gemeenten",
            description=f"Doosdiagram per scenario: hoe {figures.indicator_label(variable, True)}"
            " over alle gemeenten verdeeld is (laagste, kwartielen, mediaan, hoogste).",
        )
    )


def peers(
    frame: pd.DataFrame,
    variable: str,
    scenario: str,
    municipalities: Sequence[str] | None = None,
    n: int | None = None,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Compare each participating municipality with its comparable municipalities.

    The peers are chosen by the one declared rule of the reports
    (:func:`socecon.analysis.peers.peer_codes`, ``definitions/peers.yaml``: size, bijstand
    density and jobs per inhabitant of working age).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table from :func:`all_municipalities`.
    variable, scenario : str
        Indicator and scenario ids.
    municipalities : sequence of str, optional
        Codes; the participating municipalities by default.
    n : int, optional
        Number of peers; the declared ``count`` by default.
    indeling : int or str, optional
        The municipal boundaries of ``frame`` (2025 by default, or 2015).

    Returns
    -------
    pandas.DataFrame
        One row per peer and per municipality itself: ``gemeente, code, vergelijkbaar_met,
        inwoners, waarde, is_zelf``.
    """
    codes = list(municipalities or participating_codes())
    population = snapshot_wide(BASE_YEAR, ["population"], indeling=indeling)["population"]
    population = population[population.index.str.fullmatch(MUNICIPALITY_CODE)].dropna()
    values = frame[(frame["variable"] == variable) & (frame["scenario"] == scenario)]
    values = values.set_index(values["region"].astype(str))["value"]
    out = []
    for code in codes:
        for member in [code, *peer_codes(code, n, indeling)]:
            out.append(
                {
                    "gemeente": region_name(member, indeling),
                    "code": member,
                    "vergelijkbaar_met": region_name(code, indeling),
                    "inwoners": float(population[member]),
                    "waarde": float(values.get(member, float("nan"))),
                    "is_zelf": member == code,
                }
            )
    return pd.DataFrame(out)


def peer_summary(table: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Summarise :func:`peers`: each municipality's value against its peers' median and range.

    Returns
    -------
    pandas.DataFrame
        Dutch number strings, indexed by municipality.
    """
    decimals = figures.indicator_unit(variable).decimals
    rows = []
    for name, group in table.groupby("vergelijkbaar_met", sort=False):
        own = group[group["is_zelf"]]["waarde"].iloc[0]
        others = group[~group["is_zelf"]]["waarde"].dropna()
        rank = int((others > own).sum()) + 1
        rows.append(
            {
                "gemeente": name,
                "inwoners": format_number(group[group["is_zelf"]]["inwoners"].iloc[0]),
                "waarde": format_number(own, decimals),
                "mediaan vergelijkbare gemeenten": format_number(others.median(), decimals),
                "laagste - hoogste": (
                    f"{format_number(others.min(), decimals)} - "
                    f"{format_number(others.max(), decimals)}"
                ),
                "plaats": f"{rank} van {len(others) + 1}",
            }
        )
    return pd.DataFrame(rows).set_index("gemeente")


def peer_chart(table: pd.DataFrame, variable: str, scenario: str) -> alt.LayerChart:
    """Dots: each participating municipality (coloured) among its comparable ones (grey).

    Returns
    -------
    altair.LayerChart
    """
    base = alt.Chart(table).encode(
        y=alt.Y(
            "vergelijkbaar_met:N", title=None, sort=list(dict.fromkeys(table["vergelijkbaar_met"]))
        ),
        x=figures.value_axis(variable, "waarde", alt.X),
        tooltip=[
            alt.Tooltip("gemeente:N", title="Gemeente"),
            alt.Tooltip("inwoners:Q", title="Inwoners (2015)", format=",.0f"),
            alt.Tooltip("waarde:Q", title=figures.indicator_label(variable), format=",.1f"),
        ],
    )
    others = base.transform_filter("!datum.is_zelf").mark_circle(
        size=60, color=figures.CHART_COLORS["other"]
    )
    own = base.transform_filter("datum.is_zelf").mark_point(
        shape="diamond",
        filled=True,
        size=160,
        color=figures.SCENARIO_COLORS.get(scenario, figures.CHART_COLORS["other"]),
    )
    name = figures.scenario_label(scenario)
    return alt.layer(others, own).properties(
        width=480,
        height=28 * table["vergelijkbaar_met"].nunique(),
        title={
            "text": f"Deelnemende gemeenten tussen vergelijkbare gemeenten ({name})",
            "subtitle": "Grijs: de vergelijkbare gemeenten (inwoners, bijstand en banen in 2015)",
        },
        description=f"Per deelnemende gemeente een ruit voor haar eigen waarde in {name} en "
        "grijze punten voor de vergelijkbare gemeenten, op dezelfde schaal.",
    )


# --------------------------------------------------------------------------- hindcast


def hindcast_verdict() -> Any:
    """Return the hindcast's verdict (which scenario came closest) as an escaped paragraph.

    Returns
    -------
    IPython.display.HTML
    """
    return as_html(f"<p>{esc(load_hindcast().verdict)}</p>")


def hindcast_caveat() -> Any:
    """Return the hindcast's caveat as an escaped paragraph.

    Returns
    -------
    IPython.display.HTML
    """
    return as_html(f"<p><em>Kanttekening:</em> {esc(load_hindcast().caveat)}</p>")


def hindcast_table() -> pd.DataFrame:
    """Return the hindcast per scenario: the claim for 2020, what happened, and the sources.

    Returns
    -------
    pandas.DataFrame
        Indexed by the Dutch scenario name, closest first.
    """
    rows = []
    for item in load_hindcast().scenarios:
        rows.append(
            {
                "scenario": figures.scenario_label(item.id),
                "oordeel": MATCH_LABELS[item.match],
                "scenario voor 2020": item.claim,
                "wat er gebeurde": " ".join(e.text for e in item.evidence),
                "bronnen": "; ".join(f"{e.source} ({e.reliability})" for e in item.evidence),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def hindcast_anchors(frame: pd.DataFrame) -> pd.DataFrame:
    """Hold the model's national results against observed national figures.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table that includes ``NL01`` (from :func:`all_municipalities`).

    Returns
    -------
    pandas.DataFrame
        ``waargenomen, jaar, model, scenario, verhouding, bron`` in Dutch notation.
    """
    national = frame[frame["region"] == NATIONAL_CODE]
    rows = []
    for a in load_hindcast().anchors:
        hit = national[(national["variable"] == a.variable) & (national["scenario"] == a.scenario)]
        model = float(hit["value"].iloc[0]) if len(hit) else float("nan")
        rows.append(
            {
                "grootheid": a.label,
                "waargenomen": format_number(a.value),
                "jaar": str(a.year),
                "model": format_number(model),
                "scenario": figures.scenario_label(a.scenario),
                "model / waargenomen": format_number(model / a.value, 2),
                "bron": f"{a.source} ({a.reliability})",
            }
        )
    return pd.DataFrame(rows).set_index("grootheid")
