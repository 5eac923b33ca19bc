"""The field taxonomy: AI subfields and the maps from venues, primary areas and OpenAlex labels onto them.

The shipped taxonomy lives in ``data/`` beside this module (``taxonomy.toml``, ``primary_areas.csv``,
``openalex.csv``). A user file (TOML with the same sections, or a CSV ``kind,venue,label,field``)
adds or replaces entries; ``load_taxonomy`` merges it and gives the result a version that names the
user file's content hash, so results computed with an override are never mistaken for the shipped one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from talentflow.errors import ConfigError

TAXONOMY_ENV = "TALENTFLOW_TAXONOMY"
UNMAPPED = "unmapped"
ANY_VENUE = "*"
FIELD_RULES = ("primary_area", "openalex", "venue", "unmapped")


def _norm(text: str) -> str:
    """Label key: case-folded, white space collapsed."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """A versioned field taxonomy. Maps are keyed by normalized labels (see ``_norm``)."""

    version: str
    fields: tuple[Field, ...]
    venues: dict[str, str] = field(default_factory=dict)                      # venue -> field
    primary_areas: dict[tuple[str, str], str] = field(default_factory=dict)   # (venue or '*', label) -> field
    openalex: dict[tuple[str, str], str] = field(default_factory=dict)        # (level, label) -> field

    def __post_init__(self) -> None:
        known = {f.id for f in self.fields}
        for where, mapping in (("venues", self.venues), ("primary_areas", self.primary_areas), ("openalex", self.openalex)):
            for key, value in mapping.items():
                if value not in known:
                    raise ConfigError(f"taxonomy {self.version}: {where} entry {key!r} maps to unknown field {value!r}; "
                                      f"known fields: {sorted(known)}")

    @property
    def field_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.fields)

    def label_of(self, field_id: str) -> str:
        for f in self.fields:
            if f.id == field_id:
                return f.label
        return field_id

    def venue_field(self, venue: str | None) -> str | None:
        return None if venue is None else self.venues.get(_norm(venue))

    def primary_area_field(self, venue: str | None, label: str | None) -> str | None:
        if label is None or (isinstance(label, float) and pd.isna(label)):
            return None
        key = _norm(label)
        return self.primary_areas.get((_norm(venue or ""), key)) or self.primary_areas.get((ANY_VENUE, key))

    def openalex_field(self, label: str | None) -> str | None:
        if label is None or (isinstance(label, float) and pd.isna(label)):
            return None
        key = _norm(label)
        # talentflow's OpenAlex ingest writes "<field> / <subfield>" (or the topic's name).
        tail = key.rsplit(" / ", 1)[-1]
        return self.openalex.get(("topic", key)) or self.openalex.get(("subfield", tail)) or self.openalex.get(("topic", tail))

    def fields_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"field": f.id, "label": f.label, "description": f.description} for f in self.fields])

    def mapping_frame(self) -> pd.DataFrame:
        """Every mapping entry as rows kind, venue, label, field (the CSV override format)."""
        rows = [{"kind": "venue", "venue": v, "label": "", "field": f} for v, f in sorted(self.venues.items())]
        rows += [{"kind": "primary_area", "venue": v, "label": lab, "field": f} for (v, lab), f in sorted(self.primary_areas.items())]
        rows += [{"kind": f"openalex_{lvl}", "venue": "", "label": lab, "field": f} for (lvl, lab), f in sorted(self.openalex.items())]
        return pd.DataFrame(rows, columns=["kind", "venue", "label", "field"])


# -- loading -------------------------------------------------------------------------------------

def _read_csv_rows(text: str, where: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(f"{where}: missing column(s) {missing}; expected header {','.join(required)}")
    rows = []
    for i, row in enumerate(reader, start=2):
        if not (row.get("field") or "").strip():
            raise ConfigError(f"{where} line {i}: the field column is empty")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _shipped() -> tuple[dict, list[dict], list[dict]]:
    base = resources.files("talentflow.taxonomy") / "data"
    toml = tomllib.loads((base / "taxonomy.toml").read_text(encoding="utf-8"))
    areas = _read_csv_rows((base / "primary_areas.csv").read_text(encoding="utf-8"), "primary_areas.csv", ("venue", "label", "field"))
    oa = _read_csv_rows((base / "openalex.csv").read_text(encoding="utf-8"), "openalex.csv", ("level", "label", "field"))
    return toml, areas, oa


def _apply_override(path: Path, fields: dict[str, Field], venues: dict, areas: dict, oa: dict) -> str:
    """Merge a user file into the maps (in place); return the file's short content hash."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"taxonomy override {path}: cannot read it ({exc})") from exc
    digest = hashlib.sha256(raw).hexdigest()[:8]
    text = raw.decode("utf-8")
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"taxonomy override {path}: not valid TOML ({exc})") from exc
        unknown = set(data) - {"version", "fields", "venues", "primary_areas", "openalex"}
        if unknown:
            raise ConfigError(f"taxonomy override {path}: unknown section(s) {sorted(unknown)}")
        for fid, spec in data.get("fields", {}).items():
            if not isinstance(spec, dict) or "label" not in spec:
                raise ConfigError(f"taxonomy override {path}: [fields.{fid}] needs a label")
            fields[fid] = Field(fid, spec["label"], spec.get("description", ""))
        for venue, fid in data.get("venues", {}).items():
            venues[_norm(venue)] = fid
        for i, entry in enumerate(data.get("primary_areas", [])):
            try:
                areas[(_norm(entry.get("venue", ANY_VENUE)), _norm(entry["label"]))] = entry["field"]
            except (KeyError, AttributeError):
                raise ConfigError(f"taxonomy override {path}: [[primary_areas]] entry {i} needs label and field") from None
        for i, entry in enumerate(data.get("openalex", [])):
            try:
                oa[(entry.get("level", "topic"), _norm(entry["label"]))] = entry["field"]
            except (KeyError, AttributeError):
                raise ConfigError(f"taxonomy override {path}: [[openalex]] entry {i} needs label and field") from None
    elif path.suffix.lower() == ".csv":
        for i, row in enumerate(_read_csv_rows(text, str(path), ("kind", "venue", "label", "field")), start=2):
            kind = row["kind"]
            if kind == "venue":
                if not row["venue"]:
                    raise ConfigError(f"{path} line {i}: kind=venue needs a venue")
                venues[_norm(row["venue"])] = row["field"]
            elif kind == "primary_area":
                areas[(_norm(row["venue"] or ANY_VENUE), _norm(row["label"]))] = row["field"]
            elif kind in ("openalex_topic", "openalex_subfield"):
                oa[(kind.removeprefix("openalex_"), _norm(row["label"]))] = row["field"]
            else:
                raise ConfigError(f"{path} line {i}: kind {kind!r} is not venue, primary_area, openalex_topic or openalex_subfield")
    else:
        raise ConfigError(f"taxonomy override {path}: expected a .toml or .csv file")
    return digest


def load_taxonomy(override: str | Path | None = None) -> Taxonomy:
    """The shipped taxonomy, merged with ``override`` (or ``$TALENTFLOW_TAXONOMY``) when given."""
    toml, area_rows, oa_rows = _shipped()
    fields = {fid: Field(fid, spec["label"], spec.get("description", "")) for fid, spec in toml["fields"].items()}
    venues = {_norm(v): f for v, f in toml["venues"].items()}
    areas = {(_norm(r["venue"] or ANY_VENUE), _norm(r["label"])): r["field"] for r in area_rows}
    oa = {(r["level"], _norm(r["label"])): r["field"] for r in oa_rows}
    version = str(toml["version"])
    if override is None:
        env = os.environ.get(TAXONOMY_ENV, "").strip()
        override = env or None
    if override is not None:
        digest = _apply_override(Path(override), fields, venues, areas, oa)
        version = f"{version}+user-{digest}"
    return Taxonomy(version, tuple(fields.values()), venues, areas, oa)


# -- assignment (pure) --------------------------------------------------------------------------

def assign_fields(works: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """One field per work: columns work_id, field, rule (primary_area | openalex | venue | unmapped).

    ``works`` needs work_id, source, venue, subfield_label.
    """
    missing = {"work_id", "venue", "subfield_label"} - set(works.columns)
    if missing:
        raise ConfigError(f"assign_fields: works frame lacks column(s) {sorted(missing)}")
    source = works["source"] if "source" in works.columns else pd.Series("", index=works.index)
    # Map the distinct (source, venue, label) combinations, then join back: a few hundred lookups.
    keys = pd.DataFrame({"source": source.fillna(""), "venue": works["venue"].fillna(""),
                         "label": works["subfield_label"]}).drop_duplicates()
    out_field, out_rule = [], []
    for src, venue, label in keys.itertuples(index=False):
        fid = taxonomy.primary_area_field(venue, label) if src != "openalex" else None
        rule = "primary_area"
        if fid is None and src == "openalex":
            fid, rule = taxonomy.openalex_field(label), "openalex"
        if fid is None:
            fid, rule = taxonomy.venue_field(venue), "venue"
        if fid is None:
            fid, rule = UNMAPPED, "unmapped"
        out_field.append(fid)
        out_rule.append(rule)
    keys = keys.assign(field=out_field, rule=out_rule)
    frame = pd.DataFrame({"work_id": works["work_id"].values, "source": source.fillna("").values,
                          "venue": works["venue"].fillna("").values, "label": works["subfield_label"].values})
    merged = frame.merge(keys, on=["source", "venue", "label"], how="left")
    return merged[["work_id", "field", "rule"]]
