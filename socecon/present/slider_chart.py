"""The report's slider chart: an assumption on a slider, without a kernel.

Interactivity in an exported report must work without a kernel, so :func:`slider_chart`
precomputes the model over a grid of one assumption (one vectorised run with a sample axis) and
binds a Vega-Lite slider and a scenario selector to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.units import unit
from socecon.exceptions import ModelError
from socecon.model.core import run
from socecon.present.embed import with_narrow, wrap_title
from socecon.present.figures import (
    indicator_label,
    region_names,
    scenario_color,
    scenario_order,
    scenario_shape,
    value_format,
)
from socecon.present.formats import label_with_unit

#: The drop-down choice that highlights every scenario.
ALL_SCENARIOS = "Alle scenario's"


def slider_chart(
    region: str,
    assumption: str = "take_up",
    variable: str = "placed",
    horizon: int = DEFAULT_HORIZON,
    overrides: Mapping[str, Any] | None = None,
    steps: int = 13,
    indeling: int | str | None = None,
) -> alt.HConcatChart:
    """Build an interactive chart that needs no kernel: a slider over an assumption's range.

    The model is computed once for ``steps`` values across the assumption's declared range (one
    vectorised run with a sample axis); a Vega-Lite slider picks the value shown in the bars, and
    a drop-down highlights one scenario in both panels.

    Parameters
    ----------
    region : str
        Region id or name.
    assumption : str
        A scalar assumption id with a range (take_up, quota_share, ...).
    variable : str
        Indicator id shown.
    horizon : int
        The year shown (the model's horizon).
    overrides : mapping, optional
        Other assumption overrides, held fixed.
    steps : int
        Grid points across the range.
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025, the declared default when None).

    Returns
    -------
    altair.HConcatChart
        Left: the indicator per scenario at the chosen value; right: the indicator against the
        assumption, with a rule at the chosen value. On a phone the two stand one above the
        other (its narrow layout, :func:`socecon.present.embed.with_narrow`).
    """
    a = load_assumptions()[assumption]
    if a.kind != "scalar" or a.low == a.high:
        raise ModelError(f"assumption {assumption!r} has no range to put on a slider")
    grid = np.round(np.linspace(a.low, a.high, steps), 10)
    values = {**(overrides or {}), assumption: grid}
    result = run([region], horizon=horizon, years=[horizon], overrides=values, indeling=indeling)
    arr = result.indicators()[variable]
    if arr.ndim == 5:
        arr = arr.sum(axis=-1)
    names = {s.id: s.name for s in load_definitions().scenarios}
    # A share is shown as a percentage, as the assumptions table shows it ("60 %", not "0,6"):
    # one unit per quantity. The model runs on the fractions; only the chart's x is scaled.
    declared = unit(a.unit)
    scale = 100.0 if declared.is_share else 1.0
    shown = np.round(grid * scale, 10)
    rows = [
        {"x": float(shown[i]), "scenario_name": names[s], "value": float(arr[0, i, 0, k])}
        for i in range(len(grid))
        for k, s in enumerate(result.scenarios)
    ]
    data = pd.DataFrame(rows)
    step = float(shown[1] - shown[0]) if len(shown) > 1 else 1.0
    default = float(shown[np.argmin(np.abs(grid - a.value))])
    unit_label = "%" if declared.is_share else declared.label
    slider = alt.param(
        name="aanname",
        value=default,
        bind=alt.binding_range(
            min=float(shown[0]),
            max=float(shown[-1]),
            step=step,
            name=f"{label_with_unit(a.label, unit_label)}: ",
        ),
    )
    choice = alt.param(
        name="scenario_keuze",
        value=ALL_SCENARIOS,
        bind=alt.binding_select(
            options=[ALL_SCENARIOS, *data["scenario_name"].unique()], name="Scenario: "
        ),
    )
    highlighted = (alt.datum.scenario_name == choice) | (choice == ALL_SCENARIOS)
    color = scenario_color(data["scenario_name"])
    fmt = value_format(variable)
    bars = (
        alt.Chart(data)
        .transform_filter(f"abs(datum.x - aanname) < {step / 2}")
        .mark_bar()
        .encode(
            x=alt.X(
                "scenario_name:N", title=None, sort=scenario_order(), axis=alt.Axis(labelAngle=-40)
            ),
            y=alt.Y(
                "value:Q",
                title=indicator_label(variable, True),
                axis=alt.Axis(format=fmt),
                scale=alt.Scale(domain=[0, float(np.nanmax(data["value"]) or 1.0)]),
            ),
            color=color,
            opacity=alt.condition(highlighted, alt.value(1.0), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("scenario_name:N", title="Scenario"),
                alt.Tooltip("x:Q", title=label_with_unit(a.label, unit_label), format=",.2~f"),
                alt.Tooltip("value:Q", title=indicator_label(variable), format=fmt),
            ],
        )
        .properties(title=f"{indicator_label(variable)} in {horizon}")
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("x:Q", title=label_with_unit(a.label, unit_label)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=fmt)),
            color=color,
            shape=scenario_shape(data["scenario_name"]),
            opacity=alt.condition(highlighted, alt.value(1.0), alt.value(0.2)),
        )
    )
    rule = (
        alt.Chart(data)
        .mark_rule(color="black", strokeDash=[4, 3])
        .encode(x=alt.datum(alt.expr("aanname"), type="quantitative"))
    )
    name = region_names([result.regions[0]])[result.regions[0]]
    sensitivity = alt.layer(lines, rule)
    sensitivity_title = f"Gevoeligheid voor: {a.label}"
    about = {
        "title": {
            "text": f"Schuif met de aanname: {name}",
            "subtitle": "Bron: CBS; bewerking in dit rapport.",
        },
        "description": (
            f"Links een staafdiagram met per scenario {indicator_label(variable, True).lower()}"
            f" in {name} in {horizon} bij de gekozen waarde van de aanname '{a.label}', "
            "rechts per scenario een lijn over de hele bandbreedte van die aanname; een "
            "schuifregelaar kiest de waarde, een keuzelijst het scenario."
        ),
    }
    wide = (
        alt.hconcat(
            bars.properties(width=300, height=240),
            sensitivity.properties(width=330, height=240, title=sensitivity_title),
        )
        .add_params(slider, choice)
        .properties(**about)
    )
    # on a phone the two panels stand one above the other, the legend under them
    narrow = (
        alt.vconcat(
            bars.properties(width=260, height=200),
            sensitivity.properties(width=260, height=200, title=wrap_title(sensitivity_title)),
        )
        .add_params(slider, choice)
        .properties(**about)
        .configure_legend(orient="bottom", columns=2)
    )
    return with_narrow(wide, narrow)
