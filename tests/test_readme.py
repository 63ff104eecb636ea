"""The README works as written: its Python examples run, its commands parse, its names exist."""

from __future__ import annotations

import importlib
import re
import shlex

import pytest

from socecon.cli import build_parser
from socecon.definitions import MODEL_CHANGES, MODEL_VERSION


@pytest.fixture(scope="module")
def readme(repo_root) -> str:
    return (repo_root / "README.md").read_text(encoding="utf-8")


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _socecon_commands(text: str) -> list[list[str]]:
    commands = []
    for block in _blocks(text, "bash"):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith(".venv/bin/socecon "):
                commands.append(shlex.split(line)[1:])
    return commands


def _dotted_names(text: str) -> set[str]:
    """Every ``socecon.x.y`` the README names in backticks (calls and attributes included)."""
    names = set()
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for quoted in re.findall(r"`([^`\n]+)`", prose):
        for name in re.findall(r"\bsocecon(?:\.[A-Za-z_]\w*)+", quoted):
            names.add(name)
    return names


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_the_readme_names_only_what_exists(readme):
    names = _dotted_names(readme)
    assert len(names) >= 10  # the README does name the package's modules
    missing = []
    for name in sorted(names):
        try:
            _resolve(name)
        except (ModuleNotFoundError, AttributeError) as exc:
            missing.append(f"{name}: {exc}")
    assert not missing, "\n".join(missing)


def test_every_file_the_readme_names_exists(readme, repo_root):
    paths = set(
        re.findall(r"(?<![\w/.])((?:socecon|tests|benchmarks|notebooks|data)/[\w/.-]*\w)", readme)
    )
    assert len(paths) >= 10
    # tests/artifacts/ holds what the browser tests write (screenshots): made, not committed
    made = ("tests/artifacts/",)
    missing = sorted(p for p in paths if not p.startswith(made) and not (repo_root / p).exists())
    assert not missing, missing


def test_every_socecon_command_of_the_readme_parses(readme):
    commands = _socecon_commands(readme)
    assert len(commands) >= 5
    parser = build_parser()
    for args in commands:
        parsed = parser.parse_args(args)
        assert callable(parsed.func), args


def test_the_python_examples_of_the_readme_run(readme, capsys):
    blocks = _blocks(readme, "python")
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "Windtunnel voor" in capsys.readouterr().out


def test_the_readme_lists_what_changed_in_this_model_version(readme):
    # The changes are declared once (conventions.yaml, model.changes); the README repeats the
    # English text, so a change added there without the README fails here.
    flat = " ".join(readme.split())
    assert f"What changed in version {MODEL_VERSION}:" in flat
    for change in MODEL_CHANGES:
        assert change.en in flat, change.en
