"""The robustness criteria of the wind tunnel, in one place: goal, regret, dominance, verdicts.

The wind tunnel (:mod:`socecon.analysis.windtunnel`) evaluates every policy option in every
scenario over the same uncertainty samples (common random numbers). This module judges the
outcome; its functions work on plain arrays of shape ``(O, K, S)`` (options, scenarios, samples).
The settings (threshold, percentile, tolerance, confidence, labels, colours) are declared in
``definitions/windtunnel.yaml``; every definition that uses them is here.

satisficing
    The share of samples in which the option meets the user's :class:`Goal` (participation at
    least X %, net cost per placed at most Y euro, net cost at most Z euro a year), per
    scenario. The goal counts as met in a scenario when that share reaches the threshold
    (:data:`DEFAULT_THRESHOLD`, 0.8: "in 8 of 10 computed futures").
regret
    How far the option falls short of the best option *in the same scenario and sample* on the
    objective (participation rate by default, in percentage points; see :data:`OBJECTIVES`),
    judged at a high percentile of the samples (:data:`DEFAULT_REGRET_PERCENTILE`, P90; 1.0 is
    the maximum). An option has "no regret" in a scenario when that percentile is within the
    tolerance (:data:`DEFAULT_REGRET_TOLERANCE` percentage points).
dominance
    Option A dominates B when, in every scenario and sample, A places at least as many people at
    no higher net cost, and in some strictly more or cheaper (beyond :data:`TIE_TOLERANCE`).
firmness
    The share gets a Wilson interval, the percentile an order-statistic interval, at
    :data:`CONFIDENCE_LEVEL` jointly (Bonferroni over scenarios x 2 criteria, and over the looks
    when a still undecided verdict gets a second look on more samples, ``second_look``). A
    statement is firm only when its interval lies wholly on one side of the threshold or
    tolerance and clear of the close-call band; at the last look an open one is decided by its
    estimate (``close_call.decide_at_last_look``, :func:`judge`).

Every cell (option x scenario) gets a status (:data:`CELL_STATUS`): ``holds`` (goal firmly met
and regret firmly within the tolerance), ``goal_not_met`` (share firmly below the threshold),
``too_much_regret`` (regret firmly above the tolerance), ``undecided`` (an interval contains
the threshold or tolerance) or ``no_target_group`` (nothing to judge, :func:`no_target_group`).
Every option gets a verdict (:data:`VERDICTS`):

* ``dominated`` (gedomineerd): another option is at least as good in every world; never robust,
  whatever the goal;
* ``robust`` (robuust): holds in every scenario;
* ``scenario_dependent`` (scenarioafhankelijk): firmly holds in some scenario and firmly breaks
  in another;
* ``fragile`` (kwetsbaar): firmly breaks in every scenario;
* ``undecided`` (onzeker): the undecided cells could still make it either of these; the reason
  says which scenario and criterion are too close to call;
* ``no_target_group`` (geen doelgroep): every cell is so; no verdict at all (:func:`classify`).

A verdict is firm when it is the same however its undecided cells turn out.

How this compares with the tools of the field
---------------------------------------------
socecon computes Rhodium's "Satisficing Type 1" and "Regret Type 2" (P90) *within* each scenario
instead of pooled, gives every verdict its sampling uncertainty ("onzeker") and adds dominance
(the README's "Uncertainty and the wind tunnel" compares them with the EMA Workbench in full).

Examples
--------
>>> import numpy as np
>>> regret(np.array([[[20.0]], [[25.0]]]))[:, 0, 0].tolist()
[5.0, 0.0]
>>> wilson_interval(np.array([80]), 100, 1.96)[0].round(3).tolist()
[0.711]
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from socecon.analysis.quantiles import has_nan, percentile_interval
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import WindTunnelError

_SETTINGS = load_windtunnel()
#: What regret can be measured on: id -> (Dutch label, unit id of ``units.yaml`` that regret is
#: measured in, higher is better). The report layer shows the unit's Dutch label.
OBJECTIVES = {
    "participation_rate": ("deelname", "percentage points", True),
    "placed": ("geplaatste personen", "persons", True),
    "net_cost": ("netto kosten", "EUR/year", False),
    "net_cost_per_placed": ("netto kosten per geplaatste", "EUR/person/year", False),
}
#: The status of a cell (option x scenario): id -> Dutch label (``windtunnel.yaml``).
CELL_STATUS = {k: v.label for k, v in _SETTINGS.cell_status.items()}
#: The verdicts of an option, in report order: id -> Dutch label (``windtunnel.yaml``).
VERDICTS = {k: v.label for k, v in _SETTINGS.verdicts.items()}
#: Former name of :data:`VERDICTS`.
CLASSES = VERDICTS
#: Share of samples in which the goal must be met for it to count as met in a scenario.
DEFAULT_THRESHOLD = _SETTINGS.threshold
#: Percentile of the samples at which regret is judged (1.0: the maximum).
DEFAULT_REGRET_PERCENTILE = _SETTINGS.regret_percentile
#: Largest regret at that percentile that still counts as "no regret" (percentage points of
#: participation; applies when regret is measured on participation, the default objective).
DEFAULT_REGRET_TOLERANCE = _SETTINGS.regret_tolerance
#: Joint confidence of the statements a firm verdict rests on.
CONFIDENCE_LEVEL = _SETTINGS.confidence_level
#: Close calls: a firm statement's interval must also stay this far from the threshold (share of
#: the futures) and from the regret tolerance (a share of the tolerance); ``close_call`` in
#: ``windtunnel.yaml``.
CLOSE_CALL_SHARE = _SETTINGS.close_call_share
CLOSE_CALL_REGRET = _SETTINGS.close_call_regret
#: At the last look, a statement still open (its interval reaches over an edge of the band) is
#: decided by its estimate: ``close_call.decide_at_last_look`` in ``windtunnel.yaml``.
DECIDE_AT_LAST_LOOK = _SETTINGS.close_call_decide_at_last_look
# Relative tolerance when comparing options: differences below it count as ties.
TIE_TOLERANCE = 1e-9


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
    if has_nan(p):  # (no pass over the arrays where there is none)
        p = np.where(np.isnan(p), -np.inf if higher_is_better else np.inf, p)
    best = p.max(axis=0, keepdims=True) if higher_is_better else p.min(axis=0, keepdims=True)
    with np.errstate(invalid="ignore"):  # -inf - -inf: nobody placed (no target group)
        out = best - p
    np.abs(out, out=out)
    out[~np.isfinite(out)] = np.nan
    return out


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


def no_target_group(participation: np.ndarray) -> np.ndarray:
    """Return the cells without a target group: participation undefined in every sample.

    Nothing to reach there, whatever the goal: the cell is not judged (``no_target_group``). An
    option placing no one where there *is* a target group is judged: 0 % participation, and its
    net cost per placed (NaN) meets no limit (:func:`goal_met`): placing no one is failing.

    Parameters
    ----------
    participation : numpy.ndarray
        Shape ``(O, K, S)``, in percent; NaN where no one is in the target group.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``(O, K)``: the cells that get the status ``no_target_group`` (see :func:`judge`).
    """
    return np.isnan(np.asarray(participation, dtype=float)).all(axis=-1)


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
    out = np.zeros((len(b), len(b)), dtype=bool)
    # One sample where j is worse rules a pair out: a few evenly spaced samples rule out most
    # pairs at once, ``[i, j]`` as below; those left are checked on every sample.
    few = slice(None, None, max(1, b.shape[-1] // 64))
    left = (b[None, ..., few] - b[:, None, ..., few] >= -tol_b) & (
        c[:, None, ..., few] - c[None, ..., few] >= -tol_c
    )
    left = left.reshape(len(b), len(b), -1).all(axis=2)
    for i, j in itertools.permutations(range(len(b)), 2):  # pair by pair: no O x O x K x S arrays
        if not left[i, j]:
            continue
        db = b[j] - b[i]  # benefit of j - benefit of i
        dc = c[i] - c[j]  # cost of i - cost of j (positive: j cheaper)
        if ((db >= -tol_b) & (dc >= -tol_c)).all():
            out[i, j] = ((db > tol_b) | (dc > tol_c)).any()
    return out


def check_settings(threshold: float, percentile: float, level: float) -> None:
    """Refuse a threshold or percentile outside (0, 1] or a confidence level outside (0, 1).

    Raises
    ------
    WindTunnelError
        Naming the setting and its value.
    """
    for label, value, top in (
        ("threshold", threshold, True),
        ("regret_percentile", percentile, True),
        ("level", level, False),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (0 < value <= 1 if top else 0 < value < 1)
        ):
            raise WindTunnelError(f"{label} must lie in (0, 1{']' if top else ')'}, got {value!r}")


def z_value(level: float = CONFIDENCE_LEVEL, statements: int = 1) -> float:
    """Return the two-sided normal quantile for ``statements`` intervals of joint ``level``.

    Bonferroni: each interval gets level ``1 - (1 - level) / statements``.

    Parameters
    ----------
    level : float
        Joint confidence in (0, 1).
    statements : int
        How many intervals must hold together (at least 1).

    Returns
    -------
    float
        E.g. 1.96 for one interval at 0.95; about 2.73 for 8.
    """
    if not 0 < level < 1 or statements < 1:
        raise WindTunnelError(f"confidence level {level!r} must lie in (0, 1), statements >= 1")
    alpha = (1 - level) / statements
    return NormalDist().inv_cdf(1 - alpha / 2)


def wilson_interval(successes: np.ndarray, n: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval of a share estimated from ``n`` samples.

    Parameters
    ----------
    successes : numpy.ndarray
        Number of samples meeting the goal.
    n : int
        Number of samples.
    z : float
        Normal quantile of the interval (see :func:`z_value`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bound, within [0, 1]. For Latin hypercube samples the interval is
        conservative (stratification only lowers the variance of a share).
    """
    p = np.asarray(successes, dtype=float) / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


@dataclass(frozen=True)
class Judgement:
    """The criteria applied to every option and scenario; arrays have shape ``(O, K)``.

    Attributes
    ----------
    share, share_low, share_high : numpy.ndarray
        Share of samples meeting the goal and its interval.
    regret, regret_low, regret_high : numpy.ndarray
        Regret at the percentile and its interval.
    goal_state, regret_state : numpy.ndarray of int
        1 firmly met / within tolerance, -1 firmly not, 0 undecided.
    status : numpy.ndarray of str
        The cell status, a key of :data:`CELL_STATUS` (``no_target_group`` overrides the states).
    z : float
        Normal quantile used for every interval.
    goal_open, regret_open : numpy.ndarray of bool
        Statements whose interval reaches over an edge of the close-call band (neither clear of
        the band nor wholly inside it): more samples could still change them.
    """

    share: np.ndarray
    share_low: np.ndarray
    share_high: np.ndarray
    regret: np.ndarray
    regret_low: np.ndarray
    regret_high: np.ndarray
    goal_state: np.ndarray
    regret_state: np.ndarray
    status: np.ndarray
    z: float
    goal_open: np.ndarray
    regret_open: np.ndarray


def _cell_status(goal_state: np.ndarray, regret_state: np.ndarray, empty: Any) -> np.ndarray:
    return np.select(
        [empty, goal_state < 0, regret_state < 0, (goal_state > 0) & (regret_state > 0)],
        ["no_target_group", "goal_not_met", "too_much_regret", "holds"],
        "undecided",
    )


def _decide(
    value: np.ndarray, low: np.ndarray, high: np.ndarray, edge: float, band: float, settle: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return the state about ``edge`` (1 above, -1 below, 0 undecided) and which are open.

    Firm: the interval clears the band ``edge +- band``. Open: neither clear of it nor wholly
    inside it; with ``settle`` such a statement takes the side of its estimate when the estimate
    lies outside the band and the interval excludes ``edge`` itself.
    """
    state = np.where(low >= edge + band, 1, np.where(high < edge - band, -1, 0))
    inside = (low >= edge - band) & (high <= edge + band)
    is_open = (state == 0) & ~inside
    if settle:
        above = is_open & (value >= edge + band) & (low >= edge)
        below = is_open & (value < edge - band) & (high < edge)
        state = np.where(above, 1, np.where(below, -1, state))
    return state, is_open


def judge(
    met: np.ndarray,
    regret_samples: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    percentile: float = DEFAULT_REGRET_PERCENTILE,
    tolerance: float | None = DEFAULT_REGRET_TOLERANCE,
    level: float = CONFIDENCE_LEVEL,
    close_share: float = CLOSE_CALL_SHARE,
    close_regret: float = CLOSE_CALL_REGRET,
    settle: bool = DECIDE_AT_LAST_LOOK,
    empty: np.ndarray | None = None,
    ordered: bool = False,
) -> Judgement:
    """Judge every option in every scenario: goal, regret, and whether each is firm.

    A statement is firm when its interval lies wholly on one side of the threshold (or the
    tolerance) and stays at least the close-call band away from it. A statement whose interval
    lies wholly inside the band is a close call (undecided). One in between (its interval
    reaches over an edge of the band) is *open*: with ``settle`` (this is the last look at the
    samples) it takes the side of its estimate when the estimate lies outside the band and the
    interval excludes the threshold (tolerance) itself, and is a close call otherwise; without,
    it stays undecided (a further look may decide it, :func:`worth_second_look`).

    Parameters
    ----------
    met : numpy.ndarray of bool
        Shape ``(O, K, S)``: whether the goal is met per sample (see :func:`goal_met`).
    regret_samples : numpy.ndarray
        Shape ``(O, K, S)``: regret per sample (see :func:`regret`).
    threshold : float
        Share of samples needed to count the goal as met in a scenario.
    percentile : float
        Percentile (0-1] of the samples at which regret is judged.
    tolerance : float or None
        Largest regret at that percentile that is "no regret"; None: no regret test.
    level : float
        Joint confidence of the ``2 K`` statements a verdict rests on.
    close_share, close_regret : float
        The close-call bands: a share of the futures around the threshold, and a share of the
        tolerance around the tolerance (0: none).
    settle : bool
        Whether this is the last look: decide open statements by their estimate
        (``close_call.decide_at_last_look`` in ``windtunnel.yaml``).
    empty : numpy.ndarray of bool, optional
        ``(O, K)``: cells without a target group (:func:`no_target_group`); never open.
    ordered : bool
        Whether ``regret_samples`` are sorted along the samples (:func:`.quantiles.sort`).

    Returns
    -------
    Judgement
    """
    met = np.asarray(met, dtype=bool)
    _, k, n = met.shape
    z = z_value(level, 2 * k)
    count = met.sum(axis=2)
    low, high = wilson_interval(count, n, z)
    goal_state, goal_open = _decide(count / n, low, high, threshold, close_share, settle)
    estimate, r_low, r_high = percentile_interval(regret_samples, percentile, z, ordered=ordered)
    if tolerance is None:
        regret_state, regret_open = np.ones_like(goal_state), np.zeros_like(goal_open)
    else:
        # Regret is better below the tolerance: decide on its negative.
        band = tolerance * close_regret
        below, regret_open = _decide(-estimate, -r_high, -r_low, -tolerance, band, settle)
        regret_state = below
    empty = np.zeros(goal_state.shape, dtype=bool) if empty is None else np.asarray(empty)
    status = _cell_status(goal_state, regret_state, empty)
    return Judgement(
        count / n,
        low,
        high,
        estimate,
        r_low,
        r_high,
        goal_state,
        regret_state,
        status,
        z,
        goal_open & ~empty,
        regret_open & ~empty,
    )


def worth_second_look(result: Any) -> bool:
    """Whether more samples could still decide an undecided option of a wind-tunnel result.

    An option is undecided through its undecided statements (goal or regret per scenario). A
    statement whose interval already lies wholly inside the close-call band cannot become firm
    with more samples (its value lies in the band, with the declared confidence), so only the
    open statements (interval over an edge of the band, see :func:`judge`) of options that are
    undecided while those stay open call for the second look.

    Parameters
    ----------
    result : WindTunnelResult
        With ``judgement`` and ``classes``.

    Returns
    -------
    bool
    """
    j = result.judgement
    is_open = j.goal_open | j.regret_open
    strict = _cell_status(
        np.where(j.goal_open, 0, j.goal_state),
        np.where(j.regret_open, 0, j.regret_state),
        j.status == "no_target_group",
    )
    dominated = np.array([c == "dominated" for c in result.classes])
    undecided = np.array([c == "undecided" for c in classify(strict, dominated)])
    return bool((is_open.any(axis=1) & undecided).any())


def _verdict(holds: np.ndarray) -> str:
    if holds.all():
        return "robust"
    return "scenario_dependent" if holds.any() else "fragile"


def classify(status: np.ndarray, dominated: np.ndarray) -> list[str]:
    """Return the verdict per option from its cells' statuses and its dominance.

    Parameters
    ----------
    status : numpy.ndarray of str
        Shape ``(O, K)``: keys of :data:`CELL_STATUS` (see :func:`judge`).
    dominated : numpy.ndarray of bool
        Shape ``(O,)``.

    Returns
    -------
    list of str
        Keys of :data:`VERDICTS`. ``no_target_group`` when every cell is so (not even
        ``dominated``: placing no one more cheaply is no merit); else ``dominated`` wins (never
        robust); otherwise, on the cells with a target group, the verdict if every undecided
        cell held (optimistic) and if none did (pessimistic): equal is firm, else ``undecided``.
    """
    status = np.asarray(status)
    out = []
    for o in range(status.shape[0]):
        judged = status[o][status[o] != "no_target_group"]
        if not judged.size or dominated[o]:
            out.append("dominated" if judged.size else "no_target_group")
            continue
        optimistic = _verdict(np.isin(judged, ["holds", "undecided"]))
        pessimistic = _verdict(judged == "holds")
        out.append(optimistic if optimistic == pessimistic else "undecided")
    return out


def agreement(labels: list[list[str]]) -> tuple[list[str], np.ndarray]:
    """Return the most frequent label per option over repeated runs, and how often it came up.

    Stability is measured, not assumed: run the wind tunnel with several seeds and count how
    often each option gets its most frequent verdict.

    Parameters
    ----------
    labels : list of list of str
        One list of labels (one per option) per run.

    Returns
    -------
    (list of str, numpy.ndarray)
        The modal label per option (ties: the one seen first) and the share of runs that gave it.
    """
    per_option = list(zip(*labels, strict=True))
    modal = [max(dict.fromkeys(runs), key=runs.count) for runs in per_option]
    share = np.array([runs.count(m) / len(runs) for m, runs in zip(modal, per_option, strict=True)])
    return modal, share
