"""The text and tables of the municipal report, one function per section of the notebook.

``notebooks/municipality_report.ipynb`` is thin: each of its cells calls one function of this
module (or a chart builder of :mod:`~.figures`) and shows what it returns. Everything here
returns something IPython displays (:class:`IPython.display.HTML` or
:class:`IPython.display.Markdown`), in Dutch, with Dutch number formats
(:func:`~.export.format_number`: ``1.234,5``). The figures behind each table are available
as plain data too (:func:`figures_frame`, :func:`key_figures`), so tests and analysts can check
them without parsing HTML.

Sections, in report order:

* :func:`introduction`: title and reading guide for a municipality or group;
* :func:`municipality_in_figures`: CBS figures of the region against its arbeidsmarktregio and
  the Netherlands (rates recomputed from summed counts), with the members of a group;
* :func:`scenario_texts`: the four scenarios of the study, from ``definitions/scenarios.yaml``;
* :func:`target_group_by_band`: the target group per loonwaarde band, who is placed in each
  scenario's window and who falls outside;
* :func:`indicator_table`: placements, participation, costs, savings, net cost, SROI;
* :func:`path_table`: the path from the base year to the horizon;
* :func:`assumption_table`: every assumption with value, range, unit, source and reliability;
* :func:`colophon`: version, commit, parameters, input hashes, time of generation, sources.
"""

from __future__ import annotations

import html
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socecon import __version__
from socecon.data.snapshot import CACHE_CLEARERS, default_data_dir, read_manifest, sha256_file
from socecon.model.core import TARGET_STOCKS
from socecon.report.export import format_number

#: Where the YAML declarations live (hashed in the colophon).
DEFINITIONS_DIR = Path(__file__).resolve().parents[1] / "definitions"

#: The national row of the snapshot.
NATIONAL = "NL01"

#: Reference year of the CBS figures shown (the model's base year).
FIGURES_YEAR = 2015

#: Dutch explanation of the reliability tags of ``assumptions.yaml``.
RELIABILITY_TEXT = {
    "C": "bevestigd in een officiële bron (of een bron die SZW, UWV, CBS of de Rijksoverheid "
    "aanhaalt)",
    "C2": "bevestigd in een secundaire bron of vakbron",
    "D": "afgeleid uit bevestigde cijfers (C of C2)",
    "U": "onzeker: geen bron gevonden; een verdedigbare aanname met een ruime bandbreedte",
    "S": "keuze uit de scenariostudie of instelling van het model (geen feit over 2020)",
}

#: Dutch names of the units used in ``assumptions.yaml`` and ``indicators.yaml``.
UNIT_TEXT = {
    "share": "aandeel",
    "share of WML": "aandeel van het WML",
    "share of jobs": "aandeel van de banen",
    "share of wage": "aandeel van het loon",
    "share per band": "aandeel per loonwaardeklasse",
    "share/year": "per jaar",
    "EUR/month": "€ per maand",
    "EUR/year": "€ per jaar",
    "EUR/person/year": "€ per persoon per jaar",
    "EUR/place/year": "€ per plaats per jaar",
    "EUR/job/year": "€ per baan per jaar",
    "hours/week": "uur per week",
    "index": "index",
    "percentage points": "procentpunt",
    "places per 1,000 jobs": "plaatsen per 1.000 banen",
    "persons": "personen",
    "jobs": "banen",
    "%": "%",
    "ratio": "verhouding",
}


# --------------------------------------------------------------------------- formatting


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and not np.isfinite(value))


def format_count(value: Any) -> str:
    """Format a count of persons or jobs: whole number, thousands with a dot.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    str
        ``"2.490"``; ``"–"`` for a missing value.
    """
    return "–" if _missing(value) else format_number(float(value), 0)


def format_euro(value: Any) -> str:
    """Format an amount in euros, rounded to whole euros.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    str
        ``"€ 1.234.567"``, ``"-€ 12.000"`` for a negative amount, ``"–"`` when missing.
    """
    if _missing(value):
        return "–"
    value = float(value)
    sign = "-" if round(value) < 0 else ""
    return f"{sign}€ {format_number(abs(value), 0)}"


def format_percent(value: Any, decimals: int = 1) -> str:
    """Format a percentage given in percent (``12.34`` becomes ``"12,3 %"``).

    Parameters
    ----------
    value : float or None
    decimals : int

    Returns
    -------
    str
    """
    return "–" if _missing(value) else f"{format_number(float(value), decimals)} %"


def format_plain(value: Any, max_decimals: int = 3) -> str:
    """Format a number with as few decimals as it needs (at most ``max_decimals``).

    Parameters
    ----------
    value : float or None
    max_decimals : int

    Returns
    -------
    str
        ``format_plain(25.5) == "25,5"``, ``format_plain(36.0) == "36"``.
    """
    if _missing(value):
        return "–"
    value = float(value)
    for decimals in range(max_decimals + 1):
        if abs(round(value, decimals) - value) < 10 ** -(max_decimals + 1):
            return format_number(value, decimals)
    return format_number(value, max_decimals)


def format_indicator(value: Any, unit: str) -> str:
    """Format an indicator value by its unit (persons, euros, percent, ratio).

    Parameters
    ----------
    value : float or None
    unit : str
        The unit as declared in ``indicators.yaml``.

    Returns
    -------
    str
    """
    if unit.startswith("EUR"):
        return format_euro(value)
    if unit == "%":
        return format_percent(value)
    if unit == "ratio":
        return "–" if _missing(value) else format_number(float(value), 2)
    return format_count(value)


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str | None = None,
    numeric: Sequence[bool] | None = None,
    row_classes: Sequence[str] | None = None,
) -> str:
    """Render a small HTML table with escaped cells; numeric columns are right-aligned.

    Parameters
    ----------
    header : sequence of str
        Column headers.
    rows : iterable of sequences
        Already formatted cells (converted with ``str``).
    caption : str, optional
        Table caption.
    numeric : sequence of bool, optional
        Which columns hold numbers; all but the first by default.
    row_classes : sequence of str, optional
        A CSS class per row ("" for none).

    Returns
    -------
    str
        A ``<table class="socecon-table">`` element.
    """
    numeric = list(numeric) if numeric is not None else [i > 0 for i in range(len(header))]

    def cell(tag: str, i: int, text: Any) -> str:
        cls = ' class="number"' if numeric[i] else ""
        return f"<{tag}{cls}>{_esc(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cls = row_classes[r] if row_classes and row_classes[r] else ""
        attr = f' class="{_esc(cls)}"' if cls else ""
        body.append(f"<tr{attr}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>")
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return (
        f'<table class="socecon-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)


# --------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class ReportRegion:
    """The region a report is about.

    Attributes
    ----------
    code : str
        ``GMxxxx`` or a group id (``isd_midden_langstraat``) or region code (``AMxx``).
    name : str
        Dutch name.
    members : tuple of str
        Member municipalities (the code itself for a municipality).
    labour_market_regions : tuple of str
        The arbeidsmarktregio(s) of the members (``AMxx``).
    """

    code: str
    name: str
    members: tuple[str, ...]
    labour_market_regions: tuple[str, ...]

    @property
    def is_group(self) -> bool:
        """Whether the report covers more than one municipality."""
        return not self.code.startswith("GM")


def resolve_region(region: str) -> ReportRegion:
    """Resolve the notebook's ``region`` parameter; the report's first check.

    Parameters
    ----------
    region : str
        A municipality code or name, a group id or a region code (see
        :func:`socecon.regions.resolve`).

    Returns
    -------
    ReportRegion

    Raises
    ------
    socecon.exceptions.UnknownRegionError
        For an unknown or malformed code; the message names the closest matches.
    """
    from socecon import regions

    code = regions.resolve(region)
    members = regions.group_members(code)
    table = regions.load_regions()
    ams = tuple(dict.fromkeys(table.loc[list(members), "labour_market_region_code"]))
    return ReportRegion(code, regions.region_name(code), tuple(members), ams)


def introduction(region: str, horizon: int) -> Any:
    """Return the report's title and reading guide.

    Parameters
    ----------
    region : str
        Anything :func:`resolve_region` accepts.
    horizon : int
        The horizon year of the scenarios.

    Returns
    -------
    IPython.display.Markdown
    """
    from socecon import regions

    r = resolve_region(region)
    if r.is_group:
        names = ", ".join(regions.region_name(m) for m in r.members)
        who = f"{r.name} ({names})"
    else:
        who = r.name
    text = (
        f"# Sociale economie in {r.name}: vier scenario's voor {horizon}\n\n"
        f"Dit rapport maakt de vier toekomstscenario's voor de sociale economie van de "
        f"TNO-scenariostudie (2010) concreet voor **{who}**, met cijfers van het CBS. Het laat "
        f"zien hoeveel mensen met een kwetsbare positie op de arbeidsmarkt in elk scenario aan "
        f"het werk zijn in {horizon}, wie buiten de boot valt en bij welke loonwaarde, wat het de "
        f"gemeente kost en wat het oplevert.\n\n"
        "De grafieken zijn interactief: met de schuifregelaar en de keuzelijst onder een grafiek "
        "ziet u het effect van een andere aanname of een ander scenario. Het rapport werkt zonder "
        "internet."
    )
    counts = region_counts(r.code)
    if all(_missing(counts.get(v)) or counts.get(v) == 0 for v in TARGET_STOCKS):
        text += (
            f"\n\n**Let op.** Het CBS telt in {r.name} in {FIGURES_YEAR} geen mensen in de "
            "bijstand (15 jaar tot AOW-leeftijd), de Wsw of de Wajong: het rondt deze aantallen af "
            "op tientallen, dus het gaat om minder dan vijf per groep. De doelgroep is daarom "
            "leeg en de scenario's plaatsen niemand; kosten per geplaatste ontbreken."
        )
    return _markdown(text)


# --------------------------------------------------------------------------- CBS figures

#: Counts shown in "de gemeente in cijfers": variable id and Dutch label.
FIGURE_ROWS: tuple[tuple[str, str], ...] = (
    ("population", "Inwoners (1 januari)"),
    ("population_15_64", "Inwoners 15-64 jaar"),
    ("jobs", "Banen (werknemers en zelfstandigen)"),
    ("bijstand_15_aow", "Bijstand, 15 jaar tot AOW-leeftijd"),
    ("wsw_employees", "Werknemers sociale werkvoorziening (Wsw)"),
    ("wajong", "Wajong-uitkeringen"),
    ("ww", "WW-uitkeringen"),
    ("reintegration_provision", "Re-integratievoorzieningen van de gemeente"),
    ("bijstand_outflow_to_work", "Uitstroom uit de bijstand naar werk"),
)

#: Rates shown, recomputed from counts: label, numerator, denominator, scale.
RATE_ROWS: tuple[tuple[str, str, str, float], ...] = (
    ("Bijstand per 1.000 inwoners 15 jaar-AOW", "bijstand_15_aow", "population_15_aow", 1000.0),
    ("Wsw per 1.000 inwoners 15-64", "wsw_employees", "population_15_64", 1000.0),
    ("Wajong per 1.000 inwoners 15-64", "wajong", "population_15_64", 1000.0),
    ("WW per 1.000 inwoners 15-64", "ww", "population_15_64", 1000.0),
    ("Banen per 1.000 inwoners 15-64", "jobs", "population_15_64", 1000.0),
    (
        "Uitstroom naar werk (% van de uitstroom uit de bijstand)",
        "bijstand_outflow_to_work",
        "bijstand_outflow_15_aow",
        100.0,
    ),
)


def region_counts(code: str, year: int = FIGURES_YEAR) -> pd.Series:
    """Return the CBS counts of a municipality, group or region for one year.

    A municipality and the Netherlands come straight from the snapshot. For a group or an
    arbeidsmarktregio the CBS row is used where the snapshot has one, and otherwise the sum of
    the member municipalities (a variable missing for any member stays missing: a partial sum is
    not the region's figure).

    Parameters
    ----------
    code : str
        ``GMxxxx``, ``NL01``, ``AMxx`` or a group id.
    year : int

    Returns
    -------
    pandas.Series
        Variable id to value (counts only; rates are left out, see :func:`figures_frame`).
    """
    from socecon import regions
    from socecon.data.snapshot import VARIABLES, load_snapshot

    snap = load_snapshot()
    snap = snap[snap["year"] == int(year)]
    counts = [v for v, spec in VARIABLES.items() if spec.is_count]
    own = snap[snap["region"] == code].set_index("variable")["value"]
    if code.startswith("GM") or code == NATIONAL:
        return own.reindex(counts).astype(float)
    summed = regions.aggregate(snap, code).set_index("variable")["value"]
    return own.combine_first(summed).reindex(counts).astype(float)


def figures_frame(region: str, year: int = FIGURES_YEAR) -> pd.DataFrame:
    """Return the CBS figures of a region next to its arbeidsmarktregio and the Netherlands.

    Parameters
    ----------
    region : str
        Anything :func:`resolve_region` accepts.
    year : int
        Reference year (2015, the model's base year, by default).

    Returns
    -------
    pandas.DataFrame
        One row per label of :data:`FIGURE_ROWS` and :data:`RATE_ROWS` (index), one column per
        area: the region, then its arbeidsmarktregio(s) (when different from the region), then
        ``Nederland``; column names are Dutch area names. Rates are computed here from the
        counts of each area, never averaged. The attribute ``attrs["kind"]`` maps every row
        label to ``"count"`` or ``"rate"``.
    """
    from socecon import regions

    r = resolve_region(region)
    areas = [r.code, *[am for am in r.labour_market_regions if am != r.code]]
    if r.code != NATIONAL:
        areas.append(NATIONAL)
    columns = {}
    for code in areas:
        counts = region_counts(code, year)
        values = {label: counts.get(var, np.nan) for var, label in FIGURE_ROWS}
        for label, num, den, scale in RATE_ROWS:
            n, d = counts.get(num, np.nan), counts.get(den, np.nan)
            values[label] = scale * n / d if d and np.isfinite(d) and np.isfinite(n) else np.nan
        name = regions.region_name(code)
        if code.startswith("AM"):
            name = f"Arbeidsmarktregio {name}"
        columns[name] = pd.Series(values, dtype=float)
    frame = pd.DataFrame(columns)
    frame.attrs["kind"] = {label: "count" for _, label in FIGURE_ROWS} | {
        label: "rate" for label, *_ in RATE_ROWS
    }
    return frame


def members_frame(region: str, year: int = FIGURES_YEAR) -> pd.DataFrame:
    """Return the main CBS counts of each member of a group (one row per municipality).

    Parameters
    ----------
    region : str
        A group or region (for a municipality: one row).
    year : int

    Returns
    -------
    pandas.DataFrame
        Index: Dutch municipality names; columns: Dutch labels of population, bijstand, Wsw,
        Wajong and bijstand per 1,000 inhabitants 15-AOW.
    """
    from socecon import regions

    rows = {}
    for code in resolve_region(region).members:
        c = region_counts(code, year)
        rate = 1000.0 * c["bijstand_15_aow"] / c["population_15_aow"]
        rows[regions.region_name(code)] = {
            "Inwoners": c["population"],
            "Bijstand 15-AOW": c["bijstand_15_aow"],
            "Wsw": c["wsw_employees"],
            "Wajong": c["wajong"],
            "Bijstand per 1.000 inwoners 15-AOW": rate,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def municipality_in_figures(region: str, year: int = FIGURES_YEAR) -> Any:
    """Return the section "de gemeente in cijfers" as HTML.

    Parameters
    ----------
    region : str
        Anything :func:`resolve_region` accepts.
    year : int
        Reference year of the CBS figures.

    Returns
    -------
    IPython.display.HTML
        A comparison table (region, arbeidsmarktregio, Nederland), for a group also a table of
        its members, and the sources.
    """
    r = resolve_region(region)
    frame = figures_frame(region, year)
    kinds = frame.attrs["kind"]
    rows = [
        [
            label,
            *(
                format_count(v) if kinds[label] == "count" else format_number(v, 1)
                for v in frame.loc[label]
            ),
        ]
        for label in frame.index
    ]
    parts = [
        f"<p>Kerncijfers {year} van {_esc(r.name)}, vergeleken met "
        + (
            "de arbeidsmarktregio en "
            if any(c.startswith("Arbeidsmarktregio") for c in frame)
            else ""
        )
        + "heel Nederland. Aantallen in personen (banen: aantal banen); verhoudingen zijn per "
        "gebied berekend uit de opgetelde aantallen.</p>",
        html_table([f"Cijfers {year}", *frame.columns], rows),
    ]
    if r.is_group:
        members = members_frame(region, year)
        member_rows = [
            [name, *(format_count(v) for v in row.iloc[:-1]), format_number(row.iloc[-1], 1)]
            for name, row in members.iterrows()
        ]
        parts.append(f"<p>{_esc(r.name)} bestaat uit {len(members)} gemeenten:</p>")
        parts.append(html_table(["Gemeente", *members.columns], member_rows))
    parts.append(
        '<p class="socecon-muted">Bron: CBS, StatLine 70072ned (Regionale kerncijfers) en '
        f"83450NED (bijstand, re-integratie en Wsw), peiljaar {year}; bewerking socecon. "
        "Een streepje betekent dat het CBS geen cijfer publiceert.</p>"
    )
    return _html("\n".join(parts))


# --------------------------------------------------------------------------- scenarios


def scenario_texts() -> Any:
    """Return the four scenarios of the study as HTML, one subsection each.

    Each scenario shows its tagline, its place on the two axes, the type of employer, the
    productivity window served, the measures (Dutch names), the storyline and who falls outside.

    Returns
    -------
    IPython.display.HTML
    """
    from socecon.definitions import load_definitions

    defs = load_definitions()
    parts = []
    for s in defs.future_scenarios:
        axes = "; ".join(
            f"{defs.axis(axis_id).name}: {defs.axis(axis_id).pole(pole).label.lower()}"
            for axis_id, pole in s.axes.items()
        )
        measures = "".join(f"<li>{_esc(defs.measure(m).name)}</li>" for m in s.measures)
        window = (
            f"{s.productivity.low:g} tot {s.productivity.high:g} % loonwaarde"
            if s.productivity
            else "–"
        )
        parts.append(
            f'<section class="socecon-scenario" id="scenario-{_esc(s.id)}">'
            f"<h3>{_esc(s.name)}</h3>"
            f"<p><em>{_esc(s.tagline)}</em></p>"
            "<dl>"
            f"<dt>Kernonzekerheden</dt><dd>{_esc(axes)}</dd>"
            f"<dt>Werkgever</dt><dd>{_esc(s.employer_type)}</dd>"
            f"<dt>Wie wordt bediend</dt><dd>{_esc(window)}</dd>"
            f"<dt>Beleid</dt><dd>{_esc(s.policy_principles)}; {_esc(s.policy_goals)}</dd>"
            f"</dl><p><strong>Maatregelen</strong></p><ul>{measures}</ul>"
            f"<p>{_esc(s.storyline)}</p>"
            f"<p><strong>Buiten de boot.</strong> {_esc(s.left_out)}</p>"
            "</section>"
        )
    return _html("\n".join(parts))


def _scenarios() -> list[tuple[str, str]]:
    from socecon.definitions import load_definitions

    return [(s.id, s.name) for s in load_definitions().scenarios]


def _year(frame: pd.DataFrame, region: str, year: int | None) -> int:
    """Return the year shown for ``region``: ``year``, or the last year in ``frame``."""
    if year is not None:
        return int(year)
    return int(frame.loc[frame["region"].astype(str) == region, "year"].max())


def _at(frame: pd.DataFrame, region: str, year: int | None) -> tuple[pd.DataFrame, int]:
    """Rows of one region and year (the last year by default), indexed by variable x scenario."""
    rows = frame[frame["region"].astype(str) == region]
    if rows.empty:
        from socecon.exceptions import ModelError

        raise ModelError(f"no model results for region {region!r}")
    year = int(rows["year"].max()) if year is None else int(year)
    rows = rows[rows["year"] == year]
    # dropna=False keeps indicators that are empty everywhere (no one placed: no cost per person)
    table = rows.pivot_table(
        index="variable",
        columns="scenario",
        values="value",
        observed=True,
        aggfunc="first",
        dropna=False,
    )
    return table, year


# --------------------------------------------------------------------------- target group


def band_frame(frame: pd.DataFrame, region: str, year: int | None = None) -> pd.DataFrame:
    """Return the target group and the people placed per loonwaarde band and scenario.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
        A region id present in ``frame``.
    year : int, optional
        The last year in ``frame`` by default.

    Returns
    -------
    pandas.DataFrame
        Index: band labels (``"20-30"``); columns: ``target_group`` and one per scenario id
        with the number placed.
    """
    from socecon.definitions.assumptions import BAND_LABELS

    table, _ = _at(frame, region, year)
    out = pd.DataFrame(index=list(BAND_LABELS))
    out["target_group"] = [table.loc[f"target_group|{b}", "baseline"] for b in BAND_LABELS]
    for sid, _name in _scenarios():
        if sid in table.columns:
            out[sid] = [table.loc[f"placed|{b}", sid] for b in BAND_LABELS]
    return out


def target_group_by_band(frame: pd.DataFrame, region: str, year: int | None = None) -> Any:
    """Return the target group per loonwaarde band and who each scenario serves, as HTML.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
        A region id present in ``frame``.
    year : int, optional
        The last year in ``frame`` by default.

    Returns
    -------
    IPython.display.HTML
        A table (bands x scenarios, people placed; bands outside a scenario's window greyed)
        and one sentence per scenario on who falls outside.
    """
    from socecon.definitions import load_definitions
    from socecon.definitions.assumptions import BAND_EDGES

    defs = load_definitions()
    bands = band_frame(frame, region, year)
    year = _year(frame, region, year)
    scen = [s for s in defs.scenarios if s.id in bands.columns]
    header = ["Loonwaarde", "Doelgroep", *(s.name for s in scen)]
    rows = []
    for i, band in enumerate(bands.index):
        lo, hi = BAND_EDGES[i], BAND_EDGES[i + 1]
        cells = [f"{lo}-{hi} %", format_count(bands.loc[band, "target_group"])]
        for s in scen:
            mid = (lo + hi) / 2
            inside = s.productivity is None or s.productivity.contains(mid)
            text = format_count(bands.loc[band, s.id])
            cells.append(text if inside else "–")
        rows.append(cells)
    total = bands.sum()
    rows.append(
        ["Totaal", format_count(total["target_group"]), *(format_count(total[s.id]) for s in scen)]
    )
    sentences = []
    for s in scen:
        if s.is_baseline:
            continue
        left = bands["target_group"] - bands[s.id]
        mids = (BAND_EDGES[:-1] + BAND_EDGES[1:]) / 2
        below = left[mids < s.productivity.low].sum()
        above = left[mids > s.productivity.high].sum()
        inside = left.sum() - below - above
        sentences.append(
            f"<li><strong>{_esc(s.name)}</strong> ({s.productivity.low:g}-"
            f"{s.productivity.high:g} %): {format_count(bands[s.id].sum())} geplaatst, "
            f"{format_count(left.sum())} buiten de boot, van wie {format_count(below)} met een "
            f"lagere en {format_count(above)} met een hogere loonwaarde dan het venster en "
            f"{format_count(inside)} binnen het venster (niet deelgenomen of geen plaats).</li>"
        )
    text = (
        f"<p>De doelgroep in {year} per loonwaardeklasse (de productiviteit als percentage van "
        "die van een gewone werknemer) en het aantal geplaatsten per scenario. Elk scenario "
        "bedient alleen zijn eigen productiviteitsvenster (een streepje: de klasse valt buiten "
        "het venster); het basisjaar toont de feitelijke situatie.</p>"
    )
    return _html(
        text + html_table(header, rows) + f"<ul>{''.join(sentences)}</ul>"
        '<p class="socecon-muted">De verdeling van de doelgroep over de loonwaardeklassen is een '
        "aanname (er is geen gepubliceerde verdeling); zie de aannames onderaan.</p>"
    )


# --------------------------------------------------------------------------- indicators

#: Indicators in the report's table, in order.
INDICATOR_ROWS = (
    "target_group",
    "placed",
    "participation_rate",
    "left_out",
    "regular_share",
    "banenafspraak_jobs",
    "wage_cost_subsidy",
    "operating_subsidy",
    "guidance_cost",
    "overhead_cost",
    "gross_cost",
    "benefit_savings",
    "net_cost",
    "net_cost_per_placed",
    "sroi",
    "quota_compliance",
    "quota_levy",
)


def indicator_frame(frame: pd.DataFrame, region: str, year: int | None = None) -> pd.DataFrame:
    """Return the report's indicators for one region and year: indicators x scenarios.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
        A region id present in ``frame``.
    year : int, optional
        The last year in ``frame`` by default.

    Returns
    -------
    pandas.DataFrame
        Index: indicator ids of :data:`INDICATOR_ROWS` present in ``frame``; columns: scenario
        ids; NaN where an indicator does not apply to a scenario (the quota).
    """
    table, _ = _at(frame, region, year)
    ids = [i for i in INDICATOR_ROWS if i in table.index]
    cols = [sid for sid, _ in _scenarios() if sid in table.columns]
    return table.loc[ids, cols].astype(float)


def indicator_table(frame: pd.DataFrame, region: str, year: int | None = None) -> Any:
    """Return the indicators per scenario as a Dutch HTML table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
        A region id present in ``frame``.
    year : int, optional
        The last year in ``frame`` by default.

    Returns
    -------
    IPython.display.HTML
    """
    from socecon.definitions.indicators import load_indicator_definitions

    defs = {d.id: d for d in load_indicator_definitions()}
    names = dict(_scenarios())
    table = indicator_frame(frame, region, year)
    year = _year(frame, region, year)
    header = [f"Indicator ({year})", *(names[s] for s in table.columns)]
    rows = [
        [
            f"{defs[i].label} ({UNIT_TEXT.get(defs[i].unit, defs[i].unit)})",
            *(format_indicator(v, defs[i].unit) for v in table.loc[i]),
        ]
        for i in table.index
    ]
    note = (
        '<p class="socecon-muted">Kosten en besparingen in euro per jaar, in prijzen van '
        f"{year}. Netto kosten = bruto kosten min besparing op de bijstand (negatief: de "
        "gemeente houdt geld over). SROI = maatschappelijke opbrengst per euro bruto kosten. "
        "De quotumregeling geldt alleen in Regulier; de heffing betalen werkgevers.</p>"
    )
    return _html(html_table(header, rows) + note)


def path_frame(frame: pd.DataFrame, region: str, variable: str = "placed") -> pd.DataFrame:
    """Return one indicator per year (rows) and scenario (columns) for one region.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
    variable : str

    Returns
    -------
    pandas.DataFrame
    """
    rows = frame[(frame["region"].astype(str) == region) & (frame["variable"] == variable)]
    table = rows.pivot_table(
        index="year", columns="scenario", values="value", observed=True, aggfunc="first"
    )
    return table[[sid for sid, _ in _scenarios() if sid in table.columns]].astype(float)


def path_table(frame: pd.DataFrame, region: str, variable: str = "placed") -> Any:
    """Return the path from the base year to the horizon as an HTML table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
    variable : str
        An indicator id (``placed`` by default).

    Returns
    -------
    IPython.display.HTML
    """
    from socecon.definitions.indicators import load_indicator_definitions

    d = {x.id: x for x in load_indicator_definitions()}[variable]
    names = dict(_scenarios())
    table = path_frame(frame, region, variable)
    header = ["Jaar", *(names[s] for s in table.columns)]
    rows = [[str(y), *(format_indicator(v, d.unit) for v in row)] for y, row in table.iterrows()]
    return _html(html_table(header, rows, caption=f"{d.label} per jaar"))


# --------------------------------------------------------------------------- assumptions


def _is_share(unit: str) -> bool:
    return unit in ("share", "share of WML", "share of jobs", "share of wage", "share/year")


def format_assumption(value: Any, unit: str) -> str:
    """Format an assumption's value in Dutch: shares as percentages, amounts with a comma.

    Parameters
    ----------
    value : float
    unit : str
        The unit as declared in ``assumptions.yaml``.

    Returns
    -------
    str
    """
    if _missing(value):
        return "–"
    if _is_share(unit):
        return f"{format_plain(float(value) * 100, 1)} %"
    if unit.startswith("EUR"):
        whole = float(value) == round(float(value))
        return f"€ {format_number(float(value), 0 if whole else 2)}"
    return format_plain(value)


def assumption_rows(overrides: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Return every assumption as formatted Dutch strings (the rows of the assumptions table).

    Parameters
    ----------
    overrides : mapping, optional
        The report's assumption overrides; an overridden value is shown with "(aangepast;
        standaard ...)".

    Returns
    -------
    list of dict
        Keys ``id, label, value, range, unit, source, reliability``.
    """
    from socecon.definitions.assumptions import BAND_LABELS, load_assumptions

    overrides = dict(overrides or {})
    rows = []
    for a in load_assumptions():
        unit = UNIT_TEXT.get(a.unit, a.unit)
        if a.kind == "series":
            years = sorted({int(d[:4]) for d in a.value})
            value = f"{years[0]}: {format_assumption(a.series_value(years[0]), a.unit)} … " + (
                f"{years[-1]}: {format_assumption(a.series_value(years[-1]), a.unit)}"
            )
            span = "–"
        elif a.kind == "distribution":
            shares = np.asarray(overrides.get(a.id, a.value), dtype=float)
            value = ", ".join(
                f"{b}: {format_plain(100 * s, 1)} %"
                for b, s in zip(BAND_LABELS, shares, strict=True)
                if s > 0
            )
            span = "–"
        else:
            shown = overrides.get(a.id, a.value)
            value = format_assumption(shown, a.unit)
            if a.id in overrides:
                value += f" (aangepast; standaard {format_assumption(a.value, a.unit)})"
            span = (
                "–"
                if a.low is None or a.low == a.high
                else f"{format_assumption(a.low, a.unit)} tot {format_assumption(a.high, a.unit)}"
            )
        rows.append(
            {
                "id": a.id,
                "label": a.label,
                "value": value,
                "range": span,
                "unit": "%" if _is_share(a.unit) else unit,
                "source": a.source_nl,
                "reliability": a.reliability,
            }
        )
    return rows


def assumption_table(overrides: Mapping[str, Any] | None = None) -> Any:
    """Return every assumption with its value, range, unit, source and reliability, as HTML.

    Parameters
    ----------
    overrides : mapping, optional
        The report's assumption overrides (marked in the table).

    Returns
    -------
    IPython.display.HTML
        The table and a legend of the reliability tags.
    """
    rows = assumption_rows(overrides)
    table = html_table(
        ["Aanname", "Waarde", "Bandbreedte", "Eenheid", "Bron", "Betrouwbaarheid"],
        [
            [r["label"], r["value"], r["range"], r["unit"], r["source"], r["reliability"]]
            for r in rows
        ],
        numeric=[False, True, True, False, False, False],
    )
    legend = "".join(
        f"<li><strong>{tag}</strong>: {_esc(text)}</li>" for tag, text in RELIABILITY_TEXT.items()
    )
    return _html(
        "<p>Elk getal in het model dat geen CBS-cijfer is, is een aanname met een bron en een "
        "bandbreedte. De bandbreedte is het bereik van de schuifregelaars en van de "
        "gevoeligheidsanalyse. De bronvermeldingen zijn overgenomen uit het onderzoek achter "
        "het model.</p>" + table + f"<p>Betrouwbaarheid:</p><ul>{legend}</ul>"
    )


# --------------------------------------------------------------------------- colophon


def git_commit(repo: str | Path | None = None) -> str:
    """Return the git commit of the source tree socecon runs from, or "onbekend".

    Parameters
    ----------
    repo : str or Path, optional
        The repository; the folder above the ``socecon`` package by default.

    Returns
    -------
    str
        The full commit hash, with " (met lokale wijzigingen)" when tracked files differ from it;
        "onbekend" outside a git checkout or without git. Asked once per process and repository:
        every report a warm kernel writes shows the same commit without running git again.
    """
    return _git_commit(Path(repo).resolve() if repo else Path(__file__).resolve().parents[2])


@cache
def _git_commit(repo: Path) -> str:
    if not (repo / ".git").exists():
        return "onbekend"
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    return f"{head} (met lokale wijzigingen)" if dirty else head


def definition_hashes() -> dict[str, str]:
    """Return the sha256 of every YAML declaration file (scenarios, assumptions, ...).

    Returns
    -------
    dict
        ``definitions/<name>.yaml`` to hex sha256, sorted by name.
    """
    return {f"definitions/{p.name}": sha256_file(p) for p in sorted(DEFINITIONS_DIR.glob("*.yaml"))}


def cbs_tables() -> dict[str, str]:
    """Return the CBS tables behind the snapshot, from ``data/manifest.yaml``.

    Returns
    -------
    dict
        Table id to title, in manifest order. The manifest is read once per data directory,
        like the snapshot (:func:`socecon.data.snapshot.clear_cache` forgets it).
    """
    return dict(_cbs_tables(default_data_dir()))


@cache
def _cbs_tables(data_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for table in read_manifest(data_dir).get("tables", {}).values():
        for t in table.get("cbs_tables", []):
            found.setdefault(str(t["id"]), str(t.get("title", "")))
    return found


CACHE_CLEARERS.append(_cbs_tables.cache_clear)


def colophon(parameters: Mapping[str, Any], *, now: datetime | None = None) -> Any:
    """Return the colophon: version, commit, parameters, input hashes, time, sources, licence.

    Parameters
    ----------
    parameters : mapping
        The notebook's parameters (region, horizon, overrides, ...), shown as given.
    now : datetime, optional
        The time of generation; the current local time by default.

    Returns
    -------
    IPython.display.HTML
    """
    from socecon.data.snapshot import ATTRIBUTION, LICENCE, input_hashes

    now = now or datetime.now().astimezone()
    params = "".join(
        f"<li><code>{_esc(k)} = {_esc(repr(v))}</code></li>" for k, v in parameters.items()
    )
    hashes = {f"data/{k}": v for k, v in input_hashes().items()} | definition_hashes()
    hash_rows = [[name, digest] for name, digest in hashes.items()]
    tables = "".join(f"<li>{_esc(tid)}: {_esc(title)}</li>" for tid, title in cbs_tables().items())
    return _html(
        '<section class="socecon-colophon">'
        "<dl>"
        f"<dt>Gemaakt met</dt><dd>socecon {_esc(__version__)}</dd>"
        f"<dt>Commit</dt><dd><code>{_esc(git_commit())}</code></dd>"
        f"<dt>Gemaakt op</dt><dd>{now.strftime('%d-%m-%Y %H:%M')}</dd>"
        f"<dt>Gegevens</dt><dd>{_esc(ATTRIBUTION)} (open data, licentie {_esc(LICENCE)})</dd>"
        "</dl>"
        f"<p><strong>Parameters</strong></p><ul>{params}</ul>"
        f"<p><strong>CBS-tabellen</strong></p><ul>{tables}</ul>"
        "<p><strong>Invoerbestanden (sha256)</strong></p>"
        + html_table(["Bestand", "sha256"], hash_rows, numeric=[False, False])
        + "<p>De scenario's komen uit de TNO-scenariostudie naar de sociale economie in 2020 "
        "(2010), opgesteld met Gilze en Rijen, ISD Midden-Langstraat, Smallingerland, Hengelo, "
        "Zutphen en Assen.</p></section>"
    )


# --------------------------------------------------------------------------- key figures


def _whole(value: Any) -> int | None:
    """Round to whole people or euros, as the report shows them; None where there is no value."""
    return None if _missing(value) else round(float(value))


def key_figures(frame: pd.DataFrame, region: str, year: int | None = None) -> dict[str, float]:
    """Return the key figures the index page shows for this report.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
        A region id present in ``frame``.
    year : int, optional
        The horizon (last year in ``frame``) by default.

    Returns
    -------
    dict
        Dutch labels to values: the target group, the people placed in the base year and in
        each scenario at the horizon, and the net cost per person placed in Regulier.
        Pass it to :func:`socecon.report.export.publish_key_figures`.
    """
    table, year = _at(frame, region, year)
    base_year = int(frame["year"].min())
    base, _ = _at(frame, region, base_year)
    figures = {
        "Doelgroep": _whole(table.loc["target_group", "baseline"]),
        f"Geplaatst {base_year} (basisjaar)": _whole(base.loc["placed", "baseline"]),
    }
    for sid, name in _scenarios():
        if sid != "baseline" and sid in table.columns:
            figures[f"Geplaatst {year} ({name})"] = _whole(table.loc["placed", sid])
    if "regulier" in table.columns:
        figures[f"Netto kosten per geplaatste {year} (Regulier, €)"] = _whole(
            table.loc["net_cost_per_placed", "regulier"]
        )
    return figures


def windtunnel_table(
    region: str,
    goal: Mapping[str, float],
    *,
    horizon: int = 2020,
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
    from socecon.analysis.windtunnel import matrix

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
    from socecon.analysis.windtunnel import CLASSES, summary_nl

    paragraphs = "".join(f"<p>{_esc(line)}</p>" for line in summary_nl(table).splitlines() if line)
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
        caption=f"Doel: {table.attrs.get('goal', '')}",
        numeric=[False, False, False, True],
    )
    return _html(paragraphs + explanation + table_html)


def hindcast() -> Any:
    """Return what actually happened by 2020, per scenario, as Dutch HTML with sources.

    The national hindcast of ``definitions/hindcast.yaml`` (which scenario came closest, with the
    sourced evidence and its reliability tag), as the overview notebook shows it too.

    Returns
    -------
    IPython.display.HTML
    """
    from socecon.definitions.hindcast import load_hindcast
    from socecon.report.overview import hindcast_table

    declared = load_hindcast()
    table = hindcast_table()
    rows = [
        (name, r["oordeel"], r["wat er gebeurde"], r["bronnen"]) for name, r in table.iterrows()
    ]
    return _html(
        f"<p>{_esc(declared.verdict)}</p>"
        + html_table(
            ["Scenario", "Uitgekomen?", "Wat er gebeurde", "Bronnen"],
            rows,
            numeric=[False, False, False, False],
        )
        + f"<p><em>Kanttekening:</em> {_esc(declared.caveat)}</p>"
    )
