"""How each scenario works in the model: its levers, declared in ``levers.yaml``.

Every scenario sets every lever of :data:`LEVER_CHOICES` to one of its choices: the capacity rule,
whether the legal wage-cost subsidy applies, the operating subsidy, the guidance, the overhead,
whether people work at regular employers and whether the gemeente offers dagbesteding to
those below the productivity window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.scenarios import package_scenarios
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    choice,
    mapping_of_entries,
    read_yaml,
    validated,
)

LEVERS_FILE = "levers.yaml"
LEVER_CHOICES = {
    "capacity": ("observed", "social_enterprise", "quota", "pps", "werkbedrijf"),
    "wage_cost_subsidy": (True, False),
    "operating_subsidy": ("none", "wsw", "se_place", "werkbedrijf_deficit"),
    "guidance": ("regular", "sheltered"),
    "overhead": ("none", "pps_department", "werkbedrijf_management"),
    "regular_work": (True, False, "observed"),
    "dagbesteding": (True, False),
    "wsw_retention": (True, False),
}
#: Levers whose value is the id of a scalar assumption (or ``observed``, the baseline's rule).
REFERENCE_LEVERS = ("take_up",)


@dataclass(frozen=True)
class Levers:
    """How one scenario works in the model (see ``definitions/levers.yaml``)."""

    capacity: str
    wage_cost_subsidy: bool
    operating_subsidy: str
    guidance: str
    overhead: str
    regular_work: bool | str
    dagbesteding: bool
    wsw_retention: bool = False
    take_up: str = "observed"


def parse_levers(
    doc: Any,
    problems: Problems,
    scenario_ids: Sequence[str],
    assumption_ids: Sequence[str] | None = None,
) -> dict[str, Levers]:
    """Turn the parsed ``levers.yaml`` into levers per scenario, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    scenario_ids : sequence of str
        Every scenario (baseline included) must set every lever; no other may appear.
    assumption_ids : sequence of str, optional
        The scalar assumptions a reference lever (``take_up``) may name; not checked when None.

    Returns
    -------
    dict of str to Levers
        By scenario id, for the scenarios whose levers are valid.
    """
    raw = mapping_of_entries(doc, "levers", LEVERS_FILE, problems)
    out = {}
    for scenario_id in scenario_ids:
        item = f"scenario {scenario_id!r}"
        entry = raw.get(scenario_id)
        if entry is None:
            problems.add(item, "no levers declared")
            continue
        ok = True
        for lever, choices in LEVER_CHOICES.items():
            if lever not in entry:
                problems.add(item, f"lever {lever!r} not set")
                ok = False
            else:
                ok = choice(entry[lever], choices, item, f"lever {lever!r}", problems) and ok
        for lever in REFERENCE_LEVERS:
            value = entry.get(lever)
            known = value == "observed" or assumption_ids is None or value in assumption_ids
            if not isinstance(value, str) or not known:
                problems.add(
                    item,
                    f"lever {lever!r} must be 'observed' or a scalar assumption, not {value!r}",
                )
                ok = False
        for extra in sorted(set(entry) - set(LEVER_CHOICES) - set(REFERENCE_LEVERS)):
            problems.add(item, f"unknown lever {extra!r}")
            ok = False
        if ok:
            out[scenario_id] = Levers(**{k: entry[k] for k in (*LEVER_CHOICES, *REFERENCE_LEVERS)})
    for extra in sorted(set(raw) - set(scenario_ids)):
        problems.add(f"scenario {extra!r}", "levers for an unknown scenario")
    return out


def load_levers(path: str | Path | None = None) -> dict[str, Levers]:
    """Load and validate the scenario levers.

    Parameters
    ----------
    path : str or Path, optional
        A levers YAML file; the package's own by default (cached).

    Returns
    -------
    dict of str to Levers
        By scenario id; every scenario of the definitions is present.

    Raises
    ------
    DefinitionError
        When a scenario lacks a lever or sets an unknown value.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / LEVERS_FILE)


@cache
def _load(path: Path) -> dict[str, Levers]:
    ids = package_scenarios().scenario_ids
    scalars = [a.id for a in load_assumptions() if a.kind == "scalar"]
    return validated(path, lambda p: parse_levers(read_yaml(path, p), p, ids, scalars))
