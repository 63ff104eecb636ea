"""Matching municipality names and StatLine labels to CBS codes.

StatLine labels differ from the names of the region table in case, accents, punctuation and
qualifiers (``"Hengelo (O.)"``, ``"Nuenen. Gerwen en Nederwetten"``). :func:`normalize_name`
makes them comparable; :func:`match_names` matches labels to codes where that is unambiguous.
The CBS build uses them to read tables that name municipalities instead of coding them, and
:mod:`socecon.regions` to resolve what a user types.
"""

from __future__ import annotations

import re
import unicodedata


def normalize_name(name: str, *, drop_qualifier: bool = False) -> str:
    """Normalise a municipality name or StatLine label for matching.

    Lower case, accents and punctuation removed, whitespace collapsed. With
    ``drop_qualifier`` a trailing parenthesised qualifier such as ``(O.)``, ``(NH.)`` or
    ``(gemeente)`` is dropped too.

    Parameters
    ----------
    name : str
    drop_qualifier : bool, default False

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_name("Hengelo (O.)"), normalize_name("Hengelo (O.)", drop_qualifier=True)
    ('hengelo o', 'hengelo')
    >>> normalize_name("Nuenen. Gerwen en Nederwetten")
    'nuenen gerwen en nederwetten'
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    if drop_qualifier:
        text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


# StatLine's province qualifiers for municipalities that share a name, e.g. "Hengelo (O.)".
_PROVINCE_QUALIFIERS = {
    "gr": "Groningen",
    "fr": "Friesland",
    "dr": "Drenthe",
    "o": "Overijssel",
    "ov": "Overijssel",
    "fl": "Flevoland",
    "gld": "Gelderland",
    "g": "Gelderland",
    "u": "Utrecht",
    "ut": "Utrecht",
    "nh": "Noord-Holland",
    "zh": "Zuid-Holland",
    "z": "Zeeland",
    "zl": "Zeeland",
    "nb": "Noord-Brabant",
    "l": "Limburg",
    "lb": "Limburg",
}


def qualifier_province(name: str) -> str | None:
    """Return the province a name's trailing StatLine qualifier stands for.

    Parameters
    ----------
    name : str
        A municipality name as typed, e.g. ``"Hengelo (O.)"``.

    Returns
    -------
    str or None
        ``"Overijssel"``; None without a qualifier or for one that names no province.

    Examples
    --------
    >>> qualifier_province("Bergen (NH.)"), qualifier_province("Bergen")
    ('Noord-Holland', None)
    """
    found = re.search(r"\(([^)]*)\)\s*$", name)
    if not found:
        return None
    return _PROVINCE_QUALIFIERS.get(normalize_name(found.group(1)).replace(" ", ""))


def match_names(names: dict[str, str], labels: list[str]) -> dict[str, str]:
    """Match names or StatLine labels to codes, exactly first, then without qualifiers.

    Parameters
    ----------
    names : dict
        Code -> name of the known municipalities.
    labels : list of str
        Labels to match.

    Returns
    -------
    dict
        Label -> code for every label that matches exactly one municipality (the qualifier-free
        fallback is used only where it is unambiguous on both sides).
    """
    exact: dict[str, list[str]] = {}
    loose: dict[str, list[str]] = {}
    for code, name in names.items():
        exact.setdefault(normalize_name(name), []).append(code)
        loose.setdefault(normalize_name(name, drop_qualifier=True), []).append(code)
    loose_labels: dict[str, int] = {}
    for label in labels:
        key = normalize_name(label, drop_qualifier=True)
        loose_labels[key] = loose_labels.get(key, 0) + 1
    result = {}
    for label in labels:
        hit = exact.get(normalize_name(label), [])
        if len(hit) == 1:
            result[label] = hit[0]
            continue
        key = normalize_name(label, drop_qualifier=True)
        hit = loose.get(key, [])
        if len(hit) == 1 and loose_labels[key] == 1:
            result[label] = hit[0]
    return result
