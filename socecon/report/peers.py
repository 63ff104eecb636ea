"""The report's comparison with comparable municipalities ("vergelijkbare gemeenten").

Part of the section "De gemeente in cijfers": the region beside the municipalities most like it
by the declared rule (:mod:`socecon.analysis.peers`, ``definitions/peers.yaml``), first in the
characteristics the rule uses, then in the scenario results at the horizon (participation of the
target group and the gemeente's net cost per person placed). The rule is stated in words from
the declarations, so the text and the choice cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from socecon.analysis.peers import peer_codes, region_characteristics
from socecon.definitions import BASE_YEAR, load_definitions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.peers import load_peers
from socecon.model import results
from socecon.model.core import run_model
from socecon.present import figures
from socecon.present.formats import format_indicator, format_number
from socecon.regions import group_members, region_name
from socecon.report.region_figures import ReportRegion, resolve_region
from socecon.report.tables import as_html, esc, html_table

#: The scenario results compared, at the horizon: indicator ids of ``indicators.yaml``.
PEER_RESULTS = ("participation_rate", "net_cost_per_placed")

#: Dutch number words for the count of peers in running text.
_NUMBER_WORDS = {2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes", 7: "zeven", 8: "acht"}

#: The class of the row of the region itself (bold, see ``report.css``).
OWN_ROW = "socecon-own"


def rule_text(region: str, indeling: int | str | None = None) -> str:
    """Return the declared rule in one Dutch sentence, for ``region``.

    Parameters
    ----------
    region : str
        A municipality code or group id.
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    str
        Plain text (escape it before it enters a page).
    """
    rule = load_peers()
    labels = [c.label for c in rule.characteristics]
    listed = ", ".join(labels[:-1]) + f" en {labels[-1]}" if len(labels) > 1 else labels[0]
    count = _NUMBER_WORDS.get(rule.count, str(rule.count))
    name = region_name(region, indeling)
    text = (
        f"Vergelijkbare gemeenten zijn de {count} gemeenten die in {BASE_YEAR} het meest op "
        f"{name} leken in {listed}. Elk kenmerk telt even zwaar."
    )
    if len(group_members(region, indeling)) > 1:
        text += f" De gemeenten die samen {name} vormen, tellen zelf niet mee."
    return text


def characteristics_rows(
    region: str, peers: tuple[str, ...], indeling: int | str | None = None
) -> list[list[str]]:
    """Return the rows of the characteristics table: the region first, then its peers.

    Parameters
    ----------
    region : str
    peers : tuple of str
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    list of list of str
        Name, then each characteristic in Dutch number format.
    """
    rule = load_peers()
    rows = []
    for code in (region, *peers):
        values = region_characteristics(code, indeling)
        rows.append(
            [
                region_name(code, indeling),
                *(format_number(values[c.id], c.decimals) for c in rule.characteristics),
            ]
        )
    return rows


def result_rows(
    frame: pd.DataFrame,
    peer_frame: pd.DataFrame,
    region: str,
    peers: tuple[str, ...],
    variable: str,
    year: int,
    indeling: int | str | None = None,
) -> tuple[list[str], list[list[str]]]:
    """Return header and rows of one scenario result for the region and its peers.

    Parameters
    ----------
    frame : pandas.DataFrame
        The report's model run (the region itself).
    peer_frame : pandas.DataFrame
        The model run of the peers.
    region : str
    peers : tuple of str
        The peers, in the order shown.
    variable : str
        Indicator id.
    year : int
        The year shown.
    indeling : int or str, optional
        The municipal boundaries of the names (2015 or 2025); the declared default when None.

    Returns
    -------
    (list of str, list of list of str)
        Header (municipality, then scenarios) and formatted rows, the region first.
    """
    unit = {d.id: d.unit for d in load_indicator_definitions()}[variable]
    both = pd.concat([frame[frame["region"] == region], peer_frame], ignore_index=True)
    both = both[both["year"] == year]
    table = results.wide(both, variable=variable, index="region", columns="scenario", dropna=False)
    order = [s.id for s in load_definitions().scenarios if s.id in table.columns]
    # a region without a target group (Rozendaal) has no participation: a dash, not a gap
    table = table.reindex(index=[region, *peers], columns=order)
    header = ["Gemeente", *(figures.scenario_label(s) for s in table.columns)]
    rows = [
        [region_name(code, indeling), *(format_indicator(v, unit) for v in table.loc[code])]
        for code in (region, *peers)
    ]
    return header, rows


def peer_comparison(
    frame: pd.DataFrame,
    region: str | ReportRegion,
    horizon: int,
    overrides: Mapping[str, Any] | None = None,
    indeling: int | str | None = None,
) -> Any:
    """Return the comparison with comparable municipalities as HTML.

    Parameters
    ----------
    frame : pandas.DataFrame
        The report's model run for ``region``.
    region : str or ReportRegion
        The report's region (which carries its indeling), or a municipality code or group id.
    horizon : int
        The year of the scenario results.
    overrides : mapping, optional
        The report's assumption overrides (the peers are computed with the same).
    indeling : int or str, optional
        For a code: the municipal boundaries (2015 or 2025; the declared default when None).
        A :class:`ReportRegion` keeps its own.

    Returns
    -------
    IPython.display.HTML
        A heading, the rule in words, a table of the characteristics and one per scenario
        result, the region's own row marked, and the sources.
    """
    place = resolve_region(region, indeling)
    region, indeling = place.code, place.indeling
    rule = load_peers()
    peers = peer_codes(region, indeling=indeling)
    peer_frame = run_model(
        list(peers), horizon=horizon, years=[horizon], overrides=overrides, indeling=indeling
    )
    name = esc(region_name(region, indeling))
    own = [OWN_ROW] + [""] * len(peers)
    header = ["Gemeente", *(c.column for c in rule.characteristics)]
    parts = [
        "<h3>Vergelijkbare gemeenten</h3>",
        f"<p>{esc(rule_text(region, indeling))} Zo ziet u hoe {name} zich verhoudt tot "
        "gemeenten die erop lijken, niet alleen tot de eigen regio.</p>",
        html_table(
            header,
            characteristics_rows(region, peers, indeling),
            caption=f"Kenmerken {BASE_YEAR}",
            row_classes=own,
        ),
    ]
    labels = {d.id: d.label for d in load_indicator_definitions()}
    for variable in PEER_RESULTS:
        head, rows = result_rows(frame, peer_frame, region, peers, variable, horizon, indeling)
        caption = f"{labels[variable]} in {horizon}, per scenario"
        parts.append(html_table(head, rows, caption=caption, row_classes=own))
    parts.append(
        '<p class="socecon-muted">Bron: CBS, StatLine 70072ned (Regionale kerncijfers) en '
        f"83450NED (bijstand), peiljaar {BASE_YEAR}; bewerking in dit rapport. De uitkomsten "
        "zijn voor elke gemeente met hetzelfde rekenmodel en dezelfde aannames berekend.</p>"
    )
    return as_html("\n".join(parts))
