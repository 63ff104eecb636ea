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
    stem : str or None
        Its OData key without the numeric suffix, tried when no title matches.
    """

    name: str
    csv: str | None
    titles: tuple[str, ...]
    stem: str | None


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
        The shared CSV export.
    keys : Mapping of str to str
        socecon's name of a key column (``region``, ``name``, ``year``, ...) to its CSV column.
    variables : tuple of Column
    localisation : tuple of Localisation
    ages : Mapping of str to AgeClass
        socecon's name of an age class (``15_aow``) to its code and title.
    """

    id: str
    tables: Mapping[int, str]
    csv_file: str
    keys: Mapping[str, str]
    variables: tuple[Column, ...]
    localisation: tuple[Localisation, ...] = ()
    ages: Mapping[str, AgeClass] = field(default_factory=lambda: MappingProxyType({}))

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

    def csv_columns(self) -> dict[str, str]:
        """Return variable name -> CSV column, for the variables with one."""
        return {c.name: c.csv for c in self.variables if c.csv}

    def odata_columns(self) -> tuple[Column, ...]:
        """Return the variables fetched from CBS open data by title."""
        return tuple(c for c in self.variables if c.titles)


@dataclass(frozen=True)
class CBSTables:
    """The declared CBS tables and data sets."""

    tables: Mapping[str, CBSTable]
    datasets: Mapping[str, Dataset]

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
    datasets = {}
    for ds_id, entry in mapping_of_entries(doc, "datasets", CBS_TABLES_FILE, problems).items():
        datasets[ds_id] = _dataset(ds_id, entry, set(tables), problems)
    return CBSTables(MappingProxyType(tables), MappingProxyType(datasets))


def _text_map(raw: Any, item: str, field: str, problems: Problems) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        problems.add(item, f"{field} must be a mapping of names to texts, got {raw!r}")
        return {}
    return {str(k): v for k, v in raw.items()}


def _dataset(ds_id: str, entry: Mapping, known: set[str], problems: Problems) -> Dataset:
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
    columns = []
    raw_vars = entry.get("variables")
    if not isinstance(raw_vars, Mapping) or not raw_vars:
        problems.add(item, "variables must be a non-empty mapping")
        raw_vars = {}
    for name, spec in raw_vars.items():
        where = f"{item} variable {name!r}"
        if not isinstance(spec, Mapping):
            problems.add(where, f"expected a mapping, got {spec!r}")
            continue
        titles = spec.get("titles", [])
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            problems.add(where, f"titles must be a list of texts, got {titles!r}")
            titles = []
        csv = text(spec, "csv", where, problems, required=False) or None
        stem = text(spec, "stem", where, problems, required=False) or None
        if not csv and not titles:
            problems.add(where, "needs a csv column or OData titles")
        columns.append(Column(str(name), csv, tuple(titles), stem))
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
        csv_file=text(entry, "csv_file", item, problems),
        keys=MappingProxyType(_text_map(entry.get("keys"), item, "keys", problems)),
        variables=tuple(columns),
        localisation=tuple(localisation),
        ages=MappingProxyType(_ages(entry.get("ages"), item, problems)),
    )


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
