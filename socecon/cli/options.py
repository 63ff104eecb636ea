"""Options shared by several ``socecon`` subcommands: repeatable, the horizon, the indeling."""

from __future__ import annotations

import argparse

from socecon.definitions import DEFAULT_HORIZON, DEFAULT_INDELING, INDELINGEN


def add_repeatable(parser: argparse.ArgumentParser, flag: str, metavar: str, help: str) -> None:
    """Add an option that may be given several times; its values are collected in a list."""
    parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def add_horizon(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--horizon YEAR`` (default: the declared horizon of the study)."""
    parser.add_argument("--horizon", type=int, default=DEFAULT_HORIZON, help=help)


def add_indeling(p: argparse.ArgumentParser) -> None:
    """Add ``--indeling YEAR``: the municipal boundaries names are read in."""
    text = f"municipal boundaries (default {DEFAULT_INDELING}; {min(INDELINGEN)}: the study's own)"
    p.add_argument("--indeling", type=int, choices=INDELINGEN, default=DEFAULT_INDELING, help=text)
