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
    validate_all,
    write_files,
)
from socecon.data.schema import (
    MANIFEST_FILE,
    PROCESSED_FILES,
    VARIABLES,
    check_indeling,
    resolve_data_dir,
)
from socecon.definitions import DEFINITIONS_DIR
from socecon.exceptions import DataError


def write_snapshot(
    tables: Mapping[int, tuple[pd.DataFrame, pd.DataFrame]],
    data_dir: str | Path,
    provenance: Mapping[str, Any],
    conversion: pd.DataFrame,
) -> Path:
    """Validate and write the processed snapshot of every indeling and its manifest, atomically.

    The files are written to a temporary directory beside ``data_dir`` and moved into place
    only when everything is written and validated, so a failure leaves the existing snapshot
    untouched. Given the same frames and provenance, the bytes are identical.

    Parameters
    ----------
    tables : mapping
        Indeling (2015, 2025) -> (long frame with the columns of
        :data:`~socecon.data.schema.COLUMNS`, region table with the columns of
        :data:`~socecon.data.schema.REGION_COLUMNS`, ``code`` as column or index).
    data_dir : str or pathlib.Path
        Target directory; created if needed. Other files in it are left alone.
    provenance : mapping
        ``origin`` (str), ``inputs`` (list of ``{file, sha256}``), ``cbs_tables`` (list of
        mappings with ``id``, ``title``, ``years``, ``reference_date``: each snapshot's entry
        lists those that are the ``source`` of some of its rows), ``indelingen`` (what
        the conversion did, with its control totals) and optional extras, copied into the
        manifest.
    conversion : pandas.DataFrame
        The municipalities of 2015 mapped to those of 2025
        (:func:`socecon.data.indeling.read_mapping`).

    Returns
    -------
    pathlib.Path
        The path of the manifest written.

    Raises
    ------
    DataError
        If the frames break the schema; nothing is written then.
    """
    path = write_files(tables, data_dir, provenance, conversion)
    clear_cache()
    return path


# --------------------------------------------------------------------------------------------
# Loading


def load_snapshot(
    data_dir: str | Path | None = None, *, indeling: int | str | None = None
) -> pd.DataFrame:
    """Load the processed CBS snapshot of one indeling as one long frame, validated.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Directory with the snapshot files and ``manifest.yaml``. Defaults to
        ``$SOCECON_DATA_DIR`` or ``<repo>/data``. Files are read and validated once per
        directory (cached); each call returns a copy.
    indeling : int or str, optional
        The municipal boundaries: 2015 (the study's, 393 municipalities) or 2025 (342, the
        2015-2017 counts converted); ``default_indeling`` of ``conventions.yaml`` when None.

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
    return _tables(data_dir, indeling)[0].copy()


def _tables(
    data_dir: str | Path | None, indeling: int | str | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _validated(resolve_data_dir(data_dir).resolve())[check_indeling(indeling)]


@cache
def _validated(data_dir: Path) -> dict[int, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Return the validated snapshot, region and conversion tables of every indeling (read once).

    The loaders share this, so the files are hashed, read and checked once per directory
    instead of once per loader.
    """
    return {
        indeling: (snapshot.reset_index(drop=True), regions.set_index("code"), conversion)
        for indeling, (snapshot, regions, conversion) in validate_all(data_dir).items()
    }


#: Functions that drop caches derived from the data files (other modules register their own).
CACHE_CLEARERS: list = []


def clear_cache() -> None:
    """Forget the cached snapshot, region table and caches derived from them."""
    _validated.cache_clear()
    for clear in CACHE_CLEARERS:
        clear()


def load_regions_table(
    data_dir: str | Path | None = None, *, indeling: int | str | None = None
) -> pd.DataFrame:
    """Load the region table of one indeling (validated with the snapshot), indexed by ``code``.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
    indeling : int or str, optional
        2015 or 2025; the declared default when None.

    Returns
    -------
    pandas.DataFrame
    """
    return _tables(data_dir, indeling)[1].copy()


def load_conversion(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load how the municipalities of 2015 became those of 2025 (validated with the snapshot).

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional

    Returns
    -------
    pandas.DataFrame
        ``code_2015, name_2015, code_2025, share, kind, year_of_change`` (0 when unchanged).
    """
    return _tables(data_dir, None)[2].copy()


def snapshot_wide(
    year: int,
    variables: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
    *,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Return one year of the snapshot of one indeling as a wide frame, one row per region.

    Parameters
    ----------
    year : int
        Reference year (2015, 2016, 2017, 2019 or 2025).
    variables : iterable of str, optional
        Variables to include, in this order; all variables of that year by default.
    data_dir : str or pathlib.Path, optional
    indeling : int or str, optional
        2015 or 2025 (counts of 2015-2017 converted); the declared default when None.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region``; NaN where CBS has no value.

    Raises
    ------
    DataError
        If a requested variable is unknown.
    """
    frame = _tables(data_dir, indeling)[0]
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


def definition_hashes() -> dict[str, str]:
    """Return the sha256 of every YAML declaration file (scenarios, assumptions, ...).

    With :func:`input_hashes`, what pins a result to its inputs (the report's colophon, the
    wind-tunnel tables a report batch stores).

    Returns
    -------
    dict
        ``definitions/<name>.yaml`` to hex sha256, sorted by name.
    """
    return {f"definitions/{p.name}": sha256_file(p) for p in sorted(DEFINITIONS_DIR.glob("*.yaml"))}
