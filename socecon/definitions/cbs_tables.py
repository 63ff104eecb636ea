"""The CBS tables socecon reads and where each variable is found: ``cbs_tables.yaml``.

One declaration serves both ways into the data: the column of each variable in the shared
StatLine CSV exports (``socecon data build``) and its topic in CBS open data, by title and key
stem (``socecon data refresh``). A :class:`Dataset` is a table in a year (or one table per year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    integer,
    mapping_of_entries,
    number,
    read_yaml,
    text,
    validated,
)

CBS_TABLES_FILE = "cbs_tables.yaml"


@dataclass(frozen=True)
class CBSTable:
    """A CBS table: id, Dutch title and the reference date of its figures."""

    id: str
    title: str
    reference_date: str


@dataclass(frozen=True)
class Column:
    """Where one variable of a data set is found.

    Attributes
    ----------
    name : str
        socecon's name of the variable (``population``).
    csv : str or None
        Its column in the shared CSV export.
    titles : tuple of str
        Its possible ``DataProperties`` titles in CBS open data (empty: not fetched by title).
    stems : tuple of str
        Its OData key without the numeric suffix, tried when neither key nor title matches.
    keys : Mapping of str to str
        Table id to the key recorded for that table, tried first.
    unit : str
        The unit its topic must have (one of ``units`` in ``cbs_tables.yaml``).
    feeds : tuple of str
        The snapshot variables it goes into.
    """

    name: str
    csv: str | None
    titles: tuple[str, ...]
    stems: tuple[str, ...] = ()
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    unit: str = "aantal"
    feeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Design:
    """One design of a redesigned table: its variables and the sums they make.

    Attributes
    ----------
    id : str
    variables : tuple of Column
    sums : Mapping of str to tuple of str
        Snapshot variable (``population_15_64``) to the variables summed into it.
    """

    id: str
    variables: tuple[Column, ...]
    sums: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Localisation:
    """Lokalisering columns of a region kind (arbeidsmarktregio, provincie, COROP)."""

    kind: str
    csv_code: str | None
    csv_name: str | None
    group: str


@dataclass(frozen=True)
class AgeClass:
    """An age class of a table: its code (CSV export) and its title (CBS open data)."""

    code: str
    title: str


@dataclass(frozen=True)
class Dataset:
    """A CBS table in a year, or one table per year, as socecon reads it.

    Attributes
    ----------
    id : str
    tables : Mapping of int to str
        Year to table id.
    csv_file : str
        The shared CSV export (empty for a data set only ``socecon data refresh`` fetches).
    keys : Mapping of str to str
        socecon's name of a key column (``region``, ``name``, ``year``, ...) to its CSV column.
    variables : tuple of Column
    localisation : tuple of Localisation
    ages : Mapping of str to AgeClass
        socecon's name of an age class (``15_aow``) to its code and title.
    designs : tuple of Design
        Alternative variable sets of a redesigned table, tried in order.
    csv_design : str or None
        The design of the shared CSV export.
    dimensions : Mapping of str to tuple of str
        Dimension role (``region``, ``period``, ``age``) to its possible keys.
    recorded : str
        What was checked against recorded real answers of CBS.
    """

    id: str
    tables: Mapping[int, str]
    csv_file: str
    keys: Mapping[str, str]
    variables: tuple[Column, ...]
    localisation: tuple[Localisation, ...] = ()
    ages: Mapping[str, AgeClass] = field(default_factory=lambda: MappingProxyType({}))
    designs: tuple[Design, ...] = ()
    csv_design: str | None = None
    dimensions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    recorded: str = ""

    @property
    def table(self) -> str:
        """The table id, for a data set of one table."""
        (table_id,) = set(self.tables.values())
        return table_id

    @property
    def year(self) -> int:
        """The year of the figures, for a data set of one year."""
        (year,) = self.tables
        return year

    def design(self, design_id: str | None = None) -> Design | None:
        """Return a design by id (default: the design of the CSV export); None if none."""
        wanted = design_id or self.csv_design
        return next((d for d in self.designs if d.id == wanted), None)

    def csv_columns(self) -> dict[str, str]:
        """Return variable name -> CSV column, for the variables (and CSV design) with one."""
        design = self.design()
        columns = self.variables + (design.variables if design else ())
        return {c.name: c.csv for c in columns if c.csv}


@dataclass(frozen=True)
class CBSTables:
    """The declared CBS tables and data sets, and how CBS open data writes units and symbols.

    Attributes
    ----------
    tables : Mapping of str to CBSTable
    datasets : Mapping of str to Dataset
    service : str
        The base URL of CBS open data.
    units : Mapping of str to tuple of str
        Each expected unit with the spellings accepted for it.
    symbols : Mapping of str to float or None
        CBS symbol in a cell to its value (None: missing).
    dimension_kinds : Mapping of str to str
        Dimension role to the kind used when no declared key is present.
    """

    tables: Mapping[str, CBSTable]
    datasets: Mapping[str, Dataset]
    service: str = ""
    units: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    symbols: Mapping[str, float | None] = field(default_factory=lambda: MappingProxyType({}))
    dimension_kinds: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __getitem__(self, dataset_id: str) -> Dataset:
        return self.datasets[dataset_id]

    def years(self, table_id: str) -> list[int]:
        """Return the years for which the data sets read a table, in order."""
        return sorted(
            {y for ds in self.datasets.values() for y, t in ds.tables.items() if t == table_id}
        )


def parse_cbs_tables(doc: Any, problems: Problems) -> CBSTables:
    """Turn the parsed ``cbs_tables.yaml`` into :class:`CBSTables`, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    CBSTables
    """
    tables = {}
    for table_id, entry in mapping_of_entries(doc, "tables", CBS_TABLES_FILE, problems).items():
        item = f"table {table_id!r}"
        tables[table_id] = CBSTable(
            table_id,
            text(entry, "title", item, problems, collapse=True),
            text(entry, "reference_date", item, problems, collapse=True),
        )
    units = {
        str(unit): tuple(_texts(spellings, f"unit {unit!r}", "spellings", problems))
        for unit, spellings in _plain_map(doc, "units", problems).items()
    }
    symbols = {}
    for symbol, value in _plain_map(doc, "symbols", problems).items():
        if value == "missing":
            symbols[str(symbol)] = None
        elif (num := number(value, f"symbol {symbol!r}", "value", problems)) is not None:
            symbols[str(symbol)] = num
    kinds = _text_map(doc.get("dimension_kinds"), CBS_TABLES_FILE, "dimension_kinds", problems)
    service = text(doc, "service", CBS_TABLES_FILE, problems)
    datasets = {}
    for ds_id, entry in mapping_of_entries(doc, "datasets", CBS_TABLES_FILE, problems).items():
        datasets[ds_id] = _dataset(ds_id, entry, set(tables), set(units), problems)
    return CBSTables(
        MappingProxyType(tables),
        MappingProxyType(datasets),
        service,
        MappingProxyType(units),
        MappingProxyType(symbols),
        MappingProxyType(kinds),
    )


def _plain_map(doc: Any, key: str, problems: Problems) -> dict:
    raw = doc.get(key) if isinstance(doc, Mapping) else None
    if not isinstance(raw, Mapping):
        problems.add(CBS_TABLES_FILE, f"{key} must be a mapping, got {raw!r}")
        return {}
    return dict(raw)


def _texts(raw: Any, item: str, field: str, problems: Problems) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        problems.add(item, f"{field} must be a list of texts, got {raw!r}")
        return []
    return list(raw)


def _text_map(raw: Any, item: str, field: str, problems: Problems) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        problems.add(item, f"{field} must be a mapping of names to texts, got {raw!r}")
        return {}
    return {str(k): v for k, v in raw.items()}


def _dataset(
    ds_id: str, entry: Mapping, known: set[str], units: set[str], problems: Problems
) -> Dataset:
    item = f"data set {ds_id!r}"
    years = {}
    raw_tables = entry.get("tables")
    if not isinstance(raw_tables, Mapping) or not raw_tables:
        problems.add(item, f"tables must map years to table ids, got {raw_tables!r}")
        raw_tables = {}
    for year, table_id in raw_tables.items():
        if integer(year, item, "a year of tables", problems) is None:
            continue
        if table_id not in known:
            problems.add(item, f"table {table_id!r} is not declared under tables")
        years[year] = str(table_id)
    columns = _columns(entry.get("variables"), item, units, problems)
    designs = []
    for design_id, spec in _mapping(entry.get("designs"), item, "designs", problems).items():
        where = f"{item} design {design_id!r}"
        variables = _columns(spec.get("variables"), where, units, problems)
        names = {c.name for c in variables}
        sums = {}
        for target, parts in _mapping_of_lists(spec.get("sums"), where, problems).items():
            unknown = [p for p in parts if p not in names]
            if unknown:
                problems.add(where, f"sum {target!r} names unknown variables {unknown}")
            sums[str(target)] = tuple(parts)
        designs.append(Design(str(design_id), variables, MappingProxyType(sums)))
    csv_design = text(entry, "csv_design", item, problems, required=False) or None
    if csv_design and csv_design not in {d.id for d in designs}:
        problems.add(item, f"csv_design {csv_design!r} is not one of its designs")
    localisation = []
    for kind, spec in _mapping(entry.get("localisation"), item, "localisation", problems).items():
        where = f"{item} localisation {kind!r}"
        group = text(spec, "group", where, problems)
        csv_code = text(spec, "csv_code", where, problems, required=False) or None
        csv_name = text(spec, "csv_name", where, problems, required=False) or None
        localisation.append(Localisation(str(kind), csv_code, csv_name, group))
    return Dataset(
        id=ds_id,
        tables=MappingProxyType(years),
        csv_file=text(entry, "csv_file", item, problems, required=False),
        keys=MappingProxyType(_text_map(entry.get("keys"), item, "keys", problems)),
        variables=tuple(columns),
        localisation=tuple(localisation),
        ages=MappingProxyType(_ages(entry.get("ages"), item, problems)),
        designs=tuple(designs),
        csv_design=csv_design,
        dimensions=MappingProxyType(_mapping_of_lists(entry.get("dimensions"), item, problems)),
        recorded=text(entry, "recorded", item, problems, required=False, collapse=True),
    )


def _columns(raw_vars: Any, item: str, units: set[str], problems: Problems) -> tuple[Column, ...]:
    columns = []
    if not isinstance(raw_vars, Mapping) or not raw_vars:
        problems.add(item, "variables must be a non-empty mapping")
        raw_vars = {}
    for name, spec in raw_vars.items():
        where = f"{item} variable {name!r}"
        if not isinstance(spec, Mapping):
            problems.add(where, f"expected a mapping, got {spec!r}")
            continue
        titles = _texts(spec.get("titles"), where, "titles", problems)
        csv = text(spec, "csv", where, problems, required=False) or None
        unit = text(spec, "unit", where, problems, required=False) or "aantal"
        if unit not in units:
            problems.add(where, f"unit {unit!r} is not declared under units")
        if not csv and not titles:
            problems.add(where, "needs a csv column or OData titles")
        columns.append(
            Column(
                str(name),
                csv,
                tuple(titles),
                tuple(_texts(spec.get("stems"), where, "stems", problems)),
                MappingProxyType(_text_map(spec.get("keys"), where, "keys", problems)),
                unit,
                tuple(_texts(spec.get("feeds"), where, "feeds", problems)),
            )
        )
    return tuple(columns)


def _mapping_of_lists(raw: Any, item: str, problems: Problems) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(item, f"expected a mapping of lists, got {raw!r}")
        return {}
    return {str(k): tuple(_texts(v, item, str(k), problems)) for k, v in raw.items()}


def _ages(raw: Any, item: str, problems: Problems) -> dict[str, AgeClass]:
    out = {}
    for name, spec in _mapping(raw, item, "ages", problems).items():
        where = f"{item} age {name!r}"
        code = text(spec, "code", where, problems)
        title = text(spec, "title", where, problems)
        out[str(name)] = AgeClass(code, title)
    return out


def _mapping(raw: Any, item: str, field: str, problems: Problems) -> dict[str, Mapping]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(v, Mapping) for v in raw.values()):
        problems.add(item, f"{field} must be a mapping of mappings, got {raw!r}")
        return {}
    return dict(raw)


def load_cbs_tables(path: str | Path | None = None) -> CBSTables:
    """Load and validate the CBS table declarations.

    Parameters
    ----------
    path : str or Path, optional
        A ``cbs_tables.yaml``; the package's own by default (cached).

    Returns
    -------
    CBSTables

    Raises
    ------
    DefinitionError
        Listing every problem, by table and data set.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / CBS_TABLES_FILE)


@cache
def _load(path: Path) -> CBSTables:
    return validated(path, lambda p: parse_cbs_tables(read_yaml(path, p), p))
