"""The real report notebook, end to end: `socecon run`, the HTML content, and headless Chromium.

One batch (module fixture) runs ``notebooks/municipality_report.ipynb`` through the CLI for Hengelo,
the combined ISD Midden-Langstraat report and an unknown code; the HTML checks and the browser test
share its output, so the notebook runs twice here (plus once for an unknown code passed straight to
the notebook, which stops in its first cell).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import time

import pytest
from cdp import Browser, find_chromium  # tests/cdp.py

from socecon import __version__
from socecon.batch.execute import run_report
from socecon.batch.tasks import DEFAULT_NOTEBOOK, ReportTask
from socecon.cli import main
from socecon.data.snapshot import input_hashes
from socecon.definitions import MODEL_VERSION

pytestmark = pytest.mark.slow

CHROMIUM = find_chromium()
SCENARIOS = ["Sociaal Ondernemen", "Regulier", "Publiek-privaat", "Publiek"]

CHARTS = """[...document.querySelectorAll('.socecon-chart')].map(c => ({
  id: c.id,
  svg: c.querySelector('svg') !== null,
  error: c.classList.contains('socecon-chart-error') ? c.textContent : null,
  slider: c.querySelector('input[type=range]') !== null,
}))"""

ALL_DRAWN = """(() => {
  const charts = [...document.querySelectorAll('.socecon-chart')];
  return charts.length > 0 && charts.every(
    c => c.querySelector('svg') || c.classList.contains('socecon-chart-error'));
})()"""

BARS = """[...document.getElementById(%r).querySelectorAll('.mark-rect path')]
  .map(p => [Math.round(p.getBBox().height), p.getAttribute('opacity')])"""

SET_CONTROL = """(() => {
  const c = document.getElementById(%r).querySelector(%r);
  c.value = %r;
  c.dispatchEvent(new Event('input', {bubbles: true}));
  c.dispatchEvent(new Event('change', {bubbles: true}));
  return c.value;
})()"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """``socecon run`` for Hengelo, ISD Midden-Langstraat and an unknown code, 2 workers."""
    out = tmp_path_factory.mktemp("reports")
    argv = ["run", "--out", str(out), "--jobs", "2", "--no-progress"]
    for code in ("GM0164", "GM9999", "isd_midden_langstraat"):
        argv += ["--gemeente", code]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return out, code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def hengelo(batch):
    out = batch[0]
    assert (out / "GM0164.html").exists(), batch[3]
    return (out / "GM0164.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def isd(batch):
    out = batch[0]
    assert (out / "isd_midden_langstraat.html").exists(), batch[3]
    return (out / "isd_midden_langstraat.html").read_text(encoding="utf-8")


def test_unknown_code_is_one_message_and_the_rest_of_the_batch_is_done(batch):
    out, code, stdout, stderr = batch
    assert code == 1
    assert "2 of 3 reports written" in stdout
    assert len(stderr.strip().splitlines()) == 1
    assert stderr.startswith("FAILED: Unknown municipality 'GM9999'; did you mean GM")
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "GM0164.html",
        "index.html",
        "index.json",
        "isd_midden_langstraat.html",
    ]


def test_hengelo_report_shows_its_real_cbs_figures_in_dutch(hengelo):
    assert "<title>Hengelo</title>" in hengelo
    assert "Sociale economie in Hengelo: vier scenario" in hengelo
    # data/cbs_snapshot.csv: GM0164 2015 population 81059, bijstand 15-AOW 2490, Wsw 560
    assert '<td>Inwoners (1 januari)</td><td class="number">81.059</td>' in hengelo
    assert '<td>Bijstand, 15 jaar tot AOW-leeftijd</td><td class="number">2.490</td>' in hengelo
    assert '<td>Werknemers sociale werkvoorziening (Wsw)</td><td class="number">560</td>' in hengelo
    assert '<td>Bijstand per 1.000 inwoners 15 jaar-AOW</td><td class="number">47,4</td>' in hengelo
    assert "Arbeidsmarktregio Twente" in hengelo and "Nederland" in hengelo


def test_report_has_every_section_and_scenario(hengelo):
    for heading in [
        "De gemeente in cijfers",
        "Vier scenario's op twee assen",
        "De doelgroep naar loonwaarde",
        "De uitkomsten per scenario",
        "Waarom Hengelo afwijkt van Nederland",
        "Wat als?",
        "Van het basisjaar naar de horizon",
        "Beleidsopties in de windtunnel",
        "Terugblik: welk scenario kwam uit?",
        "Aannames en bronnen",
        "Verantwoording",
    ]:
        assert heading in hengelo, heading
    # the shipped snapshot has no KWB series (only a refresh fetches it): no own trend shown
    assert "Hoe ging het daarna in" not in hengelo
    for name in SCENARIOS:
        assert f"<h3>{name}</h3>" in hengelo
    assert (
        "Netto kosten gemeente per geplaatste" in hengelo
        and "Maatschappelijk rendement (SROI)" in hengelo
    )
    assert "Meedoen binnen het productiviteitsvenster" in hengelo  # assumption table and slider
    # The wind tunnel: the verdict per option, with the goal it was judged on.
    assert "Windtunnel voor Hengelo (GM0164): 10 beleidsopties" in hengelo
    assert "Doe niets / huidig beleid" in hengelo and "Waarom" in hengelo
    # Where it breaks, and the drivers chart's text alternative.
    assert "Waar het misgaat" in hengelo and "het gaat mis in" in hengelo
    assert "hangt de deelname het meest af van de aanname" in hengelo
    assert (
        "deelname minstens 20,0 % en netto kosten gemeente hoogstens € 20.000 per geplaatste"
    ) in hengelo


def test_report_colophon(hengelo):
    assert (
        f"<td>Rekenmodel</td><td>versie {MODEL_VERSION} (programmaversie {__version__})</td>"
        in hengelo
    )
    assert "Bron: CBS" in hengelo
    # the hashes are folded away in <details>
    assert input_hashes()["cbs_snapshot.csv"] in hengelo.split("<details>")[1]
    assert "<td>Gebied</td><td>Hengelo</td>" in hengelo
    assert "<td>Jaar van de scenario's</td><td>2020</td>" in hengelo
    assert "4.000 per scenario en beleidsoptie, getrokken met startgetal 0" in hengelo


def test_report_is_offline_and_hides_code(hengelo):
    assert "cdn.jsdelivr" not in hengelo and "require.js" not in hengelo
    assert "run_model(" not in hengelo and "sections.introduction" not in hengelo
    assert "Traceback" not in hengelo


def test_group_report_aggregates_its_members(isd):
    assert "Sociale economie in ISD Midden-Langstraat" in isd
    assert "Heusden, Loon op Zand, Waalwijk" in isd
    assert '<td>Inwoners (1 januari)</td><td class="number">112.805</td>' in isd
    assert "Arbeidsmarktregio Midden-Brabant" in isd
    for name in SCENARIOS:
        assert f"<h3>{name}</h3>" in isd


def test_index_lists_both_reports_with_key_figures(batch):
    out = batch[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="GM0164.html">Hengelo</a>' in index
    assert '<a href="isd_midden_langstraat.html">ISD Midden-Langstraat</a>' in index
    entries = {e["code"]: e for e in json.loads((out / "index.json").read_text())["reports"]}
    figures = entries["GM0164"]["figures"]
    assert figures["Doelgroep"] == 2280  # 2276 people, rounded to tens as the report shows
    assert set(SCENARIOS) == {
        k.split("(")[1].rstrip(")") for k in figures if k.startswith("Geplaatst 2020")
    }


def test_unknown_code_in_the_notebook_stops_in_its_first_cell(tmp_path):
    task = ReportTask(
        "GM9999", DEFAULT_NOTEBOOK, tmp_path / "GM9999.html", "?", {"region": "GM9999"}
    )
    result = run_report(task)
    assert not result.ok and not (tmp_path / "GM9999.html").exists()
    assert result.error.startswith("cell 3 (")  # cells numbered as in the notebook
    assert '"place = region_figures.resolve_region(region, indeling)' in result.error
    assert "raised UnknownRegionError: Unknown municipality 'GM9999'; did you mean" in result.error


def _wait_until_changed(browser, expression, before, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = browser.evaluate(expression)
        if now != before:
            return now
        time.sleep(0.05)
    return browser.evaluate(expression)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_real_report_in_headless_chromium(batch, hengelo, repo_root):
    browser = Browser(CHROMIUM)
    try:
        browser.open((batch[0] / "GM0164.html").as_uri())
        browser.wait_for(ALL_DRAWN)
        charts = browser.evaluate(CHARTS)
        assert len(charts) == 7  # including the wind tunnel's drivers chart
        assert [c["error"] for c in charts] == [None] * 7
        assert all(c["svg"] for c in charts)
        (slider,) = [c["id"] for c in charts if c["slider"]]

        # the slider (take-up) moves from 60 % to 90 %: the bars grow
        bars = BARS % slider
        before = browser.evaluate(bars)
        assert len(before) == 5  # baseline and the four scenarios
        readout = f"document.querySelector('#{slider} .vega-bind input[type=range] + span')"
        # in percent, as the assumptions table shows take-up (60 %), not as a fraction 0,6
        assert browser.evaluate(f"{readout}.textContent") == "60"
        browser.evaluate(SET_CONTROL % (slider, "input[type=range]", "90"))
        after = _wait_until_changed(browser, bars, before)
        assert after != before
        assert [h for h, _ in after] != [h for h, _ in before]
        assert browser.evaluate(f"{readout}.textContent") == "90"

        # the scenario selector dims every bar but the chosen scenario's
        browser.evaluate(SET_CONTROL % (slider, "select", "Publiek"))
        chosen = _wait_until_changed(browser, bars, after)
        assert sorted(o for _, o in chosen).count("1") == 1

        artifacts = repo_root / "tests" / "artifacts"
        artifacts.mkdir(exist_ok=True)
        browser.screenshot(artifacts / "report-GM0164.png")
        assert browser.errors() == []
    finally:
        browser.close()


# --------------------------------------------------------------------------- layout and navigation

REPORTS = ("GM0164.html", "isd_midden_langstraat.html")

LAYOUT = """(() => {
  const root = document.documentElement;
  const main = document.querySelector('main.socecon-report');
  const headings = [...main.querySelectorAll('h2')];
  const links = [...document.querySelectorAll('nav.socecon-toc a')]
    .map(a => a.getAttribute('href'));
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    h2: headings.map(h => [h.id, h.textContent.trim()]),
    firstSection: main.querySelector('h2').closest('.socecon-summary') !== null,
    summaryBeforeIntro: headings[0].compareDocumentPosition(
      main.querySelector('#over-dit-rapport')) === Node.DOCUMENT_POSITION_FOLLOWING,
    toc: links,
    unresolved: links.filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1))),
    back: document.querySelector('.socecon-back a')?.getAttribute('href'),
  };
})()"""

# The text a reader gets: the page title, the text of <main> with its scripts and styles taken
# out, the text every chart draws, and the footer. The folded technical details of the colophon
# (the commit and the file names with their sha256) are left out: they are there to make the
# report again, by whoever opens them. The charts' generated aria labels are not checked here:
# an accessible text per chart is a later part of the issue.
READER_TEXT = """(() => {
  const main = document.querySelector('main.socecon-report').cloneNode(true);
  const details = main.querySelectorAll('.socecon-colophon details');
  if (details.length !== 1) throw new Error('the colophon has no folded details');
  main.querySelectorAll('script, style, .socecon-colophon details').forEach(e => e.remove());
  const charts = [...document.querySelectorAll('.socecon-chart svg')].map(s => s.textContent);
  return [document.title, main.textContent, ...charts,
          document.querySelector('footer').textContent].join('\\n');
})()"""

#: Traces of the program a municipality must not read: internal ids and other snake_case
#: names, Python values and assignments (``overrides = {}``), the program's name.
TRACES = re.compile(
    r"isd_midden_langstraat|\bsocecon\b|\b[a-z]+_[a-z_]+\b|\{\}|\b(?:None|True|False)\b"
    r"|\b\w+ = [{\['\"\d]|Schuifknop|Gevoeligheidsknop"
)

#: English words of the program's own vocabulary (the model's and the wind tunnel's terms) that
#: a Dutch report must not show; the seed's own loanwords (hype, partnership, employability,
#: social return) are the study's words and allowed.
ENGLISH = re.compile(
    r"\b(?:the|and|with|baseline|take[- ]up|regret|robust|fragile|dominated|undecided|PRIM"
    r"|goal|samples?|options?|placed|net cost|left out|share|participation|wage|costs?"
    r"|municipality|default)\b",
    re.IGNORECASE,
)

WINDTUNNEL = ("Beleidsopties in de windtunnel", "Terugblik: welk scenario kwam uit?")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("page", REPORTS)
def test_report_fits_phone_and_desktop_and_navigates(batch, page):
    browser = Browser(CHROMIUM)
    try:
        for width in (390, 1280):
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=width < 500,
            )
            browser.open((batch[0] / page).as_uri())
            browser.wait_for(ALL_DRAWN)
            charts = browser.evaluate(CHARTS)
            assert len(charts) == 7 and all(c["svg"] and c["error"] is None for c in charts)
            layout = browser.evaluate(LAYOUT)
            # no sideways scrolling of the page (a wide chart scrolls inside its own box)
            assert layout["scrollWidth"] <= layout["clientWidth"], (width, layout)
            # the summary is the first section, before the reading guide
            assert layout["h2"][0] == ["samenvatting", "1 Samenvatting"]
            assert layout["firstSection"] and layout["summaryBeforeIntro"]
            # numbered sections, every one in the table of contents, every link resolves
            assert [t.split(" ", 1)[0] for _, t in layout["h2"]] == [
                str(n) for n in range(1, len(layout["h2"]) + 1)
            ]
            assert layout["toc"] == [f"#{i}" for i, _ in layout["h2"]]
            assert layout["unresolved"] == []
            assert len(layout["h2"]) >= 10
            assert layout["back"] == "index.html" and (batch[0] / "index.html").exists()
        assert browser.errors() == []
    finally:
        browser.close()


def _reader_text(batch, page):
    browser = Browser(CHROMIUM)
    try:
        browser.open((batch[0] / page).as_uri())
        browser.wait_for(ALL_DRAWN)
        return browser.evaluate(READER_TEXT)
    finally:
        browser.close()


def _split_windtunnel(text):
    start, end = text.index(WINDTUNNEL[0]), text.index(WINDTUNNEL[1])
    assert text.count(WINDTUNNEL[0]) >= 2  # in the table of contents and as a heading
    start = text.index(WINDTUNNEL[0], start + 1)  # the heading, not the contents entry
    end = text.index(WINDTUNNEL[1], start)
    return text[:start] + text[end:], text[start:end]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("page", REPORTS)
def test_report_text_has_no_internal_id_python_value_or_tool_name(batch, page):
    text = _reader_text(batch, page)
    rest, _windtunnel = _split_windtunnel(text)
    assert "Samenvatting" in rest and "Verantwoording" in rest  # the check sees the report
    assert TRACES.findall(rest) == []
    # no English word in the report (the wind tunnel's reading guide named "de methode PRIM")
    assert ENGLISH.findall(text) == []
    index = (batch[0] / "index.html").read_text(encoding="utf-8")
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", index, flags=re.DOTALL))
    assert TRACES.findall(shown) == []


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_windtunnel_section_has_no_internal_id(batch):
    _, windtunnel = _split_windtunnel(_reader_text(batch, "isd_midden_langstraat.html"))
    assert TRACES.findall(windtunnel) == []
