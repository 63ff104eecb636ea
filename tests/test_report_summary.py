"""The report's summary and navigation: generated from the results, numbered, linked."""

from __future__ import annotations

import re

import pytest

from socecon.definitions.assumptions import BAND_EDGES
from socecon.model import run_model
from socecon.present.formats import (
    format_count,
    format_euro,
    format_value,
    round_euro,
    rounding_note,
)
from socecon.report import navigation, policy, sections, summary
from socecon.report.index import IndexEntry, render_index

GOAL = {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}


@pytest.fixture(scope="module")
def hengelo():
    frame = run_model("GM0164", horizon=2020)
    return frame, policy.windtunnel_table("GM0164", GOAL, n_samples=200)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ")


def test_summary_figures_are_the_figures_of_the_sections(hengelo):
    frame, tunnel = hengelo
    table = summary.summary_frame(frame, "GM0164", tunnel)
    indicators = sections.indicator_frame(frame, "GM0164")
    assert list(table.index) == list(indicators.columns)  # baseline first, then the futures
    for column, indicator in (("placed", "placed"), ("left_out", "left_out")):
        assert table[column].tolist() == indicators.loc[indicator].tolist()
    for payer in ("net_cost", "net_cost_rijk", "net_cost_uwv"):
        assert table[payer].tolist() == indicators.loc[payer].tolist()
    bands = sections.band_frame(frame, "GM0164")
    below = bands["target_group"] - bands["regulier"]
    mids = (BAND_EDGES[:-1] + BAND_EDGES[1:]) / 2
    # Regulier serves 50-80 % loonwaarde: below its window is every band under 50 %
    assert table.loc["regulier", "left_out_below"] == pytest.approx(below[mids < 50].sum())
    # the ranges are the wind tunnel's reference option ("Doe niets"), future scenarios only
    reference = tunnel[tunnel["option"] == "huidig_beleid"].set_index("scenario")
    p10 = reference.loc["publiek", "participation_p10"]
    assert table.loc["publiek", "participation_p10"] == p10

    assert table.loc["baseline", ["participation_p10", "participation_p90"]].isna().all()


def test_summary_says_what_the_results_say(hengelo):
    frame, tunnel = hengelo
    page = summary.summary_html(frame, "GM0164", tunnel).data
    assert page.startswith('<section class="socecon-summary"><h2 id="samenvatting">Samenvatting')
    text = _text(page)
    table = summary.summary_frame(frame, "GM0164", tunnel).iloc[1:]
    most = table.loc[table["placed"].idxmax()]
    rounded = format_count(round(most["placed"], -1))
    assert f"{most['name']} zet in 2020 de meeste mensen aan het werk: ongeveer {rounded}" in text
    assert "in 8 van de 10 doorgerekende toekomsten tussen" in text
    # the point figure is the standard assumptions' (it may lie at the edge of the range)
    assert "van de doelgroep) met de standaardwaarden van de aannames." in text
    worst = table.loc[table["left_out"].idxmax()]
    assert f"In {worst['name']} vinden de meeste mensen geen plek" in text
    assert "In 2020 lag Nederland het dichtst bij Regulier." in text
    assert "Het verst van de werkelijkheid lag Publiek" in text
    # the gemeente's own net cost comes first, the Rijk and UWV beside it
    assert text.index("Netto kosten gemeente. Wat de gemeente zelf betaalt") < text.index(
        "Rijk en UWV."
    )
    highest = table.loc[table["net_cost"].idxmax()]
    euro = format_euro(round(highest["net_cost"], -3)).replace("\u00a0", " ")
    assert f"is het hoogst in {highest['name']}: {euro} per jaar" in text
    assert "Netto kosten gemeente per jaar Rijk per jaar UWV per jaar" in text
    # the policy verdict agrees with the wind-tunnel section's own summary
    options = tunnel.drop_duplicates("option")
    robust = options[options["class"] == "robust"]
    if len(robust):
        assert all(name in text for name in robust["option_name"])
    else:
        closest = re.search(r"Het dichtst bij komt ‘([^’]+)’", text).group(1)
        assert f"Het dichtst bij komt '{closest}'" in policy.summary_nl(tunnel)
    # an option that holds in some scenarios is named with those scenarios: the reader sees
    # which choice works where, not just a count of verdicts
    for name, rows in tunnel[tunnel["holds"]].groupby("option_name"):
        scenarios = list(rows["scenario_name"])
        where = (
            scenarios[0]
            if len(scenarios) == 1
            else " en ".join([", ".join(scenarios[:-1]), scenarios[-1]])
        )
        assert f"‘{name}’ (in {where})" in text
    assert "gedomineerd" not in text and "zekerheid" not in text  # words the summary can't explain
    assert "deelname minstens 20,0 % en netto kosten gemeente hoogstens € 20.000" in text


def test_summary_names_the_payers_as_the_figures_say(hengelo):
    frame, tunnel = hengelo
    page = summary.summary_html(frame, "GM0164", tunnel).data
    items = re.findall(r"<li>(.*?)</li>", page)
    # the Rijk and UWV are a statement of their own, after the gemeente's cost
    assert [i.split("</strong>")[0] for i in items][:4] == [
        "<strong>Aan het werk.",
        "<strong>Buiten de boot.",
        "<strong>Netto kosten gemeente.",
        "<strong>Rijk en UWV.",
    ]
    table = summary.summary_frame(frame, "GM0164", tunnel)
    payers = _text(items[3])
    # the Rijk pays only the Wsw subsidy, which no future scenario keeps (levers.yaml)
    assert (table["net_cost_rijk"].iloc[1:] == 0).all() and table["net_cost_rijk"].iloc[0] > 0
    assert "vervalt de Wsw-subsidie: het Rijk betaalt dan niets" in payers
    uwv = table.loc[table["net_cost"].iloc[1:].idxmax(), "net_cost_uwv"]
    assert ("houdt in" in payers) == (uwv < 0)


def test_summary_amounts_are_the_amounts_of_the_table(hengelo):
    # "a cost said two ways": the summary's € 19.569.000 is not € 19.568.953 in the section
    frame, tunnel = hengelo
    text = _text(summary.summary_html(frame, "GM0164", tunnel).data)
    shown = _text(sections.indicator_table(frame, "GM0164").data)
    table = summary.summary_frame(frame, "GM0164", tunnel)
    amounts = [v for c in ("net_cost", "net_cost_rijk", "net_cost_uwv") for v in table[c]]
    assert any(abs(v) >= 100_000 for v in amounts)
    for value in amounts:
        euro = format_euro(round_euro(value))
        assert euro in text and euro in shown, euro
    # the rounding rule is said once, in the summary; the table refers to it
    assert rounding_note().replace("\u00a0", " ") in text
    assert "Aantallen en bedragen zijn afgerond zoals in de samenvatting staat" in shown


def test_the_index_shows_the_figures_the_report_shows(hengelo):
    # one rounding rule: the index's key figures are the summary's and the tables' numbers
    frame, tunnel = hengelo
    figures = sections.key_figures(frame, "GM0164")
    index = render_index([IndexEntry("GM0164", "Hengelo", "GM0164.html", figures)])
    cells = _text(index)
    page = summary.summary_html(frame, "GM0164", tunnel).data
    text, key = _text(page), _text(re.search(r"<table.*?</table>", page, re.S)[0])
    shown = _text(sections.indicator_table(frame, "GM0164").data)
    target = format_value(figures["Doelgroep"])
    assert f"De doelgroep telt ongeveer {target} mensen" in text and f" {target} " in cells
    table = summary.summary_frame(frame, "GM0164", tunnel)
    for sid, row in table.iloc[1:].iterrows():
        placed = format_value(figures[f"Geplaatst 2020 ({row['name']})"])
        assert f"{row['name']} {placed} " in key and f" {placed} " in cells, sid
    cost = figures["Netto kosten gemeente per geplaatste 2020 (Regulier, €)"]
    assert format_euro(cost) in shown and f" {format_value(cost)} " in cells


def test_summary_uses_one_word_for_a_scenario(hengelo):
    frame, tunnel = hengelo
    text = _text(summary.summary_html(frame, "GM0164", tunnel).data)
    # "toekomstbeeld" is explained once, in the first sentence; after it the report says scenario
    assert text.count("toekomstbeeld") == 1 and "scenario's (toekomstbeelden)" in text


def test_summary_without_a_target_group_says_so():
    frame = run_model("GM0277", horizon=2020)  # Rozendaal: CBS counts no one
    tunnel = policy.windtunnel_table("GM0277", GOAL, n_samples=50)
    text = _text(summary.summary_html(frame, "GM0277", tunnel).data)
    assert "Het CBS telt hier geen doelgroep" in text and "Aan het werk." not in text


PAGE = (
    '<html><main class="socecon-report"><h1>T</h1><div><h2>Samenvatting</h2></div>'
    '<section><h2 id="Vier-scenario\'s">Vier scenario\'s<a class="anchor-link" href="#x">¶</a>'
    '</h2></section><h2>Vier scenario\'s</h2><h2 id="kosten">Kosten &amp; baten</h2></main>'
    "<h2>outside</h2></html>"
)


def test_navigation_numbers_sections_and_links_them():
    page = navigation.add_navigation(PAGE, index_href="index.html")
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert ids == ["samenvatting", "vier-scenario-s", "vier-scenario-s-2", "kosten"]
    assert '<span class="socecon-section-number">2</span> Vier scenario\'s</h2>' in page
    assert "anchor-link" not in page
    toc = re.search(r'<nav class="socecon-toc".*?</nav>', page).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ids
    assert "Kosten &amp; baten</a>" in toc  # the heading's own (escaped) text
    # the table of contents follows the first section (the summary)
    assert page.index("Samenvatting</h2>") < page.index("<nav") < page.index(f'id="{ids[1]}"')
    assert page.index('<a href="index.html">← Alle rapporten</a>') < page.index("<h1>")
    assert "<h2>outside</h2>" in page  # only the report's <main> is touched


def test_navigation_without_index_or_main():
    assert "Alle rapporten" not in navigation.add_navigation(PAGE)
    assert navigation.add_navigation("<p>no main</p>", index_href="index.html") == (
        "<p>no main</p>"
    )
    assert navigation.slug("Wat als? Schuif met één aanname") == "wat-als-schuif-met-een-aanname"


def test_summary_sets_an_option_beside_what_really_happened(hengelo):
    # An option that holds only in Publiek, the scenario that came true least (hindcast.yaml),
    # is said to do so: the reader does not take "houdt stand" as a plain recommendation.
    frame, tunnel = hengelo
    text = _text(summary.summary_html(frame, "GM0164", tunnel).data)
    where = tunnel[tunnel["holds"]].groupby("option_name")["scenario_name"].agg(set)
    only_publiek = sorted(name for name, s in where.items() if s == {"Publiek"})
    assert only_publiek  # Hengelo: the two werkbedrijf options
    for name in only_publiek:
        assert f"‘{name}’" in text.split("Wat er echt gebeurde.")[1]
    assert "stand in Publiek: het scenario dat het minst op de werkelijkheid leek" in text
    # without such an option the statement stays one sentence
    rest = tunnel.assign(holds=tunnel["holds"] & (tunnel["scenario_name"] != "Publiek"))
    rest.attrs.update(tunnel.attrs)
    assert "minst op de werkelijkheid" not in _text(
        summary.summary_html(frame, "GM0164", rest).data
    )
