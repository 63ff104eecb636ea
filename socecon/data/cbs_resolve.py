"""Find socecon's variables in a CBS table's metadata, and read its cells.

Everything this module knows about CBS open data is declared in ``cbs_tables.yaml``: per data
set and table the recorded keys, possible titles and key stems of each variable, its unit (with
the spellings accepted for it), the designs of a redesigned table, the keys of its dimensions
and the meaning of CBS's symbols. :func:`resolve_dataset` turns a table's ``DataProperties``
into the column key of every variable, or one :class:`~socecon.exceptions.DataError` that names
the table, each variable, what was looked for and the closest real titles.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from socecon.data.cbs_assemble import CBS_TABLES
from socecon.definitions.cbs_tables import Column, Dataset, Design
from socecon.exceptions import DataError


def norm(text: Any) -> str:
    """Return ``text`` in lower case with letters and digits only (``"x 1 000"`` -> ``x1000``).

    Parameters
    ----------
    text : object

    Returns
    -------
    str
    """
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


#: Each expected unit -> the normalised spellings accepted for it.
UNITS = {unit: {norm(s) for s in spellings} for unit, spellings in CBS_TABLES.units.items()}
#: CBS symbol in a cell -> its value (None: missing).
SYMBOLS = dict(CBS_TABLES.symbols)


@dataclass(frozen=True)
class Resolved:
    """Where a variable was found in a table.

    Attributes
    ----------
    column : Column
        The declared variable.
    key, title, unit : str
        The topic's key, title and unit as CBS wrote them.
    how : str
        ``key``, ``title`` or ``stem``: which part of the declaration matched.
    """

    column: Column
    key: str
    title: str
    unit: str
    how: str


def topics(properties: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Return the ``Topic`` entries of a table's ``DataProperties``."""
    return [p for p in properties if p.get("Type") == "Topic" and p.get("Key")]


def _stem(key: str) -> str:
    return re.sub(r"_\d+$", "", key)


def resolve_column(
    properties: Iterable[Mapping[str, Any]], column: Column, table_id: str
) -> Resolved | None:
    """Find one variable: by its recorded key, else a title, else a key stem; None if not found.

    Only topics whose unit is one of the spellings of the variable's unit are considered.

    Parameters
    ----------
    properties : iterable of mapping
        The table's ``DataProperties``.
    column : Column
    table_id : str

    Returns
    -------
    Resolved or None
    """
    accepted = UNITS.get(column.unit, {norm(column.unit)})
    candidates = [p for p in topics(properties) if norm(p.get("Unit")) in accepted]
    titles = {norm(t) for t in column.titles}
    tests = (
        ("key", lambda p: p["Key"] == column.keys.get(table_id)),
        ("title", lambda p: norm(p.get("Title", "")) in titles),
        ("stem", lambda p: _stem(p["Key"]) in column.stems),
    )
    for how, test in tests:
        hit = next((p for p in candidates if test(p)), None)
        if hit is not None:
            title, unit = str(hit.get("Title", "")), str(hit.get("Unit", ""))
            return Resolved(column, str(hit["Key"]), title, unit, how)
    return None


def closest_titles(
    properties: Iterable[Mapping[str, Any]], column: Column, count: int = 3
) -> list[str]:
    """Return the ``count`` topics whose title is closest to the variable's, as text.

    Closest: most words in common with a declared title, then the expected unit, then the
    most similar spelling.

    Parameters
    ----------
    properties : iterable of mapping
    column : Column
    count : int, default 3

    Returns
    -------
    list of str
        ``'title' (key, unit)`` per topic, closest first.
    """
    wanted = [norm(t) for t in column.titles] or [norm(s) for s in column.stems]
    words = {w for t in column.titles for w in re.findall(r"[a-z0-9]{3,}", t.lower())}
    accepted = UNITS.get(column.unit, set())

    def score(p: Mapping[str, Any]) -> tuple[int, bool, float]:
        title = str(p.get("Title", ""))
        shared = len(words & set(re.findall(r"[a-z0-9]{3,}", title.lower())))
        ratio = max(difflib.SequenceMatcher(None, w, norm(title)).ratio() for w in wanted)
        return shared, norm(p.get("Unit")) in accepted, ratio

    ranked = sorted(topics(properties), key=score, reverse=True)[:count]
    return [f"{p.get('Title', '')!r} ({p['Key']}, {p.get('Unit') or 'no unit'})" for p in ranked]


def _looked_for(column: Column, table_id: str) -> str:
    parts = []
    if column.keys.get(table_id):
        parts.append(f"key {column.keys[table_id]}")
    if column.titles:
        parts.append("title " + " or ".join(repr(t) for t in column.titles))
    if column.stems:
        parts.append("key stem " + " or ".join(column.stems))
    return f"{', '.join(parts)} with unit {column.unit!r}"


def _problem(properties: list, column: Column, table_id: str) -> str:
    close = "; ".join(closest_titles(properties, column)) or "none (the table has no topics)"
    return (
        f"variable {column.name}: looked for {_looked_for(column, table_id)}; closest real "
        f"titles: {close}"
    )


def resolve_columns(
    properties: list[Mapping[str, Any]], columns: Iterable[Column], table_id: str
) -> tuple[dict[str, Resolved], list[str]]:
    """Resolve several variables; return what was found and a problem text per variable not."""
    found, problems = {}, []
    for column in columns:
        hit = resolve_column(properties, column, table_id)
        if hit is None:
            problems.append(_problem(properties, column, table_id))
        else:
            found[column.name] = hit
    return found, problems


def resolve_dataset(
    properties: list[Mapping[str, Any]], dataset: Dataset, table_id: str
) -> tuple[Design | None, dict[str, Resolved]]:
    """Resolve every variable of a data set in one table, choosing the design that fits.

    Parameters
    ----------
    properties : list of mapping
        The table's ``DataProperties``.
    dataset : Dataset
    table_id : str

    Returns
    -------
    (Design or None, dict)
        The design whose variables all resolved (None for a data set without designs), and
        variable name -> :class:`Resolved`.

    Raises
    ------
    DataError
        Naming the table, data set, and for each variable not found what was looked for and
        the closest real titles (for a redesigned table: for every design).
    """
    columns = [c for c in dataset.variables if c.titles or c.keys or c.stems]
    found, problems = resolve_columns(properties, columns, table_id)
    design = None
    if dataset.designs and not problems:
        tried = []
        for candidate in dataset.designs:
            extra, missing = resolve_columns(properties, candidate.variables, table_id)
            if not missing:
                design = candidate
                found.update(extra)
                break
            tried += [f"(design {candidate.id}) {text}" for text in missing]
        if design is None:
            problems = tried
    if problems:
        raise DataError(
            f"CBS table {table_id} (data set {dataset.id}): "
            + " | ".join(problems)
            + ". The table layout changed; update socecon/definitions/cbs_tables.yaml. "
            "Nothing was written."
        )
    return design, found


def dimension(properties: Iterable[Mapping[str, Any]], dataset: Dataset, role: str) -> str:
    """Return the key of a data set's dimension (``region``, ``period``, ``age``).

    A dimension (of any kind) with one of the declared keys; else the one dimension of the
    fallback kind of ``dimension_kinds``.

    Raises
    ------
    DataError
        If neither is found.
    """
    dims = [p for p in properties if str(p.get("Type", "")).endswith("Dimension")]
    keys = dataset.dimensions.get(role, ())
    hit = next((p for p in dims if p.get("Key") in keys), None)
    kind = CBS_TABLES.dimension_kinds.get(role)
    if hit is None:
        hit = next((p for p in dims if p.get("Type") == kind), None)
    if hit is None:
        have = ", ".join(f"{p.get('Key')} ({p.get('Type')})" for p in dims) or "none"
        raise DataError(
            f"CBS table of data set {dataset.id}: no {role} dimension (looked for key "
            f"{' or '.join(keys) or '-'} or kind {kind}); dimensions: {have}"
        )
    return str(hit["Key"])


def cell(value: Any, table_id: str, variable: str, region: str) -> float:
    """Read one cell: a number (typed or padded text) or a declared CBS symbol.

    Raises
    ------
    DataError
        For text that is neither, naming table, variable, region and value.
    """
    if value is None:
        return float("nan")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text in SYMBOLS:
        meaning = SYMBOLS[text]
        return float("nan") if meaning is None else float(meaning)
    try:
        return float(text)
    except ValueError:
        raise DataError(
            f"CBS table {table_id}: variable {variable}, region {region}: cannot read "
            f"{value!r} as a number or a CBS symbol ({', '.join(map(repr, SYMBOLS))})"
        ) from None
