"""Run many reports at once: executors (local processes or Dask), progress and a summary.

:func:`run_batch` maps :func:`~socecon.batch.execute.run_report` over any
``concurrent.futures.Executor`` (a process pool by default, :func:`default_executor`; a Dask
``Client.get_executor()`` works the same, :func:`dask_executor` and ``socecon run --scheduler``),
so one failure never stops the others. Worker processes ignore Ctrl-C; the parent handles it
and, on any way out of :func:`run_batch` but the normal one (Ctrl-C, SIGTERM, an error), stops
its workers and their kernels at once (:mod:`socecon.batch.workers`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path

from tqdm import tqdm

from socecon.batch.execute import ReportResult, run_report
from socecon.batch.tasks import ReportTask
from socecon.batch.workers import init_worker, stop_workers
from socecon.exceptions import ReportError
from socecon.report.index import IndexEntry, update_index

#: Seconds between two looks of :func:`run_batch` at its ``stop`` event.
STOP_POLL = 0.2


def check_writable(folder: str | Path) -> Path:
    """Create ``folder`` if needed and check that files can be created in it.

    Parameters
    ----------
    folder : str or Path
        The output folder.

    Returns
    -------
    Path

    Raises
    ------
    ReportError
        With one clear message when the folder cannot be created or written.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".socecon-write-test-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ReportError(f"cannot write reports to {folder}: {reason}") from None
    return folder


def default_executor(jobs: int) -> Executor:
    """Return the default executor: a process pool of ``jobs`` fresh (spawned) workers.

    Parameters
    ----------
    jobs : int
        Number of worker processes.

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
        Its workers watch this process and exit with their kernels when it dies
        (:func:`~socecon.batch.workers.init_worker`).
    """
    return ProcessPoolExecutor(
        max_workers=max(1, jobs),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(os.getpid(),),
    )


@contextlib.contextmanager
def dask_executor(address: str, timeout: float = 30.0) -> Iterator[Executor]:
    """Connect to a Dask distributed scheduler and yield a ``concurrent.futures`` executor.

    Each Dask worker process keeps its own warm kernel (see :mod:`socecon.batch.kernels`), exactly
    like a local worker process. The workers must reach the notebook and the output folder at
    the paths of the tasks (a shared file system).

    Parameters
    ----------
    address : str
        The scheduler, e.g. ``tcp://host:8786``.
    timeout : float
        Seconds to wait for the connection.

    Yields
    ------
    concurrent.futures.Executor
        ``Client.get_executor()``; the client is closed afterwards.

    Raises
    ------
    ReportError
        If ``distributed`` is not installed or the scheduler cannot be reached.
    """
    try:  # an optional extra: pip install 'socecon[dask]'
        from distributed import Client
    except ImportError:
        raise ReportError(
            "--scheduler needs dask.distributed: pip install 'socecon[dask]'"
        ) from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ReportError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


class _Progress:
    """A progress bar on stderr (tqdm), or nothing."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled:
            self.bar = tqdm(total=total, unit="rapport", file=sys.stderr, dynamic_ncols=True)

    def done(self, result: ReportResult) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{result.code} {'ok' if result.ok else 'FAILED'}")
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_batch(
    tasks: Sequence[ReportTask],
    executor: Executor | None = None,
    jobs: int = 2,
    progress: bool = True,
    on_result: Callable[[ReportResult], None] | None = None,
    stop: threading.Event | None = None,
) -> list[ReportResult]:
    """Run many reports; a failing or hanging one never stops the others.

    Parameters
    ----------
    tasks : sequence of ReportTask
        The reports; their output folders must be writable (see :func:`check_writable`).
    executor : concurrent.futures.Executor, optional
        Where to run :func:`run_report`: any executor (a thread or process pool, a Dask client's
        ``get_executor()``). It is not shut down here. By default a process pool of ``jobs``
        workers, created and shut down by this call.
    jobs : int
        Number of workers of the default executor.
    progress : bool
        Show a progress bar on stderr.
    on_result : callable, optional
        Called in this process with each result as it arrives.
    stop : threading.Event, optional
        Set by a signal handler (``socecon run``) to end the batch: within
        :data:`STOP_POLL` seconds the workers are stopped and KeyboardInterrupt is raised here,
        at a known point, never inside the executor's locks.

    Returns
    -------
    list of ReportResult
        One per task, in the order of ``tasks``.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C or when ``stop`` is set; the default pool's workers and kernels are stopped.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    own = executor is None
    executor = executor or default_executor(min(jobs, len(tasks)))
    bar = _Progress(len(tasks), progress)
    results: dict[int, ReportResult] = {}
    futures: dict[Future, int] = {}
    try:
        for index, task in enumerate(tasks):
            futures[executor.submit(run_report, task)] = index
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=STOP_POLL, return_when=FIRST_COMPLETED)
            for future in done:
                index = futures[future]
                task = tasks[index]
                try:
                    result = future.result()
                except Exception as exc:  # a worker that died or could not unpickle the task
                    reason = f"worker failed: {type(exc).__name__}: {exc}"
                    result = ReportResult(task.code, task.title, False, error=reason)
                results[index] = result
                bar.done(result)
                if on_result is not None:
                    on_result(result)
            if stop is not None and stop.is_set():
                raise KeyboardInterrupt
    except BaseException:  # Ctrl-C, a signal (see ``stop``), or a bug: no worker stays
        for future in futures:
            future.cancel()
        bar.close()
        if own:
            stop_workers(executor)
        raise
    bar.close()
    if own:
        executor.shutdown(wait=True)
    return [results[i] for i in range(len(tasks))]


def index_entries(
    out: Path, tasks: Sequence[ReportTask], results: Iterable[ReportResult], started: float
) -> Path:
    """Rewrite the index of ``out`` from the results and the reports on disk.

    Called on every way out of ``socecon run`` (also after Ctrl-C or SIGTERM, with the results
    that arrived): a report with a result gets its row; a report without one whose page was
    written since ``started`` (its result was lost in the interrupt) is listed without key
    figures; rows of other reports stay while their page exists.

    Parameters
    ----------
    out : Path
        The reports folder.
    tasks : sequence of ReportTask
        The batch.
    results : iterable of ReportResult
        The results received.
    started : float
        When the batch started (``time.time()``).

    Returns
    -------
    Path
        ``index.html``.

    Raises
    ------
    ReportError
        When the index cannot be written.
    """
    results = {r.code: r for r in results}
    entries = []
    for task in tasks:
        r = results.get(task.code)
        if r is not None:
            href = r.path.name if r.ok and r.path else None
            entries.append(IndexEntry(r.code, r.name, href, r.figures, r.error))
            continue
        with contextlib.suppress(OSError):
            if Path(task.output).stat().st_mtime >= started:
                entries.append(IndexEntry(task.code, task.title, Path(task.output).name))
    try:
        return update_index(out, entries)
    except OSError as exc:
        raise ReportError(f"cannot write the index in {out}: {exc}") from None


def summarize(results: Iterable[ReportResult]) -> str:
    """Describe a batch in a few lines: how many reports, and every failure with why and where.

    Parameters
    ----------
    results : iterable of ReportResult

    Returns
    -------
    str
    """
    results = list(results)
    failed = [r for r in results if not r.ok]
    lines = [f"{len(results) - len(failed)} of {len(results)} reports written"]
    if results and results[0].path is not None:
        lines[0] += f" to {results[0].path.parent}"
    for r in failed:
        where = f"; log: {r.log}" if r.log else ""
        lines.append(f"FAILED {r.code} ({r.name}): {r.error}{where}")
    return "\n".join(lines)
