"""Reports printed to PDF by headless Chromium, one browser for a whole batch.

``socecon run --pdf`` prints every report it wrote to a PDF beside its HTML page
(``GM0301.html`` -> ``GM0301.pdf``), in the same real browser the tests use (Debian's
``chromium``), driven over the Chrome DevTools Protocol: the page is opened from disk with the
network off, every chart is waited for until vega has drawn it (or shown its error), and the page
is printed with its own print stylesheet (A4, see ``report.css``). The PDF is written atomically
(:func:`socecon.report.export.write_atomic`), so a half-written PDF never exists.

:class:`Chromium` is also the base of the browser the tests drive (``tests/cdp.py``).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket  # websocket-client
from tqdm import tqdm

from socecon.exceptions import ReportError
from socecon.report.export import write_atomic

#: Program names tried, in order, when ``SOCECON_CHROMIUM`` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

#: Environment variable naming the Chromium (or Chrome) executable to use.
CHROMIUM_ENV = "SOCECON_CHROMIUM"

#: JavaScript that is true once every chart of a report has drawn itself or shown its error.
CHARTS_DRAWN = (
    "(function () {"
    " var charts = document.querySelectorAll('.socecon-chart');"
    " var drawn = Object.keys(window.socEconViews || {}).length;"
    " var failed = document.querySelectorAll('.socecon-chart-error').length;"
    " return document.readyState === 'complete' && drawn + failed >= charts.length;"
    "})()"
)


def find_chromium() -> str | None:
    """Return the Chromium executable: ``$SOCECON_CHROMIUM``, else the first on ``PATH``.

    Returns
    -------
    str or None
        The path, or None when none is found.
    """
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return shutil.which(named)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """Return the Chromium executable, or stop with one message saying how to get it.

    Returns
    -------
    str
        The path of the executable.

    Raises
    ------
    socecon.exceptions.ReportError
        When no Chromium is found.
    """
    path = find_chromium()
    if path is None:
        named = os.environ.get(CHROMIUM_ENV)
        looked = f"{CHROMIUM_ENV}={named}" if named else ", ".join(CHROMIUM_NAMES) + " on PATH"
        raise ReportError(
            f"--pdf needs headless Chromium, not found ({looked}); install it "
            f"(Debian: apt-get install chromium) or set {CHROMIUM_ENV} to its path"
        )
    return path


class Chromium:
    """Headless Chromium with the network off, driven over one page's DevTools websocket.

    Every request goes to a dead proxy and every host name fails to resolve, so a report cannot
    load anything from the internet; ``file://`` pages still load. With ``allow_loopback``
    127.0.0.1 stays reachable (for pages served by a local server).

    Parameters
    ----------
    executable : str
        The browser (see :func:`find_chromium`).
    timeout : float
        Seconds allowed for the browser to start, for one command and for a page to load.
    allow_loopback : bool
        Leave 127.0.0.1 reachable.
    """

    def __init__(self, executable: str, timeout: float = 30.0, allow_loopback: bool = False):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="socecon-chromium-")
        resolver = "MAP * ~NOTFOUND" + (", EXCLUDE 127.0.0.1" if allow_loopback else "")
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--proxy-server=127.0.0.1:9",
            f"--host-resolver-rules={resolver}",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "--window-size=1280,2000",
            f"--user-data-dir={self.profile}",
        ]
        self.process = subprocess.Popen(
            [executable, *flags, "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.ws = self._connect()
        except BaseException:
            self.close()
            raise
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def _connect(self) -> Any:
        active = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        port = None
        while port is None:
            if self.process.poll() is not None:
                raise ReportError(f"chromium exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                raise ReportError("chromium did not open its DevTools port")
            try:
                port = int(active.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                time.sleep(0.05)
        # Straight to localhost: the browser's proxy settings do not apply to this client.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            pages = json.load(response)
        page = next(p for p in pages if p.get("type") == "page")
        return websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=self.timeout, suppress_origin=True
        )

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, **params: Any) -> dict:
        """Send one DevTools command and return its result; events meanwhile are kept.

        Parameters
        ----------
        method : str
            The command, e.g. ``"Page.navigate"``.
        **params
            Its parameters.

        Returns
        -------
        dict
            The command's result.

        Raises
        ------
        RuntimeError
            When the browser answers with an error.
        """
        ident = next(self.ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        """Evaluate JavaScript in the page and return its value (JSON-like).

        Raises
        ------
        RuntimeError
            When the expression throws.
        """
        result = self.call(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} raised {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value.

        Raises
        ------
        TimeoutError
            When it stays falsy for ``timeout`` (default: the browser's) seconds.
        """
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(f"timed out waiting for {expression}")

    def open(self, url: str) -> None:
        """Navigate and wait for the load event.

        Raises
        ------
        TimeoutError
            When the page does not finish loading in time.
        """
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def print_pdf(self, page: str | Path, pdf: str | Path | None = None) -> Path:
        """Print one report page to PDF, atomically, once all its charts are drawn.

        The paper size and margins come from the page's own ``@page`` rule (A4 in
        ``report.css``); backgrounds are printed, so coloured table cells keep their colour.

        Parameters
        ----------
        page : str or Path
            The HTML file.
        pdf : str or Path, optional
            The PDF to write; by default beside the page, with the suffix ``.pdf``.

        Returns
        -------
        Path
            The PDF written.

        Raises
        ------
        TimeoutError
            When the page or its charts take longer than the browser's timeout.
        """
        page = Path(page).resolve()
        target = Path(pdf) if pdf is not None else page.with_suffix(".pdf")
        self.open(page.as_uri())
        self.wait_for(CHARTS_DRAWN)
        result = self.call(
            "Page.printToPDF",
            printBackground=True,
            preferCSSPageSize=True,
            displayHeaderFooter=False,
        )
        write_atomic(target, base64.b64decode(result["data"]))
        return target

    def close(self) -> None:
        """End the browser and remove its profile folder."""
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


def print_reports(
    pages: list[Path], executable: str, timeout: float = 60.0, progress: bool = False
) -> list[tuple[Path, str]]:
    """Print report pages to PDF beside them, in one browser; a failure never stops the rest.

    Parameters
    ----------
    pages : list of Path
        The HTML reports.
    executable : str
        The browser (see :func:`require_chromium`).
    timeout : float
        Seconds allowed per page (loading and drawing its charts).
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    list of (Path, str)
        The pages that could not be printed, each with the reason; empty when all were printed.
        After a failure the browser is started afresh for the next page.
    """
    failures: list[tuple[Path, str]] = []
    browser: Chromium | None = None
    try:
        for page in tqdm(pages, desc="pdf", unit="report", disable=not progress):
            try:
                browser = browser or Chromium(executable, timeout=timeout)
                browser.print_pdf(page)
            except Exception as exc:  # a page, or the browser, that failed: go on with the next
                failures.append((Path(page), f"{type(exc).__name__}: {exc}"))
                if browser is not None:
                    browser.close()
                browser = None
    finally:
        if browser is not None:
            browser.close()
    return failures
