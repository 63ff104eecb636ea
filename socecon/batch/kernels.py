"""Warm report kernels: one per worker, reused across reports with a clean namespace.

Starting a kernel, importing pandas, altair (and through it jsonschema) and socecon, and the
nbclient handshake cost seconds per report, against a few hundred milliseconds for the report's
own work (design.md, section 6). A :class:`WarmKernel` pays them once per worker process: it is
started with the report environment, imports the report's modules, and stays connected. Each
report then runs through papermill (parameter injection, cell metadata, error cells exactly as in
a cold run) with the engine ``socecon-warm`` (:class:`WarmEngine`), which executes the cells in
the warm kernel instead of starting one.

Before every report the kernel is put back into the state it had after start-up
(:func:`socecon.batch.kernel_state.reset`, run inside the kernel): a fresh IPython user namespace
and execution counter, the environment variables, working folder, ``sys.path`` and warning filters
of start-up, every module-level name of the ``socecon`` package that a notebook rebound or added,
and altair's renderer, theme and data transformer. Module caches of socecon stay warm; they are
pure functions of the data snapshot and the declarations, never of a report's parameters
(assumption overrides are arguments, not state).

Kernels are kept per process and thread (:func:`acquire`), so a process pool worker or a Dask
worker keeps its own; they are shut down when the process exits, and a kernel whose worker dies
stops by itself (ipykernel watches its parent process).

jupyter_client and papermill are imported inside the functions that start or drive a kernel:
together they take seconds to import, and the command line imports this module for every
subcommand.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty
from typing import IO, Any

from jupyter_core.utils import run_sync

from socecon.definitions import REPORT_ENV
from socecon.exceptions import KernelStartError

#: The default kernel; its interpreter is pinned to the one running socecon.
DEFAULT_KERNEL = "python3"

#: Modules a warm kernel imports once, at start-up (the report notebook's imports).
DEFAULT_PRELOAD = (
    "pandas",
    "altair",
    "socecon.present.embed",
    "socecon.present.figures",
    "socecon.present.slider_chart",
    "socecon.present.windtunnel_chart",
    "socecon.model",
    "socecon.report.key_figures",
    "socecon.report.sections",
    "socecon.report.policy",
    "socecon.report.provenance",
)

#: Name of the papermill engine that runs notebooks in a warm kernel.
ENGINE_NAME = "socecon-warm"

#: Where kernels started by this process write their stdout/stderr (None: inherit).
KERNEL_OUTPUT: contextvars.ContextVar[IO[bytes] | None] = contextvars.ContextVar(
    "socecon_kernel_output", default=None
)


# --------------------------------------------------------------------------- kernel managers


def own_interpreter(spec: Any, kernel_name: str = DEFAULT_KERNEL) -> Any:
    """Make the default Python kernel run in the interpreter that runs socecon.

    ``python3`` is resolved through Jupyter's search path, where a kernelspec of another
    installation (a user-wide ``~/.local/share/jupyter/kernels/python3``, a system Jupyter) can
    win over the virtual environment's own, and reports would then run against a different
    socecon or none at all. For the default kernel name the spec's interpreter is therefore
    replaced by ``sys.executable``; other kernel names are used as declared.

    Parameters
    ----------
    spec : jupyter_client.kernelspec.KernelSpec or None
        The resolved kernelspec (changed in place).
    kernel_name : str
        The name it was resolved from.

    Returns
    -------
    jupyter_client.kernelspec.KernelSpec or None
        ``spec``.
    """
    if (
        spec is not None
        and kernel_name == DEFAULT_KERNEL
        and str(getattr(spec, "language", "")).lower() == "python"
        and spec.argv
        and Path(spec.argv[0]).name.startswith("python")
        and spec.argv[0] != sys.executable
    ):
        spec.argv = [sys.executable, *spec.argv[1:]]
    return spec


def kernel_manager_class():
    """Return an async kernel manager class whose kernels write to the current log.

    Its default ``python3`` kernel runs in socecon's own interpreter (see
    :func:`own_interpreter`); kernel output goes to the file in :data:`KERNEL_OUTPUT`.

    Returns
    -------
    type
        A subclass of ``jupyter_client.manager.AsyncKernelManager``.
    """
    from jupyter_client.manager import AsyncKernelManager  # lazy: see the module docstring

    class LoggedKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            return own_interpreter(AsyncKernelManager.kernel_spec.fget(self), self.kernel_name)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            sink = KERNEL_OUTPUT.get()
            if sink is not None:
                kw.setdefault("stdout", sink)
                kw.setdefault("stderr", sink)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return LoggedKernelManager


# --------------------------------------------------------------------------- in the worker


class WarmKernel:
    """A started, prepared and connected kernel that runs one report after another.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel.
    cwd : str or Path
        The kernel's working folder (the notebook's folder, as papermill would use).
    log : str or Path
        File that receives the kernel's stdout and stderr.
    preload : tuple of str
        Modules imported once at start-up.
    startup_timeout : float
        Seconds allowed for start-up and preloading.

    Raises
    ------
    KernelStartError
        If the kernel does not start, answer or import ``preload`` in time.
    """

    def __init__(
        self,
        kernel_name: str = DEFAULT_KERNEL,
        cwd: str | Path = ".",
        log: str | Path = os.devnull,
        preload: tuple[str, ...] = DEFAULT_PRELOAD,
        startup_timeout: float = 60.0,
    ):
        self.kernel_name = kernel_name
        self.cwd = str(cwd)
        self.preload = tuple(preload)
        self.log = Path(log)
        self.reports = 0
        self.km = kernel_manager_class()(kernel_name=kernel_name)
        self.kc = None
        self._sink = open(self.log, "ab")  # noqa: SIM115 (lives as long as the kernel)
        env = {**os.environ, REPORT_ENV: "1"}
        token = KERNEL_OUTPUT.set(self._sink)
        try:
            run_sync(self.km.start_kernel)(
                cwd=self.cwd,
                env=env,
                extra_arguments=["--HistoryManager.hist_file=:memory:"],
            )
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=startup_timeout)
            self.kc.allow_stdin = False
            reply = self.request(self.kc.kernel_info(), startup_timeout)
            self.language_info = reply["content"]["language_info"]
            code = f"import socecon.batch.kernel_state as _k; _k.prepare({self.preload!r}); del _k"
            reply = self.execute_silently(code, startup_timeout)
            if reply["content"]["status"] != "ok":
                content = reply["content"]
                raise KernelStartError(
                    f"cannot prepare the kernel: {content.get('ename')}: {content.get('evalue')}"
                )
        except Exception as exc:
            self.shutdown()
            if isinstance(exc, KernelStartError):
                raise
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            KERNEL_OUTPUT.reset(token)

    @property
    def pid(self) -> int | None:
        """The kernel's process id (None when not running)."""
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def is_alive(self) -> bool:
        """Return whether the kernel process is still running.

        Returns
        -------
        bool
        """
        try:
            return bool(self.kc is not None and run_sync(self.km.is_alive)())
        except Exception:
            return False

    def request(self, msg_id: str, timeout: float) -> dict[str, Any]:
        """Wait for the shell reply to ``msg_id``.

        Parameters
        ----------
        msg_id : str
            The id of the request.
        timeout : float
            Seconds to wait.

        Returns
        -------
        dict
            The reply message.

        Raises
        ------
        TimeoutError
            When no reply came in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply from the kernel within {timeout:g} s")
            try:
                msg = run_sync(self.kc.get_shell_msg)(timeout=left)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def execute_silently(self, code: str, timeout: float) -> dict[str, Any]:
        """Run ``code`` without output or history and return the execute reply.

        Parameters
        ----------
        code : str
            Python code.
        timeout : float
            Seconds to wait for the reply.

        Returns
        -------
        dict
            The ``execute_reply`` message.
        """
        return self.request(self.kc.execute(code, silent=True, store_history=False), timeout)

    def reset(self, timeout: float = 30.0, environ: dict[str, str] | None = None) -> None:
        """Give the next report a clean kernel (see :func:`socecon.batch.kernel_state.reset`).

        Parameters
        ----------
        timeout : float
            Seconds to wait.
        environ : dict, optional
            Environment variables for the next report only.

        Raises
        ------
        RuntimeError
            If the reset failed in the kernel.
        """
        environ = {str(k): str(v) for k, v in (environ or {}).items()}
        reply = self.execute_silently(
            f"import socecon.batch.kernel_state; socecon.batch.kernel_state.reset({environ!r})",
            timeout,
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(
                f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def output_size(self) -> int:
        """Return how many bytes of kernel output have been written to the log so far."""
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def output_since(self, offset: int) -> str:
        """Return the kernel output written since ``offset`` (see :meth:`output_size`)."""
        try:
            with open(self.log, "rb") as handle:
                handle.seek(offset)
                return handle.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def shutdown(self) -> None:
        """Stop the kernel (immediately) and close its channels; safe to call twice."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:
            pass
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        with contextlib.suppress(Exception):
            run_sync(self.km.cleanup_resources)()
        self.kc = None
        if not self._sink.closed:
            self._sink.close()


def _warm_engine():
    """Return the papermill engine class that executes in a :class:`WarmKernel`."""
    # lazy (see the module docstring): papermill takes seconds to import
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine, NotebookExecutionManager

    class WarmEngine(Engine):
        """Papermill engine: run the cells in an already started, prepared kernel.

        Unlike papermill's nbclient engine it starts no kernel, does no handshake, and does not
        write the notebook after every cell; the notebook it executes is appended to the
        ``record`` list passed by the caller (to keep a failing run's notebook as a log), and
        ``environ`` is set in the kernel for this notebook only.
        """

        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=False,
            log_output=False,
            autosave_cell_every=30,
            *,
            kernel: WarmKernel,
            record: list | None = None,
            environ: dict[str, str] | None = None,
            timeout_func=None,
            **kwargs,
        ):
            nb_man = NotebookExecutionManager(
                nb, output_path=None, progress_bar=False, log_output=False, autosave_cell_every=0
            )
            if record is not None:
                record.append(nb_man.nb)
            nb_man.notebook_start()
            try:
                kernel.reset(environ=environ)
                client = PapermillNotebookClient(
                    nb_man,
                    km=kernel.km,
                    kernel_name=kernel_name,
                    timeout_func=timeout_func,
                    log=_papermill_logger(),
                )
                client.kc = kernel.kc
                client.reset_execution_trackers()
                client.papermill_execute_cells()
                nb_man.nb.metadata["language_info"] = kernel.language_info
                client.set_widgets_metadata()
            finally:
                kernel.reports += 1
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return WarmEngine


def _papermill_logger():
    return logging.getLogger("papermill")


def register_engine() -> str:
    """Register the ``socecon-warm`` engine with papermill (idempotent).

    Returns
    -------
    str
        The engine name, for ``papermill.execute_notebook(engine_name=...)``.
    """
    from papermill.engines import papermill_engines  # lazy: see the module docstring

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, _warm_engine())
    return ENGINE_NAME


# --------------------------------------------------------------------------- the pool

_pool: dict[tuple, WarmKernel] = {}
_pool_lock = threading.Lock()
_cleanup_registered = False


def _key(kernel_name: str, cwd: str, preload: tuple[str, ...]) -> tuple:
    return (os.getpid(), threading.get_ident(), kernel_name, cwd, preload)


def acquire(
    kernel_name: str = DEFAULT_KERNEL,
    cwd: str | Path = ".",
    preload: tuple[str, ...] = DEFAULT_PRELOAD,
    startup_timeout: float = 60.0,
    max_reports: int = 0,
) -> WarmKernel:
    """Return this process's (and thread's) warm kernel, starting one if needed.

    A kernel that died, or that has run ``max_reports`` reports, is replaced.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel.
    cwd : str or Path
        The kernel's working folder.
    preload : tuple of str
        Modules imported at start-up.
    startup_timeout : float
        Seconds allowed for starting a new kernel.
    max_reports : int
        Replace the kernel after this many reports (0: never).

    Returns
    -------
    WarmKernel

    Raises
    ------
    KernelStartError
        If a new kernel cannot be started.
    """
    global _cleanup_registered
    key = _key(kernel_name, str(Path(cwd).resolve()), tuple(preload))
    with _pool_lock:
        kernel = _pool.get(key)
    if kernel is not None and (
        not kernel.is_alive() or (max_reports and kernel.reports >= max_reports)
    ):
        discard(kernel)
        kernel = None
    if kernel is None:
        fd, log = tempfile.mkstemp(prefix="socecon-kernel-", suffix=".log")
        os.close(fd)
        kernel = WarmKernel(kernel_name, key[3], log, key[4], startup_timeout)
        with _pool_lock:
            _pool[key] = kernel
            if not _cleanup_registered:
                atexit.register(shutdown_all)
                _cleanup_registered = True
    return kernel


def discard(kernel: WarmKernel) -> None:
    """Stop ``kernel`` and forget it, so that the next :func:`acquire` starts a new one.

    Parameters
    ----------
    kernel : WarmKernel
    """
    with _pool_lock:
        for key, value in list(_pool.items()):
            if value is kernel:
                del _pool[key]
    kernel.shutdown()
    with contextlib.suppress(OSError):
        kernel.log.unlink()


def shutdown_all() -> None:
    """Stop every warm kernel of this process (registered with :mod:`atexit`)."""
    with _pool_lock:
        kernels = [k for key, k in _pool.items() if key[0] == os.getpid()]
    for kernel in kernels:
        discard(kernel)


def running() -> list[WarmKernel]:
    """Return the warm kernels of this process.

    Returns
    -------
    list of WarmKernel
    """
    with _pool_lock:
        return [k for key, k in _pool.items() if key[0] == os.getpid()]
