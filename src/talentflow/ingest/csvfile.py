"""Generic person-year-organization-country records from CSV or Parquet (HR, CV, LinkedIn-style exports).

Required columns (after ``mapping``): ``person``, ``year``, ``org``, ``country``.
Optional: ``name``, ``stage`` (career stage / position), ``org_type`` (education, company,
government, facility, nonprofit, other), ``city``, ``subfield``.
Countries may be ISO2, ISO3 or English names. Every row is one observation; a row whose
person or year is unusable is rejected whole, a bad country or organization type is a field
reject (the row is kept without it).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from talentflow.errors import ConfigError, InputError
from talentflow.ingest.base import RawFile, Staged
from talentflow.ingest.csvread import read_records
from talentflow.schema.tables import INSTITUTION_TYPES

SOURCE = "csv"
REQUIRED = ("person", "year", "org", "country")
OPTIONAL = ("name", "stage", "org_type", "city", "subfield")
MIN_YEAR = 1900
YEAR_RE = re.compile(r"^[+]?[0-9]{1,4}(\.0*)?$")
BATCH_ROWS = 50_000  # rows staged per batch: memory is bounded by the batch, not the file


def target_columns(columns: list[str], mapping: dict[str, str], file: str) -> list[str]:
    """The file's column names renamed to talentflow's (mapping: target -> source column), lower case."""
    unknown_targets = set(mapping) - set(REQUIRED) - set(OPTIONAL)
    if unknown_targets:
        raise ConfigError(f"--map: unknown target column(s) {sorted(unknown_targets)}; "
                          f"targets are {', '.join(REQUIRED + OPTIONAL)}")
    missing_sources = [src for src in mapping.values() if src not in columns]
    if missing_sources:
        raise InputError(f"{file}: --map names column(s) {missing_sources} that the file lacks; "
                         f"it has {list(columns)}")
    rename = {src: tgt for tgt, src in mapping.items()}
    names = [rename.get(c, c).strip().lower() for c in columns]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        sep = next((c for c in (";", "\t", "|") if len(columns) == 1 and c in columns[0]), None)
        hint = (f" The header is one column holding {sep!r}: the file seems {sep!r}-separated; talentflow reads "
                "comma-separated files (re-export as CSV)." if sep else "")
        raise InputError(f"{file}: missing required column(s) {missing}; it has {list(columns)}. "
                         f"Map yours with --map person=<col>,year=<col>,org=<col>,country=<col>.{hint}")
    used = [c for c in REQUIRED + OPTIONAL if names.count(c) > 1]
    if used:
        raise InputError(f"{file}: column(s) {used} appear more than once (after --map); keep one of each")
    return names


def file_key(raw: RawFile) -> str:
    """The part of a CSV row's work id that names its file: the stem and a hash of the file's identity
    (``raw.file``, its resolved path), so people.csv in two folders, or people.csv and people.parquet,
    never share work ids."""
    return f"{Path(raw.file).stem}-{hashlib.sha256(raw.file.encode()).hexdigest()[:8]}"


class _RowStager:
    """Stages rows (dicts keyed by talentflow column names) of one file into ``Staged`` batches."""

    def __init__(self, raw: RawFile, columns: list[str], namespace: str, max_year: int | None):
        self.raw, self.namespace = raw, namespace
        self.max_year = max_year or _dt.date.today().year + 1
        self.has = {c: c in columns for c in OPTIONAL}
        self.key = file_key(raw)
        self.out = Staged(file=raw.file)

    def take(self) -> Staged:
        out, self.out = self.out, Staged(file=self.raw.file)
        return out

    def reject(self, loc: str, field_: str, reason: str, raw) -> None:
        self.out.n_records += 1
        self.out.reject(loc, field_, reason, raw)

    def row(self, rec: dict, loc: str, n: int) -> None:
        out = self.out
        out.n_records += 1
        person = (rec["person"] or "").strip()
        if not person:
            out.reject(loc, "person", "empty_person", rec["person"])
            return
        year_txt = (rec["year"] or "").strip()
        if not YEAR_RE.match(year_txt):
            out.reject(loc, "year", "wrong_type", year_txt)
            return
        year = int(float(year_txt))
        if not MIN_YEAR <= year <= self.max_year:
            out.reject(loc, "year", "implausible_year", year_txt)
            return
        has = self.has
        org_type = (rec.get("org_type") or "").strip().lower() if has["org_type"] else ""
        if org_type and org_type not in INSTITUTION_TYPES:
            out.reject(loc, "org_type", "unknown_org_type", org_type, "field")
            org_type = ""
        work_id = f"{SOURCE}:{self.key}:{n}"
        rid = f"{self.namespace}:{person}"
        name = (rec.get("name") or "").strip() if has["name"] else ""
        out.researchers.append({"researcher_id": rid, "source_key": person, "namespace": self.namespace,
                                "name": name or None, "identity": "stable_id"})
        if has["subfield"] and (rec.get("subfield") or "").strip():
            out.works.append({"work_id": work_id, "source": SOURCE, "venue": None, "year": year, "title": None,
                              "abstract": None, "subfield_label": rec["subfield"].strip(), "status": None, "accepted": True})
        org = (rec["org"] or "").strip() or None
        country = (rec["country"] or "").strip() or None
        out.authorships.append({"researcher_id": rid, "work_id": work_id, "author_position": 1, "year": year,
                                "n_affiliations": 1 if (org or country) else 0})
        if not (org or country):
            out.reject(loc, "org", "no_affiliation", "", "field")
            return
        out.affiliations.append({
            "researcher_id": rid, "work_id": work_id, "year": year, "aff_seq": 0, "weight": 1.0,
            "stage": ((rec.get("stage") or "").strip() or None) if has["stage"] else None,
            "institution": org, "country": country, "address": None, "domain": None, "locator": loc,
            "org_type": org_type or None, "city": ((rec.get("city") or "").strip() or None) if has["city"] else None,
        })


def stage_csv(raw: RawFile, fh: BinaryIO, *, mapping: dict[str, str] | None = None, namespace: str = "csv",
              max_year: int | None = None, batch_rows: int = BATCH_ROWS) -> Iterator[Staged]:
    """A CSV file (an open binary stream) -> batches of staged rows and rejects; a row that cannot be
    read (bad bytes, an unterminated quote, too many fields...) is a reject with its line number."""
    mapping = mapping or {}
    found: dict[str, list[str]] = {}

    def watched(header: list[str]) -> set[int]:  # the columns talentflow reads hold no line breaks
        found["columns"] = target_columns(header, mapping, raw.file)
        return {i for i, c in enumerate(found["columns"]) if c in REQUIRED + OPTIONAL}

    _, records = read_records(fh, raw.file, watched=watched)
    columns = found["columns"]
    stager = _RowStager(raw, columns, namespace, max_year)
    for rec in records:
        if rec.cells is None:
            stager.reject(rec.locator, rec.problem.field, rec.problem.reason, rec.problem.raw)
        else:
            stager.row(dict(zip(columns, rec.cells)), rec.locator, rec.first)
        if stager.out.n_records >= batch_rows:
            yield stager.take()
    yield stager.take()


# Parquet column types that hold a value talentflow can read as text (a struct, list or map cannot).
def _readable(pa_type) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(pa_type):
        return _readable(pa_type.value_type)
    return (pa.types.is_string(pa_type) or pa.types.is_large_string(pa_type) or pa.types.is_integer(pa_type)
            or pa.types.is_floating(pa_type) or pa.types.is_boolean(pa_type) or pa.types.is_null(pa_type))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def stage_parquet(raw: RawFile, path: Path, *, mapping: dict[str, str] | None = None, namespace: str = "csv",
                  max_year: int | None = None, batch_rows: int = BATCH_ROWS) -> Iterator[Staged]:
    """A Parquet file -> batches of staged rows, read ``batch_rows`` rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{raw.file}: cannot read as Parquet: {exc}") from exc
    names = pf.schema_arrow.names
    columns = target_columns(names, mapping or {}, raw.file)
    used = [(src, tgt) for src, tgt in zip(names, columns) if tgt in REQUIRED + OPTIONAL]
    for src, tgt in used:
        typ = pf.schema_arrow.field(src).type
        if not _readable(typ):
            raise InputError(f"{raw.file}: column {src!r} ({tgt}) is {typ}; expected text or numbers, one value per row")
        if tgt == "person" and pa.types.is_floating(typ):
            raise InputError(f"{raw.file}: column {src!r} (person) is {typ}; ids must be text or integers "
                             "(a float id loses digits and turns 7 into 7.0)")
    stager = _RowStager(raw, columns, namespace, max_year)
    n = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_rows, columns=[src for src, _ in used]):
            for values in zip(*(batch.column(i).to_pylist() for i in range(batch.num_columns))):
                n += 1
                stager.row({tgt: _text(v) for (_, tgt), v in zip(used, values)}, f"row {n}", n)
            yield stager.take()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{raw.file}: row {n + 1}: cannot read the Parquet data: {exc}") from exc
    yield stager.take()


def stage(raw: RawFile, data: bytes, *, mapping: dict[str, str] | None = None, namespace: str = "csv",
          max_year: int | None = None) -> Staged:
    """Pure: the bytes of one CSV/Parquet file -> staged rows and rejects (one batch; for tests and small files)."""
    import io

    if data[:4] == b"PAR1":
        batches: Iterable[Staged] = stage_parquet(raw, io.BytesIO(data), mapping=mapping, namespace=namespace,
                                                  max_year=max_year, batch_rows=1 << 62)
    else:
        batches = stage_csv(raw, io.BytesIO(data), mapping=mapping, namespace=namespace, max_year=max_year,
                            batch_rows=1 << 62)
    out = Staged(file=raw.file)
    for b in batches:
        out.n_records += b.n_records
        for name in ("works", "researchers", "authorships", "affiliations", "rejects"):
            getattr(out, name).extend(getattr(b, name))
    return out


def is_parquet(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


@dataclass(frozen=True)
class CsvSource:
    path: Path
    mapping: dict[str, str] = field(default_factory=dict)
    namespace: str = "csv"
    name: str = SOURCE

    def fetch(self, progress: bool = True) -> Iterator[RawFile]:
        path = Path(self.path)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        resolved = str(path.resolve())
        # a file is its resolved path: people.csv in two folders are two files
        yield RawFile(SOURCE, resolved, path, resolved, None)

    def legacy_names(self, raw: RawFile) -> list[str]:
        """Names an older talentflow gave this file (its base name), for re-ingest into an old warehouse."""
        return [Path(raw.file).name]

    def stage_stream(self, raw: RawFile) -> Iterator[Staged]:
        """Batches of at most BATCH_ROWS rows, read from disk as they are staged."""
        if is_parquet(raw.path):
            yield from stage_parquet(raw, raw.path, mapping=self.mapping, namespace=self.namespace)
            return
        with open(raw.path, "rb") as fh:
            yield from stage_csv(raw, fh, mapping=self.mapping, namespace=self.namespace)

    def stage(self, raw: RawFile, data: bytes) -> Staged:
        return stage(raw, data, mapping=self.mapping, namespace=self.namespace)
