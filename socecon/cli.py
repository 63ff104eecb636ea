"""The ``socecon`` command line.

Every subcommand is a small function that calls into the package. Errors caused by input
(:class:`~socecon.exceptions.SocEconError`) are printed as one message on stderr with exit code 1;
usage errors (unknown command or option) exit with code 2, as argparse does.
"""

from __future__ import annotations

import argparse
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
    from socecon.notebooks import strip_outputs

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
