"""The declarations layer: every YAML file of the study, loaded into frozen, validated objects.

The YAML files beside this package are the declarations; its modules turn each into frozen
objects with the shared building blocks of :mod:`~socecon.definitions.schema`, collecting every
problem by file and item before raising one :class:`~socecon.exceptions.DefinitionError`:

======================  =====================================================================
``scenarios.yaml``      axes and scenarios (:mod:`~socecon.definitions.scenarios`)
``measures.yaml``       the measures (maatregelen) (:mod:`~socecon.definitions.scenarios`)
``assumptions.yaml``    every number that is not CBS data (:mod:`~socecon.definitions.assumptions`)
``units.yaml``          units: Dutch label, kind, decimals, slider step (:mod:`~.units`)
``conventions.yaml``    national code, base year, horizons, default group (:mod:`~.conventions`)
``levers.yaml``         how each scenario works in the model (:mod:`~.levers`)
``indicators.yaml``     the indicators reported (:mod:`~.indicators`)
``groups.yaml``         named groups of municipalities, landsdelen (:mod:`~.groups`)
``hindcast.yaml``       what happened by 2020 (:mod:`~.hindcast`)
``measure_effects.yaml`` what each measure does and costs (:mod:`~.effects`)
``options.yaml``        policy options for the wind tunnel (:mod:`~.options`)
``windtunnel.yaml``     wind-tunnel criteria settings, verdict labels (:mod:`~.windtunnel`)
``corop_2015.yaml``     COROP regions of the 2015 municipalities (:mod:`~.corop`)
``cbs_tables.yaml``     the CBS tables and columns socecon reads (:mod:`~.cbs_tables`)
``peers.yaml``          the rule for comparable municipalities (:mod:`~.peers`)
``sources.yaml``        published figures behind sourced values, checked (:mod:`~.sources`)
======================  =====================================================================

This module is the face of the layer: :func:`load_definitions` validates all files of a folder
and cross-checks them (scenario, measure, assumption, indicator, unit and group ids), and the
conventions are exported as constants (:data:`NATIONAL_CODE`, :data:`DEFAULT_HORIZON`, ...).

Examples
--------
>>> from socecon.definitions import load_definitions, NATIONAL_CODE
>>> defs = load_definitions()
>>> defs.scenario("regulier").productivity.low, NATIONAL_CODE
(50.0, 'NL01')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from socecon.definitions.assumptions import (
    ASSUMPTIONS_FILE,
    Assumptions,
    load_assumptions,
    parse_assumptions,
)
from socecon.definitions.calibration import (
    CALIBRATION_FILE,
    CalibrationSpec,
    load_calibration,
    parse_calibration,
)
from socecon.definitions.cbs_tables import (
    CBS_TABLES_FILE,
    CBSTables,
    load_cbs_tables,
    parse_cbs_tables,
)
from socecon.definitions.conventions import (
    CONVENTIONS_FILE,
    Conventions,
    load_conventions,
    parse_conventions,
)
from socecon.definitions.corop import COROP_FILE, load_corop, parse_corop
from socecon.definitions.effects import (
    EFFECTS_FILE,
    MeasureEffects,
    load_measure_effects,
    parse_effects,
)
from socecon.definitions.groups import GROUPS_FILE, Group, load_groups, parse_groups
from socecon.definitions.hindcast import HINDCAST_FILE, Hindcast, load_hindcast, parse_hindcast
from socecon.definitions.indicators import (
    INDICATORS_FILE,
    IndicatorDefinition,
    load_indicator_definitions,
    parse_indicators,
)
from socecon.definitions.levers import LEVERS_FILE, Levers, load_levers, parse_levers
from socecon.definitions.options import OPTIONS_FILE, Option, load_options, parse_options
from socecon.definitions.peers import PEERS_FILE, PeerRule, load_peers, parse_peers
from socecon.definitions.scenarios import (
    MEASURES_FILE,
    SCENARIO_KINDS,
    SCENARIOS_FILE,
    Axis,
    Measure,
    Pole,
    ProductivityRange,
    Quota,
    Scenario,
    Study,
    package_scenarios,
    parse_measures,
    parse_scenarios,
    parse_study,
    scalar_defaults,
)
from socecon.definitions.schema import DEFINITIONS_DIR, Problems, raise_problems, read_yaml
from socecon.definitions.sources import SOURCES_FILE, Sources, load_sources, parse_sources
from socecon.definitions.units import UNITS_FILE, Units, load_units, parse_units
from socecon.definitions.windtunnel import (
    WINDTUNNEL_FILE,
    WindTunnelSettings,
    load_windtunnel,
    parse_windtunnel,
)
from socecon.exceptions import DefinitionError

__all__ = [
    "BASE_YEAR",
    "DEFAULT_GROUP",
    "DEFAULT_HORIZON",
    "DEFAULT_INDELING",
    "DEFINITIONS_DIR",
    "INDELINGEN",
    "LIMITS",
    "MAX_HORIZON",
    "MEASURES_FILE",
    "MODEL_CHANGES",
    "MODEL_VERSION",
    "MUNICIPALITY_CODE",
    "NATIONAL_CODE",
    "NATIONAL_NAME",
    "REGION_CODE",
    "REGION_KINDS",
    "REGION_SHAPES",
    "REPORT_ENV",
    "SCENARIOS_FILE",
    "SCENARIO_KINDS",
    "Axis",
    "Definitions",
    "Measure",
    "Pole",
    "ProductivityRange",
    "Quota",
    "Scenario",
    "Study",
    "load_definitions",
    "region_kind",
]

_CONVENTIONS = load_conventions()
#: CBS code of Nederland in the regional tables (``NL01``).
NATIONAL_CODE = _CONVENTIONS.national_code
#: Dutch name of Nederland.
NATIONAL_NAME = _CONVENTIONS.national_name
#: The CBS base year of the model.
BASE_YEAR = _CONVENTIONS.base_year
#: The seed study's horizon, the model's default.
DEFAULT_HORIZON = _CONVENTIONS.default_horizon
#: The farthest horizon the model accepts.
MAX_HORIZON = _CONVENTIONS.max_horizon
#: Group id of the study's municipalities (``participating``).
DEFAULT_GROUP = _CONVENTIONS.default_group
#: Every region code socecon knows: matches a whole code of any kind (compiled, ``^(...)$``).
REGION_CODE = _CONVENTIONS.region_code
#: Kind of region (``municipality``, ``province``, ``labour_market_region``, ``corop``,
#: ``landsdeel``, ``national``) to the pattern of its codes (use ``fullmatch``).
REGION_KINDS = MappingProxyType(_CONVENTIONS.region_kinds)
#: Kind of region to the letters and digits of its codes (``("GM", 4)``, ``("NL", 2)``, ...).
REGION_SHAPES = MappingProxyType(_CONVENTIONS.region_shapes)
#: The pattern of a municipality's code (``GM`` and four digits): every test whether a code is a
#: municipality's uses it, ``MUNICIPALITY_CODE.fullmatch(code)`` or, for a pandas column or
#: index, ``codes.str.fullmatch(MUNICIPALITY_CODE)``; never a literal prefix.
MUNICIPALITY_CODE = REGION_KINDS["municipality"]
#: Environment variable the batch runner sets so that charts render for the HTML report.
REPORT_ENV = _CONVENTIONS.report_environment
#: Resource limits: kernel memory, most samples, memory per sample (:class:`~.conventions.Limits`).
LIMITS = _CONVENTIONS.limits
#: The version of the model's computation, recorded in every report and export.
MODEL_VERSION = _CONVENTIONS.model_version
#: What changed against the previous model version (English and Dutch).
MODEL_CHANGES = _CONVENTIONS.model_changes
#: The municipal boundaries (indelingen, by year) the data come in, e.g. ``(2015, 2025)``.
INDELINGEN = _CONVENTIONS.indelingen
#: The indeling used wherever a user names a municipality without choosing one (2025).
DEFAULT_INDELING = _CONVENTIONS.default_indeling


def region_kind(code: str) -> str | None:
    """Return the kind of a region code by its declared pattern (``region_codes``).

    Parameters
    ----------
    code : str
        A region code such as ``GM0164``, ``AM26`` or ``NL01``.

    Returns
    -------
    str or None
        A key of :data:`REGION_KINDS` (``municipality``, ``labour_market_region``, ``national``,
        ...), or None if no declared pattern matches the whole code (a group id, a typo).

    Examples
    --------
    >>> region_kind("GM0164"), region_kind("AM26"), region_kind("participating")
    ('municipality', 'labour_market_region', None)
    """
    return next((kind for kind, pattern in REGION_KINDS.items() if pattern.fullmatch(code)), None)


@dataclass(frozen=True)
class Definitions:
    """All declarations, validated and cross-checked.

    The scenarios and measures are always declared; the other files are optional in a folder
    passed to :func:`load_definitions` (None when absent) and always present in the package's own.

    Attributes
    ----------
    axes : tuple of Axis
    measures : tuple of Measure
    scenarios : tuple of Scenario
        The baseline first (if declared), then the scenarios in file order.
    study : Study or None
        The study's bibliographic facts (``study`` in ``scenarios.yaml``; optional in a folder
        passed to :func:`load_definitions`, always present in the package's own).
    units : Units or None
        ``units.yaml``.
    conventions : Conventions or None
        ``conventions.yaml``.
    assumptions : Assumptions or None
        ``assumptions.yaml``.
    levers : Mapping of str to Levers, or None
        ``levers.yaml``, by scenario id.
    indicators : tuple of IndicatorDefinition, or None
        ``indicators.yaml``.
    groups : Mapping of str to Group, or None
        ``groups.yaml``, landsdelen included.
    hindcast : Hindcast or None
        ``hindcast.yaml``.
    effects : Mapping of str to MeasureEffects, or None
        ``measure_effects.yaml``, by measure id.
    options : tuple of Option, or None
        ``options.yaml``.
    corop : Mapping of str to (str, str), or None
        ``corop_2015.yaml``: municipality code to COROP code and name.
    cbs_tables : CBSTables or None
        ``cbs_tables.yaml``.
    windtunnel : WindTunnelSettings or None
        ``windtunnel.yaml``.
    calibration : CalibrationSpec or None
        ``calibration.yaml``.
    peers : PeerRule or None
        ``peers.yaml``.
    sources : Sources or None
        ``sources.yaml``, its derivations checked against the effects and assumptions.
    """

    axes: tuple[Axis, ...]
    measures: tuple[Measure, ...]
    scenarios: tuple[Scenario, ...]
    study: Study | None = None
    units: Units | None = None
    conventions: Conventions | None = None
    assumptions: Assumptions | None = None
    levers: Mapping[str, Levers] | None = None
    indicators: tuple[IndicatorDefinition, ...] | None = None
    groups: Mapping[str, Group] | None = None
    hindcast: Hindcast | None = None
    effects: Mapping[str, MeasureEffects] | None = None
    options: tuple[Option, ...] | None = None
    corop: Mapping[str, tuple[str, str]] | None = None
    cbs_tables: CBSTables | None = None
    windtunnel: WindTunnelSettings | None = None
    calibration: CalibrationSpec | None = None
    peers: PeerRule | None = None
    sources: Sources | None = None

    def scenario(self, scenario_id: str) -> Scenario:
        """Return the scenario with ``scenario_id``.

        Raises
        ------
        KeyError
            If there is no such scenario; the message lists the known ids.
        """
        return _by_id(self.scenarios, scenario_id, "scenario")

    def measure(self, measure_id: str) -> Measure:
        """Return the measure with ``measure_id``."""
        return _by_id(self.measures, measure_id, "measure")

    def axis(self, axis_id: str) -> Axis:
        """Return the axis with ``axis_id``."""
        return next(a for a in self.axes if a.id == axis_id)

    @property
    def baseline(self) -> Scenario:
        """The baseline scenario."""
        return next(s for s in self.scenarios if s.is_baseline)

    @property
    def future_scenarios(self) -> tuple[Scenario, ...]:
        """The four scenarios of the study, without the baseline."""
        return tuple(s for s in self.scenarios if not s.is_baseline)

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios)


def _by_id(items: tuple[Any, ...], item_id: str, what: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    known = ", ".join(item.id for item in items)
    raise KeyError(f"Unknown {what} {item_id!r}; known {what}s: {known}")


def load_definitions(directory: str | Path | None = None) -> Definitions:
    """Load, validate and cross-check every declarations file of a folder.

    Parameters
    ----------
    directory : str or Path, optional
        Folder with at least ``scenarios.yaml`` and ``measures.yaml``; the other files are
        validated when present. The package's own declarations by default (loaded once and
        cached).

    Returns
    -------
    Definitions
        Frozen, cross-checked declarations.

    Raises
    ------
    DefinitionError
        With every problem found in every file, each naming the file and item.
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@cache
def _load_default() -> Definitions:
    try:
        # Each file once, through the loaders' own caches (the model asks them too).
        scenarios = package_scenarios()
        defs = Definitions(
            axes=scenarios.axes,
            measures=scenarios.measures,
            scenarios=scenarios.scenarios,
            study=scenarios.study,
            units=load_units(),
            conventions=load_conventions(),
            assumptions=load_assumptions(),
            levers=MappingProxyType(load_levers()),
            indicators=load_indicator_definitions(),
            groups=MappingProxyType(load_groups()),
            hindcast=load_hindcast(),
            effects=MappingProxyType(load_measure_effects()),
            options=load_options(),
            corop=MappingProxyType(load_corop()),
            cbs_tables=load_cbs_tables(),
            windtunnel=load_windtunnel(),
            calibration=load_calibration(),
            peers=load_peers(),
            sources=load_sources(),
        )
        problems = Problems(CONVENTIONS_FILE)
        _check_conventions(defs, problems)
        problems.raise_if_any(DEFINITIONS_DIR / CONVENTIONS_FILE)
        return defs
    except DefinitionError:
        return _load(DEFINITIONS_DIR)  # report the problems of every file at once


def _load(directory: Path) -> Definitions:
    collected: list[Problems] = []

    def parse(name: str, parser: Callable[[Any, Problems], Any], required: bool = False) -> Any:
        problems = Problems(name)
        collected.append(problems)
        path = directory / name
        if not required and not path.is_file():
            return None
        doc = read_yaml(path, problems)
        return None if doc is None and problems else parser(doc, problems)

    units = parse(UNITS_FILE, parse_units)
    unit_ids = units.ids if units is not None else None
    conventions = parse(CONVENTIONS_FILE, parse_conventions)
    conventions_problems = collected[-1]
    assumptions = parse(ASSUMPTIONS_FILE, lambda d, p: parse_assumptions(d, p, unit_ids))
    measures = parse(MEASURES_FILE, parse_measures, required=True) or ()
    measure_ids = [m.id for m in measures]
    axes, scenarios = parse(
        SCENARIOS_FILE,
        lambda d, p: parse_scenarios(d, set(measure_ids), scalar_defaults(assumptions), p),
        required=True,
    ) or ((), ())
    study = parse(
        SCENARIOS_FILE,
        lambda d, p: parse_study(d, p) if isinstance(d, dict) and "study" in d else None,
        required=True,
    )
    ids = [s.id for s in scenarios]
    futures = [s.id for s in scenarios if not s.is_baseline]
    scalar_ids = list(scalar_defaults(assumptions) or {}) if assumptions is not None else None
    levers = parse(LEVERS_FILE, lambda d, p: parse_levers(d, p, ids, scalar_ids))
    indicators = parse(INDICATORS_FILE, lambda d, p: parse_indicators(d, p, unit_ids, ids))
    indicator_ids = [i.id for i in indicators] if indicators is not None else None
    hindcast = parse(HINDCAST_FILE, lambda d, p: parse_hindcast(d, p, futures, ids, indicator_ids))
    effects = parse(
        EFFECTS_FILE, lambda d, p: parse_effects(d, p, measure_ids, futures, assumptions)
    )
    defs = Definitions(
        axes=axes,
        measures=measures,
        scenarios=scenarios,
        study=study,
        units=units,
        conventions=conventions,
        assumptions=assumptions,
        levers=_frozen(levers),
        indicators=indicators,
        groups=_frozen(parse(GROUPS_FILE, parse_groups)),
        hindcast=hindcast,
        effects=_frozen(effects),
        options=parse(OPTIONS_FILE, lambda d, p: parse_options(d, p, measure_ids)),
        corop=_frozen(parse(COROP_FILE, parse_corop)),
        cbs_tables=parse(CBS_TABLES_FILE, parse_cbs_tables),
        windtunnel=parse(WINDTUNNEL_FILE, parse_windtunnel),
        calibration=parse(CALIBRATION_FILE, parse_calibration),
        peers=parse(PEERS_FILE, parse_peers),
        sources=parse(SOURCES_FILE, lambda d, p: parse_sources(d, p, effects, assumptions)),
    )
    _check_conventions(defs, conventions_problems)
    raise_problems(directory, collected)
    return defs


def _frozen(mapping: Mapping | None) -> Mapping | None:
    return None if mapping is None else MappingProxyType(dict(mapping))


def _check_conventions(defs: Definitions, problems: Problems) -> None:
    """Cross-check the conventions against the groups (default group) and the scenarios."""
    conventions = defs.conventions
    if conventions is None:
        return
    if defs.groups is not None and conventions.default_group not in defs.groups:
        problems.add(
            "default_group", f"{conventions.default_group!r} is not a group of groups.yaml"
        )
    if defs.groups is not None:
        pattern = conventions.region_code
        for gid in defs.groups:
            # The landsdelen of groups.yaml were read by the package's own pattern.
            if region_kind(gid) == "landsdeel" and not pattern.match(gid):
                problems.add("region_codes", f"no kind matches the landsdeel {gid!r}")
    for scenario in defs.scenarios:
        if scenario.id not in conventions.chart_colors:
            problems.add("chart_colors", f"no colour for the scenario {scenario.id!r}")
