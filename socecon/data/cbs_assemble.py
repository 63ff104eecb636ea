"""The CBS figures socecon uses, in canonical columns, and how they become the snapshot.

Both ways into the data (:mod:`~socecon.data.cbs_build` from the shared CSV exports,
:mod:`~socecon.data.cbs_refresh` from CBS open data) read their inputs into the same
:class:`Sources`; :func:`assemble` turns those into the long snapshot and the region table, which
:func:`socecon.data.snapshot.write_snapshot` writes. The tables, their columns and age classes
are declared in ``socecon/definitions/cbs_tables.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socecon.data.indeling import (
    LATER_YEAR_METHOD,
    MAPPING_FILE,
    REGION_RULE,
    ROUNDING,
    control_totals,
    convert_counts,
    convert_to_2025,
    regions_2025,
)
from socecon.data.names import normalize_name
from socecon.data.schema import COLUMNS, REFRESH_ONLY, REGION_COLUMNS, VARIABLES
from socecon.definitions import MUNICIPALITY_CODE, NATIONAL_CODE, REGION_CODE, REGION_KINDS
from socecon.definitions.cbs_tables import Dataset, Design, load_cbs_tables
from socecon.definitions.corop import COROP_FILE
from socecon.exceptions import DataError

CBS_TABLES = load_cbs_tables()
KERN = CBS_TABLES["kern"]
POP2025 = CBS_TABLES["pop2025"]
BIJSTAND = CBS_TABLES["bijstand"]
KWB2019 = CBS_TABLES["kwb2019"]
KWB_BIJSTAND = CBS_TABLES["kwb_bijstand"]
#: The snapshot variable of the KWB bijstand count (2025 indeling only; refresh only).
(KWB_BIJSTAND_VARIABLE,) = REFRESH_ONLY
#: The data sets ``socecon data build`` reads from the shared exports.
BUILT = (KERN, POP2025, BIJSTAND, KWB2019)
KERNCIJFERS_TABLE = KERN.table
KWB2019_TABLE = KWB2019.table
BIJSTAND_TABLES = dict(BIJSTAND.tables)
AGE_15_PLUS = BIJSTAND.ages["15_plus"].code
AGE_15_AOW = BIJSTAND.ages["15_aow"].code
#: Canonical fields of the bijstand tables.
BIJSTAND_FIELDS = tuple(c.name for c in BIJSTAND.variables)
#: The designs of the shared CSV exports of 70072ned (2015 and 2025).
KERN_CSV_DESIGN = KERN.design()
POP2025_CSV_DESIGN = POP2025.design()
#: Columns of the KWB 2019 population in :class:`Sources`.
KWB_COLUMNS = ("region", "name", *(c.name for c in KWB2019.variables))
#: The COROP declaration, as the manifest and error messages name it.
COROP_INPUT = f"socecon/definitions/{COROP_FILE}"


@dataclass
class Sources:
    """The CBS figures socecon uses, in canonical columns, before they become the snapshot.

    Attributes
    ----------
    kern : pandas.DataFrame
        70072ned 2015, one row per region: ``region``, ``name``, the fields of
        the ``kern`` data set of
        ``cbs_tables.yaml`` and, for municipalities, ``am_code, am_name, pv_code, pv_name``.
    bijstand : pandas.DataFrame
        83450NED/83747NED/84066NED: ``year, source, region, age`` and
        :data:`BIJSTAND_FIELDS`.
    pop2019 : pandas.DataFrame
        KWB 2019 municipalities: ``region, name, population, b_15_25, b_25_45, b_45_65,
        b_65_plus``.
    pop2025 : pandas.DataFrame
        70072ned 2025: ``region`` (a 2015 code, NL01 or empty), ``code_2025`` (the 2025 code or
        NL01), ``population`` and the age bands of ``pop2025_design``.
    corop : dict
        Municipality code -> (COROP code, COROP name).
    provenance : dict
        ``origin``, ``inputs`` and ``cbs_tables`` for the manifest.
    verify_corop : bool
        Check the COROP membership against the CBS COROP rows (needed for the hand-extracted
        ``corop_2015.yaml``; a refresh takes it from CBS itself and may cover a subset).
    kern_design, pop2025_design : Design
        The design of 70072ned the age bands of ``kern`` and ``pop2025`` follow (their
        ``sums`` make population 15-64 and 65+).
    mapping : pandas.DataFrame or None
        The municipalities of 2015 mapped to those of 2025
        (:func:`socecon.data.indeling.read_mapping`); needed for the 2025 indeling.
    kwb_bijstand : pandas.DataFrame or None
        The KWB bijstand count of every edition in its own borders: ``region, year, source,
        value`` (only from ``socecon data refresh``).
    """

    kern: pd.DataFrame
    bijstand: pd.DataFrame
    pop2019: pd.DataFrame
    pop2025: pd.DataFrame
    corop: dict[str, tuple[str, str]]
    provenance: dict[str, Any]
    verify_corop: bool = True
    kern_design: Design = KERN_CSV_DESIGN
    pop2025_design: Design = POP2025_CSV_DESIGN
    mapping: pd.DataFrame | None = None
    kwb_bijstand: pd.DataFrame | None = None


def table_list(versions: Mapping[str, str], datasets: Iterable[Dataset]) -> list[dict[str, Any]]:
    """Describe the CBS tables read for the manifest: id, title, reference date, years, ...

    Every table of ``cbs_tables.yaml`` that one of ``datasets`` reads, in declared order, with
    the years its data sets read, the version note (if any), licence and attribution.

    Parameters
    ----------
    versions : mapping
        Table id -> version note, for the tables that have one.
    datasets : iterable of Dataset
        The data sets read.

    Returns
    -------
    list of dict
    """
    out = []
    read = {t for ds in datasets for t in ds.tables.values()}
    for table_id, table in CBS_TABLES.tables.items():
        if table_id not in read:
            continue
        entry: dict[str, Any] = {
            "id": table_id,
            "title": table.title,
            "reference_date": table.reference_date,
            "years": CBS_TABLES.years(table_id),
        }
        version = versions.get(table_id)
        if version:
            entry["version"] = version
        entry["licence"] = "CC BY 4.0"
        entry["attribution"] = "Bron: CBS"
        out.append(entry)
    return out


def _check_corop(sources: Sources) -> None:
    kern = sources.kern.set_index("region")
    gm = kern[kern.index.str.fullmatch(MUNICIPALITY_CODE)]
    missing = sorted(set(gm.index) - set(sources.corop))
    if missing:
        raise DataError(f"{COROP_INPUT}: no COROP region for {missing}")
    members = pd.Series({c: sources.corop[c][0] for c in gm.index})
    published = kern[kern.index.str.fullmatch(REGION_KINDS["corop"])]
    if published.empty:
        return
    summed = gm["population"].groupby(members).sum()
    diff = (summed - published["population"]).dropna()
    bad = diff[diff != 0]
    wrong = sorted(bad.index) or sorted(set(summed.index) ^ set(published.index))
    if wrong:
        raise DataError(
            f"{COROP_INPUT}: the member populations do not add up to the CBS COROP rows of "
            f"70072ned 2015 for {wrong}"
        )


def _regions_frame(sources: Sources) -> pd.DataFrame:
    kern = sources.kern
    gm = kern[kern["region"].str.fullmatch(MUNICIPALITY_CODE)].copy()
    # Prefer the KWB 2019 spelling where it is the same name after normalisation (the PDOK
    # 2015 names have "Nuenen. Gerwen en Nederwetten").
    kwb = dict(zip(sources.pop2019["region"], sources.pop2019["name"], strict=True))
    names = []
    for code, name in zip(gm["region"], gm["name"], strict=True):
        alt = kwb.get(code)
        names.append(alt if alt and normalize_name(alt) == normalize_name(name) else name)
    return pd.DataFrame(
        {
            "code": gm["region"].to_numpy(),
            "name": names,
            "province_code": gm["pv_code"].to_numpy(),
            "province_name": gm["pv_name"].to_numpy(),
            "labour_market_region_code": gm["am_code"].to_numpy(),
            "labour_market_region_name": gm["am_name"].to_numpy(),
            "corop_code": [sources.corop[c][0] for c in gm["region"]],
            "corop_name": [sources.corop[c][1] for c in gm["region"]],
        },
        columns=list(REGION_COLUMNS),
    )


def _rows(
    regions: pd.Series, year: Any, values: Mapping[str, pd.Series], source: Any
) -> list[pd.DataFrame]:
    frames = []
    for variable, series in values.items():
        frames.append(
            pd.DataFrame(
                {
                    "region": regions.to_numpy(),
                    "year": np.asarray(year if not np.isscalar(year) else [year] * len(regions)),
                    "variable": variable,
                    "unit": VARIABLES[variable].unit,
                    "value": series.astype(float).to_numpy(),
                    "source": np.asarray(
                        source if not np.isscalar(source) else [source] * len(regions)
                    ),
                }
            )
        )
    return frames


def _population_by_age(frame: pd.DataFrame, design: Design) -> dict[str, pd.Series]:
    """Return the population and the sums of ``design`` (15-64, 65+) from 70072ned's bands."""
    sums = {
        target: frame[list(parts)].sum(axis=1, min_count=len(parts))
        for target, parts in design.sums.items()
    }
    return {"population": frame["population"], **sums}


def assemble(sources: Sources) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn :class:`Sources` into the long snapshot and the region table.

    Municipalities are those of 70072ned 2015 (393 for the full data). Every municipality
    gets a row for every variable and year that exists in the snapshot, with NaN where CBS has
    no figure (merged away later, or suppressed). Regional rows (NL01, LDxx, PVxx, AMxx, CRxx)
    are CBS's own published figures; CBS's size-class regions (A0..) are left out.

    Parameters
    ----------
    sources : Sources

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The long snapshot (columns of :data:`socecon.data.snapshot.COLUMNS`) and the region table.

    Raises
    ------
    DataError
        If the COROP membership does not add up to the CBS COROP rows.
    """
    if sources.verify_corop:
        _check_corop(sources)
    regions = _regions_frame(sources)
    known = set(regions["code"])

    def keep(codes: pd.Series) -> pd.Series:
        codes = codes.astype(str)
        ok = codes.str.match(REGION_CODE.pattern)
        return ok & (~codes.str.fullmatch(MUNICIPALITY_CODE) | codes.isin(known))

    frames = _measured(sources, keep)
    p = sources.pop2025[keep(sources.pop2025["region"])]
    frames += _rows(
        p["region"],
        POP2025.year,
        _population_by_age(p, sources.pop2025_design),
        POP2025.table,
    )
    long = pd.concat(frames, ignore_index=True)
    long = long.drop_duplicates(["region", "year", "variable"], keep="first")
    return complete_grid(long, known), regions


def _measured(sources: Sources, keep: Callable[[pd.Series], pd.Series]) -> list[pd.DataFrame]:
    """Return the long rows of 70072ned 2015, the bijstand tables and KWB 2019 (``keep`` rows)."""
    frames: list[pd.DataFrame] = []
    k = sources.kern[keep(sources.kern["region"])]
    frames += _rows(
        k["region"],
        KERN.year,
        {
            **_population_by_age(k, sources.kern_design),
            "jobs": k["jobs_x1000"] * 1000.0,
            "establishments": k["establishments"],
            "wajong": k["wajong"],
            "ww": k["ww"],
            "ao_total": k["ao_total"],
            "wao": k["wao"],
            "wia_wga": k["wia_wga"],
        },
        KERNCIJFERS_TABLE,
    )

    b = sources.bijstand[keep(sources.bijstand["region"])]
    wide = b.pivot_table(
        index=["region", "year", "source"],
        columns="age",
        values=list(BIJSTAND_FIELDS),
        dropna=False,
        aggfunc="first",
    )
    wide = wide.dropna(how="all").reset_index()

    def col(field: str, age: str) -> pd.Series:
        key = (field, age)
        return wide[key] if key in wide.columns else pd.Series(np.nan, index=wide.index)

    bijstand = col("bijstandsontvangers", AGE_15_AOW)
    population = col("inwoners", AGE_15_AOW)
    density = (1000.0 * bijstand / population.where(population > 0)).round(3)
    frames += _rows(
        wide["region"],
        wide["year"].astype(int).to_numpy(),
        {
            "population_15_aow": population,
            "population_15_plus": col("inwoners", AGE_15_PLUS),
            "bijstand_15_aow": bijstand,
            "bijstand_15_plus": col("bijstandsontvangers", AGE_15_PLUS),
            "bijstand_density_15_aow": density,
            "bijstand_inflow_15_aow": col("instroom", AGE_15_AOW),
            "bijstand_outflow_15_aow": col("uitstroom", AGE_15_AOW),
            "bijstand_outflow_to_work": col("uitstroom_naar_werk", AGE_15_AOW),
            "reintegration_provision": col("reintegratie", AGE_15_AOW),
            "wsw_employees": col("wsw", AGE_15_PLUS),
        },
        wide["source"].astype(str).to_numpy(),
    )

    p = sources.pop2019[keep(sources.pop2019["region"])]
    frames += _rows(
        p["region"],
        KWB2019.year,
        {
            "population": p["population"],
            "population_15_64": p[["b_15_25", "b_25_45", "b_45_65"]].sum(axis=1, min_count=3),
            "population_65_plus": p["b_65_plus"],
        },
        KWB2019_TABLE,
    )
    return frames


def complete_grid(long: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """Give every municipality of ``known`` a row for every (variable, year), NaN where absent.

    Parameters
    ----------
    long : pandas.DataFrame
        Long frame without duplicate (region, year, variable).
    known : set of str
        The municipality codes of the indeling.

    Returns
    -------
    pandas.DataFrame
        In the columns of :data:`~socecon.data.schema.COLUMNS`, sorted.
    """
    combos = long[["year", "variable", "unit", "source"]].drop_duplicates(["year", "variable"])
    grid = combos.merge(pd.DataFrame({"region": sorted(known)}), how="cross")
    present = long[long["region"].str.fullmatch(MUNICIPALITY_CODE)][["region", "year", "variable"]]
    missing = grid.merge(present, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    missing["value"] = np.nan
    long = pd.concat([long, missing[list(COLUMNS)]], ignore_index=True)
    long = long[list(COLUMNS)].astype(
        {"region": str, "year": int, "variable": str, "unit": str, "value": float, "source": str}
    )
    return long.sort_values(["region", "year", "variable"], kind="stable").reset_index(drop=True)


def assemble_2025(
    sources: Sources, regions_2015: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Turn :class:`Sources` into the snapshot and region table of the 2025 indeling.

    Counts of municipalities are converted from each year's own indeling
    (:func:`socecon.data.indeling.convert_counts`), rates recomputed from the converted counts,
    population 2025 joined by 2025 code; of the regional rows only Nederland is kept (the
    arbeidsmarktregio's, provinces and COROP regions are the sums of their 2025 members).

    Parameters
    ----------
    sources : Sources
        With ``mapping`` set.
    regions_2015 : pandas.DataFrame
        The region table of 2015 (from :func:`assemble`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame, dict)
        The long snapshot, the region table and what the manifest records of the conversion.
    """
    mapping = sources.mapping
    if mapping is None:
        raise DataError(f"no mapping of the municipalities to 2025 ({MAPPING_FILE})")
    national = NATIONAL_CODE

    def every(codes: pd.Series) -> pd.Series:
        codes = codes.astype(str)
        return codes.str.match(REGION_CODE.pattern) & (
            codes.str.fullmatch(MUNICIPALITY_CODE) | (codes == national)
        )

    long = pd.concat(_measured(sources, every), ignore_index=True)
    counts = [v for v, spec in VARIABLES.items() if spec.is_count]
    own = long[long["region"].str.fullmatch(MUNICIPALITY_CODE) & long["variable"].isin(counts)]
    unknown = sorted(set(own["region"]) - set(mapping["code_2015"]) - set(mapping["code_2025"]))
    if unknown:
        raise DataError(f"{MAPPING_FILE}: municipalities neither of 2015 nor of 2025: {unknown}")
    # A refresh may cover part of the country: a 2025 municipality needs all its 2015 parts.
    known_2015 = set(regions_2015["code"])
    whole = mapping.groupby("code_2025")["code_2015"].agg(lambda c: set(c) <= known_2015)
    mapping = mapping[mapping["code_2025"].isin(whole[whole].index)]
    own = own[own["region"].isin({*mapping["code_2015"], *mapping["code_2025"]})]
    converted = convert_counts(own, mapping)
    rates = []
    for variable, spec in VARIABLES.items():
        if spec.rate_of is None:
            continue
        numerator, denominator, scale = spec.rate_of
        wide = converted.pivot_table(
            index=["region", "year"], columns="variable", values="value", dropna=False
        )
        if numerator not in wide.columns or denominator not in wide.columns:
            continue
        den = wide[denominator].where(wide[denominator] > 0)
        value = (scale * wide[numerator] / den).round(3).reset_index(name="value")
        source = own[own["variable"] == numerator].groupby("year")["source"].first()
        # only the years of the numerator (not a row without value or source for every year
        # the denominator's table alone covers, such as the population of KWB 2019)
        value = value[value["year"].isin(source.index)].copy()
        value["variable"], value["unit"] = variable, spec.unit
        value["source"] = value["year"].map(source)
        rates.append(value)
    p = sources.pop2025[sources.pop2025["code_2025"].astype(str) != ""]
    pop = _rows(
        p["code_2025"], POP2025.year, _population_by_age(p, sources.pop2025_design), POP2025.table
    )
    kwb_own, kwb = _kwb_bijstand_2025(sources)
    frames = [long[long["region"] == national], converted, *rates, *pop, kwb]
    result = pd.concat(frames, ignore_index=True)
    result = result.drop_duplicates(["region", "year", "variable"], keep="first")
    population = regions_population(sources)
    regions, disagreements = regions_2025(regions_2015, mapping, population)
    known = set(regions["code"])
    result = result[
        ~result["region"].str.fullmatch(MUNICIPALITY_CODE) | result["region"].isin(known)
    ]
    info = {
        "municipalities": len(known),
        "method": "count x share of ../shared/cbs/gemeenten_2015_2025.csv, summed per 2025 "
        "municipality; rates recomputed from the converted counts; population 2025 joined by "
        "the 2025 code",
        "region_rule": REGION_RULE,
        "regions_where_parts_disagree": disagreements,
        "rounding": ROUNDING,
        "control_totals": control_totals(own, converted, counts)
        | control_totals(kwb_own, kwb, [KWB_BIJSTAND_VARIABLE]),
    }
    if sources.kwb_bijstand is not None:
        info["later_years_method"] = LATER_YEAR_METHOD
    return complete_grid(result, known), regions, info


def _kwb_bijstand_2025(sources: Sources) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the KWB bijstand counts in their own borders and converted to 2025 (long)."""
    columns = list(COLUMNS)
    frame = sources.kwb_bijstand
    if frame is None or frame.empty:
        empty = pd.DataFrame(columns=columns)
        return empty, empty
    own, converted = [], []
    for source, part in frame.groupby("source", sort=False):
        own.append(part.assign(variable=KWB_BIJSTAND_VARIABLE))
        converted.append(
            convert_to_2025(part, sources.mapping, str(source)).assign(
                variable=KWB_BIJSTAND_VARIABLE, source=source
            )
        )
    unit = VARIABLES[KWB_BIJSTAND_VARIABLE].unit
    own_long = pd.concat(own, ignore_index=True).assign(unit=unit)[columns]
    return own_long, pd.concat(converted, ignore_index=True).assign(unit=unit)[columns]


def regions_population(sources: Sources) -> dict[str, float]:
    """Return the population on 1 January 2015 of every 2015 municipality (70072ned).

    Parameters
    ----------
    sources : Sources

    Returns
    -------
    dict
    """
    kern = sources.kern[sources.kern["region"].str.fullmatch(MUNICIPALITY_CODE)]
    return dict(zip(kern["region"], kern["population"].astype(float), strict=True))


def provenance(sources: Sources) -> dict[str, Any]:
    """Return the manifest provenance of ``sources``, with the region table described.

    Parameters
    ----------
    sources : Sources

    Returns
    -------
    dict
    """
    prov = dict(sources.provenance)
    prov["region_tables"] = [
        {
            "id": KERNCIJFERS_TABLE,
            "title": CBS_TABLES.tables[KERNCIJFERS_TABLE].title,
            "reference_date": "2015 (lokalisering of the 2015 municipalities)",
            "columns": "arbeidsmarktregio (Code/Naam), provincie (Code/Naam), COROP-gebied "
            "(Code/Naam, from socecon/definitions/corop_2015.yaml)",
        }
    ]
    prov["regions_description"] = (
        "The municipalities of the 2015 indeling with province, arbeidsmarktregio and COROP "
        "region as localised by CBS in 70072ned for 2015."
    )
    return prov
