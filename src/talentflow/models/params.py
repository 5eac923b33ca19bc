"""Parameters of the gravity model, the backtest and the scenario projection.

Every choice that changes a figure is a field of a frozen dataclass, validated when built and
recorded with the results (``talentflow.store.params.record_params``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal, get_args

from talentflow.errors import ConfigError

FixedEffects = Literal["country_year", "country_and_year", "year"]
Vcov = Literal["cluster_pair", "hetero", "cluster_origin_destination"]
Zeros = Literal["full_panel", "observed_only"]
MissingGeography = Literal["error", "drop"]
PolicySide = Literal["destination", "origin", "both"]
Equilibrium = Literal["fixed_outflows", "partial"]
Pattern = Literal["gravity_pair", "gravity"]

PAIR_TERMS = ("log_distance", "contiguity", "common_language", "colonial_tie", "specialization_similarity",
              "log_collab")
MASS_TERMS = ("log_gdp_pc_origin", "log_gdp_pc_destination", "log_researchers_origin", "log_researchers_destination")


def _check_literal(obj, name: str, kind) -> None:
    value = getattr(obj, name)
    allowed = get_args(kind)
    if value not in allowed:
        raise ConfigError(f"{type(obj).__name__}.{name}={value!r} is not one of {', '.join(map(repr, allowed))}")


@dataclass(frozen=True)
class GravitySpec:
    """A PPML gravity model of bilateral flows.

    fixed_effects:
      * ``country_year`` (default): origin x year and destination x year effects (structural
        gravity; absorbs every country-year variable, so masses and policies cannot enter).
      * ``country_and_year``: origin, destination and year effects; country-year variables
        (masses, policies) are identified from their changes within a country over time.
      * ``year``: year effects only; masses identify the size of each end (classic gravity).
    pair_covariates: pair-level terms (see PAIR_TERMS); ``specialization_similarity`` needs a
      specialization table (country, year, field, value); ``log_collab`` (log1p of the papers
      co-authored by the two countries in a lagged window) needs a collaboration table
      (origin, destination, year, collab_papers_full).
    mass_covariates: country-year terms (see MASS_TERMS); not with ``country_year``.
    policies: policy names of the policy table, entering at ``policy_side`` as
      ``policy_<name>_destination`` / ``policy_<name>_origin``; not with ``country_year``.
    vcov: standard errors: clustered by country pair (default), heteroskedasticity-robust
      (HC1), or two-way clustered by origin and destination.
    zeros: ``full_panel`` (every ordered pair of the countries present in a year, zeros filled:
      what PPML needs) or ``observed_only`` (the positive flows only; biased, for comparison).
    min_researchers: a country-year is in the panel when its researcher population is at least
      this (sources without a population: when it sends or receives any flow that year).
    """

    fixed_effects: FixedEffects = "country_year"
    pair_covariates: tuple[str, ...] = ("log_distance", "contiguity", "common_language", "colonial_tie")
    mass_covariates: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    policy_side: PolicySide = "destination"
    vcov: Vcov = "cluster_pair"
    year_from: int | None = None
    year_to: int | None = None
    zeros: Zeros = "full_panel"
    min_researchers: int = 1
    countries: tuple[str, ...] | None = None
    missing_geography: MissingGeography = "error"
    tol: float = 1e-8
    maxiter: int = 100

    def __post_init__(self) -> None:
        for name, kind in (("fixed_effects", FixedEffects), ("vcov", Vcov), ("zeros", Zeros),
                           ("missing_geography", MissingGeography), ("policy_side", PolicySide)):
            _check_literal(self, name, kind)
        for name in ("pair_covariates", "mass_covariates", "policies"):
            if isinstance(getattr(self, name), str):
                raise ConfigError(f"GravitySpec.{name} must be a tuple of names, not a string")
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.countries is not None:
            object.__setattr__(self, "countries", tuple(sorted({c.upper() for c in self.countries})))
        bad = [t for t in self.pair_covariates if t not in PAIR_TERMS]
        if bad:
            raise ConfigError(f"unknown pair covariate(s) {bad}; choose from {', '.join(PAIR_TERMS)}")
        bad = [t for t in self.mass_covariates if t not in MASS_TERMS]
        if bad:
            raise ConfigError(f"unknown mass covariate(s) {bad}; choose from {', '.join(MASS_TERMS)}")
        if self.fixed_effects == "country_year" and (self.mass_covariates or self.policies):
            raise ConfigError("origin x year and destination x year effects absorb country-year variables: "
                              "with mass_covariates or policies use fixed_effects='country_and_year' or 'year'")
        if not (self.pair_covariates or self.mass_covariates or self.policies):
            raise ConfigError("the model has no covariate")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ConfigError(f"year_from={self.year_from} is after year_to={self.year_to}")
        if self.min_researchers < 0:
            raise ConfigError("min_researchers must be >= 0")
        if not (0 < self.tol < 1e-3) or self.maxiter < 1:
            raise ConfigError("tol must be in (0, 1e-3) and maxiter >= 1")

    @property
    def policy_terms(self) -> tuple[str, ...]:
        sides = ("destination", "origin") if self.policy_side == "both" else (self.policy_side,)
        return tuple(f"policy_{p}_{s}" for p in self.policies for s in sides)

    @property
    def terms(self) -> tuple[str, ...]:
        return self.pair_covariates + self.mass_covariates + self.policy_terms

    def replace(self, **changes) -> "GravitySpec":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class BacktestSpec:
    """Out-of-sample backtest: for each ``train_end`` T, fit on years T-train_window+1..T and
    predict T+1..T+horizon; compare with persistence (flow of year T) and the mean flow of the
    training window. Errors over every ordered pair of countries present in both year T and the
    predicted year (zeros included). pair_prior: strength of the Gamma prior of the
    empirical-Bayes pair effects (in expected movers; smaller = closer to the pair's history)."""

    train_ends: tuple[int, ...] = (2011, 2013, 2015)
    horizon: int = 3
    train_window: int = 5
    pair_prior: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "train_ends", tuple(sorted(set(int(t) for t in self.train_ends))))
        if not self.train_ends:
            raise ConfigError("BacktestSpec.train_ends is empty")
        if self.horizon < 1 or self.train_window < 1:
            raise ConfigError("horizon and train_window must be >= 1")
        if self.pair_prior <= 0:
            raise ConfigError("pair_prior must be > 0")


@dataclass(frozen=True)
class ProjectionSpec:
    """Stock-flow projection of researchers by country under a scenario.

    base_window: years (ending at the base year) averaged for outflow rates, destination
      attractiveness and the net renewal rate (entrants - exits).
    exit_rate: share of a country's researchers leaving research each year (an assumption:
      aggregate data identify only entrants - exits; entrants = stock x (renewal + exit_rate)).
    equilibrium: ``fixed_outflows``: a country's movers are set by its outflow rate and a lever
      on attractiveness diverts them among destinations (shares renormalized); ``partial``:
      attractiveness scales flows into a destination without taking them from others.
    renewal_halflife: years for a country's renewal rate to close half its gap to the world
      rate (None: constant rates; a fast-growing system does not grow at 11% a year for ever).
    pattern: destination choice from the gravity kernel times empirical-Bayes pair effects
      (``gravity_pair``, what the backtest supports) or from geography alone (``gravity``).
    pair_prior: strength of the pair effects' Gamma prior (as in BacktestSpec).
    draws: parameter draws for the bands (coefficients from their estimated covariance, pair
      effects from their posterior, lever effects from their stated uncertainty); level: width
      of the band.
    """

    base_window: int = 3
    exit_rate: float = 0.04
    renewal_halflife: float | None = 5.0
    equilibrium: Equilibrium = "fixed_outflows"
    pattern: Pattern = "gravity_pair"
    pair_prior: float = 0.5
    draws: int = 200
    level: float = 0.90
    seed: int = 20240709
    ipf_tol: float = 1e-10
    ipf_maxiter: int = 2000

    def __post_init__(self) -> None:
        _check_literal(self, "equilibrium", Equilibrium)
        _check_literal(self, "pattern", Pattern)
        if self.renewal_halflife is not None and self.renewal_halflife <= 0:
            raise ConfigError("renewal_halflife must be > 0 (or None for constant rates)")
        if self.pair_prior <= 0:
            raise ConfigError("pair_prior must be > 0")
        if self.base_window < 1:
            raise ConfigError("base_window must be >= 1")
        if not (0.0 <= self.exit_rate < 1.0):
            raise ConfigError("exit_rate must be in [0, 1)")
        if self.draws < 2:
            raise ConfigError("draws must be >= 2")
        if not (0.0 < self.level < 1.0):
            raise ConfigError("level must be in (0, 1)")


@dataclass(frozen=True)
class Lever:
    """One policy lever of a scenario (see docs/models.md for the formulas).

    kind: attractiveness (inflows to ``countries`` x (1+effect)), retention (outflows from
      ``countries`` x (1-effect)), funding (attractiveness x (1+amount/budget)^elasticity, or
      exp(coef x intensity) through a fitted policy coefficient), compute (attractiveness x
      (1+increase)^elasticity).
    effect / effect_se: for attractiveness and retention, the assumed proportional effect and
      its uncertainty (normal, for the bands).
    origins: restrict an attractiveness effect to movers from these origins (e.g. a visa rule).
    start, end, ramp_years: the lever acts from ``start`` to ``end`` (inclusive; None = horizon),
      reaching full strength after ``ramp_years`` (linear).
    """

    kind: Literal["attractiveness", "retention", "funding", "compute"]
    countries: tuple[str, ...]
    start: int
    end: int | None = None
    ramp_years: int = 0
    effect: float | None = None
    effect_se: float = 0.0
    origins: tuple[str, ...] | None = None
    amount_usd: float | None = None
    baseline_budget_usd: float | None = None
    cost_per_researcher_usd: float | None = None
    elasticity: float | None = None
    elasticity_se: float = 0.0
    increase: float | None = None
    policy: str | None = None
    intensity: float | None = None
    applies_to: tuple[str, ...] = ("attractiveness",)
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("attractiveness", "retention", "funding", "compute"):
            raise ConfigError(f"lever type {self.kind!r} is not one of attractiveness, retention, funding, compute")
        if not self.countries:
            raise ConfigError(f"{self.kind} lever: no country")
        if self.ramp_years < 0 or self.effect_se < 0 or self.elasticity_se < 0:
            raise ConfigError(f"{self.kind} lever: ramp_years and *_se must be >= 0")
        if self.end is not None and self.end < self.start:
            raise ConfigError(f"{self.kind} lever: end {self.end} before start {self.start}")
        bad = [a for a in self.applies_to if a not in ("attractiveness", "retention")]
        if bad:
            raise ConfigError(f"{self.kind} lever: applies_to {bad}: use attractiveness and/or retention")
        if self.kind in ("attractiveness", "retention"):
            if self.effect is None:
                raise ConfigError(f"{self.kind} lever for {', '.join(self.countries)}: needs effect (e.g. 0.15 for 15%)")
            if self.kind == "retention" and not (0.0 <= self.effect < 1.0):
                raise ConfigError("retention lever: effect (the outflow cut) must be in [0, 1)")
            if self.kind == "attractiveness" and self.effect <= -1.0:
                raise ConfigError("attractiveness lever: effect must be > -1 (a -100% cut would stop all inflows)")
        elif self.kind == "funding":
            if self.policy is not None:
                if self.intensity is None:
                    raise ConfigError(f"funding lever through policy {self.policy!r}: needs intensity (in the policy table's units)")
            else:
                if self.amount_usd is None or self.elasticity is None:
                    raise ConfigError("funding lever: give amount_usd and elasticity (or policy and intensity)")
                if self.baseline_budget_usd is None and self.cost_per_researcher_usd is None:
                    raise ConfigError("funding lever: give baseline_budget_usd or cost_per_researcher_usd "
                                      "(the budget is then researchers x cost)")
        elif self.kind == "compute":
            if self.increase is None or self.elasticity is None:
                raise ConfigError("compute lever: give increase (e.g. 0.5 for +50% compute) and elasticity")
            if self.increase <= -1.0:
                raise ConfigError("compute lever: increase must be > -1")
        if self.origins is not None and self.kind != "attractiveness":
            raise ConfigError("origins applies to attractiveness levers only")


@dataclass(frozen=True)
class Scenario:
    """A scenario: metadata, model and projection parameters, and levers."""

    name: str
    horizon: int
    levers: tuple[Lever, ...]
    description: str = ""
    illustration: bool = True
    assumptions: tuple[str, ...] = ()
    base_year: int | None = None
    model: GravitySpec = field(default_factory=GravitySpec)
    projection: ProjectionSpec = field(default_factory=ProjectionSpec)
    policy_table: str | None = None
    report_countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.levers:
            raise ConfigError(f"scenario {self.name!r} has no lever")
        if self.base_year is not None and self.horizon <= self.base_year:
            raise ConfigError(f"scenario {self.name!r}: horizon {self.horizon} is not after base_year {self.base_year}")
        needs_policy = [lv.policy for lv in self.levers if lv.policy is not None]
        missing = [p for p in needs_policy if p not in self.model.policies]
        if missing:
            raise ConfigError(f"scenario {self.name!r}: levers use fitted policies {missing} that [model].policies "
                              "does not include (add them and a policy_table)")
        if self.model.policies and not self.policy_table:
            raise ConfigError(f"scenario {self.name!r}: [model].policies needs policy_table")
