"""The charts only the analyst workbench shows: time path, uncertainty, drivers, trade-off, ranking.

Every builder takes a table the workbench already computed (the model's long table, the summary
and drivers of :mod:`socecon.analysis.uncertainty`, the wind-tunnel matrix of
:mod:`socecon.analysis.windtunnel`) and returns an altair chart with Dutch titles, labels and
tooltips, in the scenario colours and number formats of :mod:`socecon.present.figures`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from socecon.exceptions import ModelError
from socecon.present.figures import (
    HEIGHT,
    SCENARIO_COLORS,
    WIDTH,
    color_scale,
    indicator_label,
    region_names,
    scenario_label,
    scenario_order,
    value_axis,
    value_tooltip,
)

#: The altair data transformer of :func:`spec_dict` (plain records, no per-column sanitizing).
RECORDS_TRANSFORMER = "socecon_records"
#: Drivers shown per indicator and scenario in the uncertainty view.
DRIVERS_TOP = 5
_ROW_HEADER = alt.Header(labelAngle=0, labelAlign="left", labelLimit=260)


def _records(data: Any) -> dict[str, Any]:
    """Turn a chart's data frame into Vega-Lite values: plain records, missing values as null.

    altair's default transformer sanitizes every column of every frame (about 20 ms a chart);
    the frames of these charts hold only text and numbers, so records are enough.
    """
    if not isinstance(data, pd.DataFrame):
        return alt.data_transformers.get()(data) if callable(data) else data
    if data.isna().to_numpy().any():
        data = data.astype(object).where(data.notna(), None)
    return {"values": data.to_dict(orient="records")}


alt.data_transformers.register(RECORDS_TRANSFORMER, _records)


def spec_dict(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Return the Vega-Lite specification of a chart, its data as plain records (fast).

    Parameters
    ----------
    chart : altair chart
        A chart whose data frames hold text and numbers only (every chart of the workbench).

    Returns
    -------
    dict
        The same specification as ``chart.to_dict(validate=False)`` would give.
    """
    with alt.data_transformers.enable(RECORDS_TRANSFORMER):
        return chart.to_dict(validate=False)


def _named(data: pd.DataFrame) -> pd.DataFrame:
    """Add Dutch scenario, region and indicator names (plain string columns for altair)."""
    data = data.copy()
    data["scenario_name"] = data["scenario"].astype(str).map(scenario_label)
    data["region_name"] = data["region"].astype(str).map(region_names(data["region"].unique()))
    data["indicator"] = data["variable"].astype(str).map(lambda v: indicator_label(v, True))
    return data


def _facets(chart: alt.Chart, data: pd.DataFrame, variables: Sequence[str], column: str, order):
    """Facet a chart: one row per indicator (own scale), one column per ``column`` value."""
    return chart.facet(
        row=alt.Row(
            "indicator:N",
            title=None,
            sort=[indicator_label(v, True) for v in variables],
            header=_ROW_HEADER,
        ),
        column=alt.Column(f"{column}:N", title=None, sort=order),
    ).resolve_scale(y="independent")


def time_path_chart(
    frame: pd.DataFrame, regions: Sequence[str], variables: Sequence[str]
) -> alt.FacetChart:
    """Lines per scenario from the base year to the horizon, per indicator and region.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table of :func:`socecon.model.run_model` over the years.
    regions, variables : sequence of str
        Regions side by side (columns), indicators one row each.

    Returns
    -------
    altair.FacetChart
    """
    mask = frame["region"].isin(list(regions)) & frame["variable"].isin(list(variables))
    data = frame.loc[mask, ["scenario", "region", "variable", "year", "value"]]
    if data.empty:
        raise ModelError(f"no results to chart for {', '.join(variables)}")
    data = _named(data.astype({"year": int}))
    years = sorted(data["year"].unique())
    names = region_names(regions)
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Jaar", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "scenario_name:N", scale=color_scale(data["scenario_name"]), title="Scenario"
            ),
            tooltip=[
                alt.Tooltip("region_name:N", title="Regio"),
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("year:O", title="Jaar"),
                alt.Tooltip("indicator:N", title="Indicator"),
                alt.Tooltip("value:Q", title="Waarde", format=",.1f"),
            ],
        )
        .properties(width=WIDTH + 60, height=HEIGHT)
    )
    return _facets(chart, data, variables, "region_name", [names[r] for r in regions]).properties(
        title=f"Van {years[0]} naar {years[-1]}, per scenario"
    )


def uncertainty_chart(
    summary: pd.DataFrame, regions: Sequence[str], variables: Sequence[str]
) -> alt.FacetChart:
    """Show the median per scenario with its P10-P90 band, per indicator and region.

    Parameters
    ----------
    summary : pandas.DataFrame
        :meth:`socecon.analysis.uncertainty.UncertaintyResult.summary` (columns ``indicator,
        scenario, region, p10, median, p90``).
    regions, variables : sequence of str

    Returns
    -------
    altair.FacetChart
    """
    data = summary[summary["indicator"].isin(list(variables))].rename(
        columns={"indicator": "variable"}
    )
    data = _named(data[["scenario", "region", "variable", "p10", "median", "p90"]])
    data = data.dropna(subset=["median"])
    if data.empty:
        raise ModelError(f"no uncertainty results for {', '.join(variables)}")
    names = region_names(regions)
    base = alt.Chart(data).encode(
        x=alt.X(
            "scenario_name:N", title=None, sort=scenario_order(), axis=alt.Axis(labelAngle=-40)
        ),
        color=alt.Color(
            "scenario_name:N", scale=color_scale(data["scenario_name"]), title="Scenario"
        ),
        tooltip=[
            alt.Tooltip("region_name:N", title="Regio"),
            alt.Tooltip("scenario_name:N", title="Scenario"),
            alt.Tooltip("indicator:N", title="Indicator"),
            alt.Tooltip("p10:Q", title="Laag (P10)", format=",.1f"),
            alt.Tooltip("median:Q", title="Middelste uitkomst", format=",.1f"),
            alt.Tooltip("p90:Q", title="Hoog (P90)", format=",.1f"),
        ],
    )
    band = base.mark_rule(strokeWidth=3).encode(
        y=alt.Y("p10:Q", title=None, axis=alt.Axis(format=",.0f")), y2="p90:Q"
    )
    middle = base.mark_point(filled=True, size=60, color="black").encode(y="median:Q")
    chart = alt.layer(band, middle, data=data).properties(width=WIDTH, height=HEIGHT)
    return _facets(chart, data, variables, "region_name", [names[r] for r in regions]).properties(
        title="Middelste uitkomst en de marge waarin 8 van de 10 doorgerekende toekomsten vallen"
    )


def uncertainty_drivers_chart(drivers: pd.DataFrame, variables: Sequence[str]) -> alt.FacetChart:
    """Which assumptions drive each indicator in each scenario (rank regression, one region).

    Parameters
    ----------
    drivers : pandas.DataFrame
        :meth:`socecon.analysis.uncertainty.UncertaintyResult.drivers` rows (``indicator,
        scenario, region, label, srrc, rank``) for one region.
    variables : sequence of str

    Returns
    -------
    altair.FacetChart
        The :data:`DRIVERS_TOP` strongest drivers per indicator (rows) and scenario (columns);
        a bar to the right when a higher value of the assumption raises the indicator.
    """
    data = drivers[(drivers["rank"] <= DRIVERS_TOP) & drivers["indicator"].isin(list(variables))]
    data = _named(data.rename(columns={"indicator": "variable"}))
    if data.empty:
        raise ModelError("no drivers to chart")
    data["richting"] = np.where(data["srrc"] > 0, "hoger: meer", "hoger: minder")
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("srrc:Q", title="Invloed (−1 tot 1)", scale=alt.Scale(domain=[-1, 1])),
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=280)),
            color=alt.Color(
                "richting:N",
                title="Als de aanname hoger uitvalt",
                scale=alt.Scale(
                    domain=["hoger: meer", "hoger: minder"], range=["#0072B2", "#D55E00"]
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Aanname"),
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("srrc:Q", title="Invloed", format=",.2f"),
            ],
        )
        .properties(width=WIDTH, height=20 * DRIVERS_TOP)
    )
    order = [s for s in scenario_order() if s in set(data["scenario_name"])]
    name = str(data["region_name"].iloc[0])
    return _facets(chart, data, variables, "scenario_name", order).properties(
        title=f"Welke aannames de uitkomst het meest bepalen, {name}"
    )


def tradeoff_chart(table: pd.DataFrame) -> alt.Chart:
    """People placed against net cost, per scenario and policy option (wind-tunnel medians).

    Parameters
    ----------
    table : pandas.DataFrame
        One region's matrix of :func:`socecon.analysis.windtunnel.matrix` (``placed_median``,
        ``net_cost_median``, ``option_name``, ``scenario_name``).

    Returns
    -------
    altair.Chart
    """
    if table.empty:
        raise ModelError("the wind-tunnel matrix is empty")
    cols = ["option_name", "scenario_name", "placed_median", "net_cost_median", "status_name"]
    data = table[cols].astype({"option_name": str, "scenario_name": str, "status_name": str})
    name = str(table["region_name"].iloc[0])
    return (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "net_cost_median:Q", title="Netto kosten (€ per jaar)", axis=alt.Axis(format=",.0f")
            ),
            y=alt.Y("placed_median:Q", title="Geplaatste personen", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "scenario_name:N", scale=color_scale(data["scenario_name"]), title="Scenario"
            ),
            shape=alt.Shape(
                "option_name:N", title="Beleidsoptie", legend=alt.Legend(labelLimit=260)
            ),
            tooltip=[
                alt.Tooltip("option_name:N", title="Beleidsoptie"),
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("placed_median:Q", title="Geplaatst (middelste)", format=",.0f"),
                alt.Tooltip("net_cost_median:Q", title="Netto kosten (€)", format=",.0f"),
                alt.Tooltip("status_name:N", title="Oordeel"),
            ],
        )
        .properties(
            width=420,
            height=280,
            title=f"Afweging: geplaatste personen tegen netto kosten, {name}",
        )
    )


def ranking_chart(
    frame: pd.DataFrame, variable: str, scenario: str, year: int, highlight: Iterable[str] = ()
) -> alt.LayerChart:
    """All municipalities ranked on one indicator: the chosen ones labelled, the rest as context.

    The labels of the chosen municipalities stand on their own line each (stacked from the top of
    the chart, in order of rank, joined to their bar by a thin line), so that two municipalities
    with nearly the same rank do not print over each other.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table of every municipality.
    variable, scenario : str
    year : int
    highlight : iterable of str
        Municipality codes to colour and label.

    Returns
    -------
    altair.LayerChart
    """
    mask = (
        (frame["variable"] == variable)
        & (frame["scenario"] == scenario)
        & (frame["year"] == int(year))
    )
    data = frame.loc[mask, ["region", "value"]].dropna().astype({"region": str})
    if data.empty:
        raise ModelError(f"no results to rank for {variable} in {scenario}, {year}")
    data = data.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
    data["rank"] = np.arange(1, len(data) + 1)
    data["region_name"] = data["region"].map(region_names(data["region"]))
    data["gekozen"] = np.where(data["region"].isin(set(highlight)), "gekozen", "overig")
    chosen = data[data["gekozen"] == "gekozen"].copy()
    lo, hi = float(min(data["value"].min(), 0)), float(data["value"].max())
    step = min(0.08, 0.9 / max(len(chosen), 1)) * (hi - lo or 1)
    chosen["label_y"] = hi + (hi - lo) * 0.05 - step * np.arange(len(chosen))
    chosen["label"] = [
        f"{r}. {n}" for r, n in zip(chosen["rank"], chosen["region_name"], strict=True)
    ]
    colour = SCENARIO_COLORS.get(scenario, "#d62728")
    x = alt.X("rank:Q", title="Rang", scale=alt.Scale(domain=[0, len(data) + 1]))
    tooltip = [
        alt.Tooltip("rank:Q", title="Rang"),
        alt.Tooltip("region_name:N", title="Gemeente"),
        value_tooltip(variable),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(size=2)
        .encode(
            x=x,
            y=value_axis(variable),
            color=alt.Color(
                "gekozen:N",
                legend=None,
                scale=alt.Scale(domain=["gekozen", "overig"], range=[colour, "#d0d0d0"]),
            ),
            tooltip=tooltip,
        )
    )
    picked = alt.Chart(chosen)
    points = picked.mark_point(filled=True, size=50, color=colour).encode(
        x=x, y="value:Q", tooltip=tooltip
    )
    leaders = picked.mark_rule(color="#777", strokeDash=[2, 2]).encode(
        x=x, y="value:Q", y2="label_y:Q"
    )
    labels = picked.mark_text(align="left", dx=4, fontSize=11).encode(
        x=x, y="label_y:Q", text="label:N"
    )
    return alt.layer(bars, leaders, points, labels).properties(
        width=600,
        height=280,
        title=(
            f"{indicator_label(variable)} in {scenario_label(scenario)}, {int(year)}: "
            f"alle {len(data)} gemeenten"
        ),
    )
