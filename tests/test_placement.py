"""Capacities per labour-market region, take-up per scenario, Wsw retention and the quota's
coverage, on small explicit examples computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socecon.analysis.uncertainty import uncertain_parameters
from socecon.data.snapshot import snapshot_wide
from socecon.definitions.assumptions import N_BANDS
from socecon.exceptions import AssumptionError, ModelError
from socecon.model import ModelInput, placement, run, snapshot_input
from socecon.regions import load_regions
from socecon.workbench.state import slider_spec

UNIFORM = [0.1] * 10
NEUTRAL = {
    "bijstand_target_share": 0.5,
    "loonwaarde_bijstand": UNIFORM,
    "loonwaarde_wsw": UNIFORM,
    "take_up": 0.5,
    "take_up_factor_sociaal_ondernemen": 1.0,
    "take_up_factor_regulier": 1.0,
    "take_up_factor_publiek_privaat": 1.0,
    "take_up_factor_publiek": 1.0,
}


def frame(**columns) -> ModelInput:
    """A model input from columns of equal length, for GM0001, GM0002, ..."""
    n = len(next(iter(columns.values())))
    data = {"wsw_employees": [0.0] * n, "wajong": [0.0] * n, **columns}
    return ModelInput.from_frame(pd.DataFrame(data, index=[f"GM000{i + 1}" for i in range(n)]))


def placed(model, scenario: str) -> np.ndarray:
    """Persons placed at the horizon per region."""
    k = model.scenarios.index(scenario)
    return model.components.placed[-1, 0, :, k].sum(axis=-1)


# Three municipalities of one region with 20,000 jobs, of which B has none inside its borders.
# Target groups 500, 250, 250 (half of the bijstand): keys 0.5, 0.25, 0.25.
REGION = frame(
    bijstand_15_aow=[1000.0, 500.0, 500.0],
    jobs=[5000.0, 0.0, 15000.0],
    region_jobs=[20000.0] * 3,
    region_bijstand_15_aow=[2000.0] * 3,
    region_wsw_employees=[0.0] * 3,
    region_wajong=[0.0] * 3,
)


def test_regional_capacity_is_allocated_by_share_of_the_target_group():
    # PPS: 5 per 1,000 of the region's 20,000 jobs = 100 places -> 50, 25, 25. Take-up in the
    # window 40-70 (three bands of 10 %): 500 x 0.3 x 0.5 = 75 and 37.5, so the places bind.
    model = run(model_input=REGION, overrides={**NEUTRAL, "pps_places_per_1000_jobs": 5})
    np.testing.assert_allclose(placed(model, "publiek_privaat"), [50, 25, 25])
    # B has no jobs inside its own borders and still gets its share of the region's places.
    alone = run(
        ["GM0002"], model_input=REGION, overrides={**NEUTRAL, "pps_places_per_1000_jobs": 5}
    )
    np.testing.assert_allclose(placed(alone, "publiek_privaat"), [25])


def test_quota_covers_all_firms_unless_the_2015_law_is_chosen():
    # Quota 5 % of the region's jobs, allocated by key: required 1,000 x 0.5 = 500 for A. With the
    # 2015 law 70 % of the jobs: 350; a switch of 0.5 mixes: 425.
    for law, required in ((0, 500.0), (1, 350.0), (0.5, 425.0)):
        model = run(model_input=REGION, overrides={**NEUTRAL, "quota_law_2015": law})
        k = model.scenarios.index("regulier")
        assert model.components.quota_required[-1, 0, 0, k] == pytest.approx(required)
    # Capacity: required x fill rate 0.7. A small quota binds: 1 % of 20,000 x 0.5 x 0.7 = 70 for
    # A (take-up would place 500 x 0.3 x 0.5 = 75), and 70 x 0.7 = 49 under the 2015 law.
    small = {**NEUTRAL, "quota_share": 0.01}
    assert placed(run(model_input=REGION, overrides=small), "regulier")[0] == pytest.approx(70)
    law = run(model_input=REGION, overrides={**small, "quota_law_2015": 1})
    assert placed(law, "regulier")[0] == pytest.approx(49)


def test_sheltered_places_lean_on_local_wsw():
    # Social enterprises: 15 per 1,000 of 20,000 jobs = 300 places in the region. A has all of the
    # region's 100 Wsw employees: with weight 0.5 its key is 0.5 x 0.5 + 0.5 x 1 = 0.75 (225
    # places), B and C 0.5 x 0.25 = 0.125 (37.5 places). Only Wsw counts towards the target
    # group's key here through wsw_target_share 1: own target 500 + 100 of a region 1,100.
    inp = frame(
        bijstand_15_aow=[1000.0, 500.0, 500.0],
        wsw_employees=[100.0, 0.0, 0.0],
        jobs=[5000.0, 0.0, 15000.0],
        region_jobs=[20000.0] * 3,
        region_bijstand_15_aow=[2000.0] * 3,
        region_wsw_employees=[100.0] * 3,
        region_wajong=[0.0] * 3,
    )
    values = {**NEUTRAL, "take_up": 0.9, "take_up_factor_sociaal_ondernemen": 1.1}
    key = np.array([600, 250, 250]) / 1100
    expected_places = 300 * (0.5 * key + 0.5 * np.array([1.0, 0.0, 0.0]))
    # Demand in the window 20-60 (four bands): target x 0.4 x min(1, 0.99).
    demand = np.array([600, 250, 250]) * 0.4 * 0.99
    model = run(model_input=inp, overrides=values)
    np.testing.assert_allclose(
        placed(model, "sociaal_ondernemen"), np.minimum(expected_places, demand)
    )
    assert expected_places[1] < demand[1]  # B's places bind
    flat = run(model_input=inp, overrides={**values, "sheltered_wsw_weight": 0.0})
    np.testing.assert_allclose(placed(flat, "sociaal_ondernemen"), np.minimum(300 * key, demand))


def test_take_up_differs_per_scenario():
    # One municipality, 500 in the target group (50 per band), 10,000 jobs of its own (its own
    # region), capacities far above demand. Default factors: SO 1.0, Regulier 0.85,
    # Publiek-privaat 1.15, Publiek 1.5 on take-up 0.5.
    inp = frame(bijstand_15_aow=[1000.0], jobs=[10000.0])
    values = {
        "bijstand_target_share": 0.5,
        "loonwaarde_bijstand": UNIFORM,
        "take_up": 0.5,
        "pps_places_per_1000_jobs": 100,
    }
    model = run(model_input=inp, overrides=values)
    assert placed(model, "sociaal_ondernemen")[0] == pytest.approx(200 * 0.5)  # 20-60: 4 bands
    assert placed(model, "regulier")[0] == pytest.approx(150 * 0.5 * 0.85)  # 50-80: 3 bands
    assert placed(model, "publiek_privaat")[0] == pytest.approx(150 * 0.5 * 1.15)  # 40-70
    assert placed(model, "publiek")[0] == pytest.approx(350 * 0.5 * 1.5)  # 20-90: 7 bands
    # Take-up is a share: 0.9 x 1.5 = 1.35 is capped at 1, everyone in the window.
    high = run(model_input=inp, overrides={**values, "take_up": 0.9})
    assert placed(high, "publiek")[0] == pytest.approx(350)


def test_publiek_keeps_the_wsw_employees_at_work():
    # 100 Wsw employees (10 per band), take-up only 0.1: the seven bands of 20-90 keep 70 at
    # work; the 10-20 band falls outside the window. 500 bijstand people: 350 x 0.1 = 35 more.
    inp = frame(bijstand_15_aow=[1000.0], wsw_employees=[100.0], jobs=[10000.0])
    values = {**NEUTRAL, "take_up": 0.1}
    model = run(model_input=inp, overrides=values)
    assert placed(model, "publiek")[0] == pytest.approx(70 + 35)
    # Without retention (the other scenarios' rule) the Wsw employees go through the take-up:
    # window 20-60, 200 bijstand and 40 Wsw people.
    assert placed(model, "sociaal_ondernemen")[0] == pytest.approx((200 + 40) * 0.1)
    # Keeping 90 %: 63 retained, the other 7 through take-up (0.7), plus the 35.
    partly = run(model_input=inp, overrides={**values, "wsw_retention_share": 0.9})
    assert placed(partly, "publiek")[0] == pytest.approx(63 + 0.7 + 35)
    # The werkbedrijven have at least the places of the employees they keep: with almost no
    # places (0.1 % x 0.1 x 10,000 = 1) the 70 still work, and nobody else is placed.
    scarce = run(
        model_input=inp,
        overrides={**values, "public_employment_share": 0.001, "werkbedrijf_target_share": 0.1},
    )
    assert placed(scarce, "publiek")[0] == pytest.approx(70)


def test_local_effectiveness_scales_take_up_and_the_baseline_bijstand_rate():
    # Effectiveness 1.44: take-up 0.5 x 1.44 = 0.72 at strength 1, 0.5 x 1.2 = 0.6 at 0.5, the
    # national 0.5 at 0. The baseline's bijstand work rate 0.05 scales the same way.
    inp = frame(bijstand_15_aow=[1000.0], jobs=[10000.0], effectiveness=[1.44])
    for strength, factor in ((1.0, 1.44), (0.5, 1.2), (0.0, 1.0)):
        model = run(model_input=inp, overrides={**NEUTRAL, "calibration_strength": strength})
        assert placed(model, "regulier")[0] == pytest.approx(150 * 0.5 * factor)
        assert placed(model, "baseline")[0] == pytest.approx(500 * 0.05 * factor)


def test_model_input_defaults_and_checks():
    inp = frame(bijstand_15_aow=[10.0, 20.0], jobs=[1.0, 2.0])
    np.testing.assert_array_equal(inp.effectiveness, [1.0, 1.0])
    np.testing.assert_array_equal(inp.region_jobs, inp.jobs)  # its own region
    sub = REGION.subset(["GM0003"])
    assert sub.region_jobs.tolist() == [20000.0] and sub.effectiveness.tolist() == [1.0]
    with pytest.raises(ModelError, match="effectiveness"):
        frame(bijstand_15_aow=[1.0], jobs=[1.0], effectiveness=[-1.0])


def test_snapshot_input_carries_the_totals_of_the_labour_market_region():
    inp = snapshot_input()
    regions = load_regions()
    wide = snapshot_wide(2015, ["jobs", "bijstand_15_aow"]).fillna(0.0)
    i = inp.regions.index("GM0784")  # Gilze en Rijen
    members = regions.index[
        regions.labour_market_region_code == regions.loc["GM0784", "labour_market_region_code"]
    ]
    assert len(members) > 1
    assert inp.region_jobs[i] == pytest.approx(wide.loc[members, "jobs"].sum())
    assert inp.region_bijstand[i] == pytest.approx(wide.loc[members, "bijstand_15_aow"].sum())
    # One municipality alone gets what it gets in the run of all.
    alone = run(["GM0784"], years=[2020]).components.placed.sum(axis=-1)[0, 0, 0]
    every = run(years=[2020]).components.placed.sum(axis=-1)[0, 0, i]
    np.testing.assert_allclose(alone, every)


def test_overrides_of_the_new_assumptions_are_validated():
    with pytest.raises(AssumptionError, match=r"calibration_strength.*outside its bounds"):
        run(["GM0784"], overrides={"calibration_strength": 3})
    with pytest.raises(AssumptionError, match=r"quota_law_2015.*outside its bounds"):
        run(["GM0784"], overrides={"quota_law_2015": 2})
    with pytest.raises(AssumptionError, match="take_up_factor_publiek"):
        run(["GM0784"], overrides={"take_up_factor_publiek": "veel"})


def test_calibration_strength_is_a_slider_and_is_sampled():
    spec = slider_spec("calibration_strength")
    assert (spec.default, spec.low, spec.high) == (1.0, 0.5, 1.5)
    sampled = {p.id: (p.low, p.high) for p in uncertain_parameters()}
    assert sampled["calibration_strength"] == (0.5, 1.5)
    for scenario in ("sociaal_ondernemen", "regulier", "publiek_privaat", "publiek"):
        assert f"take_up_factor_{scenario}" in sampled
    assert "quota_law_2015" not in sampled  # a switch of the scenario, not an uncertainty


def test_stacked_band_sums_equal_the_band_sums_of_the_placements():
    # Two samples, three municipalities, a baseline and a scenario that keeps Wsw employees;
    # only the group of a term is nonzero, so placed() (all groups) gives its reference.
    rng = np.random.default_rng(7)
    s, r, k, b = 2, 3, 3, N_BANDS
    window = np.array([np.ones(b), (rng.random(b) > 0.4), (rng.random(b) > 0.4)], dtype=float)
    weight = rng.random((s, 1, b))
    for only in placement.GROUPS:
        groups = {g: rng.random((s, r, b)) * (g == only) * 100 for g in placement.GROUPS}
        rates = {g: rng.random((s, r, 1)) for g in placement.GROUPS}
        retention = np.array([0.0, 0.0, 0.8]).reshape(1, 1, k)
        pl = placement.place(
            groups, window, rng.random((s, r, k)) * 50, rng.random((s, r, k)), rates, retention, 0
        )
        assert pl.retained == (2,)
        sums = pl.band_sums([(None, (only,)), (weight, (only,)), (weight, placement.GROUPS)])
        assert sums.shape == (3, s, r, k)
        placed_ = pl.placed()  # (S, R, K, B)
        np.testing.assert_allclose(sums[0], placed_.sum(axis=-1), rtol=1e-12)
        np.testing.assert_allclose(sums[1], (placed_ * weight[:, :, None, :]).sum(-1), rtol=1e-12)
        np.testing.assert_allclose(sums[2], sums[1], rtol=1e-12)
        # A group left out of a term adds nothing; the baseline column is its observed rate.
        other = next(g for g in placement.GROUPS if g != only)
        assert not pl.band_sums([(None, (other,))]).any()
        np.testing.assert_allclose(sums[0][:, :, 0], (groups[only] * rates[only]).sum(-1))
