"""``socecon run --pdf``: real reports printed to A4 PDFs by headless Chromium, read by pypdf.

The slow test runs the real report notebook for Zutphen and ISD Midden-Langstraat (a municipality
and a group) through the command line and reads the PDFs' text: A4 pages, a page count in a stated
range, the summary on page 1, every section, and every assumption's label and source (nothing cut
off). The fast test checks that a missing browser is one message and a non-zero exit, before any
report starts.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from socecon.batch.chromium import CHROMIUM_ENV, find_chromium
from socecon.cli import main
from socecon.report.tables import assumption_rows

#: A4 in PostScript points (210 x 297 mm), as Chromium writes it.
A4 = (595.0, 842.0)

#: The pages a real report prints to: 12 sections, each on a new page (the summary and the
#: contents share the first two), the wind-tunnel and assumption tables over several pages.
#: Measured: 23 (Zutphen) and 24 (ISD Midden-Langstraat); more than 35 means tables or charts
#: are cut into slivers, fewer than 15 means sections no longer start on their own page.
PAGES = range(15, 36)


def _squash(text: str) -> str:
    """Text without white space or hyphens: PDF text breaks lines (and words) where it wraps."""
    return re.sub(r"[\s\u00ad-]+", "", html.unescape(text))


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    if find_chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    out = tmp_path_factory.mktemp("pdf-reports")
    command = [sys.executable, "-m", "socecon", "run", "--gemeente", "GM0301"]
    command += ["--gemeente", "isd_midden_langstraat", "--out", str(out)]
    command += ["--jobs", "2", "--pdf", "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "2 of 2 PDFs written" in done.stdout
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


def test_pdf_without_chromium_is_one_message_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CHROMIUM_ENV, "no-such-browser")
    out = tmp_path / "reports"
    assert main(["run", "--gemeente", "GM0301", "--out", str(out), "--pdf"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "--pdf needs headless Chromium" in err and "no-such-browser" in err
    assert not out.exists()
