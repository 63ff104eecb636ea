"""The report's summary ("Samenvatting"): the message first, generated from the results.

The summary is the first section of the municipal report. Every sentence and key figure in it is
computed from the same results the sections below show: the model run
(:func:`socecon.report.sections.indicator_frame` and :func:`~socecon.report.sections.band_frame`,
the numbers of "De uitkomsten per scenario" and "De doelgroep naar loonwaarde"), the wind tunnel
(:func:`socecon.report.policy.windtunnel_table`, called with the same arguments as the wind-tunnel
section, so it gives the same table) and the hindcast of ``definitions/hindcast.yaml``, with the
study's own words about the scenarios that came closest and least
(:func:`socecon.report.lookback.summary_statement`). Nothing is typed by hand: when the model or
the wind tunnel changes, the summary changes with it.

:func:`summary_frame` holds the figures per scenario as plain data (for tests and analysts),
:func:`summary_html` writes them as Dutch text, and :func:`report_summary` is the one call of the
report notebook.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from socecon.definitions import load_definitions
from socecon.definitions.options import load_options
from socecon.present.formats import (
    and_list,
    format_count,
    format_euro,
    format_indicator,
    format_number,
    format_percent,
    is_missing,
    round_euro,
    round_people,
    rounding_note,
)
from socecon.present.wording import Council, council, council_label
from socecon.report import lookback, policy
from socecon.report.region_figures import ReportRegion, resolve_region
from socecon.report.sections import band_frame, indicator_frame, left_out_by_window, shown_year
from socecon.report.tables import as_html, esc, html_table

#: The id of the summary section (the anchor the table of contents links to).
SUMMARY_ID = "samenvatting"

#: Columns of :func:`summary_frame`.
SUMMARY_COLUMNS = (
    "name",
    "placed",
    "participation",
    "participation_p10",
    "participation_p90",
    "left_out",
    "left_out_below",
    "net_cost",
    "net_cost_rijk",
    "net_cost_uwv",
    "net_cost_per_placed_p10",
    "net_cost_per_placed_p90",
)


def _reference_option() -> str:
    """Return the id of the option that adds nothing to a scenario ("Doe niets")."""
    return next(o.id for o in load_options() if o.reference)


def summary_frame(
    frame: pd.DataFrame,
    region: str | ReportRegion,
    tunnel: pd.DataFrame,
    year: int | None = None,
) -> pd.DataFrame:
    """Return the summary's figures per scenario, from the model run and the wind tunnel.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str or ReportRegion
        A region id present in ``frame`` (or the report's resolved region).
    tunnel : pandas.DataFrame
        The wind-tunnel matrix of :func:`socecon.report.policy.windtunnel_table` for ``region``.
    year : int, optional
        The last year in ``frame`` by default.

    Returns
    -------
    pandas.DataFrame
        Index: scenario ids in declaration order (the baseline first); columns
        :data:`SUMMARY_COLUMNS`: the Dutch name; people placed, participation (%), people left
        out and those of them with a loonwaarde below the scenario's window, and the net cost per
        year of the gemeente, the Rijk and UWV (the same values as the indicator table); and, for
        the future scenarios, the
        participation (%) and the net cost per placed person at the 10th and 90th percentile of
        the wind tunnel's reference option (the scenario without extra policy), so between them
        lie 8 of 10 computed futures. NaN where a figure does not apply.
    """
    defs = load_definitions()
    indicators = indicator_frame(frame, region, year)
    bands = band_frame(frame, region, year)
    reference = tunnel[tunnel["option"] == _reference_option()].set_index("scenario")
    rows = {}
    for sid in indicators.columns:
        scenario = defs.scenario(sid)
        below = np.nan if scenario.is_baseline else left_out_by_window(bands, sid)[0]
        ranges = reference.loc[sid] if sid in reference.index else None
        rows[sid] = {
            "name": scenario.name,
            "placed": indicators.loc["placed", sid],
            "participation": indicators.loc["participation_rate", sid],
            "participation_p10": np.nan if ranges is None else ranges["participation_p10"],
            "participation_p90": np.nan if ranges is None else ranges["participation_p90"],
            "left_out": indicators.loc["left_out", sid],
            "left_out_below": below,
            "net_cost": indicators.loc["net_cost", sid],
            "net_cost_rijk": indicators.loc["net_cost_rijk", sid],
            "net_cost_uwv": indicators.loc["net_cost_uwv", sid],
            "net_cost_per_placed_p10": (
                np.nan if ranges is None else ranges["net_cost_per_placed_p10"]
            ),
            "net_cost_per_placed_p90": (
                np.nan if ranges is None else ranges["net_cost_per_placed_p90"]
            ),
        }
    return pd.DataFrame.from_dict(rows, orient="index")[list(SUMMARY_COLUMNS)]


def _range(low: float, high: float, fmt: Any) -> str:
    """'tussen X en Y' for a range, or one value when both ends show the same."""
    lo, hi = fmt(min(low, high)), fmt(max(low, high))
    return lo if lo == hi else f"tussen {lo} en {hi}"


def _pct(value: float) -> str:
    return format_percent(value, 0)


def _people(value: float) -> str:
    """Return people rounded as everywhere in the report (to tens, as CBS rounds its counts)."""
    return format_count(round_people(value))


def _euro(value: float) -> str:
    """Return euros rounded to thousands above € 100.000, to whole euros below."""
    text = format_euro(round_euro(value))
    return text.replace("€ ", "€\u00a0")  # the sign stays with its amount


def _at_work(futures: pd.DataFrame, base: pd.Series, base_year: int, year: int) -> str:
    most, least = futures["placed"].idxmax(), futures["placed"].idxmin()
    top = futures.loc[most]
    text = (
        f"<strong>Aan het werk.</strong> {esc(top['name'])} zet in {year} de meeste mensen aan "
        f"het werk: ongeveer {_people(top['placed'])} "
        f"({format_indicator(top['participation'], '%')} van de "
        "doelgroep) met de standaardwaarden van de aannames. "
        f"{esc(futures.loc[least, 'name'])} de minste: "
        f"{_people(futures.loc[least, 'placed'])}. In het basisjaar {base_year} waren het er "
        f"{_people(base['placed'])}."
    )
    if not is_missing(top["participation_p10"]):
        text += (
            " Hoeveel het er precies worden, hangt af van aannames die niet zeker zijn: in "
            f"{esc(top['name'])} is de deelname in 8 van de 10 doorgerekende toekomsten "
            f"{_range(top['participation_p10'], top['participation_p90'], _pct)}."
        )
    return text


def _left_out(futures: pd.DataFrame) -> str:
    most, least = futures["left_out"].idxmax(), futures["left_out"].idxmin()
    worst = futures.loc[most]
    return (
        f"<strong>Buiten de boot.</strong> In {esc(worst['name'])} vinden de meeste mensen "
        f"geen plek: ongeveer {_people(worst['left_out'])}, van wie "
        f"{_people(worst['left_out_below'])} omdat hun loonwaarde (hoeveel iemand kan "
        "werken vergeleken met een gemiddelde werknemer) te laag is voor dit scenario. In "
        f"{esc(futures.loc[least, 'name'])} vallen de minste mensen buiten de boot: "
        f"{_people(futures.loc[least, 'left_out'])}."
    )


def _cost(futures: pd.DataFrame, base: pd.Series, who: Council) -> str:
    high, low = futures["net_cost"].idxmax(), futures["net_cost"].idxmin()
    together = " samen" if who.plural else ""
    text = (
        f"<strong>Netto kosten {who.short.split()[-1]}.</strong> Wat {esc(who.subject)}"
        f"{together} zelf {who.pays}, min wat zij {who.saves} op de bijstand, is het hoogst in "
        f"{esc(futures.loc[high, 'name'])}: {_euro(futures.loc[high, 'net_cost'])} per "
        f"jaar, en het laagst in {esc(futures.loc[low, 'name'])}: "
        f"{_euro(futures.loc[low, 'net_cost'])} per jaar. In het basisjaar is dat "
        f"{_euro(base['net_cost'])} per jaar."
    )
    row = futures.loc[high]
    if not is_missing(row["net_cost_per_placed_p10"]):
        text += (
            f" Per geplaatste is dat in {esc(row['name'])} in 8 van de 10 doorgerekende "
            "toekomsten "
            + _range(row["net_cost_per_placed_p10"], row["net_cost_per_placed_p90"], _euro)
            + " per jaar."
        )
    return text


def _payers(futures: pd.DataFrame, base: pd.Series) -> str:
    """Return the Rijk and UWV beside the gemeente, each sentence as the figures say it."""
    rijk = futures["net_cost_rijk"]
    if (rijk == 0).all():
        text = (
            "<strong>Rijk en UWV.</strong> In het basisjaar betaalt het Rijk de sociale "
            "werkvoorziening: "
            f"{_euro(base['net_cost_rijk'])} per jaar. In de vier scenario's vervalt de "
            "Wsw-subsidie: het Rijk betaalt dan niets."
        )
    else:
        most = rijk.idxmax()
        text = (
            "<strong>Rijk en UWV.</strong> In het basisjaar betaalt het Rijk voor de sociale "
            f"werkvoorziening {_euro(base['net_cost_rijk'])} per jaar, in "
            f"{esc(futures.loc[most, 'name'])} {_euro(rijk[most])} per jaar."
        )
    row = futures.loc[futures["net_cost"].idxmax()]
    uwv = row["net_cost_uwv"]
    uwv_text = (
        f"UWV houdt in {esc(row['name'])} per saldo {_euro(-uwv)} per jaar over: het "
        "bespaart meer op de uitkering van werkende Wajongers dan het aan hun "
        "loonkostensubsidie en begeleiding uitgeeft."
        if uwv < 0
        else f"Voor het werk van Wajongers betaalt UWV in {esc(row['name'])} per saldo "
        f"{_euro(uwv)} per jaar."
    )
    return f"{text} {uwv_text} De tabel hieronder zet de drie betalers naast elkaar."


def _policy(tunnel: pd.DataFrame, code: str) -> str:
    options = tunnel.drop_duplicates("option")
    goal = council_label(policy.describe_goal(tunnel.attrs.get("goal")), code)
    robust = options[options["class"] == "robust"]
    text = (
        f"<strong>Beleid.</strong> Er zijn {len(options)} beleidsopties doorgerekend in alle "
        f"vier scenario's, met als doel {esc(goal)}. "
    )
    if len(robust):
        names = ", ".join(f"‘{esc(n)}’" for n in robust["option_name"])
        return text + f"In elk scenario houden stand: {names}."
    if (options["class"] == "no_target_group").all():
        return text + "Zonder doelgroep kan de windtunnel geen van de opties beoordelen."
    text += "Geen enkele optie houdt in elk scenario stand. "
    holds = tunnel[tunnel["holds"]]
    partly = [
        f"‘{esc(name)}’ (in {and_list(list(rows['scenario_name']))})"
        for name, rows in holds.groupby("option_name", sort=False)
    ]
    if partly:
        text += "Wel in een deel van de scenario's: " + and_list(partly) + ". "
    closest = options[~options["class"].isin(["dominated", "no_target_group"])].sort_values(
        "goal_share_all", ascending=False, kind="stable"
    )
    if len(closest):
        best = closest.iloc[0]
        text += (
            f"Het dichtst bij komt ‘{esc(best['option_name'])}’: die haalt het doel in "
            f"{_pct(best['goal_share_all'] * 100)} van alle doorgerekende toekomsten. "
        )
    undecided = int((options["class"] == "undecided").sum())
    if undecided:
        text += (
            f"Bij {undecided} {'optie' if undecided == 1 else 'opties'} ligt de uitkomst zo "
            "dicht bij een grens dat de berekening niet kan beslissen. "
        )
    return text + "Hoofdstuk ‘Beleidsopties in de windtunnel’ geeft per optie het oordeel."


def _span(low: float, high: float) -> str:
    """Return a range of percentages for a table cell (``14 tot 40 %``), or a dash."""
    if is_missing(low):
        return "–"
    return f"{format_number(min(low, high))} tot {format_number(max(low, high))} %"


def _key_table(table: pd.DataFrame, year: int, code: str) -> str:
    rows = [
        [
            r.name,
            _people(r.placed),
            _span(r.participation_p10, r.participation_p90),
            _people(r.left_out),
            _euro(r.net_cost),
            _euro(r.net_cost_rijk),
            _euro(r.net_cost_uwv),
        ]
        for r in table.itertuples()
    ]
    return html_table(
        [
            "Scenario",
            f"Aan het werk ({year})",
            "Deelname in 8 van de 10 toekomsten",
            "Buiten de boot",
            council_label("Netto kosten gemeente per jaar", code),
            "Rijk per jaar",
            "UWV per jaar",
        ],
        rows,
        caption="Kerncijfers",
        numeric=[False, True, True, True, True, True, True],
    )


def summary_html(
    frame: pd.DataFrame,
    region: str | ReportRegion,
    tunnel: pd.DataFrame,
    year: int | None = None,
) -> Any:
    """Return the summary section as Dutch HTML: a few statements and the key figures.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table of :func:`socecon.model.run_model`.
    region : str
        A region id present in ``frame``.
    tunnel : pandas.DataFrame
        The wind-tunnel matrix for ``region`` (:func:`socecon.report.policy.windtunnel_table`).
    year : int, optional
        The last year in ``frame`` by default.

    Returns
    -------
    IPython.display.HTML
        A ``<section class="socecon-summary">`` with a heading (``id="samenvatting"``), a
        two-sentence lead, a list of statements (people at work, who falls outside, the net
        cost, the policy options, what really happened) and a table of key figures per scenario
        with its note (source, the rounding rule, how to read it). Short enough to fit the first
        printed A4 page (report.css tightens it on paper; tests/test_report_paper_and_csv.py).
    """
    place = resolve_region(region)
    region = place.code
    year = shown_year(frame, region, year)
    base_year = int(frame["year"].min())
    table = summary_frame(frame, region, tunnel, year)
    base = table.iloc[0]
    futures = table.iloc[1:]
    target = indicator_frame(frame, region, year).loc["target_group"].iloc[0]
    lead = (
        "Wat betekenen de vier scenario's (toekomstbeelden) van de studie uit "
        f"{load_definitions().study.year} voor {esc(place.name)} in {year}? De doelgroep telt "
        f"ongeveer {_people(target)} mensen met een kwetsbare positie op de arbeidsmarkt (in de "
        "bijstand, de sociale werkvoorziening of de Wajong)."
    )
    if is_missing(target) or float(target) == 0 or futures.empty:
        items = [
            "Het CBS telt hier geen doelgroep; de scenario's plaatsen daarom niemand en er "
            "zijn geen kosten per geplaatste."
        ]
    else:
        items = [
            _at_work(futures, base, base_year, year),
            _left_out(futures),
            _cost(futures, base, council(region, place.name)),
            _payers(futures, base),
            _policy(tunnel, region),
        ]
    items.append(lookback.summary_statement(table, place.name, year, base_year, _people, tunnel))
    body = "".join(f"<li>{item}</li>" for item in items if item)
    return as_html(
        '<section class="socecon-summary">'
        f'<h2 id="{SUMMARY_ID}">Samenvatting</h2><p>{lead}</p><ul>{body}</ul>'
        + _key_table(table, year, region)
        + '<p class="socecon-muted">Bron: CBS; bewerking in dit rapport. '
        + rounding_note()
        + " Een streepje: geen bandbreedte (het basisjaar is gemeten, niet doorgerekend). "
        "Netto kosten zijn kosten min besparing op uitkeringen; een min-teken betekent dat die "
        "partij geld overhoudt. De hoofdstukken hieronder leggen elk cijfer uit.</p></section>"
    )
