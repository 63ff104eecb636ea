"""What this machine can give an analysis or a batch: CPUs, free memory, and a cap on samples.

The limits are declared in ``conventions.yaml`` (:data:`socecon.definitions.LIMITS`):
:func:`check_samples` refuses more uncertainty samples than ``max_samples`` or than the free
memory holds, with one message naming the limit and the memory the request would need;
:func:`usable_cpus` and :func:`available_memory` are what the batch runner caps ``--jobs`` by.
"""

from __future__ import annotations

import os
from pathlib import Path

from socecon.definitions import LIMITS
from socecon.exceptions import UncertaintyError

_MEMINFO = Path("/proc/meminfo")


def usable_cpus() -> int:
    """Return the number of CPUs this process may run on (its affinity mask, where known).

    Returns
    -------
    int
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def available_memory() -> int | None:
    """Return the memory available for new processes in bytes (``MemAvailable``), if known.

    Returns
    -------
    int or None
        None where ``/proc/meminfo`` cannot be read (not Linux).
    """
    try:
        for line in _MEMINFO.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def format_bytes(size: float) -> str:
    """Format a size for a message: ``'275 MB'``, ``'18.6 GB'``.

    Parameters
    ----------
    size : float
        Bytes.

    Returns
    -------
    str
    """
    if size >= 1e9:
        return f"{size / 1e9:.1f} GB"
    return f"{size / 1e6:.0f} MB"


def check_samples(n: int, per_sample: int, what: str) -> None:
    """Refuse a number of samples above the declared limit or beyond the free memory.

    Parameters
    ----------
    n : int
        Samples asked for.
    per_sample : int
        How many model evaluations one sample takes (options or scenarios, times
        municipalities); each takes :attr:`~socecon.definitions.conventions.Limits.sample_bytes`.
    what : str
        The analysis, for the message (``"the wind tunnel for PV27"``).

    Raises
    ------
    UncertaintyError
        Naming the limit (``conventions.yaml``, ``limits.max_samples``) or the free memory, and
        the memory the request would need.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        return  # sample() names a non-integer
    need = n * max(1, per_sample) * LIMITS.sample_bytes
    if n > LIMITS.max_samples:
        raise UncertaintyError(
            f"{n} samples is more than the limit of {LIMITS.max_samples} "
            f"(limits.max_samples in conventions.yaml); {what} would need about "
            f"{format_bytes(need)} of memory"
        )
    free = available_memory()
    if free is not None and need > free:
        raise UncertaintyError(
            f"{n} samples for {what} would need about {format_bytes(need)} of memory, "
            f"but only {format_bytes(free)} is available; use fewer samples"
        )
