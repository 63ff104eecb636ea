"""`socecon data refresh` against a CBS OData v3 feed on 127.0.0.1 (tests/odata_server.py).

cbsodata and requests run unchanged, pointed at the loopback server with ``--service``. The
server serves tests/fixtures/cbs_odata: bijstand tables copied from recorded real exports,
70072ned in today's design (titles of the recorded 2026 redesign) and in its 2019 version.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from urllib.parse import unquote_plus

import pandas as pd
import pytest
import yaml
from odata_server import ODataServer

from socecon import cli
from socecon.data.cbs_refresh import refresh
from socecon.data.manifest import sha256_file
from socecon.data.schema import DATA_DIR_ENV, PROCESSED_FILES, default_data_dir
from socecon.data.snapshot import load_snapshot
from socecon.exceptions import CBSUnavailableError, DataError
from socecon.report import provenance

TABLES = ("70072ned", "83450NED", "83747NED", "84066NED", "84583NED")
#: The KWB editions of 2022-2025 (bijstand count of all ages).
KWB_TABLES = ("85318NED", "85618NED", "85984NED", "86165NED")
SNAPSHOT_FILES = (*PROCESSED_FILES, "manifest.yaml")
#: The 70072ned fixtures: today's design, and the table version of 2019.
DESIGNS = {"2026": {}, "2019": {"70072ned": "70072ned_version_2019"}}


@pytest.fixture
def cbs(fixtures_dir):
    server = ODataServer(fixtures_dir / "cbs_odata")
    yield server
    server.close()


@pytest.fixture(scope="module")
def committed():
    return load_snapshot(indeling=2015)


@pytest.fixture
def existing(tmp_path):
    """A copy of the committed data/ in a folder of its own, with its digests."""
    target = tmp_path / "data"
    shutil.copytree(default_data_dir(), target)
    return target, {n: sha256_file(target / n) for n in SNAPSHOT_FILES}


def test_fixtures_say_what_is_recorded_and_what_constructed(fixtures_dir):
    text = (fixtures_dir / "cbs_odata" / "README.md").read_text()
    assert "| recorded (real) | constructed |" in text and "were not\nrecorded" in text


@pytest.mark.parametrize("design", DESIGNS)
def test_loopback_refresh_equals_the_build_for_every_figure_both_hold(
    design, fixtures_dir, tmp_path, committed
):
    server = ODataServer(fixtures_dir / "cbs_odata", DESIGNS[design])
    try:
        refresh(tmp_path / "data", service=server.url)
    finally:
        server.close()
    fresh = load_snapshot(tmp_path / "data", indeling=2015)
    merged = fresh.merge(committed, on=["region", "year", "variable"], suffixes=("", "_built"))
    assert len(merged) == len(fresh)
    assert (merged["unit"] == merged["unit_built"]).all()
    assert (merged["source"] == merged["source_built"]).all()
    both = merged.dropna(subset=["value", "value_built"])
    assert len(both) > 400
    assert (both["value"] - both["value_built"]).abs().max() < 1e-9
    # nothing is missing where the build has a figure, and the reverse
    assert merged["value"].isna().equals(merged["value_built"].isna())
    gm = sorted(fresh.loc[fresh["region"].str.startswith("GM"), "region"].unique())
    participating = ["GM0784", "GM0797", "GM0809", "GM0867", "GM0090", "GM0164", "GM0301"]
    assert gm == sorted([*participating, "GM0106", "GM0392", "GM0363", "GM0457"])
    assert set(fresh["variable"]) == set(committed["variable"])
    assert set(fresh["year"]) == {2015, 2016, 2017, 2019, 2025}
    # padding stripped (6 wide in 2015, 7 in 2016-2017); size-class regions (A0..) left out
    assert not fresh["region"].str.contains(" ").any()
    assert set(fresh["region"].str[:2]) == {"GM", "NL", "PV", "CR", "AM"}
    # Haarlem's re-integratie figure of 2016 is "." in the recorded 83747NED
    value = fresh.set_index(["region", "year", "variable"])["value"]
    assert math.isnan(value["GM0392", 2016, "reintegration_provision"])
    assert value["GM0392", 2016, "bijstand_15_aow"] > 0
    # the 2025 indeling is refreshed too, and equals the build where both have a figure
    fresh = load_snapshot(tmp_path / "data", indeling=2025)
    built = load_snapshot(indeling=2025)
    merged = fresh.merge(built, on=["region", "year", "variable"], suffixes=("", "_built"))
    both = merged.dropna(subset=["value", "value_built"])
    assert len(both) > 300
    assert (both["value"] - both["value_built"]).abs().max() < 1e-9


def test_refresh_picks_the_declared_column_not_decoys(cbs, tmp_path):
    refresh(tmp_path / "data", service=cbs.url)
    frame = load_snapshot(tmp_path / "data", indeling=2015)
    value = frame.set_index(["region", "year", "variable"])["value"]
    # 15-25 + 25-45 + 45-65 (not the relative "15 tot 25 jaar" in %, listed first)
    assert value["GM0784", 2015, "population_15_64"] == 16767
    assert value["GM0784", 2015, "establishments"] == 1995  # not the decoy (999999)
    # the 2016 tables' own keys (Instroom_4, UitstroomNaarWerk_8), not 2015's
    assert value["GM0784", 2016, "bijstand_outflow_to_work"] > 0
    regions = pd.read_csv(tmp_path / "data" / "regions.csv").set_index("code")
    assert regions.loc["GM0797", "corop_code"] == "CR35"
    assert regions.loc["GM0106", "labour_market_region_code"] == "AM01"
    assert regions.loc["GM0301", "province_name"] == "Gelderland"
    manifest = yaml.safe_load((tmp_path / "data" / "manifest.yaml").read_text())
    assert manifest["generated_by"] == "socecon data refresh"
    host = cbs.url.removeprefix("http://")
    assert {i["file"] for i in manifest["inputs"]} == {f"{host}/{t}" for t in TABLES + KWB_TABLES}
    assert f"(OData v3, {host})" in manifest["origin"]
    notes = {
        t["id"]: t.get("version") for t in manifest["tables"]["cbs_snapshot.csv"]["cbs_tables"]
    }
    assert "leeftijdsgroepen_2026" in notes["70072ned"]


def test_refresh_sends_filters_and_selects_and_follows_paging(cbs, tmp_path):
    refresh(tmp_path / "data", service=cbs.url)
    urls = [unquote_plus(u) for u in cbs.urls]
    typed = [u for u in urls if "/TypedDataSet" in u]
    assert any("$skip=" in u for u in typed), "odata.nextLink was not followed"
    assert not any("/UntypedDataSet" in u for u in urls)
    kern = [u for u in typed if "/70072ned/" in u]
    assert "Perioden eq '2015JJ00' or Perioden eq '2025JJ00'" in kern[0]
    assert "$select=RegioS,Perioden," in kern[0]
    kwb = [u for u in typed if "/84583NED/" in u]
    assert "startswith(WijkenEnBuurten,'GM')" in kwb[0]


def test_dry_run_prints_the_mapping_and_writes_nothing(cbs, tmp_path, capsys):
    target = tmp_path / "data"
    code = cli.main(
        ["data", "refresh", "--dry-run", "--service", cbs.url, "--data-dir", str(target)]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "variable\tyear\ttable\tkey\ttitle\tunit"
    rows = {tuple(line.split("\t")) for line in out[1:-1]}
    assert (
        "population_15_64",
        "2015",
        "70072ned",
        "k_15Tot25Jaar_10",
        "15 tot 25 jaar",
        "aantal",
    ) in rows
    assert ("jobs", "2015", "70072ned", "TotaalBanen_118", "Totaal banen", "x 1 000") in rows
    assert ("bijstand_outflow_to_work", "2015", "83450NED", "UitstromersNaarWerk_8",
            "Uitstromers naar werk", "aantal") in rows  # fmt: skip
    assert ("bijstand_outflow_to_work", "2016", "83747NED", "UitstroomNaarWerk_8",
            "Uitstroom naar werk", "Aantal") in rows  # fmt: skip
    # the KWB editions: by the key seen for 85984NED, by stem in the others
    assert ("bijstand_kwb", "2024", "85984NED", "PersonenPerSoortUitkeringBijstand_87",
            "Bijstand", "aantal") in rows  # fmt: skip
    assert ("bijstand_kwb", "2022", "85318NED", "PersonenPerSoortUitkeringBijstand_83",
            "Bijstand", "aantal") in rows  # fmt: skip
    assert {r[1] for r in rows if r[0] == "bijstand_kwb"} == {"2022", "2023", "2024", "2025"}
    # every snapshot variable is listed (bijstand_kwb only comes from a refresh)
    assert {r[0] for r in rows} == set(load_snapshot()["variable"]) | {"bijstand_kwb"}
    assert out[-1].endswith("nothing was written")
    assert not target.exists()
    assert not [u for u in cbs.urls if "DataSet" in u], "the dry run downloaded data"


def _without(table, name, doc, keys):
    if name == "DataProperties":
        doc["value"] = [p for p in doc["value"] if p["Key"] not in keys]
    return doc


def _renamed(table, name, doc):
    if table == "70072ned" and name == "DataProperties":
        for p in doc["value"]:
            if p["Key"] == "TotaalBanen_118":
                p.update(Key="Banen_118", Title="Banen (werkzame personen)")
    return doc


def _kwb_without_bijstand(table, name, doc):
    if table == "85618NED" and name == "DataProperties":
        for p in doc["value"]:
            if p["Key"] == "PersonenPerSoortUitkeringBijstand_85":
                p.update(Key="PersonenMetBijstandsuitkering_85", Title="Bijstandsuitkering")
    return doc


def _kwb_with_code(code):
    def edit(table, name, doc):
        if table == "85618NED" and name == "TypedDataSet":
            doc["value"].append(dict(doc["value"][0], WijkenEnBuurten=code.ljust(10)))
        return doc

    return edit


BROKEN = {
    "missing column": (
        lambda s: setattr(
            s, "edit", lambda t, n, d: _without(t, n, d, {"Instroom_4"}) if t == "83747NED" else d
        ),
        DataError,
        [
            "CBS table 83747NED (data set bijstand)",
            "variable instroom",
            "key Instroom_4",
            "title 'Instromers' or 'Instroom'",
            "closest real titles: 'Instroom' (Instroom_5, %)",
            "Nothing was written",
        ],
    ),
    "renamed title": (
        lambda s: setattr(s, "edit", _renamed),
        DataError,
        [
            "CBS table 70072ned (data set kern)",
            "variable jobs_x1000",
            "title 'Totaal banen' or 'Totaal aantal banen'",
            "unit 'x 1 000'",
            "'Banen (werkzame personen)' (Banen_118, x 1 000)",
        ],
    ),
    "KWB edition without the bijstand column": (
        lambda s: setattr(s, "edit", _kwb_without_bijstand),
        DataError,
        [
            "CBS table 85618NED (data set kwb_bijstand)",
            "variable bijstand",
            "title 'Bijstand' or 'Personen per soort uitkering: bijstand'",
            "key stem PersonenPerSoortUitkeringBijstand",
            "'Bijstandsuitkering' (PersonenMetBijstandsuitkering_85, aantal)",
        ],
    ),
    "KWB row of a dissolved municipality": (
        lambda s: setattr(s, "edit", _kwb_with_code("GM0457")),
        DataError,
        ["CBS table 85618NED (2023)", "GM0457 (no longer a municipality on 1 January)"],
    ),
    "KWB row of an unknown municipality": (
        lambda s: setattr(s, "edit", _kwb_with_code("GM9999")),
        DataError,
        ["CBS table 85618NED (2023)", "GM9999 (neither a 2025 municipality nor a known"],
    ),
    "server error": (
        lambda s: s.fail.update({"84066NED": 500}),
        DataError,
        ["refused table 84066NED", "500 Server Error"],
    ),
    "no answer": (
        lambda s: s.hang.add("84583NED"),
        CBSUnavailableError,
        ["did not answer within 0.5 s for table 84583NED"],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_feed_names_the_problem_and_leaves_data_byte_identical(
    case, cbs, existing, capsys
):
    target, before = existing
    breaker, error, texts = BROKEN[case]
    breaker(cbs)
    code = cli.main(
        ["data", "refresh", "--service", cbs.url, "--timeout", "0.5", "--data-dir", str(target)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("socecon: error: ") and "Traceback" not in err
    for text in texts:
        assert text in err
    assert {n: sha256_file(target / n) for n in SNAPSHOT_FILES} == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["data"], "temp files left"
    with pytest.raises(error):
        refresh(target, service=cbs.url, timeout=0.5)


def test_refresh_without_network_fails_clearly_and_leaves_snapshot(cbs, existing, capsys):
    target, before = existing
    url = cbs.url
    cbs.close()  # nobody listens on the port any more
    code = cli.main(["data", "refresh", "--service", url, "--data-dir", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("socecon: error: cannot reach CBS open data (")
    assert {n: sha256_file(target / n) for n in SNAPSHOT_FILES} == before
    with pytest.raises(CBSUnavailableError):
        refresh(Path(target.parent / "new"), service=url)
    assert not (target.parent / "new").exists()


def test_refreshed_density_is_recomputed(cbs, tmp_path):
    refresh(tmp_path / "data", service=cbs.url)
    v = load_snapshot(tmp_path / "data", indeling=2015).set_index(["region", "year", "variable"])[
        "value"
    ]
    assert math.isclose(
        v["GM0784", 2015, "bijstand_density_15_aow"], 1000 * 470 / 16840, abs_tol=1e-3
    )


def test_kwb_bijstand_comes_per_edition_in_2025_borders(cbs, tmp_path, monkeypatch):
    refresh(tmp_path / "data", service=cbs.url)
    frame = load_snapshot(tmp_path / "data", indeling=2025)
    kwb = frame[frame["variable"] == "bijstand_kwb"]
    value = kwb.set_index(["region", "year"])["value"]
    # 85318NED (2022) still has Weesp (410, constructed) next to Amsterdam (39 870): the sum
    # lands on Amsterdam, as 2025's borders hold both; from 2023 Amsterdam includes Weesp.
    assert value["GM0363", 2022] == 39870 + 410
    assert value["GM0363", 2023] == 40270
    assert "GM0457" not in set(frame["region"])
    assert value["GM0784", 2024] == 450
    assert set(kwb["year"]) == {2022, 2023, 2024, 2025}
    assert dict(zip(kwb["year"], kwb["source"], strict=True)) == {
        2022: "85318NED",
        2023: "85618NED",
        2024: "85984NED",
        2025: "86165NED",
    }
    # municipality rows only (the tables also hold NL00, wijk and buurt rows), all in tens
    assert set(kwb["region"].str[:2]) == {"GM"}
    assert (kwb["value"].dropna() % 10 == 0).all()
    # never mixed with the 15-to-AOW-age counts: those keep their own years and tables
    aow = frame[frame["variable"] == "bijstand_15_aow"]
    assert set(aow["year"]) == {2015, 2016, 2017}
    assert not set(aow["source"]) & set(KWB_TABLES)
    # the 2015 indeling has no KWB series (it would need the 2025 borders split back)
    assert "bijstand_kwb" not in set(load_snapshot(tmp_path / "data", indeling=2015)["variable"])
    manifest = yaml.safe_load((tmp_path / "data" / "manifest.yaml").read_text())
    # each snapshot lists the tables that fed it, and only those: the KWB editions exist in the
    # 2025 indeling alone, though one refresh read them for both
    listed = {
        indeling: [t["id"] for t in manifest["tables"][name]["cbs_tables"]]
        for indeling, name in ((2015, "cbs_snapshot.csv"), (2025, "cbs_snapshot_2025.csv"))
    }
    assert listed[2015] == list(TABLES)
    assert listed[2025] == [*TABLES, *KWB_TABLES]
    for indeling, ids in listed.items():
        sources = set(load_snapshot(tmp_path / "data", indeling=indeling)["source"].dropna())
        assert set(ids) == sources
    # and so does a report's colophon: the tables of its own indeling
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    assert list(provenance.cbs_tables(2015)) == list(TABLES)
    assert list(provenance.cbs_tables(2025)) == [*TABLES, *KWB_TABLES]
    colophon = provenance.colophon({"region": "GM0784", "indeling": 2015}).data
    assert "85318NED" not in colophon and "83450NED" in colophon
    assert "85318NED" in provenance.colophon({"region": "GM0784", "indeling": 2025}).data
    conversion = manifest["indelingen"][2025]
    assert "Weesp into Amsterdam" in conversion["later_years_method"]
    # the total over the 2022 municipalities equals the total over those of 2025
    assert conversion["control_totals"]["bijstand_kwb/2022"] == {
        "own_indeling": 54780.0,
        "indeling_2025": 54780.0,
        "difference": 0.0,
    }
    kwb_urls = [unquote_plus(u) for u in cbs.urls if "/85318NED/TypedDataSet" in u]
    assert "startswith(WijkenEnBuurten,'GM')" in kwb_urls[0]


def test_kwb_keeps_municipality_rows_even_when_the_filter_is_not_applied(cbs, tmp_path):
    # The KWB editions also hold NL00, wijk (WK036300) and buurt (BU03630000) rows; served
    # unfiltered they must still be left out, so the series is the same as with the filter.
    cbs.apply_filter = False
    refresh(tmp_path / "data", service=cbs.url)
    frame = load_snapshot(tmp_path / "data", indeling=2025)
    kwb = frame[frame["variable"] == "bijstand_kwb"].set_index(["region", "year"])["value"]
    assert kwb["GM0363", 2022] == 39870 + 410
    assert set(kwb.index.get_level_values("region").str[:2]) == {"GM"}
    assert kwb.sum() == 54780 + 54680 + 54600 + 54520  # the municipality rows only
