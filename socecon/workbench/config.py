"""An analyst's workbench settings as a small JSON or YAML file, to save, restore and report on.

:func:`config_dict` turns a :class:`~socecon.workbench.state.State` into plain data (regions,
scenarios, indicators, assumption values, horizon, goals, the target-group region and the
ranking), :func:`write_config` writes it as JSON (``.json``) or YAML (``.yaml``, ``.yml``), and
:func:`read_config` reads it back into a validated state. ``socecon run --config FILE`` reads the
same file (:func:`run_settings`), so that the settings of an analyst become a municipality's
report.

A file that cannot be parsed, has an unknown key, a value of the wrong type or a value out of
range is refused with one Dutch message naming the file, the key and the value.

Examples
--------
>>> from socecon.workbench.state import State
>>> config_dict(State(regions=("GM0164",), assumptions=(("take_up", 0.8),)))["assumptions"]
{'take_up': 0.8}
"""

from __future__ import annotations

import json
from numbers import Real
from pathlib import Path
from typing import Any

import yaml

from socecon.exceptions import WorkbenchError
from socecon.report.export import write_atomic
from socecon.workbench.state import State, resolve_query, validate

#: The file suffixes a configuration can have, by format.
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
#: The keys of a configuration file, with the type each value must have.
KEYS: dict[str, tuple[type, ...]] = {
    "regions": (list,),
    "scenarios": (list,),
    "variables": (list,),
    "assumptions": (dict,),
    "horizon": (int,),
    "goal_participation": (Real,),
    "goal_net_cost_per_placed": (Real,),
    "band_region": (str, type(None)),
    "ranking_variable": (str,),
    "ranking_scenario": (str,),
}
_TYPE_NL = {list: "een lijst", dict: "een mapping (naam: waarde)", int: "een geheel getal"}


def config_dict(state: State) -> dict[str, Any]:
    """Return the settings of a state as plain data, in the order of :data:`KEYS`.

    Parameters
    ----------
    state : State

    Returns
    -------
    dict
        Lists for regions, scenarios and indicators; the assumption values that differ from the
        declared defaults as a mapping; numbers as JSON numbers.
    """
    return {
        "regions": list(state.regions),
        "scenarios": list(state.scenarios),
        "variables": list(state.variables),
        "assumptions": {key: float(value) for key, value in state.assumptions},
        "horizon": int(state.horizon),
        "goal_participation": float(state.goal_participation),
        "goal_net_cost_per_placed": float(state.goal_net_cost_per_placed),
        "band_region": state.band_region,
        "ranking_variable": state.ranking_variable,
        "ranking_scenario": state.ranking_scenario,
    }


def _format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise WorkbenchError(
            f"{path}: een configuratie eindigt op {', '.join(SUFFIXES)}, niet op "
            f"'{path.suffix or '(niets)'}'."
        )
    return fmt


def write_config(state: State, path: str | Path) -> Path:
    """Write the settings of a state as JSON or YAML (after the suffix), atomically.

    Parameters
    ----------
    state : State
    path : str or Path
        ``*.json``, ``*.yaml`` or ``*.yml``; its folder is created if missing.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    WorkbenchError
        For another suffix.
    """
    path = Path(path)
    data = config_dict(state)
    if _format(path) == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, text)


def _load(path: Path) -> Any:
    fmt = _format(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"{path}: het configuratiebestand is niet te lezen ({exc}).") from exc
    try:
        return json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0]
        raise WorkbenchError(
            f"{path}: het configuratiebestand is geen geldige {fmt.upper()} ({first})."
        ) from exc


def _checked(path: Path, data: Any) -> dict[str, Any]:
    """Refuse unknown keys and values of the wrong type, naming the key and the value."""
    if not isinstance(data, dict):
        raise WorkbenchError(f"{path}: verwacht een mapping van instellingen, niet {data!r}.")
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise WorkbenchError(
            f"{path}: onbekende sleutel {', '.join(repr(k) for k in unknown)}; bekend zijn "
            f"{', '.join(KEYS)}."
        )
    for key, value in data.items():
        types = KEYS[key]
        if isinstance(value, bool) or not isinstance(value, types):
            wanted = _TYPE_NL.get(types[0], "een getal" if types[0] is Real else "tekst")
            raise WorkbenchError(f"{path}: '{key}' moet {wanted} zijn, niet {value!r}.")
    for key in ("regions", "scenarios", "variables"):
        bad = [v for v in data.get(key, []) if not isinstance(v, str)]
        if bad:
            raise WorkbenchError(f"{path}: '{key}' moet uit namen bestaan, niet {bad[0]!r}.")
    for key, value in data.get("assumptions", {}).items():
        if isinstance(value, bool) or not isinstance(value, Real):
            raise WorkbenchError(
                f"{path}: 'assumptions.{key}' moet een getal zijn, niet {value!r}."
            )
    return data


def read_config(path: str | Path) -> State:
    """Read a configuration file into a validated state.

    Keys that are missing keep the workbench's defaults; region names are resolved like the
    search box does (``"Hengelo"``, ``"0164"``, ``"GM0164"``).

    Parameters
    ----------
    path : str or Path
        A file written by :func:`write_config` (or by hand).

    Returns
    -------
    State

    Raises
    ------
    WorkbenchError
        For an unreadable or unparseable file, an unknown key, a value of the wrong type or out
        of range, an unknown region; the Dutch message names the file, the key and the value.
    """
    path = Path(path)
    data = _checked(path, _load(path))
    fields = dict(data)
    if "regions" in data:
        codes: list[str] = []
        for name in data["regions"]:
            try:
                found = resolve_query(name)
            except WorkbenchError as exc:
                raise WorkbenchError(f"{path}: 'regions' {name!r}: {exc}") from exc
            codes.extend(c for c in found if c not in codes)
        fields["regions"] = tuple(codes)
    for key in ("scenarios", "variables"):
        if key in data:
            fields[key] = tuple(data[key])
    assumptions = sorted(data.get("assumptions", {}).items())
    for key, value in assumptions:  # one by one, so that the message names the key
        try:
            validate(State(assumptions=((key, value),)))
        except WorkbenchError as exc:
            raise WorkbenchError(f"{path}: 'assumptions.{key}' = {value!r}: {exc}") from exc
    fields["assumptions"] = tuple(assumptions)
    try:
        return validate(State(**fields))
    except WorkbenchError as exc:
        raise WorkbenchError(f"{path}: {exc}") from exc


def run_settings(path: str | Path) -> dict[str, Any]:
    """Return what ``socecon run --config FILE`` takes from a configuration file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        ``regions`` (codes) and ``horizon`` for the batch, and the report notebook's parameters
        ``overrides``, ``goal_participation`` and ``goal_net_cost_per_placed``. The command
        line wins: ``--gemeente``/``--group``/``--all`` over the regions, ``--set`` over an
        assumption, ``--horizon`` (another year than the default) over the horizon.

    Raises
    ------
    WorkbenchError
        See :func:`read_config`.
    """
    settings = config_dict(read_config(path))
    keys = ("regions", "horizon", "goal_participation", "goal_net_cost_per_placed")
    return {"overrides": settings["assumptions"], **{k: settings[k] for k in keys}}
