"""Chart builders: valid Vega-Lite with the model's numbers and Dutch labels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import vl_convert as vlc

from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.units import unit
from socecon.exceptions import ModelError
from socecon.model import run_model
from socecon.present import figures
from socecon.present.formats import label_with_unit
from socecon.present.slider_chart import slider_chart
from socecon.present.windtunnel_chart import windtunnel_chart


@pytest.fixture(scope="module")
def frame():
    return run_model(["GM0164", "GM0106", "isd_midden_langstraat"])


def test_indicator_units_come_from_the_declaration():
    label = figures.indicator_label("net_cost", with_unit=True)
    assert label == "Netto kosten gemeente (€ per jaar)"
    assert figures.indicator_unit("placed|20-30").label == "personen"
    assert figures.value_format("sroi") == ",.2f"
    assert figures.value_format("participation_rate") == ",.1f"


def _datasets(chart) -> list[dict]:
    spec = chart.to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _renders(chart) -> str:
    svg = vlc.vegalite_to_svg(chart.to_dict())
    assert svg.startswith("<svg")
    return svg


def test_axes_chart_places_each_scenario_on_its_poles():
    chart = figures.axes_chart()
    rows = {r["scenario_name"]: (r["rol"], r["bedrijven"]) for r in _datasets(chart)}
    assert rows == {
        "Sociaal Ondernemen": ("Regisseur op afstand", "Segmentatie"),
        "Regulier": ("Regisseur op afstand", "Versmelting"),
        "Publiek-privaat": ("Ondernemer", "Versmelting"),
        "Publiek": ("Ondernemer", "Segmentatie"),
    }
    svg = _renders(chart)
    assert "Sociaal Ondernemen" in svg and "productiviteit 50-80 %" in svg


def test_indicator_chart_shows_model_values(frame):
    chart = figures.indicator_chart(frame, ["GM0164", "GM0106"], ["placed", "sroi"])
    rows = _datasets(chart)
    want = frame[
        (frame.region == "GM0164")
        & (frame.variable == "placed")
        & (frame.year == 2020)
        & (frame.scenario == "regulier")
    ].value.iloc[0]
    got = [
        r["value"]
        for r in rows
        if r["region"] == "GM0164" and r["variable"] == "placed" and r["scenario"] == "regulier"
    ]
    assert got == [pytest.approx(want)]
    assert {r["region_name"] for r in rows} == {"Hengelo", "Assen"}
    svg = _renders(chart)
    # the axis names its unit once: the label already says "personen"
    assert "Geplaatste personen" in svg and "Publiek-privaat" in svg
    assert "personen (personen)" not in svg


def test_a_group_chart_names_the_gemeenten_a_municipality_chart_the_gemeente(frame):
    variables = ["placed", "net_cost"]
    group = figures.indicator_chart(frame, ["isd_midden_langstraat"], variables)
    alone = figures.indicator_chart(frame, ["GM0164"], variables)
    mixed = figures.indicator_chart(frame, ["GM0164", "isd_midden_langstraat"], variables)
    assert "Netto kosten gemeenten (€ per jaar)" in {r["indicator"] for r in _datasets(group)}
    assert "netto kosten gemeenten (" in group.to_dict()["description"]
    assert "Netto kosten gemeente (€ per jaar)" in {r["indicator"] for r in _datasets(alone)}
    assert "netto kosten gemeente (" in alone.to_dict()["description"]
    # a chart with a municipality beside the group keeps the municipality's words
    assert "Netto kosten gemeente (€ per jaar)" in {r["indicator"] for r in _datasets(mixed)}
    # the panels are sorted by the same labels the data carries (no panel without data)
    assert "Netto kosten gemeenten" in _renders(group)


def test_a_label_names_its_unit_once():
    assert label_with_unit("Doelgroep", "personen") == "Doelgroep (personen)"
    assert label_with_unit("Geplaatste personen", "personen") == "Geplaatste personen"
    banenafspraak = "Banen volgens de banenafspraak (25,5 uur)"
    assert label_with_unit(banenafspraak, "banen") == banenafspraak
    assert label_with_unit("Netto kosten gemeente", "€ per jaar") == (
        "Netto kosten gemeente (€ per jaar)"
    )
    assert figures.indicator_label("placed", with_unit=True) == "Geplaatste personen"
    net_cost = figures.indicator_label("net_cost", with_unit=True)
    assert net_cost == "Netto kosten gemeente (€ per jaar)"


def test_band_chart_splits_the_target_group_and_marks_windows(frame):
    chart = figures.band_chart(frame, "GM0164")
    rows = _datasets(chart)
    target = frame[
        (frame.region == "GM0164")
        & (frame.variable == "target_group")
        & (frame.year == 2020)
        & (frame.scenario == "regulier")
    ].value.iloc[0]
    regulier = [r for r in rows if r.get("scenario") == "regulier"]
    assert sum(r["value"] for r in regulier) == pytest.approx(target)
    windows = sorted(
        r["band"] for r in rows if r["status"] == "Venster" and r["scenario_name"] == "Regulier"
    )
    assert windows == ["50-60 %", "60-70 %", "70-80 %"]
    _renders(chart)


def test_band_chart_leaves_no_empty_slot_on_a_screen_or_a_phone(frame):
    # 5 panels in 3 columns left a sixth slot with a stray axis: all in one row, or one column
    spec = figures.band_chart(frame, "GM0164").to_dict()
    narrow = spec["usermeta"]["narrow"]
    panels = len({r["scenario_name"] for r in _datasets(figures.band_chart(frame, "GM0164"))})
    assert (spec["columns"], narrow["columns"]) == (panels, 1) == (5, 1)
    for layout in (spec, narrow):
        assert vlc.vegalite_to_svg(layout).startswith("<svg")
    # the narrow layout is the same chart: its title wrapped for a phone, the same description
    assert " ".join(narrow["title"]["text"]) == spec["title"]["text"]
    assert narrow["description"] == spec["description"]


def test_path_chart_has_every_year(frame):
    rows = _datasets(figures.path_chart(frame, "GM0106", "net_cost"))
    assert sorted({r["year"] for r in rows}) == list(range(2015, 2021))


def test_difference_chart_subtracts_the_baseline(frame):
    rows = _datasets(figures.difference_chart(frame, ["GM0164"], ["placed"]))
    sel = frame[(frame.region == "GM0164") & (frame.variable == "placed") & (frame.year == 2020)]
    values = sel.set_index("scenario").value
    publiek = next(r["value"] for r in rows if r["scenario"] == "publiek")
    assert publiek == pytest.approx(values["publiek"] - values["baseline"])
    assert all(r["scenario"] != "baseline" for r in rows)


def test_ranking_chart_ranks_and_highlights():
    everyone = run_model(years=[2015, 2020])
    chart = figures.ranking_chart(everyone, "participation_rate", "publiek", highlight=["GM0164"])
    rows = _datasets(chart)
    defined = everyone[
        (everyone.variable == "participation_rate")
        & (everyone.year == 2020)
        & (everyone.scenario == "publiek")
    ].value.notna()
    assert len(rows) == defined.sum() > 335  # of the 342 of 2025; without target group drop out
    values = [r["value"] for r in sorted(rows, key=lambda r: r["rank"])]
    assert values == sorted(values, reverse=True)
    assert [r["region_name"] for r in rows if r["gekozen"] == "gekozen"] == ["Hengelo"]
    _renders(chart)


def test_slider_chart_precomputes_the_assumption_grid():
    chart = slider_chart("GM0164", "take_up", "placed", steps=7)
    spec = chart.to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["aanname"]["bind"]["input"] == "range"
    # a share on the slider in percent, as the assumptions table shows it (60 %, not 0,6)
    assert params["aanname"]["bind"]["min"] == pytest.approx(30)
    assert params["aanname"]["bind"]["max"] == pytest.approx(90)
    assert params["aanname"]["bind"]["step"] == pytest.approx(10)
    assert params["aanname"]["value"] == pytest.approx(60)
    assert params["scenario_keuze"]["bind"]["input"] == "select"
    rows = _datasets(chart)
    grid = sorted({r["x"] for r in rows})
    assert grid == pytest.approx(np.linspace(30, 90, 7))
    # Each grid point equals a separate model run at that take-up.
    for take_up in (0.3, 0.9):
        single = run_model(["GM0164"], years=[2020], overrides={"take_up": take_up})
        want = single[(single.variable == "placed") & (single.scenario == "publiek")].value
        got = [
            r["value"]
            for r in rows
            if r["x"] == pytest.approx(100 * take_up) and r["scenario_name"] == "Publiek"
        ]
        assert got == [pytest.approx(want.iloc[0])]
    assert "Meedoen binnen het productiviteitsvenster (%)" in json.dumps(spec)
    assert "(aandeel)" not in json.dumps(spec)
    _renders(chart)


def test_slider_chart_refuses_an_assumption_without_range():
    with pytest.raises(ModelError, match="no range"):
        slider_chart("GM0164", "lks_cap")


def test_empty_selection_is_refused(frame):
    with pytest.raises(ModelError, match="no results to chart"):
        figures.indicator_chart(frame, ["GM0090"], ["placed"])


def test_windtunnel_chart_shows_every_option_and_scenario():
    from socecon.analysis import windtunnel

    table = windtunnel.matrix("GM0164", {"participation_min": 20.0}, n_samples=40)
    chart = windtunnel_chart(table)
    rows = _datasets(chart)
    assert len(rows) == len(table) == 4 * table.option.nunique()
    assert {r["scenario_name"] for r in rows} == {
        "Sociaal Ondernemen",
        "Regulier",
        "Publiek-privaat",
        "Publiek",
    }
    first = rows[0]
    assert first["row"] == f"{first['option_name']} — {first['class_name']}"
    svg = _renders(chart)
    assert "Beleidsopties in de windtunnel: Hengelo" in svg
    # every cell says its status in words, on a phone too (not by colour alone); and the legend
    for status in set(table["status_name"]):
        assert svg.count(f">{status}<") == (table["status_name"] == status).sum() + 1, status
    narrow = vlc.vegalite_to_svg(chart.to_dict()["usermeta"]["narrow"])
    assert narrow.count(">doel niet gehaald<") == svg.count(">doel niet gehaald<")


def test_axis_labels_never_name_a_unit_twice():
    # "Geplaatste personen (personen)" said the unit twice; a label naming its unit keeps it once.
    assert figures.indicator_label("placed", True) == "Geplaatste personen"
    assert figures.indicator_label("target_group", True) == "Doelgroep (personen)"
    for d in load_indicator_definitions():
        label, unit_label = d.label.lower(), unit(d.unit).label.lower()
        shown = figures.indicator_label(d.id, True).lower()
        assert shown.count(unit_label) == max(1, label.count(unit_label)), shown
