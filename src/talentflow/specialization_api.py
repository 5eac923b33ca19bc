"""Python API of regional specialization (issue 4): domain tagging, specialization tables, profiles.

>>> import talentflow.specialization_api as sp
>>> sp.tag("ai.duckdb")                                                         # doctest: +SKIP
>>> sp.specialization("ai.duckdb", sp.SpecializationParams(level="country"))    # doctest: +SKIP
>>> sp.profile("ai.duckdb", "Korea")                                            # doctest: +SKIP

The warehouse is read here (the edge); the figures come from the pure functions of
``talentflow.metrics.specialization`` and ``talentflow.metrics.complexity``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from talentflow.engines.base import EngineParams
from talentflow.errors import ConfigError, WarehouseError
from talentflow.metrics import complexity as cx
from talentflow.metrics.specialization import (
    SpecializationParams,
    bootstrap_rca,
    field_indices,
    field_weights,
    period_labels,
    rca_matrix,
    rca_trend,
    region_indices,
    work_region_shares,
)
from talentflow.schema.model import Table
from talentflow.schema.specialization import SPECIALIZATION_CELLS, TABLES, TAG_RUNS, WORK_DOMAINS
from talentflow.store.params import record_params, stamp
from talentflow.store.warehouse import DB, Warehouse, opened
from talentflow.tagging.evaluate import EVAL_SET, read_eval_set, score_tags
from talentflow.tagging.keywords import load_rules, tag_keywords
from talentflow.tagging.params import DOMAINS, TaggingParams
from talentflow.taxonomy import Taxonomy, assign_fields, load_taxonomy

_REGION_EXPR = {
    "country": "o.country",
    "region": "c.wb_region",
    "hub": "o.hub",
    "org": "o.institution_id",
}

__all__ = ["EngineParams", "SpecializationParams", "TaggingParams", "SpecializationResult", "tag", "evaluate_tagger",
           "specialization", "compute_specialization", "profile", "field_assignments", "taxonomy_table"]


def _insert(wh: Warehouse, table: Table, frame: pd.DataFrame) -> None:
    """Insert the columns of ``frame`` that ``table`` declares (an area table, outside the core schema)."""
    if frame.empty:
        return
    cols = [c for c in table.column_names if c in frame.columns]
    view = f"_incoming_{table.name}"
    wh.con.register(view, frame[cols])
    try:
        col_list = ", ".join(f'"{c}"' for c in cols)
        wh.execute(f"INSERT INTO {table.name} ({col_list}) SELECT {col_list} FROM {view}")
    finally:
        wh.con.unregister(view)


# -- tagging -------------------------------------------------------------------------------------

def _run_tagger(works: pd.DataFrame, params: TaggingParams, rules_path=None, prototypes_path=None) -> tuple[pd.DataFrame, TaggingParams]:
    if params.method == "keyword":
        rules = load_rules(rules_path)
        params = dataclasses.replace(params, rules_version=rules.version)
        return tag_keywords(works, rules, params), params
    from talentflow.tagging.semantic import load_prototypes, tag_semantic

    protos = load_prototypes(prototypes_path)
    params = dataclasses.replace(params, prototypes_version=protos.version)
    return tag_semantic(works, params, protos), params


def tag(db: DB = None, params: TaggingParams | None = None, *, rules: str | Path | None = None,
        prototypes: str | Path | None = None) -> pd.DataFrame:
    """Tag every work of the warehouse with application domains; store them in work_domains.

    Returns one row per domain: works tagged and their share of all works read, plus the params_id.
    """
    params = params or TaggingParams()
    with opened(db) as wh:
        wh.apply_schema(TABLES)
        works = wh.query("SELECT work_id, title, abstract FROM works ORDER BY work_id")
        tags, params = _run_tagger(works, params, rules, prototypes)
        pid = record_params(wh, "tagging", params)
        tags = tags.assign(params_id=pid, method=params.method)
        with wh.transaction():
            wh.execute("DELETE FROM work_domains WHERE params_id = ?", [pid])
            wh.execute("DELETE FROM tag_runs WHERE params_id = ?", [pid])
            _insert(wh, WORK_DOMAINS, tags)
            _insert(wh, TAG_RUNS, pd.DataFrame([{
                "params_id": pid, "method": params.method,
                "tagged_at": _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None),
                "n_works": len(works), "n_tagged": tags["work_id"].nunique(), "n_tags": len(tags)}]))
    counts = tags.groupby("domain")["work_id"].nunique().reindex(list(DOMAINS), fill_value=0)
    out = pd.DataFrame({"domain": counts.index, "works": counts.values.astype(int)})
    out["share"] = out["works"] / max(len(works), 1)
    out["params_id"] = pid
    out["method"] = params.method
    return out


def evaluate_tagger(params: TaggingParams | None = None, *, eval_set: str | Path | None = None, db: DB = None,
                    rules: str | Path | None = None, prototypes: str | Path | None = None,
                    split: str | None = None) -> pd.DataFrame:
    """Precision and recall per domain of a tagger on the hand-labelled evaluation set.

    With ``db`` the works' abstracts are read from the warehouse (so ``text='title_abstract'``
    is evaluated as it runs); without, only the titles of the set are tagged. ``split``: 'dev' or
    'test' to score one half of the set.
    """
    params = params or TaggingParams()
    path = Path(eval_set) if eval_set is not None else EVAL_SET
    if not path.is_file():
        raise ConfigError(f"no evaluation set at {path}; give one with --eval-set")
    labels = read_eval_set(path)
    if split is not None:
        if "split" not in labels.columns:
            raise ConfigError(f"evaluation set {path} has no split column")
        labels = labels[labels["split"] == split]
    works = labels[["work_id", "title"]].copy()
    works["abstract"] = None
    if db is not None and params.text == "title_abstract":
        with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
            abstracts = wh.query("SELECT work_id, abstract FROM works WHERE work_id IN (SELECT unnest(?))",
                                 [works["work_id"].tolist()])
        works = works.drop(columns="abstract").merge(abstracts, on="work_id", how="left")
    elif params.text == "title_abstract":
        params = dataclasses.replace(params, text="title")
    predicted, params = _run_tagger(works, params, rules, prototypes)
    out = score_tags(labels, predicted)
    out.insert(0, "method", params.method)
    out.insert(1, "text", params.text)
    return out


# -- fields ----------------------------------------------------------------------------------------

def taxonomy_table(taxonomy: str | Path | None = None) -> pd.DataFrame:
    """The taxonomy's mappings as rows (kind, venue, label, field) with the field labels."""
    tax = load_taxonomy(taxonomy)
    out = tax.mapping_frame().merge(tax.fields_frame()[["field", "label"]].rename(columns={"label": "field_label"}),
                                    on="field", how="left")
    out["version"] = tax.version
    return out


def field_assignments(db: DB = None, taxonomy: str | Path | Taxonomy | None = None) -> pd.DataFrame:
    """work_id, venue, year, subfield_label, field, rule: the taxonomy applied to every work."""
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        works = wh.query("SELECT work_id, source, venue, year, subfield_label FROM works")
    return works.merge(assign_fields(works, tax), on="work_id")


def _latest_tagging(wh: Warehouse, method: str) -> str:
    if not wh.has_table("tag_runs"):
        raise WarehouseError(f"no domain tags in {wh.path or ':memory:'}; run `talentflow tag --db ...` first")
    rows = wh.execute("SELECT params_id FROM tag_runs WHERE method = ? ORDER BY tagged_at DESC LIMIT 1", [method])
    if not rows:
        raise WarehouseError(f"no {method} domain tags in {wh.path or ':memory:'}; run `talentflow tag --method {method} --db ...` first")
    return rows[0][0]


# -- specialization --------------------------------------------------------------------------------

@dataclass
class SpecializationResult:
    """cells: region x field x period; regions: per region and period; fields: per field and period;
    proximity: field pairs per period. ``params_id`` names the parameters in meta_runs."""

    params: SpecializationParams
    params_id: str
    cells: pd.DataFrame
    regions: pd.DataFrame
    fields: pd.DataFrame
    proximity: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _load_inputs(wh: Warehouse, params: SpecializationParams, tax: Taxonomy, tagging_pid: str | None,
                 person_level: bool = True):
    """works, observations (None unless ``person_level``), authors per work, work fields."""
    where, args = ["w.year IS NOT NULL"], []
    if params.year_from is not None:
        where.append("w.year >= ?")
        args.append(params.year_from)
    if params.year_to is not None:
        where.append("w.year <= ?")
        args.append(params.year_to)
    if not params.include_rejected:
        where.append("coalesce(w.accepted, true)")
    cond = " AND ".join(where)
    works = wh.query(f"SELECT w.work_id, w.source, w.venue, w.year, w.subfield_label FROM works w WHERE {cond}", args)
    join = "LEFT JOIN countries c ON c.iso3 = o.country" if params.level == "region" else ""
    if not person_level:  # counted on an engine (talentflow.engines): only the work-level inputs here
        return works, None, None, _work_fields(wh, params, works, tax, tagging_pid)
    obs = wh.query(f"""
        SELECT o.work_id, o.researcher_id, {_REGION_EXPR[params.level]} AS region, o.weight,
               o.country IS NOT NULL AS located
        FROM observations o JOIN works w ON w.work_id = o.work_id {join}
        WHERE {cond}""", args)
    authors = wh.query(f"""SELECT a.work_id, count(*) AS n_authors FROM authorships a JOIN works w ON w.work_id = a.work_id
                           WHERE {cond} GROUP BY a.work_id""", args)
    return works, obs, authors, _work_fields(wh, params, works, tax, tagging_pid)


def _work_fields(wh: Warehouse, params: SpecializationParams, works: pd.DataFrame, tax: Taxonomy,
                 tagging_pid: str | None) -> pd.DataFrame:
    if params.by == "subfield":
        return assign_fields(works, tax)[["work_id", "field"]]
    wf = wh.query("SELECT work_id, domain AS field FROM work_domains WHERE params_id = ?", [tagging_pid])
    return wf[wf["work_id"].isin(works["work_id"])]


def _engine_counts(wh: Warehouse, params: SpecializationParams, works: pd.DataFrame, fw: pd.DataFrame,
                   engine: EngineParams):
    """The counting on ``engine`` (Spark...): the same aggregates as the pandas counting below, without
    reading observations into Python. Returns cells_long and base as aggregate rows (one per period,
    region and field / period and region: enough for X and T, not for the per-work bootstrap),
    people and region_people, and the number of works credited to some region."""
    from talentflow.engines.relational import RelationalRun

    if params.bootstrap > 0:
        raise ConfigError(f"--engine {engine.engine}: bootstrap intervals resample works and need the per-work "
                          "counts; use --bootstrap 0 with this engine, or --engine duckdb")
    with RelationalRun(wh, engine) as run:
        out = run.specialization_counts(params, fw, works[["work_id", "period"]])
    cells_long = out["cells"].rename(columns={"count": "value"})
    base = out["totals"].rename(columns={"region_total": "share"})
    people = out["people"].set_index(["period", "region", "field"])["n_researchers"]
    region_people = out["region_people"].set_index(["period", "region"])["n_researchers"]
    return cells_long, base, people, region_people, out["counted_works"]


def _names(wh: Warehouse, level: str) -> dict[str, str]:
    if level == "country":
        return dict(wh.execute("SELECT iso3, name FROM countries"))
    if level == "org":
        return dict(wh.execute("SELECT institution_id, name FROM institutions"))
    return {}


def compute_specialization(wh: Warehouse, params: SpecializationParams, tax: Taxonomy | None = None,
                           engine: EngineParams | None = None) -> SpecializationResult:
    """All specialization figures for ``params`` from an open warehouse (nothing written).

    ``engine``: where the counting (fractional counts, bases, distinct researchers) runs; None or
    DuckDB counts here in pandas, Spark counts there (``talentflow.engines``; no bootstrap).
    The figures from the counts on (RCA, indices, complexity) are computed here either way."""
    on_engine = engine is not None and engine.engine != "duckdb"
    tax = tax or load_taxonomy()
    tagging_pid = None
    if params.by == "domain":
        tagging_pid = params.tagging_params_id or _latest_tagging(wh, "keyword")
        params = dataclasses.replace(params, tagging_params_id=tagging_pid, taxonomy_version="")
    else:
        params = dataclasses.replace(params, taxonomy_version=tax.version, tagging_params_id="")
    works, obs, authors, wf = _load_inputs(wh, params, tax, tagging_pid, person_level=not on_engine)
    notes = []
    if works.empty:
        raise ConfigError(f"no works in the warehouse for years {params.year_from}..{params.year_to}")
    if params.by == "subfield":
        unmapped = int((wf["field"] == "unmapped").sum())
        if unmapped:
            notes.append(f"{unmapped:,} works have a venue the taxonomy does not map (field 'unmapped')")
        field_ids = [f for f in tax.field_ids if f in set(wf["field"])] + (["unmapped"] if unmapped else [])
    else:
        field_ids = list(DOMAINS)

    works["period"] = period_labels(works["year"], params.period_length, params.period_origin)
    fw = field_weights(wf, params.multi_domain)
    if on_engine:
        cells_long, base, people, region_people, n_counted = _engine_counts(wh, params, works, fw, engine)
    else:
        shares = work_region_shares(obs, authors, params.counting, params.author_base)
        n_counted = shares["work_id"].nunique()
        period_of = works.set_index("work_id")["period"]
        shares["period"] = shares["work_id"].map(period_of)
        if params.by == "domain" and params.domain_base == "tagged_works":
            base = shares[shares["work_id"].isin(set(fw["work_id"]))]
        else:
            base = shares
        cells_long = shares.merge(fw, on="work_id")
        cells_long["value"] = cells_long["share"] * cells_long["fweight"]
        # Distinct researchers behind each cell (for suppression).
        obs_keyed = obs.dropna(subset=["region"])[["work_id", "researcher_id", "region"]].drop_duplicates()
        obs_keyed["period"] = obs_keyed["work_id"].map(period_of)
        people = obs_keyed.merge(fw[["work_id", "field"]], on="work_id").groupby(
            ["period", "region", "field"])["researcher_id"].nunique().rename("n_researchers")
        region_people = obs_keyed.groupby(["period", "region"])["researcher_id"].nunique().rename("n_researchers")
    n_lost = len(works) - n_counted
    notes.append(f"{len(works):,} works read; {n_lost:,} have no located author with a {params.level} and count at no {params.level}")
    names = _names(wh, params.level)

    cell_frames, region_frames, field_frames, prox_frames = [], [], [], []
    for period in sorted(works["period"].unique()):
        cp = cells_long[cells_long["period"] == period]
        bp = base[base["period"] == period]
        regions = sorted(set(bp["region"]) | set(cp["region"]))
        if not regions:
            continue
        r_index = {r: i for i, r in enumerate(regions)}
        f_index = {f: i for i, f in enumerate(field_ids)}
        R, F = len(regions), len(field_ids)
        cr = cp["region"].map(r_index).to_numpy()
        cf = cp["field"].map(f_index).to_numpy()
        X = np.bincount(cr * F + cf, weights=cp["value"].to_numpy(), minlength=R * F).reshape(R, F)
        T = np.bincount(bp["region"].map(r_index).to_numpy(), weights=bp["share"].to_numpy(), minlength=R)
        rca = rca_matrix(X, T)
        # Presence-matrix measures over regions with enough output.
        big = T >= params.min_region_output
        M = cx.presence(rca[big], params.presence_threshold)
        phi = cx.proximity(M)
        dens = np.full((R, F), np.nan)
        dens[big] = cx.density(M, phi)
        eci = np.full(R, np.nan)
        eci_big, pci = cx.complexity(M, params.complexity_method, params.reflections)
        eci[big] = eci_big
        # Long cells (non-zero ones).
        rr, ff = np.nonzero(X > 0)
        frame = pd.DataFrame({"period": period, "region": [regions[i] for i in rr], "field": [field_ids[j] for j in ff],
                              "count": X[rr, ff], "region_total": T[rr]})
        frame["share"] = frame["count"] / frame["region_total"]
        frame["rca"] = rca[rr, ff]
        frame["presence"] = frame["rca"] >= params.presence_threshold
        frame["density"] = dens[rr, ff]
        frame = frame.join(people, on=["period", "region", "field"])
        frame["n_researchers"] = frame["n_researchers"].fillna(0).astype(int)
        frame["suppressed"] = frame["n_researchers"] < params.min_cell
        frame["small_base"] = frame["count"] < params.min_rank_count
        flat_keep = (rr * F + ff)[~frame["suppressed"].to_numpy()]
        lo = np.full(len(frame), np.nan)
        hi = np.full(len(frame), np.nan)
        if params.bootstrap > 0 and len(flat_keep):
            # sorted: a replicate draws the same works whatever order the query returned them in
            w_ids = pd.Index(sorted(pd.unique(bp["work_id"])))
            cw = w_ids.get_indexer(cp["work_id"])
            ok = cw >= 0
            lo_k, hi_k = bootstrap_rca(cw[ok], (cr * F + cf)[ok], cp["value"].to_numpy()[ok],
                                       w_ids.get_indexer(bp["work_id"]), bp["region"].map(r_index).to_numpy(),
                                       bp["share"].to_numpy(), len(w_ids), R, F, replicates=params.bootstrap,
                                       ci=params.ci, seed=params.seed, keep=flat_keep)
            lo[~frame["suppressed"].to_numpy()] = lo_k
            hi[~frame["suppressed"].to_numpy()] = hi_k
        frame["rca_lo"], frame["rca_hi"] = lo, hi
        cell_frames.append(frame)

        ri = region_indices(X, rca, params.presence_threshold)
        ri.insert(0, "region", regions)
        ri.insert(0, "period", period)
        ri["base_total"] = T
        ri["complexity"] = eci
        ri["in_matrix"] = big
        region_frames.append(ri)
        fi = field_indices(X, T, rca, params.presence_threshold)
        fi.insert(0, "field", field_ids)
        fi.insert(0, "period", period)
        fi["ubiquity"] = M.sum(axis=0).astype(int) if M.size else 0
        fi["complexity"] = pci
        field_frames.append(fi)
        pf = cx.proximity_frame(phi, field_ids)
        pf.insert(0, "period", period)
        prox_frames.append(pf)

    cells = pd.concat(cell_frames, ignore_index=True)
    blank = ["count", "region_total", "share", "rca", "rca_lo", "rca_hi", "density"]
    cells.loc[cells["suppressed"], blank] = np.nan
    cells["presence"] = cells["presence"].astype("boolean").mask(cells["suppressed"])
    cells.insert(0, "level", params.level)
    cells.insert(1, "field_kind", params.by)
    cells.insert(4, "region_name", [names.get(r, r) for r in cells["region"]])
    regions_df = pd.concat(region_frames, ignore_index=True).join(region_people, on=["period", "region"])
    regions_df["n_researchers"] = regions_df["n_researchers"].fillna(0).astype(int)
    regions_df["suppressed"] = regions_df["n_researchers"] < params.min_cell
    regions_df.loc[regions_df["suppressed"], ["output", "base_total", "hhi", "krugman", "entropy", "entropy_norm",
                                              "complexity"]] = np.nan
    regions_df["diversity"] = regions_df["diversity"].astype("Int64").mask(regions_df["suppressed"])
    regions_df.insert(2, "region_name", [names.get(r, r) for r in regions_df["region"]])
    n_supp = int(cells["suppressed"].sum())
    if n_supp:
        notes.append(f"{n_supp:,} cells behind fewer than {params.min_cell} researchers are suppressed (min_cell)")
    from talentflow.store.params import params_id as _pid

    return SpecializationResult(params, _pid("specialization", params), cells, regions_df,
                                pd.concat(field_frames, ignore_index=True), pd.concat(prox_frames, ignore_index=True), notes)


def _store(wh: Warehouse, result: SpecializationResult) -> None:
    wh.apply_schema(TABLES)
    pid = record_params(wh, "specialization", result.params)
    cells = result.cells.assign(params_id=pid)
    with wh.transaction():
        wh.execute("DELETE FROM specialization_cells WHERE params_id = ?", [pid])
        _insert(wh, SPECIALIZATION_CELLS, cells)


def specialization(db: DB = None, params: SpecializationParams | None = None, *,
                   taxonomy: str | Path | None = None, store: bool = True,
                   engine: EngineParams | None = None) -> SpecializationResult:
    """Specialization of regions in fields or domains; the cells are stored (specialization_cells) under the params_id.

    ``engine=EngineParams(engine="spark", spark_master=...)`` counts on Apache Spark (same figures;
    no bootstrap intervals: set ``bootstrap=0``)."""
    params = params or SpecializationParams()
    tax = load_taxonomy(taxonomy)
    read_only = not store and not isinstance(db, Warehouse)
    with opened(db, read_only=read_only) as wh:
        result = compute_specialization(wh, params, tax, engine)
        if store:
            _store(wh, result)
        for frame in (result.cells, result.regions, result.fields, result.proximity):
            stamp(frame, wh, result.params_id)
    return result


# -- profile ---------------------------------------------------------------------------------------

def _resolve_region(cells: pd.DataFrame, query: str) -> tuple[str, list[str]]:
    """The region key a user means: exact key, exact name, else a unique (or the largest) partial match."""
    q = query.strip().casefold()
    table = cells.groupby(["region", "region_name"], as_index=False)["region_total"].max()
    for col in ("region", "region_name"):
        hit = table[table[col].astype(str).str.casefold() == q]
        if len(hit):
            return str(hit["region"].iloc[0]), []
    part = table[table["region_name"].astype(str).str.casefold().str.contains(q, regex=False)
                 | table["region"].astype(str).str.casefold().str.contains(q, regex=False)]
    if part.empty:
        raise ConfigError(f"no region matching {query!r} at this level; examples: {', '.join(table['region'].astype(str).head(8))}")
    part = part.sort_values("region_total", ascending=False)
    others = part["region_name"].iloc[1:].astype(str).tolist()
    return str(part["region"].iloc[0]), others


def profile(db: DB, region: str, params: SpecializationParams | None = None, *,
            taxonomy: str | Path | None = None) -> dict[str, pd.DataFrame | str]:
    """What one region is specialized in, and how that changed.

    Returns ``fields`` (one row per field: output, share, RCA with its interval over the whole
    range, RCA per period, first/last period, slope per year), ``summary`` (the region's output,
    diversity, HHI, Krugman, entropy, complexity per period) and ``region`` / ``note`` strings.
    ``params.period_length`` sets the periods of the trend (default 5 years).
    """
    params = params or SpecializationParams(period_length=5)
    if params.period_length == 0:
        params = dataclasses.replace(params, period_length=5)
    tax = load_taxonomy(taxonomy)
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        whole = compute_specialization(wh, dataclasses.replace(params, period_length=0), tax)
        by_period = compute_specialization(wh, params, tax)
    key, others = _resolve_region(whole.cells.dropna(subset=["region_total"]) if whole.cells["region_total"].notna().any()
                                  else whole.cells, region)
    cells = whole.cells[whole.cells["region"] == key]
    fields = cells[["field", "count", "share", "rca", "rca_lo", "rca_hi", "presence", "density", "n_researchers",
                    "small_base", "suppressed"]]
    labels = tax.fields_frame().set_index("field")["label"] if params.by == "subfield" else pd.Series(dtype=str)
    fields = fields.assign(label=fields["field"].map(labels).fillna(fields["field"]))
    per = by_period.cells[by_period.cells["region"] == key]
    if not per.empty:
        wide = per.pivot_table(index="field", columns="period", values="rca", aggfunc="first")
        wide.columns = [f"rca_{c}" for c in wide.columns]
        fields = fields.merge(wide, left_on="field", right_index=True, how="left")
        trend = rca_trend(per)
        if not trend.empty:
            fields = fields.merge(trend.drop(columns=["region"]), on="field", how="left")
    fields = fields.sort_values(["small_base", "rca"], ascending=[True, False], na_position="last") \
        .reset_index(drop=True)
    summary = by_period.regions[by_period.regions["region"] == key].drop(columns=["in_matrix"])
    summary = pd.concat([whole.regions[whole.regions["region"] == key].drop(columns=["in_matrix"]), summary], ignore_index=True)
    name = str(cells["region_name"].iloc[0]) if len(cells) else key
    note = f"{name} ({key}), level {params.level}, by {params.by}"
    if others:
        note += f"; the query also matched {', '.join(others[:5])} (chose the largest)"
    return {"region": key, "note": note, "fields": fields, "summary": summary.reset_index(drop=True),
            "params_id": by_period.params_id}
