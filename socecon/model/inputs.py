"""The model's input: base-year CBS stocks per municipality, and how inputs are adjusted.

:class:`ModelInput` holds the stocks the scenario model reads (bijstand 15-AOW, Wsw employees,
Wajong, jobs) and each municipality's placement effectiveness (the local calibration of
:mod:`~socecon.model.calibration`), :func:`snapshot_input` builds it from the processed CBS
snapshot, and
:func:`shift_distribution` moves a loonwaarde distribution up or down. :func:`parse_override`
reads an assumption override (``key=value``) from the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from socecon.data.schema import check_indeling
from socecon.data.snapshot import CACHE_CLEARERS as DATA_CACHE_CLEARERS
from socecon.data.snapshot import snapshot_wide
from socecon.definitions import BASE_YEAR, DEFAULT_INDELING, MUNICIPALITY_CODE
from socecon.definitions.assumptions import N_BANDS
from socecon.exceptions import AssumptionError, ModelError
from socecon.model.calibration import snapshot_calibration
from socecon.regions import labour_market_regions

#: The CBS stocks the target group is made of.
TARGET_STOCKS = ("bijstand_15_aow", "wsw_employees", "wajong")
#: Every CBS stock the model reads: the target-group stocks and the jobs (for capacities).
STOCK_VARIABLES = (*TARGET_STOCKS, "jobs")
#: The stocks whose totals over the municipality's arbeidsmarktregio the model also reads
#: (capacities are computed for the region and allocated to its municipalities).
REGION_STOCKS = ("jobs", *TARGET_STOCKS)
#: Column names of those regional totals in :meth:`ModelInput.from_frame`.
REGION_COLUMNS = tuple(f"region_{v}" for v in REGION_STOCKS)
#: Optional per-municipality columns of :meth:`ModelInput.from_frame`, with their default.
OPTIONAL_COLUMNS = ("effectiveness", *REGION_COLUMNS)


@dataclass(frozen=True)
class ModelInput:
    """Base-year stocks per municipality, the model's only CBS input.

    Attributes
    ----------
    regions : tuple of str
        Municipality codes.
    bijstand, wsw, wajong, jobs : numpy.ndarray
        Bijstand recipients 15-AOW, Wsw employees, Wajong recipients (persons) and jobs, per region.
    base_year : int
    indeling : int
        The municipal boundaries the regions are in (2015 or 2025): names and groups are
        resolved in it.
    effectiveness : numpy.ndarray, optional
        Local placement effectiveness per municipality, 1.0 = the national rate (the shrunk
        outflow-to-work rate over the national rate, from the calibration). Ones when not given.
    region_jobs, region_bijstand, region_wsw, region_wajong : numpy.ndarray, optional
        Per municipality, the totals of its arbeidsmarktregio over the *full* snapshot (not over
        the municipalities of this input), so that a run for one municipality gets the same
        capacity as a run for all. When not given, a municipality is its own region.
    """

    regions: tuple[str, ...]
    bijstand: np.ndarray
    wsw: np.ndarray
    wajong: np.ndarray
    jobs: np.ndarray
    base_year: int = BASE_YEAR
    indeling: int = DEFAULT_INDELING
    effectiveness: np.ndarray | None = None
    region_jobs: np.ndarray | None = None
    region_bijstand: np.ndarray | None = None
    region_wsw: np.ndarray | None = None
    region_wajong: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.regions)
        if self.effectiveness is None:
            object.__setattr__(self, "effectiveness", np.ones(n))
        for name in ("jobs", "bijstand", "wsw", "wajong"):
            if getattr(self, f"region_{name}") is None:
                object.__setattr__(self, f"region_{name}", getattr(self, name))
        for name in (
            "effectiveness",
            *(f"region_{v}" for v in ("jobs", "bijstand", "wsw", "wajong")),
        ):
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != (n,):
                raise ModelError(f"model input {name} has shape {value.shape}, expected ({n},)")
            low_ok = value > 0 if name == "effectiveness" else value >= 0
            bad = ~(np.isfinite(value) & low_ok)
            if bad.any():
                i = int(np.argmax(bad))
                need = "> 0" if name == "effectiveness" else "finite and >= 0"
                raise ModelError(f"{name} of {self.regions[i]} must be {need}, got {value[i]!r}")
            object.__setattr__(self, name, value)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, base_year: int = BASE_YEAR, indeling: int = DEFAULT_INDELING
    ) -> ModelInput:
        """Build from a frame indexed by region with the columns of ``STOCK_VARIABLES``.

        Missing values count as zero (CBS suppresses very small numbers). The columns of
        ``OPTIONAL_COLUMNS`` (``effectiveness``, ``region_jobs``, ``region_bijstand_15_aow``,
        ``region_wsw_employees``, ``region_wajong``) are read when present.
        """
        missing = [v for v in STOCK_VARIABLES if v not in frame.columns]
        if missing:
            raise ModelError(f"model input lacks column(s) {', '.join(missing)}")
        values = frame[list(STOCK_VARIABLES)].astype(float).fillna(0.0)
        if (values < 0).any().any():
            raise ModelError("model input has negative counts")
        optional = {
            c: frame[c].astype(float).fillna(0.0).to_numpy()
            for c in OPTIONAL_COLUMNS
            if c in frame.columns
        }
        return cls(
            regions=tuple(str(r) for r in frame.index),
            bijstand=values["bijstand_15_aow"].to_numpy(),
            wsw=values["wsw_employees"].to_numpy(),
            wajong=values["wajong"].to_numpy(),
            jobs=values["jobs"].to_numpy(),
            base_year=base_year,
            effectiveness=optional.get("effectiveness"),
            region_jobs=optional.get("region_jobs"),
            region_bijstand=optional.get("region_bijstand_15_aow"),
            region_wsw=optional.get("region_wsw_employees"),
            region_wajong=optional.get("region_wajong"),
            indeling=indeling,
        )

    def subset(self, codes: Sequence[str]) -> ModelInput:
        """Return the input for ``codes`` only, in that order (regional totals carried along)."""
        index = [self.regions.index(c) for c in codes]
        return replace(
            self,
            regions=tuple(codes),
            **{f.name: getattr(self, f.name)[index] for f in fields(self) if f.name in ARRAYS},
        )


#: The per-municipality arrays of :class:`ModelInput`.
ARRAYS = tuple(
    f.name for f in fields(ModelInput) if f.name not in ("regions", "base_year", "indeling")
)


def regional_totals(frame: pd.DataFrame, region_of: pd.Series) -> pd.DataFrame:
    """Return, per municipality, the totals of ``REGION_STOCKS`` over its region.

    Parameters
    ----------
    frame : pandas.DataFrame
        Indexed by municipality, with the columns of ``REGION_STOCKS`` (missing counts as 0).
    region_of : pandas.Series
        The region code of each municipality of ``frame``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``, with the columns of ``REGION_COLUMNS``.
    """
    values = frame[list(REGION_STOCKS)].astype(float).fillna(0.0)
    key = region_of.reindex(values.index)
    if key.isna().any():
        raise ModelError(f"no arbeidsmarktregio for {', '.join(key[key.isna()].index[:5])}")
    totals = values.groupby(key).transform("sum")
    totals.columns = list(REGION_COLUMNS)
    return totals


def snapshot_input(base_year: int = BASE_YEAR, indeling: int | str | None = None) -> ModelInput:
    """Return the model input for every municipality of an indeling from the CBS snapshot.

    Each municipality carries the totals of its arbeidsmarktregio (the indeling's region table),
    summed over every municipality of the snapshot, and its effectiveness, the local calibration
    of the same indeling (:func:`~socecon.model.calibration.snapshot_calibration`, fitted on the
    declared fit years from that indeling's counts: factors are recomputed, never converted).

    Parameters
    ----------
    base_year : int
    indeling : int or str, optional
        2015 (the study's 393 municipalities) or 2025 (342, the counts converted from 2015);
        ``default_indeling`` of ``conventions.yaml`` (2025) when None.

    Returns
    -------
    ModelInput
    """
    return _snapshot_input(int(base_year), check_indeling(indeling))


@cache
def _snapshot_input(base_year: int, indeling: int) -> ModelInput:
    wide = snapshot_wide(base_year, list(STOCK_VARIABLES), indeling=indeling)
    wide = wide[wide.index.str.fullmatch(MUNICIPALITY_CODE)].sort_index()
    factors = snapshot_calibration(indeling).frame()["factor"]
    missing = wide.index.difference(factors.index)
    if len(missing):
        raise ModelError(f"no calibration for {', '.join(missing[:5])} (region table incomplete)")
    totals = regional_totals(wide, labour_market_regions(indeling))
    wide = wide.join(totals).assign(effectiveness=factors)
    return ModelInput.from_frame(wide, base_year, indeling)


# A rewritten or refreshed snapshot (socecon.data.snapshot.clear_cache) must reach the model too.
DATA_CACHE_CLEARERS.append(_snapshot_input.cache_clear)


def shift_distribution(shares: np.ndarray, shift_pp: np.ndarray) -> np.ndarray:
    """Move loonwaarde distributions up or down by ``shift_pp`` percentage points.

    A shift of ``+x`` moves a fraction ``x / 10`` of each band's people one band up (the top band
    keeps its own); ``-x`` moves them down. The total is unchanged.

    Parameters
    ----------
    shares : numpy.ndarray
        Shape ``(S, N_BANDS)``.
    shift_pp : numpy.ndarray
        Shape ``(S,)``, within [-10, 10].

    Returns
    -------
    numpy.ndarray
        Shape ``(S, N_BANDS)``.
    """
    width = 100.0 / N_BANDS
    moved_fraction = np.clip(np.abs(shift_pp) / width, 0.0, 1.0)[:, None]
    up = shift_pp >= 0
    # Where each band's moved people land: one band up (the top band keeps its own) or down.
    moved = np.empty_like(shares)
    moved[:, 1:-1] = np.where(up[:, None], shares[:, :-2], shares[:, 2:])
    moved[:, 0] = np.where(up, 0.0, shares[:, 1] + shares[:, 0])
    moved[:, -1] = np.where(up, shares[:, -2] + shares[:, -1], 0.0)
    out = np.multiply(1.0 - moved_fraction, shares, out=np.empty_like(shares))
    moved *= moved_fraction
    out += moved
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the command line into an override.

    The value is a number, or a comma-separated list of numbers for a distribution.

    Parameters
    ----------
    text : str

    Returns
    -------
    tuple of (str, float or list of float)

    Raises
    ------
    AssumptionError
        If the text is not ``key=value`` or the value is not numeric.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise AssumptionError(f"override {text!r} must look like name=value")
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        raise AssumptionError(f"override {key.strip()!r} must be numeric, got {raw!r}") from None
    return key.strip(), parts[0] if len(parts) == 1 else parts
