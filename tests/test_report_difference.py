"""The report section "Waarom <gemeente> afwijkt van Nederland"."""

from __future__ import annotations

import re

import pandas as pd

from socecon.analysis.decomposition import decompose
from socecon.report import difference
from socecon.report.region_figures import ReportRegion


def cells(html: str) -> list[list[str]]:
    """The body rows of the section's table, as cell texts."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>")[:-1]]


def number(text: str) -> float:
    return float(text.replace(" %", "").replace(".", "").replace(",", "."))


def test_section_shows_each_scenario_and_parts_that_add_up():
    html = difference.why_different("GM0784", 2020).data
    assert html.startswith("<h2>Waarom Gilze en Rijen afwijkt van Nederland</h2>")
    rows = cells(html)
    assert [r[0] for r in rows] == [
        "Basisjaar",
        "Sociaal Ondernemen",
        "Regulier",
        "Publiek-privaat",
        "Publiek",
    ]
    table = decompose("GM0784", horizon=2020)
    for row, (_, expected) in zip(rows, table.iterrows(), strict=True):
        assert number(row[1]) == round(expected.participation, 1)
        assert number(row[3]) == round(expected.gap, 1)
    # The sentence names the scenario with the largest difference and its main part.
    futures = table[table.scenario != "baseline"]
    largest = futures.loc[futures.gap.abs().idxmax()]
    sign = 1 if largest.gap >= 0 else -1
    main = max(difference.FACTORS, key=lambda f: sign * largest[f])
    names = {"sociaal_ondernemen": "Sociaal Ondernemen", "regulier": "Regulier"}
    names |= {"publiek_privaat": "Publiek-privaat", "publiek": "Publiek"}
    assert (
        "Van de vier scenario's is het verschil het grootst in "
        f"{names[largest.scenario]}: Gilze en Rijen ligt daar " in html
    )
    part = difference.points(largest[main])
    assert f"vooral door {difference.FACTOR_NAMES[main]} ({part})" in html
    assert "procentpunt" in html and "Bron: CBS" in html


def test_a_group_and_an_empty_target_group():
    group = difference.why_different("isd_midden_langstraat", 2020).data
    assert "Waarom ISD Midden-Langstraat afwijkt van Nederland" in group
    empty = difference.why_different("GM0277", 2020).data  # Rozendaal: no target group
    assert "de doelgroep leeg" in empty and "<table" not in empty


def test_names_never_become_markup(monkeypatch):
    evil = "<script>alert(1)</script>"
    monkeypatch.setattr(
        difference,
        "resolve_region",
        lambda region: ReportRegion("GM0784", evil, ("GM0784",), ("AM26",)),
    )
    html = difference.why_different("GM0784", 2020).data
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_points_are_signed_dutch_numbers():
    assert difference.points(1.46) == "+1,5"
    assert difference.points(-0.04) == "0,0"
    assert difference.points(-12.34) == "-12,3"
    assert difference.points(float("nan")) == "-"


def test_the_cause_named_is_a_part_that_makes_the_difference():
    # A made-up decomposition: the region is 1,0 point above Nederland although its own
    # placing pulls 3,0 down; the parts that make the difference are regional places (+2,5)
    # and the mix (+1,5). The sentence must not say "vooral door plaatsen in de gemeente".
    table = pd.DataFrame(
        {
            "scenario": ["baseline", "publiek"],
            "gap": [0.5, 1.0],
            "effectiveness": [0.5, -3.0],
            "capacity": [0.0, 2.5],
            "mix": [0.0, 1.5],
        }
    )
    scenario, gap, main, counter = difference._largest(table)
    assert (scenario, gap, main, counter) == ("publiek", 1.0, "capacity", "effectiveness")
    # a part the other way that rounds to 0,0 is not worth a clause
    table.loc[1, ["effectiveness", "capacity", "mix"]] = [-0.01, 0.51, 0.5]
    table.loc[1, "gap"] = 1.0
    assert difference._largest(table)[2:] == ("capacity", None)
