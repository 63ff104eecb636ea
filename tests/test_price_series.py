"""The minimum wage and the bijstandsnorm per year: sourced steps, growth only after the last."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socecon.definitions.assumptions import load_assumptions, parse_assumptions
from socecon.definitions.schema import Problems
from socecon.model import ModelInput, run

SERIES = load_assumptions()
NORM = SERIES["bijstand_norm_month"]
WML = SERIES["wml_month"]


def test_every_year_has_a_sourced_value_up_to_the_last():
    for series in (NORM, WML):
        years = {int(d[:4]) for d in series.value}
        assert years == set(range(2015, series.last_year + 1)), series.id
        assert series.last_year == 2025


def test_the_2020_norm_lies_below_2021_and_is_the_mean_of_its_half_years():
    # 1 January 2020: 1,050.00 for six months, 1 July 2020: 1,059.03 for six months.
    assert NORM.series_value(2020) == pytest.approx((1050.00 + 1059.03) / 2)
    assert NORM.series_value(2020) < NORM.series_value(2021)
    # the old linear interpolation from 2018 to 2024 gave 1,113.67 for 2020, above 2021
    assert NORM.series_value(2020) < 1113.67 - 50


def test_the_2023_jump_stays_in_2023():
    for series in (NORM, WML):
        before, jump = series.series_value(2022), series.series_value(2023)
        assert jump / before > 1.08, series.id  # the 10 % increase of 1 January 2023
        # 2022 is the mean of its own two half-years only: nothing of 2023 leaks into it
        assert before == pytest.approx((series.value["2022-01"] + series.value["2022-07"]) / 2)
    assert NORM.series_value(2022) / NORM.series_value(2021) < 1.03


def test_a_value_holds_until_the_next_date():
    # 2016 has only a January value (July was not found): it holds all year.
    assert NORM.series_value(2016) == pytest.approx(972.70)
    # 2017: 980.33 from January, 986.52 from July
    assert NORM.series_value(2017) == pytest.approx((980.33 + 986.52) / 2)


def test_a_series_with_a_missing_year_is_refused():
    entry = {
        "id": "gappy",
        "label": "Reeks met een gat",
        "kind": "series",
        "unit": "EUR/month",
        "value": {"2018-01": 1.0, "2020-01": 2.0},
        "source": "test",
        "source_nl": "test",
        "reliability": "U",
    }
    problems = Problems("assumptions.yaml")
    parse_assumptions({"assumptions": [entry]}, problems, ["EUR/month"])
    assert any("missing [2019]" in p for p in problems.items), problems.items


def _cost(wage_growth: float, year: int) -> tuple[float, float]:
    inp = ModelInput.from_frame(
        pd.DataFrame(
            {"bijstand_15_aow": [1000.0], "wsw_employees": [0.0], "wajong": [0.0], "jobs": [1e4]},
            index=["GM0001"],
        )
    )
    model = run(model_input=inp, horizon=2030, years=[year], overrides={"wage_growth": wage_growth})
    c = model.components
    k = model.scenarios.index("regulier")
    return float(c.wage_cost_subsidy[0, 0, 0, k]), float(c.benefit_savings[0, 0, 0, k])


def test_growth_applies_only_after_the_last_known_year():
    # Up to 2025 the sourced values hold whatever growth is assumed ...
    assert _cost(0.0, 2025) == pytest.approx(_cost(0.04, 2025))
    # ... from 2026 on the assumption moves them: the subsidy scales with the minimum wage.
    low, high = _cost(0.0, 2026), _cost(0.04, 2026)
    assert high[0] / low[0] == pytest.approx(1.04)
    assert np.all(np.array(high) > np.array(low))
