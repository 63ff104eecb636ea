"""Chart builders for model results, shared by the reports and the analyst workbench.

Every builder takes the long table of :func:`socecon.model.run_model` (scenario, region, variable,
unit, year, value; per-band variables named ``placed|20-30``) and returns an altair chart with
Dutch titles, labels and tooltips. Number formats are locale-aware (``,.0f``): the reports render
them with the nl-NL locale (1.234,5); see :mod:`socecon.present.embed` for displaying a chart.

The slider chart lives in :mod:`socecon.present.slider_chart`, the wind-tunnel chart in
:mod:`socecon.present.windtunnel_chart`; all use the colours, labels and formats of
:mod:`socecon.present.chart_style` (re-exported here). A report chart carries a second, narrow
layout for phones (:func:`socecon.present.embed.with_narrow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from socecon.definitions import load_definitions
from socecon.definitions.assumptions import BAND_LABELS, BAND_MIDPOINTS
from socecon.exceptions import ModelError
from socecon.present.chart_style import (
    CHART_COLORS,
    HEIGHT,
    SCENARIO_COLORS,
    SCENARIO_SHAPES,
    STATUS_LEFT_OUT,
    STATUS_PLACED,
    WIDTH,
    color_scale,
    indicator_label,
    indicator_labels,
    indicator_unit,
    region_names,
    scenario_color,
    scenario_label,
    scenario_order,
    scenario_shape,
    select_results,
    value_axis,
    value_format,
    value_tooltip,
)
from socecon.present.embed import with_narrow
from socecon.present.formats import and_list

#: The shared look is defined in :mod:`socecon.present.chart_style` and re-exported here.
__all__ = [
    "CHART_COLORS",
    "HEIGHT",
    "SCENARIO_COLORS",
    "SCENARIO_SHAPES",
    "STATUS_LEFT_OUT",
    "STATUS_PLACED",
    "WIDTH",
    "axes_chart",
    "band_chart",
    "color_scale",
    "difference_chart",
    "indicator_chart",
    "indicator_label",
    "indicator_unit",
    "path_chart",
    "ranking_chart",
    "region_names",
    "scenario_color",
    "scenario_label",
    "scenario_order",
    "scenario_shape",
    "value_axis",
    "value_format",
    "value_tooltip",
]


def axes_chart() -> alt.LayerChart:
    """Show the four scenarios on the study's two axes (a 2 x 2 grid).

    Returns
    -------
    altair.LayerChart
        Columns: firms' personnel policy (segmentatie, versmelting); rows: the municipality's
        role (regisseur op afstand, ondernemer). Tooltips show the tagline, employer and window.
    """
    defs = load_definitions()
    role, firms = defs.axis("municipality_role"), defs.axis("firm_policy")
    rows = []
    for s in defs.future_scenarios:
        rows.append(
            {
                "scenario_name": s.name,
                "rol": role.pole(s.axes[role.id]).label,
                "bedrijven": firms.pole(s.axes[firms.id]).label,
                "tagline": s.tagline,
                "werkgever": s.employer_type,
                "venster": f"productiviteit {s.productivity.low:g}-{s.productivity.high:g} %",
            }
        )
    data = pd.DataFrame(rows)
    x = alt.X(
        "bedrijven:N",
        title=firms.name,
        sort=[p.label for p in firms.poles],
        axis=alt.Axis(orient="top", labelAngle=0),
    )
    about = {
        "title": "De vier scenario's op de twee kernonzekerheden",
        "description": (
            f"Vier vakken, één per scenario: in de rijen {role.name.lower()}, in de kolommen "
            f"{firms.name.lower()}; elk vak noemt het scenario en zijn productiviteitsvenster."
        ),
    }

    def layout(name_size: int, size: int, label_limit: int) -> alt.LayerChart:
        # the column's width ("container"); on a phone the names wrap at their spaces
        wrap = {} if label_limit > 150 else {"lineBreak": " "}
        y = alt.Y(
            "rol:N",
            title=role.name,
            sort=[p.label for p in role.poles],
            axis=alt.Axis(
                labelLimit=label_limit, **({"labelExpr": "split(datum.label, ' ')"} if wrap else {})
            ),
        )
        base = alt.Chart(data).encode(x=x, y=y)
        cells = base.mark_rect(opacity=0.85, stroke="white", strokeWidth=4).encode(
            color=alt.Color(
                "scenario_name:N", scale=color_scale(data["scenario_name"]), legend=None
            ),
            tooltip=[
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("tagline:N", title="In 2020"),
                alt.Tooltip("werkgever:N", title="Werkgever"),
                alt.Tooltip("venster:N", title="Doelgroep"),
            ],
        )
        names = base.mark_text(
            fontSize=name_size, fontWeight="bold", color="white", dy=-10 - 4 * bool(wrap), **wrap
        ).encode(text="scenario_name:N")
        windows = base.mark_text(fontSize=size, color="white", dy=12 + 8 * bool(wrap)).encode(
            text="venster:N"
        )
        return alt.layer(cells, names, windows).properties(width="container", height=260, **about)

    return with_narrow(layout(16, 12, 200), layout(13, 11, 90))


def _region_order(data: pd.DataFrame, regions: Sequence[str]) -> list[str]:
    """Region names in the order the caller chose them (facets sort alphabetically otherwise)."""
    names = dict(zip(data["region"], data["region_name"], strict=True))
    return [names[r] for r in regions if r in names]


def _faceted_bars(
    data: pd.DataFrame,
    variables: Sequence[str],
    regions: Sequence[str],
    value_title: str,
    value_format: str,
    title: str,
) -> alt.FacetChart:
    """Bars per scenario, one row of panels per indicator and one column per region.

    The rows and columns keep the caller's order of ``variables`` and ``regions``; the year of
    ``data`` is added to ``title``. For one region the indicators stand side by side, each
    titled above its panel, so that the chart uses a report's column; on a phone they are
    stacked (:func:`~socecon.present.embed.with_narrow`).
    """
    year = int(data["year"].iloc[0])
    # One faceted chart, not a layer: altair deep-copies layered sub-charts on every build,
    # which costs the workbench most of its latency.
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "scenario_name:N", title=None, sort=scenario_order(), axis=alt.Axis(labelAngle=-40)
            ),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "scenario_name:N",
                scale=color_scale(data["scenario_name"]),
                title="Scenario",
                # one region: the scenarios are named under the bars, a legend repeats them
                legend=None if len(regions) == 1 else alt.Legend(),
            ),
            tooltip=[
                alt.Tooltip("region_name:N", title="Regio"),
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("indicator:N", title="Indicator"),
                alt.Tooltip("value:Q", title=value_title, format=value_format),
            ],
        )
    )
    labels = list(indicator_labels(variables, regions).values())
    places = and_list(_region_order(data, regions))
    about = {
        "title": f"{title}, {year}" if len(regions) > 1 else f"{title}, {places}, {year}",
        "description": (
            f"Staafdiagram met per scenario {and_list([label.lower() for label in labels])} in "
            f"{year}, voor {places}; de scenario's staan onder de staven."
        ),
    }
    if len(regions) > 1:
        return (
            bars.properties(width=WIDTH, height=HEIGHT)
            .facet(
                row=alt.Row(
                    "indicator:N",
                    title=None,
                    sort=labels,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=260),
                ),
                column=alt.Column("region_name:N", title=None, sort=_region_order(data, regions)),
            )
            .resolve_scale(y="independent")
            .properties(**about)
        )

    def layout(columns: int, width: int) -> alt.FacetChart:
        header = alt.Header(labelFontSize=12, labelFontWeight="bold", labelLimit=width + 60)
        return (
            bars.properties(width=width, height=HEIGHT)
            .facet(
                facet=alt.Facet("indicator:N", title=None, sort=labels, header=header),
                columns=columns,
            )
            .resolve_scale(y="independent")
            .resolve_axis(x="independent")
            .properties(**about)
        )

    return with_narrow(layout(len(variables), 900 // len(variables) - 90), layout(1, 270))


def indicator_chart(
    frame: pd.DataFrame,
    regions: Sequence[str],
    variables: Sequence[str],
    year: int | None = None,
) -> alt.FacetChart:
    """Bars per scenario for each indicator (rows) and region (columns).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table from :func:`socecon.model.run_model`.
    regions : sequence of str
        Region ids to show side by side.
    variables : sequence of str
        Indicator ids (one row of panels each, with its own scale).
    year : int, optional
        The year shown; the last year of ``frame`` by default.

    Returns
    -------
    altair.FacetChart
    """
    data = select_results(frame, regions, variables, year)
    return _faceted_bars(
        data, variables, regions, "Waarde", ",.1f", title="Indicatoren per scenario"
    )


def band_chart(
    frame: pd.DataFrame,
    region: str,
    year: int | None = None,
    scenarios: Sequence[str] | None = None,
) -> alt.FacetChart:
    """Chart the target group per loonwaarde band: placed and left out, per scenario and window.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table from :func:`socecon.model.run_model`.
    region : str
        The region shown.
    year : int, optional
        The year shown; the last year of ``frame`` by default.
    scenarios : sequence of str, optional
        Scenario ids; all in ``frame`` by default.

    Returns
    -------
    altair.FacetChart
        One panel per scenario; shaded columns mark the scenario's productivity window.
    """
    variables = [f"{v}|{b}" for v in ("placed", "left_out") for b in BAND_LABELS]
    data = select_results(frame, [region], variables, year, scenarios)
    data["band"] = data["variable"].str.partition("|")[2] + " %"
    data["status"] = np.where(
        data["variable"].str.startswith("placed"), STATUS_PLACED, STATUS_LEFT_OUT
    )
    defs = load_definitions()
    windows = []
    for scenario_id in data["scenario"].unique():
        s = defs.scenario(scenario_id)
        for band, mid in zip(BAND_LABELS, BAND_MIDPOINTS, strict=True):
            if s.productivity is not None and s.productivity.contains(mid):
                windows.append(
                    {
                        "scenario_name": s.name,
                        "band": f"{band} %",
                        "status": "Venster",
                        "value": np.nan,
                    }
                )
    data = pd.concat([data, pd.DataFrame(windows)], ignore_index=True)
    band_order = [f"{b} %" for b in BAND_LABELS]
    x = alt.X("band:N", title="Loonwaarde", sort=band_order)
    shade = (
        alt.Chart()
        .transform_filter(alt.datum.status == "Venster")
        .mark_rect(color=CHART_COLORS["window"], opacity=0.35)
        .encode(x=x)
    )
    bars = (
        alt.Chart()
        .transform_filter(alt.datum.status != "Venster")
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("value:Q", title="Personen", stack="zero", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "status:N",
                title="Doelgroep",
                scale=alt.Scale(
                    domain=[STATUS_PLACED, STATUS_LEFT_OUT],
                    range=[CHART_COLORS["placed"], CHART_COLORS["left_out"]],
                ),
            ),
            order=alt.Order("status:N", sort="descending"),
            tooltip=[
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("band:N", title="Loonwaarde"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("value:Q", title="Personen", format=",.0f"),
            ],
        )
    )
    name = region_names([region])[region]

    def layout(columns: int, width: int, height: int, angle: int) -> alt.FacetChart:
        # one panel per scenario and no empty slot: all panels in one row, or one column
        return (
            alt.layer(shade, bars, data=data)
            .properties(width=width, height=height)
            .facet(
                facet=alt.Facet("scenario_name:N", title=None, sort=scenario_order()),
                columns=columns,
            )
            .configure_legend(orient="top", direction="horizontal", titleOrient="left")
            .configure_axisX(labelAngle=angle)
            .properties(
                title={
                    "text": f"Wie wordt bediend, wie valt buiten de boot? {name}",
                    "subtitle": "Geel: het productiviteitsvenster van het scenario",
                },
                description=(
                    "Staafdiagram per scenario: per loonwaardeklasse hoeveel mensen van de "
                    f"doelgroep in {name} een plek vinden (onderste deel van de staaf) en hoeveel "
                    "buiten de boot vallen; een gele achtergrond markeert het "
                    "productiviteitsvenster van het scenario."
                ),
            )
        )

    panels = data["scenario_name"].nunique()
    return with_narrow(layout(panels, 148, HEIGHT, -60), layout(1, 290, 120, -45))


def path_chart(frame: pd.DataFrame, region: str, variable: str) -> alt.Chart:
    """Lines per scenario from the base year to the horizon.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table from :func:`socecon.model.run_model`.
    region : str
    variable : str
        An indicator id.

    Returns
    -------
    altair.Chart
    """
    mask = (frame["region"] == region) & (frame["variable"] == variable)
    years = sorted(frame.loc[mask, "year"].unique())
    data = pd.concat([select_results(frame, [region], [variable], y) for y in years])
    name = region_names([region])[region]
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Jaar", axis=alt.Axis(labelAngle=0)),
            y=value_axis(variable),
            color=scenario_color(data["scenario_name"]),
            shape=scenario_shape(data["scenario_name"]),
            tooltip=[
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("year:O", title="Jaar"),
                value_tooltip(variable),
            ],
        )
        .properties(
            width="container",
            height=240,
            title=f"{indicator_label(variable)}: van {years[0]} naar {years[-1]}, {name}",
            description=(
                f"Lijndiagram met per scenario {indicator_label(variable, True).lower()} in "
                f"{name}, per jaar van {years[0]} tot {years[-1]}; elk scenario heeft een eigen "
                "kleur en een eigen vorm van de punten."
            ),
        )
    )
    # on a phone the legend goes under the lines, which then get the whole width
    return with_narrow(chart, chart.configure_legend(orient="bottom", columns=2))


def difference_chart(
    frame: pd.DataFrame,
    regions: Sequence[str],
    variables: Sequence[str],
    year: int | None = None,
) -> alt.FacetChart:
    """Each scenario minus the baseline, per indicator (rows) and region (columns).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table; must include the baseline.
    regions, variables : sequence of str
    year : int, optional

    Returns
    -------
    altair.FacetChart
    """
    data = select_results(frame, regions, variables, year)
    base = data[data["scenario"] == "baseline"].set_index(["region", "variable"])["value"]
    if base.empty:
        raise ModelError("the difference to the baseline needs the baseline in the results")
    data = data[data["scenario"] != "baseline"].copy()
    data["value"] = (
        data["value"].to_numpy()
        - base.reindex(pd.MultiIndex.from_frame(data[["region", "variable"]])).to_numpy()
    )
    return _faceted_bars(
        data, variables, regions, "Verschil met basisjaar", "+,.1f", "Verschil met het basisjaar"
    )


def ranking_chart(
    frame: pd.DataFrame,
    variable: str,
    scenario: str,
    year: int | None = None,
    highlight: Iterable[str] = (),
) -> alt.LayerChart:
    """All regions of ``frame`` ranked on one indicator, the chosen ones highlighted and named.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table, typically for every municipality.
    variable : str
        Indicator id.
    scenario : str
        Scenario id.
    year : int, optional
    highlight : iterable of str
        Region ids to colour and label.

    Returns
    -------
    altair.LayerChart
    """
    data = select_results(frame, None, [variable], year, [scenario]).dropna(subset=["value"])
    data = data.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
    data["rank"] = np.arange(1, len(data) + 1)
    chosen = set(highlight)
    data["gekozen"] = np.where(data["region"].isin(chosen), "gekozen", "overig")
    base = alt.Chart(data).encode(
        x=alt.X("rank:Q", title="Rang", scale=alt.Scale(domain=[0, len(data) + 1])),
        y=value_axis(variable),
        tooltip=[
            alt.Tooltip("rank:Q", title="Rang"),
            alt.Tooltip("region_name:N", title="Regio"),
            value_tooltip(variable),
        ],
    )
    bars = base.mark_bar(size=2).encode(
        color=alt.Color(
            "gekozen:N",
            legend=None,
            scale=alt.Scale(
                domain=["gekozen", "overig"],
                range=[
                    SCENARIO_COLORS.get(scenario, CHART_COLORS["other"]),
                    CHART_COLORS["left_out"],
                ],
            ),
        ),
    )
    labels = (
        base.transform_filter(alt.datum.gekozen == "gekozen")
        .mark_text(align="left", angle=300, dx=4, dy=-4, fontSize=11)
        .encode(text="region_name:N")
    )
    points = base.transform_filter(alt.datum.gekozen == "gekozen").mark_point(
        filled=True, size=50, color=SCENARIO_COLORS.get(scenario, CHART_COLORS["other"])
    )
    return alt.layer(bars, points, labels).properties(
        width=600,
        height=260,
        title=f"{indicator_label(variable)} in {scenario_label(scenario)}: alle gemeenten",
        description=f"Alle gemeenten op volgorde van {indicator_label(variable, True).lower()} "
        f"in {scenario_label(scenario)}; de gekozen gemeenten staan er met naam in.",
    )
