"""Published figures behind the sourced values, declared once in ``sources.yaml``.

A :class:`Source` is a publication (title, publisher, year, URL, where in it, reliability); a
:class:`Figure` is one number as printed in it, with the quote it is read from; a
:class:`Derivation` says how a declared value of ``measure_effects.yaml`` or
``assumptions.yaml`` follows from figures (one of :data:`RULES`). Loading recomputes every
derived value and reports each one that differs from its declaration, so a sourced value cannot
drift from its source; it also reports a measure effect or programme cost tagged C, C2 or D
without a derivation, and a tag that does not match the figures it rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.assumptions import Assumptions, load_assumptions
from socecon.definitions.effects import MeasureEffects, load_measure_effects
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    choice,
    integer,
    list_of_entries,
    number,
    read_yaml,
    text,
    unique_ids,
    validated,
)

SOURCES_FILE = "sources.yaml"
#: Reliability tags a source can have: a figure read in it is confirmed (assumptions.yaml).
SOURCE_TAGS = ("C", "C2")
#: The declared fields a derivation can compute.
FIELDS = ("value", "low", "high")
#: Tags of a sourced value: it needs a derivation when it is a measure effect or cost.
SOURCED_TAGS = ("C", "C2", "D")


@dataclass(frozen=True)
class Source:
    """A publication a figure is read from."""

    id: str
    title: str
    publisher: str
    year: int
    url: str
    locator: str
    reliability: str


@dataclass(frozen=True)
class Figure:
    """One number as printed in a source, with the words it is read from."""

    id: str
    source: str
    value: float
    unit: str
    quote: str


@dataclass(frozen=True)
class Derivation:
    """How one field of a declared value follows from figures.

    Attributes
    ----------
    target : str
        ``assumption X``, ``measure M effect on X`` or ``measure M cost``.
    field : str
        One of :data:`FIELDS`.
    rule : str
        One of :data:`RULES`.
    figures : Mapping of str to str or tuple of str
        The rule's arguments that name figures.
    per : float or None
        The ``net_rate`` scale (places per ``per`` jobs).
    digits : int or None
        Rounding of the declared value.
    declared, derived : float
    reliability : str
        The target's declared tag.
    """

    target: str
    field: str
    rule: str
    figures: Mapping[str, Any]
    per: float | None
    digits: int | None
    declared: float
    derived: float
    reliability: str

    @property
    def figure_ids(self) -> tuple[str, ...]:
        """Every figure the derivation uses."""
        out: list[str] = []
        for ref in self.figures.values():
            out.extend([ref] if isinstance(ref, str) else ref)
        return tuple(out)


@dataclass(frozen=True)
class Sources:
    """``sources.yaml``: sources and figures by id, and the derivations in file order."""

    sources: Mapping[str, Source]
    figures: Mapping[str, Figure]
    derived: tuple[Derivation, ...]


def _figure(v: Mapping[str, float], a: Mapping[str, Any], per: float | None) -> float:
    return v[a["figure"]]


def _difference(v: Mapping[str, float], a: Mapping[str, Any], per: float | None) -> float:
    return v[a["of"]] - v[a["minus"]]


def _net_rate(v: Mapping[str, float], a: Mapping[str, Any], per: float | None) -> float:
    filled = [v[f] for f in a["filled_anyway"]]
    return v[a["count"]] / v[a["base"]] * per * (1 - sum(filled) / len(filled))  # type: ignore[operator]


#: Rule name to (its figure arguments, the function of figure values and arguments).
RULES: Mapping[str, tuple[tuple[str, ...], Callable[..., float]]] = {
    "figure": (("figure",), _figure),
    "difference": (("of", "minus"), _difference),
    "net_rate": (("count", "base", "filled_anyway"), _net_rate),
}


def parse_sources(
    doc: Any,
    problems: Problems,
    effects: Mapping[str, MeasureEffects] | None,
    assumptions: Assumptions | None,
) -> Sources:
    """Turn the parsed ``sources.yaml`` into sources, figures and checked derivations.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    effects : Mapping of str to MeasureEffects, optional
        The measure effects (``measure_effects.yaml``); derivations of them are checked, and
        every effect or cost tagged C, C2 or D needs one.
    assumptions : Assumptions, optional
        The assumptions (``assumptions.yaml``); derivations of them are checked.

    Returns
    -------
    Sources
    """
    sources = _parse_sources(list_of_entries(doc, "sources", SOURCES_FILE, problems), problems)
    figures = _parse_figures(
        list_of_entries(doc, "figures", SOURCES_FILE, problems), sources, problems
    )
    entries = list_of_entries(doc, "derived", SOURCES_FILE, problems) if doc else []
    derived: list[Derivation] = []
    for i, entry in enumerate(entries):
        derived.extend(_parse_derived(entry, i, figures, effects, assumptions, problems))
    for d in derived:
        _check(d, figures, sources, problems)
    if effects is not None:
        done = {d.target for d in derived}
        for me in effects.values():
            targets = [
                (f"measure {me.measure!r} effect on {e.assumption!r}", e) for e in me.effects
            ]
            for target, item in [*targets, (f"measure {me.measure!r} cost", me.cost)]:
                if item.reliability in SOURCED_TAGS and target not in done:
                    problems.add(target, f"tagged {item.reliability} but derived from no figure")
    return Sources(sources, figures, tuple(derived))


def _parse_sources(entries: list[Mapping], problems: Problems) -> dict[str, Source]:
    unique_ids(entries, "sources", problems)
    out = {}
    for entry in entries:
        item = f"source {entry.get('id')!r}"
        fields = [text(entry, k, item, problems) for k in ("title", "publisher", "url", "locator")]
        year = integer(entry.get("year"), item, "year", problems)
        tag = entry.get("reliability")
        if choice(tag, SOURCE_TAGS, item, "reliability", problems) and all(fields) and year:
            title, publisher, url, locator = fields
            out[str(entry["id"])] = Source(
                str(entry["id"]), title, publisher, year, url, locator, str(tag)
            )
    return out


def _parse_figures(
    entries: list[Mapping], sources: Mapping[str, Source], problems: Problems
) -> dict[str, Figure]:
    unique_ids(entries, "figures", problems)
    out = {}
    for entry in entries:
        item = f"figure {entry.get('id')!r}"
        source = entry.get("source")
        if source not in sources:
            problems.add(item, f"unknown source {source!r}")
        value = number(entry.get("value"), item, "value", problems)
        unit, quote = (text(entry, k, item, problems, collapse=True) for k in ("unit", "quote"))
        if source in sources and value is not None and unit and quote:
            out[str(entry["id"])] = Figure(str(entry["id"]), str(source), value, unit, quote)
    return out


def _target(
    entry: Mapping,
    effects: Mapping[str, MeasureEffects] | None,
    assumptions: Assumptions | None,
    problems: Problems,
    index: int,
) -> tuple[str, Any] | None:
    """Return the target's name and declared object (an Effect, MeasureCost or Assumption)."""
    measure, key = entry.get("measure"), entry.get("assumption")
    if measure is None:
        if assumptions is None or key not in assumptions.ids:
            problems.add(f"derived[{index}]", f"unknown assumption {key!r}")
            return None
        return f"assumption {key!r}", assumptions[key]
    if effects is None or measure not in effects:
        problems.add(f"derived[{index}]", f"unknown measure {measure!r}")
        return None
    if entry.get("cost") is True:
        return f"measure {measure!r} cost", effects[measure].cost
    found = next((e for e in effects[measure].effects if e.assumption == key), None)
    if found is None:
        problems.add(f"derived[{index}]", f"measure {measure!r} has no effect on {key!r}")
        return None
    return f"measure {measure!r} effect on {key!r}", found


def _parse_derived(
    entry: Mapping,
    index: int,
    figures: Mapping[str, Figure],
    effects: Mapping[str, MeasureEffects] | None,
    assumptions: Assumptions | None,
    problems: Problems,
) -> list[Derivation]:
    found = _target(entry, effects, assumptions, problems, index)
    if found is None:
        return []
    target, declared = found
    out = []
    fields = [f for f in FIELDS if f in entry]
    if not fields:
        problems.add(target, f"derived entry computes none of {', '.join(FIELDS)}")
    for field in fields:
        spec = entry[field]
        item = f"{target} {field}"
        rule = spec.get("rule") if isinstance(spec, Mapping) else None
        if not choice(rule, tuple(RULES), item, "rule", problems):
            continue
        names, compute = RULES[rule]
        args = {n: spec.get(n) for n in names}
        lists = [n for n in names if n == "filled_anyway" and not isinstance(args[n], list)]
        if lists:
            problems.add(item, f"{lists[0]} must be a list of figures, got {args[lists[0]]!r}")
            continue
        refs = [r for v in args.values() for r in ([v] if isinstance(v, str) else v or [None])]
        missing = [r for r in refs if r not in figures]
        if missing:
            problems.add(item, f"unknown figure(s) {', '.join(map(repr, missing))}")
            continue
        per = number(spec.get("per"), item, "per", problems, required=rule == "net_rate")
        digits = spec.get("digits")
        bad_digits = digits is not None and integer(digits, item, "digits", problems) is None
        declared_value = getattr(declared, field)
        no_number = not isinstance(declared_value, int | float)
        if no_number:
            problems.add(item, f"the target declares no number {field}, got {declared_value!r}")
        if bad_digits or no_number or (rule == "net_rate" and per is None):
            continue
        values = {f.id: f.value for f in figures.values()}
        derived = compute(values, args, per)
        out.append(
            Derivation(
                target,
                field,
                str(rule),
                args,
                per,
                digits,
                declared_value,
                round(derived, digits) if digits is not None else derived,
                declared.reliability,
            )
        )
    return out


def _check(
    d: Derivation, figures: Mapping[str, Figure], sources: Mapping[str, Source], problems: Problems
) -> None:
    """Report a derived value that differs from its declaration, or a tag that does not fit."""
    item = f"{d.target} {d.field}"
    if d.declared != d.derived:
        problems.add(item, f"declared {d.declared:g}, but its figures give {d.derived:g}")
    tags = {sources[figures[f].source].reliability for f in d.figure_ids}
    if d.reliability in SOURCE_TAGS:
        if d.rule != "figure" or tags != {d.reliability}:
            problems.add(
                item, f"tagged {d.reliability}: must be one figure from a {d.reliability} source"
            )
    elif d.reliability != "D":
        problems.add(item, f"tagged {d.reliability}, but derived from figures: tag it D")


def load_sources(path: str | Path | None = None) -> Sources:
    """Load ``sources.yaml`` and check every derivation against the package's declarations.

    Parameters
    ----------
    path : str or Path, optional
        A ``sources.yaml``; the package's own by default (cached).

    Returns
    -------
    Sources

    Raises
    ------
    DefinitionError
        Listing every problem: unknown sources, figures or targets, a derived value that differs
        from its declaration, a tag that does not fit, a sourced effect without a derivation.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / SOURCES_FILE)


@cache
def _load(path: Path) -> Sources:
    effects, assumptions = load_measure_effects(), load_assumptions()
    return validated(path, lambda p: parse_sources(read_yaml(path, p), p, effects, assumptions))
