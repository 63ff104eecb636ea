"""Limits: --jobs capped by CPUs and memory, samples capped, bad input refused before any kernel."""

from __future__ import annotations

import pytest

from socecon import cli
from socecon.analysis import resources
from socecon.analysis.uncertainty import run_uncertainty, sample
from socecon.analysis.windtunnel import evaluate
from socecon.batch import workers
from socecon.cli import run as cli_run
from socecon.cli.run import _jobs
from socecon.definitions import LIMITS
from socecon.exceptions import DefinitionError, UncertaintyError


def test_limits_are_declared():
    assert LIMITS.kernel_memory_mb == 275 and LIMITS.max_samples >= 1000


def test_jobs_are_capped_by_the_cpus_this_process_may_use(monkeypatch):
    monkeypatch.setattr(workers, "usable_cpus", lambda: 2)
    monkeypatch.setattr(workers, "available_memory", lambda: 64 * 10**9)
    jobs, message = workers.cap_jobs(1000)
    assert jobs == 2
    assert message.startswith("--jobs 1000 lowered to 2: this process may use 2 CPUs")
    assert workers.cap_jobs(2) == (2, None)


def test_jobs_are_capped_by_free_memory(monkeypatch):
    monkeypatch.setattr(workers, "usable_cpus", lambda: 64)
    monkeypatch.setattr(workers, "available_memory", lambda: 999_000_000)
    jobs, message = workers.cap_jobs(8)
    assert jobs == 999 // LIMITS.kernel_memory_mb == 3
    assert "999 MB of memory is available and a warm kernel takes about 275 MB" in message


def test_available_memory_and_cpus_are_read_from_this_machine():
    assert resources.usable_cpus() >= 1
    assert resources.available_memory() > 0  # Linux: MemAvailable


def test_run_tells_when_jobs_are_lowered_and_not_with_a_scheduler(monkeypatch, capsys):
    monkeypatch.setattr(workers, "usable_cpus", lambda: 1)

    class Args:
        jobs, scheduler = 5, None

    assert _jobs(Args) == 1
    assert "socecon: --jobs 5 lowered to 1" in capsys.readouterr().err
    Args.scheduler = "tcp://127.0.0.1:8786"
    assert _jobs(Args) == 5 and capsys.readouterr().err == ""


def test_windtunnel_refuses_too_many_samples_naming_limit_and_memory(capsys):
    code = cli.main(["windtunnel", "GM0784", "--samples", "100000000"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"100000000 samples is more than the limit of {LIMITS.max_samples}" in err
    assert "limits.max_samples in conventions.yaml" in err
    assert "the wind tunnel for GM0784 would need about 2000.0 GB of memory" in err


def test_samples_beyond_free_memory_are_refused(monkeypatch):
    monkeypatch.setattr(resources, "available_memory", lambda: 100_000_000)
    with pytest.raises(UncertaintyError, match=r"need about .* GB of memory, but only 100 MB"):
        evaluate("PV27", n_samples=10_000)


def test_uncertainty_and_sampling_are_capped():
    too_many = LIMITS.max_samples + 1
    with pytest.raises(UncertaintyError, match=f"{too_many} samples is more than the limit"):
        run_uncertainty("GM0784", n_samples=too_many)
    with pytest.raises(UncertaintyError, match=r"limits\.max_samples"):
        sample(too_many)


@pytest.mark.parametrize("horizon", ["1999", "2015", "2100"])
def test_run_refuses_a_bad_horizon_before_any_kernel(tmp_path, capsys, horizon):
    out = tmp_path / "reports"
    args = ["run", "--gemeente", "GM0784", "--horizon", horizon, "--out", str(out)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"socecon: error: horizon {horizon} out of range")
    assert sorted(p.name for p in out.iterdir()) == []  # no log, no index: nothing ran


def test_run_refuses_broken_definitions_before_any_kernel(tmp_path, capsys, monkeypatch):
    def broken():
        raise DefinitionError("measures.yaml", ["measure 'x': name must be text"])

    monkeypatch.setattr(cli_run, "load_definitions", broken)
    monkeypatch.setattr(cli_run, "_jobs", lambda args: pytest.fail("workers started"))
    assert cli.main(["run", "--gemeente", "GM0784", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "socecon: error: 1 problem(s) in measures.yaml:\n  - measure 'x'" in err
