"""Validation against the Scholarly Migration Database (SMD; Akbaritabar, Theile, Zagheni 2023, CC-BY 4.0).

Two checks:

1. ``recompute_rates``: the SMD publishes, per country and year, the padded population of
   researchers, in- and out-migrations and three rates. Its rates are the counts divided by
   the padded population (plain fractions, not per 1,000). We recompute them from the
   published counts and report the largest absolute difference (rounding only).
2. ``compare_net_direction``: talentflow's country net flows on a paperlists panel against the
   SMD's net migration for the same countries and years: does the sign agree? The SMD covers
   every field of science through Scopus/OpenAlex publications; the panels are AI venues with
   a few dozen moves per country. Disagreements come from field mix, coverage and sampling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentflow.fetch import SCHOLARLY_MIGRATION, locate
from talentflow.metrics.common import Selection
from talentflow.metrics.rates import contributions
from talentflow.store.warehouse import Warehouse

SMD_FILES = {"scopus": "scopus_2024_V1_scholarlymigration_country_enriched.csv.gz",
             "openalex": "openalex_2024_V1_scholarlymigration_country_enriched.csv.gz"}
RATES = {"outmigrationrate": "number_of_outmigrations", "inmigrationrate": "number_of_inmigrations",
         "netmigrationrate": "netmigration"}


def load_smd(which: str = "scopus") -> pd.DataFrame:
    """The SMD country file (from the mirror or the cache); ``iso3code`` is empty for unassigned rows."""
    name = SMD_FILES[which]
    path = locate(SCHOLARLY_MIGRATION, name.removesuffix(".gz")).path
    return pd.read_csv(path)


def recompute_rates(smd: pd.DataFrame) -> pd.DataFrame:
    """Pure: per rate, rows compared and the max absolute difference between published and recomputed."""
    pop = smd["padded_population_of_researchers"].astype(float)
    rows = []
    for rate, count in RATES.items():
        recomputed = smd[count].astype(float) / pop
        diff = (smd[rate].astype(float) - recomputed).abs()
        # the file prints rates as 32-bit floats (shortest repr): compare at that precision too
        same32 = recomputed.to_numpy(dtype=np.float32) == smd[rate].to_numpy(dtype=np.float32)
        rows.append({"rate": rate, "definition": f"{count} / padded_population_of_researchers", "rows": int(len(smd)),
                     "max_abs_diff": float(diff.max()),
                     "max_rel_diff": float((diff / recomputed.abs().where(recomputed != 0)).max()),
                     "equal_as_float32": int(same32.sum())})
    net_ok = (smd["netmigration"] - (smd["number_of_inmigrations"] - smd["number_of_outmigrations"])).abs().max()
    rows.append({"rate": "netmigration", "definition": "number_of_inmigrations - number_of_outmigrations",
                 "rows": int(len(smd)), "max_abs_diff": float(net_ok), "max_rel_diff": np.nan,
                 "equal_as_float32": int((smd["netmigration"] == smd["number_of_inmigrations"]
                                          - smd["number_of_outmigrations"]).sum())})
    return pd.DataFrame(rows)


def panel_net(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """talentflow's inflows, outflows, net and padded population by country and year for a selection."""
    c = contributions(wh, sel, period=1)
    return c.groupby(["country", "year"], as_index=False)[["population", "inflows", "outflows"]].sum().assign(
        net=lambda d: d["inflows"] - d["outflows"])


def compare_net_direction(ours: pd.DataFrame, smd: pd.DataFrame, *, min_moves: int = 5) -> pd.DataFrame:
    """Pure: per country, over the years both cover, net flows summed; signs compared.

    Only countries with at least ``min_moves`` moves (in + out) in our panel count toward the
    agreement; the rest are listed with agreement NA.
    """
    smd = smd.dropna(subset=["iso3code"]).rename(columns={"iso3code": "country"})
    years = sorted(set(ours["year"]) & set(smd["year"].astype(int)))
    if not years:
        return pd.DataFrame(columns=["country", "years", "our_in", "our_out", "our_net", "smd_net",
                                     "smd_net_rate_per_1000", "agree"])
    o = ours[ours["year"].isin(years)].groupby("country", as_index=False)[["inflows", "outflows", "net"]].sum()
    o = o[(o["inflows"] + o["outflows"]) > 0]
    s = smd[smd["year"].astype(int).isin(years)].groupby("country", as_index=False).agg(
        smd_net=("netmigration", "sum"), smd_pop=("padded_population_of_researchers", "sum"))
    m = o.merge(s, on="country", how="inner")
    m["smd_net_rate_per_1000"] = 1000 * m["smd_net"] / m["smd_pop"]
    m["years"] = f"{min(years)}-{max(years)}"
    m = m.rename(columns={"inflows": "our_in", "outflows": "our_out", "net": "our_net"})
    enough = (m["our_in"] + m["our_out"]) >= min_moves
    m["agree"] = pd.Series(np.sign(m["our_net"]) == np.sign(m["smd_net"]), dtype="boolean").where(enough, pd.NA)
    return m[["country", "years", "our_in", "our_out", "our_net", "smd_net", "smd_net_rate_per_1000", "agree"]] \
        .sort_values(["our_in"], ascending=False).reset_index(drop=True)
