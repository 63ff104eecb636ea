"""Ship the data snapshot and the notebooks inside the wheel (everything else is in pyproject.toml).

``data/`` and ``notebooks/`` live beside the package in a source checkout, where socecon reads
them. A wheel has no such folder, so the build copies them into the package as
``socecon/shipped/data`` and ``socecon/shipped/notebooks``; an installed socecon reads them there
(:func:`socecon.data.schema.resource_dir`). An editable install keeps using the checkout's folders.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"data": "*", "notebooks": "*.ipynb"}


class BuildWithShippedFiles(build_py):
    """``build_py`` that also copies ``data/`` and ``notebooks/`` into ``socecon/shipped/``."""

    def run(self):
        """Build the package, then copy the shipped files (not for an editable install)."""
        super().run()
        if self.editable_mode:
            return
        for folder, pattern in SHIPPED.items():
            target = Path(self.build_lib) / "socecon" / "shipped" / folder
            self.mkpath(str(target))
            for source in sorted((ROOT / folder).glob(pattern)):
                if source.is_file():
                    self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithShippedFiles})
