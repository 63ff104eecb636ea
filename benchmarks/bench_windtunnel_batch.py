"""The wind tunnel inside a report batch: computed in passes by ``socecon run``, read by reports.

Run with ``.venv/bin/python benchmarks/bench_windtunnel_batch.py [--jobs 2] [--repeat 1]``.
The regions are the main job's (``socecon run`` without a selection: the participating
municipalities and ISD Midden-Langstraat). Three measurements:

- **the pass** (:class:`socecon.batch.windtunnel_pass.WindTunnelPass`, as ``socecon run`` starts
  it), per chunk size (``--chunks``), each in a fresh process: the thread's CPU seconds
  (:func:`time.thread_time`) per region, cold (the first pass of the process: the snapshot read
  and the samples drawn) and warm (the same again), and the process's peak memory above what it
  had before the pass (``VmHWM`` after resetting it through ``/proc/self/clear_refs``);
- **the report's side**: CPU seconds of reading a stored table
  (:func:`socecon.report.windtunnel_tables.read_table`, what the kernel does instead of
  computing), median over the regions, and of computing it alone (``compute_tables`` of one
  region, what the report did before); so the wind tunnel's CPU per municipality inside a batch
  is pass CPU / N + the read;
- **the batch**: ``socecon run --jobs N`` as a subprocess with and without the pass
  (``--no-windtunnel-pass``), alternating, ``--repeat`` times: wall seconds, and CPU seconds of
  the whole process tree (``RUSAGE_CHILDREN``: ``socecon run``, its workers and their kernels);
  the kernels' peak RSS is read from ``/proc`` while the batch runs. ``--malloc`` adds the same
  two batches with the glibc malloc settings below in the environment of the whole run.

Every page of the runs with the pass is compared with the page without it (time of generation
and chart ids masked): the store must not change a report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: glibc malloc settings that keep freed memory in the process instead of returning it at once.
MALLOC = {
    "MALLOC_MMAP_THRESHOLD_": "1073741824",
    "MALLOC_TRIM_THRESHOLD_": "1073741824",
    "MALLOC_TOP_PAD_": "268435456",
}

_STAMP = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")
_CHART_ID = re.compile(r"socecon-chart-[0-9a-f]{12}")

_PASS_SCRIPT = r"""
import json, os, sys, time
from socecon.batch.tasks import DEFAULT_NOTEBOOK, make_tasks
from socecon.batch.windtunnel_pass import WindTunnelPass
from socecon.regions import default_regions

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024

tasks = make_tasks(default_regions(), DEFAULT_NOTEBOOK, "/tmp/unused")
out = {"regions": len(tasks)}
for run in ("cold", "warm"):
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = rss("VmRSS:")
    tunnel = WindTunnelPass(tasks, chunk=int(sys.argv[1])).start()
    tunnel.wait()
    out[run] = {"cpu": tunnel.cpu, "stored": len(tunnel.stored), "failed": tunnel.failed,
                "peak_mb": (rss("VmHWM:") - before) / 1e6}
    tunnel.close()
print(json.dumps(out))
"""

_READ_SCRIPT = r"""
import json, os, statistics, time
from socecon.batch.tasks import DEFAULT_NOTEBOOK, make_tasks
from socecon.batch.windtunnel_pass import WindTunnelPass, _job, notebook_defaults
from socecon.regions import default_regions
from socecon.report import windtunnel_tables as wt

tasks = make_tasks(default_regions(), DEFAULT_NOTEBOOK, "/tmp/unused")
tunnel = WindTunnelPass(tasks).start()
tunnel.wait()
os.environ[wt.STORE_ENV] = str(tunnel.directory)
defaults = notebook_defaults(DEFAULT_NOTEBOOK)
jobs = [_job(t, defaults) for t in tasks]
wt.read_table(jobs[0].place, jobs[0].goal, **jobs[0].inputs)  # the code's hash, once per kernel
reads, alone = [], []
for job in jobs:
    start = time.process_time()
    assert wt.read_table(job.place, job.goal, **job.inputs) is not None, job.code
    reads.append(time.process_time() - start)
    start = time.process_time()
    wt.compute_tables([job.place], job.goal, **job.inputs)
    alone.append(time.process_time() - start)
tunnel.close()
print(json.dumps({"read": statistics.median(reads), "alone": alone}))
"""


def _python(script: str, *args: str, env: dict | None = None) -> dict:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=environ, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e3
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _watch_kernels(pid: int, peaks: dict, cpu: dict, stop: threading.Event) -> None:
    """Record the peak RSS (VmHWM, MB) and CPU seconds of every ipykernel below ``pid``.

    Those of ``pid`` itself (``socecon run``, where the pass runs) go under the key 0.
    """
    while not stop.is_set():
        with contextlib.suppress(OSError, IndexError, ValueError):
            peaks[0] = max(peaks.get(0, 0.0), _peak_mb(pid))
            cpu[0] = _cpu_seconds(pid)
        for child in _descendants(pid):
            try:
                if b"ipykernel" not in Path(f"/proc/{child}/cmdline").read_bytes():
                    continue
                peaks[child] = max(peaks.get(child, 0.0), _peak_mb(child))
                cpu[child] = _cpu_seconds(child)
            except (OSError, IndexError, ValueError):
                continue
        stop.wait(0.1)


#: ``socecon run`` with the pass's chunk size as its first argument. Before the store is removed
#: it prints how many tables were stored and how many of them a report read (a file read after
#: it was written has its access time after its modification time: ``relatime``).
_RUN = r"""
import json, os, sys
from socecon.batch import windtunnel_pass
from socecon.cli import main

windtunnel_pass.CHUNK = int(sys.argv[1]) or windtunnel_pass.CHUNK
close = windtunnel_pass.WindTunnelPass.close

def counting_close(self):
    files = [os.stat(p) for p in self.directory.glob("*.json")]
    read = sum(f.st_atime_ns > f.st_mtime_ns for f in files)
    counts = {"stored": len(files), "read": read, "cpu": self.cpu}
    print("STORE " + json.dumps(counts), file=sys.stderr)
    close(self)

windtunnel_pass.WindTunnelPass.close = counting_close
sys.exit(main(sys.argv[2:]))
"""


def run_batch(
    out: Path, jobs: int, passes: bool, env: dict | None = None, chunk: int = 0, every: bool = False
) -> dict:
    """Run ``socecon run`` once: wall and tree CPU seconds, the kernels' CPU and peak RSS."""
    argv = [sys.executable, "-c", _RUN, str(chunk), "run"] + (["--all"] if every else [])
    argv += ["--jobs", str(jobs), "--out", str(out)]
    argv += ["--no-progress"] + ([] if passes else ["--no-windtunnel-pass"])
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peaks: dict[int, float] = {}
    kernel_cpu: dict[int, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_kernels, args=(process.pid, peaks, kernel_cpu, stop))
    watcher.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    stop.set()
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode:
        raise SystemExit(stderr.decode())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    parent_cpu, parent_peak = kernel_cpu.pop(0, 0.0), peaks.pop(0, 0.0)
    store = [line[6:] for line in stderr.decode().splitlines() if line.startswith("STORE ")]
    return {
        "store": json.loads(store[0]) if store else {"stored": 0, "read": 0, "cpu": 0.0},
        "wall": wall,
        "cpu": cpu,
        "kernel_cpu": sum(kernel_cpu.values()),
        "kernel_peak_mb": max(peaks.values(), default=0.0),
        "parent_cpu": parent_cpu,
        "parent_peak_mb": parent_peak,
    }


def _masked(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return _CHART_ID.sub("socecon-chart-ID", _STAMP.sub("DD-MM-YYYY HH:MM", text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--chunks", default="1,4,9", help="chunk sizes of the pass to measure")
    parser.add_argument("--malloc", action="store_true", help="also batches with MALLOC_*")
    parser.add_argument("--no-batch", action="store_true", help="only the pass and the reads")
    parser.add_argument("--all", action="store_true", help="batches of every municipality")
    parser.add_argument("--no-pass-table", action="store_true", help="only the batches")
    parser.add_argument(
        "--batch-chunks", default="", help="chunk sizes of the batches with the pass (0: CHUNK)"
    )
    args = parser.parse_args()

    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    if not args.no_pass_table:
        pass_and_reads(args)
    if not args.no_batch:
        batches(args)


def pass_and_reads(args: argparse.Namespace) -> None:
    """Print the pass's CPU and memory per chunk size, and the report's read."""
    print("\nThe pass (CPU s of its thread per region; peak MB above the process before it):")
    print("| chunk | regions | cold s/region | warm s/region | cold peak MB | warm peak MB |")
    print("|---|---|---|---|---|---|")
    envs = [("", None), (", MALLOC_*", MALLOC)] if args.malloc else [("", None)]
    for chunk in (int(c) for c in args.chunks.split(",")):
        for label, env in envs:
            r = _python(_PASS_SCRIPT, str(chunk), env=env)
            n = r["regions"]
            assert r["cold"]["stored"] == n and not r["cold"]["failed"], r
            print(
                f"| {chunk}{label} | {n} | {r['cold']['cpu'] / n:.3f} | "
                f"{r['warm']['cpu'] / n:.3f} | {r['cold']['peak_mb']:.0f} | "
                f"{r['warm']['peak_mb']:.0f} |"
            )
    reads = _python(_READ_SCRIPT)
    print(
        f"\nThe report's side: reading a stored table {reads['read']:.4f} CPU s (median); "
        f"computing alone {statistics.median(reads['alone']):.3f} s (median; "
        f"{sum(reads['alone']):.2f} s for the {len(reads['alone'])} regions)"
    )


def batches(args: argparse.Namespace) -> None:
    """Print the batches with and without the pass (and with MALLOC_* when asked)."""
    chunks = [int(c) for c in args.batch_chunks.split(",") if c] or [0]
    variants = [("without pass", False, None, 0)]
    variants += [(f"with pass, chunks of {c or 'CHUNK'}", True, None, c) for c in chunks]
    if args.malloc:
        variants += [("without pass, MALLOC_*", False, MALLOC, 0)]
        variants += [(f"{variants[1][0]}, MALLOC_*", True, MALLOC, chunks[0])]
    measured: dict[str, list[dict]] = {name: [] for name, *_ in variants}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for name, passes, env, chunk in variants:
                out = Path(tmp) / f"{i}-{re.sub(r'[^a-z0-9]+', '_', name.lower())}"
                measured[name].append(run_batch(out, args.jobs, passes, env, chunk, args.all))
                measured[name][-1]["out"] = out
        reference = measured["without pass"][0]["out"]
        pages = sorted(reference.glob("*.html"))
        pages = [p for p in pages if p.name != "index.html"]
        equal = all(
            _masked(run["out"] / page.name) == _masked(page)
            for runs in measured.values()
            for run in runs
            for page in pages
        )
        print(f"\n`socecon run --jobs {args.jobs}`, {len(pages)} reports, median of {args.repeat}:")
        print(
            "| batch | wall s | CPU s (all processes) | CPU s per report | kernels' CPU s per "
            "report | `socecon run` CPU s (the pass's) | kernel peak MB | `socecon run` peak MB "
            "| tables read / stored |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name, runs in measured.items():
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            kernel = statistics.median(r["kernel_cpu"] for r in runs) / len(pages)
            peak = max(r["kernel_peak_mb"] for r in runs)
            parent = max(r["parent_peak_mb"] for r in runs)
            own = statistics.median(r["parent_cpu"] for r in runs)
            tunnel = statistics.median(r["store"]["cpu"] for r in runs)
            read = "/".join(str(min(r["store"][k] for r in runs)) for k in ("read", "stored"))
            print(
                f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / len(pages):.2f} | {kernel:.2f} | "
                f"{own:.1f} ({tunnel:.1f}) | {peak:.0f} | {parent:.0f} | {read} |"
            )
        print(f"every page equal to the page without the pass: {equal}")


if __name__ == "__main__":
    main()
