"""How the local calibration is fitted and checked, declared once in ``calibration.yaml``.

:mod:`socecon.model.calibration` computes the placement-effectiveness factors; this module only
reads and validates their declarations: the observable (numerator, exposure, weight and the
rounding of the CBS counts), the years that are fitted, the years on which the shrinkage
strength is chosen, the held-out year, the grid of shrinkage strengths and the source.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    choice,
    integer,
    number,
    provenance,
    read_yaml,
    text,
    validated,
)

CALIBRATION_FILE = "calibration.yaml"
#: The errors the shrinkage strength may be chosen by (weighted by stock).
CRITERIA = ("rmse", "mae")


@dataclass(frozen=True)
class CalibrationSpec:
    """The declared calibration (see ``calibration.yaml``).

    Attributes
    ----------
    numerator : str
        Snapshot variable counted as a success (outflow to work).
    exposure : tuple of str
        Snapshot variables whose sum is the number at risk in a year.
    weight : str
        Snapshot variable weighting the prediction errors.
    rounding : float
        CBS rounds the counts to multiples of this (persons).
    fit_years : tuple of int
        Years pooled for the factors the model uses.
    selection_fit_years : tuple of int
        Years fitted while choosing the shrinkage strength.
    selection_target_year : int
        The year predicted while choosing it.
    criterion : str
        One of :data:`CRITERIA`.
    held_out_year : int
        Never fitted; only predicted by the out-of-sample check.
    grid : tuple of float
        Shrinkage strengths (tau, a share), ascending; may end in ``inf``.
    source, source_nl, reliability : str
    """

    numerator: str
    exposure: tuple[str, ...]
    weight: str
    rounding: float
    fit_years: tuple[int, ...]
    selection_fit_years: tuple[int, ...]
    selection_target_year: int
    criterion: str
    held_out_year: int
    grid: tuple[float, ...]
    source: str
    source_nl: str
    reliability: str

    @property
    def variables(self) -> tuple[str, ...]:
        """Every snapshot variable the calibration reads."""
        return tuple(dict.fromkeys((self.numerator, *self.exposure, self.weight)))


def _years(value: Any, item: str, problems: Problems) -> tuple[int, ...] | None:
    if not isinstance(value, list) or not value:
        problems.add(item, f"expected a non-empty list of years, got {value!r}")
        return None
    years = [integer(v, item, "every year", problems) for v in value]
    if None in years:
        return None
    if len(set(years)) != len(years):
        problems.add(item, f"years must be distinct, got {value!r}")
        return None
    return tuple(sorted(years))  # type: ignore[arg-type]


def _grid(value: Any, problems: Problems) -> tuple[float, ...] | None:
    item = "shrinkage_grid"
    if not isinstance(value, list) or not value:
        problems.add(item, f"expected a non-empty list of numbers, got {value!r}")
        return None
    grid = []
    for v in value:
        if isinstance(v, float) and v == math.inf:
            grid.append(v)
            continue
        g = number(v, item, "every strength", problems)
        if g is None:
            return None
        if g < 0:
            problems.add(item, f"strengths must be >= 0, got {g:g}")
            return None
        grid.append(g)
    if any(b <= a for a, b in itertools.pairwise(grid)):
        problems.add(item, f"strengths must be strictly ascending, got {value!r}")
        return None
    return tuple(grid)


def _observable(doc: Mapping, problems: Problems) -> dict[str, Any] | None:
    block = doc.get("observable")
    if not isinstance(block, Mapping):
        problems.add("observable", "expected a mapping with numerator, exposure, weight, rounding")
        return None
    out: dict[str, Any] = {}
    for key in ("numerator", "weight"):
        out[key] = text(block, key, "observable", problems)
    exposure = block.get("exposure")
    if (
        not isinstance(exposure, list)
        or not exposure
        or not all(isinstance(e, str) and e for e in exposure)
    ):
        problems.add("observable", f"exposure must be a list of variable names, got {exposure!r}")
    else:
        out["exposure"] = tuple(exposure)
    rounding = number(block.get("rounding"), "observable", "rounding", problems)
    if rounding is not None and rounding < 0:
        problems.add("observable", f"rounding must be >= 0, got {rounding:g}")
    out["rounding"] = rounding
    for extra in sorted(set(block) - {"numerator", "exposure", "weight", "rounding"}):
        problems.add(f"observable.{extra}", "unknown field")
    return out


def _check_years(spec: Mapping[str, Any], problems: Problems) -> None:
    """Check that the held-out year stays out of everything fitted or chosen, and after it."""
    held = spec["held_out_year"]
    used = {
        "fit_years": spec["fit_years"],
        "selection.fit_years": spec["selection_fit_years"],
        "selection.target_year": (spec["selection_target_year"],),
    }
    for item, years in used.items():
        if held in years:
            problems.add(item, f"must not contain the held-out year {held}")
        elif max(years) > held:
            problems.add(item, f"must come before the held-out year {held}, got {max(years)}")
    target = spec["selection_target_year"]
    if target in spec["selection_fit_years"] or max(spec["selection_fit_years"]) > target:
        problems.add("selection", f"fit_years must come before target_year {target}")
    if not set((*spec["selection_fit_years"], target)) <= set(spec["fit_years"]):
        problems.add("selection", "fit_years and target_year must be among the fit_years")


def parse_calibration(doc: Any, problems: Problems) -> CalibrationSpec | None:
    """Turn the parsed ``calibration.yaml`` into a :class:`CalibrationSpec`, reporting problems.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    CalibrationSpec or None
        None if a field is missing or invalid.
    """
    if not isinstance(doc, Mapping):
        problems.add(CALIBRATION_FILE, "expected a mapping of settings")
        return None
    observable = _observable(doc, problems)
    selection = doc.get("selection")
    if not isinstance(selection, Mapping):
        problems.add("selection", "expected a mapping with fit_years, target_year, criterion")
        selection = {}
    spec: dict[str, Any] = {
        "fit_years": _years(doc.get("fit_years"), "fit_years", problems),
        "selection_fit_years": _years(selection.get("fit_years"), "selection.fit_years", problems),
        "selection_target_year": integer(
            selection.get("target_year"), "selection", "target_year", problems
        ),
        "held_out_year": integer(doc.get("held_out_year"), "held_out_year", "the value", problems),
        "grid": _grid(doc.get("shrinkage_grid"), problems),
    }
    choice(selection.get("criterion"), CRITERIA, "selection", "criterion", problems)
    origin = provenance(doc, "calibration", problems, source_nl=True, needs_unit=False)
    if all(v is not None for k, v in spec.items() if k != "grid"):
        _check_years(spec, problems)
    if problems or observable is None or origin is None:
        return None
    return CalibrationSpec(
        numerator=observable["numerator"],
        exposure=observable["exposure"],
        weight=observable["weight"],
        rounding=observable["rounding"],
        criterion=str(selection["criterion"]),
        source=origin[1],
        source_nl=origin[2],
        reliability=origin[3],
        **spec,
    )


def load_calibration(path: str | Path | None = None) -> CalibrationSpec:
    """Load and validate the calibration's declarations.

    Parameters
    ----------
    path : str or Path, optional
        A ``calibration.yaml``; the package's own by default (cached).

    Returns
    -------
    CalibrationSpec

    Raises
    ------
    DefinitionError
        Listing every problem.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / CALIBRATION_FILE)


@cache
def _load(path: Path) -> CalibrationSpec:
    return validated(path, lambda p: parse_calibration(read_yaml(path, p), p))
