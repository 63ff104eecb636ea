"""The package's structure holds: every module imports, modules stay small, layers are respected.

The layer contract itself lives in ``pyproject.toml`` (``[tool.importlinter]``) and is checked by
``lint-imports``, which ``make test`` runs before pytest; the test here runs it too, so that a plain
``pytest`` run cannot miss it.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import socecon

PACKAGE_DIR = Path(socecon.__file__).resolve().parent
#: The size a module should stay under: one job per module (issue 11).
MAX_MODULE_LINES = 600


def _module_names() -> list[str]:
    names = ["socecon"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="socecon."):
        if not info.name.endswith(".__main__"):  # runs the CLI; tests/test_cli.py covers it
            names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def test_the_package_has_its_layers():
    layers = {name.split(".")[1] for name in MODULES if name.count(".") >= 1}
    for layer in (
        "definitions",
        "data",
        "regions",
        "model",
        "analysis",
        "present",
        "report",
        "batch",
        "workbench",
        "cli",
        "exceptions",
    ):
        assert layer in layers, layer


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports(name):
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no module docstring"


@pytest.mark.parametrize(
    "path", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE_DIR))
)
def test_no_module_is_over_the_size_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines"


def test_no_utils_module():
    assert not [p for p in PACKAGE_DIR.rglob("*.py") if p.stem in {"utils", "helpers", "misc"}]


#: Packages that may be imported inside a function, and why: each is slow to import (measured
#: 0.1-2.4 s on the 2-core machine) or optional, and only some commands need it.
LAZY_IMPORTS = {
    "papermill": "executes notebooks; only batches need it (~2 s to import)",
    "nbclient": "executes notebooks; only batches need it (~2 s)",
    "nbconvert": "exports HTML; only batches need it (~2 s)",
    "jupyter_client": "starts kernels; only batches need it",
    "jupyter_core": "kernel paths; only batches need it",
    "ipywidgets": "heavy interactive UI; only the workbench explorer needs it",
    "IPython": "display objects; only inside a kernel",
    "dask": "optional extra 'dask'",
    "distributed": "optional extra 'dask'",
    "cbsodata": "network refresh only",
    "requests": "network refresh only",
    "vl_convert": "PNG export and the vega bundle only",
}
#: The command line loads a subcommand's layers only when that subcommand runs, so that
#: `socecon scenarios` does not import altair and papermill (~4 s).
LAZY_IMPORTERS = ("cli.py", "cli/")


def _function_level_imports() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top:
                if isinstance(node, ast.ImportFrom):
                    module = "." if node.level else node.module
                else:
                    module = node.names[0].name
                rel = str(path.relative_to(PACKAGE_DIR))
                found.append((rel, node.lineno, module))
    return found


def test_imports_are_at_module_level():
    hidden = []
    for rel, line, module in _function_level_imports():
        root = module.split(".")[0]
        if root in LAZY_IMPORTS:
            continue
        if root == "socecon" and rel.startswith(LAZY_IMPORTERS):
            continue
        hidden.append(f"{rel}:{line} imports {module} inside a function")
    assert not hidden, "\n".join(hidden)


def _error_classes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and (
                node.name.endswith("Error") or node.name.endswith("Exception")
            ):
                found.setdefault(node.name, []).append(str(path.relative_to(PACKAGE_DIR)))
    return found


def test_every_error_class_lives_in_exceptions():
    misplaced = {k: v for k, v in _error_classes().items() if v != ["exceptions.py"]}
    assert not misplaced


def test_the_layer_contract_holds():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "lint-imports (import-linter) is not installed in this environment"
    done = subprocess.run(
        [lint_imports, "--config", str(PACKAGE_DIR.parent / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=PACKAGE_DIR.parent,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
