"""The scenario model: indicators per region, scenario, productivity band and year.

One vectorised pass computes additive :class:`~.indicators.Components` for every region x
scenario x band (and, optionally, a leading axis of assumption samples), year by year; groups of
municipalities are sums of their members; the indicator functions turn components into figures.

How a scenario works (see ``definitions/levers.yaml`` and ``assumptions.yaml``):

* target group ``N[r, b]``: CBS stocks of the base year (bijstand 15-AOW, Wsw employees, Wajong)
  times the share of each group with reduced productivity, spread over ten loonwaarde bands;
* placements: in the scenario's productivity window, ``N x take_up``, scaled down proportionally
  where that exceeds the scenario's capacity (quota jobs, social-enterprise places, PPS contracts,
  werkbedrijf places); the baseline uses observed work rates per group;
* costs per placement by the scenario's instruments: the legal loonkostensubsidie, Wsw, keurmerk
  or werkbedrijf subsidies, guidance, overhead; savings on bijstand for people placed from it;
* the path from the base year to the horizon phases each scenario in linearly: in year ``t`` a
  share ``(t - base) / (horizon - base)`` of every additive component follows the scenario, the
  rest the baseline, all at year-``t`` prices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from socecon.definitions import BASE_YEAR, DEFAULT_HORIZON, MAX_HORIZON, Scenario, load_definitions
from socecon.definitions.assumptions import BAND_LABELS, BAND_MIDPOINTS, N_BANDS, load_assumptions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.levers import load_levers
from socecon.exceptions import ModelError
from socecon.model.indicators import (
    BANENAFSPRAAK_HOURS,
    Components,
    annual_wage_cost,
    benefit_saving_per_person,
    registry,
    wage_cost_subsidy_per_person,
    werkbedrijf_deficit_per_person,
)
from socecon.model.inputs import ModelInput, shift_distribution, snapshot_input
from socecon.regions import group_members, resolve


def _window(scenario: Scenario) -> np.ndarray:
    if scenario.productivity is None:
        return np.ones(N_BANDS)
    return np.array([scenario.productivity.contains(m) for m in BAND_MIDPOINTS], dtype=float)


def _samples(values: Mapping[str, np.ndarray]) -> int:
    sizes = {v.shape[0] for v in values.values() if v.ndim == 1 and v.shape != (N_BANDS,)}
    sizes |= {v.shape[0] for v in values.values() if v.ndim == 2}
    if len(sizes) > 1:
        raise ModelError(f"assumption samples differ in length: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


class _Values:
    """Resolved assumptions broadcast to a common sample axis."""

    def __init__(self, values: Mapping[str, np.ndarray]):
        self.n = _samples(values)
        self._values = values

    def scalar(self, key: str) -> np.ndarray:
        """Shape (S, 1, 1): broadcasts against (S, R, K)."""
        return np.broadcast_to(self._values[key], (self.n,)).reshape(self.n, 1, 1)

    def dist(self, key: str) -> np.ndarray:
        """Shape (S, N_BANDS)."""
        return np.broadcast_to(self._values[key], (self.n, N_BANDS))


def compute_components(
    inp: ModelInput,
    scenarios: Sequence[Scenario],
    years: Sequence[int],
    horizon: int,
    values: Mapping[str, np.ndarray],
) -> Components:
    """Compute the additive components for every year, sample, region, scenario and band.

    Parameters
    ----------
    inp : ModelInput
        Base-year stocks per municipality.
    scenarios : sequence of Scenario
        Must include the baseline (the starting point of every path).
    years : sequence of int
        Years to compute, each in ``[base_year, horizon]``.
    horizon : int
        Year in which the scenarios are fully in place.
    values : mapping
        Resolved assumptions (:meth:`socecon.definitions.assumptions.Assumptions.resolve`).

    Returns
    -------
    Components
        Arrays of shape ``(T, S, R, K)``; ``target_group`` and ``placed`` ``(T, S, R, K, B)``.
    """
    v = _Values(values)
    series = {a.id: a for a in load_assumptions() if a.kind == "series"}
    levers = load_levers()
    lev = [levers[s.id] for s in scenarios]
    base_k = next((k for k, s in enumerate(scenarios) if s.is_baseline), None)
    if base_k is None:
        raise ModelError("the scenarios passed to the model must include the baseline")
    window = np.stack([_window(s) for s in scenarios])  # (K, B)
    loonwaarde = BAND_MIDPOINTS / 100.0  # (B,)

    # Target group per source group, shape (S, R, 1, B), at base-year size.
    shift = np.broadcast_to(values["loonwaarde_shift"], (v.n,))
    groups = {}
    for name, stock, share, dist in (
        ("bijstand", inp.bijstand, "bijstand_target_share", "loonwaarde_bijstand"),
        ("wsw", inp.wsw, "wsw_target_share", "loonwaarde_wsw"),
        ("wajong", inp.wajong, "wajong_target_share", "loonwaarde_wajong"),
    ):
        f = shift_distribution(np.array(v.dist(dist), dtype=float), shift)  # (S, B)
        groups[name] = stock[None, :, None, None] * v.scalar(share)[..., None] * f[:, None, None, :]
    rates = {
        "bijstand": v.scalar("baseline_work_rate_bijstand")[..., None],
        "wsw": v.scalar("baseline_work_rate_wsw")[..., None],
        "wajong": v.scalar("baseline_work_rate_wajong")[..., None],
    }

    # Capacity at full implementation, shape (S, R, K).
    jobs = inp.jobs[None, :, None]
    capacity_rules = {
        "observed": np.full_like(jobs, np.inf) * v.scalar("take_up"),
        "social_enterprise": v.scalar("se_places_per_1000_jobs") * jobs / 1000.0,
        "quota": v.scalar("quota_share")
        * v.scalar("quota_covered_share")
        * jobs
        * v.scalar("quota_fill_rate"),
        "pps": v.scalar("pps_places_per_1000_jobs") * jobs / 1000.0,
        "werkbedrijf": v.scalar("public_employment_share")
        * v.scalar("werkbedrijf_target_share")
        * jobs,
    }
    capacity = np.concatenate([capacity_rules[lv.capacity] for lv in lev], axis=2)
    quota_required = np.concatenate(
        [
            (v.scalar("quota_share") * v.scalar("quota_covered_share") * jobs)
            if s.quota is not None
            else np.zeros_like(jobs * v.scalar("quota_share"))
            for s in scenarios
        ],
        axis=2,
    )
    is_quota = np.array([s.quota is not None for s in scenarios])
    wage_subsidy_flag = np.array([lv.wage_cost_subsidy for lv in lev], dtype=float)
    guidance_cost = np.concatenate(
        [v.scalar(f"guidance_cost_{lv.guidance}") for lv in lev], axis=2
    )  # (S, 1, K)
    overhead_keys = {
        "none": None,
        "pps_department": "pps_overhead_per_place",
        "werkbedrijf_management": "werkbedrijf_management_per_place",
    }
    overhead_cost = np.concatenate(
        [
            v.scalar(overhead_keys[lv.overhead])
            if overhead_keys[lv.overhead]
            else np.zeros((v.n, 1, 1))
            for lv in lev
        ],
        axis=2,
    )
    regular_flag = np.array([lv.regular_work is True for lv in lev], dtype=float)
    hours_factor = v.scalar("hours_per_week") / v.scalar("fulltime_hours")  # (S, 1, 1)
    base_year = inp.base_year

    out: dict[str, list[np.ndarray]] = {name: [] for name in Components.names()}
    for year in years:
        growth = (1.0 + v.scalar("target_group_growth")) ** (year - base_year)  # (S, 1, 1)
        g = {name: arr * growth[..., None] for name, arr in groups.items()}  # (S, R, 1, B)
        n_total = g["bijstand"] + g["wsw"] + g["wajong"]
        wml = _grown(series["wml_month"], year, v.scalar("wage_growth")) * v.scalar("wml_index")
        norm = _grown(series["bijstand_norm_month"], year, v.scalar("wage_growth"))
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
        saving = benefit_saving_per_person(
            norm,
            wml,
            hours_factor,
            v.scalar("net_to_gross_wml"),
            v.scalar("benefit_per_person_factor"),
        )  # (S, 1, 1)
        deficit = werkbedrijf_deficit_per_person(
            loonwaarde,
            wage_cost[..., None],
            hours_factor[..., None],
            v.scalar("werkbedrijf_revenue_ratio")[..., None],
        )  # (S, 1, 1, B)

        # Full implementation of each scenario. Placements factor as
        # placed[s, r, k, b] = N[s, r, b] x window[k, b] x fill[s, r, k] with fill = take-up x
        # rationing, so every band sum is a (S, R, B) @ (B, K) product and only ``placed``
        # itself needs the full (S, R, K, B) array.
        n_flat = n_total[:, :, 0, :]  # (S, R, B)
        window_t = window.T  # (B, K)
        take_up = v.scalar("take_up")  # (S, 1, 1)
        in_window = n_flat @ window_t  # (S, R, K)
        demand = in_window * take_up
        ration = np.ones_like(demand)
        np.divide(capacity, demand, out=ration, where=demand > capacity)
        fill = take_up * ration  # (S, R, K)
        placed = n_flat[:, :, None, :] * window[None, None, :, :]
        placed *= fill[..., None]
        # The baseline: observed work rates per group, in every band.
        base_g = {name: (g[name] * rates[name])[:, :, 0, :] for name in g}  # (S, R, B)
        placed[:, :, base_k, :] = base_g["bijstand"] + base_g["wsw"] + base_g["wajong"]

        band_sum = partial(_band_sum, window_t=window_t, fill=fill, base_k=base_k)

        placed_total = band_sum(n_flat, placed[:, :, base_k, :])
        placed_bijstand = band_sum(g["bijstand"][:, :, 0, :], base_g["bijstand"])
        lks_b = lks[:, :, 0, :]  # (S, 1, B)

        wcs = band_sum(n_flat * lks_b, placed[:, :, base_k, :] * lks_b) * wage_subsidy_flag
        # Baseline: only people from the bijstand get loonkostensubsidie from the municipality;
        # Wsw has its own subsidy and working Wajongers are UWV's.
        wcs[:, :, base_k] = (base_g["bijstand"] * lks_b).sum(-1)
        operating = np.zeros_like(placed_total)
        for k, lv in enumerate(lev):
            if lv.operating_subsidy == "wsw":
                operating[:, :, k] = (
                    base_g["wsw"]
                    if k == base_k
                    else g["wsw"][:, :, 0, :] * window[k] * fill[:, :, k, None]
                ).sum(-1) * v.scalar("wsw_cost_per_employee")[:, :, 0]
            elif lv.operating_subsidy == "se_place":
                operating[:, :, k] = placed_total[:, :, k] * v.scalar("se_place_subsidy")[:, :, 0]
            elif lv.operating_subsidy == "werkbedrijf_deficit":
                operating[:, :, k] = (placed[:, :, k, :] * deficit[:, :, 0, :]).sum(-1)
        guidance = placed_total * guidance_cost
        guidance[:, :, base_k] = placed_bijstand[:, :, base_k] * guidance_cost[:, :, base_k]
        overhead = placed_total * overhead_cost
        savings = placed_bijstand * saving
        value_b = loonwaarde * wage_cost * hours_factor  # (S, 1, B)
        production = band_sum(n_flat * value_b, placed[:, :, base_k, :] * value_b)
        regular = placed_total * regular_flag
        regular[:, :, base_k] = (
            base_g["bijstand"].sum(-1)
            + base_g["wajong"].sum(-1)
            + base_g["wsw"].sum(-1) * v.scalar("wsw_regular_share")[:, :, 0]
        )
        levy = (
            np.clip(quota_required - placed_total, 0.0, None)
            * v.scalar("quota_levy_per_job")
            * is_quota
        )
        full = {
            "target_group": np.broadcast_to(n_total, placed.shape),
            "placed": placed,
            "placed_bijstand": placed_bijstand,
            "placed_regular": regular,
            "wage_cost_subsidy": wcs,
            "operating_subsidy": operating,
            "guidance_cost": guidance,
            "overhead_cost": overhead,
            "benefit_savings": savings,
            "production_value": production,
            "social_value": placed_total * v.scalar("social_value_per_placed"),
            "banenafspraak_jobs": placed_total * v.scalar("hours_per_week") / BANENAFSPRAAK_HOURS,
            "quota_required": quota_required,
            "quota_levy": levy,
        }
        phase = 1.0 if horizon == base_year else (year - base_year) / (horizon - base_year)
        for name, arr in full.items():
            arr = np.asarray(arr, dtype=float)
            if phase == 1.0:  # the scenario in full: the blend below would return ``arr``
                out[name].append(arr)
                continue
            base = arr[:, :, base_k : base_k + 1]
            out[name].append((1.0 - phase) * base + phase * arr)
    # One year (the wind tunnel, the uncertainty analysis): views instead of copies (the
    # target group stays a read-only broadcast over the scenarios).
    return Components(
        **{name: arrs[0][None] if len(arrs) == 1 else np.stack(arrs) for name, arrs in out.items()}
    )


def _band_sum(
    weighted: np.ndarray,
    base_weighted: np.ndarray,
    window_t: np.ndarray,
    fill: np.ndarray,
    base_k: int,
) -> np.ndarray:
    """Sum placed x weight over the bands, shape (S, R, K).

    For the scenarios, ``placed = N x window x fill``, so the band sum is ``(N x weight) @
    window.T x fill`` with ``weighted = N x weight`` (S, R, B); the baseline column is the band sum
    of ``base_weighted`` (S, R, B), its observed placements times the weight.
    """
    total = (weighted @ window_t) * fill
    total[:, :, base_k] = base_weighted.sum(axis=-1)
    return total


def _grown(series_assumption, year: int, growth: np.ndarray) -> np.ndarray:
    """Value of a series in ``year``, growing by ``growth`` (S, 1, 1) after its last date."""
    last = max(series_assumption.value)
    last_year = int(last[:4])
    if year <= last_year:
        return np.full_like(growth, series_assumption.series_value(year), dtype=float)
    anchor = series_assumption.series_value(last_year)
    return anchor * (1.0 + growth) ** (year - last_year)


def _resolve_scenarios(scenarios: Sequence[str] | None) -> tuple[tuple[Scenario, ...], list[int]]:
    """Return the scenarios to compute (baseline always first) and the indices to report."""
    defs = load_definitions()
    wanted = list(scenarios) if scenarios is not None else [s.id for s in defs.scenarios]
    if not wanted:
        raise ModelError("no scenarios requested")
    known = [s.id for s in defs.scenarios]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ModelError(f"Unknown scenario {unknown[0]!r}; known scenarios: {', '.join(known)}")
    computed = [defs.baseline] + [
        defs.scenario(s) for s in known if s in wanted and s != "baseline"
    ]
    reported = [k for k, s in enumerate(computed) if s.id in wanted]
    return tuple(computed), reported


def _resolve_regions(regions: Sequence[str] | str | None, inp: ModelInput):
    """Return output region ids and a membership matrix over the input's municipalities."""
    if regions is None:
        ids = list(inp.regions)
        members = [[r] for r in ids]
    else:
        if isinstance(regions, str):
            regions = [regions]
        ids, members = [], []
        for query in regions:
            code = resolve(query, inp.indeling) if query not in inp.regions else query
            ids.append(code)
            members.append(
                [code] if code in inp.regions else list(group_members(code, inp.indeling))
            )
    if not ids:
        raise ModelError("no regions requested")
    union = sorted({m for group in members for m in group})
    missing = [m for m in union if m not in inp.regions]
    if missing:
        raise ModelError(f"no base-year data for {', '.join(missing)}")
    position = {code: i for i, code in enumerate(union)}
    matrix = np.zeros((len(ids), len(union)))
    for g, group in enumerate(members):
        for m in group:
            matrix[g, position[m]] = 1.0
    return tuple(ids), union, matrix


def check_horizon(horizon: Any) -> int:
    """Refuse a horizon the model does not accept, before any work starts.

    Parameters
    ----------
    horizon : int
        The year the scenarios are in place.

    Returns
    -------
    int
        ``horizon``.

    Raises
    ------
    ModelError
        For a horizon that is not a year after the base year and up to the declared maximum.
    """
    _resolve_years(BASE_YEAR, horizon, None)
    return int(horizon)


def _resolve_years(base_year: int, horizon: Any, years: Sequence[int] | None) -> tuple[int, ...]:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise ModelError(f"horizon must be a year, got {horizon!r}")
    if not base_year < horizon <= MAX_HORIZON:
        raise ModelError(
            f"horizon {horizon} out of range: it must lie after the base year {base_year} "
            f"and no later than {MAX_HORIZON}"
        )
    chosen = tuple(range(base_year, horizon + 1)) if years is None else tuple(years)
    bad = [y for y in chosen if not base_year <= y <= horizon]
    if bad or not chosen:
        raise ModelError(f"years {bad or list(chosen)} outside {base_year}-{horizon}")
    return chosen


@dataclass(frozen=True)
class ModelRun:
    """The result of one model run: components and their coordinates.

    Attributes
    ----------
    components : Components
        Arrays of shape ``(T, S, G, K)`` (plus a band axis for per-band components).
    regions, scenarios : tuple of str
        Output region ids (municipalities or groups) and scenario ids.
    years : tuple of int
    horizon : int
    values : mapping
        The resolved assumptions used.
    """

    components: Components
    regions: tuple[str, ...]
    scenarios: tuple[str, ...]
    years: tuple[int, ...]
    horizon: int
    values: Mapping[str, np.ndarray]

    def indicators(self) -> dict[str, np.ndarray]:
        """Compute every declared indicator from the components.

        Returns
        -------
        dict of str to numpy.ndarray
            Per-band indicators keep their band axis.
        """
        funcs = registry()
        return {d.id: funcs[d.id](self.components) for d in load_indicator_definitions()}

    def to_frame(self, sample: int = 0) -> pd.DataFrame:
        """Return one long table: scenario, region, variable, unit, year, value.

        Per-band indicators appear as a total (``placed``) and per band (``placed|20-30``);
        indicators declared for some scenarios only (the quota) appear only for those.

        Parameters
        ----------
        sample : int, optional
            Which assumption sample to report.

        Returns
        -------
        pandas.DataFrame
        """
        definitions = load_indicator_definitions()
        indicators = self.indicators()
        blocks, names, units, allowed = [], [], [], []
        for d in definitions:
            arr = indicators[d.id][:, sample]
            scen_mask = np.array([d.scenarios is None or s in d.scenarios for s in self.scenarios])
            if d.per_band:
                blocks.append(arr.sum(axis=-1))
                blocks.extend(np.moveaxis(arr, -1, 0))
                names.extend([d.id] + [f"{d.id}|{band}" for band in BAND_LABELS])
                units.extend([d.unit] * (1 + N_BANDS))
                allowed.extend([scen_mask] * (1 + N_BANDS))
            else:
                blocks.append(arr)
                names.append(d.id)
                units.append(d.unit)
                allowed.append(scen_mask)
        values = np.stack(blocks)  # (V, T, G, K)
        shape = values.shape
        keep = np.broadcast_to(np.stack(allowed)[:, None, None, :], shape).reshape(-1)

        def codes(axis: int) -> np.ndarray:
            """Return the index along ``axis`` of every kept cell, as small integers."""
            index = np.arange(shape[axis], dtype=np.int32 if shape[axis] > 32767 else np.int16)
            index = index.reshape([-1 if a == axis else 1 for a in range(4)])
            return np.broadcast_to(index, shape).reshape(-1)[keep]

        unit_names = sorted(set(units))
        unit_codes = np.array([unit_names.index(u) for u in units], dtype=np.int16)
        v_kept = codes(0)
        return pd.DataFrame(
            {
                "scenario": pd.Categorical.from_codes(codes(3), list(self.scenarios)),
                "region": pd.Categorical.from_codes(codes(2), list(self.regions)),
                "variable": pd.Categorical.from_codes(v_kept, names),
                "unit": pd.Categorical.from_codes(unit_codes[v_kept], unit_names),
                "year": np.asarray(self.years, dtype=np.int64)[codes(1)],
                "value": values.reshape(-1)[keep],
            }
        )


def run(
    regions: Sequence[str] | str | None = None,
    scenarios: Sequence[str] | None = None,
    horizon: int = DEFAULT_HORIZON,
    years: Sequence[int] | None = None,
    overrides: Mapping[str, Any] | None = None,
    model_input: ModelInput | None = None,
    indeling: int | str | None = None,
) -> ModelRun:
    """Run the model.

    Parameters
    ----------
    regions : str or sequence of str, optional
        Municipality codes or names and group ids (``isd_midden_langstraat``, ``AM26``, ...);
        every municipality of the snapshot by default.
    scenarios : sequence of str, optional
        Scenario ids; the baseline and all four scenarios by default.
    horizon : int, optional
        Year in which the scenarios are fully in place (2020 as in the study; up to 2035).
    years : sequence of int, optional
        Years to report; every year from the base year to the horizon by default.
    overrides : mapping, optional
        Assumption overrides, validated (see :meth:`~.Assumptions.resolve`).
    model_input : ModelInput, optional
        Base-year stocks; the CBS snapshot of ``indeling`` by default.
    indeling : int or str, optional
        The municipal boundaries names and groups are resolved in and whose counts are read:
        2015 or 2025 (the default declared in ``conventions.yaml``). Ignored when
        ``model_input`` is given (it carries its own).

    Returns
    -------
    ModelRun

    Raises
    ------
    ModelError, AssumptionError, UnknownRegionError
        For an unknown scenario, a bad horizon, an invalid override or an unknown region.
    """
    values = load_assumptions().resolve(overrides)
    inp = model_input if model_input is not None else snapshot_input(indeling=indeling)
    computed, reported = _resolve_scenarios(scenarios)
    year_list = _resolve_years(inp.base_year, horizon, years)
    ids, union, matrix = _resolve_regions(regions, inp)
    sub = inp if list(inp.regions) == union else inp.subset(union)
    comps = compute_components(sub, computed, year_list, horizon, values)

    # A contiguous run of scenarios is taken as a view instead of a copy.
    contiguous = reported == list(range(reported[0], reported[-1] + 1))
    pick = slice(reported[0], reported[-1] + 1) if contiguous else reported

    def to_output(arr: np.ndarray) -> np.ndarray:
        arr = arr[:, :, :, pick]
        if matrix.shape[0] == matrix.shape[1] and np.array_equal(matrix, np.eye(len(union))):
            return arr
        return np.moveaxis(np.tensordot(matrix, arr, axes=([1], [2])), 0, 2)

    return ModelRun(
        components=comps.map(to_output),
        regions=ids,
        scenarios=tuple(computed[k].id for k in reported),
        years=year_list,
        horizon=horizon,
        values=values,
    )


def run_model(
    regions: Sequence[str] | str | None = None,
    scenarios: Sequence[str] | None = None,
    horizon: int = DEFAULT_HORIZON,
    years: Sequence[int] | None = None,
    overrides: Mapping[str, Any] | None = None,
    model_input: ModelInput | None = None,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Run the model and return the long table (see :func:`run` for the parameters).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, region, variable, unit, year, value``.
    """
    return run(regions, scenarios, horizon, years, overrides, model_input, indeling).to_frame()
