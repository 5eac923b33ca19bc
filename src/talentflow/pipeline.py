"""The one place that composes I/O and computation: fetch -> stage -> resolve -> store.

``ingest`` runs a whole ingest command as ONE transaction: either every file lands, or the
warehouse keeps its previous committed state. A file whose content hash was already ingested
is skipped (re-ingesting changes nothing); a file whose content changed replaces its rows; a
file with the same bytes as another file of the source is skipped as a duplicate (reported, not
counted twice); a file with a file-level reject (corrupt, misnamed) is stored with status
``rejected`` beside the others and tried again on the next ingest.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd

from talentflow.errors import StrictModeError, WarehouseError
from talentflow.fetch import sha256_file
from talentflow.ingest.base import RawFile, Staged
from talentflow.resolve.affiliations import _add_parents, resolve_affiliations, resolve_one
from talentflow.resolve.countries import country_table
from talentflow.resolve.institutions import Resolver, default_resolver
from talentflow.schema.orcid import CAREER_SPELLS
from talentflow.store.warehouse import Warehouse

_FILE_COLUMNS = ["run_id", "source", "upstream", "version", "file", "content_hash", "ingested_at", "status",
                 "n_records", "n_authorships", "n_observations", "n_rejects"]
ProgressFn = Callable[[str, int, int], None]  # (file, index, total)


@dataclass
class IngestSummary:
    run_id: str
    source: str
    files: pd.DataFrame  # one row per file: file, status, n_records, n_authorships, n_observations, n_rejects
    rejects_by_reason: pd.DataFrame = field(default_factory=pd.DataFrame)
    first_rejects: pd.DataFrame = field(default_factory=pd.DataFrame)  # file, locator, field, reason, raw_value
    file_rejects: pd.DataFrame = field(default_factory=pd.DataFrame)  # the same, for file-level rejects

    @property
    def n_rejects(self) -> int:
        return int(self.files["n_rejects"].sum()) if not self.files.empty else 0

    @property
    def rejected_files(self) -> pd.DataFrame:
        """Files not ingested (or only in part) because of a file-level reject: corrupt, unreadable, misnamed."""
        return self.files[self.files["status"] == "rejected"] if not self.files.empty else self.files


FIRST_REJECTS = 5  # rejects named one by one (file, locator, field) by --strict and the CLI report


def describe_reject(r) -> str:
    """'icra/icra2015.json record 3 (id p3) field aff_unique_index: bad_index_entry ('²')'."""
    raw = "" if r.raw_value is None or (isinstance(r.raw_value, float) and pd.isna(r.raw_value)) else f" ({str(r.raw_value)[:80]!r})"
    where = "" if r.locator == "file" else f" {r.locator}"
    what = "" if r.field in (None, "*") else f" field {r.field}"
    return f"{r.file}{where}{what}: {r.reason}{raw}"


STAGED_TABLES = ("works", "researchers", "institutions", "authorships", "observations", "rejects", "career_spells")


def ingest(
    wh: Warehouse,
    source,
    raws: Iterable[RawFile] | None = None,
    *,
    resolver: Resolver | None = None,
    given_rule: str = "upstream",
    strict: bool = False,
    modal_share_min: float = 0.9,
    on_progress: ProgressFn | None = None,
) -> IngestSummary:
    """Ingest the files of ``source`` (or the given ``raws``) into ``wh``; all or nothing.

    Each file is staged, resolved and committed into run-tagged staging tables (``_stage_*``)
    that no reader uses; a final single transaction moves the run's rows into the canonical
    tables with bulk INSERT ... SELECT (which DuckDB writes to disk as it goes, so memory stays
    flat) and deletes them from staging. A failed or killed ingest leaves the canonical tables
    at their previous committed state; its staging rows are removed by the next ingest.
    """
    resolver = resolver or default_resolver()
    raws = list(raws if raws is not None else source.fetch())
    run_id = uuid.uuid4().hex[:12]
    now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    file_rows: list[dict] = []
    skipped: list[dict] = []  # reported, not stored: re-ingesting must leave every table unchanged
    replaced: list[str] = []
    seen_digests: dict[str, str] = {}  # content hash -> file, within this run
    _prepare_staging(wh)
    to_stage: list[tuple[int, RawFile, dict, str | None, str | None]] = []
    streams = None
    try:
        # first which files to stage (a file's hash against the warehouse and this run), then the
        # staging itself, so that a source may stage the chosen files ahead, in parallel (OpenAlex)
        for i, raw in enumerate(raws):
            digest = sha256_file(raw.path)
            if raw.meta.get("stage_key"):  # staged under parameters (OpenAlex filter): new parameters, new content
                digest += f"+{raw.meta['stage_key']}"
            # the file's earlier ingest: under its name, or under the name an older talentflow gave it
            # (a CSV was once named by its base name only; matched by its recorded path, raw.upstream)
            legacy = [n for n in getattr(source, "legacy_names", lambda r: [])(raw) if n != raw.file]
            found = wh.execute(
                "SELECT content_hash, status, file FROM ingest_runs WHERE source = ? "
                "AND (file = ? OR (list_contains(?, file) AND upstream = ?)) "
                "AND status IN ('ok', 'replaced', 'rejected') ORDER BY ingested_at DESC, file = ? DESC LIMIT 1",
                [source.name, raw.file, legacy, raw.upstream, raw.file])
            prior, prior_status, prior_file = found[0] if found else (None, None, None)
            base = {"run_id": run_id, "source": source.name, "upstream": raw.upstream, "version": raw.version,
                    "file": raw.file, "content_hash": digest, "ingested_at": now}
            nothing = {"n_records": 0, "n_authorships": 0, "n_observations": 0, "n_rejects": 0}
            if prior == digest and prior_status != "rejected":  # a rejected file is tried again (its rejects replaced)
                skipped.append({**base, "status": "skipped_unchanged", **nothing})
                continue
            twin = seen_digests.get(digest) or _stored_twin(wh, source.name, prior_file or raw.file, digest)
            if twin is not None:  # the same bytes under another name: ingesting them again would count them twice
                skipped.append({**base, "status": "skipped_duplicate", **nothing, "duplicate_of": twin})
                continue
            seen_digests[digest] = raw.file
            if prior:
                replaced.append(prior_file)
            to_stage.append((i, raw, base, prior, prior_status))
        if hasattr(source, "stage_streams"):
            streams = source.stage_streams([t[1] for t in to_stage])
        elif hasattr(source, "stage_stream"):
            streams = (source.stage_stream(t[1]) for t in to_stage)
        for i, raw, base, prior, prior_status in to_stage:
            if on_progress:
                on_progress(raw.file, i, len(raws))
            if streams is not None:  # large files: staged in batches, memory bounded by the batch
                counts = _stage_batches(wh, source.name, run_id, next(streams), resolver, given_rule)
            else:
                staged = source.stage(raw, raw.path.read_bytes())
                with wh.transaction():
                    counts = _stage_rows(wh, source.name, run_id, staged, resolver, given_rule)
            file_level = counts.pop("n_file_rejects")
            status = "rejected" if file_level else ("replaced" if prior and prior_status != "rejected" else "ok")
            file_rows.append({**base, "status": status, **counts})
        if on_progress:
            on_progress("", len(raws), len(raws))
        reasons = wh.query(
            "SELECT reason, severity, count(*) AS n FROM _stage_rejects WHERE _run = ? GROUP BY ALL ORDER BY n DESC",
            [run_id])
        files = pd.DataFrame(file_rows + skipped, columns=_FILE_COLUMNS + ["duplicate_of"])
        first = wh.query(
            "SELECT file, locator, field, reason, raw_value FROM _stage_rejects WHERE _run = ? ORDER BY rowid LIMIT ?",
            [run_id, FIRST_REJECTS])
        file_level = wh.query(
            "SELECT file, locator, field, reason, raw_value FROM _stage_rejects WHERE _run = ? AND severity = 'file' "
            "ORDER BY rowid", [run_id])
        summary = IngestSummary(run_id, source.name, files, reasons, first, file_level)
        if strict and summary.n_rejects:
            raise StrictModeError(
                f"--strict: {summary.n_rejects} record(s) rejected; nothing was written. "
                f"Reasons: " + ", ".join(f"{r.reason}={r.n}" for r in reasons.itertuples())
                + ". First: " + "; ".join(describe_reject(r) for r in first.itertuples()))
        with wh.transaction():
            _ensure_countries(wh)
            extra = tuple(getattr(source, "observation_sources", ()))
            for file in replaced:
                _delete_file(wh, source.name, file, extra)
            _supersede(wh, run_id, extra)
            _publish(wh, run_id)
            wh.insert("ingest_runs", pd.DataFrame(file_rows, columns=_FILE_COLUMNS))
            _derive_after_load(wh, modal_share_min)
            check_keys(wh, run_id)
    finally:
        if streams is not None and hasattr(streams, "close"):
            streams.close()
        _clear_staging(wh, run_id)
    return summary


def _prepare_staging(wh: Warehouse) -> None:
    """Create the staging tables (canonical columns plus ``_run``, no keys) and drop leftovers of
    earlier runs that never published (killed or failed ingests)."""
    wh.apply_schema((CAREER_SPELLS,))  # an area table (schema.orcid) that ingest writes: created on first ingest
    # a warehouse made before authorships.aff_domain (person-resolution evidence) gets the column, empty
    wh.execute("ALTER TABLE authorships ADD COLUMN IF NOT EXISTS aff_domain VARCHAR")
    for name in STAGED_TABLES:
        wh.execute(f"CREATE TABLE IF NOT EXISTS _stage_{name} AS SELECT *, NULL::VARCHAR AS _run FROM {name} WHERE false")
        wh.execute(f"DELETE FROM _stage_{name}")
    wh.execute("ALTER TABLE _stage_authorships ADD COLUMN IF NOT EXISTS aff_domain VARCHAR")
    # pseudo work ids whose earlier observations this run replaces (OpenAlex author histories)
    wh.execute("CREATE TABLE IF NOT EXISTS _stage_replaced (work_id VARCHAR, _run VARCHAR)")
    wh.execute("DELETE FROM _stage_replaced")


def _clear_staging(wh: Warehouse, run_id: str) -> None:
    for name in STAGED_TABLES:
        wh.execute(f"DELETE FROM _stage_{name} WHERE _run = ?", [run_id])
    if wh.has_table("_stage_replaced"):
        wh.execute("DELETE FROM _stage_replaced WHERE _run = ?", [run_id])


def _publish(wh: Warehouse, run_id: str) -> None:
    """Move one run's staged rows into the canonical tables (inside the caller's transaction)."""
    for name in STAGED_TABLES:
        cols = ", ".join(wh._declared(name).column_names)
        if name == "career_spells":
            # a spell staged twice (a newer copy of the record in a later file) is kept once: the last staged
            wh.execute(f"""
                INSERT INTO {name} ({cols})
                SELECT {cols} FROM (
                    SELECT *, row_number() OVER (PARTITION BY spell_id ORDER BY rowid DESC) AS _k
                    FROM _stage_{name} WHERE _run = ?
                ) WHERE _k = 1""", [run_id])
        elif name in ("researchers", "institutions"):
            key = wh.schema[name].primary_key[0]
            # first-seen wins, both across runs (INSERT OR IGNORE) and within this run (arg_min over rowid)
            wh.execute(f"""
                INSERT OR IGNORE INTO {name} ({cols})
                SELECT {cols} FROM (
                    SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY rowid) AS _k
                    FROM _stage_{name} WHERE _run = ?
                ) WHERE _k = 1""", [run_id])
        else:
            wh.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _stage_{name} WHERE _run = ?", [run_id])


def _stored_twin(wh: Warehouse, source: str, file: str, digest: str) -> str | None:
    """Another file of ``source`` whose current content (its latest ingest) has this hash, if any."""
    found = wh.execute("""
        SELECT file FROM (
            SELECT file, content_hash, status,
                   row_number() OVER (PARTITION BY file ORDER BY ingested_at DESC) AS _k
            FROM ingest_runs WHERE source = ? AND status IN ('ok', 'replaced', 'rejected')
        ) WHERE _k = 1 AND content_hash = ? AND file <> ? AND status <> 'rejected' ORDER BY file LIMIT 1""",
        [source, digest, file])
    return found[0][0] if found else None


def check_keys(wh: Warehouse, run_id: str | None = None) -> None:
    """The declared primary keys hold (DuckDB enforces them only where ``enforce_key``): a violation
    is a bug in talentflow, and raising here rolls the publishing transaction back. With ``run_id``,
    only the works this run staged are checked (the only rows that can newly break a key)."""
    for table in wh.schema:
        if not table.primary_key or table.enforce_key or not wh.has_table(table.name):
            continue
        cols = ", ".join(table.primary_key)
        where, params = "", []
        if run_id is not None and "work_id" in table.primary_key and wh.has_table(f"_stage_{table.name}"):
            where = f"WHERE work_id IN (SELECT work_id FROM _stage_{table.name} WHERE _run = ?)"
            params = [run_id]
        dup = wh.execute(f"SELECT {cols}, count(*) FROM {table.name} {where} GROUP BY ALL HAVING count(*) > 1 LIMIT 1",
                         params)
        if dup:
            raise WarehouseError(f"{table.name}: key ({cols}) = {dup[0][:-1]} appears {dup[0][-1]} times; "
                                 "nothing was written (a talentflow bug: please report it)")


def _stage_batches(wh: Warehouse, source: str, run_id: str, batches: Iterable[Staged], resolver: Resolver,
                   given_rule: str) -> dict:
    """Stage a file its source streams in batches, one transaction per batch (staging rows are not
    published until the run's final transaction, so a file need not be staged atomically; memory
    stays bounded by the batch). A work staged earlier in this run from another file is replaced
    by the later one (a newer version of an OpenAlex record)."""
    totals = {"n_records": 0, "n_authorships": 0, "n_observations": 0, "n_rejects": 0, "n_file_rejects": 0}
    for staged in batches:
        with wh.transaction():
            extra = list(getattr(staged, "replaces", ()))
            replaces = [w["work_id"] for w in staged.works] + extra
            if replaces:
                wh.con.register("_batch_works", pd.DataFrame({"work_id": replaces}))
                try:
                    for name in ("observations", "authorships", "works"):
                        wh.execute(f"DELETE FROM _stage_{name} WHERE _run = ? AND work_id IN (SELECT work_id FROM _batch_works)",
                                   [run_id])
                    if extra:
                        wh.execute("INSERT INTO _stage_replaced SELECT work_id, ? FROM _batch_works "
                                   "WHERE NOT starts_with(work_id, ?)", [run_id, f"{source}:"])
                finally:
                    wh.con.unregister("_batch_works")
            for key, n in _stage_rows(wh, source, run_id, staged, resolver, given_rule).items():
                totals[key] += n
    return totals


def _supersede(wh: Warehouse, run_id: str, observation_sources: tuple[str, ...] = ()) -> None:
    """Works staged by this run replace the same work ids stored earlier from other files; so do
    the career spells it staged (the same iD, kind and put-code: a newer copy of an ORCID entry),
    and the observations of a source's extra observation sources (OpenAlex author histories,
    keyed by a pseudo work id per author)."""
    for name in ("observations", "authorships", "works"):
        wh.execute(f"DELETE FROM {name} WHERE work_id IN (SELECT work_id FROM _stage_works WHERE _run = ?)", [run_id])
    wh.execute("DELETE FROM career_spells WHERE spell_id IN (SELECT spell_id FROM _stage_career_spells WHERE _run = ?)",
               [run_id])
    for extra in observation_sources:
        wh.execute("DELETE FROM observations WHERE source = ? AND work_id IN "
                   "(SELECT work_id FROM _stage_replaced WHERE _run = ?)", [extra, run_id])


def _ensure_countries(wh: Warehouse) -> None:
    if wh.count("countries") == 0:
        wh.insert("countries", pd.DataFrame(country_table()))


def _delete_file(wh, source: str, file: str, observation_sources: tuple[str, ...] = ()) -> None:
    """Remove what an earlier ingest of ``file`` wrote (its content has changed)."""
    wh.execute("DELETE FROM observations WHERE file = ? AND list_contains(?, source)", [file, [source, *observation_sources]])
    # authorships have no source column; their work ids start with the source (CSV rows have no works row)
    wh.execute("DELETE FROM authorships WHERE file = ? AND starts_with(work_id, ?)", [file, f"{source}:"])
    wh.execute("DELETE FROM works WHERE file = ? AND source = ?", [file, source])
    wh.execute("DELETE FROM rejects WHERE file = ? AND source = ?", [file, source])
    wh.execute("DELETE FROM career_spells WHERE file = ? AND source = ?", [file, source])


def _stage_rows(wh: Warehouse, source: str, run_id: str, staged: Staged, resolver: Resolver, given_rule: str) -> dict:
    """Resolve one staged file and write its rows into the staging tables, tagged with ``run_id``."""
    for row in staged.affiliations:
        row["file"] = staged.file
    obs, institutions, resolve_rejects = resolve_affiliations(staged.affiliations, resolver, source=source, given_rule=given_rule)
    for r in resolve_rejects:
        r.file = staged.file
    spells = _resolve_spells(staged, resolver, institutions, resolve_rejects)
    rejects = [r.row() for r in staged.rejects + resolve_rejects]
    frames = {
        "works": (staged.works, {"file": staged.file}),
        "researchers": (staged.researchers, {}),
        "institutions": (list(institutions.values()), {}),
        "authorships": (staged.authorships, {"file": staged.file}),
        "observations": (obs, {"file": staged.file, "source": getattr(staged, "observation_source", None) or source}),
        "rejects": (rejects, {"run_id": run_id, "source": source}),
        "career_spells": (spells, {"file": staged.file, "source": source}),
    }
    for name, (rows, constants) in frames.items():
        if rows:
            frame = pd.DataFrame(rows).assign(**constants, _run=run_id)
            wh.insert(name, frame, into=f"_stage_{name}")
    return {"n_records": staged.n_records, "n_authorships": len(staged.authorships),
            "n_observations": len(obs) + len(spells), "n_rejects": len(rejects),
            "n_file_rejects": sum(r["severity"] == "file" for r in rejects)}


def _resolve_spells(staged: Staged, resolver: Resolver, institutions: dict, rejects: list) -> list[dict]:
    """Raw career spells -> rows of career_spells, institution and ISO3 country resolved by the
    shared resolver (the organization's address country as given, rule ``upstream``); adds the
    institutions they name to ``institutions`` and unknown countries to ``rejects`` (field)."""
    from talentflow.ingest.base import Reject

    out = []
    for row in staged.spells:
        r = resolve_one(resolver, row.get("institution"), row.get("country"), None, None, row.get("city"), None,
                        "upstream")
        if r.unknown_country is not None:
            rejects.append(Reject(staged.file, row["locator"], "country", "unknown_country", r.unknown_country, "field"))
        if r.institution_row is not None and r.institution_id not in institutions:
            institutions[r.institution_id] = r.institution_row
            _add_parents(resolver, r.institution_row, institutions)
        out.append({**row, "institution_id": r.institution_id, "country": r.country, "country_rule": r.country_rule,
                    "city": r.city})
    return out


def _derive_after_load(wh: Warehouse, modal_share_min: float) -> None:
    """Steps that need the whole warehouse.

    - Seat country of institutions the organizations table does not place: their modal country.
    - Observations whose source gave no usable country get the institution's modal country
      (rule ``institution_modal``) when at least ``modal_share_min`` of the institution's
      located observations lie in that country (a multinational company does not qualify).
    - Observations with no city get the institution's city and hub when in the same country,
      for non-companies (a company's city says little about where a given employee works).
    """
    wh.execute("""
        CREATE OR REPLACE TEMP TABLE _inst_mode AS
        -- weights are summed exactly (as decimals: a float sum depends on the order threads add in) and
        -- a tie goes to the alphabetically first country code, so the same input gives the same seat
        -- country on every build (arg_max alone picks any of the tied countries)
        WITH per_country AS (
            SELECT institution_id, country, sum(weight::DECIMAL(38, 12)) AS n FROM observations
            WHERE country IS NOT NULL AND institution_id IS NOT NULL AND country_rule <> 'institution_modal'
            GROUP BY institution_id, country
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY institution_id ORDER BY n DESC, country) AS _rank,
                   n / sum(n) OVER (PARTITION BY institution_id) AS share
            FROM per_country
        )
        SELECT institution_id, country, share::DOUBLE AS share FROM ranked WHERE _rank = 1
    """)
    wh.execute("""
        UPDATE institutions SET country = m.country, seat_rule = 'modal'
        FROM _inst_mode m
        WHERE institutions.institution_id = m.institution_id
          AND (institutions.seat_rule IS NULL OR institutions.seat_rule = 'modal')
    """)
    wh.execute("""
        UPDATE observations SET country = m.country, country_rule = 'institution_modal', place_rule = 'institution_modal'
        FROM _inst_mode m
        WHERE observations.institution_id = m.institution_id AND observations.country IS NULL
          AND observations.place_rule IS DISTINCT FROM 'programme' AND m.share >= ?
    """, [modal_share_min])
    wh.execute("""
        UPDATE observations SET hub = h.hub, city = h.city
        FROM institutions h
        WHERE observations.institution_id = h.institution_id AND observations.hub IS NULL
          AND observations.city IS NULL AND h.country = observations.country AND h.hub IS NOT NULL
          AND h.type <> 'company'
    """)
    wh.execute("DROP TABLE _inst_mode")
