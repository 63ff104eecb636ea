"""The scenario model: inputs from the snapshot, the computation, indicators and results.

The names below are the model's public face for notebooks and users
(``from socecon.model import run_model``); code inside socecon imports the submodules:
:mod:`~socecon.model.inputs` (base-year stocks, overrides), :mod:`~socecon.model.core` (the
computation), :mod:`~socecon.model.indicators` (indicator functions) and
:mod:`~socecon.model.results` (reading and exporting the long table).
"""

from socecon.model.core import run, run_model
from socecon.model.inputs import ModelInput, parse_override, shift_distribution, snapshot_input
from socecon.model.results import export, select, summary, to_iamc, wide

__all__ = [
    "ModelInput",
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
