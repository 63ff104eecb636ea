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

from collections.abc import Mapping, Sequence
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
#: The capacities of sheltered places (allocated by the sheltered key, :func:`allocation_keys`).
SHELTERED_CAPACITIES = ("social_enterprise", "werkbedrijf")


def _key(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Return ``part / whole`` where ``whole > 0``, else 0."""
    out = np.zeros(np.broadcast_shapes(part.shape, whole.shape))
    np.divide(part, whole, out=out, where=whole > 0)
    return out


def allocation_keys(
    inp: ModelInput, v: Any, sheltered: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return each municipality's share of its region, for regular and sheltered places.

    Parameters
    ----------
    inp : ModelInput
    v : socecon.model.samples.Values
        The resolved assumptions (``v.scalar(id)`` has shape ``(S, 1, 1)``).
    sheltered : bool, optional
        False: leave the sheltered key out (None), for scenarios without sheltered places.

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
    if not sheltered:
        return target_key, None
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
    v : socecon.model.samples.Values

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Shape ``(S, R, K)`` each: places (infinite for the baseline, which is observed) and the
        jobs the quota requires (0 where there is no quota), both for the municipality's share of
        its region.
    """
    sheltered = any(lv.capacity in SHELTERED_CAPACITIES for lv in levers)
    target_key, sheltered_key = allocation_keys(inp, v, sheltered)
    region_jobs = inp.region_jobs[None, :, None]
    capacity, required = [], []
    for scenario, lv in zip(scenarios, levers, strict=True):
        quota_jobs = None
        if scenario.quota is not None or lv.capacity == "quota":
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
        required.append(quota_jobs if scenario.quota is not None else np.zeros(target_key.shape))
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

    ``people[s, r, b] = stocks[g, r] x profiles[g, s, ., b]`` for each source group ``g`` (in the
    order of :data:`GROUPS`). In the model a profile is the target group per person of the
    group's base-year stock, ``(S, 1, B)``: the same for every municipality, so each sum over the
    bands is taken once for all of them (:meth:`profile_sums`) and then scaled by each
    municipality's stock (:meth:`scaled`). Every operation across bands or samples thus runs on
    arrays that do not depend on which municipalities are computed together, and a
    municipality's results are the same bit for bit in any company. Without stocks, the profiles
    are the people themselves, ``(S, R, B)``.

    Attributes
    ----------
    profiles : numpy.ndarray
        ``(G, S, 1, B)`` (with ``stocks``) or ``(G, S, R, B)``: one row per source group.
    stocks : numpy.ndarray or None
        ``(G, R)``: each source group's stock per municipality; None: every stock is 1.
    tiles : int
        The samples are this many copies of the profiles' ``S`` rows (and so is every weight
        given to :meth:`profile_sums`): each sum is taken once and repeated.
    """

    profiles: np.ndarray
    stocks: np.ndarray | None = None
    tiles: int = 1

    @classmethod
    def of(
        cls,
        groups: Mapping[str, np.ndarray] | np.ndarray,
        stocks: Mapping[str, np.ndarray] | np.ndarray | None = None,
        tiles: int = 1,
    ) -> TargetGroup:
        """Return the target group of per-group profiles and stocks (mappings or stacked)."""

        def stacked(arrays: Mapping[str, np.ndarray] | np.ndarray) -> np.ndarray:
            if isinstance(arrays, np.ndarray):
                return arrays
            return np.stack([np.asarray(arrays[g], dtype=float) for g in GROUPS])

        return cls(stacked(groups), None if stocks is None else stacked(stocks), tiles)

    def people(self, group: str) -> np.ndarray:
        """Return one source group's target group per band, ``(S, R, B)``."""
        g = GROUPS.index(group)
        profile = self.profiles[g]
        if self.tiles > 1:
            profile = np.concatenate([profile] * self.tiles)
        if self.stocks is None:
            return profile
        return self.stocks[g][None, :, None] * profile

    def profile_sums(self, windows: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Return the sums over the bands of each profile x weight in each window.

        Parameters
        ----------
        windows : numpy.ndarray
            ``(K, B)``: 1 for each band a sum includes (e.g. a scenario's productivity window).
        weight : numpy.ndarray, optional
            Per band, broadcasting to a profile's shape (e.g. ``(S, 1, B)``); None: 1.

        Returns
        -------
        numpy.ndarray
            ``(G, S, 1, K)`` (or ``(G, S, R, K)`` without stocks): not yet scaled by the stocks;
            the samples repeated ``tiles`` times.
        """
        weighted = self.profiles
        if weight is not None:  # in the profiles' memory layout (the sums' order depends on it)
            weighted = np.multiply(self.profiles, weight, out=np.empty_like(self.profiles))
        # einsum, not matmul: no BLAS threads, and no other path for a single row
        sums = np.einsum("...b,kb->...k", weighted, windows)
        return sums if self.tiles == 1 else np.concatenate([sums] * self.tiles, axis=1)

    def scaled(self, sums: np.ndarray, group: str) -> np.ndarray:
        """Return one group's row of :meth:`profile_sums` times its stocks, ``(S, R, K)``."""
        g = GROUPS.index(group)
        return sums[g] if self.stocks is None else self.stocks[g][None, :, None] * sums[g]

    def total(self, window: np.ndarray, groups: Sequence[str] = GROUPS) -> np.ndarray:
        """Return the people of ``groups`` in each window, ``(S, R, K)``, a new array."""
        sums = self.profile_sums(window)
        total = np.array(self.scaled(sums, groups[0]))
        for group in groups[1:]:
            total += self.scaled(sums, group)
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
    in_window : Mapping[str, numpy.ndarray]
        Per source group, its people in each scenario's window, ``(S, R, K)``.
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
    in_window: Mapping[str, np.ndarray]
    fill: np.ndarray
    wsw_extra: np.ndarray
    retained: tuple[int, ...]
    rates: Mapping[str, np.ndarray]
    base_k: int | None

    def band_sums(self, terms: Sequence[tuple[np.ndarray | None, Sequence[str]]]) -> np.ndarray:
        """Return several band sums of placed x weight at once, shape ``(N, S, R, K)``.

        Each distinct weight's profiles are summed over the bands of every window (and over all
        bands, for the baseline if computed) once (:meth:`TargetGroup.profile_sums`), scaled by
        the stocks of each term's groups and placed at the fill rate.

        Parameters
        ----------
        terms : sequence of (numpy.ndarray or None, sequence of str)
            Per term, the weight per band (broadcasting against ``(S, 1, B)``; None: 1) and the
            source groups to include (e.g. ``GROUPS`` or ``("wsw",)``).

        Returns
        -------
        numpy.ndarray
            Row ``n`` is the sum over bands of term ``n``'s weighted placements.
        """
        k = self.window.shape[0]
        windows = self.window
        if self.base_k is not None:  # and every band, for the baseline
            windows = np.vstack([self.window, np.ones(self.window.shape[1])])
        sums: dict[int, np.ndarray] = {}
        total = np.empty((len(terms), *self.fill.shape))
        for row, (weight, groups) in zip(total, terms, strict=True):
            if id(weight) not in sums:
                sums[id(weight)] = self.target.profile_sums(windows, weight)
            found = sums[id(weight)]
            # (S, R, K) per group: the people in the window (unweighted: known from place())
            if weight is None:
                inside = [self.in_window[g] for g in groups]
            else:
                inside = [self.target.scaled(found[..., :k], g) for g in groups]
            np.multiply(sum(inside[1:], start=inside[0]), self.fill, out=row)
            if "wsw" in groups and self.retained:
                row += inside[list(groups).index("wsw")] * self.wsw_extra
            if self.base_k is not None:
                # The baseline places by observed rates: everybody in every band at the group's
                # rate.
                every = found[..., k : k + 1]
                row[..., self.base_k] = sum(
                    self.target.scaled(every, g)[..., 0] * self.rates[g][..., 0] for g in groups
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
    groups: Mapping[str, np.ndarray] | np.ndarray,
    window: np.ndarray,
    capacity: np.ndarray,
    take_up: np.ndarray,
    base_rates: Mapping[str, np.ndarray],
    retention: np.ndarray,
    base_k: int | None,
    stocks: Mapping[str, np.ndarray] | np.ndarray | None = None,
    tiles: int = 1,
) -> Placements:
    """Place the target group of one year.

    Parameters
    ----------
    groups : mapping of str to numpy.ndarray, or numpy.ndarray
        The target group per source group, ``(S, R, B)``; with ``stocks``, per person of each
        group's stock, ``(S, 1, B)`` (:class:`TargetGroup`); or these stacked in the order of
        :data:`GROUPS`.
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
    stocks : mapping of str to numpy.ndarray, or numpy.ndarray, optional
        Each source group's stock per municipality, ``(R,)`` (or stacked, ``(G, R)``).
    tiles : int, optional
        The samples are this many copies of the profiles' rows (:class:`TargetGroup`).

    Returns
    -------
    Placements
    """
    target = TargetGroup.of(groups, stocks, tiles)
    sums = target.profile_sums(window)
    in_window = {g: target.scaled(sums, g) for g in GROUPS}
    retained_k = tuple(int(k) for k in np.flatnonzero(np.any(retention > 0, axis=(0, 1))))
    demand = in_window["bijstand"] + in_window["wajong"]
    if retained_k:
        retained = in_window["wsw"] * retention
        # The werkbedrijven have at least the places of the Wsw employees they keep.
        capacity = np.where(retention > 0, np.maximum(capacity, retained), capacity)
        left = capacity - retained
        demand += in_window["wsw"] * (1.0 - retention)
    else:  # the same numbers: nobody is retained (x - 0 = x and x * (1 - 0) = x)
        left = np.array(capacity, dtype=float)
        demand += in_window["wsw"]
    np.maximum(left, 0.0, out=left)
    demand *= take_up
    fill = np.ones_like(take_up)  # the take-up's memory layout: sums over the bands depend on it
    np.divide(left, demand, out=fill, where=demand > left)
    fill *= take_up  # the take-up, rationed
    return Placements(
        target=target,
        window=window,
        in_window=in_window,
        fill=fill,
        wsw_extra=retention * (1.0 - fill) if retained_k else np.zeros_like(fill),
        retained=retained_k,
        rates=base_rates,
        base_k=base_k,
    )
