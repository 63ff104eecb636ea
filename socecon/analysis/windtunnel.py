"""The wind tunnel: which policy options hold up in every scenario, per municipality.

Scenario planners test each policy option against each scenario ("wind-tunnelling"). Here an
option is a bundle of the study's measures (``definitions/options.yaml``) that the municipality
chooses; each measure moves model levers by declared, uncertain amounts
(``definitions/measure_effects.yaml``) in the scenarios where it can act, and costs a programme
budget in every scenario. The scenarios are the outside world. Every option is evaluated in every
scenario over the same uncertainty samples (common random numbers: assumptions, effect sizes and
costs are sampled once, in one Latin hypercube, and shared by all options).

Per option, scenario and sample the wind tunnel computes the participation rate, placed persons
and the municipality's net cost including the programme cost, and from those:

regret
    How far the option falls short of the best option *in the same scenario and sample* on the
    objective (participation rate by default, in percentage points).
satisficing
    Whether it meets the user's goal (participation at least X %, net cost per placed at most Y
    euro, net cost at most Z euro a year); the share of samples that meet it, per scenario.
dominance
    Option A dominates B when, in every scenario and sample, A places at least as many people at
    no higher net cost, and in some strictly more or cheaper.

Classification (one per option and region), with the scenarios where it breaks:

* ``robust`` (robuust, no regret): not dominated, and meets the goal in every scenario in at
  least ``confidence`` of the samples (default 0.5: the median meets it); whatever the world,
  choosing it is not regretted;
* ``scenario_dependent`` (scenarioafhankelijk): meets the goal in some scenarios only;
* ``fragile`` (kwetsbaar): meets the goal in no scenario;
* ``dominated`` (gedomineerd): another option is at least as good in every world; never robust,
  whatever the goal.

Among robust options the one with the smallest maximum median regret is recommended.

Examples
--------
>>> from socecon import windtunnel
>>> goal = windtunnel.Goal(participation_min=25, net_cost_per_placed_max=15000)
>>> table = windtunnel.matrix("GM0301", goal=goal, n_samples=200, seed=1)  # doctest: +SKIP
>>> print(windtunnel.summary_nl(table))  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from socecon.analysis.uncertainty import Parameter, SampleSet, sample
from socecon.definitions import load_definitions
from socecon.definitions.assumptions import RELIABILITY, load_assumptions
from socecon.exceptions import DefinitionError, WindTunnelError
from socecon.model.core import DEFAULT_HORIZON, ModelInput, run, snapshot_input
from socecon.model.indicators import registry

DEFINITIONS_DIR = Path(__file__).resolve().parents[1] / "definitions"
EFFECTS_FILE = DEFINITIONS_DIR / "measure_effects.yaml"
OPTIONS_FILE = DEFINITIONS_DIR / "options.yaml"
OPERATIONS = ("multiply", "add")
COST_UNIT = "EUR/year per 1,000 jobs"
OBJECTIVES = {  # id -> (Dutch label, unit, higher is better)
    "participation_rate": ("deelname", "procentpunt", True),
    "placed": ("geplaatste personen", "personen", True),
    "net_cost": ("netto kosten", "EUR/jaar", False),
    "net_cost_per_placed": ("netto kosten per geplaatste", "EUR/persoon/jaar", False),
}
CLASSES = {
    "robust": "robuust",
    "scenario_dependent": "scenarioafhankelijk",
    "fragile": "kwetsbaar",
    "dominated": "gedomineerd",
}
DEFAULT_SAMPLES = 200
# Share of samples in which the goal must be met to count as met in a scenario: 0.5 means the
# median meets it. The assumptions' ranges are wide and shared by all options, so a stricter
# share (0.8, 0.9) mostly tests the world, not the policy; the matrix shows every share.
DEFAULT_CONFIDENCE = 0.5
# "No regret", with a tolerance: in a scenario an option holds only if it meets the goal and its
# median regret is at most this many percentage points of participation behind the best option
# there. Applies when regret is measured on participation (the default objective).
DEFAULT_REGRET_TOLERANCE = 5.0
# Relative tolerance when comparing options: differences below it count as ties.
TIE_TOLERANCE = 1e-9


# --- declarations -------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Option:
    """A policy option: a bundle of measures the municipality chooses.

    Attributes
    ----------
    id : str
    name : str
        Dutch name.
    measures : tuple of str
        Measure ids (empty only for the reference option).
    description : str
        Dutch description.
    reference : bool
        True for "doe niets / huidig beleid".
    """

    id: str
    name: str
    measures: tuple[str, ...]
    description: str = ""
    reference: bool = False


def _number(entry: Mapping, key: str, item: str, problems: list[str]) -> float | None:
    raw = entry.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        problems.append(f"{item}: {key} must be a number, got {raw!r}")
        return None
    return float(raw)


def _read(path: Path, key: str) -> list:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(str(path), [f"cannot read: {exc}"]) from exc
    entries = doc.get(key) if isinstance(doc, Mapping) else None
    if not isinstance(entries, list):
        raise DefinitionError(str(path), [f"expected a top-level list {key!r}"])
    return entries


def _parse_effect(
    measure: str, raw: Any, index: int, known_scenarios: Sequence[str], problems: list[str]
) -> Effect | None:
    item = f"measure {measure!r} effect {index}"
    if not isinstance(raw, Mapping):
        problems.append(f"{item}: expected a mapping")
        return None
    assumptions = load_assumptions()
    key = raw.get("assumption")
    item = f"measure {measure!r} effect on {key!r}"
    ok = True
    target = next((a for a in assumptions if a.id == key), None)
    if target is None or target.kind != "scalar":
        close = difflib.get_close_matches(str(key), assumptions.ids, n=2)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        problems.append(f"{item}: not a scalar assumption{hint}")
        ok = False
    op = raw.get("operation")
    if op not in OPERATIONS:
        problems.append(f"{item}: operation must be one of {OPERATIONS}, got {op!r}")
        ok = False
    numbers = [_number(raw, k, item, problems) for k in ("value", "low", "high")]
    if None in numbers:
        return None
    value, low, high = numbers
    if not low <= value <= high:
        problems.append(f"{item}: need low <= value <= high, got {low:g}, {value:g}, {high:g}")
        ok = False
    if op == "multiply" and low < 0:
        problems.append(f"{item}: a factor cannot be negative, got low {low:g}")
        ok = False
    unit = raw.get("unit")
    if ok and target is not None:
        wanted = "factor" if op == "multiply" else target.unit
        if unit != wanted:
            problems.append(f"{item}: unit must be {wanted!r} for {op}, got {unit!r}")
            ok = False
    scenarios = raw.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        problems.append(f"{item}: scenarios must be a non-empty list of scenario ids")
        ok = False
    else:
        for s in scenarios:
            if s not in known_scenarios:
                problems.append(
                    f"{item}: unknown scenario {s!r} (choose from {', '.join(known_scenarios)})"
                )
                ok = False
    if not raw.get("source"):
        problems.append(f"{item}: missing source (write 'assumed' if there is none)")
        ok = False
    if raw.get("reliability") not in RELIABILITY:
        problems.append(f"{item}: reliability must be one of {RELIABILITY}")
        ok = False
    if not ok:
        return None
    return Effect(
        measure=measure,
        assumption=str(key),
        operation=str(op),
        value=value,
        low=low,
        high=high,
        unit=str(unit),
        scenarios=tuple(scenarios),
        source=" ".join(str(raw["source"]).split()),
        reliability=str(raw["reliability"]),
        note=" ".join(str(raw.get("note", "")).split()),
    )


def _parse_cost(measure: str, raw: Any, problems: list[str]) -> MeasureCost | None:
    item = f"measure {measure!r} cost"
    if not isinstance(raw, Mapping):
        problems.append(f"{item}: expected a mapping with value, low, high, source, reliability")
        return None
    numbers = [_number(raw, k, item, problems) for k in ("value", "low", "high")]
    if None in numbers:
        return None
    value, low, high = numbers
    ok = True
    if not 0 <= low <= value <= high:
        problems.append(f"{item}: need 0 <= low <= value <= high, got {low:g}, {value:g}, {high:g}")
        ok = False
    if raw.get("unit", COST_UNIT) != COST_UNIT:
        problems.append(f"{item}: unit must be {COST_UNIT!r}, got {raw.get('unit')!r}")
        ok = False
    if not raw.get("source"):
        problems.append(f"{item}: missing source (write 'assumed' if there is none)")
        ok = False
    if raw.get("reliability") not in RELIABILITY:
        problems.append(f"{item}: reliability must be one of {RELIABILITY}")
        ok = False
    if not ok:
        return None
    return MeasureCost(value, low, high, " ".join(str(raw["source"]).split()), raw["reliability"])


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
    return _load_effects(str(Path(path) if path else EFFECTS_FILE))


@cache
def _load_effects(path: str) -> dict[str, MeasureEffects]:
    defs = load_definitions()
    known_measures = [m.id for m in defs.measures]
    known_scenarios = [s.id for s in defs.future_scenarios]
    problems: list[str] = []
    out: dict[str, MeasureEffects] = {}
    for i, entry in enumerate(_read(Path(path), "measure_effects")):
        if not isinstance(entry, Mapping):
            problems.append(f"measure_effects[{i}]: expected a mapping")
            continue
        measure = entry.get("measure")
        if measure not in known_measures:
            close = difflib.get_close_matches(str(measure), known_measures, n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(f"measure_effects[{i}]: unknown measure {measure!r}{hint}")
            continue
        if measure in out:
            problems.append(f"measure {measure!r}: declared twice")
            continue
        raw_effects = entry.get("effects")
        if not isinstance(raw_effects, list):
            problems.append(f"measure {measure!r}: effects must be a list (may be empty)")
            continue
        effects = [
            _parse_effect(measure, e, j, known_scenarios, problems)
            for j, e in enumerate(raw_effects)
        ]
        cost = _parse_cost(measure, entry.get("cost"), problems)
        if cost is not None and None not in effects:
            out[measure] = MeasureEffects(measure, tuple(effects), cost)  # type: ignore[arg-type]
    for missing in (m for m in known_measures if m not in out):
        if not any(f"{missing!r}" in p for p in problems):
            problems.append(f"measure {missing!r}: no effects declared (use effects: [])")
    if problems:
        raise DefinitionError(path, problems)
    return out


def load_options(path: str | Path | None = None) -> tuple[Option, ...]:
    """Load and validate the declared policy options.

    Parameters
    ----------
    path : str or Path, optional
        An ``options.yaml``; the package's own by default (cached).

    Returns
    -------
    tuple of Option

    Raises
    ------
    DefinitionError
        Listing every problem: missing fields, unknown measures, duplicates, empty bundles, not
        exactly one reference option.
    """
    return _load_options(str(Path(path) if path else OPTIONS_FILE))


@cache
def _load_options(path: str) -> tuple[Option, ...]:
    problems: list[str] = []
    out: list[Option] = []
    for i, entry in enumerate(_read(Path(path), "options")):
        if not isinstance(entry, Mapping):
            problems.append(f"options[{i}]: expected a mapping")
            continue
        item = f"option {entry.get('id', i)!r}"
        missing = [k for k in ("id", "name", "description") if not entry.get(k)]
        if missing:
            problems.append(f"{item}: missing field(s) {', '.join(missing)}")
            continue
        measures = entry.get("measures")
        if not isinstance(measures, list):
            problems.append(f"{item}: measures must be a list of measure ids")
            continue
        option = Option(
            id=str(entry["id"]),
            name=str(entry["name"]),
            measures=tuple(str(m) for m in measures),
            description=" ".join(str(entry["description"]).split()),
            reference=bool(entry.get("reference", False)),
        )
        problems.extend(_option_problems(option))
        out.append(option)
    ids = [o.id for o in out]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"option {dup!r}: duplicate id")
    references = [o.id for o in out if o.reference]
    if len(references) != 1:
        problems.append(f"exactly one option needs reference: true, found {references or 'none'}")
    if problems:
        raise DefinitionError(path, problems)
    return tuple(out)


def _option_problems(option: Option) -> list[str]:
    known = [m.id for m in load_definitions().measures]
    problems = []
    for m in option.measures:
        if m not in known:
            close = difflib.get_close_matches(m, known, n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(f"option {option.id!r}: unknown measure {m!r}{hint}")
    if not option.measures and not option.reference:
        problems.append(f"option {option.id!r}: no measures (only the reference may be empty)")
    if option.reference and option.measures:
        problems.append(f"option {option.id!r}: the reference option must have no measures")
    dup = sorted({m for m in option.measures if option.measures.count(m) > 1})
    if dup:
        problems.append(f"option {option.id!r}: measure(s) listed twice: {', '.join(dup)}")
    return problems


# --- the goal -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """What the municipality wants to reach in every scenario (satisficing).

    Every criterion is optional; an empty goal is met everywhere.

    Attributes
    ----------
    participation_min : float, optional
        Minimum participation rate of the target group, in percent (0-100).
    net_cost_per_placed_max : float, optional
        Maximum net cost per placed person, EUR/person/year, programme cost included (>= 0).
    net_cost_max : float, optional
        Maximum net cost, EUR/year, programme cost included (>= 0).

    Raises
    ------
    WindTunnelError
        Naming every invalid criterion and its value.
    """

    participation_min: float | None = None
    net_cost_per_placed_max: float | None = None
    net_cost_max: float | None = None

    def __post_init__(self) -> None:
        problems = []
        for name, low, high, unit in (
            ("participation_min", 0.0, 100.0, "%"),
            ("net_cost_per_placed_max", 0.0, math.inf, "EUR/person/year"),
            ("net_cost_max", 0.0, math.inf, "EUR/year"),
        ):
            raw = getattr(self, name)
            if raw is None:
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float | np.number):
                problems.append(f"goal {name} must be a number, got {raw!r}")
            elif not math.isfinite(raw) or not low <= raw <= high:
                where = "between 0 and 100" if high == 100.0 else "zero or more"
                problems.append(f"goal {name} = {raw!r} must be {where} ({unit})")
        if problems:
            raise WindTunnelError("Invalid goal: " + "; ".join(problems))

    def describe_nl(self) -> str:
        """Return the goal in Dutch, e.g. ``deelname ≥ 25 % en netto kosten ≤ € 15.000 ...``."""
        parts = []
        if self.participation_min is not None:
            parts.append(f"deelname ≥ {_nl(self.participation_min, 1)} %")
        if self.net_cost_per_placed_max is not None:
            parts.append(f"netto kosten ≤ € {_nl(self.net_cost_per_placed_max)} per geplaatste")
        if self.net_cost_max is not None:
            parts.append(f"netto kosten ≤ € {_nl(self.net_cost_max)} per jaar")
        return " en ".join(parts) if parts else "geen doel gesteld"


def _nl(x: float, decimals: int = 0) -> str:
    """Format a number the Dutch way: 12.345,6."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


# --- arithmetic (pure functions on arrays of shape (O, K, S)) -----------------------------------


def regret(performance: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """Return each option's shortfall against the best option in the same scenario and sample.

    Parameters
    ----------
    performance : numpy.ndarray
        Shape ``(O, K, S)``: options, scenarios, samples.
    higher_is_better : bool

    Returns
    -------
    numpy.ndarray
        Same shape, never negative; 0 for the best option. NaN performance counts as worst.
    """
    p = np.asarray(performance, dtype=float)
    worst = -np.inf if higher_is_better else np.inf
    p = np.where(np.isnan(p), worst, p)
    best = p.max(axis=0, keepdims=True) if higher_is_better else p.min(axis=0, keepdims=True)
    out = np.abs(best - p)
    return np.where(np.isfinite(out), out, np.nan)


def goal_met(
    participation: np.ndarray,
    net_cost_per_placed: np.ndarray,
    net_cost: np.ndarray,
    goal: Goal,
) -> np.ndarray:
    """Return where an option meets the goal.

    Parameters
    ----------
    participation, net_cost_per_placed, net_cost : numpy.ndarray
        Same shapes; participation in percent; NaN (nobody placed) never meets a criterion.
    goal : Goal

    Returns
    -------
    numpy.ndarray of bool
    """
    met = np.ones(np.shape(participation), dtype=bool)
    with np.errstate(invalid="ignore"):
        if goal.participation_min is not None:
            met &= np.asarray(participation) >= goal.participation_min
        if goal.net_cost_per_placed_max is not None:
            met &= np.asarray(net_cost_per_placed) <= goal.net_cost_per_placed_max
        if goal.net_cost_max is not None:
            met &= np.asarray(net_cost) <= goal.net_cost_max
    return met


def dominated_by(benefit: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Return the dominance matrix of the options.

    Parameters
    ----------
    benefit : numpy.ndarray
        Shape ``(O, K, S)``, higher is better (placed persons).
    cost : numpy.ndarray
        Shape ``(O, K, S)``, lower is better (net cost).

    Returns
    -------
    numpy.ndarray of bool
        ``D[i, j]`` is True when option ``j`` dominates option ``i``: at least as good on both in
        every scenario and sample, strictly better on one somewhere (beyond ``TIE_TOLERANCE``).
    """
    b = np.asarray(benefit, dtype=float)
    c = np.asarray(cost, dtype=float)
    tol_b = TIE_TOLERANCE * max(1.0, float(np.nanmax(np.abs(b)))) if b.size else 0.0
    tol_c = TIE_TOLERANCE * max(1.0, float(np.nanmax(np.abs(c)))) if c.size else 0.0
    db = b[None, :] - b[:, None]  # [i, j] = benefit of j - benefit of i
    dc = c[:, None] - c[None, :]  # [i, j] = cost of i - cost of j (positive: j cheaper)
    no_worse = (db >= -tol_b) & (dc >= -tol_c)
    better = (db > tol_b) | (dc > tol_c)
    out = no_worse.all(axis=(2, 3)) & better.any(axis=(2, 3))
    np.fill_diagonal(out, False)
    return out


def holds_in(
    met_share: np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
    regret_median: np.ndarray | None = None,
    regret_tolerance: float | None = None,
) -> np.ndarray:
    """Return where each option holds: it meets the goal and stays near the best option.

    Parameters
    ----------
    met_share : numpy.ndarray
        Shape ``(O, K)``: share of samples meeting the goal per option and scenario.
    confidence : float
        Share of samples needed to count the goal as met in a scenario.
    regret_median : numpy.ndarray, optional
        Shape ``(O, K)``: median regret per option and scenario.
    regret_tolerance : float, optional
        Largest median regret that still counts as "no regret"; no regret test without it.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``(O, K)``.
    """
    holds = np.asarray(met_share) >= confidence
    if regret_median is not None and regret_tolerance is not None:
        holds &= np.nan_to_num(np.asarray(regret_median), nan=np.inf) <= regret_tolerance
    return holds


def classify(
    met_share: np.ndarray,
    dominated: np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
    regret_median: np.ndarray | None = None,
    regret_tolerance: float | None = None,
) -> list[str]:
    """Classify options from where they hold (see :func:`holds_in`) and their dominance.

    Parameters
    ----------
    met_share : numpy.ndarray
        Shape ``(O, K)``: share of samples meeting the goal per option and scenario.
    dominated : numpy.ndarray of bool
        Shape ``(O,)``.
    confidence : float
        Share of samples needed to count the goal as met in a scenario.
    regret_median : numpy.ndarray, optional
        Shape ``(O, K)``: median regret per option and scenario.
    regret_tolerance : float, optional
        Largest median regret that still counts as "no regret".

    Returns
    -------
    list of str
        Per option: ``robust`` (holds in every scenario: meets the goal with no regret beyond the
        tolerance), ``scenario_dependent`` (holds in some), ``fragile`` (in none), or
        ``dominated`` (another option is at least as good everywhere; never robust).
    """
    holds = holds_in(met_share, confidence, regret_median, regret_tolerance)
    out = []
    for o in range(holds.shape[0]):
        if dominated[o]:
            out.append("dominated")
        elif holds[o].all():
            out.append("robust")
        elif holds[o].any():
            out.append("scenario_dependent")
        else:
            out.append("fragile")
    return out


# --- evaluation -----------------------------------------------------------------------------------


def effect_parameters(effects: Mapping[str, MeasureEffects]) -> tuple[Parameter, ...]:
    """Return the sampled effect sizes and programme costs of every declared measure.

    Parameters
    ----------
    effects : mapping of str to MeasureEffects

    Returns
    -------
    tuple of Parameter
        Ids ``effect:<measure>:<i>`` and ``cost:<measure>``.
    """
    names = {m.id: m.name for m in load_definitions().measures}
    labels = {a.id: a.label for a in load_assumptions()}
    out = []
    for measure, me in effects.items():
        for i, e in enumerate(me.effects):
            label = f"Effect {names[measure]} op {labels[e.assumption].lower()}"
            out.append(Parameter(f"effect:{measure}:{i}", label, e.low, e.high))
        out.append(
            Parameter(f"cost:{measure}", f"Kosten {names[measure]}", me.cost.low, me.cost.high)
        )
    return tuple(out)


def resolve_options(options: Sequence[str | Option] | None = None) -> tuple[Option, ...]:
    """Return the options to evaluate: declared ids or :class:`Option` objects, validated.

    Parameters
    ----------
    options : sequence of str or Option, optional
        All declared options by default.

    Returns
    -------
    tuple of Option

    Raises
    ------
    WindTunnelError
        For an empty selection, an unknown option id, an unknown measure or a duplicate.
    """
    declared = load_options()
    if options is None:
        return declared
    if isinstance(options, str | Option):
        options = [options]
    chosen = list(options)
    if not chosen:
        raise WindTunnelError("No policy options to evaluate: the option set is empty")
    by_id = {o.id: o for o in declared}
    out, problems = [], []
    for item in chosen:
        if isinstance(item, Option):
            problems.extend(_option_problems(item))
            out.append(item)
        elif item in by_id:
            out.append(by_id[item])
        else:
            close = difflib.get_close_matches(str(item), list(by_id), n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(f"Unknown policy option {item!r}{hint}")
    ids = [o.id for o in out]
    problems += [f"Option {d!r} given twice" for d in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise WindTunnelError("; ".join(problems))
    return tuple(out)


def _region_jobs(region: str, inp: ModelInput) -> float:
    from socecon.regions import group_members

    members = [region] if region in inp.regions else list(group_members(region))
    return float(sum(inp.jobs[inp.regions.index(m)] for m in members))


def _option_overrides(
    options: Sequence[Option],
    scenario: str,
    samples: SampleSet,
    effects: Mapping[str, MeasureEffects],
) -> dict[str, np.ndarray]:
    """Return model overrides for all options stacked on the sample axis (option-major)."""
    assumptions = load_assumptions()
    base = samples.overrides(assumptions)
    defaults = assumptions.resolve()
    n, o_count = len(samples), len(options)
    out = {k: np.concatenate([v] * o_count, axis=0) for k, v in base.items()}
    factors: dict[str, np.ndarray] = {}
    additions: dict[str, np.ndarray] = {}
    for o, option in enumerate(options):
        for measure in option.measures:
            for i, e in enumerate(effects[measure].effects):
                if scenario not in e.scenarios:
                    continue
                size = samples.column(f"effect:{measure}:{i}")
                if e.operation == "multiply":
                    factors.setdefault(e.assumption, np.ones((o_count, n)))[o] *= size
                else:
                    additions.setdefault(e.assumption, np.zeros((o_count, n)))[o] += size
    for key in set(factors) | set(additions):
        start = np.broadcast_to(base.get(key, defaults[key]), (n,))
        value = start * factors.get(key, 1.0) + additions.get(key, 0.0)
        low, high = assumptions[key].bounds or (-np.inf, np.inf)
        out[key] = np.clip(value, low, high).reshape(-1)
    return out


@dataclass(frozen=True)
class WindTunnelResult:
    """Every option in every scenario over the uncertainty samples, for one region.

    Arrays have shape ``(O, K, S)`` (options, scenarios, samples) unless noted.

    Attributes
    ----------
    region : str
    options : tuple of Option
    scenarios : tuple of str
    goal : Goal
    objective : str
    confidence : float
    regret_tolerance : float or None
        Largest median regret (in the objective's unit) that still counts as "no regret".
    participation, placed, net_cost, net_cost_per_placed : numpy.ndarray
        Net cost includes the programme cost.
    programme_cost : numpy.ndarray
        Shape ``(O, S)``, EUR/year.
    samples : SampleSet
    horizon : int
    """

    region: str
    options: tuple[Option, ...]
    scenarios: tuple[str, ...]
    goal: Goal
    objective: str
    confidence: float
    regret_tolerance: float | None
    participation: np.ndarray
    placed: np.ndarray
    net_cost: np.ndarray
    net_cost_per_placed: np.ndarray
    programme_cost: np.ndarray
    samples: SampleSet
    horizon: int

    @property
    def performance(self) -> np.ndarray:
        """The objective per option, scenario and sample."""
        return getattr(
            self, "participation" if self.objective == "participation_rate" else self.objective
        )

    @property
    def regret(self) -> np.ndarray:
        """Regret on the objective, ``(O, K, S)``."""
        return regret(self.performance, OBJECTIVES[self.objective][2])

    @property
    def met(self) -> np.ndarray:
        """Whether the goal is met, ``(O, K, S)``."""
        return goal_met(self.participation, self.net_cost_per_placed, self.net_cost, self.goal)

    @property
    def met_share(self) -> np.ndarray:
        """Share of samples meeting the goal, ``(O, K)``."""
        return self.met.mean(axis=2)

    @property
    def dominance(self) -> np.ndarray:
        """``D[i, j]``: option ``j`` dominates option ``i`` (placed persons vs net cost)."""
        return dominated_by(self.placed, self.net_cost)

    @property
    def classes(self) -> list[str]:
        """Class id per option."""
        return classify(
            self.met_share,
            self.dominance.any(axis=1),
            self.confidence,
            np.nanmedian(self.regret, axis=2),
            self.regret_tolerance,
        )

    def table(self) -> pd.DataFrame:
        """Return the tidy option x scenario matrix with the classification.

        Returns
        -------
        pandas.DataFrame
            One row per option and scenario: ids and Dutch names, P10/median/P90 of participation
            and net cost per placed, medians of placed and net cost, the programme cost, the
            goal share, regret (median, P90), and per option the class (id and Dutch), the
            scenarios where it breaks, the option that dominates it, its maximum median regret
            and overall goal share. ``attrs`` holds the goal, objective, confidence and samples.
        """
        from socecon.regions import region_name

        defs = load_definitions()
        names = {s.id: s.name for s in defs.scenarios}
        dom = self.dominance
        classes = self.classes
        reg = self.regret
        share = self.met_share
        reg_median = np.nanmedian(reg, axis=2)
        holds = holds_in(share, self.confidence, reg_median, self.regret_tolerance)
        reg_p90 = np.nanquantile(reg, 0.9, axis=2)
        name = region_name(self.region)
        overall_part = np.nanmedian(self.participation.reshape(len(self.options), -1), axis=1)
        rows = []
        q = {
            "participation": np.nanquantile(self.participation, [0.1, 0.5, 0.9], axis=2),
            "net_cost_per_placed": _nanquantile(self.net_cost_per_placed),
        }
        for o, option in enumerate(self.options):
            breaks = [names[s] for k, s in enumerate(self.scenarios) if not holds[o, k]]
            winners = np.flatnonzero(dom[o])
            by = ""
            if winners.size:
                best = winners[np.argmax(overall_part[winners])]
                by = self.options[best].name
            for k, scenario in enumerate(self.scenarios):
                rows.append(
                    {
                        "region": self.region,
                        "region_name": name,
                        "option": option.id,
                        "option_name": option.name,
                        "scenario": scenario,
                        "scenario_name": names[scenario],
                        "participation_p10": q["participation"][0, o, k],
                        "participation_median": q["participation"][1, o, k],
                        "participation_p90": q["participation"][2, o, k],
                        "placed_median": np.median(self.placed[o, k]),
                        "net_cost_median": np.median(self.net_cost[o, k]),
                        "net_cost_per_placed_p10": q["net_cost_per_placed"][0, o, k],
                        "net_cost_per_placed_median": q["net_cost_per_placed"][1, o, k],
                        "net_cost_per_placed_p90": q["net_cost_per_placed"][2, o, k],
                        "programme_cost_median": np.median(self.programme_cost[o]),
                        "goal_share": share[o, k],
                        "meets_goal": bool(share[o, k] >= self.confidence),
                        "holds": bool(holds[o, k]),
                        "regret_median": reg_median[o, k],
                        "regret_p90": reg_p90[o, k],
                        "class": classes[o],
                        "class_name": CLASSES[classes[o]],
                        "breaks_in": ", ".join(breaks),
                        "dominated_by": by,
                        "max_regret": np.nanmax(reg_median[o]),
                        "goal_share_all": share[o].mean(),
                    }
                )
        table = pd.DataFrame(rows)
        table.attrs.update(
            goal=self.goal.describe_nl(),
            objective=self.objective,
            confidence=self.confidence,
            regret_tolerance=self.regret_tolerance,
            n_samples=len(self.samples),
            seed=self.samples.seed,
            method=self.samples.method,
            horizon=self.horizon,
        )
        return table


def _nanquantile(a: np.ndarray) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():  # all-NaN when nobody is placed in any sample
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(a, [0.1, 0.5, 0.9], axis=2)


def pinned_ranges(overrides: Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    """Turn assumption overrides into ranges of one point, so that every sample holds them.

    Parameters
    ----------
    overrides : mapping, optional
        Assumption id to a number, or ``(number, unit)``, as for :func:`socecon.model.run`.

    Returns
    -------
    dict of str to (float, float)

    Raises
    ------
    AssumptionError
        For an invalid override, or one that is not a scalar (a distribution cannot be pinned
        while the wind tunnel samples around it).
    """
    from socecon.definitions.assumptions import load_assumptions
    from socecon.exceptions import AssumptionError

    assumptions = load_assumptions()
    values = assumptions.resolve(overrides)  # validates ids, types, units and bounds
    pinned = {}
    for key in overrides or {}:
        if assumptions[key].kind != "scalar":
            raise AssumptionError(
                f"the wind tunnel can only hold scalar assumptions fixed, not {key!r}"
            )
        number = float(values[key])
        pinned[key] = (number, number)
    return pinned


def evaluate(
    region: str,
    options: Sequence[str | Option] | None = None,
    goal: Goal | Mapping[str, float] | None = None,
    *,
    scenarios: Sequence[str] | None = None,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    method: str = "lhs",
    horizon: int = DEFAULT_HORIZON,
    objective: str = "participation_rate",
    confidence: float = DEFAULT_CONFIDENCE,
    regret_tolerance: float | str | None = "auto",
    ranges: Mapping[str, Sequence[float]] | None = None,
    effects: Mapping[str, MeasureEffects] | None = None,
    model_input: ModelInput | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> WindTunnelResult:
    """Evaluate every option in every scenario over the uncertainty samples.

    Parameters
    ----------
    region : str
        One municipality (code or name) or group (``isd_midden_langstraat``, AMxx, ...).
    options : sequence of str or Option, optional
        Option ids from ``options.yaml`` or :class:`Option` objects; all declared by default.
    goal : Goal or mapping, optional
        The satisficing goal (a mapping is passed to :class:`Goal`); none by default.
    scenarios : sequence of str, optional
        Future scenario ids; the study's four by default.
    n_samples : int
        Uncertainty samples (assumptions, effect sizes, programme costs).
    seed : int or None
        Random seed; the same seed reproduces the result bit for bit.
    method : {"lhs", "mc"}
        Sampling method.
    horizon : int
        Year the scenarios are in place.
    objective : str
        What regret is measured on: ``participation_rate`` (default), ``placed``, ``net_cost`` or
        ``net_cost_per_placed``.
    confidence : float
        Share of samples (0-1] that must meet the goal for it to count as met in a scenario.
    regret_tolerance : float or None
        Largest median regret that still counts as "no regret" in a scenario, in the
        objective's unit; ``"auto"`` means :data:`DEFAULT_REGRET_TOLERANCE` percentage points
        for the participation objective and no regret test for the others; None switches the
        regret test off. An option is robust only if it meets the goal and stays within this
        tolerance of the best option in every scenario.
    ranges : mapping, optional
        Replacement ranges for assumptions (see :func:`socecon.analysis.uncertainty.sample`).
    effects : mapping of str to MeasureEffects, optional
        Measure effects; the declared ones by default.
    model_input : ModelInput, optional
        Base-year stocks; the CBS snapshot by default.
    overrides : mapping, optional
        Scalar assumptions held fixed in every sample (see :func:`pinned_ranges`); ``ranges``
        wins where both name an assumption.

    Returns
    -------
    WindTunnelResult

    Raises
    ------
    WindTunnelError
        For an invalid goal, objective, confidence, scenario or option set.
    UnknownRegionError
        For an unknown region.
    """
    if isinstance(goal, Mapping):
        unknown = sorted(
            set(goal) - {"participation_min", "net_cost_per_placed_max", "net_cost_max"}
        )
        if unknown:
            raise WindTunnelError(f"Unknown goal criterion {unknown[0]!r}")
        goal = Goal(**goal)
    goal = goal or Goal()
    if objective not in OBJECTIVES:
        raise WindTunnelError(
            f"Unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}"
        )
    if regret_tolerance == "auto":
        regret_tolerance = DEFAULT_REGRET_TOLERANCE if objective == "participation_rate" else None
    if regret_tolerance is not None and (
        isinstance(regret_tolerance, bool)
        or not isinstance(regret_tolerance, int | float)
        or not regret_tolerance >= 0
    ):
        raise WindTunnelError(
            f"regret_tolerance = {regret_tolerance!r} must be a non-negative number or None"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise WindTunnelError(f"seed = {seed!r} must be a non-negative whole number")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0 < confidence <= 1
    ):
        raise WindTunnelError(f"confidence must lie in (0, 1], got {confidence!r}")
    if not isinstance(region, str):
        raise WindTunnelError(f"The wind tunnel takes one region, got {region!r}")
    defs = load_definitions()
    future = [s.id for s in defs.future_scenarios]
    chosen = list(scenarios) if scenarios is not None else future
    bad = [s for s in chosen if s not in future]
    if bad or not chosen:
        raise WindTunnelError(
            f"Unknown scenario {bad[0] if bad else None!r} for the wind tunnel; "
            f"choose from {', '.join(future)}"
        )
    opts = resolve_options(options)
    effects = effects if effects is not None else load_measure_effects()
    missing = sorted({m for o in opts for m in o.measures if m not in effects})
    if missing:
        raise WindTunnelError(f"No effects declared for measure(s) {', '.join(missing)}")
    samples = sample(
        n_samples,
        method=method,
        seed=seed,
        ranges={**pinned_ranges(overrides), **(ranges or {})} or None,
        extra=effect_parameters(effects),
    )
    inp = model_input if model_input is not None else snapshot_input()
    funcs = registry()
    shape = (len(opts), len(chosen), n_samples)
    placed, target, model_net = np.empty(shape), np.empty(shape), np.empty(shape)
    region_id = region
    for k, scenario in enumerate(chosen):
        overrides = _option_overrides(opts, scenario, samples, effects)
        result = run(
            [region],
            [scenario],
            horizon=horizon,
            years=[horizon],
            overrides=overrides,
            model_input=inp,
        )
        region_id = result.regions[0]
        c = result.components
        placed[:, k] = c.placed[0, :, 0, 0].sum(-1).reshape(len(opts), n_samples)
        target[:, k] = c.target_group[0, :, 0, 0].sum(-1).reshape(len(opts), n_samples)
        model_net[:, k] = funcs["net_cost"](c)[0, :, 0, 0].reshape(len(opts), n_samples)
    jobs = _region_jobs(region_id, inp)
    programme = np.zeros((len(opts), n_samples))
    for o, option in enumerate(opts):
        for measure in option.measures:
            programme[o] += samples.column(f"cost:{measure}") * jobs / 1000.0
    net = model_net + programme[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        participation = np.where(target > 0, placed / np.where(target > 0, target, 1) * 100, np.nan)
        per_placed = np.where(placed > 0, net / np.where(placed > 0, placed, 1), np.nan)
    return WindTunnelResult(
        region=region_id,
        options=opts,
        scenarios=tuple(chosen),
        goal=goal,
        objective=objective,
        confidence=float(confidence),
        regret_tolerance=regret_tolerance,
        participation=participation,
        placed=placed,
        net_cost=net,
        net_cost_per_placed=per_placed,
        programme_cost=programme,
        samples=samples,
        horizon=horizon,
    )


def matrix(
    region: str,
    goal: Goal | Mapping[str, float] | None = None,
    *,
    options: Sequence[str | Option] | None = None,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    **kwargs: Any,
) -> pd.DataFrame:
    """Return the tidy option x scenario matrix with the classification for one region.

    A shortcut for ``evaluate(...).table()``; see :func:`evaluate` for the parameters and
    :meth:`WindTunnelResult.table` for the columns.

    Returns
    -------
    pandas.DataFrame
    """
    return evaluate(region, options, goal, n_samples=n_samples, seed=seed, **kwargs).table()


def summary_nl(result: WindTunnelResult | pd.DataFrame) -> str:
    """Return a few Dutch sentences: which options are robust for this region, and why.

    Parameters
    ----------
    result : WindTunnelResult or pandas.DataFrame
        A result of :func:`evaluate`, or the table of :func:`matrix`.

    Returns
    -------
    str
    """
    table = result.table() if isinstance(result, WindTunnelResult) else result
    need = {"option_name", "scenario_name", "class", "breaks_in", "dominated_by", "max_regret"}
    if not need <= set(table.columns) or table.empty:
        raise WindTunnelError("summary_nl needs a wind-tunnel result or the table of matrix()")
    per_option = table.groupby("option", sort=False).first()
    n_scen = table["scenario"].nunique()
    region = f"{table['region_name'].iloc[0]} ({table['region'].iloc[0]})"
    goal = table.attrs.get("goal", "het gestelde doel")
    conf = table.attrs.get("confidence", DEFAULT_CONFIDENCE)
    unit = OBJECTIVES[table.attrs.get("objective", "participation_rate")][1]
    by_class = {c: per_option[per_option["class"] == c] for c in CLASSES}
    tolerance = table.attrs.get("regret_tolerance")
    lines = [
        f"Windtunnel voor {region}: {len(per_option)} beleidsopties getoetst in {n_scen} "
        f"scenario's, doel: {goal} (gehaald als dat in minstens {_nl(conf * 100)} % van de "
        f"{table.attrs.get('n_samples', '')} doorrekeningen lukt)."
        + (
            f" Een optie houdt stand in een scenario als ze het doel haalt en daar hoogstens "
            f"{_nl(tolerance, 1)} {unit} achterblijft bij de beste optie (geen spijt)."
            if tolerance is not None
            else ""
        )
    ]
    robust = by_class["robust"].sort_values("max_regret")
    if len(robust):
        names = ", ".join(f"'{n}'" for n in robust["option_name"])
        lines.append(
            f"Robuust ({len(robust)}): {names}. "
            + (
                "Deze optie houdt in elk scenario stand en geen andere optie plaatst in elke "
                "wereld meer mensen tegen lagere kosten."
                if len(robust) == 1
                else "Deze opties houden in elk scenario stand en geen andere optie plaatst in "
                "elke wereld meer mensen tegen lagere kosten."
            )
        )
        best = robust.iloc[0]
        worst_scen = (
            table[(table["option"] == robust.index[0])].sort_values("regret_median").iloc[-1]
        )
        lines.append(
            f"De veiligste keuze is '{best['option_name']}': de grootste spijt is "
            f"{_nl(best['max_regret'], 1)} {unit} ten opzichte van de beste optie "
            f"(in {worst_scen['scenario_name']})."
        )
    else:
        closest = per_option[per_option["class"] != "dominated"].sort_values(
            "goal_share_all", ascending=False
        )
        text = "Geen enkele optie houdt in elk scenario stand."
        if len(closest):
            c = closest.iloc[0]
            text += (
                f" Het dichtst bij komt '{c['option_name']}' (doel gehaald in "
                f"{_nl(c['goal_share_all'] * 100)} % van alle doorrekeningen; breekt in "
                f"{c['breaks_in']})."
            )
        lines.append(text)
    dep = by_class["scenario_dependent"]
    if len(dep):
        parts = [
            f"'{n}' (breekt in {b})"
            for n, b in zip(dep["option_name"], dep["breaks_in"], strict=True)
        ]
        lines.append(f"Scenarioafhankelijk: {'; '.join(parts)}.")
    fragile = by_class["fragile"]
    if len(fragile):
        names = ", ".join(f"'{n}'" for n in fragile["option_name"])
        lines.append(f"Kwetsbaar, houdt in geen enkel scenario stand: {names}.")
    dominated = by_class["dominated"]
    if len(dominated):
        parts = [
            f"'{n}' (door '{b}')"
            for n, b in zip(dominated["option_name"], dominated["dominated_by"], strict=True)
        ]
        lines.append(
            "Gedomineerd, want een andere optie plaatst in elke wereld minstens evenveel mensen "
            f"tegen hoogstens dezelfde kosten: {'; '.join(parts)}."
        )
    return "\n".join(lines)
