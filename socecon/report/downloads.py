"""Tables to take along: a CSV download inside the offline report page.

Every table of a report (:func:`socecon.report.tables.html_table`) is followed by a link that
downloads the same table as a CSV file: a ``data:`` address holding the whole file, so it works
offline and in a report that was mailed on. The file follows the Dutch CSV the workbench writes
(:func:`socecon.workbench.exports.write_csv`): semicolons between fields, a UTF-8 byte order mark
so that Excel reads the accents, and the cells exactly as the table shows them (Dutch number
format: ``1.676``, ``27,9``, ``€ 13.053.000``). Fields holding a semicolon, a quote or a line
break are quoted (RFC 4180). A cell that a spreadsheet would read as a formula (starting with
``=``, ``+`` or ``@``) gets a leading apostrophe, unless it is a signed number as the report shows
it (``+5,6``, ``+1.234``, ``+0,5 %``), which a spreadsheet reads as that number. The address is
percent-encoded, so no text from the data can become markup of the page.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from socecon.report.navigation import slug

#: Class of the paragraph that holds a download link (hidden on paper, see ``report.css``).
DOWNLOAD_CLASS = "socecon-download"

#: The text of the link.
DOWNLOAD_TEXT = "Download deze tabel (CSV)"

_FORMULA_START = ("=", "+", "@", "\t", "\r")

#: A signed number in Dutch format, as the report shows a difference: not a formula.
_SIGNED_NUMBER = re.compile(r"\+\d{1,3}(\.\d{3})*(,\d+)?( %)?")


def _safe(cell: str) -> str:
    """Return ``cell`` with a leading apostrophe if a spreadsheet would run it as a formula."""
    if cell.startswith(_FORMULA_START) and not _SIGNED_NUMBER.fullmatch(cell):
        return f"'{cell}"
    return cell


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """Return a table as Dutch CSV text: semicolons, a byte order mark, CRLF line ends.

    Parameters
    ----------
    header : sequence
        Column headers.
    rows : iterable of sequences
        Cells as shown in the page (already formatted).

    Returns
    -------
    str
        The file's text, starting with the byte order mark (U+FEFF).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n")
    for row in [header, *rows]:
        cells = [str(cell) for cell in row]
        writer.writerow([_safe(c) for c in cells])
    return "\ufeff" + buffer.getvalue()


def download_link(header: Sequence[Any], rows: Iterable[Sequence[Any]], name: str) -> str:
    """Return a paragraph with a link that downloads the table as a CSV file.

    Parameters
    ----------
    header, rows
        The table (see :func:`csv_text`).
    name : str
        Words for the file name (``"Kerncijfers"`` -> ``kerncijfers.csv``).

    Returns
    -------
    str
        ``<p class="socecon-download"><a href="data:text/csv;..." download="...">...</a></p>``.
    """
    href = "data:text/csv;charset=utf-8," + quote(csv_text(header, rows), safe="")
    filename = html.escape(f"{slug(name)}.csv", quote=True)
    return (
        f'<p class="{DOWNLOAD_CLASS}"><a href="{href}" download="{filename}">'
        f"{DOWNLOAD_TEXT}</a></p>"
    )
