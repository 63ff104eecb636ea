"""Stopping ``socecon run``: Ctrl-C, SIGTERM or a killed parent leave no worker or kernel alive.

Each test starts ``socecon run`` on three municipalities with two workers, in a process of its
own, on a notebook that writes GM0784 at once and hangs on the others. Once GM0784 is written
and both warm kernels run, the test records every process below ``socecon run``, sends the
signal, and checks by PID that all of them are gone within a bounded wait, and (where the parent
can still act) that the index lists exactly the reports on disk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CODES = ("GM0784", "GM0785", "GM0786")
WAIT = 120.0  # seconds for the kernels to start (two cores shared with other work)
GONE = 30.0  # seconds every process below `socecon run` has to disappear


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('region = ""\nhorizon = 2020')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell("import time\nif region != 'GM0784':\n    time.sleep(600)"),
        nbformat.v4.new_markdown_cell("Klaar."),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["kernelspec"]["language"] = "python"
    nbformat.write(nb, path)
    return path


def _kernels(tree: list[psutil.Process]) -> list[psutil.Process]:
    found = []
    for process in tree:
        try:
            if any("ipykernel" in part for part in process.cmdline()):
                found.append(process)
        except psutil.Error:
            pass
    return found


def _start(tmp_path: Path) -> tuple[subprocess.Popen, list[psutil.Process], Path]:
    """Start the run; return it, every process below it, and the output folder, mid-run."""
    out = tmp_path / "reports"
    out.mkdir()
    # A stale index: it lists a report that is not there.
    (out / "index.json").write_text(
        json.dumps({"reports": [{"code": "GM0785", "name": "Oud", "href": "GM0785.html"}]})
    )
    command = [sys.executable, "-m", "socecon", "run", "--jobs", "2", "--no-progress"]
    command += [f"--gemeente={code}" for code in CODES]
    command += ["--out", str(out), "--notebook", str(_notebook(tmp_path / "hang.ipynb"))]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(run.pid)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        tree = parent.children(recursive=True)
        if (out / "GM0784.html").exists() and len(_kernels(tree)) >= 2:
            return run, tree, out
        assert run.poll() is None, run.stderr.read()
        time.sleep(0.2)
    run.kill()
    pytest.fail(f"the kernels did not start within {WAIT:g} s")


def _assert_all_gone(tree: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(tree, timeout=GONE)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    described = [f"{p.pid} {' '.join(p.cmdline())[:80]}" for p in alive]
    for process in alive:  # do not leave them behind for the rest of the suite
        process.kill()
    assert not alive, f"still running {GONE:g} s after the signal: {described}"


def _assert_index_matches_disk(out: Path) -> None:
    rows = json.loads((out / "index.json").read_text(encoding="utf-8"))["reports"]
    listed = sorted(r["code"] for r in rows if r["href"])
    assert listed == sorted(p.stem for p in out.glob("GM*.html")) == ["GM0784"]
    assert "GM0784.html" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)]
)
def test_a_signal_stops_every_worker_and_kernel_and_rewrites_the_index(tmp_path, signum, code):
    run, tree, out = _start(tmp_path)
    assert len(tree) >= 4  # two workers, two kernels
    run.send_signal(signum)
    assert run.wait(GONE) == code
    assert "Traceback" not in run.stderr.read()
    _assert_all_gone(tree)
    _assert_index_matches_disk(out)


def test_workers_and_kernels_stop_when_socecon_run_is_killed(tmp_path):
    run, tree, _ = _start(tmp_path)
    run.kill()  # SIGKILL: the parent can do nothing; its workers notice it is gone
    run.wait(GONE)
    _assert_all_gone(tree)
