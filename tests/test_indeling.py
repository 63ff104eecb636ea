"""The 2025 indeling: converted counts, regions, resolution of former municipalities."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest
import yaml

from socecon import cli, regions
from socecon.batch.tasks import make_tasks, select_regions
from socecon.data.cbs_build import build, default_cbs_dir
from socecon.data.manifest import validate_snapshot_dir
from socecon.data.schema import PROCESSED_FILES, REFRESH_ONLY, VARIABLES, default_data_dir
from socecon.data.snapshot import load_regions_table, load_snapshot, snapshot_wide
from socecon.definitions import DEFAULT_INDELING
from socecon.definitions.groups import load_groups
from socecon.exceptions import DataError, DividedMunicipalityError, UnknownRegionError
from socecon.model import run_model, snapshot_input
from socecon.report.region_figures import indeling_text, resolve_region

CBS_DIR = default_cbs_dir()
MAPPING = CBS_DIR / "gemeenten_2015_2025.csv"
needs_cbs = pytest.mark.skipif(not MAPPING.is_file(), reason="shared CBS exports not available")
PARTICIPATING = ["GM0784", "GM0797", "GM0809", "GM0867", "GM0090", "GM0164", "GM0301", "GM0106"]
COUNTS = [v for v, spec in VARIABLES.items() if spec.is_count and v not in REFRESH_ONLY]
LAND_VAN_CUIJK = ("GM0756", "GM0786", "GM0815", "GM1684", "GM1702")
# Haaren (GM0788) as ../shared/cbs/gemeenten_2015_2025.csv divides it (address shares).
HAAREN = {"GM0824": 0.4233, "GM0865": 0.3386, "GM0757": 0.1534, "GM0855": 0.0847}


@pytest.fixture(scope="module")
def old() -> pd.DataFrame:
    return snapshot_wide(2015, indeling=2015)


@pytest.fixture(scope="module")
def new() -> pd.DataFrame:
    return snapshot_wide(2015, indeling=2025)


@pytest.fixture(scope="module")
def mapping() -> pd.DataFrame:
    return pd.read_csv(MAPPING, dtype={"year_of_change": "Int64"})


def test_default_indeling_is_declared_2025_with_342_municipalities():
    assert DEFAULT_INDELING == 2025
    assert len(load_regions_table()) == 342
    assert len(load_regions_table(indeling=2015)) == 393
    assert len(select_regions(everything=True)) == 342
    assert len(select_regions(everything=True, indeling=2015)) == 393


def test_totals_are_preserved_over_the_conversion(old, new):
    gm_old, gm_new = old[old.index.str.startswith("GM")], new[new.index.str.startswith("GM")]
    for variable in COUNTS:
        # 5 split municipalities stored with 3 decimals: at most 0.0005 per 2025 part
        assert math.isclose(gm_old[variable].sum(), gm_new[variable].sum(), abs_tol=0.01)
    assert gm_new["population"].sum() == 16900726  # the national 2015 total
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    totals = manifest["indelingen"][2025]["control_totals"]
    assert {k.split("/")[1] for k in totals} == {"2015", "2016", "2017", "2019"}
    for key, entry in totals.items():
        assert abs(entry["difference"]) <= 0.01, key
        assert entry["own_indeling"] > 0, key


def test_land_van_cuijk_is_the_sum_of_its_parts(old, new):
    assert regions.resolve("Land van Cuijk") == "GM1982"
    for variable in COUNTS:
        assert new.loc["GM1982", variable] == old.loc[list(LAND_VAN_CUIJK), variable].sum()
    # the rate is recomputed from the converted counts, not averaged
    want = 1000 * new.loc["GM1982", "bijstand_15_aow"] / new.loc["GM1982", "population_15_aow"]
    assert new.loc["GM1982", "bijstand_density_15_aow"] == pytest.approx(want, abs=0.001)


def test_a_split_municipality_is_shared_by_the_stated_fractions(old, new):
    for code, share in HAAREN.items():
        for variable in ("population", "bijstand_15_aow", "wsw_employees", "jobs"):
            extra = new.loc[code, variable] - old.loc[code, variable]
            assert extra == pytest.approx(share * old.loc["GM0788", variable], abs=0.001), code
    assert "GM0788" not in new.index


def test_later_years_come_in_their_own_indeling():
    # Gooise Meren (since 2016) has figures of 2016 in the 2025 indeling; in the 2015 one its
    # former municipalities have none.
    new = snapshot_wide(2016, ["bijstand_15_aow"], indeling=2025)["bijstand_15_aow"]
    old = snapshot_wide(2016, ["bijstand_15_aow"], indeling=2015)["bijstand_15_aow"]
    assert new["GM1942"] > 0 and old[["GM0381", "GM0424", "GM0425"]].isna().all()
    # Slochteren's Meerstad went to Groningen in 2017, so its 2017 figures all go to
    # Midden-Groningen, and Groningen's 2017 figure already includes Meerstad.
    new = snapshot_wide(2017, ["bijstand_15_aow"], indeling=2025)["bijstand_15_aow"]
    old = snapshot_wide(2017, ["bijstand_15_aow"], indeling=2015)["bijstand_15_aow"]
    assert new["GM1952"] == old[["GM0018", "GM0040", "GM1987"]].sum()
    assert new["GM0014"] == old[["GM0009", "GM0014", "GM0017"]].sum()


@needs_cbs
def test_population_2025_joins_by_code(mapping):
    pop = pd.read_csv(CBS_DIR / "cbs_70072ned_bevolking_leeftijd_2025.csv")
    by_name = dict(zip(pop["regio_naam"], pop["totale_bevolking"], strict=True))
    wide = snapshot_wide(2025, ["population"], indeling=2025)["population"]
    codes = dict(zip(mapping["name_2025"], mapping["code_2025"], strict=False))
    for name, code in codes.items():
        assert wide[code] == by_name[name], name
    assert wide["GM1982"] == by_name["Land van Cuijk"]


@needs_cbs
def test_every_2025_name_resolves_to_exactly_one_code(mapping):
    pop = pd.read_csv(CBS_DIR / "cbs_70072ned_bevolking_leeftijd_2025.csv")
    names = [n for n in pop["regio_naam"] if n != "Nederland"]
    assert len(names) == 342
    codes = dict(zip(mapping["name_2025"], mapping["code_2025"], strict=False))
    found = {name: regions.resolve_all(name) for name in names}
    for name, result in found.items():
        assert result.codes == (codes[name],), name
        assert result.note is None, name
    assert len({r.codes for r in found.values()}) == 342


@needs_cbs
def test_every_dissolved_name_resolves_to_its_successors_with_the_note(mapping):
    current = set(mapping["code_2025"])
    dissolved = mapping[~mapping["code_2015"].isin(current)]
    assert dissolved["code_2015"].nunique() == 393 - len(set(mapping["code_2015"]) & current)
    for code, part in dissolved.groupby("code_2015"):
        name = part["name_2015"].iloc[0]
        want = set(part["code_2025"])
        for query in (name, code):
            result = regions.resolve_all(query)
            assert set(result.codes) == want, query
            assert result.note.startswith(f"{name} "), result.note
            assert str(int(part["year_of_change"].max())) in result.note
            for successor in want:
                assert regions.region_name(successor) in result.note
            if len(want) == 1:
                assert regions.resolve(query) == next(iter(want))
            else:
                with pytest.raises(DividedMunicipalityError):
                    regions.resolve(query)
    assert regions.resolve_all("Haaren").note == (
        "Haaren bestaat sinds 2021 niet meer; het gebied is verdeeld over Boxtel, Oisterwijk, "
        "Tilburg en Vught"
    )
    assert regions.dissolved_note("GM0241") == "Groesbeek heet sinds 2016 Berg en Dal"


def test_2015_indeling_keeps_the_old_municipalities_and_refuses_new_ones():
    assert regions.resolve("Haaren", indeling=2015) == "GM0788"
    assert regions.resolve_all("Haaren", indeling=2015).note is None
    with pytest.raises(UnknownRegionError, match="exists since 2022; use the indeling of 2025"):
        regions.resolve("Land van Cuijk", indeling=2015)


def test_successors_say_what_they_include():
    assert regions.former_parts_note("GM1982") == (
        # a comma before the last "en": "Mill en Sint Hubert" is one name
        "inclusief de vroegere gemeenten Boxmeer, Cuijk, Grave, Mill en Sint Hubert, en "
        "Sint Anthonis"
    )
    assert regions.former_parts_note("GM0865") == (
        "inclusief 34 % van de adressen van de vroegere gemeente Haaren"
    )
    assert regions.former_parts_note("GM0363") == "inclusief de vroegere gemeente Weesp"
    assert regions.former_parts_note("GM0164") is None
    assert regions.former_parts_note("GM0865", indeling=2015) is None


def test_participating_municipalities_are_unchanged_in_2025(old, new, mapping):
    rows = mapping[mapping["code_2015"].isin(PARTICIPATING)]
    assert set(rows["kind"]) == {"unchanged"} and len(rows) == 8
    assert (rows["code_2015"] == rows["code_2025"]).all()
    for code in PARTICIPATING:
        assert (old.loc[code, COUNTS] == new.loc[code, COUNTS]).all(), code
    assert load_groups()["isd_midden_langstraat"].members == ("GM0797", "GM0809", "GM0867")
    for group in ("participating", "isd_midden_langstraat"):
        assert regions.group_members(group) == regions.group_members(group, 2015)


def test_regions_of_2025_come_from_their_parts():
    table = load_regions_table(indeling=2025)
    assert table.notna().all().all() and len(table) == 342
    # Vijfheerenlanden: Leerdam (Zuid-Holland) + Vianen and Zederik; the larger part decides
    assert table.loc["GM1961", "province_code"] == "PV28"
    assert table.loc["GM1982", ["province_code", "labour_market_region_code"]].tolist() == [
        "PV30",
        "AM27",
    ]
    manifest = yaml.safe_load((default_data_dir() / "manifest.yaml").read_text())
    conversion = manifest["indelingen"][2025]
    assert "largest share of its 2015 population" in conversion["region_rule"]
    chosen = {
        (d["municipality"], d["column"]): d["chosen"]
        for d in conversion["regions_where_parts_disagree"]
    }
    assert chosen[("GM1961", "province_code")] == "PV28"


def test_snapshot_input_reads_the_counts_of_an_indeling():
    new, old = snapshot_input(indeling=2025), snapshot_input(indeling=2015)
    assert (new.indeling, old.indeling) == (2025, 2015)
    assert len(new.regions) == 342 and len(old.regions) == 393
    vught_new = new.bijstand[new.regions.index("GM0865")]
    vught_old = old.bijstand[old.regions.index("GM0865")]
    haaren = old.bijstand[old.regions.index("GM0788")]
    assert vught_new == pytest.approx(vught_old + HAAREN["GM0865"] * haaren)
    frame = run_model("Land van Cuijk", scenarios=["regulier"], years=[2015])
    assert set(frame["region"]) == {"GM1982"}
    frame = run_model("Haaren", scenarios=["regulier"], years=[2015], indeling=2015)
    assert set(frame["region"]) == {"GM0788"}


def test_report_region_carries_indeling_and_notes():
    place = resolve_region("Boxmeer")
    assert (place.code, place.indeling) == ("GM1982", 2025)
    assert "Boxmeer bestaat sinds 2022 niet meer" in place.note
    assert "inclusief de vroegere gemeenten" in place.note
    assert "cijfers 2015-2017 omgerekend naar de gemeentelijke indeling van 2025" in (
        indeling_text(place)
    )
    assert "oorspronkelijke studie" in indeling_text(resolve_region("Haaren", 2015))
    with pytest.raises(DividedMunicipalityError, match="Boxtel, Oisterwijk, Tilburg en Vught"):
        resolve_region("Haaren")


def test_cli_expands_a_former_municipality_with_the_note(capsys):
    assert cli.main(["model", "Haaren", "--scenario", "regulier"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("socecon: Haaren bestaat sinds 2021 niet meer; het gebied is verdeeld")
    for name in ("Boxtel (GM0757)", "Oisterwijk (GM0824)", "Tilburg (GM0855)", "Vught (GM0865)"):
        assert name in out
    assert cli.main(["model", "Haaren", "--indeling", "2015", "--scenario", "regulier"]) == 0
    out = capsys.readouterr().out
    assert "Haaren (GM0788)" in out and "bestaat" not in out


def test_run_tasks_pass_the_indeling(tmp_path):
    notes: list[str] = []
    codes = select_regions(["Haaren", "Land van Cuijk"], notes=notes)
    assert codes == ["GM0757", "GM0824", "GM0855", "GM0865", "GM1982"]
    assert len(notes) == 1 and notes[0].startswith("Haaren bestaat")
    (task,) = make_tasks(["GM0788"], "nb.ipynb", tmp_path, indeling=2015)
    assert task.parameters == {"region": "GM0788", "horizon": 2020, "indeling": 2015}
    assert task.name == "Haaren"


def test_data_check_validates_both_indelingen(capsys):
    assert cli.main(["data", "check"]) == 0
    out = capsys.readouterr().out
    assert "indeling 2015: " in out and "393 municipalities" in out
    assert "indeling 2025: " in out and "342 municipalities" in out


def test_a_changed_value_in_the_2025_snapshot_is_located(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in (*PROCESSED_FILES, "manifest.yaml"):
        shutil.copy(default_data_dir() / name, data / name)
    path = data / "cbs_snapshot_2025.csv"
    lines = path.read_text().split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("GM1982,2015,jobs,"))
    lines[number] = lines[number].replace(",34400,", ",34401,")
    path.write_text("\n".join(lines))
    with pytest.raises(DataError) as err:
        load_snapshot(data, indeling=2015)  # every indeling is checked, whichever is asked
    text = str(err.value)
    assert "checksum mismatch in" in text and "cbs_snapshot_2025.csv" in text
    assert f"cbs_snapshot_2025.csv line {number + 1}, column 'value'" in text
    with pytest.raises(DataError):
        validate_snapshot_dir(data)


@needs_cbs
@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (
            "GM0788,Haaren,GM0865,Vught,0.3386,",
            "GM0788,Haaren,GM0865,Vught,0.3x86,",
            "line 264, column 'share': not a share in (0, 1]: '0.3x86'",
        ),
        (
            "GM0788,Haaren,GM0865,Vught,0.3386,",
            "GM0788,Haaren,GM0865,Vught,0.4386,",
            "line 263, column 'share': the shares of GM0788 add up to 1.1000, not 1",
        ),
        (
            "GM1684,Cuijk,GM1982,Land van Cuijk,",
            "GM1684,Cuijk,GM1982,Land van Kuijk,",
            "column 'name_2025': GM1982 is called 'Land van Kuijk' here",
        ),
        ("GM0756,Boxmeer,GM1982,", "GM756,Boxmeer,GM1982,", "column 'code_2015'"),
    ],
)
def test_a_corrupted_mapping_is_refused_by_file_line_and_column(tmp_path, old, new, where):
    cbs = tmp_path / "cbs"
    shutil.copytree(CBS_DIR, cbs)
    path = cbs / "gemeenten_2015_2025.csv"
    path.chmod(0o644)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataError) as err:
        build(cbs, tmp_path / "data")
    assert "gemeenten_2015_2025.csv" in str(err.value)
    assert where in str(err.value)
    assert not (tmp_path / "data").exists()


@pytest.mark.slow
def test_run_writes_reports_for_a_merger_and_the_receivers_of_a_split(tmp_path, capsys):
    """CI's handful of converted municipalities: Land van Cuijk, and Haaren as input."""
    out = tmp_path / "reports"
    args = ["run", "--gemeente", "Land van Cuijk", "--gemeente", "Haaren", "--out", str(out)]
    assert cli.main([*args, "--jobs", "2", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "socecon: Haaren bestaat sinds 2021 niet meer" in printed
    assert "5 of 5 reports written" in printed
    pages = {p.stem: p.read_text(encoding="utf-8") for p in out.glob("GM*.html")}
    assert sorted(pages) == ["GM0757", "GM0824", "GM0855", "GM0865", "GM1982"]
    converted = "cijfers 2015-2017 omgerekend naar de gemeentelijke indeling van 2025"
    assert all(converted in page for page in pages.values())
    assert "inclusief de vroegere gemeenten Boxmeer, Cuijk, Grave" in pages["GM1982"]
    assert "inclusief 34 % van de adressen van de vroegere gemeente Haaren" in pages["GM0865"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Land van Cuijk" in index and "Vught" in index
