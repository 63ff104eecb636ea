"""Analysis on top of the model.

:mod:`.uncertainty` samples the assumptions and propagates them through the model,
:mod:`.sensitivity` ranks their influence (SRRC), :mod:`.windtunnel` evaluates every policy
option in every scenario over those samples, and :mod:`.criteria` judges the outcome (goal,
regret, dominance, robustness classes).
"""
