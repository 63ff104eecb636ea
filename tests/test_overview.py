"""The overview notebook through papermill, and the pieces it is built from."""

from __future__ import annotations

import json

import papermill
import pytest

from socecon.analysis.peers import peer_distances
from socecon.definitions import load_definitions
from socecon.definitions.hindcast import load_hindcast
from socecon.report import overview


@pytest.fixture(scope="module")
def frame():
    return overview.all_municipalities(2020)


def test_hindcast_declares_every_scenario_once_with_sources():
    hindcast = load_hindcast()
    ids = [s.id for s in hindcast.scenarios]
    assert sorted(ids) == sorted(s.id for s in load_definitions().future_scenarios)
    closest = [s.id for s in hindcast.scenarios if s.match == "closest"]
    assert closest == ["regulier"]  # domain README section 2: the verdict
    for item in hindcast.scenarios:
        assert item.evidence
        for e in item.evidence:
            assert e.source and e.reliability in ("C", "C2", "D", "U")
    table = overview.hindcast_table()
    assert (
        table.index[0] == "Regulier" and table.loc["Publiek", "oordeel"] == "Het minst uitgekomen"
    )


def test_anchors_compare_the_national_model_with_observed_figures(frame):
    anchors = overview.hindcast_anchors(frame)
    row = anchors.loc["Extra banen banenafspraak (boven de nulmeting)"]
    assert row["waargenomen"] == "61.615" and row["scenario"] == "Regulier"
    national = frame[
        (frame["region"] == "NL01")
        & (frame["scenario"] == "regulier")
        & (frame["variable"] == "banenafspraak_jobs")
    ]["value"].iloc[0]
    assert row["model"] == f"{national:,.0f}".replace(",", ".")


def test_peers_are_the_nearest_by_the_declared_rule(frame):
    table = overview.peers(frame, "placed", "regulier", ["GM0164"], n=5)
    assert table["is_zelf"].sum() == 1 and len(table) == 6
    others = table[~table["is_zelf"]]
    assert "GM0164" not in set(others["code"])
    distances = peer_distances("GM0164")
    assert list(others["code"]) == list(distances.index[:5])
    summary = overview.peer_summary(table, "placed")
    assert summary.loc["Hengelo", "plaats"].endswith("van 6")


def test_indicator_table_is_dutch_and_complete(frame):
    table = overview.indicator_table(frame, "net_cost_per_placed")
    assert table.index[0] == "Nederland" and len(table) == 343  # + the 342 municipalities of 2025
    assert table.columns[0] == "Basisjaar"
    assert all("," not in v for v in table["Regulier"])  # whole euros, thousands with a dot
    assert any("." in v for v in table["Regulier"])


@pytest.mark.slow
def test_overview_notebook_runs_through_papermill(repo_root, tmp_path):
    out = tmp_path / "overview.ipynb"
    papermill.execute_notebook(
        str(repo_root / "notebooks" / "overview.ipynb"),
        str(out),
        parameters={"horizon": 2020, "variable": "placed", "scenario": "publiek"},
        cwd=str(tmp_path),
        progress_bar=False,
        execution_timeout=300,
    )
    nb = json.loads(out.read_text())
    text = json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)
    assert "Kwam het dichtst bij" in text and "Regulier" in text
    assert "Geplaatste personen" in text and "Deelnemende gemeenten" in text
    assert "Gilze en Rijen" in text and "61.615" in text
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []
