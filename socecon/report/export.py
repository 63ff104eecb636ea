"""HTML reports that open offline: export of an executed notebook, and atomic writes.

An executed report notebook becomes one self-contained Dutch HTML page: code cells and prompts are
hidden, nothing is loaded from the internet (no require.js, MathJax or CDN links), and the vega
bundle (vega, vega-lite and vega-embed from ``vl_convert``, about 0.9 MB, 0.26 MB gzipped) is
inlined once in ``<head>``. Charts made with :func:`~.embed.show` draw themselves with that
bundle. Inlining costs about 0.9 MB per report but gives a single file that can be mailed to a
municipality and still works; ``bundle="shared"`` writes one ``vega-bundle.js`` beside the reports
instead (reports of a few tens of kB, but the folder must travel together).

nbconvert and vl_convert are imported only when a page is exported (the runner imports this module
at start-up, and nbconvert alone takes about 2 s); so is nbformat, through nbconvert. The index
page of a reports folder is :mod:`socecon.report.index`.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from datetime import datetime
from functools import lru_cache, partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from socecon import __version__
from socecon.definitions import MODEL_VERSION
from socecon.report.key_figures import KEY_FIGURES_MIMETYPE
from socecon.report.navigation import add_navigation

#: File name of the shared vega bundle when reports do not inline it.
BUNDLE_FILENAME = "vega-bundle.js"

#: The folder holding the nbconvert template ``report``.
TEMPLATES = Path(__file__).resolve().parent / "templates"

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
    index_href: str | None = None,
) -> str:
    """Render an executed notebook as an offline Dutch HTML page.

    The sections (second-level headings) are numbered and listed in a table of contents
    (:func:`socecon.report.navigation.add_navigation`).

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
        Text of the page footer; by default names the version and the time of export.
    index_href : str, optional
        The address of the index of all reports (``index.html`` beside the page); the page
        opens with a link back to it. None (the default): no back link.

    Returns
    -------
    str
        The complete HTML document.
    """
    if bundle not in ("inline", "shared"):
        raise ValueError(f"bundle must be 'inline' or 'shared', not {bundle!r}")
    exporter = _exporter()
    if isinstance(notebook, str | Path):
        # nbconvert reads the file (with nbformat); importing nbformat here would cost every
        # command line start-up its jsonschema (about 1.2 s), since the runner imports this module.
        text = Path(notebook).read_text(encoding="utf-8")
        metadata = json.loads(text).get("metadata", {})
        render = partial(exporter.from_file, io.StringIO(text))
    else:
        metadata = notebook.metadata
        render = partial(exporter.from_notebook_node, notebook)
    title = title or metadata.get("title") or "Rapport"
    stamp = _now().strftime("%d-%m-%Y %H:%M")
    resources = {
        "socecon": {
            "title": title,
            "version": __version__,
            "model_version": MODEL_VERSION,
            "bundle_marker": _BUNDLE_MARKER if bundle == "inline" else "",
            "bundle_src": BUNDLE_FILENAME if bundle == "shared" else "",
            "key_figures_mimetype": KEY_FIGURES_MIMETYPE,
            "footer": footer
            or (
                f"Rekenmodel versie {MODEL_VERSION} (programmaversie {__version__}), gemaakt op "
                f"{stamp}. Bron: CBS."
            ),
        }
    }
    body, _ = render(resources=resources)
    body = add_navigation(body, index_href=index_href)
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
    index_href: str | None = None,
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
    index_href : str, optional
        The address of the index page, for the link back to it (see :func:`export_html`).

    Returns
    -------
    int
        The size of the page in bytes (without a shared bundle).
    """
    path = Path(path)
    page = export_html(notebook, title=title, bundle=bundle, index_href=index_href)
    page = page.encode("utf-8")
    if bundle == "shared":
        shared = path.parent / BUNDLE_FILENAME
        code = vega_bundle().encode("utf-8")
        if not shared.exists() or shared.read_bytes() != code:
            write_atomic(shared, code)
    write_atomic(path, page)
    return len(page)


def _now() -> datetime:
    return datetime.now().astimezone()
