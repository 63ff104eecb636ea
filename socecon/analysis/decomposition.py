"""Why a municipality's participation differs from the national figure: three parts that add up.

Participation (people placed as a share of the target group, at the horizon) differs from the
Netherlands' for three local reasons the model knows:

``effectiveness``
    the municipality's calibrated placement effectiveness (:attr:`ModelInput.effectiveness`;
    nationally 1);
``capacity``
    the places of its labour-market region per member of the region's target group (the region's
    jobs and target group; nationally the country's);
``mix``
    the make-up of its target group: how many come from the bijstand, the Wsw and the Wajong
    (nationally the country's mix, at the municipality's own size).

Swapping a local input for the national one is a counterfactual model run. The *national
figure* is the model's participation for the Netherlands as one region (every local input
national); with all three swapped a municipality has exactly that participation, because every
count then scales with its target group. Each part is the Shapley value of its factor: the change
in participation from making that input local, averaged over the six orders in which the three
can be made local, computed from the eight runs with every subset of the factors local. The parts
therefore add up to the gap exactly (tested), whatever their interactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from math import factorial
from typing import Any

import numpy as np
import pandas as pd

from socecon.definitions import DEFAULT_HORIZON
from socecon.definitions.assumptions import load_assumptions
from socecon.exceptions import ModelError
from socecon.model.core import run
from socecon.model.inputs import ModelInput, snapshot_input
from socecon.model.placement import GROUPS, TARGET_SHARES
from socecon.regions import group_members, resolve

#: The three parts, in the order reports show them.
FACTORS = ("effectiveness", "capacity", "mix")
#: The id of the national counterfactual region.
NATIONAL = "NL"


def national_input(inp: ModelInput) -> ModelInput:
    """Return the Netherlands as one region: summed stocks, national effectiveness 1.

    Parameters
    ----------
    inp : ModelInput
        Every municipality (the snapshot's).

    Returns
    -------
    ModelInput
        One region, :data:`NATIONAL`, that is its own labour-market region.
    """
    return ModelInput(
        regions=(NATIONAL,),
        bijstand=np.array([inp.bijstand.sum()]),
        wsw=np.array([inp.wsw.sum()]),
        wajong=np.array([inp.wajong.sum()]),
        jobs=np.array([inp.jobs.sum()]),
        base_year=inp.base_year,
        indeling=inp.indeling,
    )


def counterfactual(
    inp: ModelInput, nation: ModelInput, local: Sequence[str], values: Mapping[str, Any]
) -> ModelInput:
    """Return ``inp`` with every factor not in ``local`` replaced by its national value.

    Parameters
    ----------
    inp : ModelInput
        The municipalities, with their regional totals.
    nation : ModelInput
        :func:`national_input`.
    local : sequence of str
        Factors of :data:`FACTORS` that stay local.
    values : mapping
        Resolved assumptions (the target shares set the size the national mix is scaled to).

    Returns
    -------
    ModelInput
    """
    changes: dict[str, np.ndarray] = {}
    n = len(inp.regions)
    if "effectiveness" not in local:
        changes["effectiveness"] = np.ones(n)
    if "capacity" not in local:
        changes["region_jobs"] = np.full(n, nation.jobs[0])
        for g in GROUPS:
            changes[f"region_{g}"] = np.full(n, getattr(nation, g)[0])
    if "mix" not in local:
        share = {g: float(np.asarray(values[TARGET_SHARES[g]])) for g in GROUPS}
        own = sum(share[g] * getattr(inp, g) for g in GROUPS)
        national = sum(share[g] * getattr(nation, g)[0] for g in GROUPS)
        scale = own / national if national > 0 else np.zeros(n)
        for g in GROUPS:
            changes[g] = getattr(nation, g)[0] * scale
    return replace(inp, **changes)


def _participation(model, matrix: np.ndarray | None = None) -> np.ndarray:
    """Placed over target group at the last year, percent, shape ``(G, K)``.

    ``matrix`` (groups x regions) sums regions into groups first; NaN without a target group.
    """
    c = model.components
    placed = c.placed[-1, 0].sum(axis=-1)
    target = c.target_group[-1, 0].sum(axis=-1)
    if matrix is not None:
        placed, target = matrix @ placed, matrix @ target
    out = np.full(placed.shape, np.nan)
    np.divide(placed, target, out=out, where=target > 0)
    return out * 100.0


def decompose(
    regions: Sequence[str] | str,
    horizon: int = DEFAULT_HORIZON,
    overrides: Mapping[str, Any] | None = None,
    scenarios: Sequence[str] | None = None,
    model_input: ModelInput | None = None,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Split each region's gap in participation from the national figure into three parts.

    Parameters
    ----------
    regions : str or sequence of str
        Municipality codes or names, or group ids (a group's participation is its members'
        placed over their target group).
    horizon : int, optional
    overrides : mapping, optional
        Assumption overrides (scalars only: one set of values, no samples).
    scenarios : sequence of str, optional
        Scenario ids; the baseline and all four by default.
    model_input : ModelInput, optional
        Every municipality; the snapshot's by default. National totals are its sums.
    indeling : int or str, optional
        The municipal boundaries of the snapshot's input (2015 or 2025; the declared default when
        None); ignored when ``model_input`` is given (names resolve in its indeling).

    Returns
    -------
    pandas.DataFrame
        One row per region and scenario: ``region, scenario, participation, national, gap``
        and one column per factor of :data:`FACTORS`; the factors sum to ``gap`` (percentage
        points).

    Raises
    ------
    ModelError
        For overrides with samples.
    """
    inp = model_input if model_input is not None else snapshot_input(indeling=indeling)
    assumptions = load_assumptions()
    values = assumptions.resolve(overrides)
    sampled = [k for k, v in values.items() if assumptions[k].kind == "scalar" and np.ndim(v)]
    if sampled:
        raise ModelError(
            f"the decomposition takes one value per assumption, not samples ({sampled[0]!r})"
        )
    ids = [regions] if isinstance(regions, str) else list(regions)
    codes = [q if q in inp.regions else resolve(q, inp.indeling) for q in ids]
    members = [[c] if c in inp.regions else list(group_members(c, inp.indeling)) for c in codes]
    union = sorted({m for group in members for m in group})
    sub = inp.subset(union)
    nation = national_input(inp)
    matrix = np.zeros((len(codes), len(union)))
    for i, group in enumerate(members):
        matrix[i, [union.index(m) for m in group]] = 1.0

    def model(model_input: ModelInput):
        return run(
            scenarios=scenarios,
            horizon=horizon,
            years=[horizon],
            overrides=overrides,
            model_input=model_input,
        )

    # Participation with every subset of the factors local (the others national): 8 runs.
    runs = {
        frozenset(local): _participation(model(counterfactual(sub, nation, local, values)), matrix)
        for size in range(len(FACTORS) + 1)
        for local in combinations(FACTORS, size)
    }
    national_run = model(nation)
    national = _participation(national_run)[0]  # (K,)
    scenario_ids = national_run.scenarios
    m = len(FACTORS)
    parts = {}
    for f in FACTORS:
        others = [x for x in FACTORS if x != f]
        total = 0.0
        for size in range(m):
            weight = factorial(size) * factorial(m - size - 1) / factorial(m)
            for subset in combinations(others, size):
                total = total + weight * (runs[frozenset(subset) | {f}] - runs[frozenset(subset)])
        parts[f] = total
    actual = runs[frozenset(FACTORS)]
    rows = []
    for i, code in enumerate(codes):
        for k, scenario in enumerate(scenario_ids):
            row = {
                "region": code,
                "scenario": scenario,
                "participation": actual[i, k],
                "national": national[k],
                "gap": actual[i, k] - national[k],
            }
            row.update({f: parts[f][i, k] for f in FACTORS})
            rows.append(row)
    return pd.DataFrame(rows)
