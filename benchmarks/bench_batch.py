"""Time full report batches against the floor: plain Python, papermill per report, socecon run.

In one run and with the same number of worker processes (``--jobs``, default 2), for the eight
participating municipalities and for all of the default indeling (342 in 2025):

- **floor**: the same pages rendered by plain Python: every code cell of the (parameterised)
  report notebook executed with ``exec`` in a fresh namespace per report, in ``--jobs`` worker
  processes without any kernel, papermill or IPython shell; ``display()`` calls and each cell's
  last value become the cell's outputs, and the page is exported by the same code as a report
  (:func:`socecon.report.export.write_report`). The floor pages are compared with the pages of
  ``socecon run`` (timestamps and chart ids masked) to show that the same content was rendered;
- **naive**: papermill's API with a new kernel per report and the HTML export, over ``--jobs``
  worker processes (``socecon run --fresh-kernels``, the runner before warm kernels);
- **socecon run**: the command itself (``socecon run --jobs N``, interpreter start, warm kernels,
  index page), as a subprocess.

Every time is end to end (worker processes, imports and kernels started inside the timing).
The naive path for all 393 takes about 25 minutes; unless ``--full-naive`` is given it is
measured on ``--sample`` municipalities spread over the list and extrapolated, and the output
says so.

    .venv/bin/python benchmarks/bench_batch.py [--jobs 2] [--sample 16] [--full-naive]
    .venv/bin/python benchmarks/bench_batch.py --every 29 --count 12   # 12 instead of all

The per-cell breakdown at the end is summed over the floor's workers in wall-clock seconds and
also, where it says so, in CPU seconds of the worker (``time.process_time``; other work on a
shared machine then counts less).
"""

from __future__ import annotations

import argparse
import ast
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOCECON = Path(sys.executable).parent / "socecon"

_STAMP = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")
_CHART_ID = re.compile(r"socecon-chart-[0-9a-f]{12}")


# --------------------------------------------------------------------------- the floor


def _masked(page: str) -> str:
    return _CHART_ID.sub("socecon-chart-ID", _STAMP.sub("DD-MM-YYYY HH:MM", page))


def _run_cells(nb, collect, timings: dict, cpu: dict) -> None:
    """Execute the code cells of ``nb`` with plain ``exec``; outputs go into the cells.

    Adds each cell's wall-clock seconds to ``timings`` and its CPU seconds to ``cpu``.
    """
    import nbformat

    namespace: dict = {"__name__": "__main__"}
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        start, start_cpu = time.perf_counter(), time.process_time()
        count += 1
        cell.outputs = []
        cell.execution_count = count
        collect.cell = cell
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
            if value is not None:
                data, metadata = collect.formatter.format(value)
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "execute_result", data=data, metadata=metadata, execution_count=count
                    )
                )
        first = next(line for line in cell.source.splitlines() if line.strip())
        timings[first[:50]] = timings.get(first[:50], 0.0) + time.perf_counter() - start
        cpu[first[:50]] = cpu.get(first[:50], 0.0) + time.process_time() - start_cpu


class _Collector:
    """Stands in for IPython's ``display()``: formats objects into the current cell's outputs."""

    def __init__(self):
        from IPython.core.formatters import DisplayFormatter

        self.formatter = DisplayFormatter()
        self.cell = None

    def __call__(self, *objs, raw=False, **kwargs):
        import nbformat

        for obj in objs:
            data, metadata = (obj, {}) if raw else self.formatter.format(obj)
            self.cell.outputs.append(
                nbformat.v4.new_output("display_data", data=data, metadata=metadata)
            )


def floor_worker(tasks) -> tuple[dict[str, float], list[str], dict[str, float], int]:
    """Render ``tasks`` (code, parameters, output path) as plain Python.

    Returns the wall-clock timings by cell, the codes whose notebook raised (as in a report run,
    a failing report is left out and the others are still rendered), the CPU seconds by cell of
    the warm reports (every report but the worker's first) and how many those were.
    """
    start = time.perf_counter()
    import copy

    import IPython.display
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from socecon.batch.tasks import DEFAULT_NOTEBOOK
    from socecon.definitions import REPORT_ENV
    from socecon.report import export
    from socecon.report.index import INDEX_HTML

    os.environ[REPORT_ENV] = "1"
    collect = _Collector()
    IPython.display.display = collect  # socecon imports display() when it shows something
    source = load_notebook_node(str(DEFAULT_NOTEBOOK))
    os.chdir(DEFAULT_NOTEBOOK.parent)
    timings = {"(worker: imports)": time.perf_counter() - start}
    failed = []
    warm: dict[str, float] = {}
    for number, (code, parameters, output) in enumerate(tasks):
        nb = parameterize_notebook(copy.deepcopy(source), parameters)
        cpu = warm if number else {}
        try:
            _run_cells(nb, collect, timings, cpu)
        except Exception as exc:
            failed.append(f"{parameters['region']} ({type(exc).__name__}: {exc})")
            continue
        start, start_cpu = time.perf_counter(), time.process_time()
        export.write_report(nb, output, title=code, index_href=INDEX_HTML)  # as socecon run
        key = "(HTML export and write)"
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - start
        cpu[key] = cpu.get(key, 0.0) + time.process_time() - start_cpu
    return timings, failed, warm, max(0, len(tasks) - 1)


def run_floor(codes, out: Path, jobs: int) -> tuple[float, dict, list[str], dict, int]:
    """Render ``codes`` in ``jobs`` fresh worker processes.

    Returns the seconds taken, the time per cell, the failed reports, the CPU time per cell of
    the warm reports and their number.
    """
    from socecon.regions import region_name

    tasks = [
        (region_name(c), {"region": c, "horizon": 2020}, str(out / f"{c}.html")) for c in codes
    ]
    chunks = [tasks[i::jobs] for i in range(jobs)]
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(floor_worker, chunks))
    seconds = time.perf_counter() - start
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for part, _, warm, _ in parts:
        for key, value in part.items():
            timings[key] = timings.get(key, 0.0) + value
        for key, value in warm.items():
            cpu[key] = cpu.get(key, 0.0) + value
    failed = sorted(f for _, failures, _, _ in parts for f in failures)
    return seconds, timings, failed, cpu, sum(part[3] for part in parts)


# --------------------------------------------------------------------------- the others


def run_naive(codes, out: Path, jobs: int) -> tuple[float, list[str]]:
    """Papermill API with a new kernel per report, ``jobs`` worker processes.

    Returns the seconds taken and the failed reports.
    """
    from socecon.batch.executors import run_batch
    from socecon.batch.tasks import DEFAULT_NOTEBOOK, make_tasks

    tasks = make_tasks(codes, DEFAULT_NOTEBOOK, out, fresh_kernel=True)
    start = time.perf_counter()
    results = run_batch(tasks, jobs=jobs, progress=False)
    seconds = time.perf_counter() - start
    return seconds, [f"{r.code} ({r.error})" for r in results if not r.ok]


def run_socecon(selection: list[str], out: Path, jobs: int) -> tuple[float, list[str]]:
    """``socecon run`` as a subprocess; returns the seconds taken and its failure lines."""
    argv = [str(SOCECON), "run", *selection, "--jobs", str(jobs), "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run([*argv, "--no-progress"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED")]
    if done.returncode not in (0, 1) or (done.returncode == 1 and not failed):
        raise SystemExit(f"socecon run failed:\n{done.stdout}\n{done.stderr}")
    return seconds, failed


def kernel_start() -> float:
    """Seconds to start, connect and preload one warm kernel."""
    from socecon.batch import kernels

    start = time.perf_counter()
    kernel = kernels.WarmKernel(cwd=ROOT / "notebooks")
    seconds = time.perf_counter() - start
    kernel.shutdown()
    return seconds


def compare_pages(a: Path, b: Path, codes) -> int:
    """Return how many pages differ between two folders (timestamps and chart ids masked).

    A report missing in both folders (it failed in both) counts as equal.
    """

    def page(folder: Path, code: str) -> str | None:
        path = folder / f"{code}.html"
        return _masked(path.read_text(encoding="utf-8")) if path.exists() else None

    return sum(page(a, c) != page(b, c) for c in codes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for every path")
    parser.add_argument(
        "--sample", type=int, default=16, help="municipalities for the naive estimate of 393"
    )
    parser.add_argument("--full-naive", action="store_true", help="run the naive path for 393")
    parser.add_argument("--only-small", action="store_true", help="only the 8 municipalities")
    parser.add_argument(
        "--every",
        type=int,
        default=0,
        help="instead of all: every N-th municipality (with --count), e.g. --every 29 for 12",
    )
    parser.add_argument("--count", type=int, default=12, help="municipalities with --every")
    args = parser.parse_args()

    from socecon.regions import load_regions, participating_codes

    everything = list(load_regions().index)
    batches = [("8 participating", list(participating_codes()), ["--group", "participating"])]
    if args.every:
        spread = everything[:: args.every][: args.count]
        flags = [flag for code in spread for flag in ("--gemeente", code)]
        batches.append((f"{len(spread)} spread", spread, flags))
    elif not args.only_small:
        batches.append((f"all {len(everything)}", everything, ["--all"]))

    rows = []
    print("load average at start (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="socecon-bench-") as tmp:
        for label, codes, selection in batches:
            n = len(codes)
            base = Path(tmp) / label.split()[-1]
            dirs = {k: base / k for k in ("floor", "naive", "run")}
            for d in dirs.values():
                d.mkdir(parents=True)
            floor, timings, failed, cpu, warm = run_floor(codes, dirs["floor"], args.jobs)
            for line in failed:
                print(f"{label}: floor: failed {line}", flush=True)
            cell_timings = (n, timings, cpu, warm)  # the last (largest) batch is shown
            rows.append((label, "floor (plain Python)", n, floor, floor, "measured"))
            if args.full_naive or n <= max(args.sample, 8):
                naive, failed = run_naive(codes, dirs["naive"], args.jobs)
                for line in failed:
                    print(f"{label}: naive: failed {line}", flush=True)
                rows.append((label, "naive (papermill per report)", n, naive, floor, "measured"))
            else:
                step = n / args.sample
                sample = [codes[int(i * step)] for i in range(args.sample)]
                seconds, failed = run_naive(sample, dirs["naive"], args.jobs)
                for line in failed:
                    print(f"{label}: naive: failed {line}", flush=True)
                estimate = seconds / len(sample) * n
                how = f"extrapolated from {len(sample)} ({seconds:.1f} s)"
                rows.append((label, "naive (papermill per report)", n, estimate, floor, how))
            run, failed = run_socecon(selection, dirs["run"], args.jobs)
            for line in failed:
                print(f"{label}: socecon run: {line}", flush=True)
            rows.append((label, "socecon run", n, run, floor, "measured"))
            differ = compare_pages(dirs["floor"], dirs["run"], codes)
            print(
                f"{label}: {n - differ} of {n} floor pages equal the socecon run pages "
                "(timestamps and chart ids masked)",
                flush=True,
            )

    n, timings, cpu, warm = cell_timings
    print(
        f"\nWhere a floor report's time goes (summed over workers, per report, {n} reports; "
        f"wall clock of all, and CPU of the {warm} warm ones, each worker's first left out):"
    )
    print(f"  {'wall s':>7}  {'CPU s':>7}  cell")
    for key, value in sorted(timings.items(), key=lambda kv: -kv[1]):
        per = value if key.startswith("(worker") else value / n
        busy = f"{cpu[key] / warm:7.3f}" if key in cpu and warm else f"{'-':>7}"
        once = "  (once per worker)" if key.startswith("(worker") else ""
        print(f"  {per:7.3f}  {busy}  {key}{once}")
    if warm:
        print(f"  {'':7}  {sum(cpu.values()) / warm:7.3f}  (total CPU of a warm report)")
    kernel = kernel_start()
    print(f"  {kernel:7.3f} s  a warm kernel: start, handshake, preload (once per worker)")

    print("load average at end (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"\n{args.jobs} worker processes for every path; times end to end\n")
    print(f"{'batch':<16} {'path':<30} {'reports':>7} {'s':>9} {'s/report':>9} {'x floor':>8}")
    for label, what, n, seconds, floor, how in rows:
        note = "" if how == "measured" else f"  ({how})"
        print(
            f"{label:<16} {what:<30} {n:>7} {seconds:>9.1f} {seconds / n:>9.3f} "
            f"{seconds / floor:>8.1f}{note}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
