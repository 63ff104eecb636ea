"""The index page of a reports folder: one row per report with its key figures.

:func:`update_index` merges new rows into ``index.json`` beside the reports and rewrites
``index.html`` (:func:`render_index`), both atomically; a run for a few codes keeps the rows of
the others. The key figures come from the reports themselves
(:func:`socecon.report.key_figures.read_key_figures`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from socecon import __version__
from socecon.definitions import MODEL_VERSION, MUNICIPALITY_CODE, REGION_CODE
from socecon.present.formats import format_value
from socecon.report.export import TEMPLATES, write_atomic

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"
INDEX_TITLE = "Rapporten sociale economie"


def _now() -> datetime:
    return datetime.now().astimezone()


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
            f'<td class="number" data-label="{esc(label)}">'
            f"{esc(format_value(entry.figures.get(label)))}</td>"
            for label in labels
        )
        # A group id (isd_midden_langstraat) is the program's name for a group, not a code
        # a reader knows: only CBS codes are shown.
        code = esc(entry.code) if REGION_CODE.match(entry.code) else "–"
        rows.append(
            f'<tr><td>{name}</td><td data-label="Code">{code}</td>{cells}'
            f'<td data-label="Status">{status}</td></tr>'
        )
    done = sum(1 for e in entries if e.href)
    stamp = _now().strftime("%d-%m-%Y %H:%M")
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        f'<main class="socecon-index">\n<h1>{esc(title)}</h1>\n'
        f"<p>{done} van {len(entries)} rapporten gereed. Elk rapport opent zonder internet in "
        "een browser; de grafieken reageren op de schuifregelaars en keuzelijsten.</p>\n"
        '<table class="socecon-stack">\n<thead><tr><th>Gemeente of samenwerkingsverband</th>'
        f"<th>Code</th>{head}"
        f"<th>Status</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        "</main>\n"
        f'<footer class="socecon-footer">Rekenmodel versie {esc(MODEL_VERSION)} (programmaversie '
        f"{esc(__version__)}), gemaakt op {stamp}. Bron: CBS.</footer>\n</body>\n</html>\n"
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
    kept.sort(key=lambda e: (not MUNICIPALITY_CODE.fullmatch(e.code), e.name.lower(), e.code))
    payload = {
        "version": __version__,
        "model_version": MODEL_VERSION,
        "reports": [asdict(e) for e in kept],
    }
    write_atomic(out_dir / INDEX_JSON, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
    return write_atomic(out_dir / INDEX_HTML, render_index(kept))
