"""socecon: a scenario-study workbook for the Dutch sociale economie.

The four 2020 scenarios of the TNO foresight study (Sociaal Ondernemen, Regulier,
Publiek-privaat, Publiek), made quantitative per municipality on real CBS data.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("socecon")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
