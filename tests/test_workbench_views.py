"""The workbench's views and saved settings, driven through the controller (no widgets).

Time path, uncertainty bands and drivers, the trade-off, the ranking's labels, the IAMC export,
and the configuration file: written, read back to the same state and the same chart specs, and
refused (with the file, key and value named) when corrupted, unknown or out of range.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from socecon.analysis.uncertainty import run_uncertainty
from socecon.batch import executors
from socecon.batch.execute import ReportResult
from socecon.cli import main
from socecon.definitions import BASE_YEAR
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import WorkbenchError
from socecon.model import run_model
from socecon.model.results import to_iamc
from socecon.report.policy import report_goal
from socecon.workbench.config import config_dict, read_config, write_config
from socecon.workbench.controller import CHART_CAPTIONS, UNCERTAINTY_SAMPLES, VIEWS, Workbench
from socecon.workbench.state import (
    DEFAULT_GOAL_NET_COST_PER_PLACED,
    DEFAULT_GOAL_PARTICIPATION,
    State,
)


def data(spec: dict) -> pd.DataFrame:
    """The data rows of a Vega-Lite spec (all its datasets)."""
    return pd.DataFrame([r for values in spec["datasets"].values() for r in values])


@pytest.fixture(scope="module")
def wb():
    return Workbench(["Hengelo", "Assen"], assumptions={"take_up": 0.7})


def test_every_chart_belongs_to_one_view():
    shown = [name for names in VIEWS.values() for name in names]
    assert sorted(shown) == sorted(CHART_CAPTIONS)
    assert list(VIEWS) == [
        "Vergelijking",
        "Tijdpad",
        "Doelgroep",
        "Ranglijst",
        "Onzekerheid",
        "Windtunnel",
    ]


def test_time_path_runs_from_the_base_year_to_the_horizon(wb):
    rows = data(wb.specs(["tijdpad"])["tijdpad"])
    assert sorted(rows["year"].unique()) == list(range(BASE_YEAR, wb.state.horizon + 1))
    assert set(rows["region"]) == {"GM0164", "GM0106"}
    assert set(rows["variable"]) == set(wb.state.variables)
    expected = run_model(["GM0164"], horizon=2020, overrides={"take_up": 0.7})
    want = expected.query("scenario == 'publiek' and variable == 'placed' and year == 2018")
    got = rows.query("region == 'GM0164' and scenario == 'publiek' and variable == 'placed'")
    assert got.query("year == 2018")["value"].iloc[0] == pytest.approx(want["value"].iloc[0])


def test_uncertainty_bands_hold_the_slider_values_and_match_the_module(wb):
    rows = data(wb.specs(["banden"])["banden"])
    assert set(rows["region"]) == {"GM0164", "GM0106"}
    assert (rows["p10"] <= rows["median"]).all() and (rows["median"] <= rows["p90"]).all()
    assert (rows["p10"] < rows["p90"]).any()
    direct = run_uncertainty(
        ["GM0164", "GM0106"],
        UNCERTAINTY_SAMPLES,
        seed=0,
        scenarios=list(wb.state.scenarios),
        indicators=list(wb.state.variables),
        ranges={"take_up": (0.7, 0.7)},
    ).summary()
    one = direct.query("indicator == 'placed' and region == 'GM0106' and scenario == 'regulier'")
    shown = rows.query("variable == 'placed' and region == 'GM0106' and scenario == 'regulier'")
    assert shown["p90"].iloc[0] == pytest.approx(one["p90"].iloc[0])


def test_drivers_follow_the_sliders_per_indicator_and_scenario():
    wb = Workbench(["Assen"])
    free = data(wb.specs(["drijvers"])["drijvers"])
    assert set(free["region"]) == {"GM0106"}
    assert set(free["variable"]) == set(wb.state.variables)
    assert set(free["scenario"]) == set(wb.state.scenarios)
    assert "take_up" in set(free["parameter"])
    assert free.groupby(["variable", "scenario"]).size().max() <= 5
    wb.set_assumption("take_up", 0.5)  # pinned by the analyst: no longer uncertain
    pinned = data(wb.specs(["drijvers"])["drijvers"])
    assert "take_up" not in set(pinned["parameter"])


def test_tradeoff_shows_every_option_in_every_scenario(wb):
    rows = data(wb.specs(["afweging"])["afweging"])
    table = wb.windtunnel()
    assert len(rows) == len(table) == table["option"].nunique() * table["scenario"].nunique()
    assert {"placed_median", "net_cost_median"} <= set(rows.columns)
    assert set(rows["scenario_name"]) == {
        "Sociaal Ondernemen",
        "Regulier",
        "Publiek-privaat",
        "Publiek",
    }


def test_ranking_labels_the_chosen_municipalities_on_their_own_lines():
    wb = Workbench(["Hengelo", "Assen", "Zutphen", "ISD Midden-Langstraat"])
    spec = wb.specs(["ranglijst"])["ranglijst"]
    labels = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(labels) == 1 and labels[0]["encoding"]["text"]["field"] == "label"
    rows = pd.DataFrame(spec["datasets"][labels[0]["data"]["name"]])
    assert len(rows) == 6  # three municipalities and the three members of the group
    assert rows["label_y"].is_unique  # one line each: no label prints over another
    assert rows["label"].str.match(r"^\d+\. ").all()
    everyone = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    assert len(spec["datasets"][everyone[0]["data"]["name"]]) > 335  # the rest (of 342) as context


def test_iamc_export_is_the_models_iamc_layout(wb, tmp_path):
    path = wb.export_csv(tmp_path, "iamc")
    assert path.name == "vergelijking_iamc_GM0164_GM0106_2020_take_up-0.7.csv"
    table = pd.read_csv(path)
    assert list(table.columns) == ["model", "scenario", "region", "variable", "unit", "2020"]
    expected = to_iamc(wb.comparison())
    expected = expected[~expected["variable"].str.contains("|", regex=False)]
    assert len(table) == len(expected)
    assert not table["variable"].str.contains("|", regex=False).any()


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_saved_settings_restore_the_same_state_and_chart_specs(tmp_path, suffix):
    wb = Workbench(["Hengelo", "Zutphen"], variables=("placed", "net_cost"), horizon=2025)
    wb.set_assumption("take_up", 0.75)
    wb.set_assumption("guidance_cost_regular", 5000)
    wb.update(goal_participation=35, ranking_variable="placed", band_region="GM0301")
    path = wb.save(tmp_path / f"werkbank{suffix}")
    other = Workbench(["Assen"])
    assert other.restore(path) == wb.state
    names = ["indicatoren", "verschil", "tijdpad", "doelgroep", "ranglijst"]
    assert other.specs(names) == wb.specs(names)


def test_a_config_file_is_small_and_readable(tmp_path):
    state = State(regions=("GM0164",), assumptions=(("take_up", 0.8),), horizon=2030)
    path = write_config(state, tmp_path / "a.yaml")
    loaded = yaml.safe_load(path.read_text())
    assert loaded == config_dict(state)
    assert loaded["assumptions"] == {"take_up": 0.8} and loaded["horizon"] == 2030
    assert read_config(path) == state


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"regions": ["Hengelo"], ', "geen geldige JSON"),
        ("[1, 2]", "verwacht een mapping"),
        ('{"regions": ["Hengelo"], "colour": "red"}', "onbekende sleutel 'colour'"),
        ('{"assumptions": {"take_up": 1.5}}', "'assumptions.take_up' = 1.5"),
        ('{"assumptions": {"take_up": "hoog"}}', "'assumptions.take_up' moet een getal"),
        ('{"assumptions": {"nonsense": 1}}', "'assumptions.nonsense' = 1"),
        ('{"horizon": 2014}', "niet 2014"),
        ('{"horizon": "2030"}', "'horizon' moet een geheel getal zijn, niet '2030'"),
        ('{"goal_participation": 140}', "niet 140,0 %"),
        ('{"regions": ["Zutfen"]}', "'regions' 'Zutfen'"),
        ('{"scenarios": []}', "Kies ten minste één scenario"),
        ('{"regions": "Hengelo"}', "'regions' moet een lijst zijn"),
    ],
)
def test_a_corrupted_or_out_of_range_config_is_refused_by_name(tmp_path, text, expected):
    path = tmp_path / "werkbank.json"
    path.write_text(text)
    wb = Workbench(["Assen"])
    before = wb.state
    with pytest.raises(WorkbenchError, match=r"werkbank\.json") as info:
        wb.restore(path)
    assert expected in str(info.value)
    assert wb.state == before  # refused: the state stays as it was


def test_a_config_needs_a_known_suffix_and_a_readable_file(tmp_path):
    with pytest.raises(WorkbenchError, match=r"eindigt op \.json, \.yaml, \.yml"):
        read_config(tmp_path / "werkbank.txt")
    with pytest.raises(WorkbenchError, match="niet te lezen"):
        read_config(tmp_path / "missing.yaml")
    (tmp_path / "broken.yaml").write_text("regions: [Hengelo\n")
    with pytest.raises(WorkbenchError, match="geen geldige YAML"):
        read_config(tmp_path / "broken.yaml")


def test_the_default_goal_is_declared_once():
    declared = load_windtunnel().default_goal
    assert declared["participation_min"].value == DEFAULT_GOAL_PARTICIPATION
    assert declared["net_cost_per_placed_max"].value == DEFAULT_GOAL_NET_COST_PER_PLACED
    assert State().goal_participation == DEFAULT_GOAL_PARTICIPATION
    assert report_goal() == {
        "participation_min": DEFAULT_GOAL_PARTICIPATION,
        "net_cost_per_placed_max": DEFAULT_GOAL_NET_COST_PER_PLACED,
    }
    assert report_goal(30)["participation_min"] == 30.0


def test_json_and_yaml_hold_the_same_settings(tmp_path):
    state = Workbench(["Hengelo"], assumptions={"take_up": 0.8}).state
    a = json.loads(write_config(state, tmp_path / "a.json").read_text())
    b = yaml.safe_load(write_config(state, tmp_path / "b.yaml").read_text())
    assert a == b


def _capture_run(monkeypatch) -> list:
    seen: list = []

    def capture(tasks, **kwargs):
        seen.extend(tasks)
        return [ReportResult(t.code, t.title, True) for t in tasks]

    monkeypatch.setattr(executors, "run_batch", capture)
    return seen


def test_socecon_run_config_makes_the_analysts_settings_the_reports(tmp_path, monkeypatch):
    seen = _capture_run(monkeypatch)
    wb = Workbench(["Hengelo", "Assen"], horizon=2025)
    wb.set_assumption("take_up", 0.8)
    wb.update(goal_participation=30, goal_net_cost_per_placed=15000)
    config = wb.save(tmp_path / "werkbank.yaml")
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    argv = ["run", "--notebook", str(nb), "--out", str(tmp_path / "out"), "--no-progress"]
    assert main([*argv, "--config", str(config)]) == 0
    assert [t.parameters["region"] for t in seen] == ["GM0164", "GM0106"]
    for task in seen:
        assert task.parameters["horizon"] == 2025
        assert task.parameters["overrides"] == {"take_up": 0.8}
        assert task.parameters["goal_participation"] == 30.0
        assert task.parameters["goal_net_cost_per_placed"] == 15000.0
    seen.clear()  # options given on the command line win
    assert (
        main([*argv, "--config", str(config), "--gemeente", "Zutphen", "--set", "take_up=0.5"]) == 0
    )
    assert [(t.parameters["region"], t.parameters["overrides"]) for t in seen] == [
        ("GM0301", {"take_up": 0.5})
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"regions": ["Hengelo"], "kleur": 1}', "onbekende sleutel 'kleur'"),
        ('{"assumptions": {"take_up": 1.7}}', "'assumptions.take_up' = 1.7"),
        ('{"regions": ["Hengelo"]', "geen geldige JSON"),
    ],
)
def test_socecon_run_refuses_a_bad_config_before_any_report(
    tmp_path, monkeypatch, capsys, text, expected
):
    seen = _capture_run(monkeypatch)
    config = tmp_path / "werkbank.json"
    config.write_text(text)
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    out = tmp_path / "out"
    argv = ["run", "--notebook", str(nb), "--out", str(out), "--config", str(config)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert expected in err and "werkbank.json" in err and "Traceback" not in err
    assert not seen and not out.exists()
