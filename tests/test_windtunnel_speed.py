"""The wind tunnel's shortcuts give exactly what the plain computation gives.

The samples are drawn once per process and shared by every region of a batch (a report kernel
keeps them); the regret is sorted once for its percentile and its median; PRIM peels on sorted
inputs and sums exactly where it can; dominance rules pairs out on a few samples first. Each
shortcut is checked bit for bit against the plain way (the quantiles: tests/test_quantiles.py).
"""

from __future__ import annotations

import dataclasses
import gc
import math

import numpy as np
import pytest

from socecon.analysis import criteria, discovery, sensitivity
from socecon.analysis import windtunnel as w
from socecon.analysis.option_runs import effect_parameters
from socecon.analysis.quantiles import nanmedian
from socecon.analysis.uncertainty import sample
from socecon.definitions.effects import load_measure_effects

GOAL = criteria.Goal(participation_min=20, net_cost_per_placed_max=20000)
ARRAYS = ("participation", "placed", "net_cost", "net_cost_per_placed", "programme_cost")


def test_percentile_interval_is_numpys_quantile_bit_for_bit():
    rng = np.random.default_rng(5)
    for case in range(400):
        n = int(rng.integers(2, 40)) if case % 2 else int(rng.integers(500, 3000))
        x = rng.normal(size=(2, 3, n)) * 10.0 ** rng.integers(-2, 6)
        if case % 3 == 0:
            x = np.round(x)  # ties
        if case % 5 == 0:
            x[rng.random(x.shape) < 0.3] = np.nan  # NaN counts as larger than every number
        if case % 7 == 0:
            x[0] = np.inf
        q = float(rng.choice([0.1, 0.5, 0.9, 0.95, 1.0, rng.random()]))
        z = float(rng.choice([1.96, 2.73]))
        estimate, low, high = criteria.percentile_interval(x, q, z)
        ordered = np.sort(np.nan_to_num(x, nan=np.inf), axis=-1)
        with np.errstate(invalid="ignore"):
            expected = np.quantile(ordered, q, axis=-1)
        spread = z * math.sqrt(n * q * (1 - q))
        lo = min(n - 1, max(0, math.floor(n * q - spread) - 1))
        hi = min(n - 1, max(0, math.ceil(n * q + spread) - 1))
        assert np.array_equal(estimate, expected, equal_nan=True), (case, n, q)
        assert np.array_equal(low, ordered[..., lo]) and np.array_equal(high, ordered[..., hi])
    one = criteria.percentile_interval(np.array([3.0, 1.0, 2.0, 10.0]), 0.5, 1.0)[0]
    assert one == np.quantile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5


def test_median_regret_is_numpys_nanmedian_bit_for_bit():
    rng = np.random.default_rng(6)
    for size in (60, 599, 600, 4000, 4001):
        a = rng.normal(size=(3, 2, size)) * 1000
        assert np.array_equal(nanmedian(a), np.nanmedian(a, axis=2))
        a[0, 1, ::3] = np.nan
        assert np.array_equal(nanmedian(a), np.nanmedian(a, axis=2), equal_nan=True)


def test_samples_are_drawn_once_per_process_and_cannot_be_changed():
    w._SAMPLE_CACHE.clear()
    extra = effect_parameters(load_measure_effects())
    first = w.draw_samples(50, 4, extra=extra)
    assert w.draw_samples(50, 4, extra=extra) is first
    plain = sample(50, seed=4, extra=extra)
    assert np.array_equal(first.values, plain.values) and first.ids == plain.ids
    with pytest.raises(ValueError, match="read-only"):
        first.values[0, 0] = 1.0
    # Every argument that changes the draw is part of the key.
    assert w.draw_samples(50, 5, extra=extra) is not first
    assert w.draw_samples(51, 4, extra=extra) is not first
    assert w.draw_samples(50, 4, extra=extra, method="mc") is not first
    assert w.draw_samples(50, 4, extra=extra[:-1]) is not first
    pinned = w.draw_samples(50, 4, extra=extra, ranges={"take_up": (0.6, 0.6)})
    assert pinned is not first and np.all(pinned.column("take_up") == 0.6)
    # A seed of None draws fresh entropy every time and is never kept.
    kept = len(w._SAMPLE_CACHE)
    assert not np.array_equal(w.draw_samples(50, None).values, w.draw_samples(50, None).values)
    assert len(w._SAMPLE_CACHE) == kept
    # The second look's pooled samples: the first ones, then a fresh draw of the new seed.
    more, pooled = w.second_samples(first, 3, extra=extra)
    assert w.second_samples(first, 3, extra=extra)[1] is pooled
    seed = int(np.random.SeedSequence([4, 1]).generate_state(1)[0])
    fresh = sample(100, seed=seed, extra=extra)
    assert np.array_equal(pooled.values, np.concatenate([plain.values, fresh.values]))
    assert np.array_equal(more.values, fresh.values)
    for _ in range(w._SAMPLE_CACHE_SIZE + 1):  # the cache keeps only the newest few
        w.draw_samples(20, int(np.random.default_rng().integers(100, 10**6)))
    assert len(w._SAMPLE_CACHE) == w._SAMPLE_CACHE_SIZE


@pytest.mark.parametrize("region", ["GM0301", "isd_midden_langstraat"])
def test_kept_samples_give_the_same_result_as_drawn_ones(region):
    w._SAMPLE_CACHE.clear()
    drawn = w.evaluate(region, goal=GOAL, n_samples=60, seed=3, second_look=3)
    kept = w.evaluate(region, goal=GOAL, n_samples=60, seed=3, second_look=3)
    assert kept.samples is drawn.samples  # the second call used the kept samples
    assert drawn.looks == 2 and len(drawn.samples) == 180  # with a second look
    for name in ARRAYS:
        assert np.array_equal(getattr(kept, name), getattr(drawn, name), equal_nan=True), name
    assert kept.table().equals(drawn.table())


# --- the table: PRIM, the drivers and what is kept with the samples ------------------------


def _plain_peel(x, y, alpha, min_mass):
    """PRIM's peeling as first written: every step recounts the whole box on every input."""
    n, n_cols = x.shape
    xt = np.ascontiguousarray(x.T)
    order = np.argsort(xt, axis=1, kind="stable")
    ordered = np.take_along_axis(xt, order, axis=1)
    lo, hi = np.full(n_cols, -np.inf), np.full(n_cols, np.inf)
    inside = np.ones(n, dtype=bool)
    boxes = [(lo.copy(), hi.copy(), y.mean(), 1.0)]
    while inside.sum() > 1:
        xin, yin = xt[:, inside], y[inside]
        m = len(yin)
        k = max(int(alpha * m), 1)
        rank = np.cumsum(inside[order], axis=1)
        low_cut = np.take_along_axis(ordered, np.argmax(rank > k, axis=1)[:, None], 1)[:, 0]
        high_cut = np.take_along_axis(ordered, np.argmax(rank >= m - k, axis=1)[:, None], 1)[:, 0]
        keep_low, keep_high = xin >= low_cut[:, None], xin <= high_cut[:, None]
        counts = np.concatenate([keep_low.sum(axis=1), keep_high.sum(axis=1)])
        hits = np.concatenate([keep_low @ yin, keep_high @ yin])
        useful = (counts < m) & (counts >= min_mass * n) & (counts > 0)
        if not useful.any():
            break
        mean = np.where(useful, hits / np.maximum(counts, 1), -np.inf)
        best = int(np.argmax(mean))
        j = best % n_cols
        if best < n_cols:
            lo[j] = low_cut[j]
        else:
            hi[j] = high_cut[j]
        inside &= (xt[j] >= lo[j]) & (xt[j] <= hi[j])
        boxes.append((lo.copy(), hi.copy(), mean[best], hits[best] / y.sum()))
    return boxes


def _same_trajectory(a, b):
    return len(a) == len(b) and all(
        np.array_equal(p[0], q[0])
        and np.array_equal(p[1], q[1])
        and np.array_equal(p[2:], q[2:], equal_nan=True)
        for p, q in zip(a, b, strict=True)
    )


@pytest.fixture
def plain_prim(monkeypatch):
    """:func:`discovery.prim` with the plain peeling (the rest of PRIM is shared)."""

    def peel(cases, y, alpha, min_mass, min_coverage):  # the whole trajectory
        return _plain_peel(cases.inputs.T, y, alpha, min_mass)

    def run(*args, **kwargs):
        with monkeypatch.context() as m:
            m.setattr(discovery, "_peel", peel)
            return discovery.prim(*args, **kwargs)

    return run


def test_peeling_is_the_plain_peeling_bit_for_bit(plain_prim):
    rng = np.random.default_rng(8)
    for case in range(300):
        n, p = int(rng.integers(2, 900)), int(rng.integers(1, 12))
        x = rng.random((n, p))
        if case % 3 == 0:
            x = np.round(x * rng.integers(2, 20))  # ties, also at the cuts
        if case % 5 == 0:
            x[:, 0] = 0.5
        shares = int(rng.integers(1, 5))  # a share of 1 to 4 scenarios: 1/3 is not exact
        y = rng.integers(0, shares + 1, n) / shares
        if case % 4 == 0:
            y = (x[:, 0] < x[:, 0].mean()) * (rng.random(n) < 0.8) * 1.0
        settings = dict(
            peel_alpha=float(rng.choice([0.05, 0.1, 0.2])),
            min_mass=float(rng.choice([0.0, 0.05, 0.1])),
            max_cases=int(rng.choice([50, 500, 10_000])),
            max_restrictions=int(rng.integers(1, 4)),
            drop_tolerance=float(rng.choice([0.0, 0.05])),
            min_coverage=float(rng.choice([0.3, 0.5, 0.8, 1.0])),
        )
        cases = discovery.Cases.of(x, settings["max_cases"])
        ys = y[cases.rows]
        alpha, mass = settings["peel_alpha"], settings["min_mass"]
        with np.errstate(invalid="ignore"):  # no case of interest among the rows: NaN coverage
            fast = discovery._peel(cases, ys, alpha, mass)
            plain = _plain_peel(x[cases.rows], ys, alpha, mass)
            shortened = discovery._peel(cases, ys, alpha, mass, settings["min_coverage"])
        assert _same_trajectory(fast, plain), case
        # Peeling may stop once the coverage is below min_coverage: no later box qualifies.
        assert _same_trajectory(shortened, plain[: len(shortened)]), case
        assert all(b[3] < settings["min_coverage"] for b in plain[len(shortened) :]), case
        assert discovery.prim(x, y, **settings) == plain_prim(x, y, **settings), case


def _writable(result):
    """The same result with a copy of its samples that can be changed (nothing kept)."""
    samples = dataclasses.replace(result.samples, values=result.samples.values.copy())
    return dataclasses.replace(result, samples=samples)


@pytest.mark.parametrize("region", ["GM0301", "isd_midden_langstraat"])
def test_discovery_and_drivers_are_the_plain_computation(region, plain_prim):
    """Per option: PRIM on its own columns and failures; SRRC with the inputs ranked anew."""
    result = w.evaluate(region, goal=GOAL, n_samples=700, seed=2)
    status, fail = result.judgement.status, discovery.failures(result)
    found = discovery.where_it_breaks(result)
    checked = 0
    for o, option in enumerate(result.options):
        scen = np.flatnonzero(status[o] != "holds")
        if result.classes[o] not in discovery.NOT_HOLDING or not scen.size:
            assert found[o] is None
            continue
        cols = tuple(discovery.option_columns(result.samples, option.measures))
        x = result.samples.values[:, cols]
        assert found[o] == (plain_prim(x, fail[o, scen].mean(axis=0)), cols)
        checked += 1
    assert checked
    # The ranked inputs are kept with the (read-only) samples; fresh ones give the same.
    coef, r2 = discovery.option_drivers(result)
    plain_coef, plain_r2 = discovery.option_drivers(_writable(result))
    assert np.array_equal(coef, plain_coef) and np.array_equal(r2, plain_r2, equal_nan=True)
    assert result.table().equals(_writable(result).table())
    # Who dominates an option: the dominating option with the highest median participation.
    table = result.table().drop_duplicates("option").set_index("option")
    overall = np.median(result.participation.reshape(len(result.options), -1), axis=1)
    for o, option in enumerate(result.options):
        winners = np.flatnonzero(result.dominance[o])
        by = result.options[winners[np.argmax(overall[winners])]].name if winners.size else ""
        assert table.loc[option.id, "dominated_by"] == by


def test_srrc_on_ranked_inputs_is_the_plain_regression():
    rng = np.random.default_rng(9)
    for case in range(40):
        n, p = int(rng.integers(5, 400)), int(rng.integers(1, 8))
        x = rng.random((n, p))
        if case % 3 == 0 and p > 2:
            x[:, -1] = 2.0  # a constant input
        if case % 4 == 0 and p > 1:
            x[:, 0] = x[:, 1]  # collinear: least squares by lstsq
        y = x @ rng.normal(size=(p, 3)) + rng.normal(size=(n, 3)) * 0.3
        if case % 5 == 0:
            y[0, 1] = np.nan
        ranked = sensitivity.rank_inputs(x)
        coef, r2 = sensitivity.srrc(ranked, y)
        # The plain computation: rank and standardise both, then least squares.
        expected = np.zeros((p, 3))
        varying = np.ptp(x, axis=0) > 0
        valid = np.isfinite(y).all(axis=0)
        expected[:, ~valid] = np.nan
        xr = sensitivity._standardise(sensitivity.average_ranks(x[:, varying]))
        yr = sensitivity._standardise(sensitivity.average_ranks(y[:, valid]))
        gram = xr.T @ xr
        if np.linalg.cond(gram) < 1e8:
            beta = np.linalg.solve(gram, xr.T @ yr)
        else:
            beta = np.linalg.lstsq(xr, yr, rcond=None)[0]
        expected[np.ix_(varying, valid)] = beta
        assert np.array_equal(coef, expected, equal_nan=True), case
        assert np.array_equal(coef, sensitivity.srrc(x, y)[0], equal_nan=True)
        residual = ((yr - xr @ beta) ** 2).sum(axis=0)
        assert np.array_equal(r2[valid], 1.0 - residual / (yr**2).sum(axis=0)), case
        with pytest.raises(ValueError, match="read-only"):
            ranked.ranks[0, 0] = 1.0
    constant = sensitivity.srrc(sensitivity.rank_inputs(np.ones((9, 2))), np.arange(9.0)[:, None])
    assert np.array_equal(constant[0], np.zeros((2, 1))) and np.isnan(constant[1]).all()


def test_what_depends_on_the_samples_alone_is_kept_with_read_only_samples():
    w._SAMPLE_CACHE.clear()
    samples = w.draw_samples(600, 4)
    made = []

    def make(s):
        made.append(len(s))
        return discovery.Cases.of(s.values, 500)

    first = discovery.kept(samples, "test", make)
    assert discovery.kept(samples, "test", make) is first and len(made) == 1
    assert discovery.peeling_cases(samples) is discovery.peeling_cases(samples)
    assert not first.order.flags.writeable
    fresh = sample(600, seed=4)  # values that can be changed: never kept
    assert fresh.values.flags.writeable
    assert discovery.kept(fresh, "test", make) is not discovery.kept(fresh, "test", make)
    assert len(made) == 3
    # Kept as long as the samples live, and no longer.
    key = (id(samples), "test")
    assert key in discovery._KEPT
    w._SAMPLE_CACHE.clear()
    del samples
    gc.collect()
    assert key not in discovery._KEPT


def _plain_dominance(b, c):
    """Who dominates whom, every pair on every sample (as first written)."""
    tol_b = criteria.TIE_TOLERANCE * max(1.0, float(np.nanmax(np.abs(b))))
    tol_c = criteria.TIE_TOLERANCE * max(1.0, float(np.nanmax(np.abs(c))))
    out = np.zeros((len(b), len(b)), dtype=bool)
    for i in range(len(b)):
        for j in range(len(b)):
            db, dc = b[j] - b[i], c[i] - c[j]
            if i != j and ((db >= -tol_b) & (dc >= -tol_c)).all():
                out[i, j] = ((db > tol_b) | (dc > tol_c)).any()
    return out


def test_dominance_ruled_out_on_a_few_samples_first_is_the_plain_one():
    rng = np.random.default_rng(10)
    dominating = 0
    for case in range(200):
        n_opt, n_scen, n = (
            int(rng.integers(1, 7)),
            int(rng.integers(1, 4)),
            int(rng.integers(1, 300)),
        )
        placed = rng.gamma(2.0, 50.0, size=(n_opt, n_scen, n))
        cost = rng.gamma(2.0, 1e5, size=(n_opt, n_scen, n))
        for o in range(1, n_opt):  # options close to another: dominating, tied, or nearly
            if rng.random() < 0.6:
                src = int(rng.integers(0, o))
                nudge = float(rng.choice([0.0, 1e-12, 1e-3]))
                placed[o] = placed[src] + nudge * rng.random((n_scen, n))
                cost[o] = cost[src] - nudge * 1e5 * rng.random((n_scen, n))
                if rng.random() < 0.5:  # worse in a single sample: not dominating
                    placed[o, int(rng.integers(0, n_scen)), int(rng.integers(0, n))] -= 1.0
        if case % 7 == 0:
            placed[0, 0, 0] = np.nan
        expected = _plain_dominance(placed, cost)
        assert np.array_equal(criteria.dominated_by(placed, cost), expected), case
        dominating += expected.any()
    assert 20 < dominating < 180  # both kinds of cases were checked


def test_sums_of_quarters_are_exact_and_of_thirds_not():
    assert discovery._exact_sums(np.array([0.0, 0.25, 0.5, 1.0, 0.75]))
    assert discovery._exact_sums(np.zeros(0))
    assert not discovery._exact_sums(np.array([0.0, 1 / 3, 2 / 3]))
    assert not discovery._exact_sums(np.array([0.5, np.inf]))
    assert not discovery._exact_sums(np.array([0.5, 2.0**60]))


def _plain_regret(performance, higher_is_better=True):
    p = np.where(np.isnan(performance), -np.inf if higher_is_better else np.inf, performance)
    best = p.max(axis=0) if higher_is_better else p.min(axis=0)
    with np.errstate(invalid="ignore"):
        out = np.abs(best - p)
    return np.where(np.isfinite(out), out, np.nan)


def test_regret_is_the_plain_computation():
    rng = np.random.default_rng(11)
    for case in range(60):
        p = rng.normal(20.0, 5.0, size=(int(rng.integers(1, 6)), 3, int(rng.integers(1, 50))))
        if case % 3 == 0:
            p[rng.random(p.shape) < 0.3] = np.nan
        if case % 5 == 0:
            p[:, 0] = np.nan  # nobody placed in a scenario
        for higher in (True, False):
            expected = _plain_regret(p, higher)
            got = criteria.regret(p, higher)
            assert np.array_equal(got, expected, equal_nan=True), case
            assert np.array_equal(np.signbit(got), np.signbit(expected)), case


@pytest.mark.parametrize("region", ["GM0301", "isd_midden_langstraat"])
def test_table_numbers_are_numpys(region):
    """The table's quantiles, medians and judgement: numpy's and the criteria's, plainly."""
    result = w.evaluate(region, goal=GOAL, n_samples=700, seed=5, second_look=3)
    table = result.table()
    n_opt, n_scen = len(result.options), len(result.scenarios)

    def column(name):
        return table[name].to_numpy().reshape(n_opt, n_scen)

    plain = {
        "participation": np.quantile(result.participation, (0.1, 0.5, 0.9), axis=2),
        "net_cost_per_placed": np.quantile(result.net_cost_per_placed, (0.1, 0.5, 0.9), axis=2),
    }
    for name, q in plain.items():
        for i, label in enumerate(("p10", "median", "p90")):
            assert np.array_equal(column(f"{name}_{label}"), q[i]), (name, label)
    assert np.array_equal(column("placed_median"), np.median(result.placed, axis=2))
    assert np.array_equal(column("net_cost_median"), np.median(result.net_cost, axis=2))
    programme = np.median(result.programme_cost, axis=1)
    assert np.array_equal(column("programme_cost_median"), np.repeat(programme[:, None], n_scen, 1))
    assert np.array_equal(column("regret_median"), np.median(result.regret, axis=2))
    # The judgement of the regret sorted once is the judgement of the regret as it is.
    j = criteria.judge(
        result.met,
        result.regret,
        result.threshold,
        result.regret_percentile,
        result.regret_tolerance,
        1 - (1 - result.level) / result.looks,
        empty=criteria.no_target_group(result.participation),
    )
    for field in dataclasses.fields(j):
        a, b = getattr(j, field.name), getattr(result.judgement, field.name)
        assert np.array_equal(a, b), field.name
    for name in ("regret_at", "regret_low", "regret_high", "goal_share", "goal_share_low"):
        source = {"regret_at": j.regret, "regret_low": j.regret_low, "regret_high": j.regret_high}
        source.update(goal_share=j.share, goal_share_low=j.share_low)
        assert np.array_equal(column(name), source[name]), name
    assert column("status").tolist() == j.status.tolist()
    max_regret = [np.quantile(j.regret[o], 1.0) for o in range(n_opt)]
    assert np.array_equal(column("max_regret")[:, 0], max_regret)
    assert np.array_equal(column("goal_share_all")[:, 0], [j.share[o].mean() for o in range(n_opt)])
