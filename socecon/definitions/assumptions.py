"""Model assumptions: every number that is not CBS data, with its range, unit and source.

The declarations live in ``socecon/definitions/assumptions.yaml``. :func:`load_assumptions` reads
and validates them; :meth:`Assumptions.resolve` merges a caller's overrides (for widgets and the
uncertainty analysis) after validating them: unknown ids, wrong types, wrong units and values
outside an assumption's hard bounds are all reported at once.

Values may carry a leading sample axis: a scalar assumption resolves to an array of shape ``(S,)``
and a distribution to ``(S, n_bands)``, so the model runs many samples in one vectorised pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from socecon.exceptions import AssumptionError, DefinitionError

ASSUMPTIONS_FILE = Path(__file__).resolve().parent / "assumptions.yaml"
KINDS = ("scalar", "distribution", "series")
RELIABILITY = ("C", "C2", "D", "U", "S")
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
        """Return a series' value for ``year``.

        Half-yearly values (``YYYY-01`` and ``YYYY-07``) are averaged within a year; other dates are
        interpolated linearly and read on 1 July; after the last date the last value holds (the
        model applies its growth assumption on top).

        Parameters
        ----------
        year : int

        Returns
        -------
        float
        """
        dates = np.array([_date_to_float(d) for d in self.value])
        values = np.array(list(self.value.values()), dtype=float)
        if f"{year}-01" in self.value and f"{year}-07" in self.value:
            return float((self.value[f"{year}-01"] + self.value[f"{year}-07"]) / 2)
        return float(np.interp(year + 0.5, dates, values))


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
        for key, raw in (overrides or {}).items():
            if key not in self.ids:
                problems.append(_unknown_message(key, self.ids))
                continue
            checked = _check_override(self[key], raw, problems)
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


def _parse(entry: Any, index: int, problems: list[str]) -> Assumption | None:
    if not isinstance(entry, Mapping):
        problems.append(f"assumptions[{index}]: expected a mapping")
        return None
    item = f"assumption {entry.get('id', index)!r}"
    missing = [
        k
        for k in ("id", "label", "kind", "unit", "source", "source_nl", "reliability", "value")
        if entry.get(k) in (None, "")
    ]
    if missing:
        problems.append(f"{item}: missing field(s) {', '.join(missing)}")
        return None
    kind, value = entry["kind"], entry["value"]
    if kind not in KINDS:
        problems.append(f"{item}: kind must be one of {KINDS}, got {kind!r}")
        return None
    if entry["reliability"] not in RELIABILITY:
        problems.append(f"{item}: reliability must be one of {RELIABILITY}")
    low = high = None
    bounds = None
    if kind == "scalar":
        try:
            low, high = float(entry["low"]), float(entry["high"])
            bounds = tuple(float(b) for b in entry["bounds"])
            value = float(value)
        except (KeyError, TypeError, ValueError):
            problems.append(
                f"{item}: a scalar needs numeric value, low, high and bounds [min, max]"
            )
            return None
        if not (bounds[0] <= low <= value <= high <= bounds[1]):
            problems.append(
                f"{item}: need bounds min <= low <= value <= high <= bounds max, got "
                f"{bounds[0]:g} <= {low:g} <= {value:g} <= {high:g} <= {bounds[1]:g}"
            )
    elif kind == "distribution":
        shares = np.asarray(value, dtype=float)
        if shares.shape != (N_BANDS,) or np.any(shares < 0) or abs(shares.sum() - 1) > 1e-9:
            problems.append(
                f"{item}: a distribution needs {N_BANDS} non-negative shares summing to 1"
            )
        value = tuple(float(v) for v in shares.ravel())
    else:
        if not isinstance(value, Mapping) or not value:
            problems.append(f"{item}: a series needs a mapping of YYYY-MM dates to values")
            return None
        value = {str(k): float(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    return Assumption(
        id=str(entry["id"]),
        label=str(entry["label"]),
        kind=kind,
        unit=str(entry["unit"]),
        source=" ".join(str(entry["source"]).split()),
        reliability=str(entry["reliability"]),
        value=value,
        low=low,
        high=high,
        bounds=bounds,  # type: ignore[arg-type]
        note=" ".join(str(entry.get("note", "")).split()),
        source_nl=" ".join(str(entry["source_nl"]).split()),
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
    return _load(ASSUMPTIONS_FILE)


def _load(path: Path) -> Assumptions:
    problems: list[str] = []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(str(path), [f"cannot read: {exc}"]) from exc
    entries = doc.get("assumptions") if isinstance(doc, Mapping) else None
    if not isinstance(entries, list):
        raise DefinitionError(str(path), ["expected a top-level list 'assumptions'"])
    items = [_parse(e, i, problems) for i, e in enumerate(entries)]
    ids = [a.id for a in items if a]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"assumption {dup!r}: duplicate id")
    if problems:
        raise DefinitionError(str(path), problems)
    return Assumptions(tuple(a for a in items if a))
