"""The indicators socecon reports, declared in ``indicators.yaml``.

Each declared indicator has a Dutch label, a unit of ``units.yaml``, the direction that is better
for the target group and the municipality, and a formula in words. The functions that compute
them are registered in :mod:`socecon.model.indicators`, which checks its registry against these
declarations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.scenarios import package_scenarios
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    boolean,
    choice,
    id_list,
    list_of_entries,
    prose,
    read_yaml,
    required_fields,
    unique_ids,
    validated,
)
from socecon.definitions.units import load_units

INDICATORS_FILE = "indicators.yaml"
DIRECTIONS = ("higher", "lower", "neutral")


@dataclass(frozen=True)
class IndicatorDefinition:
    """A declared indicator (see ``definitions/indicators.yaml``)."""

    id: str
    label: str
    unit: str
    direction: str
    per_band: bool
    formula: str
    scenarios: tuple[str, ...] | None = None


def parse_indicators(
    doc: Any,
    problems: Problems,
    units: Sequence[str] | None,
    scenario_ids: Sequence[str] | None,
) -> tuple[IndicatorDefinition, ...]:
    """Turn the parsed ``indicators.yaml`` into definitions, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    units : sequence of str, optional
        The declared unit ids.
    scenario_ids : sequence of str, optional
        The declared scenarios, which an indicator's ``scenarios`` may name.

    Returns
    -------
    tuple of IndicatorDefinition
    """
    entries = list_of_entries(doc, "indicators", INDICATORS_FILE, problems)
    unique_ids(entries, "indicator", problems)
    out = [_parse(e, problems, units, scenario_ids) for e in entries]
    return tuple(d for d in out if d is not None)


def _parse(
    entry: Mapping,
    problems: Problems,
    units: Sequence[str] | None,
    scenario_ids: Sequence[str] | None,
) -> IndicatorDefinition | None:
    item = f"indicator {entry.get('id')!r}"
    if not required_fields(entry, ("id", "label", "unit", "direction", "formula"), item, problems):
        return None
    ok = choice(entry["direction"], DIRECTIONS, item, "direction", problems)
    if units is not None and entry["unit"] not in units:
        problems.add(item, f"unit {entry['unit']!r} is not declared in units.yaml")
        ok = False
    per_band = boolean(entry.get("per_band", False), item, "per_band", problems)
    scenarios = entry.get("scenarios")
    if scenarios is not None:
        scenarios = id_list(
            scenarios, item, "scenarios", problems, known=scenario_ids, what="scenario"
        )
    if not ok or per_band is None:
        return None
    return IndicatorDefinition(
        id=str(entry["id"]),
        label=str(entry["label"]),
        unit=str(entry["unit"]),
        direction=str(entry["direction"]),
        per_band=per_band,
        formula=prose(entry["formula"]),
        scenarios=tuple(scenarios) if scenarios else None,
    )


def load_indicator_definitions(path: str | Path | None = None) -> tuple[IndicatorDefinition, ...]:
    """Load the declared indicators.

    Parameters
    ----------
    path : str or Path, optional
        An indicators YAML file; the package's own by default (cached).

    Returns
    -------
    tuple of IndicatorDefinition

    Raises
    ------
    DefinitionError
        Listing every problem found.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / INDICATORS_FILE)


@cache
def _load(path: Path) -> tuple[IndicatorDefinition, ...]:
    units = load_units().ids
    scenario_ids = package_scenarios().scenario_ids
    return validated(path, lambda p: parse_indicators(read_yaml(path, p), p, units, scenario_ids))
