"""The wind tunnel: which policy options hold up in every scenario, per municipality.

Scenario planners test each policy option against each scenario ("wind-tunnelling"). Here an
option is a bundle of the study's measures (``definitions/options.yaml``) that the municipality
chooses; each measure moves model levers by declared, uncertain amounts
(``definitions/measure_effects.yaml``) in the scenarios where it can act, and costs a programme
budget in every scenario. The scenarios are the outside world. Every option is evaluated in every
scenario over the same uncertainty samples (common random numbers: assumptions, effect sizes and
costs are sampled once, in one Latin hypercube, and shared by all options).

Per option, scenario and sample the wind tunnel computes the participation rate, placed persons
and the municipality's net cost including the programme cost (:func:`evaluate`), and judges them
by the criteria of :mod:`socecon.analysis.criteria`: regret against the best option, whether a
goal is met, dominance, and a class per option (robust, scenario-dependent, fragile, dominated),
with the scenarios where it breaks (:meth:`WindTunnelResult.table`, :func:`matrix`).

Examples
--------
>>> from socecon.analysis import criteria, windtunnel
>>> from socecon.report.policy import summary_nl
>>> goal = criteria.Goal(participation_min=25, net_cost_per_placed_max=15000)
>>> table = windtunnel.matrix("GM0301", goal=goal, n_samples=200, seed=1)  # doctest: +SKIP
>>> print(summary_nl(table))  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socecon.analysis.criteria import (
    CLASSES,
    DEFAULT_CONFIDENCE,
    DEFAULT_REGRET_TOLERANCE,
    OBJECTIVES,
    Goal,
    classify,
    dominated_by,
    goal_met,
    holds_in,
    regret,
)
from socecon.analysis.resources import check_samples
from socecon.analysis.uncertainty import Parameter, SampleSet, sample
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.effects import MeasureEffects, load_measure_effects
from socecon.definitions.options import Option, load_options, option_problems
from socecon.exceptions import AssumptionError, WindTunnelError
from socecon.model.core import run
from socecon.model.indicators import registry
from socecon.model.inputs import ModelInput, snapshot_input
from socecon.regions import group_members, region_name, resolve

DEFAULT_SAMPLES = 200


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
            problems.extend(option_problems(item))
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
            goal=self.goal,
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
    code = resolve(region)
    check_samples(n_samples, len(opts) * len(group_members(code)), f"the wind tunnel for {code}")
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
