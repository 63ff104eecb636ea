"""The explorer as a real page: JupyterLab on loopback, driven by headless Chromium over CDP.

JupyterLab 4 runs on 127.0.0.1 with a token, on a temporary copy of the explorer notebook; the
browser (``tests/cdp.py``, every non-loopback request blocked) opens it, runs all cells, waits for
the widgets and the charts, drags the take-up slider with the mouse and checks that the chart in
the page changes. A screenshot is kept in ``tests/artifacts/``. Skipped only without Chromium;
``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from cdp import Browser, find_chromium  # tests/cdp.py

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
    ),
]

WIDGETS_DRAWN = """(() => {
  const root = document.querySelector('.socecon-explorer');
  if (!root) return false;
  const charts = root.querySelectorAll('.jp-OutputArea-output svg.marks');
  return charts.length >= 4 && !!root.querySelector('.socecon-slider-take_up .noUi-handle');
})()"""

# The first chart (indicators per scenario): the values in its bar marks' aria labels.
BARS = """[...document.querySelectorAll('.socecon-explorer .jp-OutputArea-output svg.marks')][0]
  ? [...[...document.querySelectorAll('.socecon-explorer .jp-OutputArea-output svg.marks')][0]
      .querySelectorAll('.mark-rect path')].map(p => p.getAttribute('aria-label')).join('|')
  : ''"""

# the notebook panel (headless, nothing has focus, so shell.currentWidget may be null)
PANEL = "(window.jupyterapp && [...jupyterapp.shell.widgets('main')].find(w => w.sessionContext))"

HANDLE_BOX = """(() => {
  const h = document.querySelector('.socecon-slider-take_up .noUi-handle');
  h.scrollIntoView({block: 'center'});
  const r = h.getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
})()"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {process.returncode}")
        try:
            with opener.open(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"jupyter lab did not answer at {url}")


@pytest.fixture(scope="module")
def lab(repo_root, tmp_path_factory):
    """JupyterLab on a free loopback port, serving a temporary copy of the explorer."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(repo_root / "notebooks" / "explorer.ipynb", root / "explorer.ipynb")
    home = tmp_path_factory.mktemp("lab-home")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    log = (home / "lab.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabServerApp.announcements_url=",
            "--LabApp.extension_manager=readonly",
            "--allow-root",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        try:
            _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", process, timeout=60)
        except (RuntimeError, TimeoutError) as exc:
            log.flush()
            pytest.fail(f"{exc}; jupyter log:\n{(home / 'lab.log').read_text()[-3000:]}")
        yield f"http://127.0.0.1:{port}", token, home / "lab.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def browser():
    # the lab needs loopback HTTP and websockets; every other host stays blocked
    b = Browser(CHROMIUM, timeout=60, allow_loopback=True)
    yield b
    b.close()


def _drag(browser: Browser, start: list[float], dx: float) -> None:
    x, y = start
    browser.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    browser.call(
        "Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1
    )
    for step in range(1, 11):
        browser.call(
            "Input.dispatchMouseEvent", type="mouseMoved", x=x + dx * step / 10, y=y, button="left"
        )
    browser.call(
        "Input.dispatchMouseEvent", type="mouseReleased", x=x + dx, y=y, button="left", clickCount=1
    )


def test_explorer_page_follows_a_slider(lab, browser, repo_root):
    url, token, log = lab
    browser.open(f"{url}/lab/tree/explorer.ipynb?token={token}")
    browser.wait_for(
        f"{PANEL} && {PANEL}.sessionContext.kernelDisplayStatus === 'idle'", timeout=90
    )
    browser.evaluate(f"jupyterapp.shell.activateById({PANEL}.id)")
    browser.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        browser.wait_for(WIDGETS_DRAWN, timeout=120)
    except TimeoutError:
        pytest.fail(f"explorer did not render; jupyter log:\n{log.read_text()[-3000:]}")
    before = browser.evaluate(BARS)
    assert before and "Hengelo" in before and "Assen" in before
    readout = "document.querySelector('.socecon-slider-take_up').parentElement.textContent"
    assert "60 %" in browser.evaluate(readout)

    _drag(browser, browser.evaluate(HANDLE_BOX), dx=120)
    deadline = time.monotonic() + 30
    after = before
    while time.monotonic() < deadline and after == before:
        time.sleep(0.2)
        after = browser.evaluate(BARS)
    assert after != before, "the chart did not change after moving the take-up slider"
    assert "60 %" not in browser.evaluate(readout)

    artifacts = repo_root / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    browser.evaluate(
        "document.querySelector('.socecon-explorer .jp-OutputArea-output svg.marks')"
        ".scrollIntoView({block: 'start'})"
    )
    browser.screenshot(artifacts / "explorer.png")
    # the kernel side raised nothing while the page was driven
    errors = browser.evaluate(
        "[...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
        '"application/vnd.jupyter.stderr"]\')].map(e => e.textContent)'
    )
    assert not errors
