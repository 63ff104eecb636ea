"""Key figures: the few numbers per report that the index page lists.

A report notebook computes its key figures from the model results
(:func:`socecon.report.sections.key_figures`) and hands them to the index page with
:func:`publish_key_figures`: they become a notebook output of their own mime type, which
JupyterLab shows as text and the exported page leaves out. The batch runner reads them back from
the executed notebook with :func:`read_key_figures`, and
:func:`socecon.report.index.update_index` lists every report with its figures.

Report kernels and the runner both import this module, so it stays light: the standard library,
IPython's display and the Dutch formats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import IPython.display

from socecon.present.formats import format_value

#: Mime type of the key-figures output (never shown in a report, read by the runner).
KEY_FIGURES_MIMETYPE = "application/vnd.socecon.key-figures+json"


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
    the report page leaves them out, and the runner reads them back with
    :func:`read_key_figures`.

    Parameters
    ----------
    figures : mapping of str to number or str
        Dutch labels (the index column headers) and values, e.g.
        ``{"Doelgroep (personen)": 2310, "Geplaatst, Regulier": 640.5}``.
    """
    data = {str(k): _plain(v) for k, v in figures.items()}
    text = "\n".join(f"{k}: {format_value(v)}" for k, v in data.items())
    # Looked up at call time: the floor benchmark (benchmarks/bench_batch.py) replaces it.
    IPython.display.display({KEY_FIGURES_MIMETYPE: data, "text/plain": text}, raw=True)


def read_key_figures(notebook: Any) -> dict[str, Any]:
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
