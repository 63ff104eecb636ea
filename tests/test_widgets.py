"""The analyst workbench driven in-process, as a user would: by setting widget values.

Every test changes a control through the ipywidgets API (slider values, toggles, drop-downs,
button clicks) and checks what the chart outputs and the message show afterwards.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import WorkbenchError
from socecon.workbench.controller import VIEWS, Workbench
from socecon.workbench.explorer import LAB_MIMETYPE, Explorer
from socecon.workbench.state import EMPTY_SELECTION, resolve_query, slider_specs


def message(explorer: Explorer, where: str = "message") -> str:
    """The text of a visible message (``message`` above the charts, ``search_message``, ...)."""
    return html.unescape(re.sub(r"<[^>]+>", "", getattr(explorer, where).value))


def rows(explorer: Explorer, chart: str) -> pd.DataFrame:
    """The data rows a chart output currently shows (its view opened first)."""
    explorer.open_view(next(v for v, names in VIEWS.items() if chart in names))
    (output,) = explorer.outputs[chart].outputs
    spec = output["data"][LAB_MIMETYPE]
    return pd.DataFrame([r for values in spec["datasets"].values() for r in values])


def placed(explorer: Explorer) -> pd.Series:
    data = rows(explorer, "indicatoren")
    data = data[data["variable"] == "placed"]
    return data.set_index(["region", "scenario"])["value"].sort_index()


@pytest.fixture(scope="module")
def explorer_factory():
    def make(regions=("Hengelo", "Assen")) -> Explorer:
        return Explorer(Workbench(list(regions)))

    return make


@pytest.fixture
def explorer(explorer_factory):
    return explorer_factory()


def test_opens_with_charts_for_the_chosen_municipalities(explorer):
    assert [o for o, _ in explorer.chosen.options] == ["Hengelo (GM0164)", "Assen (GM0106)"]
    shown = rows(explorer, "indicatoren")
    assert set(shown["region"]) == {"GM0164", "GM0106"}
    assert set(shown["scenario"]) == {
        "baseline",
        "sociaal_ondernemen",
        "regulier",
        "publiek_privaat",
        "publiek",
    }
    assert explorer.view == "Vergelijking"
    # the views out of sight are drawn when opened, not before
    assert not explorer.outputs["doelgroep"].outputs and not explorer.outputs["ranglijst"].outputs
    explorer.open_view("Doelgroep")
    assert explorer.outputs["doelgroep"].outputs[0]["data"]["text/plain"].endswith("Hengelo>")
    assert explorer.message.value == ""
    # Dutch number formats reach JupyterLab's renderer
    explorer.open_view("Ranglijst")
    meta = explorer.outputs["ranglijst"].outputs[0]["metadata"][LAB_MIMETYPE]["embed_options"]
    assert meta["formatLocale"]["decimal"] == ","


def test_take_up_slider_moves_placements_and_reset_brings_them_back(explorer):
    before = placed(explorer)
    explorer.sliders["take_up"].value = 0.9
    after = placed(explorer)
    assert explorer.readouts["take_up"].value == "90 %"
    # higher take-up places more people in Sociaal Ondernemen or Publiek, never fewer anywhere;
    # the baseline does not depend on take-up
    assert (after >= before - 1e-9).all() and (after > before + 1).any()
    assert after.xs("baseline", level="scenario").equals(before.xs("baseline", level="scenario"))
    ranking = rows(explorer, "ranglijst")
    assert len(ranking) > 335  # every municipality of 2025 (342) with a target group

    explorer.resets["take_up"].click()
    assert explorer.sliders["take_up"].value == pytest.approx(0.6)
    assert explorer.readouts["take_up"].value == "60 %"
    assert placed(explorer).equals(before)
    assert explorer.workbench.state.assumptions == ()


def test_every_slider_has_its_sourced_default_range_and_reset(explorer):
    others = [s.id for s in slider_specs() if not s.main]
    assert others and not set(others) & set(explorer.sliders)  # built when opened
    explorer.more.selected_index = 0
    assumptions = load_assumptions()
    for spec in slider_specs():
        if spec.id != "horizon":  # the Dutch source, as in the reports
            assert spec.source == assumptions[spec.id].source_nl
        slider = explorer.sliders[spec.id]
        assert (slider.min, slider.max) == (spec.low, spec.high)
        assert slider.value == pytest.approx(spec.default)
        assert spec.source and "bron:" in spec.caption()
        assert spec.id in explorer.resets
    explorer.sliders["quota_share"].value = 0.03
    explorer.sliders["horizon"].value = 2030
    assert "2030" in explorer.outputs["verschil"].outputs[0]["data"]["text/plain"]
    assert set(rows(explorer, "indicatoren")["year"]) == {2030}
    explorer.reset_all.click()
    assert explorer.sliders["horizon"].value == 2020
    assert explorer.sliders["quota_share"].value == pytest.approx(0.05)


def test_quota_share_only_moves_regulier(explorer):
    before = placed(explorer)
    explorer.sliders["quota_share"].value = 0.02
    after = placed(explorer)
    changed = {s for (_, s), v in (after - before).items() if abs(v) > 1e-9}
    assert changed == {"regulier"}
    # Where the quota (now over all firms of the labour-market region) still exceeds take-up,
    # a lower quota changes nothing; nowhere does it place more.
    regulier_after = after.xs("regulier", level="scenario")
    regulier_before = before.xs("regulier", level="scenario")
    assert (regulier_after <= regulier_before + 1e-9).all()
    assert (regulier_after < regulier_before).any()


def test_search_adds_several_at_once_and_refuses_an_unknown_name(explorer):
    explorer.search.value = "Zutphen, 0090"
    assert explorer.workbench.state.regions == ("GM0164", "GM0106", "GM0301", "GM0090")
    assert explorer.search.value == ""
    assert set(rows(explorer, "indicatoren")["region"]) == {"GM0164", "GM0106", "GM0301", "GM0090"}

    explorer.search.value = "Hengelo, Asen"
    assert "Onbekende gemeente of regio 'Asen'" in message(explorer, "search_message")
    assert "Assen (GM0106)" in message(explorer, "search_message")  # the closest match
    assert 'role="alert"' in explorer.search_message.value
    assert explorer.workbench.state.regions == ("GM0164", "GM0106", "GM0301", "GM0090")
    assert explorer.search.value == "Asen"  # left in the box, to be corrected

    explorer.search.value = "GM9999"
    assert "Onbekende gemeente of regio 'GM9999'" in message(explorer, "search_message")
    assert explorer.message.value == ""  # not above the charts: next to the search box


def test_a_mixed_input_keeps_the_known_names_and_suggests_the_typo(explorer):
    explorer.search.value = "Zutfen, Gilze en Rijen"
    assert explorer.workbench.state.regions == ("GM0164", "GM0106", "GM0784")
    note = message(explorer, "search_message")
    assert "Onbekende gemeente of regio 'Zutfen'" in note and "Zutphen (GM0301)" in note
    assert "Wel gevonden en gekozen: Gilze en Rijen." in note
    assert explorer.search.value == "Zutfen"
    assert "Gilze en Rijen" in set(rows(explorer, "indicatoren")["region_name"])
    explorer.search.value = "Zutphen"  # corrected: the note goes
    assert explorer.workbench.state.regions[-1] == "GM0301"
    assert explorer.search_message.value == "" and explorer.search.value == ""


def test_a_group_is_one_region_and_highlights_its_members_in_the_ranking(explorer):
    explorer.search.value = "ISD Midden-Langstraat"
    assert explorer.workbench.state.regions[-1] == "isd_midden_langstraat"
    shown = rows(explorer, "indicatoren")
    assert "ISD Midden-Langstraat" in set(shown["region_name"])
    ranking = rows(explorer, "ranglijst")
    chosen = set(ranking.loc[ranking["gekozen"] == "gekozen", "region"])
    assert chosen == {"GM0164", "GM0106", "GM0797", "GM0809", "GM0867"}


def test_empty_selection_says_so_and_keeps_the_ranking(explorer):
    explorer.chosen.value = ("GM0164", "GM0106")
    explorer.remove.click()
    assert explorer.workbench.state.regions == ()
    assert EMPTY_SELECTION.split(".")[0] in message(explorer)
    for name in ("indicatoren", "doelgroep", "verschil", "tijdpad", "banden", "windtunnel"):
        explorer.open_view(next(v for v, names in VIEWS.items() if name in names))
        (output,) = explorer.outputs[name].outputs
        assert output["data"]["text/plain"] == EMPTY_SELECTION
    assert len(rows(explorer, "ranglijst")) > 335
    explorer.export_csv.click()
    assert EMPTY_SELECTION.split(".")[0] in message(explorer, "export_message")


def test_switching_off_every_scenario_is_refused(explorer):
    for key in ("sociaal_ondernemen", "regulier", "publiek_privaat"):
        explorer.scenario_toggles[key].value = False
    assert set(rows(explorer, "indicatoren")["scenario"]) == {"baseline", "publiek"}
    explorer.scenario_toggles["publiek"].value = False
    assert "Kies ten minste één scenario" in message(explorer, "scenario_message")
    assert explorer.scenario_toggles["publiek"].value is True  # put back
    assert explorer.workbench.state.scenarios == ("publiek",)


def test_quota_ranking_outside_regulier_is_refused(explorer):
    explorer.ranking_variable.value = "quota_compliance"
    assert explorer.ranking_message.value == ""
    explorer.ranking_scenario.value = "publiek"
    assert "alleen voor Regulier" in message(explorer, "ranking_message")
    assert explorer.ranking_scenario.value == "regulier"
    assert explorer.workbench.state.ranking_scenario == "regulier"


def test_ranking_model_runs_only_when_its_inputs_change(explorer_factory, monkeypatch):
    calls = []
    original = Workbench._run_ranking

    def counting(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(Workbench, "_run_ranking", staticmethod(counting))
    explorer = explorer_factory()
    assert len(calls) == 0  # the ranking is out of sight: not computed
    explorer.open_view("Ranglijst")
    assert len(calls) == 1
    explorer.search.value = "Zutphen"
    explorer.variables.value = ("placed",)
    explorer.ranking_variable.value = "placed"
    assert len(calls) == 1
    explorer.sliders["wml_index"].value = 1.05
    assert len(calls) == 2
    explorer.open_view("Vergelijking")
    explorer.sliders["wml_index"].value = 1.0
    assert len(calls) == 2  # out of sight again: the slider does not rerun it


def test_band_chart_follows_the_chosen_region(explorer):
    explorer.band_region.value = "GM0106"
    data = rows(explorer, "doelgroep")
    assert explorer.outputs["doelgroep"].outputs[0]["data"]["text/plain"].endswith("Assen>")
    assert set(data["region"].dropna()) == {"GM0106"}


def test_exports_are_named_after_what_they_show(explorer, tmp_path):
    explorer.export_folder.value = str(tmp_path)
    explorer.export_csv.click()
    csv = tmp_path / "vergelijking_GM0164_GM0106_2020.csv"
    assert csv.exists() and csv.name in message(explorer, "export_message")
    text = csv.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("regio;regionaam;scenario")
    table = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig")
    got = table.query("regio == 'GM0164' and scenario == 'regulier' and indicator == 'placed'")
    assert got["waarde"].iloc[0] == pytest.approx(
        placed(explorer)[("GM0164", "regulier")], rel=1e-5
    )
    assert set(table["eenheid"]) >= {"personen", "€ per persoon per jaar", "%"}  # not unit ids
    explorer.variables.value = ("placed",)
    explorer.sliders["take_up"].value = 0.8
    explorer.export_svg.click()  # the charts of the open view
    names = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert names == [
        "geplaatste_personen_per_scenario_GM0164_GM0106_2020_take_up-0.8.svg",
        "verschil_met_basisjaar_GM0164_GM0106_2020_take_up-0.8.svg",
    ]
    explorer.open_view("Windtunnel")
    explorer.export_svg.click()
    assert "windtunnel_GM0164_2020_take_up-0.8.svg" in message(explorer, "export_message")
    assert "<svg" in (tmp_path / "windtunnel_GM0164_2020_take_up-0.8.svg").read_text()
    svg = (tmp_path / names[0]).read_text()
    assert "<svg" in svg and "Hengelo" in svg and "1.000" in svg  # Dutch thousands
    png = explorer.workbench.export_chart("ranglijst", tmp_path, "png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_workbench_refuses_invalid_values_and_keeps_its_state():
    wb = Workbench(["Hengelo"])
    state = wb.state
    with pytest.raises(WorkbenchError, match="Ongeldige waarde voor 'Meedoen"):
        wb.set_assumption("take_up", 1.5)
    with pytest.raises(WorkbenchError, match="zichtjaar"):
        wb.set_assumption("horizon", 2015)
    with pytest.raises(WorkbenchError, match="Onbekende aanname"):
        wb.set_assumption("nonsense", 1)
    with pytest.raises(WorkbenchError, match="hoogstens"):
        wb.add_regions(", ".join(f"GM0{n}" for n in (106, 164, 301, 90, 784, 797, 809, 867)))
        wb.add_regions("Amsterdam, Rotterdam, Utrecht")
    with pytest.raises(WorkbenchError, match="Typ de naam"):
        wb.add_regions("  ")
    assert wb.state.horizon == state.horizon and "take_up" not in wb.state.overrides


def test_resolve_query_accepts_names_codes_and_options():
    assert resolve_query("hengelo (o.)") == ("GM0164",)
    assert resolve_query("Assen (GM0106)") == ("GM0106",)
    assert resolve_query("0164;gm0106\nAssen") == ("GM0164", "GM0106")
    assert resolve_query("Nuenen, Gerwen en Nederwetten") == ("GM0820",)


def test_windtunnel_matrix_follows_the_goal_sliders(explorer):
    before = rows(explorer, "windtunnel")
    assert set(before["scenario_name"]) == {
        "Sociaal Ondernemen",
        "Regulier",
        "Publiek-privaat",
        "Publiek",
    }
    assert explorer.workbench.windtunnel()["region_name"].unique().tolist() == ["Hengelo"]
    assert "Windtunnel voor Hengelo (GM0164)" in explorer.windtunnel_summary.value
    explorer.goal_participation.value = 60
    assert explorer.goal_readouts[0].value == "60 %"  # unreachable in most worlds
    after = rows(explorer, "windtunnel")
    assert (after["goal_share"] <= before["goal_share"]).all()
    assert (after["goal_share"] < before["goal_share"]).any()
    assert "deelname minstens 60,0 %" in html.unescape(explorer.windtunnel_summary.value)
    explorer.band_region.value = "GM0106"
    assert explorer.workbench.windtunnel()["region_name"].unique().tolist() == ["Assen"]
    assert "Windtunnel voor Assen (GM0106)" in explorer.windtunnel_summary.value


def test_windtunnel_holds_the_slider_assumptions_fixed(explorer):
    wide = rows(explorer, "windtunnel")
    explorer.sliders["take_up"].value = 0.5
    assert explorer.workbench.state.overrides == {"take_up": 0.5}
    pinned = rows(explorer, "windtunnel")
    width = "participation_p90 - participation_p10"
    assert pinned.eval(width).sum() < wide.eval(width).sum()


def test_invalid_goals_are_refused_with_a_visible_message():
    workbench = Workbench(["Zutphen"])
    with pytest.raises(WorkbenchError, match="tussen 0 en 100 %"):
        workbench.update(goal_participation=120)
    with pytest.raises(WorkbenchError, match="niet negatief"):
        workbench.update(goal_net_cost_per_placed=-5)
    assert workbench.state.goal_participation == 20.0
    explorer = Explorer(workbench)
    explorer._apply(explorer.goal_message, explorer.workbench.update, goal_participation=150)
    assert "tussen 0 en 100 %" in message(explorer, "goal_message")
    assert explorer.goal_participation.value == 20.0
    assert [r.value for r in explorer.goal_readouts] == ["20 %", "€ 20.000"]


def test_windtunnel_shows_where_it_breaks_and_the_drivers(explorer):
    explorer.open_view("Windtunnel")
    summary = html.unescape(explorer.windtunnel_summary.value)
    assert "Waar het misgaat bij '" in summary
    assert "hangt de deelname het meest af van de aanname" in summary
    drivers = rows(explorer, "aannames")
    assert drivers["option_name"].nunique() == 10
    assert "Meedoen binnen het productiviteitsvenster" in set(drivers["label"])
    explorer.sliders["take_up"].value = 0.5  # pinned: no longer uncertain, so no driver
    assert "Meedoen binnen het productiviteitsvenster" not in set(
        rows(explorer, "aannames")["label"]
    )


def test_every_ranged_assumption_gets_a_slider_from_the_declarations(explorer):
    ranged = {a.id for a in load_assumptions() if a.kind == "scalar" and a.low < a.high}
    explorer.more.selected_index = 0  # "Meer aannames": built when opened
    assert ranged <= set(explorer.sliders)
    other = next(s for s in slider_specs() if not s.main)
    explorer.sliders[other.id].value = other.high
    assert explorer.workbench.state.overrides == {other.id: other.high}
    assert explorer.readouts[other.id].value == other.format(other.high)


def test_settings_buttons_save_and_restore_and_refuse_a_broken_file(explorer, tmp_path):
    explorer.sliders["take_up"].value = 0.8
    explorer.goal_participation.value = 40
    explorer.config_path.value = str(tmp_path / "werkbank.yaml")
    explorer.save_config.click()
    assert "werkbank.yaml" in message(explorer, "export_message")
    saved = rows(explorer, "indicatoren")
    explorer.reset_all.click()
    explorer.goal_participation.value = 20
    assert not rows(explorer, "indicatoren").equals(saved)
    explorer.restore_config.click()
    assert explorer.sliders["take_up"].value == pytest.approx(0.8)
    assert explorer.goal_participation.value == 40
    assert explorer.goal_readouts[0].value == "40 %"
    assert rows(explorer, "indicatoren").equals(saved)
    broken = tmp_path / "kapot.json"
    broken.write_text('{"assumptions": {"take_up": 7}}')
    explorer.config_path.value = str(broken)
    explorer.restore_config.click()
    assert "'assumptions.take_up' = 7" in message(explorer, "export_message")
    assert explorer.sliders["take_up"].value == pytest.approx(0.8)  # kept


def test_iamc_button_writes_the_iamc_layout(explorer, tmp_path):
    explorer.export_folder.value = str(tmp_path)
    explorer.export_iamc.click()
    (path,) = tmp_path.glob("vergelijking_iamc_*.csv")
    assert path.name in message(explorer, "export_message")
    header = path.read_text().splitlines()[0]
    assert header == "model,scenario,region,variable,unit,2020"
