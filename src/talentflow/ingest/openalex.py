"""OpenAlex: works (and authors) in the snapshot's JSON Lines format, streamed line by line.

Upstream format (documented by OpenAlex, "Snapshot data format" and the Work / Author objects):
gzipped JSON Lines partitions ``<entity>/updated_date=YYYY-MM-DD/part_NNN.gz`` under the
snapshot's ``data/`` (newer releases: ``data/jsonl/``), one entity per line, each line the same
object the API returns. A work carries ``id`` (``https://openalex.org/W...``), ``title``,
``publication_year``, ``primary_location.source.display_name``, ``abstract_inverted_index``
(word -> positions), ``primary_topic`` / ``topics`` (with ``subfield`` and ``field``), the older
``concepts`` (id, score), and ``authorships``: per author ``author`` (id ``A...``, display
name), ``institutions`` (id, display_name, ror, country_code ISO2, type), ``countries``,
``raw_affiliation_strings`` and ``affiliations`` (raw string -> institution ids).

Design:
- ``WorkFilter`` (a frozen, validated parameter set) says which works are AI works. Lines are
  filtered EARLY: a line that contains none of the filter's ids as bytes is skipped without
  being parsed (counted as filtered; most of a snapshot is not AI). Only lines that mention
  an id are parsed and checked exactly.
- ``stage_lines`` is the pure step: an iterable of lines -> ``Staged`` batches of at most
  ``batch_size`` kept works, so memory stays bounded whatever the partition size. The
  pipeline calls ``stage_stream`` (when a source offers it) and stores batch after batch in
  its one transaction. ``stage`` (bytes in, one ``Staged`` out) is kept for the common interface.
- Partitions are read in blocks of whole lines (``gunzip_blocks``: ISA-L inflate when ``isal``
  is installed) and staged by ``stage_blocks``, which runs the early filter on the block: the
  lines between candidate lines cost no Python work. It gives ``stage_lines``' batches exactly.
  Candidate lines are parsed by orjson (what it refuses goes to ``json``: the same rejects).
- ``SnapshotSource.stage_streams`` stages several partitions in worker processes
  (``openalex_parallel``); the parent stores their batches in partition order.
- The authors entity yields researcher rows and the authors' affiliation histories
  (observations of source ``openalex_authors``, see ``_stage_history``).
- Rejects name the file, ``line N`` (1-based, with the work id where known) and the field.
  A truncated or corrupt gzip is a file-level reject that says how many lines were read
  before it; the works read before the break are kept.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gzip
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator, Literal

from talentflow.errors import ConfigError, InputError
from talentflow.ingest.base import RawFile, Staged, invalid_text, may_hold_surrogate
from talentflow.ingest.paperlists import name_key
from talentflow.resolve.countries import to_iso3

try:  # a faster parser for the candidate lines; whatever it refuses is parsed again by json (same rejects)
    import orjson as _orjson

    _fast_loads, _FastError = _orjson.loads, _orjson.JSONDecodeError
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib path gives identical results
    _fast_loads, _FastError = json.loads, ValueError

try:  # ISA-L's inflate: the same gzip streams, about twice as fast as zlib's
    from isal import isal_zlib as _inflate

    _INFLATE_ERROR: type[Exception] = _inflate.error
except ImportError:  # pragma: no cover - isal is a dependency; zlib gives the same lines
    _inflate, _INFLATE_ERROR = zlib, zlib.error

SOURCE = "openalex"
AUTHORS_SOURCE = "openalex_authors"  # observations from the authors' affiliation histories
AUTHORS_STAGE = {"authors": "+history"}  # authors partitions staged before histories existed are staged again
PREFIX = "https://openalex.org/"
_PREFIX_LEN = len(PREFIX)
ENTITIES = ("works", "authors")
MIN_YEAR = 1900
DEFAULT_BATCH = 5000
MAX_LINE = 256 << 20  # a "line" longer than this is not a JSON Lines record: stop reading the file

# OpenAlex institution ``type`` (ROR types) -> talentflow institution type.
ORG_TYPES = {
    "education": "education",
    "company": "company",
    "government": "government",
    "facility": "facility",
    "nonprofit": "nonprofit",
    "healthcare": "facility",  # hospitals, like talentflow's own keyword rule
    "archive": "facility",  # libraries, museums, archives
    "funder": "other",
    "other": "other",
}

TopicScope = Literal["primary", "any"]
ConceptsWhen = Literal["no_topics", "always", "never"]
Entity = Literal["works", "authors"]

_SUBFIELD = re.compile(r"^(?:subfields/)?(\d{4})$")
_FIELD = re.compile(r"^fields/(\d{1,2})$")
_TOPIC = re.compile(r"^(T\d+)$")
_CONCEPT = re.compile(r"^(C\d+)$")
_WORK_ID = re.compile(r"^W\d+$")
_AUTHOR_ID = re.compile(r"^A\d+$")
_COUNTRY_SUFFIX = re.compile(r"^(?P<name>.+?)\s*\((?P<inner>[^()]+)\)\s*$")


# ---------------------------------------------------------------------------------------------
# the filter


@dataclass(frozen=True)
class WorkFilter:
    """Which OpenAlex records count as AI records (a figure-changing parameter set).

    - ``subfields`` / ``fields`` / ``topics``: OpenAlex topic-classification ids (subfield 1702
      Artificial Intelligence, 1707 Computer Vision and Pattern Recognition; field 17 Computer
      Science; topic ``T...``), matched on the primary topic or on any of the work's topics
      (``topic_scope``).
    - ``concepts``: legacy concept ids (C154945302 Artificial Intelligence) with at least
      ``concept_min_score``; used for records without topics (``concepts_when='no_topics'``,
      older records), always, or never.
    - ``from_year`` / ``to_year``: publication years kept (inclusive; None = open).
    - ``keep_all``: keep every record (e.g. API pages, whose query already filtered).
    """

    subfields: tuple[str, ...] = ("1702", "1707")
    fields: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ("C154945302",)
    topic_scope: TopicScope = "primary"
    concepts_when: ConceptsWhen = "no_topics"
    concept_min_score: float = 0.3
    from_year: int | None = None
    to_year: int | None = None
    keep_all: bool = False

    def __post_init__(self) -> None:
        for name, pattern in (("subfields", re.compile(r"^\d{4}$")), ("fields", re.compile(r"^\d{1,2}$")),
                              ("topics", _TOPIC), ("concepts", _CONCEPT)):
            bad = [v for v in getattr(self, name) if not isinstance(v, str) or not pattern.match(v)]
            if bad:
                raise ConfigError(f"OpenAlex filter: {name} {bad} are not OpenAlex {name[:-1]} ids")
        if self.topic_scope not in ("primary", "any"):
            raise ConfigError(f"OpenAlex filter: topic_scope {self.topic_scope!r} is not 'primary' or 'any'")
        if self.concepts_when not in ("no_topics", "always", "never"):
            raise ConfigError(f"OpenAlex filter: concepts_when {self.concepts_when!r} is not no_topics, always or never")
        if not 0.0 <= self.concept_min_score <= 1.0:
            raise ConfigError(f"OpenAlex filter: concept_min_score {self.concept_min_score} is not in [0, 1]")
        if self.from_year is not None and self.to_year is not None and self.from_year > self.to_year:
            raise ConfigError(f"OpenAlex filter: from_year {self.from_year} is after to_year {self.to_year}")
        if not self.keep_all and not (self.subfields or self.fields or self.topics or
                                      (self.concepts and self.concepts_when != "never")):
            raise ConfigError("OpenAlex filter: no ids to match; give subfields/fields/topics/concepts or 'all'")

    @classmethod
    def parse(cls, tokens: Iterable[str] | None, **options) -> "WorkFilter":
        """From CLI tokens: ``subfields/1702``, ``1702``, ``fields/17``, ``T10028``, ``C154945302``
        or ``all`` (full ``https://openalex.org/...`` ids are accepted). No tokens: the default ids."""
        tokens = [t.strip() for t in (tokens or ()) if t and t.strip()]
        if not tokens:
            return cls(**options)
        if tokens == ["all"]:
            return cls(subfields=(), concepts=(), keep_all=True, **options)
        found: dict[str, list[str]] = {"subfields": [], "fields": [], "topics": [], "concepts": []}
        for token in tokens:
            t = short_id(token) or token
            for name, pattern in (("subfields", _SUBFIELD), ("fields", _FIELD), ("topics", _TOPIC), ("concepts", _CONCEPT)):
                if m := pattern.match(t):
                    found[name].append(m.group(1))
                    break
            else:
                raise ConfigError(f"--filter {token!r}: expected subfields/NNNN, fields/NN, T<id>, C<id> or 'all'")
        return cls(**{k: tuple(dict.fromkeys(v)) for k, v in found.items()}, **options)

    @property
    def stage_key(self) -> str:
        """Fingerprint of the filter: a partition staged under another filter is staged anew."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def needles(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        """(topic needles, concept needles): byte strings of the ids (the early filter)."""
        if self.keep_all:
            return (), ()
        topic = [f'subfields/{s}"' for s in self.subfields] + [f'fields/{f}"' for f in self.fields]
        topic += [f'{PREFIX}{t}"' for t in self.topics]
        concept = [f'{PREFIX}{c}"' for c in self.concepts] if self.concepts_when != "never" else []
        return tuple(n.encode() for n in topic), tuple(n.encode() for n in concept)

    def may_match(self, line: bytes, topic: tuple[bytes, ...], concept: tuple[bytes, ...]) -> bool:
        """A necessary condition for a match, on the raw bytes (no parsing): a topic id occurs, or
        a concept id occurs and (for ``concepts_when='no_topics'``) the primary topic is not set.
        Ids are matched as OpenAlex writes them (full ``https://openalex.org/...`` strings)."""
        for n in topic:
            if n in line:
                return True
        for n in concept:
            if n in line:
                return self.concepts_when == "always" or not _has_primary_topic(line)
        return False

    def year_ok(self, year: int) -> bool:
        return (self.from_year is None or year >= self.from_year) and (self.to_year is None or year <= self.to_year)


_NO_PRIMARY = re.compile(rb'"primary_topic"\s*:\s*null')


def _has_primary_topic(line: bytes) -> bool:
    """Whether a raw line sets a primary topic (loosely: when unsure, say no, so the line is parsed)."""
    return b'"primary_topic"' in line and not _NO_PRIMARY.search(line)


def short_id(value) -> str | None:
    """'https://openalex.org/W123' -> 'W123'; 'https://openalex.org/subfields/1702' -> 'subfields/1702'."""
    if type(value) is not str:
        if not isinstance(value, str):
            return None
    v = value.strip()
    if v.startswith(PREFIX):
        v = v[_PREFIX_LEN:]
    return v or None


class PartitionReadError(Exception):
    """A partition cannot be read on (e.g. a line with no end); the stage step makes it a file reject."""


class _Shape(Exception):
    """A field of a record has the wrong JSON type (internal: turned into a reject)."""

    def __init__(self, field_: str, value) -> None:
        super().__init__(field_)
        self.field = field_
        self.value = value


def _dict_or_none(value, field_: str) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    raise _Shape(field_, value)


def _list_or_empty(value, field_: str) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise _Shape(field_, value)


def _topic_ids(topic: dict) -> tuple[str | None, str | None, str | None]:
    """(topic id, subfield id, field id) of a topic object."""
    sub = topic.get("subfield")
    fld = topic.get("field")
    sub_id = short_id(sub.get("id")) if isinstance(sub, dict) else None
    fld_id = short_id(fld.get("id")) if isinstance(fld, dict) else None
    return (short_id(topic.get("id")),
            sub_id[len("subfields/"):] if sub_id and sub_id.startswith("subfields/") else sub_id,
            fld_id[len("fields/"):] if fld_id and fld_id.startswith("fields/") else fld_id)


def matches(rec: dict, flt: WorkFilter, *, concept_key: str = "concepts") -> bool:
    """Does a parsed work (or author) match the filter? Raises _Shape on wrongly typed fields."""
    if flt.keep_all:
        return True
    primary = _dict_or_none(rec.get("primary_topic"), "primary_topic")
    topics = [t for t in _list_or_empty(rec.get("topics"), "topics") if isinstance(t, dict)]
    scope = [primary] if (flt.topic_scope == "primary" and primary is not None) else topics
    if flt.topic_scope == "primary" and primary is None and concept_key == "x_concepts":
        scope = topics  # authors have no primary topic: their topics are ranked by count
    for topic in scope:
        tid, sub, fld = _topic_ids(topic)
        if (sub and sub in flt.subfields) or (fld and fld in flt.fields) or (tid and tid in flt.topics):
            return True
    has_topics = primary is not None or bool(topics)
    if flt.concepts and (flt.concepts_when == "always" or (flt.concepts_when == "no_topics" and not has_topics)):
        min_score = flt.concept_min_score * (100 if concept_key == "x_concepts" else 1)  # author scores are percentages
        for c in _list_or_empty(rec.get(concept_key), concept_key):
            if not isinstance(c, dict):
                continue
            score = c.get("score")
            if short_id(c.get("id")) in flt.concepts and isinstance(score, (int, float)) and not isinstance(score, bool) \
                    and score >= min_score:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# field helpers


_INT = {int}


def abstract_from_inverted_index(index) -> str | None:
    """Rebuild an abstract from OpenAlex's inverted index {word: [positions]} (no dense array:
    a hostile position like 10**12 costs nothing). Raises _Shape when the index is malformed."""
    if index is None:
        return None
    if isinstance(index, str):  # some exports carry the index JSON-encoded
        try:
            index = json.loads(index)
        except (ValueError, RecursionError):
            raise _Shape("abstract_inverted_index", index) from None
    if not isinstance(index, dict):
        raise _Shape("abstract_inverted_index", index)
    pairs: list[tuple[int, str]] = []
    for word, positions in index.items():
        if type(positions) is not list:
            _bad_positions(index)
        pairs += zip(positions, repeat(word))
    if not pairs:
        return None
    if set(map(type, map(_first, pairs))) != _INT:  # checked once for all words (the slow loop names the word)
        _bad_positions(index)
    pairs.sort()
    if pairs[0][0] < 0:
        _bad_positions(index)
    text = " ".join([w for _, w in pairs]).strip()
    return text or None


_first = itemgetter(0)


def _bad_positions(index: dict) -> None:
    """Raise _Shape naming the first word whose positions are not a list of integers >= 0."""
    for word, positions in index.items():
        if type(positions) is not list or (positions and (set(map(type, positions)) != _INT or min(positions) < 0)):
            raise _Shape("abstract_inverted_index", {word: positions})
    raise AssertionError("unreachable: the positions were found bad")  # pragma: no cover


@lru_cache(maxsize=50_000)
def clean_institution_name(name: str) -> str:
    """Drop OpenAlex's country disambiguator: 'Google (United States)' -> 'Google' (only when
    the parenthesis names a country, so 'Institute of Automation (CASIA)' stays as is)."""
    m = _COUNTRY_SUFFIX.match(name)
    if m and to_iso3(m.group("inner")) is not None:
        return m.group("name").strip()
    return name.strip()


def _text(value) -> str | None:
    if isinstance(value, str):
        v = value.strip()
        return v or None
    return None


# ---------------------------------------------------------------------------------------------
# the stage step (pure)


@dataclass
class OpenAlexStaged(Staged):
    """A batch of staged rows, with what happened to each line read.

    ``n_records`` lines (non-blank) were read; each is exactly one of ``n_kept`` (a work or
    author staged), ``n_filtered`` (not an AI record by the filter, or outside the years), or
    ``n_rejected`` (a record-level reject on the line)."""

    n_kept: int = 0
    n_filtered: int = 0
    n_rejected: int = 0
    # author histories: the observations' source, and the pseudo work ids (one per author) whose
    # earlier observations this batch replaces (a newer version of the author)
    observation_source: str | None = None
    replaces: list[str] = field(default_factory=list)


@dataclass
class StageStats:
    """Running totals over the batches of one ingest (what the CLI reports)."""

    files: int = 0
    lines: int = 0
    kept: int = 0
    filtered: int = 0
    rejected: int = 0
    authorships: int = 0

    def add(self, batch: OpenAlexStaged) -> None:
        self.lines += batch.n_records
        self.kept += batch.n_kept
        self.filtered += batch.n_filtered
        self.rejected += batch.n_rejected
        self.authorships += len(batch.authorships)


@dataclass
class OpenAlexSummary:
    """What an OpenAlex ingest did: the pipeline's summary plus what the stage step saw."""

    ingest: object  # talentflow.pipeline.IngestSummary
    lines: int  # non-blank lines read from the files staged in this run
    kept: int  # AI records staged
    filtered: int  # lines that are not AI records under the filter (or outside its years)
    rejected_records: int  # lines rejected whole (see the rejects table)
    seconds: float  # wall time of the whole command (fetch, stage, resolve, store)
    filter_params_id: str  # meta_runs.params_id of the WorkFilter
    fetch: object = None  # talentflow.ingest.openalex_api.FetchReport in API mode

    @classmethod
    def of(cls, summary, stats: StageStats, seconds: float, filter_params_id: str, fetch=None) -> "OpenAlexSummary":
        return cls(summary, stats.lines, stats.kept, stats.filtered, stats.rejected, seconds, filter_params_id, fetch)

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0

    @property
    def kept_per_second(self) -> float:
        return self.kept / self.seconds if self.seconds > 0 else 0.0


def stage_lines(raw: RawFile, lines: Iterable[bytes], *, flt: WorkFilter, entity: Entity = "works",
                batch_size: int = DEFAULT_BATCH, max_year: int | None = None) -> Iterator[OpenAlexStaged]:
    """Pure: lines of one partition -> batches of staged rows and rejects (never raises on bad data).

    Errors raised by the line iterator itself (a truncated or corrupt gzip) end the file with a
    file-level reject; what was read before is kept."""
    st = _LineStager(raw.file, flt, entity, batch_size, max_year)
    it = iter(lines)
    while True:
        try:
            line = next(it)
        except StopIteration:
            break
        except _READ_ERRORS as exc:
            st.read_error(exc)
            break
        if st.line(line):
            yield st.flush()
    yield st.out


def stage_blocks(raw: RawFile, blocks: Iterable[bytes], *, flt: WorkFilter, entity: Entity = "works",
                 batch_size: int = DEFAULT_BATCH, max_year: int | None = None) -> Iterator[OpenAlexStaged]:
    """``stage_lines`` for blocks of whole lines (``gunzip_blocks``), with the same batches, rows
    and rejects: the early filter runs on the block, so a line that mentions no id of the filter
    costs no Python work at all (the needles are searched in the block; only lines holding one
    are cut out, checked with ``may_match`` and parsed). Blocks with blank lines, and filters
    without ids (``all``), go line by line."""
    st = _LineStager(raw.file, flt, entity, batch_size, max_year)
    needles = st.topic + st.concept
    # searched without the common 'https://openalex.org/' (a superset of lines: may_match decides)
    search = tuple(dict.fromkeys(n[len(PREFIX):] if n.startswith(PREFIX.encode()) else n for n in needles))
    it = iter(blocks)
    while True:
        try:
            block = next(it)
        except StopIteration:
            break
        except _READ_ERRORS as exc:
            st.read_error(exc)
            break
        if not block:
            continue
        if not needles or not block.startswith(b"{") or _ODD_LINE.search(block):  # a line not opening an object
            for line in _split_block(block):  # (blank?), or no needles: line by line
                if st.line(line):
                    yield st.flush()
            continue
        starts: set[int] = set()
        for n in search:
            p = block.find(n)
            while p != -1:
                starts.add(block.rfind(b"\n", 0, p) + 1)
                e = block.find(b"\n", p)
                if e == -1:
                    break
                p = block.find(n, e + 1)
        spans: list[tuple[int, int, int]] = []  # (lines before it that hold no needle, start, end)
        pos = 0
        for s in sorted(starts):
            e = block.find(b"\n", s)
            e = len(block) if e == -1 else e + 1
            spans.append((block.count(b"\n", pos, s), s, e))
            pos = e
        rest = block.count(b"\n", pos) + (pos < len(block) and not block.endswith(b"\n"))
        for gap, s, e in spans:  # the lines between candidates hold no id of the filter: filtered
            st.line_no += gap
            st.out.n_records += gap
            st.out.n_filtered += gap
            if st.line(block[s:e]):
                yield st.flush()
        st.line_no += rest
        st.out.n_records += rest
        st.out.n_filtered += rest
    yield st.out


_ODD_LINE = re.compile(rb"\n[^{]")  # a line (after the first) that does not start with "{"


def _split_block(block: bytes) -> Iterator[bytes]:
    parts = block.split(b"\n")
    last = parts.pop()
    for part in parts:
        yield part + b"\n"
    if last:
        yield last


_READ_ERRORS = (EOFError, OSError, zlib.error, PartitionReadError)


class _LineStager:
    """The state of staging one partition: the current batch, line numbers, ids seen."""

    def __init__(self, file: str, flt: WorkFilter, entity: str, batch_size: int, max_year: int | None) -> None:
        if entity not in ENTITIES:
            raise ConfigError(f"OpenAlex entity {entity!r} is not one of {ENTITIES}")
        self.file, self.flt, self.entity, self.batch_size = file, flt, entity, batch_size
        self.max_year = max_year or _dt.date.today().year + 1
        self.topic, self.concept = flt.needles()
        self.prefilter = bool(self.topic or self.concept)
        self.seen: set[str] = set()
        self.out = OpenAlexStaged(file=file)
        self.line_no = 0

    def read_error(self, exc: Exception) -> None:
        reason = "unreadable_partition" if isinstance(exc, PartitionReadError) else "truncated_or_corrupt_gzip"
        self.out.reject("file", "*", reason, f"{type(exc).__name__}: {exc}; {self.line_no} line(s) read before it", "file")

    def flush(self) -> OpenAlexStaged:
        full, self.out = self.out, OpenAlexStaged(file=self.file)
        return full

    def line(self, line) -> bool:
        """Stage one line; True when the batch is full (the caller flushes it)."""
        self.line_no += 1
        out = self.out
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogatepass")
        if not line.strip():
            return False
        out.n_records += 1
        if self.prefilter and not self.flt.may_match(line, self.topic, self.concept):
            out.n_filtered += 1
            return False
        if self.entity == "works":
            kept = _stage_work_line(out, line, self.line_no, self.flt, self.seen, self.max_year)
        else:
            kept = _stage_author_line(out, line, self.line_no, self.flt, self.seen, self.max_year)
        if kept is True:
            out.n_kept += 1
        elif kept is False:
            out.n_filtered += 1
        else:  # None: the record was rejected
            out.n_rejected += 1
        return out.n_kept >= self.batch_size or len(out.rejects) >= self.batch_size


def _parse(out: Staged, line: bytes, loc: str):
    try:
        rec = _fast_loads(line)
    except _FastError:  # orjson refuses more than json (lone surrogates, huge ints, NaN, a BOM): ask json
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            out.reject(loc, "*", "malformed_json", f"{exc}: {line[:200]!r}")
            return None
    if not isinstance(rec, dict):
        out.reject(loc, "*", "record_not_object", rec)
        return None
    bad_text = invalid_text(rec) if may_hold_surrogate(line) else None
    if bad_text is not None:  # a lone surrogate ("\\ud800"): no UTF-8 store takes it
        out.reject(loc, bad_text[0], "invalid_unicode", f"lone surrogate in {bad_text[1]!r}")
        return None
    return rec


def _stage_work_line(out: OpenAlexStaged, line: bytes, line_no: int, flt: WorkFilter, seen: set[str],
                     max_year: int) -> bool | None:
    """True: staged; False: filtered out; None: rejected (a reject row was added)."""
    loc = f"line {line_no}"
    rec = _parse(out, line, loc)
    if rec is None:
        return None
    raw_id = rec.get("id")
    wid = short_id(raw_id)
    if wid is not None:
        loc = f"line {line_no} ({wid})"
    try:
        if not matches(rec, flt):
            return False
    except _Shape as exc:
        out.reject(loc, exc.field, "wrong_type", exc.value)
        return None
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        out.reject(loc, "id", "missing_id", raw_id)
        return None
    if not isinstance(raw_id, str):
        out.reject(loc, "id", "wrong_type", raw_id)
        return None
    if not _WORK_ID.match(wid or ""):
        out.reject(loc, "id", "bad_id", raw_id)
        return None
    if wid in seen:
        out.reject(loc, "id", "duplicate_record", raw_id)
        return None
    year = rec.get("publication_year")
    if year is None:
        out.reject(loc, "publication_year", "missing_year", None)
        return None
    if not isinstance(year, int) or isinstance(year, bool):
        out.reject(loc, "publication_year", "wrong_type", year)
        return None
    if not MIN_YEAR <= year <= max_year:
        out.reject(loc, "publication_year", "implausible_year", year)
        return None
    if not flt.year_ok(year):
        return False
    seen.add(wid)
    work_id = f"{SOURCE}:{wid}"

    title = rec.get("title", rec.get("display_name"))
    if title is not None and not isinstance(title, str):
        out.reject(loc, "title", "wrong_type", title, "field")
        title = None
    venue = None
    try:
        ploc = _dict_or_none(rec.get("primary_location"), "primary_location")
        src = _dict_or_none(ploc.get("source"), "primary_location.source") if ploc else None
        if src is not None:
            venue = src.get("display_name")
            if venue is not None and not isinstance(venue, str):
                raise _Shape("primary_location.source.display_name", venue)
    except _Shape as exc:
        out.reject(loc, exc.field, "wrong_type", exc.value, "field")
        venue = None
    try:
        abstract = abstract_from_inverted_index(rec.get("abstract_inverted_index"))
    except _Shape as exc:
        out.reject(loc, exc.field, "wrong_type", exc.value, "field")
        abstract = None
    label = None
    primary = rec.get("primary_topic")
    if isinstance(primary, dict):
        parts = [_text(primary[k].get("display_name")) for k in ("field", "subfield") if isinstance(primary.get(k), dict)]
        label = " / ".join(p for p in parts if p) or _text(primary.get("display_name"))
    out.works.append({
        "work_id": work_id, "source": SOURCE, "venue": _text(venue), "year": year, "title": _text(title),
        "abstract": abstract, "subfield_label": label,
        "status": "retracted" if rec.get("is_retracted") is True else None, "accepted": True,
    })
    authorships = rec.get("authorships")
    if authorships is not None and not isinstance(authorships, list):
        out.reject(loc, "authorships", "wrong_type", authorships, "field")
        return True
    if not authorships:
        out.reject(loc, "authorships", "no_authors", authorships, "field")
        return True
    seen_authors: set[str] = set()
    for pos, authorship in enumerate(authorships, start=1):
        _stage_authorship(out, authorship, f"{loc} author {pos}", work_id, year, pos, seen_authors)
    return True


def _author_identity(author: dict | None, raw_name) -> tuple[str, str, str, str | None] | None:
    """(researcher_id, source_key, identity, display name), or None when there is neither id nor name."""
    name = _text(author.get("display_name")) if author else None
    name = name or _text(raw_name)
    aid = short_id(author.get("id")) if author else None
    if aid and _AUTHOR_ID.match(aid):
        return f"{SOURCE}:{aid}", aid, "stable_id", name
    if name:
        k = name_key(name)
        if k:
            return f"{SOURCE}:name:{k}", k, "name_only", name
    return None


def _stage_authorship(out: OpenAlexStaged, authorship, aloc: str, work_id: str, year: int, pos: int,
                      seen_authors: set[str]) -> None:
    if not isinstance(authorship, dict):
        out.reject(aloc, "authorships", "wrong_type", authorship)
        return
    author = authorship.get("author")
    if author is not None and not isinstance(author, dict):
        out.reject(aloc, "author", "wrong_type", author)
        return
    raw_id = author.get("id") if author else None
    if raw_id is not None and not (isinstance(raw_id, str) and _AUTHOR_ID.match(short_id(raw_id) or "")):
        out.reject(aloc, "author.id", "bad_id", raw_id, "field")
    ident = _author_identity(author, authorship.get("raw_author_name"))
    if ident is None:
        out.reject(aloc, "author", "empty_name", author)
        return
    rid, skey, kind, name = ident
    if rid in seen_authors:
        out.reject(aloc, "author", "duplicate_author", skey)
        return
    seen_authors.add(rid)
    out.researchers.append({"researcher_id": rid, "source_key": skey, "namespace": SOURCE, "name": name, "identity": kind})
    rows = _affiliation_rows(out, authorship, aloc)
    for k, (inst, country, org_type, address) in enumerate(rows):
        out.affiliations.append({
            "researcher_id": rid, "work_id": work_id, "year": year, "aff_seq": k, "weight": 1.0 / len(rows),
            "stage": None, "institution": inst, "country": country, "address": address, "domain": None,
            "locator": aloc, "org_type": org_type, "city": None,
        })
    out.authorships.append({"researcher_id": rid, "work_id": work_id, "author_position": pos, "year": year,
                            "n_affiliations": len(rows)})


def _str_list(out: Staged, value, aloc: str, field_: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        out.reject(aloc, field_, "wrong_type", value, "field")
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def _institution_fields(out: Staged, inst: dict, aloc: str, field_: str) -> tuple[str | None, str | None, str | None]:
    """An OpenAlex institution object's cleaned name, country code and organization type; a value of
    the wrong type (or an unknown type) is a field reject under ``field_``.<key>, and dropped."""
    name = inst.get("display_name")
    if name is not None and not isinstance(name, str):
        out.reject(aloc, f"{field_}.display_name", "wrong_type", name, "field")
        name = None
    name = clean_institution_name(name) if name and name.strip() else None
    country = inst.get("country_code")
    if country is not None and not isinstance(country, str):
        out.reject(aloc, f"{field_}.country_code", "wrong_type", country, "field")
        country = None
    otype = inst.get("type")
    org_type = None
    if isinstance(otype, str) and otype.strip():
        org_type = ORG_TYPES.get(otype.strip().lower())
        if org_type is None:
            out.reject(aloc, f"{field_}.type", "unknown_org_type", otype, "field")
    elif otype is not None:
        out.reject(aloc, f"{field_}.type", "wrong_type", otype, "field")
    return name, country, org_type


def _affiliation_rows(out: Staged, authorship: dict, aloc: str) -> list[tuple]:
    """(institution, country, org_type, address) per affiliation of one author on one work."""
    raw_strings = _str_list(out, authorship.get("raw_affiliation_strings"), aloc, "raw_affiliation_strings")
    by_inst: dict[str, str] = {}  # institution id -> its raw affiliation string
    affs = authorship.get("affiliations")
    if isinstance(affs, list):
        for a in affs:
            if isinstance(a, dict) and isinstance(a.get("raw_affiliation_string"), str) \
                    and isinstance(a.get("institution_ids"), list):
                for iid in a["institution_ids"]:
                    if isinstance(iid, str):
                        by_inst.setdefault(short_id(iid) or iid, a["raw_affiliation_string"].strip())
    elif affs is not None:
        out.reject(aloc, "affiliations", "wrong_type", affs, "field")
    institutions = authorship.get("institutions")
    if institutions is not None and not isinstance(institutions, list):
        out.reject(aloc, "institutions", "wrong_type", institutions, "field")
        institutions = []
    rows: list[tuple] = []
    seen: set = set()
    for inst in institutions or ():
        if not isinstance(inst, dict):
            out.reject(aloc, "institutions", "wrong_type", inst, "field")
            continue
        name, country, org_type = _institution_fields(out, inst, aloc, "institutions")
        iid = short_id(inst.get("id"))
        ident = iid or name
        if ident in seen:
            continue
        seen.add(ident)
        address = by_inst.get(iid) if iid else None
        if address is None and len(raw_strings) == 1 and len(institutions) == 1:
            address = raw_strings[0]
        if name or _text(country) or address:
            rows.append((name, _text(country), org_type, address))
    if rows:
        return rows
    # no institution: the author's countries, else the raw strings (the resolver reads a country from them)
    countries = _str_list(out, authorship.get("countries"), aloc, "countries")
    if countries:
        return [(None, c, None, raw_strings[i] if len(raw_strings) == len(countries) else None)
                for i, c in enumerate(dict.fromkeys(countries))]
    return [(None, None, None, s) for s in dict.fromkeys(raw_strings)]


def _stage_author_line(out: OpenAlexStaged, line: bytes, line_no: int, flt: WorkFilter, seen: set[str],
                       max_year: int = 9999) -> bool | None:
    """An Author object -> a researcher row (name and stable id) and its affiliation history
    (``affiliations``: institution with years) as observations of source ``openalex_authors``."""
    loc = f"line {line_no}"
    rec = _parse(out, line, loc)
    if rec is None:
        return None
    aid = short_id(rec.get("id"))
    if aid is not None:
        loc = f"line {line_no} ({aid})"
    try:
        if not matches(rec, flt, concept_key="x_concepts"):
            return False
    except _Shape as exc:
        out.reject(loc, exc.field, "wrong_type", exc.value)
        return None
    raw_id = rec.get("id")
    if raw_id is None:
        out.reject(loc, "id", "missing_id", None)
        return None
    if not isinstance(raw_id, str) or not _AUTHOR_ID.match(aid or ""):
        out.reject(loc, "id", "bad_id" if isinstance(raw_id, str) else "wrong_type", raw_id)
        return None
    if aid in seen:
        out.reject(loc, "id", "duplicate_record", raw_id)
        return None
    seen.add(aid)
    name = rec.get("display_name")
    if name is not None and not isinstance(name, str):
        out.reject(loc, "display_name", "wrong_type", name, "field")
        name = None
    rid = f"{SOURCE}:{aid}"
    out.researchers.append({"researcher_id": rid, "source_key": aid, "namespace": SOURCE,
                            "name": _text(name), "identity": "stable_id"})
    _stage_history(out, rec.get("affiliations"), loc, rid, aid, flt, max_year)
    return True


def _stage_history(out: OpenAlexStaged, affs, loc: str, rid: str, aid: str, flt: WorkFilter, max_year: int) -> None:
    """An author's ``affiliations`` [{institution, years}] -> one raw affiliation row per
    (institution, year), all under the pseudo work ``openalex_authors:A...`` (the author's
    history; ``aff_seq`` numbers its rows), weight 1 / the author's institutions that year."""
    out.observation_source = AUTHORS_SOURCE
    work_id = f"{AUTHORS_SOURCE}:{aid}"
    out.replaces.append(work_id)
    if affs is None:
        return
    if not isinstance(affs, list):
        out.reject(loc, "affiliations", "wrong_type", affs, "field")
        return
    by_year: dict[int, list[tuple]] = {}
    seen: set = set()
    for k, aff in enumerate(affs, start=1):
        aloc = f"{loc} affiliation {k}"
        if not isinstance(aff, dict):
            out.reject(aloc, "affiliations", "wrong_type", aff, "field")
            continue
        inst = aff.get("institution")
        if not isinstance(inst, dict):
            out.reject(aloc, "affiliations.institution", "wrong_type" if inst is not None else "missing_institution", inst, "field")
            continue
        name, country, org_type = _institution_fields(out, inst, aloc, "institution")
        if not (name or _text(country)):
            out.reject(aloc, "affiliations.institution", "empty_institution", inst, "field")
            continue
        years = aff.get("years")
        if not isinstance(years, list):
            out.reject(aloc, "affiliations.years", "wrong_type" if years is not None else "missing_year", years, "field")
            continue
        ident = short_id(inst.get("id")) or name
        for year in years:
            if not isinstance(year, int) or isinstance(year, bool):
                out.reject(aloc, "affiliations.years", "wrong_type", year, "field")
                continue
            if not MIN_YEAR <= year <= max_year:
                out.reject(aloc, "affiliations.years", "implausible_year", year, "field")
                continue
            if not flt.year_ok(year) or (ident, year) in seen:
                continue
            seen.add((ident, year))
            by_year.setdefault(year, []).append((name, _text(country), org_type, aloc))
    seq = 0
    for year in sorted(by_year):
        rows = by_year[year]
        for name, country, org_type, aloc in rows:
            out.affiliations.append({
                "researcher_id": rid, "work_id": work_id, "year": year, "aff_seq": seq, "weight": 1.0 / len(rows),
                "stage": None, "institution": name, "country": country, "address": None, "domain": None,
                "locator": aloc, "org_type": org_type, "city": None,
            })
            seq += 1


def merge(batches: Iterable[OpenAlexStaged], file: str) -> OpenAlexStaged:
    """All batches of one file as one Staged (for the bytes-in ``stage`` interface)."""
    out = OpenAlexStaged(file=file)
    for b in batches:
        for f in fields(OpenAlexStaged):
            value = getattr(b, f.name)
            if isinstance(value, list):
                getattr(out, f.name).extend(value)
            elif isinstance(value, int) and f.name != "file":
                setattr(out, f.name, getattr(out, f.name) + value)
        out.observation_source = out.observation_source or b.observation_source
    return out


# ---------------------------------------------------------------------------------------------
# reading partitions (I/O)


def lines_from_bytes(data: bytes, file: str) -> Iterator[bytes]:
    """Lines of a partition given as bytes (gzipped or plain), decompressed as they are read."""
    return _lines(io.BytesIO(data), file)


def open_lines(path: Path, file: str) -> Iterator[bytes]:
    """Lines of a partition file, streamed: never more than one line (plus buffers) in memory."""
    with open(path, "rb") as fh:
        yield from _lines(fh, file)


def _lines(fh, file: str) -> Iterator[bytes]:
    magic = fh.read(2)
    fh.seek(0)
    if magic == b"\x1f\x8b":
        yield from gunzip_lines(fh)
    elif file.endswith(".gz"):
        raise gzip.BadGzipFile(f"{file} is named .gz but is not gzip data (starts with {magic!r})")
    else:
        yield from fh


def _decompress(d, data: bytes, out_max: int) -> bytes:
    try:
        return d.decompress(data, out_max)
    except _INFLATE_ERROR as exc:  # ISA-L's error, told as zlib's (the documented reject)
        raise zlib.error(str(exc)) from None


def open_blocks(path: Path, file: str) -> Iterator[bytes]:
    """A partition file as blocks of whole lines (for ``stage_blocks``): gzip partitions are
    decompressed block by block; a plain file is read line by line (one line per block)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
        fh.seek(0)
        if magic == b"\x1f\x8b":
            yield from gunzip_blocks(fh)
        else:
            yield from _lines(fh, file)


def _inflated(fh, chunk: int, out_max: int) -> Iterator[bytes]:
    """Decompressed pieces of a gzip stream (several members allowed), at most ``out_max`` bytes
    each (no gzip bomb); ``EOFError`` at the end when the last member is incomplete."""
    d = _inflate.decompressobj(31)
    started = False  # input has gone into the current member's decompressor
    pending = b""
    while True:
        if pending:
            started = True
            data = _decompress(d, pending, out_max)
            pending = d.unconsumed_tail
        else:
            # output the inflater may still hold (ISA-L keeps what exceeded out_max), else more input
            data = _decompress(d, b"", out_max) if started and not d.eof else b""
            if not data:
                pending = fh.read(chunk)
                if not pending:
                    break
                continue
        if d.eof:
            pending = d.unused_data + pending
            d = _inflate.decompressobj(31)
            started = False
        if data:
            yield data
    if started:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")


def gunzip_blocks(fh, *, chunk: int = 1 << 20, out_max: int = 1 << 20) -> Iterator[bytes]:
    """``gunzip_lines`` in blocks: each block holds whole lines (it ends with a newline, except an
    unterminated last line at a clean end); the same lines, the same errors at the same point."""
    tail = b""
    for data in _inflated(fh, chunk, out_max):
        buf = tail + data if tail else data
        cut = buf.rfind(b"\n") + 1
        if cut:
            yield buf[:cut] if cut < len(buf) else buf
        tail = buf[cut:]
        if len(tail) > MAX_LINE:
            raise PartitionReadError(f"a line longer than {MAX_LINE:,} bytes (no newline)")
    if tail:
        yield tail


def gunzip_lines(fh, *, chunk: int = 1 << 20, out_max: int = 8 << 20) -> Iterator[bytes]:
    """Decompress gzip (several members allowed) incrementally and yield complete lines.

    Every complete line before a truncation or corruption is yielded before the error is raised
    (``EOFError`` / ``zlib.error``); output per step is capped (no gzip bomb)."""
    tail = b""
    for data in _inflated(fh, chunk, out_max):
        parts = (tail + data).split(b"\n")
        tail = parts.pop()
        for part in parts:
            yield part + b"\n"
        if len(tail) > MAX_LINE:
            raise PartitionReadError(f"a line longer than {MAX_LINE:,} bytes (no newline)")
    if tail:
        yield tail


@dataclass(frozen=True)
class Partition:
    entity: str
    updated_date: str | None
    rel: str  # path relative to the data root, e.g. works/updated_date=2024-01-15/part_000.gz
    path: Path


def find_data_root(root: Path) -> Path:
    """The folder that holds ``works/`` (and ``authors/``): ROOT, ROOT/data or ROOT/data/jsonl."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise InputError(f"{root}: not a directory (expected an OpenAlex snapshot folder holding data/works/...)")
    for cand in (root, root / "data", root / "data" / "jsonl"):
        if any((cand / e).is_dir() for e in ENTITIES):
            return cand
    if any(root.glob("updated_date=*")):
        return root.parent
    raise InputError(f"{root}: no works/ or authors/ folder found in it, in data/ or in data/jsonl/ "
                     "(expected the OpenAlex snapshot layout data/works/updated_date=YYYY-MM-DD/part_000.gz)")


def partitions(root: Path, entities: tuple[str, ...] = ("works",)) -> list[Partition]:
    """Partition files of the snapshot under ``root``, oldest updated_date first (so a newer
    version of a record, ingested later, replaces an older one)."""
    unknown = set(entities) - set(ENTITIES)
    if unknown:
        raise ConfigError(f"OpenAlex entities {sorted(unknown)} unknown; choose from {ENTITIES}")
    data = find_data_root(root)
    out: list[Partition] = []
    for entity in entities:
        base = data / entity
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if not path.is_file() or not (path.name.endswith(".gz") or path.name.endswith(".jsonl")):
                continue
            rel = path.relative_to(data).as_posix()
            m = re.search(r"updated_date=(\d{4}-\d{2}-\d{2})", rel)
            out.append(Partition(entity, m.group(1) if m else None, rel, path))
    if not out:
        raise InputError(f"{data}: no partition files (*.gz) under {', '.join(e + '/' for e in entities)}")
    return sorted(out, key=lambda p: (ENTITIES.index(p.entity), p.updated_date or "", p.rel))


# ---------------------------------------------------------------------------------------------
# the source


def _entity(raw: RawFile) -> str:
    return raw.meta.get("entity") or ("authors" if raw.file.startswith("authors/") else "works")


class LineStaging:
    """``stage`` and ``stage_stream`` for sources whose files are OpenAlex JSON Lines partitions
    (needs ``flt``, ``batch_size`` and ``stats`` attributes)."""

    flt: WorkFilter
    batch_size: int
    stats: StageStats

    def _stage_lines(self, raw: RawFile, lines: Iterable[bytes]) -> Iterator[OpenAlexStaged]:
        return stage_lines(raw, lines, flt=self.flt, entity=_entity(raw), batch_size=self.batch_size)

    def stage(self, raw: RawFile, data: bytes) -> Staged:
        """Bytes in, one Staged out (the common interface; holds the whole file's rows)."""
        staged = merge(self._stage_lines(raw, lines_from_bytes(data, raw.file)), raw.file)
        self.stats.files += 1
        self.stats.add(staged)
        return staged

    def stage_stream(self, raw: RawFile) -> Iterator[Staged]:
        """Stream one partition in batches; the pipeline stores each batch in its one transaction."""
        self.stats.files += 1
        for batch in stage_blocks(raw, open_blocks(raw.path, raw.file), flt=self.flt, entity=_entity(raw),
                                  batch_size=self.batch_size):
            self.stats.add(batch)
            yield batch


@dataclass
class SnapshotSource(LineStaging):
    """Partitions of an OpenAlex snapshot on disk (works by default; authors on request)."""

    root: Path
    flt: WorkFilter = field(default_factory=WorkFilter)
    entities: tuple[str, ...] = ("works",)
    batch_size: int = DEFAULT_BATCH
    name: str = SOURCE
    stats: StageStats = field(default_factory=StageStats)
    workers: int | None = None  # processes staging partitions (None: the cores; 1: in this process)
    observation_sources: tuple[str, ...] = (AUTHORS_SOURCE,)  # written besides ``name`` (author histories)

    def stage_streams(self, raws: list[RawFile]) -> Iterator[Iterator[Staged]]:
        """The batches of each of ``raws``, in order (the pipeline consumes one file after the
        other): staged in ``workers`` processes when there are several partitions, else here."""
        from talentflow.ingest.openalex_parallel import default_workers, stage_parallel

        workers = default_workers() if self.workers is None else self.workers
        if workers <= 1 or len(raws) < 2:
            for raw in raws:
                yield self.stage_stream(raw)
            return
        max_year = _dt.date.today().year + 1
        streams = stage_parallel([(raw, _entity(raw)) for raw in raws], flt=self.flt, batch_size=self.batch_size,
                                 max_year=max_year, workers=workers)
        try:
            for stream in streams:
                self.stats.files += 1
                yield self._counted(stream)
        finally:
            streams.close()

    def _counted(self, stream: Iterator[OpenAlexStaged]) -> Iterator[OpenAlexStaged]:
        for batch in stream:
            self.stats.add(batch)
            yield batch

    def fetch(self, progress: bool = True) -> Iterator[RawFile]:
        for p in partitions(self.root, self.entities):
            yield RawFile(SOURCE, p.rel, p.path, f"openalex-snapshot:data/{p.rel}",
                          f"updated_date={p.updated_date}" if p.updated_date else None,
                          {"entity": p.entity, "stage_key": self.flt.stage_key + AUTHORS_STAGE.get(p.entity, "")})
