"""HTML export of executed report notebooks: offline, code hidden, one vega bundle, Dutch."""

from __future__ import annotations

import json
import os
import re

import altair as alt
import pandas as pd
import pytest

from socecon.definitions import MODEL_VERSION, REPORT_ENV
from socecon.present.embed import embed_html, embed_options
from socecon.report import export
from socecon.report.key_figures import read_key_figures

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executed(fixtures_dir):
    """The fixture notebook executed once through papermill in report mode, for GM0363."""
    import papermill as pm

    previous = os.environ.get(REPORT_ENV)
    os.environ[REPORT_ENV] = "1"
    try:
        return pm.execute_notebook(
            str(fixtures_dir / "notebooks" / "charts.ipynb"),
            None,
            parameters={"region": "0363", "horizon": 2030},
            kernel_name="python3",
            progress_bar=False,
        )
    finally:
        if previous is None:
            os.environ.pop(REPORT_ENV)
        else:
            os.environ[REPORT_ENV] = previous


@pytest.fixture(scope="module")
def page(executed) -> str:
    return export.export_html(executed, title="Amsterdam")


def test_page_loads_nothing_from_the_network(page):
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" not in tag, tag
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"<link\b", page)
    assert "@import" not in page
    assert "require.js" not in page and "require.min.js" not in page
    assert "mathjax" not in page.lower()


def test_bundle_is_inlined_exactly_once_and_every_chart_uses_it(page):
    assert page.count("window.vegaEmbed=") == 1
    assert page.index("window.vegaEmbed=") < page.index('<main class="socecon-report">')
    assert export._BUNDLE_MARKER not in page
    charts = re.findall(r'<div [^>]*class="socecon-chart" id="([\w-]+)"', page)
    assert len(charts) == 2 and len(set(charts)) == 2
    for chart_id in charts:
        assert f'document.getElementById("{chart_id}")' in page
    assert page.count("vegaEmbed(el,") == 2


def test_code_and_prompts_are_hidden(page):
    assert "import altair" not in page
    assert "transform_filter" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert "hang = False" not in page


def test_page_is_dutch_with_title_text_and_dutch_number_format(page):
    assert '<html lang="nl">' in page
    assert "<title>Amsterdam</title>" in page
    assert "Plaatsingen per scenario" in page
    assert "Bron: CBS" in page
    options = embed_options()
    assert options["formatLocale"]["decimal"] == "," and options["formatLocale"]["thousands"] == "."
    assert options["timeFormatLocale"]["months"][2] == "maart"
    assert options["actions"] is False
    assert '"decimal":","' in page and '"maart"' in page
    # every page records the model version, in its footer and its metadata
    assert f"Rekenmodel versie {MODEL_VERSION} (programmaversie" in page
    assert re.search(rf'<meta content="{MODEL_VERSION}" name="socecon-model-version"/?>', page)


def test_parameters_arrive_with_their_python_types(page):
    assert "<code>'0363'</code> (type str), horizon 2030" in page


def test_key_figures_are_data_not_content(executed, page):
    assert read_key_figures(executed) == {
        "Doelgroep (personen)": 2500,
        "Geplaatst bij 50 % opname": 4650.0,
    }
    assert "Doelgroep (personen)" not in page


def test_interactive_params_are_in_the_chart_specs(page):
    assert '"bind":{"input":"range"' in page
    assert '"bind":{"input":"select"' in page


def test_shared_bundle_is_written_once_beside_small_pages(executed, tmp_path):
    size_a = export.write_report(executed, tmp_path / "a.html", bundle="shared")
    export.write_report(executed, tmp_path / "b.html", bundle="shared")
    shared = tmp_path / export.BUNDLE_FILENAME
    assert shared.read_text(encoding="utf-8") == export.vega_bundle()
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert '<script src="vega-bundle.js"></script>' in page
    assert "window.vegaEmbed=" not in page
    assert size_a == (tmp_path / "a.html").stat().st_size
    inline = export.write_report(executed, tmp_path / "c.html")
    assert inline - size_a == pytest.approx(len(export.vega_bundle().encode()), rel=0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.html",
        "b.html",
        "c.html",
        export.BUNDLE_FILENAME,
    ]


def test_chart_data_cannot_end_the_script_element():
    frame = pd.DataFrame({"label": ["</script><b>x</b>", "a & b"], "value": [1, 2]})
    snippet = embed_html(alt.Chart(frame).mark_bar().encode(x="label:N", y="value:Q"))
    assert snippet.count("</script>") == 1 and snippet.rstrip().endswith("</script>")
    assert "<b>x</b>" not in snippet
    spec = json.loads(re.search(r"var spec = (\{.*\});\n", snippet).group(1))
    assert spec["datasets"][next(iter(spec["datasets"]))][0]["label"] == "</script><b>x</b>"


def test_write_atomic_replaces_whole_files_and_leaves_nothing_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    export.write_atomic(target, "old")
    export.write_atomic(target, "nieuw €")
    assert target.read_text(encoding="utf-8") == "nieuw €"

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        export.write_atomic(target, "half")
    assert target.read_text(encoding="utf-8") == "nieuw €"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
