"""Produce reports in batches: papermill per region, in parallel, with timeouts and clear failures.

One report is one call of :func:`run_report` on a picklable :class:`ReportTask`: execute the
notebook with papermill (parameters passed as typed Python values), export the HTML page with
:mod:`socecon.report.export` and write it atomically. It never raises for a failing notebook: the
:class:`ReportResult` says what went wrong, and the executed notebook and a log are kept in
``<out>/logs/``. :func:`run_batch` maps tasks over any ``concurrent.futures.Executor`` (a process
pool by default; a Dask ``Client.get_executor()`` works the same, see ``socecon run
--scheduler``), so one failure never stops the others.

By default a report runs in its worker's warm kernel (:mod:`socecon.batch.kernels`): started, with
pandas, altair and socecon imported, once per worker process and reset to a clean namespace
before every report, so a batch pays kernel start-up and imports once per worker instead of once
per report. ``ReportTask(fresh_kernel=True)`` (``socecon run --fresh-kernels``) runs papermill
with a new kernel per report, as before; both give the same pages.

Guards against papermill's known traps (design.md, section 6):

- no default timeout: every report has a deadline; the cell running at the deadline is stopped,
  the kernel killed, and the result says "timed out after N s";
- a kernel that dies or hangs is replaced and the report retried once (``ReportTask.retries``);
- kernel start races under parallel start: a kernel that fails to start is started again after a
  short random pause;
- ``-p code 0363`` becomes the int 363: parameters go in as a dict, so strings stay strings;
- a failing cell still leaves an executed notebook: it becomes the log, and the failing cell's
  error is taken from ``metadata.papermill.exception`` and the cell's error output;
- kernel chatter on stderr ("KeyboardInterrupt caught in kernel", TCP warnings) goes to the
  report's log instead of the terminal; worker processes ignore Ctrl-C, the parent handles it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socecon.batch.kernels import DEFAULT_KERNEL, KERNEL_OUTPUT, own_interpreter  # noqa: F401 (public)
from socecon.batch.kernels import kernel_manager_class as _kernel_manager_class
from socecon.exceptions import SocEconError
from socecon.present.embed import REPORT_ENV

#: Default time one report may take, in seconds (per attempt, once its kernel is ready).
DEFAULT_TIMEOUT = 300.0


class ReportError(SocEconError):
    """A batch of reports cannot start (for instance, the output folder cannot be written)."""


class _KernelStartError(Exception):
    """The kernel failed before any cell ran (worth one more try)."""


@dataclass(frozen=True)
class ReportTask:
    """Everything needed to produce one report; picklable, so it can go to any worker.

    Parameters
    ----------
    code : str
        Region code or group id; names the report (``<code>.html``) and its logs.
    notebook : Path
        The parametrised notebook.
    output : Path
        The HTML file to write.
    name : str
        Dutch display name (page title, index); ``code`` if empty.
    parameters : dict
        Typed values for the notebook's ``parameters`` cell (``"0363"`` stays a string).
    timeout : float
        Seconds one attempt at the report may take once its kernel is ready (a new kernel has
        ``min(timeout, 60)`` seconds to start).
    log_dir : Path, optional
        Where failures leave the executed notebook and a log; ``<output folder>/logs`` by default.
    kernel_name : str
        The Jupyter kernel to run the notebook in.
    bundle : {"inline", "shared"}
        Where the vega bundle lives, see :func:`socecon.report.export.export_html`.
    start_retries : int
        How often a kernel that fails before running any cell is started again.
    fresh_kernel : bool
        Run the report in a kernel of its own (papermill's usual way, seconds slower) instead
        of the worker's warm kernel (:mod:`socecon.batch.kernels`).
    retries : int
        How often a report whose warm kernel died or hung is run again in a new kernel.
    """

    code: str
    notebook: Path
    output: Path
    name: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    log_dir: Path | None = None
    kernel_name: str = DEFAULT_KERNEL
    bundle: str = "inline"
    start_retries: int = 2
    fresh_kernel: bool = False
    retries: int = 1

    @property
    def logs(self) -> Path:
        """The folder for this task's failure logs."""
        return Path(self.log_dir) if self.log_dir else Path(self.output).parent / "logs"

    @property
    def title(self) -> str:
        """The display name, or the code."""
        return self.name or self.code


@dataclass(frozen=True)
class ReportResult:
    """The outcome of one report.

    Parameters
    ----------
    code, name : str
        As in the task.
    ok : bool
        Whether the report was written.
    path : Path or None
        The written HTML file.
    seconds : float
        Time taken (all attempts).
    size : int
        Size of the HTML file in bytes (0 on failure).
    error : str or None
        One line saying why the report failed.
    log : Path or None
        The failure log (its executed notebook lies beside it, ``.ipynb``).
    figures : dict
        Key figures the notebook published (see
        :func:`socecon.report.key_figures.publish_key_figures`).
    attempts : int
        Times the notebook was run (more than 1 after a kernel died or hung, or failed to
        start).
    """

    code: str
    name: str
    ok: bool
    path: Path | None = None
    seconds: float = 0.0
    size: int = 0
    error: str | None = None
    log: Path | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1


# --------------------------------------------------------------------------- one report


def _cells_started(path: Path) -> bool:
    """Whether papermill recorded the start of any cell in the notebook at ``path``."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except (OSError, ValueError):
        return False
    return any(c.metadata.get("papermill", {}).get("start_time") for c in nb.cells)


def _failure_details(executed: Any) -> tuple[str | None, str]:
    """Find the failing cell in an executed notebook (a path or a notebook node).

    That is the cell papermill marked with an exception, else the last one that started (the
    cell running at a timeout).

    Returns
    -------
    tuple
        A description such as ``'cell 6 (In [5]: "if fail:")'``, numbered as in the source
        notebook (papermill's injected cells do not count), or None; and the cell's traceback.
    """
    import nbformat

    if executed is None:
        return None, ""
    if isinstance(executed, str | Path):
        try:
            nb = nbformat.read(str(executed), as_version=4)
        except (OSError, ValueError):
            return None, ""
    else:
        nb = executed
    injected = {"injected-parameters", "papermill-error-cell-tag"}
    source_cells = [c for c in nb.cells if not injected & set(c.metadata.get("tags", []))]
    failed = [c for c in source_cells if c.metadata.get("papermill", {}).get("exception")]
    started = [c for c in source_cells if c.metadata.get("papermill", {}).get("start_time")]
    cell = failed[0] if failed else (started[-1] if started else None)
    if cell is None:
        return None, ""
    first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    where = f"cell {source_cells.index(cell) + 1}"
    prompt = f"In [{cell.execution_count}]: " if cell.get("execution_count") else ""
    where += f' ({prompt}"{first_line[:60]}")'
    tb = "\n".join(
        "\n".join(o.get("traceback", []))
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    )
    return where, _strip_ansi(tb)


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


@contextlib.contextmanager
def _papermill_log(path: Path) -> Iterator[None]:
    """Send papermill's log messages to ``path`` instead of the terminal."""
    papermill_log = logging.getLogger("papermill")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("[papermill] %(levelname)s %(message)s"))
    propagate = papermill_log.propagate
    papermill_log.addHandler(handler)
    papermill_log.propagate = False
    try:
        yield
    finally:
        papermill_log.removeHandler(handler)
        papermill_log.propagate = propagate
        handler.close()


def _execute_cold(task: ReportTask, executed: Path, kernel_log: Path, deadline: float):
    """Run papermill once with a new kernel; raise _KernelStartError if it failed to start."""
    import papermill as pm

    def cell_timeout(cell) -> float:
        return max(0.5, deadline - time.monotonic())

    with open(kernel_log, "ab") as sink, _papermill_log(kernel_log):
        token = KERNEL_OUTPUT.set(sink)
        try:
            return pm.execute_notebook(
                str(task.notebook),
                str(executed),
                parameters=dict(task.parameters),
                kernel_name=task.kernel_name,
                progress_bar=False,
                start_timeout=max(1, min(60, int(deadline - time.monotonic()))),
                timeout_func=cell_timeout,
                kernel_manager_class=_kernel_manager_class(),
                shutdown_kernel="immediate",
                cwd=str(Path(task.notebook).resolve().parent),
            )
        except Exception as exc:
            from papermill.exceptions import PapermillExecutionError

            # Only a kernel that died before any cell ran is worth another start: papermill
            # writes the executed notebook before starting the kernel.
            if isinstance(exc, PapermillExecutionError) or not executed.exists():
                raise
            if _cells_started(executed):
                raise
            if time.monotonic() >= deadline:
                raise
            raise _KernelStartError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            KERNEL_OUTPUT.reset(token)


def _execute_warm(task: ReportTask, kernel: Any, record: list, kernel_log: Path, deadline: float):
    """Run papermill once in the warm ``kernel`` (engine ``socecon-warm``)."""
    import papermill as pm

    from socecon.batch.kernels import register_engine

    def cell_timeout(cell) -> float:
        return max(0.5, deadline - time.monotonic())

    with _papermill_log(kernel_log):
        return pm.execute_notebook(
            str(task.notebook),
            None,
            parameters=dict(task.parameters),
            engine_name=register_engine(),
            request_save_on_cell_execute=False,
            kernel_name=task.kernel_name,
            progress_bar=False,
            kernel=kernel,
            record=record,
            timeout_func=cell_timeout,
        )


def run_report(task: ReportTask) -> ReportResult:
    """Execute one report notebook and write its HTML page; never raises for a bad notebook.

    Parameters
    ----------
    task : ReportTask
        What to run and where to write it.

    Returns
    -------
    ReportResult
        On success the page's path, size and key figures; on failure a one-line ``error``
        (which cell, which exception, or "timed out after N s") and the ``log`` path. A failed
        report leaves no HTML file behind (an older complete page of the same code is kept).
    """
    from socecon.report import export, key_figures

    if not Path(task.notebook).is_file():
        return ReportResult(
            task.code, task.title, False, error=f"notebook not found: {task.notebook}"
        )
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"socecon-{task.code}-"))
    executed, kernel_log = work / f"{task.code}.ipynb", work / "kernel.log"
    try:
        run = _run_cold if task.fresh_kernel else _run_warm
        nb, attempts, error, details = run(task, executed, kernel_log)
        if nb is not None:
            try:
                html = Path(task.output)
                size = export.write_report(nb, html, title=task.title, bundle=task.bundle)
            except Exception as exc:
                error = f"cannot write {task.output}: {type(exc).__name__}: {exc}"
                details = traceback.format_exc()
            else:
                for stale in (task.logs / f"{task.code}.log", task.logs / f"{task.code}.ipynb"):
                    stale.unlink(missing_ok=True)
                return ReportResult(
                    task.code,
                    task.title,
                    True,
                    path=html,
                    seconds=time.monotonic() - start,
                    size=size,
                    figures=key_figures.read_key_figures(nb),
                    attempts=attempts,
                )
        log = _keep_log(task, error or "unknown error", details, executed, kernel_log)
        return ReportResult(
            task.code,
            task.title,
            False,
            seconds=time.monotonic() - start,
            error=error,
            log=log,
            attempts=attempts,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_cold(task: ReportTask, executed: Path, kernel_log: Path):
    """Papermill with a new kernel; returns ``(notebook or None, attempts, error, details)``."""
    deadline = time.monotonic() + task.timeout
    previous = os.environ.get(REPORT_ENV)
    os.environ[REPORT_ENV] = "1"
    attempts, error, details, nb = 0, None, "", None
    try:
        while True:
            attempts += 1
            try:
                nb = _execute_cold(task, executed, kernel_log, deadline)
                break
            except _KernelStartError as exc:
                if attempts > task.start_retries or time.monotonic() >= deadline:
                    error = f"kernel did not start ({exc})"
                    break
                time.sleep(random.uniform(0.2, 1.5))
            except Exception as exc:
                error, details = _describe_failure(exc, task, executed, deadline)
                break
    finally:
        if previous is None:
            os.environ.pop(REPORT_ENV, None)
        else:
            os.environ[REPORT_ENV] = previous
    return nb, attempts, error, details


def _run_warm(task: ReportTask, executed: Path, kernel_log: Path):
    """Run papermill in the worker's warm kernel, replacing a kernel that dies or hangs.

    The report is retried ``task.retries`` times in a new kernel. Returns ``(notebook or None,
    attempts, error, details)``; on failure the executed notebook is written to ``executed``.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from socecon.batch import kernels

    cwd = Path(task.notebook).resolve().parent
    attempts, start_failures, retries = 0, 0, task.retries
    history: list[str] = []
    while True:
        try:
            kernel = kernels.acquire(
                task.kernel_name, cwd, startup_timeout=max(1.0, min(60.0, task.timeout))
            )
        except kernels.KernelStartError as exc:
            start_failures += 1
            if start_failures > task.start_retries:
                return None, max(attempts, 1), f"kernel did not start ({exc})", ""
            time.sleep(random.uniform(0.2, 1.5))
            continue
        attempts += 1
        offset = kernel.output_size()
        deadline = time.monotonic() + task.timeout
        record: list = []
        try:
            nb = _execute_warm(task, kernel, record, kernel_log, deadline)
            return nb, attempts, None, ""
        except PapermillExecutionError as exc:  # a cell raised; the kernel is fine
            error, details = _describe_failure(exc, task, record[-1] if record else None, deadline)
            _save_executed(record, executed)
            return None, attempts, error, details
        except Exception as exc:  # the kernel died, hung or stopped answering
            error, details = _describe_failure(exc, task, record[-1] if record else None, deadline)
            with open(kernel_log, "a", encoding="utf-8") as log:
                log.write(kernel.output_since(offset))
            kernels.discard(kernel)
            _save_executed(record, executed)
            history.append(f"attempt {attempts}: {error}")
            if retries > 0 and isinstance(exc, CellTimeoutError | TimeoutError | DeadKernelError):
                retries -= 1
                continue
            if len(history) > 1:
                error += f" (tried {attempts} times, each in a new kernel)"
                details = "\n".join(history) + "\n\n" + details
            return None, attempts, error, details


def _save_executed(record: list, executed: Path) -> None:
    """Write the last executed notebook of a failing run, for the log."""
    import nbformat

    if record:
        with contextlib.suppress(OSError, ValueError):
            nbformat.write(record[-1], str(executed))


def _describe_failure(
    exc: Exception, task: ReportTask, executed: Any, deadline: float
) -> tuple[str, str]:
    """One line for the user and the long text for the log."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    where, tb = _failure_details(executed)
    if isinstance(exc, PapermillExecutionError):
        line = f"{exc.ename}: {exc.evalue}".strip()
        return f"{where or 'a cell'} raised {line}", tb or str(exc)
    if isinstance(exc, CellTimeoutError | TimeoutError) or time.monotonic() >= deadline:
        message = f"timed out after {task.timeout:g} s"
        if where:
            message += f" in {where}; kernel stopped"
        return message, traceback.format_exc()
    if isinstance(exc, DeadKernelError):
        return f"the kernel died{f' in {where}' if where else ''}", traceback.format_exc()
    return f"{type(exc).__name__}: {exc}", traceback.format_exc()


def _keep_log(
    task: ReportTask, error: str, details: str, executed: Path, kernel_log: Path
) -> Path | None:
    """Move the executed notebook to the log folder and write ``<code>.log``; None if impossible."""
    try:
        task.logs.mkdir(parents=True, exist_ok=True)
        if executed.exists():
            shutil.copyfile(executed, task.logs / f"{task.code}.ipynb")
        log = task.logs / f"{task.code}.log"
        header = (
            f"report: {task.code} ({task.title})\nnotebook: {task.notebook}\n"
            f"parameters: {dict(task.parameters)!r}\nerror: {error}\n"
        )
        text = header + ("\n" + details if details else "")
        if kernel_log.exists():
            chatter = kernel_log.read_text(encoding="utf-8", errors="replace")
            if chatter.strip():
                text += "\n\n--- papermill and kernel output ---\n" + chatter
        log.write_text(text, encoding="utf-8")
        return log
    except OSError:
        return None


# --------------------------------------------------------------------------- batches


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


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is handled by the parent, not printed by every worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_executor(jobs: int) -> Executor:
    """Return the default executor: a process pool of ``jobs`` fresh (spawned) workers.

    Parameters
    ----------
    jobs : int
        Number of worker processes.

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
    """
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=max(1, jobs),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_sigint,
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
    try:
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
            from tqdm import tqdm

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

    Returns
    -------
    list of ReportResult
        One per task, in the order of ``tasks``.
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
        for future in as_completed(futures):
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
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        bar.close()
        if own:
            executor.shutdown(wait=False, cancel_futures=True)
        raise
    bar.close()
    if own:
        executor.shutdown(wait=True)
    return [results[i] for i in range(len(tasks))]


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


# --------------------------------------------------------------------------- command line

#: The report notebook, beside the package in a source checkout.
DEFAULT_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "municipality_report.ipynb"

#: Groups reported as one combined region in the default batch (besides the participants).
DEFAULT_COMBINED = ("isd_midden_langstraat",)


def select_regions(
    gemeenten: Sequence[str] = (),
    groups: Sequence[str] = (),
    everything: bool = False,
    unknown: list[str] | None = None,
) -> list[str]:
    """Decide which reports a run produces.

    Parameters
    ----------
    gemeenten : sequence of str
        Municipalities by code or name (``GM0363``, ``0363``, ``Amsterdam``), or ids of groups
        and regions (``isd_midden_langstraat``, ``AM01``) for one combined report each.
    groups : sequence of str
        Groups whose every member gets its own report (``participating``, ``AM01``, ``PV27``).
    everything : bool
        Every municipality.
    unknown : list of str, optional
        If given, a code, name or group that does not exist is left out and its message
        (which suggests close matches) appended here, so that the rest of a batch can run.

    Returns
    -------
    list of str
        Codes and group ids in order, without duplicates. With no selection at all: the
        participating municipalities plus the combined ISD Midden-Langstraat report.

    Raises
    ------
    socecon.exceptions.UnknownRegionError
        For a code, name or group that does not exist (the message suggests close matches),
        unless ``unknown`` is given.
    """
    from socecon import regions
    from socecon.exceptions import UnknownRegionError

    def resolved(query: str) -> str | None:
        try:
            return regions.resolve(query)
        except UnknownRegionError as exc:
            if unknown is None:
                raise
            unknown.append(str(exc))
            return None

    chosen: list[str] = []
    if everything:
        chosen.extend(regions.load_regions().index)
    for group in groups:
        gid = resolved(group)
        if gid is not None:
            chosen.extend(regions.group_members(gid))
    chosen.extend(code for code in map(resolved, gemeenten) if code is not None)
    if not (everything or groups or gemeenten):
        chosen.extend(regions.participating_codes())
        chosen.extend(DEFAULT_COMBINED)
    return list(dict.fromkeys(chosen))


def make_tasks(
    codes: Iterable[str],
    notebook: str | Path,
    out_dir: str | Path,
    *,
    horizon: int = 2020,
    timeout: float = DEFAULT_TIMEOUT,
    bundle: str = "inline",
    parameters: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
    fresh_kernel: bool = False,
) -> list[ReportTask]:
    """Build one task per region: ``<out_dir>/<code>.html`` from ``notebook``.

    Parameters
    ----------
    codes : iterable of str
        Region codes or group ids (see :func:`select_regions`).
    notebook : str or Path
        The parametrised report notebook.
    out_dir : str or Path
        The reports folder.
    horizon : int
        The horizon year, passed as the parameter ``horizon``.
    timeout : float
        Seconds per report.
    bundle : {"inline", "shared"}
        Where the vega bundle lives.
    parameters : mapping, optional
        Further notebook parameters for every report (e.g. ``{"overrides": {...}}``).
    names : mapping, optional
        Display names by code; :func:`socecon.regions.region_name` by default.
    fresh_kernel : bool
        One new kernel per report instead of the worker's warm kernel.

    Returns
    -------
    list of ReportTask
        Each with the parameters ``region`` (the code, a string) and ``horizon`` (an int), and
        absolute paths (so that workers elsewhere, e.g. on a Dask cluster sharing the file
        system, find the same files).
    """
    if names is None:
        from socecon.regions import region_name

        names = {code: region_name(code) for code in codes}
    out_dir = Path(out_dir).absolute()
    return [
        ReportTask(
            code=code,
            notebook=Path(notebook).absolute(),
            output=out_dir / f"{code}.html",
            name=names.get(code, code),
            parameters={"region": str(code), "horizon": int(horizon), **dict(parameters or {})},
            timeout=float(timeout),
            bundle=bundle,
            fresh_kernel=fresh_kernel,
        )
        for code in codes
    ]


def add_run_command(sub) -> None:
    """Register ``socecon run`` on the subcommand parser of :mod:`socecon.cli`.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``add_subparsers()`` object of the main parser.
    """
    p = sub.add_parser(
        "run",
        help="write the HTML reports (participating municipalities by default)",
        description=(
            "Execute the report notebook with papermill for each selected region and write "
            "<out>/<code>.html plus <out>/index.html. Without a selection: the participating "
            "municipalities and ISD Midden-Langstraat. Exit code 0 only if every report was "
            "written; failures keep their executed notebook and log in <out>/logs/."
        ),
    )
    p.add_argument(
        "--gemeente",
        action="append",
        default=[],
        metavar="CODE",
        help="a municipality (GM0363, 0363 or a name) or a group id for one combined report; "
        "repeatable",
    )
    p.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="GROUP",
        help="every member of a group (participating, isd_midden_langstraat, AMxx, PVxx, CRxx)",
    )
    p.add_argument("--all", action="store_true", help="every municipality")
    p.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="worker processes")
    p.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per report"
    )
    p.add_argument("--horizon", type=int, default=2020, help="horizon year (default 2020)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override an assumption in every report (repeatable), e.g. --set take_up=0.7",
    )
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--notebook", default=None, help="the report notebook")
    p.add_argument(
        "--bundle",
        choices=("inline", "shared"),
        default="inline",
        help="inline the vega bundle in every report (default) or share one vega-bundle.js",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the reports on a Dask distributed cluster (e.g. tcp://host:8786) instead of "
        "local worker processes; the workers must see the notebook and --out at the same paths",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every report (slower; by default each worker keeps one "
        "warm kernel and resets it between reports)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)


def _overrides(texts: Sequence[str]) -> dict[str, Any]:
    """Parse and validate ``--set NAME=VALUE`` before any report starts.

    Raises
    ------
    socecon.exceptions.AssumptionError
        For a malformed, unknown or out-of-range override (one message naming it).
    """
    from socecon.definitions.assumptions import load_assumptions
    from socecon.model.inputs import parse_override

    overrides = dict(parse_override(text) for text in texts)
    load_assumptions().resolve(overrides)
    return overrides


def cmd_run(args) -> int:
    """Carry out ``socecon run``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options (see :func:`add_run_command`).

    Returns
    -------
    int
        0 if every report was written, 1 otherwise (a failed report, or an unknown region that
        was left out while the others were written), 130 when interrupted.

    Raises
    ------
    socecon.exceptions.SocEconError
        For a missing notebook, an output folder that cannot be written, or when every
        requested region is unknown; the command line prints the message without a traceback.
    """
    from socecon.exceptions import UnknownRegionError
    from socecon.report.index import IndexEntry, update_index

    if args.jobs < 1:
        raise ReportError(f"--jobs must be at least 1, not {args.jobs}")
    if args.timeout <= 0:
        raise ReportError(f"--timeout must be positive, not {args.timeout:g}")
    notebook = Path(args.notebook) if args.notebook else DEFAULT_NOTEBOOK
    if not notebook.is_file():
        raise ReportError(f"report notebook not found: {notebook}")
    overrides = _overrides(getattr(args, "set", []))
    unknown: list[str] = []
    codes = select_regions(args.gemeente, args.group, args.all, unknown=unknown)
    if not codes:  # every requested region was unknown: nothing to do
        raise UnknownRegionError("; ".join(unknown))
    out = check_writable(args.out)
    tasks = make_tasks(
        codes,
        notebook,
        out,
        horizon=args.horizon,
        timeout=args.timeout,
        bundle=args.bundle,
        parameters={"overrides": overrides} if overrides else None,
        fresh_kernel=getattr(args, "fresh_kernels", False),
    )
    scheduler = getattr(args, "scheduler", None)
    try:
        with dask_executor(scheduler) if scheduler else contextlib.nullcontext() as executor:
            results = run_batch(
                tasks, executor=executor, jobs=args.jobs, progress=not args.no_progress
            )
    except KeyboardInterrupt:
        print("socecon: interrupted; reports already written are complete", file=sys.stderr)
        return 130
    entries = [
        IndexEntry(
            code=r.code,
            name=r.name,
            href=r.path.name if r.ok and r.path else None,
            figures=r.figures,
            error=r.error,
        )
        for r in results
    ]
    index = update_index(out, entries)
    failed = [r for r in results if not r.ok]
    total = len(results) + len(unknown)
    print(f"{len(results) - len(failed)} of {total} reports written; index: {index}")
    for r in failed:
        where = f"; log: {r.log}" if r.log else ""
        print(f"FAILED {r.code} ({r.name}): {r.error}{where}", file=sys.stderr)
    for message in unknown:
        print(f"FAILED: {message}", file=sys.stderr)
    return 1 if failed or unknown else 0
