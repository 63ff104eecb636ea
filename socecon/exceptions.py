"""Exceptions that socecon raises for bad input.

Every error a user can cause derives from :class:`SocEconError`, so that the command line can show
one clear message (and exit non-zero) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class SocEconError(Exception):
    """Base class of every error caused by input (files, codes, options)."""


class DefinitionError(SocEconError):
    """A definitions file is malformed or inconsistent.

    Parameters
    ----------
    path : str
        The file (or directory) the problems were found in.
    problems : iterable of str
        Every problem found, each naming the item and what is wrong with it.
    """

    def __init__(self, path: str, problems: Iterable[str]):
        self.path = str(path)
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {self.path}:\n{lines}")


class UnknownRegionError(SocEconError, LookupError):
    """A municipality code, region code, group id or name that socecon does not know.

    The message names the query and, where there are any, the closest known matches.
    """


class DividedMunicipalityError(UnknownRegionError):
    """A former municipality divided over several municipalities of the chosen indeling.

    Attributes
    ----------
    successors : tuple of str
        Their codes.
    """

    def __init__(self, note: str, successors: tuple[str, ...]) -> None:
        super().__init__(f"{note} (choose one of {', '.join(successors)})")
        self.successors = successors


class DataError(SocEconError):
    """A data file is missing, corrupt, hand-edited or does not follow the schema.

    The message names the file and, where possible, the row and column.
    """


class AssumptionError(SocEconError):
    """An assumption override is unknown, mistyped, in the wrong unit or out of bounds."""


class ModelError(SocEconError):
    """A model request is invalid (unknown scenario, bad horizon year, ...)."""


class CalibrationError(ModelError):
    """The local calibration cannot be computed: bad counts, or a fit on the held-out year.

    The message names the municipality, year and variable, or the years asked for.
    """


class CBSUnavailableError(DataError):
    """CBS open data cannot be reached (no network, proxy, or CBS down)."""


class UncertaintyError(SocEconError):
    """An invalid request to the uncertainty analysis (method, sample size, range, indicator)."""


class WindTunnelError(SocEconError):
    """An invalid wind-tunnel request: goal, option, measure, scenario or settings."""


class ReportError(SocEconError):
    """A batch of reports cannot start (for instance, the output folder cannot be written)."""


class ParameterError(SocEconError, TypeError):
    """A notebook parameter of the wrong type (papermill ``-p``/``-y`` read ``0301`` as a number).

    The message is in Dutch and English, names the parameter and its value, and shows the
    papermill call that passes it correctly.
    """


class WorkbenchError(SocEconError):
    """A change the workbench refuses; the message is Dutch and meant for the analyst."""


class KernelStartError(Exception):
    """A report kernel could not be started or prepared before any cell ran (worth another try).

    Not a :class:`SocEconError`: it is not caused by input, and the batch runner catches it to
    start the kernel again; it never reaches the command line.
    """
