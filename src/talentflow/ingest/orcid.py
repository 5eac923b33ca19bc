"""ORCID public records (v3.0) -> researchers and career spells (education, employment).

Inputs, all read the same way:
- a record as XML (``record:record``, e.g. a member of the public data file's summaries
  ``.tar.gz``) or a list of activities (``activities:educations`` / ``activities:employments``),
  or a single ``education`` / ``employment`` item whose file name carries the iD;
- a record as JSON, as the public API returns it (``/v3.0/{iD}/record``);
- a ``.tar.gz`` of such files (the public data file), streamed member by member
  (``tarfile`` stream mode: memory bounded by one record and one batch);
- a folder of any of these.

Staging is pure (bytes in, ``Staged`` out); fetching is ``OrcidSource.fetch`` (local files) and
``talentflow.ingest.orcid_api`` (the public API, cached to files first).

Each entry becomes one raw spell: kind, put-code, role title, department, organization name,
disambiguated id, address (city, ISO2 country) and start / end year; the institution and the
ISO3 country are resolved later by the shared resolver. Education entries get a degree level
from the role title (``degree_level``). Rejected, with a reason, and counted:
``malformed_xml`` / ``malformed_json`` (the record), ``missing_orcid`` and ``bad_orcid_checksum``
(the iD fails the ISO 7064 11,2 check digit: the record), ``missing_dates`` (an entry with
neither a start nor an end year), ``bad_date`` (a year that is not a plausible year) and
``end_before_start`` (the entry), ``corrupt_archive`` (the rest of a truncated ``.tar.gz``).
"""

from __future__ import annotations

import json
import re
import tarfile
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from talentflow.ingest.base import RawFile, Staged, printable

SOURCE = "orcid"
NAMESPACE = "orcid"
BATCH = 1000  # records per staged batch of an archive

ORCID_RE = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_ORCID_FULL = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_NS_EDU = "http://www.orcid.org/ns/education"
_NS_EMP = "http://www.orcid.org/ns/employment"
_KIND_TAGS = {
    f"{{{_NS_EDU}}}education-summary": "education", f"{{{_NS_EDU}}}education": "education",
    f"{{{_NS_EMP}}}employment-summary": "employment", f"{{{_NS_EMP}}}employment": "employment",
}
MIN_YEAR, MAX_YEAR = 1850, 2100
RECORD_SUFFIXES = (".xml", ".json")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")


# -- iDs ----------------------------------------------------------------------------------------
def check_digit(base: str) -> str:
    """ISO 7064 MOD 11-2 check character of the 15 digits of an ORCID iD."""
    total = 0
    for ch in base:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value: str | None) -> str | None:
    """'https://orcid.org/0000-0002-1825-0097' -> '0000-0002-1825-0097'; None when no iD shape is found."""
    if not isinstance(value, str):
        return None
    m = ORCID_RE.search(value.strip().upper())
    return m.group(1) if m else None


def valid_orcid(value: str) -> bool:
    """Whether ``value`` is an iD of the right shape whose last character is its check digit."""
    if not isinstance(value, str) or not _ORCID_FULL.match(value):
        return False
    digits = value.replace("-", "")
    return check_digit(digits[:15]) == digits[15]


# -- degree levels ----------------------------------------------------------------------------
_PHD = re.compile(r"\b(ph\.?\s?d|d\.?\s?phil|doctor of philosophy|doctorate|doctoral|doktor|doctorat|doutorado|"
                  r"doctorado|dottorato|dr\.?\s?rer|dr\.?-ing|d\.?\s?sc|sc\.?\s?d)\b", re.I)
_MASTER = re.compile(r"\b(master'?s?|masters|m\.?\s?sc|m\.?\s?s|m\.?\s?a|m\.?\s?phil|m\.?\s?eng|m\.?\s?tech|"
                     r"m\.?\s?res|mba|llm|maestr[ií]a|mestrado|magister|laurea magistrale|diplom-?\w*|"
                     r"postgraduate|graduate degree)\b\.?", re.I)
_BACHELOR = re.compile(r"\b(bachelor'?s?|b\.?\s?sc|b\.?\s?s|b\.?\s?a|b\.?\s?eng|b\.?\s?tech|b\.\s?e|"
                       r"undergraduate|licenciatura|licence|laurea|bacharelado|honours|honors)\b\.?", re.I)
_NOT_DEGREE = re.compile(r"\b(post-?doc\w*|visiting|exchange|intern\w*|summer school)\b", re.I)


def degree_level(role_title: str | None) -> str:
    """Degree level of an education entry from its role title: phd, master, bachelor or other.

    >>> [degree_level(t) for t in ("PhD in Computer Science", "MSc", "B.Sc. Physics", "Postdoc", None)]
    ['phd', 'master', 'bachelor', 'other', 'other']
    """
    if not isinstance(role_title, str) or not role_title.strip():
        return "other"
    text = role_title.strip()
    if _NOT_DEGREE.search(text):
        return "other"
    if _PHD.search(text):
        return "phd"
    if _MASTER.search(text):
        return "master"
    if _BACHELOR.search(text):
        return "bachelor"
    return "other"


# -- parsed entries ---------------------------------------------------------------------------
@dataclass
class Entry:
    kind: str
    put_code: str | None
    role_title: str | None
    department: str | None
    org_name: str | None
    org_identifier: str | None
    city: str | None
    country: str | None  # as given (ISO2 in ORCID)
    start: str | None  # year as given
    end: str | None


@dataclass
class Record:
    orcid: str | None  # as found (not yet checked)
    name: str | None
    entries: list[Entry]


class MalformedRecord(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: ET.Element, *names: str) -> ET.Element | None:
    """First descendant along the path of local names (any namespace)."""
    cur = el
    for name in names:
        nxt = None
        for c in cur:
            if _local(c.tag) == name:
                nxt = c
                break
        if nxt is None:
            return None
        cur = nxt
    return cur


def _text(el: ET.Element, *names: str) -> str | None:
    found = _child(el, *names)
    return _clean(found.text) if found is not None else None


def parse_xml(data: bytes, file_hint: str = "") -> Record:
    """One ORCID XML document -> Record. Raises MalformedRecord when it is not well-formed XML."""
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise MalformedRecord("malformed_xml", "document type declarations are not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise MalformedRecord("malformed_xml", str(exc)) from None
    orcid = None
    ident = _child(root, "orcid-identifier")
    if ident is not None:
        orcid = _text(ident, "path") or _text(ident, "uri")
    if orcid is None and root.get("path"):
        orcid = normalize_orcid(root.get("path").strip("/").split("/")[0]) or root.get("path")
    if orcid is None and _local(root.tag) in ("education", "employment", "education-summary", "employment-summary"):
        orcid = normalize_orcid(Path(file_hint).name)  # a single item: the iD is in the file name
    name = None
    person_name = _child(root, "person", "name")
    if person_name is not None:
        given, family = _text(person_name, "given-names"), _text(person_name, "family-name")
        name = " ".join(p for p in (given, family) if p) or _text(person_name, "credit-name")
    entries = []
    for el in root.iter():
        kind = _KIND_TAGS.get(el.tag)
        if kind is None:
            continue
        org = _child(el, "organization")
        dis = _child(org, "disambiguated-organization") if org is not None else None
        org_id = None
        if dis is not None and _text(dis, "disambiguated-organization-identifier"):
            org_id = f"{_text(dis, 'disambiguation-source') or '?'}:{_text(dis, 'disambiguated-organization-identifier')}"
        entries.append(Entry(
            kind=kind, put_code=_clean(el.get("put-code")),
            role_title=_text(el, "role-title"), department=_text(el, "department-name"),
            org_name=_text(org, "name") if org is not None else None, org_identifier=org_id,
            city=_text(org, "address", "city") if org is not None else None,
            country=_text(org, "address", "country") if org is not None else None,
            start=_text(el, "start-date", "year"), end=_text(el, "end-date", "year")))
    return Record(orcid, name, entries)


def _val(obj, *keys):
    """obj[k1][k2]...; the ORCID JSON wraps many scalars as {"value": ...}."""
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    if isinstance(obj, dict) and "value" in obj:
        obj = obj["value"]
    return obj if not isinstance(obj, (dict, list)) else None


def parse_json(data: bytes) -> Record:
    """One ORCID record as the public API's JSON -> Record. Raises MalformedRecord."""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MalformedRecord("malformed_json", str(exc)[:200]) from None
    if not isinstance(obj, dict):
        raise MalformedRecord("malformed_json", f"expected an object, got {type(obj).__name__}")
    orcid = _val(obj, "orcid-identifier", "path") or _val(obj, "orcid-identifier", "uri")
    if orcid is None and isinstance(obj.get("path"), str):
        orcid = normalize_orcid(obj["path"]) or obj["path"]
    given = _val(obj, "person", "name", "given-names")
    family = _val(obj, "person", "name", "family-name")
    name = " ".join(str(p) for p in (given, family) if p) or _val(obj, "person", "name", "credit-name")
    entries = []
    acts = obj.get("activities-summary") if isinstance(obj.get("activities-summary"), dict) else obj
    for plural, kind in (("educations", "education"), ("employments", "employment")):
        block = acts.get(plural) if isinstance(acts, dict) else None
        groups = block.get("affiliation-group") if isinstance(block, dict) else None
        for group in groups if isinstance(groups, list) else ():
            for summary in (group.get("summaries") or []) if isinstance(group, dict) else ():
                item = summary.get(f"{kind}-summary") if isinstance(summary, dict) else None
                if not isinstance(item, dict):
                    continue
                org = item.get("organization") if isinstance(item.get("organization"), dict) else {}
                dis = org.get("disambiguated-organization") if isinstance(org.get("disambiguated-organization"), dict) else {}
                dis_id = _clean(_val(dis, "disambiguated-organization-identifier"))
                entries.append(Entry(
                    kind=kind, put_code=_clean(_val(item, "put-code")),
                    role_title=_clean(_val(item, "role-title")), department=_clean(_val(item, "department-name")),
                    org_name=_clean(_val(org, "name")),
                    org_identifier=f"{_clean(_val(dis, 'disambiguation-source')) or '?'}:{dis_id}" if dis_id else None,
                    city=_clean(_val(org, "address", "city")), country=_clean(_val(org, "address", "country")),
                    start=_clean(_val(item, "start-date", "year")), end=_clean(_val(item, "end-date", "year"))))
    return Record(_clean(orcid), _clean(name), entries)


def parse_record(data: bytes, name: str) -> Record:
    """XML or JSON by the name's suffix (else by the first byte)."""
    lower = name.lower()
    if lower.endswith(".json") or (not lower.endswith(".xml") and data.lstrip()[:1] in (b"{", b"[")):
        return parse_json(data)
    return parse_xml(data, name)


# -- staging ----------------------------------------------------------------------------------
def _year(value: str | None) -> tuple[int | None, bool]:
    """(year, ok): None with ok for a missing year; ok False for a year that is not one."""
    if value is None:
        return None, True
    try:
        year = int(value)
    except ValueError:
        return None, False
    return (year, True) if MIN_YEAR <= year <= MAX_YEAR else (None, False)


def stage_record(staged: Staged, data: bytes, name: str, locator: str) -> None:
    """Parse one record and add its researcher, spells and rejects to ``staged`` (pure)."""
    staged.n_records += 1
    try:
        rec = parse_record(data, name)
    except MalformedRecord as exc:
        staged.reject(locator, "*", exc.reason, printable(str(exc)))
        return
    raw_id = rec.orcid
    orcid = normalize_orcid(raw_id) if raw_id else None
    if orcid is None:
        staged.reject(locator, "orcid-identifier", "missing_orcid", raw_id)
        return
    if not valid_orcid(orcid):
        staged.reject(locator, "orcid-identifier", "bad_orcid_checksum", orcid)
        return
    rid = f"{NAMESPACE}:{orcid}"
    staged.researchers.append({"researcher_id": rid, "source_key": orcid, "namespace": NAMESPACE,
                               "name": printable(rec.name) if rec.name else None, "identity": "stable_id"})
    seen: dict[tuple[str, str], int] = {}
    for i, e in enumerate(rec.entries):
        put = e.put_code or f"#{i}"
        n = seen.get((e.kind, put), 0)
        seen[(e.kind, put)] = n + 1
        if n:  # the same put-code twice in one record (the samples do it): keep both, apart
            put = f"{put}.{n}"
        where = f"{locator} {e.kind} {put}"
        start, ok_s = _year(e.start)
        end, ok_e = _year(e.end)
        if not ok_s or not ok_e:
            staged.reject(where, "start-date" if not ok_s else "end-date", "bad_date", e.start if not ok_s else e.end)
            continue
        if start is None and end is None:
            staged.reject(where, "start-date", "missing_dates", None)
            continue
        if start is not None and end is not None and end < start:
            staged.reject(where, "end-date", "end_before_start", f"{start}-{end}")
            continue
        staged.spells.append({
            "spell_id": f"{rid}:{e.kind}:{put}", "researcher_id": rid, "kind": e.kind, "put_code": put,
            "role_title": e.role_title, "department": e.department,
            "degree_level": degree_level(e.role_title) if e.kind == "education" else None,
            "institution": e.org_name, "org_identifier": e.org_identifier, "country": e.country, "city": e.city,
            "start_year": start, "end_year": end, "locator": where,
        })


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def stage_archive(stream, file: str, batch: int = BATCH) -> Iterator[Staged]:
    """Records of a tar(.gz) stream, in batches; a truncated or corrupt archive ends with a
    file-level ``corrupt_archive`` reject after the records read before the damage."""
    staged = Staged(file)
    last = "file"
    try:
        mode = "r|gz" if file.lower().endswith((".gz", ".tgz")) else "r|"
        with tarfile.open(fileobj=stream, mode=mode) as tar:
            for member in tar:
                if not member.isfile() or not member.name.lower().endswith(RECORD_SUFFIXES):
                    continue
                last = member.name
                fh = tar.extractfile(member)
                data = fh.read() if fh is not None else b""
                stage_record(staged, data, member.name, member.name)
                if staged.n_records >= batch:
                    yield staged
                    staged = Staged(file)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        staged.reject("file" if last == "file" else f"after {last}", "*", "corrupt_archive",
                      f"{type(exc).__name__}: {exc}", severity="file")
    yield staged


def stage_bytes(file: str, data: bytes) -> Staged:
    """Pure: one record file, or a whole archive held in memory (tests), -> Staged."""
    if is_archive(file):
        import io

        out = Staged(file)
        for part in stage_archive(io.BytesIO(data), file):
            out.n_records += part.n_records
            out.researchers += part.researchers
            out.spells += part.spells
            out.rejects += part.rejects
        return out
    staged = Staged(file)
    stage_record(staged, data, file, "record")
    return staged


# -- source -----------------------------------------------------------------------------------
@dataclass
class OrcidSource:
    """ORCID records under ``path``: a record file, an archive, or a folder of them."""

    path: Path
    upstream_base: str | None = None  # public address the files stand for (the API), else the path
    name: str = SOURCE

    def fetch(self) -> Iterator[RawFile]:
        root = Path(self.path)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file()
                           and (p.name.lower().endswith(RECORD_SUFFIXES) or is_archive(p.name)))
            for p in files:
                rel = p.relative_to(root).as_posix()
                up = f"{self.upstream_base.rstrip('/')}/{rel}" if self.upstream_base else str(p.resolve())
                yield RawFile(SOURCE, rel, p, up, None)
        else:
            yield RawFile(SOURCE, root.name, root, self.upstream_base or str(root.resolve()), None)

    def stage(self, raw: RawFile, data: bytes) -> Staged:
        return stage_bytes(raw.file, data)

    def stage_stream(self, raw: RawFile) -> Iterator[Staged]:
        """Archives are streamed (memory bounded by one batch); a record file is one batch."""
        if is_archive(raw.file):
            with open(raw.path, "rb") as fh:
                yield from stage_archive(fh, raw.file)
        else:
            yield stage_bytes(raw.file, raw.path.read_bytes())
