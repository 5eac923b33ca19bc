"""Organization composition: the foreign-origin share of an organization's unit in one country.

A researcher belongs to an organization group (units folded to the top parent: Google with
DeepMind, Google Research, Waymo...) when observed there in the selected years, and to the group's
**unit in the country where the observation places them** (issue 17): Microsoft in CHN and Microsoft
in USA are two units, so that the share describes, e.g., the US AI workforce of a firm (what BCG
reports) rather than mixing Beijing staff into a US-seated group. Their origin is the first
observed country of their record (residence's first observed year). They are foreign-origin when
the origin differs from the seat: the unit's country (``seat = 'unit'``) or the group's seat
(``seat = 'group'``). With ``origin_before_join`` only researchers seen elsewhere before their
first year at the unit count, and the origin is their first country before joining (removes the
bias of records that begin at the organization).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from talentflow.errors import ConfigError
from talentflow.metrics.common import Selection, organization_groups
from talentflow.metrics.suppression import suppress, with_complement
from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio
from talentflow.store.warehouse import Warehouse


@dataclass(frozen=True)
class CompositionParams:
    seat: Literal["unit", "group"] = "unit"
    origin_before_join: bool = False
    min_cell: int = 10

    def __post_init__(self) -> None:
        if self.seat not in ("unit", "group"):
            raise ConfigError(f"seat={self.seat!r}: expected unit or group")


def org_groups(wh: Warehouse) -> pd.DataFrame:
    """The warehouse's organization groups (``organization_groups`` of its institutions), with ``name``."""
    inst = wh.query("SELECT institution_id, name, type, country, parent_id FROM institutions")
    return organization_groups(inst).assign(name=inst["name"].to_numpy())


def first_countries(wh: Warehouse, params_id: str) -> pd.DataFrame:
    """researcher_id, country: each researcher's first observed country of residence in the run."""
    return wh.query("""
        SELECT researcher_id, arg_min(coalesce(observed_country, country), year) AS country FROM residence
        WHERE params_id = $pid AND status = 'observed' GROUP BY researcher_id ORDER BY researcher_id""",
                    {"pid": params_id})


def members(wh: Warehouse, sel: Selection, params: CompositionParams = CompositionParams(), *,
            groups: pd.DataFrame | None = None, first: pd.DataFrame | None = None) -> pd.DataFrame:
    """Person-level (local use): researcher_id, group_id, unit_country, seat, origin, foreign; one row
    per researcher and organization unit (group x country of the observations there).

    ``groups`` (``org_groups``) and ``first`` (``first_countries``) do not depend on the selection's
    panel or years: a long-lived reader passes them in once computed."""
    groups = org_groups(wh) if groups is None else groups
    obs = wh.query(f"""
        SELECT o.researcher_id, o.institution_id, o.country AS unit_country, min(o.year) AS first_year
        FROM observations o
        WHERE o.institution_id IS NOT NULL AND o.country IS NOT NULL AND {sel.year_filter('o.year')}
              AND o.researcher_id IN (SELECT DISTINCT researcher_id FROM residence WHERE params_id = $pid)
              AND {sel.researcher_filter('o.researcher_id')}
        GROUP BY ALL""", {"pid": sel.params_id})
    obs = obs.merge(groups[["institution_id", "group_id", "group_country"]], on="institution_id")
    per = obs.groupby(["researcher_id", "group_id", "unit_country"], as_index=False).agg(
        group_country=("group_country", "first"), joined=("first_year", "min"))
    per["seat"] = per["unit_country"] if params.seat == "unit" else per["group_country"]
    keys = ["researcher_id", "group_id", "unit_country"]
    if params.origin_before_join:
        res = wh.query("""
            SELECT researcher_id, year, coalesce(observed_country, country) AS country FROM residence
            WHERE params_id = $pid AND status = 'observed' ORDER BY researcher_id, year""", {"pid": sel.params_id})
        merged = per.merge(res, on="researcher_id")
        merged = merged[merged["year"] < merged["joined"]].sort_values("year")
        origin = merged.groupby(keys, as_index=False).first()[[*keys, "country"]]
        per = per.merge(origin, on=keys, how="inner")
    else:
        first = first_countries(wh, sel.params_id) if first is None else first
        per = per.merge(first[["researcher_id", "country"]], on="researcher_id", how="inner")
    per = per.rename(columns={"country": "origin"})
    per = per[per["seat"].notna() & per["origin"].notna()]
    per["foreign"] = (per["origin"] != per["seat"]).astype(float)
    return per[["researcher_id", "group_id", "unit_country", "seat", "origin", "foreign"]].reset_index(drop=True)


def foreign_share(wh: Warehouse, sel: Selection, orgs: tuple[str, ...] | None = None, *, top: int = 20,
                  params: CompositionParams = CompositionParams(),
                  boot: BootstrapParams = BootstrapParams(), groups: pd.DataFrame | None = None,
                  first: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per organization unit (group x country, column ``country``): researchers, foreign-origin
    researchers, share with interval, top origins.

    ``orgs``: organization names or ids matched case-insensitively; each stands for the top
    parent group of the unit of that name, and for every group whose name begins with it and a
    space (alibaba -> Alibaba Group, Alibaba Cloud, Alibaba Inc...), in every country where it is
    observed; default the ``top`` largest units of the selection.
    """
    groups = org_groups(wh) if groups is None else groups
    m = members(wh, sel, params, groups=groups, first=first)
    names = dict(zip(groups["institution_id"].tolist(), groups["name"].tolist()))
    if orgs:
        label: dict[str, str] = {}
        missing = []
        for org in orgs:
            want = org.strip().casefold()
            unit_names = groups["institution_id"].map(lambda i: str(names.get(i, i)).casefold())
            gname = groups["group_name"].str.casefold()
            hit = groups[(groups["institution_id"].str.casefold() == want) | (unit_names == want) | (gname == want)
                         | groups["group_id"].str.casefold().str.startswith(want + " ") | gname.str.startswith(want + " ")]
            found = set(hit["group_id"]) & set(m["group_id"])
            if not found:
                missing.append(org)
            for g in found:
                label.setdefault(g, org.strip())
        if missing:
            raise ConfigError(f"no researchers at organization(s) {missing} in this selection "
                              "(names as in `talentflow table institutions`, e.g. google, meta)")
        m = m[m["group_id"].isin(label)].assign(org=lambda d: d["group_id"].map(label))
        # a researcher at two groups of one requested organization in one country counts once there
        m = m.sort_values(["researcher_id", "org", "unit_country", "group_id"]).drop_duplicates(
            ["researcher_id", "org", "unit_country"])
    else:
        sizes = m.groupby(["group_id", "unit_country"])["researcher_id"].nunique().sort_values(ascending=False)
        keep = set(sizes.head(top).index)
        largest = pd.Series([k in keep for k in zip(m["group_id"], m["unit_country"])], index=m.index, dtype=bool)
        m = m[largest].assign(org=lambda d: d["group_id"].map(lambda g: names.get(g, g)))
    m = m.rename(columns={"unit_country": "country"}).assign(researchers=1.0)
    out = bootstrap_cells(m, ["org", "country"], ["researchers", "foreign"],
                          lambda s: {"foreign_share": ratio(s["foreign"], s["researchers"])}, boot)
    if out.empty:
        return out
    cell = ["org", "country"]
    idx = pd.MultiIndex.from_frame(out[cell])
    seats = m.groupby(cell)["seat"].agg(lambda s: ",".join(s.value_counts().index[:3])).reindex(idx)
    units = m.groupby(cell)["group_id"].agg(
        lambda s: "; ".join(names.get(g, g) for g in s.value_counts().index[:4])).reindex(idx)
    origins = m[m["foreign"] > 0].groupby(cell)["origin"].agg(
        lambda s: ", ".join(f"{k} {v / len(s):.0%}" for k, v in s.value_counts().head(3).items()
                            if v >= params.min_cell)).reindex(idx)
    out.insert(2, "groups", units.to_numpy())
    out.insert(3, "seat", seats.to_numpy())
    out["top_foreign_origins"] = pd.Series(origins.to_numpy(), index=out.index).fillna("")
    share_cols = [c for c in out.columns if c.startswith("foreign_share")]
    # foreign counts of 1..min_cell-1 (and domestic ones, its complement) are disclosive too
    out = suppress(with_complement(out, "foreign", "researchers", "domestic"),
                   {"researchers": ["foreign", *share_cols, "top_foreign_origins"],
                    "foreign": [*share_cols, "top_foreign_origins"], "domestic": ["foreign", *share_cols]},
                   params.min_cell).drop(columns="domestic")
    out["top_foreign_origins"] = out["top_foreign_origins"].astype(object).where(~out["suppressed"], "")
    return out.sort_values("researchers", ascending=False).reset_index(drop=True)


