"""The wind tunnel's model runs do less work, with the numbers of a full run bit for bit.

``run(net_cost_only=True)`` computes the target group, the placed and the gemeente's net cost
and leaves every other component out; ``run(tiles=P)`` computes what is the same for every
municipality once per block of samples where the samples are P copies of one block (the wind
tunnel's runs of several sets of effects). These tests compare both bit for bit
(np.array_equal) with a plain run, and check the pieces the pass relies on: the loonwaarde
shift row by row, the target group's stacked profiles, and the model outputs written into
given arrays.
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
from socecon.model import core, placement, run, shift_distribution, snapshot_input
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


def tiled_overrides(tiles, vary=()):
    """Sampled overrides repeated ``tiles`` times, with ``vary`` different in every block."""
    base = sample(24, seed=8).overrides()
    out = {k: np.concatenate([np.asarray(v)] * tiles) for k, v in base.items()}
    for key in vary:
        out[key] = out[key] * np.repeat(np.linspace(0.9, 1.0, tiles), 24)
    return out


@pytest.mark.parametrize("vary", [(), ("take_up",), ("loonwaarde_shift",), ("wml_index",)])
@pytest.mark.parametrize("net_cost_only", [True, False])
def test_a_tiled_run_gives_the_numbers_of_a_plain_run(vary, net_cost_only, monkeypatch):
    overrides = tiled_overrides(3, vary)
    used = []
    place = placement.place
    monkeypatch.setattr(
        core.placement, "place", lambda *a, **k: used.append(k["tiles"]) or place(*a, **k)
    )
    kwargs = dict(years=[DEFAULT_HORIZON], bands=False, net_cost_only=net_cost_only)
    regions = ["GM0797", "isd_midden_langstraat", "GM0301"]
    plain = run(regions, FUTURES, overrides=overrides, **kwargs).components
    tiled = run(regions, FUTURES, overrides=overrides, tiles=3, **kwargs).components
    # Once per block where only the placements vary; in full where the band sums' inputs do.
    assert used == [1, 1 if vary in (("loonwaarde_shift",), ("wml_index",)) else 3]
    for name in Components.names():
        ours, theirs = getattr(tiled, name), getattr(plain, name)
        assert (ours is None) == (theirs is None) == (net_cost_only and name not in KEPT)
        if ours is not None:
            assert np.array_equal(ours, theirs), name


def test_a_tiled_run_of_the_bands_and_the_path_gives_the_numbers_of_a_plain_run():
    overrides = tiled_overrides(2, ("take_up",))
    plain = run("GM0797", overrides=overrides).components
    tiled = run("GM0797", overrides=overrides, tiles=2).components
    for name in Components.names():
        assert np.array_equal(getattr(tiled, name), getattr(plain, name)), name


def test_samples_that_do_not_split_into_the_tiles_are_refused():
    with pytest.raises(ModelError, match="do not split into 5 equal blocks"):
        run("GM0797", years=[DEFAULT_HORIZON], overrides=tiled_overrides(2), tiles=5)


def test_a_tiled_run_where_only_the_placements_are_sampled():
    # The band sums' inputs are not sampled at all; only the take-up differs between blocks.
    overrides = {"take_up": np.repeat([0.3, 0.4], 3)}
    kwargs = dict(years=[DEFAULT_HORIZON], bands=False, overrides=overrides)
    plain = run("GM0797", **kwargs).components
    tiled = run("GM0797", tiles=2, **kwargs).components
    for name in Components.names():
        assert np.array_equal(getattr(tiled, name), getattr(plain, name)), name


@pytest.mark.parametrize("net_cost_only", [True, False])
def test_each_scenario_alone_equals_its_column_of_the_run_of_all(net_cost_only):
    # A run leaves out what none of its scenarios pays (the werkbedrijf deficit outside
    # Publiek): the numbers of every scenario stay those of the run of all four.
    overrides = sample(16, seed=6).overrides()
    kwargs = dict(years=[DEFAULT_HORIZON], overrides=overrides, net_cost_only=net_cost_only)
    every = run(["GM0797", "GM0301"], FUTURES, **kwargs).components
    for k, scenario in enumerate(FUTURES):
        alone = run(["GM0797", "GM0301"], [scenario], **kwargs).components
        for name in Components.names():
            ours = getattr(alone, name)
            if ours is not None:
                assert np.array_equal(ours, getattr(every, name)[:, :, :, k : k + 1]), name
