"""Dutch number formats: one set of functions for tables, the index and the wind tunnel."""

from __future__ import annotations

import pytest

from socecon.definitions.units import unit as declared_unit
from socecon.present.formats import (
    format_assumption,
    format_count,
    format_euro,
    format_indicator,
    format_number,
    format_percent,
    format_plain,
    format_value,
    is_missing,
)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(1234567.891, 1, "1.234.567,9"), (-1234.5, 2, "-1.234,50"), (0.5, 0, "0"), (999, 0, "999")],
)
def test_dutch_number_format(value, decimals, text):
    assert format_number(value, decimals) == text


def test_key_figure_values_are_formatted_for_the_index():
    assert format_value(4650.0) == "4.650"
    assert format_value(12.25) == "12,2"
    assert format_value(None) == "–"
    assert format_value(float("nan")) == "–"
    assert format_value("hoog") == "hoog"


def test_dutch_formats():
    assert format_count(81059) == "81.059"
    assert format_count(float("nan")) == "–"
    assert format_euro(-12345.4) == "-€ 12.345"
    assert format_euro(1234567.5) == "€ 1.234.568"
    assert format_percent(41.66) == "41,7 %"
    assert format_plain(25.5) == "25,5" and format_plain(36.0) == "36"
    assert format_indicator(0.6494, "ratio") == "0,65"
    assert format_assumption(0.235, "share of wage") == "23,5 %"
    assert format_assumption(1504.8, "EUR/month") == "€ 1.504,80"


def test_missing_values_show_a_dash():
    assert is_missing(None) and is_missing(float("nan")) and is_missing(float("inf"))
    assert not is_missing(0.0) and not is_missing(0)
    assert format_number(None) == format_number(float("nan")) == "–"
    assert format_indicator(None, "EUR/year") == format_indicator(float("nan"), "ratio") == "–"


@pytest.mark.parametrize(
    ("unit", "value", "text", "d3"),
    [
        ("persons", 1234.4, "1.234", ",.0f"),
        ("EUR/person/year", -12000.2, "-€ 12.000", ",.0f"),
        ("%", 41.66, "41,7 %", ",.1f"),
        ("ratio", 0.6494, "0,65", ",.2f"),
    ],
)
def test_tables_and_charts_show_an_indicator_with_the_same_decimals(unit, value, text, d3):
    assert format_indicator(value, unit) == text
    assert declared_unit(unit).number_format == d3


def test_an_undeclared_unit_is_an_error():
    with pytest.raises(KeyError, match=r"units\.yaml"):
        format_indicator(1.0, "furlongs")
    with pytest.raises(KeyError, match=r"units\.yaml"):
        format_assumption(1.0, "furlongs")
