"""Build the processed snapshot from the shared CBS exports, or refresh it from CBS open data.

Both paths read their inputs into the same :class:`Sources` (canonical column names, codes
stripped of padding), then :func:`assemble` turns those into the long snapshot and the region
table, and :func:`socecon.data.snapshot.write_snapshot` writes them. So ``socecon data build`` and
``socecon data refresh`` produce the same schema through the same code.

* :func:`build` reads the StatLine exports in ``../shared/cbs`` (or ``$SOCECON_CBS_DIR``),
  checks them against their ``SHA256SUMS.txt`` and writes ``data/``. It is deterministic.
* :func:`refresh` downloads the same tables with the ``cbsodata`` client (OData v3). It
  resolves column keys by their ``DataProperties`` title and unit, never by numeric suffix
  (suffixes drift between table versions), keeps the raw dimension keys (``download_data``,
  not ``get_data``, which swaps codes for names) and strips their padding (``"GM0106 "``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from socecon.data.manifest import sha256_file
from socecon.data.schema import COLUMNS, REGION_CODE, REGION_COLUMNS, VARIABLES, default_data_dir
from socecon.data.snapshot import write_snapshot
from socecon.exceptions import CBSUnavailableError, DataError

CBS_DIR_ENV = "SOCECON_CBS_DIR"
COROP_FILE = Path(__file__).resolve().parents[1] / "definitions" / "corop_2015.yaml"

KERNCIJFERS_FILE = "cbs_70072ned_regionale_kerncijfers_2015.csv"
BIJSTAND_FILE = "cbs_bijstand_reintegratie_wsw_regio_2015_2017.csv"
KWB2019_FILE = "cbs_kwb2019_bevolking_leeftijd_gemeenten.csv"
POP2025_FILE = "cbs_70072ned_bevolking_leeftijd_2025.csv"
SHARED_FILES = (KERNCIJFERS_FILE, BIJSTAND_FILE, KWB2019_FILE, POP2025_FILE)

KERNCIJFERS_TABLE = "70072ned"
KWB2019_TABLE = "84583NED"
BIJSTAND_TABLES = {2015: "83450NED", 2016: "83747NED", 2017: "84066NED"}
AGE_15_PLUS, AGE_15_AOW, AGE_AOW_PLUS = "20150", "90100", "90200"

#: Canonical 70072ned fields (counts) and the shared export's columns.
KERN_COLUMNS = {
    "population": "TotaleBevolking_1",
    "k_15_20": "k_15Tot20Jaar_7",
    "k_20_25": "k_20Tot25Jaar_8",
    "k_25_45": "k_25Tot45Jaar_9",
    "k_45_65": "k_45Tot65Jaar_10",
    "k_65_80": "k_65Tot80Jaar_11",
    "k_80_plus": "k_80JaarOfOuder_12",
    "jobs_x1000": "TotaalAantalBanen_112",
    "establishments": "BedrijfsvestigingenTotaal_168",
    "ww": "Werkloosheid_159",
    "ao_total": "ArbeidsongeschiktheidTotaal_163",
    "wao": "WAOUitkering_164",
    "wia_wga": "WIAUitkeringWGARegeling_165",
    "wajong": "WajongUitkering_166",
}
BIJSTAND_FIELDS = (
    "inwoners",
    "bijstandsontvangers",
    "instroom",
    "uitstroom",
    "uitstroom_naar_werk",
    "reintegratie",
    "wsw",
)
POP_BANDS = ("k_15_20", "k_20_25", "k_25_45", "k_45_65", "k_65_80", "k_80_plus")

CBS_TABLE_INFO = {
    "70072ned": {
        "title": "Regionale kerncijfers Nederland",
        "reference_date": "population: 1 January; jobs, benefits, establishments: 2015 "
        "(the benefit counts agree with the year-end figures of 83450NED)",
    },
    "83450NED": {
        "title": "Sociale zekerheid; bijstand, re-integratie en WSW, gemeenten 2015",
        "reference_date": "stocks: 2015-12-31; flows: during 2015",
    },
    "83747NED": {
        "title": "Sociale zekerheid; bijstand, re-integratie en WSW, gemeenten 2016",
        "reference_date": "stocks: 2016-12-31; flows: during 2016",
    },
    "84066NED": {
        "title": "Sociale zekerheid; bijstand, re-integratie en WSW, gemeenten 2017",
        "reference_date": "stocks: 2017-12-31; flows: during 2017",
    },
    "84583NED": {
        "title": "Kerncijfers wijken en buurten 2019",
        "reference_date": "2019-01-01",
    },
}


@dataclass
class Sources:
    """The CBS figures socecon uses, in canonical columns, before they become the snapshot.

    Attributes
    ----------
    kern : pandas.DataFrame
        70072ned 2015, one row per region: ``region``, ``name``, the fields of
        :data:`KERN_COLUMNS` and, for municipalities, ``am_code, am_name, pv_code, pv_name``.
    bijstand : pandas.DataFrame
        83450NED/83747NED/84066NED: ``year, source, region, age`` and
        :data:`BIJSTAND_FIELDS`.
    pop2019 : pandas.DataFrame
        KWB 2019 municipalities: ``region, name, population, b_15_25, b_25_45, b_45_65,
        b_65_plus``.
    pop2025 : pandas.DataFrame
        70072ned 2025: ``region`` (a 2015 code or NL01), ``population`` and :data:`POP_BANDS`.
    corop : dict
        Municipality code -> (COROP code, COROP name).
    provenance : dict
        ``origin``, ``inputs`` and ``cbs_tables`` for the manifest.
    verify_corop : bool
        Check the COROP membership against the CBS COROP rows (needed for the hand-extracted
        ``corop_2015.yaml``; a refresh takes it from CBS itself and may cover a subset).
    """

    kern: pd.DataFrame
    bijstand: pd.DataFrame
    pop2019: pd.DataFrame
    pop2025: pd.DataFrame
    corop: dict[str, tuple[str, str]]
    provenance: dict[str, Any]
    verify_corop: bool = True


# --------------------------------------------------------------------------------------------
# Locating inputs


def default_cbs_dir() -> Path:
    """Return the folder with the shared CBS exports.

    ``$SOCECON_CBS_DIR`` if set, else ``<repo>/../shared/cbs``.

    Returns
    -------
    pathlib.Path
    """
    env = os.environ.get(CBS_DIR_ENV)
    if env:
        return Path(env)
    import socecon

    return Path(socecon.__file__).resolve().parents[2] / "shared" / "cbs"


def load_corop(path: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """Read the COROP membership of the 2015 municipalities.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Defaults to ``socecon/definitions/corop_2015.yaml``.

    Returns
    -------
    dict
        Municipality code -> (COROP code, COROP name).
    """
    doc = yaml.safe_load(Path(path or COROP_FILE).read_text(encoding="utf-8"))
    result = {}
    for code, item in doc["corop"].items():
        for member in item["members"]:
            result[str(member)] = (str(code), str(item["name"]))
    return result


def _check_sums(cbs_dir: Path, names: Iterable[str]) -> list[dict[str, str]]:
    sums_file = cbs_dir / "SHA256SUMS.txt"
    pinned = {}
    if sums_file.is_file():
        for line in sums_file.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2:
                pinned[parts[1]] = parts[0]
    inputs = []
    for name in names:
        path = cbs_dir / name
        if not path.is_file():
            raise DataError(
                f"CBS input missing: {path} (set {CBS_DIR_ENV} to the folder with the shared "
                "CBS exports)"
            )
        digest = sha256_file(path)
        if name in pinned and pinned[name] != digest:
            raise DataError(
                f"checksum mismatch in {path}: sha256 {digest} differs from {sums_file}"
            )
        inputs.append({"file": f"shared/cbs/{name}", "sha256": digest})
    return inputs


# --------------------------------------------------------------------------------------------
# Reading the shared exports


def read_shared(cbs_dir: str | Path | None = None) -> Sources:
    """Read the shared StatLine exports into :class:`Sources`.

    Parameters
    ----------
    cbs_dir : str or pathlib.Path, optional
        Defaults to :func:`default_cbs_dir`.

    Returns
    -------
    Sources

    Raises
    ------
    DataError
        If an input is missing or differs from ``SHA256SUMS.txt``.
    """
    cbs_dir = Path(cbs_dir) if cbs_dir is not None else default_cbs_dir()
    inputs = _check_sums(cbs_dir, SHARED_FILES)
    inputs.append(
        {"file": "socecon/definitions/corop_2015.yaml", "sha256": sha256_file(COROP_FILE)}
    )

    raw = pd.read_csv(cbs_dir / KERNCIJFERS_FILE, dtype={"region_code": str})
    kern = pd.DataFrame({"region": raw["region_code"].str.strip()})
    kern["name"] = raw["gemeente_naam"].fillna("").str.strip()
    for field, column in KERN_COLUMNS.items():
        kern[field] = pd.to_numeric(raw[column], errors="raise").astype(float)
    for field, column in (
        ("am_code", "Code_271"),
        ("am_name", "Naam_272"),
        ("pv_code", "Code_293"),
        ("pv_name", "Naam_294"),
    ):
        kern[field] = raw[column].fillna("").astype(str).str.strip()

    raw = pd.read_csv(cbs_dir / BIJSTAND_FILE, dtype={"leeftijd_code": str, "region_code": str})
    bijstand = pd.DataFrame(
        {
            "year": raw["year"].astype(int),
            "source": raw["cbs_table"].astype(str),
            "region": raw["region_code"].str.strip(),
            "age": raw["leeftijd_code"].str.strip(),
            "inwoners": raw["inwoners"],
            "bijstandsontvangers": raw["bijstandsontvangers"],
            "instroom": raw["instroom"],
            "uitstroom": raw["uitstroom"],
            "uitstroom_naar_werk": raw["uitstroom_naar_werk"],
            "reintegratie": raw["personen_met_reintegratievoorziening"],
            "wsw": raw["wsw_werknemers"],
        }
    )
    bijstand[list(BIJSTAND_FIELDS)] = bijstand[list(BIJSTAND_FIELDS)].astype(float)

    raw = pd.read_csv(cbs_dir / KWB2019_FILE, dtype={"gemeente_code": str})
    pop2019 = pd.DataFrame(
        {
            "region": raw["gemeente_code"].str.strip(),
            "name": raw["gemeente_naam"].str.strip(),
            "population": raw["population"].astype(float),
            "b_15_25": raw["b_15_24"].astype(float),
            "b_25_45": raw["b_25_44"].astype(float),
            "b_45_65": raw["b_45_64"].astype(float),
            "b_65_plus": raw["b_65_oo"].astype(float),
        }
    )

    raw = pd.read_csv(cbs_dir / POP2025_FILE)
    names_2015 = dict(zip(kern["region"], kern["name"], strict=True))
    names_2015 = {c: n for c, n in names_2015.items() if c.startswith("GM")}
    from socecon.regions import match_names

    labels = [str(x) for x in raw["regio_naam"]]
    matched = match_names(names_2015, labels)
    matched["Nederland"] = "NL01"
    columns = dict(
        zip(
            ("population", *POP_BANDS),
            (
                "totale_bevolking",
                "k_15_20",
                "k_20_25",
                "k_25_45",
                "k_45_65",
                "k_65_80",
                "k_80_plus",
            ),
            strict=True,
        )
    )
    pop2025 = pd.DataFrame({"region": [matched.get(label, "") for label in labels]})
    for field, column in columns.items():
        pop2025[field] = raw[column].astype(float).to_numpy()
    pop2025 = pop2025[pop2025["region"] != ""].reset_index(drop=True)

    provenance = {
        "generated_by": "socecon data build",
        "origin": "StatLine exports of CBS open data as pinned in shared/cbs "
        "(see shared/cbs/PROVENANCE.md); processed by socecon.data.cbs.build",
        "inputs": inputs,
        "cbs_tables": _table_list(
            {
                "70072ned": (
                    [2015, 2025],
                    "table version 2018-06-06 (2015); StatLine export "
                    "2025-12-11 (2025, matched to 2015 municipalities by name)",
                ),
                "83450NED": ([2015], ""),
                "83747NED": ([2016], ""),
                "84066NED": ([2017], ""),
                "84583NED": ([2019], "kwb-2019 municipality rows, matched by code"),
            }
        ),
    }
    return Sources(kern, bijstand, pop2019, pop2025, load_corop(), provenance)


def _table_list(tables: Mapping[str, tuple[list[int], str]]) -> list[dict[str, Any]]:
    out = []
    for table_id, (years, version) in tables.items():
        entry: dict[str, Any] = {"id": table_id, **CBS_TABLE_INFO[table_id], "years": years}
        if version:
            entry["version"] = version
        entry["licence"] = "CC BY 4.0"
        entry["attribution"] = "Bron: CBS"
        out.append(entry)
    return out


# --------------------------------------------------------------------------------------------
# Assembling the snapshot


def _check_corop(sources: Sources) -> None:
    kern = sources.kern.set_index("region")
    gm = kern[kern.index.str.startswith("GM")]
    missing = sorted(set(gm.index) - set(sources.corop))
    if missing:
        raise DataError(f"{COROP_FILE}: no COROP region for {missing}")
    members = pd.Series({c: sources.corop[c][0] for c in gm.index})
    published = kern[kern.index.str.startswith("CR")]
    if published.empty:
        return
    summed = gm["population"].groupby(members).sum()
    diff = (summed - published["population"]).dropna()
    bad = diff[diff != 0]
    wrong = sorted(bad.index) or sorted(set(summed.index) ^ set(published.index))
    if wrong:
        raise DataError(
            f"{COROP_FILE}: the member populations do not add up to the CBS COROP rows of "
            f"70072ned 2015 for {wrong}"
        )


def _regions_frame(sources: Sources) -> pd.DataFrame:
    kern = sources.kern
    gm = kern[kern["region"].str.startswith("GM")].copy()
    # Prefer the KWB 2019 spelling where it is the same name after normalisation (the PDOK
    # 2015 names have "Nuenen. Gerwen en Nederwetten").
    from socecon.regions import normalize_name

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
        return ok & (~codes.str.startswith("GM") | codes.isin(known))

    frames: list[pd.DataFrame] = []
    k = sources.kern[keep(sources.kern["region"])]
    frames += _rows(
        k["region"],
        2015,
        {
            "population": k["population"],
            "population_15_64": k[["k_15_20", "k_20_25", "k_25_45", "k_45_65"]].sum(
                axis=1, min_count=4
            ),
            "population_65_plus": k[["k_65_80", "k_80_plus"]].sum(axis=1, min_count=2),
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
        2019,
        {
            "population": p["population"],
            "population_15_64": p[["b_15_25", "b_25_45", "b_45_65"]].sum(axis=1, min_count=3),
            "population_65_plus": p["b_65_plus"],
        },
        KWB2019_TABLE,
    )
    p = sources.pop2025[keep(sources.pop2025["region"])]
    frames += _rows(
        p["region"],
        2025,
        {
            "population": p["population"],
            "population_15_64": p[["k_15_20", "k_20_25", "k_25_45", "k_45_65"]].sum(
                axis=1, min_count=4
            ),
            "population_65_plus": p[["k_65_80", "k_80_plus"]].sum(axis=1, min_count=2),
        },
        KERNCIJFERS_TABLE,
    )
    long = pd.concat(frames, ignore_index=True)
    long = long.drop_duplicates(["region", "year", "variable"], keep="first")

    # Full grid for municipalities: NaN where CBS has no figure for a (variable, year).
    combos = long[["year", "variable", "unit", "source"]].drop_duplicates(["year", "variable"])
    grid = combos.merge(pd.DataFrame({"region": sorted(known)}), how="cross")
    present = long[long["region"].str.startswith("GM")][["region", "year", "variable"]]
    missing = grid.merge(present, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    missing["value"] = np.nan
    long = pd.concat([long, missing[list(COLUMNS)]], ignore_index=True)
    long = long[list(COLUMNS)].astype(
        {"region": str, "year": int, "variable": str, "unit": str, "value": float, "source": str}
    )
    long = long.sort_values(["region", "year", "variable"], kind="stable").reset_index(drop=True)
    return long, regions


def build(cbs_dir: str | Path | None = None, data_dir: str | Path | None = None) -> Path:
    """Build the processed snapshot from the shared CBS exports (``socecon data build``).

    Parameters
    ----------
    cbs_dir : str or pathlib.Path, optional
        Folder with the shared exports; defaults to :func:`default_cbs_dir`.
    data_dir : str or pathlib.Path, optional
        Target folder; defaults to :func:`socecon.data.snapshot.default_data_dir`.

    Returns
    -------
    pathlib.Path
        The manifest written.

    Raises
    ------
    DataError
        If an input is missing, differs from its pinned checksum, or the result is invalid.
    """
    sources = read_shared(cbs_dir)
    snapshot, regions = assemble(sources)
    return write_snapshot(snapshot, regions, data_dir or default_data_dir(), _provenance(sources))


def _provenance(sources: Sources) -> dict[str, Any]:
    prov = dict(sources.provenance)
    prov["region_tables"] = [
        {
            "id": "70072ned",
            "title": "Regionale kerncijfers Nederland",
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


# --------------------------------------------------------------------------------------------
# Refresh from CBS open data (OData v3, cbsodata)


def _norm(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def _is_count_unit(unit: Any) -> bool:
    return _norm(unit) in {"aantal", "x1000", "aantalx1000"}


@dataclass(frozen=True)
class _Field:
    name: str
    titles: tuple[str, ...]
    stem: str


def resolve_keys(
    properties: list[dict[str, Any]], fields: Iterable[_Field], table_id: str
) -> dict[str, str]:
    """Find the column key of each field in a table's ``DataProperties``.

    A field matches a topic whose ``Title`` is one of the field's titles and whose ``Unit`` is
    a count; only if no title matches, the key stem (the key without its numeric suffix) is
    tried. Numeric suffixes are never used: they drift between table versions.

    Parameters
    ----------
    properties : list of dict
        The ``DataProperties`` of the table.
    fields : iterable of _Field
    table_id : str
        For error messages.

    Returns
    -------
    dict
        Field name -> column key.

    Raises
    ------
    DataError
        If a field is not found.
    """
    topics = [p for p in properties if p.get("Type") == "Topic" and _is_count_unit(p.get("Unit"))]
    result = {}
    for field in fields:
        titles = {_norm(t) for t in field.titles}
        hits = [p for p in topics if _norm(p.get("Title", "")) in titles]
        if not hits:
            hits = [p for p in topics if re.sub(r"_\d+$", "", p["Key"]) == field.stem]
        if not hits:
            raise DataError(
                f"CBS table {table_id}: no column titled {' or '.join(field.titles)!r} "
                "(the table layout changed; update socecon.data.cbs)"
            )
        result[field.name] = hits[0]["Key"]
    return result


def _group_columns(properties: list[dict[str, Any]], keyword: str) -> dict[str, str]:
    """Keys of the ``Code``/``Naam`` topics under a topic group whose title has ``keyword``."""
    groups = {
        p["ID"]
        for p in properties
        if p.get("Type") == "TopicGroup" and _norm(keyword) in _norm(p.get("Title", ""))
    }
    found = {}
    for p in properties:
        if p.get("Type") == "Topic" and p.get("ParentID") in groups:
            title = _norm(p.get("Title", ""))
            if title in ("code", "naam"):
                found.setdefault(title, p["Key"])
    if set(found) != {"code", "naam"}:
        raise DataError(f"CBS table 70072ned: no Code/Naam columns for {keyword!r}")
    return found


def _dimension(properties: list[dict[str, Any]], kind: str) -> str:
    for p in properties:
        if p.get("Type") == kind:
            return str(p["Key"])
    raise DataError(f"CBS table has no {kind}")


KERN_FIELDS = (
    _Field("population", ("Totale bevolking",), "TotaleBevolking"),
    _Field("k_15_20", ("15 tot 20 jaar",), "k_15Tot20Jaar"),
    _Field("k_20_25", ("20 tot 25 jaar",), "k_20Tot25Jaar"),
    _Field("k_25_45", ("25 tot 45 jaar",), "k_25Tot45Jaar"),
    _Field("k_45_65", ("45 tot 65 jaar",), "k_45Tot65Jaar"),
    _Field("k_65_80", ("65 tot 80 jaar",), "k_65Tot80Jaar"),
    _Field("k_80_plus", ("80 jaar of ouder",), "k_80JaarOfOuder"),
    _Field("jobs_x1000", ("Totaal banen", "Totaal aantal banen"), "TotaalAantalBanen"),
    _Field(
        "establishments",
        ("Bedrijfsvestigingen totaal", "Totaal bedrijfsvestigingen"),
        "BedrijfsvestigingenTotaal",
    ),
    _Field("ww", ("Werkloosheid", "WW-uitkering"), "Werkloosheid"),
    _Field(
        "ao_total",
        ("Arbeidsongeschiktheid totaal", "Arbeidsongeschiktheidsuitkeringen totaal"),
        "ArbeidsongeschiktheidTotaal",
    ),
    _Field("wao", ("WAO-uitkering",), "WAOUitkering"),
    _Field("wia_wga", ("WIA-uitkering WGA-regeling",), "WIAUitkeringWGARegeling"),
    _Field("wajong", ("Wajong-uitkering",), "WajongUitkering"),
)
KWB_FIELDS = (
    _Field("population", ("Aantal inwoners",), "AantalInwoners"),
    _Field("b_15_25", ("15 tot 25 jaar",), "k_15Tot25Jaar"),
    _Field("b_25_45", ("25 tot 45 jaar",), "k_25Tot45Jaar"),
    _Field("b_45_65", ("45 tot 65 jaar",), "k_45Tot65Jaar"),
    _Field("b_65_plus", ("65 jaar of ouder",), "k_65JaarOfOuder"),
)
BIJSTAND_ODATA_FIELDS = (
    _Field("inwoners", ("Inwoners",), "Inwoners"),
    _Field("bijstandsontvangers", ("Bijstandsontvangers",), "Bijstandsontvangers"),
    _Field("instroom", ("Instromers", "Instroom"), "Instromers"),
    _Field("uitstroom", ("Uitstromers", "Uitstroom"), "Uitstromers"),
    _Field("uitstroom_naar_werk", ("Uitstromers naar werk",), "UitstromersNaarWerk"),
    _Field(
        "reintegratie",
        ("Personen met re-integratievoorziening",),
        "PersonenMetReIntegratievoorziening",
    ),
    _Field("wsw", ("WSW-werknemers", "Wsw-werknemers"), "WSWWerknemers"),
)
AGE_TITLES = {
    _norm("15 jaar of ouder"): AGE_15_PLUS,
    _norm("15 jaar tot AOW-leeftijd"): AGE_15_AOW,
    _norm("AOW-leeftijd en ouder"): AGE_AOW_PLUS,
}


def _strip(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _num(value: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, str):
        text = value.strip()
        return float(text) if text not in ("", ".") else float("nan")
    return float(value)


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def _network_errors(table_id: str) -> Iterator[None]:
    """Turn the errors of requests into one clear socecon error."""
    import requests

    try:
        yield
    except requests.HTTPError as exc:
        raise DataError(
            f"CBS open data refused table {table_id} ({exc}); the existing snapshot was left "
            "untouched"
        ) from exc
    except (requests.RequestException, OSError) as exc:
        raise CBSUnavailableError(
            f"cannot reach CBS open data ({type(exc).__name__}: {exc}); the existing "
            "snapshot was left untouched"
        ) from exc
    except (ValueError, KeyError) as exc:
        raise DataError(
            f"CBS open data sent an unexpected answer for table {table_id} ({exc!r}); the "
            "existing snapshot was left untouched"
        ) from exc


def fetch_sources(*, timeout: float = 60.0, log: Callable[[str], None] | None = None) -> Sources:
    """Download the tables socecon uses from CBS open data (OData v3) into :class:`Sources`.

    Parameters
    ----------
    timeout : float, default 60
        Seconds per HTTP request.
    log : callable, optional
        Called with a line of progress per table.

    Returns
    -------
    Sources

    Raises
    ------
    CBSUnavailableError
        If CBS open data cannot be reached.
    DataError
        If a table does not have the expected layout.
    """
    import cbsodata

    say = log or (lambda _line: None)
    inputs: list[dict[str, str]] = []

    def download(table_id: str, **kwargs: Any) -> dict[str, list]:
        say(f"downloading {table_id} from CBS open data ...")
        # cbsodata 1.3.5 removes the data set it was asked for from its download list, so
        # typed=False is what fetches TypedDataSet; accept either in case that is fixed.
        with _network_errors(table_id):
            raw = cbsodata.download_data(table_id, typed=False, timeout=timeout, **kwargs)
        rows = raw.get("TypedDataSet")
        raw["TypedDataSet"] = rows if rows is not None else raw.get("UntypedDataSet", [])
        inputs.append({"file": f"opendata.cbs.nl/{table_id}", "sha256": _digest(raw)})
        return raw

    def meta(table_id: str) -> list[dict[str, Any]]:
        with _network_errors(table_id):
            return cbsodata.get_meta(table_id, "DataProperties", timeout=timeout)

    # 70072ned: 2015 figures and lokalisering, 2025 population.
    props = meta(KERNCIJFERS_TABLE)
    keys = resolve_keys(props, KERN_FIELDS, KERNCIJFERS_TABLE)
    loc = {
        kind: _group_columns(props, keyword)
        for kind, keyword in (("am", "arbeidsmarktregio"), ("pv", "provincie"), ("cr", "corop"))
    }
    region_key = _dimension(props, "GeoDimension")
    period_key = _dimension(props, "TimeDimension")
    select = [region_key, period_key, *keys.values()]
    select += [v for cols in loc.values() for v in cols.values()]
    raw = download(
        KERNCIJFERS_TABLE,
        select=select,
        filters=f"{period_key} eq '2015JJ00' or {period_key} eq '2025JJ00'",
    )
    region_titles = {_strip(r["Key"]): _strip(r.get("Title")) for r in raw.get(region_key, [])}
    kern_rows, pop2025_rows, corop = [], [], {}
    for row in raw["TypedDataSet"]:
        region = _strip(row.get(region_key))
        period = _strip(row.get(period_key))
        values = {f: _num(row.get(k)) for f, k in keys.items()}
        if period == "2015JJ00":
            entry = {"region": region, "name": region_titles.get(region, region), **values}
            for kind, cols in loc.items():
                entry[f"{kind}_code"] = _strip(row.get(cols["code"]))
                entry[f"{kind}_name"] = _strip(row.get(cols["naam"]))
            if region.startswith("GM") and not np.isnan(values["population"]):
                corop[region] = (entry["cr_code"], entry["cr_name"])
            if not region.startswith("GM") or not np.isnan(values["population"]):
                kern_rows.append(entry)
        elif period == "2025JJ00":
            pop2025_rows.append(
                {"region": region, **{f: values[f] for f in ("population", *POP_BANDS)}}
            )
    kern = pd.DataFrame(kern_rows)
    pop2025 = pd.DataFrame(pop2025_rows, columns=["region", "population", *POP_BANDS])

    # KWB 2019 municipality rows.
    props = meta(KWB2019_TABLE)
    keys = resolve_keys(props, KWB_FIELDS, KWB2019_TABLE)
    region_key = _dimension(props, "GeoDimension")
    raw = download(
        KWB2019_TABLE,
        select=[region_key, *keys.values()],
        filters=f"startswith({region_key},'GM')",
    )
    titles = {_strip(r["Key"]): _strip(r.get("Title")) for r in raw.get(region_key, [])}
    rows = []
    for row in raw["TypedDataSet"]:
        region = _strip(row.get(region_key))
        if re.fullmatch(r"GM\d{4}", region):
            rows.append(
                {"region": region, "name": titles.get(region, region)}
                | {f: _num(row.get(k)) for f, k in keys.items()}
            )
    pop2019 = pd.DataFrame(
        rows, columns=["region", "name", "population", "b_15_25", "b_25_45", "b_45_65", "b_65_plus"]
    )

    # Bijstand, re-integratie en Wsw, one table per year.
    frames = []
    for year, table_id in BIJSTAND_TABLES.items():
        props = meta(table_id)
        keys = resolve_keys(props, BIJSTAND_ODATA_FIELDS, table_id)
        region_key = _dimension(props, "GeoDimension")
        raw = download(table_id)
        age_key = next(
            (
                p["Key"]
                for p in props
                if p.get("Type") == "Dimension"
                and _norm(p.get("Title", p["Key"])).startswith("leeftijd")
            ),
            None,
        )
        if age_key is None:
            raise DataError(f"CBS table {table_id}: no Leeftijd dimension")
        ages = {
            _strip(r["Key"]): AGE_TITLES.get(_norm(r.get("Title", "")), _strip(r["Key"]))
            for r in raw.get(age_key, [])
        }
        rows = []
        for row in raw["TypedDataSet"]:
            age_raw = _strip(row.get(age_key))
            rows.append(
                {
                    "year": year,
                    "source": table_id,
                    "region": _strip(row.get(region_key)),
                    "age": ages.get(age_raw, age_raw),
                }
                | {f: _num(row.get(k)) for f, k in keys.items()}
            )
        frames.append(pd.DataFrame(rows))
    bijstand = pd.concat(frames, ignore_index=True)

    kern = kern.rename(columns={"cr_code": "corop_code", "cr_name": "corop_name"})
    provenance = {
        "generated_by": "socecon data refresh",
        "origin": f"CBS open data (OData v3, opendata.cbs.nl), retrieved {date.today()} "
        "with cbsodata; processed by socecon.data.cbs.refresh",
        "inputs": inputs,
        "cbs_tables": _table_list(
            {
                "70072ned": ([2015, 2025], "current table version (2025 matched by code)"),
                "83450NED": ([2015], ""),
                "83747NED": ([2016], ""),
                "84066NED": ([2017], ""),
                "84583NED": ([2019], "municipality rows"),
            }
        ),
    }
    return Sources(kern, bijstand, pop2019, pop2025, corop, provenance, verify_corop=False)


def refresh(
    data_dir: str | Path | None = None,
    *,
    timeout: float = 60.0,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Refresh the snapshot from CBS open data (``socecon data refresh``).

    Everything is downloaded and validated before anything is written; the files are then
    replaced atomically. Without network the existing snapshot is left untouched.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Target folder; defaults to :func:`socecon.data.snapshot.default_data_dir`.
    timeout : float, default 60
        Seconds per HTTP request.
    log : callable, optional
        Progress callback.

    Returns
    -------
    pathlib.Path
        The manifest written.

    Raises
    ------
    CBSUnavailableError
        If CBS open data cannot be reached.
    DataError
        If a table has an unexpected layout or the result is invalid.
    """
    sources = fetch_sources(timeout=timeout, log=log)
    snapshot, regions = assemble(sources)
    return write_snapshot(snapshot, regions, data_dir or default_data_dir(), _provenance(sources))
