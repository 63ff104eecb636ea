"""What each measure does in the model, and what it costs: ``measure_effects.yaml``.

Each measure of ``measures.yaml`` moves scalar assumptions of ``assumptions.yaml`` by declared,
uncertain amounts (:class:`Effect`) in the scenarios where it can act, and costs a programme
budget (:class:`MeasureCost`) in every scenario. Both are sourced values
(:class:`~socecon.definitions.schema.SourcedValue`): a value with a range, a unit, a source and a
reliability code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.assumptions import Assumptions, load_assumptions
from socecon.definitions.scenarios import package_scenarios
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    choice,
    close_hint,
    id_list,
    list_of_entries,
    prose,
    read_yaml,
    sourced_value,
    validated,
)

EFFECTS_FILE = "measure_effects.yaml"
OPERATIONS = ("multiply", "add")
COST_UNIT = "EUR/year per 1,000 jobs"


@dataclass(frozen=True)
class Effect:
    """What one measure does to one assumption (see ``measure_effects.yaml``).

    Attributes
    ----------
    measure, assumption, operation : str
        ``operation`` is ``multiply`` (a factor) or ``add`` (in the assumption's unit).
    value, low, high : float
        Central size and the range sampled.
    unit : str
    scenarios : tuple of str
        Where the effect can act.
    source, reliability, note : str
    """

    measure: str
    assumption: str
    operation: str
    value: float
    low: float
    high: float
    unit: str
    scenarios: tuple[str, ...]
    source: str
    reliability: str
    note: str = ""


@dataclass(frozen=True)
class MeasureCost:
    """Programme cost of a measure in EUR/year per 1,000 jobs, paid in every scenario."""

    value: float
    low: float
    high: float
    source: str
    reliability: str


@dataclass(frozen=True)
class MeasureEffects:
    """A measure's effects and programme cost."""

    measure: str
    effects: tuple[Effect, ...]
    cost: MeasureCost


def parse_effects(
    doc: Any,
    problems: Problems,
    measure_ids: Sequence[str],
    future_ids: Sequence[str],
    assumptions: Assumptions | None,
) -> dict[str, MeasureEffects]:
    """Turn the parsed ``measure_effects.yaml`` into effects per measure, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    measure_ids : sequence of str
        Every declared measure: each needs an entry (``effects: []`` if it has none).
    future_ids : sequence of str
        The scenarios (without the baseline) where an effect may act.
    assumptions : Assumptions, optional
        The declared assumptions; an effect moves a scalar one, in its unit or by a factor.

    Returns
    -------
    dict of str to MeasureEffects
        By measure id, in file order.
    """
    out: dict[str, MeasureEffects] = {}
    for i, entry in enumerate(list_of_entries(doc, "measure_effects", EFFECTS_FILE, problems)):
        measure = entry.get("measure")
        if measure not in measure_ids:
            hint = close_hint(measure, measure_ids)
            problems.add(f"measure_effects[{i}]", f"unknown measure {measure!r}{hint}")
            continue
        if measure in out:
            problems.add(f"measure {measure!r}", "declared twice")
            continue
        raw_effects = entry.get("effects")
        if not isinstance(raw_effects, list):
            problems.add(f"measure {measure!r}", "effects must be a list (may be empty)")
            continue
        effects = [
            _parse_effect(measure, e, j, future_ids, assumptions, problems)
            for j, e in enumerate(raw_effects)
        ]
        cost = _parse_cost(measure, entry.get("cost"), problems)
        if cost is not None and None not in effects:
            out[measure] = MeasureEffects(measure, tuple(effects), cost)  # type: ignore[arg-type]
    for missing in (m for m in measure_ids if m not in out):
        if not any(f"{missing!r}" in p for p in problems.items):
            problems.add(f"measure {missing!r}", "no effects declared (use effects: [])")
    return out


def _parse_effect(
    measure: str,
    raw: Any,
    index: int,
    future_ids: Sequence[str],
    assumptions: Assumptions | None,
    problems: Problems,
) -> Effect | None:
    if not isinstance(raw, Mapping):
        problems.add(f"measure {measure!r} effect {index}", "expected a mapping")
        return None
    key = raw.get("assumption")
    item = f"measure {measure!r} effect on {key!r}"
    ok = True
    target = None
    if assumptions is not None:
        target = next((a for a in assumptions if a.id == key), None)
        if target is None or target.kind != "scalar":
            problems.add(item, f"not a scalar assumption{close_hint(key, assumptions.ids)}")
            ok = False
    op = raw.get("operation")
    ok = choice(op, OPERATIONS, item, "operation", problems) and ok
    wanted = None
    if ok and target is not None:
        wanted = "factor" if op == "multiply" else target.unit
        if raw.get("unit") != wanted:
            problems.add(item, f"unit must be {wanted!r} for {op}, got {raw.get('unit')!r}")
            ok = False
    sourced = sourced_value(raw, item, problems)
    if sourced is not None and op == "multiply" and sourced.low < 0:  # type: ignore[operator]
        problems.add(item, f"a factor cannot be negative, got low {sourced.low:g}")
        ok = False
    scenarios = id_list(
        raw.get("scenarios"), item, "scenarios", problems, known=future_ids, what="scenario"
    )
    if not ok or sourced is None or not scenarios or not set(scenarios) <= set(future_ids):
        return None
    return Effect(
        measure=measure,
        assumption=str(key),
        operation=str(op),
        value=sourced.value,
        low=sourced.low,  # type: ignore[arg-type]
        high=sourced.high,  # type: ignore[arg-type]
        unit=sourced.unit,
        scenarios=scenarios,
        source=sourced.source,
        reliability=sourced.reliability,
        note=prose(raw.get("note", "")),
    )


def _parse_cost(measure: str, raw: Any, problems: Problems) -> MeasureCost | None:
    item = f"measure {measure!r} cost"
    if not isinstance(raw, Mapping):
        problems.add(item, "expected a mapping with value, low, high, source, reliability")
        return None
    sourced = sourced_value(raw, item, problems, unit=COST_UNIT)
    if sourced is None:
        return None
    if sourced.low < 0:  # type: ignore[operator]
        problems.add(
            item,
            f"need 0 <= low <= value <= high, got {sourced.low:g}, {sourced.value:g}, "
            f"{sourced.high:g}",
        )
        return None
    return MeasureCost(
        sourced.value,
        sourced.low,  # type: ignore[arg-type]
        sourced.high,  # type: ignore[arg-type]
        sourced.source,
        sourced.reliability,
    )


def load_measure_effects(path: str | Path | None = None) -> dict[str, MeasureEffects]:
    """Load and validate the measure effects.

    Parameters
    ----------
    path : str or Path, optional
        A ``measure_effects.yaml``; the package's own by default (cached).

    Returns
    -------
    dict of str to MeasureEffects
        By measure id, in file order; every measure of ``measures.yaml`` is present.

    Raises
    ------
    DefinitionError
        Listing every problem: unknown or undeclared measures, unknown assumptions or scenarios,
        wrong units, ranges, missing sources.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / EFFECTS_FILE)


@cache
def _load(path: Path) -> dict[str, MeasureEffects]:
    scenarios = package_scenarios()
    assumptions = load_assumptions()
    return validated(
        path,
        lambda p: parse_effects(
            read_yaml(path, p), p, scenarios.measure_ids, scenarios.future_ids, assumptions
        ),
    )
