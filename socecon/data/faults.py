"""Find where a snapshot file or its manifest differs from what ``socecon data build`` writes.

A file whose sha256 differs from the manifest was edited or corrupted. The schema check and the
control totals (:func:`socecon.data.manifest.validate_snapshot_dir`) find changed values; this
module finds the changes that keep every value: a byte order mark, CRLF line endings, a number
written differently (``2490.0`` for ``2490``), an edited ``source`` column. Each is named by file,
line and column. The manifest itself is sealed by its last line, ``manifest_sha256: <hex>``, the
sha256 of every byte above it (:func:`seal`, :func:`check_seal`), so a manifest cut anywhere or
edited by hand is refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from socecon.exceptions import DataError

#: The key of the manifest's last line: the sha256 of all bytes above that line.
SEAL_KEY = "manifest_sha256"

_SEAL_LINE = re.compile(rf"{SEAL_KEY}: ([0-9a-f]{{64}})\n")
_BOM = b"\xef\xbb\xbf"


def seal(text: str) -> str:
    """Append the seal line to a manifest's text.

    Parameters
    ----------
    text : str
        The manifest as YAML, ending with a newline.

    Returns
    -------
    str
        ``text`` plus ``manifest_sha256: <sha256 of text>``.
    """
    return f"{text}{SEAL_KEY}: {hashlib.sha256(text.encode('utf-8')).hexdigest()}\n"


def check_seal(path: Path, data: bytes) -> None:
    """Refuse a manifest whose last line is not the seal of the bytes above it.

    Parameters
    ----------
    path : Path
        The manifest (for the message).
    data : bytes
        Its bytes.

    Raises
    ------
    DataError
        When the seal line is missing, cut or wrong (a truncated or hand-edited manifest).
    """
    rebuild = "; rebuild the snapshot with `socecon data build`"
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    match = _SEAL_LINE.fullmatch(last.decode("utf-8", "replace") + "\n")
    if not data.endswith(b"\n") or match is None:
        raise DataError(
            f"{path} line {lines}: the manifest is incomplete (its last line must be "
            f"'{SEAL_KEY}: <64 hex digits>'; the file was cut or edited){rebuild}"
        )
    if hashlib.sha256(body + b"\n").hexdigest() != match.group(1):
        raise DataError(
            f"{path}: the manifest was edited or corrupted ({SEAL_KEY} on line {lines} does not "
            f"match the {lines - 1} lines above it){rebuild}"
        )


def check_tables(path: Path, tables: Any, names: tuple[str, ...]) -> None:
    """Refuse a manifest whose ``tables`` lack an entry or a sha256 for one of ``names``.

    Parameters
    ----------
    path : Path
        The manifest (for the message).
    tables : object
        The manifest's ``tables`` value.
    names : tuple of str
        The files that must have an entry.

    Raises
    ------
    DataError
        Naming the manifest entry that is missing or malformed.
    """
    if not isinstance(tables, Mapping):
        raise DataError(f"{path}: entry 'tables' is not a mapping of file names")
    for name in names:
        entry = tables.get(name)
        if entry is None:
            raise DataError(f"{path}: no entry for {name}")
        sha = entry.get("sha256") if isinstance(entry, Mapping) else None
        if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
            raise DataError(f"{path}: entry tables/{name}/sha256 is {sha!r}, not a sha256")


def locate_format_changes(path: Path, canonical: str, limit: int = 20) -> list[str]:
    """Name the lines of ``path`` whose bytes differ from how ``socecon data build`` writes them.

    Parameters
    ----------
    path : Path
        A snapshot file.
    canonical : str
        The same rows as the writer formats them (the file re-serialised).
    limit : int
        Report at most this many lines.

    Returns
    -------
    list of str
        ``"<file> line L, column C: ..."`` for a byte order mark, a carriage return, and each
        line written differently (a cell such as ``2490.0`` for ``2490`` names its column).
    """
    data = path.read_bytes()
    name = path.name
    problems: list[str] = []
    if data.startswith(_BOM):
        problems.append(
            f"{name} line 1, column 1: starts with a byte order mark (BOM); "
            "the file must be UTF-8 without BOM"
        )
        data = data[len(_BOM) :]
    if b"\r" in data:
        first, times = data.index(b"\r"), data.count(b"\r")
        line = data[:first].count(b"\n") + 1
        column = first - data.rfind(b"\n", 0, first)
        problems.append(
            f"{name} line {line}, column {column}: carriage return (CRLF or CR line endings, "
            f"{times} times); the file must use LF line endings"
        )
        data = data.replace(b"\r\n", b"\n")
    have = data.decode("utf-8", "replace").split("\n")
    want = canonical.split("\n")
    header = want[0].split(",")
    for number, (got, expected) in enumerate(zip(have, want, strict=False), start=1):
        if got == expected:
            continue
        if len(problems) >= limit:
            break
        cells, wanted = got.split(","), expected.split(",")
        columns = [
            header[i]
            for i in range(min(len(cells), len(wanted), len(header)))
            if cells[i] != wanted[i]
        ]
        if columns and len(cells) == len(wanted):
            column = columns[0]
            i = header.index(column)
            problems.append(
                f"{name} line {number}, column {column!r}: {cells[i]!r} is written "
                f"{wanted[i]!r} by `socecon data build`"
            )
        else:
            problems.append(
                f"{name} line {number}: {got!r}, `socecon data build` writes {expected!r}"
            )
    if len(have) != len(want) and len(problems) < limit:
        problems.append(
            f"{name}: {len(have) - 1} lines, `socecon data build` writes {len(want) - 1}"
        )
    return problems


def locate_unknown_sources(
    rows: Any, variables: Mapping[str, Any], name: str, limit: int = 20
) -> list[str]:
    """Name the rows whose ``source`` is not a CBS table the manifest lists for their variable.

    Parameters
    ----------
    rows : iterable of namedtuple
        The snapshot's rows in file order (``region``, ``variable``, ``year``, ``source``).
    variables : mapping
        The manifest's ``tables/cbs_snapshot.csv/variables`` (each with ``sources``).
    name : str
        The file name, for the message.
    limit : int
        Report at most this many rows.

    Returns
    -------
    list of str
    """
    problems: list[str] = []
    for pos, row in enumerate(rows):
        entry = variables.get(row.variable)
        known = entry.get("sources") if isinstance(entry, Mapping) else None
        if isinstance(known, list) and row.source not in known:
            problems.append(
                f"{name} line {pos + 2}, column 'source': {row.source!r} is not a source of "
                f"{row.variable} in the manifest ({', '.join(map(str, known))})"
            )
            if len(problems) >= limit:
                break
    return problems


def explain_mismatch(
    path: Path, canonical: Callable[[], str], extra: list[str], rows: int, expected_rows: Any
) -> list[str]:
    """Every located difference of a file with a wrong checksum, never an empty list.

    Parameters
    ----------
    path : Path
        The file whose sha256 differs from the manifest.
    canonical : callable
        Returns the file's rows as the writer formats them.
    extra : list of str
        Differences already located (changed values, unknown sources).
    rows : int
        Rows in the file.
    expected_rows : object
        Rows the manifest records.

    Returns
    -------
    list of str
    """
    problems = locate_format_changes(path, canonical()) + extra
    if rows != expected_rows:
        problems.append(f"{path.name}: {rows} rows, the manifest records {expected_rows}")
    if not problems:
        problems.append(
            f"{path.name}: the changed line could not be located (every value, total and "
            "format agrees with the manifest); compare it with the version you started from"
        )
    return problems
