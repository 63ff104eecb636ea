"""Where a report comes from: socecon's version and commit, the input hashes, the CBS tables.

The colophon (:func:`colophon`, the last section of the municipal report) names everything needed
to make the same report again: the version and git commit of socecon, the notebook's
parameters, the sha256 of every data file and YAML declaration, the time of generation and the
CBS tables behind the snapshot, with their licence.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from socecon import __version__
from socecon.data.manifest import read_manifest, sha256_file
from socecon.data.schema import ATTRIBUTION, LICENCE, default_data_dir
from socecon.data.snapshot import CACHE_CLEARERS, input_hashes
from socecon.definitions import DEFINITIONS_DIR
from socecon.report.tables import as_html, esc, html_table


def git_commit(repo: str | Path | None = None) -> str:
    """Return the git commit of the source tree socecon runs from, or "onbekend".

    Parameters
    ----------
    repo : str or Path, optional
        The repository; the folder above the ``socecon`` package by default.

    Returns
    -------
    str
        The full commit hash, with " (met lokale wijzigingen)" when tracked files differ from it;
        "onbekend" outside a git checkout or without git. Asked once per process and repository:
        every report a warm kernel writes shows the same commit without running git again.
    """
    return _git_commit(Path(repo).resolve() if repo else Path(__file__).resolve().parents[2])


@cache
def _git_commit(repo: Path) -> str:
    if not (repo / ".git").exists():
        return "onbekend"
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    return f"{head} (met lokale wijzigingen)" if dirty else head


def definition_hashes() -> dict[str, str]:
    """Return the sha256 of every YAML declaration file (scenarios, assumptions, ...).

    Returns
    -------
    dict
        ``definitions/<name>.yaml`` to hex sha256, sorted by name.
    """
    return {f"definitions/{p.name}": sha256_file(p) for p in sorted(DEFINITIONS_DIR.glob("*.yaml"))}


def cbs_tables() -> dict[str, str]:
    """Return the CBS tables behind the snapshot, from ``data/manifest.yaml``.

    Returns
    -------
    dict
        Table id to title, in manifest order. The manifest is read once per data directory,
        like the snapshot (:func:`socecon.data.snapshot.clear_cache` forgets it).
    """
    return dict(_cbs_tables(default_data_dir()))


@cache
def _cbs_tables(data_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for table in read_manifest(data_dir).get("tables", {}).values():
        for t in table.get("cbs_tables", []):
            found.setdefault(str(t["id"]), str(t.get("title", "")))
    return found


CACHE_CLEARERS.append(_cbs_tables.cache_clear)


def colophon(parameters: Mapping[str, Any], *, now: datetime | None = None) -> Any:
    """Return the colophon: version, commit, parameters, input hashes, time, sources, licence.

    Parameters
    ----------
    parameters : mapping
        The notebook's parameters (region, horizon, overrides, ...), shown as given.
    now : datetime, optional
        The time of generation; the current local time by default.

    Returns
    -------
    IPython.display.HTML
    """
    now = now or datetime.now().astimezone()
    params = "".join(
        f"<li><code>{esc(k)} = {esc(repr(v))}</code></li>" for k, v in parameters.items()
    )
    hashes = {f"data/{k}": v for k, v in input_hashes().items()} | definition_hashes()
    hash_rows = [[name, digest] for name, digest in hashes.items()]
    tables = "".join(f"<li>{esc(tid)}: {esc(title)}</li>" for tid, title in cbs_tables().items())
    return as_html(
        '<section class="socecon-colophon">'
        "<dl>"
        f"<dt>Gemaakt met</dt><dd>socecon {esc(__version__)}</dd>"
        f"<dt>Commit</dt><dd><code>{esc(git_commit())}</code></dd>"
        f"<dt>Gemaakt op</dt><dd>{now.strftime('%d-%m-%Y %H:%M')}</dd>"
        f"<dt>Gegevens</dt><dd>{esc(ATTRIBUTION)} (open data, licentie {esc(LICENCE)})</dd>"
        "</dl>"
        f"<p><strong>Parameters</strong></p><ul>{params}</ul>"
        f"<p><strong>CBS-tabellen</strong></p><ul>{tables}</ul>"
        "<p><strong>Invoerbestanden (sha256)</strong></p>"
        + html_table(["Bestand", "sha256"], hash_rows, numeric=[False, False])
        + "<p>De scenario's komen uit de TNO-scenariostudie naar de sociale economie in 2020 "
        "(2010), opgesteld met Gilze en Rijen, ISD Midden-Langstraat, Smallingerland, Hengelo, "
        "Zutphen en Assen.</p></section>"
    )
