"""Why talent moves and what policy would change: a PPML gravity model of bilateral researcher
flows, its validation (simulation recovery, an oracle, an out-of-sample backtest) and scenario
projections of flows and stocks under policy levers.

Layers: ``sources`` (flow tables -> full origin x destination x year panel), ``covariates``
(geography, masses, policies), ``gravity`` (estimation), ``backtest``, ``scenario``; parameters
in ``params``. The public functions are re-exported by ``talentflow.models_api``.
"""
