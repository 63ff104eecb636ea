"""Scenario discovery: under which sampled assumptions an option fails (PRIM boxes).

PRIM (Patient Rule Induction Method; Friedman and Fisher 1999, as used for scenario discovery by
Bryant and Lempert 2010 and in the EMA Workbench) looks for a *box* in the space of the sampled
inputs, a few conditions such as "take-up below 0.45 and quota share below 0.3", where the cases
of interest (here: futures in which an option fails) are concentrated. Two numbers describe a
box:

coverage
    the share of all failing cases that lie inside the box (how much of the failure it explains);
density
    the share of the cases inside the box that fail (how sure failure is there).

:func:`prim` peels a box on plain arrays: starting from all cases it repeatedly cuts off a
small slice (``peel_alpha`` of the cases still in the box) at the low or high end of one input,
choosing the cut that raises the density most, until fewer than ``min_mass`` of the cases are
left. From this peeling trajectory it takes the densest box whose coverage is still at least
``min_coverage`` (the boxes only shrink, so peeling stops once the coverage has fallen below
it: no later box could be taken), then drops the conditions that add least (at most
``max_restrictions`` remain, and none whose removal lowers the density by less than
``drop_tolerance``), and measures coverage and density of the result on all cases. The
settings are declared in ``definitions/windtunnel.yaml`` (``discovery``).

Why not the EMA Workbench's PRIM: it works on plain arrays and gives the same kind of box, but
``import ema_workbench.analysis.prim`` pulls in scipy, scikit-learn, matplotlib, seaborn and
statsmodels (some 150 MB) and takes several seconds to import on this machine (README,
"Wind tunnel"), longer than the whole wind tunnel of a municipality may take (1 s). The peeling
here is the original algorithm without pasting or bootstrapped box selection; it is
deterministic (no random choice anywhere) and works on at most ``max_cases`` cases, so one
option's box costs a few milliseconds.

:func:`socecon.analysis.windtunnel.WindTunnelResult.discover` applies it per option.

Examples
--------
>>> import numpy as np
>>> x = np.random.default_rng(0).random((2000, 3))
>>> fails = (x[:, 0] < 0.3) & (x[:, 2] > 0.5)
>>> box = prim(x, fails)
>>> [(r.column, r.low is None, r.high is None) for r in box.restrictions]
[(0, True, False), (2, False, True)]
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socecon.analysis.sensitivity import rank_inputs, srrc
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import WindTunnelError

_SETTINGS = load_windtunnel().discovery


@dataclass(frozen=True)
class Restriction:
    """One condition of a box: ``low <= x[:, column] <= high`` (None: no bound on that side)."""

    column: int
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Box:
    """A PRIM box and how well it describes the cases of interest.

    Attributes
    ----------
    restrictions : tuple of Restriction
        The conditions, strongest first (the one whose removal would lower the density most).
    coverage : float
        Share of the cases of interest inside the box.
    density : float
        Share of the cases inside the box that are of interest.
    mass : float
        Share of all cases inside the box.
    base_rate : float
        Share of all cases that are of interest (the density of the unrestricted box).
    """

    restrictions: tuple[Restriction, ...]
    coverage: float
    density: float
    mass: float
    base_rate: float

    @property
    def lift(self) -> float:
        """How many times more likely a case of interest is inside the box than overall."""
        return self.density / self.base_rate if self.base_rate > 0 else float("nan")


def spread_rows(n: int, most: int) -> np.ndarray:
    """At most ``most`` evenly spaced row numbers of ``n`` rows (all when ``n <= most``)."""
    return np.unique(np.linspace(0, n - 1, min(most, n)).astype(int))


def _box_and_each_left_out(
    x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[tuple[float, float, float], list[float]]:
    """:func:`_measure` of the box ``lo <= x <= hi``, and its density without each column's bounds.

    ``x``: the inputs the box restricts, ``(N, a)``. A case is in the box without restriction
    ``i`` when it meets all the others: one comparison of all cases with all bounds serves all.
    """
    meets = (x >= lo) & (x <= hi)
    count = meets.sum(axis=1)  # how many of the restrictions each case meets
    n_cols = x.shape[1]
    box = _measure(y, count == n_cols)
    return box, [_measure(y, count - meets[:, i] == n_cols - 1)[1] for i in range(n_cols)]


@dataclass(frozen=True)
class Cases:
    """The cases PRIM peels: at most ``max_cases`` evenly spaced rows, each input sorted once.

    They depend on the inputs alone, so the wind tunnel keeps them with its samples
    (:func:`peeling_cases`) and every option, region and report of a batch shares them.

    Attributes
    ----------
    rows : numpy.ndarray
        The row numbers used (:func:`spread_rows`).
    inputs : numpy.ndarray
        Shape ``(P, R)``: each input's values in those rows.
    order : numpy.ndarray
        Shape ``(P, R)``: the rows of each input in increasing order of its value.
    tied : numpy.ndarray
        Shape ``(P,)``: whether an input has the same value in two of the rows.
    """

    rows: np.ndarray
    inputs: np.ndarray
    order: np.ndarray
    tied: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, max_cases: int) -> Cases:
        """Prepare the inputs ``x`` (shape ``(N, P)``) for peeling."""
        rows = spread_rows(len(x), max_cases)
        inputs = np.ascontiguousarray(x[rows].T)
        order = np.argsort(inputs, axis=1, kind="stable")
        ordered = np.take_along_axis(inputs, order, axis=1)
        tied = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        for a in (rows, inputs, order, tied):
            a.flags.writeable = False
        return cls(rows, inputs, order, tied)

    def columns(self, cols: Sequence[int]) -> Cases:
        """Return the same cases with only the inputs ``cols``."""
        cols = list(cols)
        return Cases(self.rows, self.inputs[cols], self.order[cols], self.tied[cols])


#: What depends on a sample set alone, by ``(id(samples), key)``; dropped with the samples.
_KEPT: dict[tuple[int, Hashable], Any] = {}


def kept(samples: Any, key: Hashable, make: Callable[[Any], Any]) -> Any:
    """Return ``make(samples)``, computed once per read-only sample set and kept with it.

    For what depends on the samples alone, such as each column sorted or ranked: every option,
    region and report of a batch that shares the sample set (the wind tunnel's are read-only,
    :func:`socecon.analysis.windtunnel.draw_samples`) shares it too. Samples that can still be
    changed are not kept (``make`` runs on every call).

    Parameters
    ----------
    samples : SampleSet
    key : hashable
        What is derived, with every setting it depends on.
    make : callable
        Computes it from the samples; treat its result as read-only.

    Returns
    -------
    object
    """
    if samples.values.flags.writeable:
        return make(samples)
    at = (id(samples), key)
    if at not in _KEPT:
        _KEPT[at] = make(samples)
        weakref.finalize(samples, _KEPT.pop, at, None)
    return _KEPT[at]


def peeling_cases(samples: Any, max_cases: int = _SETTINGS.max_cases) -> Cases:
    """Return the :class:`Cases` of a sample set, prepared once and kept with it."""

    def make(samples: Any) -> Cases:
        if not np.isfinite(samples.values).all():
            raise WindTunnelError("prim needs finite inputs: a sample is NaN or infinite")
        return Cases.of(samples.values, max_cases)

    return kept(samples, ("prim cases", max_cases), make)


def _exact_sums(y: np.ndarray) -> bool:
    """Whether every sum of values of ``y`` is exact in floating point, in any order.

    So it is for multiples of 1/1024 that stay far from 2**53 (a share of 1, 2 or 4 scenarios,
    as a wind-tunnel option's failures are in most cases), not for thirds.
    """
    scaled = y * 1024.0
    return bool(
        np.isfinite(scaled).all()
        and (scaled == np.round(scaled)).all()
        and np.abs(scaled).sum() < 2.0**52
    )


def _peel(
    cases: Cases, y: np.ndarray, alpha: float, min_mass: float, min_coverage: float = -np.inf
) -> list:
    """Return the peeling trajectory: ``(lo, hi, density, coverage)`` boxes, widest first.

    Each step tries to cut off the ``k`` lowest or highest in-box values of every input and
    takes the cut with the highest density of ``y`` left (ties: the first input, low side
    first). The in-box cases are kept in each input's value order (``ranked``), where the
    ``k``-th value is the cut.

    The sums of ``y`` that each cut leaves are taken over the in-box cases in their own order,
    with one matrix product per side, as first written: with thirds the rounding depends on that
    order. When every sum is exact (:func:`_exact_sums`) the order does not matter, and a cut
    that takes off exactly ``k`` cases (no tie at the cut) leaves the sum in the box less the
    sum over those ``k``: the same numbers at a fraction of the work.

    With ``y >= 0`` each box holds at most the cases of interest of the one before, so it stops
    after the first box whose coverage is below ``min_coverage`` by more than rounding (the sums
    of ``y`` are exact to far better than a millionth): no later box could be chosen.
    """
    x, ranked = cases.inputs, cases.order
    n_cols, n = x.shape
    total = y.sum()
    lines = np.arange(n_cols)[:, None]
    tied = cases.tied.any()  # else no cut can fall between two equal values
    exact = _exact_sums(y)
    stop = min_coverage * (1 - 1e-6) if (y >= 0).all() else -np.inf
    lo = np.full(n_cols, -np.inf)
    hi = np.full(n_cols, np.inf)
    inside = np.ones(n, dtype=bool)
    m, in_box = n, total  # cases in the box, and their sum of y
    boxes = [(lo.copy(), hi.copy(), y.mean(), 1.0)]
    while m > 1:
        k = max(int(alpha * m), 1)
        near = x[lines, ranked[:, [k - 1, k, m - k - 1, m - k]]]  # each cut and its neighbour
        low_cut, high_cut = near[:, 1], near[:, 2]
        if tied and (near[:, 0::3] == near[:, 1:3]).any():  # a tie at a cut: more than m - k stay
            keep_low, keep_high, hits = _cut_sums(x[:, inside], y[inside], low_cut, high_cut)
            counts = np.concatenate([keep_low.sum(axis=1), keep_high.sum(axis=1)])
            useful = (counts < m) & (counts >= min_mass * n) & (counts > 0)
            if not useful.any():
                break
            mean = np.where(useful, hits / np.maximum(counts, 1), -np.inf)
        elif m - k >= min_mass * n:  # every cut leaves m - k cases
            if exact:  # what the k lowest, or highest, values of each input hold, taken off
                off = [y[ranked[:, :k]].sum(axis=1), y[ranked[:, m - k :]].sum(axis=1)]
                hits = in_box - np.concatenate(off)
            else:
                hits = _cut_sums(x[:, inside], y[inside], low_cut, high_cut)[2]
            mean = hits / (m - k)
        else:
            break
        best = int(np.argmax(mean))  # ties: the first input, low side first
        j = best % n_cols
        if best < n_cols:
            lo[j] = low_cut[j]
            inside &= x[j] >= lo[j]
        else:
            hi[j] = high_cut[j]
            inside &= x[j] <= hi[j]
        m, in_box = int(inside.sum()), hits[best]
        ranked = ranked[inside[ranked]].reshape(n_cols, m)
        boxes.append((lo.copy(), hi.copy(), mean[best], hits[best] / total))
        if boxes[-1][3] < stop:
            break
    return boxes


def _cut_sums(
    x_in: np.ndarray, y_in: np.ndarray, low_cut: np.ndarray, high_cut: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which in-box cases each cut keeps (low side, high side) and their sums of ``y``.

    ``x_in``: the inputs' values in the box, ``(P, m)``, cases in their own order.
    """
    keep_low = x_in >= low_cut[:, None]  # peel the k lowest values of an input
    keep_high = x_in <= high_cut[:, None]  # or the k highest
    return keep_low, keep_high, np.concatenate([keep_low @ y_in, keep_high @ y_in])


def _measure(y: np.ndarray, inside: np.ndarray) -> tuple[float, float, float]:
    """Coverage, density and mass of the cases ``inside``."""
    n_in = inside.sum()
    hits = y[inside].sum()
    coverage = hits / y.sum() if y.sum() else 0.0
    return float(coverage), float(hits / n_in) if n_in else 0.0, float(n_in / len(y))


def prim(
    x: np.ndarray,
    y: np.ndarray,
    *,
    peel_alpha: float = _SETTINGS.peel_alpha,
    min_mass: float = _SETTINGS.min_mass,
    min_coverage: float = _SETTINGS.min_coverage,
    max_restrictions: int = _SETTINGS.max_restrictions,
    drop_tolerance: float = _SETTINGS.drop_tolerance,
    max_cases: int = _SETTINGS.max_cases,
) -> Box:
    """Find the box of inputs where the cases of interest concentrate (PRIM peeling).

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, shape ``(N, P)``, finite.
    y : numpy.ndarray
        Whether each case is of interest (e.g. fails), shape ``(N,)``, boolean or 0/1; or the
        share of its replicates that is (a case standing for several with the same inputs).
    peel_alpha : float
        Share of the cases in the box cut off per peeling step.
    min_mass : float
        Peeling stops before the box holds fewer than this share of the cases.
    min_coverage : float
        The chosen box is the densest one on the trajectory with at least this coverage.
    max_restrictions : int
        At most this many conditions are kept.
    drop_tolerance : float
        A condition is dropped when removing it lowers the density by less than this.
    max_cases : int
        Peeling uses at most this many cases (evenly spaced rows; deterministic); coverage and
        density are then measured on all cases.

    Returns
    -------
    Box
        With no restrictions when no case (or every case) is of interest.

    Raises
    ------
    WindTunnelError
        For inputs of the wrong shape or with NaN.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[0],) or not np.isfinite(x).all():
        raise WindTunnelError(
            f"prim needs finite inputs of shape (N, P) and outcomes of shape (N,), got "
            f"{x.shape} and {y.shape}"
        )
    settings = (peel_alpha, min_mass, min_coverage, max_restrictions, drop_tolerance)
    return _prim(Cases.of(x, max_cases), lambda cols: x[:, cols], y, *settings)


def _prim(
    cases: Cases,
    columns: Callable[[list[int]], np.ndarray],
    y: np.ndarray,
    peel_alpha: float,
    min_mass: float,
    min_coverage: float,
    max_restrictions: int,
    drop_tolerance: float,
) -> Box:
    """:func:`prim` on the prepared ``cases``; ``columns(cols)``: those inputs of all cases."""
    base = float(y.mean()) if len(y) else 0.0
    if base in (0.0, 1.0):
        return Box((), float(base == 1.0), base, 1.0, base)
    ys = y[cases.rows]
    trajectory = _peel(cases, ys, peel_alpha, min_mass, min_coverage)
    candidates = [b for b in trajectory if b[3] >= min_coverage] or trajectory[:1]
    lo, hi, _, _ = max(candidates, key=lambda b: b[2])  # the first of equally dense boxes
    xs = cases.inputs.T
    active = np.flatnonzero(np.isfinite(lo) | np.isfinite(hi)).tolist()  # the bounded inputs
    while active:
        (_, density, _), left_out = _box_and_each_left_out(
            xs[:, active], ys, lo[active], hi[active]
        )
        loss = [density - d for d in left_out]
        weakest = int(np.argmin(loss))
        if len(active) <= max_restrictions and loss[weakest] >= drop_tolerance:
            break
        active.pop(weakest)
    box, left_out = _box_and_each_left_out(columns(active), y, lo[active], hi[active])
    coverage, density, mass = box
    strength = [density - d for d in left_out]
    order = [active[i] for i in np.argsort(-np.asarray(strength), kind="stable")]
    restrictions = tuple(
        Restriction(
            j,
            float(lo[j]) if np.isfinite(lo[j]) else None,
            float(hi[j]) if np.isfinite(hi[j]) else None,
        )
        for j in order
    )
    return Box(restrictions, coverage, density, mass, base)


# --- per option of a wind-tunnel result -----------------------------------------------------

#: Verdicts for which the wind tunnel says where an option fails.
NOT_HOLDING = ("fragile", "scenario_dependent", "undecided")
#: How many drivers per option the report and the workbench show (``windtunnel.yaml``).
DRIVERS_SHOWN = load_windtunnel().drivers_shown


def option_columns(samples: Any, measures: Sequence[str]) -> list[int]:
    """Columns of the samples an option's result can depend on.

    The assumptions of the world, and the effect sizes and costs of the option's own measures;
    columns held at one value (a pinned assumption) are left out.

    Parameters
    ----------
    samples : SampleSet
    measures : sequence of str
        The option's measures.

    Returns
    -------
    list of int
        Found once per read-only sample set and set of measures (:func:`kept`).
    """
    own = {f"cost:{m}" for m in measures}
    effects = tuple(f"effect:{m}:" for m in measures)

    def make(samples: Any) -> tuple[int, ...]:
        return tuple(
            j
            for j, p in enumerate(samples.parameters)
            if p.high > p.low
            and (
                not p.id.startswith(("effect:", "cost:")) or p.id in own or p.id.startswith(effects)
            )
        )

    return list(kept(samples, ("option columns", tuple(measures)), make))


def failures(result: Any, options: Sequence[int] | None = None) -> np.ndarray:
    """Whether each option fails in each scenario and sample, ``(O, K, S)``.

    A future fails when the goal is not met in it, or the option stays further behind the best
    option than the regret tolerance (when there is one). ``options``: only these (by number).
    """
    pick = slice(None) if options is None else list(options)
    fail = ~result.met[pick]
    if result.regret_tolerance is not None:
        with np.errstate(invalid="ignore"):
            fail |= result.regret[pick] > result.regret_tolerance
    return fail


def where_it_breaks(
    result: Any, status: np.ndarray | None = None, classes: Sequence[str] | None = None, **settings
) -> list[tuple[Box, tuple[int, ...]] | None]:
    """Return the PRIM box of each option that does not hold, on the scenarios where it fails.

    The cases are the samples of every scenario in which the option does not firmly hold (its
    cell status is not ``holds``, nor ``no_target_group``: nothing can fail there); the cases
    of interest are the futures in which it fails (:func:`failures`). A sample has the same
    assumptions in every scenario, so PRIM runs on the samples with the share of those
    scenarios in which it fails (the same boxes, coverage and density as with every scenario's
    futures as separate cases, at a fraction of the cost).

    Parameters
    ----------
    result : WindTunnelResult
    status, classes : optional
        The result's cell statuses ``(O, K)`` and verdicts, when already computed.
    **settings
        Passed to :func:`prim`.

    Returns
    -------
    list
        Per option: None for a robust or dominated option, else the box and the sample columns
        its restrictions refer to (``box.restrictions[i].column`` indexes that tuple).
    """
    status = result.judgement.status if status is None else status
    classes = result.classes if classes is None else classes
    options = {
        o: np.flatnonzero(~np.isin(status[o], ("holds", "no_target_group")))
        for o in range(len(result.options))
    }
    options = {o: k for o, k in options.items() if classes[o] in NOT_HOLDING and k.size}
    fail = failures(result, list(options))
    given = {**prim.__kwdefaults__, **settings}  # prim's defaults, then those given
    cases = peeling_cases(result.samples, given.pop("max_cases")) if options else None
    out: list[tuple[Box, tuple[int, ...]] | None] = [None] * len(result.options)
    for i, (o, scen) in enumerate(options.items()):
        cols = tuple(option_columns(result.samples, result.options[o].measures))

        def columns(active: list[int], cols: tuple[int, ...] = cols) -> np.ndarray:
            return result.samples.values[:, [cols[j] for j in active]]

        y = fail[i, scen].mean(axis=0)
        out[o] = (_prim(cases.columns(cols), columns, y, **given), cols)
    return out


def option_drivers(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """How strongly each sampled parameter drives each option's result (SRRC).

    The objective (participation by default) is regressed on the ranks of all sampled
    parameters per option and scenario, on at most ``max_cases`` evenly spaced samples
    (:func:`socecon.analysis.sensitivity.srrc`); per option the coefficients are combined over
    the scenarios as their root mean square, with the sign of their mean.

    Parameters
    ----------
    result : WindTunnelResult

    Returns
    -------
    coef : numpy.ndarray
        Shape ``(O, P)``; 0 for parameters outside :func:`option_columns`.
    r2 : numpy.ndarray
        Shape ``(O,)``: the mean R² of the rank regressions (NaN when undefined).
    """
    perf = result.performance
    n_opt, n_scen, n = perf.shape
    rows = spread_rows(n, _SETTINGS.max_cases)
    inputs = kept(result.samples, ("srrc", len(rows)), lambda s: rank_inputs(s.values[rows]))
    coef, r2 = srrc(inputs, perf.reshape(n_opt * n_scen, n)[:, rows].T)
    coef = coef.T.reshape(n_opt, n_scen, -1)
    with warnings.catch_warnings():  # an option with no result in any scenario
        warnings.simplefilter("ignore", RuntimeWarning)
        size = np.sqrt(np.nanmean(coef**2, axis=1))
        sign = np.sign(np.nanmean(coef, axis=1))
        mean_r2 = np.nanmean(r2.reshape(n_opt, n_scen), axis=1)
    out = np.zeros_like(size)
    for o, option in enumerate(result.options):
        cols = option_columns(result.samples, option.measures)
        out[o, cols] = np.nan_to_num(size[o, cols] * np.where(sign[o, cols] < 0, -1, 1))
    return out, mean_r2


def option_table(
    result: Any,
    status: np.ndarray | None = None,
    classes: Sequence[str] | None = None,
    top: int = DRIVERS_SHOWN,
) -> pd.DataFrame:
    """Where each option breaks and what drives its result, one row per option.

    Parameters
    ----------
    result : WindTunnelResult
    status, classes : optional
        See :func:`where_it_breaks`.
    top : int
        Drivers kept per option.

    Returns
    -------
    pandas.DataFrame
        Columns ``option``; ``fail_share`` (share of the futures in the scenarios where the
        option does not hold in which it fails; NaN for robust and dominated options);
        ``breaks_when``, a tuple of ``(parameter, label, unit, low, high)`` (low or high None
        where the box has no bound), empty when no box makes failure at least ``min_lift``
        times as likely as overall; ``breaks_when_coverage`` and ``breaks_when_density`` (NaN
        without a box); ``drivers``, a tuple of ``(parameter, label, unit, srrc)``, strongest
        first; and ``drivers_r2``.
    """
    params = result.samples.parameters
    coef, r2 = option_drivers(result)
    rows = []
    for o, found in enumerate(where_it_breaks(result, status, classes)):
        row = {"option": result.options[o].id, "fail_share": np.nan, "breaks_when": ()}
        row.update(breaks_when_coverage=np.nan, breaks_when_density=np.nan)
        if found is not None:
            box, cols = found
            row["fail_share"] = box.base_rate
            if box.restrictions and box.lift >= _SETTINGS.min_lift:
                row["breaks_when"] = tuple(
                    (p.id, p.label, p.unit, r.low, r.high)
                    for r in box.restrictions
                    for p in (params[cols[r.column]],)
                )
                row.update(breaks_when_coverage=box.coverage, breaks_when_density=box.density)
        order = np.argsort(-np.abs(coef[o]), kind="stable")[:top]
        row["drivers"] = tuple(
            (params[j].id, params[j].label, params[j].unit, float(coef[o, j]))
            for j in order
            if coef[o, j] != 0
        )
        row["drivers_r2"] = r2[o]
        rows.append(row)
    return pd.DataFrame(rows)
