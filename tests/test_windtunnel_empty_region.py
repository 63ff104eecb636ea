"""A region without a target group: one declared status and verdict, "geen doelgroep", everywhere.

Where CBS counts no one in the target group (Rozendaal), participation is undefined in every
computed future: there is nothing for a policy option to reach. The criteria
(:mod:`socecon.analysis.criteria`) then give every cell the status ``no_target_group`` and every
option the verdict ``no_target_group`` (declared in ``windtunnel.yaml``), so the matrix chart,
the verdict table, the summaries, scenario discovery and the workbench say the same thing
without a special case of their own. An option that places no one where there *is* a target
group is judged (it fails): that is not the same situation.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from socecon.analysis import criteria, windtunnel
from socecon.model import run_model
from socecon.present.windtunnel_chart import windtunnel_chart
from socecon.report import policy
from socecon.report.policy import summary_nl
from socecon.report.summary import summary_html
from socecon.workbench.controller import Workbench

ROZENDAAL = "GM0277"  # CBS rounds its bijstand, Wsw and Wajong counts to 0
GOAL = criteria.Goal(participation_min=20, net_cost_per_placed_max=20000)
REPORT_GOAL = {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}
NO_GROUP = criteria.CELL_STATUS["no_target_group"]
#: Every word that would judge an option (a verdict or a cell status other than "geen doelgroep").
JUDGING = [
    label
    for labels in (criteria.VERDICTS, criteria.CELL_STATUS)
    for key, label in labels.items()
    if key != "no_target_group"
]


def _judged(participation, placed, net_cost, goal=GOAL):
    """Judge constructed arrays ``(O, K, S)`` as the wind tunnel does."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per_placed = np.where(placed > 0, net_cost / placed, np.nan)
    met = criteria.goal_met(participation, per_placed, net_cost, goal)
    j = criteria.judge(
        met,
        criteria.regret(participation),
        empty=criteria.no_target_group(participation),
    )
    classes = criteria.classify(j.status, criteria.dominated_by(placed, net_cost).any(axis=1))
    return j, classes


def test_the_declared_status_and_verdict_exist_in_plain_dutch():
    assert criteria.CELL_STATUS["no_target_group"] == "geen doelgroep"
    assert criteria.VERDICTS["no_target_group"] == "geen doelgroep"


def test_all_nan_performance_gets_the_declared_status_and_verdict_never_a_judgement():
    o, k, s = 3, 4, 200
    participation = np.full((o, k, s), np.nan)  # no one in the target group, in any sample
    placed = np.zeros((o, k, s))
    # the options cost different amounts: without a target group that makes none "dominated"
    net_cost = np.arange(o, dtype=float)[:, None, None] * np.ones((o, k, s))
    j, classes = _judged(participation, placed, net_cost)
    assert (j.status == "no_target_group").all()
    assert classes == ["no_target_group"] * o
    assert not (j.goal_open | j.regret_open).any()
    result = SimpleNamespace(judgement=j, classes=classes)
    assert not criteria.worth_second_look(result)  # more samples cannot judge it either
    # the same without any goal, and with regret on a cost (defined there): still nothing to judge
    empty_goal = _judged(participation, placed, net_cost, criteria.Goal())
    assert empty_goal[1] == ["no_target_group"] * o


def test_cells_without_a_target_group_are_left_out_of_a_judged_verdict():
    rng = np.random.default_rng(3)
    world = 40 + rng.uniform(-1, 1, size=(4, 400))  # meets 20 % everywhere
    participation = np.stack([world, world - 1])  # option 1 a little behind, within tolerance
    participation[:, 3] = np.nan  # no target group in the last scenario only
    placed = np.nan_to_num(participation) * 10
    net_cost = np.ones_like(placed)
    j, classes = _judged(participation, placed, net_cost, criteria.Goal(participation_min=20))
    assert (j.status[:, 3] == "no_target_group").all()
    assert (j.status[:, :3] == "holds").all()
    assert classes == ["robust", "dominated"]  # option 0 places more at the same cost


def test_placing_no_one_with_a_target_group_is_a_failure_not_an_undefined_goal():
    # participation 0 % is defined; net cost per placed (NaN: no one placed) meets no limit
    participation = np.zeros((2, 4, 300))
    placed = np.zeros((2, 4, 300))
    net_cost = np.ones((2, 4, 300))
    j, classes = _judged(participation, placed, net_cost)
    assert (j.status == "goal_not_met").all()
    assert classes[0] == "fragile" and classes[1] == "fragile"
    cost_only = criteria.Goal(net_cost_per_placed_max=1e9)
    j, classes = _judged(participation, placed, net_cost, cost_only)
    assert (j.status == "goal_not_met").all() and "no_target_group" not in classes


@pytest.fixture(scope="module")
def rozendaal() -> pd.DataFrame:
    return policy.windtunnel_table(ROZENDAAL, REPORT_GOAL, n_samples=200, seed=1)


@pytest.fixture(scope="module")
def zutphen() -> pd.DataFrame:
    return policy.windtunnel_table("GM0301", REPORT_GOAL, n_samples=200, seed=1)


def test_a_region_without_a_target_group_runs_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (All-NaN slice, invalid value) fails
        result = windtunnel.evaluate(ROZENDAAL, goal=GOAL, n_samples=200, seed=1)
        table = result.table()
        text = summary_nl(table)
        both = windtunnel.evaluate_many([ROZENDAAL, "GM0301"], goal=GOAL, n_samples=200, seed=1)
        tables = [r.table() for r in both]
    # Nobody is placed in any sample: participation and regret are NaN, not zero or made up.
    assert np.isnan(result.participation).all()
    assert table["participation_median"].isna().all()
    assert table["regret_median"].isna().all() and table["max_regret"].isna().all()
    assert text
    # Sharing a batch with Rozendaal changes nothing for Zutphen.
    alone = windtunnel.evaluate("GM0301", goal=GOAL, n_samples=200, seed=1).table()
    assert tables[1]["class"].tolist() == alone["class"].tolist()
    assert np.allclose(
        tables[1]["participation_median"], alone["participation_median"], equal_nan=True
    )


def test_rozendaals_table_says_geen_doelgroep_in_every_cell_and_finds_no_failures(rozendaal):
    assert (rozendaal["status"] == "no_target_group").all()
    assert (rozendaal["status_name"] == NO_GROUP).all()
    assert (rozendaal["class_name"] == NO_GROUP).all()
    assert not rozendaal["holds"].any()
    # nothing fails, nothing dominates, so nothing for scenario discovery to explain
    assert (rozendaal["breaks_in"] == "").all() and (rozendaal["dominated_by"] == "").all()
    assert rozendaal["fail_share"].isna().all()
    assert (rozendaal["breaks_when"] == ()).all()


def test_rozendaals_matrix_chart_labels_every_cell_geen_doelgroep(rozendaal):
    spec = windtunnel_chart(rozendaal).to_dict()
    (values,) = spec["datasets"].values()
    assert {v["status_name"] for v in values} == {NO_GROUP}
    assert all(v["row"].endswith(f" — {NO_GROUP}") for v in values)
    text = json.dumps(spec, ensure_ascii=False)
    # the legend names only what the chart shows, in the declared colour
    domains = re.findall(r'"domain": \[([^\]]*)\]', text)
    assert domains and all(d == f'"{NO_GROUP}"' for d in domains)
    assert "doel niet gehaald" not in text and "houdt stand" not in text.replace("stand houdt", "")


def test_the_wind_tunnel_section_and_summary_judge_no_option_for_rozendaal(rozendaal):
    names = set(rozendaal["option_name"])
    section = html.unescape(str(policy.windtunnel_summary(rozendaal).data))
    text = summary_nl(rozendaal)
    assert "Geen doelgroep: het CBS telt in Rozendaal niemand in de doelgroep" in text
    assert "geen van de 10 beleidsopties beoordelen" in section
    for shown in (section, text.splitlines()[1]):
        assert not [n for n in names if n in shown]  # no option listed as holding or failing
        assert not [w for w in JUDGING if w in shown.lower()]
    assert "<table" not in section  # nothing judged: no table of verdicts
    assert "Zonder doelgroep" in policy.drivers_nl(rozendaal)
    for option in rozendaal["option"].unique():
        assert policy.reason_nl(rozendaal, option).startswith("niet te beoordelen")
        assert policy.breaks_when_nl(rozendaal, option) == ""


def test_the_report_summary_lists_no_option_for_rozendaal(rozendaal):
    frame = run_model(ROZENDAAL, horizon=2030)
    text = html.unescape(str(summary_html(frame, ROZENDAAL, rozendaal).data))
    assert "Het CBS telt hier geen doelgroep" in text
    assert not [n for n in set(rozendaal["option_name"]) if n in text]
    assert " stand" not in text and not [w for w in JUDGING if w in text.lower()]


def test_the_workbench_wind_tunnel_tab_agrees_for_rozendaal():
    workbench = Workbench(["Rozendaal"])
    table = workbench.windtunnel()
    assert (table["class"] == "no_target_group").all()
    summary = workbench.windtunnel_summary()
    assert "Geen doelgroep: het CBS telt in Rozendaal niemand in de doelgroep" in summary
    assert "Waar het misgaat" not in summary and "kwetsbaar" not in summary.lower()
    spec = workbench.specs(["windtunnel"])["windtunnel"]
    rows = [r for values in spec["datasets"].values() for r in values]
    assert rows and {r["status_name"] for r in rows} == {NO_GROUP}


def test_an_option_without_a_target_group_beside_judged_ones_is_named_apart(zutphen):
    # a constructed mix (the criteria allow it; the model gives it no region): one option has
    # no target group in any scenario, the others keep their verdicts
    mixed = zutphen.copy()
    options = mixed.drop_duplicates("option")
    chosen = options[~options["option_name"].isin(set(mixed["dominated_by"]))].iloc[-1]
    name = chosen["option_name"]
    mine = mixed["option"] == chosen["option"]
    mixed.loc[mine, ["status", "class"]] = "no_target_group"
    mixed.loc[mine, ["status_name", "class_name"]] = NO_GROUP
    mixed.loc[mine, ["holds"]] = False
    mixed.loc[mine, ["max_regret"]] = np.nan
    text = summary_nl(mixed)
    assert f"Geen doelgroep, dus niet te beoordelen: '{name}'." in text
    assert f"'{name}'" not in text.replace(f"niet te beoordelen: '{name}'", "")
    section = html.unescape(str(policy.windtunnel_summary(mixed).data))
    assert "<table" in section and "<em>Geen doelgroep</em>" in section
    assert "Geen doelgroep</strong> (niet te beoordelen" in section
    plain = html.unescape(str(policy.windtunnel_summary(zutphen).data))
    assert "Geen doelgroep" not in plain and "geen doelgroep" not in plain
