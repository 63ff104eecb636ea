"""Headless Chromium driven over the Chrome DevTools Protocol: reports printed to PDF.

The same real browser the tests use (Debian's ``chromium``): :class:`Chromium` starts it with the
network off and drives its first page; :meth:`Chromium.new_tab` opens more tabs, each a
:class:`Tab` with a websocket of its own, so that several threads can print at once (see
:mod:`socecon.batch.pdf`, ``socecon run --pdf``). :meth:`DevTools.print_pdf` opens a report from
disk, waits until vega has drawn every chart (or shown its error) and prints the page with its
own print stylesheet (A4, see ``report.css``); the PDF is written atomically
(:func:`socecon.report.export.write_atomic`), so a half-written PDF never exists.

:class:`Chromium` is also the base of the browser the tests drive (``tests/cdp.py``).
"""

from __future__ import annotations

import base64
import contextlib
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

from socecon.exceptions import ReportError
from socecon.present.embed import ERROR_CLASS
from socecon.report.export import write_atomic

#: Program names tried, in order, when ``SOCECON_CHROMIUM`` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

#: Environment variable naming the Chromium (or Chrome) executable to use.
CHROMIUM_ENV = "SOCECON_CHROMIUM"

#: JavaScript that is true once every chart of a report has drawn itself or shown its error
#: (:data:`~socecon.present.embed.ERROR_CLASS`: vega failed, or the page has no vega bundle).
CHARTS_DRAWN = (
    "(function () {"
    " var charts = document.querySelectorAll('.socecon-chart');"
    " var drawn = Object.keys(window.socEconViews || {}).length;"
    f" var failed = document.querySelectorAll('.{ERROR_CLASS}').length;"
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


class DevTools:
    """One DevTools websocket of a running Chromium: a page (tab) to drive.

    Not thread-safe: one thread drives one connection. A batch prints in parallel through
    several tabs of one browser (:meth:`Chromium.new_tab`), each driven by a thread of its own.

    Parameters
    ----------
    url : str
        The page's ``webSocketDebuggerUrl``.
    timeout : float
        Seconds allowed for one command and for a page to load.
    """

    def __init__(self, url: str, timeout: float):
        self.timeout = timeout
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

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
        socecon.exceptions.ReportError
            When the page cannot be opened (e.g. ``net::ERR_FILE_NOT_FOUND``).
        TimeoutError
            When the page does not finish loading in time.
        """
        navigated = self.call("Page.navigate", url=url)
        if navigated.get("errorText"):
            raise ReportError(f"cannot open {url}: {navigated['errorText']}")
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
        socecon.exceptions.ReportError
            When the page cannot be opened.
        TimeoutError
            When the page or its charts take longer than the browser's timeout.
        """
        page = Path(page).resolve()
        target = Path(pdf) if pdf is not None else page.with_suffix(".pdf")
        self.open(page.as_uri())
        # this page's charts, not those of the page the tab showed before
        self.wait_for(f"location.href === {json.dumps(page.as_uri())} && {CHARTS_DRAWN}")
        result = self.call(
            "Page.printToPDF",
            printBackground=True,
            preferCSSPageSize=True,
            displayHeaderFooter=False,
        )
        write_atomic(target, base64.b64decode(result["data"]))
        return target

    def disconnect(self) -> None:
        """Close this websocket (the page stays open)."""
        with contextlib.suppress(Exception):
            self.ws.close()


class Chromium(DevTools):
    """Headless Chromium with the network off, driven over its first page's DevTools websocket.

    Every request goes to a dead proxy and every host name fails to resolve, so a report cannot
    load anything from the internet; ``file://`` pages still load. With ``allow_loopback``
    127.0.0.1 stays reachable (for pages served by a local server). Background tabs are not
    throttled, so pages in parallel tabs (:meth:`new_tab`) load and draw at full speed.

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
        self.ws = None
        self.profile = tempfile.mkdtemp(prefix="socecon-chromium-")
        resolver = "MAP * ~NOTFOUND" + (", EXCLUDE 127.0.0.1" if allow_loopback else "")
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows",
            "--disable-renderer-backgrounding",
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
            self.port = self._port()
            pages = json.loads(self._http("GET", "/json/list"))
            page = next(p for p in pages if p.get("type") == "page")
            super().__init__(page["webSocketDebuggerUrl"], timeout)
        except BaseException:
            self.close()
            raise

    def _port(self) -> int:
        active = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while True:
            if self.process.poll() is not None:
                raise ReportError(f"chromium exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                raise ReportError("chromium did not open its DevTools port")
            try:
                return int(active.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                time.sleep(0.05)

    def _http(self, method: str, path: str) -> str:
        """One request to the browser's DevTools HTTP endpoint (thread-safe, unlike a websocket)."""
        # Straight to localhost: the browser's proxy settings do not apply to this client.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with opener.open(request, timeout=self.timeout) as response:
            return response.read().decode("utf-8")

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def alive(self) -> bool:
        """Return whether the browser process is still running."""
        return self.process.poll() is None

    def new_tab(self) -> Tab:
        """Open a new tab (``about:blank``) and connect to it; safe to call from any thread.

        Returns
        -------
        Tab
            The tab, to be driven by one thread and closed with :meth:`Tab.close`.
        """
        target = json.loads(self._http("PUT", "/json/new?about:blank"))
        return Tab(self, target["id"], target["webSocketDebuggerUrl"])

    def close(self) -> None:
        """End the browser (every tab with it) and remove its profile folder."""
        try:
            if getattr(self, "ws", None) is not None:
                self.disconnect()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


class Tab(DevTools):
    """A tab of a running :class:`Chromium`, opened by :meth:`Chromium.new_tab`.

    Parameters
    ----------
    browser : Chromium
        The browser the tab belongs to.
    target : str
        The tab's DevTools target id.
    url : str
        Its ``webSocketDebuggerUrl``.
    """

    def __init__(self, browser: Chromium, target: str, url: str):
        self.browser, self.target = browser, target
        super().__init__(url, browser.timeout)

    def close(self) -> None:
        """Close the tab (what it was doing stops); nothing happens if the browser is gone."""
        self.disconnect()
        if self.browser.alive():
            with contextlib.suppress(OSError):
                self.browser._http("GET", f"/json/close/{self.target}")
