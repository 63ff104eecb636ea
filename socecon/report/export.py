"""HTML reports that open offline: export, atomic writes, key figures and the index page.

An executed report notebook becomes one self-contained Dutch HTML page: code cells and prompts are
hidden, nothing is loaded from the internet (no require.js, MathJax or CDN links), and the vega
bundle (vega, vega-lite and vega-embed from ``vl_convert``, about 0.9 MB, 0.26 MB gzipped) is
inlined once in ``<head>``. Charts made with :func:`~.embed.show` draw themselves with that
bundle. Inlining costs about 0.9 MB per report but gives a single file that can be mailed to a
municipality and still works; ``bundle="shared"`` writes one ``vega-bundle.js`` beside the reports
instead (reports of a few tens of kB, but the folder must travel together).

Notebooks hand key figures to the index page with :func:`publish_key_figures`; the runner reads
them back with :func:`key_figures` and :func:`update_index` lists every report with its figures.

This module is imported by report kernels too (for :func:`publish_key_figures`), so nbconvert and
vl_convert are imported only when a page is exported.
"""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from numbers import Real
from pathlib import Path
from typing import Any, Literal

from socecon import __version__

#: Mime type of the key-figures output (never shown in a report, read by the runner).
KEY_FIGURES_MIMETYPE = "application/vnd.socecon.key-figures+json"

#: File name of the shared vega bundle when reports do not inline it.
BUNDLE_FILENAME = "vega-bundle.js"

#: The folder holding the nbconvert template ``report``.
TEMPLATES = Path(__file__).resolve().parent / "templates"

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"
INDEX_TITLE = "Rapporten sociale economie"

Bundle = Literal["inline", "shared"]

_BUNDLE_MARKER = "/* socecon: vega bundle */"


# --------------------------------------------------------------------------- the vega bundle


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "socecon"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Return the JavaScript bundle of vega, vega-lite and vega-embed, for offline pages.

    Building it with ``vl_convert.javascript_bundle()`` takes one to two seconds, so the result is
    kept for the life of the process and in a file in the user's cache folder
    (``$XDG_CACHE_HOME/socecon`` or ``~/.cache/socecon``), keyed by the vl-convert version. A cache
    that cannot be written is skipped silently.

    Returns
    -------
    str
        The bundle; it defines the globals ``vegaEmbed``, ``vega`` and ``vegaLite``.
    """
    from importlib.metadata import version

    cached = _cache_dir() / f"vega-bundle-vl-convert-{version('vl-convert-python')}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert

    bundle = vl_convert.javascript_bundle()
    if "</script" in bundle.lower():  # would end an inline <script> early
        bundle = bundle.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, bundle)
    except OSError:
        pass
    return bundle


# --------------------------------------------------------------------------- atomic writes


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The data go to a temporary file in the same folder, are flushed to disk, and the file is then
    renamed over ``path`` (``os.replace``, atomic on POSIX and Windows). On any error the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or Path
        The target file; its folder must exist.
    data : str or bytes
        The content; text is written as UTF-8.

    Returns
    -------
    Path
        The target path.

    Raises
    ------
    OSError
        If the folder cannot be written (for instance ``PermissionError`` on a read-only folder).
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- export


@lru_cache(maxsize=1)
def _exporter():
    """One configured HTMLExporter per process (building one costs more than using it)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def export_html(
    notebook: Any,
    *,
    title: str | None = None,
    bundle: Bundle = "inline",
    footer: str | None = None,
) -> str:
    """Render an executed notebook as an offline Dutch HTML page.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or str or Path
        The executed notebook, or the path of an ``.ipynb`` file.
    title : str, optional
        The page title (``<title>``); the notebook's ``metadata.title`` or "Rapport" by default.
    bundle : {"inline", "shared"}
        ``"inline"``: the vega bundle is part of the page (one self-contained file).
        ``"shared"``: the page loads ``vega-bundle.js`` from its own folder
        (see :func:`write_report`, which puts the file there).
    footer : str, optional
        Text of the page footer; by default names socecon's version and the time of export.

    Returns
    -------
    str
        The complete HTML document.
    """
    import nbformat

    if isinstance(notebook, str | Path):
        notebook = nbformat.read(str(notebook), as_version=4)
    if bundle not in ("inline", "shared"):
        raise ValueError(f"bundle must be 'inline' or 'shared', not {bundle!r}")
    title = title or notebook.metadata.get("title") or "Rapport"
    stamp = _now().strftime("%d-%m-%Y %H:%M")
    resources = {
        "socecon": {
            "title": title,
            "version": __version__,
            "bundle_marker": _BUNDLE_MARKER if bundle == "inline" else "",
            "bundle_src": BUNDLE_FILENAME if bundle == "shared" else "",
            "key_figures_mimetype": KEY_FIGURES_MIMETYPE,
            "footer": footer or f"Gemaakt met socecon {__version__} op {stamp}. Bron: CBS.",
        }
    }
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    if bundle == "inline":
        # Put in after nbconvert's own HTML clean-up (BeautifulSoup), which would otherwise
        # parse the 0.9 MB of JavaScript for every report.
        body = body.replace(_BUNDLE_MARKER, vega_bundle(), 1)
    return body


def write_report(
    notebook: Any,
    path: str | Path,
    *,
    title: str | None = None,
    bundle: Bundle = "inline",
) -> int:
    """Export ``notebook`` and write the page atomically to ``path``.

    With ``bundle="shared"``, ``vega-bundle.js`` is written (atomically) beside the page when it
    is missing or differs from the current bundle.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or str or Path
        The executed notebook.
    path : str or Path
        The HTML file to write; its folder must exist.
    title : str, optional
        The page title.
    bundle : {"inline", "shared"}
        Where the vega bundle lives, see :func:`export_html`.

    Returns
    -------
    int
        The size of the page in bytes (without a shared bundle).
    """
    path = Path(path)
    page = export_html(notebook, title=title, bundle=bundle).encode("utf-8")
    if bundle == "shared":
        shared = path.parent / BUNDLE_FILENAME
        code = vega_bundle().encode("utf-8")
        if not shared.exists() or shared.read_bytes() != code:
            write_atomic(shared, code)
    write_atomic(path, page)
    return len(page)


# --------------------------------------------------------------------------- key figures


def _plain(value: Any) -> Any:
    """Turn numpy/pandas scalars into JSON-friendly Python values."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def publish_key_figures(figures: Mapping[str, Any]) -> None:
    """Hand key figures of a report to the index page (call this in the report notebook).

    The figures become a notebook output of their own mime type: JupyterLab shows them as text,
    the report page leaves them out, and the runner reads them back with :func:`key_figures`.

    Parameters
    ----------
    figures : mapping of str to number or str
        Dutch labels (the index column headers) and values, e.g.
        ``{"Doelgroep (personen)": 2310, "Geplaatst, Regulier": 640.5}``.
    """
    from IPython.display import display

    data = {str(k): _plain(v) for k, v in figures.items()}
    text = "\n".join(f"{k}: {format_value(v)}" for k, v in data.items())
    display({KEY_FIGURES_MIMETYPE: data, "text/plain": text}, raw=True)


def key_figures(notebook: Any) -> dict[str, Any]:
    """Collect the key figures an executed notebook published.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    dict
        Label to value, in publication order; later publications override earlier ones.
    """
    found: dict[str, Any] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if KEY_FIGURES_MIMETYPE in data:
                found.update(data[KEY_FIGURES_MIMETYPE])
    return found


# --------------------------------------------------------------------------- Dutch numbers


def format_number(value: float, decimals: int = 0) -> str:
    """Format a number the Dutch way: thousands separated by a dot, a decimal comma.

    Parameters
    ----------
    value : float
        The number.
    decimals : int
        Digits after the decimal comma.

    Returns
    -------
    str
        E.g. ``format_number(1234567.891, 1) == "1.234.567,9"``; ``"–"`` for NaN.

    Examples
    --------
    >>> format_number(-1234.5, 2)
    '-1.234,50'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    english = f"{value:,.{decimals}f}"
    return english.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_value(value: Any) -> str:
    """Format a key figure for the index: whole numbers plain, other numbers with one decimal.

    Parameters
    ----------
    value : Any
        A number, a string or None.

    Returns
    -------
    str
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            return "–"
        return format_number(value, 0 if value == round(value) or abs(value) >= 1000 else 1)
    return str(value)


# --------------------------------------------------------------------------- index page


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index page.

    Parameters
    ----------
    code : str
        The region code (``GM0363``) or group id (``isd_midden_langstraat``).
    name : str
        The Dutch name shown in the index.
    href : str or None
        The report's file name relative to the index; None when the report failed.
    figures : dict
        Key figures (label to value), see :func:`publish_key_figures`.
    error : str or None
        Why the report failed, if it did.
    updated : str
        When the entry was made (ISO 8601).
    """

    code: str
    name: str
    href: str | None
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    updated: str = field(default_factory=lambda: _now().isoformat("T", "seconds"))


def _now() -> datetime:
    return datetime.now().astimezone()


def render_index(entries: Iterable[IndexEntry], *, title: str = INDEX_TITLE) -> str:
    """Render the Dutch index page: one table row per report with its key figures.

    Parameters
    ----------
    entries : iterable of IndexEntry
        The rows, shown in the order given.
    title : str
        The page heading.

    Returns
    -------
    str
        A complete HTML document without scripts or external links.
    """
    entries = list(entries)
    labels: list[str] = []
    for entry in entries:
        labels.extend(k for k in entry.figures if k not in labels)
    css = (TEMPLATES / "report" / "report.css").read_text(encoding="utf-8")
    esc = html.escape
    head = "".join(f'<th class="number">{esc(label)}</th>' for label in labels)
    rows = []
    for entry in entries:
        if entry.href:
            name = f'<a href="{esc(entry.href)}">{esc(entry.name)}</a>'
            status = "gereed"
        else:
            name = esc(entry.name)
            reason = esc(entry.error or "onbekend")
            status = f'<span class="socecon-failed">mislukt: {reason}</span>'
        cells = "".join(
            f'<td class="number">{esc(format_value(entry.figures.get(label)))}</td>'
            for label in labels
        )
        rows.append(f"<tr><td>{name}</td><td>{esc(entry.code)}</td>{cells}<td>{status}</td></tr>")
    done = sum(1 for e in entries if e.href)
    stamp = _now().strftime("%d-%m-%Y %H:%M")
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        f'<main class="socecon-index">\n<h1>{esc(title)}</h1>\n'
        f"<p>{done} van {len(entries)} rapporten gereed. Elk rapport opent zonder internet in "
        "een browser; de grafieken reageren op de schuifregelaars en keuzelijsten.</p>\n"
        f"<table>\n<thead><tr><th>Gemeente of samenwerkingsverband</th><th>Code</th>{head}"
        f"<th>Status</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        "</main>\n"
        f'<footer class="socecon-footer">Gemaakt met socecon {esc(__version__)} op {stamp}. '
        "Bron: CBS.</footer>\n</body>\n</html>\n"
    )


def update_index(out_dir: str | Path, entries: Iterable[IndexEntry]) -> Path:
    """Merge ``entries`` into the index of ``out_dir`` and rewrite ``index.html``.

    The index keeps its rows in ``index.json`` beside the page, so a run for a few codes updates
    their rows and keeps the others. Rows whose report file has disappeared are dropped. Both
    files are written atomically.

    Parameters
    ----------
    out_dir : str or Path
        The reports folder.
    entries : iterable of IndexEntry
        New or updated rows (matched by ``code``).

    Returns
    -------
    Path
        The path of ``index.html``.
    """
    out_dir = Path(out_dir)
    rows: dict[str, IndexEntry] = {}
    try:
        stored = json.loads((out_dir / INDEX_JSON).read_text(encoding="utf-8"))
        for item in stored.get("reports", []):
            rows[item["code"]] = IndexEntry(**item)
    except (OSError, ValueError, TypeError, KeyError):
        rows = {}
    for entry in entries:
        rows[entry.code] = entry
    kept = [e for e in rows.values() if e.href is None or (out_dir / e.href).exists()]
    kept.sort(key=lambda e: (not e.code.startswith("GM"), e.name.lower(), e.code))
    payload = {"version": __version__, "reports": [asdict(e) for e in kept]}
    write_atomic(out_dir / INDEX_JSON, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
    return write_atomic(out_dir / INDEX_HTML, render_index(kept))
