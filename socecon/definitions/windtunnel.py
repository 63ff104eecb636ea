"""The wind tunnel's criteria and verdict labels, declared once in ``windtunnel.yaml``.

:mod:`socecon.analysis.criteria` defines and applies the criteria; this module only reads and
validates their settings: the satisficing threshold, the regret percentile and tolerance, the
confidence level of firm verdicts, the default sample count, and the Dutch label and colour of
every cell status and verdict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    RELIABILITY,
    Problems,
    choice,
    id_list,
    integer,
    number,
    read_yaml,
    share,
    text,
    validated,
)

WINDTUNNEL_FILE = "windtunnel.yaml"
#: The cell statuses and verdicts the criteria produce; the file must label each of them.
CELL_STATUSES = ("holds", "goal_not_met", "too_much_regret", "undecided", "no_target_group")
VERDICTS = ("robust", "scenario_dependent", "fragile", "undecided", "dominated", "no_target_group")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Label:
    """A Dutch label and its colour (``#rrggbb``)."""

    label: str
    color: str


@dataclass(frozen=True)
class DiscoverySettings:
    """The settings of scenario discovery (PRIM; see :mod:`socecon.analysis.discovery`)."""

    peel_alpha: float
    min_mass: float
    min_coverage: float
    max_restrictions: int
    drop_tolerance: float
    min_lift: float
    max_cases: int


@dataclass(frozen=True)
class GoalDefault:
    """The default of one goal part and the range of its workbench slider (from 0)."""

    value: float
    slider_max: float
    slider_step: float


#: The goal parts with a declared default (the fields of ``default_goal``).
GOAL_PARTS = ("participation_min", "net_cost_per_placed_max")


@dataclass(frozen=True)
class OverlapSettings:
    """How overlapping measures on one lever combine (see ``overlap`` in ``windtunnel.yaml``).

    Attributes
    ----------
    share : float
        In [0, 1]: the weight of every effect after the strongest on the same lever.
    levers : tuple of str
        The scalar assumptions the rule applies to; effects on others add up in full.
    source, reliability : str
    """

    share: float
    levers: tuple[str, ...]
    source: str
    reliability: str


@dataclass(frozen=True)
class WindTunnelSettings:
    """The declared criteria settings (see ``windtunnel.yaml``)."""

    threshold: float
    regret_percentile: float
    regret_tolerance: float
    confidence_level: float
    samples: int
    second_look: int
    cell_status: Mapping[str, Label]
    verdicts: Mapping[str, Label]
    discovery: DiscoverySettings
    drivers_shown: int
    default_goal: Mapping[str, GoalDefault]
    overlap: OverlapSettings
    close_call_share: float
    close_call_regret: float
    close_call_decide_at_last_look: bool


def _default_goal(doc: Mapping, problems: Problems) -> dict[str, GoalDefault]:
    block = doc.get("default_goal")
    if not isinstance(block, dict):
        problems.add("default_goal", f"expected a mapping of {', '.join(GOAL_PARTS)}")
        return {}
    for extra in sorted(set(block) - set(GOAL_PARTS)):
        problems.add(f"default_goal.{extra}", f"unknown; expected one of {', '.join(GOAL_PARTS)}")
    out = {}
    for part in GOAL_PARTS:
        entry = block.get(part)
        where = f"default_goal.{part}"
        fields = ("value", "slider_max", "slider_step")
        if not isinstance(entry, dict) or set(entry) != set(fields):
            problems.add(where, f"expected a mapping with {', '.join(fields)}, got {entry!r}")
            continue
        numbers = [entry[f] for f in fields]
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in numbers):
            problems.add(where, f"every field must be a number, got {entry!r}")
            continue
        value, high, step = (float(v) for v in numbers)
        if not (0 <= value <= high and 0 < step <= high):
            problems.add(
                where, f"needs 0 <= value <= slider_max and 0 < slider_step, got {entry!r}"
            )
            continue
        out[part] = GoalDefault(value, high, step)
    return out


def _labels(doc: Mapping, key: str, ids: tuple[str, ...], problems: Problems) -> dict:
    block = doc.get(key)
    if not isinstance(block, dict):
        problems.add(key, "expected a mapping of id to label and color")
        return {}
    out = {}
    for extra in sorted(set(block) - set(ids)):
        problems.add(f"{key}.{extra}", f"unknown; expected one of {', '.join(ids)}")
    for i in ids:
        entry = block.get(i)
        if not isinstance(entry, dict):
            problems.add(f"{key}.{i}", "missing (needs label and color)")
            continue
        label = text(entry, "label", f"{key}.{i}", problems)
        color = entry.get("color")
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            problems.add(f"{key}.{i}", f"color must be '#rrggbb', got {color!r}")
        out[i] = Label(label, str(color))
    return out


def _discovery(doc: Mapping, problems: Problems) -> DiscoverySettings | None:
    block = doc.get("discovery")
    if not isinstance(block, dict):
        problems.add("discovery", "expected a mapping of PRIM settings")
        return None
    where = "discovery"
    values: dict[str, Any] = {}
    for key in ("peel_alpha", "min_mass", "min_coverage", "drop_tolerance"):
        values[key] = share(block.get(key), f"{where}.{key}", "the value", problems)
    for key in ("max_restrictions", "max_cases"):
        values[key] = integer(block.get(key), f"{where}.{key}", "the value", problems)
        if values[key] is not None and values[key] < 1:
            problems.add(f"{where}.{key}", f"must be at least 1, got {values[key]}")
    lift = block.get("min_lift")
    if isinstance(lift, bool) or not isinstance(lift, int | float) or not lift >= 1:
        problems.add(f"{where}.min_lift", f"must be a number >= 1, got {lift!r}")
    values["min_lift"] = lift
    for extra in sorted(set(block) - set(values)):
        problems.add(f"{where}.{extra}", "unknown setting")
    if problems:
        return None
    return DiscoverySettings(**values)


def _overlap(doc: Mapping, problems: Problems) -> OverlapSettings | None:
    block = doc.get("overlap")
    if not isinstance(block, dict):
        problems.add("overlap", "expected a mapping with share, levers, source, reliability")
        return None
    weight = number(block.get("share"), "overlap", "share", problems)
    if weight is not None and not 0 <= weight <= 1:
        problems.add("overlap", f"share must be between 0 and 1, got {weight:g}")
    scalars = [a.id for a in load_assumptions() if a.kind == "scalar"]
    levers = id_list(
        block.get("levers"), "overlap", "levers", problems, known=scalars, what="assumption"
    )
    source = text(block, "source", "overlap", problems)
    reliability = block.get("reliability")
    choice(reliability, RELIABILITY, "overlap", "reliability", problems)
    for extra in sorted(set(block) - {"share", "levers", "source", "reliability"}):
        problems.add(f"overlap.{extra}", "unknown setting")
    if problems:
        return None
    return OverlapSettings(float(weight), tuple(levers), source, str(reliability))  # type: ignore


def parse_windtunnel(doc: Any, problems: Problems) -> WindTunnelSettings | None:
    """Turn the parsed ``windtunnel.yaml`` into :class:`WindTunnelSettings`, reporting problems.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    WindTunnelSettings or None
        None if a field is missing or invalid.
    """
    if not isinstance(doc, dict):
        problems.add(WINDTUNNEL_FILE, "expected a mapping of settings")
        return None
    shares = {
        key: share(doc.get(key), key, "the value", problems)
        for key in ("threshold", "regret_percentile", "confidence_level")
    }
    tolerance = doc.get("regret_tolerance")
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        problems.add("regret_tolerance", f"must be a number >= 0, got {tolerance!r}")
    samples = integer(doc.get("samples"), "samples", "the value", problems)
    if samples is not None and samples < 10:
        problems.add("samples", f"must be at least 10, got {samples}")
    second_look = integer(doc.get("second_look"), "second_look", "the value", problems)
    if second_look is not None and second_look < 1:
        problems.add("second_look", f"must be 1 (off) or more, got {second_look}")
    cells = _labels(doc, "cell_status", CELL_STATUSES, problems)
    verdicts = _labels(doc, "verdicts", VERDICTS, problems)
    discovery = _discovery(doc, problems)
    shown = integer(doc.get("drivers_shown"), "drivers_shown", "the value", problems)
    if shown is not None and shown < 1:
        problems.add("drivers_shown", f"must be at least 1, got {shown}")
    goal = _default_goal(doc, problems)
    overlap = _overlap(doc, problems)
    band = doc.get("close_call")
    if not isinstance(band, dict):
        problems.add("close_call", "expected a mapping with share and regret")
        band = {}
    for key in ("share", "regret"):
        value = band.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            problems.add(f"close_call.{key}", f"must be a share in [0, 1), got {value!r}")
    decide = band.get("decide_at_last_look")
    if not isinstance(decide, bool):
        problems.add("close_call.decide_at_last_look", f"must be true or false, got {decide!r}")
    if problems:
        return None
    return WindTunnelSettings(
        threshold=shares["threshold"],  # type: ignore[arg-type]
        regret_percentile=shares["regret_percentile"],  # type: ignore[arg-type]
        regret_tolerance=float(tolerance),  # type: ignore[arg-type]
        confidence_level=shares["confidence_level"],  # type: ignore[arg-type]
        samples=samples,  # type: ignore[arg-type]
        second_look=second_look,  # type: ignore[arg-type]
        cell_status=MappingProxyType(cells),
        verdicts=MappingProxyType(verdicts),
        discovery=discovery,  # type: ignore[arg-type]
        drivers_shown=shown,  # type: ignore[arg-type]
        default_goal=MappingProxyType(goal),
        overlap=overlap,  # type: ignore[arg-type]
        close_call_share=float(band["share"]),
        close_call_regret=float(band["regret"]),
        close_call_decide_at_last_look=band["decide_at_last_look"],
    )


def load_windtunnel(path: str | Path | None = None) -> WindTunnelSettings:
    """Load and validate the wind tunnel's settings.

    Parameters
    ----------
    path : str or Path, optional
        A ``windtunnel.yaml``; the package's own by default (cached).

    Returns
    -------
    WindTunnelSettings

    Raises
    ------
    DefinitionError
        Listing every problem.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / WINDTUNNEL_FILE)


@cache
def _load(path: Path) -> WindTunnelSettings:
    return validated(path, lambda p: parse_windtunnel(read_yaml(path, p), p))
