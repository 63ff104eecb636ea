"""Time a batch of reports and measure their size; prints a table.

Default: the real report notebook (notebooks/municipality_report.ipynb) for the eight
participating municipalities, 2 worker processes, with the vega bundle inlined and shared;
``--default-batch`` adds the combined ISD Midden-Langstraat report (the batch of ``make
reports``); ``--notebook tests/fixtures/notebooks/charts.ipynb`` times the small test notebook.

    .venv/bin/python benchmarks/bench_reports.py [--jobs 2] [--notebook PATH] [--default-batch]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from socecon.batch.executors import run_batch, summarize
from socecon.batch.tasks import DEFAULT_NOTEBOOK, make_tasks, select_regions
from socecon.definitions import REPORT_ENV
from socecon.regions import participating_codes
from socecon.report import export

ROOT = Path(__file__).resolve().parents[1]
REPORT = DEFAULT_NOTEBOOK


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=REPORT)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--default-batch", action="store_true", help="the batch of make reports")
    args = parser.parse_args()

    codes = select_regions() if args.default_batch else list(participating_codes())
    rows = []
    with tempfile.TemporaryDirectory(prefix="socecon-bench-") as tmp:
        for bundle in ("inline", "shared"):
            out = Path(tmp) / bundle
            out.mkdir()
            tasks = make_tasks(codes, args.notebook, out, bundle=bundle)
            start = time.perf_counter()
            results = run_batch(tasks, jobs=args.jobs, progress=False)
            total = time.perf_counter() - start
            failed = [r for r in results if not r.ok]
            if failed:
                print(summarize(results))
                return 1
            sizes = [r.size for r in results]
            rows.append(
                (
                    f"batch, bundle {bundle}, {args.jobs} workers",
                    len(results),
                    total,
                    total / len(results),
                    statistics.median(r.seconds for r in results),
                    statistics.median(sizes),
                )
            )

        # the export step alone, with one reused exporter (the floor of the HTML part)
        task = make_tasks(codes[:1], args.notebook, Path(tmp), bundle="inline")[0]
        nb_path = Path(tmp) / "executed.ipynb"
        import papermill as pm

        os.environ[REPORT_ENV] = "1"
        pm.execute_notebook(
            str(args.notebook),
            str(nb_path),
            parameters=dict(task.parameters),
            progress_bar=False,
            stderr_file=None,
        )
        nb = nbformat.read(nb_path, as_version=4)
        export.export_html(nb)  # warm up
        n = 10
        start = time.perf_counter()
        for _ in range(n):
            page = export.export_html(nb)
        per_page = (time.perf_counter() - start) / n  # seconds per page
        rows.append(
            ("export only (reused exporter)", n, per_page * n, per_page, per_page, len(page))
        )

    bundle = len(export.vega_bundle().encode())
    shown = args.notebook.relative_to(ROOT) if args.notebook.is_relative_to(ROOT) else args.notebook
    print(f"notebook: {shown}")
    print(f"vega bundle: {bundle:,} bytes (inlined once per inline report)\n")
    header = ("what", "reports", "total s", "s/report", "median s (worker)", "bytes/report")
    widths = (34, 7, 8, 9, 18, 13)
    print(
        " ".join(
            f"{h:<{w}}" if i == 0 else f"{h:>{w}}"
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for what, count, total, per, median, size in rows:
        print(f"{what:<34} {count:>7} {total:>8.2f} {per:>9.3f} {median:>18.2f} {size:>13,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
