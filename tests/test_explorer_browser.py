"""The explorer as a real page: JupyterLab on loopback, driven by headless Chromium over CDP.

JupyterLab 4 runs on 127.0.0.1 with a token, on a temporary copy of the explorer notebook; the
browser (``tests/cdp.py``, every non-loopback request blocked) opens it, runs all cells, waits for
the widgets and the charts, drags the take-up slider with the mouse and checks that the chart in
the page changes. A screenshot is kept in ``tests/artifacts/``. Skipped only without Chromium;
``.ci/run`` installs it.
"""

from __future__ import annotations

import base64
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
  const charts = root.querySelectorAll('.socecon-views .jp-OutputArea-output svg.marks');
  return charts.length >= 2 && !!root.querySelector('.socecon-slider-take_up .noUi-handle');
})()"""

# The first chart (indicators per scenario): the values in its bar marks' aria labels.
FIRST_CHART = "document.querySelector('.socecon-views .jp-OutputArea-output svg.marks')"
BARS = f"""{FIRST_CHART}
  ? [...{FIRST_CHART}.querySelectorAll('.mark-rect path')].map(p => p.getAttribute('aria-label'))
      .join('|')
  : ''"""

# the notebook panel (headless, nothing has focus, so shell.currentWidget may be null)
PANEL = "(window.jupyterapp && [...jupyterapp.shell.widgets('main')].find(w => w.sessionContext))"

HANDLE = "document.querySelector('.socecon-slider-take_up .noUi-handle')"
HANDLE_BOX = f"""(() => {{
  const r = {HANDLE}.getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
}})()"""

# Bounding boxes [left, top, right, bottom] of what must be on screen together.
BOXES = f"""(() => {{
  const box = e => {{
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  }};
  const q = s => document.querySelector(s);
  return {{
    panel: box(q('.socecon-panel')), chart: box({FIRST_CHART}), handle: box({HANDLE}),
    search: box(q('.socecon-search')),
    tabs: box(q('.socecon-views .lm-TabBar, .socecon-views .p-TabBar')),
    viewport: [0, 0, window.innerWidth, window.innerHeight],
  }};
}})()"""

SEARCH_NOTE = """(() => {
  const note = document.querySelector('.socecon-search')
    .closest('.widget-vbox').querySelector('.socecon-message');
  if (!note) return null;
  const r = note.getBoundingClientRect();
  return [note.textContent, r.left, r.top, r.right, r.bottom];
})()"""


def _button(text: str) -> str:
    return (
        "[...document.querySelectorAll('.socecon-explorer button')]"
        f".find(b => b.textContent.trim() === {text!r}).click()"
    )


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
    # no "would you like news?" notice over the page (and no request for it)
    notices = home / "settings" / "@jupyterlab" / "apputils-extension"
    notices.mkdir(parents=True)
    (notices / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
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
        yield f"http://127.0.0.1:{port}", token, home / "lab.log", root
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


def _changed(browser: Browser, before: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    after = before
    while time.monotonic() < deadline and after == before:
        time.sleep(0.2)
        after = browser.evaluate(BARS)
    return after


def _visible(box: list[float], viewport: list[float]) -> bool:
    """Whether a box lies on the screen: its top-left corner and most of its width."""
    left, top, right, _ = box
    return left >= 0 and 0 <= top < viewport[3] and right <= viewport[2] + 1


def test_explorer_page_on_a_laptop_screen(lab, browser, repo_root):
    url, token, log, _ = lab
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=1366,
        height=768,
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.open(f"{url}/lab/tree/explorer.ipynb?token={token}")
    browser.wait_for(
        f"{PANEL} && {PANEL}.sessionContext.kernelDisplayStatus === 'idle'", timeout=90
    )
    browser.evaluate("jupyterapp.shell.collapseLeft()")
    browser.evaluate(f"jupyterapp.shell.activateById({PANEL}.id)")
    browser.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        browser.wait_for(WIDGETS_DRAWN, timeout=120)
    except TimeoutError:
        pytest.fail(f"explorer did not render; jupyter log:\n{log.read_text()[-3000:]}")
    before = browser.evaluate(BARS)
    assert before and "Hengelo" in before and "Assen" in before

    # 1366 x 768: the controls (a slider among them) and the first chart on screen together
    browser.evaluate("document.querySelector('.socecon-explorer').scrollIntoView({block: 'start'})")
    time.sleep(0.5)
    boxes = browser.evaluate(BOXES)
    assert boxes["viewport"][2:] == [1366, 768]
    for name in ("panel", "chart", "handle", "search", "tabs"):
        assert _visible(boxes[name], boxes["viewport"]), (name, boxes)
    assert boxes["chart"][0] >= boxes["panel"][2]  # side by side, the chart right of the panel
    artifacts = repo_root / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = browser.call("Page.captureScreenshot", format="png")  # the screen, as a user sees it
    (artifacts / "explorer.png").write_bytes(base64.b64decode(shot["data"]))

    # a slider move changes the chart; the readout is Dutch
    readout = "document.querySelector('.socecon-slider-take_up').parentElement.textContent"
    assert "60 %" in browser.evaluate(readout)
    _drag(browser, browser.evaluate(HANDLE_BOX), dx=60)
    moved = _changed(browser, before)
    assert moved != before, "the chart did not change after moving the take-up slider"
    assert "60 %" not in browser.evaluate(readout)

    # a typo: the message stands next to the search box, the valid name is kept
    browser.evaluate("document.querySelector('.socecon-search input').focus()")
    browser.call("Input.insertText", text="Zutfen, Gilze en Rijen")
    browser.evaluate("document.querySelector('.socecon-search input').blur()")  # as a tab away
    note = browser.wait_for(SEARCH_NOTE, timeout=30)
    assert "Zutfen" in note[0] and "Zutphen (GM0301)" in note[0] and "Gilze en Rijen" in note[0]
    search = browser.evaluate(BOXES)["search"]
    assert 0 <= note[2] - search[3] < 80, (note, search)  # right under the search box
    with_gilze = _changed(browser, moved)
    assert "Gilze en Rijen" in with_gilze
    assert browser.evaluate("document.querySelector('.socecon-search input').value") == "Zutfen"

    # a saved configuration restores the same charts
    browser.evaluate(_button("Bewaren"))
    saved = browser.wait_for(
        "document.querySelector('.socecon-info') && "
        "document.querySelector('.socecon-info').textContent"
    )
    assert "werkbank.yaml" in saved
    config = (lab[3] / "werkbank.yaml").read_text()
    assert "GM0784" in config and "take_up:" in config
    browser.evaluate(_button("Alle aannames terugzetten"))
    reset = _changed(browser, with_gilze)
    assert reset != with_gilze
    browser.evaluate(_button("Openen"))
    assert _changed(browser, reset) == with_gilze

    # the kernel side raised nothing while the page was driven
    errors = browser.evaluate(
        "[...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
        '"application/vnd.jupyter.stderr"]\')].map(e => e.textContent)'
    )
    assert not errors
