"""The wind tunnel's shortcuts give exactly what the plain computation gives.

The samples are drawn once per process and shared by every region of a batch (a report kernel
keeps them); the regret percentile and the median regret use one partition instead of a sort
or one median per option. Each shortcut is checked bit for bit against the plain way.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from socecon.analysis import criteria
from socecon.analysis import windtunnel as w
from socecon.analysis.option_runs import effect_parameters
from socecon.analysis.uncertainty import sample
from socecon.analysis.windtunnel_result import _nanmedian
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
        assert np.array_equal(_nanmedian(a), np.nanmedian(a, axis=2))
        a[0, 1, ::3] = np.nan
        assert np.array_equal(_nanmedian(a), np.nanmedian(a, axis=2), equal_nan=True)


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
