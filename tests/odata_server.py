"""A CBS OData v3 feed on 127.0.0.1 that serves the fixtures in tests/fixtures/cbs_odata.

A real HTTP server (``http.server`` in a thread), so that ``cbsodata`` and ``requests`` run
unchanged: ``socecon data refresh --service http://127.0.0.1:<port>`` reads it as it would read
opendata.cbs.nl. It answers ``/ODataFeed/odata/<table>/`` (service document) and
``/ODataFeed/odata/<table>/<name>`` with ``{"odata.metadata": ..., "value": [...]}``, pages the
data sets by ``$skip`` with an ``odata.nextLink`` as CBS does, applies ``$select`` and the
``$filter`` forms socecon sends (``X eq 'v' or ...``, ``startswith(X,'v')``) and answers
anything else with an OData error. Tests can break it: ``fail`` (table -> HTTP status),
``hang`` (tables never answered until the server closes), ``edit`` (change a document),
``apply_filter = False`` (ignore ``$filter``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

PAGE = 4
DATA_SETS = ("TypedDataSet", "UntypedDataSet")


def _filter(expression: str) -> Callable[[dict], bool]:
    """The row test of the ``$filter`` forms socecon sends; ValueError for any other."""
    if m := re.fullmatch(r"startswith\((\w+),'([^']*)'\)", expression):
        field, prefix = m.groups()
        return lambda row: str(row.get(field) or "").startswith(prefix)
    terms = [re.fullmatch(r"(\w+) eq '([^']*)'", t.strip()) for t in expression.split(" or ")]
    if not all(terms):
        raise ValueError(f"unsupported $filter {expression!r}")
    pairs = [t.groups() for t in terms]
    return lambda row: any(row.get(field) == value for field, value in pairs)


class ODataServer:
    """Serve ``root/<folder>/<name>.json`` for table ``<table>`` (folder = ``tables[table]``)."""

    def __init__(self, root: Path, tables: dict[str, str] | None = None) -> None:
        self.root, self.tables = root, dict(tables or {})
        self.fail: dict[str, int] = {}
        self.hang: set[str] = set()
        self.edit: Callable[[str, str, dict], dict] | None = None
        self.apply_filter = True  # False: answer as if the service ignored $filter
        self.urls: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.urls.append(self.path)
                status, body = server.answer(self.path)
                if status == 0:
                    server.release.wait(60)  # never answer, until the server closes
                    return
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;odata=minimalmetadata")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving; requests left hanging are released."""
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)

    @staticmethod
    def error(status: int, message: str) -> tuple[int, dict]:
        return status, {"odata.error": {"code": "", "message": {"lang": "nl", "value": message}}}

    def answer(self, path: str) -> tuple[int, dict]:
        """Return (HTTP status, JSON body) for a request path; status 0: do not answer."""
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.split("/")
        if parts[1:3] != ["ODataFeed", "odata"] or len(parts) < 4:
            return self.error(404, f"no resource {url.path}")
        table, name = parts[3], (parts[4] if len(parts) > 4 else "")
        if table in self.hang:
            return 0, {}
        if table in self.fail:
            return self.error(self.fail[table], "Internal Server Error")
        file = self.root / self.tables.get(table, table) / f"{name or 'index'}.json"
        if not file.is_file():
            return self.error(404, f"table {table} has no {name or 'service document'}")
        doc = json.loads(file.read_text(encoding="utf-8"))
        if self.edit is not None:
            doc = self.edit(table, name, doc)
        if name not in DATA_SETS:
            return 200, doc
        rows = doc["value"]
        known = set().union(*(r.keys() for r in rows))
        try:
            if "$filter" in query and self.apply_filter:
                rows = [r for r in rows if _filter(query["$filter"])(r)]
        except ValueError as exc:
            return self.error(400, str(exc))
        if "$select" in query:
            fields = query["$select"].split(",")
            unknown = [f for f in fields if f not in known]
            if unknown:
                return self.error(400, f"no property {unknown[0]!r} in {table}/{name}")
            rows = [{f: r.get(f) for f in fields} for r in rows]
        skip = int(query.get("$skip", 0))
        doc["value"] = rows[skip : skip + PAGE]
        if skip + PAGE < len(rows):
            more = {k: v for k, v in query.items() if k != "$skip"} | {"$skip": skip + PAGE}
            doc["odata.nextLink"] = f"{self.url}{url.path}?{urlencode(more)}"
        return 200, doc
