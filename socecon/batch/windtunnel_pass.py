"""The wind tunnels of a report batch, computed a few regions at a time while the reports run.

Every report shows the wind tunnel of its region (``policy.windtunnel_table`` in the notebook),
most of a report's own work. Computed for a few regions together
(:func:`socecon.report.windtunnel_tables.compute_tables`, one
:func:`~socecon.analysis.windtunnel.evaluate_many` pass) it costs less per region, and each
region's table is bit for bit the one it gets alone. :func:`windtunnel_pass` therefore runs, for
the duration of a batch, a thread in ``socecon run`` that computes the tables in passes of
:data:`CHUNK` regions, in the order the reports are dispatched, and writes each into a private
temporary store directory (removed at the end, also after Ctrl-C or an error). Each report's
kernel gets the directory in :data:`~socecon.report.windtunnel_tables.STORE_ENV` for that report
only (``ReportTask.environment``, not a notebook parameter: the page is the same with and
without the store) and reads its table from it when one is there for exactly its inputs, else
computes alone, without waiting.

Why a thread of the parent and not a process of its own: the parent only waits for its workers
while the batch runs, it has numpy, pandas and the model loaded already (a new process would
pay about a second of imports first), and the pass's memory is the snapshot's and one chunk's
(:data:`CHUNK`); a thread also needs no stopping by signal. The GIL is not in the way: the
parent's other threads only hand tasks to the workers and collect results.

A pass that raises is tried again region by region; a region that fails alone is left to its
report (which then shows the error as before). The reports' parameters come from the notebook's
``parameters`` cell (its defaults) and the task; a notebook without the wind tunnel's parameters
gets no pass.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socecon.batch.tasks import ReportTask
from socecon.report.policy import report_goal
from socecon.report.region_figures import ReportRegion, resolve_region
from socecon.report.windtunnel_tables import STORE_ENV, compute_tables, table_key, write_table

#: Regions per pass. On the 2-core machine, for 24 municipalities in one process: 0.25 CPU s per
#: region alone, 0.185 in passes of 4, 0.16 in passes of 8. ``socecon run --all --jobs 2`` with
#: passes of 8: 474 CPU s and 250 s wall against 536 and 284 without the pass; ``socecon run``
#: then peaks at 645 MB (443 MB with passes of 4, 142 MB without) while each kernel peaks at 183
#: instead of 351 MB (README, "The wind tunnel inside socecon run").
CHUNK = 8

#: Seconds the end of a batch waits for a pass under way before the store is removed anyway.
JOIN_TIMEOUT = 2.0

#: The notebook parameters the report's wind tunnel is computed from.
PARAMETERS = (
    "region",
    "indeling",
    "horizon",
    "overrides",
    "goal_participation",
    "goal_net_cost_per_placed",
    "windtunnel_samples",
    "windtunnel_seed",
)


#: The start of a store directory's name; the process id of its ``socecon run`` follows.
STORE_PREFIX = "socecon-windtunnel-"


def _new_store() -> str:
    """Make a private store directory, after removing those of batches that were killed.

    A batch removes its store on every way out but SIGKILL; the name carries the process id of
    its ``socecon run``, and a directory whose process is gone is removed by the next batch.
    """
    for old in Path(tempfile.gettempdir()).glob(f"{STORE_PREFIX}*-*"):
        pid = old.name[len(STORE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{STORE_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def notebook_defaults(notebook: str | Path) -> dict[str, Any]:
    """Return the literal values assigned in a notebook's ``parameters`` cell.

    Parameters
    ----------
    notebook : str or Path

    Returns
    -------
    dict
        Name to value for every simple assignment of a Python literal; empty when the notebook
        cannot be read or has no ``parameters`` cell.
    """
    try:  # the notebook's JSON as it is: papermill reads the same cell
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        sources = [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells
            if cell["cell_type"] == "code"
            and "parameters" in cell.get("metadata", {}).get("tags", [])
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    found: dict[str, Any] = {}
    for source in sources:
        with contextlib.suppress(SyntaxError):
            for node in ast.parse(source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    with contextlib.suppress(ValueError, TypeError, SyntaxError):
                        if isinstance(target, ast.Name):
                            found[target.id] = ast.literal_eval(node.value)
    return found


@dataclass(frozen=True)
class _Job:
    """One report's wind tunnel: its region and the inputs shared by a pass."""

    code: str
    place: ReportRegion
    goal: dict[str, float]
    inputs: dict[str, Any]

    @property
    def group(self) -> str:
        """What must be equal for two regions to share a pass."""
        shared = {"indeling": self.place.indeling, "goal": self.goal, **self.inputs}
        return json.dumps(shared, sort_keys=True, default=repr)


def _job(task: ReportTask, defaults: Mapping[str, Any]) -> _Job | None:
    """Return the wind tunnel ``task``'s report will compute, or None if it cannot be known."""
    values = {**defaults, **task.parameters}
    if not all(name in values for name in PARAMETERS):
        return None
    try:
        place = resolve_region(values["region"], values["indeling"])
        goal = report_goal(values["goal_participation"], values["goal_net_cost_per_placed"])
    except Exception:  # the report says what is wrong
        return None
    inputs = {
        "horizon": values["horizon"],
        "overrides": values["overrides"],
        "n_samples": values["windtunnel_samples"],
        "seed": values["windtunnel_seed"],
    }
    return _Job(task.code, place, goal, inputs)


class WindTunnelPass:
    """A thread that computes and stores the wind-tunnel tables of a batch's reports.

    Parameters
    ----------
    tasks : sequence of ReportTask
        The batch, in the order its reports are dispatched.
    chunk : int, optional
        Regions per pass; :data:`CHUNK` by default.
    directory : Path, optional
        The store; a new private temporary directory by default (removed by :meth:`close`).

    Attributes
    ----------
    tasks : list of ReportTask
        The tasks, each with the store in its ``environment``.
    planned : list of str
        Codes whose wind tunnel is computed in a pass (a report whose parameters cannot be
        known in advance computes alone).
    stored : list of str
        Codes whose table was written.
    failed : dict
        Code to the error of a region whose pass raised also alone (its report computes alone).
    cpu : float
        CPU seconds the thread has spent so far (:func:`time.thread_time`).
    """

    def __init__(
        self,
        tasks: Sequence[ReportTask],
        chunk: int | None = None,
        directory: Path | None = None,
    ):
        self.directory = Path(directory or _new_store())
        self.chunk = max(1, int(chunk or CHUNK))
        self.stored: list[str] = []
        self.failed: dict[str, str] = {}
        self.cpu = 0.0
        self._finished: set[str] = set()
        self._stop = threading.Event()
        env = {STORE_ENV: str(self.directory)}
        self.tasks = [dataclasses.replace(t, environment={**t.environment, **env}) for t in tasks]
        defaults: dict[str, dict[str, Any]] = {}
        self._jobs = []
        for task in tasks:
            notebook = str(task.notebook)
            if notebook not in defaults:
                defaults[notebook] = notebook_defaults(notebook)
            job = _job(task, defaults[notebook])
            if job is not None:
                self._jobs.append(job)
        self.planned = [job.code for job in self._jobs]
        self._thread = threading.Thread(
            target=self._run, name="socecon-windtunnel-pass", daemon=True
        )

    def start(self) -> WindTunnelPass:
        """Start computing; returns ``self``."""
        self._thread.start()
        return self

    def finished(self, code: str) -> None:
        """Note that the report ``code`` is done: a pass not yet started leaves it out."""
        self._finished.add(code)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every pass is done; returns whether it is."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def close(self) -> None:
        """Stop after the pass under way (:data:`JOIN_TIMEOUT` s at most); remove the store."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(JOIN_TIMEOUT)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _next_chunk(self, pending: list[_Job]) -> list[_Job]:
        pending[:] = [job for job in pending if job.code not in self._finished]
        if not pending:
            return []
        group = pending[0].group
        chunk = [job for job in pending if job.group == group][: self.chunk]
        for job in chunk:
            pending.remove(job)
        return chunk

    def _run(self) -> None:
        pending = list(self._jobs)
        start = time.thread_time()
        while not self._stop.is_set():
            chunk = self._next_chunk(pending)
            if not chunk:
                return
            self._compute(chunk)
            self.cpu = time.thread_time() - start

    def _compute(self, chunk: list[_Job]) -> None:
        first = chunk[0]
        try:
            tables = compute_tables([job.place for job in chunk], first.goal, **first.inputs)
            for job, table in zip(chunk, tables, strict=True):
                key = table_key(job.place, job.goal, **job.inputs)
                write_table(self.directory, key, table)
                self.stored.append(job.code)
        except Exception as exc:
            if self._stop.is_set():
                return
            if len(chunk) > 1:
                for job in chunk:
                    if job.code not in self.stored and not self._stop.is_set():
                        self._compute([job])
            else:
                self.failed[first.code] = f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def windtunnel_pass(
    tasks: Sequence[ReportTask], chunk: int | None = None, enabled: bool = True
) -> Iterator[WindTunnelPass | None]:
    """Compute the batch's wind tunnels in passes while the reports run (see the module).

    Parameters
    ----------
    tasks : sequence of ReportTask
        The batch, in dispatch order.
    chunk : int, optional
        Regions per pass; :data:`CHUNK` by default.
    enabled : bool
        False: no pass (every report computes its own wind tunnel).

    Yields
    ------
    WindTunnelPass or None
        Run its ``tasks`` and tell it of every report done (:meth:`WindTunnelPass.finished`);
        None when disabled or when no report's wind tunnel can be known in advance. The store
        is removed on the way out, whatever the way.
    """
    tunnel = WindTunnelPass(tasks, chunk) if enabled else None
    if tunnel is not None and not tunnel.planned:
        tunnel.close()
        tunnel = None
    try:
        yield tunnel.start() if tunnel is not None else None
    finally:
        if tunnel is not None:
            tunnel.close()
