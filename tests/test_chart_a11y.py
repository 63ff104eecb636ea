"""Every chart: the declared Okabe-Ito colours, a title and a one-sentence text alternative.

The charts of the report (and of the workbench and overview) are built for Zutphen and their
Vega-Lite specifications read: every colour a chart uses is declared (``chart_colors`` of
``conventions.yaml`` or the wind tunnel's labels in ``windtunnel.yaml``), every chart has a
title and a Dutch ``description`` (one sentence, no internal ids), lines carry a shape per
scenario as well as a colour, and the page snippet of a chart points screen readers to its
description, escaped.
"""

from __future__ import annotations

import re

import pytest

from socecon.definitions import load_definitions
from socecon.definitions.windtunnel import load_windtunnel
from socecon.model import run_model
from socecon.present import figures
from socecon.present.embed import TEXT_CLASS, embed_html, report_spec
from socecon.present.slider_chart import slider_chart
from socecon.present.windtunnel_chart import windtunnel_chart
from socecon.report import overview, policy

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b")


def _declared_colours() -> set[str]:
    palette = set(load_definitions().conventions.chart_colors.values())
    tunnel = load_windtunnel()
    palette |= {v.color for v in (*tunnel.cell_status.values(), *tunnel.verdicts.values())}
    return {c.upper() for c in palette} | {"#FFFFFF", "WHITE", "BLACK"}


def _colours(spec) -> set[str]:
    """Every colour named in a spec (hex values and named colours of ``color`` fields)."""
    found = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("color", "fill", "stroke") and isinstance(value, str):
                found.add(value.upper())
            elif key == "range" and isinstance(value, list):
                found |= {v.upper() for v in value if isinstance(v, str) and HEX.fullmatch(v)}
            else:
                found |= _colours(value)
    elif isinstance(spec, list):
        for item in spec:
            found |= _colours(item)
    return found


def _title(spec) -> str:
    title = spec.get("title")
    return title.get("text", "") if isinstance(title, dict) else str(title or "")


@pytest.fixture(scope="module")
def built():
    frame = run_model("GM0301", horizon=2020)
    goal = {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}
    tunnel = policy.windtunnel_table("GM0301", goal, n_samples=300)
    national = overview.all_municipalities(2020)
    peers = overview.peers(national, "placed", "regulier", ["GM0301"])
    built = {
        "axes": figures.axes_chart(),
        "band": figures.band_chart(frame, "GM0301"),
        "indicator": figures.indicator_chart(frame, ["GM0301"], ["placed", "net_cost"]),
        "slider": slider_chart("GM0301", assumption="take_up", horizon=2020),
        "path": figures.path_chart(frame, "GM0301", "placed"),
        "windtunnel": windtunnel_chart(tunnel),
        "drivers": policy.drivers_figure(tunnel),
        "difference": figures.difference_chart(frame, ["GM0301"], ["placed"]),
        "ranking": figures.ranking_chart(national, "placed", "regulier", highlight=["GM0301"]),
        "spread": overview.spread_chart(national, "placed"),
        "peers": overview.peer_chart(peers, "placed", "regulier"),
    }
    return built


@pytest.fixture(scope="module")
def charts(built):
    return {name: chart.to_dict() for name, chart in built.items()}  # validated against the schema


def test_a_page_draws_the_validated_spec(built, charts):
    # Reports skip altair's schema validation (report_spec); the spec must be the same.
    for name, chart in built.items():
        assert report_spec(chart) == charts[name], name


def test_the_palette_is_declared_once_and_okabe_ito():
    colours = load_definitions().conventions.chart_colors
    scenarios = [s.id for s in load_definitions().scenarios if not s.is_baseline]
    assert {colours[s].upper() for s in scenarios} <= OKABE_ITO
    assert len({colours[s] for s in scenarios}) == len(scenarios)
    assert {s.id: colours[s.id] for s in load_definitions().scenarios} == figures.SCENARIO_COLORS


def test_every_chart_uses_only_declared_colours(charts):
    declared = _declared_colours()
    for name, spec in charts.items():
        assert _colours(spec) <= declared, (name, _colours(spec) - declared)


def test_every_chart_has_a_title_and_a_dutch_one_sentence_description(charts):
    for name, spec in charts.items():
        assert _title(spec), name
        text = spec.get("description", "")
        assert len(text) > 40 and text.endswith("."), (name, text)
        assert text.count(". ") <= 1, (name, text)  # one sentence (two at most)
        assert not re.search(r"\bGM\d{4}\b|_|\{|\}", text), (name, text)


def _shapes(spec) -> list[dict]:
    """Every ``shape`` encoding in a spec."""
    if isinstance(spec, dict):
        found = [spec["shape"]] if isinstance(spec.get("shape"), dict) else []
        return found + [s for value in spec.values() for s in _shapes(value)]
    if isinstance(spec, list):
        return [s for item in spec for s in _shapes(item)]
    return []


def test_lines_are_told_apart_by_shape_as_well_as_colour(charts):
    for name in ("path", "slider"):
        shapes = _shapes(charts[name])  # in the wide layout and in the narrow one (usermeta)
        assert len(shapes) == 2, name
        for shape in shapes:
            assert shape["field"] == "scenario_name", name
            assert len(set(shape["scale"]["range"])) == len(shape["scale"]["domain"]) == 5


def test_the_page_snippet_describes_the_chart_and_escapes_it():
    spec = {
        "title": "Titel <b>",
        "description": 'Een "grafiek" met <script>alert(1)</script>.',
        "mark": "bar",
        "data": {"values": []},
    }
    snippet = embed_html(spec, element_id="c1")
    assert 'aria-label="Titel &lt;b&gt;"' in snippet
    assert 'aria-describedby="c1-text"' in snippet
    assert (
        f'<p class="{TEXT_CLASS}" id="c1-text">Een &quot;grafiek&quot; met '
        "&lt;script&gt;alert(1)&lt;/script&gt;.</p>" in snippet
    )
    assert "<script>alert" not in snippet
