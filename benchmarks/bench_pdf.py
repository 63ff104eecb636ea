"""Time PDFs for a batch of reports: one browser, 1 tab against several parallel tabs.

The report pages come from ``socecon run --jobs N`` (timed too, as the HTML part of a batch) or
from an existing folder (``--reports DIR``, copied first). They are then printed with
:func:`socecon.batch.pdf.print_reports`, the function ``socecon run --pdf`` calls, once per tab
count (``--tabs``, 1 = sequential, the baseline), ``--repeat`` times in turn (1, 2, 3, 1, 2, 3,
...) so that a change in the machine's load falls on every tab count alike; the median time is
reported. Every pass must print every page, and every tab count must give each PDF the same
number of pages as 1 tab. Printed per tab count: seconds, seconds per report, speed-up over 1
tab, the load average (1 minute) at start and end of its passes; the table is Markdown, ready
for the README (``--markdown FILE`` writes it there as well). CPU time is not reported: the
browser's renderer processes are not children this process waits for, so ``os.times`` misses
them.

    .venv/bin/python benchmarks/bench_pdf.py                    # the 9 default reports
    .venv/bin/python benchmarks/bench_pdf.py --sample 40        # 40 municipalities, spread
    .venv/bin/python benchmarks/bench_pdf.py --all --jobs 2 --tabs 1,3   # every municipality
    .venv/bin/python benchmarks/bench_pdf.py --reports reports  # pages already written
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from socecon.batch.chromium import require_chromium
from socecon.batch.pdf import print_reports
from socecon.batch.tasks import select_regions

ROOT = Path(__file__).resolve().parents[1]


def _load() -> float:
    return os.getloadavg()[0]


def _write_pages(codes: list[str], out: Path, jobs: int) -> float:
    """Write the reports with ``socecon run`` (no PDFs); return its wall-clock seconds."""
    command = [sys.executable, "-m", "socecon", "run", "--out", str(out), "--jobs", str(jobs)]
    command += ["--no-progress", *(f"--gemeente={code}" for code in codes)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"socecon run failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def _page_counts(pages: list[Path]) -> list[int]:
    return [len(PdfReader(page.with_suffix(".pdf")).pages) for page in pages]


def _measure(pages: list[Path], tabs: list[int], repeat: int, chromium: str) -> dict:
    """Print ``pages`` ``repeat`` times per tab count, in turn; return times, loads, pages."""
    runs: dict[int, dict] = {n: {"seconds": [], "loads": [], "counts": None} for n in tabs}
    for _ in range(repeat):
        for n in tabs:
            load = _load()
            start = time.perf_counter()
            failures = print_reports(pages, chromium, tabs=n)
            seconds = time.perf_counter() - start
            if failures:
                sys.exit(f"{len(failures)} PDFs failed with {n} tabs: {failures[:3]}")
            counts = _page_counts(pages)
            for page in pages:  # the next pass must write them afresh
                page.with_suffix(".pdf").unlink()
            runs[n]["seconds"].append(seconds)
            runs[n]["loads"] += [load, _load()]
            runs[n]["counts"] = counts
            print(f"  {n} tab(s): {seconds:.1f} s (load {load:.1f} -> {_load():.1f})", flush=True)
    return runs


def _table(runs: dict, reports: int) -> list[str]:
    base = statistics.median(runs[min(runs)]["seconds"])
    lines = [
        "| tabs | reports | seconds (median) | s per report | x faster than 1 tab | load |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for n, run in runs.items():
        seconds = statistics.median(run["seconds"])
        loads = run["loads"]
        lines.append(
            f"| {n} | {reports} | {seconds:.1f} | {seconds / reports:.2f} | "
            f"{base / seconds:.2f} | {min(loads):.1f}-{max(loads):.1f} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every municipality (2025 indeling)")
    which.add_argument("--sample", type=int, help="this many municipalities, spread over all")
    which.add_argument("--reports", type=Path, help="print the pages already in this folder")
    parser.add_argument("--jobs", type=int, default=2, help="workers of socecon run")
    parser.add_argument("--tabs", default="1,2,3,4", help="tab counts, comma separated; 1 first")
    parser.add_argument("--repeat", type=int, default=None, help="passes per tab count")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    tabs = sorted({int(n) for n in args.tabs.split(",")})
    if tabs[0] != 1:
        tabs.insert(0, 1)  # the sequential baseline is always measured in the same run
    chromium = require_chromium()

    with tempfile.TemporaryDirectory(prefix="socecon-bench-pdf-") as tmp:
        html_seconds = None
        if args.reports:  # copied: the PDFs are written (and removed) beside the copies
            folder = Path(tmp) / "reports"
            folder.mkdir()
            for source in [*args.reports.glob("*.html"), *args.reports.glob("*.js")]:
                shutil.copy(source, folder)
            what = f"the pages in {args.reports}"
        else:
            if args.all or args.sample:
                codes = select_regions(everything=True)
                if args.sample:
                    step = len(codes) / args.sample
                    codes = [codes[int(i * step)] for i in range(min(args.sample, len(codes)))]
                what = f"{len(codes)} municipalities" + (" (all)" if args.all else ", spread")
            else:
                codes = select_regions()
                what = f"the {len(codes)} default reports"
            folder = Path(tmp) / "reports"
            print(f"writing {len(codes)} reports with socecon run --jobs {args.jobs} ...")
            html_seconds = _write_pages(codes, folder, args.jobs)
        pages = sorted(p for p in folder.glob("*.html") if p.name != "index.html")
        repeat = args.repeat or (3 if len(pages) <= 12 else 1)
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"printing {len(pages)} pages, tabs {tabs}, {repeat} pass(es) each ...", flush=True)
        runs = _measure(pages, tabs, repeat, chromium)

    counts = runs[1]["counts"]
    for n, run in runs.items():
        if run["counts"] != counts:
            sys.exit(f"{n} tabs gave other page counts than 1 tab: {run['counts']} != {counts}")
    lines = [
        f"PDFs of {what}, one headless Chromium, {started}, {os.cpu_count()} CPUs, "
        f"{repeat} pass(es) per tab count in turn (median); every PDF written, the same page "
        f"count with every tab count ({min(counts)}-{max(counts)} A4 pages per report)."
    ]
    if html_seconds is not None:
        lines[0] += (
            f" The HTML pages before it: `socecon run --jobs {args.jobs}` {html_seconds:.1f} s "
            f"({html_seconds / len(pages):.2f} s per report)."
        )
    lines += ["", *_table(runs, len(pages))]
    text = "\n".join(lines)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
