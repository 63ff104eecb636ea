"""The quantiles of socecon.analysis.quantiles are numpy's, bit for bit.

They select one rank at a time instead of numpy's partition of several ranks at once; the
values must not change by a single bit (the sign of a zero among equal zeros aside: either is
the order statistic).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from socecon.analysis import quantiles


def _cases(seed: int, count: int):
    """Arrays ``(3, 2, n)`` of many sizes and scales, some with ties and infinities."""
    rng = np.random.default_rng(seed)
    for case in range(count):
        n = int(rng.integers(1, 50)) if case % 2 else int(rng.integers(500, 5000))
        x = rng.normal(size=(3, 2, n)) * 10.0 ** rng.integers(-3, 7)
        if case % 3 == 0:
            x = np.round(x) + 0.0  # ties (+ 0.0: no negative zeros)
        if case % 11 == 0:
            x[0] = np.inf
        yield case, rng, x


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.shape(a) == np.shape(b) and np.array_equal(a, b, equal_nan=True)


def test_order_statistics_are_the_sorted_values():
    for case, rng, x in _cases(1, 300):
        n = x.shape[-1]
        ranks = sorted({int(r) for r in rng.integers(0, n, size=int(rng.integers(1, 6)))})
        got = quantiles.order_statistics(x, ranks)
        assert _same(got, np.moveaxis(np.sort(x, axis=-1)[..., ranks], -1, 0)), case
    x = np.array([3.0, np.nan, 1.0, 2.0])
    assert quantiles.order_statistics(x, [0, 3]).tolist()[0] == 1.0  # NaN sorts last
    assert np.isnan(quantiles.order_statistics(x, [3])[0])


def test_quantiles_and_medians_are_numpys_bit_for_bit():
    for case, rng, x in _cases(2, 600):
        several = tuple(rng.choice([0.0, 0.1, 0.5, 0.9, 1.0, rng.random()], size=3))
        with np.errstate(invalid="ignore"):  # inf - inf
            for q in (several, (0.1, 0.5, 0.9), float(rng.choice([0.0, 0.5, 1.0, rng.random()]))):
                assert _same(quantiles.quantile(x, q), np.quantile(x, q, axis=-1)), (case, q)
            assert _same(quantiles.median(x), np.median(x, axis=-1)), case
            assert _same(quantiles.nanquantile(x), np.quantile(x, (0.1, 0.5, 0.9), axis=-1))
        x[rng.random(x.shape) < 0.2] = np.nan  # with NaN numpy computes them
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            assert _same(quantiles.median(x), np.median(x, axis=-1)), case
            assert _same(quantiles.quantile(x, 0.3), np.quantile(x, 0.3, axis=-1)), case
            expected = np.nanquantile(x, (0.1, 0.5, 0.9), axis=-1)
            assert _same(quantiles.nanquantile(x), expected), case
            if np.isnan(x).any():  # a NaN left out: numpy's nanquantile, as before
                assert _same(quantiles.nanmedian(x), np.nanquantile(x, 0.5, axis=-1)), case


@pytest.mark.parametrize("n", [1, 2, 3, 4000, 4001, 16000])
def test_the_wind_tunnels_shapes(n):
    x = np.random.default_rng(n).gamma(2.0, 10.0, size=(10, 4, n))
    assert _same(quantiles.nanquantile(x), np.quantile(x, (0.1, 0.5, 0.9), axis=2))
    assert _same(quantiles.median(x), np.median(x, axis=2))
    assert _same(quantiles.nanmedian(x), np.nanmedian(x, axis=2))
    pooled = x[[1, 3]].reshape(2, -1)
    assert _same(quantiles.nanquantile(pooled, 0.5), np.quantile(x[[1, 3]], 0.5, axis=(1, 2)))
    assert _same(quantiles.nanquantile(x[:, :, 0], 1.0), np.quantile(x[:, :, 0], 1.0, axis=1))


def test_sorted_values_are_read_as_they_are():
    rng = np.random.default_rng(3)
    for case in range(200):
        n = int(rng.integers(1, 3000))
        x = rng.gamma(1.0, 5.0, size=(4, 3, n)) * (rng.random((4, 3, n)) < 0.6)  # many zeros
        if case % 4 == 0:
            x[1, 2, ::5] = np.nan
        ordered = quantiles.sort(x)
        for q in (0.9, 0.5, 1.0, float(rng.random())):
            z = float(rng.choice([1.96, 2.73]))
            plain = quantiles.percentile_interval(x, q, z)
            read = quantiles.percentile_interval(ordered, q, z, ordered=True)
            assert all(_same(a, b) for a, b in zip(plain, read, strict=True)), (case, q)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            assert _same(quantiles.nanmedian(ordered, ordered=True), quantiles.nanmedian(x))
        ranks = sorted({int(r) for r in rng.integers(0, n, size=3)})
        expected = quantiles.order_statistics(x, ranks)
        assert _same(quantiles.order_statistics(ordered, ranks, ordered=True), expected)


def test_has_nan():
    assert not quantiles.has_nan(np.array([1.0, 2.0]))
    assert not quantiles.has_nan(np.zeros((2, 0)))
    assert quantiles.has_nan(np.array([[1.0, np.nan], [2.0, 3.0]]))
    assert not quantiles.has_nan(np.array([np.inf, -np.inf, 1.0]))  # their sum is NaN
    assert quantiles.has_nan(np.array([np.inf, -np.inf, np.nan]))
    assert not quantiles.has_nan(np.array([1e308, 1e308]))  # the sum overflows


def test_rows_with_a_value_repeated_often_are_sorted_not_selected():
    rng = np.random.default_rng(4)
    x = rng.random((5, 16000))
    assert not quantiles._repeats(x)
    x[2, rng.random(16000) < 0.3] = 0.5  # e.g. a cap that binds in 30 % of the futures
    assert quantiles._repeats(x)
    assert _same(quantiles.median(x), np.median(x, axis=-1))
    assert _same(quantiles.quantile(x, 0.5), np.quantile(x, 0.5, axis=-1))
