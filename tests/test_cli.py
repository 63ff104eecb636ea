"""The command line: version, scenario table, clear usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from socecon import __version__
from socecon.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"socecon {__version__}"


def test_scenarios_prints_the_table(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:2] == ["id", "name"]
    body = "\n".join(out[2:])
    for name, rng in [
        ("Sociaal Ondernemen", "20-60 %"),
        ("Regulier", "50-80 %"),
        ("Publiek-privaat", "40-70 %"),
        ("Publiek", "20-90 %"),
    ]:
        line = next(line for line in out if f"  {name}  " in line)
        assert rng in line
    assert "Regisseur op afstand" in body and "Versmelting" in body


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["scenarios", "--colour"])
    assert info.value.code == 2
    assert "unrecognized arguments: --colour" in capsys.readouterr().err


def test_broken_definitions_give_one_message_and_exit_1(fixtures_dir, capsys):
    code = main(["scenarios", "--definitions", str(fixtures_dir / "definitions" / "missing_axis")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("socecon: error:") and "missing axis 'firm_policy'" in err
    assert "Traceback" not in err


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("socecon")
    assert script.exists(), "the socecon console script is not installed in the environment"
    proc = subprocess.run([script, "scenarios"], capture_output=True, text=True, check=True)
    assert "publiek_privaat" in proc.stdout


def test_a_closed_pipe_is_not_an_error():
    script = Path(sys.executable).with_name("socecon")
    proc = subprocess.run(
        f"'{script}' scenarios --verbose | head -n 1", shell=True, capture_output=True, text=True
    )
    assert proc.stdout.startswith("id")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_windtunnel_names_the_successor_of_a_former_municipality(capsys):
    # Boxmeer merged into Land van Cuijk: the note, then the successor's wind tunnel.
    assert main(["windtunnel", "Boxmeer", "--samples", "100"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("socecon: Boxmeer bestaat sinds 2022 niet meer") and "klasse" in out
    # Haaren was divided over four: one message naming them, exit 1, nothing computed.
    assert main(["windtunnel", "Haaren", "--samples", "100"]) == 1
    captured = capsys.readouterr()
    assert "Haaren bestaat sinds 2021 niet meer" in captured.out and "klasse" not in captured.out
    assert (
        "choose one of Boxtel (GM0757), Oisterwijk (GM0824), Tilburg (GM0855), Vught (GM0865)"
        in (captured.err)
    )
    # In the study's indeling of 2015 Haaren is a municipality of its own.
    assert main(["windtunnel", "Haaren", "--indeling", "2015", "--samples", "100"]) == 0
