"""The report's wind-tunnel tables: computed for many regions in one pass, kept, read back.

A report shows the wind tunnel of its region (:func:`socecon.report.policy.windtunnel_table`).
Alone it runs :func:`socecon.analysis.windtunnel.evaluate` for that region; a report batch
(``socecon run``, :mod:`socecon.batch.windtunnel_pass`) computes the tables of its regions
together (:func:`compute_tables`, one :func:`~socecon.analysis.windtunnel.evaluate_many` pass
per few regions, each region's result bit for bit what it gets alone) and writes each into a
store directory of the batch (:func:`write_table`). The report finds the directory in the
environment variable :data:`STORE_ENV` (set for the report's kernel, never a notebook parameter,
so the page does not depend on it) and reads its table (:func:`read_table`) when one was stored
for exactly its inputs; otherwise it computes alone. It never waits and is never wrong: a
missing, unreadable or mismatched file means "compute alone".

A stored table is JSON, not pickle: the inputs it was computed from (:func:`table_key`: region,
indeling, goal, horizon, overrides, samples, seed, the declared options, and what pins code and
data: the versions of socecon, numpy and pandas, the sha256 of socecon's source files, of the
declarations and of the data files), then the frame with its dtypes, its tuple-valued columns
(``breaks_when``, ``drivers``) and its ``attrs`` (the :class:`~socecon.analysis.criteria.Goal`
among them); floats as Python writes them (the shortest text that reads back to the same
double), so a table reads back exactly equal.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import socecon
from socecon.analysis.criteria import Goal
from socecon.analysis.windtunnel import evaluate_many
from socecon.data.snapshot import definition_hashes, input_hashes
from socecon.exceptions import WindTunnelError
from socecon.model.inputs import snapshot_input
from socecon.report.export import write_atomic
from socecon.report.region_figures import ReportRegion

#: The environment variable that names a batch's store directory in a report's kernel.
STORE_ENV = "SOCECON_WINDTUNNEL_STORE"

#: Version of the stored format; a file of another version is not read.
FORMAT = 1


def compute_tables(
    places: Sequence[ReportRegion],
    goal: Mapping[str, float],
    *,
    horizon: int,
    overrides: Mapping[str, Any] | None,
    n_samples: int,
    seed: int,
) -> list[pd.DataFrame]:
    """Run the report's wind tunnel for regions of one indeling in one pass.

    Parameters
    ----------
    places : sequence of ReportRegion
        The reports' regions, all of one indeling.
    goal : mapping
        Keyword arguments of :class:`~socecon.analysis.criteria.Goal`.
    horizon : int
    overrides : mapping or None
        Scalar assumption overrides, held fixed in every sample.
    n_samples, seed : int
        Uncertainty samples and their seed.

    Returns
    -------
    list of pandas.DataFrame
        One option x scenario matrix (:meth:`~socecon.analysis.windtunnel.WindTunnelResult.table`)
        per region, in order; each the table the region gets alone.

    Raises
    ------
    WindTunnelError
        For regions of more than one indeling, and what
        :func:`~socecon.analysis.windtunnel.evaluate_many` raises.
    """
    indelings = {place.indeling for place in places}
    if len(indelings) != 1:
        raise WindTunnelError(f"One wind-tunnel pass takes one indeling, got {sorted(indelings)}")
    results = evaluate_many(
        [place.code for place in places],
        None,
        goal,
        n_samples=n_samples,
        seed=seed,
        horizon=horizon,
        overrides=overrides,
        model_input=snapshot_input(indeling=indelings.pop()),
    )
    return [result.table() for result in results]


# --------------------------------------------------------------------------- what pins a table


@functools.cache
def _code_hash() -> str:
    """Return the sha256 of socecon's source files (paths and bytes), once per process."""
    root = Path(socecon.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def table_key(
    place: ReportRegion,
    goal: Mapping[str, float],
    *,
    horizon: int,
    overrides: Mapping[str, Any] | None,
    n_samples: int,
    seed: int,
) -> dict[str, Any]:
    """Return everything a report's wind-tunnel table depends on, as JSON-ready values.

    Parameters
    ----------
    place : ReportRegion
    goal : mapping
    horizon : int
    overrides : mapping or None
    n_samples, seed : int
        As for :func:`compute_tables`.

    Returns
    -------
    dict
        The inputs (the declared options are pinned by the declarations' hashes), and the
        versions and hashes that pin code and data. Equal keys, equal tables.
    """
    return {
        "format": FORMAT,
        "region": place.code,
        "indeling": place.indeling,
        "goal": dict(goal),
        "horizon": horizon,
        "overrides": dict(overrides or {}),
        "n_samples": n_samples,
        "seed": seed,
        "options": "declared",
        "versions": {
            "socecon": socecon.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "code": _code_hash(),
        "definitions": definition_hashes(),
        "data": input_hashes(),
    }


def _canonical(key: Mapping[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, allow_nan=False, separators=(",", ":"))


def _file(directory: str | Path, key: Mapping[str, Any]) -> Path:
    return Path(directory) / f"{hashlib.sha256(_canonical(key).encode()).hexdigest()[:40]}.json"


# --------------------------------------------------------------------------- the format


def _plain(value: Any) -> Any:
    """Return a cell of a tuple-valued column with numpy scalars as Python values."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a wind-tunnel table")


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _attr(value: Any) -> Any:
    if isinstance(value, Goal):
        return {"Goal": dataclasses.asdict(value)}
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"cannot store an attribute of type {type(value).__name__}")


def encode_table(table: pd.DataFrame) -> dict[str, Any]:
    """Return a wind-tunnel table as JSON-ready values that :func:`decode_table` reads back.

    Parameters
    ----------
    table : pandas.DataFrame
        With a default (range) index, unique column names, and object columns that hold tuples
        (of tuples) of strings, numbers and None.

    Returns
    -------
    dict

    Raises
    ------
    TypeError
        For a table this format cannot restore exactly.
    """
    if not isinstance(table.index, pd.RangeIndex) or not table.columns.is_unique:
        raise TypeError("a stored table needs a range index and unique column names")
    columns = []
    for name, column in table.items():
        dtype = str(column.dtype)
        if dtype == "object":
            if not all(isinstance(v, tuple) for v in column):
                raise TypeError(f"the object column {name!r} of a stored table must hold tuples")
            values = [_plain(v) for v in column]
        else:
            values = column.tolist()
        columns.append({"name": name, "dtype": dtype, "values": values})
    index = table.index
    return {
        "index": [index.start, index.stop, index.step],
        "columns_dtype": str(table.columns.dtype),
        "columns": columns,
        "attrs": {name: _attr(value) for name, value in table.attrs.items()},
    }


def decode_table(data: Mapping[str, Any]) -> pd.DataFrame:
    """Return the table that :func:`encode_table` encoded, exactly equal, attrs included.

    Parameters
    ----------
    data : mapping
        The output of :func:`encode_table` (after a JSON round trip).

    Returns
    -------
    pandas.DataFrame
    """
    start, stop, step = data["index"]
    index = pd.RangeIndex(start, stop, step)
    series = {}
    for column in data["columns"]:
        values = column["values"]
        if column["dtype"] == "object":
            values = [_tuples(v) for v in values]
        series[column["name"]] = pd.Series(values, index=index, dtype=column["dtype"])
    table = pd.DataFrame(series, index=index)
    table.columns = pd.Index(list(series), dtype=data["columns_dtype"])
    table.attrs = {
        name: Goal(**value["Goal"]) if isinstance(value, dict) else value
        for name, value in data["attrs"].items()
    }
    return table


# --------------------------------------------------------------------------- the store


def write_table(directory: str | Path, key: Mapping[str, Any], table: pd.DataFrame) -> Path:
    """Store ``table`` under ``key`` in ``directory``, atomically (a reader sees all or nothing).

    Parameters
    ----------
    directory : str or Path
        The batch's store directory.
    key : mapping
        :func:`table_key` of the table's inputs.
    table : pandas.DataFrame

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    TypeError
        For a table or key this format cannot store exactly.
    OSError
        When the file cannot be written.
    """
    text = json.dumps({"key": key, "table": encode_table(table)}, separators=(",", ":"))
    path = write_atomic(_file(directory, key), text)
    return path


def read_table(
    place: ReportRegion, goal: Mapping[str, float], **inputs: Any
) -> pd.DataFrame | None:
    """Return the table the batch stored for exactly these inputs, or None.

    Looks in the directory named by :data:`STORE_ENV`; never raises and never waits.

    Parameters
    ----------
    place : ReportRegion
    goal : mapping
    **inputs
        ``horizon``, ``overrides``, ``n_samples`` and ``seed``, as for :func:`table_key`.

    Returns
    -------
    pandas.DataFrame or None
        None without a store, without a file for these inputs, or for a file that cannot be
        read or was stored for other inputs (then the report computes its table alone).
    """
    directory = os.environ.get(STORE_ENV)
    if not directory:
        return None
    try:
        key = table_key(place, goal, **inputs)
        path = _file(directory, key)
        if not path.is_file():
            return None
        stored = json.loads(path.read_text(encoding="utf-8"))
        if _canonical(stored["key"]) != _canonical(key):
            return None
        return decode_table(stored["table"])
    except Exception:  # anything wrong with the store: compute alone
        return None
