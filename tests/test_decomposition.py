"""The decomposition of a municipality's gap from the national participation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socecon.analysis.decomposition import FACTORS, counterfactual, decompose, national_input
from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import ModelError
from socecon.model import ModelInput, run

# Two municipalities that form the whole country and one labour-market region. GM0001 has the
# national mix (2:1:1 bijstand, Wsw, Wajong at half its size) but a higher effectiveness.
COUNTRY = pd.DataFrame(
    {
        "bijstand_15_aow": [1000.0, 3000.0],
        "wsw_employees": [500.0, 1500.0],
        "wajong": [500.0, 1500.0],
        "jobs": [1000.0, 30000.0],
        "effectiveness": [1.2, 1.0],
    },
    index=["GM0001", "GM0002"],
)
for column, name in (
    ("jobs", "region_jobs"),
    ("bijstand_15_aow", "region_bijstand_15_aow"),
    ("wsw_employees", "region_wsw_employees"),
    ("wajong", "region_wajong"),
):
    COUNTRY[name] = COUNTRY[column].sum()
INPUT = ModelInput.from_frame(COUNTRY)


def test_only_the_factor_that_differs_explains_the_gap():
    table = decompose(["GM0001"], model_input=INPUT).set_index("scenario")
    # Same mix and region as the nation: the whole gap is effectiveness.
    np.testing.assert_allclose(table["capacity"], 0.0, atol=1e-9)
    np.testing.assert_allclose(table["mix"], 0.0, atol=1e-9)
    np.testing.assert_allclose(table["effectiveness"], table["gap"], atol=1e-9)
    # Regulier is bound by take-up: 0.6 x 0.85 = 0.51 nationally, x 1.2 = 0.612 here, so the
    # share placed of the people in its window rises by a fifth. The other scenarios are bound
    # by their places here (no gap) or place more.
    regulier = table.loc["regulier"]
    assert regulier["participation"] == pytest.approx(1.2 * regulier["national"])
    assert (table["gap"] >= -1e-9).all()


def test_the_national_figure_is_the_country_as_one_region():
    table = decompose(["GM0002"], model_input=INPUT)
    national = run(model_input=national_input(INPUT), years=[2020])
    c = national.components
    expected = c.placed[-1, 0].sum(-1)[0] / c.target_group[-1, 0].sum(-1)[0] * 100
    np.testing.assert_allclose(table["national"], expected)
    # With every factor national, a municipality is a scaled copy of the country.
    values = load_assumptions().resolve()
    copy = counterfactual(INPUT, national_input(INPUT), (), values)
    part = run(model_input=copy, years=[2020]).components
    rate = part.placed[-1, 0].sum(-1) / part.target_group[-1, 0].sum(-1) * 100
    np.testing.assert_allclose(rate, np.vstack([expected, expected]), rtol=1e-12)


@pytest.mark.parametrize("overrides", [None, {"take_up": 0.9, "calibration_strength": 1.5}])
def test_parts_sum_exactly_to_the_gap_on_the_real_snapshot(overrides):
    regions = ["GM0784", "Zutphen", "GM0106", "isd_midden_langstraat", "GM0277"]
    table = decompose(regions, overrides=overrides)
    assert set(table.region) == {"GM0784", "GM0301", "GM0106", "isd_midden_langstraat", "GM0277"}
    known = table.dropna(subset=["gap"])
    total = known[list(FACTORS)].sum(axis=1)
    np.testing.assert_allclose(total, known["gap"], rtol=0, atol=1e-9)
    # The regional capacity never matters in the baseline (it places by observed rates).
    base = known[known.scenario == "baseline"]
    np.testing.assert_allclose(base["capacity"], 0.0, atol=1e-9)
    # Rozendaal (GM0277) has no target group: no participation and no parts.
    assert table[table.region == "GM0277"]["gap"].isna().all()


def test_refuses_samples():
    with pytest.raises(ModelError, match="one value per assumption"):
        decompose("GM0784", overrides={"take_up": np.array([0.5, 0.6])})
