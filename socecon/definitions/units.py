"""Units, declared once in ``units.yaml``: Dutch label, kind, decimals and slider step.

Reports, charts and sliders ask a :class:`Unit` how to show a value instead of switching on unit
strings themselves:

>>> from socecon.definitions.units import unit
>>> unit("share of jobs").label, unit("share of jobs").is_share, unit("EUR/year").number_format
('aandeel van de banen', True, ',.0f')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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

UNITS_FILE = "units.yaml"
UNIT_KINDS = (
    "count",
    "share",
    "euro",
    "percent",
    "points",
    "ratio",
    "index",
    "rate",
    "hours",
    "year",
)


@dataclass(frozen=True)
class Unit:
    """A declared unit.

    Attributes
    ----------
    id : str
        As written in the other declarations (``share of jobs``, ``EUR/year``).
    label : str
        Dutch label shown after a value or in a caption (``aandeel van de banen``).
    kind : str
        One of :data:`UNIT_KINDS`: how a value in this unit is formatted.
    decimals : int
        Decimals of a figure in this unit (of the percentage, for shares).
    step : float
        Step of a slider over an assumption in this unit.
    """

    id: str
    label: str
    kind: str
    decimals: int
    step: float

    @property
    def label_nl(self) -> str:
        """The Dutch label (same as :attr:`label`)."""
        return self.label

    @property
    def is_share(self) -> bool:
        """Whether values are fractions shown as percentages (0.05 -> 5 %)."""
        return self.kind == "share"

    @property
    def is_euro(self) -> bool:
        """Whether values are amounts in euro."""
        return self.kind == "euro"

    @property
    def number_format(self) -> str:
        """The d3/Vega number format of a figure in this unit (``,.1f``)."""
        return f",.{self.decimals}f"


@dataclass(frozen=True)
class Units:
    """All declared units, in file order."""

    items: tuple[Unit, ...]

    def __getitem__(self, unit_id: str) -> Unit:
        for u in self.items:
            if u.id == unit_id:
                return u
        raise KeyError(f"Unknown unit {unit_id!r}; declare it in {UNITS_FILE}")

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> tuple[str, ...]:
        """The unit ids, in file order."""
        return tuple(u.id for u in self.items)


def parse_units(doc: object, problems: Problems) -> Units:
    """Turn the parsed ``units.yaml`` into :class:`Units`, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    Units
    """
    entries = list_of_entries(doc, "units", UNITS_FILE, problems)
    unique_ids(entries, "unit", problems)
    items = []
    for entry in entries:
        items.append(_parse_unit(entry, problems))
    return Units(tuple(u for u in items if u is not None))


def _parse_unit(entry: Mapping, problems: Problems) -> Unit | None:
    item = f"unit {entry.get('id')!r}"
    label = text(entry, "label", item, problems)
    kind = entry.get("kind")
    ok = choice(kind, UNIT_KINDS, item, "kind", problems)
    decimals = integer(entry.get("decimals"), item, "decimals", problems)
    if decimals is not None and not 0 <= decimals <= 6:
        problems.add(item, f"decimals must be 0 to 6, got {decimals}")
        decimals = None
    step = number(entry.get("step"), item, "step", problems)
    if step is not None and step <= 0:
        problems.add(item, f"step must be positive, got {step:g}")
        step = None
    if not ok or not label or decimals is None or step is None:
        return None
    return Unit(str(entry.get("id")), label, str(kind), decimals, step)


def load_units(path: str | Path | None = None) -> Units:
    """Load and validate the units declaration.

    Parameters
    ----------
    path : str or Path, optional
        A ``units.yaml``; the package's own by default (cached).

    Returns
    -------
    Units

    Raises
    ------
    DefinitionError
        Listing every problem, by unit id.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / UNITS_FILE)


@cache
def _load(path: Path) -> Units:
    return validated(path, lambda p: parse_units(read_yaml(path, p), p))


def unit(unit_id: str) -> Unit:
    """Return the declared unit ``unit_id`` of the package's own declarations.

    Parameters
    ----------
    unit_id : str

    Returns
    -------
    Unit

    Raises
    ------
    KeyError
        If the unit is not declared.
    """
    return load_units()[unit_id]
