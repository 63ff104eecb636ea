"""Every domain fact is declared once, in ``socecon/definitions/*.yaml``, and nowhere in the code.

The test reads every module of the package as a syntax tree and looks at its literals (strings and
numbers, docstrings left out): none may repeat a fact that a declaration holds. The facts are taken
from the declarations themselves, so a fact added there is guarded here too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import socecon
from socecon import definitions
from socecon.definitions.cbs_tables import load_cbs_tables
from socecon.definitions.groups import load_groups
from socecon.definitions.units import load_units

PACKAGE_DIR = Path(socecon.__file__).resolve().parent
MODULES = sorted(PACKAGE_DIR.rglob("*.py"))
#: The one module that formats numbers the Dutch way.
FORMATS_MODULE = PACKAGE_DIR / "present" / "formats.py"


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _literals(path: Path) -> list[tuple[int, object]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstring_nodes(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and id(node) not in docstrings
    ]


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE_DIR)}:{line}"


def _declared_strings() -> dict[str, str]:
    """Literal text that only a declaration may hold, with where it is declared."""
    facts = {
        definitions.NATIONAL_CODE: "conventions.yaml national.code",
        definitions.DEFAULT_GROUP: "conventions.yaml default_group",
        definitions.REPORT_ENV: "conventions.yaml report_environment",
        definitions.REGION_CODE.pattern: "conventions.yaml region_code_pattern",
    }
    study = definitions.load_definitions().study
    for fact in (study.title, study.authors, study.citation):
        facts[fact] = "scenarios.yaml study"
    for gid in load_groups():
        facts.setdefault(gid, "groups.yaml")
    for unit in load_units():
        # Labels of one short word ("jaar") are ordinary Dutch words, not a unit's declaration.
        if len(unit.label) > 4 and unit.label != unit.id:
            facts.setdefault(unit.label, f"units.yaml {unit.id}")
    tables = load_cbs_tables()
    names = {var.name for ds in tables.datasets.values() for var in ds.variables}
    for ds_id, ds in tables.datasets.items():
        for var in ds.variables:
            # CBS's column keys, and its titles of more than one word; socecon's own variable
            # names (population, inwoners) are identifiers the code is meant to use.
            texts = [var.csv, *(title for title in var.titles if " " in title)]
            for text in texts:
                if text and text not in names:
                    facts.setdefault(text, f"cbs_tables.yaml {ds_id}.{var.name}")
        for age in ds.ages.values():
            facts.setdefault(age.title, f"cbs_tables.yaml {ds_id} ages")
    return facts


def _declared_numbers() -> dict[int, str]:
    return {
        definitions.BASE_YEAR: "conventions.yaml base_year",
        definitions.DEFAULT_HORIZON: "conventions.yaml default_horizon",
        definitions.MAX_HORIZON: "conventions.yaml max_horizon",
        definitions.load_definitions().study.year: "scenarios.yaml study year",
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_the_study_is_cited_from_its_declaration(path):
    """The study's year, title and makers are read from scenarios.yaml, never typed into text."""
    study = definitions.load_definitions().study
    year = re.compile(rf"\b{study.year}\b")
    found = [
        f"{_where(path, line)}: {value!r}"
        for line, value in _literals(path)
        if isinstance(value, str)
        and (
            year.search(value)
            or study.title.lower() in value.lower()
            or ", ".join(study.municipalities[:2]) in value
        )
    ]
    assert not found, "declared in scenarios.yaml study:\n" + "\n".join(found)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_declared_fact_is_repeated_in_code(path):
    strings, numbers = _declared_strings(), _declared_numbers()
    found = []
    for line, value in _literals(path):
        if isinstance(value, str) and value in strings:
            found.append(f"{_where(path, line)}: {value!r} is declared in {strings[value]}")
        elif type(value) is int and value in numbers:
            found.append(f"{_where(path, line)}: {value} is declared in {numbers[value]}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_region_codes_are_matched_by_the_declared_pattern_only(path):
    code_pattern = re.compile(r"(GM|PV|AM|CR|LD)\\d")
    found = [
        _where(path, line)
        for line, value in _literals(path)
        if isinstance(value, str) and code_pattern.search(value)
    ]
    assert not found, found


#: The capitals region codes start with, as declared (``GM``, ``PV``, ..., ``NL``).
CODE_LETTERS = tuple(letters for letters, _ in definitions.REGION_SHAPES.values())
#: String methods that test the start (or a pattern) of a text.
PREFIX_TESTS = {"startswith", "endswith", "removeprefix", "match", "fullmatch", "contains"}


def _code_prefix_tests(source: str) -> list[tuple[int, str]]:
    """Where code tests a region code by its literal letters instead of the declared pattern.

    Three forms: a literal starting with the letters given to a prefix test
    (``code.startswith("GM")``, ``codes.str.startswith(("PV", "AM"))``), the bare letters in a
    comparison (``code[:2] == "GM"``, ``"AM" in code``), and the letters quoted inside a literal
    (a query text such as ``"startswith(RegioS,'GM')"``).
    """
    starts = re.compile(rf"({'|'.join(CODE_LETTERS)})(?![A-Za-z])")
    quoted = re.compile(rf"[\'\"]({'|'.join(CODE_LETTERS)})[\'\"]")
    found = []
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in PREFIX_TESTS:
            for arg in node.args:
                for const in ast.walk(arg):
                    value = getattr(const, "value", None)
                    if isinstance(value, str) and starts.match(value):
                        found.append((node.lineno, f"{node.func.attr}({value!r})"))
        elif isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Constant) and side.value in CODE_LETTERS:
                    found.append((node.lineno, f"compared with {side.value!r}"))
        elif (
            isinstance(node, ast.Constant)
            and id(node) not in docstrings
            and isinstance(node.value, str)
            and quoted.search(node.value)
        ):
            found.append((node.lineno, f"quoted in {node.value!r}"))
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        'code.startswith("GM")',
        'frame["region"].str.startswith("GM")',
        'codes.str.startswith(("PV", "AM"))',
        'code[:2] == "CR"',
        '"LD" in code',
        "f\"startswith({key},'GM')\"",
    ],
)
def test_the_code_prefix_check_finds_literal_prefix_tests(snippet):
    assert _code_prefix_tests(snippet)


def test_the_code_prefix_check_leaves_other_texts_alone():
    snippet = 'line.startswith("MemAvailable:")\nname.startswith("python")\nlang = "nl-NL"'
    assert not _code_prefix_tests(snippet)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_module_tests_a_region_code_by_its_literal_prefix(path):
    """Region kinds are told apart by ``REGION_KINDS`` / ``MUNICIPALITY_CODE`` only."""
    found = _code_prefix_tests(path.read_text(encoding="utf-8"))
    assert not found, [f"{_where(path, line)}: {what}" for line, what in found]


def _swaps_point_for_comma(path: Path) -> bool:
    """Whether the module calls ``str.replace(".", ",")``: the Dutch decimal comma."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "replace"
            and [getattr(a, "value", None) for a in node.args] == [".", ","]
        ):
            return True
    return False


def test_dutch_number_formatting_lives_in_one_module():
    found = [
        str(path.relative_to(PACKAGE_DIR))
        for path in MODULES
        if path != FORMATS_MODULE and _swaps_point_for_comma(path)
    ]
    assert not found, found
    assert _swaps_point_for_comma(FORMATS_MODULE)


def test_indicator_functions_take_their_parameters_from_the_assumptions():
    """Keyword defaults of the indicator functions would shadow ``assumptions.yaml``."""
    tree = ast.parse((PACKAGE_DIR / "model" / "indicators.py").read_text(encoding="utf-8"))
    shadowing = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            for default in [*args.defaults, *args.kw_defaults]:
                if isinstance(default, ast.Constant) and type(default.value) in (int, float):
                    shadowing.append(f"{node.name} (line {node.lineno}): default {default.value}")
    assert not shadowing, shadowing
