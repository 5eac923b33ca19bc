"""The pipeline's relational steps on an engine, from a warehouse.

One definition, two engines: the steps are the SQL of ``talentflow.inference`` (staging,
observed years, spells, residence, events) plus the flow and specialization-count steps below,
all in the portable DuckDB dialect. ``RelationalRun`` hands the warehouse's input tables to an
engine (DuckDB reads them in place; Spark gets them through Parquet files) and runs the steps
there; results come back as DataFrames (aggregates) or Parquet files (person-level tables).

The flow steps reproduce ``talentflow.metrics.flows`` (which reads stored events with pandas):
the same moves per level, counted per origin, destination and year; bucketing into periods,
organization names, ordering and small-cell suppression are then applied to the small
aggregate by the same function there (``metrics.flows.od_table``). The specialization-count steps reproduce the fractional counting of
``talentflow.metrics.specialization`` (X[r, f] and T[r] per period).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from talentflow.engines.base import Engine, EngineParams, open_engine
from talentflow.inference.engine import inference_steps, obs_view_sql
from talentflow.inference.params import InferenceParams
from talentflow.inference.run import identity_filter
from talentflow.metrics.common import Selection, organization_groups
from talentflow.metrics.flows import FlowParams, od_table
from talentflow.metrics.specialization import SpecializationParams
from talentflow.store.warehouse import Warehouse

PREFIX = "_tf_"

# The warehouse tables (and columns) the steps read: what is handed to Spark.
INPUTS: dict[str, tuple[str, ...]] = {
    "observations": ("researcher_id", "work_id", "year", "country", "institution_id", "hub", "weight"),
    "researchers": ("researcher_id", "namespace", "identity"),
    "institutions": ("institution_id", "name", "type", "country", "parent_id"),
    "countries": ("iso3", "name", "wb_region"),
    "works": ("work_id", "source", "venue", "year", "subfield_label", "accepted"),
    "authorships": ("researcher_id", "work_id"),
}


def _quote_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


# -- step definitions (pure: parameters -> SQL) ---------------------------------------------------

def staging_steps(p: InferenceParams, prefix: str = PREFIX) -> list[tuple[str, str]]:
    """The observations the inference reads (years, identity) and the institutions' types."""
    if p.identity == "resolved":
        from talentflow.errors import ConfigError

        raise ConfigError("--identity resolved runs on the duckdb engine only (the persons join is not ported)")
    if p.method != "rules":
        from talentflow.errors import ConfigError

        raise ConfigError(f"--method {p.method} runs on the duckdb engine only: this engine runs the rules only (the "
                          "residence model is numpy, not SQL), so it cannot infer or recompute a model run's careers; "
                          "use --engine duckdb (flows read the stored events), or a run of `talentflow infer --method "
                          "rules`")
    return [(prefix + "obs", obs_view_sql("observations o", p, identity_filter(p))),
            (prefix + "inst", "SELECT institution_id, type FROM institutions")]


def pipeline_steps(p: InferenceParams, prefix: str = PREFIX) -> list[tuple[str, str]]:
    """Staging, then residence and events (``_tf_residence``, ``_tf_events``)."""
    return staging_steps(p, prefix) + inference_steps(p, prefix + "obs", prefix + "inst", prefix)


def moves_sql(fp: FlowParams, sel: Selection, events: str, groups: str | None = None) -> str:
    """One row per move at ``fp.level``: researcher_id, origin, destination, year (= year_to)."""
    where = f"{sel.researcher_filter('e.researcher_id')} AND {sel.year_filter('e.year_to')}"
    if fp.level == "country":
        return (f"SELECT e.researcher_id, e.origin, e.destination, e.year_to AS year FROM {events} e "
                f"WHERE e.kind = 'country' AND e.event_type IN ({_quote_list(fp.event_types)}) AND {where}")
    if fp.level == "region":
        return (f"SELECT e.researcher_id, coalesce(co.wb_region, '(unknown region)') AS origin, "
                f"coalesce(cd.wb_region, '(unknown region)') AS destination, e.year_to AS year FROM {events} e "
                f"LEFT JOIN countries co ON co.iso3 = e.origin LEFT JOIN countries cd ON cd.iso3 = e.destination "
                f"WHERE e.kind = 'country' AND e.event_type IN ({_quote_list(fp.event_types)}) AND {where}")
    if fp.level == "hub":
        inner = (f"SELECT e.researcher_id, coalesce(e.origin_hub, 'other ' || coalesce(e.origin_country, '?')) AS origin, "
                 f"coalesce(e.destination_hub, 'other ' || coalesce(e.destination_country, '?')) AS destination, "
                 f"e.year_to AS year FROM {events} e WHERE e.kind = 'institution' AND {where}")
    elif fp.fold_parents and groups:
        inner = (f"SELECT e.researcher_id, coalesce(go.group_id, e.origin) AS origin, "
                 f"coalesce(gd.group_id, e.destination) AS destination, e.year_to AS year FROM {events} e "
                 f"LEFT JOIN {groups} go ON go.institution_id = e.origin "
                 f"LEFT JOIN {groups} gd ON gd.institution_id = e.destination "
                 f"WHERE e.kind = 'institution' AND {where}")
    else:
        inner = (f"SELECT e.researcher_id, e.origin, e.destination, e.year_to AS year FROM {events} e "
                 f"WHERE e.kind = 'institution' AND {where}")
    return f"SELECT * FROM ({inner}) m WHERE m.origin IS DISTINCT FROM m.destination"


def flow_count_sql(fp: FlowParams, sel: Selection, events: str, groups: str | None = None) -> str:
    """Moves counted per origin, destination and year (the engine-side aggregate)."""
    return (f"SELECT origin, destination, CAST(year AS INTEGER) AS year, count(*) AS n "
            f"FROM ({moves_sql(fp, sel, events, groups)}) mv GROUP BY origin, destination, year")


_REGION = {"country": "o.country", "region": "c.wb_region", "hub": "o.hub", "org": "o.institution_id"}


def specialization_count_steps(sp: SpecializationParams, work_fields: str, work_periods: str,
                               prefix: str = PREFIX) -> list[tuple[str, str]]:
    """Fractional (or full) counts X[period, region, field], bases T[period, region] and the
    distinct researchers behind each, as in ``specialization_api.compute_specialization``.

    ``work_fields`` (work_id, field, fweight) and ``work_periods`` (work_id, period) are the
    works in scope with their fields and period labels (computed from the taxonomy or tags).
    """
    obs, den, shares = prefix + "sp_obs", prefix + "sp_den", prefix + "sp_shares"
    join = "LEFT JOIN countries c ON c.iso3 = o.country" if sp.level == "region" else ""
    steps = [(obs, f"""SELECT o.work_id, o.researcher_id, {_REGION[sp.level]} AS region, o.weight,
                          o.country IS NOT NULL AS located
                   FROM observations o JOIN {work_periods} w ON w.work_id = o.work_id {join}""")]
    if sp.counting == "full":
        steps.append((shares, f"SELECT DISTINCT work_id, region, CAST(1.0 AS DOUBLE) AS share FROM {obs} "
                              "WHERE region IS NOT NULL"))  # DOUBLE: a bare 1.0 is a DECIMAL on Spark
    else:
        if sp.author_base == "located":
            # Each located author gets 1 / (located authors), split over their located affiliations by weight.
            aw = prefix + "sp_aw"
            steps.append((aw, f"SELECT work_id, researcher_id, sum(weight) AS aw FROM {obs} WHERE located "
                              "GROUP BY work_id, researcher_id"))
            steps.append((den, f"SELECT work_id, count(*) AS n FROM {aw} GROUP BY work_id"))
            steps.append((shares, f"""SELECT k.work_id, k.region, sum(k.weight / a.aw / d.n) AS share
                   FROM {obs} k JOIN {aw} a ON a.work_id = k.work_id AND a.researcher_id = k.researcher_id
                   JOIN {den} d ON d.work_id = k.work_id
                   WHERE k.located AND k.region IS NOT NULL GROUP BY k.work_id, k.region"""))
        else:
            steps.append((den, f"SELECT a.work_id, count(*) AS n FROM authorships a JOIN {work_periods} w "
                               "ON w.work_id = a.work_id GROUP BY a.work_id"))
            steps.append((shares, f"""SELECT k.work_id, k.region, sum(k.weight / d.n) AS share
                   FROM {obs} k JOIN {den} d ON d.work_id = k.work_id
                   WHERE k.region IS NOT NULL AND d.n > 0 GROUP BY k.work_id, k.region"""))
    base_filter = (f"WHERE s.work_id IN (SELECT work_id FROM {work_fields})"
                   if sp.by == "domain" and sp.domain_base == "tagged_works" else "")
    steps += [
        (prefix + "sp_cells", f"""SELECT w.period, s.region, f.field, sum(s.share * f.fweight) AS count
                   FROM {shares} s JOIN {work_fields} f ON f.work_id = s.work_id
                   JOIN {work_periods} w ON w.work_id = s.work_id GROUP BY w.period, s.region, f.field"""),
        (prefix + "sp_totals", f"""SELECT w.period, s.region, sum(s.share) AS region_total
                   FROM {shares} s JOIN {work_periods} w ON w.work_id = s.work_id {base_filter}
                   GROUP BY w.period, s.region"""),
        (prefix + "sp_people", f"""SELECT w.period, k.region, f.field, count(DISTINCT k.researcher_id) AS n_researchers
                   FROM {obs} k JOIN {work_fields} f ON f.work_id = k.work_id
                   JOIN {work_periods} w ON w.work_id = k.work_id
                   WHERE k.region IS NOT NULL GROUP BY w.period, k.region, f.field"""),
        (prefix + "sp_region_people", f"""SELECT w.period, k.region, count(DISTINCT k.researcher_id) AS n_researchers
                   FROM {obs} k JOIN {work_periods} w ON w.work_id = k.work_id
                   WHERE k.region IS NOT NULL GROUP BY w.period, k.region"""),
    ]
    return steps


# -- running on an engine (the edge) ----------------------------------------------------------------

@dataclass
class RelationalRun:
    """An engine holding a warehouse's input tables, ready to run steps on them.

    With DuckDB the steps run in the warehouse's own connection (inputs read in place); with
    Spark the input tables are written once to Parquet under the engine's work folder and
    registered as temporary views of the same names.
    """

    wh: Warehouse
    params: EngineParams = field(default_factory=EngineParams)
    engine: Engine | None = None
    _loaded: set = field(default_factory=set)
    _steps: list = field(default_factory=list)
    _inferred: InferenceParams | None = None

    def __enter__(self) -> "RelationalRun":
        self.engine = open_engine(self.params, self.wh.con)
        return self

    def __exit__(self, *exc) -> None:
        if self.engine is not None:
            if self.params.engine == "duckdb":
                self.engine.drop([n for n, _ in self._steps] + sorted(self._loaded))
            self.engine.close()

    def need(self, *tables: str) -> None:
        """Hand the named warehouse tables (INPUTS) to the engine, once."""
        if self.params.engine == "duckdb":
            return
        for name in tables:
            if name in self._loaded:
                continue
            cols = ", ".join(INPUTS[name])
            path = Path(self.engine.work_dir) / "inputs" / f"in{name}.parquet"  # Spark skips files named _*
            path.parent.mkdir(parents=True, exist_ok=True)
            self.wh.execute(f"COPY (SELECT {cols} FROM {name}) TO '{path}' (FORMAT parquet)")
            self.engine.load_parquet(name, path)
            self._loaded.add(name)

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        """Hand a small DataFrame (e.g. organization groups) to the engine as ``name``."""
        if self.params.engine == "duckdb":
            self.wh.con.register(f"{name}_df", frame)
            self.run([(name, f"SELECT * FROM {name}_df")])
            self.wh.con.unregister(f"{name}_df")
            return
        path = Path(self.engine.work_dir) / "inputs" / f"in{name}.parquet"  # Spark skips files named _*
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)
        self.engine.load_parquet(name, path)
        self._loaded.add(name)

    def run(self, steps: list[tuple[str, str]]) -> None:
        self.engine.run_steps(steps)
        self._steps.extend(steps)

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.engine.fetch(sql)

    def export(self, relation: str, columns: tuple[str, ...], name: str) -> Path:
        """Write ``relation``'s ``columns`` as Parquet under the engine's work folder (a folder of
        part files with Spark): how person-level tables leave the engine without passing through
        the driver. Read it back with ``read_parquet('<path>/*.parquet')``. Not for DuckDB (its
        relations live in the warehouse connection already)."""
        if self.params.engine == "duckdb":
            raise ValueError("export: DuckDB relations are read in place")
        path = Path(self.engine.work_dir) / "out" / name
        return self.engine.to_parquet(f"SELECT {', '.join(columns)} FROM {relation}", path)

    # -- the pipeline's stages ------------------------------------------------------------------
    def infer(self, p: InferenceParams) -> tuple[str, str]:
        """Staging -> residence -> events (once per parameter set); returns the residence and events relations."""
        if self._inferred != p:
            self.need("observations", "researchers", "institutions")
            self.run(pipeline_steps(p))
            self._inferred = p
        return PREFIX + "residence", PREFIX + "events"

    def flows(self, p: InferenceParams, sel: Selection, fp: FlowParams) -> pd.DataFrame:
        """Flows computed from the observations on this engine (inference included)."""
        _, events = self.infer(p)
        groups = names = None
        if fp.level in ("region",):
            self.need("countries")
        if fp.level == "org":
            inst = self.wh.query("SELECT institution_id, name, type, country, parent_id FROM institutions")
            names = dict(zip(inst["institution_id"], inst["name"]))
            if fp.fold_parents:
                groups = PREFIX + "groups"
                self.frame(groups, organization_groups(inst)[["institution_id", "group_id"]])
        counts = self.fetch(flow_count_sql(fp, sel, events, groups))
        return od_table(counts, fp, sel.year_from, names)

    def specialization_counts(self, sp: SpecializationParams, work_fields: pd.DataFrame,
                              work_periods: pd.DataFrame) -> dict[str, pd.DataFrame | int]:
        """cells (period, region, field, count), totals (period, region, region_total), people
        (period, region, field, n_researchers: distinct researchers behind a cell), region_people
        (period, region, n_researchers) and counted_works (works credited to some region)."""
        self.need("observations", "authorships", "countries")
        wf, wp = PREFIX + "sp_fields", PREFIX + "sp_periods"
        self.frame(wf, work_fields[["work_id", "field", "fweight"]])
        self.frame(wp, work_periods[["work_id", "period"]])
        self.run(specialization_count_steps(sp, wf, wp))
        return {"cells": self.fetch(f"SELECT * FROM {PREFIX}sp_cells"),
                "totals": self.fetch(f"SELECT * FROM {PREFIX}sp_totals"),
                "people": self.fetch(f"SELECT * FROM {PREFIX}sp_people"),
                "region_people": self.fetch(f"SELECT * FROM {PREFIX}sp_region_people"),
                "counted_works": int(self.fetch(f"SELECT count(DISTINCT work_id) AS n FROM {PREFIX}sp_shares")
                                     ["n"].iloc[0])}


def engine_flows(wh: Warehouse, sel: Selection, p: InferenceParams, fp: FlowParams,
                 params: EngineParams) -> pd.DataFrame:
    with RelationalRun(wh, params) as run:
        return run.flows(p, sel, fp)
