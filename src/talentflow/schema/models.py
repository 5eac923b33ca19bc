"""Tables of the gravity model and scenario projections (issue 5): results keyed by params_id."""

from __future__ import annotations

from talentflow.schema.model import Column, Table

MODEL_COEFFICIENTS = Table(
    "model_coefficients",
    "Coefficients of a fitted PPML gravity model of bilateral flows (one row per term).",
    (
        Column("params_id", "VARCHAR", "Parameter set of the fit (meta_runs.params_id; kind 'gravity').", False,
               references="meta_runs.params_id"),
        Column("source", "VARCHAR", "Flow source: scholarly-migration, warehouse, or a flows file.", False),
        Column("term", "VARCHAR", "Covariate, e.g. log_distance, common_language.", False),
        Column("estimate", "DOUBLE", "PPML coefficient (semi-elasticity; elasticity for log terms)."),
        Column("std_error", "DOUBLE", "Standard error under the spec's covariance (vcov)."),
        Column("z", "DOUBLE", "estimate / std_error."),
        Column("p_value", "DOUBLE", "Two-sided p-value."),
        Column("ci_low", "DOUBLE", "Lower end of the 95% confidence interval."),
        Column("ci_high", "DOUBLE", "Upper end of the 95% confidence interval."),
        Column("std_error_hetero", "DOUBLE", "Heteroskedasticity-robust (HC1) standard error."),
        Column("std_error_cluster_pair", "DOUBLE", "Standard error clustered by country pair."),
        Column("std_error_cluster_origin_destination", "DOUBLE", "Standard error two-way clustered by origin and destination."),
        Column("n_obs", "BIGINT", "Panel rows used by the estimator (after separation and missing covariates).", unit="rows"),
    ),
    primary_key=("params_id", "term"),
    layer="derived",
)

MODEL_BACKTEST = Table(
    "model_backtest",
    "Out-of-sample errors of the gravity model and naive baselines (one row per model, training end and horizon).",
    (
        Column("params_id", "VARCHAR", "Parameter set (meta_runs.params_id; kind 'gravity_backtest').", False,
               references="meta_runs.params_id"),
        Column("model", "VARCHAR", "Predictor.", False,
               accepted=("gravity", "gravity_pair", "gravity_pair_growth", "persistence", "mean")),
        Column("train_end", "INTEGER", "Last training year T.", False, unit="year"),
        Column("horizon", "INTEGER", "Years ahead of T.", False, unit="years"),
        Column("year", "INTEGER", "Predicted year.", unit="year"),
        Column("n_pairs", "BIGINT", "Ordered country pairs evaluated (zeros included).", unit="pairs"),
        Column("actual_total", "DOUBLE", "Observed movers over the pairs.", unit="movers"),
        Column("mae", "DOUBLE", "Mean absolute error.", unit="movers"),
        Column("rmse", "DOUBLE", "Root mean squared error.", unit="movers"),
        Column("deviance", "DOUBLE", "Mean Poisson deviance."),
        Column("wape", "DOUBLE", "Sum of absolute errors / sum of actual movers."),
        Column("total_error", "DOUBLE", "Predicted total / actual total - 1."),
    ),
    primary_key=("params_id", "model", "train_end", "horizon"),
    layer="derived",
)

SCENARIO_RESULTS = Table(
    "scenario_results",
    "Scenario projections by country, year and variable: baseline and scenario medians with bands.",
    (
        Column("params_id", "VARCHAR", "Parameter set (meta_runs.params_id; kind 'scenario').", False,
               references="meta_runs.params_id"),
        Column("scenario", "VARCHAR", "Scenario name.", False),
        Column("country", "VARCHAR", "ISO 3166-1 alpha-3 code.", False),
        Column("year", "INTEGER", "Projected year.", False, unit="year"),
        Column("variable", "VARCHAR", "Projected quantity.", False,
               accepted=("stock", "inflow", "outflow", "net_migration", "entrants", "exits")),
        Column("baseline", "DOUBLE", "Median over draws, without the levers.", unit="researchers"),
        Column("baseline_low", "DOUBLE", "Lower band of the baseline.", unit="researchers"),
        Column("baseline_high", "DOUBLE", "Upper band of the baseline.", unit="researchers"),
        Column("counterfactual", "DOUBLE", "Median over draws, with the levers.", unit="researchers"),
        Column("counterfactual_low", "DOUBLE", "Lower band of the counterfactual.", unit="researchers"),
        Column("counterfactual_high", "DOUBLE", "Upper band of the counterfactual.", unit="researchers"),
        Column("difference", "DOUBLE", "Median of counterfactual - baseline (same draw).", unit="researchers"),
        Column("difference_low", "DOUBLE", "Lower band of the difference.", unit="researchers"),
        Column("difference_high", "DOUBLE", "Upper band of the difference.", unit="researchers"),
    ),
    primary_key=("params_id", "scenario", "country", "year", "variable"),
    layer="derived",
)

TABLES = (MODEL_COEFFICIENTS, MODEL_BACKTEST, SCENARIO_RESULTS)
