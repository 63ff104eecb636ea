"""What the analyst takes away from the workbench: a Dutch CSV and the charts as PNG or SVG.

Exports are named after what they show: ``vergelijking_GM0164_GM0106_2020.csv`` (Dutch CSV:
semicolons and a decimal comma), ``vergelijking_iamc_GM0164_GM0106_2020.csv`` (the IAMC layout of
:func:`socecon.model.results.to_iamc`),
``geplaatste_personen_per_scenario_GM0164_GM0106_2020.png``.
:class:`~socecon.workbench.controller.Workbench` calls these functions with its current state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import vl_convert

from socecon.definitions.units import unit
from socecon.exceptions import WorkbenchError
from socecon.model.results import to_iamc
from socecon.present.embed import LOCALE
from socecon.regions import region_name
from socecon.report.export import write_atomic
from socecon.workbench.state import State, indicator_names, scenario_names

#: The image formats a chart can be exported in.
CHART_FORMATS = ("png", "svg")


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _suffix(state: State) -> str:
    parts = [f"{key}-{value:g}" for key, value in state.assumptions]
    return "".join(f"_{p}" for p in parts)


def _region_part(regions: Sequence[str]) -> str:
    shown = list(regions[:4])
    extra = len(regions) - len(shown)
    return "_".join(shown) + (f"_en_{extra}_meer" if extra > 0 else "")


def export_filename(state: State, name: str, extension: str) -> str:
    """Return the file name of an export, after what it shows.

    Parameters
    ----------
    state : State
        The workbench state the export shows.
    name : str
        ``"vergelijking"`` (the CSV) or a chart name of
        :data:`~socecon.workbench.controller.CHART_CAPTIONS`.
    extension : str
        ``csv``, ``png`` or ``svg``.

    Returns
    -------
    str
        E.g. ``vergelijking_GM0164_GM0106_2020.csv``,
        ``ranglijst_deelname_van_de_doelgroep_regulier_2020_take_up-0.8.png``.

    Raises
    ------
    WorkbenchError
        For an unknown chart name.
    """
    s = state
    labels = indicator_names()
    if name == "vergelijking":
        stem = f"vergelijking_{_region_part(s.regions)}"
    elif name == "indicatoren":
        what = _slug(labels[s.variables[0]]) if len(s.variables) == 1 else "indicatoren"
        stem = f"{what}_per_scenario_{_region_part(s.regions)}"
    elif name == "doelgroep":
        stem = f"doelgroep_per_loonwaarde_{s.shown_band_region}"
    elif name == "verschil":
        stem = f"verschil_met_basisjaar_{_region_part(s.regions)}"
    elif name == "vergelijking_iamc":
        stem = f"vergelijking_iamc_{_region_part(s.regions)}"
    elif name == "ranglijst":
        stem = f"ranglijst_{_slug(labels[s.ranking_variable])}_{s.ranking_scenario}"
    elif name in ("tijdpad", "banden"):
        stem = f"{name}_{_region_part(s.regions)}"
    elif name in ("drijvers", "windtunnel", "afweging", "aannames"):
        stem = f"{name}_{s.shown_band_region}"
    else:
        raise WorkbenchError(f"Onbekende grafiek '{name}'.")
    return f"{stem}_{s.horizon}{_suffix(s)}.{extension}"


def comparison_table(state: State, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the comparison as a Dutch table: one row per region, scenario and indicator.

    Parameters
    ----------
    state : State
        The workbench state (its regions give the row order).
    frame : pandas.DataFrame
        The long model table of the comparison (see ``Workbench.comparison``).

    Returns
    -------
    pandas.DataFrame
        Columns ``regio, regionaam, scenario, scenarionaam, indicator, indicatornaam,
        eenheid, jaar, waarde`` (all indicators, totals without the per-band rows); ``eenheid``
        is the Dutch label of the unit (``personen``, ``€ per jaar``).
    """
    frame = frame[~frame["variable"].astype(str).str.contains("|", regex=False)]
    labels = indicator_names()
    scenarios = scenario_names()
    table = pd.DataFrame(
        {
            "regio": frame["region"].astype(str),
            "regionaam": frame["region"].astype(str).map(region_name),
            "scenario": frame["scenario"].astype(str),
            "scenarionaam": frame["scenario"].astype(str).map(scenarios),
            "indicator": frame["variable"].astype(str),
            "indicatornaam": frame["variable"].astype(str).map(labels),
            "eenheid": frame["unit"].astype(str).map(lambda u: unit(u).label),
            "jaar": frame["year"],
            "waarde": frame["value"],
        }
    )
    order = {r: i for i, r in enumerate(state.regions)}
    return table.sort_values(
        ["regio", "scenario"], key=lambda c: c.map(order) if c.name == "regio" else c
    ).reset_index(drop=True)


def write_csv(table: pd.DataFrame, target: Path) -> Path:
    """Write a table as a Dutch CSV (semicolons, decimal comma, UTF-8 BOM), atomically.

    Parameters
    ----------
    table : pandas.DataFrame
    target : Path
        The file; its folder is created if missing.

    Returns
    -------
    Path
        The written file.
    """
    text = table.to_csv(sep=";", decimal=",", index=False, float_format="%.6g")
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, ("\ufeff" + text).encode("utf-8"))


def write_iamc(frame: pd.DataFrame, target: Path) -> Path:
    """Write the comparison in the IAMC layout (:func:`socecon.model.results.to_iamc`).

    The layout of pyam and the other scenario tools: ``model, scenario, region, variable, unit``
    and one column per year, a plain CSV (commas, decimal point), without the per-band rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long model table of the comparison.
    target : Path
        The file; its folder is created if missing.

    Returns
    -------
    Path
        The written file.
    """
    frame = frame[~frame["variable"].astype(str).str.contains("|", regex=False)]
    text = to_iamc(frame).to_csv(index=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, text.encode("utf-8"))


def write_chart(spec: Mapping[str, Any], target: Path, fmt: str) -> Path:
    """Write one Vega-Lite chart as PNG or SVG (vl-convert, Dutch number format), atomically.

    Parameters
    ----------
    spec : mapping
        The Vega-Lite specification.
    target : Path
        The file; its folder is created if missing.
    fmt : {"png", "svg"}

    Returns
    -------
    Path
        The written file.
    """
    if fmt == "png":
        data: str | bytes = vl_convert.vegalite_to_png(
            spec, scale=2, format_locale=figures_locale()
        )
    else:
        data = vl_convert.vegalite_to_svg(spec, format_locale=figures_locale())
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, data)


def figures_locale() -> str:
    """Return the locale name used for numbers in exported charts (``nl-NL``)."""
    return LOCALE
