"""Where ``socecon data build`` and ``refresh`` write: never into an installed package.

An installed socecon (a wheel, not editable) reads the snapshot shipped inside its package
(``socecon/shipped/data``). Building or refreshing there would silently change the installed
package, so without a folder of the user's own both stop with one message, before anything is
read or downloaded; a source checkout keeps writing its ``data/``. Here the installed layout is
made by pointing ``SHIPPED_DIR`` at a folder that holds a ``data/`` (tests/test_install.py does
the same with a real wheel).
"""

from __future__ import annotations

import pytest

from socecon.cli import main
from socecon.data import schema
from socecon.data.cbs_build import build
from socecon.data.cbs_refresh import refresh
from socecon.exceptions import DataError

REFUSED = "will not write into the installed socecon package"


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """An installed layout: ``<package>/shipped/data`` holds the snapshot."""
    data = tmp_path / "package" / "shipped" / "data"
    data.mkdir(parents=True)
    (data / "manifest.yaml").write_text("shipped\n", encoding="utf-8")
    monkeypatch.setattr(schema, "SHIPPED_DIR", tmp_path / "package" / "shipped")
    monkeypatch.delenv(schema.DATA_DIR_ENV, raising=False)
    return data


def test_an_installed_package_is_not_written_without_a_folder(shipped, tmp_path, capsys):
    assert schema.default_data_dir() == shipped  # what it reads
    with pytest.raises(DataError, match=REFUSED):
        build(tmp_path / "no-cbs-exports")  # refused before the missing exports are noticed
    with pytest.raises(DataError, match=REFUSED):
        refresh(service="http://127.0.0.1:9", timeout=0.1)  # before any download
    assert main(["data", "build", "--cbs-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"socecon: error: {REFUSED} ({shipped})")
    assert "--data-dir DIR" in err and f"{schema.DATA_DIR_ENV}=DIR" in err
    # Nor inside it, by --data-dir or the environment variable.
    with pytest.raises(DataError, match=REFUSED):
        schema.write_data_dir(shipped / "sub")
    with pytest.raises(DataError, match=REFUSED):
        schema.write_data_dir(str(shipped) + "/.")
    assert [p.name for p in shipped.iterdir()] == ["manifest.yaml"]
    assert (shipped / "manifest.yaml").read_text(encoding="utf-8") == "shipped\n"


def test_a_folder_of_ones_own_or_a_checkout_is_written(shipped, tmp_path, monkeypatch):
    own = tmp_path / "my-data"
    assert schema.write_data_dir(own) == own
    monkeypatch.setenv(schema.DATA_DIR_ENV, str(own))
    assert schema.write_data_dir(None) == own.resolve()
    # A source checkout (no shipped data): its data/ folder, as before.
    monkeypatch.delenv(schema.DATA_DIR_ENV)
    monkeypatch.setattr(schema, "SHIPPED_DIR", tmp_path / "nothing-shipped")
    assert schema.write_data_dir(None) == schema.SOURCE_ROOT / "data"
