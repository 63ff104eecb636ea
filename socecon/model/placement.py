"""Who is placed: capacities per labour-market region, take-up per scenario, rationing.

The scenario model (:mod:`socecon.model.core`) asks this module, year by year, how many people of
each source group (bijstand, Wsw, Wajong) each scenario places in each loonwaarde band:

* **capacity** (:func:`capacities`, at full implementation, shape ``(S, R, K)``): each scenario's
  places are computed from the jobs of the municipality's *arbeidsmarktregio* (people work in
  their labour-market region, not inside their own borders) and allocated to its municipalities
  by their share of the region's target group; sheltered places (social enterprises,
  werkbedrijven) by a mix of that share and the share of the region's Wsw employees
  (``sheltered_wsw_weight``: sheltered work builds on the SW companies). The quota binds the jobs
  its coverage says (the scenario's ``quota.coverage``, or the 2015 law with ``quota_law_2015``);
* **take-up** (:func:`take_up_rates`): ``min(1, take_up x factor x effectiveness ** strength)``
  with the scenario's factor (``levers.yaml`` ``take_up``: the seed's storylines drive it
  differently) and the municipality's calibrated effectiveness;
* **retention**: a scenario with ``wsw_retention`` (Publiek: the SW companies become the
  werkbedrijven) keeps ``wsw_retention_share`` of the Wsw employees in its window at work outside
  the take-up; they take werkbedrijf places first and the werkbedrijven have at least their places;
* **rationing**: where the take-up of the others exceeds the places left, everyone's placement is
  scaled down in proportion.

Placements factor as ``placed[s, r, k, b] = N[s, r, b] x window[k, b] x fill[s, r, k]`` plus, in
a scenario that keeps Wsw employees, ``N_wsw x window x wsw_extra`` (:class:`Placements`), and
each source group's target group as ``N[s, r, b] = stock[r] x profile[s, b]``
(:class:`TargetGroup`), so the band sums a year needs (people per source group, plain and
weighted per band) are taken once over the profiles, for all municipalities at once, and scaled
by each municipality's stock (:meth:`Placements.band_sums`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from socecon.definitions import Scenario
from socecon.definitions.levers import Levers
from socecon.model.inputs import ModelInput

#: The source groups of the target group, with the assumption of each group's target share.
GROUPS = ("bijstand", "wsw", "wajong")
TARGET_SHARES = {
    "bijstand": "bijstand_target_share",
    "wsw": "wsw_target_share",
    "wajong": "wajong_target_share",
}
QUOTA_COVERAGE = {"all_firms": None, "employers_25_plus": "quota_covered_share"}


def _key(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Return ``part / whole`` where ``whole > 0``, else 0."""
    out = np.zeros(np.broadcast_shapes(part.shape, whole.shape))
    np.divide(part, whole, out=out, where=whole > 0)
    return out


def allocation_keys(inp: ModelInput, v: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return each municipality's share of its region, for regular and sheltered places.

    Parameters
    ----------
    inp : ModelInput
    v : socecon.model.core._Values
        The resolved assumptions (``v.scalar(id)`` has shape ``(S, 1, 1)``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Shape ``(S, R, 1)`` each: the share of the region's target group, and the sheltered key
        ``(1 - w) x that share + w x the share of the region's Wsw employees`` (where the region
        has no Wsw employees, the target-group share).
    """
    own = sum(v.scalar(TARGET_SHARES[g]) * getattr(inp, g)[None, :, None] for g in GROUPS)
    region = sum(
        v.scalar(TARGET_SHARES[g]) * getattr(inp, f"region_{g}")[None, :, None] for g in GROUPS
    )
    target_key = _key(own, region)
    wsw_key = np.where(inp.region_wsw > 0, _key(inp.wsw, inp.region_wsw), 0.0)[None, :, None]
    weight = np.where(inp.region_wsw[None, :, None] > 0, v.scalar("sheltered_wsw_weight"), 0.0)
    return target_key, (1.0 - weight) * target_key + weight * wsw_key


def quota_coverage(scenario: Scenario, v: Any) -> np.ndarray:
    """Return the share of jobs a scenario's quota binds, shape ``(S, 1, 1)``.

    The scenario's own coverage (``all_firms``: 1; ``employers_25_plus``: ``quota_covered_share``),
    mixed with the 2015 law's by ``quota_law_2015`` (0 = the scenario, 1 = the law).
    """
    rule = QUOTA_COVERAGE[scenario.quota.coverage] if scenario.quota is not None else None
    own = v.scalar(rule) if rule else np.ones_like(v.scalar("quota_share"))
    law = v.scalar("quota_law_2015")
    return (1.0 - law) * own + law * v.scalar("quota_covered_share")


def capacities(
    inp: ModelInput, scenarios: Sequence[Scenario], levers: Sequence[Levers], v: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Return each scenario's places and the quota's required jobs at full implementation.

    Parameters
    ----------
    inp : ModelInput
    scenarios : sequence of Scenario
    levers : sequence of Levers
        The levers of each scenario, in the same order.
    v : socecon.model.core._Values

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Shape ``(S, R, K)`` each: places (infinite for the baseline, which is observed) and the
        jobs the quota requires (0 where there is no quota), both for the municipality's share of
        its region.
    """
    target_key, sheltered_key = allocation_keys(inp, v)
    region_jobs = inp.region_jobs[None, :, None]
    capacity, required = [], []
    for scenario, lv in zip(scenarios, levers, strict=True):
        quota_jobs = (
            v.scalar("quota_share") * quota_coverage(scenario, v) * region_jobs * target_key
        )
        rules = {
            "observed": lambda: np.full_like(target_key * v.scalar("take_up"), np.inf),
            "social_enterprise": lambda: (
                v.scalar("se_places_per_1000_jobs") * region_jobs / 1000.0 * sheltered_key
            ),
            "quota": lambda q=quota_jobs: q * v.scalar("quota_fill_rate"),
            "pps": lambda: v.scalar("pps_places_per_1000_jobs") * region_jobs / 1000.0 * target_key,
            "werkbedrijf": lambda: (
                v.scalar("public_employment_share")
                * v.scalar("werkbedrijf_target_share")
                * region_jobs
                * sheltered_key
            ),
        }
        capacity.append(rules[lv.capacity]())
        required.append(quota_jobs if scenario.quota is not None else np.zeros_like(quota_jobs))
    return np.concatenate(capacity, axis=2), np.concatenate(required, axis=2)


def take_up_rates(inp: ModelInput, levers: Sequence[Levers], v: Any) -> np.ndarray:
    """Return the take-up of each scenario in each municipality, shape ``(S, R, K)``.

    ``min(1, take_up x factor x effectiveness ** calibration_strength)``; the baseline's column
    (``take_up: observed``) holds the plain ``take_up`` (it places by observed rates instead).
    """
    local = inp.effectiveness[None, :, None] ** v.scalar("calibration_strength")  # (S, R, 1)
    factors = np.concatenate(
        [
            np.ones_like(v.scalar("take_up")) if lv.take_up == "observed" else v.scalar(lv.take_up)
            for lv in levers
        ],
        axis=2,
    )  # (S, 1, K)
    return np.minimum(v.scalar("take_up") * factors * local, 1.0)


def baseline_rates(inp: ModelInput, v: Any) -> dict[str, np.ndarray]:
    """Return the observed work rate of each group in the base year, shape ``(S, R, 1)``.

    The bijstand rate follows the local effectiveness (the calibration measures outflow from
    bijstand to work); Wsw employees all work, and Wajong is UWV's, not the municipality's.
    """
    local = inp.effectiveness[None, :, None] ** v.scalar("calibration_strength")
    bijstand = np.minimum(v.scalar("baseline_work_rate_bijstand") * local, 1.0)
    return {
        "bijstand": bijstand,
        "wsw": np.broadcast_to(v.scalar("baseline_work_rate_wsw"), bijstand.shape),
        "wajong": np.broadcast_to(v.scalar("baseline_work_rate_wajong"), bijstand.shape),
    }


@dataclass(frozen=True)
class TargetGroup:
    """One year's target group per source group: a profile over the bands times a stock.

    ``people[s, r, b] = stocks[g][r] x profiles[g][s, ., b]`` for each source group ``g``. In the
    model a profile is the target group per person of the group's base-year stock, ``(S, 1, B)``:
    the same for every municipality, so each sum over the bands is taken once for all of them and
    then scaled by each municipality's stock. Every operation across bands or samples thus runs
    on arrays that do not depend on which municipalities are computed together, and a
    municipality's results are the same bit for bit in any company. Without stocks, the profiles
    are the people themselves, ``(S, R, B)``.

    Attributes
    ----------
    profiles : Mapping[str, numpy.ndarray]
        Per source group, ``(S, 1, B)`` (with ``stocks``) or ``(S, R, B)``.
    stocks : Mapping[str, numpy.ndarray] or None
        Per source group, ``(R,)``; None: every stock is 1.
    """

    profiles: Mapping[str, np.ndarray]
    stocks: Mapping[str, np.ndarray] | None = None

    def people(self, group: str) -> np.ndarray:
        """Return one source group's target group per band, ``(S, R, B)``."""
        if self.stocks is None:
            return self.profiles[group]
        return self.stocks[group][None, :, None] * self.profiles[group]

    def sums(
        self, window: np.ndarray, pairs: Sequence[tuple[np.ndarray | None, str]]
    ) -> Iterator[np.ndarray]:
        """Yield the sums over the bands of ``people x weight`` in each window, pair by pair.

        Each pair's weighted profile is summed over the bands of each window (the same arrays,
        whichever municipalities are computed together; consecutive pairs with the same weight
        at once), then scaled by its group's stocks (an elementwise product per municipality).

        Parameters
        ----------
        window : numpy.ndarray
            ``(K, B)``: 1 for each band a sum includes (e.g. a scenario's productivity window).
        pairs : sequence of (numpy.ndarray or None, str)
            Per sum, the weight per band (broadcasting to a profile's shape, e.g. ``(S, 1, B)``;
            None: 1) and the source group.

        Yields
        ------
        numpy.ndarray
            ``(S, R, K)`` per pair, a new array.
        """
        for _, same in itertools.groupby(pairs, key=lambda pair: id(pair[0])):
            same_weight = list(same)
            weight, groups = same_weight[0][0], [g for _, g in same_weight]
            stacked = np.stack([self.profiles[g] for g in groups])
            if weight is not None:
                stacked *= weight
            # einsum, not matmul: no BLAS threads, and no other path for a single row
            sums = np.einsum("...b,kb->...k", stacked, window)
            for part, group in zip(sums, groups, strict=True):
                yield part if self.stocks is None else self.stocks[group][None, :, None] * part

    def total(self, window: np.ndarray, groups: Sequence[str] = GROUPS) -> np.ndarray:
        """Return the people of ``groups`` in each window, ``(S, R, K)``."""
        total, *rest = self.sums(window, [(None, g) for g in groups])
        for part in rest:
            total += part
        return total


@dataclass(frozen=True)
class Placements:
    """Who is placed in one year, factored per source group.

    Every group's people in a scenario's window are placed at the rate ``fill``; the Wsw
    employees a scenario keeps add ``wsw_extra`` (``retention x (1 - fill)``, zero elsewhere); the
    baseline places every band at the observed rates.

    Attributes
    ----------
    target : TargetGroup
        The target group per source group.
    window : numpy.ndarray
        ``(K, B)``: 1 where a scenario places in a band.
    fill : numpy.ndarray
        ``(S, R, K)``: the share of the people in the window that is placed.
    wsw_extra : numpy.ndarray
        ``(S, R, K)``: the Wsw employees' extra share (kept at work outside the take-up).
    retained : tuple of int
        The scenarios with a nonzero ``wsw_extra``.
    rates : Mapping[str, numpy.ndarray]
        The baseline's observed work rate per group, ``(S, R, 1)``.
    base_k : int or None
        The baseline's scenario index; None where the baseline is not computed.
    """

    target: TargetGroup
    window: np.ndarray
    fill: np.ndarray
    wsw_extra: np.ndarray
    retained: tuple[int, ...]
    rates: Mapping[str, np.ndarray]
    base_k: int | None

    def band_sums(self, terms: Sequence[tuple[np.ndarray | None, Sequence[str]]]) -> np.ndarray:
        """Return several band sums of placed x weight at once, shape ``(N, S, R, K)``.

        Each group's people are summed over the bands of every window (and over all bands, for
        the baseline if computed) once per term, in one stack (:meth:`TargetGroup.sums`), then
        placed at the fill rate.

        Parameters
        ----------
        terms : sequence of (numpy.ndarray or None, sequence of str)
            Per term, the weight per band (broadcasting against ``(S, R, B)``, e.g. ``(S, 1,
            B)``; None: 1) and the source groups to include (e.g. ``GROUPS`` or ``("wsw",)``).

        Returns
        -------
        numpy.ndarray
            Row ``n`` is the sum over bands of term ``n``'s weighted placements.
        """
        k = self.window.shape[0]
        windows = self.window
        if self.base_k is not None:  # and every band, for the baseline
            windows = np.vstack([self.window, np.ones(self.window.shape[1])])
        parts = self.target.sums(windows, [(w, g) for w, groups in terms for g in groups])
        total = np.empty((len(terms), *self.fill.shape))
        for row, (_, groups) in zip(total, terms, strict=True):
            # (S, R, K) per group; (S, R, K + 1) with the baseline's sum over every band
            own = [next(parts) for _ in groups]
            np.multiply(sum(own[1:], start=own[0])[..., :k], self.fill, out=row)
            if "wsw" in groups and self.retained:
                row += own[list(groups).index("wsw")][..., :k] * self.wsw_extra
            if self.base_k is not None:
                # The baseline places by observed rates: everybody in every band at the group's
                # rate.
                row[..., self.base_k] = sum(
                    part[..., k] * self.rates[g][..., 0]
                    for g, part in zip(groups, own, strict=True)
                )
        return total

    def placed(self) -> np.ndarray:
        """Return the placements per band, shape ``(S, R, K, B)``."""
        people = {g: self.target.people(g) for g in GROUPS}
        total = people["bijstand"] + people["wsw"] + people["wajong"]
        placed = total[:, :, None, :] * self.window[None, None] * self.fill[..., None]
        for k in self.retained:
            placed[:, :, k, :] += people["wsw"] * self.window[k] * self.wsw_extra[:, :, k, None]
        if self.base_k is not None:
            placed[:, :, self.base_k, :] = sum(people[g] * self.rates[g] for g in GROUPS)
        return placed


def place(
    groups: Mapping[str, np.ndarray],
    window: np.ndarray,
    capacity: np.ndarray,
    take_up: np.ndarray,
    base_rates: Mapping[str, np.ndarray],
    retention: np.ndarray,
    base_k: int | None,
    stocks: Mapping[str, np.ndarray] | None = None,
) -> Placements:
    """Place the target group of one year.

    Parameters
    ----------
    groups : mapping of str to numpy.ndarray
        The target group per source group, ``(S, R, B)``; with ``stocks``, per person of each
        group's stock, ``(S, 1, B)`` (:class:`TargetGroup`).
    window : numpy.ndarray
        ``(K, B)``.
    capacity : numpy.ndarray
        Places per scenario, ``(S, R, K)``.
    take_up : numpy.ndarray
        ``(S, R, K)`` (:func:`take_up_rates`).
    base_rates : mapping of str to numpy.ndarray
        The baseline's work rate per group, ``(S, R, 1)`` (:func:`baseline_rates`).
    retention : numpy.ndarray
        ``(S, 1, K)``: the share of Wsw employees in the window each scenario keeps at work outside
        the take-up (0 where it keeps none).
    base_k : int or None
        The baseline's index among the scenarios; None where it is not computed.
    stocks : mapping of str to numpy.ndarray, optional
        Each source group's stock per municipality, ``(R,)``.

    Returns
    -------
    Placements
    """
    target = TargetGroup(groups, stocks)
    in_window = dict(zip(GROUPS, target.sums(window, [(None, g) for g in GROUPS]), strict=True))
    retained = in_window["wsw"] * retention
    # The werkbedrijven have at least the places of the Wsw employees they keep.
    capacity = np.where(retention > 0, np.maximum(capacity, retained), capacity)
    left = np.maximum(capacity - retained, 0.0)
    demand = in_window["bijstand"] + in_window["wajong"] + in_window["wsw"] * (1.0 - retention)
    demand = demand * take_up
    ration = np.ones_like(demand)
    np.divide(left, demand, out=ration, where=demand > left)
    fill = take_up * ration
    retained_k = tuple(int(k) for k in np.flatnonzero(np.any(retention > 0, axis=(0, 1))))
    return Placements(
        target=target,
        window=window,
        fill=fill,
        wsw_extra=retention * (1.0 - fill),
        retained=retained_k,
        rates=base_rates,
        base_k=base_k,
    )
