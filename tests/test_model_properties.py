"""Invariants of the model over random valid assumptions and stocks (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socecon.definitions.assumptions import N_BANDS, load_assumptions
from socecon.model import ModelInput, run, shift_distribution
from socecon.model.indicators import Components

ASSUMPTIONS = load_assumptions()
SCALARS = [a for a in ASSUMPTIONS if a.kind == "scalar" and a.low < a.high]
DISTRIBUTIONS = [a for a in ASSUMPTIONS if a.kind == "distribution"]
#: Net costs per payer: a payer can save more than it spends, so these may be negative.
NET_COMPONENTS = ["net_cost_gemeente", "net_cost_rijk", "net_cost_uwv"]
COST_COMPONENTS = [
    "wage_cost_subsidy",
    "operating_subsidy",
    "guidance_cost",
    "overhead_cost",
    "fallback_cost",
    "dagbesteding_cost",
    "benefit_savings",
    "production_value",
    "social_value",
    "quota_levy",
]
# Assumptions that only one scenario's rules read: changing them must leave the others unchanged.
SCENARIO_SPECIFIC = {
    "se_places_per_1000_jobs": "sociaal_ondernemen",
    "se_place_subsidy": "sociaal_ondernemen",
    "quota_share": "regulier",
    "quota_fill_rate": "regulier",
    "quota_covered_share": "regulier",
    "pps_places_per_1000_jobs": "publiek_privaat",
    "pps_overhead_per_place": "publiek_privaat",
    "public_employment_share": "publiek",
    "werkbedrijf_target_share": "publiek",
    "werkbedrijf_revenue_ratio": "publiek",
    "werkbedrijf_management_per_place": "publiek",
    "wsw_cost_per_employee": "baseline",
    "wsw_municipal_share": "baseline",
    "dagbesteding_share": "regulier",
    "dagbesteding_cost_per_person": "regulier",
    "baseline_work_rate_bijstand": "baseline",
    "baseline_work_rate_wajong": "baseline",
    "take_up_factor_sociaal_ondernemen": "sociaal_ondernemen",
    "take_up_factor_regulier": "regulier",
    "take_up_factor_publiek_privaat": "publiek_privaat",
    "take_up_factor_publiek": "publiek",
    "wsw_retention_share": "publiek",
    "quota_law_2015": "regulier",
}

counts = st.floats(min_value=0, max_value=50_000, allow_nan=False)


@st.composite
def overrides(draw):
    out = {a.id: draw(st.floats(a.low, a.high, allow_nan=False)) for a in SCALARS}
    for a in DISTRIBUTIONS:
        raw = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=N_BANDS, max_size=N_BANDS)))
        raw = raw + 1e-3
        out[a.id] = (raw / raw.sum()).tolist()
    return out


@st.composite
def stocks(draw, n=3):
    """Three municipalities of one labour-market region that also has other municipalities."""
    frame = pd.DataFrame(
        {
            "bijstand_15_aow": draw(st.lists(counts, min_size=n, max_size=n)),
            "wsw_employees": draw(st.lists(counts, min_size=n, max_size=n)),
            "wajong": draw(st.lists(counts, min_size=n, max_size=n)),
            "jobs": draw(st.lists(st.floats(0, 500_000), min_size=n, max_size=n)),
            "effectiveness": draw(st.lists(st.floats(0.3, 2.0), min_size=n, max_size=n)),
        },
        index=["GM0797", "GM0809", "GM0867"],
    )
    for column, name in (
        ("jobs", "region_jobs"),
        ("bijstand_15_aow", "region_bijstand_15_aow"),
        ("wsw_employees", "region_wsw_employees"),
        ("wajong", "region_wajong"),
    ):
        frame[name] = frame[column].sum() + draw(st.floats(0, 100_000))
    return ModelInput.from_frame(frame)


def expected_capacity(inp, values, horizon=2020):
    """Each scenario's places per municipality at ``horizon``, from the declared rules."""
    share = {k: values[f"{k}_target_share"] for k in ("bijstand", "wsw", "wajong")}
    own = sum(share[k] * getattr(inp, k) for k in share)
    region = sum(share[k] * getattr(inp, f"region_{k}") for k in share)
    key = np.divide(own, region, out=np.zeros_like(own), where=region > 0)
    wsw_key = np.divide(inp.wsw, inp.region_wsw, out=np.zeros_like(own), where=inp.region_wsw > 0)
    w = np.where(inp.region_wsw > 0, values["sheltered_wsw_weight"], 0.0)
    sheltered = (1 - w) * key + w * wsw_key
    coverage = (1 - values["quota_law_2015"]) + values["quota_law_2015"] * values[
        "quota_covered_share"
    ]
    jobs = inp.region_jobs
    shifted = shift_distribution(
        np.array([values["loonwaarde_wsw"]]), np.array([values["loonwaarde_shift"]])
    )[0]
    in_window = shifted[2:9].sum()  # Publiek: 20-90 %
    growth = (1 + values["target_group_growth"]) ** (horizon - 2015)
    retained = inp.wsw * share["wsw"] * growth * in_window * values["wsw_retention_share"]
    return {
        "sociaal_ondernemen": values["se_places_per_1000_jobs"] * jobs / 1000 * sheltered,
        "regulier": values["quota_share"] * coverage * jobs * values["quota_fill_rate"] * key,
        "publiek_privaat": values["pps_places_per_1000_jobs"] * jobs / 1000 * key,
        "publiek": np.maximum(
            values["public_employment_share"]
            * values["werkbedrijf_target_share"]
            * jobs
            * sheltered,
            retained,
        ),
    }


PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(inp=stocks(), values=overrides())
def test_no_negative_counts_or_costs(inp, values):
    c = run(model_input=inp, overrides=values).components
    for name in Components.names():
        if name not in NET_COMPONENTS:
            assert np.all(getattr(c, name) >= -1e-9), name
    for name in COST_COMPONENTS + NET_COMPONENTS:
        assert np.all(np.isfinite(getattr(c, name))), name
    # The Rijk only pays (the Wsw subsidy); it saves nothing.
    assert np.all(c.net_cost_rijk >= -1e-9)


@PROPERTY_SETTINGS
@given(inp=stocks(), values=overrides())
def test_the_payers_net_costs_add_up_to_the_total(inp, values):
    model = run(model_input=inp, overrides=values)
    c, ind = model.components, model.indicators()
    payers = c.net_cost_gemeente + c.net_cost_rijk + c.net_cost_uwv
    total = ind["gross_cost"] - ind["benefit_savings"]
    scale = 1.0 + np.abs(ind["gross_cost"]) + np.abs(ind["benefit_savings"])
    assert np.all(np.abs(payers - total) <= 1e-9 * scale)
    np.testing.assert_allclose(ind["net_cost_total"], payers, rtol=1e-12, atol=1e-6)
    np.testing.assert_array_equal(ind["net_cost"], c.net_cost_gemeente)


@PROPERTY_SETTINGS
@given(inp=stocks(), values=overrides())
def test_placements_never_exceed_target_group_or_capacity(inp, values):
    model = run(model_input=inp, overrides=values, years=[2020])
    c = model.components
    tolerance = 1e-6 * (1 + c.target_group)
    assert np.all(c.placed <= c.target_group + tolerance)
    placed = c.placed[0, 0].sum(axis=-1)  # (R, K) at the horizon
    k = {s: i for i, s in enumerate(model.scenarios)}
    for scenario, cap in expected_capacity(inp, model.values).items():
        assert np.all(placed[:, k[scenario]] <= cap * (1 + 1e-9) + 1e-9), scenario


@PROPERTY_SETTINGS
@given(inp=stocks(), values=overrides())
def test_a_group_equals_the_sum_of_its_members(inp, values):
    members = run(["GM0797", "GM0809", "GM0867"], model_input=inp, overrides=values)
    group = run(["isd_midden_langstraat"], model_input=inp, overrides=values)
    for name in Components.names():
        summed = getattr(members.components, name).sum(axis=2)
        np.testing.assert_allclose(
            getattr(group.components, name)[:, :, 0], summed, rtol=1e-9, atol=1e-6
        )


@PROPERTY_SETTINGS
@given(inp=stocks(), values=overrides())
def test_placements_only_inside_each_scenario_window(inp, values):
    model = run(model_input=inp, overrides=values, years=[2020])
    placed = model.components.placed[0, 0]  # (R, K, B)
    from socecon.definitions import load_definitions

    defs = load_definitions()
    for k, scenario_id in enumerate(model.scenarios):
        scenario = defs.scenario(scenario_id)
        if scenario.productivity is None:
            continue
        for b in range(N_BANDS):
            if not scenario.productivity.contains(b * 10 + 5):
                assert np.all(placed[:, k, b] == 0), (scenario_id, b)


@settings(max_examples=15, deadline=None)
@given(
    inp=stocks(),
    key=st.sampled_from(sorted(SCENARIO_SPECIFIC)),
    position=st.floats(0.0, 1.0),
)
def test_scenarios_differ_exactly_where_their_declarations_differ(inp, key, position):
    a = ASSUMPTIONS[key]
    base = run(model_input=inp, years=[2020])
    new_value = a.low + position * (a.high - a.low)
    changed = run(model_input=inp, overrides={key: new_value}, years=[2020])
    owner = SCENARIO_SPECIFIC[key]
    for k, scenario in enumerate(base.scenarios):
        if scenario == owner:
            continue
        for name in Components.names():
            np.testing.assert_array_equal(
                getattr(base.components, name)[:, :, :, k],
                getattr(changed.components, name)[:, :, :, k],
                err_msg=f"{key} changed {scenario}.{name}",
            )
