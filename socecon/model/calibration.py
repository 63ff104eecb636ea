"""Local calibration: a placement-effectiveness factor per municipality from CBS counts.

The observable (declared in ``calibration.yaml``) is the yearly outflow from bijstand to work
relative to the people on bijstand during the year, ``y / n`` with ``y`` the outflow to work and
``n`` the year-end stock plus the outflow (= the start-of-year stock plus the inflow). Counts are
pooled over the fitted years. Small municipalities are noisy (a few dozen people, and CBS rounds
every count to tens), so each municipality's rate is shrunk towards the pooled rate ``m`` of its
arbeidsmarktregio (normal-normal empirical Bayes)::

    s^2   = m (1 - m) / n  +  k R (1 + e m^2) / n^2      sampling variance of y / n
    w     = tau^2 / (tau^2 + s^2)                          weight on the own rate
    rate  = m + w (y / n - m)
    factor = rate / national rate                          (1.0 = the national rate)

``R = rounding^2 / 12`` is the variance of the uniform rounding error of one rounded count, ``k``
the number of years pooled and ``e`` the number of counts summed into ``n``. ``tau``, the spread
of the true rates within a region, is chosen from a declared grid by fitting one year and
predicting the next (:func:`select_strength`), never on the held-out year.

**Missing and zero counts.** A municipality-year whose numerator or any exposure count is
missing (suppressed, or the municipality merged away), or whose exposure is 0, contributes
nothing. A municipality without any usable year gets its region's rate (weight 0); a region
without any usable count, or a municipality without a region, gets the national rate. Negative
counts, or more successes than exposure, are an error.

Everything is computed from the counts and the labour-market mapping passed in, so the factors of
another indeling come from its own (converted) counts, never from converting factors.
:func:`snapshot_calibration` calibrates the municipalities of the processed snapshot once per
process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from socecon.data.schema import check_indeling
from socecon.data.snapshot import CACHE_CLEARERS, load_snapshot
from socecon.definitions.calibration import CalibrationSpec, load_calibration
from socecon.exceptions import CalibrationError
from socecon.regions import labour_market_regions


@dataclass(frozen=True)
class Observed:
    """Counts per municipality, pooled over the usable years.

    Attributes
    ----------
    regions : tuple of str
    years : tuple of int
        The years asked for.
    successes, exposure : numpy.ndarray
        Pooled outflow to work ``y`` and people at risk ``n``.
    n_years : numpy.ndarray
        How many years were usable (each adds rounded counts).
    weight : numpy.ndarray
        The weight variable summed over the usable years (0 where none is).
    """

    regions: tuple[str, ...]
    years: tuple[int, ...]
    successes: np.ndarray
    exposure: np.ndarray
    n_years: np.ndarray
    weight: np.ndarray

    @property
    def rate(self) -> np.ndarray:
        """The own rate ``y / n``, NaN where there is no exposure."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.exposure > 0, self.successes / self.exposure, np.nan)


@dataclass(frozen=True)
class Calibration:
    """Shrunk outflow-to-work rates and effectiveness factors per municipality.

    Attributes
    ----------
    regions : tuple of str
    labour_market : tuple of str
        Each municipality's arbeidsmarktregio ("" where none is known).
    years : tuple of int
        The years fitted.
    tau : float
        The shrinkage strength used.
    national_rate : float
    own_rate, regional_rate, weight, rate : numpy.ndarray
        Per municipality: unshrunk rate (NaN without exposure), prior (its region's pooled rate,
        or the national one), weight on the own rate, and the shrunk rate.
    exposure : numpy.ndarray
        People at risk, pooled over the fitted years.
    """

    regions: tuple[str, ...]
    labour_market: tuple[str, ...]
    years: tuple[int, ...]
    tau: float
    national_rate: float
    own_rate: np.ndarray
    regional_rate: np.ndarray
    weight: np.ndarray
    rate: np.ndarray
    exposure: np.ndarray

    @property
    def factor(self) -> np.ndarray:
        """Placement effectiveness: the shrunk rate over the national rate (1.0 = national)."""
        return self.rate / self.national_rate

    def frame(self) -> pd.DataFrame:
        """Return one row per municipality with every quantity of the calibration."""
        return pd.DataFrame(
            {
                "labour_market_region": self.labour_market,
                "exposure": self.exposure,
                "own_rate": self.own_rate,
                "regional_rate": self.regional_rate,
                "weight": self.weight,
                "rate": self.rate,
                "factor": self.factor,
            },
            index=pd.Index(self.regions, name="region"),
        )


def _check_years(years: Sequence[int], spec: CalibrationSpec) -> tuple[int, ...]:
    years = tuple(int(y) for y in years)
    if spec.held_out_year in years:
        raise CalibrationError(
            f"the calibration may not fit the held-out year {spec.held_out_year} "
            f"(asked for {', '.join(map(str, years))})"
        )
    if not years:
        raise CalibrationError("the calibration needs at least one year to fit")
    return years


def _cube(
    counts: pd.DataFrame, regions: tuple[str, ...], years: tuple[int, ...], names: tuple[str, ...]
) -> np.ndarray:
    """Return the values of ``counts`` as an array (region, year, variable), NaN where absent."""
    axes = [
        pd.Index(labels).get_indexer(counts[column])
        for labels, column in ((regions, "region"), (years, "year"), (names, "variable"))
    ]
    keep = (axes[0] >= 0) & (axes[1] >= 0) & (axes[2] >= 0)
    where = tuple(a[keep] for a in axes)
    cube = np.full((len(regions), len(years), len(names)), np.nan)
    cube[where] = counts["value"].to_numpy(dtype=float)[keep]
    flat = np.ravel_multi_index(where, cube.shape)
    if len(np.unique(flat)) < len(flat):
        i, j, v = np.unravel_index(np.argmax(np.bincount(flat) > 1), cube.shape)
        raise CalibrationError(f"{regions[i]} {years[j]}: {names[v]} is given more than once")
    return cube


def observe(
    counts: pd.DataFrame,
    regions: Sequence[str],
    years: Sequence[int],
    spec: CalibrationSpec | None = None,
) -> Observed:
    """Pool the declared counts of ``regions`` over ``years`` (no check on the held-out year).

    Parameters
    ----------
    counts : pandas.DataFrame
        Long frame with the columns ``region, year, variable, value`` (the snapshot's layout, in
        any indeling); other rows are ignored.
    regions : sequence of str
    years : sequence of int
    spec : CalibrationSpec, optional
        The declarations; ``calibration.yaml`` by default.

    Returns
    -------
    Observed

    Raises
    ------
    CalibrationError
        For a negative count, or more successes than exposure, naming region, year and variable.
    """
    spec = spec or load_calibration()
    regions, years = tuple(regions), tuple(int(y) for y in years)
    names = spec.variables
    cube = _cube(counts, regions, years, names)
    negative = np.argwhere(cube < 0)
    if len(negative):
        i, j, v = negative[0]
        raise CalibrationError(
            f"{regions[i]} {years[j]}: {names[v]} is negative ({cube[i, j, v]:g})"
        )
    y = cube[:, :, names.index(spec.numerator)]
    n = cube[:, :, [names.index(e) for e in spec.exposure]].sum(axis=2)  # NaN if one is missing
    usable = ~np.isnan(y) & ~np.isnan(n) & (n > 0)
    too_many = usable & (y > n)
    if too_many.any():
        i, j = np.argwhere(too_many)[0]
        raise CalibrationError(
            f"{regions[i]} {years[j]}: {spec.numerator} ({y[i, j]:g}) exceeds the people at risk "
            f"({' + '.join(spec.exposure)} = {n[i, j]:g})"
        )
    weight = np.nan_to_num(cube[:, :, names.index(spec.weight)])
    return Observed(
        regions=regions,
        years=years,
        successes=np.where(usable, y, 0.0).sum(axis=1),
        exposure=np.where(usable, n, 0.0).sum(axis=1),
        n_years=usable.sum(axis=1),
        weight=np.where(usable, weight, 0.0).sum(axis=1),
    )


def _pooled(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(groups, weights=values, minlength=n_groups)


def fit(
    observed: Observed,
    labour_market: Sequence[str],
    tau: float,
    spec: CalibrationSpec | None = None,
) -> Calibration:
    """Shrink each municipality's rate towards its arbeidsmarktregio with strength ``tau``.

    Parameters
    ----------
    observed : Observed
        From :func:`observe`.
    labour_market : sequence of str
        The arbeidsmarktregio of each region of ``observed`` ("" or None where unknown).
    tau : float
        Spread of the true rates within a region (``0``: the region's rate; ``inf``: the own).
    spec : CalibrationSpec, optional

    Returns
    -------
    Calibration

    Raises
    ------
    CalibrationError
        If the held-out year is among the observed years, or no municipality has exposure.
    """
    spec = spec or load_calibration()
    _check_years(observed.years, spec)
    if len(labour_market) != len(observed.regions):
        raise CalibrationError(
            f"{len(labour_market)} labour-market regions for {len(observed.regions)} regions"
        )
    y, n = observed.successes, observed.exposure
    if not n.sum() > 0:
        raise CalibrationError(f"no municipality has bijstand counts in {observed.years}")
    national = float(y.sum() / n.sum())
    codes = tuple("" if c is None or c != c else str(c) for c in labour_market)
    keys, groups = np.unique(np.asarray(codes, dtype=object).astype(str), return_inverse=True)
    group_y = _pooled(y, groups, len(keys))
    group_n = _pooled(n, groups, len(keys))
    with np.errstate(invalid="ignore", divide="ignore"):
        group_rate = np.where(group_n > 0, group_y / group_n, national)
    group_rate[keys == ""] = national
    prior = group_rate[groups]
    own = observed.rate
    has = n > 0
    rounding_var = spec.rounding**2 / 12.0
    with np.errstate(invalid="ignore", divide="ignore"):
        sampling = (
            prior * (1.0 - prior) / n
            + observed.n_years * rounding_var * (1.0 + len(spec.exposure) * prior**2) / n**2
        )
        if np.isinf(tau):
            weight = np.where(has, 1.0, 0.0)
        elif tau == 0:
            weight = np.zeros_like(n)
        else:
            weight = np.where(has, tau**2 / (tau**2 + sampling), 0.0)
    rate = prior + weight * np.where(has, own - prior, 0.0)
    return Calibration(
        regions=observed.regions,
        labour_market=codes,
        years=observed.years,
        tau=float(tau),
        national_rate=national,
        own_rate=own,
        regional_rate=prior,
        weight=weight,
        rate=rate,
        exposure=n,
    )


def weighted_errors(predicted: np.ndarray, actual: np.ndarray, weight: np.ndarray) -> tuple:
    """Return the weighted mean absolute error and root mean squared error.

    Parameters
    ----------
    predicted, actual, weight : numpy.ndarray
        Same shape; the weights sum to more than 0.

    Returns
    -------
    (float, float)
        MAE and RMSE in the rates' unit.
    """
    error = predicted - actual
    total = weight.sum()
    return float((weight * np.abs(error)).sum() / total), float(
        np.sqrt((weight * error**2).sum() / total)
    )


@dataclass(frozen=True)
class Selection:
    """The choice of the shrinkage strength: the error of every grid value, and the winner.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``tau``, with ``mae`` and ``rmse`` of predicting the target year.
    tau : float
        The chosen strength (least error by the declared criterion; earliest on a tie).
    fit_years : tuple of int
    target_year : int
    criterion : str
    n_regions : int
        Municipalities predicted.
    """

    table: pd.DataFrame
    tau: float
    fit_years: tuple[int, ...]
    target_year: int
    criterion: str
    n_regions: int


def _target(counts: pd.DataFrame, regions: Sequence[str], year: int, spec: CalibrationSpec):
    """Return the observed rate and weight of ``year``, and which municipalities are scored."""
    target = observe(counts, regions, (year,), spec)
    scored = (target.exposure > 0) & (target.weight > 0)
    return target.rate, target.weight, scored


def select_strength(
    counts: pd.DataFrame, labour_market: pd.Series, spec: CalibrationSpec | None = None
) -> Selection:
    """Choose tau on the declared selection years: fit them, predict the target year.

    Parameters
    ----------
    counts : pandas.DataFrame
        Long frame ``region, year, variable, value``.
    labour_market : pandas.Series
        Municipality code to arbeidsmarktregio code; its index are the regions calibrated.
    spec : CalibrationSpec, optional

    Returns
    -------
    Selection
    """
    spec = spec or load_calibration()
    regions = tuple(labour_market.index)
    fitted = observe(counts, regions, _check_years(spec.selection_fit_years, spec), spec)
    year = _check_years((spec.selection_target_year,), spec)[0]
    actual, weight, scored = _target(counts, regions, year, spec)
    rows = []
    for tau in spec.grid:
        predicted = fit(fitted, list(labour_market), tau, spec).rate
        rows.append(weighted_errors(predicted[scored], actual[scored], weight[scored]))
    table = pd.DataFrame(rows, columns=["mae", "rmse"], index=pd.Index(spec.grid, name="tau"))
    best = int(np.argmin(table[spec.criterion].to_numpy()))  # the first of equal minima
    return Selection(table, spec.grid[best], fitted.years, year, spec.criterion, int(scored.sum()))


def calibrate(
    counts: pd.DataFrame,
    labour_market: pd.Series,
    spec: CalibrationSpec | None = None,
    years: Sequence[int] | None = None,
) -> tuple[Calibration, Selection]:
    """Choose the shrinkage strength, then calibrate every municipality on the fit years.

    Parameters
    ----------
    counts : pandas.DataFrame
        Long frame ``region, year, variable, value`` in any indeling.
    labour_market : pandas.Series
        Municipality code to arbeidsmarktregio code, for the municipalities to calibrate.
    spec : CalibrationSpec, optional
        The declarations; ``calibration.yaml`` by default.
    years : sequence of int, optional
        Years to fit; the declared ``fit_years`` by default. Never the held-out year.

    Returns
    -------
    (Calibration, Selection)

    Raises
    ------
    CalibrationError
        If ``years`` holds the held-out year, or the counts are invalid.
    """
    spec = spec or load_calibration()
    years = _check_years(spec.fit_years if years is None else years, spec)
    selection = select_strength(counts, labour_market, spec)
    observed = observe(counts, tuple(labour_market.index), years, spec)
    return fit(observed, list(labour_market), selection.tau, spec), selection


def out_of_sample(
    counts: pd.DataFrame, labour_market: pd.Series, spec: CalibrationSpec | None = None
) -> tuple[pd.DataFrame, Calibration, Selection]:
    """Calibrate on the fit years and score the prediction of the held-out year.

    The only function that reads the held-out year, after the calibration is fixed.

    Parameters
    ----------
    counts : pandas.DataFrame
    labour_market : pandas.Series
    spec : CalibrationSpec, optional

    Returns
    -------
    (pandas.DataFrame, Calibration, Selection)
        The table, indexed by predictor (``national``, ``own``, ``labour_market_region``,
        ``calibrated``) with ``mae`` and ``rmse`` (stock-weighted, rates as shares) and
        ``n_regions``; the calibration; the choice of its strength.
    """
    spec = spec or load_calibration()
    cal, selection = calibrate(counts, labour_market, spec)
    actual, weight, scored = _target(counts, cal.regions, spec.held_out_year, spec)
    own = np.where(np.isnan(cal.own_rate), cal.regional_rate, cal.own_rate)
    predictors = {
        "national": np.full(len(cal.regions), cal.national_rate),
        "own": own,
        "labour_market_region": cal.regional_rate,
        "calibrated": cal.rate,
    }
    rows = {
        name: weighted_errors(p[scored], actual[scored], weight[scored])
        for name, p in predictors.items()
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["mae", "rmse"])
    table["n_regions"] = int(scored.sum())
    return table, cal, selection


def snapshot_counts(indeling: int | str | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Return the snapshot's counts of an indeling and the arbeidsmarktregio of its municipalities.

    The arbeidsmarktregio's are :func:`socecon.regions.labour_market_regions`, the mapping the
    model's regional totals (:func:`socecon.model.inputs.snapshot_input`) use too.

    Parameters
    ----------
    indeling : int or str, optional
        2015 or 2025; the declared default when None. The counts of 2025 are the converted ones.
    """
    return load_snapshot(indeling=indeling), labour_market_regions(indeling)


def snapshot_calibration(indeling: int | str | None = None) -> Calibration:
    """Return the calibration of every municipality of one indeling of the snapshot (cached).

    The factors of the 2025 indeling are fitted on its converted counts, never converted
    themselves.

    Parameters
    ----------
    indeling : int or str, optional
        2015 or 2025; the declared default when None.

    Returns
    -------
    Calibration
        Fitted on the declared fit years with the strength chosen on the selection years.
    """
    return _snapshot_calibration(check_indeling(indeling))


@cache
def _snapshot_calibration(indeling: int) -> Calibration:
    counts, labour_market = snapshot_counts(indeling)
    return calibrate(counts, labour_market)[0]


# A rewritten or refreshed snapshot (socecon.data.snapshot.clear_cache) must reach the factors.
CACHE_CLEARERS.append(_snapshot_calibration.cache_clear)
