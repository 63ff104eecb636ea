"""The kernel side of a warm report kernel: remember its state once, restore it before a report.

This module runs inside the report kernel (see :mod:`socecon.batch.kernels`, which starts the
kernel and calls :func:`prepare` once and :func:`reset` before every report). It imports only the
standard library and IPython (loaded in every kernel already), so that importing it costs the
kernel nothing; altair's registries are read from :data:`sys.modules` only once something has
imported altair, so that this module never loads it.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings
from typing import Any

from IPython import get_ipython

_baseline: dict[str, Any] = {}
_MISSING = object()


def _module_state() -> dict[str, dict[str, Any]]:
    """Return the module-level names of every imported socecon module."""
    return {
        name: dict(vars(module))
        for name, module in list(sys.modules.items())
        if module is not None and (name == "socecon" or name.startswith("socecon."))
    }


def _altair_state() -> dict[str, Any]:
    alt = sys.modules.get("altair")  # looked at only if a report imported it
    if alt is None:
        return {}
    return {
        "renderers": (alt.renderers.active, dict(alt.renderers.options)),
        "data_transformers": (alt.data_transformers.active, dict(alt.data_transformers.options)),
        "theme": alt.theme.active,
    }


def prepare(modules: tuple[str, ...]) -> None:
    """Import ``modules`` and remember the kernel's state (runs inside the kernel, once).

    Parameters
    ----------
    modules : tuple of str
        Modules to import now, so that reports do not pay for them.
    """
    for name in modules:
        importlib.import_module(name)
    # What the imports built lives as long as the kernel: keep it out of the garbage
    # collector's way, so that the full collection of every reset stays cheap.
    gc.collect()
    gc.freeze()
    _baseline.clear()
    _baseline.update(
        environ=dict(os.environ),
        cwd=os.getcwd(),
        path=list(sys.path),
        warnings=list(warnings.filters),
        modules=_module_state(),
        altair=_altair_state(),
    )


def reset(environ: dict[str, str] | None = None) -> None:
    """Put the kernel back into its state after :func:`prepare` (runs inside the kernel).

    Clears the IPython user namespace, output history and execution counter, and restores the
    environment variables, working folder, ``sys.path``, warning filters, altair's registries
    and the module-level names of socecon's modules (names rebound by a notebook get their old
    object back, names added are removed). A socecon module first imported by a report is
    recorded as it is at its first reset.

    Parameters
    ----------
    environ : dict, optional
        Environment variables for the next report only (the next reset removes them).
    """
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
    if not _baseline:
        prepare(())
    if os.environ != _baseline["environ"]:
        os.environ.clear()
        os.environ.update(_baseline["environ"])
    os.environ.update(environ or {})
    if os.getcwd() != _baseline["cwd"]:
        os.chdir(_baseline["cwd"])
    sys.path[:] = _baseline["path"]
    warnings.filters[:] = _baseline["warnings"]
    recorded = _baseline["modules"]
    for name, now in _module_state().items():
        before = recorded.setdefault(name, now)
        module = sys.modules[name]
        for key in now.keys() - before.keys():
            delattr(module, key)
        for key, value in before.items():
            if now.get(key, _MISSING) is not value:
                setattr(module, key, value)
    altair = _baseline["altair"] or _altair_state()
    _baseline["altair"] = altair
    if altair:
        alt = sys.modules["altair"]  # recorded above, so imported

        for registry in ("renderers", "data_transformers"):
            active, options = altair[registry]
            current = getattr(alt, registry)
            if current.active != active or dict(current.options) != options:
                current.enable(active, **options)
        if alt.theme.active != altair["theme"]:
            alt.theme.enable(altair["theme"])
    if "ipywidgets" in sys.modules:
        sys.modules["ipywidgets"].Widget.close_all()
