"""Build the processed snapshot from the shared CBS exports (``socecon data build``).

:func:`build` reads the StatLine exports in ``../shared/cbs`` (or ``$SOCECON_CBS_DIR``), checks
them against their ``SHA256SUMS.txt``, reads the columns that ``cbs_tables.yaml`` declares into
:class:`~socecon.data.cbs_assemble.Sources` and writes ``data/``. It is deterministic.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

import socecon
from socecon.data.cbs_assemble import (
    BIJSTAND,
    BIJSTAND_FIELDS,
    BUILT,
    COROP_INPUT,
    KERN,
    KERNCIJFERS_TABLE,
    KWB2019,
    KWB2019_TABLE,
    POP2025,
    Sources,
    assemble,
    assemble_2025,
    provenance,
    table_list,
)
from socecon.data.indeling import MAPPING_FILE, read_mapping
from socecon.data.manifest import sha256_file
from socecon.data.names import match_names
from socecon.data.schema import CURRENT_INDELING, STUDY_INDELING, write_data_dir
from socecon.data.snapshot import write_snapshot
from socecon.definitions import MUNICIPALITY_CODE, NATIONAL_CODE, NATIONAL_NAME
from socecon.definitions.corop import COROP_FILE, load_corop
from socecon.definitions.schema import DEFINITIONS_DIR
from socecon.exceptions import DataError

CBS_DIR_ENV = "SOCECON_CBS_DIR"
#: The shared exports read, one per data set of ``cbs_tables.yaml``.
SHARED_FILES = (KERN.csv_file, BIJSTAND.csv_file, KWB2019.csv_file, POP2025.csv_file)


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
    return Path(socecon.__file__).resolve().parents[2] / "shared" / "cbs"


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
    # The mapping is checked by line and column before its checksum, so that a broken file is
    # refused where it is broken.
    mapping = read_mapping(cbs_dir / MAPPING_FILE)
    inputs += _check_sums(cbs_dir, (MAPPING_FILE,))
    inputs.append({"file": COROP_INPUT, "sha256": sha256_file(DEFINITIONS_DIR / COROP_FILE)})

    keys = KERN.keys
    raw = pd.read_csv(cbs_dir / KERN.csv_file, dtype={keys["region"]: str})
    kern = pd.DataFrame({"region": raw[keys["region"]].str.strip()})
    kern["name"] = raw[keys["name"]].fillna("").str.strip()
    for field, column in KERN.csv_columns().items():
        kern[field] = pd.to_numeric(raw[column], errors="raise").astype(float)
    for loc in KERN.localisation:
        if loc.csv_code and loc.csv_name:
            kern[f"{loc.kind}_code"] = raw[loc.csv_code].fillna("").astype(str).str.strip()
            kern[f"{loc.kind}_name"] = raw[loc.csv_name].fillna("").astype(str).str.strip()

    keys = BIJSTAND.keys
    raw = pd.read_csv(cbs_dir / BIJSTAND.csv_file, dtype={keys["age"]: str, keys["region"]: str})
    bijstand = pd.DataFrame(
        {
            "year": raw[keys["year"]].astype(int),
            "source": raw[keys["source"]].astype(str),
            "region": raw[keys["region"]].str.strip(),
            "age": raw[keys["age"]].str.strip(),
        }
        | {field: raw[column] for field, column in BIJSTAND.csv_columns().items()}
    )
    bijstand[list(BIJSTAND_FIELDS)] = bijstand[list(BIJSTAND_FIELDS)].astype(float)

    keys = KWB2019.keys
    raw = pd.read_csv(cbs_dir / KWB2019.csv_file, dtype={keys["region"]: str})
    pop2019 = pd.DataFrame(
        {"region": raw[keys["region"]].str.strip(), "name": raw[keys["name"]].str.strip()}
        | {field: raw[column].astype(float) for field, column in KWB2019.csv_columns().items()}
    )

    raw = pd.read_csv(cbs_dir / POP2025.csv_file)
    names_2015 = dict(zip(kern["region"], kern["name"], strict=True))
    names_2015 = {c: n for c, n in names_2015.items() if MUNICIPALITY_CODE.fullmatch(c)}
    labels = [str(x) for x in raw[POP2025.keys["name"]]]
    matched = match_names(names_2015, labels)
    matched[NATIONAL_NAME] = NATIONAL_CODE
    # The 2025 names of the mapping are the labels of this file, so it joins the 2025
    # municipalities by code through them.
    codes_2025 = dict(zip(mapping["name_2025"], mapping["code_2025"], strict=False))
    codes_2025[NATIONAL_NAME] = NATIONAL_CODE
    pop2025 = pd.DataFrame(
        {
            "region": [matched.get(label, "") for label in labels],
            "code_2025": [codes_2025.get(label, "") for label in labels],
        }
    )
    unmatched = sorted(label for label in labels if label not in codes_2025)
    if unmatched:
        raise DataError(
            f"{cbs_dir / POP2025.csv_file}: no 2025 municipality in {MAPPING_FILE} for {unmatched}"
        )
    for field, column in POP2025.csv_columns().items():
        pop2025[field] = raw[column].astype(float).to_numpy()

    prov = {
        "generated_by": "socecon data build",
        "origin": "StatLine exports of CBS open data as pinned in shared/cbs "
        "(see shared/cbs/PROVENANCE.md); processed by socecon.data.cbs_build.build",
        "inputs": inputs,
        "cbs_tables": table_list(
            {
                KERNCIJFERS_TABLE: "table version 2018-06-06 (2015); StatLine export "
                "2025-12-11 (2025, matched to 2015 municipalities by name)",
                KWB2019_TABLE: "kwb-2019 municipality rows, matched by code",
            },
            BUILT,
        ),
    }
    return Sources(kern, bijstand, pop2019, pop2025, load_corop(), prov, mapping=mapping)


def build(cbs_dir: str | Path | None = None, data_dir: str | Path | None = None) -> Path:
    """Build the processed snapshot from the shared CBS exports (``socecon data build``).

    Parameters
    ----------
    cbs_dir : str or pathlib.Path, optional
        Folder with the shared exports; defaults to :func:`default_cbs_dir`.
    data_dir : str or pathlib.Path, optional
        Target folder; the default data folder (:func:`socecon.data.schema.write_data_dir`: an
        installed socecon needs one, it does not write into its package).

    Returns
    -------
    pathlib.Path
        The manifest written.

    Raises
    ------
    DataError
        If the target is the installed package, an input is missing or differs from its pinned
        checksum, or the result is invalid.
    """
    target = write_data_dir(data_dir)  # refused before anything is read
    return write_indelingen(read_shared(cbs_dir), target)


def write_indelingen(sources: Sources, data_dir: str | Path) -> Path:
    """Assemble both indelingen from ``sources`` and write them (build and refresh).

    Parameters
    ----------
    sources : Sources
        With ``mapping`` set.
    data_dir : str or pathlib.Path

    Returns
    -------
    pathlib.Path
        The manifest written.
    """
    snapshot, regions = assemble(sources)
    snapshot_2025, regions_2025, conversion = assemble_2025(sources, regions)
    prov = provenance(sources)
    prov["indelingen"] = {
        STUDY_INDELING: {
            "municipalities": len(regions),
            "method": "the municipalities of 1 January 2015, as CBS published the figures of "
            "2015 (figures of 2016-2017 and 2019 only for the codes that still existed)",
        },
        CURRENT_INDELING: conversion,
    }
    return write_snapshot(
        {STUDY_INDELING: (snapshot, regions), CURRENT_INDELING: (snapshot_2025, regions_2025)},
        data_dir,
        prov,
        sources.mapping,
    )
