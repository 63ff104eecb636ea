"""Overlapping measures on one lever: declared diminishing returns, computed by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from socecon.analysis import windtunnel as w
from socecon.analysis.option_runs import (
    active_effects,
    combine_gains,
    effect_parameters,
    pattern_overrides,
)
from socecon.analysis.uncertainty import SampleSet
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.effects import load_measure_effects
from socecon.definitions.options import load_options
from socecon.definitions.windtunnel import load_windtunnel

EFFECTS = load_measure_effects()
OVERLAP = load_windtunnel().overlap


def _option(option_id):
    return next(o for o in load_options() if o.id == option_id)


def _samples(sizes):
    """One sample in which every effect size is its declared value, except ``sizes``."""
    params = effect_parameters(EFFECTS)
    row = []
    for p in params:
        if p.id in sizes:
            row.append(sizes[p.id])
        elif p.id.startswith("effect:"):
            _, measure, i = p.id.split(":")
            row.append(EFFECTS[measure].effects[int(i)].value)
        else:
            row.append(EFFECTS[p.id.split(":")[1]].cost.value)
    return SampleSet(params, np.array([row]))


def _overrides(option_id, scenario, sizes, base, share):
    pattern = active_effects(_option(option_id), scenario, EFFECTS)
    overlap = dataclasses.replace(OVERLAP, share=share)
    return pattern_overrides([pattern], base, _samples(sizes), EFFECTS, overlap)


def test_the_overlap_rule_is_declared_with_a_tag():
    assert 0 <= OVERLAP.share <= 1
    assert OVERLAP.reliability == "U"
    assert {"take_up", "se_places_per_1000_jobs"} <= set(OVERLAP.levers)
    # costs per place or person are paid in full by every measure
    assert "guidance_cost_sheltered" not in OVERLAP.levers
    assert "se_place_subsidy" not in OVERLAP.levers


def test_combine_gains_by_hand():
    gains = np.array([0.1, 0.2, 0.05, 0.1])
    assert combine_gains(gains, 0.5) == pytest.approx(0.2 + 0.5 * (0.1 + 0.05 + 0.1))
    assert combine_gains(gains, 1.0) == pytest.approx(gains.sum())
    assert combine_gains(gains, 0.0) == pytest.approx(0.2)
    # a measure that lowers the lever counts in full
    assert combine_gains(np.array([0.3, -0.1]), 0.5) == pytest.approx(0.2)


def test_a_bundle_is_never_more_than_the_sum_of_its_parts():
    rng = np.random.default_rng(3)
    gains = rng.uniform(-0.5, 2.0, size=(4, 10_000))
    for share in (0.0, 0.25, 0.5, 1.0):
        combined = combine_gains(gains, share)
        assert np.all(combined <= gains.sum(axis=0) + 1e-12)
        positive = np.clip(gains, 0, None)
        assert np.all(
            combined >= positive.max(axis=0) + np.clip(gains, None, 0).sum(axis=0) - 1e-12
        )


def test_four_measures_for_social_enterprises_by_hand():
    # Campaign x1.1, advice x1.1, incentives x1.2, keurmerk x1.05 on 20 places per 1,000 jobs:
    # gains 2, 2, 4 and 1 place; the strongest (4) counts in full, the others (5) for half.
    sizes = {
        "effect:image_campaign:0": 1.1,
        "effect:advice:0": 1.1,
        "effect:financial_incentives:0": 1.2,
        "effect:quality_mark:0": 1.05,
        "effect:financial_incentives:1": 1000.0,
        "effect:quality_mark:1": 500.0,
    }
    base = {"se_places_per_1000_jobs": np.array([20.0])}
    out = _overrides("sociaal_ondernemerschap", "sociaal_ondernemen", sizes, base, 0.5)
    assert out["se_places_per_1000_jobs"] == pytest.approx([20 + 4 + 0.5 * 5])
    # the subsidy per place is a cost: both measures pay it in full
    default = load_assumptions().resolve()["se_place_subsidy"]
    assert out["se_place_subsidy"] == pytest.approx([default + 1500.0])
    full = _overrides("sociaal_ondernemerschap", "sociaal_ondernemen", sizes, base, 1.0)
    assert full["se_places_per_1000_jobs"] == pytest.approx([20 + 9])
    only_best = _overrides("sociaal_ondernemerschap", "sociaal_ondernemen", sizes, base, 0.0)
    assert only_best["se_places_per_1000_jobs"] == pytest.approx([24.0])


def test_two_measures_on_take_up_in_a_work_company_by_hand():
    # Werkbegeleiders +5 points and consulting residents +2 points of take-up in Publiek:
    # 5 + 2/2 = 6 points; their guidance costs (300 + 300 euro per person) add up in full.
    sizes = {
        "effect:supervisor_recruitment:0": 0.05,
        "effect:consult_residents:1": 0.02,
        "effect:supervisor_recruitment:1": 300.0,
        "effect:job_rotation:1": 300.0,
    }
    base = {"take_up": np.array([0.5])}
    out = _overrides("werkbedrijf_doorstroom", "publiek", sizes, base, 0.5)
    assert out["take_up"] == pytest.approx([0.56])
    default = load_assumptions().resolve()["guidance_cost_sheltered"]
    assert out["guidance_cost_sheltered"] == pytest.approx([default + 600.0])


def test_a_single_measure_is_not_changed_by_the_rule():
    sizes = {"effect:employer_consultant_training:0": 0.04}
    base = {"take_up": np.array([0.6])}
    for share in (0.0, 0.5, 1.0):
        out = _overrides("quotum_invullen", "publiek_privaat", sizes, base, share)
        assert out["take_up"] == pytest.approx([0.64])


def test_the_bundle_places_no_more_than_its_measures_together():
    # In the model: the four measures for social enterprises place at most as many people as
    # the sum of what each adds alone (same samples, common random numbers).
    alone = [w.Option(m, m, (m,)) for m in _option("sociaal_ondernemerschap").measures]
    res = w.evaluate(
        "GM0301", ["huidig_beleid", "sociaal_ondernemerschap", *alone], n_samples=60, seed=2
    )
    k = res.scenarios.index("sociaal_ondernemen")
    ref = res.placed[0, k]
    bundle = res.placed[1, k] - ref
    parts = res.placed[2 : 2 + len(alone), k] - ref
    assert np.all(bundle <= parts.sum(axis=0) + 1e-6)
    assert np.all(bundle >= parts.max(axis=0) - 1e-6)
    assert bundle.mean() < parts.sum(axis=0).mean()
