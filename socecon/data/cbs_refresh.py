"""Refresh the snapshot from CBS open data (``socecon data refresh``).

:func:`refresh` downloads the tables of ``cbs_tables.yaml`` with the ``cbsodata`` client (OData
v3). :mod:`~socecon.data.cbs_resolve` finds each variable's column in the table's
``DataProperties`` as ``cbs_tables.yaml`` declares it (recorded key, title, key stem; unit), and
reads CBS's symbols. It keeps the raw dimension keys (``download_data``, not
``get_data``, which swaps codes for names) and strips their padding (``"GM0106 "``). The result
goes through the same :func:`~socecon.data.cbs_assemble.assemble` as ``socecon data build``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from socecon.data.cbs_assemble import (
    BIJSTAND,
    BIJSTAND_TABLES,
    CBS_TABLES,
    KERN,
    KERNCIJFERS_TABLE,
    KWB2019,
    KWB2019_TABLE,
    KWB_BIJSTAND,
    KWB_COLUMNS,
    POP2025,
    Sources,
    table_list,
)
from socecon.data.cbs_build import default_cbs_dir, write_indelingen
from socecon.data.cbs_resolve import Resolved, cell, dimension, norm, resolve_dataset
from socecon.data.indeling import MAPPING_FILE, read_mapping
from socecon.data.schema import VARIABLES, write_data_dir
from socecon.definitions import MUNICIPALITY_CODE, NATIONAL_CODE, REGION_SHAPES
from socecon.definitions.cbs_tables import CBS_TABLES_FILE, Dataset, Design
from socecon.exceptions import CBSUnavailableError, DataError

#: Age class title in CBS open data (normalised) -> its code in the snapshot.
AGE_CODES = {norm(a.title): a.code for a in BIJSTAND.ages.values()}
#: The data sets a refresh downloads, with the tables and years of each.
REFRESHED = (KERN, KWB2019, BIJSTAND, KWB_BIJSTAND)
#: The capitals every municipality code starts with (declared in conventions.yaml): the KWB
#: downloads ask CBS for these rows only.
_GM_LETTERS = REGION_SHAPES["municipality"][0]


def _group_columns(properties: list[dict[str, Any]], keyword: str) -> dict[str, str]:
    """Keys of the ``Code``/``Naam`` topics under a topic group whose title has ``keyword``."""
    groups = {
        p["ID"]
        for p in properties
        if p.get("Type") == "TopicGroup" and norm(keyword) in norm(p.get("Title", ""))
    }
    found = {}
    for p in properties:
        if p.get("Type") == "Topic" and p.get("ParentID") in groups:
            title = norm(p.get("Title", ""))
            if title in ("code", "naam"):
                found.setdefault(title, p["Key"])
    if set(found) != {"code", "naam"}:
        raise DataError(
            f"CBS table {KERNCIJFERS_TABLE}: no Code/Naam topics under a topic group titled "
            f"with {keyword!r} (lokalisering); update socecon/definitions/cbs_tables.yaml"
        )
    return found


def _strip(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def _network_errors(table_id: str, timeout: float) -> Iterator[None]:
    """Turn the errors of requests into one clear socecon error."""
    import requests

    try:
        yield
    except requests.Timeout as exc:
        raise CBSUnavailableError(
            f"CBS open data did not answer within {timeout:g} s for table {table_id} "
            f"({type(exc).__name__}); the existing snapshot was left untouched"
        ) from exc
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


@contextmanager
def _service(url: str | None) -> Iterator[str]:
    """Point cbsodata at ``url`` (default: the declared service); yield its catalog host.

    cbsodata builds ``{http|https}://<catalog_url>/ODataFeed/odata/<table>/``; the scheme is
    its global option ``use_https``, restored afterwards.
    """
    import cbsodata

    parsed = urlsplit(url or CBS_TABLES.service)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise DataError(f"not an http(s) address of CBS open data: {url!r}")
    before = cbsodata.options.use_https
    cbsodata.options.use_https = parsed.scheme == "https"
    try:
        yield parsed.netloc + parsed.path.rstrip("/")
    finally:
        cbsodata.options.use_https = before


class _Client:
    """cbsodata calls with one host and timeout, recording a digest of every table read."""

    def __init__(self, host: str, timeout: float, log: Callable[[str], None] | None) -> None:
        self.host, self.timeout = host, timeout
        self.say = log or (lambda _line: None)
        self.inputs: list[dict[str, str]] = []

    def meta(self, table_id: str) -> list[dict[str, Any]]:
        import cbsodata

        with _network_errors(table_id, self.timeout):
            return cbsodata.get_meta(
                table_id, "DataProperties", catalog_url=self.host, timeout=self.timeout
            )

    def download(self, table_id: str, **kwargs: Any) -> dict[str, list]:
        import cbsodata

        self.say(f"downloading {table_id} from CBS open data ...")
        # cbsodata 1.3.5 removes the data set it was asked for from its download list, so
        # typed=False is what fetches TypedDataSet; accept either in case that is fixed.
        with _network_errors(table_id, self.timeout):
            raw = cbsodata.download_data(
                table_id, typed=False, catalog_url=self.host, timeout=self.timeout, **kwargs
            )
        rows = raw.get("TypedDataSet")
        raw["TypedDataSet"] = rows if rows is not None else raw.get("UntypedDataSet", [])
        self.inputs.append({"file": f"{self.host}/{table_id}", "sha256": _digest(raw)})
        return raw


def _values(row: Mapping, found: Mapping[str, Resolved], table_id: str, region: str) -> dict:
    return {name: cell(row.get(r.key), table_id, name, region) for name, r in found.items()}


def _kern(client: _Client) -> tuple[pd.DataFrame, pd.DataFrame, dict, Design]:
    """70072ned: base-year figures and lokalisering (kern), and the 2025 population."""
    table = KERNCIJFERS_TABLE
    kern_period, pop2025_period = f"{KERN.year}JJ00", f"{POP2025.year}JJ00"
    props = client.meta(table)
    design, found = resolve_dataset(props, KERN, table)
    if design is None:
        raise DataError(f"{CBS_TABLES_FILE}: data set {KERN.id} declares no designs (age groups)")
    loc = {item.kind: _group_columns(props, item.group) for item in KERN.localisation}
    region_key = dimension(props, KERN, "region")
    period_key = dimension(props, KERN, "period")
    select = [region_key, period_key, *(r.key for r in found.values())]
    select += [v for cols in loc.values() for v in cols.values()]
    raw = client.download(
        table,
        select=select,
        filters=f"{period_key} eq '{kern_period}' or {period_key} eq '{pop2025_period}'",
    )
    region_titles = {_strip(r["Key"]): _strip(r.get("Title")) for r in raw.get(region_key, [])}
    bands = [c.name for c in design.variables]
    kern_rows, pop2025_rows, corop = [], [], {}
    for row in raw["TypedDataSet"]:
        region = _strip(row.get(region_key))
        period = _strip(row.get(period_key))
        values = _values(row, found, table, region)
        if period == kern_period:
            entry = {"region": region, "name": region_titles.get(region, region), **values}
            for kind, cols in loc.items():
                entry[f"{kind}_code"] = _strip(row.get(cols["code"]))
                entry[f"{kind}_name"] = _strip(row.get(cols["naam"]))
            municipality = MUNICIPALITY_CODE.fullmatch(region) is not None
            if municipality and not np.isnan(values["population"]):
                corop[region] = (entry["cr_code"], entry["cr_name"])
            if not municipality or not np.isnan(values["population"]):
                kern_rows.append(entry)
        elif period == pop2025_period:
            pop2025_rows.append({"region": region} | {f: values[f] for f in ("population", *bands)})
    pop2025 = pd.DataFrame(pop2025_rows, columns=["region", "population", *bands])
    kern = pd.DataFrame(kern_rows).rename(
        columns={"cr_code": "corop_code", "cr_name": "corop_name"}
    )
    return kern, pop2025, corop, design


def _municipalities(client: _Client, dataset: Dataset, table: str) -> list[dict[str, Any]]:
    """Return the municipality rows of a KWB table: code, name and the data set's variables.

    A KWB table holds municipality (``GM0363    ``), wijk (``WK036300``), buurt
    (``BU03630000``) and national (``NL00``) rows; the download asks for the region keys that
    start with ``GM`` (CBS answers a filter on a topic such as ``SoortRegio_2`` with an error),
    and only codes of the municipality form are kept.
    """
    props = client.meta(table)
    _, found = resolve_dataset(props, dataset, table)
    region_key = dimension(props, dataset, "region")
    raw = client.download(
        table,
        select=[region_key, *(r.key for r in found.values())],
        filters=f"startswith({region_key},'{_GM_LETTERS}')",
    )
    titles = {_strip(r["Key"]): _strip(r.get("Title")) for r in raw.get(region_key, [])}
    rows = []
    for row in raw["TypedDataSet"]:
        region = _strip(row.get(region_key))
        if MUNICIPALITY_CODE.fullmatch(region):
            name = {"region": region, "name": titles.get(region, region)}
            rows.append(name | _values(row, found, table, region))
    return rows


def _kwb(client: _Client) -> pd.DataFrame:
    """KWB 2019 municipality rows."""
    rows = _municipalities(client, KWB2019, KWB2019_TABLE)
    return pd.DataFrame(rows, columns=list(KWB_COLUMNS))


def _kwb_bijstand(client: _Client) -> pd.DataFrame:
    """Return the bijstand count of every KWB edition, in the borders of its own year."""
    rows = []
    for year, table in KWB_BIJSTAND.tables.items():
        for row in _municipalities(client, KWB_BIJSTAND, table):
            rows.append({"region": row["region"], "year": year, "source": table} | row)
    frame = pd.DataFrame(rows, columns=["region", "year", "source", "bijstand"])
    return frame.rename(columns={"bijstand": "value"})


def _bijstand(client: _Client) -> pd.DataFrame:
    """Bijstand, re-integratie en Wsw, one table per year (keys differ per table)."""
    frames = []
    for year, table in BIJSTAND_TABLES.items():
        props = client.meta(table)
        _, found = resolve_dataset(props, BIJSTAND, table)
        region_key = dimension(props, BIJSTAND, "region")
        age_key = dimension(props, BIJSTAND, "age")
        raw = client.download(table)
        ages = {
            _strip(r["Key"]): AGE_CODES.get(norm(r.get("Title", "")), _strip(r["Key"]))
            for r in raw.get(age_key, [])
        }
        rows = []
        for row in raw["TypedDataSet"]:
            region, age = _strip(row.get(region_key)), _strip(row.get(age_key))
            head = {"year": year, "source": table, "region": region, "age": ages.get(age, age)}
            rows.append(head | _values(row, found, table, region))
        frames.append(pd.DataFrame(rows, columns=["year", "source", "region", "age", *found]))
    return pd.concat(frames, ignore_index=True)


def fetch_sources(
    *,
    service: str | None = None,
    timeout: float = 60.0,
    log: Callable[[str], None] | None = None,
) -> Sources:
    """Download the tables socecon uses from CBS open data (OData v3) into :class:`Sources`.

    Parameters
    ----------
    service : str, optional
        Base address of CBS open data (``http://127.0.0.1:8080``); the declared ``service`` of
        ``cbs_tables.yaml`` by default.
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
        If CBS open data cannot be reached or does not answer in time.
    DataError
        If a table does not have the expected layout (naming table, variable, what was looked
        for and the closest real titles) or holds a value that is not a number or CBS symbol.
    """
    with _service(service) as host:
        client = _Client(host, timeout, log)
        kern, pop2025, corop, design = _kern(client)
        pop2019 = _kwb(client)
        bijstand = _bijstand(client)
        kwb_bijstand = _kwb_bijstand(client)
    provenance = {
        "generated_by": "socecon data refresh",
        "origin": f"CBS open data (OData v3, {client.host}), retrieved {date.today()} "
        "with cbsodata; processed by socecon.data.cbs_refresh.refresh",
        "inputs": client.inputs,
        "cbs_tables": table_list(
            {
                KERNCIJFERS_TABLE: f"current table version, design {design.id} (2025 matched "
                "by code)",
                KWB2019_TABLE: "municipality rows",
                **{
                    t: "municipality rows, converted to the 2025 indeling"
                    for t in KWB_BIJSTAND.tables.values()
                },
            },
            REFRESHED,
        ),
    }
    # CBS codes the 2025 rows with the 2025 codes; the conversion of 2015-2017 needs the
    # shared mapping of the municipalities (not on CBS open data as a table).
    mapping = read_mapping(default_cbs_dir() / MAPPING_FILE)
    known = {*mapping["code_2025"], NATIONAL_CODE}
    pop2025["code_2025"] = [c if c in known else "" for c in pop2025["region"]]
    return Sources(
        kern,
        bijstand,
        pop2019,
        pop2025,
        corop,
        provenance,
        verify_corop=False,
        kern_design=design,
        pop2025_design=design,
        mapping=mapping,
        kwb_bijstand=kwb_bijstand,
    )


def plan(
    *, service: str | None = None, timeout: float = 60.0
) -> list[tuple[str, int, str, Resolved]]:
    """Resolve every variable against the tables' metadata only (``refresh --dry-run``).

    Parameters
    ----------
    service : str, optional
    timeout : float, default 60

    Returns
    -------
    list of (str, int, str, Resolved)
        Per snapshot variable the year, table and topic it would be read from, in the order
        of the snapshot's variables.

    Raises
    ------
    CBSUnavailableError, DataError
        As :func:`fetch_sources`.
    """
    entries = []
    with _service(service) as host:
        client = _Client(host, timeout, None)
        props = {table: client.meta(table) for ds in REFRESHED for table in ds.tables.values()}
        # The 2025 population is read from 70072ned with the kern declaration.
        pairs = (
            (KERN, KERN),
            (POP2025, KERN),
            (KWB2019, KWB2019),
            (BIJSTAND, BIJSTAND),
            (KWB_BIJSTAND, KWB_BIJSTAND),
        )
        for dataset, source in pairs:
            for year, table in dataset.tables.items():
                design, found = resolve_dataset(props[table], source, table)
                sums = design.sums if design else {}
                wanted = {c.name for c in dataset.variables} | {
                    c.name for c in (design.variables if design else ())
                }
                for name, hit in found.items():
                    if dataset is POP2025 and name not in wanted:
                        continue
                    feeds = hit.column.feeds or tuple(t for t, p in sums.items() if name in p)
                    entries += [(target, year, table, hit) for target in feeds]
    order = list(VARIABLES)
    return sorted(entries, key=lambda e: (order.index(e[0]), e[1]))


def refresh(
    data_dir: str | Path | None = None,
    *,
    service: str | None = None,
    timeout: float = 60.0,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Refresh the snapshot from CBS open data (``socecon data refresh``).

    Everything is downloaded and validated before anything is written; the files are then
    replaced atomically. Without network, or when a table cannot be read, the existing
    snapshot is left untouched.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Target folder; the default data folder (:func:`socecon.data.schema.write_data_dir`: an
        installed socecon needs one, it does not write into its package).
    service : str, optional
        Base address of CBS open data; the declared one by default.
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
        If the target is the installed package, a table has an unexpected layout or the result
        is invalid.
    """
    target = write_data_dir(data_dir)  # refused before anything is downloaded
    sources = fetch_sources(service=service, timeout=timeout, log=log)
    return write_indelingen(sources, target)
