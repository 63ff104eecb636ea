"""The processed CBS snapshot: schema, deterministic writer, manifest and validated loading.

The snapshot is one long, tidy table (``data/cbs_snapshot.csv``) with the columns
``region, year, variable, unit, value, source``, a region table (``data/regions.csv``) and a
manifest (``data/manifest.yaml``) that records, for every processed table, the CBS table ids,
reference dates, licence, the sha256 of the inputs and of the output, and per-variable and
per-region control totals. ``socecon data build`` (:func:`~.cbs_build.build`) writes it from the
shared CBS exports, ``socecon data refresh`` (:func:`~.cbs_refresh.refresh`) from CBS open data;
both go through :func:`write_snapshot`, so rebuilding from the same inputs gives identical bytes.

Loading checks the files against the manifest. A file that was edited by hand or corrupted is
reported by file, and where possible by line and column.

Examples
--------
>>> from socecon.data.snapshot import snapshot_wide
>>> int(snapshot_wide(2015, ["population"]).loc["GM0784", "population"])
26065
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from socecon.exceptions import DataError

SNAPSHOT_FILE = "cbs_snapshot.csv"
REGIONS_FILE = "regions.csv"
MANIFEST_FILE = "manifest.yaml"
PROCESSED_FILES = (SNAPSHOT_FILE, REGIONS_FILE)
COLUMNS = ("region", "year", "variable", "unit", "value", "source")
REGION_COLUMNS = (
    "code",
    "name",
    "province_code",
    "province_name",
    "labour_market_region_code",
    "labour_market_region_name",
    "corop_code",
    "corop_name",
)
REGION_CODE = re.compile(r"^(GM\d{4}|NL01|PV\d{2}|AM\d{2}|CR\d{2}|LD\d{2})$")
LICENCE = "CC BY 4.0"
ATTRIBUTION = "Bron: CBS"
DATA_DIR_ENV = "SOCECON_DATA_DIR"
VALUE_DECIMALS = 3

PERSONS = "persons"
JOBS = "jobs"
ESTABLISHMENTS = "establishments"
PER_1000 = "per 1,000"


@dataclass(frozen=True)
class Variable:
    """A variable of the snapshot.

    Attributes
    ----------
    id : str
        Identifier used in the ``variable`` column.
    unit : str
        Unit used in the ``unit`` column.
    description : str
        What is counted, with the CBS concept and reference date.
    rate_of : tuple of (str, str, float) or None
        For a rate: numerator variable, denominator variable and scale. Rates are recomputed
        from summed numerators and denominators when regions are aggregated, never averaged.
    """

    id: str
    unit: str
    description: str
    rate_of: tuple[str, str, float] | None = None

    @property
    def is_count(self) -> bool:
        """Whether the variable is a count that can be summed over regions."""
        return self.rate_of is None


VARIABLES: Mapping[str, Variable] = {
    v.id: v
    for v in (
        Variable(
            "population",
            PERSONS,
            "Total population on 1 January (2015 and 2025: 70072ned; 2019: KWB 84583NED).",
        ),
        Variable(
            "population_15_64",
            PERSONS,
            "Population aged 15-64 on 1 January, the sum of the CBS age bands 15-20, 20-25, "
            "25-45 and 45-65 (70072ned) or 15-25, 25-45 and 45-65 (KWB 2019).",
        ),
        Variable(
            "population_65_plus",
            PERSONS,
            "Population aged 65 or older on 1 January (70072ned bands 65-80 and 80+; KWB 65+).",
        ),
        Variable(
            "population_15_aow",
            PERSONS,
            "Inhabitants aged 15 to the AOW age at the end of the year (83450NED/83747NED/"
            "84066NED, Leeftijd 90100), the denominator of the bijstand density.",
        ),
        Variable(
            "population_15_plus",
            PERSONS,
            "Inhabitants aged 15 or older at the end of the year (83450NED/83747NED/84066NED, "
            "Leeftijd 20150).",
        ),
        Variable(
            "jobs",
            JOBS,
            "Jobs (banen van werknemers en zelfstandigen) located in the region: 70072ned "
            "TotaalAantalBanen (published x 1,000 with one decimal), times 1,000.",
        ),
        Variable(
            "establishments",
            ESTABLISHMENTS,
            "Business establishments (bedrijfsvestigingen), 70072ned.",
        ),
        Variable(
            "bijstand_15_aow",
            PERSONS,
            "Recipients of algemene bijstand aged 15 to the AOW age at the end of the year "
            "(83450NED/83747NED/84066NED, Leeftijd 90100).",
        ),
        Variable(
            "bijstand_15_plus",
            PERSONS,
            "Recipients of algemene bijstand aged 15 or older at the end of the year "
            "(Leeftijd 20150).",
        ),
        Variable(
            "bijstand_density_15_aow",
            PER_1000,
            "Bijstand recipients per 1,000 inhabitants aged 15 to the AOW age, recomputed by "
            "socecon from bijstand_15_aow and population_15_aow (CBS publishes it rounded to "
            "0.5 and suppresses it for some small municipalities).",
            rate_of=("bijstand_15_aow", "population_15_aow", 1000.0),
        ),
        Variable(
            "bijstand_inflow_15_aow",
            PERSONS,
            "Persons aged 15 to the AOW age who started receiving bijstand during the year.",
        ),
        Variable(
            "bijstand_outflow_15_aow",
            PERSONS,
            "Persons aged 15 to the AOW age whose bijstand ended during the year.",
        ),
        Variable(
            "bijstand_outflow_to_work",
            PERSONS,
            "Persons aged 15 to the AOW age whose bijstand ended because they found work "
            "(uitstromers naar werk), during the year.",
        ),
        Variable(
            "reintegration_provision",
            PERSONS,
            "Persons aged 15 to the AOW age with a re-integration provision (re-integratie"
            "voorziening) from the municipality during the year. CBS publishes no value for "
            "the AOW age and older, so 15-AOW equals 15+ in every row.",
        ),
        Variable(
            "wsw_employees",
            PERSONS,
            "Employees under the Wet sociale werkvoorziening at the end of the year (no age "
            "split; the value published with Leeftijd 15 jaar of ouder).",
        ),
        Variable(
            "wajong",
            PERSONS,
            "Wajong benefit recipients (70072ned).",
        ),
        Variable(
            "ww",
            PERSONS,
            "Unemployment (WW) benefit recipients (70072ned Werkloosheid).",
        ),
        Variable(
            "ao_total",
            PERSONS,
            "Disability benefit recipients, total of WAO, WIA and Wajong (70072ned "
            "ArbeidsongeschiktheidTotaal).",
        ),
        Variable("wao", PERSONS, "WAO benefit recipients (70072ned)."),
        Variable("wia_wga", PERSONS, "WIA (WGA) benefit recipients (70072ned)."),
    )
}


def default_data_dir() -> Path:
    """Return the data directory: ``$SOCECON_DATA_DIR`` or ``<repo>/data``.

    Returns
    -------
    pathlib.Path
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).resolve()
    return _PACKAGE_DATA_DIR


# Resolved once: the data folder beside the package (the repository's data/).
_PACKAGE_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def _resolve_dir(data_dir: str | Path | None) -> Path:
    return default_data_dir() if data_dir is None else Path(data_dir)


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


def control_totals(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Return the control totals the manifest stores for a snapshot frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long snapshot frame.

    Returns
    -------
    dict
        ``by_variable``: ``"variable/year"`` -> exact sum of the values (NaN skipped);
        ``by_region``: region -> exact sum of all its values. A changed value shows up in one
        total of each kind, which locates its row.
    """
    values = frame["value"].astype(float)
    by_variable = {
        f"{var}/{int(year)}": round(math.fsum(v for v in vals if not math.isnan(v)), 3)
        for (var, year), vals in values.groupby([frame["variable"], frame["year"]])
    }
    by_region = {
        str(region): round(math.fsum(v for v in vals if not math.isnan(v)), 3)
        for region, vals in values.groupby(frame["region"])
    }
    return {
        "by_variable": dict(sorted(by_variable.items())),
        "by_region": dict(sorted(by_region.items())),
    }


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
        Long frame with the columns of :data:`COLUMNS`.
    regions : pandas.DataFrame
        Region table with the columns of :data:`REGION_COLUMNS` (``code`` as column or index).
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
    data_dir = Path(data_dir)
    snapshot = _round_values(snapshot)
    regions_frame = regions.reset_index() if regions.index.name == "code" else regions.copy()
    problems = _validate_frame(snapshot, set(regions_frame["code"]), SNAPSHOT_FILE)
    problems += _validate_regions(regions_frame, REGIONS_FILE)
    if problems:
        raise DataError(_problem_text("refusing to write an invalid snapshot", problems))

    texts = {SNAPSHOT_FILE: _snapshot_csv(snapshot), REGIONS_FILE: _regions_csv(regions_frame)}
    manifest = _manifest(snapshot, regions_frame, texts, provenance)
    texts[MANIFEST_FILE] = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".socecon-data-", dir=data_dir.parent))
    try:
        for name, text in texts.items():
            (tmp / name).write_bytes(text.encode("utf-8"))
        validate_snapshot_dir(tmp)
        data_dir.mkdir(exist_ok=True)
        # Data files first, manifest last: a reader never sees a manifest for missing data.
        for name in (*PROCESSED_FILES, MANIFEST_FILE):
            os.replace(tmp / name, data_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    clear_cache()
    return data_dir / MANIFEST_FILE


def _manifest(
    snapshot: pd.DataFrame,
    regions: pd.DataFrame,
    texts: Mapping[str, str],
    provenance: Mapping[str, Any],
) -> dict[str, Any]:
    def sha(name: str) -> str:
        return hashlib.sha256(texts[name].encode("utf-8")).hexdigest()

    variables = {}
    for var_id, var in VARIABLES.items():
        rows = snapshot[snapshot["variable"] == var_id]
        if rows.empty:
            continue
        years = sorted(int(y) for y in rows["year"].unique())
        sources = sorted(str(s) for s in rows["source"].unique())
        missing = {}
        gm = rows[rows["region"].str.startswith("GM") & rows["value"].isna()]
        for year, part in gm.groupby("year"):
            missing[int(year)] = sorted(str(r) for r in part["region"])
        entry: dict[str, Any] = {
            "unit": var.unit,
            "years": years,
            "sources": sources,
            "description": var.description,
        }
        if var.rate_of:
            entry["rate_of"] = {
                "numerator": var.rate_of[0],
                "denominator": var.rate_of[1],
                "scale": var.rate_of[2],
            }
        entry["missing_municipalities"] = {str(y): codes for y, codes in missing.items()}
        variables[var_id] = entry

    n_gm = int(snapshot["region"].str.startswith("GM").sum())
    return {
        "generated_by": provenance.get("generated_by", "socecon data build"),
        "note": "Generated file; do not edit. Rebuild with `socecon data build`.",
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "origin": provenance["origin"],
        "inputs": [dict(i) for i in provenance["inputs"]],
        "tables": {
            SNAPSHOT_FILE: {
                "sha256": sha(SNAPSHOT_FILE),
                "rows": len(snapshot),
                "municipality_rows": n_gm,
                "columns": list(COLUMNS),
                "cbs_tables": [dict(t) for t in provenance["cbs_tables"]],
                "variables": variables,
                "control_totals": control_totals(snapshot),
            },
            REGIONS_FILE: {
                "sha256": sha(REGIONS_FILE),
                "rows": len(regions),
                "columns": list(REGION_COLUMNS),
                "cbs_tables": [dict(t) for t in provenance.get("region_tables", [])],
                "description": provenance.get("regions_description", ""),
            },
        },
        **{k: v for k, v in provenance.items() if k.startswith("x_")},
    }


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
        elif region.startswith("GM") and known_gm and region not in known_gm:
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
    patterns = {
        "code": r"GM\d{4}",
        "province_code": r"PV\d{2}",
        "labour_market_region_code": r"AM\d{2}",
        "corop_code": r"CR\d{2}",
    }
    for pos, row in enumerate(frame.itertuples(index=False)):
        for column in REGION_COLUMNS:
            cell = getattr(row, column)
            text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else cell
            where = f"{name} line {pos + 2}, column {column!r}"
            if not str(text).strip():
                problems.append(f"{where}: empty")
            elif column in patterns and not re.fullmatch(patterns[column], str(text)):
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
        If the manifest is missing or unreadable.
    """
    path = _resolve_dir(data_dir) / MANIFEST_FILE
    if not path.is_file():
        raise DataError(
            f"data file missing: {path}; rebuild the snapshot with `socecon data build`"
        )
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(manifest, dict) or "tables" not in manifest:
        raise DataError(f"{path}: not a socecon data manifest (no 'tables')")
    return manifest


def validate_snapshot_dir(data_dir: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a data directory against its manifest and return its tables.

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
    (pandas.DataFrame, pandas.DataFrame)
        The long snapshot (sorted as in the file) and the region table (``code`` as a column).

    Raises
    ------
    DataError
        Naming the file, and where possible the line and column, of every problem found.
    """
    data_dir = _resolve_dir(data_dir)
    manifest = read_manifest(data_dir)
    tables = manifest["tables"]
    for name in PROCESSED_FILES:
        if name not in tables:
            raise DataError(f"{data_dir / MANIFEST_FILE}: no entry for {name}")
        if not (data_dir / name).is_file():
            raise DataError(
                f"data file missing: {data_dir / name}; rebuild the snapshot with "
                "`socecon data build`"
            )

    mismatched = [n for n in PROCESSED_FILES if sha256_file(data_dir / n) != tables[n]["sha256"]]

    try:
        regions = pd.read_csv(
            data_dir / REGIONS_FILE, dtype=str, keep_default_na=False, na_filter=False
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{data_dir / REGIONS_FILE}: cannot be read as CSV ({exc})") from exc
    problems = _validate_regions(regions, REGIONS_FILE)
    snapshot, read_problems = _read_snapshot_csv(data_dir / SNAPSHOT_FILE)
    problems += read_problems
    known = set(regions["code"]) if "code" in regions.columns else set()
    problems += _validate_frame(snapshot, known, SNAPSHOT_FILE)

    if SNAPSHOT_FILE in mismatched and not problems:
        problems += _locate_changes(
            snapshot, tables[SNAPSHOT_FILE].get("control_totals", {}), SNAPSHOT_FILE
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
    return snapshot, regions


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
    return _validated(_resolve_dir(data_dir).resolve())[0].copy()


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
    return _validated(_resolve_dir(data_dir).resolve())[1].copy()


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
    directory = _resolve_dir(data_dir)
    return {
        name: sha256_file(directory / name)
        for name in (*PROCESSED_FILES, MANIFEST_FILE)
        if (directory / name).is_file()
    }
