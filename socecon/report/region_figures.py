"""The region a report is about, and its CBS figures ("de gemeente in cijfers").

:func:`resolve_region` is the report's first check: it turns the notebook's ``region`` parameter
(a municipality code or name, a group id or a region code) into a :class:`ReportRegion` with its
members and arbeidsmarktregio(s). :func:`municipality_in_figures` is the report section that shows
the CBS figures of the region against its arbeidsmarktregio and the Netherlands (rates recomputed
from summed counts), with the members of a group; :func:`figures_frame` and
:func:`members_frame` give the same figures as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socecon import regions
from socecon.data.schema import CURRENT_INDELING, STUDY_INDELING, VARIABLES, check_indeling
from socecon.data.snapshot import load_snapshot
from socecon.definitions import BASE_YEAR, NATIONAL_CODE, region_kind
from socecon.present.formats import format_count, format_number, is_missing
from socecon.present.wording import is_group_code
from socecon.report.tables import as_html, esc, html_table

#: Reference year of the CBS figures shown (the model's base year).
FIGURES_YEAR = BASE_YEAR


@dataclass(frozen=True)
class ReportRegion:
    """The region a report is about.

    Attributes
    ----------
    code : str
        ``GMxxxx`` or a group id (``isd_midden_langstraat``) or region code (``AMxx``).
    name : str
        Dutch name.
    members : tuple of str
        Member municipalities (the code itself for a municipality).
    labour_market_regions : tuple of str
        The arbeidsmarktregio(s) of the members (``AMxx``).
    indeling : int
        The municipal boundaries the report uses (2015 or 2025).
    note : str or None
        In Dutch, what the region includes of former municipalities (``"inclusief de vroegere
        gemeenten ..."``) or, when a former municipality was asked for, what became of it.
    """

    code: str
    name: str
    members: tuple[str, ...]
    labour_market_regions: tuple[str, ...]
    indeling: int = CURRENT_INDELING
    note: str | None = None

    @property
    def is_group(self) -> bool:
        """Whether the report covers more than one municipality."""
        return is_group_code(self.code)


def resolve_region(region: str | ReportRegion, indeling: int | str | None = None) -> ReportRegion:
    """Resolve the notebook's ``region`` parameter; the report's first check.

    Parameters
    ----------
    region : str or ReportRegion
        A municipality code or name, a group id or a region code (see
        :func:`socecon.regions.resolve`); a :class:`ReportRegion` is returned as it is.
    indeling : int or str, optional
        The municipal boundaries: 2025 (the default declared in ``conventions.yaml``) or 2015.
        A former municipality merged into one resolves to it; one divided over several stops
        with a message that names them.

    Returns
    -------
    ReportRegion

    Raises
    ------
    socecon.exceptions.UnknownRegionError
        For an unknown or malformed code; the message names the closest matches.
    """
    if isinstance(region, ReportRegion):
        return region
    year = check_indeling(indeling)
    found = regions.resolve_all(region, year)
    if len(found.codes) > 1:
        raise regions.DividedMunicipalityError(found.note or "", found.codes)
    code = found.codes[0]
    members = regions.group_members(code, year)
    table = regions.load_regions(year)
    ams = tuple(dict.fromkeys(table.loc[list(members), "labour_market_region_code"]))
    notes = [found.note, regions.former_parts_note(code, year)]
    note = "; ".join(n for n in notes if n) or None
    return ReportRegion(code, regions.region_name(code, year), tuple(members), ams, year, note)


def indeling_text(place: ReportRegion) -> str:
    """Say in Dutch which municipal boundaries the report uses, and what was converted.

    Parameters
    ----------
    place : ReportRegion

    Returns
    -------
    str
        E.g. ``"Gemeentelijke indeling van 2025 (342 gemeenten): cijfers 2015-2017 omgerekend
        naar de gemeentelijke indeling van 2025."``
    """
    count = len(regions.load_regions(place.indeling))
    head = f"Gemeentelijke indeling van {place.indeling} ({count} gemeenten)"
    if place.indeling == STUDY_INDELING:
        return (
            f"{head}, de indeling van de oorspronkelijke studie: cijfers zoals het CBS ze "
            "publiceerde."
        )
    return (
        f"{head}: cijfers {STUDY_INDELING}-{STUDY_INDELING + 2} omgerekend naar de gemeentelijke "
        f"indeling van {place.indeling}."
    )


#: Counts shown in "de gemeente in cijfers": variable id and Dutch label.
FIGURE_ROWS: tuple[tuple[str, str], ...] = (
    ("population", "Inwoners (1 januari)"),
    ("population_15_64", "Inwoners 15-64 jaar"),
    ("jobs", "Banen (werknemers en zelfstandigen)"),
    ("bijstand_15_aow", "Bijstand, 15 jaar tot AOW-leeftijd"),
    ("wsw_employees", "Werknemers sociale werkvoorziening (Wsw)"),
    ("wajong", "Wajong-uitkeringen"),
    ("ww", "WW-uitkeringen"),
    ("reintegration_provision", "Re-integratievoorzieningen van gemeenten"),
    ("bijstand_outflow_to_work", "Uitstroom uit de bijstand naar werk"),
)

#: Counts shown rounded to tens, as CBS rounds them: after the conversion to the indeling of 2025
#: a split municipality's share (Vught: 34 % of Haaren) would otherwise read "327" in bijstand.
#: Inhabitants are counted exactly and stay so.
ROUNDED_ROWS = frozenset(
    label for var, label in FIGURE_ROWS if var not in ("population", "population_15_64")
)

#: Rates shown, recomputed from counts: label, numerator, denominator, scale.
RATE_ROWS: tuple[tuple[str, str, str, float], ...] = (
    ("Bijstand per 1.000 inwoners 15 jaar-AOW", "bijstand_15_aow", "population_15_aow", 1000.0),
    ("Wsw per 1.000 inwoners 15-64", "wsw_employees", "population_15_64", 1000.0),
    ("Wajong per 1.000 inwoners 15-64", "wajong", "population_15_64", 1000.0),
    ("WW per 1.000 inwoners 15-64", "ww", "population_15_64", 1000.0),
    ("Banen per 1.000 inwoners 15-64", "jobs", "population_15_64", 1000.0),
    (
        "Uitstroom naar werk (% van de uitstroom uit de bijstand)",
        "bijstand_outflow_to_work",
        "bijstand_outflow_15_aow",
        100.0,
    ),
)


def region_counts(
    code: str, year: int = FIGURES_YEAR, indeling: int | str | None = None
) -> pd.Series:
    """Return the CBS counts of a municipality, group or region for one year.

    A municipality and the Netherlands come straight from the snapshot. For a group or an
    arbeidsmarktregio the CBS row is used where the snapshot has one, and otherwise the sum of
    the member municipalities (a variable missing for any member stays missing: a partial sum is
    not the region's figure).

    Parameters
    ----------
    code : str
        ``GMxxxx``, ``NL01``, ``AMxx`` or a group id.
    year : int
    indeling : int or str, optional
        2015 or 2025 (the declared default when None).

    Returns
    -------
    pandas.Series
        Variable id to value (counts only; rates are left out, see :func:`figures_frame`).
    """
    snap = load_snapshot(indeling=indeling)
    snap = snap[snap["year"] == int(year)]
    counts = [v for v, spec in VARIABLES.items() if spec.is_count]
    own = snap[snap["region"] == code].set_index("variable")["value"]
    if region_kind(code) in ("municipality", "national"):
        return own.reindex(counts).astype(float)
    summed = regions.aggregate(snap, code, indeling=indeling).set_index("variable")["value"]
    return own.combine_first(summed).reindex(counts).astype(float)


def figures_frame(region: str | ReportRegion, year: int = FIGURES_YEAR) -> pd.DataFrame:
    """Return the CBS figures of a region next to its arbeidsmarktregio and the Netherlands.

    Parameters
    ----------
    region : str
        Anything :func:`resolve_region` accepts.
    year : int
        Reference year (2015, the model's base year, by default).

    Returns
    -------
    pandas.DataFrame
        One row per label of :data:`FIGURE_ROWS` and :data:`RATE_ROWS` (index), one column per
        area: the region, then its arbeidsmarktregio(s) (when different from the region), then
        ``Nederland``; column names are Dutch area names. Rates are computed here from the
        counts of each area, never averaged. The attribute ``attrs["kind"]`` maps every row
        label to ``"count"`` or ``"rate"``.
    """
    r = resolve_region(region)
    areas = [r.code, *[am for am in r.labour_market_regions if am != r.code]]
    if r.code != NATIONAL_CODE:
        areas.append(NATIONAL_CODE)
    columns = {}
    for code in areas:
        counts = region_counts(code, year, r.indeling)
        values = {label: counts.get(var, np.nan) for var, label in FIGURE_ROWS}
        for label, num, den, scale in RATE_ROWS:
            n, d = counts.get(num, np.nan), counts.get(den, np.nan)
            values[label] = scale * n / d if d and np.isfinite(d) and np.isfinite(n) else np.nan
        name = regions.region_name(code)
        if region_kind(code) == "labour_market_region":
            name = f"Arbeidsmarktregio {name}"
        columns[name] = pd.Series(values, dtype=float)
    frame = pd.DataFrame(columns)
    frame.attrs["kind"] = {label: "count" for _, label in FIGURE_ROWS} | {
        label: "rate" for label, *_ in RATE_ROWS
    }
    return frame


def members_frame(region: str | ReportRegion, year: int = FIGURES_YEAR) -> pd.DataFrame:
    """Return the main CBS counts of each member of a group (one row per municipality).

    Parameters
    ----------
    region : str
        A group or region (for a municipality: one row).
    year : int

    Returns
    -------
    pandas.DataFrame
        Index: Dutch municipality names; columns: Dutch labels of population, bijstand, Wsw,
        Wajong and bijstand per 1,000 inhabitants 15-AOW.
    """
    rows = {}
    place = resolve_region(region)
    for code in place.members:
        c = region_counts(code, year, place.indeling)
        rate = 1000.0 * c["bijstand_15_aow"] / c["population_15_aow"]
        rows[regions.region_name(code)] = {
            "Inwoners": c["population"],
            "Bijstand 15-AOW": c["bijstand_15_aow"],
            "Wsw": c["wsw_employees"],
            "Wajong": c["wajong"],
            "Bijstand per 1.000 inwoners 15-AOW": rate,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def municipality_in_figures(region: str | ReportRegion, year: int = FIGURES_YEAR) -> Any:
    """Return the section "de gemeente in cijfers" as HTML.

    Parameters
    ----------
    region : str
        Anything :func:`resolve_region` accepts.
    year : int
        Reference year of the CBS figures.

    Returns
    -------
    IPython.display.HTML
        The heading ("De gemeente in cijfers", for a group "De gemeenten in cijfers"), a
        comparison table (region, arbeidsmarktregio, Nederland), for a group also a table of its
        members, and the sources.
    """
    r = resolve_region(region)
    frame = figures_frame(r, year)
    kinds = frame.attrs["kind"]
    rows = [
        [
            label,
            *(
                format_count(round(v, -1) if label in ROUNDED_ROWS and not is_missing(v) else v)
                if kinds[label] == "count"
                else format_number(v, 1)
                for v in frame.loc[label]
            ),
        ]
        for label in frame.index
    ]
    who = "De gemeenten" if r.is_group else "De gemeente"  # a group is not "de gemeente"
    parts = [
        f"<h2>{who} in cijfers</h2>",
        f"<p>Kerncijfers {year} van {esc(r.name)}, vergeleken met "
        + (
            "de arbeidsmarktregio en "
            if any(c.startswith("Arbeidsmarktregio") for c in frame)
            else ""
        )
        + "heel Nederland. Aantallen in personen (banen: aantal banen); uitkeringen, "
        "voorzieningen en banen afgerond op tientallen, zoals het CBS ze publiceert; "
        "verhoudingen zijn per gebied berekend uit de opgetelde aantallen.</p>",
        html_table([f"Cijfers {year}", *frame.columns], rows),
    ]
    if r.is_group:
        members = members_frame(r, year)
        member_rows = [
            [name, *(format_count(v) for v in row.iloc[:-1]), format_number(row.iloc[-1], 1)]
            for name, row in members.iterrows()
        ]
        parts.append(f"<p>{esc(r.name)} bestaat uit {len(members)} gemeenten:</p>")
        parts.append(html_table(["Gemeente", *members.columns], member_rows))
    parts.append(
        '<p class="socecon-muted">Bron: CBS, StatLine 70072ned (Regionale kerncijfers) en '
        f"83450NED (bijstand, re-integratie en Wsw), peiljaar {year}; bewerking in dit rapport. "
        f"{esc(indeling_text(r))} "
        "Een streepje betekent dat het CBS geen cijfer publiceert.</p>"
    )
    return as_html("\n".join(parts))
