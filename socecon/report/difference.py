"""The report section "Waarom <gemeente> afwijkt van Nederland".

Per scenario: the share of the target group at work in the municipality (or group) and in the
Netherlands as a whole, the difference, and its three parts from
:func:`socecon.analysis.decomposition.decompose` (local placement, places in the region, make-up
of the target group), which add up to the difference. Plain B1 Dutch; every name is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from socecon.analysis.decomposition import FACTORS, decompose
from socecon.definitions import load_definitions
from socecon.present.formats import format_number, format_percent
from socecon.present.wording import council_label
from socecon.report.region_figures import resolve_region
from socecon.report.tables import as_html, esc, html_table

#: Dutch name of each part, as the table's header and the text use it.
FACTOR_NAMES = {
    "effectiveness": "plaatsen in de gemeente",
    "capacity": "plekken in de regio",
    "mix": "samenstelling van de doelgroep",
}
#: One B1 sentence per part: what it means.
FACTOR_TEXTS = {
    "effectiveness": (
        "hoe vlot mensen in de gemeente vanuit de bijstand aan werk komen. Dat is gemeten aan de "
        "uitstroom uit de bijstand naar werk in 2015-2017 (CBS), vergeleken met heel Nederland."
    ),
    "capacity": (
        "hoeveel werkplekken de arbeidsmarktregio heeft voor elke persoon in de doelgroep. "
        "Mensen werken in hun regio, niet alleen in de gemeente waar ze wonen."
    ),
    "mix": (
        "hoeveel mensen in de doelgroep uit de bijstand, de Wsw of de Wajong komen. Die groepen "
        "verschillen in loonwaarde en in hoe vaak ze al werken."
    ),
}
SOURCE = (
    "Bron: CBS, StatLine 83450NED, 83747NED en 84066NED (2015-2017) en 70072ned (2015); "
    "bewerking in dit rapport."
)


def points(value: float) -> str:
    """Return percentage points with a sign in Dutch format (``+1,5``, ``-0,7``, ``0,0``)."""
    if value is None or not np.isfinite(value):
        return "-"
    text = format_number(abs(value), 1)
    if text == format_number(0.0, 1):
        return text
    return ("+" if value > 0 else "-") + text


def _largest(table: pd.DataFrame) -> tuple[str, float, str, str | None] | None:
    """Return the scenario with the largest difference, that difference and its parts.

    The main part is the largest part *in the direction of the difference* (a part that pulls
    the other way does not cause it, however large); the counter part is the largest part the
    other way, if it shows at one decimal, else None.
    """
    futures = table[table.scenario != "baseline"].dropna(subset=["gap"])
    if futures.empty:
        return None
    row = futures.loc[futures["gap"].abs().idxmax()]
    gap = float(row["gap"])
    sign = 1.0 if gap >= 0 else -1.0
    main = max(FACTORS, key=lambda f: sign * row[f])
    against = [f for f in FACTORS if sign * row[f] < 0 and points(row[f]) != points(0.0)]
    counter = max(against, key=lambda f: abs(row[f])) if against else None
    return str(row.scenario), gap, main, counter


def why_different(region: Any, horizon: int, overrides: Mapping[str, Any] | None = None) -> Any:
    """Return the section "Waarom <gemeente> afwijkt van Nederland" (heading, text, table).

    Parameters
    ----------
    region : str or ReportRegion
        Anything :func:`resolve_region` accepts; a resolved region keeps its indeling.
    horizon : int
    overrides : mapping, optional
        The report's assumption overrides.

    Returns
    -------
    IPython.display.HTML
    """
    place = resolve_region(region)
    name = esc(place.name)
    table = decompose(place.code, horizon=horizon, overrides=overrides, indeling=place.indeling)
    names = {s.id: s.name for s in load_definitions().scenarios}
    parts = council_label(
        "".join(
            f"<li><strong>{FACTOR_NAMES[f].capitalize()}</strong>: {FACTOR_TEXTS[f]}</li>"
            for f in FACTORS
        ),
        place.code,
    )
    lead = (
        f"Hoeveel mensen uit de doelgroep werk hebben, verschilt per gemeente. Hier ziet u per "
        f"scenario welk deel van de doelgroep in {name} in {horizon} werkt, hoeveel dat is in "
        f"Nederland als geheel, en waar het verschil vandaan komt. Er zijn drie oorzaken:"
    )
    if table["gap"].isna().all():
        body = (
            f"<p>In {name} is de doelgroep leeg. Er is dus geen verschil met Nederland te "
            "verklaren.</p>"
        )
        return as_html(
            f"<h2>Waarom {name} afwijkt van Nederland</h2><p>{lead}</p><ul>{parts}</ul>{body}"
        )
    header = [
        "Scenario",
        f"{place.name} (%)",
        "Nederland (%)",
        "Verschil (procentpunt)",
        *(council_label(f"Door {FACTOR_NAMES[f]}", place.code) for f in FACTORS),
    ]
    rows = [
        [
            names[row.scenario],
            format_percent(row.participation),
            format_percent(row.national),
            points(row.gap),
            *(points(getattr(row, f)) for f in FACTORS),
        ]
        for row in table.itertuples()
    ]
    largest = _largest(table)
    summary = ""
    if largest is not None:
        scenario, gap, main, counter = largest
        direction = "hoger" if gap > 0 else "lager"
        row = table.set_index("scenario").loc[scenario]
        summary = council_label(
            f"<p>Van de vier scenario's is het verschil het grootst in {esc(names[scenario])}: "
            f"{name} ligt daar {format_number(abs(gap), 1)} procentpunt {direction} dan "
            f"Nederland, vooral door {FACTOR_NAMES[main]} ({points(row[main])})"
            + (
                f"; {FACTOR_NAMES[counter]} werkt de andere kant op ({points(row[counter])})"
                if counter
                else ""
            )
            + ".</p>",
            place.code,
        )
    note = (
        '<p class="socecon-muted">Deelname: het deel van de doelgroep dat werkt. De drie delen '
        "tellen precies op tot het verschil. Het model rekent daarvoor opnieuw met de landelijke "
        "waarde in plaats van de lokale, voor elke oorzaak en in elke volgorde, en neemt het "
        f"gemiddelde. Het basisjaar kent geen plekken in de regio: daar telt wie al werkt. "
        f"{SOURCE}</p>"
    )
    return as_html(
        f"<h2>Waarom {name} afwijkt van Nederland</h2><p>{lead}</p><ul>{parts}</ul>"
        + summary
        + html_table(header, rows, caption=f"Deelname van de doelgroep in {horizon}")
        + note
    )
