"""The model on the real CBS snapshot, checked against sourced national anchors.

Anchors from ../shared/domain/README.md (tags C/C2): Wsw ~102-104k employees 2009-2014 and 91k at
end 2016; the Participatiewet population with a distance to the labour market ~400,000 plus ~90,000
Wsw (~2016, Cedris, C2); banenafspraak + Wsw + beschut werk ~165,000 people at end 2020 (SZW,
C2); banenafspraak jobs 2019: 61,615 extra on top of a nulmeting of ~75,000 (C); the national Wsw
budget is of the order of 2.4 billion euros a year (rijksbijdrage ~26,000 per SE, U).
"""

from __future__ import annotations

import pytest

from socecon.model import run_model


@pytest.fixture(scope="module")
def national():
    frame = run_model(["NL01"], years=[2015, 2020])
    return frame.set_index(["scenario", "variable", "year"]).value


def test_baseline_wsw_matches_the_cbs_count_and_national_anchor(national):
    # Every Wsw employee works in the baseline: the sum over municipalities is CBS's ~96,000.
    wsw_cost = national["baseline", "operating_subsidy", 2015]
    employees = wsw_cost / 26_000
    assert 90_000 < employees < 105_000
    assert 2.2e9 < wsw_cost < 2.8e9


def test_target_group_is_of_the_order_of_the_cedris_estimate(national):
    target = national["baseline", "target_group", 2015]
    assert 300_000 < target < 500_000


def test_baseline_workers_are_of_the_order_of_the_szw_count(national):
    assert 120_000 < national["baseline", "placed", 2015] < 200_000


def test_regulier_jobs_are_of_the_order_of_the_banenafspraak(national):
    jobs = national["regulier", "banenafspraak_jobs", 2020]
    assert 50_000 < jobs < 160_000


def test_publiek_places_most_and_regulier_leaves_the_low_bands_out(national):
    placed = {
        s: national[s, "placed", 2020]
        for s in ("sociaal_ondernemen", "regulier", "publiek_privaat", "publiek")
    }
    assert max(placed, key=placed.get) == "publiek"
    assert national["regulier", "placed|20-30", 2020] == 0
    assert national["publiek", "placed|20-30", 2020] > 0
