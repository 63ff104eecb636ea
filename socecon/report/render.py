"""``socecon render``: an executed report notebook as the offline page ``socecon run`` writes.

A report notebook run by papermill itself (``papermill notebooks/municipality_report.ipynb
out.ipynb -r region 0301``) holds altair's own chart outputs, which load vega from a CDN; ``jupyter
nbconvert --to html`` would show them with all code. :func:`render_report` replaces every chart by
the report's offline chart (:func:`socecon.present.embed.report_output`, from the spec that
:func:`~socecon.present.embed.show` keeps beside altair's output), takes the page title from the
notebook's ``region`` parameter and writes the page with :func:`socecon.report.export.write_report`,
as ``socecon run`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from socecon import regions
from socecon.exceptions import ReportError, SocEconError
from socecon.present.embed import CHART_MIMETYPE, report_output
from socecon.report.export import Bundle, write_report
from socecon.report.index import INDEX_HTML


def _refuse_failed(notebook: Any, path: Path) -> None:
    """Raise for a notebook that was not executed or stopped with an error."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    if not any(c.get("outputs") for c in code) and not any(c.get("execution_count") for c in code):
        raise ReportError(f"{path} has not been executed (no cell has run); run it with papermill")
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise ReportError(
                    f"{path} stopped with an error in cell {number}: "
                    f"{output.get('ename')}: {output.get('evalue')}; no page is written"
                )


def _title(notebook: Any) -> str | None:
    """Return the region's Dutch name from the papermill parameters, as ``socecon run`` titles."""
    parameters = notebook.metadata.get("papermill", {}).get("parameters", {})
    region = parameters.get("region")
    if not isinstance(region, str):
        return None
    try:
        return regions.region_name(regions.resolve(region))
    except SocEconError:
        return region


def report_notebook(notebook: Any) -> Any:
    """Return ``notebook`` with every chart output replaced by the report's offline chart.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed report notebook; it is not changed.

    Returns
    -------
    nbformat.NotebookNode
        A copy in which each output carrying :data:`~socecon.present.embed.CHART_MIMETYPE`
        holds the ``text/html`` of :func:`~socecon.present.embed.report_output` instead.
    """
    notebook = nbformat.from_dict(notebook)  # a deep copy
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            spec = output.get("data", {}).get(CHART_MIMETYPE)
            if spec is not None:
                output["data"] = nbformat.from_dict(report_output(dict(spec)))
                output["metadata"] = nbformat.from_dict({})
    return notebook


def render_report(executed: str | Path, output: str | Path, *, bundle: Bundle = "inline") -> int:
    """Write the offline page of an executed report notebook, as ``socecon run`` would.

    Parameters
    ----------
    executed : str or Path
        The executed ``.ipynb`` (papermill's output, or the one ``socecon run`` keeps in
        ``logs/`` for a failed report).
    output : str or Path
        The HTML file to write (atomically); its folder is created if needed. When an
        ``index.html`` is beside it, the page links back to that index.
    bundle : {"inline", "shared"}
        Where the vega bundle lives, see :func:`socecon.report.export.export_html`.

    Returns
    -------
    int
        The size of the page in bytes.

    Raises
    ------
    socecon.exceptions.ReportError
        For a file that is missing or not a notebook, a notebook that was not executed, or one
        that stopped with an error (``socecon run`` writes no page for a failed report either).
    """
    path = Path(executed)
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError) as exc:
        raise ReportError(f"cannot read notebook {path}: {exc}") from exc
    _refuse_failed(notebook, path)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    index = INDEX_HTML if (target.parent / INDEX_HTML).is_file() else None
    return write_report(
        report_notebook(notebook),
        target,
        title=_title(notebook),
        bundle=bundle,
        index_href=index,
    )
