"""The ``socecon`` command line: every subcommand, each a small function calling into the package.

``scenarios`` (the scenario table), ``strip-notebooks``, ``data build|refresh|check`` (the CBS
snapshot), ``run`` (the report batch, :mod:`socecon.batch`), ``model`` (key figures and exports),
``windtunnel`` (policy options in every scenario, :mod:`socecon.analysis.windtunnel`) and
``render`` (an executed report notebook as its offline page, :mod:`socecon.report.render`).
Errors caused by input (:class:`~socecon.exceptions.SocEconError`) are printed as one message on
stderr with exit code 1; usage errors (unknown command or option) exit with code 2, as argparse
does.
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

from socecon import __version__, model, regions
from socecon.analysis.criteria import (
    DEFAULT_REGRET_PERCENTILE,
    DEFAULT_REGRET_TOLERANCE,
    DEFAULT_THRESHOLD,
    Goal,
)
from socecon.analysis.windtunnel import DEFAULT_SAMPLES, evaluate
from socecon.batch.notebooks import strip_outputs
from socecon.batch.tasks import DEFAULT_NOTEBOOK, DEFAULT_TIMEOUT, make_tasks, select_regions
from socecon.data.cbs_build import build
from socecon.data.cbs_refresh import plan, refresh
from socecon.data.manifest import validate_all
from socecon.definitions import (
    DEFAULT_HORIZON,
    DEFAULT_INDELING,
    INDELINGEN,
    Definitions,
    load_definitions,
)
from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import ReportError, SocEconError, UnknownRegionError
from socecon.present.formats import format_number
from socecon.report.policy import summary_nl
from socecon.workbench.config import run_settings
from socecon.workbench.state import DEFAULT_GOAL_NET_COST_PER_PLACED, DEFAULT_GOAL_PARTICIPATION


def scenario_table(defs: Definitions) -> str:
    """Render the scenarios as a plain-text table for the terminal.

    Parameters
    ----------
    defs : Definitions
        The loaded declarations.

    Returns
    -------
    str
        One header line, a rule, and one line per scenario (baseline first).
    """
    role, firms = defs.axes[0], defs.axes[1]
    header = ("id", "name", role.name, firms.name, "productivity", "employer", "measures")
    rows = [header]
    for s in defs.scenarios:
        rows.append(
            (
                s.id,
                s.name,
                role.pole(s.axes[role.id]).label if role.id in s.axes else "-",
                firms.pole(s.axes[firms.id]).label if firms.id in s.axes else "-",
                str(s.productivity) if s.productivity else "observed",
                s.employer_type,
                str(len(s.measures)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _cmd_scenarios(args: argparse.Namespace) -> int:
    defs = load_definitions(args.definitions)
    print(scenario_table(defs))
    if args.verbose:
        for s in defs.scenarios:
            print(f"\n{s.name} ({s.id})\n  {s.tagline}")
            for m in s.measures:
                print(f"  - {defs.measure(m).name}")
    return 0


def _cmd_strip(args: argparse.Namespace) -> int:
    for path in strip_outputs(args.paths):
        print(f"stripped {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="socecon",
        description="Scenario-study workbook for the Dutch sociale economie.",
    )
    parser.add_argument("--version", action="version", version=f"socecon {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("scenarios", help="print the scenario table")
    p.add_argument("--definitions", help="folder with scenarios.yaml and measures.yaml")
    p.add_argument("-v", "--verbose", action="store_true", help="also list taglines and measures")
    p.set_defaults(func=_cmd_scenarios)

    p = sub.add_parser("strip-notebooks", help="remove outputs from notebooks before a commit")
    p.add_argument("paths", nargs="+", help="notebook files")
    p.set_defaults(func=_cmd_strip)

    _add_data_command(sub)
    add_run_command(sub)
    _add_model_command(sub)
    add_windtunnel_command(sub)
    _add_render_command(sub)
    return parser


def _add_repeatable(parser: argparse.ArgumentParser, flag: str, metavar: str, help: str) -> None:
    """Add an option that may be given several times; its values are collected in a list."""
    parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def _add_horizon(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--horizon YEAR`` (default: the declared horizon of the study)."""
    parser.add_argument("--horizon", type=int, default=DEFAULT_HORIZON, help=help)


# --------------------------------------------------------------------------- data


def _add_data_command(sub) -> None:
    """Add ``socecon data build|refresh|check``."""
    p = sub.add_parser("data", help="build, refresh or check the processed CBS snapshot")
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    data_sub.required = True
    b = data_sub.add_parser("build", help="build data/ from the shared CBS exports")
    b.add_argument("--cbs-dir", help="folder with the CBS exports (default: ../shared/cbs)")
    b.add_argument("--data-dir", help="target folder (default: data/)")
    b.set_defaults(func=_cmd_data_build)
    r = data_sub.add_parser("refresh", help="download the same tables from CBS open data")
    r.add_argument("--data-dir", help="target folder (default: data/)")
    r.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    r.add_argument(
        "--service", help="base address of CBS open data (default: service in cbs_tables.yaml)"
    )
    r.add_argument(
        "--dry-run",
        action="store_true",
        help="read the tables' metadata only and print, per snapshot variable, the table, key, "
        "title and unit it would use; write nothing",
    )
    r.set_defaults(func=_cmd_data_refresh)
    c = data_sub.add_parser("check", help="validate data/ against its manifest")
    c.add_argument("--data-dir", help="folder to check (default: data/)")
    c.set_defaults(func=_cmd_data_check)


def _cmd_data_build(args: argparse.Namespace) -> int:
    print(f"wrote {build(args.cbs_dir, args.data_dir)}")
    return 0


def _cmd_data_refresh(args: argparse.Namespace) -> int:
    if args.dry_run:
        entries = plan(service=args.service, timeout=args.timeout)
        print("variable\tyear\ttable\tkey\ttitle\tunit")
        for variable, year, table, hit in entries:
            print(f"{variable}\t{year}\t{table}\t{hit.key}\t{hit.title}\t{hit.unit}")
        print(f"dry run: {len(entries)} columns resolved; nothing was written")
        return 0
    done = refresh(args.data_dir, service=args.service, timeout=args.timeout, log=print)
    print(f"wrote {done}")
    return 0


def _cmd_data_check(args: argparse.Namespace) -> int:
    for indeling, (snapshot, table, _) in validate_all(args.data_dir).items():
        print(f"ok: indeling {indeling}: {len(snapshot)} rows, {len(table)} municipalities")
    return 0


# --------------------------------------------------------------------------- run


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
    _add_repeatable(
        p,
        "--gemeente",
        "CODE",
        "a municipality (GM0363, 0363 or a name) or a group id for one combined report; repeatable",
    )
    _add_repeatable(
        p,
        "--group",
        "GROUP",
        "every member of a group (participating, isd_midden_langstraat, AMxx, PVxx, CRxx)",
    )
    p.add_argument("--all", action="store_true", help="every municipality (of the indeling)")
    _add_indeling(p)
    p.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="worker processes")
    p.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per report"
    )
    _add_horizon(p, f"horizon year (default {DEFAULT_HORIZON})")
    _add_repeatable(
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
    from socecon.batch.chromium import print_reports, require_chromium
    from socecon.batch.executors import check_writable, dask_executor, index_entries, run_batch

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
    try:
        with dask_executor(scheduler) if scheduler else contextlib.nullcontext() as executor:
            results = run_batch(
                tasks,
                executor=executor,
                jobs=jobs,
                progress=not args.no_progress,
                on_result=collected.append,
                stop=stop,
            )
    except KeyboardInterrupt:
        index_entries(out, tasks, collected, started)
        print("socecon: interrupted; reports already written are complete", file=sys.stderr)
        return 128 + (received[0] if received else signal.SIGINT)
    except BaseException:
        index_entries(out, tasks, collected, started)
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    index = index_entries(out, tasks, results, started)
    failed = [r for r in results if not r.ok]
    total = len(results) + len(unknown)
    print(f"{len(results) - len(failed)} of {total} reports written; index: {index}")
    unprinted: list = []
    if chromium:
        pages = [r.path for r in results if r.ok and r.path]
        unprinted = print_reports(pages, chromium, progress=not args.no_progress)
        print(f"{len(pages) - len(unprinted)} of {len(pages)} PDFs written beside the reports")
    for r in failed:
        where = f"; log: {r.log}" if r.log else ""
        print(f"FAILED {r.code} ({r.name}): {r.error}{where}", file=sys.stderr)
    for page, reason in unprinted:
        print(f"FAILED PDF of {page.name}: {reason}", file=sys.stderr)
    for message in unknown:
        print(f"FAILED: {message}", file=sys.stderr)
    return 1 if failed or unknown or unprinted else 0


# --------------------------------------------------------------------------- model


def _add_model_command(sub) -> None:
    """Add ``socecon model``: key figures in the terminal, export to CSV or IAMC."""
    p = sub.add_parser("model", help="run the scenario model and print or export the results")
    p.add_argument("regions", nargs="*", help="codes, names or groups (default: participating)")
    _add_horizon(p, "year the scenarios are in place")
    p.add_argument("--scenario", action="append", help="scenario id (repeatable; default all)")
    _add_repeatable(p, "--set", "NAME=VALUE", "override an assumption")
    p.add_argument("--export", metavar="PATH", help="write all results to this CSV file")
    p.add_argument("--layout", choices=("long", "iamc"), default="long", help="export layout")
    _add_indeling(p)
    p.set_defaults(func=_cmd_model)


def _add_indeling(p: argparse.ArgumentParser) -> None:
    """Add ``--indeling YEAR``: the municipal boundaries names are read in."""
    text = f"municipal boundaries (default {DEFAULT_INDELING}; {min(INDELINGEN)}: the study's own)"
    p.add_argument("--indeling", type=int, choices=INDELINGEN, default=DEFAULT_INDELING, help=text)


def _cmd_model(args: argparse.Namespace) -> int:
    wanted = select_regions(args.regions, (), False, None, args.indeling, notes := [])
    print("".join(f"socecon: {note}\n" for note in notes), end="")
    overrides = dict(model.parse_override(text) for text in args.set)
    frame = model.run_model(
        wanted, args.scenario, args.horizon, overrides=overrides, indeling=args.indeling
    )
    for region in frame["region"].cat.categories:
        table = model.summary(frame, region)
        print(f"\n{regions.region_name(region, args.indeling)} ({region}), {args.horizon}")
        print(table.to_string(float_format=lambda x: f"{x:,.1f}"))
    if args.export:
        print(f"\nwrote {model.export(frame, args.export, args.layout)}")
    return 0


# --------------------------------------------------------------------------- windtunnel


def add_windtunnel_command(sub: Any) -> None:
    """Add ``socecon windtunnel REGION ...`` to the command line's subparsers.

    Parameters
    ----------
    sub : argparse subparsers
    """
    p = sub.add_parser(
        "windtunnel",
        help="test every policy option in every scenario and classify them (Dutch)",
    )
    p.add_argument("region", help="municipality code or name, or a group")
    p.add_argument(
        "--goal-participation",
        type=float,
        default=DEFAULT_GOAL_PARTICIPATION,
        metavar="X",
        help="goal: participation of the target group at least X %% (default %(default)g)",
    )
    p.add_argument(
        "--goal-net-cost-per-placed",
        type=float,
        default=DEFAULT_GOAL_NET_COST_PER_PLACED,
        metavar="Y",
        help="goal: net cost per placed person at most Y euro a year (default %(default)g)",
    )
    p.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="uncertainty samples")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same result)")
    p.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help="share of samples that must meet the goal in a scenario (default %(default)g)",
    )
    p.add_argument(
        "--regret-percentile",
        type=float,
        default=DEFAULT_REGRET_PERCENTILE,
        metavar="Q",
        help="judge regret at this percentile of the samples, 1 = maximum (default %(default)g)",
    )
    p.add_argument(
        "--regret-tolerance",
        type=float,
        default=DEFAULT_REGRET_TOLERANCE,
        metavar="Z",
        help="no regret: at most Z percentage points behind the best option at that percentile "
        "(default %(default)g)",
    )
    _add_horizon(p, "horizon year")
    p.set_defaults(func=_cmd_windtunnel)


def _cmd_windtunnel(args: Any) -> int:
    goal = Goal(
        participation_min=args.goal_participation,
        net_cost_per_placed_max=args.goal_net_cost_per_placed,
    )
    result = evaluate(
        args.region,
        goal=goal,
        n_samples=args.samples,
        seed=args.seed,
        threshold=args.threshold,
        regret_percentile=args.regret_percentile,
        regret_tolerance=args.regret_tolerance,
        horizon=args.horizon,
    )
    table = result.table()
    wide = table.pivot_table(
        index="option_name", columns="scenario_name", values="participation_median", sort=False
    )
    wide = wide[list(table["scenario_name"].unique())]
    wide["klasse"] = table.groupby("option_name", sort=False)["class_name"].first()
    print(f"Deelname (%, mediaan van {args.samples} doorrekeningen) en klasse:\n")
    print(wide.to_string(float_format=lambda x: format_number(x, 1)))
    print()
    print(summary_nl(table))
    return 0


# --------------------------------------------------------------------------- render


def _add_render_command(sub) -> None:
    """Add ``socecon render EXECUTED.ipynb -o report.html``."""
    p = sub.add_parser(
        "render",
        help="turn an executed report notebook into the offline page socecon run writes",
        description=(
            "Write the offline HTML page of a report notebook executed with papermill "
            "(code hidden, charts drawn without internet), the same page socecon run writes."
        ),
    )
    p.add_argument("notebook", help="the executed report notebook (.ipynb)")
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    p.add_argument(
        "--bundle",
        choices=("inline", "shared"),
        default="inline",
        help="inline the vega bundle (default) or write one vega-bundle.js beside the page",
    )
    p.set_defaults(func=_cmd_render)


def _cmd_render(args: argparse.Namespace) -> int:
    # nbformat and nbconvert are loaded only for this subcommand (see cmd_run).
    from socecon.report.render import render_report

    size = render_report(args.notebook, args.output, bundle=args.bundle)
    print(f"wrote {args.output} ({size:,} bytes)")
    return 0


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        Exit code: 0 on success, 1 on bad input, 2 on a usage error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SocEconError as exc:
        print(f"socecon: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``socecon scenarios | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
