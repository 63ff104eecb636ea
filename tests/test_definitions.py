"""The declarations are pinned to the seed study and validated."""

from __future__ import annotations

import re

import pytest

from socecon.definitions import load_definitions
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
