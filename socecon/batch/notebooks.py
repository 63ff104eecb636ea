"""Keeping committed notebooks thin: detect and strip outputs.

Notebooks are committed without outputs or execution counts; papermill fills them in when a report
is produced. ``socecon strip-notebooks`` cleans them before a commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path


def has_outputs(notebook: dict) -> bool:
    """Return whether any code cell of ``notebook`` has outputs or an execution count.

    Parameters
    ----------
    notebook : dict
        A notebook as parsed from its JSON.

    Returns
    -------
    bool
    """
    return any(
        cell.get("outputs") or cell.get("execution_count")
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
    )


def strip_outputs(paths: Iterable[str | Path]) -> list[Path]:
    """Remove outputs and execution counts from notebooks, in place.

    Parameters
    ----------
    paths : iterable of str or Path
        Notebook files.

    Returns
    -------
    list of Path
        The files that were changed.
    """
    changed = []
    for path in map(Path, paths):
        nb = json.loads(path.read_text(encoding="utf-8"))
        if not has_outputs(nb):
            continue
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        changed.append(path)
    return changed
