"""The wind tunnel: which policy options hold up in every scenario, per municipality.

Scenario planners test each policy option against each scenario ("wind-tunnelling"). Here an
option is a bundle of measures (``definitions/options.yaml``) that the municipality chooses; each
moves model levers by declared, uncertain amounts (``definitions/measure_effects.yaml``) in the
scenarios where it can act, and costs a programme budget in every scenario (the outside world).
Every option is evaluated in every scenario over the same uncertainty samples (common random
numbers: assumptions, effect sizes and costs are sampled once, in one Latin hypercube).

Per option, scenario and sample it computes participation, placed persons and the net cost
including the programme cost (:func:`evaluate`), and judges them (:mod:`~.criteria`): regret,
goal, dominance and a verdict per option, with where it breaks (:meth:`WindTunnelResult.table`).

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
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socecon.analysis import option_runs
from socecon.analysis.criteria import (
    CONFIDENCE_LEVEL,
    DEFAULT_REGRET_PERCENTILE,
    DEFAULT_REGRET_TOLERANCE,
    DEFAULT_THRESHOLD,
    OBJECTIVES,
    Goal,
    check_settings,
    worth_second_look,
)
from socecon.analysis.option_runs import effect_parameters, pinned_ranges
from socecon.analysis.resources import check_samples
from socecon.analysis.uncertainty import SampleSet, sample
from socecon.analysis.windtunnel_result import WindTunnelResult
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.definitions.effects import MeasureEffects, load_measure_effects
from socecon.definitions.options import Option, load_options, option_problems
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import WindTunnelError
from socecon.model.inputs import ModelInput, snapshot_input
from socecon.regions import group_members, resolve

#: Uncertainty samples by default (``windtunnel.yaml``).
DEFAULT_SAMPLES = load_windtunnel().samples
#: Regions with a verdict more samples could decide are computed again with this many times the
#: samples (:func:`~socecon.analysis.criteria.worth_second_look`).
SECOND_LOOK = load_windtunnel().second_look


# --- evaluation -----------------------------------------------------------------------------------


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


def evaluate(region: str, *args: Any, **kwargs: Any) -> WindTunnelResult:
    """Evaluate every option in every scenario over the uncertainty samples, for one region.

    See :func:`evaluate_many` for the parameters (``region`` instead of ``regions``).

    Returns
    -------
    WindTunnelResult
    """
    if not isinstance(region, str):
        raise WindTunnelError(f"The wind tunnel takes one region, got {region!r}")
    return evaluate_many([region], *args, **kwargs)[0]


def evaluate_many(
    regions: Sequence[str],
    options: Sequence[str | Option] | None = None,
    goal: Goal | Mapping[str, float] | None = None,
    *,
    scenarios: Sequence[str] | None = None,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    method: str = "lhs",
    horizon: int = DEFAULT_HORIZON,
    objective: str = "participation_rate",
    threshold: float = DEFAULT_THRESHOLD,
    regret_percentile: float = DEFAULT_REGRET_PERCENTILE,
    regret_tolerance: float | str | None = "auto",
    level: float = CONFIDENCE_LEVEL,
    ranges: Mapping[str, Sequence[float]] | None = None,
    effects: Mapping[str, MeasureEffects] | None = None,
    model_input: ModelInput | None = None,
    overrides: Mapping[str, Any] | None = None,
    second_look: int = SECOND_LOOK,
) -> list[WindTunnelResult]:
    """Evaluate every option in every scenario over the uncertainty samples, for many regions.

    All regions share the samples and every model pass (one vectorised run per distinct set of
    active effects), and the model's work that does not depend on the region (prices and the
    target group's sums over the bands per sample) is done once per pass. Each region's result
    is bit for bit what :func:`evaluate` gives it alone: the model takes every sum over bands
    or samples on arrays that are the same for every region and scales them per region
    elementwise (:class:`socecon.model.placement.TargetGroup`). The samples are also kept
    between calls (:func:`draw_samples`); ``benchmarks/bench_windtunnel_stages.py`` measures
    what a pass saves per region.

    Parameters
    ----------
    regions : sequence of str
        Municipalities (code or name) and groups (``isd_midden_langstraat``, AMxx, ...).
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
    threshold : float
        Share of samples (0-1] that must meet the goal for it to count as met in a scenario
        (``windtunnel.yaml``: 0.8).
    regret_percentile : float
        Percentile (0-1] of the samples at which regret is judged (0.9: P90; 1.0: maximum).
    regret_tolerance : float or None
        Largest regret at that percentile that still counts as "no regret" in a scenario, in the
        objective's unit; ``"auto"`` means :data:`DEFAULT_REGRET_TOLERANCE` percentage points
        for the participation objective and no regret test for the others; None switches the
        regret test off. An option is robust only if it meets the goal and stays within this
        tolerance of the best option in every scenario.
    level : float
        Joint confidence (0-1) of the statements a firm verdict rests on.
    ranges : mapping, optional
        Replacement ranges for assumptions (see :func:`socecon.analysis.uncertainty.sample`).
    effects : mapping of str to MeasureEffects, optional
        Measure effects; the declared ones by default.
    model_input : ModelInput, optional
        Base-year stocks (and their indeling); the CBS snapshot by default.
    overrides : mapping, optional
        Scalar assumptions held fixed in every sample (see :func:`pinned_ranges`); ``ranges``
        wins where both name an assumption.
    second_look : int
        A region with an undecided verdict is judged again on ``second_look`` times
        ``n_samples`` samples: the first ones and new, independent ones (seeded from ``seed``).
        1 switches this off (``windtunnel.yaml``).

    Returns
    -------
    list of WindTunnelResult
        One per region, in order.

    Raises
    ------
    WindTunnelError
        For an empty region list, an invalid goal, objective, threshold, percentile, level,
        scenario or option set.
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
    check_settings(threshold, regret_percentile, level)
    if isinstance(regions, str) or not regions or not all(isinstance(r, str) for r in regions):
        raise WindTunnelError(f"The wind tunnel takes a list of regions, got {regions!r}")
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
    inp = model_input if model_input is not None else snapshot_input()
    codes = [resolve(r, inp.indeling) for r in regions]
    members = sum(len(group_members(code, inp.indeling)) for code in codes)
    check_samples(n_samples, len(opts) * members, f"the wind tunnel for {', '.join(codes)}")
    effects = effects if effects is not None else load_measure_effects()
    missing = sorted({m for o in opts for m in o.measures if m not in effects})
    if missing:
        raise WindTunnelError(f"No effects declared for measure(s) {', '.join(missing)}")
    if isinstance(second_look, bool) or not isinstance(second_look, int) or second_look < 1:
        raise WindTunnelError(f"second_look = {second_look!r} must be a whole number >= 1")
    draw = dict(
        method=method,
        ranges={**pinned_ranges(overrides), **(ranges or {})} or None,
        extra=effect_parameters(effects),
    )
    samples = draw_samples(n_samples, seed, **draw)
    looks = 2 if second_look > 1 else 1
    settings = dict(
        options=opts,
        scenarios=tuple(chosen),
        goal=goal,
        objective=objective,
        threshold=float(threshold),
        regret_percentile=float(regret_percentile),
        level=float(level),
        regret_tolerance=regret_tolerance,
        horizon=horizon,
        looks=looks,
    )
    outputs = option_runs.model_outputs(regions, opts, chosen, samples, effects, horizon, inp)
    results = _results(outputs, samples, inp, settings)
    again = [r for r, res in enumerate(results) if worth_second_look(res)]
    if looks == 1 or not again:
        return results
    more, pooled = second_samples(samples, second_look, **draw)
    ids = [results[r].region for r in again]
    # Both looks' outputs side by side on the sample axis: the first look's copied in, the
    # second look's written in place by the model runs.
    n = len(samples)
    joined = [np.empty((len(again), *a.shape[1:-1], len(pooled))) for a in outputs[1:]]
    for whole, first in zip(joined, outputs[1:], strict=True):
        for i, r in enumerate(again):
            whole[i, ..., :n] = first[r]
    second = [whole[..., n:] for whole in joined]
    option_runs.model_outputs(ids, opts, chosen, more, effects, horizon, inp, out=second)
    pooled_results = _results((tuple(ids), *joined), pooled, inp, settings)
    for r, result in zip(again, pooled_results, strict=True):
        results[r] = result
    return results


#: Sample sets kept by :func:`draw_samples` (the newest few; a report batch uses two or three).
_SAMPLE_CACHE: OrderedDict[tuple, SampleSet] = OrderedDict()
_SAMPLE_CACHE_SIZE = 6


def _kept(key: tuple, make: Any) -> SampleSet:
    """Return the sample set kept under ``key``, or make, keep and return it (read-only)."""
    if key in _SAMPLE_CACHE:
        _SAMPLE_CACHE.move_to_end(key)
        return _SAMPLE_CACHE[key]
    found = make()
    found.values.flags.writeable = False
    for values in found.distributions.values():
        values.flags.writeable = False
    _SAMPLE_CACHE[key] = found
    while len(_SAMPLE_CACHE) > _SAMPLE_CACHE_SIZE:
        _SAMPLE_CACHE.popitem(last=False)
    return found


def _draw_key(n: int, seed: int, method: str, ranges: Mapping | None, extra: tuple) -> tuple:
    ranges = tuple(sorted((k, tuple(float(v) for v in r)) for k, r in (ranges or {}).items()))
    return (int(n), int(seed), method, ranges, tuple(extra))


def draw_samples(
    n: int,
    seed: int | None,
    *,
    method: str = "lhs",
    ranges: Mapping[str, Sequence[float]] | None = None,
    extra: tuple = (),
) -> SampleSet:
    """Return :func:`~socecon.analysis.uncertainty.sample`'s samples, drawn once per process.

    Every municipality of a report batch draws the same samples (the same count, seed, method,
    ranges and effect parameters), so they are kept, keyed on all of these, and the next
    region gets the very same arrays; a seed of None is never kept (it draws fresh entropy).
    The arrays are read-only, so that no caller can change what the next one gets.

    Parameters
    ----------
    n : int
    seed : int or None
    method, ranges, extra
        As for :func:`~socecon.analysis.uncertainty.sample`.

    Returns
    -------
    SampleSet
    """
    draw = dict(method=method, ranges=ranges, extra=extra)
    if seed is None:
        return sample(n, seed=seed, **draw)
    return _kept(_draw_key(n, seed, method, ranges, extra), lambda: sample(n, seed=seed, **draw))


def second_samples(
    samples: SampleSet, second_look: int, **draw: Any
) -> tuple[SampleSet, SampleSet]:
    """Return the second look's new samples and all samples pooled (the first ones first).

    The new samples are the same draw with ``second_look - 1`` times as many samples and an
    independent seed derived from the first one's; like :func:`draw_samples`, both sets are
    made once per process.

    Parameters
    ----------
    samples : SampleSet
        The first look's, from :func:`draw_samples` with the same ``draw``.
    second_look : int
    **draw
        ``method``, ``ranges`` and ``extra`` as given to :func:`draw_samples`.

    Returns
    -------
    (SampleSet, SampleSet)
    """
    seed = samples.seed
    more_seed = (
        None if seed is None else int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])
    )
    more = draw_samples(len(samples) * (second_look - 1), more_seed, **draw)

    def pool() -> SampleSet:
        return SampleSet(
            samples.parameters,
            np.concatenate([samples.values, more.values]),
            {
                k: np.concatenate([v, more.distributions[k]])
                for k, v in samples.distributions.items()
            },
            samples.method,
            samples.seed,
        )

    if seed is None:
        return more, pool()
    first = _draw_key(
        len(samples), seed, draw.get("method", "lhs"), draw.get("ranges"), draw.get("extra", ())
    )
    return more, _kept(("pooled", first, int(second_look)), pool)


def _results(
    outputs: tuple, samples: SampleSet, inp: ModelInput, settings: Mapping[str, Any]
) -> list[WindTunnelResult]:
    """Turn model outputs (:func:`option_runs.model_outputs`) into one result per region."""
    ids, placed, target, model_net = outputs
    opts = settings["options"]
    # Programme costs per 1,000 jobs of every measure, (M, S): the same for every region.
    measures = sorted({m for option in opts for m in option.measures})
    costs = np.stack([samples.column(f"cost:{m}") for m in measures]) if measures else None
    results = []
    for r, region_id in enumerate(ids):
        programme = np.zeros((len(opts), len(samples)))
        if costs is not None:
            per_measure = costs * option_runs.region_jobs(region_id, inp) / 1000.0
            for o, option in enumerate(opts):
                for measure in option.measures:
                    programme[o] += per_measure[measures.index(measure)]
        net = model_net[r] + programme[:, None, :]
        # Participation in percent where there is a target group, the net cost per placed
        # person where somebody is placed; NaN elsewhere.
        participation = np.full(placed[r].shape, np.nan)
        has_target = target[r] > 0
        np.divide(placed[r], target[r], out=participation, where=has_target)
        np.multiply(participation, 100, out=participation, where=has_target)
        per_placed = np.full(net.shape, np.nan)
        np.divide(net, placed[r], out=per_placed, where=placed[r] > 0)
        results.append(
            WindTunnelResult(
                region=region_id,
                participation=participation,
                placed=placed[r],
                net_cost=net,
                net_cost_per_placed=per_placed,
                programme_cost=programme,
                samples=samples,
                **settings,
            )
        )
    return results


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
