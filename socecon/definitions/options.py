"""Policy options for the wind tunnel, declared in ``options.yaml``.

An option is a bundle of the study's measures that a municipality chooses; exactly one, the
reference ("doe niets / huidig beleid"), has no measures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socecon.definitions.scenarios import package_scenarios
from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    boolean,
    close_hint,
    list_of_entries,
    prose,
    read_yaml,
    required_fields,
    validated,
)

OPTIONS_FILE = "options.yaml"


@dataclass(frozen=True)
class Option:
    """A policy option: a bundle of measures the municipality chooses.

    Attributes
    ----------
    id : str
    name : str
        Dutch name.
    measures : tuple of str
        Measure ids (empty only for the reference option).
    description : str
        Dutch description.
    reference : bool
        True for "doe niets / huidig beleid".
    """

    id: str
    name: str
    measures: tuple[str, ...]
    description: str = ""
    reference: bool = False


def option_problems(option: Option, measure_ids: Sequence[str] | None = None) -> list[str]:
    """Return what is wrong with one option: unknown or repeated measures, an empty bundle.

    Parameters
    ----------
    option : Option
    measure_ids : sequence of str, optional
        The declared measures; the package's own by default.

    Returns
    -------
    list of str
        One line per problem, naming the option.
    """
    known = list(measure_ids if measure_ids is not None else package_scenarios().measure_ids)
    problems = []
    for m in option.measures:
        if m not in known:
            problems.append(f"option {option.id!r}: unknown measure {m!r}{close_hint(m, known)}")
    if not option.measures and not option.reference:
        problems.append(f"option {option.id!r}: no measures (only the reference may be empty)")
    if option.reference and option.measures:
        problems.append(f"option {option.id!r}: the reference option must have no measures")
    dup = sorted({m for m in option.measures if option.measures.count(m) > 1})
    if dup:
        problems.append(f"option {option.id!r}: measure(s) listed twice: {', '.join(dup)}")
    return problems


def parse_options(doc: Any, problems: Problems, measure_ids: Sequence[str]) -> tuple[Option, ...]:
    """Turn the parsed ``options.yaml`` into options, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems
    measure_ids : sequence of str
        The declared measures.

    Returns
    -------
    tuple of Option
    """
    out: list[Option] = []
    for i, entry in enumerate(list_of_entries(doc, "options", OPTIONS_FILE, problems)):
        option = _parse(entry, i, problems)
        if option is not None:
            problems.items.extend(option_problems(option, measure_ids))
            out.append(option)
    ids = [o.id for o in out]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add(f"option {dup!r}", "duplicate id")
    references = [o.id for o in out if o.reference]
    if len(references) != 1:
        problems.add(
            OPTIONS_FILE,
            f"exactly one option needs reference: true, found {references or 'none'}",
        )
    return tuple(out)


def _parse(entry: Mapping, index: int, problems: Problems) -> Option | None:
    item = f"option {entry.get('id', index)!r}"
    if not required_fields(entry, ("id", "name", "description"), item, problems):
        return None
    measures = entry.get("measures")
    if not isinstance(measures, list):
        problems.add(item, "measures must be a list of measure ids")
        return None
    reference = boolean(entry.get("reference", False), item, "reference", problems)
    return Option(
        id=str(entry["id"]),
        name=str(entry["name"]),
        measures=tuple(str(m) for m in measures),
        description=prose(entry["description"]),
        reference=bool(reference),
    )


def load_options(path: str | Path | None = None) -> tuple[Option, ...]:
    """Load and validate the declared policy options.

    Parameters
    ----------
    path : str or Path, optional
        An ``options.yaml``; the package's own by default (cached).

    Returns
    -------
    tuple of Option

    Raises
    ------
    DefinitionError
        Listing every problem: missing fields, unknown measures, duplicates, empty bundles, not
        exactly one reference option.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / OPTIONS_FILE)


@cache
def _load(path: Path) -> tuple[Option, ...]:
    ids = package_scenarios().measure_ids
    return validated(path, lambda p: parse_options(read_yaml(path, p), p, ids))
