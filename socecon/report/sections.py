"""The text and tables of the municipal report's sections, one function per notebook cell.

``notebooks/municipality_report.ipynb`` is thin: each of its cells calls one function of the
report layer (or a chart builder of :mod:`socecon.present`) and shows what it returns. The
functions here return something IPython displays (:class:`IPython.display.HTML` or
:class:`IPython.display.Markdown`), in Dutch, with the Dutch number formats of
:mod:`socecon.present.formats` (``1.234,5``). The figures behind each table are available as
plain data too (:func:`band_frame`, :func:`indicator_frame`, :func:`path_frame`), so tests and
analysts can check them without parsing HTML.

Sections, in report order (the other sections live beside this module):

* :func:`title`: the report's title;
* :func:`socecon.report.summary.summary_html`: the summary, generated from the results;
* :func:`introduction`: the reading guide for a municipality or group;
* :func:`socecon.report.region_figures.municipality_in_figures`: the CBS figures;
* :func:`scenario_texts`: the four scenarios of the study, from ``definitions/scenarios.yaml``;
* :func:`target_group_by_band`: the target group per loonwaarde band, who is placed in each
  scenario's window and who falls outside;
* :func:`indicator_table`: placements, participation, costs, savings, net cost, SROI;
* :func:`path_table`: the path from the base year to the horizon;
* :func:`socecon.report.policy.windtunnel_summary`: the policy options in the wind tunnel;
* :func:`socecon.report.lookback.hindcast`: what the study expected for 2020, in its own words,
  and what actually happened;
* :func:`socecon.report.tables.assumption_table`: every assumption with its source;
* :func:`socecon.report.provenance.colophon`: version, commit, parameters, input hashes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from socecon import regions
from socecon.definitions import load_definitions
from socecon.definitions.assumptions import BAND_EDGES, BAND_LABELS
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.units import unit
from socecon.model import results
from socecon.model.inputs import TARGET_STOCKS
from socecon.present.formats import (
    format_count,
    format_indicator,
    is_missing,
    label_with_unit,
    round_euro,
    round_people,
)
from socecon.present.wording import council, council_label
from socecon.report.glossary import glossary_markdown
from socecon.report.lookback import study_quote
from socecon.report.region_figures import (
    FIGURES_YEAR,
    ReportRegion,
    indeling_text,
    region_counts,
    resolve_region,
)
from socecon.report.tables import as_html, as_markdown, esc, html_table, md_text


def title(region: str | ReportRegion, horizon: int) -> Any:
    """Return the report's title (the page's only first-level heading).

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
    name = md_text(resolve_region(region).name)  # names come from YAML or CBS: never markup
    return as_markdown(f"# Sociale economie in {name}: vier scenario's voor {horizon}")


def introduction(region: str | ReportRegion, horizon: int) -> Any:
    """Return the reading guide "Over dit rapport" (it follows the title and the summary).

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
    r = resolve_region(region)
    name = md_text(r.name)  # names come from YAML or CBS: never markup
    if r.is_group:
        names = ", ".join(md_text(regions.region_name(m, r.indeling)) for m in r.members)
        who = f"{name} ({names})"
    else:
        who = name + (f" ({md_text(r.note)})" if r.note else "")
    study = load_definitions().study
    text = (
        "## Over dit rapport\n\n"
        f"Dit rapport maakt de vier toekomstscenario's voor de sociale economie van de "
        f"scenariostudie van {md_text(study.authors)} ({study.year}) concreet voor **{who}**, "
        "met cijfers van het CBS. Het laat "
        f"zien hoeveel mensen met een kwetsbare positie op de arbeidsmarkt in elk scenario aan "
        f"het werk zijn in {horizon}, wie buiten de boot valt en bij welke loonwaarde, wat het "
        f"{council(r.code).short} kost en wat het oplevert.\n\n"
        "De grafieken zijn interactief: met de schuifregelaar en de keuzelijst onder een grafiek "
        "ziet u het effect van een andere aanname of een ander scenario. Het rapport werkt zonder "
        "internet.\n\n"
        f"{md_text(indeling_text(r))}"
    )
    counts = region_counts(r.code, indeling=r.indeling)
    if all(is_missing(counts.get(v)) or counts.get(v) == 0 for v in TARGET_STOCKS):
        text += (
            f"\n\n**Let op.** Het CBS telt in {name} in {FIGURES_YEAR} geen mensen in de "
            "bijstand (15 jaar tot AOW-leeftijd), de Wsw of de Wajong: het rondt deze aantallen af "
            "op tientallen, dus het gaat om minder dan vijf per groep. De doelgroep is daarom "
            "leeg en de scenario's plaatsen niemand; kosten per geplaatste ontbreken."
        )
    return as_markdown(text + "\n\n" + glossary_markdown())


# --------------------------------------------------------------------------- scenarios


def scenario_texts() -> Any:
    """Return the four scenarios of the study as HTML, one subsection each.

    Each scenario shows its tagline, its place on the two axes, the type of employer, the
    productivity window served, the measures (Dutch names), the storyline and who falls outside.

    Returns
    -------
    IPython.display.HTML
    """
    defs = load_definitions()
    parts = []
    for s in defs.future_scenarios:
        axes = "; ".join(
            f"{defs.axis(axis_id).name}: {defs.axis(axis_id).pole(pole).label.lower()}"
            for axis_id, pole in s.axes.items()
        )
        measures = "".join(f"<li>{esc(defs.measure(m).name)}</li>" for m in s.measures)
        window = (
            f"{s.productivity.low:g} tot {s.productivity.high:g} % loonwaarde"
            if s.productivity
            else "–"
        )
        parts.append(
            f'<section class="socecon-scenario" id="scenario-{esc(s.id)}">'
            f"<h3>{esc(s.name)}</h3>"
            f"<p><em>{esc(s.tagline)}</em></p>"
            "<dl>"
            f"<dt>Kernonzekerheden</dt><dd>{esc(axes)}</dd>"
            f"<dt>Werkgever</dt><dd>{esc(s.employer_type)}</dd>"
            f"<dt>Wie wordt bediend</dt><dd>{esc(window)}</dd>"
            f"<dt>Beleid</dt><dd>{esc(s.policy_principles)}; {esc(s.policy_goals)}</dd>"
            f"</dl><p><strong>Maatregelen</strong></p><ul>{measures}</ul>"
            + storyline_html(s)
            + f"<p><strong>Buiten de boot.</strong> {esc(s.left_out)}</p>"
            "</section>"
        )
    return as_html("\n".join(parts))


def storyline_html(scenario: Any) -> str:
    """Return a scenario's storyline as the study's words: a quote, then the summary of it.

    The quote is the seed's own sentences (``quote`` in ``scenarios.yaml``), introduced and set
    apart in a block with the study as its source (report_style.md: the storylines are the
    study's words); the longer summary follows, marked as a summary of the study.

    Parameters
    ----------
    scenario : socecon.definitions.Scenario

    Returns
    -------
    str
        Escaped HTML.
    """
    return (
        "<p>De studie beschrijft dit scenario zo:</p>"
        + study_quote(scenario)
        + f"<p><em>Het verhaal van de studie, kort samengevat:</em> {esc(scenario.storyline)}</p>"
    )


def _scenarios() -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in load_definitions().scenarios]


def shown_year(frame: pd.DataFrame, region: str, year: int | None) -> int:
    """Return the year a section shows for ``region``: ``year``, or the last year in ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
    year : int or None

    Returns
    -------
    int

    Raises
    ------
    ModelError
        If ``year`` is None and ``frame`` holds no results for ``region``.
    """
    return results.last_year(frame, region) if year is None else int(year)


def _at(frame: pd.DataFrame, region: str, year: int | None) -> tuple[pd.DataFrame, int]:
    """Rows of one region and year (the last year by default), indexed by variable x scenario."""
    last = results.last_year(frame, region)  # raises when the region has no results
    year = last if year is None else int(year)
    # dropna=False keeps indicators that are empty everywhere (no one placed: no cost per person)
    table = results.wide(frame, region, year, index="variable", columns="scenario", dropna=False)
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
    table, _ = _at(frame, region, year)
    out = pd.DataFrame(index=list(BAND_LABELS))
    out["target_group"] = [table.loc[f"target_group|{b}", "baseline"] for b in BAND_LABELS]
    for sid, _name in _scenarios():
        if sid in table.columns:
            out[sid] = [table.loc[f"placed|{b}", sid] for b in BAND_LABELS]
    return out


def left_out_by_window(bands: pd.DataFrame, scenario: str) -> tuple[float, float, float]:
    """Return who falls outside a scenario: below, above and inside its productivity window.

    Parameters
    ----------
    bands : pandas.DataFrame
        The table of :func:`band_frame`.
    scenario : str
        A future scenario id (one with a productivity window).

    Returns
    -------
    tuple of float
        People left out with a loonwaarde below the window, above it, and inside it (who did
        not take part or found no place); they add up to the target group minus those placed.
    """
    window = load_definitions().scenario(scenario).productivity
    left = bands["target_group"] - bands[scenario]
    mids = (BAND_EDGES[:-1] + BAND_EDGES[1:]) / 2
    below = float(left[mids < window.low].sum())
    above = float(left[mids > window.high].sum())
    return below, above, float(left.sum()) - below - above


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
    defs = load_definitions()
    bands = band_frame(frame, region, year)
    year = shown_year(frame, region, year)
    scen = [s for s in defs.scenarios if s.id in bands.columns]
    header = ["Loonwaarde", "Doelgroep", *(s.name for s in scen)]
    rows = []
    for i, band in enumerate(bands.index):
        lo, hi = BAND_EDGES[i], BAND_EDGES[i + 1]
        cells = [f"{lo}-{hi} %", _count(bands.loc[band, "target_group"])]
        for s in scen:
            mid = (lo + hi) / 2
            inside = s.productivity is None or s.productivity.contains(mid)
            text = _count(bands.loc[band, s.id])
            cells.append(text if inside else "–")
        rows.append(cells)
    total = bands.sum()
    rows.append(["Totaal", _count(total["target_group"]), *(_count(total[s.id]) for s in scen)])
    sentences = []
    for s in scen:
        if s.is_baseline:
            continue
        below, above, inside = left_out_by_window(bands, s.id)
        left = bands["target_group"] - bands[s.id]
        sentences.append(
            f"<li><strong>{esc(s.name)}</strong> ({s.productivity.low:g}-"
            f"{s.productivity.high:g} %): {_count(bands[s.id].sum())} geplaatst, "
            f"{_count(left.sum())} buiten de boot, van wie {_count(below)} met een "
            f"lagere en {_count(above)} met een hogere loonwaarde dan het venster en "
            f"{_count(inside)} binnen het venster (deed niet mee of vond geen plek).</li>"
        )
    text = (
        f"<p>De doelgroep in {year} per loonwaardeklasse (de productiviteit als percentage van "
        "die van een gewone werknemer) en het aantal geplaatsten per scenario. Elk scenario "
        "bedient alleen zijn eigen productiviteitsvenster (een streepje: de klasse valt buiten "
        "het venster); het basisjaar toont de feitelijke situatie.</p>"
    )
    return as_html(
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
    "fallback_cost",
    "dagbesteding_cost",
    "gross_cost",
    "benefit_savings",
    "net_cost",
    "net_cost_rijk",
    "net_cost_uwv",
    "net_cost_total",
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


def _shown(value: float, unit_id: str) -> float:
    """Return an indicator as the report shows it, by the one rounding rule of formats.

    Euros from € 100.000 to thousands, people (and jobs) to tens.
    """
    if unit(unit_id).is_euro:
        return round_euro(value)
    return round_people(value) if unit(unit_id).kind == "count" else value


def _count(value: float) -> str:
    """Return a number of people as the report shows it (rounded, Dutch format)."""
    return format_count(round_people(value))


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
    defs = {d.id: d for d in load_indicator_definitions()}
    names = dict(_scenarios())
    table = indicator_frame(frame, region, year)
    year = shown_year(frame, region, year)
    header = [f"Indicator ({year})", *(names[s] for s in table.columns)]
    rows = [
        [
            label_with_unit(council_label(defs[i].label, region), unit(defs[i].unit).label),
            *(format_indicator(_shown(v, defs[i].unit), defs[i].unit) for v in table.loc[i]),
        ]
        for i in table.index
    ]
    note = (
        '<p class="socecon-muted">Kosten en besparingen in euro per jaar, in prijzen van '
        f"{year}. Drie partijen betalen: de gemeente (bijstand, loonkostensubsidie en "
        "begeleiding voor mensen uit de bijstand en de Wsw, dagbesteding, de eigen bijdrage aan "
        "de Wsw), het Rijk (de Wsw-subsidie) en UWV (loonkostensubsidie, begeleiding en "
        "uitkering van Wajongers). Netto kosten = kosten min wat een partij bespaart op "
        "uitkeringen (negatief: die partij houdt geld over). Aantallen en bedragen zijn "
        "afgerond zoals in de samenvatting staat. De quotumregeling geldt alleen in "
        "Regulier; de heffing betalen werkgevers.</p>"
    )
    return as_html(html_table(header, rows) + council_label(note, region))


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
    table = results.wide(frame, region, variable=variable, index="year", columns="scenario")
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
    d = {x.id: x for x in load_indicator_definitions()}[variable]
    names = dict(_scenarios())
    table = path_frame(frame, region, variable)
    header = ["Jaar", *(names[s] for s in table.columns)]
    rows = [
        [str(y), *(format_indicator(_shown(v, d.unit), d.unit) for v in row)]
        for y, row in table.iterrows()
    ]
    return as_html(html_table(header, rows, caption=f"{d.label} per jaar"))


# --------------------------------------------------------------------------- key figures


def _people(value: Any) -> int | None:
    """Round people as the report shows them (to tens); None where there is no value."""
    return None if is_missing(value) else round(round_people(value))


def _euros(value: Any) -> int | None:
    """Round euros as the report shows them (to thousands from € 100.000); None if missing."""
    return None if is_missing(value) else round(round_euro(value))


def key_figures(frame: pd.DataFrame, region: str, year: int | None = None) -> dict[str, int | None]:
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
        each scenario at the horizon, and the net cost per person placed in Regulier, as whole
        numbers rounded as the report shows them (:func:`~socecon.present.formats.round_people`,
        :func:`~socecon.present.formats.round_euro`), so the index and the report agree.
        Pass it to :func:`socecon.report.key_figures.publish_key_figures`.
    """
    table, year = _at(frame, region, year)
    base_year = int(frame["year"].min())
    base, _ = _at(frame, region, base_year)
    figures = {
        "Doelgroep": _people(table.loc["target_group", "baseline"]),
        f"Geplaatst {base_year} (basisjaar)": _people(base.loc["placed", "baseline"]),
    }
    for sid, name in _scenarios():
        if sid != "baseline" and sid in table.columns:
            figures[f"Geplaatst {year} ({name})"] = _people(table.loc["placed", sid])
    if "regulier" in table.columns:
        figures[f"Netto kosten gemeente per geplaatste {year} (Regulier, €)"] = _euros(
            table.loc["net_cost_per_placed", "regulier"]
        )
    return figures
