"""The scenario model: inputs from the snapshot, the computation, indicators and results.

The names below are the model's public face for notebooks and users
(``from socecon.model import run_model``); code inside socecon imports the submodules.
"""

from socecon.model.core import (
    DEFAULT_HORIZON,
    ModelInput,
    export,
    parse_override,
    run,
    run_model,
    shift_distribution,
    snapshot_input,
    summary,
    to_iamc,
)

__all__ = [
    "DEFAULT_HORIZON",
    "ModelInput",
    "export",
    "parse_override",
    "run",
    "run_model",
    "shift_distribution",
    "snapshot_input",
    "summary",
    "to_iamc",
]
