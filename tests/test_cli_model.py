"""``socecon model``: key figures in the terminal, exports, and clear errors."""

from __future__ import annotations

import pandas as pd

from socecon.cli import main
from socecon.definitions import MODEL_VERSION
from socecon.model.results import LONG_COLUMNS


def test_model_prints_key_figures_for_a_municipality(capsys):
    assert main(["model", "Hengelo (O.)", "--scenario", "baseline", "--scenario", "regulier"]) == 0
    out = capsys.readouterr().out
    assert "Hengelo (GM0164), 2020" in out
    assert "regulier" in out and "publiek_privaat" not in out


def test_model_exports_iamc(tmp_path, capsys):
    target = tmp_path / "hengelo.csv"
    code = main(
        ["model", "GM0164", "--horizon", "2025", "--export", str(target), "--layout", "iamc"]
    )
    assert code == 0
    table = pd.read_csv(target)
    assert list(table.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert list(table.columns[5:]) == [str(y) for y in range(2015, 2026)]
    assert set(table.region) == {"GM0164"}
    assert set(table.model) == {f"socecon v{MODEL_VERSION}"}


def test_model_exports_the_long_layout_with_the_model_version(tmp_path, capsys):
    target = tmp_path / "hengelo.csv"
    assert main(["model", "GM0164", "--export", str(target), "--layout", "long"]) == 0
    table = pd.read_csv(target, dtype={"model_version": str})
    assert list(table.columns) == [*LONG_COLUMNS, "model_version"]
    assert set(table.model_version) == {MODEL_VERSION}


def test_model_refuses_bad_overrides_with_one_message(capsys):
    assert main(["model", "GM0164", "--set", "take_up=1.7"]) == 1
    err = capsys.readouterr().err
    assert "take_up" in err and "1.7" in err and "Traceback" not in err
    assert main(["model", "GM0164", "--set", "take_up"]) == 1
    assert "name=value" in capsys.readouterr().err


def test_model_refuses_unknown_municipality(capsys):
    assert main(["model", "GM9999"]) == 1
    assert "Unknown municipality 'GM9999'" in capsys.readouterr().err
