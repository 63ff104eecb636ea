"""Costs and savings per payer: the gemeente, the Rijk and UWV.

:func:`payer_costs` turns one year's placements (per source group: bijstand, Wsw, Wajong) and
prices into the cost components of :class:`~socecon.model.indicators.Components`, each booked to
the payer who bears it. The conventions (declared with the shares in ``assumptions.yaml``,
explained in the README, section "Costs per payer"):

* **gemeente**: loonkostensubsidie and guidance for people placed from the bijstand or the Wsw,
  social-enterprise place subsidies, the werkbedrijf deficit, PPS and werkbedrijf overhead,
  dagbesteding, its own supplement to the Wsw (``wsw_municipal_share``) and the bijstand of
  ex-Wsw employees left without work (``wsw_fallback_bijstand_share``); it saves the bijstand of
  people placed from it. Bijstand and loonkostensubsidie are paid from the BUIG budget, which the
  Rijk fixes in advance: the gemeente keeps what it saves and pays what it overspends, so the
  marginal euro is the gemeente's.
* **Rijk**: the Wsw subsidy (through the gemeente's integratie-uitkering) for Wsw employees at
  work in the Wsw, minus the gemeente's supplement. Where a scenario replaces the Wsw, the Rijk no
  longer pays it.
* **UWV**: wage cost subsidy and guidance for Wajongers at work, in the baseline and in every
  scenario alike; it saves the part of the Wajong benefit that their earnings replace.

Every amount is a cost (>= 0) except the savings; the net cost of a payer is its costs minus its
savings, and the three payers' net costs add up to the total.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from socecon.definitions.levers import Levers


@dataclass(frozen=True)
class PlacedSums:
    """One year's placements summed over the bands, ``(S, R, K)`` each.

    Attributes
    ----------
    placed : dict of str to numpy.ndarray
        Placed people per source group (``bijstand``, ``wsw``, ``wajong``).
    lks : dict of str to numpy.ndarray
        Their loonkostensubsidie per group, at the legal amount for each band (before the
        scenario's choice whether it uses the subsidy).
    deficit : numpy.ndarray or None
        The werkbedrijf deficit of everybody placed; None where no scenario pays it.
    """

    placed: dict[str, np.ndarray]
    lks: dict[str, np.ndarray]
    deficit: np.ndarray | None


@dataclass(frozen=True)
class YearPrices:
    """One year's amounts per person, shape ``(S, 1, 1)``.

    Attributes
    ----------
    bijstand_saving, wajong_saving : numpy.ndarray
        Benefit saved per placed person from the bijstand / the Wajong.
    bijstand_benefit : numpy.ndarray
        Bijstand paid per person per year.
    """

    bijstand_saving: np.ndarray
    wajong_saving: np.ndarray
    bijstand_benefit: np.ndarray


def payer_costs(
    lev: Sequence[Levers],
    base_k: int | None,
    sums: PlacedSums,
    wsw_total: np.ndarray,
    below_window: np.ndarray,
    prices: YearPrices,
    scalar: Callable[[str], np.ndarray],
    net_cost_only: bool = False,
) -> dict[str, np.ndarray]:
    """Return the cost components of one year, shape ``(S, R, K)`` each.

    Parameters
    ----------
    lev : sequence of Levers
        The levers of each computed scenario.
    base_k : int or None
        Index of the baseline among the scenarios; None where it is not computed.
    sums : PlacedSums
        Placed people per source group and their subsidy and deficit (with ``net_cost_only``,
        the subsidy of the bijstand and the Wsw only).
    wsw_total : numpy.ndarray
        Wsw employees in the target group, ``(S, R, 1)``.
    below_window : numpy.ndarray
        Target group with a loonwaarde below each scenario's window, ``(S, R, K)``.
    prices : YearPrices
    scalar : callable
        An assumption by id, shape ``(S, 1, 1)``.
    net_cost_only : bool, optional
        True: only the gemeente's net cost.

    Returns
    -------
    dict of str to numpy.ndarray
        The totals over payers (``wage_cost_subsidy``, ``operating_subsidy``, ``guidance_cost``,
        ``overhead_cost``, ``fallback_cost``, ``dagbesteding_cost``, ``benefit_savings``) and the
        net cost of each payer (``net_cost_gemeente``, ``net_cost_rijk``, ``net_cost_uwv``); with
        ``net_cost_only``, ``net_cost_gemeente`` alone.
    """
    placed = sums.placed
    placed_total = placed["bijstand"] + placed["wsw"] + placed["wajong"]
    subsidised = np.array([lv.wage_cost_subsidy for lv in lev], dtype=float)
    lks = {g: sums.lks[g] * subsidised for g in sums.lks}
    guidance_rate = np.concatenate([scalar(f"guidance_cost_{lv.guidance}") for lv in lev], axis=2)
    guidance = {g: placed[g] * guidance_rate for g in sums.lks}
    if base_k is not None:
        lks["wsw"][:, :, base_k] = 0.0  # Wsw employees have the Wsw subsidy instead
        guidance["wsw"][:, :, base_k] = 0.0  # guidance in the Wsw is part of the Wsw subsidy

    # The costs of a scenario's own instruments, in its column (np.zeros, not zeros_like: pages
    # never written stay unwritten); ``in_wsw`` etc. list the scenarios each one is nonzero in.
    shape = placed_total.shape
    wsw_cost, wsw_gemeente = np.zeros(shape), np.zeros(shape)
    municipal_operating, overhead, dagbesteding = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    in_wsw, in_operating, in_overhead, in_dagbesteding = [], [], [], []
    overhead_ids = {
        "pps_department": "pps_overhead_per_place",
        "werkbedrijf_management": "werkbedrijf_management_per_place",
    }
    for k, lv in enumerate(lev):
        if lv.operating_subsidy == "wsw":
            wsw_cost[:, :, k] = placed["wsw"][:, :, k] * scalar("wsw_cost_per_employee")[:, :, 0]
            wsw_gemeente[:, :, k] = wsw_cost[:, :, k] * scalar("wsw_municipal_share")[:, :, 0]
            in_wsw.append(k)
        elif lv.operating_subsidy == "se_place":
            place_subsidy = scalar("se_place_subsidy")[..., 0]
            municipal_operating[:, :, k] = placed_total[:, :, k] * place_subsidy
            in_operating.append(k)
        elif lv.operating_subsidy == "werkbedrijf_deficit":
            municipal_operating[:, :, k] = sums.deficit[:, :, k]
            in_operating.append(k)
        if lv.overhead in overhead_ids:
            overhead[:, :, k] = placed_total[:, :, k] * scalar(overhead_ids[lv.overhead])[..., 0]
            in_overhead.append(k)
        if lv.dagbesteding:
            dagbesteding[:, :, k] = (
                below_window[:, :, k]
                * scalar("dagbesteding_share")[..., 0]
                * scalar("dagbesteding_cost_per_person")[..., 0]
            )
            in_dagbesteding.append(k)

    left_out_wsw = wsw_total - placed["wsw"]
    np.clip(left_out_wsw, 0.0, None, out=left_out_wsw)
    fallback = left_out_wsw * scalar("wsw_fallback_bijstand_share") * prices.bijstand_benefit
    saving_gemeente = placed["bijstand"] * prices.bijstand_saving

    # Summed in this order; a scenario's own costs only where it has them (adding 0 to a sum
    # of non-negative amounts changes no bit).
    gemeente = lks["bijstand"] + lks["wsw"] + guidance["bijstand"] + guidance["wsw"]
    own = ((municipal_operating, in_operating), (wsw_gemeente, in_wsw), (overhead, in_overhead))
    for term, scenarios in own:
        for k in scenarios:
            gemeente[:, :, k] += term[:, :, k]
    gemeente += fallback
    for k in in_dagbesteding:
        gemeente[:, :, k] += dagbesteding[:, :, k]
    gemeente -= saving_gemeente
    if net_cost_only:
        return {"net_cost_gemeente": gemeente}
    saving_uwv = placed["wajong"] * prices.wajong_saving
    uwv = lks["wajong"] + guidance["wajong"] - saving_uwv
    return {
        "wage_cost_subsidy": lks["bijstand"] + lks["wsw"] + lks["wajong"],
        "operating_subsidy": municipal_operating + wsw_cost,
        "guidance_cost": guidance["bijstand"] + guidance["wsw"] + guidance["wajong"],
        "overhead_cost": overhead,
        "fallback_cost": fallback,
        "dagbesteding_cost": dagbesteding,
        "benefit_savings": saving_gemeente + saving_uwv,
        "net_cost_gemeente": gemeente,
        "net_cost_rijk": wsw_cost - wsw_gemeente,
        "net_cost_uwv": uwv,
    }
