"""What the analyst has chosen in the workbench: sliders, regions and the validated state.

:func:`slider_specs` describes the assumption sliders (default, range, step, source) from the
declarations; :func:`resolve_query` turns what an analyst typed into region ids; :class:`State` is
the immutable set of choices, and :func:`validate` refuses an invalid one with a Dutch
:class:`~socecon.exceptions.WorkbenchError` message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from socecon.definitions import (
    BASE_YEAR,
    DEFAULT_HORIZON,
    MAX_HORIZON,
    REGION_KINDS,
    load_definitions,
)
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.conventions import load_conventions
from socecon.definitions.groups import load_groups
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.units import unit
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import SocEconError, UnknownRegionError, WorkbenchError
from socecon.present.formats import format_euro, format_number, format_percent
from socecon.regions import load_regions, region_name, resolve_all

#: The assumptions on sliders in the first panel, in display order (ids of
#: ``definitions/assumptions.yaml``); every other scalar assumption with a range gets a slider
#: under "Meer aannames" (so an assumption added to the declarations appears by itself).
KEY_ASSUMPTIONS = (
    "take_up",
    "quota_share",
    "guidance_cost_regular",
    "guidance_cost_sheltered",
    "loonwaarde_shift",
    "wml_index",
    "calibration_strength",
)
#: Indicators shown side by side when the workbench opens.
DEFAULT_VARIABLES = ("placed", "participation_rate", "net_cost_per_placed")
#: At most this many regions side by side (wider charts stop being readable).
MAX_REGIONS = 10
#: The wind tunnel's default goal, declared in ``definitions/windtunnel.yaml``.
DEFAULT_GOAL_PARTICIPATION = load_windtunnel().default_goal["participation_min"].value
DEFAULT_GOAL_NET_COST_PER_PLACED = load_windtunnel().default_goal["net_cost_per_placed_max"].value
EMPTY_SELECTION = (
    "Geen gemeente gekozen. Zoek een gemeente op naam of CBS-code (bijvoorbeeld Hengelo of 0164) "
    "en kies Toevoegen."
)

# --------------------------------------------------------------------------- sliders


@dataclass(frozen=True)
class SliderSpec:
    """One assumption on a slider: its default, range, step and source.

    Attributes
    ----------
    id, label, unit : str
        Assumption id (or ``horizon``), Dutch label and unit (an id of ``units.yaml``).
    default, low, high, step : float
        The sourced default and the plausible range of the declarations; the step is the
        unit's declared slider step.
    source, reliability : str
        Where the default comes from, in Dutch (``source_nl``), and its reliability tag (C, C2,
        D, U, S).
    main : bool
        On the first panel (the key assumptions and the horizon) or under "Meer aannames".
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
    main: bool = True

    def format(self, value: float) -> str:
        """Return ``value`` the Dutch way with its declared unit.

        Shares as percentages (``60 %``, ``5,0 %``), euros as ``€ 4.000``, percentage points
        with a sign (``+2 procentpunt``), years as they are, anything else with the unit's
        decimals (``1,00``).

        Parameters
        ----------
        value : float

        Returns
        -------
        str
        """
        u = unit(self.unit)
        if u.is_share:
            return format_percent(100 * value, u.decimals)
        if u.is_euro:
            return format_euro(value)
        if u.kind == "points":
            sign = "+" if value > 0 else ""
            return f"{sign}{format_number(value, u.decimals)} {u.label}"
        if u.kind == "year":
            return str(int(value))
        return format_number(value, u.decimals)

    def caption(self) -> str:
        """Return the Dutch caption under the slider: default, range, source, reliability."""
        return (
            f"standaard {self.format(self.default)}; bereik {self.format(self.low)} tot "
            f"{self.format(self.high)}; bron: {self.source} (betrouwbaarheid {self.reliability})"
        )


@cache
def slider_specs() -> tuple[SliderSpec, ...]:
    """Return the workbench sliders: the key assumptions, the horizon year, then the others.

    Returns
    -------
    tuple of SliderSpec
        Ranges come from each assumption's ``low`` and ``high``, steps from its unit, the
        source note from its Dutch ``source_nl``; the horizon runs from the year after the base
        year to the model's last year, by default the study's horizon (all declared in
        ``conventions.yaml``). After the key assumptions and the horizon (``main``) come every
        other scalar assumption whose range is not a point, in declaration order.
    """
    assumptions = load_assumptions()
    study = load_definitions().study

    def spec(a, main: bool) -> SliderSpec:
        step = unit(a.unit).step
        return SliderSpec(
            a.id, a.label, a.unit, a.value, a.low, a.high, step, a.source_nl, a.reliability, main
        )

    out = [spec(assumptions[key], True) for key in KEY_ASSUMPTIONS]
    out.append(
        SliderSpec(
            "horizon",
            "Zichtjaar (scenario volledig ingevoerd)",
            "year",
            DEFAULT_HORIZON,
            BASE_YEAR + 1,
            MAX_HORIZON,
            unit("year").step,
            f"de scenariostudie kijkt naar {DEFAULT_HORIZON} ({study.authors}, {study.year})",
            "S",
        )
    )
    out += [
        spec(a, False)
        for a in assumptions
        if a.kind == "scalar" and a.id not in KEY_ASSUMPTIONS and a.low < a.high
    ]
    return tuple(out)


def slider_spec(key: str) -> SliderSpec:
    """Return the slider of an assumption id of :data:`KEY_ASSUMPTIONS` or ``horizon``."""
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
    names = load_regions()["name"].to_dict()
    options = sorted((f"{name} ({code})", code) for code, name in names.items())
    options += sorted((f"{g.name} ({gid})", gid) for gid, g in load_groups().items())
    return options


def selectable(code: str) -> bool:
    """Return whether the workbench can show ``code``: a municipality or a named group.

    Provinces, arbeidsmarktregio's, COROP regions, landsdelen and Nederland are known to
    :mod:`socecon.regions` but not offered in the workbench, which compares municipalities and
    the groups of ``groups.yaml``.

    Parameters
    ----------
    code : str
        A canonical region id (as :func:`socecon.regions.resolve` returns it).

    Returns
    -------
    bool
    """
    if code in load_groups():
        return True
    if not REGION_KINDS["municipality"].fullmatch(code):
        return False
    try:
        region_name(code)
    except UnknownRegionError:
        return False
    return True


_OPTION = re.compile(r"^.*\(([A-Za-z0-9_]+)\)\s*$")
#: A region code of any kind inside a text (the suggestions of an error message).
_CODE = re.compile(rf"\b({load_conventions().region_code_pattern})\b")


def resolve_query(text: str) -> tuple[str, ...]:
    """Resolve what an analyst typed in the search box to region ids, refusing any unknown part.

    See :func:`resolve_parts`, which keeps the known parts of a mixed input.

    Raises
    ------
    WorkbenchError
        For an empty text or any unknown part (see :func:`resolve_parts`).
    """
    found, problems, _ = resolve_parts(text)
    if problems:
        raise WorkbenchError(problems)
    return found


def resolve_parts(text: str) -> tuple[tuple[str, ...], str, str]:
    """Resolve what an analyst typed in the search box to region ids, part by part.

    The whole text is tried first (names may contain commas); otherwise it is split on commas,
    semicolons and new lines and every part is resolved. A chosen search option such as
    ``"Hengelo (GM0164)"`` resolves to its code, a former municipality (``"Haaren"``) to its
    successors in the default indeling (2025).

    Parameters
    ----------
    text : str
        Names or codes: ``"Hengelo"``, ``"0164, 0106"``, ``"gm0784; Assen"``, ``"AM26"``.

    Returns
    -------
    found : tuple of str
        Region ids of the known parts, in the order typed, without repeats.
    problems : str
        A Dutch message naming every unknown part and the closest known municipalities
        (empty when every part is known).
    unknown : str
        The unknown parts, joined by ``", "`` (to leave in the search box for correction).

    Raises
    ------
    WorkbenchError
        For an empty text.
    """

    def one(query: str) -> tuple[str, ...]:
        hit = _OPTION.match(query)
        if hit and selectable(hit.group(1)):
            return (hit.group(1),)
        return resolve_all(query).codes  # a former municipality: its successor(s) of 2025

    text = str(text or "").strip()
    if not text:
        raise WorkbenchError("Typ de naam of de CBS-code van een gemeente.")
    try:
        return one(text), "", ""
    except UnknownRegionError:
        pass
    parts = [p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()]
    found: list[str] = []
    problems, unknown = [], []
    for part in parts:
        try:
            codes = one(part)
        except UnknownRegionError as exc:
            suggestions = [c for c in dict.fromkeys(_CODE.findall(str(exc))) if selectable(c)]
            hint = (
                "; bedoelt u " + " of ".join(f"{region_name(c)} ({c})" for c in suggestions) + "?"
                if suggestions
                else ""
            )
            problems.append(f"Onbekende gemeente of regio '{part}'{hint}")
            unknown.append(part)
            continue
        found.extend(code for code in codes if code not in found)
    return tuple(found), ". ".join(problems), ", ".join(unknown)


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


def indicator_names() -> dict[str, str]:
    """Return the Dutch label of every indicator, by id."""
    return {d.id: d.label for d in load_indicator_definitions()}


def scenario_names() -> dict[str, str]:
    """Return the Dutch name of every scenario (the baseline included), by id."""
    return {s.id: s.name for s in load_definitions().scenarios}


def validate(state: State) -> State:
    """Check a candidate state; raise :class:`WorkbenchError` with a Dutch message if invalid.

    Parameters
    ----------
    state : State
        The candidate.

    Returns
    -------
    State
        The state, with the horizon as an int.

    Raises
    ------
    WorkbenchError
        Naming the first problem found, in Dutch.
    """
    scenario_labels = scenario_names()
    future = [s.id for s in load_definitions().future_scenarios]
    indicators = {d.id: d for d in load_indicator_definitions()}
    if len(state.regions) > MAX_REGIONS:
        raise WorkbenchError(
            f"Te veel gemeenten: kies er hoogstens {MAX_REGIONS} om naast elkaar te tonen."
        )
    if len(set(state.regions)) != len(state.regions):
        raise WorkbenchError("Een gemeente staat dubbel in de keuze.")
    unknown = [r for r in state.regions if not selectable(r)]
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
        only = " en ".join(scenario_labels[s] for s in d.scenarios)
        raise WorkbenchError(
            f"De indicator '{d.label}' bestaat alleen voor {only}; kies dat scenario ook."
        )
    if state.ranking_scenario not in scenario_labels:
        raise WorkbenchError(f"Onbekend scenario voor de ranglijst: {state.ranking_scenario}.")
    d = indicators[state.ranking_variable]
    if d.scenarios is not None and state.ranking_scenario not in d.scenarios:
        only = " en ".join(scenario_labels[s] for s in d.scenarios)
        raise WorkbenchError(
            f"De ranglijst op '{d.label}' kan alleen voor {only}; kies dat scenario voor de "
            "ranglijst."
        )
    if isinstance(state.horizon, bool) or not BASE_YEAR < int(state.horizon) <= MAX_HORIZON:
        raise WorkbenchError(
            f"Het zichtjaar moet tussen {BASE_YEAR + 1} en {MAX_HORIZON} liggen, "
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
                f"({unit(a.unit).label})."
            ) from exc
        raise WorkbenchError(f"Onbekende aanname: {exc}") from exc
    return replace(state, horizon=int(state.horizon))
