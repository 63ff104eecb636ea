"""The report's charts in headless Chromium (network off), on a phone (390 px) and a desktop.

One batch (module fixture) runs the real report notebook through ``socecon run`` for Hengelo and
the group ISD Midden-Langstraat. At both widths every chart draws in the layout for that width
(:func:`socecon.present.embed.with_narrow`), fits its box without scrolling and the page does not
scroll sideways; on the desktop the charts use the column. No faceted chart has an empty panel
or an axis under an empty slot (the loonwaarde chart had a stray sixth one), and every cell of
the wind-tunnel matrix says its verdict in words, in a cell of that verdict's declared colour.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from cdp import Browser, find_chromium  # tests/cdp.py

from socecon.cli import main
from socecon.definitions import load_definitions
from socecon.definitions.options import load_options
from socecon.definitions.windtunnel import load_windtunnel

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)"),
]
REPORTS = ("GM0164", "isd_midden_langstraat")
WIDTHS = (390, 1280)

ALL_DRAWN = """(() => {
  const charts = [...document.querySelectorAll('.socecon-chart')];
  return charts.length > 0 && charts.every(
    c => c.querySelector('svg') || c.classList.contains('socecon-chart-error'));
})()"""

#: Per chart: its layout, box and drawing widths, its facet panels (each panel's frame, number
#: of drawn items and title) and the line of every x axis.
CHARTS = """(() => {
  const box = e => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom].map(Math.round); };
  return [...document.querySelectorAll('.socecon-chart')].map(c => ({
    label: document.getElementById(c.id + '-text').textContent,
    layout: c.dataset.layout,
    error: c.classList.contains('socecon-chart-error') ? c.textContent : null,
    box: c.clientWidth,
    scroll: c.scrollWidth,
    svg: c.querySelector('svg') ? Math.round(c.querySelector('svg').getBoundingClientRect().width)
                                : null,
    panels: [...c.querySelectorAll('g.role-scope.cell > g')].map(g => ({
      frame: box(g.querySelector(':scope > path.background')),
      items: g.querySelectorAll('.role-mark > *').length,
      title: [...g.querySelectorAll('.role-title-text')].map(t => t.textContent).join(' '),
    })),
    axes: [...c.querySelectorAll('g.role-axis[aria-label^="X-axis"] .role-axis-domain')]
      .map(box),
  }));
})()"""

#: The wind-tunnel matrix: every cell (its fill) and the words drawn inside it.
MATRIX = """(() => {
  const chart = [...document.querySelectorAll('.socecon-chart')]
    .find(c => document.getElementById(c.id + '-text').textContent.startsWith(
      'Tabel als grafiek'));
  const texts = [...chart.querySelectorAll('.mark-text.role-mark text')].map(t => {
    const r = t.getBoundingClientRect();
    return {x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2, text: t.textContent};
  });
  return [...chart.querySelectorAll('.mark-rect.role-mark path')].map(p => {
    const r = p.getBoundingClientRect();
    return {fill: p.getAttribute('fill'), words: texts.filter(
      t => t.x > r.left && t.x < r.right && t.y > r.top && t.y < r.bottom).map(t => t.text)};
  });
})()"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("chart-reports")
    argv = ["run", "--out", str(out), "--jobs", "2", "--no-progress"]
    for code in REPORTS:
        argv += ["--gemeente", code]
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        assert main(argv) == 0, stderr.getvalue()
    return out


@pytest.fixture(scope="module")
def drawn(reports):
    """What each report's charts look like at each width, and its wind-tunnel cells."""
    found = {}
    browser = Browser(CHROMIUM)
    try:
        for code in REPORTS:
            for width in WIDTHS:
                browser.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=900,
                    deviceScaleFactor=1,
                    mobile=width < 500,
                )
                browser.open((reports / f"{code}.html").as_uri())
                browser.wait_for(ALL_DRAWN)
                page = browser.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                found[code, width] = {
                    "page": page,
                    "charts": browser.evaluate(CHARTS),
                    "matrix": browser.evaluate(MATRIX),
                }
        assert browser.errors() == []
    finally:
        browser.close()
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("code", REPORTS)
def test_every_chart_draws_and_fits_without_sideways_scrolling(drawn, code, width):
    seen = drawn[code, width]
    scroll_width, client_width = seen["page"]
    assert scroll_width <= client_width, (code, width, seen["page"])
    charts = seen["charts"]
    assert len(charts) == 7  # the wind tunnel's drivers chart included
    for chart in charts:
        where = (code, width, chart["label"])
        assert chart["error"] is None and chart["svg"], where
        # the layout for the width: stacked panels on a phone, the column's width on a desktop
        assert chart["layout"] == ("narrow" if width < 500 else "wide"), where
        assert chart["scroll"] <= chart["box"] and chart["svg"] <= chart["box"], where
        if width == 1280:
            assert chart["svg"] >= 0.75 * chart["box"], where


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("code", REPORTS)
def test_no_facet_panel_is_empty_and_every_axis_belongs_to_a_panel(drawn, code, width):
    charts = drawn[code, width]["charts"]
    faceted = [c for c in charts if c["panels"]]
    assert len(faceted) >= 3  # loonwaarde, indicators, drivers (on a phone the matrix too)
    for chart in faceted:
        where = (code, width, chart["label"])
        assert all(p["items"] > 0 for p in chart["panels"]), where
        # an x axis lies along the bottom or the top edge of a panel, never under an empty slot
        for left, top, right, bottom in chart["axes"]:
            assert any(
                abs(p["frame"][0] - left) <= 2
                and abs(p["frame"][2] - right) <= 2
                and (abs(p["frame"][3] - top) <= 2 or abs(p["frame"][1] - bottom) <= 2)
                for p in chart["panels"]
            ), (where, (left, top, right, bottom))
    # the loonwaarde chart: one panel per scenario in the data, the baseline first
    (bands,) = [c for c in charts if "per loonwaardeklasse" in c["label"]]
    names = [s.name for s in load_definitions().scenarios]
    assert [p["title"] for p in bands["panels"]] == names


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("code", REPORTS)
def test_every_windtunnel_cell_says_its_verdict_in_words(drawn, code, width):
    colors = {v.label: v.color.lower() for v in load_windtunnel().cell_status.values()}
    cells = drawn[code, width]["matrix"]
    assert len(cells) == len(load_options()) * 4
    for cell in cells:
        words = [w for w in cell["words"] if w in colors]
        # one verdict per cell, under its median and its margin, in the verdict's colour
        assert len(words) == 1 and len(cell["words"]) == 3, cell
        assert cell["fill"].lower() == colors[words[0]], cell
