"""Navigation of an exported report: section numbers, a table of contents and a link to the index.

:func:`add_navigation` works on the HTML page that nbconvert wrote (see
:func:`socecon.report.export.export_html`). Every second-level heading in the page's ``<main>`` is
a section: it gets a number and a readable anchor (``#de-gemeente-in-cijfers``), and a table of
contents ("Inhoud") linking to each section goes right after the first section (the summary),
so the message comes first and the map of the report second. With ``index_href`` the page also
opens with a link back to the index of all reports beside it.

The headings are HTML that this package wrote itself (markdown cells and report sections, whose
names and labels are escaped), so the text of the table of contents is the headings' own text with
their tags taken off; nothing new becomes markup.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: Class of the table of contents.
TOC_CLASS = "socecon-toc"

#: The text of the link back to the index page.
BACK_TEXT = "← Alle rapporten"

_MAIN = re.compile(r'(<main class="socecon-report">)(.*?)(</main>)', re.DOTALL)
_H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<inner>.*?)</h2>", re.DOTALL)
_ID = re.compile(r'\bid="([^"]*)"')
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CLEAN_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug(text: str) -> str:
    """Return a readable anchor for a heading: lower case ASCII words joined by hyphens.

    Parameters
    ----------
    text : str
        The heading text (HTML entities allowed).

    Returns
    -------
    str
        ``slug("Vier scenario's op twee assen") == "vier-scenario-s-op-twee-assen"``;
        ``"sectie"`` when nothing is left.
    """
    plain = unicodedata.normalize("NFKD", html.unescape(text))
    plain = plain.encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain)) or "sectie"


def add_navigation(page: str, *, index_href: str | None = None) -> str:
    """Return the page with numbered sections, a table of contents and a back link.

    Parameters
    ----------
    page : str
        The HTML page of :func:`socecon.report.export.export_html`, before the vega bundle is
        put in.
    index_href : str, optional
        The address of the index page (``index.html`` beside the reports); no back link when
        None.

    Returns
    -------
    str
        The page with numbered ``<h2>`` headings carrying unique readable ids, a ``<nav
        class="socecon-toc">`` before the second section (before the first when there is only
        one), and the back link at the top of ``<main>``. A page without ``<main
        class="socecon-report">`` is returned unchanged.
    """
    match = _MAIN.search(page)
    if match is None:
        return page
    body = match.group(2)
    used: set[str] = set()
    entries: list[tuple[str, str, str]] = []

    def number(heading: re.Match) -> str:
        attrs, inner = heading.group("attrs"), _ANCHOR_LINK.sub("", heading.group("inner"))
        found = _ID.search(attrs)
        anchor = found.group(1) if found and _CLEAN_ID.match(found.group(1)) else slug(inner)
        base, n = anchor, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        attrs = _ID.sub("", attrs).strip()
        position = str(len(entries) + 1)
        entries.append((anchor, position, _TAG.sub("", inner).strip()))
        extra = f" {attrs}" if attrs else ""
        return (
            f'<h2 id="{anchor}"{extra}><span class="socecon-section-number">{position}</span> '
            f"{inner.strip()}</h2>"
        )

    body = _H2.sub(number, body)
    if entries:
        items = "".join(
            f'<li><a href="#{anchor}"><span class="socecon-section-number">{position}</span> '
            f"{text}</a></li>"
            for anchor, position, text in entries
        )
        toc = (
            f'<nav class="{TOC_CLASS}" aria-label="Inhoud"><p class="socecon-toc-title">Inhoud'
            f"</p><ol>{items}</ol></nav>"
        )
        target = entries[1][0] if len(entries) > 1 else entries[0][0]
        at = body.index(f'<h2 id="{target}"')
        body = body[:at] + toc + body[at:]
    if index_href:
        back = f'<p class="socecon-back"><a href="{html.escape(index_href)}">{BACK_TEXT}</a></p>'
        body = back + body
    return page[: match.start(2)] + body + page[match.end(2) :]
