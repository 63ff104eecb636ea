"""The index page of a reports folder: one row per report, earlier rows kept, no scripts."""

from __future__ import annotations

import json

from socecon.definitions import MODEL_VERSION
from socecon.report.index import IndexEntry, update_index


def test_index_lists_reports_with_figures_and_keeps_earlier_rows(tmp_path):
    (tmp_path / "GM0363.html").write_text("x")
    (tmp_path / "GM0164.html").write_text("x")
    update_index(
        tmp_path,
        [
            IndexEntry("GM0363", "Amsterdam", "GM0363.html", {"Geplaatst": 4650.0}),
            IndexEntry("GM0001", "Stad", None, {}, error="timed out after 5 s"),
        ],
    )
    update_index(tmp_path, [IndexEntry("GM0164", "Hengelo", "GM0164.html", {"Geplaatst": 12.5})])
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in page
    assert '<a href="GM0363.html">Amsterdam</a>' in page
    assert '<a href="GM0164.html">Hengelo</a>' in page
    assert ">4.650<" in page and ">12,5<" in page
    assert "mislukt: timed out after 5 s" in page
    assert "2 van 3 rapporten gereed" in page
    assert "<script" not in page and "http" not in page
    assert page.index("Amsterdam") < page.index("Hengelo") < page.index("Stad")
    stored = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in stored["reports"]] == ["GM0363", "GM0164", "GM0001"]
    # the manifest of reports and the page record the model version
    assert stored["model_version"] == MODEL_VERSION
    assert f"Rekenmodel versie {MODEL_VERSION} (programmaversie" in page
    # a report that has gone is dropped from the index
    (tmp_path / "GM0164.html").unlink()
    update_index(tmp_path, [])
    assert "Hengelo" not in (tmp_path / "index.html").read_text(encoding="utf-8")
