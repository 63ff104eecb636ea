"""The generated report text, read as a municipal officer reads it (issue 14, the text parts).

One ``socecon run`` (module fixture) writes the report of a participating municipality (Zutphen)
and the group report of ISD Midden-Langstraat from the real notebook. The tests read the written
HTML, section by section (split at the numbered ``<h2 id=...>`` headings), and check:

* the study's storylines are quoted as the study's words (a quote block naming the study) in the
  summary (the scenario that came closest) and in the look-back (all four), and never told in the
  report's own voice there;
* the summary says how the municipality's results relate to what happened by 2020;
* a group report does not say "de gemeente" for the group;
* no reliability tag shows twice ("(C2) (C)");
* the summary and the section tables show a figure with the same rounded value;
* every term of the list "Begrippen" is explained once and used in the report.
"""

from __future__ import annotations

import contextlib
import html
import io
import re

import pytest

from socecon.cli import main
from socecon.definitions import load_definitions
from socecon.definitions.hindcast import load_hindcast
from socecon.present.formats import rounding_note
from socecon.report.glossary import TERMS
from socecon.report.lookback import study_quote

pytestmark = pytest.mark.slow

PAGES = {"GM0301": "Zutphen", "isd_midden_langstraat": "ISD Midden-Langstraat"}
BLOCKQUOTE = re.compile(r'<blockquote class="socecon-quote">.*?</blockquote>', re.DOTALL)
#: Every reliability tag of assumptions.yaml; two in a row ("(C2) (C)") is the defect.
DOUBLED_TAG = re.compile(r"\b(?:C2|C|D|U|S)\)\W{0,3}\((?:C2|C|D|U|S)\)")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """``socecon run`` for Zutphen and ISD Midden-Langstraat; the pages' HTML by code."""
    out = tmp_path_factory.mktemp("reports")
    argv = ["run", "--out", str(out), "--jobs", "2", "--no-progress"]
    for code in PAGES:
        argv += ["--gemeente", code]
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        assert main(argv) == 0, stderr.getvalue()
    return {code: (out / f"{code}.html").read_text(encoding="utf-8") for code in PAGES}


def _sections(page: str) -> dict[str, str]:
    """The report's numbered sections: heading id to its HTML (charts' scripts removed)."""
    main_html = page[page.index('<main class="socecon-report"') :]
    main_html = re.sub(r"<script.*?</script>", "", main_html, flags=re.DOTALL)
    parts = re.split(r'(<h2 id="[^"]+">)', main_html)
    return {
        re.search(r'id="([^"]+)"', parts[i]).group(1): parts[i] + parts[i + 1]
        for i in range(1, len(parts) - 1, 2)
    }


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, one space between words."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _cells(table_html: str) -> dict[str, list[str]]:
    """A table's rows by their first cell: the other cells' text."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table_html, flags=re.DOTALL):
        cells = [_text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)]
        rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize("code", PAGES)
def test_summary_and_lookback_quote_the_study_as_the_study(reports, code):
    sections = _sections(reports[code])
    summary, lookback = sections["samenvatting"], sections["terugblik-welk-scenario-kwam-uit"]
    defs = load_definitions()
    match = {c.match: defs.scenario(c.id) for c in load_hindcast().scenarios}
    # the summary quotes the study on the scenario that came closest; the one that came least
    # it names, its words are in the look-back (one quote: the summary fits the first page)
    assert study_quote(match["closest"]) in summary
    assert "De studie schreef over dat scenario:" + study_quote(match["closest"]) in summary
    assert study_quote(match["least"]) not in summary and len(BLOCKQUOTE.findall(summary)) == 1
    assert f"Het verst van de werkelijkheid lag {html.escape(match['least'].name)}" in summary
    # the look-back quotes it on every scenario, introduced as the study's words
    for scenario in defs.future_scenarios:
        intro = f"<p>De studie schreef over {html.escape(scenario.name)} in 2020:</p>"
        assert intro + study_quote(scenario) in lookback, scenario.id
    for part in (summary, lookback):
        quotes = BLOCKQUOTE.findall(part)
        citation = html.escape(defs.study.citation)
        assert quotes and all(f"<footer>{citation}</footer>" in q for q in quotes)
        # outside its quote blocks the report never tells a storyline in its own voice
        own_voice = _text(BLOCKQUOTE.sub("", part))
        for scenario in defs.future_scenarios:
            first = scenario.quote.split(". ")[0]
            assert first not in own_voice, (scenario.id, first)


@pytest.mark.parametrize("code", PAGES)
def test_summary_relates_the_results_to_what_happened(reports, code):
    text = _text(BLOCKQUOTE.sub("", _sections(reports[code])["samenvatting"]))
    statement = text[text.index("Wat er echt gebeurde.") :]
    name = PAGES[code]
    # the scenario that came closest, what it means here against the base year, and the least
    found = re.search(
        rf"Gaat het in {name} zoals in Regulier, dan werken er in 2020 ongeveer ([\d.]+) "
        r"mensen uit de doelgroep: (?:meer dan|minder dan|evenveel als) de ([\d.]+) van 2015\.",
        statement,
    )
    assert found, statement
    assert "Het verst van de werkelijkheid lag Publiek" in statement
    # the numbers are the report's own: the key figures of the same summary
    key = _cells(re.search(r"<table.*?</table>", _sections(reports[code])["samenvatting"], re.S)[0])
    assert found.group(1) == key["Regulier"][0] and found.group(2) == key["Basisjaar"][0]


def test_a_group_report_does_not_call_the_group_de_gemeente(reports):
    sections = _sections(reports["isd_midden_langstraat"])
    charts = re.compile(r'<p class="socecon-chart-text".*?</p>', re.DOTALL)  # chart texts
    own = {k: _text(charts.sub("", BLOCKQUOTE.sub("", v))) for k, v in sections.items()}
    # the results chart's text alternative names the group's cost as the gemeenten's too
    results_charts = _text(" ".join(charts.findall(sections["de-uitkomsten-per-scenario"])))
    assert "netto kosten gemeenten" in results_charts, results_charts
    # the summary speaks of the member municipalities throughout (quotes of the study aside)
    assert not re.search(r"\bgemeente\b", own["samenvatting"]), own["samenvatting"]
    assert (
        "Netto kosten gemeenten. Wat de gemeenten van ISD Midden-Langstraat samen"
        in (own["samenvatting"])
    )
    assert "wat het de gemeenten kost" in own["over-dit-rapport"]
    assert "de-gemeenten-in-cijfers" in sections and "de-gemeente-in-cijfers" not in sections
    # the figures, the cost tables, the wind tunnel's goal and the colophon name "gemeenten"
    # (of the colophon its table of parameters: "Nieuw in versie 2" speaks of every gemeente)
    own["verantwoording"] = _text(
        re.search(r"<table.*?</table>", sections["verantwoording"], re.S)[0]
    )
    for key in (
        "de-uitkomsten-per-scenario",
        "waarom-isd-midden-langstraat-afwijkt-van-nederland",
        "beleidsopties-in-de-windtunnel",
        "verantwoording",
    ):
        assert not re.search(r"[Nn]etto kosten gemeente\b", own[key]), key
        assert not re.search(r"\b(?:in|door) de gemeente\b", own[key]), key
    assert "netto kosten gemeenten hoogstens" in own["verantwoording"]
    assert "Netto kosten gemeenten (€ per jaar)" in own["de-uitkomsten-per-scenario"]
    assert "netto kosten gemeenten hoogstens" in own["beleidsopties-in-de-windtunnel"]
    # the municipality's own report keeps the singular
    zutphen = _text(_sections(reports["GM0301"])["samenvatting"])
    assert "Netto kosten gemeente. Wat de gemeente zelf betaalt" in zutphen


@pytest.mark.parametrize("code", PAGES)
def test_no_reliability_tag_shows_twice(reports, code):
    text = _text("".join(_sections(reports[code]).values()))
    assert "Bron: opnaarde125000.nl (C2)" in text  # the look-back's tags are there ...
    assert DOUBLED_TAG.findall(text) == []  # ... once each


@pytest.mark.parametrize("code", PAGES)
def test_summary_and_tables_show_the_same_rounded_figures(reports, code):
    sections = _sections(reports[code])
    summary = sections["samenvatting"]
    key = _cells(re.search(r"<table.*?</table>", summary, re.DOTALL)[0])
    outcomes = _cells(
        re.search(r"<table.*?</table>", sections["de-uitkomsten-per-scenario"], re.S)[0]
    )
    council = "gemeenten" if code == "isd_midden_langstraat" else "gemeente"
    names = outcomes["Indicator (2020)"]  # Basisjaar and the four scenarios, in the same order
    assert [r for r in key if r != "Scenario"] == names
    pairs = {
        0: "Geplaatste personen",
        2: "Buiten de boot (personen)",
        3: f"Netto kosten {council} (€ per jaar)",
        4: "Netto kosten Rijk (€ per jaar)",
        5: "Netto kosten UWV (€ per jaar)",
    }
    for column, indicator in pairs.items():
        for i, name in enumerate(names):
            assert key[name][column] == outcomes[indicator][i], (name, indicator)
    # people in tens, amounts from € 100.000 in thousands, in both
    assert all(v.replace(".", "").endswith("0") for v in outcomes["Geplaatste personen"])
    assert all(
        v.replace(".", "").endswith("000") for v in outcomes[pairs[3]] if len(v) > len("€ 99.999")
    )
    # the summary's sentences use the same values, and the rule is said once, in the summary
    text = _text(summary)
    most = max(names[1:], key=lambda n: int(key[n][0].replace(".", "")))
    assert f"{most} zet in 2020 de meeste mensen aan het werk: ongeveer {key[most][0]}" in text
    assert rounding_note() in text
    page = _text("".join(sections.values()))
    assert page.count(rounding_note()) == 1
    # the band table and the path table round people the same way
    total = _cells(
        re.findall(
            r"<table.*?</table>",
            sections[next(k for k in sections if k.startswith("de-doelgroep-naar-loonwaarde"))],
            re.S,
        )[0]
    )["Totaal"]
    assert total[1:] == outcomes["Geplaatste personen"]
    path = _cells(
        re.search(r"<table.*?</table>", sections["van-het-basisjaar-naar-de-horizon"], re.S)[0]
    )
    assert path["2020"] == outcomes["Geplaatste personen"]


@pytest.mark.parametrize("code", PAGES)
def test_every_term_is_explained_once_and_used(reports, code):
    sections = _sections(reports[code])
    page = _text("".join(sections.values()))
    guide = _text(sections["over-dit-rapport"])
    rest = _text("".join(v for k, v in sections.items() if k != "over-dit-rapport")).lower()
    for term, explanation in TERMS:
        assert page.count(_text(explanation)) == 1, term  # explained once ...
        assert f"{term} : {_text(explanation)}" in guide  # ... in the reading guide
        # and the term itself (its first word) is used in the report
        assert re.split(r"[ (]", term)[0].lower() in rest, term
    # the two kinds of "deelname" are two different words, each explained once
    assert "Meedoen binnen het productiviteitsvenster" in page
    assert "Deelname binnen" not in page
