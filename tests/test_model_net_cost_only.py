"""The wind tunnel's model runs compute only what it judges, with the numbers of a full run.

``run(net_cost_only=True)`` computes the target group, the placed and the gemeente's net cost
and leaves every other component out; these tests compare it bit for bit (np.array_equal) with
a full run, and check the pieces the pass relies on: the loonwaarde shift row by row (so that
tiled samples give tiled results), the target group's stacked profiles, and the model outputs
written into given arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from socecon.analysis import option_runs
from socecon.analysis import windtunnel as w
from socecon.analysis.uncertainty import sample
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.definitions.effects import load_measure_effects
from socecon.definitions.options import load_options
from socecon.exceptions import ModelError
from socecon.model import placement, run, shift_distribution, snapshot_input
from socecon.model.indicators import Components

KEPT = ("target_group", "placed", "net_cost_gemeente")
FUTURES = [s.id for s in load_definitions().future_scenarios]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(years=[DEFAULT_HORIZON], bands=False),  # as the wind tunnel runs it
        dict(years=[DEFAULT_HORIZON], bands=False, scenarios=FUTURES[3:]),  # Wsw retained
        dict(bands=True),  # every year, with the baseline, per band
        dict(years=[DEFAULT_HORIZON - 1, DEFAULT_HORIZON], bands=False),
    ],
)
def test_net_cost_only_gives_the_numbers_of_the_full_run(kwargs):
    overrides = sample(48, seed=4).overrides()
    regions = ["GM0797", "GM0301", "isd_midden_langstraat"]
    full = run(regions, overrides=overrides, **kwargs).components
    only = run(regions, overrides=overrides, net_cost_only=True, **kwargs).components
    for name in Components.names():
        if name in KEPT:
            assert np.array_equal(getattr(only, name), getattr(full, name)), name
        else:
            assert getattr(only, name) is None, name


def test_a_run_of_the_net_cost_only_has_no_indicators():
    model = run("GM0797", years=[DEFAULT_HORIZON], net_cost_only=True)
    with pytest.raises(ModelError, match="net cost only"):
        model.indicators()


def reference_shift(shares, shift_pp):
    """The shift as first written: both neighbours built in full, one chosen per row."""
    moved_fraction = np.clip(np.abs(shift_pp) / 10.0, 0.0, 1.0)[:, None]
    up = np.zeros_like(shares)
    up[:, 1:] = shares[:, :-1]
    up[:, -1] += shares[:, -1]
    down = np.zeros_like(shares)
    down[:, :-1] = shares[:, 1:]
    down[:, 0] += shares[:, 0]
    moved = np.where(shift_pp[:, None] >= 0, up, down)
    return (1.0 - moved_fraction) * shares + moved_fraction * moved


@pytest.mark.parametrize("order", ["C", "F"])
def test_shift_distribution_is_the_reference_bit_for_bit_in_any_layout(order):
    rng = np.random.default_rng(3)
    shares = np.asarray(rng.dirichlet(np.ones(10), size=200), order=order)
    shift = rng.uniform(-12.0, 12.0, 200)
    shift[:3] = [0.0, -0.0, 10.0]
    ours = shift_distribution(shares, shift)
    assert np.array_equal(ours, reference_shift(shares, shift))
    # The layout follows the input's: the model's band sums (and their last bits) depend on it.
    assert ours.flags.f_contiguous == (order == "F")


def test_shift_distribution_of_tiled_samples_is_the_tiled_shift():
    rng = np.random.default_rng(5)
    shares = rng.dirichlet(np.ones(10), size=50)
    shift = rng.uniform(-10.0, 10.0, 50)
    once = shift_distribution(shares, shift)
    tiled = shift_distribution(np.concatenate([shares] * 3), np.concatenate([shift] * 3))
    assert np.array_equal(tiled, np.concatenate([once] * 3))


def test_target_group_of_stacked_arrays_equals_that_of_mappings():
    rng = np.random.default_rng(9)
    s, r, k = 4, 3, 2
    profiles = {g: rng.random((s, 1, 10)) for g in placement.GROUPS}
    stocks = {g: rng.random(r) * 100 for g in placement.GROUPS}
    window = (rng.random((k, 10)) > 0.5).astype(float)
    args = (window, rng.random((s, r, k)) * 9, rng.random((s, r, k)))
    rates = {g: rng.random((s, r, 1)) for g in placement.GROUPS}
    retention = np.zeros((1, 1, k))
    a = placement.place(profiles, *args, rates, retention, None, stocks)
    b = placement.place(
        np.stack([profiles[g] for g in placement.GROUPS]),
        *args,
        rates,
        retention,
        None,
        np.stack([stocks[g] for g in placement.GROUPS]),
    )
    assert np.array_equal(a.fill, b.fill)
    for g in placement.GROUPS:
        assert np.array_equal(a.target.people(g), b.target.people(g))
        by_hand = stocks[g][None, :, None] * (profiles[g] @ window.T)
        np.testing.assert_allclose(a.in_window[g], by_hand, rtol=1e-12)
    # Nobody retained: the retention arithmetic is left out, with the same fill.
    kept = placement.place(profiles, *args, rates, retention + 1e-300, None, stocks)
    np.testing.assert_allclose(kept.fill, a.fill, rtol=1e-12)


def test_model_outputs_written_into_given_arrays_equal_new_ones():
    effects = load_measure_effects()
    samples = w.draw_samples(40, 2, extra=option_runs.effect_parameters(effects))
    args = (["GM0301", "isd_midden_langstraat"], load_options(), FUTURES, samples, effects)
    args += (DEFAULT_HORIZON, snapshot_input())
    _, *new = option_runs.model_outputs(*args)
    wide = [np.full((*a.shape[:-1], 100), -1.0) for a in new]
    option_runs.model_outputs(*args, out=[a[..., 60:] for a in wide])
    for fresh, whole in zip(new, wide, strict=True):
        assert np.array_equal(whole[..., 60:], fresh)
        assert (whole[..., :60] == -1.0).all()  # nothing written outside the view
    with pytest.raises(ValueError, match="shape"):
        option_runs.model_outputs(*args, out=[a[..., 50:] for a in wide])
