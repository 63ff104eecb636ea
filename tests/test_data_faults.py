"""Faults in the data folder that keep every value: each is named by file, line and column.

A byte order mark, CRLF line endings, an edited ``source``, ``2490`` written as ``2490.0``, a
manifest cut anywhere: ``socecon data check`` (and so every load) refuses them with one message
that says where, never with a traceback or an empty list.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from socecon import cli
from socecon.data.schema import default_data_dir
from socecon.data.snapshot import load_snapshot
from socecon.exceptions import DataError

ROW = "GM0784,2015,population,persons,26065,70072ned"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(default_data_dir(), target, ignore=shutil.ignore_patterns("README.md"))
    return target


def _check(data_dir: Path, capsys) -> str:
    """Run ``socecon data check``; it must fail with one message and no traceback."""
    assert cli.main(["data", "check", "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("socecon: error: ") and "Traceback" not in err
    assert not err.rstrip().endswith(":"), "a message ending in a colon lists nothing"
    with pytest.raises(DataError) as info:  # load refuses what check refuses
        load_snapshot(data_dir)
    assert str(info.value) in err
    return err


def _line_of(path: Path, line: str) -> int:
    return path.read_text().split("\n").index(line) + 1


def test_byte_order_mark_is_named(data_dir, capsys):
    path = data_dir / "cbs_snapshot.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    err = _check(data_dir, capsys)
    assert "cbs_snapshot.csv line 1, column 1: starts with a byte order mark (BOM)" in err


def test_byte_order_mark_in_the_region_table_is_named(data_dir, capsys):
    path = data_dir / "regions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "regions.csv line 1, column 1: starts with a byte order mark" in _check(data_dir, capsys)


def test_crlf_line_endings_are_named(data_dir, capsys):
    path = data_dir / "cbs_snapshot.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    err = _check(data_dir, capsys)
    header = len("region,year,variable,unit,value,source")
    assert f"cbs_snapshot.csv line 1, column {header + 1}: carriage return" in err
    assert "must use LF line endings" in err


def test_number_written_differently_is_named(data_dir, capsys):
    path = data_dir / "cbs_snapshot.csv"
    line = _line_of(path, ROW)
    path.write_text(path.read_text().replace(ROW, ROW.replace("26065", "26065.0")))
    err = _check(data_dir, capsys)
    assert f"cbs_snapshot.csv line {line}, column 'value': '26065.0' is written '26065'" in err


def test_edited_source_is_named(data_dir, capsys):
    path = data_dir / "cbs_snapshot.csv"
    line = _line_of(path, ROW)
    path.write_text(path.read_text().replace(ROW, ROW.replace("70072ned", "70072NED")))
    err = _check(data_dir, capsys)
    assert f"cbs_snapshot.csv line {line}, column 'source': '70072NED' is not a source" in err


@pytest.mark.parametrize("where", ["after_sha256_key", "line_before_sha256", "end", "mid_line"])
def test_a_manifest_cut_anywhere_never_passes(data_dir, capsys, where):
    path = data_dir / "manifest.yaml"
    text = path.read_text()
    regions_sha = text.index("sha256:", text.index("  regions.csv:"))
    cut = {
        "after_sha256_key": text[: regions_sha + len("sha256:")] + "\n",
        "line_before_sha256": text[: text.rindex("\n", 0, regions_sha) + 1],
        "end": text[: text.rindex("manifest_sha256:")],
        "mid_line": text[: len(text) - 20],
    }[where]
    path.write_text(cut)
    err = _check(data_dir, capsys)
    assert f"{path} line " in err and "the manifest is incomplete" in err


def test_a_hand_edited_manifest_is_refused(data_dir, capsys):
    path = data_dir / "manifest.yaml"
    path.write_text(path.read_text().replace("rows: 393", "rows: 392"))
    assert "the manifest was edited or corrupted" in _check(data_dir, capsys)


def test_index_json_as_a_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "index.json").mkdir()
    code = cli.main(["run", "--gemeente", "GM0784", "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"socecon: error: cannot write the index: {tmp_path / 'index.json'}" in err
