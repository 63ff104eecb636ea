"""Costs per payer (gemeente, Rijk, UWV) on a small explicit example computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from socecon.model import ModelInput, run

UNIFORM = [0.1] * 10
# Two municipalities: GM0001 has 100 Wsw employees and nobody else, GM0002 200 Wajongers.
TWO = ModelInput.from_frame(
    pd.DataFrame(
        {
            "bijstand_15_aow": [0.0, 0.0],
            "wsw_employees": [100.0, 0.0],
            "wajong": [0.0, 200.0],
            "jobs": [10000.0, 10000.0],
        },
        index=["GM0001", "GM0002"],
    )
)
OVERRIDES = {
    "loonwaarde_wsw": UNIFORM,  # 10 Wsw employees per band
    "loonwaarde_wajong": UNIFORM,
    "wajong_target_share": 0.5,  # 100 Wajongers in the target group, 10 per band
    "baseline_work_rate_wajong": 0.5,  # 50 at work in the baseline, 5 per band
    "take_up": 0.5,
    # The same take-up in every scenario and the 2015 quota law, so that the hand-computed
    # placements stay simple; the scenarios' own take-up is tested in tests/test_placement.py.
    "take_up_factor_sociaal_ondernemen": 1.0,
    "take_up_factor_regulier": 1.0,
    "take_up_factor_publiek_privaat": 1.0,
    "take_up_factor_publiek": 1.0,
    "quota_law_2015": 1,
}
# 2020: WML (1,653.60 + 1,680.00) / 2 = 1,666.80; bijstandsnorm (1,050.00 + 1,059.03) / 2.
WML = 1666.80
NORM = (1050.00 + 1059.03) / 2
LK = 12 * WML * 1.08 * 1.235  # employer cost of a full-time minimum-wage job: 26,678.13
H = 25.5 / 36  # hours placed / full-time hours
BIJSTAND_A_YEAR = 12 * NORM * 0.85  # per person (benefit_per_person_factor): 10,756.05
# A working Wajonger earns WML x H; UWV keeps back 70 % of it, less than the benefit of 70 % of WML.
WAJONG_SAVED = 12 * min(0.70 * WML, 0.70 * WML * H)  # 9,917.46


@pytest.fixture(scope="module")
def model():
    return run(["GM0001", "GM0002"], model_input=TWO, overrides=OVERRIDES, years=[2020])


def value(model, indicator, region, scenario):
    r, k = model.regions.index(region), model.scenarios.index(scenario)
    arr = model.indicators()[indicator][0, 0, r, k]
    return float(arr.sum())  # a per-band indicator (placed) as its total


def test_the_hand_computed_constants():
    assert round(LK, 2) == 26678.13
    assert round(BIJSTAND_A_YEAR, 2) == 10756.05
    assert round(WAJONG_SAVED, 2) == 9917.46


def test_wsw_in_the_baseline_is_paid_by_the_rijk_with_a_municipal_supplement(model):
    # 100 Wsw employees x 26,000 = 2,600,000; the gemeente adds 8 % (208,000), the Rijk 92 %.
    assert value(model, "operating_subsidy", "GM0001", "baseline") == pytest.approx(2_600_000)
    assert value(model, "net_cost_rijk", "GM0001", "baseline") == pytest.approx(2_392_000)
    assert value(model, "net_cost", "GM0001", "baseline") == pytest.approx(208_000)
    # no wage cost subsidy or guidance on top of the Wsw subsidy; nobody left without work
    for indicator in ("wage_cost_subsidy", "guidance_cost", "fallback_cost", "net_cost_uwv"):
        assert value(model, indicator, "GM0001", "baseline") == 0, indicator


def test_ex_wsw_employees_left_out_in_regulier_fall_back_on_bijstand(model):
    # Window 50-80: 3 bands x 10 = 30, take-up 0.5 -> 15 placed (5 at 55, 65 and 75 %).
    assert value(model, "placed", "GM0001", "regulier") == pytest.approx(15)
    lks = 5 * (0.45 + 0.35 + 0.25) * LK * H  # the gemeente pays their loonkostensubsidie
    assert value(model, "wage_cost_subsidy", "GM0001", "regulier") == pytest.approx(lks)
    assert value(model, "guidance_cost", "GM0001", "regulier") == pytest.approx(15 * 4000)
    # 85 left out x 60 % in the bijstand x 10,756.053 = 548,558.70
    fallback = 85 * 0.6 * BIJSTAND_A_YEAR
    assert round(fallback, 2) == 548_558.70
    assert value(model, "fallback_cost", "GM0001", "regulier") == pytest.approx(fallback)
    # dagbesteding: 50 below the window (five bands of 10) x 10 % x 8,000 = 40,000
    assert value(model, "dagbesteding_cost", "GM0001", "regulier") == pytest.approx(40_000)
    net = lks + 60_000 + fallback + 40_000  # nothing saved: nobody came from the bijstand
    assert value(model, "net_cost", "GM0001", "regulier") == pytest.approx(net)
    # the Wsw is replaced: the Rijk pays nothing, UWV has no Wajongers here
    assert value(model, "net_cost_rijk", "GM0001", "regulier") == 0
    assert value(model, "net_cost_uwv", "GM0001", "regulier") == 0
    assert value(model, "net_cost_total", "GM0001", "regulier") == pytest.approx(net)


def test_wajongers_are_uwv_s_in_the_baseline_and_in_the_scenarios(model):
    # Baseline: 50 at work, 5 per band; subsidy gaps min(1 - lw, 0.7) sum to 4.55.
    gaps = 0.7 * 3 + 0.65 + 0.55 + 0.45 + 0.35 + 0.25 + 0.15 + 0.05
    assert gaps == pytest.approx(4.55)
    lks = 5 * gaps * LK * H
    assert value(model, "wage_cost_subsidy", "GM0002", "baseline") == pytest.approx(lks)
    assert value(model, "guidance_cost", "GM0002", "baseline") == pytest.approx(50 * 4000)
    assert value(model, "benefit_savings", "GM0002", "baseline") == pytest.approx(50 * WAJONG_SAVED)
    uwv = lks + 50 * 4000 - 50 * WAJONG_SAVED
    assert value(model, "net_cost_uwv", "GM0002", "baseline") == pytest.approx(uwv)
    assert value(model, "net_cost", "GM0002", "baseline") == 0  # nothing for the gemeente
    # Regulier: 15 placed at 55, 65 and 75 %; the same rules, so the same basis as the baseline.
    lks_regulier = 5 * (0.45 + 0.35 + 0.25) * LK * H
    uwv_regulier = lks_regulier + 15 * 4000 - 15 * WAJONG_SAVED
    assert value(model, "net_cost_uwv", "GM0002", "regulier") == pytest.approx(uwv_regulier)
    # the gemeente pays only the dagbesteding of the 50 below the window
    assert value(model, "net_cost", "GM0002", "regulier") == pytest.approx(40_000)


def test_publiek_werkbedrijf_deficit_is_the_gemeente_s_guidance_of_wajongers_uwv_s(model):
    # Window 20-90: 7 bands x 10 x 0.5 = 35 placed, 5 per band; no loonkostensubsidie.
    assert value(model, "placed", "GM0002", "publiek") == pytest.approx(35)
    assert value(model, "wage_cost_subsidy", "GM0002", "publiek") == 0
    lw = [0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85]
    deficit = sum(5 * LK * H * (1 - x * 0.8) for x in lw)
    gemeente = deficit + 35 * 2500  # the deficit and the werkbedrijf's management
    assert value(model, "net_cost", "GM0002", "publiek") == pytest.approx(gemeente)
    uwv = 35 * 8000 - 35 * WAJONG_SAVED  # sheltered guidance (Emmen) minus the Wajong saved
    assert value(model, "net_cost_uwv", "GM0002", "publiek") == pytest.approx(uwv)


def test_per_payer_net_costs_add_up_to_the_total_everywhere(model):
    ind = model.indicators()
    payers = ind["net_cost"] + ind["net_cost_rijk"] + ind["net_cost_uwv"]
    assert payers == pytest.approx(ind["net_cost_total"])
    assert payers == pytest.approx(ind["gross_cost"] - ind["benefit_savings"])


def test_a_group_is_the_sum_of_its_members_per_payer():
    members = run(["GM0001", "GM0002"], model_input=TWO, overrides=OVERRIDES, years=[2020])
    both = ModelInput.from_frame(
        pd.DataFrame(
            {"bijstand_15_aow": [0.0], "wsw_employees": [100.0], "wajong": [200.0], "jobs": [2e4]},
            index=["GM0003"],
        )
    )
    merged = run(["GM0003"], model_input=both, overrides=OVERRIDES, years=[2020])
    for name in ("net_cost_gemeente", "net_cost_rijk", "net_cost_uwv", "fallback_cost"):
        summed = getattr(members.components, name).sum(axis=2)
        assert getattr(merged.components, name)[:, :, 0] == pytest.approx(summed), name
