"""Conventions of the study, declared once in ``conventions.yaml``.

The national region code and name, the base year, the default and maximum horizon, the default
group, the code pattern of every kind of region, the environment variable of the batch report,
the resource limits (:class:`Limits`), the colours of the charts (Okabe-Ito) and the model's
version with what changed in it (:class:`ModelChange`).
:mod:`socecon.definitions` exports them as constants (``NATIONAL_CODE``, ``DEFAULT_HORIZON``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from socecon.definitions.schema import (
    DEFINITIONS_DIR,
    Problems,
    integer,
    read_yaml,
    text,
    validated,
)

CONVENTIONS_FILE = "conventions.yaml"


@dataclass(frozen=True)
class Limits:
    """Resource limits (``limits`` in ``conventions.yaml``).

    Attributes
    ----------
    kernel_memory_mb : int
        Memory one warm report kernel takes, in MB: local ``socecon run --jobs`` is capped by
        the available memory divided by it.
    max_samples : int
        The most uncertainty samples one analysis may draw.
    sample_bytes : int
        Memory per sample, option (or scenario) and municipality, for the estimate in the error
        message and the check against the available memory.
    """

    kernel_memory_mb: int
    max_samples: int
    sample_bytes: int


@dataclass(frozen=True)
class ModelChange:
    """One change of the model against its previous version (``model.changes``).

    Attributes
    ----------
    en, nl : str
        The change in English (README) and in Dutch (the report's colophon).
    """

    en: str
    nl: str


@dataclass(frozen=True)
class Conventions:
    """The declared conventions (see ``conventions.yaml``)."""

    national_code: str
    national_name: str
    base_year: int
    default_horizon: int
    max_horizon: int
    default_group: str
    region_codes: Mapping[str, str]
    report_environment: str
    limits: Limits
    chart_colors: Mapping[str, str]
    indelingen: tuple[int, ...]
    default_indeling: int
    model_version: str = ""
    model_changes: tuple[ModelChange, ...] = ()

    @property
    def region_kinds(self) -> dict[str, re.Pattern[str]]:
        """Kind of region (``municipality``, ``national``, ...) to its compiled code pattern."""
        kinds = {kind: re.compile(pattern) for kind, pattern in self.region_codes.items()}
        kinds["national"] = re.compile(re.escape(self.national_code))
        return kinds

    @property
    def region_shapes(self) -> dict[str, tuple[str, int]]:
        """Kind of region to the letters and the number of digits of its codes.

        Read from the patterns: the letters are a pattern's leading capitals, the digits the
        length of the shortest number ``0...01`` it accepts after them (``GM`` and four digits:
        ``("GM", 4)``; Nederland, ``NL01``: ``("NL", 2)``). What users type is parsed by them.
        """
        shapes = {kind: _shape(pattern) for kind, pattern in self.region_kinds.items()}
        return {kind: shape for kind, shape in shapes.items() if shape is not None}

    @property
    def region_code_pattern(self) -> str:
        """One pattern for every region code: the kinds' patterns as alternatives, unanchored."""
        return "|".join(p.pattern for p in self.region_kinds.values())

    @property
    def region_code(self) -> re.Pattern[str]:
        """A pattern that matches a whole region code of any kind (``^(...)$``)."""
        return re.compile(f"^({self.region_code_pattern})$")


def _shape(pattern: re.Pattern[str]) -> tuple[str, int] | None:
    """Return a code pattern's leading capitals and number of digits; None if it has none."""
    letters = re.match(r"[A-Z]*", pattern.pattern).group()  # type: ignore[union-attr]
    digits = next((n for n in range(1, 9) if pattern.fullmatch(letters + "1".zfill(n))), None)
    return (letters, digits) if letters and digits else None


def parse_conventions(doc: Any, problems: Problems) -> Conventions | None:
    """Turn the parsed ``conventions.yaml`` into :class:`Conventions`, reporting every problem.

    Parameters
    ----------
    doc : object
        The parsed YAML document.
    problems : Problems

    Returns
    -------
    Conventions or None
        None if a field is missing or invalid.
    """
    if not isinstance(doc, dict):
        problems.add(CONVENTIONS_FILE, "expected a mapping of conventions")
        return None
    national = doc.get("national")
    if not isinstance(national, dict):
        problems.add("national", "expected a mapping with code and name")
        national = {}
    code = text(national, "code", "national", problems)
    if code and _shape(re.compile(re.escape(code))) is None:
        problems.add("national", f"code: expected capitals and digits such as 'NL01', got {code!r}")
    name = text(national, "name", "national", problems)
    years = {
        key: integer(doc.get(key), key, "the value", problems)
        for key in ("base_year", "default_horizon", "max_horizon")
    }
    base, horizon, last = years.values()
    if None not in (base, horizon, last) and not base < horizon <= last:  # type: ignore[operator]
        problems.add(
            "default_horizon",
            f"need base_year < default_horizon <= max_horizon, got {base}, {horizon}, {last}",
        )
    group = text(doc, "default_group", "default_group", problems)
    codes = doc.get("region_codes")
    if not isinstance(codes, dict) or not codes:
        problems.add("region_codes", "expected a mapping of region kind to code pattern")
        codes = {}
    for kind, pattern in codes.items():
        if not isinstance(pattern, str) or not pattern:
            problems.add(f"region_codes.{kind}", f"expected a regular expression, got {pattern!r}")
            continue
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            problems.add(f"region_codes.{kind}", f"not a regular expression ({exc})")
            continue
        if code and compiled.fullmatch(code):
            problems.add(f"region_codes.{kind}", f"also matches the national code {code!r}")
        if _shape(compiled) is None:
            problems.add(
                f"region_codes.{kind}",
                f"expected capitals and a number of digits, got {pattern!r}",
            )
    env = text(doc, "report_environment", "report_environment", problems)
    if env and not re.fullmatch(r"[A-Z][A-Z0-9_]*", env):
        problems.add("report_environment", f"not an environment variable name: {env!r}")
    limits = _limits(doc.get("limits"), problems)
    version, changes = _model(doc.get("model"), problems)
    colors = doc.get("chart_colors")
    if not isinstance(colors, dict) or not colors:
        problems.add("chart_colors", "expected a mapping of scenario id or role to '#rrggbb'")
        colors = {}
    for role, color in colors.items():
        if not isinstance(color, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
            problems.add(f"chart_colors.{role}", f"color must be '#rrggbb', got {color!r}")
    indelingen, default_indeling = _indelingen(doc, problems)
    if problems:
        return None
    return Conventions(
        code,
        name,
        base,
        horizon,
        last,
        group,
        MappingProxyType(dict(codes)),
        env,
        limits,  # type: ignore[arg-type]
        MappingProxyType(dict(colors)),
        indelingen,
        default_indeling,  # type: ignore[arg-type]
        version,
        changes,
    )


def _model(doc: Any, problems: Problems) -> tuple[str, tuple[ModelChange, ...]]:
    """Read the ``model`` mapping: a version (text) and its changes (``en`` and ``nl`` text)."""
    if not isinstance(doc, dict):
        problems.add("model", "expected a mapping with version and changes")
        return "", ()
    version = text(doc, "version", "model", problems)
    changes = doc.get("changes")
    if not isinstance(changes, list) or not changes:
        problems.add("model.changes", "expected a list of changes, each with en and nl")
        return version, ()
    out = []
    for i, item in enumerate(changes):
        if not isinstance(item, dict):
            problems.add(f"model.changes[{i}]", "expected a mapping with en and nl")
            continue
        en = text(item, "en", f"model.changes[{i}]", problems, collapse=True)
        nl = text(item, "nl", f"model.changes[{i}]", problems, collapse=True)
        if en and nl:
            out.append(ModelChange(en, nl))
    return version, tuple(out)


def _indelingen(doc: dict, problems: Problems) -> tuple[tuple[int, ...], int | None]:
    """Read ``indelingen`` (years of municipal boundaries) and ``default_indeling``."""
    years = doc.get("indelingen")
    if (
        not isinstance(years, list)
        or not years
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    ):
        problems.add("indelingen", f"expected a list of years, got {years!r}")
        years = []
    default = integer(doc.get("default_indeling"), "default_indeling", "the value", problems)
    if default is not None and years and default not in years:
        problems.add("default_indeling", f"{default} is not one of indelingen {years}")
    return tuple(years), default


def _limits(doc: Any, problems: Problems) -> Limits | None:
    """Read the ``limits`` mapping: positive whole numbers."""
    if not isinstance(doc, dict):
        problems.add("limits", "expected a mapping of kernel_memory_mb, max_samples, sample_bytes")
        return None
    values = {}
    for key in ("kernel_memory_mb", "max_samples", "sample_bytes"):
        value = integer(doc.get(key), f"limits.{key}", "the value", problems)
        if value is not None and value < 1:
            problems.add(f"limits.{key}", f"must be at least 1, got {value}")
        values[key] = value
    return Limits(**values)


def load_conventions(path: str | Path | None = None) -> Conventions:
    """Load and validate the conventions.

    Parameters
    ----------
    path : str or Path, optional
        A ``conventions.yaml``; the package's own by default (cached).

    Returns
    -------
    Conventions

    Raises
    ------
    DefinitionError
        Listing every problem.
    """
    return _load(Path(path) if path is not None else DEFINITIONS_DIR / CONVENTIONS_FILE)


@cache
def _load(path: Path) -> Conventions:
    return validated(path, lambda p: parse_conventions(read_yaml(path, p), p))
