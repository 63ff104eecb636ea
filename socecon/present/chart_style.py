"""The look shared by every chart: scenario colours and shapes, Dutch labels, units, formats.

:mod:`socecon.present.figures` (and through it the slider, wind-tunnel, workbench and overview
charts) builds on these; :mod:`socecon.present.figures` re-exports them, so
``figures.scenario_order`` and the other names keep working.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import altair as alt
import pandas as pd

from socecon.definitions import load_definitions
from socecon.definitions.conventions import load_conventions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.units import Unit, unit
from socecon.exceptions import ModelError
from socecon.present.formats import label_with_unit
from socecon.present.wording import council_label, is_group_code
from socecon.regions import region_name

#: The colours of every chart (Okabe-Ito, colour-blind safe): ``chart_colors`` of
#: ``conventions.yaml``, by scenario id and by role (``placed``, ``left_out``, ``window``,
#: ``other``).
CHART_COLORS = dict(load_conventions().chart_colors)
#: Colour of each scenario in every chart (the baseline in grey).
SCENARIO_COLORS = {s.id: CHART_COLORS[s.id] for s in load_definitions().scenarios}
#: Marker shapes of the scenarios in line charts, so that a line is told apart without colour.
SCENARIO_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
STATUS_PLACED = "Geplaatst"
STATUS_LEFT_OUT = "Buiten de boot"
WIDTH = 160
HEIGHT = 180


def scenario_label(scenario_id: str) -> str:
    """Return the Dutch name of a scenario."""
    return load_definitions().scenario(scenario_id).name


def scenario_order() -> list[str]:
    """Return the Dutch scenario names in declaration order (baseline first)."""
    return [s.name for s in load_definitions().scenarios]


def scenario_color(names: Iterable[str]) -> alt.Color:
    """Return the colour channel of a chart with one line or bar per scenario, and a legend.

    Parameters
    ----------
    names : iterable of str
        The scenario names (Dutch) in the chart's ``scenario_name`` column.

    Returns
    -------
    altair.Color
        The scenario colours of :func:`color_scale`, the legend in declaration order.
    """
    return alt.Color(
        "scenario_name:N", title="Scenario", scale=color_scale(names), sort=scenario_order()
    )


def scenario_shape(names: Iterable[str]) -> alt.Shape:
    """Return a line chart's point shapes per scenario (one legend with the colours).

    ``names`` are the Dutch scenario names of the chart's ``scenario_name`` column; the shapes
    follow the declaration order (:data:`SCENARIO_SHAPES`). Returns an ``altair.Shape``.
    """
    wanted = set(names)
    order = [n for n in scenario_order() if n in wanted]
    shapes = [SCENARIO_SHAPES[i % len(SCENARIO_SHAPES)] for i in range(len(order))]
    return alt.Shape(
        "scenario_name:N",
        title="Scenario",
        scale=alt.Scale(domain=order, range=shapes),
        sort=scenario_order(),
    )


def color_scale(names: Iterable[str] | None = None) -> alt.Scale:
    """Return the colour scale of the scenarios (Dutch names), the same in every chart.

    Parameters
    ----------
    names : iterable of str, optional
        The scenario names in the chart; every declared scenario by default.

    Returns
    -------
    altair.Scale
    """
    defs = load_definitions()
    pairs = [(s.name, SCENARIO_COLORS.get(s.id, CHART_COLORS["other"])) for s in defs.scenarios]
    if names is not None:
        wanted = set(names)
        pairs = [p for p in pairs if p[0] in wanted]
    return alt.Scale(domain=[p[0] for p in pairs], range=[p[1] for p in pairs])


@cache
def _indicators() -> dict[str, Any]:
    return {d.id: d for d in load_indicator_definitions()}


def indicator_label(variable: str, with_unit: bool = False) -> str:
    """Return the Dutch label of an indicator id (or ``id|band``), with its unit if not named."""
    base, _, band = variable.partition("|")
    definition = _indicators().get(base)
    label = definition.label if definition else base
    if band:
        label = f"{label}, loonwaarde {band} %"
    if with_unit and definition:
        label = label_with_unit(label, unit(definition.unit).label)
    return label


def indicator_unit(variable: str) -> Unit:
    """Return the declared unit of an indicator id (or ``id|band``): label, kind, decimals."""
    return unit(_indicators()[variable.partition("|")[0]].unit)


def value_format(variable: str) -> str:
    """Return the d3 number format of an indicator in a chart (``",.1f"`` for a percentage)."""
    return indicator_unit(variable).number_format


def value_axis(variable: str, field: str = "value", channel: Any = alt.Y) -> Any:
    """Return the value channel of a chart of one indicator: its label and unit, its format.

    Parameters
    ----------
    variable : str
        An indicator id.
    field : str
        The data column holding the values.
    channel : altair.X or altair.Y
        The channel the values lie on (``alt.Y`` by default).

    Returns
    -------
    altair.X or altair.Y
    """
    return channel(
        f"{field}:Q",
        title=indicator_label(variable, True),
        axis=alt.Axis(format=value_format(variable)),
    )


def value_tooltip(variable: str) -> alt.Tooltip:
    """Return the tooltip of an indicator's value (column ``value``) in its number format."""
    return alt.Tooltip("value:Q", title=indicator_label(variable), format=value_format(variable))


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """Return the Dutch name of each region code."""
    return {code: region_name(code) for code in codes}


def select_results(
    frame: pd.DataFrame,
    regions: Sequence[str] | None,
    variables: Sequence[str],
    year: int | None,
    scenarios: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Filter the long table and add Dutch names; plain string columns for altair."""
    year = int(frame["year"].max()) if year is None else int(year)
    mask = frame["variable"].isin(list(variables)) & (frame["year"] == year)
    if regions is not None:
        mask &= frame["region"].isin(list(regions))
    if scenarios is not None:
        mask &= frame["scenario"].isin(list(scenarios))
    data = frame.loc[mask, ["scenario", "region", "variable", "year", "value"]]
    data = data.astype({"scenario": str, "region": str, "variable": str}).reset_index(drop=True)
    if data.empty:
        raise ModelError(
            f"no results to chart for {', '.join(variables)} in {year}"
            + (f" for {', '.join(regions)}" if regions else "")
        )
    names = {s.id: s.name for s in load_definitions().scenarios}
    data["scenario_name"] = data["scenario"].map(names)
    data["region_name"] = data["region"].map(region_names(data["region"].unique()))
    data["indicator"] = data["variable"].map(indicator_labels(data["variable"].unique(), regions))
    return data


def indicator_labels(variables: Iterable[str], regions: Sequence[str] | None) -> dict[str, str]:
    """Return the Dutch label with unit of each indicator id, for a chart of these regions.

    Parameters
    ----------
    variables : iterable of str
        Indicator ids (or ``id|band``).
    regions : sequence of str or None
        The regions charted; when every one is a group of municipalities, a label that names
        "gemeente" takes the group's form ("Netto kosten gemeenten").

    Returns
    -------
    dict of str to str
    """
    labels = {v: indicator_label(v, True) for v in variables}
    if not regions or not all(is_group_code(r) for r in regions):
        return labels
    return {v: council_label(label, regions[0]) for v, label in labels.items()}
