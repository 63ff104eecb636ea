"""The scenario model: inputs from the snapshot, the computation, indicators and results.

========================  ======================================================================
:mod:`.calibration`       the local calibration: each municipality's outflow-to-work rate shrunk
                          towards its arbeidsmarktregio, as a placement-effectiveness factor
                          (:func:`~.calibration.snapshot_calibration`,
                          :func:`~.calibration.calibrate`; the out-of-sample check
                          :func:`~.calibration.out_of_sample`)
:mod:`.inputs`            :class:`~.inputs.ModelInput`, the base-year CBS stocks and the
                          effectiveness per municipality (:func:`~.inputs.snapshot_input`),
                          assumption overrides from the command line and the loonwaarde shift
:mod:`.core`              the computation: :func:`~.core.run` gives a :class:`~.core.ModelRun`
                          (additive components per year, region, scenario and band),
                          :func:`~.core.run_model` the long table
:mod:`.samples`           the assumptions over the sample axis (and its equal blocks) and the
                          arrays every sum over the loonwaarde bands is taken of
:mod:`.indicators`        the legal per-person formulas and the indicator functions of
                          ``indicators.yaml``, computed from the components
:mod:`.results`           reading the long table (:func:`~.results.select`, :func:`~.results.wide`,
                          ...) and exporting it (CSV, IAMC)
========================  ======================================================================

The names below are the model's public face for notebooks and users
(``from socecon.model import run_model``); code inside socecon imports the submodules. The
horizons and the base year are conventions: :data:`socecon.definitions.DEFAULT_HORIZON`,
:data:`~socecon.definitions.MAX_HORIZON`, :data:`~socecon.definitions.BASE_YEAR`.
"""

from socecon.model.core import check_horizon, run, run_model
from socecon.model.inputs import ModelInput, parse_override, shift_distribution, snapshot_input
from socecon.model.results import export, select, summary, to_iamc, wide

__all__ = [
    "ModelInput",
    "check_horizon",
    "export",
    "parse_override",
    "run",
    "run_model",
    "select",
    "shift_distribution",
    "snapshot_input",
    "summary",
    "to_iamc",
    "wide",
]
