"""Person resolution over a warehouse: ``resolve`` (link and store the ``persons`` table) and
``listing`` (one row per person x source identity). See talentflow.persons and docs/persons.md."""

from __future__ import annotations

import time

import pandas as pd

from talentflow.errors import ConfigError, WarehouseError
from talentflow.persons.params import KIND, PersonsParams
from talentflow.schema.persons import PERSONS
from talentflow.store.params import record_params, stamp
from talentflow.store.warehouse import DB, Warehouse, opened


def _need_splink() -> None:
    try:
        import splink  # noqa: F401
    except ImportError:
        raise ConfigError("person resolution needs splink: pip install 'talentflow[persons]'") from None


def resolve(db: DB, params: PersonsParams | None = None) -> dict:
    """Link every authorship of the warehouse to a person and store the result in ``persons``
    (replacing an earlier resolution). Returns counts and per-step wall times."""
    from talentflow.persons.features import linkage_records
    from talentflow.persons.link import assign, link

    _need_splink()
    p = params or PersonsParams()
    started = time.perf_counter()
    with opened(db) as wh:
        wh.require("authorships", "researchers")
        t = time.perf_counter()
        if wh.count("authorships") == 0:
            raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no authorships; ingest some first")
        records = linkage_records(wh)
        seconds = {"records": time.perf_counter() - t}
        if records.empty:  # CSV input only: its person keys are kept, nothing to link
            linked = {"links": pd.DataFrame(), "seconds": {}}
            out = pd.DataFrame(columns=["work_id", "author_position", "researcher_id", "person_id",
                                        "match_probability", "evidence"])
        else:
            linked = link(records, p)
            seconds.update(linked["seconds"])
            out = assign(records, linked)
        t = time.perf_counter()
        wh.apply_schema((PERSONS,))
        with wh.transaction():
            pid = record_params(wh, KIND, p)
            wh.execute("DELETE FROM persons")
            wh.insert("persons", out.assign(params_id=pid))
        seconds["write"] = time.perf_counter() - t
    n_src = out["researcher_id"].nunique()
    n_per = out["person_id"].nunique()
    return {"params_id": pid, "authorships": len(out), "source_ids": n_src, "persons": n_per,
            "links": len(linked["links"]), "seconds": round(time.perf_counter() - started, 1),
            "step_seconds": {k: round(v, 1) for k, v in seconds.items()}}


def has_persons(wh: Warehouse) -> bool:
    return wh.has_table("persons") and wh.count("persons") > 0


def listing(db: DB) -> pd.DataFrame:
    """One row per (person, source identity): person, source_id, name, namespace, authorships of the
    source id in this person, all authorships of the source id, authorships and source ids of the
    person, mean match probability, first and last year."""
    with opened(db, read_only=True) as wh:
        if not has_persons(wh):
            raise WarehouseError(f"the warehouse {wh.path or ':memory:'} has no persons table yet: run "
                                 "`talentflow link` first")
        pid = wh.execute("SELECT any_value(params_id) FROM persons")[0][0]
        frame = wh.query("""
            WITH p AS (SELECT p.*, a.year FROM persons p
                       LEFT JOIN authorships a USING (work_id, author_position))
            SELECT p.person_id AS person, p.researcher_id AS source_id, r.name, r.namespace,
                   count(*) AS authorships,
                   any_value(src.n) AS source_authorships,
                   any_value(per.n) AS person_authorships,
                   any_value(per.k) AS person_source_ids,
                   avg(p.match_probability) AS match_probability,
                   min(p.year) AS first_year, max(p.year) AS last_year
            FROM p
            LEFT JOIN researchers r USING (researcher_id)
            JOIN (SELECT researcher_id, count(*) AS n FROM persons GROUP BY ALL) src USING (researcher_id)
            JOIN (SELECT person_id, count(*) AS n, count(DISTINCT researcher_id) AS k FROM persons GROUP BY ALL) per
                 USING (person_id)
            GROUP BY ALL
            ORDER BY person, source_id""")
        return stamp(frame, wh, pid)
