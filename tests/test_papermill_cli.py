"""The report notebook through the papermill command line, and ``socecon render`` of the result.

papermill's ``-p`` and ``-y`` read digits as numbers (``region: 0301`` is the octal 193, which
would be a report on Zwolle); the notebook refuses such a value in its first cell after the
parameters, in Dutch and English, with the call that works. A notebook executed by papermill
itself becomes, through ``socecon render``, the page ``socecon run`` writes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from socecon.batch.tasks import DEFAULT_NOTEBOOK

pytestmark = pytest.mark.slow

_STAMP = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")
_CHART_ID = re.compile(r"socecon-chart-[0-9a-f]{12}")


def _masked(page: str) -> str:
    """The page without its time of generation and its random chart ids."""
    return _CHART_ID.sub("socecon-chart-ID", _STAMP.sub("DD-MM-YYYY HH:MM", page))


def _env(repo_root: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(repo_root), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _run(args: list[str], cwd: Path, repo_root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=_env(repo_root),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _papermill(options: list[str], out: Path, repo_root: Path) -> subprocess.CompletedProcess:
    return _run(
        ["papermill", str(DEFAULT_NOTEBOOK), str(out), "--no-progress-bar", *options],
        out.parent,
        repo_root,
    )


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        (["-y", "region: 0301"], "193 (int)"),  # YAML: octal
        (["-p", "region", "0784"], "784 (int)"),
        (["-p", "overrides", '{"take_up": 0.7}'], """'{"take_up": 0.7}' (str)"""),
    ],
)
def test_a_number_for_region_or_text_for_overrides_is_refused(tmp_path, repo_root, options, shown):
    result = _papermill(options, tmp_path / "uit.ipynb", repo_root)
    assert result.returncode != 0
    message = result.stderr
    assert "ParameterError" in message and shown in message
    name = options[1].split(":")[0]
    assert f"Parameter {name} moet" in message and f"Parameter {name} must be" in message
    if name == "region":
        assert "Goed / right: papermill notebooks/municipality_report.ipynb" in message
        assert "-r region 0301" in message
    else:
        assert "-y 'overrides: {take_up: 0.7}'" in message
    # it stopped before the first section: no report on another municipality
    assert "Sociale economie in" not in (tmp_path / "uit.ipynb").read_text()


def test_papermill_with_r_and_y_then_render_gives_the_page_socecon_run_writes(tmp_path, repo_root):
    executed = tmp_path / "GM0784.ipynb"
    result = _papermill(
        ["-r", "region", "GM0784", "-p", "horizon", "2020", "-y", "overrides: {take_up: 0.7}"],
        executed,
        repo_root,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "run"
    options = ["--set", "take_up=0.7", "--out", str(out), "--jobs", "1", "--no-progress"]
    run = _run(["socecon", "run", "--gemeente", "GM0784", *options], tmp_path, repo_root)
    assert run.returncode == 0, run.stderr
    page = (out / "GM0784.html").read_text(encoding="utf-8")
    changed = "Meedoen binnen het productiviteitsvenster: 70 % (aangepast; standaard 60 %)"
    assert changed in page and "<title>Gilze en Rijen</title>" in page

    # rendered beside the index (as socecon run writes it), the page is the same, back link too
    rendered = out / "rendered" / "GM0784.html"
    rendered.parent.mkdir()
    (rendered.parent / "index.html").write_text("index", encoding="utf-8")
    render = _run(["socecon", "render", str(executed), "-o", str(rendered)], tmp_path, repo_root)
    assert render.returncode == 0, render.stderr
    assert f"wrote {rendered}" in render.stdout
    assert _masked(rendered.read_text(encoding="utf-8")) == _masked(page)
    # alone, it has no link to an index that is not there
    alone = tmp_path / "alone" / "GM0784.html"
    render = _run(["socecon", "render", str(executed), "-o", str(alone)], tmp_path, repo_root)
    assert render.returncode == 0, render.stderr
    assert "Alle rapporten" not in alone.read_text(encoding="utf-8")
    assert "Alle rapporten" in page


def test_render_refuses_a_notebook_that_failed_or_never_ran(tmp_path, repo_root):
    failed = tmp_path / "failed.ipynb"
    _papermill(["-y", "region: 0301"], failed, repo_root)
    cases = [(failed, "stopped with an error in cell"), (DEFAULT_NOTEBOOK, "has not been executed")]
    for notebook, reason in cases:
        out = tmp_path / "page.html"
        result = _run(["socecon", "render", str(notebook), "-o", str(out)], tmp_path, repo_root)
        assert result.returncode == 1
        assert result.stderr.startswith("socecon: error: ") and reason in result.stderr
        assert not out.exists()
