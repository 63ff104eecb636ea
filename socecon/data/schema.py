"""What the processed CBS snapshot holds: its files, columns and variables.

The snapshot is one long, tidy table (``cbs_snapshot.csv``) with the columns :data:`COLUMNS`, a
region table (``regions.csv``, :data:`REGION_COLUMNS`) and a manifest (``manifest.yaml``), in the
data folder (:func:`default_data_dir`). :data:`VARIABLES` declares every variable of the
snapshot: its unit, what CBS counts, and for a rate, how it is recomputed for groups of regions.
:mod:`socecon.data.manifest` writes and checks the files, :mod:`socecon.data.snapshot` loads them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from socecon.definitions import DEFAULT_INDELING, INDELINGEN
from socecon.exceptions import DataError

#: The study's own indeling (the CBS base year's municipalities) and today's.
STUDY_INDELING, CURRENT_INDELING = min(INDELINGEN), max(INDELINGEN)
#: The snapshot and region table of the study's indeling (2015).
SNAPSHOT_FILE = "cbs_snapshot.csv"
REGIONS_FILE = "regions.csv"
MANIFEST_FILE = "manifest.yaml"
#: Per indeling (year of the municipal boundaries) its snapshot and region table.
INDELING_FILES = {
    year: (SNAPSHOT_FILE, REGIONS_FILE)
    if year == STUDY_INDELING
    else (f"cbs_snapshot_{year}.csv", f"regions_{year}.csv")
    for year in INDELINGEN
}
#: How the municipalities of 2015 became those of 2025 (for dissolved names and the notes).
CONVERSION_FILE = f"indeling_{STUDY_INDELING}_{CURRENT_INDELING}.csv"
CONVERSION_COLUMNS = ("code_2015", "name_2015", "code_2025", "share", "kind", "year_of_change")
PROCESSED_FILES = (*(f for pair in INDELING_FILES.values() for f in pair), CONVERSION_FILE)
COLUMNS = ("region", "year", "variable", "unit", "value", "source")
#: The region table's (code, name) columns of each kind of region a municipality lies in (kinds
#: of ``region_codes`` in ``conventions.yaml``).
REGION_KIND_COLUMNS = {
    "province": ("province_code", "province_name"),
    "labour_market_region": ("labour_market_region_code", "labour_market_region_name"),
    "corop": ("corop_code", "corop_name"),
}
REGION_COLUMNS = ("code", "name", *(c for pair in REGION_KIND_COLUMNS.values() for c in pair))
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
            "bijstand_kwb",
            PERSONS,
            "Persons with a bijstand benefit, all ages, from the Kerncijfers wijken en buurten "
            "(PersonenPerSoortUitkeringBijstand; 2022: 85318NED, 2023: 85618NED, 2024: "
            "85984NED, 2025: 86165NED), rounded to tens by CBS; the year is the KWB edition. "
            "Each edition is published in the municipal borders of its own year and converted "
            "to those of 2025 (2025 indeling only; fetched by socecon data refresh, absent from "
            "the shipped snapshot). A different count from bijstand_15_aow and "
            "bijstand_15_plus (other tables, other ages): never combined with them.",
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


#: Variables only ``socecon data refresh`` fetches: absent from the shipped snapshot.
REFRESH_ONLY = frozenset({"bijstand_kwb"})


#: Where an installed wheel keeps ``data/`` and ``notebooks/`` (copied there by ``setup.py``).
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "shipped"

#: The source checkout: the folder holding the package, ``data/`` and ``notebooks/``.
SOURCE_ROOT = Path(__file__).resolve().parents[2]


def resource_dir(name: str) -> Path:
    """Return the folder of socecon's shipped files ``name`` (``"data"`` or ``"notebooks"``).

    The one place that decides where they are: in an installed wheel
    ``socecon/shipped/<name>`` (the build copies them there), in a source checkout or an
    editable install ``<checkout>/<name>``.

    Parameters
    ----------
    name : str
        ``"data"`` or ``"notebooks"``.

    Returns
    -------
    pathlib.Path
    """
    shipped = SHIPPED_DIR / name
    return shipped if shipped.is_dir() else SOURCE_ROOT / name


def default_data_dir() -> Path:
    """Return the data directory: ``$SOCECON_DATA_DIR``, or the shipped snapshot.

    The shipped snapshot is ``data/`` of the source checkout, or the copy inside an installed
    wheel (:func:`resource_dir`).

    Returns
    -------
    pathlib.Path
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).resolve()
    return resource_dir("data")


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """Return ``data_dir`` as a path, or the default data folder when it is None.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional

    Returns
    -------
    pathlib.Path
    """
    return default_data_dir() if data_dir is None else Path(data_dir)


def write_data_dir(data_dir: str | Path | None) -> Path:
    """Return the folder ``socecon data build`` and ``refresh`` write: never the installed package.

    ``data_dir``, else the default data folder (``$SOCECON_DATA_DIR``, or a source checkout's
    ``data/``). An installed socecon does not rewrite the snapshot shipped inside its package
    (``socecon/shipped/data``): there a folder must be given, and ``$SOCECON_DATA_DIR`` pointed
    at it to use what was written.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        If the folder is the snapshot shipped inside the installed package, or lies within it.
    """
    target = resolve_data_dir(data_dir)
    shipped = (SHIPPED_DIR / "data").resolve()
    if shipped in (target.resolve(), *target.resolve().parents):
        raise DataError(
            f"will not write into the installed socecon package ({target}); give a folder with "
            f"--data-dir DIR and set {DATA_DIR_ENV}=DIR to use the snapshot written there"
        )
    return target


def check_indeling(indeling: int | str | None) -> int:
    """Return ``indeling`` as a known year, or the default indeling when it is None.

    Parameters
    ----------
    indeling : int, str or None
        ``2015``, ``"2025"``, ... or None for ``default_indeling`` of ``conventions.yaml``.

    Returns
    -------
    int

    Raises
    ------
    DataError
        If it is not one of the declared indelingen.
    """
    if indeling is None:
        return DEFAULT_INDELING
    try:
        year = int(str(indeling).strip())
    except ValueError:
        year = None
    if year not in INDELINGEN:
        known = ", ".join(str(y) for y in INDELINGEN)
        raise DataError(f"unknown indeling {indeling!r}; known: {known}")
    return year
