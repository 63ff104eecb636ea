"""Comparable municipalities: the declared rule on the real snapshot, and the report's section."""

from __future__ import annotations

import re

import pytest

from socecon.analysis.peers import (
    municipality_characteristics,
    peer_codes,
    peer_distances,
    region_characteristics,
)
from socecon.data.snapshot import snapshot_wide
from socecon.definitions.peers import load_peers
from socecon.exceptions import DefinitionError
from socecon.model import run_model
from socecon.present.formats import format_number
from socecon.regions import group_members, region_name
from socecon.report import overview
from socecon.report.peers import OWN_ROW, peer_comparison, rule_text
from socecon.report.region_figures import RATE_ROWS

#: Zutphen's peers by the rule of peers.yaml on the 2015 snapshot, nearest first: regional
#: centres of 40,000-70,000 inhabitants with about 50 in bijstand per 1,000 and about 900 jobs
#: per 1,000 inhabitants of working age. A change of rule or data that moves them shows here.
ZUTPHEN_PEERS = ("Tiel", "Roermond", "Assen", "Smallingerland", "Heerenveen")


def test_zutphen_has_a_stable_declared_set_of_peers():
    # In the study's indeling of 2015 (393 municipalities) ...
    assert load_peers().count == 5
    peers_2015 = peer_codes("GM0301", indeling=2015)
    assert tuple(region_name(c, 2015) for c in peers_2015) == ZUTPHEN_PEERS
    distances = peer_distances("GM0301", 2015)
    assert "GM0301" not in distances.index and len(distances) == 392
    assert distances.is_monotonic_increasing
    assert peer_codes("GM0301", 2, indeling=2015) == peers_2015[:2]
    # ... and in the default indeling of 2025 (342), chosen from the converted counts.
    assert len(peer_distances("GM0301")) == 341
    assert peer_codes("GM0301") == peer_codes("GM0301", indeling=2025)


def test_characteristics_are_ratios_of_cbs_counts_and_a_group_sums_its_members():
    counts = snapshot_wide(2015, ["population", "bijstand_15_aow", "population_15_aow"])
    zutphen = region_characteristics("GM0301")
    assert zutphen["size"] == counts.loc["GM0301", "population"]
    expected = (
        1000 * counts.loc["GM0301", "bijstand_15_aow"] / counts.loc["GM0301", "population_15_aow"]
    )
    assert zutphen["bijstand"] == pytest.approx(expected)
    members = list(group_members("isd_midden_langstraat"))
    isd = region_characteristics("isd_midden_langstraat")
    summed = counts.loc[members].sum()
    assert isd["size"] == summed["population"]
    assert isd["bijstand"] == pytest.approx(
        1000 * summed["bijstand_15_aow"] / summed["population_15_aow"]
    )
    # a rate of the group, not the average of its members' rates
    assert isd["bijstand"] != pytest.approx(
        municipality_characteristics().loc[members, "bijstand"].mean()
    )
    peers = peer_codes("isd_midden_langstraat")
    assert len(peers) == 5 and not set(peers) & set(members)


def test_the_rule_is_stated_in_words_from_the_declarations():
    text = rule_text("GM0301")
    assert text.startswith(
        "Vergelijkbare gemeenten zijn de vijf gemeenten die in 2015 het meest op Zutphen"
    )
    for characteristic in load_peers().characteristics:
        assert characteristic.label in text
    assert "tellen zelf niet mee" in rule_text("isd_midden_langstraat")
    assert "tellen zelf niet mee" not in text


def test_a_peer_ratio_has_the_unit_of_the_same_ratio_in_the_key_figures():
    # One unit per quantity (report_style.md): jobs per 1.000 inhabitants 15-64 in "De gemeente
    # in cijfers" is not jobs per 100 in the peers' table a few lines below it.
    rates = {(num, den): (label, scale) for label, num, den, scale in RATE_ROWS}
    shared = [c for c in load_peers().characteristics if (c.variable, c.per) in rates]
    assert {c.id for c in shared} == {"bijstand", "jobs"}
    for c in shared:
        label, scale = rates[c.variable, c.per]
        assert c.scale == scale, (c.id, c.scale, label)
        assert (
            f"per {format_number(scale)} " in c.column and f"per {format_number(scale)} " in c.label
        )


def test_the_report_shows_the_peers_beside_the_region_in_figures_and_results():
    frame = run_model("GM0301", horizon=2020)
    page = peer_comparison(frame, "GM0301", 2020).data
    assert page.startswith("<h3>Vergelijkbare gemeenten</h3>")
    tables = re.findall(r"<table.*?</table>", page, re.DOTALL)
    assert len(tables) == 3
    for table in tables:
        rows = re.findall(r"<tr(?: class=\"([^\"]*)\")?><td[^>]*>([^<]*)</td>", table)
        assert [name for _, name in rows] == ["Zutphen", *ZUTPHEN_PEERS]
        assert rows[0][0] == OWN_ROW and all(not cls for cls, _ in rows[1:])
    assert "Deelname van de doelgroep in 2020" in page and "€ " in tables[2]
    assert "Basisjaar" in tables[1] and "Publiek-privaat" in tables[1]
    assert "Bron: CBS" in page


def test_the_overview_uses_the_same_rule():
    frame = overview.all_municipalities(2020)
    table = overview.peers(frame, "placed", "regulier", ["GM0301"])
    others = table[~table["is_zelf"]]
    assert tuple(others["gemeente"]) == ZUTPHEN_PEERS


def test_a_broken_rule_is_one_message_naming_every_problem(tmp_path):
    (tmp_path / "peers.yaml").write_text(
        "count: 0\ncharacteristics:\n  - id: size\n    variable: population\n    scale: -1\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as caught:
        load_peers(tmp_path / "peers.yaml")
    message = str(caught.value)
    assert "count: must be at least 1" in message
    assert "scale must be positive" in message
    assert "missing field 'label'" in message and "missing field 'column'" in message


def test_a_municipality_without_a_target_group_gets_dashes_not_an_error():
    frame = run_model("GM0277", horizon=2020)  # Rozendaal: no bijstand, Wsw or Wajong
    page = peer_comparison(frame, "GM0277", 2020).data
    own = re.findall(r'<tr class="socecon-own">(.*?)</tr>', page)
    assert len(own) == 3 and "Rozendaal" in own[1]
    assert own[1].count(">–<") == 5  # no participation in any scenario
