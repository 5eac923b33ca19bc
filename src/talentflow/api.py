"""The Python API: every capability as a function that takes a warehouse (path or object) and
returns DataFrames or result objects. The CLI is a thin layer over these functions.

>>> import talentflow.api as tf
>>> summary = tf.ingest_paperlists("ai.duckdb", venues=("icra",), years=(2019,))   # doctest: +SKIP
>>> tf.table("ai.duckdb", "observations").head()                                  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from talentflow.fetch import cache_dir, mirror_dir, remote_sizes
from talentflow.ingest.csvfile import CsvSource
from talentflow.ingest.paperlists import PaperlistsSource
from talentflow.pipeline import IngestSummary, ProgressFn, ingest
from talentflow.store.checks import run_checks
from talentflow.store.warehouse import DB, Warehouse, opened

def open_warehouse(db: DB = None, read_only: bool = False) -> Warehouse:
    return db if isinstance(db, Warehouse) else Warehouse(db, read_only=read_only)


def ingest_paperlists(db: DB = None, *, venues: tuple[str, ...] | None = None, years: tuple[int, ...] | None = None,
                      strict: bool = False, on_progress: ProgressFn | None = None) -> IngestSummary:
    """Ingest paperlists venue-year files (all, or the given venues and years)."""
    source = PaperlistsSource(venues=venues, years=years)
    with opened(db) as wh:
        return ingest(wh, source, strict=strict, on_progress=on_progress)


def paperlists_download_plan(venues: tuple[str, ...] | None, years: tuple[int, ...] | None) -> tuple[int, int | None] | None:
    """(files to download, total bytes or None) — None when the mirror serves everything."""
    if mirror_dir() is not None:
        return None
    source = PaperlistsSource(venues=venues, years=years)
    root = cache_dir() / source.upstream.name / source.upstream.version
    missing = [f for f in source.files() if not (root / f).is_file()]
    if not missing:
        return None
    return len(missing), remote_sizes([source.upstream.url(f) for f in missing])


def ingest_csv(db: DB, path: str | Path, *, mapping: dict[str, str] | None = None, namespace: str = "csv",
               strict: bool = False, on_progress: ProgressFn | None = None) -> IngestSummary:
    """Ingest a CSV/Parquet file of person-year-organization-country records."""
    source = CsvSource(Path(path), mapping or {}, namespace)
    with opened(db) as wh:
        return ingest(wh, source, given_rule="input", strict=strict, on_progress=on_progress)


def ingest_orcid(db: DB = None, path: str | Path | None = None, *, ids: tuple[str, ...] | list[str] | None = None,
                 base_url: str | None = None, cache: str | Path | None = None, refresh: bool = False,
                 max_retries: int = 5, strict: bool = False, sleep=None, on_progress: ProgressFn | None = None,
                 ) -> IngestSummary:
    """Ingest ORCID v3.0 records: files under ``path`` (a record XML / JSON, a folder, or the public
    data file's summaries .tar.gz, streamed) or, with ``ids``, the public API's records (cached
    under ``cache``, default the talentflow cache). Education and employment entries land in
    ``career_spells``; persons in ``researchers`` as ``orcid:<iD>``."""
    from talentflow.errors import ConfigError
    from talentflow.ingest.orcid import OrcidSource

    if (path is None) == (not ids):
        raise ConfigError("give either a PATH of ORCID records or --api ORCID_ID...")
    source = OrcidSource(Path(path) if path is not None else Path("."))
    raws = None
    if ids:
        import time

        from talentflow.ingest.orcid_api import DEFAULT_BASE_URL, OrcidApiOptions, fetch_records

        opts = OrcidApiOptions(base_url=base_url or DEFAULT_BASE_URL, refresh=refresh, max_retries=max_retries)
        raws = fetch_records(ids, Path(cache) if cache else cache_dir() / "orcid-api", opts,
                             sleep=sleep or time.sleep)
    elif not Path(path).exists():
        raise ConfigError(f"{path}: no such file or folder")
    with opened(db) as wh:
        return ingest(wh, source, raws, strict=strict, on_progress=on_progress)


def table(db: DB, name: str) -> pd.DataFrame:
    """A whole warehouse table as a DataFrame (person-level: for local use, not for publication)."""
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        return wh.table(name)


def status(db: DB = None) -> dict:
    """Row counts, sources and rejects by reason."""
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        counts = wh.counts()
        counts.update({t.name: wh.count(t.name) for t in _ingested_schema(wh) if t.name not in counts})
        tables = pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
        sources = wh.query("""
            SELECT source, version, count(*) AS files, sum(n_records) AS records, sum(n_observations) AS observations,
                   sum(n_rejects) AS rejects, max(ingested_at) AS last_ingest
            FROM ingest_runs GROUP BY ALL ORDER BY source""")
        rejects = wh.query("""
            SELECT source, reason, severity, count(*) AS n FROM rejects GROUP BY ALL ORDER BY n DESC""")
        identity = wh.query("SELECT identity, count(*) AS researchers FROM researchers GROUP BY ALL ORDER BY identity")
        return {"path": str(wh.path or ":memory:"), "tables": tables, "sources": sources, "rejects": rejects,
                "identity": identity, "staging": _staging_leftovers(wh)}


def _staging_leftovers(wh: Warehouse) -> pd.DataFrame:
    """Rows left in the staging tables (``_stage_*``) by an ingest that was killed or failed before
    it published: table, rows, runs (their run ids). Never part of the results; the next ingest
    deletes them (pipeline._prepare_staging)."""
    names = [r[0] for r in wh.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_name LIKE '\\_stage\\_%' ESCAPE '\\' ORDER BY 1")]
    rows = []
    for name in names:
        n, runs = wh.execute(f'SELECT count(*), string_agg(DISTINCT _run, \', \') FROM "{name}"')[0]
        if n:
            rows.append({"table": name, "rows": int(n), "runs": runs or ""})
    return pd.DataFrame(rows, columns=["table", "rows", "runs"])


def check(db: DB = None) -> pd.DataFrame:
    """Run the schema's data checks; one row per check with the number of failing rows."""
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        return run_checks(wh.con, _ingested_schema(wh))


def _ingested_schema(wh: Warehouse):
    """The core tables plus the area tables ingest writes, where this warehouse has them (career_spells)."""
    from talentflow.schema import Schema
    from talentflow.schema.orcid import TABLES as ORCID_TABLES

    extra = tuple(t for t in ORCID_TABLES if t.name not in wh.schema.names and wh.has_table(t.name))
    return Schema(tuple(wh.schema) + extra) if extra else wh.schema


def headline(db: DB = None, *, min_cell: int = 10) -> dict[str, pd.DataFrame]:
    """Headline figures of a warehouse (aggregates only; cells under ``min_cell`` researchers suppressed)."""
    with opened(db, read_only=not isinstance(db, Warehouse)) as wh:
        out = {}
        out["Researchers by country (distinct researchers with an observation there)"] = wh.query("""
            SELECT o.country, c.name, c.wb_region AS region, count(DISTINCT o.researcher_id) AS researchers,
                   round(sum(o.weight), 1) AS weighted_authorships
            FROM observations o LEFT JOIN countries c ON c.iso3 = o.country
            WHERE o.country IS NOT NULL GROUP BY ALL HAVING count(DISTINCT o.researcher_id) >= ?
            ORDER BY researchers DESC LIMIT 15""", [min_cell])
        out["Largest institutions (weighted authorships)"] = wh.query("""
            SELECT i.name, i.type, i.country, count(DISTINCT o.researcher_id) AS researchers,
                   round(sum(o.weight), 1) AS weighted_authorships
            FROM observations o JOIN institutions i USING (institution_id)
            GROUP BY ALL HAVING count(DISTINCT o.researcher_id) >= ?
            ORDER BY weighted_authorships DESC LIMIT 15""", [min_cell])
        return out


def ingest_openalex(db: DB = None, snapshot: str | Path | None = None, *, api: bool = False,
                    work_filter=None, entities: tuple[str, ...] = ("works",),
                    from_year: int | None = None, to_year: int | None = None,
                    subfields: tuple[str, ...] | None = None, topic_scope: str = "primary",
                    api_filter: str | None = None, options=None, batch_size: int = 5000,
                    strict: bool = False, on_progress: ProgressFn | None = None, on_page=None,
                    workers: int | None = None):
    """Ingest OpenAlex works; returns an ``OpenAlexSummary`` (the ingest summary, lines read, AI
    records kept, lines filtered out, rows per second).

    - Snapshot: ``snapshot`` is a folder in the snapshot layout (``data/works/updated_date=.../part_000.gz``);
      partitions are streamed and filtered to AI works by ``work_filter``: a ``WorkFilter`` or tokens such as
      ``("subfields/1702", "subfields/1707", "C154945302")`` (default), or ``("all",)``.
    - API (``api=True``): works whose primary topic lies in ``subfields`` (default 1702, 1707), published
      ``from_year``..``to_year``, plus ``api_filter`` (OpenAlex filter syntax); ``options`` (an ``ApiOptions``)
      sets the base URL, API key, mailto, retries and page budget. Pages are cached: a rerun resumes.
    - ``workers``: snapshot partitions staged in this many processes (default: the cores; 1: serial).
    """
    import time

    from talentflow.errors import ConfigError
    from talentflow.ingest.openalex import OpenAlexSummary, SnapshotSource, WorkFilter
    from talentflow.ingest.openalex_api import ApiOptions, ApiQuery, ApiSource
    from talentflow.store.params import record_params

    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ConfigError(f"--batch-size {batch_size!r}: expected a whole number of works of at least 1 (e.g. 5000)")
    if api == (snapshot is not None):
        raise ConfigError("give either a snapshot folder or api=True (not both, not neither)")
    if api:
        if work_filter or set(entities) - {"works", "authors"} or "works" not in entities:
            raise ConfigError("work_filter and entities other than works,authors are snapshot options; the API lists "
                              "works (and, with entities works,authors, their authors): use subfields and api_filter")
        query = ApiQuery(from_year=from_year, to_year=to_year, subfields=tuple(subfields or ("1702", "1707")),
                         topic_scope=topic_scope, extra_filter=api_filter)
        source = ApiSource(query, options or ApiOptions(), batch_size=batch_size, on_page=on_page,
                           authors="authors" in entities)
    else:
        if subfields or api_filter:
            raise ConfigError("subfields and api_filter are API options; for a snapshot use filter (e.g. subfields/1702)")
        flt = work_filter if isinstance(work_filter, WorkFilter) else WorkFilter.parse(
            work_filter, topic_scope=topic_scope, from_year=from_year, to_year=to_year)
        if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
            raise ConfigError(f"--workers {workers!r}: expected a whole number of processes of at least 1")
        source = SnapshotSource(Path(snapshot), flt, tuple(entities), batch_size=batch_size, workers=workers)
    start = time.perf_counter()
    with opened(db) as wh:
        summary = ingest(wh, source, strict=strict, on_progress=on_progress)
        pid = record_params(wh, "openalex_filter", source.flt)
    return OpenAlexSummary.of(summary, source.stats, time.perf_counter() - start, pid, getattr(source, "report", None))
