"""Sourced values equal what their published figures give (``sources.yaml``), and stay so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import socecon.definitions
from socecon.definitions import load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.effects import load_measure_effects
from socecon.definitions.schema import Problems
from socecon.definitions.sources import RULES, SOURCE_TAGS, load_sources, parse_sources
from socecon.exceptions import DefinitionError

DEFINITIONS_DIR = Path(socecon.definitions.__file__).resolve().parent


def test_every_sourced_value_equals_what_its_figures_give():
    sources = load_sources()
    assert sources.derived
    for d in sources.derived:
        # Recomputed from the figures as recorded in sources.yaml, rounded as declared there.
        assert d.declared == d.derived, (d.target, d.field)
        for fid in d.figure_ids:
            figure = sources.figures[fid]
            assert figure.quote and sources.sources[figure.source].reliability in SOURCE_TAGS


def test_every_sourced_measure_effect_and_cost_is_derived():
    targets = {d.target for d in load_sources().derived}
    tagged = []
    for me in load_measure_effects().values():
        for e in me.effects:
            if e.reliability != "U":
                tagged.append(f"measure {me.measure!r} effect on {e.assumption!r}")
        if me.cost.reliability != "U":
            tagged.append(f"measure {me.measure!r} cost")
    assert tagged and set(tagged) <= targets


def test_every_declared_source_and_figure_is_used():
    sources = load_sources()
    used = {f for d in sources.derived for f in d.figure_ids}
    assert used == set(sources.figures)
    assert {sources.figures[f].source for f in used} == set(sources.sources)


def _copy(tmp_path):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs", ignore=shutil.ignore_patterns("*.py"))
    return tmp_path / "defs"


def _edit(path, change):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_value_changed_without_its_source_is_refused(tmp_path):
    defs = _copy(tmp_path)

    def change(doc):
        by_id = {m["measure"]: m for m in doc["measure_effects"]}
        by_id["social_procurement"]["effects"][0]["value"] = 1.4  # the figures give 1.3
        by_id["quota"]["cost"]["reliability"] = "D"  # sourced, but from no figure

    _edit(defs / "measure_effects.yaml", change)
    _edit(
        defs / "assumptions.yaml",
        lambda doc: next(
            a for a in doc["assumptions"] if a["id"] == "guidance_cost_sheltered"
        ).update(reliability="C"),  # the figure's source is C2
    )
    with pytest.raises(DefinitionError) as info:
        load_definitions(defs)
    text = "\n".join(info.value.problems)
    for needle in [
        "sources.yaml: measure 'social_procurement' effect on 'se_places_per_1000_jobs' value: "
        "declared 1.4, but its figures give 1.3",
        "sources.yaml: measure 'quota' cost: tagged D but derived from no figure",
        "sources.yaml: assumption 'guidance_cost_sheltered' value: tagged C: must be one figure "
        "from a C source",
    ]:
        assert needle in text, needle


SMALL = """
sources:
  - {id: s, title: T, publisher: P, year: 2020, url: https://example.org, locator: p. 1,
     reliability: C2}
figures:
  - {id: placed, source: s, value: 100, unit: persons/year, quote: honderd}
  - {id: jobs, source: s, value: 50000, unit: jobs, quote: vijftigduizend}
  - {id: anyway_low, source: s, value: 0.4, unit: share, quote: 40 tot 60 procent}
  - {id: anyway_high, source: s, value: 0.6, unit: share, quote: 40 tot 60 procent}
  - {id: with, source: s, value: 0.3, unit: share, quote: 30%}
  - {id: without, source: s, value: 0.25, unit: share, quote: 25%}
derived:
  - measure: social_procurement
    assumption: se_places_per_1000_jobs
    value: {rule: net_rate, count: placed, base: jobs, per: 1000,
            filled_anyway: [anyway_low, anyway_high]}
    high: {rule: net_rate, count: placed, base: jobs, per: 1000, filled_anyway: [anyway_low]}
  - measure: employer_consultant_training
    assumption: take_up
    value: {rule: difference, of: with, minus: without}
    low: {rule: figure, figure: with}
"""


def test_the_rules_by_hand():
    problems = Problems("sources.yaml")
    parsed = parse_sources(
        yaml.safe_load(SMALL), problems, load_measure_effects(), load_assumptions()
    )
    got = {(d.target.split()[1], d.field): d.derived for d in parsed.derived}
    # 100 placed on 50,000 jobs is 2 per 1,000; half filled anyway: 1; 40 % filled anyway: 1.2
    assert got[("'social_procurement'", "value")] == pytest.approx(1.0)
    assert got[("'social_procurement'", "high")] == pytest.approx(1.2)
    assert got[("'employer_consultant_training'", "value")] == pytest.approx(0.05)
    assert set(RULES) == {"figure", "difference", "net_rate"}
    # The package declares other values: every mismatch names the item and both numbers, and
    # the effect left out (on the PPS places) is a D-tagged value without a derivation.
    assert problems.items == [
        "measure 'social_procurement' effect on 'se_places_per_1000_jobs' value: declared 1.3, "
        "but its figures give 1",
        "measure 'social_procurement' effect on 'se_places_per_1000_jobs' high: declared 2.2, "
        "but its figures give 1.2",
        "measure 'employer_consultant_training' effect on 'take_up' value: declared 0.035, but "
        "its figures give 0.05",
        "measure 'employer_consultant_training' effect on 'take_up' low: declared 0, but its "
        "figures give 0.3",
        "measure 'social_procurement' effect on 'pps_places_per_1000_jobs': tagged D but "
        "derived from no figure",
    ]


BROKEN = """
sources:
  - {id: s, title: T, publisher: P, year: 2020, url: https://example.org, locator: p. 1,
     reliability: C2}
figures:
  - {id: a, source: s, value: 100, unit: persons/year, quote: honderd}
  - {id: b, source: nowhere, value: 5, unit: jobs, quote: vijf}
derived:
  - measure: social_procurement
    assumption: se_places_per_1000_jobs
    value: {rule: net_rate, count: a, base: a, filled_anyway: a}
    high: {rule: net_rate, count: a, base: a, filled_anyway: [a]}
  - assumption: wml_month
    value: {rule: figure, figure: a}
  - assumption: guidance_cost_sheltered
    value: {rule: figure, figure: a, digits: x}
    low: {rule: ratio, figure: a}
  - measure: quota
    assumption: take_up
    value: {rule: figure, figure: a}
"""


def test_malformed_derivations_are_named_not_computed():
    problems = Problems("sources.yaml")
    parse_sources(yaml.safe_load(BROKEN), problems, load_measure_effects(), load_assumptions())
    text = "\n".join(problems.items)
    for needle in [
        "figure 'b': unknown source 'nowhere'",
        "'se_places_per_1000_jobs' value: filled_anyway must be a list of figures, got 'a'",
        "'se_places_per_1000_jobs' high: per must be a number, got None",
        "assumption 'wml_month' value: the target declares no number value",
        "assumption 'guidance_cost_sheltered' value: digits must be a whole number, got 'x'",
        "assumption 'guidance_cost_sheltered' low: rule must be one of",
        "derived[3]: measure 'quota' has no effect on 'take_up'",
    ]:
        assert needle in text, needle
