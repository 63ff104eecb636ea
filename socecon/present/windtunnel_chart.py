"""The wind-tunnel chart: policy options x scenarios, with intervals and each option's verdict.

Each cell says its status in words (houdt stand, doel niet gehaald, te ver achter, onzeker, or
geen doelgroep where no one is in the target group) and is coloured by it, so the cells and the
verdict in the row label say the same thing without relying on colour: an option is robust
exactly when every cell of its row says "houdt stand". The legend names the statuses shown.
Labels and colours (Okabe-Ito, colour-blind safe) are declared once, in
``definitions/windtunnel.yaml``; the words in a cell are black or white, whichever contrasts
more with its colour. Both charts carry a narrow layout for phones
(:func:`socecon.present.embed.with_narrow`).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import ModelError
from socecon.present.embed import with_narrow
from socecon.present.figures import scenario_order
from socecon.present.formats import and_list, format_number, format_percent, is_missing

_SETTINGS = load_windtunnel()
#: Dutch cell status -> colour, in legend order.
STATUS_COLORS = {v.label: v.color for v in _SETTINGS.cell_status.values()}
#: Dutch verdict -> colour, in report order (robust first).
CLASS_COLORS = {v.label: v.color for v in _SETTINGS.verdicts.values()}


def windtunnel_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Chart the wind tunnel: options x scenarios with intervals and each option's class.

    Parameters
    ----------
    table : pandas.DataFrame
        One region's matrix from :func:`socecon.analysis.windtunnel.matrix`.

    Returns
    -------
    altair.LayerChart
        Cells coloured by their status; each cell shows the median participation, the range
        it lies in for 8 of 10 computed futures (P10-P90) and its status in words; rows are
        labelled with the option's verdict. On a phone each option's name stands above its
        row of cells.
    """
    if table.empty:
        raise ModelError("the wind-tunnel matrix is empty")
    data = table[
        [
            "option_name",
            "scenario_name",
            "class_name",
            "participation_p10",
            "participation_median",
            "participation_p90",
            "net_cost_per_placed_median",
            "goal_share",
            "regret_at",
            "status_name",
        ]
    ].copy()
    data["row"] = data["option_name"] + " — " + data["class_name"]
    class_rank = {name: i for i, name in enumerate(CLASS_COLORS)}
    order = (
        data.drop_duplicates("row")
        .assign(rank=lambda d: d["class_name"].map(class_rank).fillna(len(class_rank)))
        .sort_values(["rank", "option_name"], kind="stable")["row"]
        .tolist()
    )
    # No target group, no participation: the cell shows a dash and no interval.
    data["median_text"] = data["participation_median"].map(format_percent)
    data["interval_text"] = [
        "" if is_missing(lo) else f"({format_number(lo)}–{format_number(hi)})"
        for lo, hi in zip(data["participation_p10"], data["participation_p90"], strict=True)
    ]
    data["text_color"] = data["status_name"].map(lambda label: _text_color(STATUS_COLORS[label]))
    scenarios = [name for name in scenario_order() if name in set(data["scenario_name"])]
    # the legend names the statuses the chart shows, in declared order
    shown = [label for label in STATUS_COLORS if label in set(data["status_name"])]

    def x(narrow: bool) -> alt.X:
        # on a phone a scenario's name wraps at its spaces, its lines above the axis
        wrap = {
            "labelExpr": "split(datum.label, ' ')",
            "labelPadding": 14,
            "domain": False,
            "ticks": False,
        }
        wrap = wrap if narrow else {}
        axis = alt.Axis(orient="top", labelAngle=0, **wrap)
        return alt.X("scenario_name:N", title=None, sort=scenarios, axis=axis)

    cell = alt.Chart()
    cells = cell.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "status_name:N",
            title="In dit scenario",
            scale=alt.Scale(domain=shown, range=[STATUS_COLORS[label] for label in shown]),
        ),
        tooltip=[
            alt.Tooltip("option_name:N", title="Beleidsoptie"),
            alt.Tooltip("scenario_name:N", title="Scenario"),
            alt.Tooltip("class_name:N", title="Oordeel over de optie"),
            alt.Tooltip("status_name:N", title="In dit scenario"),
            alt.Tooltip(
                "participation_median:Q", title="Deelname (middelste waarde, %)", format=",.1f"
            ),
            alt.Tooltip(
                "participation_p10:Q", title="Deelname laag (1 op 10 lager, %)", format=",.1f"
            ),
            alt.Tooltip(
                "participation_p90:Q", title="Deelname hoog (1 op 10 hoger, %)", format=",.1f"
            ),
            alt.Tooltip(
                "net_cost_per_placed_median:Q",
                title="Netto kosten per geplaatste (€)",
                format=",.0f",
            ),
            alt.Tooltip(
                "goal_share:Q", title="Doel gehaald in (deel van de toekomsten)", format=".0%"
            ),
            alt.Tooltip(
                "regret_at:Q", title="Achterstand op de beste optie (procentpunt)", format=",.1f"
            ),
        ],
    )
    # The cell's verdict in words under its numbers (the same words as the legend and the
    # table under the chart), each in black or white, whichever reads best on the cell's colour.
    ink = alt.Color("text_color:N", scale=None)
    texts = [
        cell.mark_text(fontSize=12, fontWeight="bold", dy=-13).encode(text="median_text:N"),
        cell.mark_text(fontSize=10, dy=1).encode(text="interval_text:N"),
        cell.mark_text(fontSize=10, fontStyle="italic", dy=14).encode(text="status_name:N"),
    ]
    layers = [cells, *(t.encode(color=ink) for t in texts)]
    region = str(table["region_name"].iloc[0])
    about = {
        "title": {
            "text": f"Beleidsopties in de windtunnel: {region}",
            "subtitle": [
                "Deelname van de doelgroep in %: de middelste uitkomst, en (tussen haakjes) de "
                "marge waarin ze in 8 van de 10 doorgerekende toekomsten valt.",
                "Daaronder: houdt de optie in dit scenario stand, en zo niet, waarom niet.",
            ],
        },
        "description": (
            f"Tabel als grafiek voor {region}: per beleidsoptie (rijen) en scenario (kolommen) de "
            "deelname van de doelgroep in procent met haar marge, en in woorden en kleur of de "
            f"optie daar stand houdt ({and_list(shown, 'of')}). "
            "De tekst onder de grafiek geeft het oordeel over elke optie en de reden."
        ),
    }
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=360))
    wide = alt.layer(*(layer.encode(x=x(False), y=y) for layer in layers), data=data).properties(
        width=125 * len(scenarios), height=alt.Step(50), **about
    )
    # On a phone each option's name and verdict stand above its row of cells.
    header = alt.Header(
        labelAngle=0, labelOrient="top", labelAlign="left", labelAnchor="start", labelPadding=-4
    )
    narrow = (
        alt.layer(*(layer.encode(x=x(True)) for layer in layers), data=data)
        .properties(width=85 * len(scenarios), height=46)
        .facet(row=alt.Row("row:N", title=None, sort=order, header=header), spacing=22)
        .configure_legend(orient="top", columns=2)
        .properties(**about)
    )
    return with_narrow(wide, narrow)


def _text_color(background: str) -> str:
    """Return black or white, whichever contrasts more with ``background`` (``#rrggbb``).

    The WCAG contrast ratio: relative luminance of the sRGB colour against 0 (black) and 1
    (white).
    """
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "white" if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 else "black"


def drivers_chart(table: pd.DataFrame, description: str = "") -> alt.Chart:
    """Chart which uncertain assumptions drive each option's participation most.

    Parameters
    ----------
    table : pandas.DataFrame
        One region's matrix from :func:`socecon.analysis.windtunnel.matrix` (its ``drivers``
        column: :func:`socecon.analysis.discovery.option_table`).
    description : str
        The chart's text alternative (e.g. :func:`socecon.report.policy.drivers_nl`).

    Returns
    -------
    altair.Chart
        One bar per option and driver: the standardised rank regression coefficient, to the
        right when a higher value of the assumption raises participation. On a phone the
        assumption's name stands above its bar.
    """
    if table.empty or "drivers" not in table.columns:
        raise ModelError("the wind-tunnel matrix has no drivers")
    rows = [
        {
            "option_name": r.option_name,
            "label": d[1],
            "srrc": d[3],
            "direction": "hoger: meer deelname" if d[3] > 0 else "hoger: minder deelname",
            "srrc_text": format_number(d[3], 2),
        }
        for r in table.drop_duplicates("option").itertuples()
        for d in r.drivers
    ]
    data = pd.DataFrame(rows, columns=["option_name", "label", "srrc", "direction", "srrc_text"])
    colors = [CLASS_COLORS[v.label] for k, v in _SETTINGS.verdicts.items() if k != "undecided"]
    region = str(table["region_name"].iloc[0])
    x = alt.X("srrc:Q", title="Invloed op de deelname (−1 tot 1)", scale=alt.Scale(domain=[-1, 1]))
    encoding = {
        "color": alt.Color(
            "direction:N",
            title="Als de aanname hoger uitvalt",
            scale=alt.Scale(
                domain=["hoger: meer deelname", "hoger: minder deelname"], range=colors[:2]
            ),
        ),
        "tooltip": [
            alt.Tooltip("option_name:N", title="Beleidsoptie"),
            alt.Tooltip("label:N", title="Aanname"),
            alt.Tooltip("srrc_text:N", title="Invloed (−1 tot 1)"),
        ],
    }
    about = {
        "title": {
            "text": f"Welke aannames bepalen de uitkomst: {region}",
            "subtitle": "Per beleidsoptie de onzekere aannames met de meeste invloed op de "
            "deelname.",
        },
        "description": description or "Invloed van de onzekere aannames op de deelname.",
    }
    wide = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            row=alt.Row(
                "option_name:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=220),
            ),
            **encoding,
        )
        .properties(width=320, height=alt.Step(16), **about)
    )
    # On a phone each option's name stands above its bars, each assumption's name above its bar.
    by_effect = alt.EncodingSortField(field="srrc", op="sum", order="descending")
    y = alt.Y("label:N", title=None, sort=by_effect, axis=None)
    bars = alt.Chart().mark_bar(height=10).encode(x=x, y=y, **encoding)
    names = (
        alt.Chart()
        .mark_text(align="left", baseline="bottom", dy=-6, fontSize=10)
        .encode(x=alt.datum(-1), y=y, text="label:N")
    )
    header = alt.Header(
        labelAngle=0,
        labelOrient="top",
        labelAlign="left",
        labelAnchor="start",
        labelFontWeight="bold",
    )
    narrow = (
        alt.layer(bars, names, data=data)
        .properties(width=300, height=alt.Step(28))
        .facet(row=alt.Row("option_name:N", title=None, header=header), spacing=12)
        .resolve_scale(y="independent")
        .configure_legend(orient="top", columns=1)
        .properties(**about)
    )
    return with_narrow(wide, narrow)
