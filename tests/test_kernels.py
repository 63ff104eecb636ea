"""Warm kernels: reused, clean between reports, replaced when they die; same pages as cold runs.

``kernel_state.ipynb`` publishes what its kernel remembers of earlier reports (leftover names,
environment, socecon module attributes, a monkeypatched function, working folder, history) and
can leave traces of its own (``secret``) or kill its kernel (``crash_marker``, ``crash_always``).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from socecon.batch import kernels
from socecon.batch.execute import run_report
from socecon.batch.executors import run_batch
from socecon.batch.tasks import DEFAULT_NOTEBOOK, ReportTask, make_tasks
from socecon.cli import main

pytestmark = pytest.mark.slow

#: What a report sees in a kernel that no report ran in before.
CLEAN = {"names": [], "environ": None, "module": None, "format_count": "1.000"}


@pytest.fixture(scope="module")
def notebook(fixtures_dir) -> Path:
    return fixtures_dir / "notebooks" / "kernel_state.ipynb"


def _task(notebook, out, label, **parameters) -> ReportTask:
    return ReportTask(label, notebook, out / f"{label}.html", label, {"label": label, **parameters})


def _found(result) -> dict:
    assert result.ok, result.error
    return json.loads(result.figures["found"])


@pytest.fixture(scope="module")
def in_one_kernel(notebook, tmp_path_factory):
    """A report that leaves traces everywhere, then one that looks for them, in one kernel.

    Run in a worker thread of its own, so that this module's kernel is not shared with other
    tests running reports in the test process.
    """
    out = tmp_path_factory.mktemp("warm")

    def run():
        dirty = run_report(_task(notebook, out, "dirty", secret="geheim"))
        clean = run_report(_task(notebook, out, "clean"))
        kernels.shutdown_all()
        return dirty, clean

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_the_warm_kernel_is_reused(in_one_kernel):
    dirty, clean = in_one_kernel
    assert dirty.ok and clean.ok
    assert dirty.figures["pid"] == clean.figures["pid"]


def test_nothing_of_one_report_leaks_into_the_next(in_one_kernel, notebook):
    dirty, clean = in_one_kernel
    for result in (dirty, clean):
        found = _found(result)
        assert found.pop("history") > 0
        assert found == {**CLEAN, "cwd": str(notebook.parent)}
    assert _found(dirty)["history"] == _found(clean)["history"]
    assert dirty.figures["count"] == clean.figures["count"]


def test_warm_report_sees_what_a_fresh_kernel_sees(in_one_kernel, notebook, tmp_path):
    _, clean = in_one_kernel
    task = ReportTask(
        "clean", notebook, tmp_path / "clean.html", "clean", {"label": "clean"}, fresh_kernel=True
    )
    cold = run_report(task)
    assert cold.ok, cold.error
    assert cold.figures["pid"] != clean.figures["pid"]
    assert {k: v for k, v in cold.figures.items() if k != "pid"} == {
        k: v for k, v in clean.figures.items() if k != "pid"
    }


def test_a_killed_kernel_is_replaced_and_no_report_is_lost(notebook, tmp_path):
    """One worker process; one report kills its kernel once, another every time."""
    marker = tmp_path / "crashed-once"
    tasks = [
        _task(notebook, tmp_path, "voor"),
        _task(notebook, tmp_path, "eenmaal", crash_marker=str(marker)),
        _task(notebook, tmp_path, "tussen"),
        _task(notebook, tmp_path, "altijd", crash_always=True),
        _task(notebook, tmp_path, "na"),
    ]
    results = {r.code: r for r in run_batch(tasks, jobs=1, progress=False)}
    assert marker.exists()
    assert [c for c, r in results.items() if r.ok] == ["voor", "eenmaal", "tussen", "na"]
    assert results["eenmaal"].attempts == 2 and results["voor"].attempts == 1
    # the kernel was replaced after each death, and every report still saw a clean kernel
    pids = [results[c].figures["pid"] for c in ("voor", "eenmaal", "tussen", "na")]
    assert pids[0] != pids[1] == pids[2] != pids[3]
    for code in ("eenmaal", "tussen", "na"):
        assert _found(results[code])["names"] == []
    failed = results["altijd"]
    assert failed.attempts == 2 and not (tmp_path / "altijd.html").exists()
    # No prompt "In [n]: " for a cell whose kernel died: whether it is known is a race.
    assert failed.error.startswith('the kernel died in cell 6 ("if crash_always or')
    assert "tried 2 times" in failed.error
    assert failed.log is not None and "attempt 1: the kernel died" in failed.log.read_text()


# --------------------------------------------------------------------------- the real notebook

_STAMP = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")
_CHART_ID = re.compile(r"socecon-chart-[0-9a-f]{12}")


def _masked(page: str) -> str:
    """The page without its time of generation and its random chart ids."""
    return _CHART_ID.sub("socecon-chart-ID", _STAMP.sub("DD-MM-YYYY HH:MM", page))


@pytest.fixture(scope="module")
def real_reports(tmp_path_factory):
    """The real notebook cold (a kernel per report) and warm (one kernel, an override first)."""
    cold_dir = tmp_path_factory.mktemp("cold")
    warm_dir = tmp_path_factory.mktemp("warm")
    codes = ["GM0164", "isd_midden_langstraat"]
    cold = run_batch(
        make_tasks(codes, DEFAULT_NOTEBOOK, cold_dir, fresh_kernel=True), jobs=2, progress=False
    )
    (override,) = make_tasks(
        ["GM0164"],
        DEFAULT_NOTEBOOK,
        warm_dir / "override",
        parameters={"overrides": {"take_up": 0.9}},
    )
    (warm_dir / "override").mkdir()

    def run():
        results = [run_report(override)]
        results += [run_report(t) for t in make_tasks(codes, DEFAULT_NOTEBOOK, warm_dir)]
        kernels.shutdown_all()
        return results

    with ThreadPoolExecutor(1) as pool:
        warm = pool.submit(run).result()
    return {r.code: r for r in cold}, warm


def test_warm_reports_equal_cold_reports(real_reports):
    cold, (_, *warm) = real_reports
    for result in warm:
        assert result.ok and cold[result.code].ok, (result.error, cold[result.code].error)
        assert result.attempts == 1
        page = result.path.read_text(encoding="utf-8")
        assert _masked(page) == _masked(cold[result.code].path.read_text(encoding="utf-8"))
        assert result.figures == cold[result.code].figures


def test_assumption_overrides_do_not_leak_into_the_next_report(real_reports):
    cold, (override, hengelo, _) = real_reports
    assert override.ok, override.error
    page = override.path.read_text(encoding="utf-8")
    # the colophon names the changed assumption in words
    assert "Meedoen binnen het productiviteitsvenster: 90 % (aangepast; standaard 60 %)" in page
    assert override.figures != hengelo.figures == cold["GM0164"].figures


# --------------------------------------------------------------------------- Dask


def test_socecon_run_on_a_dask_cluster(notebook, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "reports"
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        argv = ["run", "--notebook", str(notebook), "--out", str(out), "--no-progress"]
        argv += ["--scheduler", cluster.scheduler_address]
        for code in ("GM0014", "GM0034", "GM0037", "GM0047"):
            argv += ["--gemeente", code]
        code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "4 of 4 reports written" in captured.out
    entries = json.loads((out / "index.json").read_text())["reports"]
    assert len(entries) == 4 and all(e["href"] for e in entries)
    pids = {e["figures"]["pid"] for e in entries}
    assert 1 <= len(pids) <= 2  # one warm kernel per Dask worker at most
    for entry in entries:  # only the parameters socecon run passes
        assert json.loads(entry["figures"]["found"])["names"] == ["horizon", "indeling", "region"]
