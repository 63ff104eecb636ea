"""Charts for notebooks and for the offline HTML reports.

Altair's own HTML output loads vega from a CDN, and its ``inline`` template breaks as soon as a
page holds two charts (design.md, section 5). Reports therefore show charts through :func:`show`:
under ``socecon run`` (the environment variable :data:`socecon.definitions.REPORT_ENV` set to
``1``) it emits a ``text/html`` output with a ``<div>`` and a call to the global ``vegaEmbed``
that the report template (:mod:`socecon.report.export`) inlines once per page; in JupyterLab it
displays the chart as altair normally does, with its spec also under :data:`CHART_MIMETYPE`, so
that ``socecon render`` can turn a notebook run by plain papermill into the same offline page.
Interactivity in reports comes from Vega-Lite params and selections (sliders, drop-downs, legend
selections) over precomputed data; ipywidgets need a kernel and stay blank in an exported page.
"""

from __future__ import annotations

import html
import json
import os
import textwrap
import uuid
from functools import lru_cache
from typing import Any

from socecon.definitions import REPORT_ENV

#: Class of a chart's text alternative: its ``description``, read by screen readers (and hidden
#: on screen and paper by ``report.css``).
TEXT_CLASS = "socecon-chart-text"

#: Class of a chart that could not be drawn (its ``<div>`` then shows why): vega reported an
#: error, or the page has no vega bundle. A page's charts are done when each is drawn or has
#: this class (:data:`socecon.batch.chromium.CHARTS_DRAWN`).
ERROR_CLASS = "socecon-chart-error"
#: What a chart shows when vega reported an error (the error's message follows).
FAILED_TEXT = "Deze grafiek kon niet worden getekend: "
#: What a chart shows when the page has no vega bundle (``vegaEmbed`` is missing): a report
#: whose ``vega-bundle.js`` is not beside it, or a chart's HTML in a notebook.
MISSING_BUNDLE_TEXT = FAILED_TEXT + "het grafiekprogramma (vega) ontbreekt."

#: The locale of numbers and dates in every chart: decimal comma, thousands dot, Dutch months.
LOCALE = "nl-NL"

#: A chart whose box is narrower than this many pixels (a phone: the report's column is 366 px
#: wide on a 390 px screen) is drawn in its narrow layout, when it has one (:func:`with_narrow`).
NARROW_BELOW = 640
#: Characters per line of a narrow layout's title and subtitle (vega does not wrap titles).
NARROW_TITLE_CHARS = (40, 56)


def wrap_title(title: Any) -> dict:
    """Return a chart title with its text and subtitle wrapped into lines for a narrow layout.

    Parameters
    ----------
    title : str or dict
        A Vega-Lite title: its text, or a dict with ``text`` and ``subtitle``.

    Returns
    -------
    dict
        The title with ``text`` and ``subtitle`` as lists of lines of at most
        :data:`NARROW_TITLE_CHARS` characters (words are not broken, hyphens kept).
    """
    if not isinstance(title, dict):
        title = {"text": title}
    wrapped = dict(title)
    for key, chars in zip(("text", "subtitle"), NARROW_TITLE_CHARS, strict=True):
        lines = title.get(key)
        if lines:
            lines = [lines] if isinstance(lines, str) else lines
            wrapped[key] = [
                part
                for line in lines
                for part in textwrap.wrap(line, chars, break_on_hyphens=False)
            ]
    return wrapped


def with_narrow(chart: Any, narrow: Any) -> Any:
    """Return ``chart`` carrying a second layout for narrow screens, chosen when it is drawn.

    Vega-Lite sizes a faceted or concatenated chart in pixels, not by its container, so a chart
    that uses a 950 px column cannot also fit a phone. The narrow layout (fewer columns, panels
    stacked) travels in the spec's ``usermeta``; a report page draws it instead of the wide one
    when the chart's box is narrower than :data:`NARROW_BELOW` (see :func:`embed_html`). A
    notebook draws the wide layout.

    Parameters
    ----------
    chart, narrow : altair.TopLevelMixin
        The wide and the narrow layout of the same chart (same data, title and description).

    Returns
    -------
    altair.TopLevelMixin
        ``chart`` with ``usermeta = {"narrow": <spec of narrow>}``, the narrow layout's title
        and subtitle wrapped into lines (:data:`NARROW_TITLE_CHARS`).
    """
    spec = report_spec(narrow)
    if spec.get("title"):
        spec["title"] = wrap_title(spec["title"])
    return chart.properties(usermeta={"narrow": spec})


@lru_cache(maxsize=1)
def embed_options() -> dict[str, Any]:
    """Return the vega-embed options used for every report chart.

    Dutch number and time formats (the locale objects come from ``vl_convert``, so no network is
    needed), no action menu, and SVG output (sharp in print, readable by the browser tests).

    Returns
    -------
    dict
        Options for ``vegaEmbed(element, spec, options)``, in vega-embed's own (camelCase) names.
    """
    import vl_convert

    return {
        "actions": False,
        "renderer": "svg",
        "formatLocale": vl_convert.get_format_locale(LOCALE),
        "timeFormatLocale": vl_convert.get_time_format_locale(LOCALE),
    }


def _script_json(value: Any) -> str:
    """Serialise ``value`` as JSON that is safe inside an HTML ``<script>`` element.

    Keys are sorted, as in an ``.ipynb`` file, so a chart kept in a notebook file gives the
    same page (``socecon render``).
    """
    text = json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=True
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def report_spec(chart: Any) -> dict:
    """Return the Vega-Lite specification a page draws for an altair ``chart``.

    The same dict as ``chart.to_dict()``, without altair's JSON-schema validation of the whole
    spec (about half the time of turning a chart into a spec in a report): the report's charts
    come from socecon's own code, and ``tests/test_chart_a11y.py`` builds every one of them with
    validation on (``tests/test_figures.py`` checks the two give the same spec).

    Parameters
    ----------
    chart : altair.TopLevelMixin

    Returns
    -------
    dict
    """
    return chart.to_dict(validate=False)


def embed_html(chart: Any, *, element_id: str | None = None) -> str:
    """Return the HTML that draws ``chart`` with the page's global ``vegaEmbed``.

    The snippet holds no copy of vega: the page must load the bundle once (the report template
    does). If ``vegaEmbed`` is missing (:data:`MISSING_BUNDLE_TEXT`), or vega reports an error
    (:data:`FAILED_TEXT`, the error then also goes to the browser console), the chart's
    ``<div>`` gets the class :data:`ERROR_CLASS` at once and shows a Dutch message instead.

    Parameters
    ----------
    chart : altair.TopLevelMixin or dict
        An altair chart, or a Vega-Lite specification as a dict.
    element_id : str, optional
        The id of the chart's ``<div>``; a fresh unique id by default.

    Returns
    -------
    str
        A ``<div class="socecon-chart">`` labelled with the chart's title and described by a
        paragraph with its text alternative (the spec's ``description``, one Dutch sentence on
        what the chart shows; the title when it has none), followed by a ``<script>`` that
        fills it. When drawn, the vega view is kept in ``window.socEconViews[element_id]``
        (used by the browser tests), and a slider's value read-out is shown with a decimal
        comma (vega prints a point). A chart with a narrow layout (:func:`with_narrow`) is
        drawn in it when its box is narrower than :data:`NARROW_BELOW` pixels; the ``<div>``'s
        ``data-layout`` says which layout was drawn (``wide`` or ``narrow``).
    """
    spec = chart if isinstance(chart, dict) else report_spec(chart)
    element_id = element_id or f"socecon-chart-{uuid.uuid4().hex[:12]}"
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    label = html.escape(str(title or "Grafiek"), quote=True)
    text = html.escape(str(spec.get("description") or title or "Grafiek"), quote=True)
    return (
        f'<div class="socecon-chart" id="{element_id}" role="figure" aria-label="{label}" '
        f'aria-describedby="{element_id}-text"></div>\n'
        f'<p class="{TEXT_CLASS}" id="{element_id}-text">{text}</p>\n'
        "<script>\n"
        "(function () {\n"
        f'  var el = document.getElementById("{element_id}");\n'
        '  if (typeof vegaEmbed !== "function") {\n'
        # failed at once: a page waiting for its charts (a PDF run) need not wait for this one
        f'    el.classList.add("{ERROR_CLASS}");\n'
        f'    el.textContent = "{MISSING_BUNDLE_TEXT}";\n'
        "    return;\n"
        "  }\n"
        f"  var spec = {_script_json(spec)};\n"
        "  var narrow = spec.usermeta && spec.usermeta.narrow;\n"
        f"  var small = narrow && el.clientWidth < {NARROW_BELOW};\n"
        '  el.dataset.layout = small ? "narrow" : "wide";\n'
        f"  vegaEmbed(el, small ? narrow : spec, {_script_json(embed_options())})\n"
        "    .then(function (result) {\n"
        "      window.socEconViews = window.socEconViews || {};\n"
        f'      window.socEconViews["{element_id}"] = result.view;\n'
        "      var outs = el.querySelectorAll('.vega-bind input[type=range] + span');\n"
        "      outs.forEach(function (out) {\n"
        "        var dutch = function () {\n"
        "          if (out.textContent.indexOf('.') >= 0) {\n"
        "            out.textContent = out.textContent.replace('.', ',');\n"
        "          }\n"
        "        };\n"
        "        dutch();\n"
        "        new MutationObserver(dutch).observe(\n"
        "          out, {childList: true, characterData: true, subtree: true});\n"
        "      });\n"
        "    })\n"
        "    .catch(function (error) {\n"
        f'      el.classList.add("{ERROR_CLASS}");\n'
        f'      el.textContent = "{FAILED_TEXT}" + error.message;\n'
        "      console.error(error);\n"
        "    });\n"
        "})();\n"
        "</script>"
    )


#: Mimetype under which a chart shown outside report mode also carries its Vega-Lite spec.
CHART_MIMETYPE = "application/vnd.socecon.chart+json"


def report_mode() -> bool:
    """Return whether charts are being rendered for an HTML report.

    Returns
    -------
    bool
        True when the environment variable :data:`socecon.definitions.REPORT_ENV` is ``"1"``
        (the runner sets it for the kernels it starts).
    """
    return os.environ.get(REPORT_ENV) == "1"


def show(chart: Any) -> None:
    """Display ``chart`` in a way that works in a live notebook and in an offline report.

    In report mode (see :func:`report_mode`) this displays a ``text/html`` output made by
    :func:`embed_html`, with a short ``text/plain`` alternative; otherwise it displays the chart
    through altair's active renderer, as a plain ``chart`` at the end of a cell would.

    Parameters
    ----------
    chart : altair.TopLevelMixin
        The chart to show. Interactive elements must be Vega-Lite params or selections
        (``alt.param(bind=...)``, ``alt.selection_point(...)``), not ipywidgets.
    """
    from IPython.display import display

    if not report_mode():
        if isinstance(chart, dict):
            display(chart)
            return
        # Altair's own output, plus the spec under a mimetype no front end draws: `socecon render`
        # turns it into the report's offline chart (the page `socecon run` writes).
        bundle = chart._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display({**data, CHART_MIMETYPE: chart.to_dict()}, metadata=metadata, raw=True)
        return
    display(report_output(chart), raw=True)


def report_output(chart: Any) -> dict[str, str]:
    """Return the output a report shows for ``chart``: HTML drawn by the page's vega bundle.

    Parameters
    ----------
    chart : altair.TopLevelMixin or dict
        An altair chart, or a Vega-Lite specification as a dict.

    Returns
    -------
    dict
        A mimebundle: ``text/html`` from :func:`embed_html` and a short ``text/plain``.
    """
    spec = chart if isinstance(chart, dict) else report_spec(chart)
    title = spec.get("title")
    text = f"<Grafiek: {title or 'zonder titel'}>"
    return {"text/html": embed_html(spec), "text/plain": text}
