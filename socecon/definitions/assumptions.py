"""Model assumptions: every number that is not CBS data, with its range, unit and source.

The declarations live in ``socecon/definitions/assumptions.yaml``. :func:`load_assumptions` reads
and validates them with the building blocks of :mod:`socecon.definitions.schema` (a scalar is a
sourced value); :meth:`Assumptions.resolve` merges a caller's overrides (for widgets and the
uncertainty analysis) after validating them: unknown ids, wrong types, wrong units and values
outside an assumption's hard bounds are all reported at once.

Values may carry a leading sample axis: a scalar assumption resolves to an array of shape ``(S,)``
and a distribution to ``(S, n_bands)``, so the model runs many samples in one vectorised pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as fields_of
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    SourcedValue,
    choice,
    list_of_entries,
    number,
    prose,
    provenance,
    read_yaml,
    required_fields,
    sourced_value,
    unique_ids,
    validated,
)
from socecon.definitions.units import load_units
from socecon.exceptions import AssumptionError

ASSUMPTIONS_FILE = "assumptions.yaml"
KINDS = ("scalar", "distribution", "series")
N_BANDS = 10
BAND_EDGES = np.arange(0, 101, 100 // N_BANDS)
BAND_LABELS = tuple(f"{lo}-{hi}" for lo, hi in pairwise(BAND_EDGES))
BAND_MIDPOINTS = (BAND_EDGES[:-1] + BAND_EDGES[1:]) / 2.0
DISTRIBUTION_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Assumption:
    """One declared assumption.

    Attributes
    ----------
    id, label, kind, unit, source, reliability, note : str
        ``kind`` is ``scalar``, ``distribution`` (shares per productivity band) or ``series``
        (values by date, e.g. the minimum wage).
    source_nl : str
        The source in Dutch, as municipal reports show it.
    value : float, tuple of float, or Mapping[str, float]
        The default value.
    low, high : float or None
        Plausible range for scalars (sliders, uncertainty analysis).
    bounds : tuple of float or None
        Hard limits that an override must respect.
    """

    id: str
    label: str
    kind: str
    unit: str
    source: str
    reliability: str
    value: Any
    low: float | None = None
    high: float | None = None
    bounds: tuple[float, float] | None = None
    note: str = ""
    source_nl: str = ""

    def series_value(self, year: int) -> float:
        """Return a series' value for ``year``: the mean of its step function over that year.

        A dated value holds from its date until the next date (a step, as the legal amounts
        change on 1 January and 1 July); the year's value is the average over its twelve months.
        Nothing is interpolated, so a jump such as the 2023 minimum-wage increase stays in 2023.
        Before the first date the first value holds, after the last date the last value (the
        model applies its growth assumption on top, see :attr:`last_year`).

        Parameters
        ----------
        year : int

        Returns
        -------
        float
        """
        return _step_mean(tuple(self.value.items()), year)

    @property
    def last_year(self) -> int:
        """The year of a series' last dated value: later years are grown by an assumption."""
        return int(max(self.value)[:4])


@cache
def _step_mean(points: tuple[tuple[str, float], ...], year: int) -> float:
    """Mean over the months of ``year`` of the step function through the dated ``points``."""
    months = np.arange(12) / 12.0 + year
    dates = np.array([_date_to_float(d) for d, _ in points])
    values = np.array([v for _, v in points], dtype=float)
    index = np.clip(np.searchsorted(dates, months, side="right") - 1, 0, None)
    return float(values[index].mean())


def _date_to_float(date: str) -> float:
    year, month = str(date).split("-")
    return int(year) + (int(month) - 1) / 12


@dataclass(frozen=True)
class Assumptions:
    """All assumptions, by id, in file order."""

    items: tuple[Assumption, ...]

    def __getitem__(self, assumption_id: str) -> Assumption:
        for a in self.items:
            if a.id == assumption_id:
                return a
        raise AssumptionError(_unknown_message(assumption_id, self.ids))

    def __iter__(self) -> Iterator[Assumption]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> tuple[str, ...]:
        """The assumption ids, in file order."""
        return tuple(a.id for a in self.items)

    def defaults(self) -> dict[str, Any]:
        """Return the default value of every scalar and distribution assumption."""
        return {a.id: np.asarray(a.value, dtype=float) for a in self.items if a.kind != "series"}

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
        """Merge validated overrides into the defaults.

        Parameters
        ----------
        overrides : mapping, optional
            Assumption id to a value: a number (scalar), a sequence of band shares (distribution),
            an array with a leading sample axis, or ``(value, unit)`` to state the unit explicitly.

        Returns
        -------
        dict of str to numpy.ndarray
            Scalars as arrays of shape ``()`` or ``(S,)``, distributions ``(N_BANDS,)`` or
            ``(S, N_BANDS)``.

        Raises
        ------
        AssumptionError
            Listing every invalid override (unknown id, type, unit, bounds).
        """
        values = self.defaults()
        problems: list[str] = []
        by_id = {a.id: a for a in self.items}
        for key, raw in (overrides or {}).items():
            if key not in by_id:
                problems.append(_unknown_message(key, self.ids))
                continue
            checked = _check_override(by_id[key], raw, problems)
            if checked is not None:
                values[key] = checked
        if problems:
            raise AssumptionError("; ".join(problems))
        return values


def _unknown_message(key: Any, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(key), known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"Unknown assumption {key!r}{hint}"


def _check_override(a: Assumption, raw: Any, problems: list[str]) -> np.ndarray | None:
    if isinstance(raw, tuple) and len(raw) == 2 and isinstance(raw[1], str):
        raw, unit = raw
        if unit != a.unit:
            problems.append(f"Assumption {a.id!r} is in {a.unit!r}, not {unit!r}")
            return None
    if a.kind == "series":
        problems.append(
            f"Assumption {a.id!r} is a series and cannot be overridden; use its index or growth"
        )
        return None
    if isinstance(raw, bool | str | bytes) or raw is None:
        problems.append(f"Assumption {a.id!r} must be a number, got {raw!r}")
        return None
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        problems.append(f"Assumption {a.id!r} must be numeric, got {raw!r}")
        return None
    if not np.all(np.isfinite(arr)):
        problems.append(f"Assumption {a.id!r} must be finite, got {raw!r}")
        return None
    if a.kind == "distribution":
        if arr.ndim not in (1, 2) or arr.shape[-1] != N_BANDS:
            problems.append(f"Assumption {a.id!r} needs {N_BANDS} band shares, got {raw!r}")
            return None
        if np.any(arr < 0) or np.any(np.abs(arr.sum(axis=-1) - 1) > DISTRIBUTION_TOLERANCE):
            problems.append(
                f"Assumption {a.id!r} must be non-negative shares that sum to 1, got {raw!r}"
            )
            return None
        return arr
    if arr.ndim > 1:
        problems.append(f"Assumption {a.id!r} must be a number or a 1-d array of samples")
        return None
    lo, hi = a.bounds if a.bounds else (-np.inf, np.inf)
    if np.any(arr < lo) or np.any(arr > hi):
        shown = raw if arr.ndim == 0 else f"[{arr.min():g} .. {arr.max():g}]"
        problems.append(
            f"Assumption {a.id!r} = {shown} is outside its bounds [{lo:g}, {hi:g}] ({a.unit})"
        )
        return None
    return arr


def parse_assumptions(doc: Any, problems: Problems, units: Sequence[str] | None) -> Assumptions:
    """Turn the parsed ``assumptions.yaml`` into :class:`Assumptions`, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    units : sequence of str, optional
        The declared unit ids; every assumption's unit must be one of them.

    Returns
    -------
    Assumptions
        The valid assumptions (all of them, if no problem was reported).
    """
    entries = list_of_entries(doc, "assumptions", ASSUMPTIONS_FILE, problems)
    unique_ids(entries, "assumption", problems)
    items = [_parse(e, problems, units) for e in entries]
    return Assumptions(tuple(a for a in items if a))


def _parse(entry: Mapping, problems: Problems, units: Sequence[str] | None) -> Assumption | None:
    item = f"assumption {entry.get('id')!r}"
    fields = ("id", "label", "kind", "unit", "source", "source_nl", "reliability", "value")
    if not required_fields(entry, fields, item, problems):
        return None
    kind, value = entry["kind"], entry["value"]
    if not choice(kind, KINDS, item, "kind", problems):
        return None
    if kind == "scalar":
        sourced = sourced_value(entry, item, problems, bounded=True, source_nl=True, units=units)
        if sourced is None:
            return None
        return Assumption(
            id=str(entry["id"]),
            label=prose(entry["label"]),
            kind=kind,
            note=prose(entry.get("note", "")),
            **{f.name: getattr(sourced, f.name) for f in fields_of(SourcedValue)},
        )
    origin = provenance(entry, item, problems, units=units, source_nl=True)
    if kind == "distribution":
        try:
            shares = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            shares = np.array([np.nan])
        if shares.shape != (N_BANDS,) or np.any(~(shares >= 0)) or abs(shares.sum() - 1) > 1e-9:
            problems.add(item, f"a distribution needs {N_BANDS} non-negative shares summing to 1")
            return None
        value = tuple(float(v) for v in shares.ravel())
    else:
        if not isinstance(value, Mapping) or not value:
            problems.add(item, "a series needs a mapping of YYYY-MM dates to values")
            return None
        bad = [k for k, v in value.items() if number(v, item, f"value {k}", problems) is None]
        bad += [k for k in value if not re.fullmatch(r"\d{4}-\d{2}", str(k))]
        if bad:
            problems.add(item, f"a series needs YYYY-MM dates with numbers, check {bad}")
            return None
        value = {str(k): float(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
        years = sorted({int(k[:4]) for k in value})
        gaps = [y for y in range(years[0], years[-1] + 1) if y not in years]
        if gaps:
            problems.add(
                item,
                f"a series needs a sourced value in every year from its first to its last, "
                f"missing {gaps}",
            )
            return None
    if origin is None:
        return None
    unit, source, source_nl, reliability = origin
    return Assumption(
        id=str(entry["id"]),
        label=prose(entry["label"]),
        kind=kind,
        unit=unit,
        source=source,
        reliability=reliability,
        value=value,
        note=prose(entry.get("note", "")),
        source_nl=source_nl,
    )


def load_assumptions(path: str | Path | None = None) -> Assumptions:
    """Load and validate the assumptions file.

    Parameters
    ----------
    path : str or Path, optional
        An assumptions YAML file; the package's own by default (cached).

    Returns
    -------
    Assumptions

    Raises
    ------
    DefinitionError
        Listing every problem, by assumption id.
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


@cache
def _load_default() -> Assumptions:
    return _load(DEFINITIONS_DIR / ASSUMPTIONS_FILE)


def _load(path: Path) -> Assumptions:
    units = load_units().ids
    return validated(path, lambda p: parse_assumptions(read_yaml(path, p), p, units))
