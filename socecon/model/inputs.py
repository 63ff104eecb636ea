"""The model's input: base-year CBS stocks per municipality, and how inputs are adjusted.

:class:`ModelInput` holds the stocks the scenario model reads (bijstand 15-AOW, Wsw employees,
Wajong, jobs), :func:`snapshot_input` builds it from the processed CBS snapshot, and
:func:`shift_distribution` moves a loonwaarde distribution up or down. :func:`parse_override`
reads an assumption override (``key=value``) from the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from socecon.data.schema import check_indeling
from socecon.data.snapshot import CACHE_CLEARERS as DATA_CACHE_CLEARERS
from socecon.data.snapshot import snapshot_wide
from socecon.definitions import BASE_YEAR, DEFAULT_INDELING
from socecon.definitions.assumptions import N_BANDS
from socecon.exceptions import AssumptionError, ModelError

#: The CBS stocks the target group is made of.
TARGET_STOCKS = ("bijstand_15_aow", "wsw_employees", "wajong")
#: Every CBS stock the model reads: the target-group stocks and the jobs (for capacities).
STOCK_VARIABLES = (*TARGET_STOCKS, "jobs")


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
    """

    regions: tuple[str, ...]
    bijstand: np.ndarray
    wsw: np.ndarray
    wajong: np.ndarray
    jobs: np.ndarray
    base_year: int = BASE_YEAR
    indeling: int = DEFAULT_INDELING

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, base_year: int = BASE_YEAR, indeling: int = DEFAULT_INDELING
    ) -> ModelInput:
        """Build from a frame indexed by region with the columns of ``STOCK_VARIABLES``.

        Missing values count as zero (CBS suppresses very small numbers).
        """
        missing = [v for v in STOCK_VARIABLES if v not in frame.columns]
        if missing:
            raise ModelError(f"model input lacks column(s) {', '.join(missing)}")
        values = frame[list(STOCK_VARIABLES)].astype(float).fillna(0.0)
        if (values < 0).any().any():
            raise ModelError("model input has negative counts")
        return cls(
            regions=tuple(str(r) for r in frame.index),
            bijstand=values["bijstand_15_aow"].to_numpy(),
            wsw=values["wsw_employees"].to_numpy(),
            wajong=values["wajong"].to_numpy(),
            jobs=values["jobs"].to_numpy(),
            base_year=base_year,
            indeling=indeling,
        )

    def subset(self, codes: Sequence[str]) -> ModelInput:
        """Return the input for ``codes`` only, in that order."""
        index = [self.regions.index(c) for c in codes]
        return ModelInput(
            regions=tuple(codes),
            bijstand=self.bijstand[index],
            wsw=self.wsw[index],
            wajong=self.wajong[index],
            jobs=self.jobs[index],
            base_year=self.base_year,
            indeling=self.indeling,
        )


def snapshot_input(base_year: int = BASE_YEAR, indeling: int | str | None = None) -> ModelInput:
    """Return the model input for every municipality of an indeling from the CBS snapshot.

    Parameters
    ----------
    base_year : int
    indeling : int or str, optional
        2015 (the study's 393 municipalities) or 2025 (342, the counts converted from 2015);
        ``default_indeling`` of ``conventions.yaml`` (2025) when None. Counts of the 2025
        indeling are read converted; anything derived from them (e.g. local factors) must be
        computed from these counts, never converted itself.

    Returns
    -------
    ModelInput
    """
    return _snapshot_input(int(base_year), check_indeling(indeling))


@cache
def _snapshot_input(base_year: int, indeling: int) -> ModelInput:
    wide = snapshot_wide(base_year, list(STOCK_VARIABLES), indeling=indeling)
    wide = wide[wide.index.str.startswith("GM")].sort_index()
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
    up = np.zeros_like(shares)
    up[:, 1:] = shares[:, :-1]
    up[:, -1] += shares[:, -1]
    down = np.zeros_like(shares)
    down[:, :-1] = shares[:, 1:]
    down[:, 0] += shares[:, 0]
    moved = np.where(shift_pp[:, None] >= 0, up, down)
    return (1.0 - moved_fraction) * shares + moved_fraction * moved


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
