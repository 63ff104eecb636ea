"""What actually happened by 2020, declared in ``hindcast.yaml``, with sources.

Per scenario a claim of the seed study for 2020, how far it came true (``match``) and the
evidence; and observed national figures (anchors) to hold the model's national results against.
Every scenario and indicator named must be declared; every piece of evidence needs a source and
a reliability code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.scenarios import package_scenarios
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    RELIABILITY,
    Problems,
    choice,
    integer,
    list_of_entries,
    number,
    prose,
    provenance,
    read_yaml,
    text,
    unique_ids,
    validated,
)

HINDCAST_FILE = "hindcast.yaml"
#: How far a scenario came true by 2020.
MATCHES = ("closest", "partial", "least")
#: A reliability tag written inside a source ("vo-raad.nl (C2)", "(divosa.nl, C)"): the report
#: prints the declared tag after the source, so a tag of its own would show twice.
_TAGS = "|".join(sorted(RELIABILITY, key=len, reverse=True))
_TAG_IN_SOURCE = re.compile(rf"[(,;]\s*(?:{_TAGS})\s*[);]")


def _untagged(source: str, item: str, problems: Problems) -> bool:
    """Report a source that carries a reliability tag of its own; True if it has none."""
    if _TAG_IN_SOURCE.search(source):
        problems.add(
            item,
            f"source {source!r} has a reliability tag of its own; give it in 'reliability' "
            "(split evidence whose sources differ in reliability)",
        )
        return False
    return True


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence of what happened, with its source and reliability code."""

    text: str
    source: str
    reliability: str


@dataclass(frozen=True)
class HindcastClaim:
    """A scenario's claim for 2020 and how far it came true.

    Attributes
    ----------
    id : str
        The scenario id.
    match : str
        One of :data:`MATCHES`.
    claim : str
        The scenario for 2020, in Dutch.
    evidence : tuple of Evidence
    """

    id: str
    match: str
    claim: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Anchor:
    """An observed national figure to hold a model result against."""

    label: str
    value: float
    year: int
    scenario: str
    variable: str
    source: str
    reliability: str


@dataclass(frozen=True)
class Hindcast:
    """What happened by 2020, per scenario, with sources (``definitions/hindcast.yaml``)."""

    verdict: str
    caveat: str
    scenarios: tuple[HindcastClaim, ...]
    anchors: tuple[Anchor, ...]


def parse_hindcast(
    doc: Any,
    problems: Problems,
    future_ids: Sequence[str],
    scenario_ids: Sequence[str],
    indicator_ids: Sequence[str] | None,
) -> Hindcast:
    """Turn the parsed ``hindcast.yaml`` into a :class:`Hindcast`, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    future_ids : sequence of str
        The scenarios without the baseline: each needs exactly one claim.
    scenario_ids : sequence of str
        Every scenario, which an anchor may name.
    indicator_ids : sequence of str, optional
        The declared indicators, which an anchor's ``variable`` must be.

    Returns
    -------
    Hindcast
    """
    doc = doc if isinstance(doc, Mapping) else {}
    verdict = text(doc, "verdict", "verdict", problems, collapse=True)
    caveat = text(doc, "caveat", "caveat", problems, collapse=True)
    entries = list_of_entries(doc, "scenarios", HINDCAST_FILE, problems)
    unique_ids(entries, "scenario", problems)
    claims = [_claim(e, future_ids, problems) for e in entries]
    for missing in (s for s in future_ids if s not in {e.get("id") for e in entries}):
        problems.add(f"scenario {missing!r}", "no hindcast claim declared")
    anchors = [
        _anchor(e, i, scenario_ids, indicator_ids, problems)
        for i, e in enumerate(list_of_entries(doc, "anchors", HINDCAST_FILE, problems))
    ]
    return Hindcast(
        verdict,
        caveat,
        tuple(c for c in claims if c is not None),
        tuple(a for a in anchors if a is not None),
    )


def _claim(entry: Mapping, future_ids: Sequence[str], problems: Problems) -> HindcastClaim | None:
    sid = entry.get("id")
    item = f"scenario {sid!r}"
    ok = sid in future_ids
    if not ok:
        problems.add(
            item, f"not a scenario of scenarios.yaml (choose from {', '.join(future_ids)})"
        )
    ok = choice(entry.get("match"), MATCHES, item, "match", problems) and ok
    claim = text(entry, "claim", item, problems, collapse=True)
    raw = entry.get("evidence")
    if not isinstance(raw, list) or not raw:
        problems.add(item, "evidence must be a non-empty list")
        raw = []
    evidence = []
    for i, e in enumerate(raw):
        where = f"{item} evidence {i}"
        if not isinstance(e, Mapping):
            problems.add(where, f"expected a mapping, got {e!r}")
            ok = False
            continue
        said = text(e, "text", where, problems, collapse=True)
        origin = provenance(e, where, problems, needs_unit=False)
        if origin is None or not said or not _untagged(origin[1], where, problems):
            ok = False
        else:
            evidence.append(Evidence(said, origin[1], origin[3]))
    if not ok or not claim or not evidence:
        return None
    return HindcastClaim(str(sid), str(entry["match"]), claim, tuple(evidence))


def _anchor(
    entry: Mapping,
    index: int,
    scenario_ids: Sequence[str],
    indicator_ids: Sequence[str] | None,
    problems: Problems,
) -> Anchor | None:
    item = f"anchor {entry.get('label', index)!r}"
    label = text(entry, "label", item, problems)
    value = number(entry.get("value"), item, "value", problems)
    year = integer(entry.get("year"), item, "year", problems)
    ok = choice(entry.get("scenario"), scenario_ids, item, "scenario", problems)
    variable = entry.get("variable")
    if indicator_ids is not None and variable not in indicator_ids:
        problems.add(item, f"variable {variable!r} is not an indicator of indicators.yaml")
        ok = False
    origin = provenance(entry, item, problems, needs_unit=False)
    if origin is None or not _untagged(origin[1], item, problems):
        return None
    if not ok or not label or value is None or year is None:
        return None
    return Anchor(
        label, value, year, str(entry["scenario"]), str(variable), prose(origin[1]), origin[3]
    )


def load_hindcast(path: str | Path | None = None) -> Hindcast:
    """Load and validate the hindcast declarations.

    Parameters
    ----------
    path : str or Path, optional
        A ``hindcast.yaml``; the package's own by default (cached).

    Returns
    -------
    Hindcast

    Raises
    ------
    DefinitionError
        Listing every problem: unknown scenarios or indicators, missing fields or sources.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / HINDCAST_FILE)


@cache
def _load(path: Path) -> Hindcast:
    scenarios = package_scenarios()
    indicator_ids = [d.id for d in load_indicator_definitions()]
    return validated(
        path,
        lambda p: parse_hindcast(
            read_yaml(path, p), p, scenarios.future_ids, scenarios.scenario_ids, indicator_ids
        ),
    )
