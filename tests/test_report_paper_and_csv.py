"""Reports on paper and taken along: ``socecon run --pdf`` and the CSV downloads of the tables.

The slow tests run the real report notebook for Zutphen and ISD Midden-Langstraat (a municipality
and a group) and Wijk bij Duurstede (the longest summary) through the command line with
``--pdf``. They read the PDFs' text with pypdf (A4 pages, a page count in a stated range, the
whole summary on page 1 and the contents starting page 2, every section on a new page, every
assumption's label and source: nothing cut off), and open the HTML in headless Chromium with the
network off to fetch every table's CSV download and compare it with the table shown. The fast
tests check the CSV text itself (quoting, formulas, markup) and that a missing browser is one
message and a non-zero exit, before any report starts.
"""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
import time
from urllib.parse import unquote

import pytest
from cdp import Browser  # tests/cdp.py
from pypdf import PdfReader

from socecon.batch.chromium import CHARTS_DRAWN, CHROMIUM_ENV, find_chromium
from socecon.cli import main
from socecon.report.downloads import DOWNLOAD_CLASS, csv_text, download_link
from socecon.report.tables import assumption_rows, html_table

#: A4 in PostScript points (210 x 297 mm), as Chromium writes it.
A4 = (595.0, 842.0)

#: The pages a real report prints to: 13 sections, each on a new page (the summary alone on the
#: first, the contents and "Over dit rapport" on the second), the wind-tunnel and assumption
#: tables over several pages. Measured: 29 (Zutphen, ISD Midden-Langstraat) and 30 (Wijk bij
#: Duurstede); more than 35 means tables or charts are cut into slivers, fewer than 15 means
#: sections no longer start on their own page.
PAGES = range(15, 36)

#: Wijk bij Duurstede: the longest summary of an all-342 batch (4,200 characters without its
#: table; five options named as holding in some scenarios), printed beside the two above.
LONGEST_SUMMARY = "GM0352"


def _squash(text: str) -> str:
    """Text without white space or hyphens: PDF text breaks lines (and words) where it wraps."""
    return re.sub(r"[\s\u00ad-]+", "", html.unescape(text))


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    if find_chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    out = tmp_path_factory.mktemp("pdf-reports")
    command = [sys.executable, "-m", "socecon", "run", "--gemeente", "GM0301"]
    command += ["--gemeente", "isd_midden_langstraat", "--gemeente", LONGEST_SUMMARY]
    command += ["--out", str(out), "--jobs", "2", "--pdf", "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "3 of 3 PDFs written" in done.stdout
    return out


@pytest.mark.slow
@pytest.mark.parametrize("code", ["GM0301", "isd_midden_langstraat"])
def test_a_real_report_prints_to_a4_with_nothing_cut(printed, code):
    pdf = printed / f"{code}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not list(printed.glob(".*.tmp")), "a temporary file was left behind"
    reader = PdfReader(pdf)
    assert len(reader.pages) in PAGES
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2, (width, height)
    texts = [page.extract_text() for page in reader.pages]
    first, everything = _squash(texts[0]), _squash("".join(texts))

    # The summary is on the first page, its opening sentence whole.
    page = (printed / f"{code}.html").read_text(encoding="utf-8")
    summary = re.search(r'<section class="socecon-summary">.*?<p>(.*?)</p>', page, re.DOTALL)
    assert "Samenvatting" in texts[0]
    assert _squash(re.sub(r"<[^>]+>", "", summary.group(1))) in first
    # Every section heading, each starting a page (the contents share page 2 with section 2).
    headings = re.findall(r'<h2 id="[^"]+"><span[^>]*>(\d+)</span> (.*?)</h2>', page)
    assert len(headings) >= 10
    pages = [_squash(t) for t in texts]
    for number, title in headings[2:]:
        assert any(p.startswith(_squash(number + title)) for p in pages), title
    # Every assumption row, with its source: nothing of the long table is cut off.
    for row in assumption_rows():
        assert _squash(row["label"]) in everything, row["label"]
        assert _squash(row["source"]) in everything, row["source"]
    # On paper the slider is not printed as a broken control, nor the link to the index.
    assert "Alle rapporten" not in texts[0]


@pytest.mark.slow
@pytest.mark.parametrize("code", ["GM0301", "isd_midden_langstraat", LONGEST_SUMMARY])
def test_the_whole_summary_is_on_the_first_page(printed, code):
    # report_style.md: "the summary fits on the first page"; the longest one found too
    reader = PdfReader(printed / f"{code}.pdf")
    first, second = (_squash(reader.pages[i].extract_text()) for i in (0, 1))
    page = (printed / f"{code}.html").read_text(encoding="utf-8")
    summary = re.search(r'<section class="socecon-summary">(.*?)</section>', page, re.DOTALL)[1]
    summary = re.sub(rf'<p class="{DOWNLOAD_CLASS}">.*?</p>', "", summary, flags=re.DOTALL)
    # every statement whole (the study's quote included), then the note under the key figures:
    # the summary's last paragraph, so the table above it is on page 1 as well
    statements = re.findall(r"<li>(.*?)</li>", summary, re.DOTALL)
    note = re.findall(r'<p class="socecon-muted">(.*?)</p>', summary, re.DOTALL)
    assert len(statements) >= 6 and note and summary.rstrip().endswith(note[-1] + "</p>")
    for part in [*statements, note[-1]]:
        assert _squash(re.sub(r"<[^>]+>", "", part)) in first, part[:80]
    # and nothing of it on page 2, which opens with the table of contents
    assert second.startswith("Inhoud"), second[:80]


def test_pdf_without_chromium_is_one_message_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CHROMIUM_ENV, "no-such-browser")
    out = tmp_path / "reports"
    assert main(["run", "--gemeente", "GM0301", "--out", str(out), "--pdf"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "--pdf needs headless Chromium" in err and "no-such-browser" in err
    assert not out.exists()


def test_pdf_tabs_below_one_is_one_message_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CHROMIUM_ENV, sys.executable)  # any executable passes the look-up
    out = tmp_path / "reports"
    command = ["run", "--gemeente", "GM0301", "--out", str(out), "--pdf", "--pdf-tabs", "0"]
    assert main(command) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "--pdf-tabs must be at least 1, not 0" in err
    assert not out.exists()


#: Every CSV link of the page, its table as shown (text of each cell) and the file it downloads.
DOWNLOADS = """(async () => {
  const out = [];
  for (const a of document.querySelectorAll('p.DOWNLOAD_CLASS a')) {
    const table = a.parentElement.previousElementSibling;
    const shown = [...table.querySelectorAll('tr')]
      .map(tr => [...tr.children].map(cell => cell.textContent));
    const response = await fetch(a.href);
    out.push({name: a.getAttribute('download'), href: a.href.slice(0, 40), shown,
              text: await response.text()});
  }
  return out;
})()""".replace("DOWNLOAD_CLASS", DOWNLOAD_CLASS)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))


@pytest.mark.slow
@pytest.mark.parametrize("code", ["GM0301", "isd_midden_langstraat"])
def test_every_table_downloads_as_the_csv_of_what_it_shows(printed, code, tmp_path):
    browser = Browser(find_chromium())
    try:
        browser.open((printed / f"{code}.html").resolve().as_uri())
        browser.wait_for(CHARTS_DRAWN)
        downloads = browser.evaluate(DOWNLOADS, await_promise=True)
        assert browser.errors() == []
        # a click on the first link saves the file, as a reader's browser would
        browser.call("Page.setDownloadBehavior", behavior="allow", downloadPath=str(tmp_path))
        browser.evaluate(f"document.querySelector('p.{DOWNLOAD_CLASS} a').click()")
        saved = tmp_path / downloads[0]["name"]
        deadline = time.monotonic() + 30
        while not saved.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        browser.close()
    assert saved.read_bytes() == ("\ufeff" + downloads[0]["text"]).encode("utf-8")
    page = (printed / f"{code}.html").read_text(encoding="utf-8")
    tables = page.count('<table class="socecon-table')
    # every table has its download, except the two of the colophon (versions and checksums)
    assert len(downloads) == tables - 2 >= 8
    for download in downloads:
        assert download["href"].startswith("data:text/csv;charset=utf-8,%EF%BB%BF")
        assert re.fullmatch(r"[a-z0-9-]+\.csv", download["name"]), download["name"]
        assert _rows(download["text"]) == download["shown"], download["name"]
    names = [d["name"] for d in downloads]
    assert "kerncijfers.csv" in names and "aanname.csv" in names


def test_csv_is_dutch_quoted_and_never_markup():
    header = ["Gemeente", "Waarde"]
    rows = [["A;B", "1.234,5"], ['Zeg "hoi"', "€ 5.417"], ["<script>x</script>", "=1+1"]]
    text = csv_text(header, rows)
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert _rows(text) == [header, rows[0], rows[1], ["<script>x</script>", "'=1+1"]]
    # a signed difference as the report shows it is a number, not a formula; anything else is
    signed = [["+5,6", "+1.234", "+0,5 %", "+5,6+1", "+A1", "@SUM(A1)"]]
    assert _rows(csv_text(header, signed))[1] == [
        "+5,6",
        "+1.234",
        "+0,5 %",
        "'+5,6+1",
        "'+A1",
        "'@SUM(A1)",
    ]
    link = download_link(header, rows, 'Kern "cijfers" <b>')
    href = re.search(r'href="([^"]*)"', link).group(1)
    payload = href.split(",", 1)[1]
    assert not set("<>'\";& ") & set(payload)
    assert unquote(payload) == text
    assert 'download="kern-cijfers-b.csv"' in link
    table = html_table(header, rows, caption="Kern")
    assert table.endswith(download_link(header, rows, "Kern"))
    assert DOWNLOAD_CLASS not in html_table(header, rows, download=False)
