"""The wind tunnel: arithmetic by hand, declarations, properties, refused input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from socecon.analysis import criteria
from socecon.analysis import windtunnel as w
from socecon.definitions.effects import load_measure_effects
from socecon.definitions.options import load_options
from socecon.definitions.units import unit
from socecon.exceptions import DefinitionError, SocEconError
from socecon.regions import participating_codes
from socecon.report.policy import describe_goal, summary_nl

PARTICIPATING = [*participating_codes(), "isd_midden_langstraat"]
NAN = np.nan


# --- arithmetic on a small case computed by hand ------------------------------------------------
# Three options (A, B, C) x two scenarios x two samples.
PARTICIPATION = np.array(
    [
        [[30, 20], [10, 40]],  # A
        [[25, 25], [15, 35]],  # B
        [[20, 10], [12, 38]],  # C
    ],
    dtype=float,
)
PER_PLACED = np.array(
    [
        [[9000, 11000], [8000, 8000]],
        [[9000, 9000], [9000, 9000]],
        [[5000, 5000], [NAN, 5000]],  # nobody placed in scenario 2, sample 1
    ]
)


def test_regret_by_hand():
    # Best per scenario and sample: scenario 1 (30, 25), scenario 2 (15, 40).
    expected = [
        [[0, 5], [5, 0]],
        [[5, 0], [0, 5]],
        [[10, 15], [3, 2]],
    ]
    assert np.array_equal(criteria.regret(PARTICIPATION), expected)
    # Lower is better (costs): regret against the cheapest; NaN counts as worst.
    cost = np.array([[[3.0]], [[1.0]], [[2.0]]])
    assert criteria.regret(cost, higher_is_better=False).ravel().tolist() == [2.0, 0.0, 1.0]
    assert np.isnan(criteria.regret(np.array([[[1.0]], [[NAN]]])).ravel()[1])


def test_satisficing_by_hand():
    goal = criteria.Goal(participation_min=20, net_cost_per_placed_max=10000)
    met = criteria.goal_met(PARTICIPATION, PER_PLACED, np.zeros_like(PER_PLACED), goal)
    expected = [
        [[True, False], [False, True]],  # A: 11,000 too costly; 10 % too low
        [[True, True], [False, True]],  # B: 15 % too low
        [[True, False], [False, True]],  # C: 20 % meets >= 20; NaN never meets
    ]
    assert met.tolist() == expected
    share = met.mean(axis=2)
    assert share.tolist() == [[0.5, 0.5], [1.0, 0.5], [0.5, 0.5]]
    no_dominance = np.zeros(3, dtype=bool)
    assert criteria.classify(share, no_dominance, confidence=0.75) == [
        "fragile",
        "scenario_dependent",
        "fragile",
    ]
    assert criteria.classify(share, no_dominance, confidence=0.5) == ["robust"] * 3
    # A net cost cap in EUR/year: 500,000 a year everywhere misses a cap of 400,000.
    capped = criteria.goal_met(
        PARTICIPATION, PER_PLACED, np.full((3, 2, 2), 5e5), criteria.Goal(net_cost_max=4e5)
    )
    assert not capped.any()


def test_dominance_by_hand():
    placed = np.array([[[10.0, 12.0]], [[10.0, 12.0]], [[11.0, 12.0]], [[9.0, 20.0]]])
    cost = np.array([[[100.0, 100.0]], [[120.0, 100.0]], [[100.0, 100.0]], [[50.0, 50.0]]])
    d = criteria.dominated_by(placed, cost)
    # Option 0 is dominated by 2 (more placed, same cost); 1 by 0 and 2 (same/more, dearer);
    # 3 places fewer in sample 1 but is cheaper: nobody dominates it, and it dominates nobody.
    assert d.tolist() == [
        [False, False, True, False],
        [True, False, True, False],
        [False, False, False, False],
        [False, False, False, False],
    ]
    share = np.ones((4, 1))
    assert criteria.classify(share, d.any(axis=1)) == ["dominated", "dominated", "robust", "robust"]


# --- the goal, options and measures --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"participation_min": 120}, ["participation_min", "120", "between 0 and 100"]),
        ({"participation_min": -1}, ["participation_min", "-1"]),
        ({"net_cost_per_placed_max": -5000}, ["net_cost_per_placed_max", "-5000"]),
        ({"net_cost_max": -1.0}, ["net_cost_max", "-1.0"]),
        ({"net_cost_max": float("nan")}, ["net_cost_max", "nan"]),
        ({"participation_min": "veel"}, ["participation_min", "'veel'"]),
    ],
)
def test_invalid_goals_are_refused(kwargs, words):
    with pytest.raises(w.WindTunnelError) as info:
        criteria.Goal(**kwargs)
    assert isinstance(info.value, SocEconError)
    for word in words:
        assert word in str(info.value)


def test_goal_in_dutch():
    goal = criteria.Goal(participation_min=25, net_cost_per_placed_max=15000)
    assert describe_goal(goal) == "deelname ≥ 25,0 % en netto kosten ≤ € 15.000 per geplaatste"
    assert describe_goal(criteria.Goal()) == "geen doel gesteld"


def test_unknown_measures_options_and_empty_sets_are_refused():
    with pytest.raises(w.WindTunnelError, match=r"unknown measure 'quotum'.*did you mean quota"):
        w.resolve_options([w.Option("eigen", "Eigen optie", ("quotum",))])
    with pytest.raises(w.WindTunnelError, match=r"Unknown policy option 'werkbedrijff'"):
        w.resolve_options(["huidig_beleid", "werkbedrijff"])
    with pytest.raises(w.WindTunnelError, match="option set is empty"):
        w.evaluate("GM0301", options=[])
    with pytest.raises(w.WindTunnelError, match="'leeg': no measures"):
        w.resolve_options([w.Option("leeg", "Leeg", ())])
    with pytest.raises(w.WindTunnelError, match="Unknown scenario 'baseline'"):
        w.evaluate("GM0301", scenarios=["baseline"])
    with pytest.raises(w.WindTunnelError, match="Unknown goal criterion 'budget'"):
        w.evaluate("GM0301", goal={"budget": 5})


def test_declarations_cover_every_measure_and_the_reference():
    effects = load_measure_effects()
    from socecon.definitions import load_definitions

    assert list(effects) == [m.id for m in load_definitions().measures]
    options = load_options()
    assert 8 <= len(options) <= 12
    assert [o.id for o in options if o.reference] == ["huidig_beleid"]
    for me in effects.values():
        for e in me.effects:
            assert e.source and e.reliability in ("C", "C2", "D", "U", "S")
            assert "baseline" not in e.scenarios


def test_broken_effects_file_lists_every_problem(tmp_path):
    path = tmp_path / "measure_effects.yaml"
    path.write_text(
        """
measure_effects:
  - measure: quotum
    effects: []
    cost: {value: 1, low: 0, high: 2, source: assumed, reliability: U}
  - measure: quota
    effects:
      - {assumption: take_upp, operation: add, value: 0.1, low: 0, high: 0.2, unit: share,
         scenarios: [regulier], source: assumed, reliability: U}
      - {assumption: take_up, operation: multiply, value: 1.1, low: 1, high: 1.2, unit: share,
         scenarios: [regulier, atlantis], source: assumed, reliability: X}
    cost: {value: -1, low: -2, high: 0, source: assumed, reliability: U}
""",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as info:
        load_measure_effects(path)
    text = str(info.value)
    for needle in [
        "unknown measure 'quotum'",
        "'take_upp': not a scalar assumption; did you mean take_up",
        "unit must be 'factor' for multiply",
        "unknown scenario 'atlantis'",
        "reliability must be one of",
        "need 0 <= low <= value <= high",
        "measure 'advice': no effects declared",
    ]:
        assert needle in text, needle


def test_broken_options_file_lists_every_problem(tmp_path):
    path = tmp_path / "options.yaml"
    path.write_text(
        """
options:
  - {id: a, name: A, description: x, reference: true, measures: []}
  - {id: b, name: B, description: x, reference: true, measures: [quota]}
  - {id: c, name: C, description: x, measures: [quota, quota, werkbedrijven]}
  - {id: c, name: D, measures: []}
""",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as info:
        load_options(path)
    text = str(info.value)
    for needle in [
        "option 'b': the reference option must have no measures",
        "option 'c': unknown measure 'werkbedrijven'",
        "listed twice: quota",
        "option 'c': missing field(s) description",
        "exactly one option needs reference: true",
    ]:
        assert needle in text, needle


# --- properties of the evaluation ----------------------------------------------------------------


@pytest.fixture(scope="module")
def zutphen():
    return w.evaluate("GM0301", n_samples=60, seed=3)


def test_seeded_wind_tunnel_reproduces_bit_for_bit(zutphen):
    again = w.evaluate("GM0301", n_samples=60, seed=3)
    for name in ("participation", "placed", "net_cost", "programme_cost"):
        assert np.array_equal(getattr(zutphen, name), getattr(again, name)), name


def test_a_measure_with_zero_effect_has_zero_effect():
    effects = dict(load_measure_effects())
    me = effects["social_procurement"]
    neutral = tuple(
        dataclasses.replace(e, value=n, low=n, high=n)
        for e in me.effects
        for n in [1.0 if e.operation == "multiply" else 0.0]
    )
    cost = dataclasses.replace(me.cost, value=0.0, low=0.0, high=0.0)
    effects["social_procurement"] = dataclasses.replace(me, effects=neutral, cost=cost)
    zero = w.Option("nul", "Nul", ("social_procurement",))
    res = w.evaluate("GM0301", ["huidig_beleid", zero], n_samples=40, seed=1, effects=effects)
    for name in ("placed", "net_cost", "participation"):
        arr = getattr(res, name)
        assert np.array_equal(arr[0], arr[1]), name


def test_measures_act_only_in_their_scenarios(zutphen):
    names = [o.id for o in zutphen.options]
    ref, quota = names.index("huidig_beleid"), names.index("quotum_invullen")
    k_pub = zutphen.scenarios.index("publiek")
    k_reg = zutphen.scenarios.index("regulier")
    # Quota help and employer consultants act in Regulier (and Publiek-privaat), not in Publiek.
    assert np.array_equal(zutphen.placed[quota, k_pub], zutphen.placed[ref, k_pub])
    assert np.all(zutphen.placed[quota, k_reg] >= zutphen.placed[ref, k_reg])
    assert zutphen.placed[quota, k_reg].mean() > zutphen.placed[ref, k_reg].mean()
    # ... but its programme cost is paid everywhere.
    assert np.all(zutphen.net_cost[quota, k_pub] > zutphen.net_cost[ref, k_pub])


def test_dominated_option_is_never_robust(zutphen):
    names = [o.id for o in zutphen.options]
    lks = names.index("alleen_loonkostensubsidie")
    for goal in (
        criteria.Goal(),
        criteria.Goal(participation_min=10),
        criteria.Goal(net_cost_per_placed_max=30000),
    ):
        res = dataclasses.replace(zutphen, goal=goal)
        assert res.dominance[lks, names.index("huidig_beleid")]
        classes = res.classes
        assert classes[lks] == "dominated"
        # Whatever the goal, no dominated option is robust.
        dominated = res.dominance.any(axis=1)
        assert not any(c == "robust" for c, d in zip(classes, dominated, strict=True) if d)
    # With no goal and no regret test every non-dominated option is robust (nothing to miss).
    free = dataclasses.replace(zutphen, goal=criteria.Goal(), regret_tolerance=None)
    assert set(free.classes) <= {"robust", "dominated"}
    # With the regret test, an option far behind the best in some world is not robust there.
    strict = dataclasses.replace(zutphen, goal=criteria.Goal(), regret_tolerance=0.5)
    near = np.nanmedian(strict.regret, axis=2) <= 0.5  # (options, scenarios)
    for cls, ok, dom in zip(strict.classes, near, strict.dominance.any(axis=1), strict=True):
        want = "robust" if ok.all() else "scenario_dependent" if ok.any() else "fragile"
        assert cls == ("dominated" if dom else want)


def test_no_regret_tolerance_by_hand():
    share = np.ones((3, 2))  # every option meets the goal everywhere
    regret_median = np.array([[0.0, 0.0], [6.0, 0.0], [2.0, 4.0]])
    none = np.zeros(3, dtype=bool)
    assert criteria.classify(share, none, 0.5, regret_median, 5.0) == [
        "robust",
        "scenario_dependent",  # 6 pp behind the best in the first scenario
        "robust",
    ]
    assert criteria.classify(share, none, 0.5, regret_median, 1.0) == [
        "robust",
        "scenario_dependent",
        "fragile",  # 2 and 4 pp behind: holds nowhere
    ]
    # A dominated option is never robust, even where it would hold everywhere.
    assert criteria.classify(share, np.array([True, False, False]), 0.5, regret_median, 5.0)[0] == (
        "dominated"
    )
    held = criteria.holds_in(share, 0.5, regret_median, 5.0)
    assert held.tolist() == [[True, True], [False, True], [True, True]]


def test_objectives_measure_regret_in_declared_units():
    """The report shows an objective's unit by its label in ``units.yaml``."""
    labels = {name: unit(unit_id).label for name, (_, unit_id, _) in criteria.OBJECTIVES.items()}
    assert labels["participation_rate"] == "procentpunt"
    assert labels["net_cost"] == "€ per jaar"


def test_participating_municipalities_get_a_readable_classification():
    goal = criteria.Goal(participation_min=20, net_cost_per_placed_max=20000)
    for region in PARTICIPATING:
        table = w.matrix(region, goal=goal, n_samples=40, seed=1)
        assert len(table) == len(w.load_options()) * 4
        assert table["class"].isin(list(criteria.CLASSES)).all()
        assert set(table["class_name"]) <= set(criteria.CLASSES.values())
        ok = table.dropna(subset=["participation_p10"])
        assert (ok.participation_p10 <= ok.participation_median + 1e-9).all()
        assert (ok.participation_median <= ok.participation_p90 + 1e-9).all()
        assert (table.regret_median >= 0).all()
        text = summary_nl(table)
        assert table.region_name.iloc[0] in text and "deelname ≥ 20,0 %" in text
        assert (
            "'Alleen extra inzet op loonkostensubsidie' (door 'Doe niets / huidig beleid')" in text
        )
        broken = table[table["class"] == "scenario_dependent"]
        for breaks in broken.breaks_in:
            assert breaks and all(
                s in {"Sociaal Ondernemen", "Regulier", "Publiek-privaat", "Publiek"}
                for s in breaks.split(", ")
            )


def test_command_line(capsys):
    from socecon.cli import main

    assert main(["windtunnel", "Gilze en Rijen", "--samples", "20", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "Windtunnel voor Gilze en Rijen (GM0784)" in out and "klasse" in out
    assert main(["windtunnel", "GM0784", "--goal-net-cost-per-placed", "-10"]) == 1
    err = capsys.readouterr().err
    assert "net_cost_per_placed_max = -10.0" in err and "Traceback" not in err
    assert main(["windtunnel", "GM0784", "--seed", "-1"]) == 1
    assert "seed = -1 must be a non-negative whole number" in capsys.readouterr().err
    assert main(["windtunnel", "GM0784", "--regret-tolerance", "-2"]) == 1
    assert "regret_tolerance = -2.0" in capsys.readouterr().err
