"""PPML gravity estimation of bilateral flows (pyfixest ``fepois``), with robust and clustered errors.

    E[count_odt] = exp(FE + x_od' beta + z_ot' gamma + z_dt' delta)

estimated by Poisson pseudo-maximum likelihood on the full panel (zeros included; Santos
Silva & Tenreyro 2006). Fixed effects per ``GravitySpec.fixed_effects``. Country-years whose
flows are all zero are dropped by the estimator (their effect would be -inf: "separation"); the
count is reported. Pure computation: a panel in, a :class:`GravityFit` out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError
from talentflow.models.params import GravitySpec

_FE = {
    "country_year": "origin_year + destination_year",
    "country_and_year": "origin + destination + year_fe",
    "year": "year_fe",
}
_VCOV = {
    "cluster_pair": {"CRV1": "pair"},
    "hetero": "hetero",
    "cluster_origin_destination": {"CRV1": "origin + destination"},
}
COEF_COLUMNS = ("term", "estimate", "std_error", "z", "p_value", "ci_low", "ci_high",
                "std_error_hetero", "std_error_cluster_pair", "std_error_cluster_origin_destination")


@dataclass
class GravityFit:
    """A fitted gravity model: the coefficient table, the covariance used for inference and fit facts."""

    spec: GravitySpec
    coefficients: pd.DataFrame
    vcov: np.ndarray
    n_obs: int
    n_separated: int
    pseudo_r2: float
    deviance: float
    diagnostics: dict = field(default_factory=dict)
    model: object = None  # the pyfixest model, for prediction (not serialized)

    @property
    def beta(self) -> pd.Series:
        return self.coefficients.set_index("term")["estimate"]

    def summary(self) -> pd.DataFrame:
        """One row of fit facts, for reports."""
        return pd.DataFrame([{"n_obs": self.n_obs, "n_separated": self.n_separated, "pseudo_r2": self.pseudo_r2,
                              "deviance": self.deviance, "fixed_effects": self.spec.fixed_effects,
                              "vcov": self.spec.vcov, **{k: v for k, v in self.diagnostics.items() if not isinstance(v, (list, dict))}}])

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Expected counts for rows of ``frame`` (same columns as the panel); 0 where an effect is
        not estimable (a country-year with no flow at all, absent from the fit)."""
        if self.model is None:
            raise ConfigError("this GravityFit has no estimator attached (it was loaded, not fitted)")
        data = add_fe_columns(frame, self.spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = np.asarray(self.model.predict(newdata=data, type="response"), dtype=float)
        return np.nan_to_num(pred, nan=0.0)


def add_fe_columns(panel: pd.DataFrame, spec: GravitySpec) -> pd.DataFrame:
    """The panel with the identifier columns the estimator's fixed effects and clusters use."""
    out = panel.copy()
    year = out["year"].astype(int).astype(str)
    out["origin_year"] = out["origin"] + "_" + year
    out["destination_year"] = out["destination"] + "_" + year
    out["year_fe"] = year
    out["pair"] = out["origin"] + "_" + out["destination"]
    return out


def formula(spec: GravitySpec) -> str:
    return f"count ~ {' + '.join(spec.terms)} | {_FE[spec.fixed_effects]}"


def fit_gravity(panel: pd.DataFrame, spec: GravitySpec, *, diagnostics: dict | None = None) -> GravityFit:
    """Estimate ``spec`` on ``panel`` (from :func:`talentflow.models.sources.build_panel`)."""
    import pyfixest as pf

    missing = [t for t in spec.terms if t not in panel.columns]
    if missing:
        raise ConfigError(f"the panel lacks covariate column(s) {missing}")
    if panel.empty or panel["count"].sum() <= 0:
        raise ConfigError("the panel has no positive flow to fit")
    data = add_fe_columns(panel, spec)
    used = data.dropna(subset=list(spec.terms))
    diag = dict(diagnostics or {})
    diag["rows_dropped_missing_covariates"] = int(len(data) - len(used))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation notices: counted below instead
        try:
            model = pf.fepois(formula(spec), data=used, vcov=_VCOV[spec.vcov], fixef_tol=spec.tol,
                              iwls_tol=spec.tol, iwls_maxiter=spec.maxiter)
        except ValueError as exc:  # pyfixest reports non-convergence as ValueError
            raise ConfigError(
                f"the PPML estimator failed under fixed_effects={spec.fixed_effects!r}: {exc} "
                f"({int((used['count'] > 0).sum()):,} positive flows in {len(used):,} rows). Sparse flows (few moves per "
                "country-year, e.g. talentflow's AI flows) cannot carry origin x year and destination x year effects: "
                "use --fe country_and_year") from None
    dropped = set(np.atleast_1d(model._coefnames))
    collinear = [t for t in spec.terms if t not in dropped]
    if collinear:
        raise ConfigError(f"covariate(s) {collinear} are collinear with the fixed effects and cannot be estimated "
                          f"under fixed_effects={spec.fixed_effects!r}")
    tidy = model.tidy()
    vcov = np.asarray(model._vcov, dtype=float)
    coef = pd.DataFrame({
        "term": [str(t) for t in tidy.index],
        "estimate": tidy["Estimate"].to_numpy(float),
        "std_error": tidy["Std. Error"].to_numpy(float),
        "z": tidy["t value"].to_numpy(float),
        "p_value": tidy["Pr(>|t|)"].to_numpy(float),
        "ci_low": tidy["2.5%"].to_numpy(float),
        "ci_high": tidy["97.5%"].to_numpy(float),
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, vc in _VCOV.items():
            model.vcov(vc)
            coef[f"std_error_{name}"] = np.asarray(model.se(), dtype=float)
        model.vcov(_VCOV[spec.vcov])  # leave the model on the primary covariance
    n_obs = int(model._N)
    return GravityFit(spec=spec, coefficients=coef[list(COEF_COLUMNS)], vcov=vcov, n_obs=n_obs,
                      n_separated=int(len(used) - n_obs), pseudo_r2=float(model._pseudo_r2),
                      deviance=float(np.asarray(model.deviance).ravel()[0]), diagnostics=diag, model=model)


def draw_coefficients(fit: GravityFit, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` draws of the coefficients from N(estimate, vcov): one row per draw, one column per term."""
    beta = fit.coefficients["estimate"].to_numpy(float)
    cov = (fit.vcov + fit.vcov.T) / 2
    draws = rng.multivariate_normal(beta, cov, size=n, method="eigh")
    return pd.DataFrame(draws, columns=fit.coefficients["term"].tolist())


def pair_effects(panel: pd.DataFrame, expected: np.ndarray, prior: float) -> pd.DataFrame:
    """Empirical-Bayes multiplicative pair effects on top of a fitted gravity model.

    With a Gamma(prior, prior) prior on a pair's effect rho (mean 1) and Poisson counts, the
    posterior is Gamma(shape = sum y + prior, rate = sum mu + prior) over the panel's years: the
    posterior mean (sum y + prior) / (sum mu + prior) shrinks the pair's observed/expected ratio
    toward 1, the more so the fewer movers the pair has. Returns origin, destination, y_sum,
    mu_sum, shape, rate, rho (posterior mean).
    """
    if prior <= 0:
        raise ConfigError("the pair-effect prior must be > 0")
    frame = pd.DataFrame({"origin": panel["origin"].to_numpy(), "destination": panel["destination"].to_numpy(),
                          "y": panel["count"].to_numpy(float), "mu": np.asarray(expected, dtype=float)})
    agg = frame.groupby(["origin", "destination"], sort=True).agg(y_sum=("y", "sum"), mu_sum=("mu", "sum")).reset_index()
    agg["shape"] = agg["y_sum"] + prior
    agg["rate"] = agg["mu_sum"] + prior
    agg["rho"] = agg["shape"] / agg["rate"]
    return agg
