"""The declarations are pinned to the seed study and validated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

import socecon.definitions
from socecon.definitions import (
    BASE_YEAR,
    DEFAULT_GROUP,
    DEFAULT_HORIZON,
    MAX_HORIZON,
    NATIONAL_CODE,
    NATIONAL_NAME,
    REGION_CODE,
    REGION_KINDS,
    REGION_SHAPES,
    REPORT_ENV,
    load_definitions,
)
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.conventions import load_conventions
from socecon.definitions.units import unit
from socecon.exceptions import DefinitionError

# The seed's summary table ("Maatregelen" row), in its own words.
SEED_MEASURES = {
    "sociaal_ondernemen": [
        "Imagoverbetering",
        "Advisering",
        "Financiële stimulansen",
        "Sociaal aanbesteden en inkopen",
        "Kwaliteitskeurmerk",
        "Loonkostensubsidies",
    ],
    "regulier": ["Loonkostensubsidies", "Quotumregeling", "Sociaal aanbesteden en inkopen"],
    "publiek_privaat": [
        "Loonkostensubsidies",
        "Contracten bij aanbestedingen en projecten",
        "Beleidsafdeling PPS",
        "Scholing werkgeversconsulenten",
    ],
    "publiek": [
        "Oprichting werkbedrijven",
        "Raadpleging bevolking",
        "Stimulansen functieroulatie en doorstroming",
        "Werving en employability werkbegeleiders",
    ],
}
SEED_RANGES = {
    "sociaal_ondernemen": (20, 60),
    "regulier": (50, 80),
    "publiek_privaat": (40, 70),
    "publiek": (20, 90),
}
SEED_POLES = {
    "sociaal_ondernemen": ("regisseur", "segmentatie"),
    "regulier": ("regisseur", "versmelting"),
    "publiek_privaat": ("ondernemer", "versmelting"),
    "publiek": ("ondernemer", "segmentatie"),
}
SEED_EMPLOYERS = {
    "sociaal_ondernemen": "Sociale ondernemingen",
    "regulier": "Reguliere bedrijven",
    "publiek_privaat": "Reguliere bedrijven met partnership",
    "publiek": "Gemeentelijke werkbedrijven",
}


@pytest.fixture(scope="module")
def defs():
    return load_definitions()


def test_four_scenarios_and_a_baseline(defs):
    assert [s.id for s in defs.future_scenarios] == list(SEED_RANGES)
    assert defs.baseline.id == "baseline"
    assert defs.scenarios[0].is_baseline


def test_scenarios_span_the_two_by_two_grid_once(defs):
    combos = [(s.axes["municipality_role"], s.axes["firm_policy"]) for s in defs.future_scenarios]
    assert sorted(combos) == sorted(
        (r, f) for r in ("regisseur", "ondernemer") for f in ("segmentatie", "versmelting")
    )
    assert {
        s.id: (s.axes["municipality_role"], s.axes["firm_policy"]) for s in defs.future_scenarios
    } == SEED_POLES


@pytest.mark.parametrize(("scenario_id", "bounds"), SEED_RANGES.items())
def test_productivity_ranges_match_the_seed(defs, scenario_id, bounds):
    rng = defs.scenario(scenario_id).productivity
    assert (rng.low, rng.high) == bounds


@pytest.mark.parametrize(("scenario_id", "names"), SEED_MEASURES.items())
def test_measures_match_the_seed_table(defs, scenario_id, names):
    scenario = defs.scenario(scenario_id)
    assert [defs.measure(m).name for m in scenario.measures] == names


@pytest.mark.parametrize(("scenario_id", "employer"), SEED_EMPLOYERS.items())
def test_employer_types_match_the_seed(defs, scenario_id, employer):
    assert defs.scenario(scenario_id).employer_type == employer


def test_regulier_has_the_five_percent_quota(defs):
    quota = defs.scenario("regulier").quota
    assert quota.share == 0.05
    assert (quota.productivity.low, quota.productivity.high) == (50, 80)
    assert quota.buy_out is True
    assert quota.from_year == 2014
    assert quota.coverage == "all_firms"  # "verplicht de rijksoverheid vanaf 2014 alle bedrijven"
    assert all(defs.scenario(s).quota is None for s in SEED_RANGES if s != "regulier")


def test_publiek_werkbedrijven_employ_thirty_percent(defs):
    assert defs.scenario("publiek").public_employment_share == 0.30


def test_taglines_and_left_out_are_dutch_texts_from_the_seed(defs):
    for s in defs.future_scenarios:
        assert s.tagline.startswith("In 2020 ")
        assert s.storyline and s.left_out and s.policy_goals and s.policy_principles
    assert "50 %" in defs.scenario("regulier").left_out


def test_objects_are_frozen(defs):
    with pytest.raises(AttributeError):
        defs.scenario("regulier").name = "Anders"
    with pytest.raises(TypeError):
        defs.scenario("regulier").axes["firm_policy"] = "segmentatie"


def test_unknown_scenario_names_the_id(defs):
    with pytest.raises(KeyError, match=r"'utopia'.*regulier"):
        defs.scenario("utopia")


def test_valid_fixture_loads(fixtures_dir):
    defs = load_definitions(fixtures_dir / "definitions" / "valid")
    assert [s.id for s in defs.scenarios] == ["base", "a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown_measure", r"scenario 'b': unknown measure 'job_carving'"),
        ("duplicate_ids", r"scenario 'b': duplicate id"),
        ("range_out_of_bounds", r"scenario 'c': productivity range 40-120 out of bounds"),
        ("missing_axis", r"scenario 'd': missing axis 'firm_policy'"),
    ],
)
def test_malformed_definitions_are_rejected_naming_the_item(fixtures_dir, case, expected):
    folder = fixtures_dir / "definitions" / case
    with pytest.raises(DefinitionError, match=expected) as info:
        load_definitions(folder)
    assert "scenarios.yaml" in str(info.value)


def test_every_problem_is_reported_at_once(fixtures_dir):
    with pytest.raises(DefinitionError) as info:
        load_definitions(fixtures_dir / "definitions" / "many_problems")
    message = str(info.value)
    assert "unknown measure 'job_carving'" in message
    assert "productivity range 70-40 out of bounds" in message
    assert "missing axis 'firm_policy'" in message
    assert len(info.value.problems) >= 3
    assert re.match(r"\d+ problem\(s\) in .*scenarios\.yaml", message)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(DefinitionError, match=r"measures\.yaml: file not found"):
        load_definitions(tmp_path)


# --- every declarations file, validated by the one layer ---------------------------------------

DEFINITIONS_DIR = Path(socecon.definitions.__file__).resolve().parent
YAML_FILES = sorted(p.name for p in DEFINITIONS_DIR.glob("*.yaml"))


def _scalar_ids(doc):
    return [a for a in doc["assumptions"] if a["kind"] == "scalar"]


def _break_scenarios(doc):
    s = doc["scenarios"]
    s[2]["id"] = s[1]["id"]  # duplicate id
    del s[3]["name"]  # missing field
    s[3]["measures"] = "quota"  # wrong type
    s[4]["productivity"] = {"low": 70, "high": 40}  # low > high
    regulier = next(x for x in s if "quota" in x)
    regulier["quota"]["coverage"] = "some_firms"
    doc["study"]["year"] = "2010"  # the study's facts: a year is a number
    del doc["study"]["title"]
    doc["study"]["municipalities"] = "Zutphen"
    return [
        "study: year must be a whole number, got '2010'",
        "study: missing field 'title'",
        "study: municipalities must be a list of names",
        "duplicate id",
        "missing field 'name'",
        "measures must be",
        "70-40 out of bounds",
        "quota coverage must be one of ('all_firms', 'employers_25_plus'), got 'some_firms'",
    ]


def _break_measures(doc):
    m = doc["measures"]
    m[1]["id"] = m[0]["id"]
    del m[2]["description"]
    m[3]["name"] = 5
    return ["duplicate id", "missing field 'description'", "must be non-empty text, got 5"]


def _break_assumptions(doc):
    a = doc["assumptions"]
    scalars = _scalar_ids(doc)
    a[1]["id"] = a[0]["id"]
    del a[2]["label"]
    scalars[3]["value"] = "many"
    scalars[4]["low"], scalars[4]["high"] = scalars[4]["high"], scalars[4]["low"] - 1
    return ["duplicate id", "missing field(s) label", "value must be a number", "need low <= value"]


def _break_units(doc):
    u = doc["units"]
    u[1]["id"] = u[0]["id"]
    del u[2]["label"]
    u[3]["decimals"] = "two"
    u[4]["step"] = -1
    return ["duplicate id", "missing field 'label'", "decimals must be", "step must be positive"]


def _break_conventions(doc):
    del doc["default_group"]
    doc["national"]["code"] = 1
    doc["default_horizon"], doc["max_horizon"] = 2040, 2030
    doc["model"]["version"] = 2  # a number, not text
    doc["model"]["changes"][0] = {"en": "only English"}
    doc["chart_colors"]["regulier"] = "orange"
    return [
        "missing field 'default_group'",
        "national: field 'code' must be",
        "need base_year <",
        "model: field 'version' must be non-empty text",
        "model.changes[0]: missing field 'nl'",
        "chart_colors.regulier: color must be '#rrggbb'",
    ]


def _break_levers(doc):
    levers = doc["levers"]
    del levers["regulier"]["capacity"]
    levers["publiek"]["wage_cost_subsidy"] = "yes"
    levers["atlantis"] = dict(levers["baseline"])
    levers["sociaal_ondernemen"]["dagbesteding"] = "some"
    levers["publiek_privaat"]["take_up"] = "take_up_factor_atlantis"  # no such assumption
    levers["sociaal_ondernemen"]["wsw_retention"] = "sometimes"
    return [
        "lever 'capacity' not set",
        "'wage_cost_subsidy' must be one of",
        "'atlantis'",
        "lever 'dagbesteding' must be one of",
        "lever 'take_up' must be 'observed' or a scalar assumption, not 'take_up_factor_atlantis'",
        "lever 'wsw_retention' must be one of",
    ]


def _break_indicators(doc):
    i = doc["indicators"]
    i[1]["id"] = i[0]["id"]
    del i[2]["label"]
    i[3]["per_band"] = "yes"
    i[4]["unit"] = "furlongs"
    return ["duplicate id", "missing field(s) label", "per_band must be", "'furlongs'"]


def _break_groups(doc):
    g = doc["groups"]
    del g["participating"]["name"]
    g["isd_midden_langstraat"]["members"] = "GM0797"
    doc["landsdelen"]["LD01"]["provinces"] = ["XX20"]
    return ["missing field 'name'", "members must be a non-empty list", "PV\\d{2} codes"]


def _break_hindcast(doc):
    s = doc["scenarios"]
    s[1]["id"] = s[0]["id"]
    del s[2]["claim"]
    s[3]["evidence"] = "trust me"
    doc["anchors"][0]["year"] = "2019"
    doc["anchors"][1]["scenario"] = "atlantis"
    del doc["anchors"][2]["source"]
    return [
        "duplicate id",
        "missing field 'claim'",
        "evidence must be a non-empty list",
        "year must be a whole number",
        "scenario must be one of",
        "missing source",
    ]


def _break_effects(doc):
    e = doc["measure_effects"]
    e[1]["measure"] = e[0]["measure"]
    with_effects = [m for m in e[2:] if m["effects"]]
    del with_effects[0]["effects"][0]["source"]
    with_effects[1]["effects"][0]["value"] = "big"
    cost = with_effects[2]["cost"]
    cost["low"], cost["high"] = cost["high"] + 1, cost["low"]
    return ["declared twice", "missing source", "value must be a number", "need low <= value"]


def _break_options(doc):
    o = doc["options"]
    o[2]["id"] = o[1]["id"]
    del o[3]["name"]
    o[4]["measures"] = "quota"
    return ["duplicate id", "missing field(s) name", "measures must be a list"]


def _break_corop(doc):
    c = doc["corop"]
    first, second, third = list(c)[:3]
    del c[first]["name"]
    c[second]["members"] = 5
    c[third]["members"].append(c[first]["members"][0])  # in two regions
    return ["missing field 'name'", "members must be a non-empty list", "is also in"]


def _break_cbs_tables(doc):
    del doc["tables"]["70072ned"]["title"]
    doc["datasets"]["kern"]["variables"]["population"]["titles"] = "Totale bevolking"
    doc["datasets"]["kwb2019"]["tables"] = {2019: "99999NED"}
    doc["datasets"]["kern"]["csv_design"] = "leeftijd_1990"
    doc["datasets"]["kern"]["variables"]["jobs_x1000"]["unit"] = "x 1 000 000"
    doc["datasets"]["kern"]["designs"]["leeftijd"]["sums"]["population_15_64"].append("k_0_15")
    doc["symbols"]["?"] = "unknown"
    return [
        "missing field 'title'",
        "titles must be a list",
        "'99999NED' is not declared",
        "csv_design 'leeftijd_1990' is not one of its designs",
        "unit 'x 1 000 000' is not declared under units",
        "sum 'population_15_64' names unknown variables ['k_0_15']",
        "symbol '?'",
    ]


def _break_windtunnel(doc):
    doc["threshold"] = 1.5
    doc["regret_tolerance"] = -1
    del doc["cell_status"]["undecided"]
    doc["verdicts"]["robust"]["color"] = "green"
    doc["overlap"]["share"] = 1.5
    doc["overlap"]["levers"].append("take_upp")
    doc["close_call"]["share"] = 1.5
    doc["close_call"]["decide_at_last_look"] = "yes"
    return [
        "threshold: the value must be a share",
        "regret_tolerance: must be a number >= 0",
        "cell_status.undecided: missing",
        "verdicts.robust: color must be '#rrggbb'",
        "overlap: share must be between 0 and 1, got 1.5",
        "unknown assumption 'take_upp'",
        "close_call.share: must be a share in [0, 1), got 1.5",
        "close_call.decide_at_last_look: must be true or false, got 'yes'",
    ]


def _break_calibration(doc):
    doc["fit_years"].append(doc["held_out_year"])  # the held-out year may not be fitted
    doc["shrinkage_grid"] = [0.02, 0.01]
    doc["selection"]["criterion"] = "r2"
    doc["observable"]["rounding"] = -10
    del doc["source_nl"]
    return [
        "fit_years: must not contain the held-out year",
        "shrinkage_grid: strengths must be strictly ascending",
        "criterion must be one of (rmse, mae)",
        "rounding must be >= 0",
        "missing field 'source_nl'",
    ]


def _break_peers(doc):
    doc["count"] = 0
    del doc["characteristics"][0]["column"]
    doc["characteristics"][1]["scale"] = -1
    return ["count: must be at least 1", "missing field 'column'", "scale must be positive"]


def _break_sources(doc):
    figures = {f["id"]: f for f in doc["figures"]}
    figures["groningen_jobs_2016"]["value"] = 100000  # the derived places no longer fit
    del figures["activated_working_after_5_months"]["quote"]
    trouw = next(s for s in doc["sources"] if s["id"] == "trouw_2017_beschut")
    trouw["reliability"] = "U"  # a source is C or C2
    return [
        "effect on 'se_places_per_1000_jobs' value: declared 1.3, but its figures give",
        "missing field 'quote'",
        "unknown figure(s) 'activated_working_after_5_months'",
        "reliability must be one of",
        "unknown source 'trouw_2017_beschut'",
    ]


BREAKERS = {
    "scenarios.yaml": _break_scenarios,
    "measures.yaml": _break_measures,
    "assumptions.yaml": _break_assumptions,
    "units.yaml": _break_units,
    "conventions.yaml": _break_conventions,
    "levers.yaml": _break_levers,
    "indicators.yaml": _break_indicators,
    "groups.yaml": _break_groups,
    "hindcast.yaml": _break_hindcast,
    "measure_effects.yaml": _break_effects,
    "options.yaml": _break_options,
    "corop_2015.yaml": _break_corop,
    "cbs_tables.yaml": _break_cbs_tables,
    "windtunnel.yaml": _break_windtunnel,
    "calibration.yaml": _break_calibration,
    "peers.yaml": _break_peers,
    "sources.yaml": _break_sources,
}


def test_every_yaml_file_has_a_broken_copy_test():
    assert sorted(BREAKERS) == YAML_FILES


def test_the_package_definitions_validate_as_a_folder():
    defs = load_definitions(DEFINITIONS_DIR)
    assert defs == load_definitions()
    assert set(defs.levers) == {s.id for s in defs.scenarios}
    assert [c.id for c in defs.hindcast.scenarios]
    assert defs.units["share of jobs"].is_share and defs.cbs_tables["kern"].table == "70072ned"


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_a_broken_copy_gives_one_error_listing_every_problem(tmp_path, name):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs", ignore=shutil.ignore_patterns("*.py"))
    path = tmp_path / "defs" / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = BREAKERS[name](doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_definitions(tmp_path / "defs")
    problems = info.value.problems
    ours = [p for p in problems if p.startswith(f"{name}: ")]
    for needle in expected:
        assert any(needle in p for p in ours), (needle, problems)
    assert len(ours) >= len(expected)
    # every problem names its file and the item
    assert all(re.match(r"[a-z_0-9]+\.yaml: \S", p) for p in problems), problems


def test_a_problem_in_two_files_is_reported_in_one_error(tmp_path):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs", ignore=shutil.ignore_patterns("*.py"))
    path = tmp_path / "defs" / "hindcast.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- id: regulier", "- id: regulir"))
    (tmp_path / "defs" / "levers.yaml").write_text("levers: [1, 2]\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_definitions(tmp_path / "defs")
    files = {p.split(":")[0] for p in info.value.problems}
    assert {"levers.yaml", "hindcast.yaml"} <= files
    assert str(info.value).startswith(f"{len(info.value.problems)} problem(s) in ")


# --- units --------------------------------------------------------------------------------------


def test_every_unit_used_is_declared_once(defs):
    declared = defs.units.ids
    assert len(set(declared)) == len(declared)
    used = {a.unit for a in defs.assumptions} | {i.unit for i in defs.indicators}
    used |= {e.unit for me in defs.effects.values() for e in me.effects}
    assert used <= set(declared), used - set(declared)


def test_units_tell_label_kind_format_and_step():
    share_of_jobs = unit("share of jobs")
    assert share_of_jobs.label_nl == "aandeel van de banen" and share_of_jobs.is_share
    assert share_of_jobs.step == 0.005 and share_of_jobs.decimals == 1
    assert unit("EUR/year").is_euro and unit("EUR/year").step == 100
    assert unit("ratio").number_format == ",.2f" and unit("%").number_format == ",.1f"
    assert unit("persons").number_format == ",.0f"
    # one label per unit, where the report and the slider used to disagree
    assert unit("percentage points").label == "procentpunt"
    assert unit("share/year").label == "aandeel per jaar"
    with pytest.raises(KeyError, match="furlongs"):
        unit("furlongs")


def test_an_undeclared_unit_in_assumptions_is_a_problem(tmp_path):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs", ignore=shutil.ignore_patterns("*.py"))
    path = tmp_path / "defs" / "assumptions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("unit: share of jobs", "unit: ell", 1))
    with pytest.raises(DefinitionError, match=r"assumptions\.yaml: assumption '\w+': unit 'ell'"):
        load_definitions(tmp_path / "defs")


# --- conventions --------------------------------------------------------------------------------


def test_conventions_are_exported_as_constants(defs):
    assert (NATIONAL_CODE, NATIONAL_NAME) == ("NL01", "Nederland")
    assert (BASE_YEAR, DEFAULT_HORIZON, MAX_HORIZON) == (2015, 2020, 2035)
    assert DEFAULT_GROUP == "participating" and DEFAULT_GROUP in defs.groups
    assert REPORT_ENV == "SOCECON_REPORT"
    assert REGION_CODE.match("GM0164") and REGION_CODE.match(NATIONAL_CODE)
    for code in ("XX01", "GM016", "GM01644", "NL012", "AM1"):
        assert not REGION_CODE.match(code), code
    kinds = {"GM0164": "municipality", "PV30": "province", "AM26": "labour_market_region"}
    kinds |= {"CR34": "corop", "LD04": "landsdeel", "NL01": "national"}
    for code, kind in kinds.items():
        assert [k for k, p in REGION_KINDS.items() if p.fullmatch(code)] == [kind], code
    # What users type is parsed by the letters and digits of the declared codes.
    assert dict(REGION_SHAPES) == {
        "municipality": ("GM", 4),
        "landsdeel": ("LD", 2),
        "province": ("PV", 2),
        "labour_market_region": ("AM", 2),
        "corop": ("CR", 2),
        "national": ("NL", 2),
    }


def test_conventions_are_validated(tmp_path):
    path = tmp_path / "conventions.yaml"
    doc = yaml.safe_load((DEFINITIONS_DIR / "conventions.yaml").read_text(encoding="utf-8"))
    doc["region_codes"]["municipality"] = "(GM"
    doc["region_codes"]["landsdeel"] = "NL\\d\\d"
    doc["region_codes"]["corop"] = "[A-Z]{2}\\d\\d"  # no letters of its own
    doc["report_environment"] = "socecon report"
    doc["national"] = {"code": "NL01"}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_conventions(path)
    text = str(info.value)
    for needle in [
        "region_codes.municipality: not a regular expression",
        "region_codes.landsdeel: also matches the national code 'NL01'",
        "region_codes.corop: expected capitals and a number of digits",
        "not an environment variable",
        "'name'",
    ]:
        assert needle in text, needle
    doc["national"] = {"code": "Nederland", "name": "Nederland"}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(DefinitionError, match="code: expected capitals and digits such as 'NL01'"):
        load_conventions(path)


def test_unknown_default_group_is_a_cross_file_problem(tmp_path):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs", ignore=shutil.ignore_patterns("*.py"))
    path = tmp_path / "defs" / "conventions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "default_group: participating", "default_group: everybody"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match=r"conventions\.yaml: default_group: 'everybody'"):
        load_definitions(tmp_path / "defs")


# --- one home per fact --------------------------------------------------------------------------


def test_quota_and_public_employment_shares_live_in_the_assumptions(defs):
    raw = yaml.safe_load((DEFINITIONS_DIR / "scenarios.yaml").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in raw["scenarios"]}
    assert by_id["regulier"]["quota"]["share"] == "quota_share"
    assert by_id["publiek"]["public_employment_share"] == "public_employment_share"
    assert defs.scenario("regulier").quota.share == defs.assumptions["quota_share"].value
    assert (
        defs.scenario("publiek").public_employment_share
        == defs.assumptions["public_employment_share"].value
    )


def test_a_share_naming_an_unknown_assumption_is_a_problem(tmp_path):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs", ignore=shutil.ignore_patterns("*.py"))
    path = tmp_path / "defs" / "scenarios.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("share: quota_share", "share: quota_shar"),
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match="refers to unknown assumption 'quota_shar'"):
        load_definitions(tmp_path / "defs")


def test_assumption_labels_read_as_words_not_switch_values():
    # A municipality reads these labels in the report's assumptions table and on the slider:
    # "Quotum volgens de wet van 2015 (1) in plaats van voor alle bedrijven (0)" shown as "0 %"
    # read like a program's switch; a share says the same in words.
    for a in load_assumptions():
        assert not re.search(r"\(\d\)", a.label), a.id
        if a.unit in ("share", "%"):
            assert not re.search(r"\(\d\)", a.source_nl or ""), a.id
