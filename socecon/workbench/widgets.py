"""The analyst workbench: widget-driven scenario and municipality comparisons in JupyterLab.

Two layers, so that the logic can be tested without a browser:

* :class:`Workbench` holds the analyst's choices (municipalities or groups, scenarios, indicators,
  assumptions, horizon) as an immutable :class:`State`, validates every change (a refused change
  raises :class:`WorkbenchError` with a Dutch message and leaves the state as it was), runs the
  model and returns the chart specifications of :mod:`~.figures`. Model results and specs
  are cached per input: the comparison runs the model for the chosen regions only (one year, a
  few milliseconds); the ranking runs all municipalities for one scenario and year, and only when
  the assumptions, horizon or ranking scenario change.
* :class:`Explorer` lays the controls out with ipywidgets and shows the charts through
  JupyterLab's built-in Vega-Lite renderer (no CDN, so it works offline). Every control calls the
  workbench; a refused change is shown in a visible message and the control is put back.

Exports are named after what they show: ``vergelijking_GM0164_GM0106_2020.csv`` (Dutch CSV:
semicolons and a decimal comma), ``geplaatste_personen_per_scenario_GM0164_GM0106_2020.png``.

Examples
--------
>>> wb = Workbench(["Hengelo", "Assen"])               # doctest: +SKIP
>>> wb.set_assumption("take_up", 0.8)                  # doctest: +SKIP
>>> specs = wb.specs()                                 # doctest: +SKIP
>>> Explorer(wb)                                       # in a notebook cell # doctest: +SKIP
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from socecon.definitions import load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.exceptions import SocEconError, UnknownRegionError
from socecon.model.core import DEFAULT_HORIZON, MAX_HORIZON, run_model
from socecon.model.inputs import DEFAULT_BASE_YEAR
from socecon.model.results import LONG_COLUMNS
from socecon.present import figures
from socecon.present.formats import format_number
from socecon.present.windtunnel_chart import windtunnel_chart

#: The assumptions on sliders, in display order (ids of ``definitions/assumptions.yaml``).
KEY_ASSUMPTIONS = (
    "take_up",
    "quota_share",
    "guidance_cost_regular",
    "guidance_cost_sheltered",
    "loonwaarde_shift",
    "wml_index",
)
#: Indicators shown side by side when the workbench opens.
DEFAULT_VARIABLES = ("placed", "participation_rate", "net_cost_per_placed")
#: At most this many regions side by side (wider charts stop being readable).
MAX_REGIONS = 10
DEFAULT_GOAL_PARTICIPATION = 20.0
DEFAULT_GOAL_NET_COST_PER_PLACED = 20000.0
WINDTUNNEL_SAMPLES = 200
#: The charts of the workbench, by name, with their Dutch captions.
CHART_CAPTIONS = {
    "indicatoren": "Indicatoren per scenario, gekozen gemeenten naast elkaar",
    "doelgroep": "Doelgroep per loonwaardeklasse, met het venster van elk scenario",
    "verschil": "Verschil met het basisjaar",
    "ranglijst": "Ranglijst van alle gemeenten, de gekozen gemeenten gemarkeerd",
    "windtunnel": "Beleidsopties in de windtunnel",
}
#: The comparison charts (need at least one chosen region); the ranking always draws.
COMPARISON_CHARTS = ("indicatoren", "doelgroep", "verschil")
EMPTY_SELECTION = (
    "Geen gemeente gekozen. Zoek een gemeente op naam of CBS-code (bijvoorbeeld Hengelo of 0164) "
    "en kies Toevoegen."
)
#: The MIME type of JupyterLab's built-in Vega-Lite renderer (Vega-Lite 5 in JupyterLab 4).
LAB_MIMETYPE = "application/vnd.vegalite.v5+json"
LAB_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_STEPS = {"share": 0.01, "share of jobs": 0.005, "percentage points": 1.0, "index": 0.01}


class WorkbenchError(SocEconError):
    """A change the workbench refuses; the message is Dutch and meant for the analyst."""


# --------------------------------------------------------------------------- sliders


@dataclass(frozen=True)
class SliderSpec:
    """One assumption on a slider: its default, range, step and source.

    Attributes
    ----------
    id, label, unit : str
        Assumption id (or ``horizon``), Dutch label and unit.
    default, low, high, step : float
        The sourced default and the plausible range of the declarations.
    source, reliability : str
        Where the default comes from and its reliability tag (C, C2, D, U, S).
    """

    id: str
    label: str
    unit: str
    default: float
    low: float
    high: float
    step: float
    source: str
    reliability: str

    def format(self, value: float) -> str:
        """Return ``value`` in Dutch notation with its unit (``60 %``, ``€ 4.000``, ``+2 pp``).

        Parameters
        ----------
        value : float

        Returns
        -------
        str
        """
        if self.unit in ("share", "share of jobs"):
            decimals = 1 if self.step < 0.01 else 0
            return f"{format_number(100 * value, decimals)} %"
        if self.unit.startswith("EUR"):
            return f"€ {format_number(value)}"
        if self.unit == "percentage points":
            sign = "+" if value > 0 else ""
            return f"{sign}{format_number(value)} procentpunt"
        if self.unit == "year":
            return str(int(value))
        return format_number(value, 2)

    def caption(self) -> str:
        """Return the Dutch caption under the slider: default, range, source, reliability."""
        return (
            f"standaard {self.format(self.default)}; bereik {self.format(self.low)} tot "
            f"{self.format(self.high)}; bron: {self.source} (betrouwbaarheid {self.reliability})"
        )


@cache
def slider_specs() -> tuple[SliderSpec, ...]:
    """Return the workbench sliders: the key assumptions and the horizon year.

    Returns
    -------
    tuple of SliderSpec
        Ranges come from each assumption's ``low`` and ``high``; the horizon runs from the year
        after the base year to the model's last year, default 2020 as in the study.
    """
    assumptions = load_assumptions()
    out = []
    for key in KEY_ASSUMPTIONS:
        a = assumptions[key]
        step = _STEPS.get(a.unit, 100.0 if a.unit.startswith("EUR") else 0.01)
        out.append(
            SliderSpec(a.id, a.label, a.unit, a.value, a.low, a.high, step, a.source, a.reliability)
        )
    out.append(
        SliderSpec(
            "horizon",
            "Zichtjaar (scenario volledig ingevoerd)",
            "year",
            DEFAULT_HORIZON,
            DEFAULT_BASE_YEAR + 1,
            MAX_HORIZON,
            1,
            "de scenariostudie kijkt naar 2020 (TNO, 2010)",
            "S",
        )
    )
    return tuple(out)


def _slider(key: str) -> SliderSpec:
    return next(s for s in slider_specs() if s.id == key)


# --------------------------------------------------------------------------- regions


def region_options() -> list[tuple[str, str]]:
    """Return ``(label, id)`` for every municipality and named group, for the search box.

    Returns
    -------
    list of tuple
        ``("Hengelo (GM0164)", "GM0164")``, ..., then the groups
        (``"ISD Midden-Langstraat (isd_midden_langstraat)"``), sorted by label.
    """
    from socecon.definitions.groups import load_groups
    from socecon.regions import load_regions

    names = load_regions()["name"].to_dict()
    options = sorted((f"{name} ({code})", code) for code, name in names.items())
    options += sorted((f"{g.name} ({gid})", gid) for gid, g in load_groups().items())
    return options


@cache
def _names() -> dict[str, str]:
    from socecon.definitions.groups import load_groups
    from socecon.regions import load_regions

    names = load_regions()["name"].to_dict()
    names.update({gid: g.name for gid, g in load_groups().items()})
    return names


def region_label(code: str) -> str:
    """Return the Dutch name of a municipality or group id (without a lookup per call)."""
    if code in _names():
        return _names()[code]
    from socecon.regions import region_name

    return region_name(code)


_OPTION = re.compile(r"^.*\(([A-Za-z0-9_]+)\)\s*$")
_CODE = re.compile(r"\b(GM\d{4}|PV\d\d|AM\d\d|CR\d\d|LD\d\d|NL01)\b")


def resolve_query(text: str) -> tuple[str, ...]:
    """Resolve what an analyst typed in the search box to region ids.

    The whole text is tried first (names may contain commas); otherwise it is split on commas,
    semicolons and new lines and every part is resolved. A chosen search option such as
    ``"Hengelo (GM0164)"`` resolves to its code.

    Parameters
    ----------
    text : str
        Names or codes: ``"Hengelo"``, ``"0164, 0106"``, ``"gm0784; Assen"``, ``"AM26"``.

    Returns
    -------
    tuple of str
        Region ids, in the order typed, without repeats.

    Raises
    ------
    WorkbenchError
        For an empty text or any unknown part; the Dutch message names every unknown part and
        the closest known municipalities.
    """
    from socecon.regions import resolve

    def one(query: str) -> str:
        hit = _OPTION.match(query)
        if hit and hit.group(1) in _names():
            return hit.group(1)
        return resolve(query)

    text = str(text or "").strip()
    if not text:
        raise WorkbenchError("Typ de naam of de CBS-code van een gemeente.")
    try:
        return (one(text),)
    except UnknownRegionError:
        pass
    parts = [p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()]
    found: list[str] = []
    problems = []
    for part in parts:
        try:
            code = one(part)
        except UnknownRegionError as exc:
            suggestions = [c for c in dict.fromkeys(_CODE.findall(str(exc))) if c in _names()]
            hint = (
                "; bedoelt u " + " of ".join(f"{region_label(c)} ({c})" for c in suggestions) + "?"
                if suggestions
                else ""
            )
            problems.append(f"Onbekende gemeente of regio '{part}'{hint}")
            continue
        if code not in found:
            found.append(code)
    if problems:
        raise WorkbenchError(". ".join(problems))
    return tuple(found)


def _highlight(regions: Iterable[str]) -> tuple[str, ...]:
    from socecon.regions import group_members

    out: list[str] = []
    for code in regions:
        out.extend(group_members(code) if not code.startswith("GM") else [code])
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class State:
    """The analyst's choices; immutable, so every valid state can be cached and compared.

    Attributes
    ----------
    regions : tuple of str
        Chosen municipality codes and group ids, side by side in this order.
    scenarios : tuple of str
        Chosen future scenarios (the baseline is always computed as the reference).
    variables : tuple of str
        Indicators in the comparison and difference charts.
    assumptions : tuple of (str, float)
        Assumption overrides, sorted by id; defaults are not listed.
    horizon : int
        The year in which the scenarios are fully in place; every chart shows that year.
    band_region : str or None
        The region of the target-group chart (the first chosen region by default).
    ranking_variable, ranking_scenario : str
        The indicator and scenario of the ranking of all municipalities.
    goal_participation, goal_net_cost_per_placed : float
        The wind tunnel's goal: participation of the target group at least this many percent,
        at a net cost per placed person of at most this many euros.
    """

    regions: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = field(
        default_factory=lambda: tuple(s.id for s in load_definitions().future_scenarios)
    )
    variables: tuple[str, ...] = DEFAULT_VARIABLES
    assumptions: tuple[tuple[str, float], ...] = ()
    horizon: int = DEFAULT_HORIZON
    band_region: str | None = None
    ranking_variable: str = "participation_rate"
    ranking_scenario: str = "regulier"
    goal_participation: float = DEFAULT_GOAL_PARTICIPATION
    goal_net_cost_per_placed: float = DEFAULT_GOAL_NET_COST_PER_PLACED

    @property
    def overrides(self) -> dict[str, float]:
        """The assumption overrides as a mapping for :func:`socecon.model.run_model`."""
        return dict(self.assumptions)

    @property
    def shown_band_region(self) -> str | None:
        """The region of the target-group chart, or None without a chosen region."""
        if self.band_region in self.regions:
            return self.band_region
        return self.regions[0] if self.regions else None


def _indicator_names() -> dict[str, str]:
    return {d.id: d.label for d in load_indicator_definitions()}


def _scenario_names() -> dict[str, str]:
    return {s.id: s.name for s in load_definitions().scenarios}


def _validate(state: State) -> State:
    """Check a candidate state; raise :class:`WorkbenchError` with a Dutch message if invalid."""
    scenario_names = _scenario_names()
    future = [s.id for s in load_definitions().future_scenarios]
    indicators = {d.id: d for d in load_indicator_definitions()}
    if len(state.regions) > MAX_REGIONS:
        raise WorkbenchError(
            f"Te veel gemeenten: kies er hoogstens {MAX_REGIONS} om naast elkaar te tonen."
        )
    if len(set(state.regions)) != len(state.regions):
        raise WorkbenchError("Een gemeente staat dubbel in de keuze.")
    unknown = [r for r in state.regions if r not in _names()]
    if unknown:
        raise WorkbenchError(f"Onbekende gemeente of regio: {', '.join(unknown)}.")
    if not state.scenarios:
        raise WorkbenchError("Kies ten minste één scenario.")
    bad = [s for s in state.scenarios if s not in future]
    if bad:
        raise WorkbenchError(f"Onbekend scenario: {', '.join(bad)}.")
    if not state.variables:
        raise WorkbenchError("Kies ten minste één indicator.")
    bad = [v for v in (*state.variables, state.ranking_variable) if v not in indicators]
    if bad:
        raise WorkbenchError(f"Onbekende indicator: {', '.join(bad)}.")
    partial = [
        v
        for v in state.variables
        if indicators[v].scenarios is not None
        and not set(indicators[v].scenarios) & set(state.scenarios)
    ]
    if partial:
        d = indicators[partial[0]]
        only = " en ".join(scenario_names[s] for s in d.scenarios)
        raise WorkbenchError(
            f"De indicator '{d.label}' bestaat alleen voor {only}; kies dat scenario ook."
        )
    if state.ranking_scenario not in scenario_names:
        raise WorkbenchError(f"Onbekend scenario voor de ranglijst: {state.ranking_scenario}.")
    d = indicators[state.ranking_variable]
    if d.scenarios is not None and state.ranking_scenario not in d.scenarios:
        only = " en ".join(scenario_names[s] for s in d.scenarios)
        raise WorkbenchError(
            f"De ranglijst op '{d.label}' kan alleen voor {only}; kies dat scenario voor de "
            "ranglijst."
        )
    if isinstance(state.horizon, bool) or not DEFAULT_BASE_YEAR < int(state.horizon) <= MAX_HORIZON:
        raise WorkbenchError(
            f"Het zichtjaar moet tussen {DEFAULT_BASE_YEAR + 1} en {MAX_HORIZON} liggen, "
            f"niet {state.horizon}."
        )
    goal = (state.goal_participation, state.goal_net_cost_per_placed)
    if any(isinstance(g, bool) or not isinstance(g, int | float) for g in goal):
        raise WorkbenchError("Het doel van de windtunnel moet uit getallen bestaan.")
    if not 0 <= state.goal_participation <= 100:
        raise WorkbenchError(
            f"Het doel voor de deelname moet tussen 0 en 100 % liggen, niet "
            f"{format_number(state.goal_participation, 1)} %."
        )
    if state.goal_net_cost_per_placed < 0:
        raise WorkbenchError(
            "Het doel voor de netto kosten per geplaatste kan niet negatief zijn "
            f"({format_number(state.goal_net_cost_per_placed)} €)."
        )
    assumptions = load_assumptions()
    try:
        assumptions.resolve(state.overrides)
    except SocEconError as exc:
        key = next((k for k, _ in state.assumptions if f"'{k}'" in str(exc)), None)
        if key and key in assumptions.ids:
            a = assumptions[key]
            lo, hi = a.bounds or (float("-inf"), float("inf"))
            raise WorkbenchError(
                f"Ongeldige waarde voor '{a.label}': {state.overrides[key]!r} ligt niet tussen "
                f"{format_number(lo, 2)} en {format_number(hi, 2)} "
                f"({figures.UNIT_LABELS.get(a.unit, a.unit)})."
            ) from exc
        raise WorkbenchError(f"Onbekende aanname: {exc}") from exc
    return replace(state, horizon=int(state.horizon))


# --------------------------------------------------------------------------- controller


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


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
        self._state = _validate(State(regions=tuple(codes), **choices))
        self._comparison = _LastValue(self._run_comparison)
        self._ranking = _LastValue(self._run_ranking)
        self._windtunnel = _LastValue(self._run_windtunnel)
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
        self._state = _validate(candidate)
        return self._state

    def add_regions(self, text: str) -> tuple[str, ...]:
        """Add the municipalities or groups typed in the search box.

        Parameters
        ----------
        text : str
            See :func:`resolve_query`; several at once separated by commas or semicolons.

        Returns
        -------
        tuple of str
            The ids that were added (already chosen ones are skipped).

        Raises
        ------
        WorkbenchError
            For an unknown name or code, or when too many regions would be chosen.
        """
        found = resolve_query(text)
        new = tuple(c for c in found if c not in self._state.regions)
        self.update(regions=self._state.regions + new)
        return new

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
        return self.set_assumption(key, _slider(key).default)

    def value(self, key: str) -> float:
        """Return the current value of a slider (assumption id or ``horizon``)."""
        if key == "horizon":
            return self._state.horizon
        return self._state.overrides.get(key, _slider(key).default)

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
        return figures.ranking_chart(frame, variable, scenario, horizon, highlight=highlight)

    def _spec_windtunnel(self, region, goal, assumptions, horizon):
        return windtunnel_chart(self._windtunnel(region, goal, assumptions, horizon))

    @staticmethod
    def _run_windtunnel(region, goal, assumptions, horizon) -> pd.DataFrame:
        from socecon.analysis.windtunnel import matrix

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
        """Return the wind tunnel's Dutch verdict for the shown region (empty without one)."""
        from socecon.report.policy import summary_nl

        return summary_nl(self.windtunnel()) if self._state.regions else ""

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
        if name == "windtunnel":
            goal = (s.goal_participation, s.goal_net_cost_per_placed)
            return (s.shown_band_region, goal, s.assumptions, s.horizon)
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
            if name in (*COMPARISON_CHARTS, "windtunnel") and not self._state.regions:
                continue
            args = self._chart_args(name)
            if name == "windtunnel":
                key = args
            else:
                # the frame is a cached result: key on the inputs it was computed from
                source = self._ranking if name == "ranglijst" else self._comparison
                key = (source.key, *args[1:])
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
                spec = chart.to_dict(validate=False)
                self._specs[name].value = (chart, spec)
            out[name] = spec
        return out

    # -- exports ---------------------------------------------------------------------------

    def _suffix(self) -> str:
        s = self._state
        parts = [f"{key}-{value:g}" for key, value in s.assumptions]
        return "".join(f"_{p}" for p in parts)

    def _region_part(self, regions: Sequence[str]) -> str:
        shown = list(regions[:4])
        extra = len(regions) - len(shown)
        return "_".join(shown) + (f"_en_{extra}_meer" if extra > 0 else "")

    def filename(self, name: str, extension: str) -> str:
        """Return the file name of an export, after what it shows.

        Parameters
        ----------
        name : str
            ``"vergelijking"`` (the CSV) or a chart name of :data:`CHART_CAPTIONS`.
        extension : str
            ``csv``, ``png`` or ``svg``.

        Returns
        -------
        str
            E.g. ``vergelijking_GM0164_GM0106_2020.csv``,
            ``ranglijst_participatiegraad_doelgroep_regulier_2020_take_up-0.8.png``.
        """
        s = self._state
        labels = _indicator_names()
        if name == "vergelijking":
            stem = f"vergelijking_{self._region_part(s.regions)}"
        elif name == "indicatoren":
            what = _slug(labels[s.variables[0]]) if len(s.variables) == 1 else "indicatoren"
            stem = f"{what}_per_scenario_{self._region_part(s.regions)}"
        elif name == "doelgroep":
            stem = f"doelgroep_per_loonwaarde_{s.shown_band_region}"
        elif name == "verschil":
            stem = f"verschil_met_basisjaar_{self._region_part(s.regions)}"
        elif name == "ranglijst":
            stem = f"ranglijst_{_slug(labels[s.ranking_variable])}_{s.ranking_scenario}"
        else:
            raise WorkbenchError(f"Onbekende grafiek '{name}'.")
        return f"{stem}_{s.horizon}{self._suffix()}.{extension}"

    def comparison_table(self) -> pd.DataFrame:
        """Return the comparison as a Dutch table: one row per region, scenario and indicator.

        Returns
        -------
        pandas.DataFrame
            Columns ``regio, regionaam, scenario, scenarionaam, indicator, indicatornaam,
            eenheid, jaar, waarde`` (all indicators, totals without the per-band rows).

        Raises
        ------
        WorkbenchError
            Without a chosen region.
        """
        if not self._state.regions:
            raise WorkbenchError(EMPTY_SELECTION)
        frame = self.comparison()
        frame = frame[~frame["variable"].astype(str).str.contains("|", regex=False)]
        labels = _indicator_names()
        scenarios = _scenario_names()
        table = pd.DataFrame(
            {
                "regio": frame["region"].astype(str),
                "regionaam": frame["region"].astype(str).map(region_label),
                "scenario": frame["scenario"].astype(str),
                "scenarionaam": frame["scenario"].astype(str).map(scenarios),
                "indicator": frame["variable"].astype(str),
                "indicatornaam": frame["variable"].astype(str).map(labels),
                "eenheid": frame["unit"].astype(str),
                "jaar": frame["year"],
                "waarde": frame["value"],
            }
        )
        order = {r: i for i, r in enumerate(self._state.regions)}
        return table.sort_values(
            ["regio", "scenario"], key=lambda c: c.map(order) if c.name == "regio" else c
        ).reset_index(drop=True)

    def export_csv(self, folder: str | Path) -> Path:
        """Write the current comparison as a Dutch CSV (semicolons, decimal comma, UTF-8 BOM).

        Parameters
        ----------
        folder : str or Path
            Created if missing.

        Returns
        -------
        Path
            The written file, named by :meth:`filename`.
        """
        from socecon.report.export import write_atomic

        table = self.comparison_table()
        text = table.to_csv(sep=";", decimal=",", index=False, float_format="%.6g")
        target = Path(folder) / self.filename("vergelijking", "csv")
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_atomic(target, ("\ufeff" + text).encode("utf-8"))

    def export_chart(self, name: str, folder: str | Path, fmt: str = "png") -> Path:
        """Write one chart as PNG or SVG (vl-convert, Dutch number format).

        Parameters
        ----------
        name : str
            A chart name of :data:`CHART_CAPTIONS`.
        folder : str or Path
        fmt : {"png", "svg"}

        Returns
        -------
        Path
        """
        import vl_convert

        from socecon.report.export import write_atomic

        if fmt not in ("png", "svg"):
            raise WorkbenchError(f"Onbekend formaat '{fmt}': kies png of svg.")
        specs = self.specs([name])
        if name not in specs:
            raise WorkbenchError(EMPTY_SELECTION)
        if fmt == "png":
            data: str | bytes = vl_convert.vegalite_to_png(
                specs[name], scale=2, format_locale=figures_locale()
            )
        else:
            data = vl_convert.vegalite_to_svg(specs[name], format_locale=figures_locale())
        target = Path(folder) / self.filename(name, fmt)
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_atomic(target, data)

    def export(self, folder: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
        """Write the comparison CSV and every chart that can be drawn, in each format.

        Returns
        -------
        list of Path
        """
        written = [self.export_csv(folder)] if self._state.regions else []
        for name in self.charts():
            written.extend(self.export_chart(name, folder, fmt) for fmt in formats)
        return written


def figures_locale() -> str:
    """Return the locale name used for numbers in exported charts (``nl-NL``)."""
    from socecon.present.embed import LOCALE

    return LOCALE


def lab_bundle(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Return a display_data output that JupyterLab draws with its own Vega-Lite renderer.

    JupyterLab 4 bundles Vega-Lite 5 and renders ``application/vnd.vegalite.v5+json`` without
    network; the spec's ``$schema`` is set to v5 accordingly. Numbers use the Dutch locale.

    Parameters
    ----------
    spec : mapping
        A Vega-Lite specification (from :meth:`Workbench.specs`).

    Returns
    -------
    dict
        An nbformat ``display_data`` output (for ``ipywidgets.Output.outputs``).
    """
    from socecon.present.embed import embed_options

    data = {**spec, "$schema": LAB_SCHEMA}
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {
        "output_type": "display_data",
        "data": {LAB_MIMETYPE: data, "text/plain": f"<Grafiek: {title or 'zonder titel'}>"},
        "metadata": {LAB_MIMETYPE: {"embed_options": dict(embed_options())}},
    }


def _text_output(text: str) -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "data": {
            "text/html": f'<p class="socecon-note">{html.escape(text)}</p>',
            "text/plain": text,
        },
        "metadata": {},
    }


# --------------------------------------------------------------------------- the view


class Explorer:
    """The ipywidgets layout of the workbench; display it in a notebook cell.

    Parameters
    ----------
    workbench : Workbench or sequence of str, optional
        A workbench, or the regions to start one with (the participating municipalities
        Hengelo and Assen by default).

    Attributes
    ----------
    workbench : Workbench
    search : ipywidgets.Combobox
        Type a name or code (several separated by commas); Enter or :attr:`add` adds them.
    chosen : ipywidgets.SelectMultiple
        The chosen regions; :attr:`remove` drops the highlighted ones.
    scenario_toggles : dict of str to ipywidgets.ToggleButton
    variables : ipywidgets.SelectMultiple
    band_region, ranking_variable, ranking_scenario : ipywidgets.Dropdown
    sliders : dict of str to ipywidgets.FloatSlider or IntSlider
        By assumption id, plus ``horizon``.
    resets : dict of str to ipywidgets.Button
        One reset button per slider; :attr:`reset_all` resets them all.
    message : ipywidgets.HTML
        A visible note: refused changes, an empty selection, exports written.
    outputs : dict of str to ipywidgets.Output
        One per chart of :data:`CHART_CAPTIONS`.
    export_folder : ipywidgets.Text
    export_csv, export_png, export_svg : ipywidgets.Button
    """

    def __init__(self, workbench: Workbench | Sequence[str] | None = None):
        import ipywidgets as w

        if not isinstance(workbench, Workbench):
            workbench = Workbench(workbench if workbench is not None else ["GM0164", "GM0106"])
        self.workbench = workbench
        self._syncing = False
        s = workbench.state
        scenario_names = _scenario_names()
        labels = _indicator_names()

        self.search = w.Combobox(
            placeholder="Gemeente of CBS-code, bijv. Hengelo, 0106; meerdere met komma's",
            options=[label for label, _ in region_options()],
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="420px"),
        )
        self.add = w.Button(description="Toevoegen", icon="plus")
        self.chosen = w.SelectMultiple(rows=5, layout=w.Layout(width="420px"))
        self.remove = w.Button(description="Verwijderen", icon="minus")
        self.clear = w.Button(description="Alles wissen")
        self.scenario_toggles = {
            sc.id: w.ToggleButton(value=sc.id in s.scenarios, description=sc.name)
            for sc in load_definitions().future_scenarios
        }
        indicator_options = [(labels[d.id], d.id) for d in load_indicator_definitions()]
        self.variables = w.SelectMultiple(
            options=indicator_options, value=s.variables, rows=6, layout=w.Layout(width="420px")
        )
        self.band_region = w.Dropdown(description="Doelgroep van")
        self.ranking_variable = w.Dropdown(
            options=indicator_options, value=s.ranking_variable, description="Ranglijst op"
        )
        self.ranking_scenario = w.Dropdown(
            options=[(scenario_names[k], k) for k in scenario_names],
            value=s.ranking_scenario,
            description="in scenario",
        )
        self.sliders: dict[str, Any] = {}
        self.readouts: dict[str, Any] = {}
        self.resets: dict[str, Any] = {}
        slider_rows = []
        for spec in slider_specs():
            cls = w.IntSlider if spec.id == "horizon" else w.FloatSlider
            slider = cls(
                value=workbench.value(spec.id),
                min=spec.low,
                max=spec.high,
                step=spec.step,
                readout=False,
                continuous_update=False,
                description=spec.label,
                style={"description_width": "300px"},
                layout=w.Layout(width="560px"),
            )
            slider.add_class("socecon-slider")
            slider.add_class(f"socecon-slider-{spec.id}")
            readout = w.Label(spec.format(slider.value), layout=w.Layout(width="140px"))
            reset = w.Button(
                icon="undo",
                tooltip=f"Terug naar {spec.format(spec.default)}",
                layout={"width": "40px"},
            )
            caption = w.HTML(f'<small style="color:#555">{html.escape(spec.caption())}</small>')
            slider.observe(self._on_slider(spec.id), names="value")
            reset.on_click(self._on_reset(spec.id))
            self.sliders[spec.id], self.readouts[spec.id], self.resets[spec.id] = (
                slider,
                readout,
                reset,
            )
            slider_rows.append(w.VBox([w.HBox([slider, readout, reset]), caption]))
        self.reset_all = w.Button(description="Alle aannames terugzetten", icon="undo")
        self.goal_participation = w.FloatSlider(
            value=s.goal_participation,
            min=0,
            max=100,
            step=1,
            continuous_update=False,
            description="Doel: deelname doelgroep minstens (%)",
            style={"description_width": "300px"},
            layout=w.Layout(width="560px"),
        )
        self.goal_net_cost = w.FloatSlider(
            value=s.goal_net_cost_per_placed,
            min=0,
            max=50000,
            step=500,
            continuous_update=False,
            description="Doel: netto kosten per geplaatste hoogstens (€)",
            style={"description_width": "300px"},
            layout=w.Layout(width="560px"),
        )
        self.windtunnel_summary = w.HTML()
        self.message = w.HTML()
        self.outputs = {name: w.Output() for name in CHART_CAPTIONS}
        self.export_folder = w.Text(value="exports", description="Map")
        self.export_csv = w.Button(description="CSV", icon="download")
        self.export_png = w.Button(description="PNG", icon="download")
        self.export_svg = w.Button(description="SVG", icon="download")

        self.search.observe(self._on_search, names="value")
        self.add.on_click(lambda _: self._add(self.search.value))
        self.remove.on_click(
            lambda _: self._apply(self.workbench.remove_regions, self.chosen.value)
        )
        self.clear.on_click(lambda _: self._apply(self.workbench.update, regions=()))
        for key, toggle in self.scenario_toggles.items():
            toggle.observe(self._on_scenario(key), names="value")
        self.variables.observe(self._on_change("variables"), names="value")
        self.band_region.observe(self._on_change("band_region"), names="value")
        self.ranking_variable.observe(self._on_change("ranking_variable"), names="value")
        self.ranking_scenario.observe(self._on_change("ranking_scenario"), names="value")
        self.reset_all.on_click(lambda _: self._apply(self.workbench.reset))
        self.goal_participation.observe(self._on_change("goal_participation"), names="value")
        self.goal_net_cost.observe(self._on_change("goal_net_cost_per_placed"), names="value")
        self.export_csv.on_click(lambda _: self._export(("csv",)))
        self.export_png.on_click(lambda _: self._export(("png",)))
        self.export_svg.on_click(lambda _: self._export(("svg",)))

        def section(title: str, *children):
            return w.VBox([w.HTML(f"<h3>{html.escape(title)}</h3>"), *children])

        charts = [
            section(CHART_CAPTIONS[name], self.outputs[name])
            for name in ("indicatoren", "verschil", "doelgroep", "ranglijst")
        ]
        self.layout = w.VBox(
            [
                section(
                    "Gemeenten",
                    w.HBox([self.search, self.add]),
                    w.HBox([self.chosen, w.VBox([self.remove, self.clear])]),
                ),
                section("Scenario's", w.HBox(list(self.scenario_toggles.values()))),
                section("Indicatoren", self.variables),
                section("Aannames", *slider_rows, self.reset_all),
                self.message,
                *charts[:2],
                self.band_region,
                charts[2],
                w.HBox([self.ranking_variable, self.ranking_scenario]),
                charts[3],
                section(
                    CHART_CAPTIONS["windtunnel"],
                    w.HTML(
                        "<p>Elke beleidsoptie doorgerekend in elk scenario, over "
                        f"{WINDTUNNEL_SAMPLES} combinaties van de onzekere aannames (de "
                        "aannames hierboven liggen vast), voor de gemeente van de "
                        "doelgroepgrafiek.</p>"
                    ),
                    self.goal_participation,
                    self.goal_net_cost,
                    self.outputs["windtunnel"],
                    self.windtunnel_summary,
                ),
                section(
                    "Meenemen",
                    w.HBox([self.export_folder, self.export_csv, self.export_png, self.export_svg]),
                ),
            ]
        )
        self.layout.add_class("socecon-explorer")
        self._sync()
        self.render()

    # -- display ---------------------------------------------------------------------------

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.layout)

    def show_message(self, text: str, kind: str = "warning") -> None:
        """Show a Dutch note above the charts (``warning``, ``info`` or empty to hide)."""
        colours = {"warning": ("#fff3cd", "#8a6d3b"), "info": ("#e8f4fd", "#31708f")}
        if not text:
            self.message.value = ""
            return
        bg, fg = colours.get(kind, colours["warning"])
        self.message.value = (
            f'<div class="socecon-message socecon-{kind}" role="alert" style="background:{bg};'
            f'color:{fg};padding:6px 10px;border-radius:4px">{html.escape(text)}</div>'
        )

    def render(self) -> None:
        """Bring every chart output up to date with the workbench state.

        The comparison charts are sent first; only outputs whose specification changed are
        replaced (so a change of the ranking scenario leaves the other charts alone).
        """
        specs = self.workbench.specs()
        for name, output in self.outputs.items():
            spec = specs.get(name)
            if spec is None:
                new = (_text_output(EMPTY_SELECTION),)
            elif getattr(output, "_socecon_spec", None) is spec:
                continue
            else:
                new = (lab_bundle(spec),)
            output._socecon_spec = spec
            output.outputs = new
        summary = self.workbench.windtunnel_summary()
        self.windtunnel_summary.value = "".join(
            f"<p>{html.escape(line)}</p>" for line in summary.splitlines() if line
        )

    def _sync(self) -> None:
        """Put every control in line with the workbench state (after a refusal or a reset)."""
        self._syncing = True
        try:
            s = self.workbench.state
            options = [(f"{region_label(r)} ({r})", r) for r in s.regions]
            self.chosen.options = options
            self.band_region.options = options
            self.band_region.value = s.shown_band_region
            for key, toggle in self.scenario_toggles.items():
                toggle.value = key in s.scenarios
            self.variables.value = s.variables
            self.ranking_variable.value = s.ranking_variable
            self.ranking_scenario.value = s.ranking_scenario
            self.goal_participation.value = s.goal_participation
            self.goal_net_cost.value = s.goal_net_cost_per_placed
            for spec in slider_specs():
                value = self.workbench.value(spec.id)
                self.sliders[spec.id].value = value
                self.readouts[spec.id].value = spec.format(value)
        finally:
            self._syncing = False

    def _apply(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run a workbench change; show a refusal, re-sync the controls and redraw."""
        try:
            action(*args, **kwargs)
        except WorkbenchError as exc:
            self._sync()
            self.show_message(str(exc))
            return False
        self._sync()
        self.show_message(self.workbench.message, "info")
        self.render()
        return True

    # -- handlers ----------------------------------------------------------------------------

    def _add(self, text: str) -> None:
        if self._apply(self.workbench.add_regions, text):
            self._syncing = True
            self.search.value = ""
            self._syncing = False

    def _on_search(self, change: Mapping[str, Any]) -> None:
        if not self._syncing and str(change["new"]).strip():
            self._add(change["new"])

    def _on_slider(self, key: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if not self._syncing:
                self._apply(self.workbench.set_assumption, key, change["new"])

        return handler

    def _on_reset(self, key: str) -> Callable[[Any], None]:
        return lambda _: self._apply(self.workbench.reset, key)

    def _on_scenario(self, key: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            chosen = [k for k, t in self.scenario_toggles.items() if t.value]
            self._apply(self.workbench.update, scenarios=chosen)

        return handler

    def _on_change(self, field_name: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if not self._syncing and change["new"] is not None:
                self._apply(self.workbench.update, **{field_name: change["new"]})

        return handler

    def _export(self, formats: Sequence[str]) -> None:
        folder = Path(self.export_folder.value or "exports")
        try:
            if formats == ("csv",):
                written = [self.workbench.export_csv(folder)]
            else:
                written = [
                    self.workbench.export_chart(name, folder, fmt)
                    for name in self.workbench.charts()
                    for fmt in formats
                ]
        except WorkbenchError as exc:
            self.show_message(str(exc))
            return
        names = ", ".join(p.name for p in written)
        self.show_message(f"Opgeslagen in {folder}: {names}", "info")
