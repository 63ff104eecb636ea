"""Indicator formulas against hand-computed numbers, and the declaration-registry link."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.model.indicators import (
    Components,
    annual_wage_cost,
    benefit_saving_per_person,
    registry,
    wage_cost_subsidy_per_person,
    werkbedrijf_deficit_per_person,
)

# 2020-01 minimum wage (1,653.60): 12 x 1,653.60 x 1.08 x 1.235 = 26,466.86
LK_2020_01 = 12 * 1653.60 * 1.08 * 1.235
#: The legal parameters as declared in assumptions.yaml (the functions have no defaults).
LEGAL = {key: load_assumptions()[key].value for key in ("holiday_pay", "employer_charges")}
CAP = load_assumptions()["lks_cap"].value


def test_the_declared_legal_parameters_are_the_law():
    assert (LEGAL["holiday_pay"], LEGAL["employer_charges"], CAP) == (0.08, 0.235, 0.70)


def test_every_declared_indicator_has_a_function_and_vice_versa():
    declared = {d.id for d in load_indicator_definitions()}
    assert declared == set(registry())


def test_declarations_have_dutch_labels_units_and_directions():
    for d in load_indicator_definitions():
        assert d.label and d.unit and d.formula
        assert d.direction in {"higher", "lower", "neutral"}


def test_annual_wage_cost():
    assert annual_wage_cost(1653.60, **LEGAL) == pytest.approx(26466.86, abs=0.01)


@pytest.mark.parametrize(
    ("loonwaarde", "hours", "expected"),
    [
        (0.55, 1.0, 0.45 * LK_2020_01),  # 11,910.09: the gap to WML
        (0.20, 1.0, 0.70 * LK_2020_01),  # 18,526.80: capped at 70 % of WML
        (0.30, 1.0, 0.70 * LK_2020_01),  # exactly at the cap
        (0.80, 0.5, 0.20 * LK_2020_01 * 0.5),  # pro rata hours: 2,646.69
        (1.00, 1.0, 0.0),  # full productivity: no subsidy
        (1.20, 1.0, 0.0),  # never negative
    ],
)
def test_wage_cost_subsidy_legal_formula(loonwaarde, hours, expected):
    got = wage_cost_subsidy_per_person(loonwaarde, 1653.60, hours, CAP, **LEGAL)
    assert got == pytest.approx(expected, rel=1e-12)


def test_wage_cost_subsidy_in_euros():
    lks = partial(wage_cost_subsidy_per_person, wml_month=1653.60, hours_factor=1.0, cap=CAP)
    assert lks(0.55, **LEGAL) == pytest.approx(11910.09, abs=0.01)
    assert lks(0.10, **LEGAL) == pytest.approx(18526.80, abs=0.01)


def test_benefit_saving_is_capped_by_the_net_wage():
    # Part-time: net wage 1,500 x 0.9 x 0.5 = 675 < norm 1,000: only 675 a month is saved.
    assert benefit_saving_per_person(1000, 1500, 0.5, 0.9, 1.0) == pytest.approx(12 * 675)
    # Full-time: net wage 1,350 > norm: the whole benefit is saved.
    assert benefit_saving_per_person(1000, 1500, 1.0, 0.9, 1.0) == pytest.approx(12 * 1000)
    # Per-person share of the norm (couples): 0.714 x 1,000.
    assert benefit_saving_per_person(1000, 1500, 1.0, 0.9, 0.714) == pytest.approx(12 * 714)


def test_werkbedrijf_deficit():
    # 26,000 x (1 - 0.5 x 0.8) = 15,600
    assert werkbedrijf_deficit_per_person(0.5, 26000, 1.0, 0.8) == pytest.approx(15600)
    assert werkbedrijf_deficit_per_person(0.5, 26000, 0.5, 0.8) == pytest.approx(7800)
    assert werkbedrijf_deficit_per_person(0.95, 26000, 1.0, 1.2) == 0.0


def _components(**overrides):
    base = {name: np.array([0.0]) for name in Components.names()}
    base["target_group"] = np.array([[100.0, 100.0]])
    base["placed"] = np.array([[30.0, 10.0]])
    base.update({k: np.asarray(v, dtype=float) for k, v in overrides.items()})
    return Components(**base)


def test_ratio_indicators_by_hand():
    c = _components(
        wage_cost_subsidy=[200_000],
        operating_subsidy=[50_000],
        guidance_cost=[30_000],
        overhead_cost=[10_000],
        fallback_cost=[6_000],
        dagbesteding_cost=[4_000],
        benefit_savings=[120_000],
        # the payers' shares of gross 300,000 - savings 120,000 = 180,000
        net_cost_gemeente=[150_000],
        net_cost_rijk=[40_000],
        net_cost_uwv=[-10_000],
        production_value=[300_000],
        social_value=[60_000],
        placed_regular=[30],
        quota_required=[50],
        quota_levy=[100_000],
    )
    f = registry()
    assert f["participation_rate"](c) == pytest.approx([20.0])  # 40 / 200
    np.testing.assert_allclose(f["left_out"](c), [[70.0, 90.0]])
    # 200k + 50k + 30k + 10k + 6k (bijstand for ex-Wsw) + 4k (dagbesteding)
    assert f["gross_cost"](c) == pytest.approx([300_000])
    assert f["net_cost"](c) == pytest.approx([150_000])  # the gemeente's own
    assert f["net_cost_rijk"](c) == pytest.approx([40_000])
    assert f["net_cost_uwv"](c) == pytest.approx([-10_000])
    assert f["net_cost_total"](c) == pytest.approx([180_000])  # 150k + 40k - 10k
    assert f["net_cost_per_placed"](c) == pytest.approx([3_750])  # the gemeente's 150,000 / 40
    assert f["regular_share"](c) == pytest.approx([75.0])
    assert f["sroi"](c) == pytest.approx([1.6])  # (300k + 120k + 60k) / 300k
    assert f["quota_compliance"](c) == pytest.approx([80.0])  # 40 of 50
    assert f["quota_levy"](c) == pytest.approx([100_000])


def test_ratios_are_empty_when_nobody_is_placed():
    c = _components(placed=[[0.0, 0.0]])
    f = registry()
    assert np.isnan(f["net_cost_per_placed"](c)).all()
    assert np.isnan(f["regular_share"](c)).all()
    assert np.isnan(f["sroi"](c)).all()  # no cost at all
