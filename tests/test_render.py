"""``socecon render`` without a kernel: what it refuses, and how it turns charts into report charts.

The full path (papermill, then render, equal to the page of ``socecon run``) is in
``tests/test_papermill_cli.py``.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from socecon.cli import main
from socecon.exceptions import ReportError
from socecon.present.embed import CHART_MIMETYPE
from socecon.report.render import render_report, report_notebook

SPEC = {"mark": "bar", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a"}}}


def _notebook(outputs: list, count: int | None = 1):
    cell = nbformat.v4.new_code_cell("show(chart)", execution_count=count, outputs=outputs)
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["papermill"] = {"parameters": {"region": "GM0784"}}
    return nb


def _chart_output():
    return nbformat.v4.new_output(
        "display_data",
        data={"text/html": "<script src='https://cdn'></script>", CHART_MIMETYPE: SPEC},
    )


def test_a_chart_becomes_the_reports_offline_chart():
    nb = _notebook([_chart_output()])
    (out,) = report_notebook(nb).cells[0].outputs
    assert set(out.data) == {"text/html", "text/plain"}
    assert (
        'class="socecon-chart"' in out.data["text/html"] and "vegaEmbed(" in out.data["text/html"]
    )
    assert "https://cdn" not in out.data["text/html"]
    assert CHART_MIMETYPE in nb.cells[0].outputs[0].data  # the notebook itself is not changed


def test_the_page_is_titled_by_the_region_and_has_no_cdn(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook([_chart_output()]), path)
    assert main(["render", str(path), "-o", str(tmp_path / "out" / "page.html")]) == 0
    page = (tmp_path / "out" / "page.html").read_text(encoding="utf-8")
    assert "<title>Gilze en Rijen</title>" in page and "https://cdn" not in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read notebook"),
        (json.dumps({"a": 1}), "cannot read notebook"),
        (nbformat.writes(_notebook([], None)), "has not been executed"),
        (
            nbformat.writes(
                _notebook([nbformat.v4.new_output("error", ename="KeyError", evalue="'x'")])
            ),
            "stopped with an error in cell 0: KeyError",
        ),
    ],
)
def test_render_refuses_what_is_no_executed_report(tmp_path, capsys, content, message):
    path = tmp_path / "nb.ipynb"
    path.write_text(content)
    out = tmp_path / "page.html"
    assert main(["render", str(path), "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(ReportError, match=message):
        render_report(path, out)
