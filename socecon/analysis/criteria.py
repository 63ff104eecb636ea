"""The robustness criteria of the wind tunnel, in one place: goal, regret, dominance, classes.

The wind tunnel (:mod:`socecon.analysis.windtunnel`) evaluates every policy option in every
scenario over the same uncertainty samples. This module judges the outcome; its functions work
on plain arrays of shape ``(O, K, S)`` (options, scenarios, samples).

regret
    How far the option falls short of the best option *in the same scenario and sample* on the
    objective (participation rate by default, in percentage points; see :data:`OBJECTIVES`).
satisficing
    Whether it meets the user's :class:`Goal` (participation at least X %, net cost per placed at
    most Y euro, net cost at most Z euro a year); the share of samples that meet it, per scenario.
dominance
    Option A dominates B when, in every scenario and sample, A places at least as many people at
    no higher net cost, and in some strictly more or cheaper (beyond :data:`TIE_TOLERANCE`).

Classification (one per option and region, :data:`CLASSES`), with the scenarios where it breaks:

* ``robust`` (robuust, no regret): not dominated, and in every scenario it meets the goal in at
  least ``confidence`` of the samples (:data:`DEFAULT_CONFIDENCE`: the median meets it) and its
  median regret stays within :data:`DEFAULT_REGRET_TOLERANCE`; whatever the world, choosing it
  is not regretted;
* ``scenario_dependent`` (scenarioafhankelijk): holds in some scenarios only;
* ``fragile`` (kwetsbaar): holds in no scenario;
* ``dominated`` (gedomineerd): another option is at least as good in every world; never robust,
  whatever the goal.

Among robust options the one with the smallest maximum median regret is recommended.

Examples
--------
>>> import numpy as np
>>> regret(np.array([[[20.0]], [[25.0]]]))[:, 0, 0].tolist()
[5.0, 0.0]
>>> classify(np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([False, False]))
['robust', 'scenario_dependent']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from socecon.exceptions import WindTunnelError

#: What regret can be measured on: id -> (Dutch label, unit id of ``units.yaml`` that regret is
#: measured in, higher is better). The report layer shows the unit's Dutch label.
OBJECTIVES = {
    "participation_rate": ("deelname", "percentage points", True),
    "placed": ("geplaatste personen", "persons", True),
    "net_cost": ("netto kosten", "EUR/year", False),
    "net_cost_per_placed": ("netto kosten per geplaatste", "EUR/person/year", False),
}
#: The classes of an option: id -> Dutch name.
CLASSES = {
    "robust": "robuust",
    "scenario_dependent": "scenarioafhankelijk",
    "fragile": "kwetsbaar",
    "dominated": "gedomineerd",
}
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
