"""The report's region carries its indeling: the report's functions take the ReportRegion.

The report notebook resolves its ``region`` parameter once (:func:`resolve_region`) and passes
the result on; a report in the borders of 2015 must not fall back to the default indeling of
2025 in any section. Boxmeer (GM0756) exists only in 2015: in 2025 it is part of Land van Cuijk.
"""

from __future__ import annotations

import pandas as pd

from socecon.model import run_model
from socecon.report import difference, policy
from socecon.report.peers import peer_comparison
from socecon.report.region_figures import resolve_region

GOAL = {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}


def test_the_peers_take_the_indeling_from_the_report_region():
    place = resolve_region("GM0756", 2015)
    assert (place.code, place.indeling) == ("GM0756", 2015)
    frame = run_model(place.code, horizon=2020, indeling=2015)
    page = peer_comparison(frame, place, 2020).data
    assert page == peer_comparison(frame, "GM0756", 2020, indeling=2015).data
    assert "Boxmeer" in page and "Land van Cuijk" not in page
    # The indeling argument is for a code only: the region keeps its own.
    assert peer_comparison(frame, place, 2020, indeling=2025).data == page


def test_the_wind_tunnel_takes_the_indeling_from_the_report_region():
    place = resolve_region("GM0756", 2015)
    table = policy.windtunnel_table(place, GOAL, n_samples=20)
    pd.testing.assert_frame_equal(
        table, policy.windtunnel_table("GM0756", GOAL, n_samples=20, indeling=2015)
    )
    assert set(table["region"]) == {"GM0756"}
    # The same code in the default indeling is Boxmeer's successor, with other figures.
    successor = policy.windtunnel_table("GM0756", GOAL, n_samples=20)
    assert set(successor["region"]) == {"GM1982"}


def test_why_different_takes_the_indeling_from_the_report_region():
    place = resolve_region("GM0756", 2015)
    html = difference.why_different(place, 2020).data
    assert "Boxmeer" in html and "Land van Cuijk" not in html
