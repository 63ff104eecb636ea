"""Reading the model's long table: selection, wide views, the summary and the IAMC layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socecon.definitions import MODEL_VERSION
from socecon.exceptions import ModelError
from socecon.model import ModelInput, run_model
from socecon.model.results import (
    LONG_COLUMNS,
    SUMMARY_VARIABLES,
    last_year,
    select,
    summary,
    to_iamc,
    wide,
)

# Two municipalities of different size, so that every cell of a wide view is distinct.
INPUT = ModelInput.from_frame(
    pd.DataFrame(
        {
            "bijstand_15_aow": [1000.0, 3000.0],
            "wsw_employees": [100.0, 200.0],
            "wajong": [50.0, 80.0],
            "jobs": [10000.0, 25000.0],
        },
        index=["GM0001", "GM0002"],
    )
)


@pytest.fixture(scope="module")
def frame():
    return run_model(model_input=INPUT, years=[2015, 2018, 2020])


def value(frame, region, year, scenario, variable):
    """The one value of a cell, read the long way."""
    rows = frame[
        (frame.region == region)
        & (frame.year == year)
        & (frame.scenario == scenario)
        & (frame.variable == variable)
    ]
    assert len(rows) == 1
    return float(rows.value.iloc[0])


def test_long_table_has_the_declared_columns(frame):
    assert list(frame.columns) == LONG_COLUMNS


def test_select_by_one_value_or_several(frame):
    rows = select(frame, "GM0002", 2018, "regulier", "placed")
    assert len(rows) == 1
    assert float(rows.value.iloc[0]) == value(frame, "GM0002", 2018, "regulier", "placed")
    several = select(frame, region=["GM0001", "GM0002"], year=[2015, 2020], variable="placed")
    assert set(several.region) == {"GM0001", "GM0002"}
    assert set(several.year) == {2015, 2020}
    assert set(several.variable) == {"placed"}
    assert len(several) == 2 * 2 * frame.scenario.nunique()
    assert select(frame) is frame
    assert select(frame, region="GM9999").empty


def test_last_year(frame):
    assert last_year(frame) == 2020
    assert last_year(frame, "GM0001") == 2020
    with pytest.raises(ModelError, match="GM9999"):
        last_year(frame, "GM9999")


def test_wide_is_scenarios_by_indicators(frame):
    table = wide(frame, "GM0001", 2020)
    assert list(table.index) == list(frame.scenario.cat.categories)
    assert "placed" in table.columns and "net_cost" in table.columns
    for scenario in table.index:
        for variable in ("placed", "net_cost", "participation_rate"):
            assert table.loc[scenario, variable] == value(frame, "GM0001", 2020, scenario, variable)


def test_wide_other_axes(frame):
    path = wide(frame, "GM0002", variable="placed", index="year", columns="scenario")
    assert list(path.index) == [2015, 2018, 2020]
    assert path.loc[2018, "regulier"] == value(frame, "GM0002", 2018, "regulier", "placed")
    by_region = wide(frame, year=2020, variable="placed", index="region", columns="scenario")
    assert list(by_region.index) == ["GM0001", "GM0002"]
    assert by_region.loc["GM0002", "publiek"] == value(frame, "GM0002", 2020, "publiek", "placed")


def test_wide_keeps_empty_indicators_on_request(frame):
    empty = frame.copy()
    empty.loc[empty.variable == "sroi", "value"] = np.nan
    assert "sroi" not in wide(empty, "GM0001", 2020).columns
    assert wide(empty, "GM0001", 2020, dropna=False)["sroi"].isna().all()


def test_summary_shows_the_key_indicators(frame):
    table = summary(frame, "GM0001")
    assert list(table.columns) == list(SUMMARY_VARIABLES)
    assert table.loc["regulier", "placed"] == value(frame, "GM0001", 2020, "regulier", "placed")
    earlier = summary(frame, "GM0001", 2018)
    assert earlier.loc["regulier", "placed"] == value(frame, "GM0001", 2018, "regulier", "placed")
    with pytest.raises(ModelError, match="GM9999"):
        summary(frame, "GM9999")


def test_iamc_has_one_column_per_year(frame):
    table = to_iamc(frame)
    assert list(table.columns) == [
        "model",
        "scenario",
        "region",
        "variable",
        "unit",
        2015,
        2018,
        2020,
    ]
    assert set(table.model) == {f"socecon v{MODEL_VERSION}"}  # name and declared version
    row = table[
        (table.region == "GM0002") & (table.scenario == "publiek") & (table.variable == "placed")
    ]
    assert row[2018].iloc[0] == value(frame, "GM0002", 2018, "publiek", "placed")
