"""What the manifest records of the processed tables: entries per indeling, control totals.

:func:`control_totals` gives the per-variable and per-region sums a changed value shows up in;
:func:`manifest_tables` the entries of one indeling's snapshot and region table;
:func:`manifest` the whole manifest before :mod:`socecon.data.faults` seals it. Used by
:func:`socecon.data.manifest.write_files`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from socecon.data.schema import (
    ATTRIBUTION,
    COLUMNS,
    INDELING_FILES,
    LICENCE,
    REGION_COLUMNS,
    STUDY_INDELING,
    VARIABLES,
)
from socecon.definitions import MUNICIPALITY_CODE


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


def manifest_tables(
    indeling: int,
    snapshot: pd.DataFrame,
    regions: pd.DataFrame,
    texts: Mapping[str, str],
    provenance: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the manifest entries of the snapshot and region table of one indeling.

    Parameters
    ----------
    indeling : int
    snapshot, regions : pandas.DataFrame
        The frames as written (values rounded; ``code`` a column of ``regions``).
    texts : mapping
        File name -> the text written.
    provenance : mapping
        See :func:`socecon.data.snapshot.write_snapshot`.

    Returns
    -------
    dict
        File name -> entry (indeling, sha256, rows, columns, the CBS tables of ``provenance``
        that are a source of the snapshot's rows, variables with their missing municipalities,
        control totals).
    """
    snapshot_file, regions_file = INDELING_FILES[indeling]

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
        gm = rows[rows["region"].str.fullmatch(MUNICIPALITY_CODE) & rows["value"].isna()]
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

    # A build or refresh reads its tables for every indeling at once; each snapshot lists only
    # those that fed it (its rows' sources): the KWB editions 2022-2025 feed 2025 alone.
    fed = set(snapshot["source"].dropna().astype(str))
    n_gm = int(snapshot["region"].str.fullmatch(MUNICIPALITY_CODE).sum())
    described = provenance.get("regions_description", "")
    if indeling != STUDY_INDELING:
        described = (
            f"The municipalities of 1 January {indeling} with province, arbeidsmarktregio and "
            "COROP region derived from their 2015 parts (see indelingen in this manifest)."
        )
    return {
        snapshot_file: {
            "indeling": indeling,
            "sha256": sha(snapshot_file),
            "rows": len(snapshot),
            "municipality_rows": n_gm,
            "columns": list(COLUMNS),
            "cbs_tables": [dict(t) for t in provenance["cbs_tables"] if t["id"] in fed],
            "variables": variables,
            "control_totals": control_totals(snapshot),
        },
        regions_file: {
            "indeling": indeling,
            "sha256": sha(regions_file),
            "rows": len(regions),
            "columns": list(REGION_COLUMNS),
            "cbs_tables": [dict(t) for t in provenance.get("region_tables", [])],
            "description": described,
        },
    }


def manifest(tables: Mapping[str, Any], provenance: Mapping[str, Any]) -> dict[str, Any]:
    """Return the manifest (before its seal) of the tables' entries and the provenance.

    Parameters
    ----------
    tables : mapping
        File name -> entry.
    provenance : mapping
        See :func:`socecon.data.snapshot.write_snapshot`.

    Returns
    -------
    dict
    """
    return {
        "generated_by": provenance.get("generated_by", "socecon data build"),
        "note": "Generated file; do not edit. Rebuild with `socecon data build`.",
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "origin": provenance["origin"],
        "inputs": [dict(i) for i in provenance["inputs"]],
        "tables": dict(tables),
        "indelingen": dict(provenance.get("indelingen", {})),
        **{k: v for k, v in provenance.items() if k.startswith("x_")},
    }
