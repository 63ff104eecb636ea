"""Municipalities (gemeenten) of an indeling, their regions and the study's groups.

Every function takes the ``indeling``, the year of the municipal boundaries: 2025 (342
municipalities, the default declared in ``conventions.yaml``) or 2015 (393, the study's own).
Every municipality has a CBS code (``GMxxxx``), a name, and its province (``PVxx``),
arbeidsmarktregio (``AMxx``) and COROP region (``CRxx``): as CBS localised them in 70072ned for
2015 (``data/regions.csv``), and for 2025 derived from the 2015 parts (``data/regions_2025.csv``).
Named groups (``participating``, ``isd_midden_langstraat``) and the landsdelen (``LDxx``) are
declared in ``socecon/definitions/groups.yaml``.

Lookups forgive case, spacing and StatLine labels: ``resolve("hengelo (o.)")``,
``resolve("363")`` and ``resolve("gm0363")`` all work; an unknown query raises
:class:`~socecon.exceptions.UnknownRegionError` with the closest matches. A municipality of 2015
that no longer exists in 2025 resolves to its successor(s), with a Dutch note
(:func:`resolve_all`, :func:`dissolved_note`); a report of a successor says which former
municipalities it includes (:func:`former_parts_note`).

Examples
--------
>>> from socecon.regions import resolve, region_name, group_members
>>> resolve("Hengelo (O.)"), region_name("GM0164")
('GM0164', 'Hengelo')
>>> group_members("isd_midden_langstraat")
('GM0797', 'GM0809', 'GM0867')
>>> resolve("Boxmeer"), resolve("Boxmeer", indeling=2015)
('GM1982', 'GM0756')
>>> resolve_all("Haaren").codes
('GM0757', 'GM0824', 'GM0855', 'GM0865')
>>> print(resolve_all("Haaren").note[:40])
Haaren bestaat sinds 2021 niet meer; het
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from socecon.data.names import match_names, normalize_name, qualifier_province
from socecon.data.schema import (
    COLUMNS,
    CURRENT_INDELING,
    REGION_KIND_COLUMNS,
    VARIABLES,
    check_indeling,
    default_data_dir,
)
from socecon.data.snapshot import CACHE_CLEARERS, load_conversion, load_regions_table
from socecon.definitions import (
    DEFAULT_GROUP,
    INDELINGEN,
    NATIONAL_CODE,
    NATIONAL_NAME,
    REGION_SHAPES,
    region_kind,
)
from socecon.definitions.groups import load_groups
from socecon.exceptions import DividedMunicipalityError, UnknownRegionError

#: User input is parsed by the letters and digits of the codes declared in conventions.yaml.
_GM, _GM_DIGITS = REGION_SHAPES["municipality"]
_OTHERS = {kind: shape for kind, shape in REGION_SHAPES.items() if kind != "municipality"}
#: A municipality as typed: its code, or its number with or without the leading zeros.
_GM_INPUT = re.compile(rf"(?:{_GM})?\d{{1,{_GM_DIGITS}}}")
#: A well-formed code of another kind (known or not), and the start of a malformed code.
_OTHER_CODE = re.compile("|".join(rf"{letters}\d{{{n}}}" for letters, n in _OTHERS.values()))
_MALFORMED = re.compile(rf"{_GM}\S*|(?:{'|'.join(p for p, _ in _OTHERS.values())})\d+")
#: What a well-formed code looks like: "expected GM + 4 digits, or LD/PV/AM/CR/NL + 2 digits".
_EXPECTED = f"expected {_GM} + {_GM_DIGITS} digits, or " + ", or ".join(
    f"{'/'.join(p for p, n in _OTHERS.values() if n == d)} + {d} digits"
    for d in dict.fromkeys(n for _, n in _OTHERS.values())
)


def load_regions(indeling: int | str | None = None) -> pd.DataFrame:
    """Return the municipalities of an indeling with their province, arbeidsmarktregio and COROP.

    Parameters
    ----------
    indeling : int or str, optional
        2015 or 2025; the declared default (2025) when None.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code`` (``GMxxxx``), with the columns ``name, province_code,
        province_name, labour_market_region_code, labour_market_region_name, corop_code,
        corop_name``. A copy: changing it does not change later results.

    Raises
    ------
    DataError
        If the processed region table is missing or does not match its manifest.
    """
    return load_regions_table(indeling=indeling)


def labour_market_regions(indeling: int | str | None = None) -> pd.Series:
    """Return the arbeidsmarktregio of every municipality of an indeling (the one reader).

    Parameters
    ----------
    indeling : int or str, optional
        2015 or 2025; the declared default (2025) when None.

    Returns
    -------
    pandas.Series
        The ``AMxx`` code, indexed by ``code`` (``GMxxxx``, sorted).
    """
    return load_regions(indeling)[REGION_KIND_COLUMNS["labour_market_region"][0]].sort_index()


def participating_codes() -> tuple[str, ...]:
    """Return the codes of the study's participating municipalities, in declared order.

    Returns
    -------
    tuple of str
    """
    return load_groups()[DEFAULT_GROUP].members


def default_regions() -> list[str]:
    """Return what socecon reports on when no region is named.

    The participating municipalities, then every group declared with ``combined_report: true``
    in ``groups.yaml`` (ISD Midden-Langstraat), as one region each.

    Returns
    -------
    list of str
    """
    combined = [gid for gid, group in load_groups().items() if group.combined_report]
    return [*participating_codes(), *combined]


def _region_names(indeling: int | str | None = None) -> dict[str, str]:
    return _region_names_for(default_data_dir(), check_indeling(indeling))


@cache
def _region_names_for(data_dir: Path, indeling: int) -> dict[str, str]:
    regions = load_regions_table(data_dir, indeling=indeling)
    names = {NATIONAL_CODE: NATIONAL_NAME}
    names.update(regions["name"].to_dict())
    for code_col, name_col in REGION_KIND_COLUMNS.values():
        names.update(dict(zip(regions[code_col], regions[name_col], strict=True)))
    for gid, group in load_groups().items():
        names[gid] = group.name
    return names


CACHE_CLEARERS.append(_region_names_for.cache_clear)


def _suggest(query: str, indeling: int, limit: int = 3) -> str:
    names = _region_names(indeling)
    regions = load_regions(indeling)
    candidates: list[str] = []
    q = str(query).strip()
    digits = re.sub(r"\D", "", q)
    prefix = next((p for p, _ in _OTHERS.values() if q.upper().startswith(p)), None)
    if digits and prefix:
        same = [c for c in names if c.startswith(prefix)]
        candidates += difflib.get_close_matches(q.upper(), same, n=limit, cutoff=0.5)
    elif digits:
        gm = list(regions.index)
        code = _GM + digits.zfill(_GM_DIGITS)[-_GM_DIGITS:]
        candidates += difflib.get_close_matches(code, gm, n=limit, cutoff=0.5)
    by_name = {normalize_name(n): c for c, n in names.items()}
    for hit in difflib.get_close_matches(
        normalize_name(q, drop_qualifier=True), list(by_name), n=limit, cutoff=0.6
    ):
        candidates.append(by_name[hit])
    candidates += difflib.get_close_matches(q.upper(), list(names), n=limit, cutoff=0.6)
    seen = list(dict.fromkeys(candidates))
    if not seen:
        return ""
    return "; did you mean " + " or ".join(f"{c} ({names[c]})" for c in seen[:limit]) + "?"


def _check_qualifier(query: str, code: str, indeling: int) -> None:
    """Refuse a province qualifier that contradicts the matched municipality's province."""
    province = qualifier_province(query)
    actual = load_regions(indeling).loc[code, "province_name"]
    if province is not None and province != actual:
        name = load_regions(indeling).loc[code, "name"]
        raise UnknownRegionError(
            f"Unknown municipality {query!r}: {name} ({code}) lies in {actual}, not in {province}"
        )


def resolve(query: str, indeling: int | str | None = None) -> str:
    """Resolve a municipality code or name, a region code or a group id to its canonical id.

    Parameters
    ----------
    query : str
        ``"GM0363"``, ``"gm0363"``, ``"0363"``, ``"363"``, ``"Amsterdam"``, ``"Hengelo (O.)"``,
        ``"AM26"``, ``"PV30"``, ``"CR34"``, ``"LD04"``, ``"NL01"`` / ``"Nederland"``,
        ``"participating"``, ``"isd_midden_langstraat"`` or ``"ISD Midden-Langstraat"``.
    indeling : int or str, optional
        2015 or 2025; the declared default (2025) when None. A municipality that was merged
        into one other resolves to it (see :func:`resolve_all` for the note).

    Returns
    -------
    str
        A ``GMxxxx`` code, a region code or a group id.

    Raises
    ------
    UnknownRegionError
        If nothing matches, a name is ambiguous, or a former municipality was divided over
        several (:class:`DividedMunicipalityError`, with the successors); the message lists
        the closest matches or the successors.
    """
    found = resolve_all(query, indeling)
    if len(found.codes) > 1:
        raise DividedMunicipalityError(found.note or "", found.codes)
    return found.codes[0]


@dataclass(frozen=True)
class Resolution:
    """What a name or code stands for in an indeling.

    Attributes
    ----------
    codes : tuple of str
        One canonical id, or the successors of a former municipality.
    note : str or None
        For a former municipality, the Dutch note (:func:`dissolved_note`).
    """

    codes: tuple[str, ...]
    note: str | None = None


def resolve_all(query: str, indeling: int | str | None = None) -> Resolution:
    """Resolve what a user typed, a former municipality to all its successors.

    Parameters
    ----------
    query : str
        Anything :func:`resolve` accepts, or the name or code of a municipality of another
        indeling (``"Haaren"``, ``"GM0788"``).
    indeling : int or str, optional
        2015 or 2025; the declared default (2025) when None.

    Returns
    -------
    Resolution

    Raises
    ------
    UnknownRegionError
        If nothing matches (a municipality that exists only in a later indeling is named).
    """
    year = check_indeling(indeling)
    try:
        return Resolution((_resolve_in(query, year),))
    except UnknownRegionError as exc:
        moved = _other_indeling(query, year)
        if moved is None:
            raise
        code, other = moved
        if other > year:
            raise UnknownRegionError(
                f"Unknown municipality {query!r} in the indeling of {year}: "
                f"{region_name(code, other)} ({code}) exists since {_changed_in(code)}; "
                f"use the indeling of {other}"
            ) from exc
        return Resolution(successors(code), dissolved_note(code))


def _other_indeling(query: str, year: int) -> tuple[str, int] | None:
    """Find ``query`` as a municipality of another indeling: (its code, that indeling)."""
    for other in INDELINGEN:
        if other == year:
            continue
        try:
            code = _resolve_in(query, other)
        except UnknownRegionError:
            continue
        if region_kind(code) == "municipality" and code not in load_regions(year).index:
            return code, other
    return None


def _changed_in(code_2025: str) -> int:
    conversion = load_conversion()
    return int(conversion.loc[conversion["code_2025"] == code_2025, "year_of_change"].max())


def successors(code: str) -> tuple[str, ...]:
    """Return the 2025 municipalities a municipality of 2015 went to, by name.

    Parameters
    ----------
    code : str
        A ``GMxxxx`` code of 2015.

    Returns
    -------
    tuple of str
    """
    conversion = load_conversion()
    codes = conversion.loc[conversion["code_2015"] == code, "code_2025"]
    return tuple(sorted(codes, key=lambda c: (normalize_name(region_name(c, CURRENT_INDELING)), c)))


def dissolved_note(code: str) -> str:
    """Say in Dutch what became of a municipality of 2015 that no longer exists.

    Parameters
    ----------
    code : str
        A ``GMxxxx`` code of 2015 that is not a municipality of 2025.

    Returns
    -------
    str
        E.g. ``"Haaren bestaat sinds 2021 niet meer; het gebied is verdeeld over Boxtel,
        Oisterwijk, Tilburg en Vught"``.
    """
    conversion = load_conversion()
    rows = conversion[conversion["code_2015"] == code]
    name = rows["name_2015"].iloc[0]
    year = int(rows["year_of_change"].max())
    names = [region_name(c, CURRENT_INDELING) for c in successors(code)]
    if len(names) > 1:
        return (
            f"{name} bestaat sinds {year} niet meer; het gebied is verdeeld over "
            f"{_dutch_list(names)}"
        )
    if rows["kind"].iloc[0] == "renamed":
        return f"{name} heet sinds {year} {names[0]}"
    return f"{name} bestaat sinds {year} niet meer; het gebied hoort nu bij {names[0]}"


def former_parts_note(code: str, indeling: int | str | None = None) -> str | None:
    """Say in Dutch which former municipalities (or parts) a municipality of 2025 includes.

    Parameters
    ----------
    code : str
        A ``GMxxxx`` code.
    indeling : int or str, optional
        None for no note outside the 2025 indeling.

    Returns
    -------
    str or None
        E.g. ``"inclusief 34 % van de adressen van de vroegere gemeente Haaren"`` (the share
        its counts were converted with) or ``"inclusief de
        vroegere gemeenten Boxmeer, Cuijk, ..."``; ``"tot 2016 de gemeente Groesbeek"`` for a
        renamed one; None when it includes nothing of another municipality of 2015.
    """
    if check_indeling(indeling) != CURRENT_INDELING or region_kind(code) != "municipality":
        return None
    conversion = load_conversion()
    rows = conversion[(conversion["code_2025"] == code) & (conversion["code_2015"] != code)]
    if rows.empty:
        return None
    if (rows["kind"] == "renamed").all():
        return f"tot {int(rows['year_of_change'].max())} de gemeente {rows['name_2015'].iloc[0]}"
    existing = set(load_regions(CURRENT_INDELING).index)
    rows = rows.sort_values("name_2015")
    whole = [r.name_2015 for r in rows.itertuples() if r.share == 1.0]
    parts = []
    if whole:
        kind = "de vroegere gemeenten " if len(whole) > 1 else "de vroegere gemeente "
        parts.append(kind + _dutch_list(whole))
    for row in rows[rows["share"] < 1.0].itertuples():
        former = "" if row.code_2015 in existing else "de vroegere gemeente "
        parts.append(f"{round(100 * row.share)} % van de adressen van {former}{row.name_2015}")
    return "inclusief " + _dutch_list(parts)


def _dutch_list(items: list[str]) -> str:
    """Return 'a, b en c'; with a comma before the last 'en' when a name has its own.

    "Grave, Mill en Sint Hubert, en Sint Anthonis": the reader sees where one name ends. Not
    merged with :func:`socecon.present.formats.and_list` (a layer up): one rule for both would
    change report text. Eight notes of 2025 need this comma, and ``and_list`` joins quoted
    option names with "en" (the look-back) and Gilze en Rijen (chart texts) without it.
    """
    if len(items) == 1:
        return items[0]
    last = ", en " if any(" en " in item for item in items) else " en "
    return f"{', '.join(items[:-1])}{last}{items[-1]}"


def _resolve_in(query: str, indeling: int) -> str:
    """Resolve ``query`` among the regions of one indeling (see :func:`resolve`)."""
    q = str(query).strip()
    if not q:
        raise UnknownRegionError("Empty municipality or region name")
    names = _region_names(indeling)
    groups = load_groups()
    if q in groups:
        return q
    upper = q.upper().replace(" ", "")
    if _GM_INPUT.fullmatch(upper):
        code = _GM + upper.removeprefix(_GM).zfill(_GM_DIGITS)
        if code in names:
            return code
        raise UnknownRegionError(f"Unknown municipality {q!r}{_suggest(q, indeling)}")
    if _OTHER_CODE.fullmatch(upper):
        if upper in names:
            return upper
        raise UnknownRegionError(f"Unknown region code {q!r}{_suggest(q, indeling)}")
    if _MALFORMED.fullmatch(upper):
        raise UnknownRegionError(
            f"Malformed region code {q!r} ({_EXPECTED}){_suggest(q, indeling)}"
        )
    municipalities = load_regions(indeling)["name"].to_dict()
    hit = match_names(municipalities, [q]).get(q)
    if hit:
        _check_qualifier(q, hit, indeling)
        return hit
    loose = normalize_name(q, drop_qualifier=True)
    ambiguous = [
        c for c, n in municipalities.items() if normalize_name(n, drop_qualifier=True) == loose
    ]
    if len(ambiguous) > 1:
        options = " or ".join(f"{c} ({municipalities[c]})" for c in ambiguous)
        raise UnknownRegionError(f"Ambiguous municipality {q!r}: {options}")
    # A region or group by its name; a region's name that several share (Groningen: a province
    # and an arbeidsmarktregio) is not a region's.
    key = normalize_name(q)
    named = [
        c for c, n in names.items() if region_kind(c) != "municipality" and normalize_name(n) == key
    ]
    for code in named:
        if region_kind(code) not in REGION_KIND_COLUMNS or len(named) == 1:
            return code
    raise UnknownRegionError(f"Unknown municipality {q!r}{_suggest(q, indeling)}")


def region_name(code: str, indeling: int | str | None = None) -> str:
    """Return the Dutch name of a municipality, region or group.

    Parameters
    ----------
    code : str
        Anything :func:`resolve` accepts; a municipality code of another indeling too (a
        continuing municipality has the same name in every indeling).
    indeling : int or str, optional
        2015 or 2025; the declared default (2025) when None.

    Returns
    -------
    str
        For example ``"Hengelo"``, ``"Midden-Brabant"`` (AM26), ``"Nederland"`` (NL01) or
        ``"ISD Midden-Langstraat"``.

    Raises
    ------
    UnknownRegionError
    """
    year = check_indeling(indeling)
    for names in (_region_names(year), *(_region_names(y) for y in INDELINGEN if y != year)):
        if code in names:  # canonical ids need no resolving
            return names[code]
    return _region_names(year)[resolve(code, year)]


def group_members(group: str, indeling: int | str | None = None) -> tuple[str, ...]:
    """Return the municipality codes of a group or region, sorted by code.

    Parameters
    ----------
    group : str
        A group id (``participating``, ``isd_midden_langstraat``), ``NL01``, or an ``AMxx``,
        ``PVxx``, ``CRxx`` or ``LDxx`` code. A single ``GMxxxx`` code is its own group.
    indeling : int or str, optional
        2015 or 2025; the declared default (2025) when None.

    Returns
    -------
    tuple of str
        For declared groups the declared order; otherwise sorted codes.

    Raises
    ------
    UnknownRegionError
    """
    gid = resolve(group, indeling)
    regions = load_regions(indeling)
    groups = load_groups()
    kind = region_kind(gid)
    if kind == "landsdeel":
        provinces = set(groups[gid].members)
        return tuple(sorted(regions.index[regions["province_code"].isin(provinces)]))
    if gid in groups:
        return groups[gid].members
    if gid == NATIONAL_CODE:
        return tuple(sorted(regions.index))
    if kind == "municipality":
        return (gid,)
    column = REGION_KIND_COLUMNS[kind][0]  # type: ignore[index]
    return tuple(sorted(regions.index[regions[column] == gid]))


def aggregate(
    frame: pd.DataFrame,
    group: str,
    *,
    skipna: bool = False,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Aggregate municipality figures of a long frame to a group or region.

    Counts are summed over the members; rates (e.g. ``bijstand_density_15_aow``) are
    recomputed from the summed numerator and denominator, never averaged.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame with at least ``region, year, variable, unit, value`` (``source`` and other
        columns are carried along where they agree over the members). Rows of other regions
        are ignored.
    group : str
        Anything :func:`group_members` accepts.
    skipna : bool, default False
        If False, a (variable, year) with a missing value for any member gives NaN, because a
        sum over part of the members is not the group's figure. If True, missing members are
        left out of the sum (a NaN remains only if every member is missing).
    indeling : int or str, optional
        The indeling of ``frame`` (2015 or 2025); the declared default (2025) when None.

    Returns
    -------
    pandas.DataFrame
        Long frame in the same columns, with ``region`` equal to the group id.

    Raises
    ------
    UnknownRegionError
        If ``group`` is unknown.
    """
    gid = resolve(group, indeling)
    members = set(group_members(gid, indeling))
    part = frame[frame["region"].isin(members)]
    extra = [c for c in frame.columns if c not in ("region", "year", "variable", "unit", "value")]
    rows = []
    rate_ids = {v for v, spec in VARIABLES.items() if not spec.is_count}
    counts = part[~part["variable"].isin(rate_ids)]
    for (variable, year, unit), sub in counts.groupby(["variable", "year", "unit"], sort=True):
        values = sub.set_index("region")["value"].astype(float)
        values = values.reindex(sorted(members))
        if skipna:
            total = values.sum(min_count=1)
        else:
            total = values.sum() if values.notna().all() else float("nan")
        row = {"region": gid, "year": int(year), "variable": variable, "unit": unit}
        row["value"] = float(total)
        for col in extra:
            vals = sub[col].unique()
            row[col] = vals[0] if len(vals) == 1 else ";".join(sorted(map(str, vals)))
        rows.append(row)
    result = pd.DataFrame(rows, columns=[*frame.columns])
    rate_rows = []
    for variable in sorted(rate_ids & set(part["variable"])):
        numerator, denominator, scale = VARIABLES[variable].rate_of  # type: ignore[misc]
        for year in sorted(part.loc[part["variable"] == variable, "year"].unique()):
            sel = result[result["year"] == year].set_index("variable")["value"]
            num, den = sel.get(numerator, float("nan")), sel.get(denominator, float("nan"))
            value = scale * num / den if den and den == den else float("nan")
            row = {
                "region": gid,
                "year": int(year),
                "variable": variable,
                "unit": VARIABLES[variable].unit,
                "value": float(value),
            }
            src = part.loc[(part["variable"] == variable) & (part["year"] == year)]
            for col in extra:
                vals = src[col].unique()
                row[col] = vals[0] if len(vals) == 1 else ";".join(sorted(map(str, vals)))
            rate_rows.append(row)
    if rate_rows:
        result = pd.concat([result, pd.DataFrame(rate_rows, columns=result.columns)])
    ordered = [c for c in COLUMNS if c in result.columns] + [
        c for c in result.columns if c not in COLUMNS
    ]
    return (
        result[ordered]
        .sort_values(["year", "variable"], kind="stable")
        .reset_index(drop=True)
        .astype({"year": int, "value": float})
    )
