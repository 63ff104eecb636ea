"""Who pays, in words: "de gemeente" for one municipality, "de gemeenten" for a group.

A report covers one municipality or a group of them (ISD Midden-Langstraat, an arbeidsmarktregio).
The gemeente's own costs are then the costs of its member municipalities together, so a group's
report must not say "de gemeente" for the group. :func:`council` gives the words for a region,
and :func:`council_label` turns a declared label ("Netto kosten gemeente", from
``indicators.yaml``) into the group's form ("Netto kosten gemeenten").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socecon.definitions import REGION_KINDS

_MUNICIPALITY = REGION_KINDS["municipality"]
_WORD = re.compile(r"\bgemeente\b")


@dataclass(frozen=True)
class Council:
    """The words a report uses for whoever pays the gemeente's costs.

    Attributes
    ----------
    subject : str
        "de gemeente", or for a group "de gemeenten van <naam>".
    short : str
        "de gemeente" or "de gemeenten".
    pays, saves : str
        The verbs that go with the subject ("betaalt"/"betalen", "bespaart"/"besparen").
    plural : bool
        Whether the report covers a group.
    """

    subject: str
    short: str
    pays: str
    saves: str
    plural: bool


def is_group_code(code: str) -> bool:
    """Whether a region code stands for more than one municipality (not a ``GMxxxx`` code)."""
    return not _MUNICIPALITY.fullmatch(str(code))


def council(code: str, name: str = "") -> Council:
    """Return the words for the gemeente of a region (one municipality or a group).

    Parameters
    ----------
    code : str
        The region's code or group id.
    name : str
        The region's Dutch name (used for a group: "de gemeenten van ISD Midden-Langstraat").

    Returns
    -------
    Council
    """
    if not is_group_code(code):
        return Council("de gemeente", "de gemeente", "betaalt", "bespaart", False)
    subject = f"de gemeenten van {name}" if name else "de gemeenten"
    return Council(subject, "de gemeenten", "betalen", "besparen", True)


def council_label(label: str, code: str) -> str:
    """Return a label that names the gemeente in the form for this region.

    Parameters
    ----------
    label : str
        A Dutch label or sentence, e.g. ``"Netto kosten gemeente per geplaatste"``.
    code : str
        The region's code or group id.

    Returns
    -------
    str
        The label itself for a municipality; for a group every word "gemeente" becomes
        "gemeenten" (``"Netto kosten gemeenten per geplaatste"``).
    """
    return _WORD.sub("gemeenten", label) if is_group_code(code) else label
