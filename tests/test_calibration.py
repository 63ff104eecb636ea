"""The local calibration: hand-computed shrinkage, the held-out year, the real snapshot."""

from __future__ import annotations

import dataclasses
import runpy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socecon.data.snapshot import clear_cache
from socecon.definitions.calibration import load_calibration
from socecon.exceptions import CalibrationError, ModelError
from socecon.model import ModelInput, snapshot_input
from socecon.model.calibration import (
    calibrate,
    fit,
    observe,
    out_of_sample,
    select_strength,
    snapshot_calibration,
    snapshot_counts,
)

SPEC = load_calibration()
YEAR = SPEC.fit_years[0]
HELD_OUT = SPEC.held_out_year
STOCK, OUTFLOW = SPEC.exposure  # the exposure is the year-end stock plus the outflow


def _counts(rows: dict[str, tuple[float, float, float]], year: int = YEAR) -> pd.DataFrame:
    """Long counts from ``region: (outflow to work, year-end stock, outflow)``."""
    records = [
        (region, year, variable, value)
        for region, values in rows.items()
        for variable, value in zip((SPEC.numerator, STOCK, OUTFLOW), values, strict=True)
    ]
    return pd.DataFrame(records, columns=["region", "year", "variable", "value"])


# Two arbeidsmarktregio's. A: M1 10 of 100 to work, M2 30 of 100. B: M3 20 of 400, M4 nothing
# known (suppressed), M5 0 of 100. Exposure n = stock + outflow.
EXAMPLE = _counts(
    {
        "M1": (10, 60, 40),
        "M2": (30, 70, 30),
        "M3": (20, 300, 100),
        "M4": (np.nan, np.nan, np.nan),
        "M5": (0, 80, 20),
    }
)
REGIONS = ["M1", "M2", "M3", "M4", "M5"]
LABOUR_MARKET = ["A", "A", "B", "B", "B"]


def test_hand_computed_shrinkage_without_rounding():
    # Pooled rates: A = 40 / 200 = 0.2; B = 20 / 500 = 0.04 (M4 adds nothing); national 60 / 700.
    # tau = 0.04, tau^2 = 0.0016. Sampling variance m (1 - m) / n:
    #   M1, M2: 0.2 * 0.8 / 100 = 0.0016 -> w = 0.0016 / 0.0032 = 0.5
    #           M1: 0.2 + 0.5 (0.1 - 0.2) = 0.15;  M2: 0.2 + 0.5 (0.3 - 0.2) = 0.25
    #   M3: 0.04 * 0.96 / 400 = 0.000096 -> w = 0.0016 / 0.001696 = 0.9433962
    #           0.04 + 0.9433962 (0.05 - 0.04) = 0.0494340
    #   M4: no exposure -> w = 0, its region's rate 0.04
    #   M5: 0.04 * 0.96 / 100 = 0.000384 -> w = 0.0016 / 0.001984 = 0.8064516
    #           0.04 + 0.8064516 (0 - 0.04) = 0.0077419
    # Factors = rate / (60 / 700): 1.75, 2.9166667, 0.5767296, 0.4666667, 0.0903226.
    spec = dataclasses.replace(SPEC, rounding=0.0)
    cal = fit(observe(EXAMPLE, REGIONS, [YEAR], spec), LABOUR_MARKET, 0.04, spec)
    assert cal.national_rate == pytest.approx(60 / 700)
    np.testing.assert_allclose(cal.regional_rate, [0.2, 0.2, 0.04, 0.04, 0.04])
    np.testing.assert_allclose(cal.weight, [0.5, 0.5, 0.9433962, 0.0, 0.8064516], rtol=1e-6)
    np.testing.assert_allclose(cal.rate, [0.15, 0.25, 0.0494340, 0.04, 0.0077419], rtol=1e-5)
    np.testing.assert_allclose(
        cal.factor, [1.75, 2.9166667, 0.5767296, 0.4666667, 0.0903226], rtol=1e-5
    )
    assert np.isnan(cal.own_rate[3]) and cal.exposure[3] == 0


def test_hand_computed_rounding_variance():
    # CBS rounds to tens: every rounded count has variance 10^2 / 12 = 8.3333. One year, one
    # rounded numerator and two rounded exposure counts: (8.3333 + m^2 * 2 * 8.3333) / n^2.
    #   M1: m = 0.2, n = 100: 8.3333 * (1 + 2 * 0.04) / 10,000 = 0.0009
    #       s^2 = 0.0016 + 0.0009 = 0.0025 -> w = 0.0016 / 0.0041 = 0.3902439
    #       rate = 0.2 - 0.3902439 * 0.1 = 0.1609756 (M2: 0.2390244)
    assert SPEC.rounding == 10
    cal = fit(observe(EXAMPLE, REGIONS, [YEAR]), LABOUR_MARKET, 0.04)
    np.testing.assert_allclose(cal.weight[:2], [0.3902439, 0.3902439], rtol=1e-6)
    np.testing.assert_allclose(cal.rate[:2], [0.1609756, 0.2390244], rtol=1e-6)


def test_the_extremes_of_the_grid_are_the_region_and_the_own_rate():
    observed = observe(EXAMPLE, REGIONS, [YEAR])
    region = fit(observed, LABOUR_MARKET, 0.0).rate
    own = fit(observed, LABOUR_MARKET, np.inf).rate
    np.testing.assert_allclose(region, [0.2, 0.2, 0.04, 0.04, 0.04])
    np.testing.assert_allclose(own, [0.1, 0.3, 0.05, 0.04, 0.0])  # M4 keeps its region's rate


def test_without_a_region_or_counts_the_national_rate_is_the_prior():
    counts = _counts({"M1": (10, 60, 40), "M2": (30, 70, 30), "M3": (np.nan, 50, 10)})
    cal = fit(observe(counts, ["M1", "M2", "M3"], [YEAR]), ["A", None, "B"], 0.04)
    national = 40 / 200
    # M2 has no arbeidsmarktregio; region B has no usable count (M3's numerator is suppressed)
    np.testing.assert_allclose(cal.regional_rate, [0.1, national, national])
    assert cal.rate[2] == pytest.approx(national) and cal.weight[2] == 0
    assert cal.labour_market == ("A", "", "B")


def test_bad_counts_are_named():
    negative = _counts({"M1": (10, -60, 40)})
    with pytest.raises(CalibrationError, match=f"M1 {YEAR}: {STOCK} is negative"):
        observe(negative, ["M1"], [YEAR])
    too_many = _counts({"M1": (110, 60, 40)})
    with pytest.raises(CalibrationError, match=f"M1 {YEAR}: {SPEC.numerator} .110. exceeds"):
        observe(too_many, ["M1"], [YEAR])
    twice = pd.concat([_counts({"M1": (10, 60, 40)}), _counts({"M1": (20, 60, 40)})])
    with pytest.raises(CalibrationError, match=f"M1 {YEAR}: {SPEC.numerator} is given more"):
        observe(twice, ["M1"], [YEAR])
    with pytest.raises(CalibrationError, match="no municipality has bijstand counts"):
        fit(observe(_counts({"M1": (0, 0, 0)}), ["M1"], [YEAR]), ["A"], 0.01)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.integers(0, 40), st.integers(0, 400), st.integers(0, 60), st.sampled_from("ABC")
        ),
        min_size=1,
        max_size=8,
    ),
    tau=st.sampled_from(SPEC.grid[1:-1]),
)
def test_the_shrunk_rate_lies_between_the_own_and_the_regional_rate(data, tau):
    rows = {f"M{i}": (min(y, s + o), s, o) for i, (y, s, o, _) in enumerate(data)}
    regions = list(rows)
    observed = observe(_counts(rows), regions, [YEAR])
    if observed.exposure.sum() == 0:
        return
    cal = fit(observed, [d[3] for d in data], tau)
    own = np.where(np.isnan(cal.own_rate), cal.regional_rate, cal.own_rate)
    low, high = np.minimum(own, cal.regional_rate), np.maximum(own, cal.regional_rate)
    assert np.all((low - 1e-12 <= cal.rate) & (cal.rate <= high + 1e-12))
    assert np.all((cal.weight >= 0) & (cal.weight < 1))
    stronger = fit(observed, [d[3] for d in data], tau / 2)
    assert np.all(stronger.weight <= cal.weight)  # a smaller tau pulls harder to the region


# --- the held-out year ---------------------------------------------------------------------------


def test_the_held_out_year_is_refused():
    counts, labour_market = snapshot_counts(2015)
    with pytest.raises(CalibrationError, match=f"held-out year {HELD_OUT}"):
        calibrate(counts, labour_market, years=[*SPEC.fit_years, HELD_OUT])
    with pytest.raises(CalibrationError, match=f"held-out year {HELD_OUT}"):
        fit(observe(counts, labour_market.index, [HELD_OUT]), list(labour_market), 0.01)
    held_out_target = dataclasses.replace(SPEC, selection_target_year=HELD_OUT)
    with pytest.raises(CalibrationError, match=f"held-out year {HELD_OUT}"):
        select_strength(counts, labour_market, held_out_target)


def test_the_held_out_year_changes_nothing_that_is_fitted():
    counts, labour_market = snapshot_counts(2015)
    cal, selection = calibrate(counts, labour_market)
    held = counts["year"] == HELD_OUT
    assert held.sum() > 1000  # the snapshot does hold the held-out year
    perturbed = counts.copy()
    perturbed.loc[held, "value"] = perturbed.loc[held, "value"] * 3 + 10
    for other in (perturbed, counts[~held]):
        cal2, selection2 = calibrate(other, labour_market)
        assert np.array_equal(cal2.factor, cal.factor)
        assert cal2.tau == cal.tau
        pd.testing.assert_frame_equal(selection2.table, selection.table)
    # the check can fail: the same perturbation of a fitted year moves the factors
    fitted = counts.copy()
    last_fit = counts["year"] == SPEC.fit_years[-1]
    fitted.loc[last_fit, "value"] = fitted.loc[last_fit, "value"] * 3 + 10
    assert not np.array_equal(calibrate(fitted, labour_market)[0].factor, cal.factor)


# --- the real snapshot ---------------------------------------------------------------------------


def test_the_calibration_beats_the_national_rate_out_of_sample():
    counts, labour_market = snapshot_counts(2015)
    table, _, selection = out_of_sample(counts, labour_market)
    calibrated, national, own = (table.loc[k] for k in ("calibrated", "national", "own"))
    assert calibrated["rmse"] < national["rmse"] and calibrated["mae"] < national["mae"]
    assert calibrated["rmse"] <= own["rmse"] and calibrated["mae"] <= own["mae"]
    assert table["n_regions"].iloc[0] > 380  # 393 minus those merged away by the held-out year
    # the strength is chosen inside the grid: neither the region's nor the own rate alone
    assert selection.tau in SPEC.grid[1:-1]
    assert selection.table[SPEC.criterion].idxmin() == selection.tau
    assert selection.fit_years == SPEC.selection_fit_years


def test_the_readme_shows_the_table_the_script_prints(repo_root, capsys):
    script = repo_root / "benchmarks" / "out_of_sample.py"
    namespace = runpy.run_path(str(script), run_name="out_of_sample")
    namespace["main"]()
    printed = capsys.readouterr().out
    table = [line for line in printed.splitlines() if line.startswith("| (")]
    assert len(table) == 4
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for line in table:
        assert line in readme, line


def test_factors_are_positive_and_finite_for_every_municipality():
    assert len(snapshot_calibration().regions) == 342  # the default indeling of 2025
    cal = snapshot_calibration(2015)
    assert len(cal.regions) == 393
    assert np.all(np.isfinite(cal.factor) & (cal.factor > 0))
    # the exposure-weighted mean rate is the national rate: the factors average to 1
    assert np.average(cal.rate, weights=cal.exposure) == pytest.approx(cal.national_rate, 0.02)
    # the observed rates vary; the factors do too, less than the noisy own rates
    assert 0.05 < np.std(cal.factor) < np.nanstd(cal.own_rate / cal.national_rate)


def test_another_indeling_is_calibrated_from_its_own_counts():
    counts, labour_market = snapshot_counts(2015)
    members = ["GM0797", "GM0809", "GM0867"]
    merged = (
        counts[counts["region"].isin(members)]
        .groupby(["year", "variable"], as_index=False)["value"]
        .sum(min_count=1)
        .assign(region="GM9999")
    )
    rest = labour_market.drop(members)
    new_lm = pd.concat([rest, pd.Series({"GM9999": labour_market["GM0797"]})])
    cal, _ = calibrate(pd.concat([counts, merged]), new_lm)
    old = snapshot_calibration().frame()
    new = cal.frame()
    assert new.loc["GM9999", "exposure"] == old.loc[members, "exposure"].sum()
    assert np.isfinite(new.loc["GM9999", "factor"]) and len(new) == 391


# --- the model input -----------------------------------------------------------------------------


def test_the_snapshot_input_carries_the_factors():
    inp = snapshot_input()
    cal = snapshot_calibration()
    assert inp.regions == cal.regions
    assert np.array_equal(inp.effectiveness, cal.factor)
    sub = inp.subset(["GM0784", "GM0106"])
    assert list(sub.effectiveness) == [
        cal.factor[cal.regions.index("GM0784")],
        cal.factor[cal.regions.index("GM0106")],
    ]


def test_a_hand_built_input_is_national_and_bad_factors_are_refused():
    frame = pd.DataFrame(
        {"bijstand_15_aow": [10.0, 20.0], "wsw_employees": 0.0, "wajong": 0.0, "jobs": 100.0},
        index=["GM0001", "GM0002"],
    )
    assert list(ModelInput.from_frame(frame).effectiveness) == [1.0, 1.0]
    assert list(ModelInput.from_frame(frame.assign(effectiveness=[0.5, 2])).effectiveness) == [
        0.5,
        2.0,
    ]
    with pytest.raises(ModelError, match="effectiveness of GM0002 must be > 0"):
        ModelInput.from_frame(frame.assign(effectiveness=[1.0, 0.0]))
    with pytest.raises(ModelError, match="effectiveness has shape"):
        dataclasses.replace(ModelInput.from_frame(frame), effectiveness=np.ones(3))


def test_the_factors_are_computed_once_and_forgotten_with_the_snapshot():
    first = snapshot_calibration()
    assert snapshot_calibration() is first
    clear_cache()
    again = snapshot_calibration()
    assert again is not first and np.array_equal(again.factor, first.factor)


def test_the_2025_indeling_is_calibrated_from_its_converted_counts():
    # Factors of 2025 are fitted on the converted counts, never converted from those of 2015.
    counts, labour_market = snapshot_counts(2025)
    fitted = calibrate(counts, labour_market)[0]
    cal = snapshot_calibration(2025)
    assert fitted.regions == cal.regions and np.array_equal(fitted.factor, cal.factor)
    assert "GM1982" in cal.regions and "GM0756" not in cal.regions  # Land van Cuijk, not Boxmeer
    # Land van Cuijk's own rate is the ratio of its summed (converted) counts over 2015-2016.
    mine = counts[(counts["region"] == "GM1982") & counts["year"].isin([2015, 2016])]
    total = mine.groupby("variable")["value"].sum()
    at_risk = total["bijstand_15_aow"] + total["bijstand_outflow_15_aow"]
    own = cal.frame().loc["GM1982", "own_rate"]
    assert own == pytest.approx(total["bijstand_outflow_to_work"] / at_risk)
    assert snapshot_input().effectiveness[snapshot_input().regions.index("GM1982")] == (
        pytest.approx(cal.frame().loc["GM1982", "factor"])
    )
