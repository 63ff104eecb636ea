"""What a batch of reports produces: the regions chosen and one picklable task per report.

:func:`select_regions` turns a selection (codes, names, groups, everything) into region ids;
:func:`make_tasks` makes one :class:`ReportTask` per region, with typed notebook parameters and
absolute paths, ready for :func:`socecon.batch.executors.run_batch`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socecon import regions
from socecon.batch.kernels import DEFAULT_KERNEL
from socecon.data.schema import check_indeling, resource_dir
from socecon.definitions import DEFAULT_HORIZON
from socecon.exceptions import UnknownRegionError

#: Default time one report may take, in seconds (per attempt, once its kernel is ready).
DEFAULT_TIMEOUT = 300.0

#: The report notebook: ``notebooks/`` of the source checkout, or its copy in an installed wheel.
DEFAULT_NOTEBOOK = resource_dir("notebooks") / "municipality_report.ipynb"

#: Reports printed to PDF at once, each in a tab of one browser (``socecon run --pdf-tabs``).
#: On the 2-core machine at load 2-5, 3 tabs printed the 9 default reports 1.85x as fast as 1
#: tab and 4 tabs no faster than 3; at load 10-20 tabs gain little (README "Paper and PDF").
DEFAULT_PDF_TABS = 3


@dataclass(frozen=True)
class ReportTask:
    """Everything needed to produce one report; picklable, so it can go to any worker.

    Parameters
    ----------
    code : str
        Region code or group id; names the report (``<code>.html``) and its logs.
    notebook : Path
        The parametrised notebook.
    output : Path
        The HTML file to write.
    name : str
        Dutch display name (page title, index); ``code`` if empty.
    parameters : dict
        Typed values for the notebook's ``parameters`` cell (``"0363"`` stays a string).
    timeout : float
        Seconds one attempt at the report may take once its kernel is ready (a new kernel has
        ``min(timeout, 60)`` seconds to start).
    log_dir : Path, optional
        Where failures leave the executed notebook and a log; ``<output folder>/logs`` by default.
    kernel_name : str
        The Jupyter kernel to run the notebook in.
    bundle : {"inline", "shared"}
        Where the vega bundle lives, see :func:`socecon.report.export.export_html`.
    start_retries : int
        How often a kernel that fails before running any cell is started again.
    fresh_kernel : bool
        Run the report in a kernel of its own (papermill's usual way, seconds slower) instead
        of the worker's warm kernel (:mod:`socecon.batch.kernels`).
    retries : int
        How often a report whose warm kernel died or hung is run again in a new kernel.
    environment : dict
        Environment variables set in the report's kernel for this report only (e.g. the wind-tunnel
        store of the batch, :mod:`socecon.batch.windtunnel_pass`); unlike ``parameters`` they
        leave no trace in the notebook or the page.
    """

    code: str
    notebook: Path
    output: Path
    name: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    log_dir: Path | None = None
    kernel_name: str = DEFAULT_KERNEL
    bundle: str = "inline"
    start_retries: int = 2
    fresh_kernel: bool = False
    retries: int = 1
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        """The folder for this task's failure logs."""
        return Path(self.log_dir) if self.log_dir else Path(self.output).parent / "logs"

    @property
    def title(self) -> str:
        """The display name, or the code."""
        return self.name or self.code


def select_regions(
    gemeenten: Sequence[str] = (),
    groups: Sequence[str] = (),
    everything: bool = False,
    unknown: list[str] | None = None,
    indeling: int | str | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """Decide which reports a run produces.

    Parameters
    ----------
    gemeenten : sequence of str
        Municipalities by code or name (``GM0363``, ``0363``, ``Amsterdam``), or ids of groups
        and regions (``isd_midden_langstraat``, ``AM01``) for one combined report each.
    groups : sequence of str
        Groups whose every member gets its own report (``participating``, ``AM01``, ``PV27``).
    everything : bool
        Every municipality.
    unknown : list of str, optional
        If given, a code, name or group that does not exist is left out and its message
        (which suggests close matches) appended here, so that the rest of a batch can run.
    indeling : int or str, optional
        The municipal boundaries (2025 by default, 2015 for the study's); ``everything`` means
        every municipality of it. A former municipality stands for its successor(s).
    notes : list of str, optional
        If given, the Dutch note on every former municipality named is appended here
        ("Haaren bestaat sinds 2021 niet meer; ...").

    Returns
    -------
    list of str
        Codes and group ids in order, without duplicates. With no selection at all: the
        participating municipalities plus the combined ISD Midden-Langstraat report.

    Raises
    ------
    socecon.exceptions.UnknownRegionError
        For a code, name or group that does not exist (the message suggests close matches),
        unless ``unknown`` is given.
    """

    def resolved(query: str) -> tuple[str, ...]:
        try:
            found = regions.resolve_all(query, indeling)
        except UnknownRegionError as exc:
            if unknown is None:
                raise
            unknown.append(str(exc))
            return ()
        if found.note and notes is not None:
            notes.append(found.note)
        return found.codes

    chosen: list[str] = []
    if everything:
        chosen.extend(regions.load_regions(indeling).index)
    for group in groups:
        for gid in resolved(group):
            chosen.extend(regions.group_members(gid, indeling))
    for query in gemeenten:
        chosen.extend(resolved(query))
    if not (everything or groups or gemeenten):
        chosen.extend(regions.default_regions())
    return list(dict.fromkeys(chosen))


def make_tasks(
    codes: Iterable[str],
    notebook: str | Path,
    out_dir: str | Path,
    *,
    horizon: int = DEFAULT_HORIZON,
    timeout: float = DEFAULT_TIMEOUT,
    bundle: str = "inline",
    parameters: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
    fresh_kernel: bool = False,
    indeling: int | str | None = None,
) -> list[ReportTask]:
    """Build one task per region: ``<out_dir>/<code>.html`` from ``notebook``.

    Parameters
    ----------
    codes : iterable of str
        Region codes or group ids (see :func:`select_regions`).
    notebook : str or Path
        The parametrised report notebook.
    out_dir : str or Path
        The reports folder.
    horizon : int
        The horizon year, passed as the parameter ``horizon``.
    timeout : float
        Seconds per report.
    bundle : {"inline", "shared"}
        Where the vega bundle lives.
    parameters : mapping, optional
        Further notebook parameters for every report (e.g. ``{"overrides": {...}}``).
    names : mapping, optional
        Display names by code; :func:`socecon.regions.region_name` by default.
    fresh_kernel : bool
        One new kernel per report instead of the worker's warm kernel.
    indeling : int or str, optional
        Passed as the parameter ``indeling`` (an int) when given; the notebook's default
        (``default_indeling`` of ``conventions.yaml``) otherwise.

    Returns
    -------
    list of ReportTask
        Each with the parameters ``region`` (the code, a string) and ``horizon`` (an int), and
        absolute paths (so that workers elsewhere, e.g. on a Dask cluster sharing the file
        system, find the same files).
    """
    if names is None:
        names = {code: regions.region_name(code, indeling) for code in codes}
    chosen = {} if indeling is None else {"indeling": check_indeling(indeling)}
    out_dir = Path(out_dir).absolute()
    return [
        ReportTask(
            code=code,
            notebook=Path(notebook).absolute(),
            output=out_dir / f"{code}.html",
            name=names.get(code, code),
            parameters={
                "region": str(code),
                "horizon": int(horizon),
                **chosen,
                **dict(parameters or {}),
            },
            timeout=float(timeout),
            bundle=bundle,
            fresh_kernel=fresh_kernel,
        )
        for code in codes
    ]
