"""Comparable municipalities ("vergelijkbare gemeenten") by the rule of ``peers.yaml``.

A municipality, or a group of municipalities, is compared with the municipalities nearest to it
on a few CBS characteristics of the base year (declared in ``definitions/peers.yaml``: size,
bijstand density and jobs per inhabitant of working age). Every characteristic is a ratio of CBS
counts, so a group gets its own from its members' summed counts (never an average of rates).
Each is standardised over all municipalities (log scale where declared) and the peers are the
municipalities at the smallest straight-line distance, ties broken by code; the region itself
and the members of a group are never peers. The report (:mod:`socecon.report.peers`) and the
overview notebook (:func:`socecon.report.overview.peers`) use this one rule.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from socecon.data.schema import check_indeling
from socecon.data.snapshot import snapshot_wide
from socecon.definitions import BASE_YEAR, MUNICIPALITY_CODE
from socecon.definitions.peers import PeerRule, load_peers
from socecon.regions import group_members


def _variables(rule: PeerRule) -> list[str]:
    names = [c.variable for c in rule.characteristics]
    names += [c.per for c in rule.characteristics if c.per]
    return list(dict.fromkeys(names))


def _characteristics(counts: pd.DataFrame, rule: PeerRule) -> pd.DataFrame:
    """Turn counts (one row per area) into the declared characteristics (one column each)."""
    out = {}
    for c in rule.characteristics:
        values = counts[c.variable].astype(float)
        if c.per:
            values = values / counts[c.per].astype(float)
        out[c.id] = c.scale * values
    return pd.DataFrame(out, index=counts.index)


def municipality_characteristics(indeling: int | str | None = None) -> pd.DataFrame:
    """Return the declared characteristics of every municipality in the base year.

    Parameters
    ----------
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``GMxxxx``; one column per characteristic id of ``peers.yaml``, in its own
        unit (inhabitants, bijstand per 1,000, jobs per 1,000).
    """
    return _municipality_characteristics(check_indeling(indeling))


@cache
def _base_counts(indeling: int) -> pd.DataFrame:
    """Return the base-year counts the characteristics are made of (read once per indeling)."""
    return snapshot_wide(BASE_YEAR, _variables(load_peers()), indeling=indeling)


@cache
def _municipality_characteristics(indeling: int) -> pd.DataFrame:
    rule = load_peers()
    counts = _base_counts(indeling)
    counts = counts[counts.index.str.fullmatch(MUNICIPALITY_CODE)].dropna()
    return _characteristics(counts, rule)


def region_characteristics(region: str, indeling: int | str | None = None) -> pd.Series:
    """Return the characteristics of a municipality or group (a group's from summed counts).

    Parameters
    ----------
    region : str
        A municipality code, group id or region code.
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    pandas.Series
        Characteristic id to value.
    """
    members = list(group_members(region, indeling))
    rule = load_peers()
    counts = _base_counts(check_indeling(indeling)).reindex(members)
    summed = counts.sum(axis=0, min_count=len(members)).to_frame(region).T
    return _characteristics(summed, rule).iloc[0]


def _standardise(values: pd.DataFrame | pd.Series, base: pd.DataFrame) -> pd.DataFrame:
    """Put values on the scale of the municipalities: log where declared, then z-scores."""
    rule = load_peers()
    frame = values.to_frame().T if isinstance(values, pd.Series) else values
    reference = base.copy()
    frame = frame.astype(float).copy()
    for c in rule.characteristics:
        if c.log:
            frame[c.id], reference[c.id] = np.log(frame[c.id]), np.log(reference[c.id])
    return (frame - reference.mean()) / reference.std(ddof=0)


def peer_distances(region: str, indeling: int | str | None = None) -> pd.Series:
    """Return every candidate municipality's distance to ``region``, nearest first.

    Parameters
    ----------
    region : str
        A municipality code, group id or region code.
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    pandas.Series
        ``GMxxxx`` to distance (in standard deviations), sorted by distance and then code;
        the region and its members left out.
    """
    base = municipality_characteristics(indeling)
    own = _standardise(region_characteristics(region, indeling), base).iloc[0]
    others = base.drop(index=list(group_members(region, indeling)), errors="ignore")
    distance = np.sqrt(((_standardise(others, base) - own) ** 2).sum(axis=1))
    order = pd.DataFrame({"d": distance, "code": distance.index}).sort_values(["d", "code"])
    return distance.reindex(order.index).rename("distance")


def peer_codes(
    region: str, n: int | None = None, indeling: int | str | None = None
) -> tuple[str, ...]:
    """Return the comparable municipalities of ``region`` by the declared rule.

    Parameters
    ----------
    region : str
        A municipality code, group id or region code.
    n : int, optional
        How many; ``count`` of ``peers.yaml`` by default.
    indeling : int or str, optional
        The municipal boundaries (2015 or 2025); the declared default when None.

    Returns
    -------
    tuple of str
        ``GMxxxx`` codes, nearest first.
    """
    n = load_peers().count if n is None else n
    return tuple(peer_distances(region, indeling).index[:n])
