"""Named groups of municipalities and the landsdelen, declared in ``groups.yaml``.

A group has a Dutch name, a description and its members as CBS municipality codes (``GMxxxx``);
a landsdeel (``LDxx``) is declared by its provinces (``PVxx``). :mod:`socecon.regions` resolves
them against the region table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.conventions import load_conventions
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    boolean,
    id_list,
    mapping_of_entries,
    prose,
    read_yaml,
    text,
    validated,
)

GROUPS_FILE = "groups.yaml"
_KINDS = load_conventions().region_kinds
_MUNICIPALITY = _KINDS["municipality"]
_PROVINCE = _KINDS["province"]
_LANDSDEEL = _KINDS["landsdeel"]


@dataclass(frozen=True)
class Group:
    """A named group of municipalities declared in ``groups.yaml``.

    For a landsdeel, ``members`` are its provinces, resolved to municipalities by
    :func:`socecon.regions.group_members`. ``combined_report``: the default batch (``socecon
    run`` without regions) also writes one report for the group as a whole.
    """

    id: str
    name: str
    description: str
    members: tuple[str, ...]
    combined_report: bool = False


def parse_groups(doc: Any, problems: Problems) -> dict[str, Group]:
    """Turn the parsed ``groups.yaml`` into groups by id, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    dict of str to Group
        The named groups, then one group per landsdeel (members: its provinces).
    """
    groups: dict[str, Group] = {}
    for gid, entry in mapping_of_entries(doc, "groups", GROUPS_FILE, problems).items():
        groups[gid] = _parse(gid, entry, f"group {gid!r}", "members", _MUNICIPALITY, problems)
    landsdelen = mapping_of_entries(doc, "landsdelen", GROUPS_FILE, problems, required=False)
    for ld, entry in landsdelen.items():
        item = f"landsdeel {ld!r}"
        if not _LANDSDEEL.fullmatch(ld):
            problems.add(item, "the id must be an LDxx code")
        if ld in groups:
            problems.add(item, "duplicate id (also a group)")
        groups[ld] = _parse(ld, entry, item, "provinces", _PROVINCE, problems)
    return groups


def _parse(
    gid: str, entry: Mapping, item: str, field: str, pattern: re.Pattern, problems: Problems
) -> Group:
    name = text(entry, "name", item, problems)
    members = id_list(entry.get(field), item, field, problems, what="member")
    bad = [m for m in members if not pattern.fullmatch(m)]
    if bad:
        problems.add(item, f"{field} must be {pattern.pattern} codes, got {bad}")
    combined = boolean(entry.get("combined_report", False), item, "combined_report", problems)
    return Group(gid, name or gid, prose(entry.get("description", "")), members, bool(combined))


def load_groups(path: str | Path | None = None) -> dict[str, Group]:
    """Load the named groups declared in ``groups.yaml``.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Defaults to ``socecon/definitions/groups.yaml`` (cached).

    Returns
    -------
    dict
        Group id -> :class:`Group`, including one group per landsdeel (``LD01`` ...), whose
        members are its provinces, resolved to municipalities by
        :func:`socecon.regions.group_members`.

    Raises
    ------
    DefinitionError
        Listing every problem, by group.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / GROUPS_FILE)


@cache
def _load(path: Path) -> dict[str, Group]:
    return validated(path, lambda p: parse_groups(read_yaml(path, p), p))
