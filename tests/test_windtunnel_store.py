"""The wind-tunnel tables a report batch computes in passes and its reports read back.

A stored table reads back exactly equal (dtypes, tuple columns, the goal in ``attrs``); a report
reads one only for exactly its inputs and computes alone for anything else (no store, another
input, a corrupt or mismatched file); the batch's pass survives a region that fails, and its
store is gone afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from socecon.analysis.criteria import Goal
from socecon.batch import kernels, windtunnel_pass
from socecon.batch.execute import run_report
from socecon.batch.tasks import DEFAULT_NOTEBOOK, make_tasks
from socecon.batch.windtunnel_pass import WindTunnelPass, notebook_defaults
from socecon.cli import main
from socecon.report import policy, windtunnel_tables
from socecon.report.region_figures import resolve_region
from socecon.report.windtunnel_tables import STORE_ENV, read_table, table_key, write_table

GOAL = policy.report_goal()
INPUTS = dict(horizon=2020, overrides={}, n_samples=200, seed=1)
ZUTPHEN, ROZENDAAL = "GM0301", "GM0277"  # Rozendaal has no target group ("geen doelgroep")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    places = [resolve_region(code) for code in (ZUTPHEN, ROZENDAAL)]
    computed = windtunnel_tables.compute_tables(places, GOAL, **INPUTS)
    return dict(zip((ZUTPHEN, ROZENDAAL), computed, strict=True))


def _store(tmp_path, monkeypatch, code, table, **inputs):
    monkeypatch.setenv(STORE_ENV, str(tmp_path))
    key = table_key(resolve_region(code), GOAL, **{**INPUTS, **inputs})
    return write_table(tmp_path, key, table)


@pytest.mark.parametrize("code", [ZUTPHEN, ROZENDAAL])
def test_a_stored_table_reads_back_exactly_equal(tables, code, tmp_path, monkeypatch):
    table = tables[code]
    assert {"breaks_when", "drivers"} <= set(table.columns)
    _store(tmp_path, monkeypatch, code, table)
    back = read_table(resolve_region(code), GOAL, **INPUTS)
    pd.testing.assert_frame_equal(back, table, check_exact=True)
    assert back.attrs == table.attrs and isinstance(back.attrs["goal"], Goal)
    assert list(back["drivers"]) == list(table["drivers"])  # tuples of tuples, not lists
    assert all(isinstance(d, tuple) for d in back["drivers"])


def test_the_report_reads_the_stored_table(tables, tmp_path, monkeypatch):
    # Rozendaal's table stored under Zutphen's inputs: only a read can give it to Zutphen
    _store(tmp_path, monkeypatch, ZUTPHEN, tables[ROZENDAAL])
    got = policy.windtunnel_table(ZUTPHEN, GOAL, **INPUTS)
    pd.testing.assert_frame_equal(got, tables[ROZENDAAL], check_exact=True)


@pytest.mark.parametrize(
    "other",
    [
        {"seed": 2},
        {"n_samples": 201},
        {"horizon": 2021},
        {"overrides": {"take_up": 0.7}},
    ],
)
def test_a_table_of_other_inputs_is_not_read(tables, other, tmp_path, monkeypatch):
    _store(tmp_path, monkeypatch, ZUTPHEN, tables[ROZENDAAL], **other)
    assert read_table(resolve_region(ZUTPHEN), GOAL, **INPUTS) is None
    assert read_table(resolve_region(ROZENDAAL), GOAL, **INPUTS) is None
    assert read_table(resolve_region(ZUTPHEN, 2015), GOAL, **{**INPUTS, **other}) is None
    other_goal = {**GOAL, "participation_min": 21.0}
    assert read_table(resolve_region(ZUTPHEN), other_goal, **{**INPUTS, **other}) is None
    assert read_table(resolve_region(ZUTPHEN), GOAL, **{**INPUTS, **other}) is not None


def test_other_data_or_code_is_not_read(tables, tmp_path, monkeypatch):
    _store(tmp_path, monkeypatch, ZUTPHEN, tables[ZUTPHEN])
    place = resolve_region(ZUTPHEN)
    assert read_table(place, GOAL, **INPUTS) is not None
    hashes = windtunnel_tables.input_hashes()
    changed = {**hashes, next(iter(hashes)): "0" * 64}
    monkeypatch.setattr(windtunnel_tables, "input_hashes", lambda: changed)
    assert read_table(place, GOAL, **INPUTS) is None
    monkeypatch.setattr(windtunnel_tables, "input_hashes", lambda: hashes)
    monkeypatch.setattr(windtunnel_tables, "_code_hash", lambda: "other code")
    assert read_table(place, GOAL, **INPUTS) is None


def _corrupt(path):
    path.write_text(path.read_text()[:1000])


def _mismatch(path):
    stored = json.loads(path.read_text())
    stored["key"]["seed"] += 1  # a file named for these inputs that holds another table
    path.write_text(json.dumps(stored))


@pytest.mark.parametrize("spoil", [_corrupt, _mismatch, lambda path: path.write_bytes(b"\xff")])
def test_a_corrupt_or_mismatched_file_falls_back_to_computing(tables, spoil, tmp_path, monkeypatch):
    path = _store(tmp_path, monkeypatch, ZUTPHEN, tables[ROZENDAAL])
    spoil(path)
    assert read_table(resolve_region(ZUTPHEN), GOAL, **INPUTS) is None
    got = policy.windtunnel_table(ZUTPHEN, GOAL, **INPUTS)
    pd.testing.assert_frame_equal(got, tables[ZUTPHEN], check_exact=True)


def test_no_store_and_a_missing_store_compute_alone(tables, tmp_path, monkeypatch):
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert read_table(resolve_region(ZUTPHEN), GOAL, **INPUTS) is None
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "gone"))
    assert read_table(resolve_region(ZUTPHEN), GOAL, **INPUTS) is None


def test_what_the_format_cannot_restore_is_refused(tables, tmp_path):
    key = table_key(resolve_region(ZUTPHEN), GOAL, **INPUTS)
    listed = tables[ZUTPHEN].assign(drivers=[list(d) for d in tables[ZUTPHEN]["drivers"]])
    with pytest.raises(TypeError, match="drivers"):
        write_table(tmp_path, key, listed)
    with pytest.raises(TypeError, match="range index"):
        write_table(tmp_path, key, tables[ZUTPHEN].set_index("option", drop=False))
    assert not list(tmp_path.iterdir())  # nothing half-written


# --------------------------------------------------------------------------- the batch's pass


def _tasks(tmp_path, codes, **parameters):
    parameters = {"windtunnel_samples": 200, "windtunnel_seed": 1, **parameters}
    return make_tasks(codes, DEFAULT_NOTEBOOK, tmp_path, parameters=parameters)


def test_the_pass_knows_the_reports_inputs_from_the_notebook_and_the_task(tmp_path):
    defaults = notebook_defaults(DEFAULT_NOTEBOOK)
    assert set(windtunnel_pass.PARAMETERS) <= set(defaults)
    tunnel = WindTunnelPass(_tasks(tmp_path, [ZUTPHEN, ROZENDAAL]), chunk=2).start()
    try:
        assert tunnel.wait(120)
        assert tunnel.stored == [ZUTPHEN, ROZENDAAL] and not tunnel.failed
        for task in tunnel.tasks:
            assert task.environment == {STORE_ENV: str(tunnel.directory)}
        # what the notebook computes: its goal and defaults, the task's samples and seed
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(STORE_ENV, str(tunnel.directory))
            inputs = {**INPUTS, "horizon": defaults["horizon"]}
            assert read_table(resolve_region(ROZENDAAL), GOAL, **inputs) is not None
    finally:
        tunnel.close()
    assert not tunnel.directory.exists()


def test_one_failing_region_does_not_stop_the_others(tmp_path, monkeypatch):
    real = windtunnel_pass.compute_tables

    def failing(places, *args, **kwargs):
        if any(place.code == ROZENDAAL for place in places):
            raise RuntimeError("kapot")
        return real(places, *args, **kwargs)

    monkeypatch.setattr(windtunnel_pass, "compute_tables", failing)
    tasks = _tasks(tmp_path, ["GM0164", ROZENDAAL, ZUTPHEN])
    # an override the wind tunnel refuses: that report's own pass fails, really
    tasks += _tasks(tmp_path, ["GM0797"], overrides={"take_up": 2})
    tasks += _tasks(tmp_path, ["GM0809"])
    with windtunnel_pass.windtunnel_pass(tasks, chunk=3) as tunnel:
        assert tunnel.wait(120)
        assert tunnel.stored == ["GM0164", ZUTPHEN, "GM0809"]
        assert set(tunnel.failed) == {ROZENDAAL, "GM0797"}
        assert "kapot" in tunnel.failed[ROZENDAAL]
        assert len(list(tunnel.directory.glob("*.json"))) == 3
    assert not tunnel.directory.exists()


def test_the_store_is_removed_when_the_batch_is_interrupted(tmp_path):
    tasks = _tasks(tmp_path, [ZUTPHEN])
    with pytest.raises(KeyboardInterrupt), windtunnel_pass.windtunnel_pass(tasks) as tunnel:
        raise KeyboardInterrupt
    assert not tunnel.directory.exists()


def test_the_store_of_a_killed_batch_is_removed_by_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    command = [sys.executable, "-c", "import os; print(os.getpid())"]
    gone = subprocess.run(command, capture_output=True, text=True, check=True)
    killed = tmp_path / f"{windtunnel_pass.STORE_PREFIX}{int(gone.stdout)}-abc"
    running = tmp_path / f"{windtunnel_pass.STORE_PREFIX}{os.getppid()}-abc"
    for folder in (killed, running):
        folder.mkdir()
    tunnel = WindTunnelPass(_tasks(tmp_path, [ZUTPHEN]))
    assert tunnel.directory.parent == tmp_path
    assert tunnel.directory.name.startswith(f"{windtunnel_pass.STORE_PREFIX}{os.getpid()}-")
    assert not killed.exists() and running.exists()
    tunnel.close()
    assert not tunnel.directory.exists()


def test_no_pass_for_a_notebook_without_the_wind_tunnel(fixtures_dir, tmp_path):
    notebook = fixtures_dir / "notebooks" / "charts.ipynb"
    tasks = make_tasks([ZUTPHEN], notebook, tmp_path)
    with windtunnel_pass.windtunnel_pass(tasks) as tunnel:
        assert tunnel is None
    with windtunnel_pass.windtunnel_pass(_tasks(tmp_path, [ZUTPHEN]), enabled=False) as tunnel:
        assert tunnel is None
    for text in ("{}", "[1]", "geen notebook"):  # the report then says what is wrong
        broken = tmp_path / "broken.ipynb"
        broken.write_text(text)
        assert notebook_defaults(broken) == {}
        with windtunnel_pass.windtunnel_pass(make_tasks([ZUTPHEN], broken, tmp_path)) as tunnel:
            assert tunnel is None


# --------------------------------------------------------------------------- the real batch

_STAMP = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")
_CHART_ID = re.compile(r"socecon-chart-[0-9a-f]{12}")


def _page(path) -> str:
    """The page without its time of generation and its random chart ids."""
    text = path.read_text(encoding="utf-8")
    return _CHART_ID.sub("socecon-chart-ID", _STAMP.sub("DD-MM-YYYY HH:MM", text))


@pytest.mark.slow
def test_socecon_run_with_the_pass_writes_the_same_pages(tmp_path, monkeypatch, capsys):
    """Papermill and warm kernels, as `socecon run` runs them: the store changes no page."""
    seen = []
    start, close = WindTunnelPass.start, WindTunnelPass.close

    def start_and_finish(self):  # every table stored before any report runs: no race
        start(self)
        assert self.wait(600)
        return self

    def recording_close(self):
        seen.append((list(self.stored), dict(self.failed), sorted(self.directory.iterdir())))
        close(self)

    monkeypatch.setattr(WindTunnelPass, "start", start_and_finish)
    monkeypatch.setattr(WindTunnelPass, "close", recording_close)
    argv = ["run", "--gemeente", ROZENDAAL, "--gemeente", ZUTPHEN, "--jobs", "1", "--no-progress"]
    assert main([*argv, "--out", str(tmp_path / "with")]) == 0, capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "without"), "--no-windtunnel-pass"]) == 0
    ((stored, failed, files),) = seen  # one pass, in the first run only
    assert stored == [ROZENDAAL, ZUTPHEN] and not failed and len(files) == 2
    assert not files[0].parent.exists()
    for code in (ROZENDAAL, ZUTPHEN):
        assert _page(tmp_path / "with" / f"{code}.html") == _page(
            tmp_path / "without" / f"{code}.html"
        )


@pytest.mark.parametrize("fresh_kernel", [False, True], ids=["warm", "cold"])
@pytest.mark.slow
def test_the_report_kernel_reads_the_store_of_its_task(tables, fresh_kernel, tmp_path):
    """A warm and a new kernel read the store named in the task's environment, only there."""
    parameters = {"windtunnel_samples": INPUTS["n_samples"], "windtunnel_seed": INPUTS["seed"]}
    (task,) = make_tasks([ZUTPHEN], DEFAULT_NOTEBOOK, tmp_path, parameters=parameters)
    store = tmp_path / "store"
    store.mkdir()
    (tmp_path / "read").mkdir()
    # Rozendaal's table under Zutphen's inputs: only a read puts Rozendaal in that page
    key = table_key(
        resolve_region(ZUTPHEN), GOAL, **{**INPUTS, "horizon": task.parameters["horizon"]}
    )
    write_table(store, key, tables[ROZENDAAL])
    task = dataclasses.replace(task, fresh_kernel=fresh_kernel)
    with_store = dataclasses.replace(
        task, environment={STORE_ENV: str(store)}, output=tmp_path / "read" / "GM0301.html"
    )

    def run():
        results = [run_report(with_store), run_report(task)]
        kernels.shutdown_all()
        return results

    with ThreadPoolExecutor(1) as pool:  # a kernel of its own
        read, alone = pool.submit(run).result()
    assert read.ok and alone.ok, (read.error, alone.error)
    assert read.path != alone.path
    marker = "het CBS telt in Rozendaal niemand in de doelgroep"
    assert marker in read.path.read_text(encoding="utf-8")
    assert marker not in alone.path.read_text(encoding="utf-8")
