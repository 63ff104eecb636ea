"""The ``socecon`` command line: every subcommand, each a small function calling into the package.

``scenarios`` (the scenario table), ``strip-notebooks``, ``data build|refresh|check`` (the CBS
snapshot), ``run`` (the report batch, :mod:`socecon.batch`), ``model`` (key figures and exports),
``windtunnel`` (policy options in every scenario, :mod:`socecon.analysis.windtunnel`) and
``render`` (an executed report notebook as its offline page, :mod:`socecon.report.render`).
``run`` lives in :mod:`socecon.cli.run`, the options several subcommands share in
:mod:`socecon.cli.options`. Errors caused by input (:class:`~socecon.exceptions.SocEconError`)
are printed as one message on stderr with exit code 1; usage errors (unknown command or option)
exit with code 2, as argparse does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
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
from socecon.batch.tasks import select_regions
from socecon.cli.options import add_horizon, add_indeling, add_repeatable
from socecon.cli.run import add_run_command
from socecon.data.cbs_build import build
from socecon.data.cbs_refresh import plan, refresh
from socecon.data.manifest import validate_all
from socecon.definitions import (
    Definitions,
    load_definitions,
)
from socecon.exceptions import SocEconError, WindTunnelError
from socecon.present.formats import format_number
from socecon.report.policy import summary_nl
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


# --------------------------------------------------------------------------- data


#: Where ``data build`` and ``refresh`` write (:func:`socecon.data.schema.write_data_dir`).
_WRITE_DIR_HELP = (
    "target folder (default: $SOCECON_DATA_DIR or a checkout's data/; an installed socecon "
    "needs one: it does not write into its package)"
)


def _add_data_command(sub) -> None:
    """Add ``socecon data build|refresh|check``."""
    p = sub.add_parser("data", help="build, refresh or check the processed CBS snapshot")
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    data_sub.required = True
    b = data_sub.add_parser("build", help="build data/ from the shared CBS exports")
    b.add_argument("--cbs-dir", help="folder with the CBS exports (default: ../shared/cbs)")
    b.add_argument("--data-dir", help=_WRITE_DIR_HELP)
    b.set_defaults(func=_cmd_data_build)
    r = data_sub.add_parser("refresh", help="download the same tables from CBS open data")
    r.add_argument("--data-dir", help=_WRITE_DIR_HELP)
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


# --------------------------------------------------------------------------- model


def _add_model_command(sub) -> None:
    """Add ``socecon model``: key figures in the terminal, export to CSV or IAMC."""
    p = sub.add_parser("model", help="run the scenario model and print or export the results")
    p.add_argument("regions", nargs="*", help="codes, names or groups (default: participating)")
    add_horizon(p, "year the scenarios are in place")
    p.add_argument("--scenario", action="append", help="scenario id (repeatable; default all)")
    add_repeatable(p, "--set", "NAME=VALUE", "override an assumption")
    p.add_argument("--export", metavar="PATH", help="write all results to this CSV file")
    p.add_argument("--layout", choices=("long", "iamc"), default="long", help="export layout")
    add_indeling(p)
    p.set_defaults(func=_cmd_model)


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
    add_horizon(p, "horizon year")
    add_indeling(p)
    p.set_defaults(func=_cmd_windtunnel)


def _cmd_windtunnel(args: Any) -> int:
    goal = Goal(
        participation_min=args.goal_participation,
        net_cost_per_placed_max=args.goal_net_cost_per_placed,
    )
    wanted = select_regions([args.region], (), False, None, args.indeling, notes := [])
    print("".join(f"socecon: {note}\n" for note in notes), end="")
    if len(wanted) != 1:
        names = ", ".join(f"{regions.region_name(c, args.indeling)} ({c})" for c in wanted)
        raise WindTunnelError(
            f"the wind tunnel takes one municipality or group; choose one of {names}"
        )
    result = evaluate(
        wanted[0],
        goal=goal,
        n_samples=args.samples,
        seed=args.seed,
        threshold=args.threshold,
        regret_percentile=args.regret_percentile,
        regret_tolerance=args.regret_tolerance,
        horizon=args.horizon,
        model_input=model.snapshot_input(indeling=args.indeling),
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
