"""The out-of-sample check of the local calibration: predict the held-out year's rates.

Run with ``.venv/bin/python benchmarks/out_of_sample.py``. Chooses the shrinkage strength on the
declared selection years (fit 2015, predict 2016), calibrates on the fit years (2015-2016), then
predicts every municipality's outflow-to-work rate of the held-out year (2017) with four
predictors and prints their errors, weighted by each municipality's bijstand stock of that year
(socecon/definitions/calibration.yaml declares the years, the grid and the observable).
"""

from __future__ import annotations

import numpy as np

from socecon.data.snapshot import snapshot_wide
from socecon.definitions.calibration import load_calibration
from socecon.model.calibration import fit, observe, out_of_sample, snapshot_counts

PREDICTORS = {
    "national": "(a) national rate",
    "own": "(b) own unshrunk rate",
    "labour_market_region": "(c) arbeidsmarktregio rate",
    "calibrated": "(d) calibrated (shrunk) rate",
}
#: Other CBS figures that might tell effectiveness, as (numerator, denominator) of the fit year.
COVARIATES = {
    "re-integration provisions per bijstand recipient": (
        "reintegration_provision",
        "bijstand_15_aow",
    ),
    "Wsw employees per inhabitant 15-AOW": ("wsw_employees", "population_15_aow"),
    "bijstand recipients per inhabitant 15-AOW": ("bijstand_15_aow", "population_15_aow"),
}


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(float)


def covariates(spec, counts, labour_market, tau: float) -> None:
    """Print what other CBS figures add to the shrunk rate, on the selection years only.

    Each covariate of the fit year is regressed (weighted by stock) on the error of the shrunk
    prediction of the target year, in sample: an upper bound of what it could add.
    """
    regions = tuple(labour_market.index)
    year = spec.selection_fit_years[-1]
    cal = fit(observe(counts, regions, spec.selection_fit_years, spec), list(labour_market), tau)
    target = observe(counts, regions, (spec.selection_target_year,), spec)
    error = target.rate - cal.rate
    wide = snapshot_wide(year).reindex(list(regions))
    print(
        f"\nOther figures of {year} against the error of the shrunk prediction of "
        f"{spec.selection_target_year} (weighted least squares, in sample):\n"
    )
    print("| figure | rank correlation with the error | RMSE (pp) without -> with |")
    print("|---|---|---|")
    for label, (num, den) in COVARIATES.items():
        x = (wide[num] / wide[den]).to_numpy()
        ok = (target.exposure > 0) & (target.weight > 0) & np.isfinite(x)
        w, e = target.weight[ok], error[ok]
        design = np.c_[np.ones(ok.sum()), x[ok]]
        coef = np.linalg.lstsq(design * np.sqrt(w)[:, None], e * np.sqrt(w), rcond=None)[0]
        before = np.sqrt(np.average(e**2, weights=w)) * 100
        after = np.sqrt(np.average((e - design @ coef) ** 2, weights=w)) * 100
        rho = np.corrcoef(_ranks(x[ok]), _ranks(e))[0, 1]
        print(f"| {label} | {rho:+.3f} | {before:.3f} -> {after:.3f} |")


def main() -> None:
    spec = load_calibration()
    counts, labour_market = snapshot_counts(2015)
    table, cal, selection = out_of_sample(counts, labour_market, spec)
    fit_years = "-".join(map(str, (spec.fit_years[0], spec.fit_years[-1])))
    chosen = selection.tau * 100
    print(
        f"Choosing tau: fit {', '.join(map(str, selection.fit_years))}, predict "
        f"{selection.target_year} for {selection.n_regions} municipalities, stock-weighted "
        f"{selection.criterion.upper()} (percentage points)\n"
    )
    print(f"{'tau (pp)':>9} {'MAE':>7} {'RMSE':>7}")
    for tau, row in selection.table.iterrows():
        mark = "  <- chosen" if tau == selection.tau else ""
        print(f"{tau * 100:9.2f} {row['mae'] * 100:7.3f} {row['rmse'] * 100:7.3f}{mark}")
    print(
        f"\nCalibrated on {fit_years} with tau = {chosen:.2f} pp; national rate "
        f"{cal.national_rate:.2%}. Held-out year {spec.held_out_year}: "
        f"{int(table['n_regions'].iloc[0])} municipalities, errors weighted by the "
        f"{spec.held_out_year} bijstand stock (percentage points).\n"
    )
    print("| predictor | MAE (pp) | RMSE (pp) |\n|---|---|---|")
    for key, label in PREDICTORS.items():
        row = table.loc[key]
        print(f"| {label} | {row['mae'] * 100:.3f} | {row['rmse'] * 100:.3f} |")
    factor = cal.factor
    print(
        f"\nFactors: min {factor.min():.2f}, median {sorted(factor)[len(factor) // 2]:.2f}, "
        f"max {factor.max():.2f}; weight on the own rate: median "
        f"{sorted(cal.weight)[len(factor) // 2]:.2f}"
    )
    covariates(spec, counts, labour_market, selection.tau)


if __name__ == "__main__":
    main()
