"""The scenario model: indicators per region, scenario, productivity band and year.

One vectorised pass computes additive :class:`~.indicators.Components` for every region x
scenario x band (and, optionally, a leading axis of assumption samples), year by year; groups of
municipalities are sums of their members; the indicator functions turn components into figures.

How a scenario works (see ``definitions/levers.yaml`` and ``assumptions.yaml``):

* target group ``N[r, b]``: CBS stocks of the base year (bijstand 15-AOW, Wsw employees, Wajong)
  times the share of each group with reduced productivity, spread over ten loonwaarde bands;
* placements (:mod:`socecon.model.placement`): in the scenario's productivity window, ``N x
  take-up`` (per scenario, and per municipality through its calibrated effectiveness), scaled
  down proportionally where that exceeds the scenario's capacity (quota jobs, social-enterprise
  places, PPS contracts, werkbedrijf places, computed for the labour-market region and
  allocated to its municipalities); Publiek keeps the Wsw employees at work; the baseline uses
  observed work rates per group;
* costs per placement by the scenario's instruments, each booked to its payer (gemeente, Rijk,
  UWV; :mod:`~socecon.model.costs`): the legal loonkostensubsidie, Wsw, keurmerk or werkbedrijf
  subsidies, guidance, overhead, bijstand for ex-Wsw employees left without work, dagbesteding;
  savings on bijstand and Wajong for people placed from them;
* the path from the base year to the horizon phases each scenario in linearly: in year ``t`` a
  share ``(t - base) / (horizon - base)`` of every additive component follows the scenario, the
  rest the baseline, all at year-``t`` prices. A run of the horizon alone needs no baseline and
  computes it only when asked for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socecon.definitions import BASE_YEAR, DEFAULT_HORIZON, MAX_HORIZON, Scenario, load_definitions
from socecon.definitions.assumptions import BAND_LABELS, BAND_MIDPOINTS, N_BANDS, load_assumptions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.levers import load_levers
from socecon.exceptions import ModelError
from socecon.model import placement
from socecon.model.costs import PlacedSums, YearPrices, payer_costs
from socecon.model.indicators import (
    BANENAFSPRAAK_HOURS,
    Components,
    benefit_saving_per_person,
    registry,
)
from socecon.model.inputs import ModelInput, snapshot_input
from socecon.model.samples import (
    Values,
    Varies,
    band_inputs,
    first_block,
    grown_series,
    monthly_wml,
)
from socecon.regions import group_members, resolve


def _window(scenario: Scenario) -> np.ndarray:
    if scenario.productivity is None:
        return np.ones(N_BANDS)
    return np.array([scenario.productivity.contains(m) for m in BAND_MIDPOINTS], dtype=float)


def _below(scenario: Scenario) -> np.ndarray:
    """Bands whose loonwaarde lies below the scenario's productivity window (none: baseline)."""
    if scenario.productivity is None:
        return np.zeros(N_BANDS)
    return (scenario.productivity.low > BAND_MIDPOINTS).astype(float)


def compute_components(
    inp: ModelInput,
    scenarios: Sequence[Scenario],
    years: Sequence[int],
    horizon: int,
    values: Mapping[str, np.ndarray],
    bands: bool = True,
    net_cost_only: bool = False,
    tiles: int = 1,
) -> Components:
    """Compute the additive components for every year, sample, region, scenario and band.

    Parameters
    ----------
    inp : ModelInput
        Base-year stocks per municipality.
    scenarios : sequence of Scenario
        Must include the baseline (the starting point of every path), unless every year is
        the horizon (each scenario in full, e.g. the wind tunnel's runs): no scenario's
        column then depends on the baseline's, and without it the baseline is not computed.
    years : sequence of int
        Years to compute, each in ``[base_year, horizon]``.
    horizon : int
        Year in which the scenarios are fully in place.
    values : mapping
        Resolved assumptions (:meth:`socecon.definitions.assumptions.Assumptions.resolve`).
    bands : bool, optional
        False: ``target_group`` and ``placed`` are only summed over the bands (a band axis of
        length 1), for callers that need totals only (the wind tunnel): the per-band arrays,
        ``(T, S, R, K, B)``, are the largest ones the model makes.
    net_cost_only : bool, optional
        True: only ``target_group``, ``placed`` and ``net_cost_gemeente`` are computed (what the
        indicators ``participation_rate``, ``net_cost`` and ``net_cost_per_placed`` read, and
        all the wind tunnel judges); every other component is None. The same numbers as in a
        full run, bit for bit.
    tiles : int, optional
        The samples are this many equal blocks (the wind tunnel's runs: one per set of effects,
        each over the same samples). Where every assumption the target group's profiles and
        the weights per band are made of is the same in every block, these and their sums
        over the bands are computed for the first block only and repeated: the same numbers,
        bit for bit.

    Returns
    -------
    Components
        Arrays of shape ``(T, S, R, K)``; ``target_group`` and ``placed`` ``(T, S, R, K, B)``
        (or ``B = 1`` without ``bands``).

    Raises
    ------
    ModelError
        Without the baseline, for a year before the horizon (its path starts from the baseline).
    """
    v = Values(values)
    series = {a.id: a for a in load_assumptions() if a.kind == "series"}
    levers = load_levers()
    lev = [levers[s.id] for s in scenarios]
    base_year = inp.base_year
    # The share of each year's components that follows the scenario (the rest: the baseline).
    phases = [
        1.0 if horizon == base_year else (year - base_year) / (horizon - base_year)
        for year in years
    ]
    # The baseline's index; None where it is not computed (every year in full): every line
    # below that writes the baseline's column skips it then.
    base_k = next((k for k, s in enumerate(scenarios) if s.is_baseline), None)
    if base_k is None and any(phase != 1.0 for phase in phases):
        raise ModelError(
            "the scenarios passed to the model must include the baseline "
            "(the start of every path) unless only the horizon is computed"
        )
    window = np.stack([_window(s) for s in scenarios])  # (K, B)
    below = np.stack([_below(s) for s in scenarios])  # (K, B)

    # Target group per person of each source group's stock at base-year size, (S, 1, B), and
    # the weights per band: the same for every municipality, so every sum over the bands is
    # taken once for all of them (placement.TargetGroup); N[s, r, b] = stock[r] x profile[s, b].
    # For the first block only where the samples are tiles of one block in all they read.
    band_tiles = tiles
    try:
        vb = Values(first_block(values, v.n, tiles), v.n // tiles) if tiles != 1 else v
        profiles, band_weights = band_inputs(vb, years, base_year, net_cost_only)
    except Varies:
        band_tiles = 1
        profiles, band_weights = band_inputs(v, years, base_year, net_cost_only)
    stocks = np.stack([np.asarray(getattr(inp, name), dtype=float) for name in placement.GROUPS])
    every_band = np.ones((1, N_BANDS))
    rates = placement.baseline_rates(inp, v) if base_k is not None else {}  # (S, R, 1) per group

    # Capacity at full implementation and the quota's required jobs, shape (S, R, K), for each
    # municipality's share of its labour-market region; take-up per scenario and municipality.
    capacity, quota_required = placement.capacities(inp, scenarios, lev, v)
    take_up = placement.take_up_rates(inp, lev, v)  # (S, R, K)
    retention = np.concatenate(
        [v.scalar("wsw_retention_share") * float(lv.wsw_retention) for lv in lev], axis=2
    )  # (S, 1, K)
    is_quota = np.array([s.quota is not None for s in scenarios])
    pays_deficit = any(lv.operating_subsidy == "werkbedrijf_deficit" for lv in lev)
    regular_flag = np.array([lv.regular_work is True for lv in lev], dtype=float)
    hours_factor = v.scalar("hours_per_week") / v.scalar("fulltime_hours")  # (S, 1, 1)

    out: dict[str, np.ndarray] = {}
    for t, year in enumerate(years):
        growth, lks_b, deficit_b, value_b = band_weights[t]
        grown = np.multiply(profiles, growth, out=np.empty_like(profiles))  # (G, S, 1, B)
        wml = monthly_wml(series, year, v)
        norm = grown_series(series["bijstand_norm_month"], year, v.scalar("wage_growth"))
        saving = benefit_saving_per_person(
            norm,
            wml,
            hours_factor,
            v.scalar("net_to_gross_wml"),
            v.scalar("benefit_per_person_factor"),
        )  # (S, 1, 1)

        # Full implementation of each scenario (see socecon.model.placement): placed[s, r, k, b]
        # = N[s, r, b] x window[k, b] x fill[s, r, k] (plus the Wsw employees Publiek keeps), so
        # every band sum is taken over the (S, 1, B) profiles and only ``placed`` per band (when
        # ``bands`` asks for it) needs (S, R, K, B).
        pl = placement.place(
            grown, window, capacity, take_up, rates, retention, base_k, stocks, tiles=band_tiles
        )
        target = pl.target

        # One stacked band sum, (8, S, R, K): placed people per source group, plain and
        # weighted by each band's loonkostensubsidie, and the werkbedrijf deficit (where a
        # scenario pays it) and the production value of everybody placed (the gemeente's net
        # cost needs neither the Wajong's subsidy, UWV's, nor the production value).
        subsidised = placement.GROUPS[:2] if net_cost_only else placement.GROUPS
        terms = [(None, (name,)) for name in placement.GROUPS]
        terms += [(lks_b, (name,)) for name in subsidised]
        if pays_deficit:
            terms.append((deficit_b, placement.GROUPS))
        if not net_cost_only:
            terms.append((value_b, placement.GROUPS))
        sums = pl.band_sums(terms)
        placed_by_group = dict(zip(placement.GROUPS, sums[0:3], strict=True))
        lks_by_group = dict(zip(subsidised, sums[3 : 3 + len(subsidised)], strict=True))
        deficit_sum = sums[3 + len(subsidised)] if pays_deficit else None
        if bands:
            placed = pl.placed()
            people = target.people("bijstand") + target.people("wsw") + target.people("wajong")
            people = np.broadcast_to(people[:, :, None, :], placed.shape)
        else:
            placed = placed_by_group["bijstand"] + placed_by_group["wsw"]
            placed = (placed + placed_by_group["wajong"])[..., None]
            people = np.broadcast_to(target.total(every_band)[..., None], placed.shape)
        prices = YearPrices(
            bijstand_saving=saving,
            wajong_saving=benefit_saving_per_person(
                v.scalar("wajong_benefit_share") * wml,
                wml,
                hours_factor,
                v.scalar("wajong_earnings_offset"),
                1.0,
            ),
            bijstand_benefit=12.0 * norm * v.scalar("benefit_per_person_factor"),
        )
        costs = payer_costs(
            lev,
            base_k,
            PlacedSums(placed_by_group, lks_by_group, deficit_sum),
            target.total(every_band, ("wsw",)),
            target.total(below),
            prices,
            v.scalar,
            net_cost_only=net_cost_only,
        )
        if net_cost_only:
            full = {"target_group": people, "placed": placed, **costs}
        else:
            placed_total = placed.sum(axis=-1)  # as every indicator sums it
            regular = placed_total * regular_flag
            if base_k is not None:
                base_placed = {name: arr[:, :, base_k] for name, arr in placed_by_group.items()}
                regular[:, :, base_k] = (
                    base_placed["bijstand"]
                    + base_placed["wajong"]
                    + base_placed["wsw"] * v.scalar("wsw_regular_share")[:, :, 0]
                )
            levy = (
                np.clip(quota_required - placed_total, 0.0, None)
                * v.scalar("quota_levy_per_job")
                * is_quota
            )
            hours = v.scalar("hours_per_week")
            full = {
                "target_group": people,
                "placed": placed,
                "placed_bijstand": placed_by_group["bijstand"],
                "placed_regular": regular,
                **costs,
                "production_value": sums[-1],
                "social_value": placed_total * v.scalar("social_value_per_placed"),
                "banenafspraak_jobs": placed_total * hours / BANENAFSPRAAK_HOURS,
                "quota_required": quota_required,
                "quota_levy": levy,
            }
        phase = phases[t]
        for name, arr in full.items():
            arr = np.asarray(arr, dtype=float)
            if len(years) == 1 and phase == 1.0:
                # One year in full (the wind tunnel, the uncertainty analysis): a view instead
                # of a copy (the target group stays a read-only broadcast over the scenarios).
                out[name] = arr[None]
                continue
            if name not in out:  # every year is written into one array: no stacking at the end
                out[name] = np.empty((len(years), *arr.shape))
            if phase == 1.0:  # the scenario in full: the blend below would return ``arr``
                out[name][t] = arr
                continue
            np.multiply(arr, phase, out=out[name][t])
            out[name][t] += (1.0 - phase) * arr[:, :, base_k : base_k + 1]
    # A run of the net cost only leaves every other component out (None).
    return Components(**{name: out.get(name) for name in Components.names()})


def _resolve_scenarios(
    scenarios: Sequence[str] | None, paths: bool = True
) -> tuple[tuple[Scenario, ...], list[int]]:
    """Return the scenarios to compute and the indices to report.

    The baseline comes first; it is left out only where it is not requested and no path needs
    it (``paths`` False: only the horizon is computed, see :func:`compute_components`).
    """
    defs = load_definitions()
    wanted = list(scenarios) if scenarios is not None else [s.id for s in defs.scenarios]
    if not wanted:
        raise ModelError("no scenarios requested")
    known = [s.id for s in defs.scenarios]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ModelError(f"Unknown scenario {unknown[0]!r}; known scenarios: {', '.join(known)}")
    baseline = [defs.baseline] if paths or defs.baseline.id in wanted else []
    futures = [defs.scenario(s) for s in known if s in wanted and s != defs.baseline.id]
    computed = baseline + futures
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
    known = set(inp.regions)
    missing = [m for m in union if m not in known]
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
        if self.components.placed_regular is None:
            raise ModelError(
                "a run of the net cost only (run(net_cost_only=True)) has no indicators; "
                "read its target group, placed and net cost from the components"
            )
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
        if self.components.placed.shape[-1] != N_BANDS:
            raise ModelError("a run with the bands summed (run(bands=False)) has no long table")
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
    bands: bool = True,
    net_cost_only: bool = False,
    tiles: int = 1,
) -> ModelRun:
    """Run the model.

    Parameters
    ----------
    regions : str or sequence of str, optional
        Municipality codes or names and group ids (``isd_midden_langstraat``, ``AM26``, ...);
        every municipality of the snapshot by default.
    scenarios : sequence of str, optional
        Scenario ids; the baseline and all four scenarios by default. The baseline is
        computed for any year before the horizon (every path starts from it) even when it is
        not requested; a run of the horizon alone computes only the requested scenarios.
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
    bands : bool, optional
        False: the per-band components (``target_group``, ``placed``) are summed over the
        bands, keeping a band axis of length 1 (see :func:`compute_components`); such a run
        has no long table.
    net_cost_only : bool, optional
        True: only the target group, the placed and the gemeente's net cost are computed (see
        :func:`compute_components`); the other components are None and such a run has no
        indicators (:meth:`ModelRun.indicators`).
    tiles : int, optional
        The samples are this many equal blocks (see :func:`compute_components`).

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
    year_list = _resolve_years(inp.base_year, horizon, years)
    computed, reported = _resolve_scenarios(scenarios, paths=year_list != (horizon,))
    ids, union, matrix = _resolve_regions(regions, inp)
    sub = inp if list(inp.regions) == union else inp.subset(union)
    comps = compute_components(
        sub,
        computed,
        year_list,
        horizon,
        values,
        bands=bands,
        net_cost_only=net_cost_only,
        tiles=tiles,
    )

    # A contiguous run of scenarios is taken as a view instead of a copy.
    contiguous = reported == list(range(reported[0], reported[-1] + 1))
    pick = slice(reported[0], reported[-1] + 1) if contiguous else reported

    identity = matrix.shape[0] == matrix.shape[1] and np.array_equal(matrix, np.eye(len(union)))

    def to_output(arr: np.ndarray) -> np.ndarray:
        arr = arr[:, :, :, pick]
        if identity:
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
