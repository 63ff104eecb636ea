"""A wheel install (not editable), used from another folder, has its data and its notebook.

The wheel is built from a copy of the source (so the checkout gets no ``build/``), without build
isolation and with setuptools' output checked for warnings, and installed with ``--no-deps`` into
a fresh venv. The venv reaches the dependencies of the running environment through a ``.pth``
file (what ``--system-site-packages`` gives when they are installed system-wide), and nothing of
the checkout: ``PYTHONPATH`` is unset and every command runs in an empty folder.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

#: The colophon's commit of a socecon that does not run from a git checkout: the report's kernel
#: imported the wheel's socecon.
WHEEL_COMMIT = "Versie van de broncode (git): <code>onbekend</code>"

PURELIB = "import sysconfig; print(sysconfig.get_path('purelib'))"
SOURCE = ("socecon", "data", "notebooks", "setup.py", "pyproject.toml", "README.md", "MANIFEST.in")


def _call(args: list, cwd: Path, env: dict[str, str] | None = None, expect: int = 0) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == expect, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(repo_root, tmp_path_factory):
    """(venv bin folder, environment, empty working folder, pip's build output)."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    for name in SOURCE:
        src = repo_root / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, source / name)
    pip = [sys.executable, "-m", "pip"]
    built = _call(
        [*pip, "wheel", "-v", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), source],
        tmp,
    )
    (wheel,) = (tmp / "dist").glob("socecon-*.whl")
    venv = tmp / "venv"
    _call([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], tmp)
    purelib = _call(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        tmp,
    ).strip()
    Path(purelib, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # --force-reinstall: the dependencies' environment (on the path through the .pth) may hold an
    # editable socecon of the same version, which pip would otherwise take as already installed
    install = [*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps"]
    _call([*install, "--force-reinstall", str(wheel)], tmp)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "SOCECON_DATA_DIR"}}
    # the venv's own kernel (as `make setup` installs one), so papermill runs the wheel's socecon
    _call([str(venv / "bin" / "python"), "-m", "ipykernel", "install", "--sys-prefix"], tmp, env)
    # nbconvert's templates are data files of the dependencies' environment (only those)
    jupyter = tmp / "jupyter"
    jupyter.mkdir()
    (jupyter / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    env["JUPYTER_PATH"] = str(jupyter)
    work = tmp / "elsewhere"
    work.mkdir()
    return venv / "bin", env, work, built


def test_the_build_gives_no_setuptools_warning(installed):
    *_, built = installed
    assert "running bdist_wheel" in built  # the build's own output is there to check
    for word in ("DeprecationWarning", "BuildBackendWarning", "deprecated", "project.license"):
        assert word not in built


def test_the_installed_package_runs_model_and_run_from_another_folder(installed, repo_root):
    bin_dir, env, work, _ = installed
    where = _call(
        [str(bin_dir / "python"), "-c", "import socecon; print(socecon.__file__)"], work, env
    )
    assert str(repo_root) not in where and str(bin_dir.parent) in where
    model = _call([str(bin_dir / "socecon"), "model", "GM0784"], work, env)
    assert "Gilze en Rijen (GM0784), 2020" in model
    run = _call(
        [str(bin_dir / "socecon"), "run", "--gemeente", "GM0784", "--jobs", "1", "--no-progress"],
        work,
        env,
    )
    assert "1 of 1 reports written" in run
    page = (work / "reports" / "GM0784.html").read_text(encoding="utf-8")
    assert "Gilze en Rijen" in page and WHEEL_COMMIT in page
    index = json.loads((work / "reports" / "index.json").read_text(encoding="utf-8"))
    assert "GM0784" in json.dumps(index)


def test_the_shipped_notebook_runs_with_papermill_and_renders(installed):
    bin_dir, env, work, _ = installed
    notebook = _call(
        [
            str(bin_dir / "python"),
            "-c",
            "from socecon.batch.tasks import DEFAULT_NOTEBOOK; print(DEFAULT_NOTEBOOK)",
        ],
        work,
        env,
    ).strip()
    assert "/socecon/shipped/notebooks/" in notebook and Path(notebook).is_file()
    executed = work / "GM0784.ipynb"
    _call(
        [str(bin_dir / "python"), "-m", "papermill", notebook, executed, "-r", "region", "GM0784"],
        work,
        env,
    )
    out = work / "papermill" / "GM0784.html"
    _call([str(bin_dir / "socecon"), "render", str(executed), "-o", str(out)], work, env)
    page = out.read_text(encoding="utf-8")
    assert "<title>Gilze en Rijen</title>" in page and WHEEL_COMMIT in page


def test_data_build_does_not_write_into_the_installed_package(installed, repo_root):
    bin_dir, env, work, _ = installed
    cbs = repo_root.parent / "shared" / "cbs"
    shipped = Path(
        _call(
            [
                str(bin_dir / "python"),
                "-c",
                "from socecon.data.schema import SHIPPED_DIR; print(SHIPPED_DIR)",
            ],
            work,
            env,
        ).strip(),
        "data",
    )
    before = {p.name: p.read_bytes() for p in shipped.iterdir()}
    refused = _call([bin_dir / "socecon", "data", "build", "--cbs-dir", cbs], work, env, expect=1)
    assert "socecon: error: will not write into the installed socecon package" in refused
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == before
    # A folder of one's own: written, and used through SOCECON_DATA_DIR.
    own = work / "my-data"
    _call(
        [str(bin_dir / "socecon"), "data", "build", "--cbs-dir", cbs, "--data-dir", own], work, env
    )
    checked = _call(
        [str(bin_dir / "socecon"), "data", "check"], work, {**env, "SOCECON_DATA_DIR": str(own)}
    )
    assert "ok: indeling 2025" in checked
    assert (own / "cbs_snapshot.csv").read_bytes() == before["cbs_snapshot.csv"]
