"""A batch of report pages printed to PDF in parallel tabs of one headless Chromium.

``socecon run --pdf`` prints every report it wrote to a PDF beside its HTML page
(``GM0301.html`` -> ``GM0301.pdf``): one browser (:class:`~socecon.batch.chromium.Chromium`)
for the whole batch, a few tabs in it
(:data:`~socecon.batch.tasks.DEFAULT_PDF_TABS`, ``--pdf-tabs``), one thread per
tab taking the next page from a shared queue. Each PDF is written atomically, so a page either
has its whole PDF or none.

A page that fails (it cannot be opened, its charts do not draw in time, the browser answers with
an error) is reported by name and its tab replaced; the other pages go on. Should the browser
itself die, the pages that were in its tabs at that moment are printed again one at a time in a
fresh browser (so the page that kills it is found and reported, and no other page is blamed) and
the rest of the batch goes on in parallel in a fresh browser. The failures come back in the
order of the pages given, whatever the order the tabs finished in. When ``stop`` is set (by a
signal) the browser is closed at once, every tab with it.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path

import websocket  # websocket-client
from tqdm import tqdm

from socecon.batch.chromium import Chromium
from socecon.batch.tasks import DEFAULT_PDF_TABS
from socecon.exceptions import ReportError

#: Errors that mean the connection to the browser broke: then check whether it died.
_BROKEN = (websocket.WebSocketConnectionClosedException, ConnectionError)

#: Seconds to wait for a browser whose connection broke to be seen as exited.
_EXIT_GRACE = 2.0


def _died(browser: Chromium, exc: BaseException) -> bool:
    """Return whether ``browser`` has died (rather than one page failing in it)."""
    if not browser.alive():
        return True
    if isinstance(exc, _BROKEN):
        with contextlib.suppress(Exception):
            browser.process.wait(timeout=_EXIT_GRACE)
    return not browser.alive()


class _Round:
    """Pages printed in one browser by ``width`` tabs; see :func:`print_reports`."""

    def __init__(self, pages: list[Path], batch: list[int], executable: str, timeout: float):
        self.pages = pages
        self.queue = collections.deque(batch)
        self.failed: dict[int, str] = {}
        self.crashed: list[int] = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.browser = Chromium(executable, timeout=timeout)

    def _next(self) -> int | None:
        with self.lock:
            if self.halt.is_set() or not self.browser.alive() or not self.queue:
                return None
            return self.queue.popleft()

    def work(self, bar: tqdm) -> None:
        """Print pages from the queue in one tab until none is left or the browser is gone.

        A tab in which a page failed is closed and a new one opened for the next page.
        """
        tab = None
        try:
            while (index := self._next()) is not None:
                try:
                    tab = tab or self.browser.new_tab()
                    tab.print_pdf(self.pages[index])
                except Exception as exc:  # this page failed, or the browser under it
                    if self.halt.is_set():  # closed on purpose: nobody's fault
                        return
                    died = _died(self.browser, exc)
                    with self.lock:
                        if died:
                            self.crashed.append(index)
                        else:
                            self.failed[index] = f"{type(exc).__name__}: {exc}"
                    if tab is not None:
                        tab.close()
                    tab = None
                    continue
                with self.lock:
                    bar.update(1)
        finally:
            if tab is not None:
                tab.close()

    def run(self, width: int, bar: tqdm, stop: threading.Event) -> None:
        """Print with ``width`` tabs until done or ``stop``; the browser is closed either way."""
        threads = [
            threading.Thread(target=self.work, args=(bar,), name=f"pdf-tab-{n}", daemon=True)
            for n in range(min(width, len(self.queue)))
        ]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive() and not stop.is_set():
                    thread.join(0.1)
        finally:
            self.halt.set()
            self.browser.close()
            for thread in threads:
                thread.join(self.browser.timeout)


def print_reports(
    pages: Sequence[str | Path],
    executable: str,
    *,
    tabs: int = DEFAULT_PDF_TABS,
    timeout: float = 60.0,
    progress: bool = False,
    stop: threading.Event | None = None,
) -> list[tuple[Path, str]]:
    """Print report pages to PDF beside them, in parallel tabs of one browser.

    Parameters
    ----------
    pages : sequence of str or Path
        The HTML reports.
    executable : str
        The browser (see :func:`socecon.batch.chromium.require_chromium`).
    tabs : int
        Pages printed at once, each in a tab of its own.
    timeout : float
        Seconds allowed per page (loading and drawing its charts) and per browser command.
    progress : bool
        Show a progress bar on stderr.
    stop : threading.Event, optional
        When set, the browser is closed at once and no further page is printed.

    Returns
    -------
    list of (Path, str)
        The pages that could not be printed, each with the reason, in the order of ``pages``;
        empty when all were printed (or when ``stop`` was set before any failed).

    Raises
    ------
    socecon.exceptions.ReportError
        When ``tabs`` is less than 1.
    """
    if tabs < 1:
        raise ReportError(f"--pdf-tabs must be at least 1, not {tabs}")
    pages = [Path(page) for page in pages]
    stop = stop or threading.Event()
    failed: dict[int, str] = {}
    todo, suspects = list(range(len(pages))), []
    with tqdm(total=len(pages), desc="pdf", unit="report", disable=not progress) as bar:
        while (todo or suspects) and not stop.is_set():
            if suspects:  # it was in a tab when the browser died: print it alone in a fresh one
                batch, width = [suspects.pop(0)], 1
            else:
                batch, width, todo = todo, tabs, []
            try:
                round_ = _Round(pages, batch, executable, timeout)
            except Exception as exc:  # no browser at all: no page can be printed
                for index in [*batch, *todo, *suspects]:
                    failed[index] = f"chromium did not start: {type(exc).__name__}: {exc}"
                break
            round_.run(width, bar, stop)
            failed.update(round_.failed)
            if width == 1:
                failed.update({i: "chromium exited while printing it" for i in round_.crashed})
            else:
                suspects.extend(sorted(round_.crashed))
            todo = [*round_.queue, *todo]  # not started: the browser died, or stop
    return [(pages[index], failed[index]) for index in sorted(failed)]
