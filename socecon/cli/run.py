"""``socecon run``: the report batch (:mod:`socecon.batch`) from the command line.

Its options, the checks before any report starts (the output folder, the jobs, the overrides)
and the run itself, with PDFs when asked and a clean stop on a signal.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from socecon import model
from socecon.batch.tasks import (
    DEFAULT_NOTEBOOK,
    DEFAULT_PDF_TABS,
    DEFAULT_TIMEOUT,
    make_tasks,
    select_regions,
)
from socecon.cli.options import add_horizon, add_indeling, add_repeatable
from socecon.definitions import (
    DEFAULT_HORIZON,
    load_definitions,
)
from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import ReportError, UnknownRegionError
from socecon.workbench.config import run_settings


def add_run_command(sub) -> None:
    """Add ``socecon run`` (the report batch, see :mod:`socecon.batch`) to the subparsers.

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
    add_repeatable(
        p,
        "--gemeente",
        "CODE",
        "a municipality (GM0363, 0363 or a name) or a group id for one combined report; repeatable",
    )
    add_repeatable(
        p,
        "--group",
        "GROUP",
        "every member of a group (participating, isd_midden_langstraat, AMxx, PVxx, CRxx)",
    )
    p.add_argument("--all", action="store_true", help="every municipality (of the indeling)")
    add_indeling(p)
    p.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="worker processes")
    p.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per report"
    )
    add_horizon(p, f"horizon year (default {DEFAULT_HORIZON})")
    add_repeatable(
        p,
        "--set",
        "NAME=VALUE",
        "override an assumption in every report (repeatable), e.g. --set take_up=0.7",
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
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print every report written to a PDF beside its HTML (A4), with headless "
        "Chromium (one browser for the batch; $SOCECON_CHROMIUM names another executable)",
    )
    p.add_argument(
        "--pdf-tabs",
        type=int,
        default=DEFAULT_PDF_TABS,
        metavar="N",
        help=f"with --pdf: reports printed at once, in parallel tabs (default {DEFAULT_PDF_TABS})",
    )
    p.add_argument(
        "--no-windtunnel-pass",
        action="store_true",
        help="let every report compute its own wind tunnel (by default the batch computes them "
        "a few regions at a time while the reports run; the pages are the same)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--config", metavar="FILE", help="settings saved by the analyst workbench")
    p.set_defaults(func=cmd_run)


def _overrides(texts: Sequence[str]) -> dict[str, Any]:
    """Parse and validate ``--set NAME=VALUE`` before any report starts.

    Raises
    ------
    socecon.exceptions.AssumptionError
        For a malformed, unknown or out-of-range override (one message naming it).
    """
    overrides = dict(model.parse_override(text) for text in texts)
    load_assumptions().resolve(overrides)
    return overrides


def _check_run_input(args: argparse.Namespace, out: Path) -> None:
    """Refuse, before any kernel starts, what every report would fail on.

    Raises
    ------
    socecon.exceptions.SocEconError
        For an invalid horizon, broken declarations (every problem listed), or an index file in
        ``out`` that is not a file.
    """
    model.check_horizon(args.horizon)
    load_definitions()
    for name in ("index.json", "index.html"):
        path = out / name
        if path.exists() and not path.is_file():
            raise ReportError(f"cannot write the index: {path} is not a file; remove or rename it")


def _jobs(args: argparse.Namespace) -> int:
    """Return the local workers to start: ``--jobs`` capped by CPUs and memory (not on Dask)."""
    if getattr(args, "scheduler", None):
        return args.jobs
    # Only `run` starts workers: imported here like the batch runner below (see cmd_run).
    from socecon.batch.workers import cap_jobs

    jobs, message = cap_jobs(args.jobs)
    if message:
        print(f"socecon: {message}", file=sys.stderr)
    return jobs


#: Signals that end ``socecon run``: workers and kernels stopped, the index rewritten.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
        was left out while the others were written), 128 + the signal when interrupted (130
        for Ctrl-C, 143 for SIGTERM).

    Raises
    ------
    socecon.exceptions.SocEconError
        For a missing notebook, an output folder that cannot be written, or when every
        requested region is unknown; the command line prints the message without a traceback.
    """
    # Only this subcommand writes reports, and their layers load Jupyter's notebook format and its
    # JSON schema validation: measured on the 2-core machine, `socecon scenarios` takes 2.0 s with
    # these imports at module level and 0.6 s with them here.
    from socecon.batch.chromium import require_chromium
    from socecon.batch.executors import check_writable, dask_executor, index_entries, run_batch
    from socecon.batch.pdf import print_reports
    from socecon.batch.windtunnel_pass import windtunnel_pass

    started = time.time()
    if args.jobs < 1:
        raise ReportError(f"--jobs must be at least 1, not {args.jobs}")
    if args.timeout <= 0:
        raise ReportError(f"--timeout must be positive, not {args.timeout:g}")
    notebook = Path(args.notebook) if args.notebook else DEFAULT_NOTEBOOK
    if not notebook.is_file():
        raise ReportError(f"report notebook not found: {notebook}")
    config = getattr(args, "config", None)
    parameters = run_settings(config) if config else {}  # the command line wins
    regions, horizon = parameters.pop("regions", []), parameters.pop("horizon", args.horizon)
    args.gemeente = args.gemeente if args.gemeente or args.group or args.all else regions
    args.horizon = horizon if args.horizon == DEFAULT_HORIZON else args.horizon
    overrides = {**parameters.get("overrides", {}), **_overrides(getattr(args, "set", []))}
    parameters.update({"overrides": overrides} if overrides else {})
    unknown: list[str] = []
    notes: list[str] = []
    codes = select_regions(args.gemeente, args.group, args.all, unknown, args.indeling, notes)
    print("".join(f"socecon: {note}\n" for note in notes), end="")
    if not codes:  # every requested region was unknown: nothing to do
        raise UnknownRegionError("; ".join(unknown))
    chromium = require_chromium() if getattr(args, "pdf", False) else None
    tabs = getattr(args, "pdf_tabs", DEFAULT_PDF_TABS)
    if chromium and tabs < 1:
        raise ReportError(f"--pdf-tabs must be at least 1, not {tabs}")
    out = check_writable(args.out)
    _check_run_input(args, out)
    jobs = _jobs(args)
    tasks = make_tasks(
        codes,
        notebook,
        out,
        horizon=args.horizon,
        timeout=args.timeout,
        bundle=args.bundle,
        parameters=parameters or None,
        fresh_kernel=getattr(args, "fresh_kernels", False),
        indeling=args.indeling,
    )
    scheduler = getattr(args, "scheduler", None)
    collected: list = []  # results as they arrive, for the index on an interrupt
    # A signal only sets `stop`: run_batch then stops the workers at a known point (an exception
    # raised inside the executor's locks could leave the process hanging at exit).
    stop, received = threading.Event(), []

    def on_signal(signum: int, frame: Any) -> None:
        received.append(signum)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in STOP_SIGNALS}
    # The wind tunnels in passes (a thread of this process, a private temporary store): not on a
    # Dask cluster, whose workers need not see this machine's temporary folder.
    passes = not (scheduler or getattr(args, "no_windtunnel_pass", False))
    try:
        with (
            dask_executor(scheduler) if scheduler else contextlib.nullcontext() as executor,
            windtunnel_pass(tasks, enabled=passes) as tunnel,
        ):

            def on_result(result) -> None:
                collected.append(result)
                if tunnel is not None:
                    tunnel.finished(result.code)

            results = run_batch(
                tunnel.tasks if tunnel is not None else tasks,
                executor=executor,
                jobs=jobs,
                progress=not args.no_progress,
                on_result=on_result,
                stop=stop,
            )
    except KeyboardInterrupt:
        _restore(previous)
        index_entries(out, tasks, collected, started)
        print("socecon: interrupted; reports already written are complete", file=sys.stderr)
        return 128 + (received[0] if received else signal.SIGINT)
    except BaseException:
        _restore(previous)
        index_entries(out, tasks, collected, started)
        raise
    index = index_entries(out, tasks, results, started)
    failed = [r for r in results if not r.ok]
    total = len(results) + len(unknown)
    print(f"{len(results) - len(failed)} of {total} reports written; index: {index}")
    unprinted: list = []
    try:  # the signal handlers stay: a signal while printing closes the browser at once
        if chromium and not stop.is_set():
            pages = [r.path for r in results if r.ok and r.path]
            unprinted = print_reports(
                pages, chromium, tabs=tabs, progress=not args.no_progress, stop=stop
            )
            if not stop.is_set():
                print(
                    f"{len(pages) - len(unprinted)} of {len(pages)} PDFs written beside the reports"
                )
    finally:
        _restore(previous)
    for r in failed:
        where = f"; log: {r.log}" if r.log else ""
        print(f"FAILED {r.code} ({r.name}): {r.error}{where}", file=sys.stderr)
    for page, reason in unprinted:
        print(f"FAILED PDF of {page.name}: {reason}", file=sys.stderr)
    for message in unknown:
        print(f"FAILED: {message}", file=sys.stderr)
    if received:
        print("socecon: interrupted; PDFs already written are complete", file=sys.stderr)
        return 128 + received[0]
    return 1 if failed or unknown or unprinted else 0


def _restore(handlers: dict) -> None:
    """Put back the signal handlers that :func:`cmd_run` replaced."""
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
