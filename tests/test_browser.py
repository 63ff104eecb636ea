"""Reports in real headless Chromium with the network off: charts draw, controls work, no errors.

Drives Debian's ``chromium`` over the Chrome DevTools Protocol (see ``tests/cdp.py``). Skipped only
when no Chromium is installed; ``.ci/run`` installs it, so CI always runs these tests. A screenshot
of the report is kept in ``tests/artifacts/``.
"""

from __future__ import annotations

import time

import pytest
from cdp import Browser, find_chromium  # tests/cdp.py

from socecon.batch.execute import run_report
from socecon.batch.tasks import ReportTask
from socecon.report.index import IndexEntry, update_index

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
    ),
]

ALL_CHARTS_DRAWN = """(() => {
  const charts = [...document.querySelectorAll('.socecon-chart')];
  const done = charts.every(c => c.querySelector('svg, canvas')
                                 || c.classList.contains('socecon-chart-error'));
  return charts.length > 0 && done;
})()"""

BAR_HEIGHTS = """[...document.getElementById(%r).querySelectorAll('.mark-rect path')]
  .map(p => Math.round(p.getBBox().height))"""

LINE_OPACITY = """Object.fromEntries(
  [...document.getElementById(%r).querySelectorAll('.mark-line path')].map(p => [
    p.getAttribute('aria-label').split('scenario: ')[1],
    p.getAttribute('opacity'),
  ]))"""

SET_CONTROL = """(() => {
  const c = document.getElementById(%r).querySelector(%r);
  c.value = %r;
  c.dispatchEvent(new Event('input', {bubbles: true}));
  c.dispatchEvent(new Event('change', {bubbles: true}));
  return c.value;
})()"""


@pytest.fixture(scope="module")
def reports(fixtures_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-reports")
    task = ReportTask(
        "GM0363",
        fixtures_dir / "notebooks" / "charts.ipynb",
        out / "GM0363.html",
        "Amsterdam",
        {"region": "GM0363"},
    )
    result = run_report(task)
    assert result.ok, result.error
    update_index(out, [IndexEntry("GM0363", "Amsterdam", "GM0363.html", result.figures)])
    return out


@pytest.fixture
def browser():
    b = Browser(CHROMIUM)
    yield b
    b.close()


def _wait_until_changed(browser, expression, before, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = browser.evaluate(expression)
        if now != before:
            return now
        time.sleep(0.05)
    return browser.evaluate(expression)


def test_report_draws_offline_and_its_controls_change_the_charts(reports, browser, repo_root):
    browser.open((reports / "GM0363.html").as_uri())
    browser.wait_for(ALL_CHARTS_DRAWN)
    assert browser.evaluate("document.documentElement.lang") == "nl"
    charts = browser.evaluate("[...document.querySelectorAll('.socecon-chart')].map(c => c.id)")
    assert len(charts) == 2
    failed = browser.evaluate(
        "[...document.querySelectorAll('.socecon-chart-error')].map(c => c.textContent)"
    )
    assert failed == []
    assert browser.evaluate("Object.keys(window.socEconViews).length") == 2
    for chart in charts:
        assert browser.evaluate(f"document.getElementById({chart!r}).querySelector('svg') !== null")
    # Dutch number format on the axis (thousands with a dot)
    axis = browser.evaluate(f"document.getElementById({charts[0]!r}).textContent")
    assert "1.600" in axis

    # the slider (take-up 50 %) moves to 10 %: every scenario places the same number then
    bars = BAR_HEIGHTS % charts[0]
    before = browser.evaluate(bars)
    assert len(before) == 4 and len(set(before)) == 4
    assert browser.evaluate(SET_CONTROL % (charts[0], "input[type=range]", "10")) == "10"
    after = _wait_until_changed(browser, bars, before)
    assert len(after) == 4 and len(set(after)) == 1 and after != before

    # the scenario selector highlights the chosen line
    lines = LINE_OPACITY % charts[1]
    before = browser.evaluate(lines)
    assert before["Regulier"] == "1" and before["Publiek"] != "1"
    browser.evaluate(SET_CONTROL % (charts[1], "select", "Publiek"))
    after = _wait_until_changed(browser, lines, before)
    assert after["Publiek"] == "1" and after["Regulier"] != "1"

    artifacts = repo_root / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    browser.screenshot(artifacts / "report-GM0363.png")
    assert browser.errors() == []

    # and the network really is off in this browser
    probe = "fetch('https://cdn.jsdelivr.net/npm/vega@5').then(() => 'online', () => 'offline')"
    assert browser.evaluate(probe, await_promise=True) == "offline"


def test_index_page_opens_and_links_the_report(reports, browser):
    browser.open((reports / "index.html").as_uri())
    links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.textContent)")
    assert links == ["Amsterdam"]
    browser.evaluate("document.querySelector('a').click()")
    browser.wait_for(
        "location.pathname.endsWith('GM0363.html') && document.readyState == 'complete'"
    )
    browser.wait_for(ALL_CHARTS_DRAWN)
    assert browser.errors() == []
