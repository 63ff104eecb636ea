"""HTML building blocks of the report, and its table of assumptions.

Every report section returns something IPython displays: :func:`as_html` and :func:`as_markdown`
wrap the text, :func:`html_table` renders a small table with escaped cells (numbers right-aligned,
already formatted by :mod:`socecon.present.formats`). The last section of the municipal report,
:func:`assumption_table`, lists every assumption with its value, range, unit, source and
reliability.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from IPython.display import HTML, Markdown

from socecon.definitions.assumptions import BAND_LABELS, load_assumptions
from socecon.definitions.units import unit
from socecon.present.formats import ASSUMPTION_PERCENT_DECIMALS, format_assumption, format_plain
from socecon.report.downloads import download_link

#: Dutch explanation of the reliability tags of ``assumptions.yaml``.
RELIABILITY_TEXT = {
    "C": "bevestigd in een officiële bron (of een bron die SZW, UWV, CBS of de Rijksoverheid "
    "aanhaalt)",
    "C2": "bevestigd in een secundaire bron of vakbron",
    "D": "afgeleid uit bevestigde cijfers (C of C2)",
    "U": "onzeker: geen bron gevonden; een verdedigbare aanname met een ruime bandbreedte",
    "S": "keuze uit de scenariostudie of instelling van het model (geen feit over 2020)",
}


#: Tables wider than this many columns become stacked rows on a narrow screen.
STACK_COLUMNS = 4

#: The class of such a table (see ``templates/report/report.css``).
STACK_CLASS = "socecon-stack"


def esc(text: Any) -> str:
    """Return ``text`` as HTML-escaped text (quotes included).

    Parameters
    ----------
    text : Any
        Converted with ``str``.

    Returns
    -------
    str
    """
    return html.escape(str(text), quote=True)


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str | None = None,
    numeric: Sequence[bool] | None = None,
    row_classes: Sequence[str] | None = None,
    download: bool = True,
) -> str:
    """Render a small HTML table with escaped cells; numeric columns are right-aligned.

    Parameters
    ----------
    header : sequence of str
        Column headers.
    rows : iterable of sequences
        Already formatted cells (converted with ``str``).
    caption : str, optional
        Table caption.
    numeric : sequence of bool, optional
        Which columns hold numbers; all but the first by default.
    row_classes : sequence of str, optional
        A CSS class per row ("" for none).
    download : bool
        Follow the table with a link that downloads it as a Dutch CSV file
        (:func:`socecon.report.downloads.download_link`, named after the caption or the first
        header).

    Returns
    -------
    str
        A ``<table class="socecon-table">`` element. A table of more than
        :data:`STACK_COLUMNS` columns also has the class :data:`STACK_CLASS` and each data cell
        its column header as ``data-label``: on a narrow screen (``report.css``) its rows
        become stacked blocks of "header: value" lines instead of running off the page.
        With ``download``, a ``<p class="socecon-download">`` with the CSV link follows.
    """
    rows = [list(row) for row in rows]
    numeric = list(numeric) if numeric is not None else [i > 0 for i in range(len(header))]

    stacked = len(header) > STACK_COLUMNS

    def cell(tag: str, i: int, text: Any) -> str:
        cls = ' class="number"' if numeric[i] else ""
        label = f' data-label="{esc(header[i])}"' if stacked and tag == "td" else ""
        return f"<{tag}{cls}{label}>{esc(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cls = row_classes[r] if row_classes and row_classes[r] else ""
        attr = f' class="{esc(cls)}"' if cls else ""
        body.append(f"<tr{attr}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    stack = f" {STACK_CLASS}" if stacked else ""
    link = download_link(header, rows, caption or str(header[0])) if download else ""
    return (
        f'<table class="socecon-table{stack}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{link}"
    )


#: Characters with a meaning in Markdown, escaped with a backslash by :func:`md_text`
#: (``&``, ``<``, ``>`` and quotes become HTML entities instead).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:])")


def md_text(text: Any) -> str:
    """Return ``text`` as Markdown that shows literally: no markup, link, heading or HTML.

    Every name, label or text from the declarations or the CBS data that goes into a Markdown
    output passes through here (HTML outputs use :func:`esc`). Markdown punctuation is escaped
    with a backslash, ``&``, ``<``, ``>`` and quotes become HTML entities, and line breaks
    become spaces (a new line could start a block of raw HTML or a heading).

    Parameters
    ----------
    text : Any
        Converted with ``str``.

    Returns
    -------
    str
    """
    flat = " ".join(str(text).splitlines())
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=True)


def as_html(text: str) -> HTML:
    """Wrap HTML text for display in a notebook (and in the exported report).

    Parameters
    ----------
    text : str

    Returns
    -------
    IPython.display.HTML
    """
    return HTML(text)


def as_markdown(text: str) -> Markdown:
    """Wrap Markdown text for display in a notebook (and in the exported report).

    Parameters
    ----------
    text : str

    Returns
    -------
    IPython.display.Markdown
    """
    return Markdown(text)


# --------------------------------------------------------------------------- assumptions


def assumption_rows(overrides: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Return every assumption as formatted Dutch strings (the rows of the assumptions table).

    Parameters
    ----------
    overrides : mapping, optional
        The report's assumption overrides; an overridden value is shown with "(aangepast;
        standaard ...)".

    Returns
    -------
    list of dict
        Keys ``id, label, value, range, unit, source, reliability``.
    """
    overrides = dict(overrides or {})
    rows = []
    for a in load_assumptions():
        declared = unit(a.unit)
        # The table shows shares as percentages, so their unit is "%".
        unit_text = "%" if declared.is_share else declared.label
        if a.kind == "series":
            years = sorted({int(d[:4]) for d in a.value})
            value = f"{years[0]}: {format_assumption(a.series_value(years[0]), a.unit)} … " + (
                f"{years[-1]}: {format_assumption(a.series_value(years[-1]), a.unit)}"
            )
            span = "–"
        elif a.kind == "distribution":
            shares = np.asarray(overrides.get(a.id, a.value), dtype=float)
            value = ", ".join(
                f"{b}: {format_plain(100 * s, ASSUMPTION_PERCENT_DECIMALS)} %"
                for b, s in zip(BAND_LABELS, shares, strict=True)
                if s > 0
            )
            span = "–"
            unit_text = declared.label  # "aandeel per loonwaardeklasse": of what the % are
        else:
            shown = overrides.get(a.id, a.value)
            value = format_assumption(shown, a.unit)
            if a.id in overrides:
                value += f" (aangepast; standaard {format_assumption(a.value, a.unit)})"
            span = (
                "–"
                if a.low is None or a.low == a.high
                else f"{format_assumption(a.low, a.unit)} tot {format_assumption(a.high, a.unit)}"
            )
        rows.append(
            {
                "id": a.id,
                "label": a.label,
                "value": value,
                "range": span,
                "unit": unit_text,
                "source": a.source_nl,
                "reliability": a.reliability,
            }
        )
    return rows


def assumption_table(overrides: Mapping[str, Any] | None = None) -> Any:
    """Return every assumption with its value, range, unit, source and reliability, as HTML.

    Parameters
    ----------
    overrides : mapping, optional
        The report's assumption overrides (marked in the table).

    Returns
    -------
    IPython.display.HTML
        The table and a legend of the reliability tags.
    """
    rows = assumption_rows(overrides)
    table = html_table(
        ["Aanname", "Waarde", "Bandbreedte", "Eenheid", "Bron", "Betrouwbaarheid"],
        [
            [r["label"], r["value"], r["range"], r["unit"], r["source"], r["reliability"]]
            for r in rows
        ],
        numeric=[False, True, True, False, False, False],
    )
    legend = "".join(
        f"<li><strong>{tag}</strong>: {esc(text)}</li>" for tag, text in RELIABILITY_TEXT.items()
    )
    return as_html(
        "<p>Elk getal in het model dat geen CBS-cijfer is, is een aanname met een bron en een "
        "bandbreedte. De bandbreedte is het bereik van de schuifregelaars en van de "
        "gevoeligheidsanalyse. De bronvermeldingen zijn overgenomen uit het onderzoek achter "
        "het model.</p>" + table + f"<p>Betrouwbaarheid:</p><ul>{legend}</ul>"
    )
