"""A run of the horizon alone computes only the requested scenarios, with the same numbers.

At the horizon every scenario is in full and no scenario's column reads the baseline's, so the
model leaves the baseline out there unless it is requested (the wind tunnel's per-scenario runs
thus compute half as much); every year before the horizon still starts from the baseline. These
tests compare each result with np.array_equal against the same run with the baseline included.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from socecon.analysis import option_runs
from socecon.analysis import windtunnel as w
from socecon.analysis.uncertainty import sample
from socecon.definitions import DEFAULT_HORIZON, load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.effects import load_measure_effects
from socecon.definitions.options import load_options
from socecon.exceptions import ModelError
from socecon.model import core, run
from socecon.model.indicators import Components
from socecon.model.inputs import snapshot_input
from socecon.report.policy import report_goal

REGIONS = ["GM0301", "GM0797", "isd_midden_langstraat"]
FUTURES = [s.id for s in load_definitions().future_scenarios]


def with_baseline(regions, scenarios, **kwargs):
    """``run`` with the baseline requested too, its column dropped again: the previous runs."""
    full = run(regions, ["baseline", *scenarios], **kwargs)
    assert full.scenarios[0] == "baseline"
    return dataclasses.replace(
        full,
        components=full.components.map(lambda a: a[:, :, :, 1:]),
        scenarios=full.scenarios[1:],
    )


@pytest.mark.parametrize("bands", [True, False])
@pytest.mark.parametrize("scenarios", [FUTURES[:1], FUTURES[2:3], FUTURES])
def test_horizon_run_without_baseline_equals_the_run_with_it(scenarios, bands):
    overrides = sample(64, seed=5).overrides()
    kwargs = dict(horizon=DEFAULT_HORIZON, years=[DEFAULT_HORIZON], overrides=overrides)
    alone = run(REGIONS, scenarios, bands=bands, **kwargs)
    both = with_baseline(REGIONS, scenarios, bands=bands, **kwargs)
    assert alone.scenarios == both.scenarios == tuple(scenarios)
    for name in Components.names():
        ours, theirs = getattr(alone.components, name), getattr(both.components, name)
        assert ours.shape == theirs.shape, name
        assert np.array_equal(ours, theirs), name


def test_model_outputs_of_the_wind_tunnel_are_unchanged(monkeypatch):
    samples = w.draw_samples(1000, 1, extra=option_runs.effect_parameters(load_measure_effects()))
    args = (
        REGIONS,
        load_options(),
        FUTURES,
        samples,
        load_measure_effects(),
        DEFAULT_HORIZON,
        snapshot_input(),
    )
    computed = []
    monkeypatch.setattr(core, "compute_components", counting(core.compute_components, computed))
    ids, *arrays = option_runs.model_outputs(*args)
    assert computed and all("baseline" not in names for names in computed)
    monkeypatch.setattr(option_runs, "run", with_baseline)
    before_ids, *before = option_runs.model_outputs(*args)
    assert ids == before_ids
    for name, ours, theirs in zip(("placed", "target", "net"), arrays, before, strict=True):
        assert np.array_equal(ours, theirs), name


@pytest.mark.parametrize("region", REGIONS)
def test_wind_tunnel_results_are_unchanged(region, monkeypatch):
    kwargs = dict(goal=report_goal(), seed=1)
    now = w.evaluate(region, **kwargs)
    monkeypatch.setattr(option_runs, "run", with_baseline)
    before = w.evaluate(region, **kwargs)
    assert len(now.samples) == len(before.samples)
    for name in ("participation", "placed", "net_cost", "net_cost_per_placed", "programme_cost"):
        ours, theirs = getattr(now, name), getattr(before, name)
        assert np.array_equal(ours, theirs, equal_nan=True), (region, name)


def test_every_year_before_the_horizon_still_starts_from_the_baseline():
    years = [DEFAULT_HORIZON - 2, DEFAULT_HORIZON]
    alone = run("GM0797", FUTURES[:1], years=years).components
    both = with_baseline("GM0797", FUTURES[:1], years=years).components
    for name in Components.names():
        assert np.array_equal(getattr(alone, name), getattr(both, name)), name
    defs = load_definitions()
    inp = snapshot_input().subset(["GM0797"])
    values = load_assumptions().resolve()
    with pytest.raises(ModelError, match="must include the baseline"):
        core.compute_components(inp, [defs.scenario(FUTURES[0])], years, DEFAULT_HORIZON, values)


def counting(func, calls):
    """Wrap ``func`` so that each call records the ids of the scenarios it computes."""

    def wrapped(inp, scenarios, *args, **kwargs):
        calls.append([s.id for s in scenarios])
        return func(inp, scenarios, *args, **kwargs)

    return wrapped
