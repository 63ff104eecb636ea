"""Shared building blocks of the declarations: problem collector, YAML reader, typed fields.

Every declarations file is read the same way: :func:`read_yaml` parses it, the typed field
readers (:func:`text`, :func:`number`, :func:`share`, :func:`integer`, :func:`boolean`,
:func:`choice`, :func:`id_list`) take one field of one item and report what is wrong with it to a
:class:`Problems` collector instead of raising, so that every problem of a file is found in one
pass. :func:`sourced_value` reads the common block of a number with a range and a source (value,
low, high, bounds, unit, source, source_nl, reliability). :func:`raise_problems` then raises one
:class:`~socecon.exceptions.DefinitionError` naming file and item for each problem.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from socecon.exceptions import DefinitionError

#: The folder of the package's own declarations.
DEFINITIONS_DIR = Path(__file__).resolve().parent
#: Reliability codes of a sourced value: confirmed, secondary source, derived, unconfirmed, seed.
RELIABILITY = ("C", "C2", "D", "U", "S")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Problems:
    """Collects the problems of one declarations file, so that all are reported at once.

    Parameters
    ----------
    file : str
        The file's name (``scenarios.yaml``), used when problems of several files are merged.
    """

    def __init__(self, file: str = "") -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, item: str, message: str) -> None:
        """Record that ``item`` (e.g. ``scenario 'a'``) has the problem ``message``."""
        self.items.append(f"{item}: {message}" if item else message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, path: str | Path) -> None:
        """Raise one DefinitionError for ``path`` listing every problem, if there are any."""
        if self.items:
            raise DefinitionError(str(path), self.items)


def raise_problems(directory: str | Path, collected: Iterable[Problems]) -> None:
    """Raise one DefinitionError listing the problems of several files, each named by file.

    The error's path is the one file with problems, or ``directory`` when several have.

    Parameters
    ----------
    directory : str or Path
    collected : iterable of Problems

    Raises
    ------
    DefinitionError
        If any file has a problem.
    """
    bad = [p for p in collected if p]
    if not bad:
        return
    lines = [f"{p.file}: {item}" for p in bad for item in p.items]
    path = Path(directory) / bad[0].file if len(bad) == 1 else Path(directory)
    raise DefinitionError(str(path), lines)


def validated(path: str | Path, parse: Callable[[Problems], Any]) -> Any:
    """Run ``parse`` with a fresh collector for the file ``path``; raise if it found problems.

    Parameters
    ----------
    path : str or Path
    parse : callable
        Takes the :class:`Problems` collector, returns the parsed object.

    Returns
    -------
    object
        What ``parse`` returned.

    Raises
    ------
    DefinitionError
        Listing every problem found.
    """
    problems = Problems(Path(path).name)
    result = parse(problems)
    problems.raise_if_any(path)
    return result


def read_yaml(path: Path, problems: Problems) -> Any:
    """Parse a YAML file; a missing or malformed file is a problem, and gives None.

    Parameters
    ----------
    path : Path
    problems : Problems

    Returns
    -------
    object or None
    """
    if not path.is_file():
        problems.add("", "file not found")
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        problems.add("", f"not valid YAML ({exc})")
        return None


def close_hint(value: Any, known: Sequence[str], n: int = 2) -> str:
    """Return ``"; did you mean a, b?"`` for the known ids close to ``value``, or ``""``."""
    close = difflib.get_close_matches(str(value), list(known), n=n)
    return f"; did you mean {', '.join(close)}?" if close else ""


def prose(value: Any) -> str:
    """Return text with its whitespace collapsed (folded YAML paragraphs)."""
    return " ".join(str(value).split())


def text(
    entry: Mapping,
    key: str,
    item: str,
    problems: Problems,
    *,
    required: bool = True,
    collapse: bool = False,
) -> str:
    """Read a non-empty text field (stripped; whitespace collapsed if asked); ``""`` if bad."""
    value = entry.get(key)
    if value is None:
        if required:
            problems.add(item, f"missing field {key!r}")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.add(item, f"field {key!r} must be non-empty text, got {value!r}")
        return ""
    return prose(value) if collapse else value.strip()


def required_fields(entry: Mapping, keys: Sequence[str], item: str, problems: Problems) -> bool:
    """Check that ``entry`` has every field of ``keys`` (not empty); report the missing ones."""
    missing = [k for k in keys if entry.get(k) in (None, "")]
    if missing:
        problems.add(item, f"missing field(s) {', '.join(missing)}")
    return not missing


def number(
    value: Any, item: str, field: str, problems: Problems, *, required: bool = True
) -> float | None:
    """Check that ``value`` is a finite number (not a bool); None when it is not."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(item, f"{field} must be a number, got {value!r}")
        return None
    return float(value)


def share(value: Any, item: str, field: str, problems: Problems) -> float | None:
    """Check that ``value`` is a share in (0, 1]; None when it is not."""
    result = number(value, item, field, problems)
    if result is not None and not 0 < result <= 1:
        problems.add(item, f"{field} must be a share in (0, 1], got {result:g}")
        return None
    return result


def integer(value: Any, item: str, field: str, problems: Problems) -> int | None:
    """Check that ``value`` is a whole number (not a bool); None when it is not."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(item, f"{field} must be a whole number, got {value!r}")
        return None
    return value


def boolean(value: Any, item: str, field: str, problems: Problems) -> bool | None:
    """Check that ``value`` is true or false; None when it is not."""
    if not isinstance(value, bool):
        problems.add(item, f"{field} must be true or false, got {value!r}")
        return None
    return value


def choice(value: Any, choices: Sequence[Any], item: str, field: str, problems: Problems) -> bool:
    """Check that ``value`` is one of ``choices``; return whether it is."""
    if value not in choices:
        shown = ", ".join(map(str, choices))
        problems.add(item, f"{field} must be one of ({shown}), got {value!r}")
        return False
    return True


def id_list(
    value: Any,
    item: str,
    field: str,
    problems: Problems,
    *,
    known: Sequence[str] | None = None,
    what: str = "id",
    allow_empty: bool = False,
) -> tuple[str, ...]:
    """Read a list of ids, optionally checked against the ``known`` ones, each once.

    Returns
    -------
    tuple of str
        The ids as given (also when some are unknown, so that later checks still run).
    """
    if not isinstance(value, list) or (not value and not allow_empty):
        kind = "a list" if allow_empty else "a non-empty list"
        problems.add(item, f"{field} must be {kind} of {what}s, got {value!r}")
        return ()
    ids = tuple(str(v) for v in value)
    if known is not None:
        for v in ids:
            if v not in known:
                problems.add(item, f"unknown {what} {v!r}{close_hint(v, known)}")
    dup = sorted({v for v in ids if ids.count(v) > 1})
    if dup:
        problems.add(item, f"{what}(s) listed twice: {', '.join(dup)}")
    return ids


def list_of_entries(doc: Any, key: str, file: str, problems: Problems) -> list[Mapping]:
    """Return the mappings of the top-level list ``key``; anything else is a problem."""
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


def mapping_of_entries(
    doc: Any, key: str, file: str, problems: Problems, *, required: bool = True
) -> dict[str, Mapping]:
    """Return the top-level mapping ``key`` of id to mapping; anything else is a problem."""
    raw = doc.get(key) if isinstance(doc, Mapping) else None
    if raw is None and not required:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(file, f"expected a top-level mapping {key!r}")
        return {}
    out = {}
    for ident, entry in raw.items():
        if isinstance(entry, Mapping):
            out[str(ident)] = entry
        else:
            problems.add(f"{key} {ident!r}", f"expected a mapping, got {entry!r}")
    return out


def unique_ids(entries: list[Mapping], kind: str, problems: Problems, key: str = "id") -> None:
    """Check that every entry has a text ``key`` and that no two share it."""
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        ident = entry.get(key)
        if not isinstance(ident, str) or not ident:
            problems.add(f"{kind}[{i}]", f"missing or invalid {key} {ident!r}")
        elif ident in seen:
            problems.add(f"{kind} {ident!r}", f"duplicate {key}")
        else:
            seen.add(ident)


@dataclass(frozen=True)
class SourcedValue:
    """A declared number with its plausible range, hard bounds, unit and source.

    Attributes
    ----------
    value : float
        The central (default) value.
    low, high : float or None
        The plausible range (sliders, sampling), ``low <= value <= high``.
    bounds : tuple of float or None
        Hard limits, ``bounds[0] <= low`` and ``high <= bounds[1]``.
    unit : str
        A unit id of ``units.yaml``.
    source, source_nl : str
        Where the value comes from, in English and in Dutch (``"assumed"`` if nowhere).
    reliability : str
        One of :data:`RELIABILITY`.
    """

    value: float
    low: float | None
    high: float | None
    bounds: tuple[float, float] | None
    unit: str
    source: str
    source_nl: str
    reliability: str


def sourced_value(
    entry: Mapping,
    item: str,
    problems: Problems,
    *,
    ranged: bool = True,
    bounded: bool = False,
    source_nl: bool = False,
    unit: str | None = None,
    units: Sequence[str] | None = None,
) -> SourcedValue | None:
    """Read and check a sourced value block of ``entry``.

    Parameters
    ----------
    entry : Mapping
        With ``value`` (and ``low``, ``high`` when ``ranged``; ``bounds: [min, max]`` when
        ``bounded``), ``unit``, ``source``, ``reliability`` (and ``source_nl`` when asked).
    item : str
        Names the item in problems.
    problems : Problems
    ranged, bounded, source_nl : bool
        Which optional parts are required.
    unit : str, optional
        The unit the entry must have (its ``unit`` field may then be left out).
    units : sequence of str, optional
        The declared unit ids; an undeclared unit is a problem.

    Returns
    -------
    SourcedValue or None
        None if a number is missing or the range is not ordered.
    """
    value = number(entry.get("value"), item, "value", problems)
    low = high = None
    bounds = None
    ok = value is not None
    if ranged:
        low = number(entry.get("low"), item, "low", problems)
        high = number(entry.get("high"), item, "high", problems)
        ok = ok and low is not None and high is not None
    if bounded:
        raw = entry.get("bounds")
        if not isinstance(raw, list) or len(raw) != 2:
            problems.add(item, f"bounds must be [min, max], got {raw!r}")
            ok = False
        else:
            lo, hi = (number(b, item, "bounds", problems) for b in raw)
            ok = ok and lo is not None and hi is not None
            bounds = (lo, hi)
    if ok and ranged and not low <= value <= high:  # type: ignore[operator]
        problems.add(item, f"need low <= value <= high, got {low:g}, {value:g}, {high:g}")
        ok = False
    if ok and bounds is not None and not bounds[0] <= low <= high <= bounds[1]:  # type: ignore
        problems.add(
            item,
            f"need bounds min <= low <= high <= bounds max, got {bounds[0]:g} <= {low:g} <= "
            f"{high:g} <= {bounds[1]:g}",
        )
        ok = False
    origin = provenance(entry, item, problems, unit=unit, units=units, source_nl=source_nl)
    if not ok or origin is None:
        return None
    return SourcedValue(value, low, high, bounds, *origin)  # type: ignore[arg-type]


def provenance(
    entry: Mapping,
    item: str,
    problems: Problems,
    *,
    unit: str | None = None,
    units: Sequence[str] | None = None,
    source_nl: bool = False,
    needs_unit: bool = True,
) -> tuple[str, str, str, str] | None:
    """Check the unit, source (and Dutch source) and reliability code of ``entry``.

    Parameters
    ----------
    entry : Mapping
    item : str
    problems : Problems
    unit : str, optional
        The unit the entry must have (its ``unit`` field may then be left out).
    units : sequence of str, optional
        The declared unit ids; an undeclared unit is a problem.
    source_nl : bool
        Whether ``source_nl`` is required.
    needs_unit : bool
        Whether the entry has a unit at all.

    Returns
    -------
    (unit, source, source_nl, reliability) or None
        None if anything is wrong.
    """
    ok = True
    declared_unit = entry.get("unit", unit) if needs_unit else ""
    if not needs_unit:
        pass
    elif unit is not None and declared_unit != unit:
        problems.add(item, f"unit must be {unit!r}, got {declared_unit!r}")
        ok = False
    elif not isinstance(declared_unit, str) or not declared_unit:
        problems.add(item, "missing field 'unit'")
        ok = False
    elif units is not None and declared_unit not in units:
        problems.add(item, f"unit {declared_unit!r} is not declared in units.yaml")
        ok = False
    if not entry.get("source"):
        problems.add(item, "missing source (write 'assumed' if there is none)")
        ok = False
    if source_nl and not entry.get("source_nl"):
        problems.add(item, "missing field 'source_nl'")
        ok = False
    if entry.get("reliability") not in RELIABILITY:
        got = entry.get("reliability")
        problems.add(item, f"reliability must be one of {RELIABILITY}, got {got!r}")
        ok = False
    if not ok:
        return None
    source = prose(entry["source"])
    return str(declared_unit), source, prose(entry.get("source_nl", "")), str(entry["reliability"])
