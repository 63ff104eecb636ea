"""The ``socecon`` command line.

Every subcommand is a small function that calls into the package. Errors caused by input
(:class:`~socecon.exceptions.SocEconError`) are printed as one message on stderr with exit code 1;
usage errors (unknown command or option) exit with code 2, as argparse does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from socecon import __version__
from socecon.definitions import Definitions, load_definitions
from socecon.exceptions import SocEconError


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
    from socecon.batch.notebooks import strip_outputs

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

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Later modules add their subcommands here (data, run, ...), each a function taking the
# subparsers object; keeping the list explicit keeps import costs visible.
_EXTRA_COMMANDS: list = []


def _register_data(sub) -> None:
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
    r.set_defaults(func=_cmd_data_refresh)
    c = data_sub.add_parser("check", help="validate data/ against its manifest")
    c.add_argument("--data-dir", help="folder to check (default: data/)")
    c.set_defaults(func=_cmd_data_check)


def _cmd_data_build(args: argparse.Namespace) -> int:
    from socecon.data.cbs_build import build

    print(f"wrote {build(args.cbs_dir, args.data_dir)}")
    return 0


def _cmd_data_refresh(args: argparse.Namespace) -> int:
    from socecon.data.cbs_refresh import refresh

    print(f"wrote {refresh(args.data_dir, timeout=args.timeout, log=print)}")
    return 0


def _cmd_data_check(args: argparse.Namespace) -> int:
    from socecon.data.manifest import validate_snapshot_dir

    snapshot, regions = validate_snapshot_dir(args.data_dir)
    print(f"ok: {len(snapshot)} rows, {len(regions)} municipalities")
    return 0


_EXTRA_COMMANDS.append(_register_data)


def _register_run(sub) -> None:
    """Add ``socecon run`` (the report batch, see :mod:`socecon.batch.runner`)."""
    from socecon.batch.runner import add_run_command

    add_run_command(sub)


_EXTRA_COMMANDS.append(_register_run)


def _register_model(sub) -> None:
    """Add ``socecon model``: key figures in the terminal, export to CSV or IAMC."""
    p = sub.add_parser("model", help="run the scenario model and print or export the results")
    p.add_argument("regions", nargs="*", help="codes, names or groups (default: participating)")
    p.add_argument("--horizon", type=int, default=2020, help="year the scenarios are in place")
    p.add_argument("--scenario", action="append", help="scenario id (repeatable; default all)")
    p.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override an assumption"
    )
    p.add_argument("--export", metavar="PATH", help="write all results to this CSV file")
    p.add_argument("--layout", choices=("long", "iamc"), default="long", help="export layout")
    p.set_defaults(func=_cmd_model)


def _cmd_model(args: argparse.Namespace) -> int:
    from socecon import model, regions

    wanted = args.regions or [*regions.participating_codes(), "isd_midden_langstraat"]
    overrides = dict(model.parse_override(text) for text in args.set)
    frame = model.run_model(wanted, args.scenario, args.horizon, overrides=overrides)
    for region in frame["region"].cat.categories:
        table = model.summary(frame, region)
        print(f"\n{regions.region_name(region)} ({region}), {args.horizon}")
        print(table.to_string(float_format=lambda x: f"{x:,.1f}"))
    if args.export:
        print(f"\nwrote {model.export(frame, args.export, args.layout)}")
    return 0


_EXTRA_COMMANDS.append(_register_model)


def _register_windtunnel(sub) -> None:
    """Add ``socecon windtunnel``: policy options in every scenario."""
    from socecon.analysis.windtunnel import add_windtunnel_command

    add_windtunnel_command(sub)


_EXTRA_COMMANDS.append(_register_windtunnel)


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
