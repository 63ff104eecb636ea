"""The snapshot's files on disk: their exact bytes, the manifest, and checks against it.

Writing is deterministic: values have at most :data:`~socecon.data.schema.VALUE_DECIMALS`
decimals (:func:`format_value`), rows are sorted, and :func:`write_files` writes the CSV files
and a manifest that records, for every processed table, the CBS table ids, reference dates,
licence, the sha256 of the inputs and of the output, and per-variable and per-region control
totals (:func:`control_totals`). :func:`validate_snapshot_dir` checks a data folder against its
manifest; a file that was edited by hand or corrupted is reported by file, and where possible by
line and column (a changed value shows up in one control total of each kind, which locates it).
These messages are what ``socecon data check`` prints.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from socecon.data.entries import control_totals, manifest, manifest_tables
from socecon.data.faults import (
    check_seal,
    check_tables,
    explain_mismatch,
    locate_unknown_sources,
    seal,
)
from socecon.data.schema import (
    COLUMNS,
    CONVERSION_COLUMNS,
    CONVERSION_FILE,
    INDELING_FILES,
    MANIFEST_FILE,
    PROCESSED_FILES,
    REGION_COLUMNS,
    REGION_KIND_COLUMNS,
    VALUE_DECIMALS,
    VARIABLES,
    check_indeling,
    resolve_data_dir,
)
from socecon.definitions import MUNICIPALITY_CODE, REGION_CODE, REGION_KINDS
from socecon.exceptions import DataError


def sha256_file(path: str | Path) -> str:
    """Return the hex sha256 of a file's bytes.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    str
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# Writing


def format_value(value: float) -> str:
    """Format a value for the snapshot CSV: fixed decimals, no trailing zeros, empty for NaN.

    Parameters
    ----------
    value : float

    Returns
    -------
    str
        ``"26065"``, ``"27.912"`` or ``""``.

    Examples
    --------
    >>> format_value(26065.0), format_value(27.91234), format_value(float("nan"))
    ('26065', '27.912', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):.{VALUE_DECIMALS}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _snapshot_csv(frame: pd.DataFrame) -> str:
    ordered = frame.sort_values(["region", "year", "variable"], kind="stable")
    lines = [",".join(COLUMNS)]
    for row in ordered.itertuples(index=False):
        lines.append(
            f"{row.region},{int(row.year)},{row.variable},{_csv_cell(row.unit)},"
            f"{format_value(row.value)},{row.source}"
        )
    return "\n".join(lines) + "\n"


def _csv_cell(text: Any) -> str:
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _regions_csv(regions: pd.DataFrame) -> str:
    frame = regions.reset_index() if regions.index.name == "code" else regions
    frame = frame.sort_values("code", kind="stable")
    lines = [",".join(REGION_COLUMNS)]
    for row in frame[list(REGION_COLUMNS)].itertuples(index=False):
        lines.append(",".join(_csv_cell(cell) for cell in row))
    return "\n".join(lines) + "\n"


def _round_values(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["value"] = out["value"].astype(float).round(VALUE_DECIMALS)
    return out


def write_files(
    tables: Mapping[int, tuple[pd.DataFrame, pd.DataFrame]],
    data_dir: str | Path,
    provenance: Mapping[str, Any],
    conversion: pd.DataFrame,
) -> Path:
    """Validate and write the snapshot files of every indeling and their manifest, atomically.

    The work of :func:`socecon.data.snapshot.write_snapshot` (see there for the parameters),
    which then drops the caches of the loaded snapshot.

    Returns
    -------
    pathlib.Path
        The path of the manifest written.

    Raises
    ------
    DataError
        If the frames break the schema; nothing is written then.
    """
    data_dir = Path(data_dir)
    texts: dict[str, str] = {}
    entries: dict[str, Any] = {}
    problems: list[str] = []
    for indeling, (snapshot, regions) in sorted(tables.items()):
        snapshot_file, regions_file = INDELING_FILES[check_indeling(indeling)]
        snapshot = _round_values(snapshot)
        frame = regions.reset_index() if regions.index.name == "code" else regions.copy()
        problems += _validate_frame(snapshot, set(frame["code"]), snapshot_file)
        problems += _validate_regions(frame, regions_file)
        texts[snapshot_file], texts[regions_file] = _snapshot_csv(snapshot), _regions_csv(frame)
        entries |= manifest_tables(indeling, snapshot, frame, texts, provenance)
    missing = [f for f in PROCESSED_FILES if f not in texts and f != CONVERSION_FILE]
    if missing:
        problems.append(f"no frames for {missing}")
    if problems:
        raise DataError(_problem_text("refusing to write an invalid snapshot", problems))
    texts[CONVERSION_FILE] = _conversion_csv(conversion)
    entries[CONVERSION_FILE] = {
        "sha256": hashlib.sha256(texts[CONVERSION_FILE].encode("utf-8")).hexdigest(),
        "rows": len(conversion),
        "columns": list(CONVERSION_COLUMNS),
        "description": "Every municipality of 2015 with its successor(s) of 2025 and the share "
        "of it that went to each, from shared/cbs/gemeenten_2015_2025.csv (see its "
        "PROVENANCE.md); used to name dissolved municipalities and their successors.",
    }
    document = manifest(entries, provenance)
    texts[MANIFEST_FILE] = seal(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    )

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".socecon-data-", dir=data_dir.parent))
    try:
        for name, text in texts.items():
            (tmp / name).write_bytes(text.encode("utf-8"))
        validate_all(tmp)
        data_dir.mkdir(exist_ok=True)
        # Data files first, manifest last: a reader never sees a manifest for missing data.
        for name in (*PROCESSED_FILES, MANIFEST_FILE):
            os.replace(tmp / name, data_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return data_dir / MANIFEST_FILE


def _conversion_csv(conversion: pd.DataFrame) -> str:
    frame = conversion.sort_values(["code_2015", "code_2025"], kind="stable")
    lines = [",".join(CONVERSION_COLUMNS)]
    for row in frame[list(CONVERSION_COLUMNS)].itertuples(index=False):
        year = str(int(row.year_of_change)) if row.year_of_change else ""
        cells = (row.code_2015, row.name_2015, row.code_2025, format_value(row.share), row.kind)
        lines.append(",".join(_csv_cell(c) for c in (*cells, year)))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Validation


def _problem_text(head: str, problems: list[str], limit: int = 20) -> str:
    shown = problems[:limit]
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{head}:\n" + "\n".join(f"  - {p}" for p in shown) + more


def _validate_frame(frame: pd.DataFrame, known_gm: set[str], name: str) -> list[str]:
    """Check a snapshot frame; line numbers assume the sorted CSV (header = line 1)."""
    problems: list[str] = []
    if tuple(frame.columns) != COLUMNS:
        return [f"{name}: columns are {list(frame.columns)}, expected {list(COLUMNS)}"]
    for pos, row in enumerate(frame.itertuples(index=False)):
        where = f"{name} line {pos + 2}"
        region = str(row.region)
        if not REGION_CODE.match(region):
            problems.append(f"{where}, column 'region': malformed region code {region!r}")
        elif MUNICIPALITY_CODE.fullmatch(region) and known_gm and region not in known_gm:
            problems.append(f"{where}, column 'region': unknown municipality {region!r}")
        var = VARIABLES.get(str(row.variable))
        if var is None:
            problems.append(f"{where}, column 'variable': unknown variable {row.variable!r}")
        elif row.unit != var.unit:
            problems.append(
                f"{where}, column 'unit': {row.unit!r} is not the unit of {var.id} ({var.unit!r})"
            )
        value = row.value
        if isinstance(value, float) and not math.isnan(value) and value < 0:
            problems.append(f"{where}, column 'value': negative value {value} for {row.variable}")
        if not str(row.source).strip():
            problems.append(f"{where}, column 'source': empty CBS table id")
    dup = frame.duplicated(["region", "year", "variable"], keep="first")
    for pos in np.flatnonzero(dup.to_numpy()):
        row = frame.iloc[pos]
        problems.append(
            f"{name} line {pos + 2}: duplicate row for region {row['region']}, "
            f"year {row['year']}, variable {row['variable']}"
        )
    return problems


def _validate_regions(frame: pd.DataFrame, name: str) -> list[str]:
    problems: list[str] = []
    if tuple(frame.columns) != REGION_COLUMNS:
        return [f"{name}: columns are {list(frame.columns)}, expected {list(REGION_COLUMNS)}"]
    patterns = {"code": REGION_KINDS["municipality"]}
    patterns.update({code: REGION_KINDS[kind] for kind, (code, _) in REGION_KIND_COLUMNS.items()})
    for pos, row in enumerate(frame.itertuples(index=False)):
        for column in REGION_COLUMNS:
            cell = getattr(row, column)
            text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else cell
            where = f"{name} line {pos + 2}, column {column!r}"
            if not str(text).strip():
                problems.append(f"{where}: empty")
            elif column in patterns and not patterns[column].fullmatch(str(text)):
                problems.append(f"{where}: malformed code {text!r}")
    for pos in np.flatnonzero(frame["code"].duplicated().to_numpy()):
        problems.append(f"{name} line {pos + 2}: duplicate code {frame['code'].iloc[pos]}")
    return problems


def _read_snapshot_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read the snapshot CSV as text and convert it, collecting problems by line and column."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from exc
    if tuple(raw.columns) != COLUMNS:
        raise DataError(f"{path}: columns are {list(raw.columns)}, expected {list(COLUMNS)}")
    problems: list[str] = []
    years = pd.to_numeric(raw["year"], errors="coerce")
    for pos in np.flatnonzero((years.isna() | (years % 1 != 0)).to_numpy()):
        problems.append(
            f"{path.name} line {pos + 2}, column 'year': not a year: {raw['year'].iloc[pos]!r}"
        )
    text_values = raw["value"].str.strip()
    values = pd.to_numeric(text_values.replace("", np.nan), errors="coerce")
    bad = values.isna() & (text_values != "")
    for pos in np.flatnonzero(bad.to_numpy()):
        problems.append(
            f"{path.name} line {pos + 2}, column 'value': not a number: {raw['value'].iloc[pos]!r}"
        )
    frame = pd.DataFrame(
        {
            "region": raw["region"].astype(str),
            "year": years.fillna(0).astype(int),
            "variable": raw["variable"].astype(str),
            "unit": raw["unit"].astype(str),
            "value": values.astype(float),
            "source": raw["source"].astype(str),
        }
    )
    return frame, problems


def _locate_changes(
    frame: pd.DataFrame, expected: Mapping[str, Mapping[str, float]], name: str
) -> list[str]:
    """Compare control totals; name the rows where a variable and a region total both changed."""
    actual = control_totals(frame)
    problems: list[str] = []
    changed_vars = {
        key: (want, actual["by_variable"].get(key))
        for key, want in expected.get("by_variable", {}).items()
        if not _same(actual["by_variable"].get(key), want)
    }
    changed_regions = {
        key: (want, actual["by_region"].get(key))
        for key, want in expected.get("by_region", {}).items()
        if not _same(actual["by_region"].get(key), want)
    }
    for key in set(actual["by_variable"]) - set(expected.get("by_variable", {})):
        changed_vars[key] = (None, actual["by_variable"][key])
    for key in set(actual["by_region"]) - set(expected.get("by_region", {})):
        changed_regions[key] = (None, actual["by_region"][key])
    located = False
    if changed_vars and changed_regions:
        for pos, row in enumerate(frame.itertuples(index=False)):
            key = f"{row.variable}/{row.year}"
            if key in changed_vars and row.region in changed_regions:
                var_want, var_have = changed_vars[key]
                reg_want, reg_have = changed_regions[row.region]
                hint = ""
                if var_want is not None and var_have is not None:
                    diff = min(
                        (var_have - var_want, reg_have - reg_want)
                        if reg_want is not None and reg_have is not None
                        else (var_have - var_want,),
                        key=abs,
                    )
                    hint = f"; expected {format_value(row.value - diff)}"
                problems.append(
                    f"{name} line {pos + 2}, column 'value': region {row.region}, "
                    f"{row.variable} {row.year} = {format_value(row.value)}{hint} "
                    f"(control totals of {key} and of {row.region} differ from the manifest)"
                )
                located = True
    if not located:
        for key, (want, have) in sorted(changed_vars.items()):
            problems.append(f"{name}: total of {key} is {have}, the manifest says {want}")
        for key, (want, have) in sorted(changed_regions.items()):
            problems.append(f"{name}: total of region {key} is {have}, the manifest says {want}")
    return problems


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    # Tight: a total of ~10 million must still show a change of one person (float sums of the
    # snapshot are exact to ~1e-12 relative).
    return abs(float(a) - float(b)) <= 1e-10 * max(1.0, abs(float(b)))


def read_manifest(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Read ``manifest.yaml`` of a data directory.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Defaults to :func:`default_data_dir`.

    Returns
    -------
    dict

    Raises
    ------
    DataError
        If the manifest is missing or unreadable, cut or edited (its seal line, see
        :mod:`socecon.data.faults`), or lacks a file's entry or sha256.
    """
    path = resolve_data_dir(data_dir) / MANIFEST_FILE
    if not path.is_file():
        raise DataError(
            f"data file missing: {path}; rebuild the snapshot with `socecon data build`"
        )
    data = path.read_bytes()
    check_seal(path, data)
    try:
        manifest = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(manifest, dict) or "tables" not in manifest:
        raise DataError(f"{path}: not a socecon data manifest (no 'tables')")
    check_tables(path, manifest["tables"], PROCESSED_FILES)
    return manifest


def validate_snapshot_dir(
    data_dir: str | Path | None = None, indeling: int | str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a data directory against its manifest and return the tables of one indeling.

    Every file of every indeling is checked (:func:`validate_all`), so a corrupted file is found
    whichever indeling is asked for.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Defaults to :func:`default_data_dir`.
    indeling : int or str, optional
        The year of the municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The long snapshot (sorted as in the file) and the region table (``code`` as a column).

    Raises
    ------
    DataError
        Naming the file, and where possible the line and column, of every problem found.
    """
    return validate_all(data_dir)[check_indeling(indeling)][:2]  # type: ignore[return-value]


def validate_all(data_dir: str | Path | None = None) -> dict[int, tuple[pd.DataFrame, ...]]:
    """Validate a data directory against its manifest and return the tables of every indeling.

    Checks, in order: every file exists; every file's sha256 equals the manifest's; the schema
    (columns, region codes, known variables and their units, numbers, no negative values, no
    duplicates). When a checksum differs, the schema check and the manifest's control totals
    are used to name the line and column that changed.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Defaults to :func:`default_data_dir`.

    Returns
    -------
    dict
        Indeling -> (long snapshot, region table, conversion table); the conversion table
        (:data:`~socecon.data.schema.CONVERSION_COLUMNS`) is the same for every indeling.

    Raises
    ------
    DataError
        Naming the file, and where possible the line and column, of every problem found.
    """
    data_dir = resolve_data_dir(data_dir)
    manifest = read_manifest(data_dir)
    tables = manifest["tables"]
    for name in PROCESSED_FILES:
        if not (data_dir / name).is_file():
            raise DataError(
                f"data file missing: {data_dir / name}; rebuild the snapshot with "
                "`socecon data build`"
            )
    mismatched = [n for n in PROCESSED_FILES if sha256_file(data_dir / n) != tables[n]["sha256"]]
    problems: list[str] = []
    conversion = _read_table(data_dir / CONVERSION_FILE)
    if tuple(conversion.columns) != CONVERSION_COLUMNS:
        problems.append(
            f"{CONVERSION_FILE}: columns are {list(conversion.columns)}, expected "
            f"{list(CONVERSION_COLUMNS)}"
        )
    result = {}
    for indeling, (snapshot_file, regions_file) in INDELING_FILES.items():
        regions = _read_table(data_dir / regions_file)
        problems += _validate_regions(regions, regions_file)
        snapshot, read_problems = _read_snapshot_csv(data_dir / snapshot_file)
        problems += read_problems
        known = set(regions["code"]) if "code" in regions.columns else set()
        problems += _validate_frame(snapshot, known, snapshot_file)
        if snapshot_file in mismatched and not problems:
            problems += _explain_snapshot(data_dir, snapshot_file, snapshot, tables[snapshot_file])
        if regions_file in mismatched and not problems:
            problems += explain_mismatch(
                data_dir / regions_file,
                lambda frame=regions: _regions_csv(frame),
                [],
                len(regions),
                tables[regions_file].get("rows"),
            )
        result[indeling] = (snapshot, regions, conversion)
    if CONVERSION_FILE in mismatched and not problems:
        problems += explain_mismatch(
            data_dir / CONVERSION_FILE,
            lambda: _conversion_csv(_typed_conversion(conversion)),
            [],
            len(conversion),
            tables[CONVERSION_FILE].get("rows"),
        )
    if mismatched:
        head = "; ".join(
            f"checksum mismatch in {data_dir / n}: sha256 differs from {MANIFEST_FILE} "
            "(the file was edited or corrupted)"
            for n in mismatched
        )
        raise DataError(_problem_text(head + "; rebuild with `socecon data build`", problems))
    if problems:
        raise DataError(_problem_text(f"invalid snapshot in {data_dir}", problems))
    typed = _typed_conversion(conversion)
    return {k: (snap, reg, typed) for k, (snap, reg, _) in result.items()}


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from exc


def _typed_conversion(conversion: pd.DataFrame) -> pd.DataFrame:
    try:
        return conversion.assign(
            share=conversion["share"].astype(float),
            year_of_change=[int(y) if y else 0 for y in conversion["year_of_change"]],
        )
    except (KeyError, ValueError) as exc:
        raise DataError(f"{CONVERSION_FILE}: unreadable share or year ({exc})") from exc


def _explain_snapshot(
    data_dir: Path, name: str, snapshot: pd.DataFrame, entry: Mapping[str, Any]
) -> list[str]:
    located = locate_unknown_sources(
        snapshot.itertuples(index=False), entry.get("variables") or {}, name
    )
    located += _locate_changes(snapshot, entry.get("control_totals") or {}, name)
    return explain_mismatch(
        data_dir / name,
        lambda: _snapshot_csv(snapshot),
        located,
        len(snapshot),
        entry.get("rows"),
    )
