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
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from talentflow.errors import ConfigError, InputError
from talentflow.ingest.base import RawFile, Staged
from talentflow.schema.tables import INSTITUTION_TYPES

SOURCE = "csv"
REQUIRED = ("person", "year", "org", "country")
OPTIONAL = ("name", "stage", "org_type", "city", "subfield")
MIN_YEAR = 1900
YEAR_RE = re.compile(r"^[+]?\d{1,4}(\.0*)?$")


def read_frame(data: bytes, file: str) -> pd.DataFrame:
    """Every column as a string; '' for empty cells."""
    try:
        if data[:4] == b"PAR1":
            frame = pd.read_parquet(io.BytesIO(data))
            return frame.astype("string").fillna("")
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise InputError(f"{file}: cannot read as CSV or Parquet: {exc}") from exc


def apply_mapping(frame: pd.DataFrame, mapping: dict[str, str], file: str) -> pd.DataFrame:
    """Rename source columns to talentflow's (mapping: target -> source column)."""
    unknown_targets = set(mapping) - set(REQUIRED) - set(OPTIONAL)
    if unknown_targets:
        raise ConfigError(f"--map: unknown target column(s) {sorted(unknown_targets)}; "
                          f"targets are {', '.join(REQUIRED + OPTIONAL)}")
    missing_sources = [src for src in mapping.values() if src not in frame.columns]
    if missing_sources:
        raise InputError(f"{file}: --map names column(s) {missing_sources} that the file lacks; "
                         f"it has {list(frame.columns)}")
    frame = frame.rename(columns={src: tgt for tgt, src in mapping.items()})
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"{file}: missing required column(s) {missing}; it has {list(frame.columns)}. "
                         f"Map yours with --map person=<col>,year=<col>,org=<col>,country=<col>")
    return frame


def stage(raw: RawFile, data: bytes, *, mapping: dict[str, str] | None = None, namespace: str = "csv",
          max_year: int | None = None) -> Staged:
    """Pure: the bytes of one CSV/Parquet file -> staged rows and rejects."""
    out = Staged(file=raw.file)
    frame = apply_mapping(read_frame(data, raw.file), mapping or {}, raw.file)
    out.n_records = len(frame)
    max_year = max_year or _dt.date.today().year + 1
    stem = Path(raw.file).stem
    has = {c: c in frame.columns for c in OPTIONAL}
    for i, rec in enumerate(frame.to_dict("records")):
        line = i + 2  # 1-based, after the header
        loc = f"line {line}"
        person = (rec["person"] or "").strip()
        if not person:
            out.reject(loc, "person", "empty_person", rec["person"])
            continue
        year_txt = (rec["year"] or "").strip()
        if not YEAR_RE.match(year_txt):
            out.reject(loc, "year", "wrong_type", year_txt)
            continue
        year = int(float(year_txt))
        if not MIN_YEAR <= year <= max_year:
            out.reject(loc, "year", "implausible_year", year_txt)
            continue
        org_type = (rec.get("org_type") or "").strip().lower() if has["org_type"] else ""
        if org_type and org_type not in INSTITUTION_TYPES:
            out.reject(loc, "org_type", "unknown_org_type", org_type, "field")
            org_type = ""
        work_id = f"{SOURCE}:{stem}:{line}"
        rid = f"{namespace}:{person}"
        name = (rec.get("name") or "").strip() if has["name"] else ""
        out.researchers.append({"researcher_id": rid, "source_key": person, "namespace": namespace,
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
            continue
        out.affiliations.append({
            "researcher_id": rid, "work_id": work_id, "year": year, "aff_seq": 0, "weight": 1.0,
            "stage": ((rec.get("stage") or "").strip() or None) if has["stage"] else None,
            "institution": org, "country": country, "address": None, "domain": None, "locator": loc,
            "org_type": org_type or None, "city": ((rec.get("city") or "").strip() or None) if has["city"] else None,
        })
    return out


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
        yield RawFile(SOURCE, path.name, path, str(path.resolve()), None)

    def stage(self, raw: RawFile, data: bytes) -> Staged:
        return stage(raw, data, mapping=self.mapping, namespace=self.namespace)
