"""The model runs behind the wind tunnel: every option in every scenario, without repeated work.

:mod:`socecon.analysis.windtunnel` judges the options; this module computes what it judges.
An option changes the model only through the effects of its measures that act in a scenario
(``definitions/measure_effects.yaml``), so options with the same active effects there give the
same model result: each distinct set of active effects is run once, over the shared samples
(common random numbers), and all regions of a batch share every run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from socecon.analysis.uncertainty import Parameter, SampleSet
from socecon.definitions import load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.effects import COST_UNIT, MeasureEffects
from socecon.definitions.options import Option
from socecon.definitions.windtunnel import OverlapSettings, load_windtunnel
from socecon.exceptions import AssumptionError
from socecon.model.core import run
from socecon.model.indicators import registry
from socecon.model.inputs import ModelInput
from socecon.regions import group_members, resolve


def region_jobs(region: str, inp: ModelInput) -> float:
    """Return the jobs of a municipality or group (programme costs scale with them)."""
    members = [region] if region in inp.regions else list(group_members(region, inp.indeling))
    return float(sum(inp.jobs[inp.regions.index(m)] for m in members))


def active_effects(
    option: Option, scenario: str, effects: Mapping[str, MeasureEffects]
) -> tuple[tuple[str, int], ...]:
    """Return the effects ``(measure, index)`` of an option that act in a scenario, sorted."""
    return tuple(
        sorted(
            (measure, i)
            for measure in option.measures
            for i, e in enumerate(effects[measure].effects)
            if scenario in e.scenarios
        )
    )


def combine_gains(gains: np.ndarray, share: float) -> np.ndarray:
    """Combine the gains of overlapping effects on one lever: the strongest in full.

    Every further positive gain counts for ``share`` of its size (``overlap`` in
    ``windtunnel.yaml``); a negative gain (a measure that lowers the lever) counts in full. With
    ``0 <= share <= 1`` the result is never more than the sum of the parts and never less than
    the largest part (plus the negative ones).

    Parameters
    ----------
    gains : numpy.ndarray
        Shape ``(k, ...)``: the gain of each of ``k`` effects, in the lever's unit.
    share : float

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``: the combined gain.
    """
    positive = np.clip(gains, 0.0, None)
    top = positive.max(axis=0)
    return top + share * (positive.sum(axis=0) - top) + np.clip(gains, None, 0.0).sum(axis=0)


def pattern_overrides(
    patterns: Sequence[tuple[tuple[str, int], ...]],
    base: Mapping[str, np.ndarray],
    samples: SampleSet,
    effects: Mapping[str, MeasureEffects],
    overlap: OverlapSettings | None = None,
) -> dict[str, np.ndarray]:
    """Return model overrides for sets of active effects, stacked on the sample axis.

    ``base`` holds the sampled assumptions (:meth:`SampleSet.overrides`); every pattern gets
    its own block of ``S`` rows. On a lever of ``overlap`` (by default the declared one) each
    effect is a gain on the sampled value (``value x (factor - 1)`` or the addition) and the
    gains of one pattern combine by :func:`combine_gains`; on any other assumption the factors
    multiply and the additions add up.
    """
    overlap = overlap or load_windtunnel().overlap
    assumptions = load_assumptions()
    defaults = assumptions.resolve()
    n, count = len(samples), len(patterns)
    out = {k: np.concatenate([v] * count, axis=0) for k, v in base.items()}
    factors: dict[str, np.ndarray] = {}
    additions: dict[str, np.ndarray] = {}
    gains: dict[str, list[list[np.ndarray]]] = {}

    def start(key: str) -> np.ndarray:
        return np.broadcast_to(base.get(key, defaults[key]), (n,))

    for p, pattern in enumerate(patterns):
        for measure, i in pattern:
            e = effects[measure].effects[i]
            size = samples.column(f"effect:{measure}:{i}")
            multiply = e.operation == "multiply"
            if e.assumption in overlap.levers:
                gain = start(e.assumption) * (size - 1.0) if multiply else size
                gains.setdefault(e.assumption, [[] for _ in patterns])[p].append(gain)
            elif multiply:
                factors.setdefault(e.assumption, np.ones((count, n)))[p] *= size
            else:
                additions.setdefault(e.assumption, np.zeros((count, n)))[p] += size
    for key in set(factors) | set(additions) | set(gains):
        value = start(key) * factors.get(key, 1.0) + additions.get(key, 0.0)
        if key in gains:
            combined = [
                combine_gains(np.stack(g), overlap.share) if g else np.zeros(n) for g in gains[key]
            ]
            value = value + np.stack(combined)
        low, high = assumptions[key].bounds or (-np.inf, np.inf)
        out[key] = np.clip(value, low, high).reshape(-1)
    return out


def model_outputs(
    regions: Sequence[str],
    options: Sequence[Option],
    scenarios: Sequence[str],
    samples: SampleSet,
    effects: Mapping[str, MeasureEffects],
    horizon: int,
    inp: ModelInput,
    out: Sequence[np.ndarray] | None = None,
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """Run the model once per distinct set of active effects; return placed, target, net cost.

    An option changes the model only through the effects of its measures that act in a
    scenario, so options with the same active effects in a scenario (often none at all) give
    the same model result there. The samples without any effect are run once for every
    scenario together; every other distinct set once, in its own scenario (the model leaves
    the baseline out of these runs of the horizon alone); such a run stacks one block of the
    samples per set, and the model computes what is the same in every block (the target
    group's sums over the bands, unless an effect changes them) for the first block only
    (``run(tiles=...)``). The runs compute only the target group, the placed and the net cost
    (``run(net_cost_only=True)``). All regions share each model pass (region-independent work
    is done once).

    Parameters
    ----------
    regions, options, scenarios, samples, effects, horizon, inp
        As for :func:`socecon.analysis.windtunnel.evaluate_many`.
    out : sequence of three numpy.ndarray, optional
        Arrays of shape ``(R, O, K, S)`` to write placed, target group and net cost into (e.g.
        views of larger arrays); new ones by default.

    Returns
    -------
    (tuple of str, numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Region ids and arrays of shape ``(R, O, K, S)``; net cost without the programme cost.
    """
    n = len(samples)
    base = samples.overrides(load_assumptions())
    funcs = registry()
    # Groups are sums of their members: run the members, sum the three totals afterwards.
    ids = tuple(r if r in inp.regions else resolve(r, inp.indeling) for r in regions)
    members = [[r] if r in inp.regions else list(group_members(r, inp.indeling)) for r in ids]
    union = sorted({m for group in members for m in group})
    # Each region's rows of the union, summed in the region's own member order, so that a
    # region's result does not depend on which other regions share the pass.
    rows_of = [[union.index(m) for m in group] for group in members]
    shape = (len(ids), len(options), len(scenarios), n)
    if out is not None and any(a.shape != shape for a in out):
        raise ValueError(f"model_outputs writes arrays of shape {shape}")
    placed, target, net = out if out is not None else [np.empty(shape) for _ in range(3)]

    def outputs(
        names: Sequence[str], overrides: Mapping[str, np.ndarray], tiles: int = 1
    ) -> list[np.ndarray]:
        c = run(
            union,
            names,
            horizon=horizon,
            years=[horizon],
            overrides=overrides,
            model_input=inp,
            bands=False,
            net_cost_only=True,
            tiles=tiles,
        ).components
        totals = (c.placed[0, ..., 0], c.target_group[0, ..., 0], funcs["net_cost"](c)[0])
        # (patterns x n, U, K) -> (patterns, U, K, n), a view -> per region (patterns, R, K, n),
        # copied once, so that every option's slot is a block of contiguous rows
        shaped = [np.moveaxis(a.reshape(-1, n, *a.shape[1:]), 1, -1) for a in totals]
        if all(len(r) == 1 for r in rows_of):  # municipalities only: pick rows
            return [a[:, [r[0] for r in rows_of]] for a in shaped]
        return [np.stack([_member_sum(a, r) for r in rows_of], axis=1) for a in shaped]

    active = [[active_effects(o, s, effects) for s in scenarios] for o in options]
    if any(not a for row in active for a in row):
        values = outputs(scenarios, base)
        for o, row in enumerate(active):
            for k, pattern in enumerate(row):
                if not pattern:
                    for array, value in zip((placed, target, net), values, strict=True):
                        array[:, o, k] = value[0, :, k]
    for k, scenario in enumerate(scenarios):
        patterns = list(dict.fromkeys(row[k] for row in active if row[k]))
        if not patterns:
            continue
        overrides = pattern_overrides(patterns, base, samples, effects)
        values = outputs([scenario], overrides, tiles=len(patterns))
        for o, row in enumerate(active):
            if row[k]:
                p = patterns.index(row[k])
                for array, value in zip((placed, target, net), values, strict=True):
                    array[:, o, k] = value[p, :, 0]
    return ids, placed, target, net


def _member_sum(a: np.ndarray, rows: Sequence[int]) -> np.ndarray:
    """Sum the rows ``rows`` (axis 1) of ``a`` one after the other (the same order in any batch)."""
    total = a[:, rows[0]].copy()
    for r in rows[1:]:
        total += a[:, r]
    return total


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
            out.append(Parameter(f"effect:{measure}:{i}", label, e.low, e.high, e.unit))
        out.append(
            Parameter(
                f"cost:{measure}",
                f"Kosten {names[measure]}",
                me.cost.low,
                me.cost.high,
                COST_UNIT,
            )
        )
    return tuple(out)


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
