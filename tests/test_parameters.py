"""Data text cannot become markup, and notebook parameters of the wrong type are refused."""

from __future__ import annotations

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from socecon.exceptions import ParameterError
from socecon.report.parameters import EXPECTED, check_parameters
from socecon.report.tables import md_text

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[klik](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<https://example.org>",
    "Naam\n<script>alert(1)</script>",
    "Naam\n# kop",
    "**vet** _schuin_ `code` &amp; |a|b|",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_renders_literally_through_nbconvert_markdown(payload):
    rendered = markdown2html_mistune(f"# In {md_text(payload)}\n\nTekst over {md_text(payload)}.")
    assert "<img" not in rendered and "<script" not in rendered
    assert 'href="javascript' not in rendered and 'src="javascript' not in rendered
    # the only link is nbconvert's own anchor of the heading
    assert rendered.count("<a ") == rendered.count('<a class="anchor-link"') == 1
    assert rendered.count("<h1") == 1 and "<strong" not in rendered and "<em" not in rendered
    flat = " ".join(payload.splitlines())
    # what the reader sees is the text itself (entities decoded by the browser)
    assert flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in rendered


def test_md_text_keeps_ordinary_names_readable():
    rendered = markdown2html_mistune(md_text("Hengelo (O.)") + " en " + md_text("'s-Gravenhage"))
    assert rendered == "<p>Hengelo (O.) en 's-Gravenhage</p>\n"


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ({"region": 193}, "193 (int)"),
        ({"region": 784.0}, "784.0 (float)"),
        ({"overrides": '{"take_up": 0.7}'}, """'{"take_up": 0.7}' (str)"""),
        ({"overrides": ["take_up"]}, "['take_up'] (list)"),
        ({"horizon": "2020"}, "'2020' (str)"),
        ({"horizon": True}, "True (bool)"),
        ({"windtunnel_samples": 2.5}, "2.5 (float)"),
        ({"goal_participation": "20"}, "'20' (str)"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_refused_in_dutch_and_english(values, shown):
    with pytest.raises(ParameterError) as info:
        check_parameters("municipality_report.ipynb", **values)
    message = str(info.value)
    (name,) = values
    assert f"Parameter {name} moet" in message and f"Parameter {name} must be" in message
    assert shown in message
    assert f"papermill notebooks/municipality_report.ipynb uit.ipynb {EXPECTED[name].example}" in (
        message
    )


def test_parameters_of_the_right_type_pass():
    check_parameters(
        "municipality_report.ipynb",
        region="0301",
        horizon=2020,
        overrides={"take_up": 0.7},
        slider_assumption="take_up",
        goal_participation=20,
        goal_net_cost_per_placed=20000.0,
        windtunnel_samples=200,
        windtunnel_seed=0,
        variable="placed",
        scenario="regulier",
        something_else=object(),
    )
