"""PDFs for a batch: report pages printed in parallel tabs of one headless Chromium.

With the real browser (network off) and no timing in any assertion:

- four real reports, written and printed by ``socecon run --pdf --pdf-tabs 3``, give the same
  PDFs (A4, page count, text) as the same pages printed one at a time in one tab, each PDF the
  report of its own region;
- in a batch of small pages, a page that cannot be opened and a page whose chart never draws
  are reported by name, in the order given, while every other page gets its whole PDF and no
  temporary file is left;
- a browser that dies while printing (killed, deterministically, when a given page starts) is
  replaced: the page in whose tab it died is reported, the pages in the other tabs are printed
  again and every other page is written;
- SIGTERM while ``socecon run --pdf`` prints leaves no browser process and no half PDF;
- a page whose vega bundle is missing counts its charts as failed at once: it is printed, with
  the fallback text in place of each chart, instead of waiting for the timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import altair as alt
import nbformat
import psutil
import pytest
from pypdf import PdfReader

from socecon.batch.chromium import Chromium, Tab, find_chromium
from socecon.batch.pdf import print_reports
from socecon.present.embed import ERROR_CLASS, MISSING_BUNDLE_TEXT, report_output
from socecon.report.export import BUNDLE_FILENAME, write_report

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        find_chromium() is None,
        reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
    ),
]

REPO = Path(__file__).resolve().parents[1]

#: A4 in PostScript points (210 x 297 mm), as Chromium writes it.
A4 = (595.0, 842.0)

#: Four regions of different size and kind (a group among them), printed side by side.
REGIONS = ("GM0301", "GM0784", "isd_midden_langstraat", "GM0164")


def _pdf(path: Path) -> tuple[int, list[str], set[tuple[int, int]]]:
    """Pages, the text of each page and the rounded page sizes of a PDF."""
    reader = PdfReader(path)
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    }
    return len(reader.pages), [page.extract_text() for page in reader.pages], sizes


@pytest.fixture(scope="module")
def parallel(tmp_path_factory) -> Path:
    """Four real reports written and printed in 3 tabs by ``socecon run --pdf``."""
    out = tmp_path_factory.mktemp("parallel")
    command = [sys.executable, "-m", "socecon", "run", "--out", str(out), "--no-progress"]
    command += [f"--gemeente={code}" for code in REGIONS]
    command += ["--jobs", "2", "--pdf", "--pdf-tabs", "3"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert f"{len(REGIONS)} of {len(REGIONS)} PDFs written" in done.stdout
    return out


def test_parallel_tabs_print_what_one_tab_prints(parallel, tmp_path):
    # the same pages, copied, printed one at a time in one tab
    pages = [shutil.copy(parallel / f"{code}.html", tmp_path) for code in REGIONS]
    assert print_reports(pages, find_chromium(), tabs=1) == []
    names = {
        r["code"]: r["name"] for r in json.loads((parallel / "index.json").read_text())["reports"]
    }
    for code in REGIONS:
        count, texts, sizes = _pdf(parallel / f"{code}.pdf")
        assert (count, texts, sizes) == _pdf(tmp_path / f"{code}.pdf"), code
        assert sizes == {(round(A4[0]), round(A4[1]))}
        assert count >= 15, (code, count)
        assert names[code] in texts[0], (code, texts[0][:200])  # its own report, not a neighbour's
    assert not list(parallel.glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))


#: A small page of the kind the report is: A4 by its own stylesheet, text that says which it is.
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title>
<style>@page {{ size: A4; margin: 15mm; }}</style></head>
<body><h1>Pagina {name}</h1>{body}</body></html>"""


def _pages(folder: Path, names: list[str], never_drawn: str = "") -> list[Path]:
    """Small pages; ``never_drawn`` has a chart box that no script ever fills."""
    pages = []
    for name in names:
        body = "<p>Inhoud.</p>" * 40
        if name == never_drawn:
            body += '<div class="socecon-chart"></div>'
        page = folder / f"{name}.html"
        page.write_text(PAGE.format(name=name, body=body), encoding="utf-8")
        pages.append(page)
    return pages


def test_a_broken_page_is_reported_by_name_and_the_others_are_written(tmp_path):
    names = ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08"]
    pages = _pages(tmp_path, names, never_drawn="p06")
    pages[2].unlink()  # p03 is gone before it is printed
    failures = print_reports(pages, find_chromium(), tabs=3, timeout=15)
    assert [page.name for page, _ in failures] == ["p03.html", "p06.html"]
    assert "net::ERR_FILE_NOT_FOUND" in failures[0][1]
    assert failures[1][1].startswith("TimeoutError")
    for name in names:
        pdf = tmp_path / f"{name}.pdf"
        if name in ("p03", "p06"):
            assert not pdf.exists()
            continue
        _, texts, sizes = _pdf(pdf)
        assert sizes == {(round(A4[0]), round(A4[1]))}
        assert f"Pagina {name}" in texts[0]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_browser_that_dies_is_replaced_and_only_its_killer_is_reported(tmp_path, monkeypatch):
    names = [f"p{n:02d}" for n in range(1, 11)]
    pages = _pages(tmp_path, names)
    original = Tab.print_pdf

    def print_pdf(self, page, pdf=None):
        if Path(page).name == "p04.html":  # this page takes the whole browser down, every time
            self.browser.process.kill()
            self.browser.process.wait()
        return original(self, page, pdf)

    monkeypatch.setattr(Tab, "print_pdf", print_pdf)
    failures = print_reports(pages, find_chromium(), tabs=3, timeout=15)
    assert failures == [(pages[3], "chromium exited while printing it")]
    written = sorted(p.stem for p in tmp_path.glob("*.pdf"))
    assert written == [name for name in names if name != "p04"]
    for name in written:
        assert f"Pagina {name}" in _pdf(tmp_path / f"{name}.pdf")[1][0]


def _never_drawn_notebook(path: Path) -> Path:
    """A report notebook whose page has a chart box that never draws: printing it waits."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('region = ""\nhorizon = 2020')
    params.metadata["tags"] = ["parameters"]
    shown = "from IPython.display import HTML\nHTML('<div class=\"socecon-chart\"></div>')"
    nb.cells = [params, nbformat.v4.new_code_cell(shown)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["kernelspec"]["language"] = "python"
    nbformat.write(nb, path)
    return path


def _browsers(parent: psutil.Process) -> list[psutil.Process]:
    found = []
    for process in parent.children(recursive=True):
        try:
            if "chromium" in process.name() or "chrome" in process.name():
                found.append(process)
        except psutil.Error:
            pass
    return found


def test_sigterm_while_printing_closes_the_browser_and_leaves_no_half_pdf(tmp_path):
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "socecon", "run", "--gemeente=GM0784", "--gemeente=GM0301"]
    command += ["--out", str(out), "--no-progress", "--jobs", "1", "--pdf"]
    command += ["--notebook", str(_never_drawn_notebook(tmp_path / "nb.ipynb"))]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    parent = psutil.Process(run.pid)
    deadline = time.monotonic() + 300
    browsers: list[psutil.Process] = []
    # the pages are written and the browser prints (a page that never finishes drawing)
    while not browsers and time.monotonic() < deadline:
        assert run.poll() is None, run.stderr.read().decode()
        browsers = _browsers(parent)
        time.sleep(0.2)
    assert browsers, "the browser did not start"
    tree = parent.children(recursive=True)
    run.send_signal(signal.SIGTERM)
    assert run.wait(60) == 128 + signal.SIGTERM
    stderr = run.stderr.read().decode()
    assert "Traceback" not in stderr and "interrupted" in stderr
    _, alive = psutil.wait_procs(tree, timeout=30)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for process in alive:
        process.kill()
    assert not alive, [p.cmdline()[:1] for p in alive]
    assert not list(out.glob("*.pdf")) and not list(out.glob(".*.tmp"))
    assert sorted(p.name for p in out.glob("GM*.html")) == ["GM0301.html", "GM0784.html"]


def _chart_page(folder: Path) -> Path:
    """A report page of two real charts that loads the shared ``vega-bundle.js`` beside it."""
    data = alt.Data(values=[{"jaar": 2015 + n, "aantal": 10 * n} for n in range(4)])
    charts = [
        alt.Chart(data, title=title, description=f"{title}: aantal per jaar.")
        .mark_bar()
        .encode(x="jaar:O", y="aantal:Q")
        for title in ("Eerste grafiek", "Tweede grafiek")
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Grafieken")]
    for chart in charts:
        cell = nbformat.v4.new_code_cell("show(chart)")
        cell.outputs = [nbformat.v4.new_output("display_data", data=report_output(chart))]
        nb.cells.append(cell)
    page = folder / "grafieken.html"
    write_report(nb, page, title="Grafieken", bundle="shared")
    return page


def _chart_states(browser: Chromium, page: Path) -> tuple[list[str], Path]:
    """Print ``page`` in a tab of ``browser``; return each chart's state and the PDF."""
    tab = browser.new_tab()
    try:
        pdf = tab.print_pdf(page)
        states = tab.evaluate(
            "[...document.querySelectorAll('.socecon-chart')].map(c => "
            f"c.classList.contains('{ERROR_CLASS}') ? 'failed' : "
            "(c.querySelector('svg') ? 'drawn' : 'waiting'))"
        )
    finally:
        tab.close()
    return states, pdf


def test_a_page_without_its_vega_bundle_prints_its_fallback_at_once(tmp_path):
    page = _chart_page(tmp_path)
    bundle = tmp_path / BUNDLE_FILENAME
    # The default timeout of a PDF run: were a chart without vega neither drawn nor failed, the
    # print would end in a TimeoutError instead of a PDF.
    with Chromium(find_chromium(), timeout=60) as browser:
        states, pdf = _chart_states(browser, page)
        assert states == ["drawn", "drawn"]  # with its bundle beside it, vega draws both
        assert MISSING_BUNDLE_TEXT not in " ".join(_pdf(pdf)[1])
        bundle.unlink()  # copied without vega-bundle.js, or the file was lost
        states, pdf = _chart_states(browser, page)
    assert states == ["failed", "failed"]
    text = " ".join(_pdf(pdf)[1])
    assert text.count(MISSING_BUNDLE_TEXT) == 2
    # and the batch reports no failure: the page is printed, with the fallback in it
    assert print_reports([page], find_chromium(), tabs=1) == []
    assert text == " ".join(_pdf(page.with_suffix(".pdf"))[1])
