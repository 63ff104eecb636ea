"""Produce one report: papermill in a warm or a new kernel, with a deadline and clear failures.

:func:`run_report` executes one :class:`~socecon.batch.tasks.ReportTask`: the notebook runs
with papermill (parameters passed as typed Python values), the HTML page is exported with
:mod:`socecon.report.export` and written atomically. It never raises for a failing notebook: the
:class:`ReportResult` says what went wrong, and the executed notebook and a log are kept in
``<out>/logs/``.

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
  report's log instead of the terminal.

papermill and nbclient are imported inside the functions that run a notebook: together they take
about two seconds to import, and the command line imports this module for every subcommand
(``socecon scenarios`` should not wait for them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from socecon.batch import kernels
from socecon.batch.tasks import ReportTask
from socecon.definitions import REPORT_ENV
from socecon.exceptions import KernelStartError
from socecon.report import export
from socecon.report.index import INDEX_HTML
from socecon.report.key_figures import read_key_figures


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
        :func:`~socecon.report.key_figures.publish_key_figures`).
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
        A description such as ``'cell 6 (In [5]: "if fail:")'`` (the prompt only for a cell
        that raised), numbered as in the source notebook (papermill's injected cells do not
        count), or None; and the cell's traceback.
    """
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
    # The prompt only for a cell that raised: its reply carries the execution count. A cell
    # whose kernel died or hung may or may not have its count, depending on whether the client
    # read the execute_input message before it saw the kernel die: a race, so it is left out.
    prompt = f"In [{cell.execution_count}]: " if failed and cell.get("execution_count") else ""
    where += f' ({prompt}"{first_line[:60]}")'
    tb = "\n".join(
        "\n".join(o.get("traceback", []))
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    )
    return where, _strip_ansi(tb)


def _strip_ansi(text: str) -> str:
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


def _papermill(
    task: ReportTask, output: Path | None, deadline: float, kernel_log: Path, **engine: Any
) -> Any:
    """Run ``task``'s notebook once with papermill, its log going to ``kernel_log``.

    Parameters
    ----------
    task : ReportTask
        The notebook, its parameters and kernel.
    output : Path or None
        Where papermill writes the executed notebook (None: nowhere).
    deadline : float
        :func:`time.monotonic` time by which the report must be done: every cell gets the time
        left (at least half a second).
    kernel_log : Path
        File that receives papermill's log messages.
    **engine
        Further arguments of ``papermill.execute_notebook`` (engine, kernel manager, ...).

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.
    """
    import papermill as pm  # lazy (LAZY_IMPORTS): ~2 s to import, only batches need it

    def cell_timeout(cell) -> float:
        return max(0.5, deadline - time.monotonic())

    with _papermill_log(kernel_log):
        return pm.execute_notebook(
            str(task.notebook),
            None if output is None else str(output),
            parameters=dict(task.parameters),
            kernel_name=task.kernel_name,
            progress_bar=False,
            timeout_func=cell_timeout,
            **engine,
        )


def _execute_cold(task: ReportTask, executed: Path, kernel_log: Path, deadline: float):
    """Run papermill once with a new kernel; raise KernelStartError if it failed to start."""
    with open(kernel_log, "ab") as sink:
        token = kernels.KERNEL_OUTPUT.set(sink)
        try:
            return _papermill(
                task,
                executed,
                deadline,
                kernel_log,
                start_timeout=max(1, min(60, int(deadline - time.monotonic()))),
                kernel_manager_class=kernels.kernel_manager_class(),
                shutdown_kernel="immediate",
                cwd=str(Path(task.notebook).resolve().parent),
            )
        except Exception as exc:
            # lazy (LAZY_IMPORTS): papermill takes ~2 s to import, only batches need it
            from papermill.exceptions import PapermillExecutionError

            # Only a kernel that died before any cell ran is worth another start: papermill
            # writes the executed notebook before starting the kernel.
            if isinstance(exc, PapermillExecutionError) or not executed.exists():
                raise
            if _cells_started(executed):
                raise
            if time.monotonic() >= deadline:
                raise
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            kernels.KERNEL_OUTPUT.reset(token)


def _execute_warm(task: ReportTask, kernel: Any, record: list, kernel_log: Path, deadline: float):
    """Run papermill once in the warm ``kernel`` (engine ``socecon-warm``)."""
    return _papermill(
        task,
        None,
        deadline,
        kernel_log,
        engine_name=kernels.register_engine(),
        request_save_on_cell_execute=False,
        kernel=kernel,
        record=record,
        environ=dict(task.environment),
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
                size = export.write_report(
                    nb, html, title=task.title, bundle=task.bundle, index_href=INDEX_HTML
                )
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
                    figures=read_key_figures(nb),
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
    environ = {**task.environment, REPORT_ENV: "1"}  # the new kernel inherits them
    previous = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    attempts, error, details, nb = 0, None, "", None
    try:
        while True:
            attempts += 1
            try:
                nb = _execute_cold(task, executed, kernel_log, deadline)
                break
            except KernelStartError as exc:
                if attempts > task.start_retries or time.monotonic() >= deadline:
                    error = f"kernel did not start ({exc})"
                    break
                time.sleep(random.uniform(0.2, 1.5))
            except Exception as exc:
                error, details = _describe_failure(exc, task, executed, deadline)
                break
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return nb, attempts, error, details


def _run_warm(task: ReportTask, executed: Path, kernel_log: Path):
    """Run papermill in the worker's warm kernel, replacing a kernel that dies or hangs.

    The report is retried ``task.retries`` times in a new kernel. Returns ``(notebook or None,
    attempts, error, details)``; on failure the executed notebook is written to ``executed``.
    """
    # lazy (LAZY_IMPORTS): nbclient and papermill take ~2 s to import, only batches need them
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    cwd = Path(task.notebook).resolve().parent
    attempts, start_failures, retries = 0, 0, task.retries
    history: list[str] = []
    while True:
        try:
            kernel = kernels.acquire(
                task.kernel_name, cwd, startup_timeout=max(1.0, min(60.0, task.timeout))
            )
        except KernelStartError as exc:
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
    if record:
        with contextlib.suppress(OSError, ValueError):
            nbformat.write(record[-1], str(executed))


def _describe_failure(
    exc: Exception, task: ReportTask, executed: Any, deadline: float
) -> tuple[str, str]:
    """One line for the user and the long text for the log."""
    # lazy (LAZY_IMPORTS): nbclient and papermill take ~2 s to import, only batches need them
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
