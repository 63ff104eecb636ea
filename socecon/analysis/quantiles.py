"""Quantiles over the samples, numpy's to the last bit, at a fraction of the cost.

The wind tunnel reads a few order statistics (P10, median, P90, the regret percentile and its
interval) of every option and scenario over thousands of samples. :func:`numpy.quantile` and
:func:`numpy.median` find them with one partition per call that places all the ranks they need
at once (and the largest value, to look for NaN); numpy's partition for several ranks is its
generic selection, several times slower than its selection of a single rank (vectorised where
the processor allows) or even a full sort. :func:`order_statistics` therefore selects one or
two ranks one at a time, and sorts for more (as fast), or where a row repeats a value often
(a sort is not slowed down by many equal values, such as the zero regret of the best option; a
selection is). Values sorted already (see
:func:`sort`) are read at once: the wind tunnel sorts the regret once for its median and its
percentile.

An order statistic is a value, whatever the way it is found, so the quantiles computed from
them with numpy's own interpolation (:func:`linear_quantile`) are numpy's, bit for bit (the
sign of a zero among equal zeros aside: either is the order statistic; ``tests/test_quantiles.py``
checks it).

Examples
--------
>>> import numpy as np
>>> x = np.array([[5.0, 1.0, 4.0, 2.0, 3.0]])
>>> order_statistics(x, [0, 2]).tolist()
[[1.0], [3.0]]
>>> quantile(x, (0.1, 0.5)).tolist() == np.quantile(x, (0.1, 0.5), axis=-1).tolist()
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Up to this many ranks are selected one at a time; for more the values are sorted.
MOST_SELECTED = 2


def sort(values: np.ndarray) -> np.ndarray:
    """Return the values sorted along the last axis, NaN last (for the ``ordered`` arguments)."""
    return np.sort(values, axis=-1)


def has_nan(values: np.ndarray) -> bool:
    """Whether a value is NaN.

    Their sum is NaN when one is (or when both infinities are there): one pass, and no array of
    flags made, for the usual case of none.
    """
    with np.errstate(all="ignore"):  # a sum that overflows is no NaN
        return bool(np.isnan(np.sum(values)) and np.isnan(values).any())


def order_statistics(
    values: np.ndarray, ranks: Sequence[int], *, ordered: bool = False
) -> np.ndarray:
    """Return the values at ``ranks`` of each row sorted along the last axis (NaN last).

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(..., N)``; not changed.
    ranks : sequence of int
        Positions in ``0 .. N-1`` of the sorted rows, increasing.
    ordered : bool
        Whether ``values`` are sorted already (:func:`sort`).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(ranks), ...)``.
    """
    ranks = list(ranks)
    if ordered:
        work = np.asarray(values, dtype=float)
    elif len(ranks) > MOST_SELECTED or _repeats(values):
        work = sort(np.asarray(values, dtype=float))
    else:
        work = np.array(values, dtype=float)  # a copy, partitioned in place
        _select(work, 0, work.shape[-1], ranks)
    return np.moveaxis(work[..., ranks], -1, 0)


def _repeats(values: np.ndarray) -> bool:
    """Whether a row probably holds one value many times: two equal among 64 evenly spaced.

    numpy's selection of a rank then takes many times longer (16 ms instead of 1.5 for 40 rows
    of 16,000 with 70 % equal values), a sort does not. Only the speed depends on it.
    """
    probe = np.sort(values[..., :: max(1, values.shape[-1] // 64)], axis=-1)
    return bool((probe[..., 1:] == probe[..., :-1]).any())


def _select(work: np.ndarray, start: int, stop: int, ranks: list[int]) -> None:
    """Put the ``ranks`` (all in ``start .. stop-1``) in place in ``work[..., start:stop]``.

    The segment holds the order statistics ``start .. stop-1`` of each row in some order. One
    partition puts the middle rank in place, the smaller values before it and the larger after;
    each side is again such a segment, for the ranks on that side.
    """
    if not ranks:
        return
    middle = len(ranks) // 2
    rank = ranks[middle]
    work[..., start:stop].partition(rank - start, axis=-1)  # a view: partitioned in place
    _select(work, start, rank, ranks[:middle])
    _select(work, rank + 1, stop, ranks[middle + 1 :])


def linear_quantile(n: int, q: Any) -> tuple[list[int], Callable[[np.ndarray], np.ndarray]]:
    """Where numpy's linear quantiles of ``n`` values lie, and how to interpolate them.

    Parameters
    ----------
    n : int
        Number of values (samples).
    q : float or sequence of float
        Quantiles in [0, 1].

    Returns
    -------
    (list of int, callable)
        The ranks needed (distinct, increasing; a quantile at the largest value reads the
        last), and ``interpolate(stats)``: the quantiles (shape ``(len(q), ...)``, or ``(...)``
        for a single ``q``) from the order statistics at those ranks (``(len(ranks), ...)``).
    """
    quantiles = np.asanyarray(q, dtype=float)
    # numpy's "linear" method, step by step (numpy/lib/_function_base_impl.py: _quantile,
    # _get_indexes, _get_gamma, _lerp), so that the weights are the very same floats.
    virtual = (n - 1) * quantiles.reshape(-1)
    last = virtual >= n - 1
    before = np.floor(virtual)
    gamma = np.where(last, virtual - (-1), virtual - before)  # numpy's index -1 for the last
    before = np.where(last, n - 1, before).astype(int).tolist()
    after = np.where(last, n - 1, np.add(before, 1)).tolist()
    ranks = sorted({*before, *after})

    def interpolate(stats: np.ndarray) -> np.ndarray:
        a = stats[[ranks.index(r) for r in before]]
        b = stats[[ranks.index(r) for r in after]]
        t = gamma.reshape((-1,) + (1,) * (a.ndim - 1))
        diff = b - a
        out = np.add(a, diff * t)
        np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
        return out if quantiles.ndim else out[0]

    return ranks, interpolate


def quantile(values: np.ndarray, q: Any) -> np.ndarray:
    """Return ``numpy.quantile(values, q, axis=-1)``, bit for bit.

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(..., N)``; with NaN numpy computes it (a row with NaN has quantiles NaN).
    q : float or sequence of float
        Quantiles in [0, 1].

    Returns
    -------
    numpy.ndarray
        Shape ``(len(q), ...)``, or ``(...)`` for a single ``q``.
    """
    if has_nan(values):
        return np.quantile(values, q, axis=-1)
    return _quantile(values, q)


def _quantile(values: np.ndarray, q: Any) -> np.ndarray:
    """:func:`quantile` of values without NaN."""
    ranks, interpolate = linear_quantile(values.shape[-1], q)
    return interpolate(order_statistics(values, ranks))


def nanquantile(values: np.ndarray, q: Any = (0.1, 0.5, 0.9)) -> np.ndarray:
    """Quantiles over the last axis with NaN (nobody placed) left out, as numpy's.

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(..., N)``.
    q : float or sequence of float
        P10, median and P90 by default.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(q), ...)``, or ``(...)`` for a single ``q``; NaN where a row is all NaN.
    """
    if not has_nan(values):  # the usual case: numpy's quantile, and the same
        return _quantile(values, q)
    with warnings.catch_warnings():  # all-NaN (no target group, e.g. Rozendaal): NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, q, axis=-1)


def median(values: np.ndarray, *, ordered: bool = False) -> np.ndarray:
    """Return ``numpy.median(values, axis=-1)``, bit for bit (with NaN numpy computes it).

    numpy takes the mean of the two middle values of an even count (their sum, halved).
    ``ordered``: the values are sorted already (:func:`sort`).
    """
    if has_nan(values):
        return np.median(values, axis=-1)
    return _median(values, ordered)


def _median(values: np.ndarray, ordered: bool) -> np.ndarray:
    """:func:`median` of values without NaN."""
    n = values.shape[-1]
    middle = [n // 2 - 1, n // 2] if n % 2 == 0 else [n // 2]
    return np.mean(order_statistics(values, middle, ordered=ordered), axis=0)


def nanmedian(values: np.ndarray, *, ordered: bool = False) -> np.ndarray:
    """Return the median over the last axis, NaN left out.

    Without NaN :func:`numpy.median`'s, else :func:`numpy.nanquantile`'s at 0.5 (the mean of
    the two middle values, or the one interpolated between them: equal but for rounding).
    ``ordered``: the values are sorted already (:func:`sort`).
    """
    if not has_nan(values):
        return _median(values, ordered)
    with warnings.catch_warnings():  # all-NaN (no target group): NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, 0.5, axis=-1)


def percentile_interval(
    values: np.ndarray, q: float, z: float, *, ordered: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the ``q``-quantile over the last axis and its distribution-free interval.

    The interval is spanned by the order statistics whose ranks lie ``z`` binomial standard
    deviations around ``n q`` (normal approximation to the binomial). For ``q = 1`` (the maximum)
    it is the maximum itself: a sample cannot say how much larger the true maximum is.

    Parameters
    ----------
    values : numpy.ndarray
        Samples on the last axis; NaN counts as larger than every number.
    q : float
        Quantile in (0, 1].
    z : float
        Normal quantile of the interval.
    ordered : bool
        Whether the values are sorted already (:func:`sort`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        The estimate (numpy's linear quantile), lower and upper bound.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    spread = z * math.sqrt(n * q * (1 - q))
    low = min(n - 1, max(0, math.floor(n * q - spread) - 1))
    high = min(n - 1, max(0, math.ceil(n * q + spread) - 1))
    ranks, interpolate = linear_quantile(n, q)
    wanted = sorted({*ranks, low, high})
    # NaN above every number, infinities the extreme finite numbers: that keeps the order (NaN
    # sorts last), so it is done on the few order statistics, not on a copy of all samples.
    stats = np.nan_to_num(order_statistics(values, wanted, ordered=ordered), nan=np.inf)
    with np.errstate(invalid="ignore"):  # inf - inf where NaN (inf here) meets NaN
        estimate = interpolate(stats[[wanted.index(r) for r in ranks]])
    estimate = estimate[()] if estimate.ndim == 0 else estimate
    return estimate, stats[wanted.index(low), ...], stats[wanted.index(high), ...]
