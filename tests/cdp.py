"""A small Chrome DevTools Protocol client for the browser tests (headless Debian chromium).

The browser itself (start-up with the network off, commands, waiting) is socecon's own
:class:`socecon.batch.chromium.Chromium`, which ``socecon run --pdf`` prints with; the tests add
an offline connection, console errors and screenshots.
"""

from __future__ import annotations

import base64
from pathlib import Path

from socecon.batch.chromium import CHROMIUM_NAMES, Chromium, find_chromium

__all__ = ["CHROMIUM_NAMES", "Browser", "find_chromium"]


class Browser(Chromium):
    """Headless Chromium with the network off, driven over one page's DevTools websocket.

    Network is blocked three ways: every request goes to a dead proxy, every host name fails to
    resolve, and the page emulates an offline connection. ``file://`` pages still load. With
    ``allow_loopback`` (for pages served by a local Jupyter server) 127.0.0.1 stays reachable
    and the page is not set offline; every other host is still blocked.
    """

    def __init__(self, executable: str, timeout: float = 30.0, allow_loopback: bool = False):
        super().__init__(executable, timeout=timeout, allow_loopback=allow_loopback)
        for method in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            self.call(method)
        self.call(
            "Network.emulateNetworkConditions",
            offline=not allow_loopback,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen so far."""
        self.evaluate("0")  # drain pending events
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                )
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"{params['entry'].get('source')}: {params['entry'].get('text')}")
        return found

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path
