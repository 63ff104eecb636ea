"""Where a report comes from: socecon's version and commit, the input hashes, the CBS tables.

The colophon (:func:`colophon`, the last section of the municipal report) names everything needed
to make the same report again: in a short table in words the model's version, the time of
generation, the CBS tables behind the snapshot with their licence and the notebook's parameters
(:func:`parameter_rows`); folded away in a ``<details>``, the git commit and the sha256 of every
data file and YAML declaration.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from socecon import __version__, regions
from socecon.analysis.criteria import Goal
from socecon.data.manifest import read_manifest
from socecon.data.schema import ATTRIBUTION, LICENCE, check_indeling, default_data_dir
from socecon.data.snapshot import CACHE_CLEARERS, definition_hashes, input_hashes
from socecon.definitions import MODEL_CHANGES, MODEL_VERSION, load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import SocEconError
from socecon.present.formats import and_list, format_number, format_value
from socecon.present.wording import council_label
from socecon.report.policy import describe_goal
from socecon.report.region_figures import indeling_text, resolve_region
from socecon.report.tables import as_html, assumption_rows, esc, html_table


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


def cbs_tables(indeling: int | str | None = None) -> dict[str, str]:
    """Return the CBS tables behind the snapshot, from ``data/manifest.yaml``.

    Parameters
    ----------
    indeling : int or str, optional
        Only the tables behind the files of this indeling (a refreshed 2015 snapshot is not
        fed by the KWB editions of 2022-2025); those of every file when None.

    Returns
    -------
    dict
        Table id to title, in manifest order. The manifest is read once per data directory,
        like the snapshot (:func:`socecon.data.snapshot.clear_cache` forgets it).
    """
    year = None if indeling is None else check_indeling(indeling)
    return dict(_cbs_tables(default_data_dir(), year))


@cache
def _cbs_tables(data_dir: Path, indeling: int | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for table in read_manifest(data_dir).get("tables", {}).values():
        if indeling is not None and table.get("indeling") != indeling:
            continue
        for t in table.get("cbs_tables", []):
            found.setdefault(str(t["id"]), str(t.get("title", "")))
    return found


CACHE_CLEARERS.append(_cbs_tables.cache_clear)


def _region_text(region: Any, indeling: Any) -> str:
    """Return the report's region by name, with its members for a group."""
    try:
        place = resolve_region(str(region), indeling)
    except SocEconError:
        return str(region)
    if place.is_group:
        names = ", ".join(regions.region_name(m, place.indeling) for m in place.members)
        return f"{place.name} ({names})"
    return place.name + (f" ({place.note})" if place.note else "")


def _indeling_text(region: Any, indeling: Any) -> str:
    try:
        return indeling_text(resolve_region(str(region), indeling))
    except SocEconError:
        return str(indeling)


def _overrides_text(overrides: Mapping[str, Any] | None) -> str:
    """Return the changed assumptions in words ("geen aanpassingen" when there are none)."""
    if not overrides:
        return "geen aanpassingen: alle aannames staan op hun standaardwaarde"
    rows = {r["id"]: r for r in assumption_rows(overrides)}
    return "; ".join(
        f"{rows[k]['label']}: {rows[k]['value']}" if k in rows else str(k) for k in overrides
    )


def _slider_text(assumption: Any) -> str:
    try:
        return load_assumptions()[str(assumption)].label
    except SocEconError:
        return str(assumption)


def parameter_rows(parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the report's parameters in words, as the colophon shows them.

    Parameters
    ----------
    parameters : mapping
        The report notebook's parameters (``region``, ``indeling``, ``horizon``, ``overrides``,
        ``slider_assumption``, ``goal_participation``, ``goal_net_cost_per_placed``,
        ``windtunnel_samples``, ``windtunnel_seed``); missing ones are left out.

    Returns
    -------
    list of (str, str)
        Dutch label and value, e.g. ``("Aannames", "geen aanpassingen: ...")``: no parameter
        names or Python values. A parameter this function does not know is shown by its value
        only, under "Overige instelling".
    """
    p = dict(parameters)
    rows: list[tuple[str, str]] = []
    indeling = p.pop("indeling", None)
    code = None  # the goal names "de gemeente", or "de gemeenten" in a group's report
    if "region" in p:
        region = p.pop("region")
        try:
            code = resolve_region(str(region), indeling).code
        except SocEconError:
            code = None
        rows.append(("Gebied", _region_text(region, indeling)))
        rows.append(("Gemeentelijke indeling", _indeling_text(region, indeling)))
    if "horizon" in p:
        rows.append(("Jaar van de scenario's", str(p.pop("horizon"))))
    if "overrides" in p:
        rows.append(("Aannames", _overrides_text(p.pop("overrides"))))
    if "slider_assumption" in p:
        rows.append(("Aanname op de schuifregelaar", _slider_text(p.pop("slider_assumption"))))
    goal = {}
    if "goal_participation" in p:
        goal["participation_min"] = float(p.pop("goal_participation"))
    if "goal_net_cost_per_placed" in p:
        goal["net_cost_per_placed_max"] = float(p.pop("goal_net_cost_per_placed"))
    if goal:
        goal_text = describe_goal(Goal(**goal))
        rows.append(
            ("Doel in de windtunnel", council_label(goal_text, code) if code else goal_text)
        )
    if "windtunnel_samples" in p:
        n = int(p.pop("windtunnel_samples"))
        text = f"{format_number(n)} per scenario en beleidsoptie"
        if "windtunnel_seed" in p:
            text += (
                f", getrokken met startgetal {p.pop('windtunnel_seed')} (hetzelfde startgetal "
                "geeft dezelfde uitkomsten)"
            )
        looks = load_windtunnel().second_look
        if looks > 1:
            # the wind tunnel's own count can be larger: say why, so the two do not contradict
            text += (
                f"; lag een oordeel daarna te dicht bij een grens, dan {format_number(n * looks)}"
            )
        rows.append(("Doorgerekende toekomsten", text))
    rows.extend(("Overige instelling", format_value(v)) for v in p.values())
    return rows


def model_version_text() -> str:
    """Return the model's version as the colophon shows it (``versie 2 (programmaversie ...)``)."""
    return f"versie {MODEL_VERSION} (programmaversie {__version__})"


def changes_html() -> str:
    """Return what changed against the previous model version, as a short Dutch list."""
    if not MODEL_CHANGES:
        return ""
    items = "".join(f"<li>{esc(change.nl)}</li>" for change in MODEL_CHANGES)
    return f"<p>Nieuw in versie {esc(MODEL_VERSION)} van het rekenmodel:</p><ul>{items}</ul>"


def colophon(parameters: Mapping[str, Any], *, now: datetime | None = None) -> Any:
    """Return the colophon: a short table in words, the technical details folded away.

    Parameters
    ----------
    parameters : mapping
        The notebook's parameters (region, horizon, overrides, ...), shown in words
        (:func:`parameter_rows`).
    now : datetime, optional
        The time of generation; the current local time by default.

    Returns
    -------
    IPython.display.HTML
        A table with the version of the model (and of the program), what changed in this
        version of the model, the date, the data and their licence, the CBS
        tables behind the data of the report's ``indeling`` (all when the parameters name
        none) and the parameters in words; then a collapsed ``<details>`` with the git commit
        and the sha256 of every data file and declaration, for whoever wants to make the same
        report again.
    """
    now = now or datetime.now().astimezone()
    study = load_definitions().study
    indeling = parameters.get("indeling")
    tables = "; ".join(f"{tid} ({title})" for tid, title in cbs_tables(indeling).items())
    rows = [
        ("Rekenmodel", model_version_text()),
        ("Gemaakt op", now.strftime("%d-%m-%Y %H:%M")),
        ("Gegevens", f"{ATTRIBUTION} (open data, licentie {LICENCE})"),
        ("CBS-tabellen", tables),
        *parameter_rows(parameters),
    ]
    hashes = {f"data/{k}": v for k, v in input_hashes().items()} | definition_hashes()
    hash_rows = [[name, digest] for name, digest in hashes.items()]
    return as_html(
        '<section class="socecon-colophon">'
        + html_table(["Onderdeel", "Waarde"], rows, numeric=[False, False], download=False)
        + changes_html()
        + f"<p>De scenario's komen uit de {esc(study.citation)}, opgesteld met "
        f"{esc(and_list(study.municipalities))}.</p>"
        "<details><summary>Technische gegevens om dit rapport precies opnieuw te maken"
        "</summary>"
        f"<p>Versie van de broncode (git): <code>{esc(git_commit())}</code></p>"
        "<p>Controlegetallen (sha256) van de invoerbestanden:</p>"
        + html_table(["Bestand", "sha256"], hash_rows, numeric=[False, False], download=False)
        + "</details></section>"
    )
