"""The report's look-back ("Terugblik"): what the study expected for 2020, and what happened.

The study's storylines are the study's words (report_style.md): wherever the report sets a
scenario beside what really happened, it quotes the seed's own sentences (``quote`` in
``definitions/scenarios.yaml``, declared once) in a quote block that names the study (its
citation, ``study`` in the same file), never in the report's own voice: every scenario in the
look-back section, and in the summary the one that came closest (the one that came true least
is named there, its words are in the look-back). What happened comes from
``definitions/hindcast.yaml``, each piece of evidence with its source and reliability tag.

:func:`study_quote` is the one quote block (the scenario section uses it too),
:func:`hindcast` the look-back section of the notebook, and :func:`summary_statement` the
summary's statement "Wat er echt gebeurde", which sets the municipality's own results beside
what happened.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from socecon.definitions import load_definitions
from socecon.definitions.hindcast import load_hindcast
from socecon.present.formats import and_list
from socecon.report.overview import MATCH_LABELS
from socecon.report.tables import as_html, esc


def study_quote(scenario: Any) -> str:
    """Return a scenario's quote as the study's words: a quote block with the study as source.

    Parameters
    ----------
    scenario : socecon.definitions.Scenario
        A future scenario (its ``quote`` holds the seed's own sentences).

    Returns
    -------
    str
        Escaped HTML: ``<blockquote class="socecon-quote">`` with the quote in quotation marks
        and a ``<footer>`` naming the study (its citation, ``study`` in ``scenarios.yaml``).
    """
    citation = load_definitions().study.citation
    return (
        f'<blockquote class="socecon-quote"><p>“{esc(scenario.quote)}”</p>'
        f"<footer>{esc(citation)}</footer></blockquote>"
    )


def hindcast() -> Any:
    """Return the look-back: per scenario the study's words for 2020 and what happened.

    The national verdict of ``definitions/hindcast.yaml`` first, then per scenario (closest
    first, as declared) how far it came true, the study's own sentences about 2020 as a quote,
    what happened and the sources with their reliability tags, and the caveat.

    Returns
    -------
    IPython.display.HTML
    """
    defs = load_definitions()
    declared = load_hindcast()
    parts = [f"<p>{esc(declared.verdict)}</p>"]
    for item in declared.scenarios:
        scenario = defs.scenario(item.id)
        happened = "".join(
            f'<li>{esc(e.text)} <span class="socecon-muted">Bron: {esc(e.source)} '
            f"({esc(e.reliability)}).</span></li>"
            for e in item.evidence
        )
        parts.append(
            f'<section class="socecon-lookback" id="terugblik-{esc(item.id)}">'
            f"<h3>{esc(scenario.name)}: {esc(MATCH_LABELS[item.match].lower())}</h3>"
            f"<p>De studie schreef over {esc(scenario.name)} in 2020:</p>"
            + study_quote(scenario)
            + f"<p><strong>Wat er gebeurde:</strong></p><ul>{happened}</ul></section>"
        )
    parts.append(f"<p><em>Kanttekening:</em> {esc(declared.caveat)}</p>")
    return as_html("".join(parts))


def _options_beside(tunnel: pd.DataFrame | None, closest: str, least: str | None) -> str:
    """Say which options hold in the future that came closest, and which only in the least."""
    if tunnel is None or "holds" not in tunnel:
        return ""
    holds = tunnel[tunnel["holds"]].groupby("option_name", sort=False)["scenario_name"]
    where = {name: set(scenarios) for name, scenarios in holds}
    text = ""
    in_closest = [name for name, s in where.items() if closest in s]
    if in_closest:
        names = and_list([f"‘{esc(n)}’" for n in in_closest])
        verb = "houdt" if len(in_closest) == 1 else "houden"
        text += f" In {esc(closest)} {verb} {names} stand."
    elif where:
        text += (
            f" Geen van de beleidsopties houdt stand in {esc(closest)}, het scenario dat het "
            "meest op de werkelijkheid leek."
        )
    only_least = [name for name, s in where.items() if least and s <= {least}]
    if only_least:
        names = and_list([f"‘{esc(n)}’" for n in only_least])
        text += (
            f" {names} {'houdt' if len(only_least) == 1 else 'houden'} alleen stand in "
            f"{esc(least)}: het scenario dat het minst op de werkelijkheid leek."
        )
    return text


def summary_statement(
    figures: pd.DataFrame,
    place_name: str,
    year: int,
    base_year: int,
    people: Any,
    tunnel: pd.DataFrame | None = None,
) -> str:
    """Return the summary's statement "Wat er echt gebeurde", from the results.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`socecon.report.summary.summary_frame` (the baseline first): people placed and
        left out per scenario, as the sections show them.
    place_name : str
        The region's Dutch name.
    year, base_year : int
        The year shown and the base year.
    people : callable
        How the summary writes a number of people (rounded as everywhere in the report).
    tunnel : pandas.DataFrame, optional
        The wind-tunnel matrix: which options hold in the scenario that came closest.

    Returns
    -------
    str
        HTML (names escaped): the scenario that came closest, the study's words about it as a
        quote, what that scenario means for this region against the base year, the scenario
        that came true least (named; the look-back quotes it, so the summary fits one printed
        page), and the policy options set beside both. Empty when no scenario is declared
        closest.
    """
    defs = load_definitions()
    match = {c.match: defs.scenario(c.id) for c in load_hindcast().scenarios}
    closest, least = match.get("closest"), match.get("least")
    if closest is None:
        return ""
    text = (
        f"<strong>Wat er echt gebeurde.</strong> In 2020 lag Nederland het dichtst bij "
        f"{esc(closest.name)}. De studie schreef over dat scenario:" + study_quote(closest)
    )
    base = figures.iloc[0]
    if closest.id in figures.index:
        row = figures.loc[closest.id]
        placed, before = people(row["placed"]), people(base["placed"])
        compared = (
            "evenveel als"
            if placed == before
            else ("meer dan" if row["placed"] > base["placed"] else "minder dan")
        )
        text += (
            f"<p>Gaat het in {esc(place_name)} zoals in {esc(closest.name)}, dan werken er in "
            f"{year} ongeveer {placed} mensen uit de doelgroep: {compared} de {before} van "
            f"{base_year}. Ongeveer {people(row['left_out'])} vallen dan buiten de boot."
        )
    else:
        text += "<p>"
    if least is not None:
        futures = figures.iloc[1:]
        most = futures["placed"].idxmax() if len(futures) else None
        extra = (
            f", het scenario met de meeste mensen aan het werk "
            f"({people(futures.loc[most, 'placed'])})"
            if most == least.id
            else ""
        )
        text += f" Het verst van de werkelijkheid lag {esc(least.name)}{extra}."
    return text + _options_beside(tunnel, closest.name, least.name if least else None) + "</p>"
