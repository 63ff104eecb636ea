"""A region's results do not depend on which other regions share the model pass.

The model takes every sum over the bands on arrays that are the same for all municipalities
(the target group per person of each stock) and scales them by each municipality's stocks
elementwise (:class:`socecon.model.placement.TargetGroup`), so one municipality computed alone
and the same municipality in a pass with others give the same numbers bit for bit; a batch can
compute all its regions in one pass and show what each report alone would show.
"""

from __future__ import annotations

import numpy as np
import pytest

from socecon.analysis import criteria
from socecon.analysis import windtunnel as w
from socecon.analysis.uncertainty import sample
from socecon.exceptions import ModelError
from socecon.model import run
from socecon.model.indicators import Components

GOAL = criteria.Goal(participation_min=20, net_cost_per_placed_max=20000)
ARRAYS = ("participation", "placed", "net_cost", "net_cost_per_placed", "programme_cost")
# Heusden and Loon op Zand are members of the ISD group; Zutphen and Hengelo are not.
PASS = ["GM0301", "GM0797", "isd_midden_langstraat", "GM0164", "GM0809"]


def test_wind_tunnel_of_a_region_is_the_same_alone_and_in_any_pass():
    kwargs = dict(goal=GOAL, n_samples=1000, seed=3)
    together = w.evaluate_many(PASS, **kwargs)
    reordered = w.evaluate_many(list(reversed(PASS[:3])), **kwargs)
    # At 1,000 samples some regions take the second look, some do not: both passes are covered.
    looks = {len(r.samples) for r in together}
    assert looks == {1000, 1000 * w.SECOND_LOOK}
    for result in [*together, *reordered]:
        alone = w.evaluate(result.region, **kwargs)
        assert len(alone.samples) == len(result.samples), result.region
        for name in ARRAYS:
            ours, theirs = getattr(alone, name), getattr(result, name)
            assert np.array_equal(ours, theirs, equal_nan=True), (result.region, name)


@pytest.mark.parametrize("bands", [True, False])
def test_model_components_of_a_municipality_do_not_depend_on_the_others(bands):
    overrides = sample(64, seed=11).overrides()
    alone = run(["GM0797"], years=[2020], overrides=overrides, bands=bands).components
    regions = ["GM0014", "GM0797", "GM0363", "GM0809"]
    together = run(regions, years=[2020], overrides=overrides, bands=bands).components
    for name in Components.names():
        ours = getattr(together, name)[:, :, 1:2]
        assert np.array_equal(getattr(alone, name), ours), name


def test_a_run_with_the_bands_summed_gives_the_totals_of_the_bands():
    overrides = sample(32, seed=2).overrides()
    regions = ["GM0797", "isd_midden_langstraat"]
    full = run(regions, overrides=overrides).components
    summed = run(regions, overrides=overrides, bands=False).components
    for name in Components.names():
        a, b = getattr(full, name), getattr(summed, name)
        if name in ("target_group", "placed"):
            assert b.shape == (*a.shape[:-1], 1)
            a = a.sum(axis=-1, keepdims=True)
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-9, err_msg=name)
    with pytest.raises(ModelError, match="bands summed"):
        run(regions, years=[2020], bands=False).to_frame()
