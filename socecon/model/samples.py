"""The assumptions over the sample axis, and what every sum over the bands is taken of.

:class:`Values` broadcasts the resolved assumptions (:mod:`socecon.definitions.assumptions`) to a
common sample axis for :func:`socecon.model.core.compute_components`; :func:`band_inputs` makes
the arrays that are the same for every municipality (the target group per person of each
source group's stock, its growth, and the amounts per person in each loonwaarde band), so that
the model takes every sum over the bands once for all municipalities. Where the samples are
equal blocks (the wind tunnel stacks one block per set of effects), :func:`first_block` gives
the first block's assumptions, and these arrays are made for it alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from socecon.definitions.assumptions import BAND_MIDPOINTS, N_BANDS, load_assumptions
from socecon.exceptions import ModelError
from socecon.model.indicators import (
    annual_wage_cost,
    wage_cost_subsidy_per_person,
    werkbedrijf_deficit_per_person,
)
from socecon.model.inputs import shift_distribution
from socecon.model.placement import GROUPS, TARGET_SHARES


def sample_count(values: Mapping[str, np.ndarray]) -> int:
    """Return the length of the sample axis of resolved assumptions (1 without samples)."""
    sizes = {v.shape[0] for v in values.values() if v.ndim == 1 and v.shape != (N_BANDS,)}
    sizes |= {v.shape[0] for v in values.values() if v.ndim == 2}
    if len(sizes) > 1:
        raise ModelError(f"assumption samples differ in length: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


class Varies(Exception):
    """An assumption differs between the blocks of a tiled run (:func:`first_block`)."""


class Values:
    """Resolved assumptions broadcast to a common sample axis (of ``n`` samples, if given)."""

    def __init__(self, values: Mapping[str, np.ndarray], n: int | None = None):
        self.n = sample_count(values) if n is None else n
        self._values = values
        self._scalars: dict[str, np.ndarray] = {}

    def _get(self, key: str) -> np.ndarray:
        if key not in self._values:  # left out of the first block: it varies between blocks
            raise Varies(key)
        return self._values[key]

    def scalar(self, key: str) -> np.ndarray:
        """Shape (S, 1, 1): broadcasts against (S, R, K); read once per run."""
        if key not in self._scalars:
            value = np.broadcast_to(self._get(key), (self.n,)).reshape(self.n, 1, 1)
            self._scalars[key] = value
        return self._scalars[key]

    def dist(self, key: str) -> np.ndarray:
        """Shape (S, N_BANDS)."""
        return np.broadcast_to(self._get(key), (self.n, N_BANDS))


def first_block(values: Mapping[str, np.ndarray], n: int, tiles: int) -> dict[str, np.ndarray]:
    """Return the assumptions of the first of ``tiles`` equal blocks of the ``n`` samples.

    An assumption whose samples are not the same, bit for bit, in every block is left out.
    """
    if tiles < 1 or n % tiles:
        raise ModelError(f"{n} samples do not split into {tiles} equal blocks")
    m = n // tiles
    block = {}
    for key, value in values.items():
        a = np.asarray(value, dtype=float)
        if not ((a.ndim == 1 and a.shape != (N_BANDS,)) or a.ndim == 2):  # not sampled
            block[key] = value
        elif np.array_equal(
            a.reshape(tiles, m, *a.shape[1:]).view(np.uint64),
            np.broadcast_to(a[:m].view(np.uint64), (tiles, m, *a.shape[1:])),
        ):
            block[key] = a[:m]
    return block


def band_inputs(
    v: Values, years: Sequence[int], base_year: int, net_cost_only: bool
) -> tuple[np.ndarray, list[tuple[np.ndarray, ...]]]:
    """Return what every sum over the bands is taken of, the same for every municipality.

    The target group per person of each source group's stock at base-year size, ``(G, S, 1,
    B)``, and per year its growth ``(S, 1, 1)`` and the weights per band ``(S, 1, B)``: the
    loonkostensubsidie, the werkbedrijf deficit and the production value (None with
    ``net_cost_only``) per person.
    """
    series = {a.id: a for a in load_assumptions() if a.kind == "series"}
    loonwaarde = BAND_MIDPOINTS / 100.0  # (B,)
    shift = v.scalar("loonwaarde_shift")[:, 0, 0]  # (S,)
    profiles = np.stack(
        [
            v.scalar(TARGET_SHARES[name])
            * shift_distribution(np.array(v.dist(f"loonwaarde_{name}"), dtype=float), shift)[
                :, None, :
            ]
            for name in GROUPS
        ]
    )  # (G, S, 1, B), in the memory layout of the sampled distributions
    hours_factor = v.scalar("hours_per_week") / v.scalar("fulltime_hours")  # (S, 1, 1)
    per_year = []
    for year in years:
        growth = (1.0 + v.scalar("target_group_growth")) ** (year - base_year)  # (S, 1, 1)
        wml = monthly_wml(series, year, v)
        wage_cost = annual_wage_cost(
            wml, v.scalar("holiday_pay"), v.scalar("employer_charges")
        )  # (S, 1, 1)
        lks = wage_cost_subsidy_per_person(
            loonwaarde,
            wml[..., None],
            hours_factor[..., None],
            v.scalar("lks_cap")[..., None],
            v.scalar("holiday_pay")[..., None],
            v.scalar("employer_charges")[..., None],
        )  # (S, 1, 1, B)
        deficit = werkbedrijf_deficit_per_person(
            loonwaarde,
            wage_cost[..., None],
            hours_factor[..., None],
            v.scalar("werkbedrijf_revenue_ratio")[..., None],
        )  # (S, 1, 1, B)
        value = None if net_cost_only else loonwaarde * wage_cost * hours_factor  # (S, 1, B)
        per_year.append((growth, lks[:, :, 0, :], deficit[:, :, 0, :], value))
    return profiles, per_year


def monthly_wml(series: Mapping[str, Any], year: int, v: Values) -> np.ndarray:
    """Return the minimum wage per month in ``year``, ``(S, 1, 1)``."""
    return grown_series(series["wml_month"], year, v.scalar("wage_growth")) * v.scalar("wml_index")


def grown_series(series_assumption, year: int, growth: np.ndarray) -> np.ndarray:
    """Value of a series in ``year``: its sourced value, grown by ``growth`` after its last year."""
    last_year = series_assumption.last_year
    if year <= last_year:
        return np.full_like(growth, series_assumption.series_value(year), dtype=float)
    anchor = series_assumption.series_value(last_year)
    return anchor * (1.0 + growth) ** (year - last_year)
