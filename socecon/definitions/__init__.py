"""The study's vocabulary: axes, scenarios and measures, declared in YAML and loaded validated.

The YAML files beside this module are the declarations; this module turns them into frozen
objects and checks them. Every problem found is collected, then raised once as a
:class:`~socecon.exceptions.DefinitionError` that names the file, the item and the problem.

Examples
--------
>>> from socecon.definitions import load_definitions
>>> defs = load_definitions()
>>> defs.scenario("regulier").productivity.low
50.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from socecon.exceptions import DefinitionError

DEFINITIONS_DIR = Path(__file__).resolve().parent
SCENARIOS_FILE = "scenarios.yaml"
MEASURES_FILE = "measures.yaml"
SCENARIO_KINDS = ("baseline", "scenario")


@dataclass(frozen=True)
class Measure:
    """A policy measure (maatregel) of the study.

    Attributes
    ----------
    id : str
        Identifier that scenarios refer to.
    name : str
        Dutch name, as shown in reports.
    description : str
        Dutch description.
    """

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Pole:
    """One end of a scenario axis."""

    id: str
    label: str


@dataclass(frozen=True)
class Axis:
    """A core uncertainty of the study, with its two poles."""

    id: str
    name: str
    question: str
    poles: tuple[Pole, Pole]

    def pole(self, pole_id: str) -> Pole:
        """Return the pole with ``pole_id``."""
        return next(p for p in self.poles if p.id == pole_id)


@dataclass(frozen=True)
class ProductivityRange:
    """A closed range of productivity (loonwaarde), in percent of a regular worker.

    Attributes
    ----------
    low, high : float
        Bounds in percent, ``0 <= low < high <= 100``.
    """

    low: float
    high: float

    def contains(self, productivity: float) -> bool:
        """Return whether ``productivity`` (percent) lies in the closed range."""
        return self.low <= productivity <= self.high

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g} %"


@dataclass(frozen=True)
class Quota:
    """An employment quota as in the Regulier scenario.

    Attributes
    ----------
    share : float
        Minimum share of employees from the target group (0.05 = 5 %).
    productivity : ProductivityRange
        Productivity of the workers who count towards the quota.
    buy_out : bool
        Whether employers can buy themselves out (afbetaling).
    from_year : int
        Year the quota starts.
    """

    share: float
    productivity: ProductivityRange
    buy_out: bool
    from_year: int


@dataclass(frozen=True)
class Scenario:
    """A scenario of the study, or the baseline.

    Attributes
    ----------
    id, name, kind : str
        Identifier, Dutch name, and ``"scenario"`` or ``"baseline"``.
    axes : Mapping[str, str]
        Axis id to pole id (empty for the baseline).
    tagline : str
        The seed's "In 2020 ..." sentence.
    employer_type, policy_principles, policy_goals : str
        The rows of the seed's summary table, in Dutch.
    productivity : ProductivityRange or None
        The productivity served (None for the baseline, which is observed data).
    measures : tuple of str
        Ids of the measures (maatregelen).
    storyline, left_out : str
        Dutch summary of the storyline and of who falls outside the boat.
    quota : Quota or None
        The quota rule (Regulier only).
    public_employment_share : float or None
        Share of all employment in municipal work companies (Publiek only).
    """

    id: str
    name: str
    kind: str
    axes: Mapping[str, str]
    tagline: str
    employer_type: str
    productivity: ProductivityRange | None
    policy_principles: str
    policy_goals: str
    measures: tuple[str, ...]
    storyline: str
    left_out: str
    quota: Quota | None = None
    public_employment_share: float | None = None

    @property
    def is_baseline(self) -> bool:
        """Whether this is the baseline rather than one of the four scenarios."""
        return self.kind == "baseline"


@dataclass(frozen=True)
class Definitions:
    """All declarations, validated and cross-checked.

    Attributes
    ----------
    axes : tuple of Axis
    measures : tuple of Measure
    scenarios : tuple of Scenario
        The baseline first (if declared), then the scenarios in file order.
    """

    axes: tuple[Axis, ...]
    measures: tuple[Measure, ...]
    scenarios: tuple[Scenario, ...]

    def scenario(self, scenario_id: str) -> Scenario:
        """Return the scenario with ``scenario_id``.

        Raises
        ------
        KeyError
            If there is no such scenario; the message lists the known ids.
        """
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        known = ", ".join(s.id for s in self.scenarios)
        raise KeyError(f"Unknown scenario {scenario_id!r}; known scenarios: {known}")

    def measure(self, measure_id: str) -> Measure:
        """Return the measure with ``measure_id``."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        known = ", ".join(m.id for m in self.measures)
        raise KeyError(f"Unknown measure {measure_id!r}; known measures: {known}")

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


class _Problems:
    """Collects problems for one file, so that all are reported at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, item: str, message: str) -> None:
        self.items.append(f"{item}: {message}")


def _read_yaml(path: Path, problems: _Problems) -> Any:
    if not path.is_file():
        problems.add(path.name, "file not found")
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.add(path.name, f"not valid YAML ({exc})")
        return None


def _text(entry: Mapping, key: str, item: str, problems: _Problems, required: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            problems.add(item, f"missing field {key!r}")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.add(item, f"field {key!r} must be non-empty text, got {value!r}")
        return ""
    return value.strip()


def _list_of_entries(doc: Any, key: str, file: str, problems: _Problems) -> list[Mapping]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get(key), list):
        problems.add(file, f"expected a top-level list {key!r}")
        return []
    entries = []
    for i, entry in enumerate(doc[key]):
        if isinstance(entry, Mapping):
            entries.append(entry)
        else:
            problems.add(f"{key}[{i}]", f"expected a mapping, got {entry!r}")
    return entries


def _unique_ids(entries: list[Mapping], kind: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        ident = entry.get("id")
        if not isinstance(ident, str) or not ident:
            problems.add(f"{kind}[{i}]", f"missing or invalid id {ident!r}")
        elif ident in seen:
            problems.add(f"{kind} {ident!r}", "duplicate id")
        else:
            seen.add(ident)


def _number(value: Any, item: str, field: str, problems: _Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(item, f"{field} must be a number, got {value!r}")
        return None
    return float(value)


def _productivity(value: Any, item: str, problems: _Problems) -> ProductivityRange | None:
    if not isinstance(value, Mapping):
        problems.add(item, f"productivity must be a mapping with low and high, got {value!r}")
        return None
    low = _number(value.get("low"), item, "productivity low", problems)
    high = _number(value.get("high"), item, "productivity high", problems)
    if low is None or high is None:
        return None
    if not 0 <= low < high <= 100:
        problems.add(
            item, f"productivity range {low:g}-{high:g} out of bounds (need 0 <= low < high <= 100)"
        )
        return None
    return ProductivityRange(low, high)


def _share(value: Any, item: str, field: str, problems: _Problems) -> float | None:
    share = _number(value, item, field, problems)
    if share is not None and not 0 < share <= 1:
        problems.add(item, f"{field} must be a share in (0, 1], got {share:g}")
        return None
    return share


def _parse_axes(doc: Any, problems: _Problems) -> tuple[Axis, ...]:
    entries = _list_of_entries(doc, "axes", SCENARIOS_FILE, problems)
    _unique_ids(entries, "axis", problems)
    axes = []
    for entry in entries:
        item = f"axis {entry.get('id')!r}"
        poles_raw = entry.get("poles")
        poles: list[Pole] = []
        if not isinstance(poles_raw, list) or len(poles_raw) != 2:
            problems.add(item, "needs exactly two poles")
        else:
            for pole in poles_raw:
                if isinstance(pole, Mapping) and pole.get("id") and pole.get("label"):
                    poles.append(Pole(str(pole["id"]), str(pole["label"])))
                else:
                    problems.add(item, f"pole needs an id and a label, got {pole!r}")
        if len(poles) == 2 and poles[0].id == poles[1].id:
            problems.add(item, f"both poles have the id {poles[0].id!r}")
        axes.append(
            Axis(
                id=str(entry.get("id")),
                name=_text(entry, "name", item, problems),
                question=_text(entry, "question", item, problems),
                poles=tuple(poles),  # type: ignore[arg-type]
            )
        )
    return tuple(axes)


def _parse_measures(doc: Any, problems: _Problems) -> tuple[Measure, ...]:
    entries = _list_of_entries(doc, "measures", MEASURES_FILE, problems)
    _unique_ids(entries, "measure", problems)
    return tuple(
        Measure(
            id=str(e.get("id")),
            name=_text(e, "name", f"measure {e.get('id')!r}", problems),
            description=_text(e, "description", f"measure {e.get('id')!r}", problems),
        )
        for e in entries
    )


def _parse_axes_of_scenario(
    entry: Mapping, item: str, axes: tuple[Axis, ...], problems: _Problems
) -> Mapping[str, str]:
    raw = entry.get("axes") or {}
    if not isinstance(raw, Mapping):
        problems.add(item, f"axes must be a mapping of axis to pole, got {raw!r}")
        return MappingProxyType({})
    known = {a.id: a for a in axes}
    for axis_id in raw:
        if axis_id not in known:
            problems.add(item, f"unknown axis {axis_id!r}")
    for axis in axes:
        pole = raw.get(axis.id)
        if pole is None:
            problems.add(item, f"missing axis {axis.id!r}")
        elif pole not in {p.id for p in axis.poles}:
            poles = ", ".join(p.id for p in axis.poles)
            problems.add(item, f"axis {axis.id!r} has unknown pole {pole!r} (known: {poles})")
    return MappingProxyType({str(k): str(v) for k, v in raw.items()})


def _parse_quota(raw: Any, item: str, problems: _Problems) -> Quota | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(item, f"quota must be a mapping, got {raw!r}")
        return None
    share = _share(raw.get("share"), item, "quota share", problems)
    productivity = _productivity(raw.get("productivity"), f"{item} quota", problems)
    year = raw.get("from_year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.add(item, f"quota from_year must be a year, got {year!r}")
    buy_out = raw.get("buy_out")
    if not isinstance(buy_out, bool):
        problems.add(item, f"quota buy_out must be true or false, got {buy_out!r}")
    if share is None or productivity is None or not isinstance(year, int):
        return None
    return Quota(share, productivity, bool(buy_out), year)


def _parse_scenario(
    entry: Mapping, axes: tuple[Axis, ...], measure_ids: set[str], problems: _Problems
) -> Scenario:
    item = f"scenario {entry.get('id')!r}"
    kind = entry.get("kind", "scenario")
    if kind not in SCENARIO_KINDS:
        problems.add(item, f"kind must be one of {SCENARIO_KINDS}, got {kind!r}")
    is_baseline = kind == "baseline"
    if is_baseline:
        axes_map: Mapping[str, str] = MappingProxyType(dict(entry.get("axes") or {}))
        productivity = (
            None
            if entry.get("productivity") is None
            else _productivity(entry["productivity"], item, problems)
        )
    else:
        axes_map = _parse_axes_of_scenario(entry, item, axes, problems)
        productivity = _productivity(entry.get("productivity"), item, problems)
    measures = entry.get("measures")
    if not isinstance(measures, list) or not measures:
        problems.add(item, "measures must be a non-empty list of measure ids")
        measures = []
    for m in measures:
        if m not in measure_ids:
            problems.add(item, f"unknown measure {m!r} (not declared in {MEASURES_FILE})")
    if len(set(measures)) != len(measures):
        problems.add(item, "a measure is listed twice")
    share = entry.get("public_employment_share")
    return Scenario(
        id=str(entry.get("id")),
        name=_text(entry, "name", item, problems),
        kind=str(kind),
        axes=axes_map,
        tagline=_text(entry, "tagline", item, problems),
        employer_type=_text(entry, "employer_type", item, problems),
        productivity=productivity,
        policy_principles=_text(entry, "policy_principles", item, problems),
        policy_goals=_text(entry, "policy_goals", item, problems),
        measures=tuple(str(m) for m in measures),
        storyline=_text(entry, "storyline", item, problems),
        left_out=_text(entry, "left_out", item, problems),
        quota=_parse_quota(entry.get("quota"), item, problems),
        public_employment_share=None
        if share is None
        else _share(share, item, "public_employment_share", problems),
    )


def _check_grid(scenarios: list[Scenario], axes: tuple[Axis, ...], problems: _Problems) -> None:
    """Check that the scenarios span the axes' grid, each combination exactly once."""
    futures = [s for s in scenarios if not s.is_baseline]
    combos: dict[tuple[str, ...], str] = {}
    for s in futures:
        key = tuple(s.axes.get(a.id, "") for a in axes)
        if key in combos:
            problems.add(
                f"scenario {s.id!r}", f"takes the same poles {key} as scenario {combos[key]!r}"
            )
        combos[key] = s.id
    if all(len(a.poles) == 2 for a in axes):
        grid = [()]
        for axis in axes:
            grid = [(*g, pole.id) for g in grid for pole in axis.poles]
        for key in grid:
            if key not in combos:
                problems.add(SCENARIOS_FILE, f"no scenario takes the poles {key}")
    baselines = [s.id for s in scenarios if s.is_baseline]
    if len(baselines) != 1:
        problems.add(SCENARIOS_FILE, f"expected exactly one baseline, found {baselines}")


def _validated(path: Path, parse: Callable[[_Problems], Any]) -> Any:
    problems = _Problems()
    result = parse(problems)
    if problems.items:
        raise DefinitionError(str(path), problems.items)
    return result


def load_definitions(directory: str | Path | None = None) -> Definitions:
    """Load and validate the scenario and measure declarations.

    Parameters
    ----------
    directory : str or Path, optional
        Folder with ``scenarios.yaml`` and ``measures.yaml``; the package's own declarations by
        default (loaded once and cached).

    Returns
    -------
    Definitions
        Frozen, cross-checked declarations.

    Raises
    ------
    DefinitionError
        With every problem found, each naming the file and item.
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@cache
def _load_default() -> Definitions:
    return _load(DEFINITIONS_DIR)


def _load(directory: Path) -> Definitions:
    measures = _validated(
        directory / MEASURES_FILE,
        lambda p: _parse_measures(_read_yaml(directory / MEASURES_FILE, p), p),
    )
    measure_ids = {m.id for m in measures}

    def parse_scenarios(problems: _Problems) -> tuple[tuple[Axis, ...], tuple[Scenario, ...]]:
        doc = _read_yaml(directory / SCENARIOS_FILE, problems)
        if doc is None:
            return (), ()
        axes = _parse_axes(doc, problems)
        entries = _list_of_entries(doc, "scenarios", SCENARIOS_FILE, problems)
        _unique_ids(entries, "scenario", problems)
        scenarios = [_parse_scenario(e, axes, measure_ids, problems) for e in entries]
        _check_grid(scenarios, axes, problems)
        scenarios.sort(key=lambda s: not s.is_baseline)
        return axes, tuple(scenarios)

    axes, scenarios = _validated(directory / SCENARIOS_FILE, parse_scenarios)
    return Definitions(axes=axes, measures=measures, scenarios=scenarios)
