"""The declarations of cbs_tables.yaml against recorded real answers of CBS.

../shared/cbs/odata_recorded holds byte-exact UntypedDataSet exports of 83450NED, 83747NED and
84066NED and a transcribed extract of the MeasureCodes of 70072ned after its redesign of
2026-07-31 (OData v4; see its README). Their keys, titles, units, codes, padding and missing
values must resolve with socecon.data.cbs_resolve as declared.
"""

from __future__ import annotations

import csv
import math

import pytest

from socecon.data.cbs_assemble import BIJSTAND, KERN, KWB2019
from socecon.data.cbs_build import default_cbs_dir
from socecon.data.cbs_resolve import cell, dimension, resolve_dataset
from socecon.definitions import REGION_CODE
from socecon.exceptions import DataError

RECORDED = default_cbs_dir() / "odata_recorded"
EXPORTS = {
    "83450NED": "UntypedDataSet_export_gemeente_2015.csv",
    "83747NED": "UntypedDataSet_export_gemeente_2016.csv",
    "84066NED": "UntypedDataSet_export_gemeente_2017.csv",
}


def _export(table: str) -> list[dict[str, str]]:
    with (RECORDED / table / EXPORTS[table]).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _topics_from_keys(keys, unit="aantal"):
    """DataProperties with the real keys only: no titles (they were not recorded)."""
    return [{"Type": "Topic", "Key": k, "Title": "", "Unit": unit} for k in keys]


def _v4_measures() -> list[dict[str, str]]:
    path = RECORDED / "70072ned" / "v4_MeasureCodes_extract_2026-07-31_version.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    return [
        {"Type": "Topic", "Key": r["Identifier"], "Title": r["Title"], "Unit": r["Unit"]}
        for r in rows
    ]


@pytest.mark.parametrize("table", EXPORTS)
def test_each_bijstand_table_resolves_its_own_recorded_keys(table):
    header = list(_export(table)[0])
    _, found = resolve_dataset(_topics_from_keys(header), BIJSTAND, table)
    stem = "Instromers" if table == "83450NED" else "Instroom"
    assert found["instroom"].key == f"{stem}_4"
    assert found["uitstroom_naar_werk"].key == (
        "UitstromersNaarWerk_8" if table == "83450NED" else "UitstroomNaarWerk_8"
    )
    assert {name: hit.how for name, hit in found.items()} == dict.fromkeys(found, "key")
    assert set(found) == {c.name for c in BIJSTAND.variables}


def test_without_any_known_variant_the_error_names_key_titles_and_stems():
    header = [k for k in _export("83747NED")[0] if not k.startswith("Instroom")]
    with pytest.raises(DataError) as info:
        resolve_dataset(_topics_from_keys(header), BIJSTAND, "83747NED")
    assert (
        "CBS table 83747NED (data set bijstand): variable instroom: looked for key Instroom_4, "
        "title 'Instromers' or 'Instroom', key stem Instromers or Instroom with unit 'aantal'"
    ) in str(info.value)


@pytest.mark.parametrize("table", EXPORTS)
def test_every_recorded_cell_reads_and_regions_are_padded_as_recorded(table):
    rows = _export(table)
    width = {len(r["Regiokenmerken"]) for r in rows}
    assert width == ({6} if table == "83450NED" else {7})
    regions = {r["Regiokenmerken"].strip() for r in rows}
    size_classes = {r for r in regions if not REGION_CODE.fullmatch(r)}
    # size-class regions (A007394 ...) only in 2016-2017; the snapshot's code pattern skips them
    assert bool(size_classes) == (table != "83450NED")
    assert all(r.startswith("A0") for r in size_classes)
    assert {r["Leeftijd"] for r in rows} == {a.code for a in BIJSTAND.ages.values()}
    dots = nans = 0
    for row in rows:
        for key, value in row.items():
            if key in ("ID", "Leeftijd", "Regiokenmerken"):
                continue
            dots += value.strip() == "."
            nans += math.isnan(cell(value, table, key, row["Regiokenmerken"]))
    assert dots == nans > 0


def test_cbs_symbols_are_read_as_declared():
    assert math.isnan(cell("       .", "t", "v", "GM0001"))
    assert math.isnan(cell("", "t", "v", "GM0001"))
    assert math.isnan(cell("   x", "t", "v", "GM0001"))
    assert cell("       -", "t", "v", "GM0001") == 0.0
    assert math.isnan(cell(None, "t", "v", "GM0001"))
    assert cell("  496600", "t", "v", "GM0001") == 496600.0
    assert cell(35.5, "t", "v", "GM0001") == 35.5
    with pytest.raises(DataError, match=r"CBS table 83450NED: variable instroom, region GM0392: "
                       r"cannot read '12a' as a number or a CBS symbol"):  # fmt: skip
        cell("12a", "83450NED", "instroom", "GM0392")


def test_the_redesigned_70072ned_resolves_with_its_new_age_groups():
    design, found = resolve_dataset(_v4_measures(), KERN, "70072ned")
    assert design.id == "leeftijdsgroepen_2026"
    assert design.sums["population_15_64"] == ("k_15_25", "k_25_45", "k_45_65")
    keys = {name: hit.key for name, hit in found.items()}
    assert [keys[n] for n in design.sums["population_15_64"]] == ["M8414", "M8415", "M8416"]
    assert keys["jobs_x1000"] == "M000308_3" and found["jobs_x1000"].unit == "x 1 000"
    # "Arbeidsongeschiktheid, totaal" and "WIA-uitkering: WGA-regeling" as CBS writes them
    assert keys["ao_total"] == "D006837_2" and keys["wia_wga"] == "D000294"
    assert keys["wajong"] == "D006839" and keys["ww"] == "D001908"
    assert keys["establishments"] == "M000200_2"


def test_the_old_70072ned_design_still_resolves_and_a_half_design_does_not():
    old = [
        {"Type": "Topic", "Key": k, "Title": t, "Unit": "aantal"}
        for k, t in (
            ("k_15Tot20Jaar_7", "15 tot 20 jaar"),
            ("k_20Tot25Jaar_8", "20 tot 25 jaar"),
            ("k_25Tot45Jaar_9", "25 tot 45 jaar"),
            ("k_45Tot65Jaar_10", "45 tot 65 jaar"),
            ("k_65Tot80Jaar_11", "65 tot 80 jaar"),
            ("k_80JaarOfOuder_12", "80 jaar of ouder"),
        )
    ]
    rest = [p for p in _v4_measures() if p["Title"] not in {"15 tot 25 jaar"}]
    rest = [p for p in rest if not p["Key"].startswith("M841")]
    design, _ = resolve_dataset(rest + old, KERN, "70072ned")
    assert design.id == "leeftijd"
    # neither design complete: each design's missing variable is named, with closest titles
    with pytest.raises(DataError) as info:
        resolve_dataset(rest + old[1:], KERN, "70072ned")
    text = str(info.value)
    assert "(design leeftijd) variable k_15_20: looked for title '15 tot 20 jaar'" in text
    assert "(design leeftijdsgroepen_2026) variable k_15_25" in text
    assert "closest real titles: '20 tot 25 jaar' (k_20Tot25Jaar_8, aantal)" in text


def test_a_region_dimension_of_either_kind_is_found():
    geo = [{"Type": "GeoDimension", "Key": "Regiokenmerken"}]
    plain = [
        {"Type": "Dimension", "Key": "Leeftijd"},
        {"Type": "Dimension", "Key": "Regiokenmerken"},
    ]
    assert dimension(geo, BIJSTAND, "region") == "Regiokenmerken"
    assert dimension(plain, BIJSTAND, "region") == "Regiokenmerken"
    assert dimension(plain, BIJSTAND, "age") == "Leeftijd"
    assert dimension([{"Type": "GeoDimension", "Key": "Gebieden"}], KWB2019, "region") == "Gebieden"
    with pytest.raises(DataError, match="no region dimension"):
        dimension([{"Type": "Dimension", "Key": "Leeftijd"}], KWB2019, "region")


def test_unit_spellings_are_normalised_but_a_wrong_unit_is_not_taken():
    props = [
        {"Type": "Topic", "Key": "Instroom_5", "Title": "Instroom", "Unit": "%"},
        {"Type": "Topic", "Key": "Foo_9", "Title": "Instroom", "Unit": "Aantal "},
    ]
    header = list(_export("83747NED")[0])
    others = [p for p in _topics_from_keys(header) if not p["Key"].startswith("Instroom")]
    _, found = resolve_dataset(props + others, BIJSTAND, "83747NED")
    assert found["instroom"].key == "Foo_9" and found["instroom"].how == "title"
