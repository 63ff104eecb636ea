"""The model's results: the long table, how to read it, and how to export it.

:func:`socecon.model.run_model` returns one long table with the columns :data:`LONG_COLUMNS`
(``scenario, region, variable, unit, year, value``). Every reader of that table goes through
this module: :func:`select` picks rows by region, year, scenario and variable, :func:`wide`
turns them into a table (scenarios x indicators by default), :func:`summary` shows the key
indicators of one region, :func:`to_iamc` and :func:`export` write the IAMC or long layout.

Examples
--------
>>> from socecon.model import results, run_model
>>> frame = run_model(["GM0301"], years=[2020])  # doctest: +SKIP
>>> results.wide(frame, "GM0301", 2020, variable=["placed", "net_cost"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socecon.definitions import MODEL_VERSION
from socecon.exceptions import ModelError

MODEL_NAME = "socecon"
#: The ``model`` of an IAMC export: the model's name and its declared version (``socecon v2``).
MODEL_LABEL = f"{MODEL_NAME} v{MODEL_VERSION}"
#: The column a long-layout CSV export adds after :data:`LONG_COLUMNS`: the model version.
VERSION_COLUMN = "model_version"
#: Columns of the long table (:meth:`~socecon.model.core.ModelRun.to_frame`, :func:`run_model`),
#: in order.
LONG_COLUMNS = ["scenario", "region", "variable", "unit", "year", "value"]
#: The key indicators of :func:`summary`, in column order.
SUMMARY_VARIABLES = (
    "target_group",
    "placed",
    "participation_rate",
    "net_cost",
    "net_cost_per_placed",
    "sroi",
)


def _matches(column: pd.Series, wanted: Any) -> pd.Series:
    """Return where ``column`` equals ``wanted``, or lies in it when ``wanted`` is a collection."""
    if isinstance(wanted, str | int | np.integer):
        return column == wanted
    return column.isin(list(wanted))


def select(
    frame: pd.DataFrame,
    region: str | Sequence[str] | None = None,
    year: int | Sequence[int] | None = None,
    scenario: str | Sequence[str] | None = None,
    variable: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the rows of the long table for some regions, years, scenarios and variables.

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table from :func:`socecon.model.run_model`.
    region, scenario, variable : str or sequence of str, optional
        One id, or several; every one in ``frame`` when None.
    year : int or sequence of int, optional
        One year, or several; every year when None.

    Returns
    -------
    pandas.DataFrame
        The matching rows in their order in ``frame`` (``frame`` itself when nothing is chosen);
        empty when nothing matches.
    """
    mask = None
    for column, wanted in (
        ("region", region),
        ("year", year),
        ("scenario", scenario),
        ("variable", variable),
    ):
        if wanted is None:
            continue
        hit = _matches(frame[column], wanted)
        mask = hit if mask is None else mask & hit
    return frame if mask is None else frame[mask]


def last_year(frame: pd.DataFrame, region: str | None = None) -> int:
    """Return the last year of the long table, or of one region in it.

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table from :func:`socecon.model.run_model`.
    region : str, optional

    Returns
    -------
    int

    Raises
    ------
    ModelError
        If ``frame`` holds no results (for ``region``).
    """
    rows = select(frame, region)
    if rows.empty:
        where = f" for region {region!r}" if region is not None else ""
        raise ModelError(f"no model results{where}")
    return int(rows["year"].max())


def wide(
    frame: pd.DataFrame,
    region: str | Sequence[str] | None = None,
    year: int | Sequence[int] | None = None,
    *,
    scenario: str | Sequence[str] | None = None,
    variable: str | Sequence[str] | None = None,
    index: Hashable | Sequence[Hashable] = "scenario",
    columns: Hashable = "variable",
    dropna: bool = True,
) -> pd.DataFrame:
    """Return a wide view of the long table: scenarios x indicators by default.

    The rows are chosen as by :func:`select`, then spread out with one row per ``index`` value
    and one column per ``columns`` value. Each cell holds the value of the first matching row,
    so the chosen rows must have at most one row per cell (fix the region and year unless they
    are ``index`` or ``columns``).

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table from :func:`socecon.model.run_model`.
    region, year, scenario, variable : optional
        As for :func:`select`.
    index : str or list of str
        Column(s) of the long table that become the rows (``"scenario"``).
    columns : str
        Column of the long table that becomes the columns (``"variable"``).
    dropna : bool
        When False, rows and columns that are empty everywhere are kept (an indicator nobody
        has a value for, such as the cost per placed person when no one is placed).

    Returns
    -------
    pandas.DataFrame
        Index and columns in the order of the categories of the long table.

    Examples
    --------
    >>> wide(frame, "GM0301", 2020)  # doctest: +SKIP
    >>> wide(frame, "GM0301", variable="placed", index="year", columns="scenario")  # doctest: +SKIP
    """
    rows = select(frame, region, year, scenario, variable)
    return rows.pivot_table(
        index=index,
        columns=columns,
        values="value",
        observed=True,
        aggfunc="first",
        dropna=dropna,
    )


def to_iamc(frame: pd.DataFrame, model: str = MODEL_LABEL) -> pd.DataFrame:
    """Return the long table in the IAMC layout (as read by pyam and other scenario tools).

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table from :func:`run_model`.
    model : str, optional
        Value of the ``model`` column: the model's name and version by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, scenario, region, variable, unit`` and one column per year.
    """
    keys = ["model", "scenario", "region", "variable", "unit"]
    table = wide(frame.assign(model=model), index=keys, columns="year", dropna=False)
    table.columns = [int(c) for c in table.columns]
    table = table.dropna(how="all").reset_index()
    for col in keys:
        table[col] = table[col].astype(str)
    return table


def export(frame: pd.DataFrame, path: str | Path, layout: str = "long") -> Path:
    """Write model results to CSV, in the long or the IAMC layout, with the model version.

    The IAMC layout names the model and its version in its ``model`` column (``socecon v2``);
    the long layout adds a last column ``model_version``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table from :func:`run_model`.
    path : str or Path
        Target file; written to a temporary file first and then renamed.
    layout : {"long", "iamc"}

    Returns
    -------
    Path
    """
    if layout not in ("long", "iamc"):
        raise ModelError(f"unknown export layout {layout!r} (choose long or iamc)")
    table = to_iamc(frame) if layout == "iamc" else frame.assign(**{VERSION_COLUMN: MODEL_VERSION})
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    table.to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(target)
    return target


def summary(frame: pd.DataFrame, region: str, year: int | None = None) -> pd.DataFrame:
    """Return key indicators for one region: one row per scenario, one column per indicator.

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table from :func:`run_model`.
    region : str
        A region id present in ``frame``.
    year : int, optional
        The year to show; the last year in ``frame`` by default.

    Returns
    -------
    pandas.DataFrame
    """
    year = int(frame["year"].max()) if year is None else year
    rows = select(frame, region, year, variable=SUMMARY_VARIABLES)
    if rows.empty:
        raise ModelError(f"no results for region {region!r} in {year}")
    return wide(rows).reindex(columns=list(SUMMARY_VARIABLES))
