"""The type check of the notebooks' papermill parameters, the first thing a notebook does.

papermill's ``-p`` and ``-y`` read digits as a number: ``-p region 0784`` arrives as the integer
784, and YAML reads ``region: 0301`` as the octal integer 193 (a report on the wrong
municipality, without an error). ``-p overrides '{"take_up": 0.7}'`` arrives as a string. The
notebooks call :func:`check_parameters` in the first cell after their parameters; a value of the
wrong type stops the notebook with a :class:`~socecon.exceptions.ParameterError` whose message,
in Dutch and English, names the parameter and its value and shows the call that works (``-r``
passes text as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from socecon.exceptions import ParameterError


@dataclass(frozen=True)
class _Expected:
    kind: type | tuple[type, ...]
    dutch: str
    english: str
    example: str


_TEXT = ("tekst", "a string")
_WHOLE = ("een geheel getal", "an integer")
_NUMBER = ("een getal", "a number")

#: Every notebook parameter with its type and a papermill option that passes it correctly.
EXPECTED: dict[str, _Expected] = {
    "region": _Expected(str, *_TEXT, "-r region 0301"),
    "overrides": _Expected(
        Mapping,
        "een mapping (naam: waarde)",
        "a mapping (name: value)",
        "-y 'overrides: {take_up: 0.7}'",
    ),
    "horizon": _Expected(Integral, *_WHOLE, "-p horizon 2030"),
    "indeling": _Expected((Integral, type(None)), *_WHOLE, "-p indeling 2015"),
    "slider_assumption": _Expected(str, *_TEXT, "-r slider_assumption take_up"),
    "goal_participation": _Expected((Real, type(None)), *_NUMBER, "-p goal_participation 20"),
    "goal_net_cost_per_placed": _Expected(
        (Real, type(None)), *_NUMBER, "-p goal_net_cost_per_placed 20000"
    ),
    "windtunnel_samples": _Expected(Integral, *_WHOLE, "-p windtunnel_samples 200"),
    "windtunnel_seed": _Expected(Integral, *_WHOLE, "-p windtunnel_seed 0"),
    "variable": _Expected(str, *_TEXT, "-r variable participation_rate"),
    "scenario": _Expected(str, *_TEXT, "-r scenario regulier"),
}


def _message(name: str, value: Any, expected: _Expected, notebook: str) -> str:
    got = f"{value!r} ({type(value).__name__})"
    call = f"papermill notebooks/{notebook} uit.ipynb {expected.example}"
    text = (
        f"Parameter {name} moet {expected.dutch} zijn, maar is {got}. "
        f"/ Parameter {name} must be {expected.english}, not {got}."
    )
    if expected.kind is str and isinstance(value, Real):
        text += (
            " papermill -p en -y lezen cijfers als getal (YAML leest 0301 zelfs octaal, als 193);"
            " -r geeft tekst door zoals die is. / papermill -p and -y read digits as a number"
            " (YAML even reads 0301 as octal 193); -r passes text as it is."
        )
    return f"{text} Goed / right: {call}"


def check_parameters(notebook: str, **values: Any) -> None:
    """Refuse a notebook parameter of the wrong type, with a Dutch and English message.

    Parameters
    ----------
    notebook : str
        The notebook's file name, shown in the papermill call of the message.
    **values
        The parameters by name (``region=region, horizon=horizon, ...``); names not in
        :data:`EXPECTED` are not checked.

    Raises
    ------
    socecon.exceptions.ParameterError
        For the first parameter of the wrong type (``True`` is not a number here).
    """
    for name, value in values.items():
        expected = EXPECTED.get(name)
        if expected is None:
            continue
        ok = isinstance(value, expected.kind) and not (
            isinstance(value, bool) and expected.kind is not bool
        )
        if not ok:
            raise ParameterError(_message(name, value, expected, notebook))
