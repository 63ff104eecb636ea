"""Analysis on top of the model: uncertainty, sensitivity and the wind tunnel of policy options.

* :mod:`~socecon.analysis.uncertainty`: samples the assumptions within their declared ranges
  (Latin hypercube or Monte Carlo), propagates them through the model and summarises each
  indicator (median and interval);
* :mod:`~socecon.analysis.sensitivity`: ranks the assumptions' influence (standardised rank
  regression coefficients, SRRC);
* :mod:`~socecon.analysis.windtunnel`: evaluates every policy option in every scenario over the
  same samples (:class:`~socecon.analysis.windtunnel.WindTunnelResult`, the option matrix);
* :mod:`~socecon.analysis.criteria`: judges the outcome: the goal, regret, dominance and the
  robustness classes, and the objectives regret is measured on (with their unit ids).

Numbers become Dutch text in :mod:`socecon.present` and :mod:`socecon.report`.
"""
