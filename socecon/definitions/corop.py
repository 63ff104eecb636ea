"""COROP regions of the 2015 municipalities, declared in ``corop_2015.yaml``.

The shared CBS export of 70072ned leaves the COROP lokalisering out, so it is declared here:
per COROP region (``CRxx``) its name and member municipalities (``GMxxxx``), each municipality in
exactly one region. ``socecon data build`` checks the membership against the CBS COROP rows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.conventions import load_conventions
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    id_list,
    mapping_of_entries,
    read_yaml,
    text,
    validated,
)

COROP_FILE = "corop_2015.yaml"
_KINDS = load_conventions().region_kinds
_COROP = _KINDS["corop"]
_MUNICIPALITY = _KINDS["municipality"]


def parse_corop(doc: Any, problems: Problems) -> dict[str, tuple[str, str]]:
    """Turn the parsed ``corop_2015.yaml`` into the membership, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    dict
        Municipality code -> (COROP code, COROP name).
    """
    result: dict[str, tuple[str, str]] = {}
    for code, entry in mapping_of_entries(doc, "corop", COROP_FILE, problems).items():
        item = f"COROP region {code!r}"
        if not _COROP.fullmatch(code):
            problems.add(item, "the id must be a CRxx code")
        name = text(entry, "name", item, problems)
        for member in id_list(entry.get("members"), item, "members", problems, what="member"):
            if not _MUNICIPALITY.fullmatch(member):
                problems.add(item, f"member {member!r} is not a GMxxxx code")
            elif member in result:
                problems.add(item, f"member {member!r} is also in {result[member][0]}")
            else:
                result[member] = (code, name)
    return result


def load_corop(path: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """Read the COROP membership of the 2015 municipalities.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Defaults to ``socecon/definitions/corop_2015.yaml``.

    Returns
    -------
    dict
        Municipality code -> (COROP code, COROP name); a copy.

    Raises
    ------
    DefinitionError
        Listing every problem, by COROP region.
    """
    return dict(_load(Path(path) if path is not None else DEFINITIONS_DIR / COROP_FILE))


@cache
def _load(path: Path) -> dict[str, tuple[str, str]]:
    return validated(path, lambda p: parse_corop(read_yaml(path, p), p))
