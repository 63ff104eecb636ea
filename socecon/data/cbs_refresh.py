"""Refresh the snapshot from CBS open data (``socecon data refresh``).

:func:`refresh` downloads the tables of ``cbs_tables.yaml`` with the ``cbsodata`` client (OData
v3). It resolves column keys by their ``DataProperties`` title and unit, never by numeric suffix
(suffixes drift between table versions), keeps the raw dimension keys (``download_data``, not
``get_data``, which swaps codes for names) and strips their padding (``"GM0106 "``). The result
goes through the same :func:`~socecon.data.cbs_assemble.assemble` as ``socecon data build``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socecon.data.cbs_assemble import (
    BIJSTAND,
    BIJSTAND_TABLES,
    KERN,
    KERNCIJFERS_TABLE,
    KWB2019,
    KWB2019_TABLE,
    KWB_COLUMNS,
    POP2025,
    POP_BANDS,
    Sources,
    assemble,
    provenance,
    table_list,
)
from socecon.data.schema import default_data_dir
from socecon.data.snapshot import write_snapshot
from socecon.definitions import REGION_KINDS
from socecon.definitions.cbs_tables import Column
from socecon.exceptions import CBSUnavailableError, DataError

#: The variables fetched by title, per data set (see ``cbs_tables.yaml``).
KERN_FIELDS = KERN.odata_columns()
KWB_FIELDS = KWB2019.odata_columns()
BIJSTAND_ODATA_FIELDS = BIJSTAND.odata_columns()


def _norm(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def _is_count_unit(unit: Any) -> bool:
    return _norm(unit) in {"aantal", "x1000", "aantalx1000"}


def resolve_keys(
    properties: list[dict[str, Any]], fields: Iterable[Column], table_id: str
) -> dict[str, str]:
    """Find the column key of each field in a table's ``DataProperties``.

    A field matches a topic whose ``Title`` is one of the field's titles and whose ``Unit`` is
    a count; only if no title matches, the key stem (the key without its numeric suffix) is
    tried. Numeric suffixes are never used: they drift between table versions.

    Parameters
    ----------
    properties : list of dict
        The ``DataProperties`` of the table.
    fields : iterable of Column
        Declared columns with OData titles (and a key stem).
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
                "(the table layout changed; update socecon/definitions/cbs_tables.yaml)"
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


#: Age class title in CBS open data (normalised) -> its code in the snapshot.
AGE_CODES = {_norm(a.title): a.code for a in BIJSTAND.ages.values()}


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

    # 70072ned: base-year figures and lokalisering (kern), the 2025 population (pop2025).
    kern_period, pop2025_period = f"{KERN.year}JJ00", f"{POP2025.year}JJ00"
    props = meta(KERNCIJFERS_TABLE)
    keys = resolve_keys(props, KERN_FIELDS, KERNCIJFERS_TABLE)
    loc = {
        kind: _group_columns(props, keyword)
        for kind, keyword in ((loc.kind, loc.group) for loc in KERN.localisation)
    }
    region_key = _dimension(props, "GeoDimension")
    period_key = _dimension(props, "TimeDimension")
    select = [region_key, period_key, *keys.values()]
    select += [v for cols in loc.values() for v in cols.values()]
    raw = download(
        KERNCIJFERS_TABLE,
        select=select,
        filters=f"{period_key} eq '{kern_period}' or {period_key} eq '{pop2025_period}'",
    )
    region_titles = {_strip(r["Key"]): _strip(r.get("Title")) for r in raw.get(region_key, [])}
    kern_rows, pop2025_rows, corop = [], [], {}
    for row in raw["TypedDataSet"]:
        region = _strip(row.get(region_key))
        period = _strip(row.get(period_key))
        values = {f: _num(row.get(k)) for f, k in keys.items()}
        if period == kern_period:
            entry = {"region": region, "name": region_titles.get(region, region), **values}
            for kind, cols in loc.items():
                entry[f"{kind}_code"] = _strip(row.get(cols["code"]))
                entry[f"{kind}_name"] = _strip(row.get(cols["naam"]))
            if region.startswith("GM") and not np.isnan(values["population"]):
                corop[region] = (entry["cr_code"], entry["cr_name"])
            if not region.startswith("GM") or not np.isnan(values["population"]):
                kern_rows.append(entry)
        elif period == pop2025_period:
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
        if REGION_KINDS["municipality"].fullmatch(region):
            rows.append(
                {"region": region, "name": titles.get(region, region)}
                | {f: _num(row.get(k)) for f, k in keys.items()}
            )
    pop2019 = pd.DataFrame(rows, columns=list(KWB_COLUMNS))

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
            _strip(r["Key"]): AGE_CODES.get(_norm(r.get("Title", "")), _strip(r["Key"]))
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
        "with cbsodata; processed by socecon.data.cbs_refresh.refresh",
        "inputs": inputs,
        "cbs_tables": table_list(
            {
                KERNCIJFERS_TABLE: "current table version (2025 matched by code)",
                KWB2019_TABLE: "municipality rows",
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
    return write_snapshot(snapshot, regions, data_dir or default_data_dir(), provenance(sources))
