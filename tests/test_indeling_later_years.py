"""The borders of 2022-2025 converted to those of 2025 (the KWB editions), from the mapping.

The successors of each year's municipalities are derived from ../shared/cbs/gemeenten_2015_2025.csv
(whole merges after 1 January 2022); the counts of municipalities per year are CBS's own
(352 in 2021, 345 in 2022, 342 from 2023).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from socecon.data.cbs_build import default_cbs_dir
from socecon.data.indeling import MAPPING_FILE, convert_to_2025, read_mapping, successors_from
from socecon.exceptions import DataError

MAPPING = default_cbs_dir() / MAPPING_FILE
pytestmark = pytest.mark.skipif(not MAPPING.is_file(), reason="shared CBS exports not available")


@pytest.fixture(scope="module")
def mapping() -> pd.DataFrame:
    return read_mapping(MAPPING)


@pytest.mark.parametrize(("year", "count"), [(2021, 352), (2022, 345), (2023, 342), (2025, 342)])
def test_municipalities_per_year_are_cbs_counts(mapping, year, count):
    successors = successors_from(mapping, year)
    assert len(successors) == count
    assert set(successors.values()) == set(mapping["code_2025"])


def test_the_changes_after_2022_are_the_known_mergers(mapping):
    moved = {c: s for c, s in successors_from(mapping, 2022).items() if c != s}
    # Weesp into Amsterdam (24 March 2022); Brielle, Hellevoetsluis and Westvoorne into
    # Voorne aan Zee (2023). Dijk en Waard, Land van Cuijk and Maashorst exist on 1 January 2022.
    assert moved == {
        "GM0457": "GM0363",
        "GM0501": "GM1992",
        "GM0530": "GM1992",
        "GM0614": "GM1992",
    }
    in_2022 = successors_from(mapping, 2022)
    assert {"GM1980", "GM1982", "GM1991"} <= set(in_2022)  # Dijk en Waard, Land van Cuijk, ...
    assert not {"GM0398", "GM0416", "GM0370", "GM1992"} & set(in_2022)  # ... not their parts
    assert all(c == s for c, s in successors_from(mapping, 2023).items())


def test_a_split_after_the_year_needs_shares_and_is_refused(mapping):
    # Haaren (GM0788) was divided over four municipalities on 1 January 2021.
    with pytest.raises(DataError, match=r"GM0788 of 2020 was split after 2020 .*needs shares"):
        successors_from(mapping, 2020)


def test_a_merged_municipality_lands_summed_on_its_2025_successor(mapping):
    frame = pd.DataFrame(
        {
            "region": ["GM0363", "GM0457", "GM0501", "GM0530", "GM0614", "GM0164"],
            "year": 2022,
            "value": [39870.0, 410.0, 300.0, 700.0, 150.0, 2570.0],
        }
    )
    out = convert_to_2025(frame, mapping, "85318NED").set_index("region")["value"]
    assert out["GM0363"] == 40280  # Amsterdam + Weesp
    assert out["GM1992"] == 1150  # Voorne aan Zee
    assert out["GM0164"] == 2570
    assert "GM0457" not in out.index


def test_a_successor_with_a_part_missing_gets_no_figure(mapping):
    frame = pd.DataFrame(
        {"region": ["GM0363", "GM0501", "GM0530"], "year": 2022, "value": [39870.0, 300.0, 700.0]}
    )
    out = convert_to_2025(frame, mapping, "85318NED").set_index("region")["value"]
    assert math.isnan(out["GM0363"])  # Weesp has no row
    assert math.isnan(out["GM1992"])  # Westvoorne has no row


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("GM0457", "no longer a municipality on 1 January"),  # Weesp in 2023
        ("GM9999", "neither a 2025 municipality nor a known predecessor"),
    ],
)
def test_a_code_outside_the_years_borders_is_refused_by_table_year_and_code(mapping, code, why):
    frame = pd.DataFrame({"region": ["GM0363", code], "year": 2023, "value": [40270.0, 10.0]})
    with pytest.raises(DataError) as info:
        convert_to_2025(frame, mapping, "85618NED")
    assert "CBS table 85618NED (2023)" in str(info.value)
    assert f"{code} ({why})" in str(info.value)
