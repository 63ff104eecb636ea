"""The municipalities of 2025: the 2015-2017 figures converted from the 2015 indeling.

CBS published the bijstand, Wsw and kerncijfers tables of 2015-2017 for the municipalities of
those years (393 in 2015). ``../shared/cbs/gemeenten_2015_2025.csv`` maps every municipality of
1 January 2015 to its successor(s) among the 342 of 1 January 2025, with the share of the 2015
municipality that went to each (1.0 except five split municipalities, whose shares are address
shares). :func:`read_mapping` reads and checks it (a broken file is refused by line and column);
:func:`convert_counts` converts counts (a count times the share, summed per 2025 municipality;
rates are recomputed from the converted counts by the writer, never averaged);
:func:`regions_2025` derives each 2025 municipality's province, arbeidsmarktregio and COROP
region from its parts (:data:`REGION_RULE`); :func:`control_totals` compares the totals of both
indelingen.

Figures of a later year (2016, 2017, KWB 2019) come in that year's own indeling. A code of that
year that is a 2015 code is converted by the 2015 shares, leaving out the parts that had already
moved to another municipality by then (Slochteren's Meerstad went to Groningen in 2017, so
Slochteren's 2017 figures all go to Midden-Groningen), and a code created since 2015 (Gooise
Meren, Meierijstad, ...) is itself a 2025 municipality.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socecon.data.schema import REGION_KIND_COLUMNS
from socecon.definitions import REGION_KINDS
from socecon.exceptions import DataError

#: The shared mapping file (in ``../shared/cbs``).
MAPPING_FILE = "gemeenten_2015_2025.csv"
MAPPING_COLUMNS = (
    "code_2015",
    "name_2015",
    "code_2025",
    "name_2025",
    "share",
    "kind",
    "year_of_change",
)
#: Kinds of change the mapping may name.
KINDS = ("unchanged", "merged", "split", "renamed")
#: Shares of one 2015 municipality must add up to 1 within this tolerance.
SHARE_TOLERANCE = 1e-6
#: How a 2025 municipality whose parts lay in different regions gets its region.
REGION_RULE = (
    "A 2025 municipality gets the province, arbeidsmarktregio and COROP region of its parts "
    "(the 2015 lokalisering of CBS); where its parts lay in different regions, the region that "
    "holds the largest share of its 2015 population (population 2015 x share) decides."
)
#: The rounding of converted counts, as the manifest states it.
ROUNDING = (
    "Converted counts are stored with 3 decimals, so a total over the 2025 municipalities "
    "equals the total over the municipalities of the year's own indeling up to 0.0005 per "
    "2025 municipality with a split part (in practice below 0.01 person)."
)


def read_mapping(path: str | Path) -> pd.DataFrame:
    """Read and check the mapping of the 2015 municipalities to those of 2025.

    Parameters
    ----------
    path : str or pathlib.Path
        ``gemeenten_2015_2025.csv``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`MAPPING_COLUMNS`; ``share`` as float, ``year_of_change`` as
        int (0 for unchanged municipalities).

    Raises
    ------
    DataError
        Naming the file, line and column of every problem found (at most 20).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"CBS input missing: {path}")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from exc
    name = path.name
    if not rows or tuple(rows[0]) != MAPPING_COLUMNS:
        found = rows[0] if rows else []
        raise DataError(f"{name} line 1: columns are {found}, expected {list(MAPPING_COLUMNS)}")
    problems: list[str] = []
    records = []
    gm = REGION_KINDS["municipality"]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(MAPPING_COLUMNS):
            problems.append(
                f"{name} line {number}: {len(row)} columns, expected {len(MAPPING_COLUMNS)}"
            )
            continue
        cells = dict(zip(MAPPING_COLUMNS, row, strict=True))
        where = f"{name} line {number}, column"
        for column in ("code_2015", "code_2025"):
            if not gm.fullmatch(cells[column]):
                problems.append(f"{where} '{column}': not a municipality code: {cells[column]!r}")
        for column in ("name_2015", "name_2025"):
            if not cells[column].strip():
                problems.append(f"{where} '{column}': empty")
        share = _number(cells["share"])
        if share is None or not 0.0 < share <= 1.0:
            problems.append(f"{where} 'share': not a share in (0, 1]: {cells['share']!r}")
        if cells["kind"] not in KINDS:
            problems.append(f"{where} 'kind': {cells['kind']!r} is not one of {list(KINDS)}")
        year = cells["year_of_change"]
        if cells["kind"] == "unchanged" and year:
            problems.append(f"{where} 'year_of_change': {year!r} for an unchanged municipality")
        elif cells["kind"] != "unchanged" and not re.fullmatch(r"20(1[6-9]|2[0-5])", year):
            problems.append(f"{where} 'year_of_change': not a year 2016-2025: {year!r}")
        records.append({**cells, "share": share, "line": number})
    frame = pd.DataFrame(records, columns=[*MAPPING_COLUMNS, "line"])
    if not problems:
        problems += _check_consistency(frame, name)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataError(f"refusing the mapping {path}:\n{shown}{more}")
    frame["year_of_change"] = [int(y) if y else 0 for y in frame["year_of_change"]]
    frame["share"] = frame["share"].astype(float)
    return frame.drop(columns="line").reset_index(drop=True)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_consistency(frame: pd.DataFrame, name: str) -> list[str]:
    problems = []
    for code, part in frame.groupby("code_2015", sort=False):
        total = math.fsum(part["share"])
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problems.append(
                f"{name} line {part['line'].iloc[0]}, column 'share': the shares of {code} "
                f"add up to {total:.4f}, not 1"
            )
        if part["name_2015"].nunique() > 1:
            problems.append(
                f"{name} line {part['line'].iloc[1]}, column 'name_2015': {code} has two names"
            )
    for code, part in frame.groupby("code_2025", sort=False):
        if part["name_2025"].nunique() > 1:
            first = part["name_2025"].iloc[0]
            other = part[part["name_2025"] != first].iloc[0]
            problems.append(
                f"{name} line {other['line']}, column 'name_2025': {code} is called "
                f"{other['name_2025']!r} here and {first!r} on line {part['line'].iloc[0]}"
            )
    dup = frame.duplicated(["code_2015", "code_2025"])
    for line in frame.loc[dup, "line"]:
        problems.append(f"{name} line {line}: the pair code_2015/code_2025 occurs twice")
    return problems


def shares_for_year(mapping: pd.DataFrame, codes: Iterable[str], year: int) -> pd.DataFrame:
    """Return how the municipalities of ``year`` (in that year's indeling) go to those of 2025.

    Parameters
    ----------
    mapping : pandas.DataFrame
        From :func:`read_mapping`.
    codes : iterable of str
        The municipality codes that occur in the figures of ``year``.
    year : int

    Returns
    -------
    pandas.DataFrame
        ``code, code_2025, share``: a 2015 code by its 2015 shares, without the parts that had
        already moved by ``year`` (renormalised); a code created since 2015 as itself.

    Raises
    ------
    DataError
        If a code is neither a 2015 nor a 2025 municipality.
    """
    known_2025 = set(mapping["code_2025"])
    rows = []
    for code in sorted(set(codes)):
        part = mapping[mapping["code_2015"] == code]
        if part.empty:
            if code not in known_2025:
                raise DataError(
                    f"{MAPPING_FILE}: municipality {code} of {year} is neither a municipality "
                    "of 2015 nor one of 2025"
                )
            rows.append((code, code, 1.0))
            continue
        gone = (part["year_of_change"] > 0) & (part["year_of_change"] <= year)
        gone &= part["code_2025"] != code
        kept = part[~gone]
        total = math.fsum(kept["share"])
        rows += [
            (code, c, s / total) for c, s in zip(kept["code_2025"], kept["share"], strict=True)
        ]
    return pd.DataFrame(rows, columns=["code", "code_2025", "share"])


def convert_counts(frame: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Convert municipality counts to the 2025 indeling.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame (``region, year, variable, unit, value, source``) of counts of municipalities
        in each year's own indeling.
    mapping : pandas.DataFrame
        From :func:`read_mapping`.

    Returns
    -------
    pandas.DataFrame
        The same columns for the 2025 municipalities: per year and variable the sum of value x
        share over the parts. A 2025 municipality with a part without a figure gets none (a
        partial sum is not its figure).
    """
    out = []
    for year, part in frame.groupby("year", sort=True):
        shares = shares_for_year(mapping, part["region"].unique(), int(year))
        merged = part.merge(shares, left_on="region", right_on="code")
        merged["value"] = merged["value"] * merged["share"]
        grouped = merged.groupby(["code_2025", "variable"], sort=True)
        summed = grouped["value"].sum(min_count=1)
        complete = grouped["value"].apply(lambda v: bool(v.notna().all()))
        first = grouped[["unit", "source"]].first()
        result = first.assign(value=summed.where(complete)).reset_index()
        result = result.rename(columns={"code_2025": "region"})
        result["year"] = int(year)
        out.append(result)
    columns = ["region", "year", "variable", "unit", "value", "source"]
    return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)


def regions_2025(
    regions_2015: pd.DataFrame, mapping: pd.DataFrame, population_2015: Mapping[str, float]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Derive the 2025 municipalities with their province, arbeidsmarktregio and COROP region.

    Parameters
    ----------
    regions_2015 : pandas.DataFrame
        The region table of 2015 (``code`` as a column).
    mapping : pandas.DataFrame
        From :func:`read_mapping`.
    population_2015 : mapping
        Population on 1 January 2015 by 2015 code (the weights of :data:`REGION_RULE`).

    Returns
    -------
    (pandas.DataFrame, list of dict)
        The region table of 2025 (same columns; a continuing code keeps its 2015 name, a new
        one gets its CBS name of 2025) and, per municipality whose parts disagreed, which
        regions they lay in and which one was chosen.
    """
    table = regions_2015.set_index("code")
    kinds = tuple(REGION_KIND_COLUMNS.values())
    rows, disagreements = [], []
    for code, part in mapping.groupby("code_2025", sort=True):
        weights = part["share"].to_numpy() * np.array(
            [population_2015[c] for c in part["code_2015"]]
        )
        name = table.loc[code, "name"] if code in table.index else part["name_2025"].iloc[0]
        row = {"code": code, "name": name}
        for code_col, name_col in kinds:
            by_region: dict[str, float] = {}
            for source, weight in zip(part["code_2015"], weights, strict=True):
                region = table.loc[source, code_col]
                by_region[region] = by_region.get(region, 0.0) + float(weight)
            chosen = sorted(by_region, key=lambda r: (-by_region[r], r))[0]
            names = dict(zip(table[code_col], table[name_col], strict=False))
            row[code_col], row[name_col] = chosen, names[chosen]
            if len(by_region) > 1:
                disagreements.append(
                    {
                        "municipality": code,
                        "column": code_col,
                        "population_2015_by_region": {
                            r: round(w) for r, w in sorted(by_region.items())
                        },
                        "chosen": chosen,
                    }
                )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(regions_2015.columns)), disagreements


def control_totals(
    own: pd.DataFrame, converted: pd.DataFrame, variables: Iterable[str]
) -> dict[str, dict[str, float]]:
    """Compare totals of counts over both indelingen, per variable and year.

    Parameters
    ----------
    own : pandas.DataFrame
        Municipality counts in each year's own indeling (what :func:`convert_counts` read).
    converted : pandas.DataFrame
        The same counts for the 2025 municipalities.
    variables : iterable of str
        The count variables to compare.

    Returns
    -------
    dict
        ``"variable/year"`` -> ``{"own_indeling", "indeling_2025", "difference"}``: the sums
        (the converted values rounded as written)
        (missing values skipped) over the municipalities of the year's own indeling and over
        those of 2025, and their difference.
    """
    wanted = set(variables)
    totals = {}
    for (variable, year), part in own.groupby(["variable", "year"], sort=True):
        if variable not in wanted:
            continue
        mask = (converted["variable"] == variable) & (converted["year"] == year)
        before = math.fsum(v for v in part["value"] if not math.isnan(v))
        after = math.fsum(round(v, 3) for v in converted.loc[mask, "value"] if not math.isnan(v))
        totals[f"{variable}/{int(year)}"] = {
            "own_indeling": round(before, 3),
            "indeling_2025": round(after, 3),
            "difference": round(after - before, 3),
        }
    return totals


#: How the borders of a later year are converted to those of 2025 (the manifest states it).
LATER_YEAR_METHOD = (
    "Derived from the 2015-2025 mapping, not declared separately: a municipality of 1 January "
    "of the year goes whole to its 2025 successor (every change after that date merged whole "
    "municipalities, e.g. Weesp into Amsterdam on 24 March 2022, Brielle, Hellevoetsluis and "
    "Westvoorne into Voorne aan Zee in 2023); a split after that date would need shares of "
    "that year's municipality and is refused."
)


def _created(rows: pd.DataFrame) -> int:
    """Return the year a code new since 2015 was created: its first merge or rename."""
    whole = rows[rows["kind"].isin(("merged", "renamed"))]
    return int((whole if not whole.empty else rows)["year_of_change"].min())


def successors_from(mapping: pd.DataFrame, year: int) -> dict[str, str]:
    """Return each municipality of 1 January ``year`` with its 2025 successor.

    Derived from the mapping of 2015 to 2025 (:data:`LATER_YEAR_METHOD`): a 2015 municipality
    still existed if one of its rows changes after ``year`` or keeps its code; a code new since
    2015 existed from its first merge or rename (``year_of_change`` is the first 1 January in
    the new borders, so Weesp, merged on 24 March 2022, is a municipality of 2022).

    Parameters
    ----------
    mapping : pandas.DataFrame
        From :func:`read_mapping`.
    year : int

    Returns
    -------
    dict
        Code of ``year`` -> code of 2025.

    Raises
    ------
    DataError
        If a municipality of ``year`` was split after it (its parts need shares of that
        year's municipality, which the mapping does not give).
    """
    out = {}
    for code, rows in mapping.groupby("code_2015", sort=True):
        changed = rows["year_of_change"]
        pending = rows[changed > year]
        if not pending.empty:
            if len(pending) > 1:
                parts = ", ".join(pending["code_2025"])
                raise DataError(
                    f"{MAPPING_FILE}: municipality {code} of {year} was split after {year} "
                    f"(into {parts}); converting it needs shares of its {year} borders, which "
                    "the mapping does not give"
                )
            out[code] = str(pending["code_2025"].iloc[0])
        elif ((changed == 0) | (rows["code_2025"] == code)).any():
            out[code] = code
    old = set(mapping["code_2015"])
    for code, rows in mapping.groupby("code_2025", sort=True):
        if code not in out and code not in old and _created(rows) <= year:
            out[code] = code
    return out


def convert_to_2025(frame: pd.DataFrame, mapping: pd.DataFrame, table: str) -> pd.DataFrame:
    """Convert counts published in the borders of their own year to those of 2025.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``region, year, value`` of one table: municipality codes of 1 January ``year``.
    mapping : pandas.DataFrame
        From :func:`read_mapping`.
    table : str
        The CBS table, for the messages.

    Returns
    -------
    pandas.DataFrame
        ``region, year, value``: per 2025 municipality the sum over its municipalities of that
        year; none where one of them has no figure or no row (a partial sum is not its figure).

    Raises
    ------
    DataError
        Naming table, year and code of a municipality that did not exist on 1 January of the
        year, and for a split after the year (:func:`successors_from`).
    """
    out = []
    for year, part in frame.groupby("year", sort=True):
        successors = successors_from(mapping, int(year))
        unknown = sorted(set(part["region"]) - set(successors))
        if unknown:
            former = set(mapping["code_2015"]) | set(mapping["code_2025"])
            what = [
                f"{c} ("
                + (
                    "no longer a municipality on 1 January"
                    if c in former
                    else "neither a 2025 municipality nor a known predecessor"
                )
                + ")"
                for c in unknown
            ]
            raise DataError(
                f"CBS table {table} ({int(year)}): municipality code(s) not in the borders of "
                f"1 January {int(year)} per {MAPPING_FILE}: {'; '.join(what)}. Nothing was "
                "written."
            )
        target = part["region"].map(successors)
        parts = pd.Series(list(successors.values())).value_counts()
        grouped = part.groupby(target.to_numpy())["value"]
        summed = grouped.sum(min_count=1)
        complete = grouped.apply(lambda v: bool(v.notna().all())) & (
            grouped.size() == parts.reindex(grouped.size().index)
        )
        result = summed.where(complete).rename_axis("region").reset_index(name="value")
        result["year"] = int(year)
        out.append(result)
    columns = ["region", "year", "value"]
    return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)
