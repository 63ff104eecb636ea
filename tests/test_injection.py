"""No text from the declarations or the CBS data becomes markup in a report (script injection).

A script payload goes into a group name (a copy of the package with an edited ``groups.yaml``)
and into a municipality's label in a copy of the CBS exports, rebuilt with ``socecon data build``
as ``data refresh`` would bring it. ``socecon run`` writes both reports through papermill, and
headless Chromium opens them: no payload runs, and the names show literally.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cdp import Browser, find_chromium  # tests/cdp.py

from socecon.data.cbs_build import default_cbs_dir

CHROMIUM = find_chromium()
CBS_DIR = default_cbs_dir()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)"),
    pytest.mark.skipif(
        not (CBS_DIR / "SHA256SUMS.txt").is_file(), reason="shared CBS exports not available"
    ),
]

#: Each part sets ``window.__pwned`` if it runs. No comma or double quote: it must stay one CSV
#: field of the CBS exports as they are.
PAYLOAD = (
    "<img src=x onerror=window.__pwned=1> <script>window.__pwned=2</script> "
    "[klik](javascript:window.__pwned=3) <svg onload=window.__pwned=4></svg> **vet** _schuin_ "
    "&amp; # kop"
)
GROUP_NAME = f"ISD {PAYLOAD}"
LABEL = f"Gilze {PAYLOAD}"

FLAGS = """JSON.stringify({
  pwned: window.__pwned === undefined ? null : window.__pwned,
  img: document.querySelectorAll('img').length,
  js_links: document.querySelectorAll('a[href^="javascript"]').length,
  h1: document.querySelector('h1') ? document.querySelector('h1').textContent : null,
  text: document.body.textContent,
})"""


def _source_copy(repo_root: Path, target: Path) -> Path:
    """Copy the package, notebooks and data; the group's name in groups.yaml is the payload."""
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("socecon", "notebooks", "data"):
        shutil.copytree(repo_root / folder, target / folder, ignore=ignore)
    groups = target / "socecon" / "definitions" / "groups.yaml"
    text = groups.read_text(encoding="utf-8")
    assert "name: ISD Midden-Langstraat" in text
    groups.write_text(
        text.replace("name: ISD Midden-Langstraat", f"name: '{GROUP_NAME}'"), encoding="utf-8"
    )
    return target


def _cbs_copy(target: Path) -> Path:
    """Copy the CBS exports with Gilze en Rijen's label replaced by the payload (sums updated)."""
    shutil.copytree(CBS_DIR, target)
    sums = target / "SHA256SUMS.txt"
    lines = []
    for line in sums.read_text().splitlines():
        digest, name = line.split("  ", 1)
        path = target / name
        path.chmod(0o644)
        text = path.read_text(encoding="utf-8") if path.suffix == ".csv" else ""
        if "Gilze en Rijen" in text:
            path.write_text(text.replace("Gilze en Rijen", LABEL), encoding="utf-8")
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {name}")
    sums.chmod(0o644)
    sums.write_text("\n".join(lines) + "\n")
    return target


def _socecon(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "socecon", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def reports(repo_root, tmp_path_factory):
    """Reports on the group with the payload name and on the municipality with the payload label."""
    tmp = tmp_path_factory.mktemp("injection")
    source = _source_copy(repo_root, tmp / "src")
    env = {**os.environ, "PYTHONPATH": str(source)}
    env.pop("SOCECON_DATA_DIR", None)
    data = tmp / "data"
    built = _socecon(
        ["data", "build", "--cbs-dir", str(_cbs_copy(tmp / "cbs")), "--data-dir", str(data)],
        tmp,
        env,
    )
    assert built.returncode == 0, built.stderr
    assert LABEL in (data / "regions.csv").read_text(encoding="utf-8")
    env["SOCECON_DATA_DIR"] = str(data)
    out = tmp / "reports"
    codes = ["--gemeente", "isd_midden_langstraat", "--gemeente", "GM0784"]
    run = _socecon(["run", *codes, "--out", str(out), "--jobs", "2", "--no-progress"], tmp, env)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


@pytest.fixture
def browser():
    b = Browser(CHROMIUM)
    yield b
    b.close()


def _open(browser: Browser, page: Path) -> dict:
    browser.open(page.as_uri())
    browser.wait_for("document.readyState == 'complete'")
    time.sleep(1.0)  # a failed image's onerror and an svg's onload fire after the load
    return browser.evaluate(f"JSON.parse({FLAGS})")


def test_the_payload_runs_when_it_is_markup(tmp_path, browser):
    # The control: the same payload written into a page as raw HTML does run in this browser.
    page = tmp_path / "raw.html"
    page.write_text(f"<!DOCTYPE html><html><body><h1>{PAYLOAD}</h1></body></html>")
    assert _open(browser, page)["pwned"] is not None


@pytest.mark.parametrize(
    ("code", "name"), [("isd_midden_langstraat", GROUP_NAME), ("GM0784", LABEL)]
)
def test_a_name_with_script_shows_as_text_and_runs_nothing(reports, browser, code, name):
    flags = _open(browser, reports / f"{code}.html")
    assert flags["pwned"] is None
    assert flags["img"] == 0 and flags["js_links"] == 0
    # the title of the report shows the name literally (Markdown and HTML included); nbconvert
    # adds an anchor "¶" to headings
    assert flags["h1"].removesuffix("¶") == f"Sociale economie in {name}: vier scenario's voor 2020"
    assert name in flags["text"]
    assert browser.evaluate("document.title") == name
    assert browser.errors() == []


def test_the_index_shows_the_names_as_text(reports, browser):
    flags = _open(browser, reports / "index.html")
    assert flags["pwned"] is None and flags["img"] == 0 and flags["js_links"] == 0
    assert GROUP_NAME in flags["text"] and LABEL in flags["text"]
