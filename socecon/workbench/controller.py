"""The workbench without widgets: validated state changes, cached model runs, charts and exports.

:class:`Workbench` holds the analyst's choices as an immutable :class:`~socecon.workbench.state.
State`, validates every change (a refused change raises :class:`~socecon.exceptions.
WorkbenchError` with a Dutch message and leaves the state as it was), runs the model and returns
the chart specifications of :mod:`socecon.present.figures`. Model results and specs are cached per
input: the comparison runs the model for the chosen regions only (one year, a few milliseconds);
the ranking runs all municipalities for one scenario and year, and only when the assumptions,
horizon or ranking scenario change. Exports are written by :mod:`socecon.workbench.exports`.

Examples
--------
>>> wb = Workbench(["Hengelo", "Assen"])               # doctest: +SKIP
>>> wb.set_assumption("take_up", 0.8)                  # doctest: +SKIP
>>> specs = wb.specs()                                 # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from socecon.analysis.uncertainty import run_uncertainty
from socecon.analysis.windtunnel import DEFAULT_SAMPLES, matrix
from socecon.definitions import BASE_YEAR, DEFAULT_HORIZON, MUNICIPALITY_CODE
from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import WorkbenchError
from socecon.model.core import run_model
from socecon.model.results import LONG_COLUMNS
from socecon.present import figures, workbench_charts
from socecon.present.windtunnel_chart import windtunnel_chart
from socecon.regions import group_members, region_name
from socecon.report.policy import breaks_when_nl, drivers_figure, drivers_nl, summary_nl
from socecon.workbench import config, exports
from socecon.workbench.state import (
    EMPTY_SELECTION,
    State,
    resolve_parts,
    resolve_query,
    slider_spec,
    validate,
)

WINDTUNNEL_SAMPLES = DEFAULT_SAMPLES
#: Samples of the uncertainty view (Latin hypercube; about 0.2 s for two municipalities).
UNCERTAINTY_SAMPLES = 400
#: The charts of the workbench, by name, with their Dutch captions.
CHART_CAPTIONS = {
    "indicatoren": "Indicatoren per scenario, gekozen gemeenten naast elkaar",
    "verschil": "Verschil met het basisjaar",
    "tijdpad": "Tijdpad: van het basisjaar naar het zichtjaar",
    "doelgroep": "Doelgroep per loonwaardeklasse, met het venster van elk scenario",
    "ranglijst": "Ranglijst van alle gemeenten, de gekozen gemeenten met naam",
    "banden": "Onzekerheid: de marge van 8 van de 10 doorgerekende toekomsten (P10-P90)",
    "drijvers": "Welke aannames de onzekerheid bepalen, per indicator en scenario",
    "windtunnel": "Beleidsopties in de windtunnel",
    "afweging": "Afweging: geplaatste personen tegen netto kosten, per scenario en beleidsoptie",
    "aannames": "Welke aannames de uitkomst van elke beleidsoptie bepalen",
}
#: The views of the workbench (one tab each), by Dutch title, with the charts they show.
VIEWS = {
    "Vergelijking": ("indicatoren", "verschil"),
    "Tijdpad": ("tijdpad",),
    "Doelgroep": ("doelgroep",),
    "Ranglijst": ("ranglijst",),
    "Onzekerheid": ("banden", "drijvers"),
    "Windtunnel": ("windtunnel", "afweging", "aannames"),
}
#: The charts drawn from the wind tunnel (of the region of the target-group chart).
WINDTUNNEL_CHARTS = ("windtunnel", "afweging", "aannames")
#: The charts that need at least one chosen region; the ranking always draws.
COMPARISON_CHARTS = ("indicatoren", "doelgroep", "verschil", "tijdpad", "banden", "drijvers")


def _highlight(regions: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in regions:
        out.extend([code] if MUNICIPALITY_CODE.fullmatch(code) else group_members(code))
    return tuple(dict.fromkeys(out))


class _LastValue:
    """A one-entry cache: recompute only when the key changes."""

    def __init__(self, compute: Callable[..., Any]):
        self.compute = compute
        self.key: Any = object()
        self.value: Any = None

    def __call__(self, *key: Any) -> Any:
        if key != self.key:
            self.value = self.compute(*key)
            self.key = key
        return self.value


class Workbench:
    """State, model runs and chart specs of the analyst workbench, without any widgets.

    Parameters
    ----------
    regions : sequence of str, optional
        Municipality names or codes and group ids to start with.
    **choices
        Other :class:`State` fields (``scenarios``, ``variables``, ``horizon``, ...).

    Raises
    ------
    WorkbenchError
        If the starting choices are invalid.
    """

    def __init__(self, regions: Sequence[str] = (), **choices: Any):
        codes: list[str] = []
        for query in regions:
            codes.extend(c for c in resolve_query(query) if c not in codes)
        self._state = validate(State(regions=tuple(codes)))
        if choices:
            self.update(**choices)
        self._comparison = _LastValue(self._run_comparison)
        self._ranking = _LastValue(self._run_ranking)
        self._windtunnel = _LastValue(self._run_windtunnel)
        self._time_path = _LastValue(self._run_time_path)
        self._uncertainty = _LastValue(self._run_uncertainty)
        self._sources = {
            "ranglijst": self._ranking,
            "tijdpad": self._time_path,
            "banden": self._uncertainty,
            "drijvers": self._uncertainty,
        }
        self._specs: dict[str, _LastValue] = {
            name: _LastValue(getattr(self, f"_spec_{name}")) for name in CHART_CAPTIONS
        }

    # -- state -----------------------------------------------------------------------------

    @property
    def state(self) -> State:
        """The current (always valid) state."""
        return self._state

    def update(self, **changes: Any) -> State:
        """Change the state, or refuse the change and keep the state as it was.

        Parameters
        ----------
        **changes
            :class:`State` fields; tuples are accepted as any sequence.

        Returns
        -------
        State
            The new state.

        Raises
        ------
        WorkbenchError
            With a Dutch message, if the resulting state is invalid.
        """
        for key in ("regions", "scenarios", "variables"):
            if key in changes:
                changes[key] = tuple(changes[key])
        if "assumptions" in changes:
            changes["assumptions"] = tuple(sorted(dict(changes["assumptions"]).items()))
        try:
            candidate = replace(self._state, **changes)
        except TypeError as exc:
            raise WorkbenchError(f"Onbekende keuze: {exc}") from exc
        self._state = validate(candidate)
        return self._state

    def add_regions(self, text: str) -> tuple[tuple[str, ...], str, str]:
        """Add the municipalities or groups typed in the search box; keep the known ones.

        In a mixed input (``"Zutfen, Gilze en Rijen"``) the known names are added and the
        unknown ones are returned with a Dutch message that suggests the closest names.

        Parameters
        ----------
        text : str
            See :func:`~socecon.workbench.state.resolve_parts`; several at once separated by
            commas or semicolons.

        Returns
        -------
        added : tuple of str
            The ids that were added (already chosen ones are skipped).
        problem : str
            The Dutch message on the unknown parts (empty when every part was known).
        unknown : str
            The unknown parts, to leave in the search box.

        Raises
        ------
        WorkbenchError
            When no part is known, or when too many regions would be chosen (nothing is added).
        """
        found, problem, unknown = resolve_parts(text)
        if problem and not found:
            raise WorkbenchError(problem)
        new = tuple(c for c in found if c not in self._state.regions)
        self.update(regions=self._state.regions + new)
        if problem:
            kept = ", ".join(region_name(c) for c in found)
            end = "" if problem.endswith("?") else "."
            problem = f"{problem}{end} Wel gevonden en gekozen: {kept}."
        return new, problem, unknown

    def remove_regions(self, codes: Iterable[str]) -> None:
        """Remove regions from the choice (an empty choice is allowed and shown as such)."""
        drop = set(codes)
        self.update(regions=tuple(r for r in self._state.regions if r not in drop))

    def set_assumption(self, key: str, value: float) -> State:
        """Set one slider: an assumption id of :data:`KEY_ASSUMPTIONS` or ``horizon``.

        Setting an assumption to its default removes the override.

        Raises
        ------
        WorkbenchError
            For an unknown id or a value outside the assumption's bounds.
        """
        if key == "horizon":
            return self.update(horizon=value)
        assumptions = load_assumptions()
        if key not in assumptions.ids or assumptions[key].kind != "scalar":
            raise WorkbenchError(f"Onbekende aanname '{key}'.")
        overrides = self._state.overrides
        if isinstance(value, int | float) and float(value) == float(assumptions[key].value):
            overrides.pop(key, None)
        else:
            overrides[key] = value
        return self.update(assumptions=overrides)

    def reset(self, key: str | None = None) -> State:
        """Put one slider (or, without ``key``, every slider) back to its sourced default."""
        if key is None:
            return self.update(assumptions={}, horizon=DEFAULT_HORIZON)
        return self.set_assumption(key, slider_spec(key).default)

    def value(self, key: str) -> float:
        """Return the current value of a slider (assumption id or ``horizon``)."""
        if key == "horizon":
            return self._state.horizon
        return self._state.overrides.get(key, slider_spec(key).default)

    @property
    def message(self) -> str:
        """A Dutch note on the current state (empty when all charts can be drawn)."""
        return "" if self._state.regions else EMPTY_SELECTION

    # -- model -----------------------------------------------------------------------------

    @staticmethod
    def _run_comparison(regions, scenarios, assumptions, horizon) -> pd.DataFrame:
        return run_model(
            list(regions),
            scenarios=["baseline", *scenarios],
            horizon=horizon,
            years=[horizon],
            overrides=dict(assumptions),
        )

    @staticmethod
    def _run_ranking(scenario, assumptions, horizon) -> pd.DataFrame:
        return run_model(
            None,
            scenarios=[scenario],
            horizon=horizon,
            years=[horizon],
            overrides=dict(assumptions),
        )

    @staticmethod
    def _run_time_path(regions, scenarios, assumptions, horizon) -> pd.DataFrame:
        return run_model(
            list(regions),
            scenarios=["baseline", *scenarios],
            horizon=horizon,
            years=list(range(BASE_YEAR, horizon + 1)),
            overrides=dict(assumptions),
        )

    @staticmethod
    def _run_uncertainty(regions, scenarios, variables, assumptions, horizon):
        return run_uncertainty(
            list(regions),
            UNCERTAINTY_SAMPLES,
            seed=0,
            scenarios=list(scenarios),
            horizon=horizon,
            indicators=list(variables),
            ranges={key: (value, value) for key, value in assumptions},
        )

    def time_path(self) -> pd.DataFrame:
        """Return the long table for the chosen regions, every year from the base year on.

        Returns
        -------
        pandas.DataFrame
            Columns ``scenario, region, variable, unit, year, value``; empty without regions.
        """
        s = self._state
        if not s.regions:
            return pd.DataFrame(columns=LONG_COLUMNS)
        return self._time_path(s.regions, s.scenarios, s.assumptions, s.horizon)

    def uncertainty(self):
        """Return the uncertainty of the chosen indicators for the chosen regions and scenarios.

        The assumptions on the sliders that differ from their default are held at the slider's
        value; every other assumption with a range is sampled (:data:`UNCERTAINTY_SAMPLES`
        Latin-hypercube samples, seed 0: the same state gives the same bands).

        Returns
        -------
        socecon.analysis.uncertainty.UncertaintyResult

        Raises
        ------
        WorkbenchError
            Without a chosen region.
        """
        s = self._state
        if not s.regions:
            raise WorkbenchError(EMPTY_SELECTION)
        return self._uncertainty(s.regions, s.scenarios, s.variables, s.assumptions, s.horizon)

    def comparison(self) -> pd.DataFrame:
        """Return the long table for the chosen regions (baseline and chosen scenarios, horizon).

        Returns
        -------
        pandas.DataFrame
            Columns ``scenario, region, variable, unit, year, value``; empty without regions.
        """
        s = self._state
        if not s.regions:
            return pd.DataFrame(columns=LONG_COLUMNS)
        return self._comparison(s.regions, s.scenarios, s.assumptions, s.horizon)

    def ranking(self) -> pd.DataFrame:
        """Return the long table of every municipality for the ranking scenario at the horizon."""
        s = self._state
        return self._ranking(s.ranking_scenario, s.assumptions, s.horizon)

    # -- charts ----------------------------------------------------------------------------

    def _spec_indicatoren(self, frame, regions, variables, horizon):
        return figures.indicator_chart(frame, regions, variables, horizon)

    def _spec_doelgroep(self, frame, region, horizon):
        return figures.band_chart(frame, region, horizon)

    def _spec_verschil(self, frame, regions, variables, horizon):
        return figures.difference_chart(frame, regions, variables, horizon)

    def _spec_ranglijst(self, frame, variable, scenario, horizon, highlight):
        return workbench_charts.ranking_chart(frame, variable, scenario, horizon, highlight)

    def _spec_tijdpad(self, frame, regions, variables, horizon):
        return workbench_charts.time_path_chart(frame, regions, variables)

    def _spec_banden(self, result, regions, variables, horizon):
        return workbench_charts.uncertainty_chart(result.summary(), regions, variables)

    def _spec_drijvers(self, result, regions, variables, horizon):
        region = regions[0]
        table = [result.drivers(v, region=region) for v in variables]
        return workbench_charts.uncertainty_drivers_chart(pd.concat(table), variables)

    def _spec_afweging(self, region, goal, assumptions, horizon):
        return workbench_charts.tradeoff_chart(self._windtunnel(region, goal, assumptions, horizon))

    def _spec_windtunnel(self, region, goal, assumptions, horizon):
        return windtunnel_chart(self._windtunnel(region, goal, assumptions, horizon))

    def _spec_aannames(self, region, goal, assumptions, horizon):
        return drivers_figure(self._windtunnel(region, goal, assumptions, horizon))

    @staticmethod
    def _run_windtunnel(region, goal, assumptions, horizon) -> pd.DataFrame:
        return matrix(
            region,
            {"participation_min": goal[0], "net_cost_per_placed_max": goal[1]},
            n_samples=WINDTUNNEL_SAMPLES,
            horizon=horizon,
            overrides=dict(assumptions),
        )

    def windtunnel(self) -> pd.DataFrame:
        """Return the wind-tunnel matrix for the region of the target-group chart.

        Every policy option in every scenario over the uncertainty samples, with the analyst's
        assumptions held fixed and the goal of :attr:`State.goal_participation` and
        :attr:`State.goal_net_cost_per_placed` (see :func:`socecon.analysis.windtunnel.matrix`).

        Raises
        ------
        WorkbenchError
            Without a chosen region.
        """
        s = self._state
        if s.shown_band_region is None:
            raise WorkbenchError(EMPTY_SELECTION)
        goal = (s.goal_participation, s.goal_net_cost_per_placed)
        return self._windtunnel(s.shown_band_region, goal, s.assumptions, s.horizon)

    def windtunnel_summary(self) -> str:
        """Return the wind tunnel's Dutch verdict for the shown region (empty without one).

        The verdicts and reasons (:func:`~socecon.report.policy.summary_nl`), then a line per
        option that does not hold saying where it goes wrong
        (:func:`~socecon.report.policy.breaks_when_nl`), and which assumptions drive the
        results (:func:`~socecon.report.policy.drivers_nl`).
        """
        if not self._state.regions:
            return ""
        table = self.windtunnel()
        lines = [summary_nl(table)]
        for option in table.drop_duplicates("option").itertuples():
            where = breaks_when_nl(table, option.option)
            if where:
                lines.append(f"Waar het misgaat bij '{option.option_name}': {where}.")
        lines.append(drivers_nl(table))
        return "\n".join(lines)

    def _chart_args(self, name: str) -> tuple:
        s = self._state
        if name == "ranglijst":
            return (
                self.ranking(),
                s.ranking_variable,
                s.ranking_scenario,
                s.horizon,
                _highlight(s.regions),
            )
        if name in WINDTUNNEL_CHARTS:
            goal = (s.goal_participation, s.goal_net_cost_per_placed)
            return (s.shown_band_region, goal, s.assumptions, s.horizon)
        if name == "tijdpad":
            return (self.time_path(), s.regions, s.variables, s.horizon)
        if name in ("banden", "drijvers"):
            regions = (s.shown_band_region,) if name == "drijvers" else s.regions
            return (self.uncertainty(), regions, s.variables, s.horizon)
        frame = self.comparison()
        if name == "doelgroep":
            return (frame, s.shown_band_region, s.horizon)
        return (frame, s.regions, s.variables, s.horizon)

    def charts(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """Return the altair charts for the current state (cached per input).

        Parameters
        ----------
        names : iterable of str, optional
            Chart names of :data:`CHART_CAPTIONS`; all that can be drawn by default (the
            comparison charts need at least one chosen region).

        Returns
        -------
        dict of str to altair chart
        """
        wanted = list(names) if names is not None else list(CHART_CAPTIONS)
        out = {}
        for name in wanted:
            if name in (*COMPARISON_CHARTS, *WINDTUNNEL_CHARTS) and not self._state.regions:
                continue
            args = self._chart_args(name)
            if name in WINDTUNNEL_CHARTS:
                key = args
            else:
                # the frame is a cached result: key on the inputs it was computed from
                key = (self._sources.get(name, self._comparison).key, *args[1:])
            entry = self._specs[name]
            if key != entry.key:
                entry.value = (entry.compute(*args), None)
                entry.key = key
            out[name] = entry.value[0]
        return out

    def specs(self, names: Iterable[str] | None = None) -> dict[str, dict]:
        """Return the Vega-Lite specifications of :meth:`charts` (the same object while unchanged).

        Returns
        -------
        dict of str to dict
        """
        charts = self.charts(names)
        out = {}
        for name in charts:
            chart, spec = self._specs[name].value
            if spec is None:
                spec = workbench_charts.spec_dict(chart)
                self._specs[name].value = (chart, spec)
            out[name] = spec
        return out

    # -- exports and configuration ---------------------------------------------------------

    def filename(self, name: str, extension: str) -> str:
        """Return the file name of an export (see :func:`~.exports.export_filename`)."""
        return exports.export_filename(self._state, name, extension)

    def comparison_table(self) -> pd.DataFrame:
        """Return the comparison as a Dutch table (see :func:`~.exports.comparison_table`).

        Raises
        ------
        WorkbenchError
            Without a chosen region.
        """
        if not self._state.regions:
            raise WorkbenchError(EMPTY_SELECTION)
        return exports.comparison_table(self._state, self.comparison())

    def export_csv(self, folder: str | Path, layout: str = "nl") -> Path:
        """Write the comparison as a Dutch CSV (``nl``) or in the IAMC layout (``iamc``).

        Parameters
        ----------
        folder : str or Path
            Created if missing.
        layout : {"nl", "iamc"}
            Dutch: semicolons, decimal comma, UTF-8 BOM, Dutch names and units
            (``vergelijking_...csv``); IAMC: the model's IAMC export (``vergelijking_iamc_...``).

        Returns
        -------
        Path
            The written file, named by :meth:`filename`.
        """
        if layout == "iamc":
            if not self._state.regions:
                raise WorkbenchError(EMPTY_SELECTION)
            target = Path(folder) / self.filename("vergelijking_iamc", "csv")
            return exports.write_iamc(self.comparison(), target)
        table = self.comparison_table()
        return exports.write_csv(table, Path(folder) / self.filename("vergelijking", "csv"))

    def export_chart(self, name: str, folder: str | Path, fmt: str = "png") -> Path:
        """Write one chart of :data:`CHART_CAPTIONS` as PNG or SVG (vl-convert, nl-NL numbers)."""
        if fmt not in exports.CHART_FORMATS:
            raise WorkbenchError(f"Onbekend formaat '{fmt}': kies png of svg.")
        specs = self.specs([name])
        if name not in specs:
            raise WorkbenchError(EMPTY_SELECTION)
        return exports.write_chart(specs[name], Path(folder) / self.filename(name, fmt), fmt)

    def export(
        self,
        folder: str | Path,
        formats: Sequence[str] = ("png", "svg"),
        names: Iterable[str] | None = None,
    ) -> list[Path]:
        """Write both comparison CSVs and every chart that can be drawn (or ``names``)."""
        written = [self.export_csv(folder, layout) for layout in ("nl", "iamc")]
        written = written if self._state.regions else []
        for name in self.charts(names):
            written.extend(self.export_chart(name, folder, fmt) for fmt in formats)
        return written

    def save(self, path: str | Path) -> Path:
        """Write the current settings as JSON or YAML (see :mod:`socecon.workbench.config`)."""
        return config.write_config(self._state, path)

    def restore(self, path: str | Path) -> State:
        """Take the settings of a configuration file, or refuse them and keep the state.

        Raises
        ------
        WorkbenchError
            Naming the file, key and value (see :func:`~.config.read_config`).
        """
        self._state = config.read_config(path)
        return self._state
