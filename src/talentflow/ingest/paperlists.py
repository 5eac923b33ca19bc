"""paperlists: accepted-paper lists of AI venues (papercopilot/paperlists), one JSON file per venue-year.

Upstream format: a JSON array of paper records; per-author fields are ';'-separated strings
aligned by position (``author``, ``authorids``, ``aff``, ``aff_domain``, ``position``), and
affiliations come as a unique list (``aff_unique_norm``) with a per-author index
(``aff_unique_index``; '+' joins several affiliations of one author), likewise countries
(``aff_country_unique`` / ``aff_country_unique_index``).

Quirks handled here (each counted in rejects when it costs information):
- IEEE venues (ICRA, IROS) list every author twice (``A;B;A;B``): the second half is dropped.
- ``aff_unique_index`` often skips authors whose ``aff`` is empty: realigned to the
  non-empty ``aff`` entries when the counts agree, else the paper's affiliations are rejected.
- An empty ``aff_unique_norm`` entry falls back to the author's raw ``aff`` text.
- Some author lists are ','-separated (SIGGRAPH); detected from ``author_num``.
- Identities: IEEE ids (``/37086936234``), ACL Anthology ids (``/o/omer-goldman/``) and
  OpenReview ids (``~Name1``) are stable; everyone else gets a name key marked ``name_only``,
  in a separate namespace, so a name is never merged with an id-based person.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from talentflow.errors import FetchError
from talentflow.fetch import PAPERLISTS, Upstream, locate, mirror_dir
from talentflow.ingest.base import RawFile, Staged, invalid_text, may_hold_surrogate
from talentflow.resolve.countries import fold

SOURCE = "paperlists"
REJECTED_STATUSES = frozenset({"reject", "withdraw", "withdrawn", "desk reject", "desk rejected"})
FILE_RE = re.compile(r"^(?P<venue>[a-z0-9]+?)(?P<year>\d{4})\.json(\.gz)?$", re.IGNORECASE)

# Venues with stable author ids (the rest are name-only); used for the default demo selection.
ID_VENUES = ("icra", "iros", "acl", "naacl", "coling", "corl", "colm", "www", "aistats", "alt", "3dv", "ai4x", "acmmm")

_IEEE = re.compile(r"^/(\d+)$")
_ACL = re.compile(r"^/[a-z0-9]/([^/]+)/?$")


def identity(author_id: str | None, name: str) -> tuple[str, str, str, str]:
    """(researcher_id, namespace, source_key, identity kind) for one author."""
    aid = (author_id or "").strip()
    if m := _IEEE.match(aid):
        return f"ieee:{m.group(1)}", "ieee", m.group(1), "stable_id"
    if m := _ACL.match(aid):
        return f"acl:{m.group(1)}", "acl", m.group(1), "stable_id"
    if aid.startswith("~") and len(aid) > 1:
        return f"openreview:{aid}", "openreview", aid, "stable_id"
    k = name_key(name)
    return f"name:{k}", "name", k, "name_only"


def name_key(name: str) -> str:
    """A person's name folded for matching: accents and dots removed, lower case."""
    k = fold(name).replace(".", " ").replace(",", " ")
    return re.sub(r"\s+", " ", k).strip()


def parse_filename(file: str) -> tuple[str, int]:
    """('icra', 2015) from 'icra/icra2015.json' or 'icra2015.json.gz'."""
    m = FILE_RE.match(file.rsplit("/", 1)[-1])
    if not m:
        raise ValueError(f"{file}: not a paperlists file name (<venue><year>.json)")
    return m.group("venue").lower(), int(m.group("year"))


_STEP = 4 << 20
MAX_DECOMPRESSED = 128 << 20  # bytes a paperlists file may inflate to (the largest file of the mirror: 4 MB)


class CorruptFile(ValueError):
    """The bytes of a file are not what its name says (not gzip, truncated, trailing garbage, a bomb)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def decode(data: bytes, *, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Gunzip when the bytes are gzipped (by magic number), one member after another, never
    inflating past ``limit`` bytes (a gzip bomb is refused, not decompressed)."""
    if data[:2] != b"\x1f\x8b":
        return data
    parts: list[bytes] = []
    total = 0
    pending = data
    while pending:
        d = zlib.decompressobj(31)
        try:
            while pending and not d.eof:
                piece = d.decompress(pending, min(_STEP, limit + 1 - total))  # small steps: no large reallocations
                total += len(piece)
                parts.append(piece)
                if total > limit:
                    raise CorruptFile("decompressed_too_large",
                                      f"inflates past {limit:,} bytes (from {len(data):,} compressed); not read further")
                pending = d.unconsumed_tail
        except zlib.error as exc:
            raise CorruptFile("truncated_or_corrupt_gzip", f"zlib: {exc}") from None
        if not d.eof:
            raise CorruptFile("truncated_or_corrupt_gzip",
                              f"the gzip stream ends before its end marker (truncated at {len(data):,} bytes)")
        pending = d.unused_data
        if pending and pending[:2] != b"\x1f\x8b":
            if pending.strip(b"\x00"):  # gzip tolerates zero padding, nothing else
                raise CorruptFile("trailing_garbage",
                                  f"{len(pending):,} byte(s) after the gzip stream: {pending[:40]!r}")
            pending = b""
    return b"".join(parts)


class _TooDeep:
    """Stands for one array element that nests too deeply to parse."""

    def __init__(self, text: str):
        self.preview = text[:200]


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_JSON_SCALAR = re.compile(r'[^,\]\s]+')
_WS = re.compile(r"\s*")


def _array_elements(text: str) -> list:
    """The elements of a top-level JSON array, parsed one by one: an element nested too deeply for
    the parser becomes a ``_TooDeep`` (one record rejected, not the file). Raises ValueError when
    the text is not an array."""
    pos = _WS.match(text, 0).end()
    if text[pos:pos + 1] != "[":
        raise ValueError("top level is not an array")
    pos = _WS.match(text, pos + 1).end()
    out: list = []
    if text[pos:pos + 1] == "]":
        return out
    while True:
        start = pos
        if text[pos:pos + 1] in ("[", "{"):
            depth = 0
            for m in _JSON_TOKEN.finditer(text, pos):
                tok = m.group()
                if tok in "[{":
                    depth += 1
                elif tok in "]}":
                    depth -= 1
                if depth == 0:
                    pos = m.end()
                    break
            else:
                raise ValueError(f"unterminated array or object at character {start}")
        else:
            m = _JSON_TOKEN.match(text, pos) if text[pos:pos + 1] == '"' else _JSON_SCALAR.match(text, pos)
            if not m:
                raise ValueError(f"expected a value at character {pos}")
            pos = m.end()
        chunk = text[start:pos]
        try:
            out.append(json.loads(chunk))
        except RecursionError:
            out.append(_TooDeep(chunk))
        pos = _WS.match(text, pos).end()
        sep = text[pos:pos + 1]
        if sep == "]":
            if text[pos + 1:].strip():
                raise ValueError(f"extra data after the array at character {pos + 1}")
            return out
        if sep != ",":
            raise ValueError(f"expected ',' or ']' at character {pos}")
        pos = _WS.match(text, pos + 1).end()


def parse_records(data: bytes):
    """The parsed top-level value of a paperlists file; a list when the file nests too deeply for
    the parser to take at once (then parsed element by element)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except RecursionError:
        return _array_elements(text)


def _split(value, sep: str = ";") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        raise TypeError(type(value).__name__)
    if not value.strip():
        return []
    return [p.strip() for p in value.split(sep)]


def _str_or_none(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        v = value.strip()
        return v or None
    return None


def stage(raw: RawFile, data: bytes, *, max_year: int | None = None) -> Staged:
    """Pure: the bytes of one paperlists file -> staged rows and rejects."""
    out = Staged(file=raw.file)
    try:
        venue, year = parse_filename(raw.file)
    except ValueError as exc:
        out.reject("file", "*", "bad_file_name", str(exc), "file")
        return out
    max_year = max_year or _dt.date.today().year + 1
    if not 1950 <= year <= max_year:
        out.reject("file", "year", "implausible_year", year, "file")
        return out
    if data[:2] != b"\x1f\x8b" and raw.path.name.endswith(".gz"):
        out.reject("file", "*", "not_gzip", f"{raw.path.name} is named .gz but starts with {data[:8]!r}", "file")
        return out
    try:
        plain = decode(data)
        records = parse_records(plain)
    except CorruptFile as exc:
        out.reject("file", "*", exc.reason, str(exc), "file")
        return out
    except (UnicodeDecodeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        out.reject("file", "*", "malformed_json", str(exc), "file")
        return out
    if not isinstance(records, list):
        out.reject("file", "*", "unexpected_structure", f"top level is {type(records).__name__}, expected a list", "file")
        return out
    out.n_records = len(records)
    seen_works: set[str] = set()
    check_text = may_hold_surrogate(plain)
    del plain
    for i, rec in enumerate(records):
        _stage_record(out, rec, i, venue, year, seen_works, check_text)
    return out


@dataclass
class _Ctx:
    out: Staged
    loc: str


def _stage_record(out: Staged, rec, i: int, venue: str, year: int, seen: set[str], check_text: bool = True) -> None:
    if isinstance(rec, _TooDeep):
        out.reject(f"record {i}", "*", "too_deeply_nested", rec.preview)
        return
    if not isinstance(rec, dict):
        out.reject(f"record {i}", "*", "record_not_object", rec)
        return
    bad_text = invalid_text(rec) if check_text else None
    if bad_text is not None:
        out.reject(f"record {i}", bad_text[0], "invalid_unicode", f"lone surrogate in {bad_text[1]!r}")
        return
    raw_pid = rec.get("id")
    if isinstance(raw_pid, (str, int)) and not isinstance(raw_pid, bool) and str(raw_pid).strip():
        pid = str(raw_pid).strip()
    else:
        pid = f"idx{i}"
        if raw_pid is not None and not (isinstance(raw_pid, str) and not raw_pid.strip()):
            out.reject(f"record {i} (id {pid})", "id", "wrong_type", raw_pid, "field")
    loc = f"record {i} (id {pid})"
    work_id = f"{SOURCE}:{venue}{year}:{pid}"
    if work_id in seen:
        out.reject(loc, "id", "duplicate_record", pid)
        return
    try:
        names = _split(rec.get("author"))
    except TypeError as exc:
        out.reject(loc, "author", "wrong_type", f"{exc}: {rec.get('author')!r}")
        return
    seen.add(work_id)
    title = rec.get("title")
    if title is not None and not isinstance(title, str):
        out.reject(loc, "title", "wrong_type", title, "field")
        title = None
    def text(name: str) -> str | None:
        value = rec.get(name)
        if value is not None and not isinstance(value, str):
            out.reject(loc, name, "wrong_type", value, "field")
            return None
        return _str_or_none(value)

    abstract, status, area = text("abstract"), text("status"), text("primary_area")
    out.works.append({
        "work_id": work_id, "source": SOURCE, "venue": venue, "year": year,
        "title": _str_or_none(title), "abstract": abstract,
        "subfield_label": area, "status": status,
        "accepted": not (status and status.casefold() in REJECTED_STATUSES),
    })
    if not names:
        out.reject(loc, "author", "no_authors", rec.get("author"), "field")
        return
    n_declared = rec.get("author_num")
    if len(names) == 1 and isinstance(n_declared, int) and n_declared > 1:
        commas = [p.strip() for p in names[0].split(",")]
        if len(commas) == n_declared:
            names = commas

    def field_list(name: str, sep: str = ";") -> list[str]:
        try:
            return _split(rec.get(name), sep)
        except TypeError as exc:
            out.reject(loc, name, "wrong_type", f"{exc}: {rec.get(name)!r}", "field")
            return []

    ids, affs, domains, positions = field_list("authorids"), field_list("aff"), field_list("aff_domain"), field_list("position")
    n = len(names)
    doubled_ids = len(ids) != n or ids[: n // 2] == ids[n // 2:]
    if n % 2 == 0 and n > 0 and names[: n // 2] == names[n // 2:] and doubled_ids:
        n //= 2
        names = names[:n]
        ids, affs, domains, positions = (lst[:n] if len(lst) == 2 * n else lst for lst in (ids, affs, domains, positions))

    def aligned(lst: list[str], name: str) -> list[str | None]:
        if len(lst) == n:
            return [v or None for v in lst]
        if lst and any(lst):
            out.reject(loc, name, "misaligned_author_field", f"{len(lst)} entries for {n} authors", "field")
        return [None] * n

    ids_a, affs_a, doms_a, pos_a = aligned(ids, "authorids"), aligned(affs, "aff"), aligned(domains, "aff_domain"), aligned(positions, "position")
    per_author = _affiliation_indices(rec, n, affs_a, out, loc)
    norms = field_list("aff_unique_norm")
    countries = field_list("aff_country_unique")

    seen_authors: set[str] = set()
    name_set = set(names)
    for pos, name in enumerate(names):
        aloc = f"{loc} author {pos + 1}"
        if not name:
            out.reject(aloc, "author", "empty_name", name)
            continue
        rid, ns, skey, kind = identity(ids_a[pos], name)
        if rid in seen_authors:
            out.reject(aloc, "author", "duplicate_author", name)
            continue
        seen_authors.add(rid)
        out.researchers.append({"researcher_id": rid, "source_key": skey, "namespace": ns, "name": name, "identity": kind})
        inst_idx, ctry_idx = per_author[pos]
        raw_aff_parts = [p.strip() for p in affs_a[pos].split("+")] if affs_a[pos] else []
        rows = []
        for k, j in enumerate(inst_idx):
            inst = norms[j] if j is not None and 0 <= j < len(norms) and norms[j] else None
            if j is not None and not 0 <= j < len(norms):
                out.reject(aloc, "aff_unique_index", "index_out_of_range", j, "field")
            address = raw_aff_parts[k] if len(raw_aff_parts) == len(inst_idx) else affs_a[pos]
            if inst is None and len(raw_aff_parts) == len(inst_idx):
                inst = raw_aff_parts[k] or None
            c = ctry_idx[k] if k < len(ctry_idx) else None
            country = countries[c] if c is not None and 0 <= c < len(countries) else None
            if c is not None and not 0 <= c < len(countries):
                out.reject(aloc, "aff_country_unique_index", "index_out_of_range", c, "field")
            rows.append((inst, country, address))
        if not rows and affs_a[pos]:
            # no index entry: a short comma-free text is an institution name (OpenReview style),
            # a longer one a postal address (IEEE style) that only tells the country
            for part in raw_aff_parts:
                rows.append((part if part and "," not in part else None, None, part))
        # an entry that names a co-author (IEEE puts the name where the affiliation is missing) is no affiliation
        rows = [(None if inst in name_set else inst, country, None if address in name_set else address)
                for inst, country, address in rows]
        # evidence that says nothing (an index pointing at an empty name, no country, no address, no domain)
        rows = [r for r in rows if r[0] or r[1] or r[2] or doms_a[pos]]
        for k, (inst, country, address) in enumerate(rows):
            out.affiliations.append({
                "researcher_id": rid, "work_id": work_id, "year": year, "aff_seq": k, "weight": 1.0 / len(rows),
                "stage": pos_a[pos], "institution": inst, "country": country, "address": address,
                "domain": doms_a[pos], "locator": aloc, "org_type": None, "city": None,
            })
        out.authorships.append({
            "researcher_id": rid, "work_id": work_id, "author_position": pos + 1, "year": year, "n_affiliations": len(rows),
            "aff_domain": doms_a[pos].strip().lower() if doms_a[pos] and doms_a[pos].strip() else None,
        })


_INDEX = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit() also accepts '²', which int() refuses


def _parse_index_entry(entry: str, bad=None) -> list[int | None]:
    """'0+2' -> [0, 2]; an entry that is no non-negative integer ('-1', '1.5', '²', 'a') is None,
    reported through ``bad(value)``."""
    out: list[int | None] = []
    for part in entry.split("+"):
        part = part.strip()
        if _INDEX.fullmatch(part):
            out.append(int(part))
        else:
            out.append(None)
            if bad is not None:
                bad(part)
    return out


def _affiliation_indices(rec: dict, n: int, affs: list[str | None], out: Staged, loc: str):
    """Per author: (institution indices, country indices), aligned to the author list."""
    empty = [([], [])] * n
    try:
        inst = _split(rec.get("aff_unique_index"))
        ctry = _split(rec.get("aff_country_unique_index"))
    except TypeError as exc:
        out.reject(loc, "aff_unique_index", "wrong_type", str(exc), "field")
        return empty
    if not inst:
        return empty
    if len(inst) == 2 * n and inst[:n] == inst[n:]:
        inst = inst[:n]
    if len(ctry) == 2 * n and ctry[:n] == ctry[n:]:
        ctry = ctry[:n]
    if len(inst) == n:
        slots = list(range(n))
    else:
        filled = [i for i, a in enumerate(affs) if a]
        if len(filled) == len(inst):
            slots = filled
        else:
            out.reject(loc, "aff_unique_index", "misaligned_affiliation_index",
                       f"{len(inst)} index entries for {n} authors ({len(filled)} with an affiliation)", "field")
            return empty
    if ctry and len(ctry) < len(inst):
        # upstream skips the authors whose affiliations got no country: find which (issue 17)
        realigned = _realign_countries(inst, ctry, [not affs[slot] for slot in slots])
        if realigned is None:
            out.reject(loc, "aff_country_unique_index", "misaligned_country_index",
                       f"{len(ctry)} entries for {len(inst)} affiliation entries (no unique realignment)", "field")
            ctry = []
        else:
            ctry = realigned
    elif ctry and len(ctry) != len(inst):
        out.reject(loc, "aff_country_unique_index", "misaligned_country_index",
                   f"{len(ctry)} entries for {len(inst)} affiliation entries", "field")
        ctry = []
    result: list[tuple[list, list]] = [([], []) for _ in range(n)]
    def bad(name: str):
        return lambda value: out.reject(loc, name, "bad_index_entry", value, "field")

    for k, slot in enumerate(slots):
        i_entry = _parse_index_entry(inst[k], bad("aff_unique_index")) if inst[k] else []
        c_entry = _parse_index_entry(ctry[k], bad("aff_country_unique_index")) if ctry and ctry[k] else []
        result[slot] = (i_entry, c_entry)
    return result


MAX_REALIGNMENTS = 20_000


def _realign_countries(inst: list[str], ctry: list[str], no_aff: list[bool] | None = None) -> list[str] | None:
    """A country index shorter than the affiliation index, realigned to it ('' for the authors it
    skipped), or None when no single realignment fits.

    ``aff_country_unique_index`` has one entry per author whose affiliations got a country, so
    entry j is not author j. Every choice of skipped authors is tried; a choice fits when each
    unique affiliation maps to one country across the paper, no skipped author has an affiliation
    that is given a country elsewhere, and an entry has no more countries than the author has
    affiliations, and an author with no affiliation text (``no_aff``) gets none. The result is kept
    only where every fitting choice gives the author the same entry (the gold set's
    ``gold/places/tools/extract_pairs.py`` reads upstream the same way)."""
    import itertools

    m, k = len(inst), len(ctry)
    auth_u = [[u.strip() for u in e.split("+")] if e else [] for e in inst]
    cc = [[c.strip() for c in e.split("+")] if e else [] for e in ctry]
    answers: list[set] = [set() for _ in range(m)]
    n = 0
    for skip in itertools.combinations(range(m), m - k):
        n += 1
        if n > MAX_REALIGNMENTS:
            return None
        sk = set(skip)
        amap: dict[str, str] = {}
        assign: list[list[str] | None] = [None] * m
        ok, j = True, 0
        for a in range(m):
            if a in sk:
                continue
            assign[a] = cc[j]
            j += 1
            if no_aff is not None and no_aff[a] and any(assign[a]):
                ok = False
                break
            if len(assign[a]) > len(auth_u[a]):
                ok = False
                break
            if len(assign[a]) == len(auth_u[a]):
                for u, c in zip(auth_u[a], assign[a]):
                    if amap.setdefault(u, c) != c:
                        ok = False
        if ok and any(u in amap for a in sk for u in auth_u[a]):
            ok = False
        if ok:
            for a in range(m):
                if assign[a] is not None and len(assign[a]) < len(auth_u[a]):
                    if any(amap[u] not in assign[a] for u in auth_u[a] if u in amap):
                        ok = False
        if not ok:
            continue
        for a in range(m):
            answers[a].add("" if assign[a] is None else "+".join(assign[a]))
    if not answers or any(len(s) != 1 for s in answers):
        return None
    return [next(iter(s)) for s in answers]


# ---------------------------------------------------------------------------------------------
# fetch


@dataclass(frozen=True)
class PaperlistsSource:
    """Venue-year files of paperlists: from the mirror, the cache, or the pinned upstream commit.

    In a mirror, every file under ``<venue>/`` is accounted for: a file name that is not
    ``<venue><year>.json[.gz]`` (any case) and a second file for the same venue-year (``x.json``
    beside ``x.json.gz``) are not ingested but each leaves a file-level reject."""

    venues: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    upstream: Upstream = PAPERLISTS
    name: str = SOURCE

    def _mirror_files(self) -> tuple[dict[tuple[str, int], list[Path]], list[Path]] | None:
        """(venue, year) -> files of the mirror (preferred first), and files whose name is no venue-year."""
        mirror = mirror_dir()
        if mirror is None:
            return None
        base = mirror / self.upstream.mirror_prefix
        if not base.is_dir():
            raise FetchError(f"the mirror {mirror} has no {self.upstream.mirror_prefix}/ folder")
        found: dict[tuple[str, int], list[Path]] = {}
        unnamed: list[Path] = []
        for p in sorted(base.glob("*/*")):
            if not p.is_file() or p.name.startswith("."):
                continue
            try:
                pair = parse_filename(p.name)
            except ValueError:
                unnamed.append(p)
                continue
            found.setdefault(pair, []).append(p)
        for pair, paths in found.items():
            venue, year = pair
            canonical = f"{venue}{year}.json"
            # the exact upstream name first, then its .gz, then other spellings (upper case, another folder)
            paths.sort(key=lambda q: (q.parent.name != venue, q.name not in (canonical, canonical + ".gz"),
                                      q.name != canonical, str(q)))
        return found, unnamed

    def catalog(self) -> list[tuple[str, int]]:
        """(venue, year) pairs available: listed from the mirror, or from the upstream repository tree."""
        listed = self._mirror_files()
        if listed is not None:
            return sorted(listed[0])
        return _upstream_tree(self.upstream)

    def selected(self) -> list[tuple[str, int]]:
        pairs = self.catalog()
        if self.venues:
            unknown = set(self.venues) - {v for v, _ in pairs}
            if unknown:
                raise FetchError(f"unknown venue(s) {sorted(unknown)}; available: {sorted({v for v, _ in pairs})}")
            pairs = [p for p in pairs if p[0] in self.venues]
        if self.years is not None:
            pairs = [p for p in pairs if p[1] in self.years]
        return pairs

    def files(self) -> list[str]:
        return [f"{v}/{v}{y}.json" for v, y in self.selected()]

    def fetch(self, progress: bool = True) -> Iterator[RawFile]:
        listed = self._mirror_files()
        if listed is None:
            for path in self.files():
                found = locate(self.upstream, path, progress=progress)
                yield RawFile(SOURCE, path, found.path, found.upstream, found.version)
            return
        by_pair, unnamed = listed
        base = mirror_dir() / self.upstream.mirror_prefix
        for venue, year in self.selected():
            rel = f"{venue}/{venue}{year}.json"
            first, *others = by_pair[(venue, year)]
            yield RawFile(SOURCE, rel, first, self.upstream.url(rel), self.upstream.version)
            for other in others:
                yield RawFile(SOURCE, other.relative_to(base).as_posix(), other, self.upstream.url(rel),
                              self.upstream.version,
                              meta={"refuse": ("duplicate_file", f"{other.name} is a second file for {venue} {year}; "
                                               f"{first.relative_to(base).as_posix()} was ingested instead")})
        if not self.venues and self.years is None:
            for p in unnamed:
                yield RawFile(SOURCE, p.relative_to(base).as_posix(), p, str(p), self.upstream.version,
                              meta={"refuse": ("bad_file_name", f"{p.name}: not a paperlists file name "
                                               "(<venue><year>.json or .json.gz)")})

    def stage(self, raw: RawFile, data: bytes) -> Staged:
        if raw.meta.get("refuse"):
            out = Staged(file=raw.file)
            reason, detail = raw.meta["refuse"]
            out.reject("file", "*", reason, detail, "file")
            return out
        return stage(raw, data)


def _upstream_tree(upstream: Upstream) -> list[tuple[str, int]]:
    """List venue-year files of the pinned upstream commit through the public repository API (cached)."""
    import httpx

    from talentflow.fetch import cache_dir

    cached = cache_dir() / upstream.name / upstream.version / "_tree.json"
    if cached.is_file():
        paths = json.loads(cached.read_text())
    else:
        url = (upstream.listing_url or "").format(version=upstream.version)
        try:
            resp = httpx.get(url, timeout=60, follow_redirects=True)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise FetchError(f"could not list {url}: {exc}; set TALENTFLOW_MIRROR to read a local mirror") from exc
        paths = [item["path"] for item in resp.json().get("tree", []) if item.get("type") == "blob"]
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(paths))
    pairs = set()
    for p in paths:
        parts = p.split("/")
        if len(parts) == 2:
            try:
                venue, year = parse_filename(parts[1])
            except ValueError:
                continue
            if venue == parts[0]:
                pairs.add((venue, year))
    return sorted(pairs)
