"""Municipality lookup, groups and aggregation."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socecon import regions as regions_module
from socecon.data.names import normalize_name
from socecon.data.snapshot import load_snapshot, snapshot_wide
from socecon.definitions import REGION_KINDS
from socecon.exceptions import SocEconError, UnknownRegionError
from socecon.model import snapshot_input
from socecon.model.calibration import snapshot_counts
from socecon.regions import (
    aggregate,
    default_regions,
    group_members,
    labour_market_regions,
    load_regions,
    participating_codes,
    region_name,
    resolve,
)


@pytest.fixture(scope="module")
def snap() -> pd.DataFrame:
    return load_snapshot(indeling=2015)  # these tests check CBS's own 2015 lokalisering


def _value(frame, region, year, variable):
    sel = frame[
        (frame["region"] == region) & (frame["year"] == year) & (frame["variable"] == variable)
    ]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


# ------------------------------------------------------------------------------------------
# Region table


def test_region_table():
    regions = load_regions(2015)
    assert regions.index.name == "code"
    assert list(regions.columns) == [
        "name",
        "province_code",
        "province_name",
        "labour_market_region_code",
        "labour_market_region_name",
        "corop_code",
        "corop_name",
    ]
    assert len(regions) == 393
    assert regions["province_code"].nunique() == 12
    assert regions["labour_market_region_code"].nunique() == 35
    assert regions["corop_code"].nunique() == 40
    # the lokalisering of the participating municipalities, as in the shared table
    assert tuple(
        regions.loc["GM0797", ["province_code", "labour_market_region_code", "corop_code"]]
    ) == ("PV30", "AM26", "CR35")
    assert regions.loc["GM0106", "labour_market_region_name"] == "Groningen"
    assert regions.loc["GM0090", "corop_name"] == "Zuidoost-Friesland"
    assert regions.loc["GM0820", "name"] == "Nuenen, Gerwen en Nederwetten"
    # a copy: changing it does not change the next result
    regions.loc["GM0784", "name"] = "x"
    assert load_regions().loc["GM0784", "name"] == "Gilze en Rijen"


@pytest.mark.parametrize("indeling", [2015, 2025])
def test_one_reader_of_the_labour_market_regions(indeling):
    # The calibration and the model's regional totals read the same mapping, sorted by code.
    mapping = labour_market_regions(indeling)
    table = load_regions(indeling)
    assert mapping.index.is_monotonic_increasing and set(mapping.index) == set(table.index)
    assert mapping.to_dict() == table["labour_market_region_code"].to_dict()
    _counts, labour_market = snapshot_counts(indeling)
    pd.testing.assert_series_equal(labour_market, mapping)
    inp = snapshot_input(indeling=indeling)
    jobs = snapshot_wide(2015, ["jobs"], indeling=indeling)["jobs"].reindex(mapping.index)
    expected = jobs.fillna(0.0).groupby(mapping).transform("sum").reindex(list(inp.regions))
    np.testing.assert_allclose(inp.region_jobs, expected.to_numpy())


def test_participating_codes():
    assert participating_codes() == (
        "GM0784", "GM0797", "GM0809", "GM0867", "GM0090", "GM0164", "GM0301", "GM0106",
    )  # fmt: skip


# ------------------------------------------------------------------------------------------
# Lookup


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("GM0363", "GM0363"),
        ("gm0363", "GM0363"),
        ("0363", "GM0363"),
        ("363", "GM0363"),
        (" GM0363 ", "GM0363"),
        ("Amsterdam", "GM0363"),
        ("AMSTERDAM", "GM0363"),
        ("Hengelo (O.)", "GM0164"),
        ("hengelo", "GM0164"),
        ("Bergen (NH.)", "GM0373"),
        ("Bergen (L.)", "GM0893"),
        ("'s-Gravenhage (gemeente)", "GM0518"),
        ("Nuenen. Gerwen en Nederwetten", "GM0820"),
        ("Súdwest-Fryslân", "GM1900"),
        ("Sudwest Fryslan", "GM1900"),
        ("Groningen", "GM0014"),  # the municipality wins over the province and AM01
        ("AM26", "AM26"),
        ("am26", "AM26"),
        ("PV30", "PV30"),
        ("CR34", "CR34"),
        ("LD04", "LD04"),
        ("NL01", "NL01"),
        ("Nederland", "NL01"),
        ("participating", "participating"),
        ("isd_midden_langstraat", "isd_midden_langstraat"),
        ("ISD Midden-Langstraat", "isd_midden_langstraat"),
        ("Midden-Brabant", "AM26"),
    ],
)
def test_resolve(query, code):
    assert resolve(query) == code


def test_unknown_code_suggests_close_codes():
    with pytest.raises(UnknownRegionError) as info:
        resolve("GM9999")
    message = str(info.value)
    assert message.startswith("Unknown municipality 'GM9999'; did you mean GM")
    assert "(" in message and message.endswith("?")
    assert isinstance(info.value, SocEconError)


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownRegionError, match=r"did you mean GM0363 \(Amsterdam\)"):
        resolve("Amsterdm")
    with pytest.raises(UnknownRegionError, match=r"did you mean GM0164 \(Hengelo\)"):
        resolve("Hengeloo")


@pytest.mark.parametrize("query", ["GMX", "GM12345", "PV123", "GM03a3"])
def test_malformed_code(query):
    with pytest.raises(UnknownRegionError, match=f"Malformed region code '{query}'"):
        resolve(query)


def test_codes_are_parsed_by_the_declared_patterns_only():
    # regions.py holds no code prefix of its own: GM, LD, PV, AM, CR and NL and their digits
    # come from region_codes and national.code of conventions.yaml.
    letters = {re.match(r"[A-Z]*", p.pattern).group() for p in REGION_KINDS.values()}
    assert letters == {"GM", "LD", "PV", "AM", "CR", "NL"}
    token = re.compile(rf"(?<![A-Za-z])({'|'.join(sorted(letters))})(?![a-z])")
    tree = ast.parse(Path(regions_module.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and ast.get_docstring(node) is not None
    }
    found = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and token.search(node.value)
    ]
    assert not found
    with pytest.raises(UnknownRegionError) as info:
        resolve("XX1")
    assert "Unknown municipality" in str(info.value)  # no code shape: a name
    with pytest.raises(UnknownRegionError) as info:
        resolve("PV1")
    assert "(expected GM + 4 digits, or LD/PV/AM/CR/NL + 2 digits)" in str(info.value)


def test_unknown_region_code_suggests_same_kind():
    with pytest.raises(UnknownRegionError, match=r"Unknown region code 'PV99'; did you mean PV"):
        resolve("PV99")


def test_ambiguous_and_empty_names():
    with pytest.raises(UnknownRegionError, match=r"Ambiguous municipality 'Bergen': GM0373"):
        resolve("Bergen")
    with pytest.raises(UnknownRegionError, match="Empty"):
        resolve("  ")


def test_region_name():
    assert region_name("GM0164") == "Hengelo"
    assert region_name("Hengelo (O.)") == "Hengelo"
    assert region_name("AM26") == "Midden-Brabant"
    assert region_name("PV21") == "Friesland"
    assert region_name("CR34") == "Midden-Noord-Brabant"
    assert region_name("NL01") == "Nederland"
    assert region_name("LD01") == "Noord-Nederland"
    assert region_name("isd_midden_langstraat") == "ISD Midden-Langstraat"


def test_normalize_name():
    assert normalize_name("Hengelo (O.)", drop_qualifier=True) == "hengelo"
    assert normalize_name("  Súdwest-Fryslân ") == "sudwest fryslan"


# ------------------------------------------------------------------------------------------
# Groups


def test_group_members():
    assert group_members("isd_midden_langstraat", 2015) == ("GM0797", "GM0809", "GM0867")
    assert group_members("participating", 2015) == participating_codes()
    assert len(group_members("NL01", 2015)) == 393
    assert group_members("GM0784", 2015) == ("GM0784",)
    am26 = group_members("AM26", 2015)
    assert {"GM0784", "GM0797", "GM0809", "GM0867"} <= set(am26)
    assert len(am26) == 11
    assert "GM0797" not in group_members("CR34", 2015) and "GM0797" in group_members("CR35", 2015)
    with pytest.raises(UnknownRegionError):
        group_members("AM99", 2015)


@pytest.mark.parametrize("prefix", ["CR", "PV", "LD"])
def test_memberships_reproduce_the_cbs_region_rows(snap, prefix):
    """The COROP, province and landsdeel memberships add up exactly to CBS's own rows."""
    pop = snap[(snap["year"] == 2015) & (snap["variable"] == "population")]
    pop = pop.set_index("region")["value"]
    codes = sorted(c for c in pop.index if c.startswith(prefix))
    assert codes
    for code in codes:
        assert pop[list(group_members(code, 2015))].sum() == pop[code], code


def test_labour_market_regions_reproduce_the_cbs_am_rows(snap):
    # 70072ned has no AM rows; the 2015 bijstand table has them (population 15-AOW, rounded
    # to tens per municipality).
    part = snap[(snap["year"] == 2015) & (snap["variable"] == "population_15_aow")]
    values = part.set_index("region")["value"]
    ams = sorted(c for c in values.index if c.startswith("AM"))
    assert len(ams) == 35
    for am in ams:
        members = group_members(am, 2015)
        assert abs(values[list(members)].sum() - values[am]) <= 5 * len(members), am


# ------------------------------------------------------------------------------------------
# Aggregation


def test_isd_midden_langstraat_is_the_sum_of_its_members(snap):
    isd = aggregate(snap, "isd_midden_langstraat", indeling=2015)
    assert set(isd["region"]) == {"isd_midden_langstraat"}
    assert list(isd.columns) == list(snap.columns)
    # hand-checked: Heusden 610 + Loon op Zand 270 + Waalwijk 820 bijstand 15-AOW in 2015
    assert _value(isd, "isd_midden_langstraat", 2015, "bijstand_15_aow") == 1700
    assert _value(isd, "isd_midden_langstraat", 2015, "population") == 43132 + 22960 + 46713
    assert _value(isd, "isd_midden_langstraat", 2016, "wsw_employees") == 210 + 160 + 270
    for row in isd.itertuples(index=False):
        if row.variable == "bijstand_density_15_aow":
            continue
        members = [
            _value(snap, m, row.year, row.variable)
            for m in group_members("isd_midden_langstraat", 2015)
        ]
        assert row.value == sum(members), row


def test_rate_is_recomputed_not_averaged(snap):
    isd = aggregate(snap, "isd_midden_langstraat", indeling=2015)
    density = _value(isd, "isd_midden_langstraat", 2015, "bijstand_density_15_aow")
    pop = sum(_value(snap, m, 2015, "population_15_aow") for m in ("GM0797", "GM0809", "GM0867"))
    assert math.isclose(density, 1000 * 1700 / pop)
    mean = (
        sum(
            _value(snap, m, 2015, "bijstand_density_15_aow") for m in ("GM0797", "GM0809", "GM0867")
        )
        / 3
    )
    assert not math.isclose(density, mean, rel_tol=1e-3)


def test_labour_market_region_aggregate_equals_member_sums(snap):
    am = aggregate(snap, "AM26", indeling=2015)
    members = group_members("AM26", 2015)
    for variable in ("population", "jobs", "bijstand_15_aow", "wajong"):
        want = sum(_value(snap, m, 2015, variable) for m in members)
        assert _value(am, "AM26", 2015, variable) == want
    # and agrees with CBS's own AM26 row within rounding to tens
    assert (
        abs(
            _value(am, "AM26", 2015, "bijstand_15_aow")
            - _value(snap, "AM26", 2015, "bijstand_15_aow")
        )
        <= 55
    )


def test_aggregate_of_incomplete_members_is_nan_unless_skipna(snap):
    # Groesbeek (GM0241, CR15) merged into Berg en Dal in 2016: no 2016 figure.
    cr = aggregate(snap, "CR15", indeling=2015)
    assert math.isnan(_value(cr, "CR15", 2016, "bijstand_15_aow"))
    assert math.isnan(_value(cr, "CR15", 2016, "bijstand_density_15_aow"))
    partial = aggregate(snap, "CR15", skipna=True, indeling=2015)
    members = [m for m in group_members("CR15", 2015) if m != "GM0241"]
    assert _value(partial, "CR15", 2016, "bijstand_15_aow") == sum(
        _value(snap, m, 2016, "bijstand_15_aow") for m in members
    )


def test_aggregate_unknown_group(snap):
    with pytest.raises(UnknownRegionError, match="did you mean"):
        aggregate(snap, "isd_midden_langstraa", indeling=2015)


_REGION_CODES = sorted(
    {
        c
        for col in ("province_code", "labour_market_region_code", "corop_code")
        for c in load_regions()[col]
    }
    | {"LD01", "LD02", "LD03", "LD04", "NL01", "participating"}
)
_COUNTS_2015 = ["population", "jobs", "establishments", "bijstand_15_aow", "wajong", "ww"]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(_REGION_CODES), st.sampled_from(_COUNTS_2015), st.sampled_from([2015, 2025]))
def test_aggregate_equals_member_sum_property(code, variable, indeling):
    snap = load_snapshot(indeling=indeling)
    part = snap[
        (snap["year"] == 2015)
        & snap["variable"].isin(
            [variable, "bijstand_15_aow", "population_15_aow", "bijstand_density_15_aow"]
        )
    ]
    agg = aggregate(part, code, indeling=indeling).set_index("variable")["value"]
    values = part.set_index(["region", "variable"])["value"]
    members = list(group_members(code, indeling))
    assert math.isclose(agg[variable], sum(values[m, variable] for m in members))
    num = sum(values[m, "bijstand_15_aow"] for m in members)
    den = sum(values[m, "population_15_aow"] for m in members)
    assert math.isclose(agg["bijstand_density_15_aow"], 1000 * num / den)


def test_a_contradicting_province_qualifier_is_refused():
    assert resolve("Hengelo (O.)") == "GM0164"
    assert resolve("Bergen (NH.)") != resolve("Bergen (L.)")
    with pytest.raises(UnknownRegionError, match=r"lies in Overijssel, not in Gelderland"):
        resolve("Hengelo (Gld.)")


def test_default_regions_are_the_participants_then_the_combined_groups():
    assert default_regions() == [*participating_codes(), "isd_midden_langstraat"]
