"""Dutch number formats: the one place that turns a number into the text a reader sees.

Every report table, the index page, the wind tunnel's verdict and the overview notebook format
numbers here, the Dutch way: thousands separated by a dot, a decimal comma (``1.234,5``), euros
as ``€ 1.234``, percentages as ``12,3 %``, and an en dash (``–``) where there is no value. How a
value in a unit is shown (its kind, its decimals) is declared once in ``definitions/units.yaml``
and read through :func:`socecon.definitions.units.unit`; charts format their numbers in the
browser with the nl-NL locale (:mod:`socecon.present.embed`) and the d3 format string they get is
the unit's :attr:`~socecon.definitions.units.Unit.number_format`, so a chart and a table of the
same indicator show the same number of decimals.

The functions need nothing but the standard library, numpy and the declarations, so every layer
above the model can use them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np

from socecon.definitions import units

#: What a table shows where there is no value (None, NaN or infinite).
MISSING = "–"
#: At most this many decimals of the percentage when an assumption's share is shown exactly.
ASSUMPTION_PERCENT_DECIMALS = 1


def is_missing(value: Any) -> bool:
    """Return whether ``value`` has no number to show (None, NaN or infinite).

    Parameters
    ----------
    value : Any

    Returns
    -------
    bool
    """
    return value is None or (isinstance(value, float | np.floating) and not np.isfinite(value))


def format_number(value: float | None, decimals: int = 0) -> str:
    """Format a number the Dutch way: thousands separated by a dot, a decimal comma.

    Parameters
    ----------
    value : float or None
        The number.
    decimals : int
        Digits after the decimal comma.

    Returns
    -------
    str
        E.g. ``format_number(1234567.891, 1) == "1.234.567,9"``; ``"–"`` for None or NaN.

    Examples
    --------
    >>> format_number(-1234.5, 2)
    '-1.234,50'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    english = f"{value:,.{decimals}f}"
    return english.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_value(value: Any) -> str:
    """Format a key figure for the index: whole numbers plain, other numbers with one decimal.

    Parameters
    ----------
    value : Any
        A number, a string or None.

    Returns
    -------
    str
        ``"4.650"``, ``"12,2"``, ``"ja"``/``"nee"`` for a boolean, the text itself for a string.
    """
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            return MISSING
        return format_number(value, 0 if value == round(value) or abs(value) >= 1000 else 1)
    return str(value)


def format_count(value: Any) -> str:
    """Format a count of persons or jobs: whole number, thousands with a dot.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    str
        ``"2.490"``; ``"–"`` for a missing value.
    """
    return MISSING if is_missing(value) else format_number(float(value), 0)


def format_euro(value: Any) -> str:
    """Format an amount in euros, rounded to whole euros.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    str
        ``"€ 1.234.567"``, ``"-€ 12.000"`` for a negative amount, ``"–"`` when missing.
    """
    if is_missing(value):
        return MISSING
    value = float(value)
    sign = "-" if round(value) < 0 else ""
    return f"{sign}€ {format_number(abs(value), 0)}"


#: From this amount on a report rounds euros to thousands (report_style.md: "costs to thousands
#: of euros above € 100.000"); below it to whole euros.
ROUND_EURO_FROM = 100_000
#: A report rounds numbers of people to this many (report_style.md: "CBS rounds municipal
#: counts to tens, so 'ongeveer 470' or '470', never '468,7 mensen'"), in text and tables alike.
ROUND_PEOPLE_TO = 10


def round_euro(value: Any) -> Any:
    """Round an amount in euros as a report shows it: to thousands from € 100.000 on.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    float or None
        ``19_568_953`` becomes ``19_569_000``; ``15_230.4`` stays; a missing value stays missing.
    """
    if is_missing(value):
        return value
    value = float(value)
    return round(value, -3) if abs(value) >= ROUND_EURO_FROM else value


def round_people(value: Any) -> Any:
    """Round a number of people as a report shows it: to :data:`ROUND_PEOPLE_TO`.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    float or None
        ``1_285.4`` becomes ``1_290``; a missing value stays missing.
    """
    if is_missing(value):
        return value
    return float(round(float(value) / ROUND_PEOPLE_TO) * ROUND_PEOPLE_TO)


def rounding_note() -> str:
    """Return the report's rounding rule in one Dutch sentence (stated once, in the summary).

    Returns
    -------
    str
        ``"Aantallen mensen zijn afgerond op tientallen, bedragen vanaf € 100.000 op duizenden
        euro's; daardoor tellen afgeronde delen niet altijd precies op tot het afgeronde
        totaal."``
    """
    tens = {10: "tientallen", 100: "honderdtallen"}.get(ROUND_PEOPLE_TO, str(ROUND_PEOPLE_TO))
    return (
        f"Aantallen mensen zijn afgerond op {tens}, bedragen vanaf "
        f"{format_euro(ROUND_EURO_FROM)} op duizenden euro's, in de tekst en in de tabellen; "
        "daardoor tellen afgeronde delen niet altijd precies op tot het afgeronde totaal."
    )


def and_list(items: Sequence[str], word: str = "en") -> str:
    """Join words the Dutch way: ``"a, b en c"``; one item as is, none as ``""``.

    Parameters
    ----------
    items : sequence of str
    word : str
        The word before the last item (``"of"``: ``"a, b of c"``).

    Returns
    -------
    str
    """
    items = list(items)
    return ", ".join(items[:-1]) + f" {word} {items[-1]}" if len(items) > 1 else "".join(items)


def label_with_unit(label: str, unit_label: str) -> str:
    """Return a label with its unit in brackets, unless the label already names the unit.

    Parameters
    ----------
    label : str
        A Dutch label, e.g. ``"Doelgroep"`` or ``"Geplaatste personen"``.
    unit_label : str
        The unit's Dutch label (``units.yaml``), e.g. ``"personen"``.

    Returns
    -------
    str
        ``"Doelgroep (personen)"``, but ``"Geplaatste personen"``, not the doubled
        ``"Geplaatste personen (personen)"``.
    """
    if unit_label.lower() in label.lower():
        return label
    return f"{label} ({unit_label})"


def format_percent(value: Any, decimals: int = 1) -> str:
    """Format a percentage given in percent (``12.34`` becomes ``"12,3 %"``).

    Parameters
    ----------
    value : float or None
    decimals : int

    Returns
    -------
    str
    """
    return MISSING if is_missing(value) else f"{format_number(float(value), decimals)} %"


def format_plain(value: Any, max_decimals: int = 3) -> str:
    """Format a number with as few decimals as it needs (at most ``max_decimals``).

    Parameters
    ----------
    value : float or None
    max_decimals : int

    Returns
    -------
    str
        ``format_plain(25.5) == "25,5"``, ``format_plain(36.0) == "36"``.
    """
    if is_missing(value):
        return MISSING
    value = float(value)
    for decimals in range(max_decimals + 1):
        if abs(round(value, decimals) - value) < 10 ** -(max_decimals + 1):
            return format_number(value, decimals)
    return format_number(value, max_decimals)


def format_indicator(value: Any, unit: str) -> str:
    """Format an indicator value by its declared unit (persons, euros, percent, ratio).

    Parameters
    ----------
    value : float or None
    unit : str
        A unit id of ``units.yaml`` (as ``indicators.yaml`` writes it).

    Returns
    -------
    str
        Euros as ``€ 1.234``, a percentage or share as ``12,3 %``, anything else as a number;
        always with the unit's declared decimals, the same as its charts.

    Raises
    ------
    KeyError
        If the unit is not declared.
    """
    u = units.unit(unit)
    if is_missing(value):
        return MISSING
    if u.is_euro:
        return format_euro(value)
    if u.is_share:
        return format_percent(float(value) * 100, u.decimals)
    if u.kind == "percent":
        return format_percent(value, u.decimals)
    return format_number(float(value), u.decimals)


def format_assumption(value: Any, unit: str) -> str:
    """Format an assumption's value in Dutch: shares as percentages, amounts with a comma.

    Parameters
    ----------
    value : float
    unit : str
        A unit id of ``units.yaml`` (as ``assumptions.yaml`` writes it).

    Returns
    -------
    str
        ``"23,5 %"`` for a share of 0.235, ``"€ 1.504,80"`` for 1504.8 EUR/month: the value as
        declared, with as few decimals as it needs (not the unit's rounded decimals).

    Raises
    ------
    KeyError
        If the unit is not declared.
    """
    u = units.unit(unit)
    if is_missing(value):
        return MISSING
    if u.is_share:
        return f"{format_plain(float(value) * 100, ASSUMPTION_PERCENT_DECIMALS)} %"
    if u.is_euro:
        whole = float(value) == round(float(value))
        return f"€ {format_number(float(value), 0 if whole else 2)}"
    return format_plain(value)
