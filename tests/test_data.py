"""The processed CBS snapshot: content, determinism, manifest and detection of bad files."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from socecon import cli
from socecon.data.cbs_build import build, default_cbs_dir
from socecon.data.manifest import format_value, sha256_file, validate_snapshot_dir
from socecon.data.schema import (
    COLUMNS,
    PROCESSED_FILES,
    REFRESH_ONLY,
    VARIABLES,
    default_data_dir,
)
from socecon.data.snapshot import input_hashes, load_snapshot, snapshot_wide, write_snapshot
from socecon.exceptions import DataError

CBS_DIR = default_cbs_dir()
needs_cbs = pytest.mark.skipif(
    not (CBS_DIR / "SHA256SUMS.txt").is_file(), reason="shared CBS exports not available"
)
PARTICIPATING = ["GM0784", "GM0797", "GM0809", "GM0867", "GM0090", "GM0164", "GM0301", "GM0106"]

# Which years each variable must have (the contract of the snapshot).
EXPECTED_YEARS = {
    "population": {2015, 2019, 2025},
    "population_15_64": {2015, 2019, 2025},
    "population_65_plus": {2015, 2019, 2025},
    "population_15_aow": {2015, 2016, 2017},
    "population_15_plus": {2015, 2016, 2017},
    "jobs": {2015},
    "establishments": {2015},
    "bijstand_15_aow": {2015, 2016, 2017},
    "bijstand_15_plus": {2015, 2016, 2017},
    "bijstand_density_15_aow": {2015, 2016, 2017},
    "bijstand_inflow_15_aow": {2015, 2016, 2017},
    "bijstand_outflow_15_aow": {2015, 2016, 2017},
    "bijstand_outflow_to_work": {2015, 2016, 2017},
    "reintegration_provision": {2015, 2016, 2017},
    "wsw_employees": {2015, 2016, 2017},
    "wajong": {2015},
    "ww": {2015},
    "ao_total": {2015},
    "wao": {2015},
    "wia_wga": {2015},
}
UNITS = {
    "jobs": "jobs",
    "establishments": "establishments",
    "bijstand_density_15_aow": "per 1,000",
}

# participating_municipalities_key_figures_long.csv indicator -> snapshot variable
KEY_FIGURES = {
    "ao_uitkeringen_totaal": "ao_total",
    "banen_werkzaam_in_gemeente": "jobs",
    "bedrijfsvestigingen": "establishments",
    "bevolking_15_64": "population_15_64",
    "bevolking_65_plus": "population_65_plus",
    "bevolking_totaal": "population",
    "bijstandsdichtheid_15_tot_aow": "bijstand_density_15_aow",
    "bijstandsontvangers_15_plus": "bijstand_15_plus",
    "bijstandsontvangers_15_tot_aow": "bijstand_15_aow",
    "inwoners_15_plus": "population_15_plus",
    "inwoners_15_tot_aow": "population_15_aow",
    "personen_met_reintegratievoorziening": "reintegration_provision",
    "uitstroom_naar_werk": "bijstand_outflow_to_work",
    "wajong_uitkeringen": "wajong",
    "wao_uitkeringen": "wao",
    "wia_wga_uitkeringen": "wia_wga",
    "wsw_werknemers": "wsw_employees",
    "ww_uitkeringen": "ww",
}


@pytest.fixture(scope="module")
def snap() -> pd.DataFrame:
    return load_snapshot(indeling=2015)  # the study's indeling, as CBS published it


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for name in (*PROCESSED_FILES, "manifest.yaml"):
        shutil.copy(default_data_dir() / name, target / name)
    return target


def _value(frame, region, year, variable):
    row = frame[
        (frame["region"] == region) & (frame["year"] == year) & (frame["variable"] == variable)
    ]
    assert len(row) == 1, (region, year, variable)
    return float(row["value"].iloc[0])


# ------------------------------------------------------------------------------------------
# Content


def test_schema_and_dtypes(snap):
    assert tuple(snap.columns) == COLUMNS
    assert snap["year"].dtype.kind == "i"
    assert snap["value"].dtype == float
    assert not snap.duplicated(["region", "year", "variable"]).any()
    assert (snap["value"].dropna() >= 0).all()
    assert set(snap["region"].str[:2]) <= {"GM", "NL", "PV", "AM", "CR", "LD"}


def test_393_municipalities_with_every_variable(snap):
    gm = snap[snap["region"].str.startswith("GM")]
    assert gm["region"].nunique() == 393
    years = gm.groupby("variable")["year"].apply(set).to_dict()
    assert years == EXPECTED_YEARS
    # full grid: every municipality has a row for every (variable, year)
    assert len(gm) == 393 * sum(len(y) for y in EXPECTED_YEARS.values())
    for variable, spec in VARIABLES.items():
        if variable in REFRESH_ONLY:  # only a refresh fetches it (tests/test_cbs_refresh.py)
            assert variable not in set(snap["variable"])
            continue
        assert set(snap.loc[snap["variable"] == variable, "unit"]) == {spec.unit}
        assert spec.unit == UNITS.get(variable, "persons")


def test_2015_is_complete_and_missing_values_are_documented(snap):
    gm = snap[snap["region"].str.startswith("GM")]
    assert gm.loc[gm["year"] == 2015, "value"].notna().all()
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    documented = manifest["tables"]["cbs_snapshot.csv"]["variables"]
    for (variable, year), part in gm[gm["value"].isna()].groupby(["variable", "year"]):
        listed = documented[variable]["missing_municipalities"][str(year)]
        assert sorted(part["region"]) == listed
    # the municipalities merged away in 2016 (Groesbeek, Bussum, Muiden, Naarden, Ooltgensplaat
    # ... ) have no 2016 bijstand figures; Haarlem and Zandvoort lack re-integratie in 2016
    missing_2016 = set(gm[(gm["year"] == 2016) & gm["value"].isna()]["region"])
    assert {"GM0241", "GM0381", "GM0424", "GM0425", "GM0478", "GM1921"} <= missing_2016
    reint = gm[(gm["variable"] == "reintegration_provision") & (gm["year"] == 2016)]
    assert set(reint.loc[reint["value"].isna(), "region"]) == {
        "GM0241", "GM0381", "GM0424", "GM0425", "GM0478", "GM1921", "GM0392", "GM0473"
    }  # fmt: skip


def test_participating_municipalities_match_key_figures(snap):
    key = pd.read_csv(CBS_DIR / "participating_municipalities_key_figures_long.csv")
    key = key[key["indicator"].isin(KEY_FIGURES)]
    values = snap.set_index(["region", "year", "variable"])["value"]
    checked = 0
    for row in key.itertuples(index=False):
        variable = KEY_FIGURES[row.indicator]
        have = values[row.gemeente_code, int(row.year), variable]
        if variable == "bijstand_density_15_aow":
            # CBS publishes the density rounded to 0.5 from unrounded counts; ours is
            # recomputed from counts rounded to tens (error up to 5 persons in each).
            population = values[row.gemeente_code, int(row.year), "population_15_aow"]
            tolerance = 0.25 + 1000 * 5 / population + 5 * have / population
            assert abs(have - row.value) <= tolerance, row
        else:
            assert have == row.value, row
        checked += 1
    # 8 municipalities x (7 variables of 70072ned 2015 + 3 population variables x 3 years
    # + 8 variables of the bijstand tables x 3 years)
    assert checked == 8 * (7 + 9 + 24)


@pytest.mark.parametrize(
    ("variable", "per_municipality"),
    [
        ("population", 0),
        ("population_15_64", 0),
        ("population_65_plus", 0),
        ("population_15_aow", 5),  # rounded to tens
        ("population_15_plus", 5),
        ("bijstand_15_aow", 5),
        ("bijstand_15_plus", 5),
        ("bijstand_outflow_to_work", 5),
        ("reintegration_provision", 5),
        ("wsw_employees", 5),
        ("wajong", 5),
        ("establishments", 2.5),  # rounded to fives
        ("jobs", 50),  # published x 1,000 with one decimal
    ],
)
def test_2015_municipalities_add_up_to_the_cbs_nl_row(snap, variable, per_municipality):
    part = snap[(snap["year"] == 2015) & (snap["variable"] == variable)]
    gm = part[part["region"].str.startswith("GM")]["value"]
    nl = _value(snap, "NL01", 2015, variable)
    assert abs(gm.sum() - nl) <= per_municipality * len(gm)


@pytest.mark.parametrize(
    "variable",
    ["ww", "ao_total", "wao", "wia_wga", "bijstand_inflow_15_aow", "bijstand_outflow_15_aow"],
)
def test_benefit_totals_leave_out_recipients_without_municipality(snap, variable):
    # CBS counts recipients who live abroad or without a known municipality in NL only, so the
    # municipalities add up to 94-99 % of the NL row (documented in data/README.md).
    part = snap[(snap["year"] == 2015) & (snap["variable"] == variable)]
    gm = part[part["region"].str.startswith("GM")]["value"].sum()
    nl = _value(snap, "NL01", 2015, variable)
    assert 0.94 * nl <= gm <= nl


def test_density_is_recomputed_from_counts(snap):
    density = _value(snap, "GM0784", 2015, "bijstand_density_15_aow")
    assert math.isclose(density, 1000 * 470 / 16840, abs_tol=5e-4)  # 27.910
    assert math.isclose(
        _value(snap, "NL01", 2015, "bijstand_density_15_aow"),
        1000 * 448680 / 11148080,
        abs_tol=5e-4,
    )


def test_hand_checked_figures(snap):
    # from the CBS exports, read by eye
    assert _value(snap, "GM0164", 2025, "population") == 83655  # "Hengelo (O.)" in 2025
    assert _value(snap, "GM0106", 2019, "population_15_64") == 43351
    assert _value(snap, "GM0090", 2015, "jobs") == 27800  # 27.8 x 1,000
    assert _value(snap, "GM0301", 2017, "wsw_employees") == 470
    assert _value(snap, "NL01", 2025, "population") == 18044027
    assert math.isnan(_value(snap, "GM0005", 2019, "population"))  # Bedum, merged in 2019


def test_snapshot_wide(snap):
    wide = snapshot_wide(2015, ["population", "bijstand_15_aow"], indeling=2015)
    assert list(wide.columns) == ["population", "bijstand_15_aow"]
    assert wide.loc["GM0784", "population"] == 26065
    assert wide.loc["GM0784", "bijstand_15_aow"] == 470
    assert set(snapshot_wide(2019, indeling=2015).columns) == {
        "population", "population_15_64", "population_65_plus"
    }  # fmt: skip
    with pytest.raises(DataError, match="unknown variable"):
        snapshot_wide(2015, ["populaton"])


def test_input_hashes_match_the_files():
    hashes = input_hashes()
    assert set(hashes) == {
        "cbs_snapshot.csv",
        "regions.csv",
        "cbs_snapshot_2025.csv",
        "regions_2025.csv",
        "indeling_2015_2025.csv",
        "manifest.yaml",
    }
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    assert hashes["cbs_snapshot.csv"] == manifest["tables"]["cbs_snapshot.csv"]["sha256"]


def test_format_value_is_fixed():
    assert format_value(26065.0) == "26065"
    assert format_value(27.9097387) == "27.91"
    assert format_value(float("nan")) == ""
    assert format_value(0.0004) == "0"


# ------------------------------------------------------------------------------------------
# Manifest and determinism


def test_committed_snapshot_matches_its_manifest():
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    assert manifest["licence"] == "CC BY 4.0" and manifest["attribution"] == "Bron: CBS"
    for name, entry in manifest["tables"].items():
        assert sha256_file(default_data_dir() / name) == entry["sha256"], name
    ids = {t["id"] for t in manifest["tables"]["cbs_snapshot.csv"]["cbs_tables"]}
    assert ids == {"70072ned", "83450NED", "83747NED", "84066NED", "84583NED"}
    for item in manifest["inputs"]:
        assert len(item["sha256"]) == 64


@pytest.mark.parametrize("indeling", [2015, 2025])
def test_every_row_comes_from_a_table_its_manifest_entry_lists(indeling):
    """No row without a source (a rate in a year without its numerator), no table listed idly."""
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    snapshot_file = "cbs_snapshot.csv" if indeling == 2015 else "cbs_snapshot_2025.csv"
    listed = {t["id"] for t in manifest["tables"][snapshot_file]["cbs_tables"]}
    raw = pd.read_csv(default_data_dir() / snapshot_file, dtype=str, keep_default_na=False)
    assert set(raw["source"]) == listed
    for entry in manifest["tables"][snapshot_file]["variables"].values():
        assert set(entry["sources"]) <= listed


@needs_cbs
def test_rebuild_reproduces_identical_bytes(tmp_path):
    build(CBS_DIR, tmp_path / "a")
    build(CBS_DIR, tmp_path / "b")
    for name in (*PROCESSED_FILES, "manifest.yaml"):  # both indelingen
        committed = (default_data_dir() / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() == committed, name
        assert (tmp_path / "b" / name).read_bytes() == committed, name


@needs_cbs
def test_manifest_input_hashes_are_the_shared_files():
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    for item in manifest["inputs"]:
        if item["file"].startswith("shared/cbs/"):
            path = CBS_DIR / item["file"].removeprefix("shared/cbs/")
            assert sha256_file(path) == item["sha256"]


@needs_cbs
def test_build_refuses_a_changed_input(tmp_path):
    cbs = tmp_path / "cbs"
    shutil.copytree(CBS_DIR, cbs)
    path = cbs / "cbs_kwb2019_bevolking_leeftijd_gemeenten.csv"
    path.chmod(0o644)
    path.write_text(path.read_text().replace("26431", "26432"))
    with pytest.raises(DataError, match=r"checksum mismatch in .*cbs_kwb2019"):
        build(cbs, tmp_path / "data")
    assert not (tmp_path / "data").exists()


@needs_cbs
def test_build_reports_a_missing_input(tmp_path):
    cbs = tmp_path / "cbs"
    cbs.mkdir()
    with pytest.raises(DataError, match=r"CBS input missing: .*cbs_70072ned_regionale"):
        build(cbs, tmp_path / "data")


# ------------------------------------------------------------------------------------------
# Corrupted and hand-edited files


def _edit_line(path: Path, old: str, new: str) -> int:
    lines = path.read_text().split("\n")
    index = next(i for i, line in enumerate(lines) if line == old)
    lines[index] = new
    path.write_text("\n".join(lines))
    return index + 1  # line number


def test_flipped_digit_is_located_by_file_line_and_column(data_copy):
    path = data_copy / "cbs_snapshot.csv"
    line = _edit_line(
        path,
        "GM0784,2015,population,persons,26065,70072ned",
        "GM0784,2015,population,persons,26165,70072ned",
    )
    with pytest.raises(DataError) as info:
        load_snapshot(data_copy)
    message = str(info.value)
    assert f"checksum mismatch in {path}" in message
    assert f"cbs_snapshot.csv line {line}, column 'value'" in message
    assert "region GM0784, population 2015 = 26165; expected 26065" in message


def test_small_edit_in_a_large_total_is_still_located(data_copy):
    # +10 people against a national total of millions: the control totals must still see it.
    path = data_copy / "cbs_snapshot.csv"
    line = _edit_line(
        path,
        "GM0221,2017,population_15_aow,persons,7240,84066NED",
        "GM0221,2017,population_15_aow,persons,7250,84066NED",
    )
    with pytest.raises(DataError) as info:
        load_snapshot(data_copy)
    assert f"cbs_snapshot.csv line {line}, column 'value'" in str(info.value)
    assert "population_15_aow 2017 = 7250; expected 7240" in str(info.value)


def test_hand_edited_negative_value_is_reported(data_copy):
    path = data_copy / "cbs_snapshot.csv"
    line = _edit_line(
        path,
        "GM0106,2016,wsw_employees,persons,670,83747NED",
        "GM0106,2016,wsw_employees,persons,-670,83747NED",
    )
    with pytest.raises(DataError, match=rf"line {line}, column 'value': negative value"):
        load_snapshot(data_copy)


def test_wrong_unit_and_non_number_are_reported(data_copy):
    path = data_copy / "cbs_snapshot.csv"
    unit_line = _edit_line(
        path,
        "GM0090,2015,jobs,jobs,27800,70072ned",
        "GM0090,2015,jobs,persons,27800,70072ned",
    )
    number_line = _edit_line(
        path,
        "GM0090,2015,ww,persons,1510,70072ned",
        "GM0090,2015,ww,persons,15l0,70072ned",
    )
    with pytest.raises(DataError) as info:
        validate_snapshot_dir(data_copy)
    message = str(info.value)
    assert f"line {unit_line}, column 'unit': 'persons' is not the unit of jobs" in message
    assert f"line {number_line}, column 'value': not a number: '15l0'" in message


def test_duplicate_row_is_reported(data_copy):
    path = data_copy / "cbs_snapshot.csv"
    text = path.read_text()
    path.write_text(text + "GM0784,2015,population,persons,26065,70072ned\n")
    with pytest.raises(DataError, match="duplicate row for region GM0784, year 2015"):
        load_snapshot(data_copy)


def test_edited_region_table_is_reported(data_copy):
    path = data_copy / "regions.csv"
    path.write_text(
        path.read_text().replace("GM0784,Gilze en Rijen,PV30", "GM784,Gilze en Rijen,PV30")
    )
    with pytest.raises(DataError) as info:
        load_snapshot(data_copy)
    message = str(info.value)
    assert f"checksum mismatch in {path}" in message
    assert "regions.csv line" in message and "malformed code 'GM784'" in message


@pytest.mark.parametrize("name", ["cbs_snapshot.csv", "regions.csv", "manifest.yaml"])
def test_missing_file_is_reported(data_copy, name):
    (data_copy / name).unlink()
    with pytest.raises(DataError, match=rf"data file missing: .*{name}.*socecon data build"):
        load_snapshot(data_copy)


def test_cli_check_reports_corruption(data_copy, capsys):
    assert cli.main(["data", "check", "--data-dir", str(data_copy)]) == 0
    assert "ok: " in capsys.readouterr().out
    _edit_line(
        data_copy / "cbs_snapshot.csv",
        "GM0784,2015,population,persons,26065,70072ned",
        "GM0784,2015,population,persons,26056,70072ned",
    )
    assert cli.main(["data", "check", "--data-dir", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("socecon: error: checksum mismatch")
    assert "Traceback" not in err


def test_writer_refuses_invalid_frames_and_writes_nothing(tmp_path, snap):
    bad = snap.head(30).copy()
    bad.loc[bad.index[0], "unit"] = "furlongs"
    regions = pd.read_csv(default_data_dir() / "regions.csv")
    with pytest.raises(DataError, match="refusing to write an invalid snapshot"):
        write_snapshot(
            {2015: (bad, regions), 2025: (bad, regions)},
            tmp_path / "out",
            {"origin": "", "inputs": [], "cbs_tables": []},
            pd.DataFrame(),
        )
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_environment_variable_overrides_data_dir(monkeypatch, data_copy):
    monkeypatch.setenv("SOCECON_DATA_DIR", str(data_copy))
    assert default_data_dir() == data_copy


def test_readme_explains_build_and_refresh(repo_root):
    readme = (repo_root / "README.md").read_text()
    section = readme.split("## Data\n", 1)[1].split("\n## ", 1)[0]
    for text in ("socecon data build", "socecon data refresh", "../shared/cbs", "manifest.yaml"):
        assert text in section
    assert "Bron: CBS" in (repo_root / "data" / "README.md").read_text()
