"""Flow sources for the gravity model and the panel they become.

A source is a :class:`FlowData`: bilateral flows as a plain DataFrame ``origin, destination,
year, count`` plus, where known, a country-year table ``country, year, researchers, gdp_pc``.
Three sources:

* :func:`scholarly_migration` — the Scholarly Migration Database (Scopus, all fields, 1998-2018):
  its bilateral flows (positive flows only: zeros are not in the file) and its country-year
  file (padded researcher population, GDP per capita).
* :func:`from_frame` — any flows frame, e.g. talentflow's own AI flows from
  ``talentflow flows --level country --format csv``.
* :func:`from_warehouse` — the country flows of a talentflow warehouse (inference tables).

:func:`build_panel` turns a source into the estimation panel: the full origin x destination x
year grid of the countries present each year, with zeros where no flow was recorded (PPML needs
the zeros: dropping them selects on the outcome), joined to the covariates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentflow.models.checks import reject_first
from talentflow.errors import ConfigError, InputError, WarehouseError
from talentflow.fetch import SCHOLARLY_MIGRATION, locate
from talentflow.models.covariates import country_geography, pair_covariates, policy_wide, specialization_similarity
from talentflow.models.params import GravitySpec

SMD_FLOWS = "scopus_2024_V1_scholarlymigration_countryflows_enriched.parquet"
SMD_COUNTRIES = "scopus_2024_V1_scholarlymigration_country_enriched.csv.gz"
FLOW_COLUMNS = ("origin", "destination", "year", "count")
COUNTRY_COLUMNS = ("country", "year", "researchers", "gdp_pc")


@dataclass(frozen=True)
class FlowData:
    """Flows (origin, destination, year, count) and optional country-years (country, year, researchers, gdp_pc)."""

    name: str
    flows: pd.DataFrame
    countries: pd.DataFrame | None = None
    provenance: dict = field(default_factory=dict)

    @property
    def years(self) -> tuple[int, int]:
        return int(self.flows["year"].min()), int(self.flows["year"].max())


def validate_flows(frame: pd.DataFrame, name: str = "flows") -> pd.DataFrame:
    """Check a flows frame; errors name the row and the field. Returns a clean copy."""
    missing = [c for c in FLOW_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(missing)} (need {', '.join(FLOW_COLUMNS)})")
    out = frame[list(FLOW_COLUMNS)].copy()
    for col in ("origin", "destination"):
        values = out[col].astype("string").str.strip().str.upper()
        bad = values.isna() | ~values.fillna("").str.fullmatch(r"[A-Z]{3}")
        reject_first(bad, name, lambda r: f", field {col!r}: {frame[col].iloc[r]!r} is not an ISO3 country code")
        out[col] = values.astype(str)
    for col in ("year", "count"):
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() | (values < 0)
        reject_first(bad, name, lambda r: f", field {col!r}: {frame[col].iloc[r]!r} is not a non-negative number")
        out[col] = values
    frac = out["year"] % 1 != 0
    reject_first(frac, name, lambda r: f", field 'year': {frame['year'].iloc[r]!r} is not a whole year")
    out["year"] = out["year"].astype(int)
    out["count"] = out["count"].astype(float)
    same = out["origin"] == out["destination"]
    reject_first(same, name, lambda r: f": origin equals destination ({out['origin'].iloc[r]}); "
                                                 "bilateral flows are between different countries")
    dup = out.duplicated(["origin", "destination", "year"])
    reject_first(dup, name, lambda r: ": origin/destination/year repeated; aggregate the counts first")
    return out.reset_index(drop=True)


def from_frame(flows: pd.DataFrame, countries: pd.DataFrame | None = None, *, name: str = "frame") -> FlowData:
    """A source from a flows frame (origin, destination, year, count) and optional country-years."""
    clean = validate_flows(flows, name)
    if clean.empty:
        raise InputError(f"{name}: no flows")
    if countries is not None:
        missing = [c for c in ("country", "year") if c not in countries.columns]
        if missing:
            raise InputError(f"{name} country-years: missing column(s) {', '.join(missing)}")
        countries = countries.copy()
        for col in ("researchers", "gdp_pc"):
            if col not in countries.columns:
                countries[col] = np.nan
        countries = countries[list(COUNTRY_COLUMNS)]
        countries["year"] = countries["year"].astype(int)
    return FlowData(name, clean, countries, {"source": name})


def scholarly_migration() -> FlowData:
    """The Scholarly Migration Database's bilateral flows and country-years (via talentflow.fetch.locate)."""
    flows_file = locate(SCHOLARLY_MIGRATION, SMD_FLOWS)
    countries_file = locate(SCHOLARLY_MIGRATION, SMD_COUNTRIES)
    raw = pd.read_parquet(flows_file.path, columns=["iso3codefrom", "iso3codeto", "year", "n_migrations"])
    flows = raw.rename(columns={"iso3codefrom": "origin", "iso3codeto": "destination", "n_migrations": "count"})
    flows = validate_flows(flows, str(flows_file.path))
    cy = pd.read_csv(countries_file.path)
    unnamed = cy["iso3code"].isna()
    cy = cy[~unnamed]  # rows without a country code (aggregates the file carries) are not countries
    countries = pd.DataFrame({
        "country": cy["iso3code"].astype(str),
        "year": cy["year"].astype(int),
        "researchers": cy["padded_population_of_researchers"].astype(float),
        "gdp_pc": cy["gdp_per_capita"].astype(float),
    })
    prov = {"source": "scholarly-migration", "upstream": flows_file.upstream, "version": flows_file.version,
            "countries_file": countries_file.upstream, "rows_without_iso3_dropped": int(unnamed.sum())}
    return FlowData("scholarly-migration", flows, countries, prov)


def from_warehouse(wh, params_id: str | None = None) -> FlowData:
    """Country flows of a talentflow warehouse: migration and return events by origin, destination, year_to.

    Reads the inference layer's results for the inference run ``params_id`` (default: the
    latest ``talentflow infer`` run) through ``talentflow.metrics.flows`` (country level), and
    the country-year researcher population from the ``residence`` table (observed or padded
    years: the Scholarly Migration Database's padded population). A warehouse whose ``events``
    table lacks inference runs (e.g. built by hand) is read directly.
    """
    if wh.has_table("inference_runs") and wh.execute("SELECT 1 FROM inference_runs LIMIT 1"):
        from talentflow.metrics.common import select
        from talentflow.metrics.flows import FlowParams, flows as od_flows

        sel = select(wh, params_id)
        flows = od_flows(wh, sel, FlowParams(level="country"))
        countries = wh.query("""
            SELECT country, year, count(DISTINCT researcher_id)::DOUBLE AS researchers, NULL::DOUBLE AS gdp_pc
            FROM residence WHERE params_id = ? AND country IS NOT NULL GROUP BY ALL""", [sel.params_id])
        prov = {"source": "warehouse", "path": str(wh.path or ":memory:"), "inference_params_id": sel.params_id}
    else:
        flows = _events_country_flows(wh)
        countries = wh.query("""
            SELECT country, year, count(DISTINCT researcher_id)::DOUBLE AS researchers, NULL::DOUBLE AS gdp_pc
            FROM observations WHERE country IS NOT NULL AND year IS NOT NULL GROUP BY ALL""")
        prov = {"source": "warehouse", "path": str(wh.path or ":memory:"), "inference_params_id": None}
    if flows.empty:
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no country flows; run `talentflow infer` first")
    data = from_frame(flows[list(FLOW_COLUMNS)], countries if not countries.empty else None,
                      name=f"warehouse {wh.path or ':memory:'}")
    return FlowData("warehouse", data.flows, data.countries, prov)


def _events_country_flows(wh) -> pd.DataFrame:
    if not wh.has_table("events"):
        raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no events table; run `talentflow infer --db ...` first")
    kind = "AND kind = 'country'" if "kind" in set(wh.query("SELECT * FROM events LIMIT 0").columns) else ""
    return wh.query(f"""
        SELECT origin, destination, year_to AS year, count(*)::DOUBLE AS count
        FROM events
        WHERE event_type IN ('migration', 'return') AND origin IS NOT NULL AND destination IS NOT NULL
          AND origin <> destination AND year_to IS NOT NULL {kind}
        GROUP BY ALL""")


# ---------------------------------------------------------------------------------------------
# the estimation panel
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    """The estimation panel and what building it did (for the report)."""

    frame: pd.DataFrame
    diagnostics: dict


def country_years(data: FlowData, spec: GravitySpec) -> pd.DataFrame:
    """The countries present each year: country, year, researchers, gdp_pc."""
    flows = data.flows
    seen = pd.concat([flows[["origin", "year"]].rename(columns={"origin": "country"}),
                      flows[["destination", "year"]].rename(columns={"destination": "country"})]).drop_duplicates()
    if data.countries is not None and data.countries["researchers"].notna().any():
        cy = data.countries[data.countries["researchers"].fillna(0) >= spec.min_researchers]
        cy = cy.drop_duplicates(["country", "year"])
        # a country-year with a recorded flow is always in (nothing is lost): add those the file lacks
        extra = seen.merge(cy[["country", "year"]], how="left", indicator=True)
        extra = extra[extra["_merge"] == "left_only"][["country", "year"]]
        cy = pd.concat([cy, extra.assign(researchers=np.nan, gdp_pc=np.nan)], ignore_index=True)
    else:
        cy = seen.assign(researchers=np.nan, gdp_pc=np.nan)
        if data.countries is not None:
            cy = cy.drop(columns=["researchers", "gdp_pc"]).merge(data.countries, on=["country", "year"], how="left")
    lo, hi = data.years
    lo = spec.year_from if spec.year_from is not None else lo
    hi = spec.year_to if spec.year_to is not None else hi
    cy = cy[(cy["year"] >= lo) & (cy["year"] <= hi)]
    if spec.countries is not None:
        cy = cy[cy["country"].isin(spec.countries)]
    return cy.sort_values(["year", "country"]).reset_index(drop=True)


def build_panel(data: FlowData, spec: GravitySpec, *, policies: pd.DataFrame | None = None,
                specialization: pd.DataFrame | None = None, collaboration: pd.DataFrame | None = None) -> Panel:
    """The origin x destination x year panel with zeros and covariates (see module docstring)."""
    cy = country_years(data, spec)
    diag: dict = {"source": data.name}
    geo_codes = set(country_geography()["iso3"])
    no_geo = sorted(set(cy["country"]) - geo_codes)
    if no_geo:
        if spec.missing_geography == "error":
            raise ConfigError(f"no geography for {', '.join(no_geo)}; set missing_geography='drop' to leave them out")
        diag["countries_dropped_no_geography"] = no_geo
        cy = cy[~cy["country"].isin(no_geo)]
    flows = data.flows
    flows = flows[flows["year"].isin(cy["year"].unique())]
    if spec.countries is not None:
        flows = flows[flows["origin"].isin(spec.countries) & flows["destination"].isin(spec.countries)]
    if no_geo:
        lost = flows["origin"].isin(no_geo) | flows["destination"].isin(no_geo)
        diag["flows_dropped_no_geography"] = float(flows.loc[lost, "count"].sum())
        flows = flows[~lost]
    if spec.zeros == "full_panel":
        pairs = cy[["country", "year"]].merge(cy[["country", "year"]], on="year", suffixes=("_o", "_d"))
        pairs = pairs[pairs["country_o"] != pairs["country_d"]].rename(columns={"country_o": "origin", "country_d": "destination"})
        panel = pairs.merge(flows, on=["origin", "destination", "year"], how="left")
        panel["count"] = panel["count"].fillna(0.0)
    else:
        panel = flows.copy()
    diag.update({
        "years": [int(panel["year"].min()), int(panel["year"].max())] if len(panel) else [],
        "country_years": int(len(cy)),
        "countries": int(cy["country"].nunique()),
        "rows": int(len(panel)),
        "positive_flows": int((panel["count"] > 0).sum()),
        "zero_flows_added": int((panel["count"] == 0).sum()),
        "total_count": float(panel["count"].sum()),
        "flows_in_source": float(flows["count"].sum()),
    })
    pc = pair_covariates(sorted(set(panel["origin"]) | set(panel["destination"])))
    keep = ["origin", "destination", "distance_km"] + [t for t in spec.pair_covariates if t in pc.columns]
    panel = panel.merge(pc[keep], on=["origin", "destination"], how="left")
    if "specialization_similarity" in spec.pair_covariates:
        if specialization is None:
            raise ConfigError("pair covariate specialization_similarity needs a specialization table "
                              "(country, year, field, value)")
        sim = specialization_similarity(specialization)
        panel = panel.merge(sim, on=["origin", "destination", "year"], how="left")
        diag["rows_without_specialization"] = int(panel["specialization_similarity"].isna().sum())
    if "log_collab" in spec.pair_covariates:
        if collaboration is None:
            raise ConfigError("pair covariate log_collab needs a collaboration table "
                              "(origin, destination, year, collab_papers_full)")
        missing = {"origin", "destination", "year", "collab_papers_full"} - set(collaboration.columns)
        if missing:
            raise ConfigError(f"collaboration table: missing column(s) {sorted(missing)}")
        col = collaboration[["origin", "destination", "year", "collab_papers_full"]]
        panel = panel.merge(col, on=["origin", "destination", "year"], how="left")
        # absent pair-years had no co-authored paper in the window
        diag["rows_without_collaboration"] = int(panel["collab_papers_full"].isna().sum())
        panel["log_collab"] = np.log1p(panel["collab_papers_full"].fillna(0.0))
    # country-year masses
    masses = cy[["country", "year", "researchers", "gdp_pc"]]
    for side in ("origin", "destination"):
        m = masses.rename(columns={"country": side, "researchers": f"researchers_{side}", "gdp_pc": f"gdp_pc_{side}"})
        panel = panel.merge(m, on=[side, "year"], how="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            panel[f"log_researchers_{side}"] = np.log(panel[f"researchers_{side}"].where(panel[f"researchers_{side}"] > 0))
            panel[f"log_gdp_pc_{side}"] = np.log(panel[f"gdp_pc_{side}"].where(panel[f"gdp_pc_{side}"] > 0))
    for term in spec.mass_covariates:
        n_missing = int(panel[term].isna().sum())
        if n_missing:
            diag[f"rows_missing_{term}"] = n_missing
    if spec.policies:
        if policies is None:
            raise ConfigError(f"policies {list(spec.policies)} need a policy table (country, year, policy, intensity)")
        unknown = sorted(set(spec.policies) - set(policies["policy"]))
        if unknown:
            raise ConfigError(f"the policy table has no policy {unknown}; it has {sorted(set(policies['policy']))}")
        wide = policy_wide(policies[policies["policy"].isin(spec.policies)])
        sides = ("destination", "origin") if spec.policy_side == "both" else (spec.policy_side,)
        for side in sides:
            w = wide.rename(columns={"country": side, **{p: f"policy_{p}_{side}" for p in spec.policies}})
            panel = panel.merge(w, on=[side, "year"], how="left")
            for p in spec.policies:
                panel[f"policy_{p}_{side}"] = panel[f"policy_{p}_{side}"].fillna(0.0)
    panel = panel.sort_values(["year", "origin", "destination"]).reset_index(drop=True)
    return Panel(panel, diag)
