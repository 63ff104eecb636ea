"""Sensitivity of an output to its inputs: standardised rank regression coefficients (SRRC).

SRRC (Saltelli et al., *Sensitivity Analysis in Practice*, 2004, ch. 1): the outputs and inputs
are replaced by their ranks, standardised, and the output regressed on all inputs at once. A
coefficient of +0.5 means that one standard deviation of the input's rank moves the output's rank
by half a standard deviation, the other inputs held fixed. It needs no extra dependency and is
valid for monotone models such as this one; the regression's R² is reported with it, so a low R²
flags where the ranking says little (then use a variance-based method such as Sobol via SALib).
With Latin hypercube samples the inputs are independent and the squared coefficients approximate
each input's share of the output's rank variance.

:meth:`socecon.analysis.uncertainty.UncertaintyResult.drivers` applies it to the model.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 5.0], [2.0, 3.0], [3.0, 4.0], [4.0, 1.0]])
>>> coef, r2 = srrc(x, x[:, :1] * 2.0)
>>> coef[:, 0].round(3).tolist(), r2.round(3).tolist()
([1.0, 0.0], [1.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Rank each column of ``x`` (0-based), giving tied values their average rank.

    Parameters
    ----------
    x : numpy.ndarray
        Shape ``(S, M)``, finite.

    Returns
    -------
    numpy.ndarray
        Shape ``(S, M)``.
    """
    n, m = x.shape
    order = np.argsort(x, axis=0, kind="stable")
    ordered = np.take_along_axis(x, order, axis=0)
    starts = np.ones((n, m), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    group = np.cumsum(starts, axis=0) - 1 + np.arange(m) * n  # unique tie-group id per column
    position = np.broadcast_to(np.arange(n, dtype=float)[:, None], (n, m))
    sums = np.bincount(group.ravel(), weights=position.ravel(), minlength=n * m)
    counts = np.bincount(group.ravel(), minlength=n * m)
    ranks = np.empty((n, m))
    np.put_along_axis(ranks, order, (sums / np.maximum(counts, 1))[group], axis=0)
    return ranks


@dataclass(frozen=True)
class RankedInputs:
    """The inputs of a rank regression, ranked once (they depend on the samples alone).

    Attributes
    ----------
    varying : numpy.ndarray
        Shape ``(P,)``: which inputs are not constant.
    ranks : numpy.ndarray
        Shape ``(S, V)``: the standardised ranks of the varying inputs.
    gram : numpy.ndarray
        Shape ``(V, V)``: ``ranks.T @ ranks``.
    well_conditioned : bool
        Whether the normal equations are solved directly (else by ``lstsq``).
    """

    varying: np.ndarray
    ranks: np.ndarray
    gram: np.ndarray
    well_conditioned: bool


def rank_inputs(x: np.ndarray) -> RankedInputs:
    """Rank and standardise the inputs of :func:`srrc`, to reuse them for other outputs.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, shape ``(S, P)``.

    Returns
    -------
    RankedInputs
    """
    x = np.asarray(x, dtype=float)
    varying = np.ptp(x, axis=0) > 0
    ranks = _standardise(average_ranks(x[:, varying])) if varying.any() else x[:, varying]
    gram = ranks.T @ ranks
    ranks.flags.writeable = gram.flags.writeable = False  # shared by every output
    return RankedInputs(varying, ranks, gram, bool(varying.any()) and np.linalg.cond(gram) < 1e8)


def srrc(x: np.ndarray | RankedInputs, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardised rank regression coefficients of every output on every input.

    Parameters
    ----------
    x : numpy.ndarray or RankedInputs
        Inputs, shape ``(S, P)``, or the same ranked by :func:`rank_inputs` (for many outputs
        of the same samples: the same result without ranking them again).
    y : numpy.ndarray
        Outputs, shape ``(S, M)``.

    Returns
    -------
    coef : numpy.ndarray
        Shape ``(P, M)``; 0 for a constant input, NaN for an output that is constant or undefined
        (NaN) in some sample.
    r2 : numpy.ndarray
        Shape ``(M,)``: the share of the output's rank variance the regression explains.
    """
    inputs = x if isinstance(x, RankedInputs) else rank_inputs(x)
    y = np.asarray(y, dtype=float)
    varying_x = inputs.varying
    coef = np.zeros((len(varying_x), y.shape[1]))
    r2 = np.full(y.shape[1], np.nan)
    valid_y = np.all(np.isfinite(y), axis=0) & (np.ptp(np.nan_to_num(y), axis=0) > 0)
    coef[:, ~valid_y] = np.nan
    if not varying_x.any() or not valid_y.any():
        return coef, r2
    xr = inputs.ranks
    yr = _standardise(average_ranks(y[:, valid_y]))
    if inputs.well_conditioned:  # by the normal equations, some 20 times faster than an SVD
        beta = np.linalg.solve(inputs.gram, xr.T @ yr)
    else:  # (nearly) collinear inputs
        beta = np.linalg.lstsq(xr, yr, rcond=None)[0]
    coef[np.ix_(varying_x, valid_y)] = beta
    residual = yr - xr @ beta
    r2[valid_y] = 1.0 - (residual**2).sum(axis=0) / (yr**2).sum(axis=0)
    return coef, r2


def _standardise(a: np.ndarray) -> np.ndarray:
    centred = a - a.mean(axis=0)
    return centred / centred.std(axis=0)
