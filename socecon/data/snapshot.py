"""The processed CBS snapshot: writing it, and loading it validated and cached.

The snapshot is one long, tidy table (``data/cbs_snapshot.csv``) with the columns
``region, year, variable, unit, value, source``, a region table (``data/regions.csv``) and a
manifest (``data/manifest.yaml``) that records, for every processed table, the CBS table ids,
reference dates, licence, the sha256 of the inputs and of the output, and per-variable and
per-region control totals. ``socecon data build`` (:func:`~.cbs_build.build`) writes it from the
shared CBS exports, ``socecon data refresh`` (:func:`~.cbs_refresh.refresh`) from CBS open data;
both go through :func:`write_snapshot`, so rebuilding from the same inputs gives identical bytes.

Loading checks the files against the manifest, once per data folder (:func:`load_snapshot`,
:func:`load_regions_table`; :func:`clear_cache` forgets them). A file that was edited by hand or
corrupted is reported by file, and where possible by line and column.

Examples
--------
>>> from socecon.data.snapshot import snapshot_wide
>>> int(snapshot_wide(2015, ["population"]).loc["GM0784", "population"])
26065
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from socecon.data.manifest import (
    sha256_file,
    validate_snapshot_dir,
    write_files,
)
from socecon.data.schema import (
    MANIFEST_FILE,
    PROCESSED_FILES,
    VARIABLES,
    resolve_data_dir,
)
from socecon.exceptions import DataError


def write_snapshot(
    snapshot: pd.DataFrame,
    regions: pd.DataFrame,
    data_dir: str | Path,
    provenance: Mapping[str, Any],
) -> Path:
    """Validate and write the processed snapshot and its manifest, atomically.

    The files are written to a temporary directory beside ``data_dir`` and moved into place
    only when everything is written and validated, so a failure leaves the existing snapshot
    untouched. Given the same frames and provenance, the bytes are identical.

    Parameters
    ----------
    snapshot : pandas.DataFrame
        Long frame with the columns of :data:`~socecon.data.schema.COLUMNS`.
    regions : pandas.DataFrame
        Region table with the columns of :data:`~socecon.data.schema.REGION_COLUMNS` (``code``
        as column or index).
    data_dir : str or pathlib.Path
        Target directory; created if needed. Other files in it are left alone.
    provenance : mapping
        ``origin`` (str), ``inputs`` (list of ``{file, sha256}``), ``cbs_tables`` (list of
        mappings with ``id``, ``title``, ``years``, ``reference_date``) and optional extras,
        copied into the manifest.

    Returns
    -------
    pathlib.Path
        The path of the manifest written.

    Raises
    ------
    DataError
        If the frames break the schema; nothing is written then.
    """
    path = write_files(snapshot, regions, data_dir, provenance)
    clear_cache()
    return path


# --------------------------------------------------------------------------------------------
# Loading


def load_snapshot(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load the processed CBS snapshot as one long frame, validated against its manifest.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Directory with ``cbs_snapshot.csv``, ``regions.csv`` and ``manifest.yaml``. Defaults to
        ``$SOCECON_DATA_DIR`` or ``<repo>/data``. Files are read and validated once per
        directory (cached); each call returns a copy.

    Returns
    -------
    pandas.DataFrame
        Columns ``region`` (str: GMxxxx, NL01, PVxx, AMxx, CRxx, LDxx), ``year`` (int),
        ``variable`` (str), ``unit`` (str), ``value`` (float, NaN where CBS has none) and
        ``source`` (str, CBS table id).

    Raises
    ------
    DataError
        If a file is missing, does not match the manifest or breaks the schema.
    """
    return _validated(resolve_data_dir(data_dir).resolve())[0].copy()


@cache
def _validated(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the validated snapshot and region table of a data directory (read once).

    The snapshot and region loaders share this, so the files are hashed, read and checked once
    per directory instead of once per loader.
    """
    snapshot, regions = validate_snapshot_dir(data_dir)
    return snapshot.reset_index(drop=True), regions.set_index("code")


#: Functions that drop caches derived from the data files (other modules register their own).
CACHE_CLEARERS: list = []


def clear_cache() -> None:
    """Forget the cached snapshot, region table and caches derived from them."""
    _validated.cache_clear()
    for clear in CACHE_CLEARERS:
        clear()


def load_regions_table(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load ``regions.csv`` (validated with the snapshot), indexed by ``code``.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional

    Returns
    -------
    pandas.DataFrame
    """
    return _validated(resolve_data_dir(data_dir).resolve())[1].copy()


def snapshot_wide(
    year: int, variables: Iterable[str] | None = None, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """Return one year of the snapshot as a wide frame, one row per region.

    Parameters
    ----------
    year : int
        Reference year (2015, 2016, 2017, 2019 or 2025).
    variables : iterable of str, optional
        Variables to include, in this order; all variables of that year by default.
    data_dir : str or pathlib.Path, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region``; NaN where CBS has no value.

    Raises
    ------
    DataError
        If a requested variable is unknown.
    """
    frame = load_snapshot(data_dir)
    part = frame[frame["year"] == int(year)]
    wide = part.pivot(index="region", columns="variable", values="value")
    wide.columns.name = None
    if variables is None:
        return wide[[v for v in VARIABLES if v in wide.columns]]
    variables = list(variables)
    unknown = [v for v in variables if v not in VARIABLES]
    if unknown:
        raise DataError(f"unknown variable(s) {unknown}; known: {sorted(VARIABLES)}")
    return wide.reindex(columns=variables)


def input_hashes(data_dir: str | Path | None = None) -> dict[str, str]:
    """Return the sha256 of every processed data file and of the manifest (for colophons).

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional

    Returns
    -------
    dict
        File name relative to the data directory -> hex sha256.
    """
    directory = resolve_data_dir(data_dir)
    return {
        name: sha256_file(directory / name)
        for name in (*PROCESSED_FILES, MANIFEST_FILE)
        if (directory / name).is_file()
    }
