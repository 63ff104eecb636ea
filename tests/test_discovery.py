"""Scenario discovery (PRIM) and per-option drivers of the wind tunnel."""

from __future__ import annotations

import numpy as np
import pytest

from socecon.analysis import discovery, windtunnel
from socecon.analysis.criteria import Goal
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import WindTunnelError
from socecon.report import policy


def _cube(n: int = 4000, d: int = 6, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).random((n, d))


def test_prim_recovers_a_known_box() -> None:
    x = _cube()
    fails = (x[:, 1] < 0.3) & (x[:, 4] > 0.6)
    box = discovery.prim(x, fails)
    bounds = {r.column: (r.low, r.high) for r in box.restrictions}
    assert set(bounds) == {1, 4}
    assert bounds[1][0] is None and bounds[1][1] == pytest.approx(0.3, abs=0.03)
    assert bounds[4][1] is None and bounds[4][0] == pytest.approx(0.6, abs=0.03)
    assert box.density > 0.95 and box.coverage > 0.85
    assert box.base_rate == pytest.approx(fails.mean())


def test_prim_with_noise_finds_the_interval_and_reports_coverage() -> None:
    x = _cube(seed=5)
    rng = np.random.default_rng(6)
    inside = (x[:, 2] > 0.4) & (x[:, 2] < 0.7)
    fails = np.where(inside, rng.random(len(x)) < 0.9, rng.random(len(x)) < 0.1)
    box = discovery.prim(x, fails)
    (r,) = box.restrictions
    assert r.column == 2
    assert r.low == pytest.approx(0.4, abs=0.05) and r.high == pytest.approx(0.7, abs=0.05)
    in_box = (x[:, 2] >= r.low) & (x[:, 2] <= r.high)
    assert box.density == pytest.approx(fails[in_box].mean())
    assert box.coverage == pytest.approx(fails[in_box].sum() / fails.sum())
    assert box.lift > 2


def test_prim_is_deterministic_and_honours_max_restrictions() -> None:
    x = _cube(seed=7)
    fails = (x[:, 0] < 0.5) & (x[:, 1] < 0.7) & (x[:, 2] > 0.3) & (x[:, 3] < 0.8)
    first = discovery.prim(x, fails, max_restrictions=2)
    assert first == discovery.prim(x, fails, max_restrictions=2)
    assert len(first.restrictions) == 2
    assert first.restrictions[0].column == 0  # the strongest condition first


def test_prim_without_structure_or_cases() -> None:
    x = _cube(seed=8)
    assert discovery.prim(x, np.zeros(len(x), bool)).restrictions == ()
    assert discovery.prim(x, np.ones(len(x), bool)).density == 1.0
    noise = np.random.default_rng(9).random(len(x)) < 0.5
    assert discovery.prim(x, noise).lift < load_windtunnel().discovery.min_lift
    with pytest.raises(WindTunnelError, match="shape"):
        discovery.prim(x, noise[:10])


@pytest.fixture(scope="module")
def result():
    goal = Goal(participation_min=20, net_cost_per_placed_max=20000)
    return windtunnel.evaluate("GM0772", goal=goal, n_samples=1000, seed=1, second_look=1)


def test_option_table_on_the_wind_tunnel(result) -> None:
    table = result.table()
    per_option = table.drop_duplicates("option").set_index("option")
    shown = load_windtunnel().drivers_shown
    for option, row in per_option.iterrows():
        assert 0 < len(row["drivers"]) <= shown
        sizes = [abs(d[3]) for d in row["drivers"]]
        assert sizes == sorted(sizes, reverse=True)
        if row["class"] in ("robust", "dominated"):
            assert np.isnan(row["fail_share"]) and row["breaks_when"] == ()
        else:
            assert 0 < row["fail_share"] < 1
        for pid, _label, _unit, low, high in row["breaks_when"]:
            measure = pid.split(":")[1] if ":" in pid else None
            assert (
                measure is None
                or measure in dict((o.id, o.measures) for o in result.options)[option]
            )
            assert low is not None or high is not None
    # The same seed gives the same boxes.
    again = result.table().drop_duplicates("option")["breaks_when"].tolist()
    assert again == per_option["breaks_when"].tolist()


def test_a_box_holds_where_the_option_fails(result) -> None:
    """Inside the reported box the option fails at the reported density."""
    found = discovery.where_it_breaks(result)
    fail = discovery.failures(result)
    status = result.judgement.status
    checked = 0
    for o, item in enumerate(found):
        if item is None or not item[0].restrictions:
            continue
        box, cols = item
        x = result.samples.values[:, cols]
        inside = np.ones(len(x), bool)
        for r in box.restrictions:
            lo = -np.inf if r.low is None else r.low
            hi = np.inf if r.high is None else r.high
            inside &= (x[:, r.column] >= lo) & (x[:, r.column] <= hi)
        scen = np.flatnonzero(status[o] != "holds")
        assert fail[o][np.ix_(scen, inside)].mean() == pytest.approx(box.density)
        checked += 1
    assert checked


def test_report_texts(result) -> None:
    table = result.table()
    texts = {o: policy.breaks_when_nl(table, o) for o in table["option"].unique()}
    boxed = [t for t in texts.values() if t.startswith("faalt vooral als")]
    assert boxed, texts
    assert all("%" in t and "." not in t.split("(")[0].replace("1.000", "") for t in boxed)
    sentence = policy.drivers_nl(table)
    assert sentence.startswith("Bij ") and sentence.endswith(".")
    html = policy.windtunnel_summary(table).data
    assert "Waar het misgaat" in html and "faalt vooral als" in html
    spec = policy.drivers_figure(table).to_dict()
    assert spec["description"] == sentence
