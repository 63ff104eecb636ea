"""Local worker processes: how many the machine can carry, and none left behind.

:func:`cap_jobs` lowers ``--jobs`` to the CPUs this process may use and to the free memory
divided by the memory of a warm kernel (``limits.kernel_memory_mb`` in ``conventions.yaml``).

A worker (:func:`init_worker`) ignores Ctrl-C (the parent handles it), stops its kernels and exits
on SIGTERM, and watches its parent: when the parent dies (SIGKILL, a crash) the kernel sends it
SIGTERM on Linux (``PR_SET_PDEATHSIG``), and a watchdog thread that polls ``os.getppid()`` does
the same everywhere. The parent stops its workers with :func:`stop_workers` on every exit path;
a kernel whose worker is gone stops by itself (ipykernel watches its parent process).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import threading
import time
from concurrent.futures import Executor

from socecon.analysis.resources import available_memory, format_bytes, usable_cpus
from socecon.batch import kernels
from socecon.definitions import LIMITS

#: Seconds between two looks of a worker at its parent.
PARENT_POLL = 0.5

_PR_SET_PDEATHSIG = 1


def cap_jobs(jobs: int) -> tuple[int, str | None]:
    """Lower a number of local workers to what this machine can carry.

    Parameters
    ----------
    jobs : int
        Workers asked for.

    Returns
    -------
    tuple of (int, str or None)
        The number to use, and a message saying why it was lowered (None if it was not).
    """
    cpus = usable_cpus()
    free = available_memory()
    kernel = LIMITS.kernel_memory_mb * 1_000_000
    by_memory = max(1, free // kernel) if free is not None else jobs
    capped = max(1, min(jobs, cpus, by_memory))
    if capped == jobs:
        return jobs, None
    reasons = [f"this process may use {cpus} CPU{'s' if cpus > 1 else ''}"]
    if free is not None:
        reasons.append(
            f"{format_bytes(free)} of memory is available and a warm kernel takes about "
            f"{format_bytes(kernel)}"
        )
    return capped, f"--jobs {jobs} lowered to {capped}: {' and '.join(reasons)}"


def _kill_kernels() -> None:
    """Kill this process's warm kernels at once (no shutdown handshake)."""
    for kernel in kernels.running():
        if kernel.pid:
            with contextlib.suppress(OSError):
                os.kill(kernel.pid, signal.SIGKILL)


def _exit_now(code: int) -> None:
    _kill_kernels()
    os._exit(code)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    _exit_now(1)


def _set_parent_death_signal(signum: int) -> None:
    """Ask Linux to send ``signum`` to this process when its parent dies (nothing elsewhere)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)


def init_worker(parent: int) -> None:
    """Initialise a worker process of the local pool.

    Parameters
    ----------
    parent : int
        The process id of ``socecon run``, which the worker watches.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: _exit_now(128 + signum))
    _set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:  # the parent died while this worker started
        _exit_now(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="socecon-parent").start()


def worker_pids(executor: Executor) -> list[int]:
    """Return the process ids of a process pool's workers (none for other executors).

    Parameters
    ----------
    executor : concurrent.futures.Executor

    Returns
    -------
    list of int
    """
    processes = getattr(executor, "_processes", None) or {}
    return [p.pid for p in list(processes.values()) if p.pid]


def stop_workers(executor: Executor, grace: float = 5.0) -> None:
    """Stop a process pool's workers now: SIGTERM, then SIGKILL after ``grace`` seconds.

    Every worker kills its kernels on SIGTERM; a kernel whose worker was killed stops by itself.

    Parameters
    ----------
    executor : concurrent.futures.Executor
        A process pool made by :func:`~socecon.batch.executors.default_executor`.
    grace : float
        Seconds to wait for the workers to exit.
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
    executor.shutdown(wait=False, cancel_futures=True)
