"""The report runner: typed parameters, failures, timeouts, read-only folders, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import Executor, Future
from pathlib import Path

import nbformat
import pytest

from socecon.batch import executors, kernels
from socecon.batch.execute import ReportResult, run_report
from socecon.batch.executors import check_writable, run_batch, summarize
from socecon.batch.tasks import ReportTask, make_tasks, select_regions
from socecon.cli import main
from socecon.definitions import REPORT_ENV
from socecon.exceptions import ReportError

pytestmark = pytest.mark.slow

HANG_TIMEOUT = 12.0


@pytest.fixture(scope="module")
def notebook(fixtures_dir) -> Path:
    return fixtures_dir / "notebooks" / "charts.ipynb"


@pytest.fixture(scope="module")
def batch(notebook, tmp_path_factory):
    """One batch through the default process pool: a good, a failing and a hanging report."""
    out = tmp_path_factory.mktemp("reports")
    tasks = [
        ReportTask("GM0363", notebook, out / "GM0363.html", "Amsterdam", {"region": "0363"}),
        ReportTask("GM0001", notebook, out / "GM0001.html", "Faalstad", {"fail": True}),
        ReportTask(
            "GM0002",
            notebook,
            out / "GM0002.html",
            "Hangdorp",
            {"hang": True},
            timeout=HANG_TIMEOUT,
        ),
    ]
    results = run_batch(tasks, jobs=3, progress=False)
    return out, {r.code: r for r in results}


def test_results_come_back_in_task_order(batch):
    _, results = batch
    assert list(results) == ["GM0363", "GM0001", "GM0002"]


def test_good_report_is_written_with_its_figures(batch):
    out, results = batch
    good = results["GM0363"]
    assert good.ok and good.error is None and good.log is None
    assert good.path == out / "GM0363.html"
    assert good.size == good.path.stat().st_size > 100_000
    page = good.path.read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")
    assert "<title>Amsterdam</title>" in page
    assert "<code>'0363'</code> (type str)" in page  # a string stays a string
    assert good.figures == {"Doelgroep (personen)": 2500, "Geplaatst bij 50 % opname": 4650.0}


def test_failing_cell_gives_one_clear_message_a_log_and_no_html(batch):
    out, results = batch
    bad = results["GM0001"]
    assert not bad.ok and bad.path is None
    assert bad.error == ('cell 5 (In [5]: "if fail:") raised ValueError: testfout voor GM0000')
    assert not (out / "GM0001.html").exists()
    assert bad.log == out / "logs" / "GM0001.log"
    log = bad.log.read_text(encoding="utf-8")
    assert "parameters: {'fail': True}" in log
    assert 'raise ValueError(f"testfout voor {region}")' in log  # the cell's traceback
    executed = nbformat.read(out / "logs" / "GM0001.ipynb", as_version=4)
    assert any(c.metadata.get("papermill", {}).get("exception") for c in executed.cells)


def test_hanging_report_is_stopped_at_its_timeout_and_others_finish(batch):
    out, results = batch
    hung = results["GM0002"]
    assert not hung.ok
    assert hung.error.startswith(f"timed out after {HANG_TIMEOUT:g} s")
    assert hung.attempts == 2  # the hung kernel was killed and the report tried once more
    assert "kernel stopped" in hung.error or "cell" not in hung.error
    assert hung.log is not None and hung.log.exists()
    assert not (out / "GM0002.html").exists()
    assert results["GM0363"].ok


def test_no_temporary_or_partial_files_are_left(batch):
    out, _ = batch
    names = sorted(p.name for p in out.rglob("*"))
    assert names == [
        "GM0001.ipynb",
        "GM0001.log",
        "GM0002.ipynb",
        "GM0002.log",
        "GM0363.html",
        "logs",
    ]


def test_summary_names_every_failure_with_reason_and_log(batch):
    _, results = batch
    text = summarize(results.values())
    assert text.splitlines()[0].startswith("1 of 3 reports written")
    assert "FAILED GM0001 (Faalstad): cell 5" in text and "GM0001.log" in text
    assert "FAILED GM0002 (Hangdorp): timed out" in text


def _make_read_only(folder: Path):
    """Make ``folder`` unwritable, also for root (chattr +i); None if this system cannot."""
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.touch()
    except PermissionError:
        return lambda: folder.chmod(0o755)
    probe.unlink()
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0:
        return lambda: (subprocess.run([chattr, "-i", str(folder)]), folder.chmod(0o755))
    folder.chmod(0o755)
    return None


@pytest.fixture
def read_only(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    undo = _make_read_only(folder)
    if undo is None:
        pytest.skip("cannot make a read-only folder here (root without chattr)")
    yield folder
    undo()


def test_read_only_output_folder_is_refused_with_one_message(read_only, notebook, capsys):
    with pytest.raises(ReportError, match=f"cannot write reports to {read_only}"):
        check_writable(read_only)
    code = main(["run", "--gemeente", "0363", "--notebook", str(notebook), "--out", str(read_only)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"socecon: error: cannot write reports to {read_only}: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_read_only_folder_during_a_run_fails_that_report_cleanly(read_only, notebook):
    result = run_report(
        ReportTask("GM0363", notebook, read_only / "GM0363.html", log_dir=read_only / "logs")
    )
    assert not result.ok
    assert result.error.startswith(f"cannot write {read_only / 'GM0363.html'}: PermissionError")
    assert list(read_only.iterdir()) == []


def test_missing_notebook_is_one_message(tmp_path):
    result = run_report(ReportTask("GM0363", tmp_path / "nope.ipynb", tmp_path / "x.html"))
    assert not result.ok and result.error == f"notebook not found: {tmp_path / 'nope.ipynb'}"
    assert result.attempts == 1


class RecordingExecutor(Executor):
    """Runs tasks inline and records them; shows the runner takes any executor."""

    def __init__(self):
        self.submitted = []
        self.shut = False

    def submit(self, fn, /, *args, **kwargs):
        self.submitted.append(args[0].code)
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.shut = True


def test_any_executor_can_run_the_batch_and_is_left_open(tmp_path):
    missing = tmp_path / "missing.ipynb"
    tasks = [ReportTask(c, missing, tmp_path / f"{c}.html") for c in ("GM0001", "GM0002")]
    pool = RecordingExecutor()
    results = run_batch(tasks, executor=pool, progress=False)
    assert pool.submitted == ["GM0001", "GM0002"] and not pool.shut
    assert [r.ok for r in results] == [False, False]


def test_default_batch_is_the_participants_plus_isd_midden_langstraat():
    from socecon.regions import participating_codes

    codes = select_regions()
    assert codes == [*participating_codes(), "isd_midden_langstraat"]
    assert len(codes) == 9


def test_selection_by_code_name_and_group_without_duplicates():
    codes = select_regions(["0363", "Amsterdam"], ["isd_midden_langstraat"])
    assert codes == ["GM0797", "GM0809", "GM0867", "GM0363"]


def test_tasks_carry_typed_parameters(tmp_path, notebook):
    (task,) = make_tasks(["GM0363"], notebook, tmp_path, horizon=2025, timeout=30)
    assert task.parameters == {"region": "GM0363", "horizon": 2025}
    assert task.name == "Amsterdam" and task.output == tmp_path / "GM0363.html"
    assert task.timeout == 30.0


def test_unknown_municipality_is_one_message_and_no_traceback(notebook, tmp_path, capsys):
    code = main(
        ["run", "--gemeente", "GM9999", "--notebook", str(notebook), "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("socecon: error: Unknown municipality 'GM9999'; did you mean")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_report_and_index(notebook, tmp_path, capsys):
    out = tmp_path / "reports"
    argv = ["run", "--gemeente", "0363", "--notebook", str(notebook), "--out", str(out)]
    code = main([*argv, "--jobs", "1", "--no-progress", "--horizon", "2030"])
    assert code == 0, capsys.readouterr().err
    assert "1 of 1 reports written" in capsys.readouterr().out
    page = (out / "GM0363.html").read_text(encoding="utf-8")
    assert "horizon 2030" in page and "<code>'GM0363'</code>" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="GM0363.html">Amsterdam</a>' in index and ">4.650<" in index
    assert sorted(p.name for p in out.iterdir()) == ["GM0363.html", "index.html", "index.json"]


def test_cli_exit_code_is_1_when_a_report_fails(tmp_path, capsys, monkeypatch):
    def fail(tasks, **kwargs):
        return [
            ReportResult(t.code, t.title, False, error="boom", log=Path("x.log")) for t in tasks
        ]

    monkeypatch.setattr(executors, "run_batch", fail)
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    code = main(["run", "--gemeente", "0363", "--notebook", str(nb), "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert "0 of 1 reports written" in captured.out
    assert "FAILED GM0363 (Amsterdam): boom; log: x.log" in captured.err
    assert "mislukt: boom" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_cli_rejects_a_missing_notebook(tmp_path, capsys):
    assert main(["run", "--notebook", str(tmp_path / "none.ipynb")]) == 1
    assert "report notebook not found" in capsys.readouterr().err


def test_report_mode_is_switched_off_again_after_a_run(batch):
    assert os.environ.get(REPORT_ENV) is None


def test_unknown_codes_are_collected_when_asked_and_the_rest_selected():
    unknown: list[str] = []
    codes = select_regions(["GM0164", "GM9999", "nergenshuizen"], unknown=unknown)
    assert codes == ["GM0164"]
    assert len(unknown) == 2 and unknown[0].startswith("Unknown municipality 'GM9999'")


def test_default_python_kernel_runs_in_socecons_own_interpreter(tmp_path, monkeypatch):
    import json
    import sys

    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "elders", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    manager = kernels.kernel_manager_class()(kernel_name="python3")
    assert manager.kernel_spec.resource_dir == str(spec_dir)  # the foreign spec was found ...
    assert manager.kernel_spec.argv == [sys.executable, *argv[1:]]  # ... but runs our python
    other = kernels.own_interpreter(manager.kernel_spec, kernel_name="other")
    assert other.argv[0] == sys.executable  # unchanged when already ours


def test_assumption_overrides_reach_every_report_as_typed_values(tmp_path, monkeypatch, capsys):
    seen = []

    def capture(tasks, **kwargs):
        seen.extend(tasks)
        return [ReportResult(t.code, t.title, True) for t in tasks]

    monkeypatch.setattr(executors, "run_batch", capture)
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    argv = ["run", "--notebook", str(nb), "--out", str(tmp_path), "--gemeente", "GM0164"]
    assert (
        main([*argv, "--gemeente", "0106", "--set", "take_up=0.8", "--set", "quota_share=0.03"])
        == 0
    )
    assert [t.parameters["overrides"] for t in seen] == [{"take_up": 0.8, "quota_share": 0.03}] * 2
    assert all(t.parameters["region"] in ("GM0164", "GM0106") for t in seen)


def test_bad_override_stops_the_batch_before_any_report(tmp_path, monkeypatch, capsys):
    def must_not_run(tasks, **kwargs):
        raise AssertionError("no report may start with an invalid override")

    monkeypatch.setattr(executors, "run_batch", must_not_run)
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    out = tmp_path / "out"
    argv = ["run", "--notebook", str(nb), "--out", str(out), "--set", "take_up=1.7"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "'take_up' = 1.7 is outside its bounds" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
