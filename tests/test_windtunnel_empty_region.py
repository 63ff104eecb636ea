"""The wind tunnel of a region without a target group: NaN results, and no warnings about them."""

from __future__ import annotations

import warnings

import numpy as np

from socecon.analysis import criteria, windtunnel
from socecon.report import policy
from socecon.report.policy import summary_nl

ROZENDAAL = "GM0277"  # CBS rounds its bijstand, Wsw and Wajong counts to 0
GOAL = criteria.Goal(participation_min=20, net_cost_per_placed_max=20000)


def test_a_region_without_a_target_group_runs_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (All-NaN slice, invalid value) fails
        result = windtunnel.evaluate(ROZENDAAL, goal=GOAL, n_samples=200, seed=1)
        table = result.table()
        text = summary_nl(table)
        both = windtunnel.evaluate_many([ROZENDAAL, "GM0301"], goal=GOAL, n_samples=200, seed=1)
        tables = [r.table() for r in both]
    # Nobody is placed in any sample: participation and regret are NaN, not zero or made up.
    assert np.isnan(result.participation).all()
    assert table["participation_median"].isna().all()
    assert table["regret_median"].isna().all() and table["max_regret"].isna().all()
    assert text
    # Sharing a batch with Rozendaal changes nothing for Zutphen.
    alone = windtunnel.evaluate("GM0301", goal=GOAL, n_samples=200, seed=1).table()
    assert tables[1]["class"].tolist() == alone["class"].tolist()
    assert np.allclose(
        tables[1]["participation_median"], alone["participation_median"], equal_nan=True
    )


def test_the_report_says_a_region_without_a_target_group_cannot_be_judged():
    empty = windtunnel.evaluate(ROZENDAAL, goal=GOAL, n_samples=200, seed=1).table()
    full = windtunnel.evaluate("GM0301", goal=GOAL, n_samples=200, seed=1).table()
    assert not policy.has_target_group(empty) and policy.has_target_group(full)
    # no verdict such as "kwetsbaar" for Rozendaal: one sentence saying why nothing is judged
    text = str(policy.windtunnel_summary(empty).data)
    assert "geen doelgroep" in text and "kwetsbaar" not in text and "<table" not in text
    assert "Zonder doelgroep" in policy.drivers_nl(empty)
    # Zutphen keeps its verdicts and table
    shown = str(policy.windtunnel_summary(full).data)
    assert "<table" in shown and "geen doelgroep" not in shown
