"""The rule for comparable municipalities, declared once in ``peers.yaml``.

:mod:`socecon.analysis.peers` applies it; this module only reads and validates it: how many peers,
and the characteristics they are chosen on (a CBS count, optionally per another count and
scaled, optionally on a log scale), each with the Dutch words a report uses to state the rule
and to head its column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    boolean,
    integer,
    list_of_entries,
    number,
    read_yaml,
    text,
    unique_ids,
    validated,
)

PEERS_FILE = "peers.yaml"


@dataclass(frozen=True)
class Characteristic:
    """One characteristic peers are chosen on: ``scale * variable / per`` (or ``variable``)."""

    id: str
    variable: str
    per: str | None
    scale: float
    log: bool
    label: str
    column: str
    decimals: int


@dataclass(frozen=True)
class PeerRule:
    """The declared rule (see ``peers.yaml``)."""

    count: int
    characteristics: tuple[Characteristic, ...]


def parse_peers(doc: Any, problems: Problems) -> PeerRule | None:
    """Turn the parsed ``peers.yaml`` into a :class:`PeerRule`, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    PeerRule or None
        None if a field is missing or invalid.
    """
    if not isinstance(doc, dict):
        problems.add(PEERS_FILE, "expected a mapping with count and characteristics")
        return None
    count = integer(doc.get("count"), "count", "the value", problems)
    if count is not None and count < 1:
        problems.add("count", f"must be at least 1, got {count}")
    entries = list_of_entries(doc, "characteristics", PEERS_FILE, problems)
    unique_ids(entries, "characteristic", problems)
    found = []
    for entry in entries:
        item = f"characteristic {entry.get('id')!r}"
        scale = number(entry.get("scale", 1), item, "scale", problems)
        if scale is not None and scale <= 0:
            problems.add(item, f"scale must be positive, got {scale:g}")
        found.append(
            Characteristic(
                text(entry, "id", item, problems),
                text(entry, "variable", item, problems),
                text(entry, "per", item, problems, required=False) or None,
                scale or 1.0,
                bool(boolean(entry.get("log", False), item, "log", problems)),
                text(entry, "label", item, problems, collapse=True),
                text(entry, "column", item, problems),
                integer(entry.get("decimals", 0), item, "decimals", problems) or 0,
            )
        )
    if problems:
        return None
    return PeerRule(count, tuple(found))  # type: ignore[arg-type]


def load_peers(path: str | Path | None = None) -> PeerRule:
    """Load and validate the rule for comparable municipalities.

    Parameters
    ----------
    path : str or Path, optional
        A ``peers.yaml``; the package's own by default (cached).

    Returns
    -------
    PeerRule

    Raises
    ------
    DefinitionError
        Listing every problem.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / PEERS_FILE)


@cache
def _load(path: Path) -> PeerRule:
    return validated(path, lambda p: parse_peers(read_yaml(path, p), p))
