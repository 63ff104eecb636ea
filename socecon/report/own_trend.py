"""The municipality's own bijstand trend since 2022, shown in the look-back when present.

The KWB editions of 2022-2025 give the bijstand count of all ages per municipality
(``bijstand_kwb``, each edition converted to the borders of 2025). They come only from
``socecon data refresh``; the shipped offline snapshot does not have them, and then the report
shows nothing here. The series is its own variable, never mixed with the 15-to-AOW-age counts of
the rest of the report (other tables, other ages), and the text says so.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from socecon.data.schema import CURRENT_INDELING
from socecon.data.snapshot import load_snapshot
from socecon.present.formats import format_count, format_percent
from socecon.report.region_figures import ReportRegion, resolve_region
from socecon.report.tables import as_html, esc, html_table

#: The snapshot variable of the KWB series.
VARIABLE = "bijstand_kwb"


def bijstand_trend_frame(region: str | ReportRegion) -> pd.DataFrame:
    """Return the KWB bijstand count of a municipality or group per edition (empty if none).

    Parameters
    ----------
    region : str or ReportRegion
        Anything :func:`~socecon.report.region_figures.resolve_region` accepts.

    Returns
    -------
    pandas.DataFrame
        ``year, value, source`` per KWB edition in which every member has a figure (a group's
        value is the sum of its members); empty when the snapshot has no KWB series or the
        report uses another indeling than 2025 (the series is in the borders of 2025).
    """
    place = resolve_region(region)
    columns = ["year", "value", "source"]
    if place.indeling != CURRENT_INDELING:
        return pd.DataFrame(columns=columns)
    snap = load_snapshot(indeling=place.indeling)
    rows = snap[(snap["variable"] == VARIABLE) & snap["region"].isin(place.members)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    wide = rows.pivot_table(
        index="year", columns="region", values="value", aggfunc="first", dropna=False
    ).reindex(columns=list(place.members))
    complete = wide.notna().all(axis=1)
    frame = pd.DataFrame(
        {
            "value": wide.sum(axis=1)[complete],
            "source": rows.groupby("year")["source"].first()[complete],
        }
    )
    return frame.rename_axis("year").reset_index()[columns]


def _change(frame: pd.DataFrame) -> str:
    """Return the change from the first to the last edition in words ("" for one edition)."""
    if len(frame) < 2:
        return ""
    first, last = frame.iloc[0], frame.iloc[-1]
    diff = float(last["value"] - first["value"])
    span = f"Van {int(first['year'])} tot {int(last['year'])}"
    if diff == 0:
        return f"{span} bleef het aantal gelijk."
    word = "steeg" if diff > 0 else "daalde"
    base = float(first["value"])
    percent = 100.0 * abs(diff) / base if base > 0 else float("nan")
    share = f" ({format_percent(percent, 0)})" if percent >= 0.5 else ""
    return f"{span} {word} het aantal met {format_count(abs(diff))}{share}."


def bijstand_trend(region: str | ReportRegion) -> Any | None:
    """Return the look-back's paragraph on the municipality's own bijstand trend, or None.

    Parameters
    ----------
    region : str or ReportRegion

    Returns
    -------
    IPython.display.HTML or None
        A short text, a table per KWB edition and the sources; None (nothing shown) when the
        snapshot has no KWB series for the region (:func:`bijstand_trend_frame`).
    """
    place = resolve_region(region)
    frame = bijstand_trend_frame(place)
    if frame.empty:
        return None
    whose = "de gemeenten van " if place.is_group else ""
    rows = [[str(int(r.year)), format_count(r.value)] for r in frame.itertuples()]
    tables = ", ".join(f"{int(r.year)}: {r.source}" for r in frame.itertuples())
    parts = [
        f"<p>Hoe ging het daarna in {whose}{esc(place.name)} zelf? Hieronder staat het "
        "aantal mensen met een bijstandsuitkering, van alle leeftijden, per jaargang van de "
        f"CBS-cijfers over wijken en buurten. {esc(_change(frame))}</p>",
        html_table(
            ["Jaargang", "Mensen met bijstand"],
            rows,
            caption="Mensen met bijstand, alle leeftijden",
        ),
        '<p class="socecon-muted">Bron: CBS, Kerncijfers wijken en buurten '
        f"({esc(tables)}); afgerond op tientallen door het CBS. Elke jaargang is omgerekend "
        "naar de gemeentegrenzen van 2025. Dit zijn mensen van alle leeftijden. De "
        "bijstandscijfers elders in dit rapport tellen alleen mensen van 15 jaar tot de "
        "AOW-leeftijd en komen uit andere tabellen: vergelijk ze niet met elkaar.</p>",
    ]
    return as_html("\n".join(parts))
