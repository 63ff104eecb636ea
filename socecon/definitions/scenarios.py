"""Axes, scenarios and measures, the study's vocabulary: ``scenarios.yaml``, ``measures.yaml``.

``scenarios.yaml`` also declares the study itself (:class:`Study`: title, authors, year, the
municipalities it was made with), the one place the report's citations of the study come from.

The two files are parsed into frozen :class:`Axis`, :class:`Scenario` and :class:`Measure`
objects and cross-checked: every scenario takes one pole of every axis, the four scenarios span the
axes' grid once, there is one baseline, and scenarios list declared measures. The quota share and
the public employment share of a scenario refer to an assumption id of ``assumptions.yaml`` (their
one home); a plain number is accepted too (for small test declarations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from socecon.definitions.assumptions import Assumptions, load_assumptions
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    integer,
    list_of_entries,
    number,
    read_yaml,
    share,
    text,
    unique_ids,
    validated,
)

SCENARIOS_FILE = "scenarios.yaml"
MEASURES_FILE = "measures.yaml"
SCENARIO_KINDS = ("baseline", "scenario")
#: Who a quota binds: every firm (the seed's Regulier) or employers with 25+ staff (the 2015 law).
QUOTA_COVERAGES = ("all_firms", "employers_25_plus")


@dataclass(frozen=True)
class Study:
    """The seed study's bibliographic facts, as the report cites it.

    Attributes
    ----------
    title : str
        The study's Dutch title.
    authors : str
        Who made it, as the report names them ("TNO en zes gemeenten").
    year : int
        The year it appeared.
    municipalities : tuple of str
        The municipalities (and the ISD) it was made with, by their Dutch names.
    """

    title: str
    authors: str
    year: int
    municipalities: tuple[str, ...]

    @property
    def citation(self) -> str:
        """The study as a quote's source: ``"<title> (<authors>, <year>)"``."""
        return f"{self.title} ({self.authors}, {self.year})"


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
    coverage : str
        Who it binds: ``all_firms`` or ``employers_25_plus`` (:data:`QUOTA_COVERAGES`).
    """

    share: float
    productivity: ProductivityRange
    buy_out: bool
    from_year: int
    coverage: str = "all_firms"


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
    quote : str
        A few sentences of the seed's storyline, word for word (empty for the baseline); the
        report quotes them as the study's words.
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
    quote: str = ""

    @property
    def is_baseline(self) -> bool:
        """Whether this is the baseline rather than one of the four scenarios."""
        return self.kind == "baseline"


def _productivity(value: Any, item: str, problems: Problems) -> ProductivityRange | None:
    if not isinstance(value, Mapping):
        problems.add(item, f"productivity must be a mapping with low and high, got {value!r}")
        return None
    low = number(value.get("low"), item, "productivity low", problems)
    high = number(value.get("high"), item, "productivity high", problems)
    if low is None or high is None:
        return None
    if not 0 <= low < high <= 100:
        problems.add(
            item, f"productivity range {low:g}-{high:g} out of bounds (need 0 <= low < high <= 100)"
        )
        return None
    return ProductivityRange(low, high)


def _parse_axes(doc: Any, problems: Problems) -> tuple[Axis, ...]:
    entries = list_of_entries(doc, "axes", SCENARIOS_FILE, problems)
    unique_ids(entries, "axis", problems)
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
                name=text(entry, "name", item, problems),
                question=text(entry, "question", item, problems),
                poles=tuple(poles),  # type: ignore[arg-type]
            )
        )
    return tuple(axes)


def parse_study(doc: Any, problems: Problems) -> Study | None:
    """Read the ``study`` block of the parsed ``scenarios.yaml``, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    Study or None
        None when the block is missing or malformed (then ``problems`` says why).
    """
    raw = doc.get("study") if isinstance(doc, Mapping) else None
    if not isinstance(raw, Mapping):
        problems.add("study", f"must be a mapping with title, authors, year, got {raw!r}")
        return None
    year = integer(raw.get("year"), "study", "year", problems)
    names = raw.get("municipalities")
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        problems.add("study", f"municipalities must be a list of names, got {names!r}")
        names = []
    study = Study(
        title=text(raw, "title", "study", problems),
        authors=text(raw, "authors", "study", problems),
        year=year or 0,
        municipalities=tuple(n.strip() for n in names),
    )
    return None if year is None or not (study.title and study.authors) else study


def parse_measures(doc: Any, problems: Problems) -> tuple[Measure, ...]:
    """Turn the parsed ``measures.yaml`` into measures, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    tuple of Measure
    """
    entries = list_of_entries(doc, "measures", MEASURES_FILE, problems)
    unique_ids(entries, "measure", problems)
    return tuple(
        Measure(
            id=str(e.get("id")),
            name=text(e, "name", f"measure {e.get('id')!r}", problems),
            description=text(e, "description", f"measure {e.get('id')!r}", problems),
        )
        for e in entries
    )


def _parse_axes_of_scenario(
    entry: Mapping, item: str, axes: tuple[Axis, ...], problems: Problems
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


def _share_or_reference(
    value: Any,
    item: str,
    field: str,
    assumptions: Mapping[str, float] | None,
    problems: Problems,
) -> float | None:
    """Read a share given as a number, or as the id of the scalar assumption declaring it."""
    if isinstance(value, str):
        if assumptions is None:
            problems.add(
                item, f"{field} refers to assumption {value!r}, but there are no assumptions"
            )
            return None
        if value not in assumptions:
            problems.add(item, f"{field} refers to unknown assumption {value!r}")
            return None
        value = assumptions[value]
    return share(value, item, field, problems)


def _parse_quota(
    raw: Any, item: str, assumptions: Mapping[str, float] | None, problems: Problems
) -> Quota | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(item, f"quota must be a mapping, got {raw!r}")
        return None
    share_ = _share_or_reference(raw.get("share"), item, "quota share", assumptions, problems)
    productivity = _productivity(raw.get("productivity"), f"{item} quota", problems)
    year = raw.get("from_year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.add(item, f"quota from_year must be a year, got {year!r}")
    buy_out = raw.get("buy_out")
    if not isinstance(buy_out, bool):
        problems.add(item, f"quota buy_out must be true or false, got {buy_out!r}")
    coverage = raw.get("coverage", QUOTA_COVERAGES[0])
    if coverage not in QUOTA_COVERAGES:
        problems.add(item, f"quota coverage must be one of {QUOTA_COVERAGES}, got {coverage!r}")
        return None
    if share_ is None or productivity is None or not isinstance(year, int):
        return None
    return Quota(share_, productivity, bool(buy_out), year, str(coverage))


def _parse_scenario(
    entry: Mapping,
    axes: tuple[Axis, ...],
    measure_ids: set[str],
    assumptions: Mapping[str, float] | None,
    problems: Problems,
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
    public = entry.get("public_employment_share")
    return Scenario(
        id=str(entry.get("id")),
        name=text(entry, "name", item, problems),
        kind=str(kind),
        axes=axes_map,
        tagline=text(entry, "tagline", item, problems),
        employer_type=text(entry, "employer_type", item, problems),
        productivity=productivity,
        policy_principles=text(entry, "policy_principles", item, problems),
        policy_goals=text(entry, "policy_goals", item, problems),
        measures=tuple(str(m) for m in measures),
        storyline=text(entry, "storyline", item, problems),
        left_out=text(entry, "left_out", item, problems),
        quota=_parse_quota(entry.get("quota"), item, assumptions, problems),
        public_employment_share=None
        if public is None
        else _share_or_reference(public, item, "public_employment_share", assumptions, problems),
        quote=text(entry, "quote", item, problems, required=False, collapse=True),
    )


def _check_grid(scenarios: list[Scenario], axes: tuple[Axis, ...], problems: Problems) -> None:
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


def parse_scenarios(
    doc: Any,
    measure_ids: set[str],
    assumptions: Mapping[str, float] | None,
    problems: Problems,
) -> tuple[tuple[Axis, ...], tuple[Scenario, ...]]:
    """Turn the parsed ``scenarios.yaml`` into axes and scenarios, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document (None if it could not be read).
    measure_ids : set of str
        The declared measures.
    assumptions : mapping of str to float, optional
        Default value of each scalar assumption, for shares given by assumption id.
    problems : Problems

    Returns
    -------
    (tuple of Axis, tuple of Scenario)
        The scenarios with the baseline first.
    """
    if doc is None:
        return (), ()
    axes = _parse_axes(doc, problems)
    entries = list_of_entries(doc, "scenarios", SCENARIOS_FILE, problems)
    unique_ids(entries, "scenario", problems)
    scenarios = [_parse_scenario(e, axes, measure_ids, assumptions, problems) for e in entries]
    _check_grid(scenarios, axes, problems)
    scenarios.sort(key=lambda s: not s.is_baseline)
    return axes, tuple(scenarios)


def scalar_defaults(assumptions: Assumptions | None) -> dict[str, float] | None:
    """Default value of each scalar assumption, which a scenario's shares may refer to."""
    if assumptions is None:
        return None
    return {a.id: float(a.value) for a in assumptions if a.kind == "scalar"}


@dataclass(frozen=True)
class ScenarioSet:
    """The axes, measures and scenarios of the package's own declarations."""

    axes: tuple[Axis, ...]
    measures: tuple[Measure, ...]
    scenarios: tuple[Scenario, ...]
    study: Study

    @property
    def scenario_ids(self) -> tuple[str, ...]:
        """Every scenario id, the baseline first."""
        return tuple(s.id for s in self.scenarios)

    @property
    def future_ids(self) -> tuple[str, ...]:
        """The ids of the scenarios without the baseline."""
        return tuple(s.id for s in self.scenarios if not s.is_baseline)

    @property
    def measure_ids(self) -> tuple[str, ...]:
        """Every measure id."""
        return tuple(m.id for m in self.measures)


@cache
def package_scenarios() -> ScenarioSet:
    """Load the package's own axes, measures, scenarios and the study (cached).

    The other declarations (levers, indicators, hindcast, effects, options) are checked
    against these when loaded on their own.

    Returns
    -------
    ScenarioSet

    Raises
    ------
    DefinitionError
        Listing every problem of ``measures.yaml`` or ``scenarios.yaml``.
    """
    measures_path = DEFINITIONS_DIR / MEASURES_FILE
    measures = validated(measures_path, lambda p: parse_measures(read_yaml(measures_path, p), p))
    values = scalar_defaults(load_assumptions())
    ids = {m.id for m in measures}
    path = DEFINITIONS_DIR / SCENARIOS_FILE

    def parse(problems: Problems) -> tuple[Any, ...]:
        doc = read_yaml(path, problems)
        return (*parse_scenarios(doc, ids, values, problems), parse_study(doc, problems))

    axes, scenarios, study = validated(path, parse)
    return ScenarioSet(axes, measures, scenarios, study)
