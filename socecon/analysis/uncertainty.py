"""Uncertainty of the assumptions: sampling, propagation through the model, and drivers.

Every scalar assumption in ``definitions/assumptions.yaml`` has a plausible range (``low`` to
``high``). This module samples those ranges, runs the model for all samples in one vectorised
pass and reports, per indicator, scenario and region, the median and an interval (P10-P90 by
default). It also ranks which assumptions drive an indicator most.

Sampling
    Latin hypercube (``method="lhs"``: each range split into ``n`` equal strata, one draw per
    stratum, strata shuffled independently per parameter) or plain Monte Carlo (``"mc"``), uniform
    over each range, seeded with :func:`numpy.random.default_rng`: the same seed gives the same
    samples bit for bit. The loonwaarde distributions have no range; they move through the scalar
    ``loonwaarde_shift``, and optionally through a Dirichlet perturbation around their default
    (``dirichlet_concentration``; larger is closer to the default).

Sensitivity
    :meth:`UncertaintyResult.drivers` ranks the sampled assumptions by their standardised rank
    regression coefficients (:func:`socecon.analysis.sensitivity.srrc`).

Examples
--------
>>> from socecon.analysis import uncertainty
>>> samples = uncertainty.sample(200, seed=1)
>>> result = uncertainty.propagate(samples, regions=["GM0301"])
>>> table = result.summary()  # doctest: +SKIP
>>> result.drivers("placed", region="GM0301", scenario="regulier").head(3)  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socecon.analysis.resources import check_samples
from socecon.analysis.sensitivity import srrc
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.definitions.assumptions import BAND_MIDPOINTS, Assumptions, load_assumptions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.exceptions import UncertaintyError
from socecon.model.core import run
from socecon.model.indicators import registry
from socecon.model.inputs import ModelInput
from socecon.regions import group_members, load_regions, resolve

METHODS = ("lhs", "mc")
DEFAULT_INDICATORS = (
    "target_group",
    "placed",
    "participation_rate",
    "left_out",
    "gross_cost",
    "benefit_savings",
    "net_cost",
    "net_cost_per_placed",
    "sroi",
)
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
# Samples per model pass: bounds the memory of the (samples x regions x scenarios x bands) arrays
# without changing any result (every sample is computed independently).
DEFAULT_CHUNK = 100


@dataclass(frozen=True)
class Parameter:
    """One sampled quantity and its range.

    Attributes
    ----------
    id : str
        An assumption id, or another name (the wind tunnel adds measure effects and costs).
    label : str
        Dutch label for tables.
    low, high : float
        The range sampled uniformly; ``low == high`` keeps the parameter at that value.
    unit : str
        Unit id of ``units.yaml`` (empty when unknown).
    """

    id: str
    label: str
    low: float
    high: float
    unit: str = ""


@dataclass(frozen=True)
class SampleSet:
    """Samples of the uncertain parameters.

    Attributes
    ----------
    parameters : tuple of Parameter
        The sampled parameters, in column order.
    values : numpy.ndarray
        Shape ``(S, P)``: one row per sample, one column per parameter.
    distributions : Mapping[str, numpy.ndarray]
        Perturbed loonwaarde distributions, ``(S, 10)`` each (empty when not perturbed).
    method : str
    seed : int or None
    """

    parameters: tuple[Parameter, ...]
    values: np.ndarray
    distributions: Mapping[str, np.ndarray] = field(default_factory=dict)
    method: str = "lhs"
    seed: int | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def ids(self) -> tuple[str, ...]:
        """Parameter ids, in column order."""
        return tuple(p.id for p in self.parameters)

    def column(self, parameter_id: str) -> np.ndarray:
        """Return the ``(S,)`` samples of one parameter."""
        try:
            return self.values[:, self.ids.index(parameter_id)]
        except ValueError:
            raise UncertaintyError(f"No sampled parameter {parameter_id!r}") from None

    def overrides(self, assumptions: Assumptions | None = None) -> dict[str, np.ndarray]:
        """Return model overrides: every sampled assumption and perturbed distribution.

        Parameters
        ----------
        assumptions : Assumptions, optional
            Which ids are assumptions (others, such as wind-tunnel effects, are skipped).

        Returns
        -------
        dict of str to numpy.ndarray
        """
        known = set((assumptions or load_assumptions()).ids)
        out = {
            p.id: np.ascontiguousarray(self.values[:, j])
            for j, p in enumerate(self.parameters)
            if p.id in known
        }
        out.update(self.distributions)
        return out

    def design(self) -> tuple[tuple[str, ...], np.ndarray]:
        """Return the input matrix for the sensitivity analysis.

        Each perturbed distribution enters as one column, its mean loonwaarde (percent).

        Returns
        -------
        tuple of (tuple of str, numpy.ndarray)
            Column labels and the ``(S, P)`` matrix.
        """
        labels = [p.id for p in self.parameters]
        columns = [self.values]
        for key, shares in self.distributions.items():
            labels.append(f"{key} (mean)")
            columns.append((shares @ BAND_MIDPOINTS)[:, None])
        return tuple(labels), np.hstack(columns)


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """Return a Latin hypercube sample on the unit cube.

    Parameters
    ----------
    n : int
        Number of samples (strata per dimension).
    d : int
        Number of dimensions.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        Shape ``(n, d)``; each column has exactly one value in each interval ``[i/n, (i+1)/n)``.
    """
    strata = np.argsort(rng.random((n, d)), axis=0)
    return (strata + rng.random((n, d))) / n


def uncertain_parameters(
    ranges: Mapping[str, Sequence[float]] | None = None,
    assumptions: Assumptions | None = None,
) -> tuple[Parameter, ...]:
    """Return the scalar assumptions to sample, with their ranges.

    Every scalar assumption whose declared range is not a point is sampled. ``ranges`` narrows or
    widens a range (within the hard bounds) or pins an assumption to a value (``(x, x)``).

    Parameters
    ----------
    ranges : mapping of str to (low, high), optional
        Replacement ranges by assumption id.
    assumptions : Assumptions, optional
        The declarations; the package's own by default.

    Returns
    -------
    tuple of Parameter

    Raises
    ------
    UncertaintyError
        Listing every unknown id, non-scalar, malformed range or range outside the bounds.
    """
    assumptions = assumptions or load_assumptions()
    ranges = dict(ranges or {})
    problems: list[str] = []
    by_id = {a.id: a for a in assumptions}
    for key, rng in ranges.items():
        a = by_id.get(key)
        if a is None or a.kind != "scalar":
            kind = "unknown" if a is None else f"a {a.kind}, not a scalar"
            problems.append(f"Range for assumption {key!r}: {kind}")
            continue
        try:
            lo, hi = (float(x) for x in rng)
        except (TypeError, ValueError):
            problems.append(f"Range for assumption {key!r} must be (low, high), got {rng!r}")
            continue
        b_lo, b_hi = a.bounds or (-np.inf, np.inf)
        if not (np.isfinite(lo) and np.isfinite(hi) and b_lo <= lo <= hi <= b_hi):
            problems.append(
                f"Range for assumption {key!r} = ({lo:g}, {hi:g}) must satisfy "
                f"{b_lo:g} <= low <= high <= {b_hi:g} ({a.unit})"
            )
    if problems:
        raise UncertaintyError("; ".join(problems))
    out = []
    for a in assumptions:
        if a.kind != "scalar":
            continue
        lo, hi = ranges.get(a.id, (a.low, a.high))
        if a.id in ranges or a.low < a.high:
            out.append(Parameter(a.id, a.label, float(lo), float(hi), a.unit))
    return tuple(out)


def sample(
    n: int,
    *,
    method: str = "lhs",
    seed: int | None = 0,
    ranges: Mapping[str, Sequence[float]] | None = None,
    extra: Sequence[Parameter] = (),
    dirichlet_concentration: float | None = None,
) -> SampleSet:
    """Sample the uncertain assumptions over their declared ranges.

    Parameters
    ----------
    n : int
        Number of samples (at least 2).
    method : {"lhs", "mc"}
        Latin hypercube or Monte Carlo.
    seed : int or None
        Seed of :func:`numpy.random.default_rng`; ``None`` draws fresh entropy.
    ranges : mapping of str to (low, high), optional
        Replacement ranges (see :func:`uncertain_parameters`).
    extra : sequence of Parameter
        Further parameters sampled in the same design (the wind tunnel's effect sizes).
    dirichlet_concentration : float, optional
        When given, also perturb each loonwaarde distribution: a Dirichlet draw with parameters
        ``concentration x default shares`` (empty bands stay empty).

    Returns
    -------
    SampleSet

    Raises
    ------
    UncertaintyError
        For an unknown method, a sample size below 2, a bad range or concentration.
    """
    if method not in METHODS:
        raise UncertaintyError(f"Unknown sampling method {method!r}; choose one of {METHODS}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise UncertaintyError(f"Number of samples must be an integer >= 2, got {n!r}")
    check_samples(int(n), 1, "sampling alone")
    if dirichlet_concentration is not None and not dirichlet_concentration > 0:
        raise UncertaintyError(
            f"Dirichlet concentration must be positive, got {dirichlet_concentration!r}"
        )
    params = uncertain_parameters(ranges) + tuple(extra)
    ids = [p.id for p in params]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise UncertaintyError(f"Parameter(s) sampled twice: {', '.join(dup)}")
    bad = [p.id for p in params if not (np.isfinite(p.low) and p.low <= p.high)]
    if bad:
        raise UncertaintyError(f"Parameter range must have low <= high: {', '.join(bad)}")
    design_seq, dist_seq = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(design_seq)
    unit = latin_hypercube(n, len(params), rng) if method == "lhs" else rng.random((n, len(params)))
    low = np.array([p.low for p in params])
    high = np.array([p.high for p in params])
    values = low + unit * (high - low)
    distributions: dict[str, np.ndarray] = {}
    if dirichlet_concentration is not None:
        drng = np.random.default_rng(dist_seq)
        for a in load_assumptions():
            if a.kind == "distribution":
                alpha = dirichlet_concentration * np.asarray(a.value)
                draws = drng.standard_gamma(np.broadcast_to(alpha, (n, alpha.size)))
                distributions[a.id] = draws / draws.sum(axis=1, keepdims=True)
    return SampleSet(params, values, distributions, method, seed)


@dataclass(frozen=True)
class UncertaintyResult:
    """Indicators for every sample at the horizon.

    Attributes
    ----------
    values : Mapping[str, numpy.ndarray]
        Indicator id to an array ``(S, G, K)`` (per-band indicators summed over the bands).
    samples : SampleSet
    regions, scenarios : tuple of str
    horizon : int
    """

    values: Mapping[str, np.ndarray]
    samples: SampleSet
    regions: tuple[str, ...]
    scenarios: tuple[str, ...]
    horizon: int

    def summary(self, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
        """Return quantiles per indicator, scenario and region.

        Parameters
        ----------
        quantiles : sequence of float
            Quantiles in [0, 1]; the default gives ``p10``, ``median`` and ``p90``.

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator, label, unit, scenario, region``, one column per quantile
            (``p10``, ``median``, ``p90``, ...) and ``mean``; samples where an indicator is
            undefined (nobody placed) are left out of its quantiles.
        """
        qs = np.asarray(quantiles, dtype=float)
        if qs.ndim != 1 or not qs.size or np.any((qs < 0) | (qs > 1)):
            raise UncertaintyError(f"Quantiles must lie in [0, 1], got {list(quantiles)!r}")
        names = ["median" if q == 0.5 else f"p{q * 100:g}" for q in qs]
        defs = {d.id: d for d in load_indicator_definitions()}
        frames = []
        for key, arr in self.values.items():
            with warnings.catch_warnings():  # all-NaN slices (nobody placed) give NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                qv, mean = _quantiles(arr, qs)  # (Q, G, K), (G, K)
            g, k = np.meshgrid(np.arange(len(self.regions)), np.arange(len(self.scenarios)))
            g, k = g.T.ravel(), k.T.ravel()
            frame = pd.DataFrame(
                {
                    "indicator": key,
                    "label": defs[key].label,
                    "unit": defs[key].unit,
                    "scenario": np.asarray(self.scenarios)[k],
                    "region": np.asarray(self.regions)[g],
                }
            )
            for name, q in zip(names, qv, strict=True):
                frame[name] = q.ravel()
            frame["mean"] = mean.ravel()
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def drivers(
        self,
        indicator: str,
        region: str | None = None,
        scenario: str | None = None,
        top: int | None = None,
    ) -> pd.DataFrame:
        """Rank the sampled parameters by their influence on an indicator (SRRC).

        Parameters
        ----------
        indicator : str
            One of the computed indicators.
        region, scenario : str, optional
            Restrict to one region or scenario (all by default).
        top : int, optional
            Keep the ``top`` parameters per region and scenario.

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator, scenario, region, parameter, label, srrc, rank, r2``; ``rank`` 1
            is the strongest driver by ``|srrc|``; ``r2`` is the rank regression's R².
        """
        if indicator not in self.values:
            raise UncertaintyError(
                f"Indicator {indicator!r} was not computed; computed: {', '.join(self.values)}"
            )
        g_idx = self._index(self.regions, region, "region")
        k_idx = self._index(self.scenarios, scenario, "scenario")
        y = self.values[indicator][:, g_idx][:, :, k_idx]  # (S, G', K')
        labels, x = self.samples.design()
        coef, r2 = srrc(x, y.reshape(len(y), -1))
        p_labels = {p.id: p.label for p in self.samples.parameters}
        gg, kk = np.meshgrid(g_idx, k_idx, indexing="ij")
        rows = []
        for m, (gi, ki) in enumerate(zip(gg.ravel(), kk.ravel(), strict=True)):
            order = np.argsort(-np.abs(np.nan_to_num(coef[:, m])), kind="stable")
            if top is not None:
                order = order[:top]
            for rank, j in enumerate(order, start=1):
                rows.append(
                    (
                        indicator,
                        self.scenarios[ki],
                        self.regions[gi],
                        labels[j],
                        p_labels.get(labels[j], labels[j]),
                        coef[j, m],
                        rank,
                        r2[m],
                    )
                )
        cols = ["indicator", "scenario", "region", "parameter", "label", "srrc", "rank", "r2"]
        return pd.DataFrame(rows, columns=cols)

    @staticmethod
    def _index(known: Sequence[str], wanted: str | None, what: str) -> list[int]:
        if wanted is None:
            return list(range(len(known)))
        if wanted not in known:
            raise UncertaintyError(f"Unknown {what} {wanted!r}; computed: {', '.join(known)}")
        return [list(known).index(wanted)]


def _quantiles(arr: np.ndarray, qs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles and mean over the sample axis, ignoring NaN; ``nanquantile`` only where needed."""
    flat = arr.reshape(arr.shape[0], -1)
    gaps = np.isnan(flat).any(axis=0)
    qv = np.empty((qs.size, flat.shape[1]))
    mean = np.empty(flat.shape[1])
    qv[:, ~gaps] = np.quantile(flat[:, ~gaps], qs, axis=0)
    mean[~gaps] = flat[:, ~gaps].mean(axis=0)
    if gaps.any():
        qv[:, gaps] = np.nanquantile(flat[:, gaps], qs, axis=0)
        mean[gaps] = np.nanmean(flat[:, gaps], axis=0)
    return qv.reshape(qs.size, *arr.shape[1:]), mean.reshape(arr.shape[1:])


def propagate(
    samples: SampleSet,
    regions: Sequence[str] | str | None = None,
    scenarios: Sequence[str] | None = None,
    horizon: int = DEFAULT_HORIZON,
    indicators: Sequence[str] = DEFAULT_INDICATORS,
    overrides: Mapping[str, Any] | None = None,
    model_input: ModelInput | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> UncertaintyResult:
    """Run the model for every sample at the horizon year.

    Parameters
    ----------
    samples : SampleSet
        From :func:`sample`.
    regions : str or sequence of str, optional
        Municipalities or groups; every municipality by default.
    scenarios : sequence of str, optional
        Scenario ids (the baseline and the four scenarios by default).
    horizon : int
        Year the scenarios are in place; only this year is computed.
    indicators : sequence of str
        Indicator ids to keep (per-band ones are summed over the bands).
    overrides : mapping, optional
        Fixed overrides for assumptions that are not sampled.
    model_input : ModelInput, optional
        Base-year stocks; the CBS snapshot by default.
    chunk_size : int
        Samples per model pass (memory only; results do not depend on it).

    Returns
    -------
    UncertaintyResult

    Raises
    ------
    UncertaintyError
        For an unknown indicator, a fixed override of a sampled assumption or a bad chunk size.
    """
    funcs = registry()
    unknown = [i for i in indicators if i not in funcs]
    if unknown or not indicators:
        raise UncertaintyError(
            f"Unknown indicator(s) {unknown or list(indicators)!r}; known: {', '.join(funcs)}"
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise UncertaintyError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    sampled = samples.overrides()
    clash = sorted(set(overrides or {}) & set(sampled))
    if clash:
        raise UncertaintyError(
            f"Assumption(s) {', '.join(clash)} are both sampled and fixed; narrow their range "
            "to a point instead"
        )
    parts: dict[str, list[np.ndarray]] = {i: [] for i in indicators}
    result = None
    for start in range(0, len(samples), chunk_size):
        chunk = {k: v[start : start + chunk_size] for k, v in sampled.items()}
        result = run(
            regions,
            scenarios,
            horizon=horizon,
            years=[horizon],
            overrides={**(overrides or {}), **chunk},
            model_input=model_input,
            bands=False,
        )
        comps = result.components
        for key in indicators:
            arr = funcs[key](comps)[0]
            parts[key].append(arr[..., 0] if arr.ndim == 4 else arr)
    assert result is not None  # len(samples) >= 1
    return UncertaintyResult(
        values={k: np.concatenate(v, axis=0) for k, v in parts.items()},
        samples=samples,
        regions=result.regions,
        scenarios=result.scenarios,
        horizon=horizon,
    )


def run_uncertainty(
    regions: Sequence[str] | str | None = None,
    n_samples: int = 1000,
    *,
    seed: int | None = 0,
    method: str = "lhs",
    ranges: Mapping[str, Sequence[float]] | None = None,
    scenarios: Sequence[str] | None = None,
    horizon: int = DEFAULT_HORIZON,
    indicators: Sequence[str] = DEFAULT_INDICATORS,
    dirichlet_concentration: float | None = None,
) -> UncertaintyResult:
    """Sample the assumptions and propagate them (:func:`sample` then :func:`propagate`).

    Parameters
    ----------
    regions : str or sequence of str, optional
        Municipalities or groups; every municipality by default.
    n_samples : int
        Number of samples.
    seed : int or None
        Random seed.
    method : {"lhs", "mc"}
        Sampling method.
    ranges : mapping of str to (low, high), optional
        Replacement ranges for assumptions.
    scenarios : sequence of str, optional
        Scenario ids.
    horizon : int
        Year the scenarios are in place.
    indicators : sequence of str
        Indicators to keep.
    dirichlet_concentration : float, optional
        Perturb the loonwaarde distributions as well.

    Returns
    -------
    UncertaintyResult
    """
    names = [regions] if isinstance(regions, str) else list(regions or [])
    members = sum(len(group_members(resolve(r))) for r in names) if names else len(load_regions())
    runs = len(scenarios) if scenarios else len(load_definitions().scenarios)
    check_samples(n_samples, members * runs, "the uncertainty analysis")
    samples = sample(
        n_samples,
        method=method,
        seed=seed,
        ranges=ranges,
        dirichlet_concentration=dirichlet_concentration,
    )
    return propagate(samples, regions, scenarios, horizon, indicators)
