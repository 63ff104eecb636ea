"""The scenario model on small, explicit examples computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socecon.data.snapshot import clear_cache
from socecon.definitions import load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.levers import load_levers
from socecon.exceptions import AssumptionError, ModelError
from socecon.model import ModelInput, run_model, shift_distribution, snapshot_input, to_iamc

UNIFORM = [0.1] * 10
# One municipality: 1,000 bijstand recipients, nobody in Wsw or Wajong, 10,000 jobs.
SIMPLE = ModelInput.from_frame(
    pd.DataFrame(
        {"bijstand_15_aow": [1000.0], "wsw_employees": [0.0], "wajong": [0.0], "jobs": [10000.0]},
        index=["GM0001"],
    )
)
SIMPLE_OVERRIDES = {
    "bijstand_target_share": 0.5,  # 500 people in the target group, 50 per band
    "loonwaarde_bijstand": UNIFORM,
    "take_up": 0.5,
    "pps_places_per_1000_jobs": 5,  # 50 PPS places
    # The same take-up in every scenario and the quota of the 2015 law (25+ staff, 70 % of the
    # jobs): the scenario-specific take-up and the seed's quota for all firms are computed by
    # hand in tests/test_placement.py.
    "take_up_factor_sociaal_ondernemen": 1.0,
    "take_up_factor_regulier": 1.0,
    "take_up_factor_publiek_privaat": 1.0,
    "take_up_factor_publiek": 1.0,
    "quota_law_2015": 1,
}
# Year 2020: WML (1,653.60 + 1,680.00) / 2 = 1,666.80; 25.5 of 36 hours.
WML_2020 = 1666.80
LK_2020 = 12 * WML_2020 * 1.08 * 1.235  # 26,678.13
H = 25.5 / 36


def horizon_value(frame, scenario, variable):
    row = frame[(frame.scenario == scenario) & (frame.variable == variable) & (frame.year == 2020)]
    assert len(row) == 1, (scenario, variable)
    return float(row.value.iloc[0])


@pytest.fixture(scope="module")
def simple():
    return run_model(model_input=SIMPLE, overrides=SIMPLE_OVERRIDES)


def test_long_table_shape(simple):
    assert list(simple.columns) == ["scenario", "region", "variable", "unit", "year", "value"]
    assert set(simple.scenario) == {s.id for s in load_definitions().scenarios}
    assert sorted(set(simple.year)) == list(range(2015, 2021))
    assert not simple.duplicated(["scenario", "region", "variable", "year"]).any()


def test_target_group_by_hand(simple):
    for s in ("baseline", "regulier", "publiek"):
        assert horizon_value(simple, s, "target_group") == pytest.approx(500)
        assert horizon_value(simple, s, "target_group|30-40") == pytest.approx(50)


def test_regulier_by_hand(simple):
    # Window 50-80: three bands of 50, take-up 0.5 -> 75 placed. Quota capacity
    # 0.05 x 0.70 x 10,000 x 0.70 = 245 does not bind.
    assert horizon_value(simple, "regulier", "placed") == pytest.approx(75)
    assert horizon_value(simple, "regulier", "placed|60-70") == pytest.approx(25)
    assert horizon_value(simple, "regulier", "placed|40-50") == 0
    assert horizon_value(simple, "regulier", "participation_rate") == pytest.approx(15.0)
    assert horizon_value(simple, "regulier", "left_out|60-70") == pytest.approx(25)
    assert horizon_value(simple, "regulier", "left_out|10-20") == pytest.approx(50)
    assert horizon_value(simple, "regulier", "left_out") == pytest.approx(425)
    # Legal LKS: 25 people at loonwaarde 0.55, 0.65 and 0.75 -> gaps 0.45 + 0.35 + 0.25.
    lks = 25 * (0.45 + 0.35 + 0.25) * LK_2020 * H
    assert horizon_value(simple, "regulier", "wage_cost_subsidy") == pytest.approx(lks)
    assert lks == pytest.approx(496_046.56, abs=0.01)
    # Guidance: 75 x 4,000 jobcoach; no overhead, no operating subsidy.
    assert horizon_value(simple, "regulier", "guidance_cost") == pytest.approx(300_000)
    assert horizon_value(simple, "regulier", "overhead_cost") == 0
    assert horizon_value(simple, "regulier", "operating_subsidy") == 0
    # Savings: net wage 1,666.80 x 0.9 x 0.70833 = 1,062.59 a month > norm 2020 x 0.85, so the
    # whole per-person benefit is saved. Norm 2020: 1,050.00 (1 January) for six months and
    # 1,059.03 (1 July) for six: 1,054.515 (the legal steps, not an interpolation).
    norm = (1050.00 + 1059.03) / 2
    assert norm * 0.85 < WML_2020 * 0.9 * H
    savings = 75 * 12 * norm * 0.85
    assert horizon_value(simple, "regulier", "benefit_savings") == pytest.approx(savings, rel=1e-9)
    # Dagbesteding (Regulier only): the 250 people below the window (five bands of 50) x 10 %
    # x 8,000 = 200,000, paid by the gemeente.
    assert horizon_value(simple, "regulier", "dagbesteding_cost") == pytest.approx(200_000)
    assert horizon_value(simple, "publiek_privaat", "dagbesteding_cost") == 0
    net = lks + 300_000 + 200_000 - savings
    assert horizon_value(simple, "regulier", "net_cost") == pytest.approx(net, rel=1e-9)
    # Everybody comes from the bijstand: the Rijk and UWV pay nothing.
    assert horizon_value(simple, "regulier", "net_cost_rijk") == 0
    assert horizon_value(simple, "regulier", "net_cost_uwv") == 0
    assert horizon_value(simple, "regulier", "net_cost_total") == pytest.approx(net, rel=1e-9)
    assert horizon_value(simple, "regulier", "net_cost_per_placed") == pytest.approx(
        net / 75, rel=1e-9
    )
    assert horizon_value(simple, "regulier", "regular_share") == 100
    # Quota: required 0.05 x 0.70 x 10,000 = 350; filled 75; levy 275 x 5,000.
    assert horizon_value(simple, "regulier", "quota_required") == pytest.approx(350)
    assert horizon_value(simple, "regulier", "quota_compliance") == pytest.approx(75 / 350 * 100)
    assert horizon_value(simple, "regulier", "quota_levy") == pytest.approx(275 * 5000)
    # Banenafspraak units: 25.5 hours = one job.
    assert horizon_value(simple, "regulier", "banenafspraak_jobs") == pytest.approx(75)
    # SROI: (production + savings + 1,000 per person) / gross cost.
    production = 25 * (0.55 + 0.65 + 0.75) * LK_2020 * H
    sroi = (production + savings + 75 * 1000) / (lks + 300_000 + 200_000)
    assert horizon_value(simple, "regulier", "sroi") == pytest.approx(sroi, rel=1e-4)


def test_publiek_privaat_is_capacity_bound(simple):
    # Window 40-70: 150 x 0.5 = 75 would take part, but there are only 5 x 10 = 50 places.
    assert horizon_value(simple, "publiek_privaat", "placed") == pytest.approx(50)
    assert horizon_value(simple, "publiek_privaat", "placed|40-50") == pytest.approx(50 / 3)
    # PPS department: 1,500 per place.
    assert horizon_value(simple, "publiek_privaat", "overhead_cost") == pytest.approx(75_000)


def test_publiek_by_hand(simple):
    # Window 20-90: seven bands x 50 x 0.5 = 175; werkbedrijf places 0.3 x 0.3 x 10,000 = 900.
    assert horizon_value(simple, "publiek", "placed") == pytest.approx(175)
    # No LKS; the deficit: 25 per band x LK x H x (1 - loonwaarde x 0.8).
    lw = np.array([0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85])
    deficit = 25 * (LK_2020 * H * (1 - lw * 0.8)).sum()
    assert horizon_value(simple, "publiek", "wage_cost_subsidy") == 0
    assert horizon_value(simple, "publiek", "operating_subsidy") == pytest.approx(deficit)
    assert horizon_value(simple, "publiek", "guidance_cost") == pytest.approx(175 * 8000)
    assert horizon_value(simple, "publiek", "overhead_cost") == pytest.approx(175 * 2500)
    assert horizon_value(simple, "publiek", "regular_share") == 0


def test_sociaal_ondernemen_by_hand(simple):
    # Window 20-60: four bands -> 100 placed (capacity 15 x 10 = 150), keurmerk 2,000 each.
    assert horizon_value(simple, "sociaal_ondernemen", "placed") == pytest.approx(100)
    assert horizon_value(simple, "sociaal_ondernemen", "operating_subsidy") == pytest.approx(
        200_000
    )
    assert horizon_value(simple, "sociaal_ondernemen", "guidance_cost") == pytest.approx(800_000)


def test_baseline_by_hand(simple):
    # Observed: 5 % of the bijstand target group works, with LKS and a jobcoach.
    assert horizon_value(simple, "baseline", "placed") == pytest.approx(25)
    gaps = np.clip(1 - (np.arange(10) * 10 + 5) / 100, 0, 0.7)
    lks = (2.5 * gaps * LK_2020 * H).sum()
    assert horizon_value(simple, "baseline", "wage_cost_subsidy") == pytest.approx(lks)
    assert horizon_value(simple, "baseline", "guidance_cost") == pytest.approx(25 * 4000)


def test_path_phases_scenarios_in_linearly(simple):
    # 2015: everything equals the baseline; 2017: 2/5 of the way (at the same prices).
    def at(year, scenario):
        return float(
            simple[
                (simple.scenario == scenario)
                & (simple.variable == "placed")
                & (simple.year == year)
            ].value.iloc[0]
        )

    assert at(2015, "regulier") == pytest.approx(at(2015, "baseline"))
    assert at(2017, "regulier") == pytest.approx(25 + 0.4 * (75 - 25))


def test_horizon_can_move_to_2030():
    frame = run_model(model_input=SIMPLE, overrides=SIMPLE_OVERRIDES, horizon=2030)
    assert frame.year.max() == 2030
    assert horizon_value(
        frame[frame.year == 2030].assign(year=2020), "regulier", "placed"
    ) == pytest.approx(75)
    # After the last known minimum wage (2025) wages grow 2 % a year: the baseline's LKS (the
    # same people every year) grows with them.
    lks = frame[(frame.scenario == "baseline") & (frame.variable == "wage_cost_subsidy")]
    by_year = lks.set_index("year").value
    assert by_year[2030] / by_year[2029] == pytest.approx(1.02, rel=1e-9)


ISD = ModelInput.from_frame(
    pd.DataFrame(
        {
            "bijstand_15_aow": [610.0, 270.0, 820.0],
            "wsw_employees": [230.0, 170.0, 280.0],
            "wajong": [390.0, 200.0, 400.0],
            "jobs": [12100.0, 800.0, 26800.0],  # Loon op Zand's PPS capacity binds, others not
        },
        index=["GM0797", "GM0809", "GM0867"],
    )
)
ADDITIVE = [
    "target_group",
    "placed",
    "left_out",
    "placed|40-50",
    "net_cost",
    "gross_cost",
    "benefit_savings",
    "quota_required",
    "quota_levy",
    "banenafspraak_jobs",
]


def test_groups_are_sums_of_members_and_rates_are_recomputed():
    frame = run_model(["GM0797", "GM0809", "GM0867", "isd_midden_langstraat"], model_input=ISD)
    wide = frame.pivot_table(
        index=["scenario", "variable", "year"], columns="region", values="value", observed=True
    )
    members = wide[["GM0797", "GM0809", "GM0867"]]
    group = wide["isd_midden_langstraat"]
    for variable in ADDITIVE:
        got = group.xs(variable, level="variable")
        want = members.xs(variable, level="variable").sum(axis=1)
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=variable)
    rate = group.xs("participation_rate", level="variable")
    recomputed = (
        members.xs("placed", level="variable").sum(axis=1)
        / members.xs("target_group", level="variable").sum(axis=1)
        * 100
    )
    np.testing.assert_allclose(rate, recomputed, rtol=1e-12)
    averaged = members.xs("participation_rate", level="variable").mean(axis=1)
    assert not np.allclose(rate, averaged)  # a mean of rates would be wrong here


def test_unknown_scenario_is_refused():
    with pytest.raises(ModelError, match=r"Unknown scenario 'utopia'"):
        run_model(model_input=SIMPLE, scenarios=["utopia"])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"take_up": 1.7}, r"'take_up' = 1.7 is outside its bounds \[0, 1\]"),
        ({"guidance_cost_regular": -100}, r"'guidance_cost_regular' = -100 is outside"),
        ({"take_upp": 0.5}, r"Unknown assumption 'take_upp'; did you mean take_up"),
        ({"take_up": "high"}, r"'take_up' must be a number, got 'high'"),
        ({"take_up": (0.5, "persons")}, r"'take_up' is in 'share', not 'persons'"),
        ({"loonwaarde_wsw": [0.5, 0.6] + [0] * 8}, r"sum to 1"),
        ({"wml_month": 2000}, r"is a series and cannot be overridden"),
    ],
)
def test_bad_overrides_name_the_assumption(overrides, message):
    with pytest.raises(AssumptionError, match=message):
        run_model(model_input=SIMPLE, overrides=overrides)


def test_all_bad_overrides_are_reported_at_once():
    with pytest.raises(AssumptionError) as info:
        run_model(model_input=SIMPLE, overrides={"take_up": 1.7, "quota_share": -1})
    assert "take_up" in str(info.value) and "quota_share" in str(info.value)


@pytest.mark.parametrize("horizon", [2015, 2040, "2020", 2020.0])
def test_bad_horizon_is_refused(horizon):
    with pytest.raises(ModelError, match="horizon"):
        run_model(model_input=SIMPLE, horizon=horizon)


def test_override_with_matching_unit_is_accepted():
    frame = run_model(model_input=SIMPLE, overrides={**SIMPLE_OVERRIDES, "take_up": (0.4, "share")})
    assert horizon_value(frame, "regulier", "placed") == pytest.approx(60)


def test_shift_distribution_moves_mass_and_keeps_the_total():
    f = np.array([[0.0, 1.0] + [0.0] * 8])
    up = shift_distribution(f, np.array([5.0]))
    np.testing.assert_allclose(up[0, :3], [0.0, 0.5, 0.5])
    down = shift_distribution(f, np.array([-10.0]))
    np.testing.assert_allclose(down[0, :2], [1.0, 0.0])
    top = shift_distribution(np.array([[0.0] * 9 + [1.0]]), np.array([10.0]))
    assert top[0, -1] == pytest.approx(1.0)


def test_every_scenario_sets_every_lever():
    levers = load_levers()
    assert set(levers) == {s.id for s in load_definitions().scenarios}


def test_declared_scenario_figures_match_the_assumptions():
    defs = load_definitions()
    a = load_assumptions()
    assert a["quota_share"].value == defs.scenario("regulier").quota.share
    assert a["public_employment_share"].value == defs.scenario("publiek").public_employment_share


def test_iamc_layout(simple):
    wide = to_iamc(simple)
    assert list(wide.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert list(wide.columns[5:]) == list(range(2015, 2021))
    row = wide[(wide.scenario == "regulier") & (wide.variable == "placed")]
    assert row[2020].iloc[0] == pytest.approx(75)


def test_clearing_the_data_cache_reaches_the_model():
    first = snapshot_input()
    assert snapshot_input() is first  # cached
    clear_cache()
    assert snapshot_input() is not first
    assert snapshot_input().regions == first.regions
