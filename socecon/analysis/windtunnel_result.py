"""One region's wind-tunnel result: every option in every scenario, judged and tabulated.

:func:`socecon.analysis.windtunnel.evaluate` computes it; :class:`WindTunnelResult` holds the
arrays and derives the criteria (:mod:`~socecon.analysis.criteria`), the verdicts and the tidy
option x scenario table with where each option breaks (:mod:`~socecon.analysis.discovery`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from socecon.analysis import discovery, quantiles
from socecon.analysis.criteria import (
    CELL_STATUS,
    OBJECTIVES,
    VERDICTS,
    Goal,
    Judgement,
    classify,
    dominated_by,
    goal_met,
    judge,
    no_target_group,
    regret,
)
from socecon.analysis.quantiles import median, nanquantile
from socecon.analysis.uncertainty import SampleSet
from socecon.definitions import load_definitions
from socecon.definitions.options import Option
from socecon.regions import region_name


@dataclass(frozen=True)
class WindTunnelResult:
    """Every option in every scenario over the uncertainty samples, for one region.

    Arrays have shape ``(O, K, S)`` (options, scenarios, samples) unless noted.

    Attributes
    ----------
    region : str
    options : tuple of Option
    scenarios : tuple of str
    goal : Goal
    objective : str
    threshold : float
        Share of samples needed to count the goal as met in a scenario.
    regret_percentile : float
        Percentile (0-1] at which regret is judged.
    level : float
        Joint confidence of a firm verdict, over all looks at the samples.
    regret_tolerance : float or None
        Largest median regret (in the objective's unit) that still counts as "no regret".
    participation, placed, net_cost, net_cost_per_placed : numpy.ndarray
        Net cost includes the programme cost.
    programme_cost : numpy.ndarray
        Shape ``(O, S)``, EUR/year.
    samples : SampleSet
    horizon : int
    looks : int
        How often the verdicts may be looked at (2 with a second look); each look gets an equal
        part of ``1 - level`` (Bonferroni).
    """

    region: str
    options: tuple[Option, ...]
    scenarios: tuple[str, ...]
    goal: Goal
    objective: str
    threshold: float
    regret_percentile: float
    level: float
    regret_tolerance: float | None
    participation: np.ndarray
    placed: np.ndarray
    net_cost: np.ndarray
    net_cost_per_placed: np.ndarray
    programme_cost: np.ndarray
    samples: SampleSet
    horizon: int
    looks: int = 1

    @property
    def performance(self) -> np.ndarray:
        """The objective per option, scenario and sample."""
        return getattr(
            self, "participation" if self.objective == "participation_rate" else self.objective
        )

    @cached_property  # once per result: the judgement, the table and discovery share it
    def regret(self) -> np.ndarray:
        """Regret on the objective, ``(O, K, S)`` (read-only)."""
        return _read_only(regret(self.performance, OBJECTIVES[self.objective][2]))

    @cached_property  # once per result: the judgement, the table and discovery share it
    def met(self) -> np.ndarray:
        """Whether the goal is met, ``(O, K, S)`` (read-only)."""
        return _read_only(
            goal_met(self.participation, self.net_cost_per_placed, self.net_cost, self.goal)
        )

    @property
    def met_share(self) -> np.ndarray:
        """Share of samples meeting the goal, ``(O, K)``."""
        return self.met.mean(axis=2)

    @cached_property  # computed once per result: the second-look test and table() share it
    def dominance(self) -> np.ndarray:
        """``D[i, j]``: option ``j`` dominates option ``i`` (placed persons vs net cost)."""
        return dominated_by(self.placed, self.net_cost)

    @property
    def judgement(self) -> Judgement:
        """The criteria per option and scenario, with their intervals and cell status."""
        return self._judged[0]

    @property
    def median_regret(self) -> np.ndarray:
        """The median regret per option and scenario, ``(O, K)``, NaN left out."""
        return self._judged[1]

    @cached_property  # computed once per result: the second-look test and table() share it
    def _judged(self) -> tuple[Judgement, np.ndarray]:
        """The judgement and the median regret, both read from the regret sorted once.

        The sorted copy is not kept: a batch holds many results.
        """
        ordered = quantiles.sort(self.regret)
        judgement = judge(
            self.met,
            ordered,
            self.threshold,
            self.regret_percentile,
            self.regret_tolerance,
            1 - (1 - self.level) / self.looks,
            empty=no_target_group(self.participation),  # cells without a target group
            ordered=True,
        )
        return judgement, quantiles.nanmedian(ordered, ordered=True)

    @property
    def classes(self) -> list[str]:
        """Verdict id per option (a key of :data:`~socecon.analysis.criteria.VERDICTS`)."""
        return classify(self.judgement.status, self.dominance.any(axis=1))

    def goal_part_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """Share of samples meeting each part of the goal: participation, and the cost limits.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Shape ``(O, K)`` each; NaN where the goal has no such part.
        """
        g = self.goal
        parts = (
            Goal(participation_min=g.participation_min),
            Goal(net_cost_per_placed_max=g.net_cost_per_placed_max, net_cost_max=g.net_cost_max),
        )
        out = []
        for part in parts:
            if part == Goal():
                out.append(np.full(self.participation.shape[:2], np.nan))
            else:
                args = (self.participation, self.net_cost_per_placed, self.net_cost, part)
                out.append(goal_met(*args).mean(axis=2))
        return out[0], out[1]

    def table(self) -> pd.DataFrame:
        """Return the tidy option x scenario matrix with the verdicts.

        Returns
        -------
        pandas.DataFrame
            One row per option and scenario: ids and Dutch names, P10/median/P90 of participation
            and net cost per placed, medians of placed and net cost, the programme cost, the
            goal share and its interval (``goal_share_low``/``_high``), regret at the percentile
            and its interval (``regret_at``/``_low``/``_high``), the median regret, the cell
            status (``status``, ``status_name``), and per option the verdict (``class``,
            ``class_name``), the scenarios where it firmly breaks (``breaks_in``) or is
            undecided (``undecided_in``), the option that dominates it, its largest regret at
            the percentile and overall goal share. ``attrs`` holds the goal, objective,
            threshold, percentile, tolerance, level and samples. Where it breaks and its
            drivers: the columns of :func:`socecon.analysis.discovery.option_table`.
        """
        defs = load_definitions()
        names = {s.id: s.name for s in defs.scenarios}
        dom = self.dominance
        j = self.judgement
        classes = classify(j.status, dom.any(axis=1))
        parts = self.goal_part_shares()
        name = region_name(self.region)
        # The median participation over all futures, of the options that dominate another.
        dominating = np.flatnonzero(dom.any(axis=0))
        overall = np.full(len(self.options), np.nan)
        if dominating.size:
            pooled = self.participation[dominating].reshape(len(dominating), -1)
            overall[dominating] = nanquantile(pooled, 0.5)
        max_regret = nanquantile(j.regret, 1.0)  # per option, over the scenarios
        q = {
            "participation": nanquantile(self.participation),
            "net_cost_per_placed": nanquantile(self.net_cost_per_placed),
            "placed": median(self.placed),
            "net_cost": median(self.net_cost),
            "programme": median(self.programme_cost),
        }
        status = j.status.tolist()  # (O, K) lists of str
        scenario_names = [names[s] for s in self.scenarios]
        by = [""] * len(self.options)  # the option that dominates each dominated one
        for o in range(len(self.options)):
            winners = np.flatnonzero(dom[o])
            if winners.size and classes[o] == "dominated":  # not for "geen doelgroep"
                by[o] = self.options[winners[np.argmax(overall[winners])]].name
        # One row per option and scenario, option by option: (O, K) arrays are read row by row
        # (``cells``), what holds per option is repeated for each scenario (``each``).
        n_scen = len(self.scenarios)

        def cells(a: np.ndarray) -> np.ndarray:
            return np.asarray(a).reshape(-1)

        def each(values: Any) -> Any:
            if isinstance(values, np.ndarray):
                return np.repeat(values, n_scen)
            return [v for v in values for _ in range(n_scen)]

        def scenarios_where(row: list[str], states: tuple[str, ...]) -> str:
            return ", ".join(n for n, st in zip(scenario_names, row, strict=True) if st in states)

        flat = [st for row in status for st in row]
        columns = {
            "region": [self.region] * len(flat),
            "region_name": [name] * len(flat),
            "option": each([option.id for option in self.options]),
            "option_name": each([option.name for option in self.options]),
            "scenario": list(self.scenarios) * len(self.options),
            "scenario_name": scenario_names * len(self.options),
            "participation_p10": cells(q["participation"][0]),
            "participation_median": cells(q["participation"][1]),
            "participation_p90": cells(q["participation"][2]),
            "placed_median": cells(q["placed"]),
            "net_cost_median": cells(q["net_cost"]),
            "net_cost_per_placed_p10": cells(q["net_cost_per_placed"][0]),
            "net_cost_per_placed_median": cells(q["net_cost_per_placed"][1]),
            "net_cost_per_placed_p90": cells(q["net_cost_per_placed"][2]),
            "programme_cost_median": each(q["programme"]),
            "goal_share": cells(j.share),
            "goal_share_participation": cells(parts[0]),
            "goal_share_cost": cells(parts[1]),
            "goal_share_low": cells(j.share_low),
            "goal_share_high": cells(j.share_high),
            "goal_state": cells(j.goal_state).astype(np.int64),
            "regret_median": cells(self.median_regret),
            "regret_at": cells(j.regret),
            "regret_low": cells(j.regret_low),
            "regret_high": cells(j.regret_high),
            "regret_state": cells(j.regret_state).astype(np.int64),
            "status": flat,
            "status_name": [CELL_STATUS[st] for st in flat],
            "holds": cells(j.status == "holds"),
            "class": each(classes),
            "class_name": each([VERDICTS[c] for c in classes]),
            "breaks_in": each(
                [scenarios_where(row, ("goal_not_met", "too_much_regret")) for row in status]
            ),
            "undecided_in": each([scenarios_where(row, ("undecided",)) for row in status]),
            "dominated_by": each(by),
            "max_regret": each(max_regret),
            "goal_share_all": each(j.share.mean(axis=1)),
        }
        # One BLAS thread for PRIM's and the drivers' small matrix products: more gain nothing
        # at this size, idle OpenBLAS threads spin on the other core afterwards (a third more
        # CPU for the wind tunnel of a batch), and the drivers' last bits are then the same on
        # any machine, alone or in a pass.
        with _blas().limit(limits=1, user_api="blas"):
            found = discovery.option_table(self, j.status, classes)
        columns.update({c: each(found[c].to_numpy()) for c in found.columns if c != "option"})
        table = pd.DataFrame(columns)
        table.attrs.update(
            goal=self.goal,
            objective=self.objective,
            threshold=self.threshold,
            regret_percentile=self.regret_percentile,
            regret_tolerance=self.regret_tolerance,
            level=self.level,
            n_samples=len(self.samples),
            seed=self.samples.seed,
            method=self.samples.method,
            horizon=self.horizon,
        )
        return table


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@cache
def _blas() -> ThreadpoolController:
    """Return the process's BLAS thread pools (looked up once: a limit then costs microseconds)."""
    return ThreadpoolController()
