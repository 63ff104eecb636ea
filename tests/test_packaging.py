"""Packaging stays consistent: pyproject and environment.yml agree; notebooks have no outputs."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from socecon.batch.notebooks import has_outputs


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_environment_yml_matches_pyproject(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    wanted = {
        _name(r): r.replace(" ", "")
        for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    env = yaml.safe_load((repo_root / "environment.yml").read_text())
    conda = {
        _name(d): d.replace(" ", "")
        for d in env["dependencies"]
        if isinstance(d, str) and _name(d) not in {"python", "pip"}
    }
    # what conda-forge lacks comes from PyPI through the pip section (besides socecon itself)
    (pip,) = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    conda |= {_name(d): d.replace(" ", "") for d in pip if not d.startswith("-e")}
    assert conda == wanted


def test_fixed_top_level_layout(repo_root):
    for name in [
        "notebooks",
        "socecon",
        "data",
        "reports",
        "tests",
        "environment.yml",
        "README.md",
        "pyproject.toml",
        "Makefile",
        ".ci/run",
    ]:
        assert (repo_root / name).exists(), name


def test_readme_names_the_two_commands(repo_root):
    readme = (repo_root / "README.md").read_text()
    assert "make reports" in readme and "make test" in readme
    assert "make test" in (repo_root / ".ci" / "run").read_text()


def _notebook(outputs: list, count) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "source": "1",
                "metadata": {},
                "outputs": outputs,
                "execution_count": count,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_output_detector_detects_outputs():
    assert has_outputs(_notebook([{"output_type": "stream", "text": "1"}], None))
    assert has_outputs(_notebook([], 3))
    assert not has_outputs(_notebook([], None))


NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path):
    assert not has_outputs(json.loads(path.read_text())), f"strip outputs of {path.name}"
