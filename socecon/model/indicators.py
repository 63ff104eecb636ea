"""Indicators: declared in YAML, implemented as registered pure functions.

Two layers:

* the legal per-person formulas (wage cost subsidy, benefit saving, werkbedrijf deficit), pure
  functions of numbers or numpy arrays; their parameters (holiday pay, employer charges, the
  subsidy cap, ...) have no defaults here: callers pass the values of ``assumptions.yaml``;
* the indicators of ``definitions/indicators.yaml``, each a pure function of the model's additive
  :class:`Components` (counts and euros per region, scenario and band), registered with
  :func:`indicator` (an indicator that is a component as it is, by that component's name).
  Ratios are computed here from summed components, so aggregating regions first and computing
  ratios second is always right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter

import numpy as np

BANENAFSPRAAK_HOURS = 25.5  # one banenafspraak job = 25.5 paid hours a week (locusnetwerk.nl)


# --- legal per-person formulas ------------------------------------------------------------------


def annual_wage_cost(wml_month, holiday_pay, employer_charges):
    """Employer cost of one full-time minimum-wage job per year.

    ``12 x WML x (1 + holiday_pay) x (1 + employer_charges)``: the wage base of the legal
    loonkostensubsidie (Regeling LKS Participatiewet, Stcrt. 2014-29290).

    Parameters
    ----------
    wml_month : float or array
        Gross statutory minimum wage per month (full-time).
    holiday_pay, employer_charges : float or array
        Shares of the wage.

    Returns
    -------
    float or array
        Euros per year.
    """
    return 12.0 * np.asarray(wml_month) * (1.0 + holiday_pay) * (1.0 + employer_charges)


def wage_cost_subsidy_per_person(
    loonwaarde, wml_month, hours_factor, cap, holiday_pay, employer_charges
):
    """Legal loonkostensubsidie for one person per year.

    ``min(1 - loonwaarde, cap) x 12 x WML x (1 + holiday_pay) x (1 + employer_charges) x
    hours_factor`` (Participatiewet art. 10d: the difference between WML and loonwaarde, at most
    70 % of WML, plus the 23.5 % forfait for employer charges).

    Parameters
    ----------
    loonwaarde : float or array
        Productivity as a share of a regular worker (0.55 = 55 %).
    wml_month : float or array
        Gross monthly minimum wage.
    hours_factor : float or array
        Contract hours / full-time hours (pro rata).
    cap, holiday_pay, employer_charges : float or array
        Legal parameters.

    Returns
    -------
    float or array
        Euros per year, never negative.
    """
    gap = np.clip(1.0 - np.asarray(loonwaarde, dtype=float), 0.0, None)
    return (
        np.minimum(gap, cap)
        * annual_wage_cost(wml_month, holiday_pay, employer_charges)
        * hours_factor
    )


def benefit_saving_per_person(norm_month, wml_month, hours_factor, net_to_gross, factor):
    """Bijstand saved per year when a recipient works part-time at the minimum wage.

    The benefit stops up to the net wage earned: ``12 x min(norm x factor, WML x net_to_gross x
    hours_factor)``; a remaining gap is paid as a top-up and is not saved.

    Parameters
    ----------
    norm_month : float or array
        Monthly bijstandsnorm (net, incl. holiday allowance).
    wml_month : float or array
        Gross monthly minimum wage.
    hours_factor : float or array
        Contract hours / full-time hours.
    net_to_gross : float or array
        Net share of the gross minimum wage.
    factor : float or array
        Benefit per person as a share of the norm.

    Returns
    -------
    float or array
        Euros per year.
    """
    benefit = np.asarray(norm_month) * factor
    net_wage = np.asarray(wml_month) * net_to_gross * hours_factor
    return 12.0 * np.minimum(benefit, net_wage)


def werkbedrijf_deficit_per_person(loonwaarde, wage_cost, hours_factor, revenue_ratio):
    """Operating deficit of a municipal work company per employee per year.

    ``wage_cost x hours_factor x (1 - loonwaarde x revenue_ratio)``, never below zero: the wage
    cost not recovered by the revenue of the employee's work.

    Parameters
    ----------
    loonwaarde : float or array
        Productivity share.
    wage_cost : float or array
        Annual wage cost of a full-time minimum-wage job (see :func:`annual_wage_cost`).
    hours_factor, revenue_ratio : float or array

    Returns
    -------
    float or array
        Euros per year.
    """
    recovered = np.asarray(loonwaarde, dtype=float) * revenue_ratio
    return np.asarray(wage_cost) * hours_factor * np.clip(1.0 - recovered, 0.0, None)


# --- components and indicators --------------------------------------------------------------------


@dataclass(frozen=True)
class Components:
    """Additive model results from which every indicator is computed.

    All arrays share leading axes (e.g. sample, region, scenario); ``target_group`` and ``placed``
    have a trailing productivity-band axis. Every field is a count or an amount, so regions and
    groups aggregate by summation. A run of the net cost only (``run(net_cost_only=True)``)
    holds None in every field but ``target_group``, ``placed`` and ``net_cost_gemeente``.
    """

    target_group: np.ndarray
    placed: np.ndarray
    placed_bijstand: np.ndarray
    placed_regular: np.ndarray
    wage_cost_subsidy: np.ndarray
    operating_subsidy: np.ndarray
    guidance_cost: np.ndarray
    overhead_cost: np.ndarray
    fallback_cost: np.ndarray
    dagbesteding_cost: np.ndarray
    benefit_savings: np.ndarray
    net_cost_gemeente: np.ndarray
    net_cost_rijk: np.ndarray
    net_cost_uwv: np.ndarray
    production_value: np.ndarray
    social_value: np.ndarray
    banenafspraak_jobs: np.ndarray
    quota_required: np.ndarray
    quota_levy: np.ndarray

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Names of the component fields."""
        return tuple(f.name for f in fields(cls))

    def map(self, func: Callable[[np.ndarray], np.ndarray]) -> Components:
        """Return new components with ``func`` applied to every array (a None stays None)."""
        return Components(
            **{
                name: None if (a := getattr(self, name)) is None else func(a)
                for name in self.names()
            }
        )


_REGISTRY: dict[str, Callable[[Components], np.ndarray]] = {}


def indicator(indicator_id: str) -> Callable:
    """Register a function as the implementation of a declared indicator.

    Parameters
    ----------
    indicator_id : str
        The id in ``indicators.yaml``.

    Returns
    -------
    callable
        A decorator that registers and returns the function unchanged.
    """

    def register(func: Callable[[Components], np.ndarray]) -> Callable[[Components], np.ndarray]:
        if indicator_id in _REGISTRY:
            raise ValueError(f"indicator {indicator_id!r} registered twice")
        _REGISTRY[indicator_id] = func
        return func

    return register


def registry() -> dict[str, Callable[[Components], np.ndarray]]:
    """Return a copy of the registered indicator functions by id."""
    return dict(_REGISTRY)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _percent(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return _ratio(part * 100.0, whole)


def _total(per_band: np.ndarray) -> np.ndarray:
    return per_band.sum(axis=-1)


def _component(name: str) -> None:
    """Register the indicator ``name`` as the component of that name, as it is."""
    indicator(name)(attrgetter(name))


_component("target_group")  # Target group per band (persons).
_component("placed")  # Placed persons per band.


@indicator("participation_rate")
def participation_rate(c: Components) -> np.ndarray:
    """Placed / target group, in percent."""
    return _percent(_total(c.placed), _total(c.target_group))


@indicator("left_out")
def left_out(c: Components) -> np.ndarray:
    """Target group not placed, per band (persons)."""
    return np.clip(c.target_group - c.placed, 0.0, None)


_component("wage_cost_subsidy")  # Loonkostensubsidie paid, by gemeente and UWV (EUR/year).
_component("operating_subsidy")  # Wsw, social-enterprise and werkbedrijf subsidies (EUR/year).
_component("guidance_cost")  # Jobcoaching and supervision (EUR/year).
_component("overhead_cost")  # PPS department and werkbedrijf management (EUR/year).
_component("fallback_cost")  # Bijstand for ex-Wsw employees left without work (EUR/year).
_component("dagbesteding_cost")  # Dagbesteding for people below the window (EUR/year).

#: The payers whose net costs add up to the total, in the order reports show them.
PAYERS = ("gemeente", "rijk", "uwv")


def _gross(c: Components) -> np.ndarray:
    return (
        c.wage_cost_subsidy
        + c.operating_subsidy
        + c.guidance_cost
        + c.overhead_cost
        + c.fallback_cost
        + c.dagbesteding_cost
    )


@indicator("gross_cost")
def gross_cost(c: Components) -> np.ndarray:
    """Sum of all costs, of every payer (EUR/year)."""
    return _gross(c)


_component("benefit_savings")  # Bijstand and Wajong no longer paid (EUR/year).


@indicator("net_cost")
def net_cost(c: Components) -> np.ndarray:
    """Return the gemeente's own net cost (EUR/year; negative is a net saving)."""
    return c.net_cost_gemeente


_component("net_cost_rijk")  # The Rijk's net cost: the Wsw subsidy (EUR/year).
_component("net_cost_uwv")  # UWV's net cost: Wajong subsidy and guidance - benefit saved.


@indicator("net_cost_total")
def net_cost_total(c: Components) -> np.ndarray:
    """Net cost of gemeente, Rijk and UWV together (EUR/year)."""
    return sum(getattr(c, f"net_cost_{payer}") for payer in PAYERS)


@indicator("net_cost_per_placed")
def net_cost_per_placed(c: Components) -> np.ndarray:
    """Return the gemeente's net cost per placed person (EUR/person/year)."""
    return _ratio(net_cost(c), _total(c.placed))


@indicator("regular_share")
def regular_share(c: Components) -> np.ndarray:
    """Share of placed people working at regular employers, in percent."""
    return _percent(c.placed_regular, _total(c.placed))


@indicator("sroi")
def sroi(c: Components) -> np.ndarray:
    """Social return: (production value + benefit savings + other social value) / gross cost."""
    return _ratio(c.production_value + c.benefit_savings + c.social_value, _gross(c))


_component("banenafspraak_jobs")  # Placed people in 25.5-hour banenafspraak units.
_component("quota_required")  # Quota jobs employers must fill.


@indicator("quota_compliance")
def quota_compliance(c: Components) -> np.ndarray:
    """Return filled quota jobs as a percentage of the required ones."""
    filled = np.minimum(_total(c.placed), c.quota_required)
    return _percent(filled, c.quota_required)


_component("quota_levy")  # Levy employers pay for unfilled quota jobs (EUR/year).
