"""Scenario projection: policy levers -> counterfactual flows and researcher stocks, with bands.

The projection (all per country c, origin o, destination d, year t after the base year):

    movers     O_o(t)  = out_rate_o * S_o(t-1) * R_o(t)                  (R: retention levers)
    flows      F_od(t) = O_o(t) * P_od M_od(t) / sum_d' P_od' M_od'(t)   (fixed_outflows)
               F_od(t) = O_o(t) * P_od M_od(t)                           (partial)
    stocks     S_c(t)  = S_c(t-1) + entrants_c(t) - exits_c(t) + sum_o F_oc(t) - sum_d F_cd(t)
    entrants   = S_c(t-1) (g_c(t) + exit_rate),   exits = S_c(t-1) exit_rate

P_od, the destination-choice probabilities, come from the gravity model: the kernel
K_od = exp(x_od' beta) rho_od (geography times the empirical-Bayes pair effect), scaled by
origin and destination terms so that the flows match the base window's observed out- and
inflow totals (iterative proportional fitting, which is what PPML's fixed effects do: their
first-order conditions match the margins). M_od(t) multiplies by the attractiveness levers
(visa rules, funding, compute). out_rate_o and the net renewal rate g_c (entrants - exits) are
the base window's observed rates; g_c converges toward the world rate with a half-life.

Bands: each draw takes the coefficients from N(beta, V) (V the clustered covariance), the
pair effects from their Gamma posterior, and each lever's effect from its stated uncertainty;
baseline and scenario share the draw, so differences are precise. ``drivers`` repeats the
draws with only the model's parameters, or only the levers, uncertain.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError, InputError
from talentflow.models.gravity import GravityFit, draw_coefficients, pair_effects
from talentflow.models.params import GravitySpec, Lever, ProjectionSpec, Scenario
from talentflow.models.sources import FlowData, build_panel, country_years

VARIABLES = ("stock", "inflow", "outflow", "net_migration", "entrants", "exits")


# ---------------------------------------------------------------------------------------------
# reading scenario files
# ---------------------------------------------------------------------------------------------

def _countries(value, where: str) -> tuple[str, ...]:
    from talentflow.resolve.countries import EU_2024

    items = [value] if isinstance(value, str) else list(value or [])
    out: list[str] = []
    for item in items:
        code = str(item).strip().upper()
        if code == "EU27":
            out.extend(sorted(EU_2024))
        elif len(code) == 3 and code.isalpha():
            out.append(code)
        else:
            raise ConfigError(f"{where}: {item!r} is not an ISO3 country code (or EU27)")
    return tuple(dict.fromkeys(out))


_LEVER_FIELDS = {"type", "country", "countries", "start", "end", "ramp_years", "effect", "effect_se", "origins",
                 "amount_usd", "baseline_budget_usd", "cost_per_researcher_usd", "elasticity", "elasticity_se",
                 "increase", "policy", "intensity", "applies_to", "label", "cut", "cut_se"}
_TOP_FIELDS = {"scenario", "model", "projection", "lever"}
_SCENARIO_FIELDS = {"name", "description", "illustration", "assumptions", "base_year", "horizon", "report_countries",
                    "policy_table"}


def parse_scenario(data: dict, *, source: str = "scenario", base_dir: Path | None = None) -> Scenario:
    """Build a :class:`Scenario` from parsed TOML; errors name the file, table and field."""
    unknown = set(data) - _TOP_FIELDS
    if unknown:
        raise ConfigError(f"{source}: unknown table(s) {sorted(unknown)}; expected [scenario], [model], [projection], [[lever]]")
    meta = data.get("scenario")
    if not isinstance(meta, dict):
        raise ConfigError(f"{source}: missing [scenario] table (name, horizon, ...)")
    unknown = set(meta) - _SCENARIO_FIELDS
    if unknown:
        raise ConfigError(f"{source}: [scenario] has unknown field(s) {sorted(unknown)}")
    for req in ("name", "horizon"):
        if req not in meta:
            raise ConfigError(f"{source}: [scenario] needs {req!r}")
    model_kw = dict(data.get("model", {}))
    for key in ("pair_covariates", "mass_covariates", "policies", "countries"):
        if key in model_kw and model_kw[key] is not None:
            model_kw[key] = tuple(model_kw[key])
    try:
        model = GravitySpec(**model_kw)
    except TypeError as exc:
        raise ConfigError(f"{source}: [model]: {exc}") from None
    try:
        projection = ProjectionSpec(**data.get("projection", {}))
    except TypeError as exc:
        raise ConfigError(f"{source}: [projection]: {exc}") from None
    levers = []
    for i, raw in enumerate(data.get("lever", []), start=1):
        where = f"{source}: [[lever]] #{i}"
        unknown = set(raw) - _LEVER_FIELDS
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
        if "type" not in raw or "start" not in raw:
            raise ConfigError(f"{where}: needs 'type' and 'start'")
        kw = {k: v for k, v in raw.items() if k not in ("type", "country", "countries", "cut", "cut_se")}
        kw["kind"] = raw["type"]
        kw["countries"] = _countries(raw.get("countries", raw.get("country")), where)
        if "cut" in raw:
            kw["effect"] = raw["cut"]
        if "cut_se" in raw:
            kw["effect_se"] = raw["cut_se"]
        if "origins" in raw:
            kw["origins"] = _countries(raw["origins"], where + " origins")
        if "applies_to" in raw:
            kw["applies_to"] = tuple(raw["applies_to"])
        try:
            levers.append(Lever(**kw))
        except TypeError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    policy_table = meta.get("policy_table")
    if policy_table and base_dir is not None and not Path(policy_table).is_absolute():
        policy_table = str((base_dir / policy_table).resolve())
    return Scenario(
        name=str(meta["name"]), horizon=int(meta["horizon"]), levers=tuple(levers),
        description=str(meta.get("description", "")), illustration=bool(meta.get("illustration", True)),
        assumptions=tuple(meta.get("assumptions", ())), base_year=meta.get("base_year"), model=model,
        projection=projection, policy_table=policy_table,
        report_countries=_countries(meta.get("report_countries", []), f"{source}: [scenario] report_countries"))


def load_scenario(path: str | Path) -> Scenario:
    """Read a TOML scenario file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"scenario file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    return parse_scenario(data, source=str(path), base_dir=path.parent)


# ---------------------------------------------------------------------------------------------
# the base: rates, stocks and the gravity kernel of the base window
# ---------------------------------------------------------------------------------------------

@dataclass
class Base:
    """Everything the projection needs from the data and the fit, over the countries of the base year."""

    countries: np.ndarray          # ISO3, length n
    base_year: int
    stock: np.ndarray              # S_c(base year)
    out_rate: np.ndarray           # window mean movers / stock
    renewal: np.ndarray            # g_c: window mean (entrants - exits) / stock
    world_renewal: float
    outflow: np.ndarray            # window mean outflow totals O_o
    inflow: np.ndarray             # window mean inflow totals I_d
    log_kernel_terms: dict         # term -> (n, n) matrix of x_od
    rho_shape: np.ndarray          # (n, n) Gamma posterior of the pair effects
    rho_rate: np.ndarray
    beta: pd.Series
    diagnostics: dict = field(default_factory=dict)


def build_base(data: FlowData, fit: GravityFit, spec: ProjectionSpec, base_year: int | None = None, *,
               policies: pd.DataFrame | None = None, pair_prior: float = 0.5) -> Base:
    """Rates, stocks and the gravity kernel for the base window ending at ``base_year``."""
    last = data.years[1] if base_year is None else int(base_year)
    if not (data.years[0] <= last <= data.years[1]):
        raise ConfigError(f"base year {last} is outside the flows' years {data.years}")
    first = max(data.years[0], last - spec.base_window + 1)
    gspec = fit.spec.replace(year_from=first, year_to=last)
    panel = build_panel(data, gspec, policies=policies).frame
    cy_all = country_years(data, fit.spec.replace(year_from=first - 1, year_to=last))
    if cy_all["researchers"].isna().all():
        raise ConfigError(f"the source {data.name!r} has no researcher counts by country and year; "
                          "a stock projection needs them (country, year, researchers)")
    codes = np.array(sorted(set(panel.loc[panel["year"] == last, "origin"])), dtype=object)
    n = len(codes)
    idx = {c: i for i, c in enumerate(codes)}
    win = panel[panel["origin"].isin(idx) & panel["destination"].isin(idx)]
    stock_tab = cy_all.pivot_table(index="year", columns="country", values="researchers", aggfunc="first").reindex(
        columns=codes)
    stock = stock_tab.loc[last].to_numpy(float)
    if np.isnan(stock).any() or (stock <= 0).any():
        bad = codes[np.isnan(stock) | (stock <= 0)]
        raise ConfigError(f"no researcher count in {last} for {', '.join(bad[:10])}" + (" ..." if len(bad) > 10 else ""))
    years = list(range(first, last + 1))
    out_tot = win.groupby(["year", "origin"])["count"].sum().unstack().reindex(index=years, columns=codes).fillna(0.0)
    in_tot = win.groupby(["year", "destination"])["count"].sum().unstack().reindex(index=years, columns=codes).fillna(0.0)
    stocks_w = stock_tab.reindex(index=years)
    prev = stock_tab.reindex(index=[y - 1 for y in years])
    prev.index = years
    out_rate = (out_tot / stocks_w).mean().fillna(0.0).to_numpy(float)
    renew = ((stocks_w - prev) - (in_tot - out_tot)) / prev
    renewal_df = renew.mean()
    n_no_renewal = int(renewal_df.isna().sum())
    world = float(((stocks_w - prev).sum(axis=1) / prev.sum(axis=1)).mean())  # world growth = world renewal
    renewal = renewal_df.fillna(world).clip(-0.2, 0.3).to_numpy(float)
    # the gravity kernel: x_od matrices for the fitted pair terms, pair-effect posterior
    expected = fit.predict(win)
    pe = pair_effects(win, expected, pair_prior)
    oi = pe["origin"].map(idx).to_numpy()
    di = pe["destination"].map(idx).to_numpy()
    shape = np.zeros((n, n))
    rate = np.ones((n, n))
    shape[oi, di] = pe["shape"].to_numpy()
    rate[oi, di] = pe["rate"].to_numpy()
    terms = {}
    pairs = win.drop_duplicates(["origin", "destination"])
    po = pairs["origin"].map(idx).to_numpy()
    pd_ = pairs["destination"].map(idx).to_numpy()
    for term in fit.spec.pair_covariates:
        mat = np.zeros((n, n))
        mat[po, pd_] = pairs[term].to_numpy(float)
        terms[term] = mat
    diag = {"base_window": [first, last], "countries": n, "countries_renewal_imputed": n_no_renewal,
            "world_renewal": world, "window_flows": float(win["count"].sum())}
    return Base(codes, last, stock, out_rate, renewal, world, out_tot.mean().to_numpy(float),
                in_tot.mean().to_numpy(float), terms, shape, rate, fit.beta, diag)


def ipf_probabilities(kernel: np.ndarray, outflow: np.ndarray, inflow: np.ndarray, *, tol: float = 1e-10,
                      maxiter: int = 2000) -> np.ndarray:
    """Destination-choice probabilities P_od from a kernel scaled to match out- and inflow totals.

    Finds a_o, b_d with sum_d a_o b_d K_od = O_o and sum_o a_o b_d K_od = I_d (iterative
    proportional fitting: the PPML fixed effects of one cross-section given the kernel), then
    P_od = b_d K_od / sum_d' b_d' K_od'. Rows with no movers get P = 0.
    """
    k = np.array(kernel, dtype=float)
    np.fill_diagonal(k, 0.0)
    out = np.asarray(outflow, float)
    inn = np.asarray(inflow, float) * (out.sum() / max(inflow.sum(), 1e-300))
    a = np.ones(len(out))
    b = np.ones(len(out))
    for _ in range(maxiter):
        row = k @ b
        a = np.divide(out, row, out=np.zeros_like(out), where=row > 0)
        col = a @ k
        b_new = np.divide(inn, col, out=np.zeros_like(inn), where=col > 0)
        fitted_out = (k * b_new[None, :]).sum(axis=1) * a
        b = b_new
        if np.max(np.abs(fitted_out - out)) <= tol * max(1.0, out.max()):
            break
    weights = k * b[None, :]
    tot = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, tot, out=np.zeros_like(weights), where=tot > 0)


# ---------------------------------------------------------------------------------------------
# levers
# ---------------------------------------------------------------------------------------------

def ramp(lever: Lever, year: int) -> float:
    """Strength of a lever in ``year``: 0 outside [start, end], rising linearly over ramp_years."""
    if year < lever.start or (lever.end is not None and year > lever.end):
        return 0.0
    if lever.ramp_years <= 0:
        return 1.0
    return min(1.0, (year - lever.start + 1) / lever.ramp_years)


def lever_log_effects(levers: tuple[Lever, ...], base: Base, draws: int, rng: np.random.Generator,
                      policy_draws: pd.DataFrame | None, uncertain: bool, policy_side: str) -> list[dict]:
    """Per lever and draw, the log multiplier at full strength on attractiveness and on outflows."""
    out = []
    idx = {c: i for i, c in enumerate(base.countries)}
    for lever in levers:
        missing = [c for c in lever.countries if c not in idx]
        if len(missing) == len(lever.countries):
            raise ConfigError(f"{lever.kind} lever: none of {', '.join(lever.countries)} is in the base year's countries")
        cols = np.array([idx[c] for c in lever.countries if c in idx])
        orig = None
        if lever.origins is not None:
            orig = np.array([idx[c] for c in lever.origins if c in idx])
        attract = np.zeros(draws)
        retain = np.zeros(draws)  # log multiplier of outflows
        if lever.kind in ("attractiveness", "retention"):
            eff = np.full(draws, float(lever.effect))
            if uncertain and lever.effect_se > 0:
                eff = eff + rng.normal(0.0, lever.effect_se, draws)
            if lever.kind == "attractiveness":
                attract = np.log(np.maximum(1.0 + eff, 1e-6))
            else:
                retain = np.log(np.maximum(1.0 - eff, 1e-6))
        else:
            if lever.kind == "funding" and lever.policy is not None:
                sides = ("destination", "origin") if policy_side == "both" else (policy_side,)
                for side in sides:
                    term = f"policy_{lever.policy}_{side}"
                    coef = (policy_draws[term].to_numpy() if (uncertain and policy_draws is not None)
                            else np.full(draws, float(base.beta[term])))
                    if side == "destination":
                        attract = attract + coef * lever.intensity
                    else:
                        retain = retain + coef * lever.intensity
            else:
                if lever.kind == "funding":
                    budget = (lever.baseline_budget_usd if lever.baseline_budget_usd is not None
                              else lever.cost_per_researcher_usd * base.stock[cols].sum())
                    size = np.log1p(lever.amount_usd / budget)
                else:
                    size = np.log1p(lever.increase)
                ela = np.full(draws, float(lever.elasticity))
                if uncertain and lever.elasticity_se > 0:
                    ela = ela + rng.normal(0.0, lever.elasticity_se, draws)
                if "attractiveness" in lever.applies_to:
                    attract = ela * size
                if "retention" in lever.applies_to:
                    retain = -ela * size
        out.append({"lever": lever, "cols": cols, "origins": orig, "attract": attract, "retain": retain})
    return out


# ---------------------------------------------------------------------------------------------
# the projection
# ---------------------------------------------------------------------------------------------

def _kernels(base: Base, draws: int, rng: np.random.Generator, uncertain: bool,
             coef_draws: pd.DataFrame | None, pattern: str) -> list[np.ndarray]:
    """Per draw, the (n, n) gravity kernel exp(x'beta) rho."""
    n = len(base.countries)
    log_geo_point = np.zeros((n, n))
    for term, mat in base.log_kernel_terms.items():
        log_geo_point += base.beta[term] * mat
    rho_point = base.rho_shape / base.rho_rate if pattern == "gravity_pair" else np.ones((n, n))
    out = []
    for s in range(draws):
        if not uncertain:
            out.append(np.exp(log_geo_point) * rho_point)
            continue
        log_geo = np.zeros((n, n))
        for term, mat in base.log_kernel_terms.items():
            log_geo += coef_draws[term].iloc[s] * mat
        rho = rng.gamma(base.rho_shape, 1.0 / base.rho_rate) if pattern == "gravity_pair" else rho_point
        out.append(np.exp(log_geo) * rho)
    return out


def project(base: Base, scenario: Scenario, *, draws: int, rng: np.random.Generator, model_uncertain: bool = True,
            levers_uncertain: bool = True, coef_draws: pd.DataFrame | None = None, pattern: str = "gravity_pair",
            keep_flows_for: np.ndarray | None = None) -> dict:
    """Run baseline and scenario over the horizon for ``draws`` draws.

    Returns arrays of shape (draws, years, n) per variable for "baseline" and "scenario", the
    years, and (if ``keep_flows_for`` gives country indices) the flows from and to those
    countries summed over the projected years, for both runs.
    """
    spec = scenario.projection
    years = np.arange(base.base_year + 1, scenario.horizon + 1)
    n, T = len(base.countries), len(years)
    if coef_draws is None and model_uncertain:
        raise ConfigError("model uncertainty needs coefficient draws")
    kernels = _kernels(base, draws, rng, model_uncertain, coef_draws, pattern)
    effects = lever_log_effects(scenario.levers, base, draws, rng, coef_draws, levers_uncertain,
                                scenario.model.policy_side)
    halflife = spec.renewal_halflife
    result = {run: {v: np.zeros((draws, T, n)) for v in VARIABLES} for run in ("baseline", "scenario")}
    flows_keep = {run: [] for run in ("baseline", "scenario")}
    for s in range(draws):
        prob = ipf_probabilities(kernels[s], base.outflow, base.inflow, tol=spec.ipf_tol, maxiter=spec.ipf_maxiter)
        for run in ("baseline", "scenario"):
            stock = base.stock.copy()
            if keep_flows_for is not None:
                cum_out = np.zeros((len(keep_flows_for), n))
                cum_in = np.zeros((n, len(keep_flows_for)))
            for ti, year in enumerate(years):
                h = year - base.base_year
                decay = 0.5 ** (h / halflife) if halflife else 1.0
                g = base.world_renewal + (base.renewal - base.world_renewal) * decay
                log_m = np.zeros((n, n))
                log_r = np.zeros(n)
                if run == "scenario":
                    for e in effects:
                        w = ramp(e["lever"], int(year))
                        if w == 0.0:
                            continue
                        if e["attract"][s] != 0.0:
                            if e["origins"] is None:
                                log_m[:, e["cols"]] += w * e["attract"][s]
                            else:
                                log_m[np.ix_(e["origins"], e["cols"])] += w * e["attract"][s]
                        if e["retain"][s] != 0.0:
                            log_r[e["cols"]] += w * e["retain"][s]
                movers = base.out_rate * stock * np.exp(log_r)
                p = prob * np.exp(log_m)
                if spec.equilibrium == "fixed_outflows":
                    tot = p.sum(axis=1, keepdims=True)
                    p = np.divide(p, tot, out=np.zeros_like(p), where=tot > 0)
                flows = movers[:, None] * p
                inflow, outflow = flows.sum(axis=0), flows.sum(axis=1)
                entrants = stock * (g + spec.exit_rate)
                exits = stock * spec.exit_rate
                new = np.maximum(stock + entrants - exits + inflow - outflow, 0.0)
                r = result[run]
                r["stock"][s, ti], r["inflow"][s, ti], r["outflow"][s, ti] = new, inflow, outflow
                r["net_migration"][s, ti] = inflow - outflow
                r["entrants"][s, ti], r["exits"][s, ti] = entrants, exits
                stock = new
                if keep_flows_for is not None:
                    cum_out += flows[keep_flows_for, :]
                    cum_in += flows[:, keep_flows_for]
            if keep_flows_for is not None:
                flows_keep[run].append((cum_out, cum_in))
    return {"years": years, **result, "flows": flows_keep}


@dataclass
class ScenarioResult:
    """What a scenario run returns (all aggregates by country; no person-level data)."""

    scenario: Scenario
    summary: pd.DataFrame   # per report country: stock at the horizon, cumulative inflows and net migration; bands
    series: pd.DataFrame    # per report country, year and variable: baseline, counterfactual, difference with bands
    flows: pd.DataFrame     # largest changes of bilateral flows summed over the projection, involving report countries
    drivers: pd.DataFrame   # band width of the stock difference with only model or only lever uncertainty
    meta: dict


def _q(a: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    return np.quantile(a, lo, axis=0), np.median(a, axis=0), np.quantile(a, hi, axis=0)


def run_scenario(data: FlowData, fit: GravityFit, scenario: Scenario, *,
                 policies: pd.DataFrame | None = None) -> ScenarioResult:
    """Project ``scenario`` on ``data`` with the fitted gravity model ``fit`` (see module docstring)."""
    spec = scenario.projection
    base = build_base(data, fit, spec, scenario.base_year, policies=policies, pair_prior=spec.pair_prior)
    if scenario.horizon <= base.base_year:
        raise ConfigError(f"horizon {scenario.horizon} is not after the base year {base.base_year}")
    idx = {c: i for i, c in enumerate(base.countries)}
    lever_countries = [c for lv in scenario.levers for c in lv.countries]
    report = [c for c in dict.fromkeys(list(scenario.report_countries) + lever_countries) if c in idx]
    rep_idx = np.array([idx[c] for c in report])
    rng = np.random.default_rng(spec.seed)
    coef = draw_coefficients(fit, spec.draws, rng)
    full = project(base, scenario, draws=spec.draws, rng=rng, coef_draws=coef, pattern=spec.pattern,
                   keep_flows_for=rep_idx)
    years = full["years"]
    level = spec.level
    # series
    rows = []
    for v in VARIABLES:
        b, sc = full["baseline"][v][:, :, rep_idx], full["scenario"][v][:, :, rep_idx]
        d = sc - b
        b_lo, b_md, b_hi = _q(b, level)
        s_lo, s_md, s_hi = _q(sc, level)
        d_lo, d_md, d_hi = _q(d, level)
        for ti, year in enumerate(years):
            for k, c in enumerate(report):
                rows.append({"country": c, "year": int(year), "variable": v, "baseline": b_md[ti, k],
                             "baseline_low": b_lo[ti, k], "baseline_high": b_hi[ti, k], "counterfactual": s_md[ti, k],
                             "counterfactual_low": s_lo[ti, k], "counterfactual_high": s_hi[ti, k], "difference": d_md[ti, k],
                             "difference_low": d_lo[ti, k], "difference_high": d_hi[ti, k]})
    series = pd.DataFrame(rows)
    # summary at the horizon
    summ = []
    cum_b = full["baseline"]["net_migration"][:, :, rep_idx].sum(axis=1)
    cum_s = full["scenario"]["net_migration"][:, :, rep_idx].sum(axis=1)
    st_b = full["baseline"]["stock"][:, -1, rep_idx]
    st_s = full["scenario"]["stock"][:, -1, rep_idx]
    in_b = full["baseline"]["inflow"][:, :, rep_idx].sum(axis=1)
    in_s = full["scenario"]["inflow"][:, :, rep_idx].sum(axis=1)
    for k, c in enumerate(report):
        dst = st_s[:, k] - st_b[:, k]
        dnet = cum_s[:, k] - cum_b[:, k]
        lo, md, hi = _q(dst[:, None], level)
        nlo, nmd, nhi = _q(dnet[:, None], level)
        pct = dst / st_b[:, k] * 100
        plo, pmd, phi = _q(pct[:, None], level)
        ilo, imd, ihi = _q(((in_s[:, k] / np.maximum(in_b[:, k], 1e-9)) - 1)[:, None] * 100, level)
        summ.append({"country": c, "base_year": base.base_year, "horizon": scenario.horizon,
                     "stock_base_year": float(base.stock[idx[c]]),
                     "stock_baseline": float(np.median(st_b[:, k])), "stock_scenario": float(np.median(st_s[:, k])),
                     "stock_difference": float(md[0]), "stock_difference_low": float(lo[0]),
                     "stock_difference_high": float(hi[0]), "stock_difference_pct": float(pmd[0]),
                     "stock_difference_pct_low": float(plo[0]), "stock_difference_pct_high": float(phi[0]),
                     "cum_inflow_change_pct": float(imd[0]), "cum_inflow_change_pct_low": float(ilo[0]),
                     "cum_inflow_change_pct_high": float(ihi[0]),
                     "cum_net_migration_baseline": float(np.median(cum_b[:, k])),
                     "cum_net_migration_scenario": float(np.median(cum_s[:, k])),
                     "cum_net_migration_difference": float(nmd[0]), "cum_net_migration_difference_low": float(nlo[0]),
                     "cum_net_migration_difference_high": float(nhi[0])})
    summary = pd.DataFrame(summ)
    # bilateral flows summed over the projected years
    flows = _flow_changes(full["flows"], report, rep_idx, base.countries, level, f"{years[0]}-{years[-1]}")
    # drivers of the bands
    drivers = []
    for label, mu, lu in (("model_parameters_only", True, False), ("levers_only", False, True)):
        sub = project(base, scenario, draws=spec.draws, rng=np.random.default_rng(spec.seed + 1),
                      model_uncertain=mu, levers_uncertain=lu, coef_draws=coef, pattern=spec.pattern)
        d = sub["scenario"]["stock"][:, -1, rep_idx] - sub["baseline"]["stock"][:, -1, rep_idx]
        lo, md, hi = _q(d, level)
        for k, c in enumerate(report):
            drivers.append({"country": c, "uncertainty": label, "stock_difference": float(md[k]),
                            "band_low": float(lo[k]), "band_high": float(hi[k]), "band_width": float(hi[k] - lo[k])})
    for k, c in enumerate(report):
        drivers.append({"country": c, "uncertainty": "all", "stock_difference": float(summary.loc[k, "stock_difference"]),
                        "band_low": float(summary.loc[k, "stock_difference_low"]),
                        "band_high": float(summary.loc[k, "stock_difference_high"]),
                        "band_width": float(summary.loc[k, "stock_difference_high"] - summary.loc[k, "stock_difference_low"])})
    drivers_df = pd.DataFrame(drivers).sort_values(["country", "uncertainty"]).reset_index(drop=True)
    meta = {"scenario": scenario.name, "illustration": scenario.illustration, "description": scenario.description,
            "assumptions": list(scenario.assumptions), "base": base.diagnostics, "draws": spec.draws, "level": level,
            "equilibrium": spec.equilibrium, "pattern": spec.pattern}
    return ScenarioResult(scenario, summary, series, flows, drivers_df, meta)


def _flow_changes(kept: dict, report: list[str], rep_idx: np.ndarray, codes: np.ndarray, level: float,
                  years: str, top: int = 15) -> pd.DataFrame:
    rows = []
    if not kept["baseline"]:
        return pd.DataFrame()
    out_b = np.stack([x[0] for x in kept["baseline"]])  # draws, k, n  (from report countries)
    out_s = np.stack([x[0] for x in kept["scenario"]])
    in_b = np.stack([x[1] for x in kept["baseline"]])   # draws, n, k  (into report countries)
    in_s = np.stack([x[1] for x in kept["scenario"]])
    seen = set()
    for k, c in enumerate(report):
        for j, other in enumerate(codes):
            if other == c:
                continue
            for (o, d, b, s) in ((c, other, out_b[:, k, j], out_s[:, k, j]), (other, c, in_b[:, j, k], in_s[:, j, k])):
                if (o, d) in seen:
                    continue
                seen.add((o, d))
                diff = s - b
                lo, md, hi = _q(diff[:, None], level)
                rows.append({"origin": o, "destination": d, "years": years, "baseline": float(np.median(b)),
                             "counterfactual": float(np.median(s)), "difference": float(md[0]),
                             "difference_low": float(lo[0]), "difference_high": float(hi[0])})
    frame = pd.DataFrame(rows)
    frame["abs"] = frame["difference"].abs()
    return frame.sort_values("abs", ascending=False).head(top).drop(columns="abs").reset_index(drop=True)
