"""Sampling, propagation and drivers of the uncertainty analysis."""

from __future__ import annotations

import numpy as np
import pytest

from socecon.analysis import sensitivity
from socecon.analysis import uncertainty as u
from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import SocEconError
from socecon.model import run

REGIONS = ["GM0301", "isd_midden_langstraat"]


@pytest.fixture(scope="module")
def result():
    return u.run_uncertainty(REGIONS, 200, seed=7)


@pytest.mark.parametrize("method", ["lhs", "mc"])
def test_seeded_samples_reproduce_bit_for_bit(method):
    a = u.sample(64, method=method, seed=11, dirichlet_concentration=100)
    b = u.sample(64, method=method, seed=11, dirichlet_concentration=100)
    assert np.array_equal(a.values, b.values)
    for key in a.distributions:
        assert np.array_equal(a.distributions[key], b.distributions[key])
    assert not np.array_equal(a.values, u.sample(64, method=method, seed=12).values)


def test_seeded_propagation_reproduces_bit_for_bit(result):
    again = u.run_uncertainty(REGIONS, 200, seed=7)
    for key, arr in result.values.items():
        assert np.array_equal(arr, again.values[key], equal_nan=True), key


def test_latin_hypercube_has_one_value_per_stratum():
    n = 50
    unit = u.latin_hypercube(n, 6, np.random.default_rng(0))
    for column in unit.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))


def test_samples_stay_in_the_declared_ranges():
    s = u.sample(500, seed=3, method="mc")
    declared = {a.id: a for a in load_assumptions()}
    for j, p in enumerate(s.parameters):
        assert (p.low, p.high) == (declared[p.id].low, declared[p.id].high)
        assert s.values[:, j].min() >= p.low and s.values[:, j].max() <= p.high
    # Scalars with a point range (legal constants) are not sampled.
    assert "lks_cap" not in s.ids and "take_up" in s.ids


def test_dirichlet_perturbation_keeps_shares_and_empty_bands():
    s = u.sample(100, seed=1, dirichlet_concentration=200)
    wsw = s.distributions["loonwaarde_wsw"]
    assert np.allclose(wsw.sum(axis=1), 1.0)
    assert np.all(wsw[:, 0] == 0) and np.all(wsw[:, -1] == 0)  # empty in the default
    default = np.asarray(load_assumptions()["loonwaarde_wsw"].value)
    assert np.abs(wsw.mean(axis=0) - default).max() < 0.02


def test_interval_shrinks_when_a_range_is_narrowed_to_a_point():
    wide = u.run_uncertainty(["GM0301"], 200, seed=2)
    narrow = u.run_uncertainty(["GM0301"], 200, seed=2, ranges={"take_up": (0.6, 0.6)})
    # Narrowing keeps the column, so every other assumption gets the very same samples.
    j = wide.samples.ids.index("take_up")
    assert np.array_equal(
        np.delete(wide.samples.values, j, 1), np.delete(narrow.samples.values, j, 1)
    )
    assert np.all(narrow.samples.values[:, j] == 0.6)

    def width(res, scenario):
        row = res.summary().query("indicator == 'participation_rate' and scenario == @scenario")
        return float(row.p90.iloc[0] - row.p10.iloc[0])

    # Regulier is limited by take-up (people), so its interval shrinks most; Publiek's take-up is
    # its own factor times take_up, clipped at 1, and its werkbedrijf places often bind in the
    # low futures, so it shrinks less.
    assert width(narrow, "regulier") < 0.6 * width(wide, "regulier")
    assert width(narrow, "publiek") < width(wide, "publiek")
    assert width(narrow, "baseline") == pytest.approx(width(wide, "baseline"))


def test_every_range_at_its_default_gives_the_default_model():
    ranges = {p.id: (load_assumptions()[p.id].value,) * 2 for p in u.uncertain_parameters()}
    res = u.run_uncertainty(["GM0301"], 20, seed=0, ranges=ranges)
    table = res.summary()
    assert np.allclose(table.p10, table.p90, equal_nan=True)
    default = run(["GM0301"], years=[2020]).indicators()
    got = table[table.indicator == "participation_rate"].set_index("scenario")["median"]
    assert got.to_numpy() == pytest.approx(default["participation_rate"][0, 0, 0])


def test_chunks_do_not_change_results():
    s = u.sample(30, seed=4)
    a = u.propagate(s, ["GM0301", "GM0164"], chunk_size=7)
    b = u.propagate(s, ["GM0301", "GM0164"], chunk_size=30)
    for key in a.values:
        np.testing.assert_allclose(a.values[key], b.values[key], rtol=1e-12)


def test_summary_quantiles_are_ordered(result):
    table = result.summary()
    assert {"indicator", "label", "unit", "scenario", "region", "p10", "median", "p90"} <= set(
        table.columns
    )
    assert len(table) == len(u.DEFAULT_INDICATORS) * len(REGIONS) * 5
    ok = table.dropna(subset=["p10", "p90"])
    assert (ok.p10 <= ok["median"] + 1e-9).all() and (ok["median"] <= ok.p90 + 1e-9).all()


def test_average_ranks_by_hand():
    x = np.array([[10.0, 1.0], [20.0, 1.0], [20.0, 1.0], [5.0, 2.0]])
    expected = np.array([[1.0, 1.0], [2.5, 1.0], [2.5, 1.0], [0.0, 3.0]])
    assert np.array_equal(sensitivity.average_ranks(x), expected)


def test_srrc_recovers_monotone_drivers():
    rng = np.random.default_rng(0)
    x = rng.random((400, 3))
    y = np.column_stack([3 * x[:, 0], -(x[:, 1] ** 3), np.full(400, 2.0)])
    coef, r2 = sensitivity.srrc(x, y)
    assert coef[0, 0] == pytest.approx(1.0, abs=1e-9) and abs(coef[1, 0]) < 1e-9
    assert coef[1, 1] == pytest.approx(-1.0, abs=1e-9)
    assert r2[0] == pytest.approx(1.0) and np.isnan(r2[2]) and np.isnan(coef[:, 2]).all()


def test_take_up_drives_placements_where_people_are_the_limit(result):
    # Regulier is limited by take-up, not by the quota, in these regions (README table).
    top = result.drivers("placed", region="GM0301", scenario="regulier", top=3)
    assert top.iloc[0].parameter == "take_up" and top.iloc[0].srrc > 0.5
    # Publiek-privaat is limited by its contracted places.
    top = result.drivers("placed", region="GM0301", scenario="publiek_privaat", top=1)
    assert top.iloc[0].parameter == "pps_places_per_1000_jobs"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: u.sample(10, method="sobol"), ["'sobol'"]),
        (lambda: u.sample(1), ["integer >= 2", "1"]),
        (lambda: u.sample(10, ranges={"take_upp": (0, 1)}), ["'take_upp'", "unknown"]),
        (lambda: u.sample(10, ranges={"take_up": (0.2, 1.5)}), ["'take_up'", "1.5"]),
        (lambda: u.sample(10, ranges={"wml_month": (1, 2)}), ["'wml_month'", "series"]),
        (lambda: u.run_uncertainty("GM0301", 5, indicators=["jobs"]), ["'jobs'"]),
    ],
)
def test_bad_requests_are_refused_with_the_item(call, words):
    with pytest.raises(SocEconError) as info:
        call()
    assert isinstance(info.value, u.UncertaintyError)
    for word in words:
        assert word in str(info.value)
