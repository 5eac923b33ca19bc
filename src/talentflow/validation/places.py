"""Scoring place resolution against a hand-labelled gold set of affiliation strings (``gold/places``).

The gold set (its README says how it was drawn and labelled, blind to talentflow's output) has one
row per (affiliation string, e-mail domain) pair of the paperlists records: ``affiliation,
aff_domain, venue_year, upstream_country, stratum, split, country, city, confidence, notes``.
``country`` is ISO3, several joined by ``+`` for a multi-affiliation string (string order), ``UNK``
for a component that cannot be placed, ``UNDECIDABLE`` for a string that cannot be placed at all
(left out of every measure and counted). ``city`` is the first component's city (may be empty).

What is scored is talentflow's own resolution, run exactly as ingest runs it: the record of the
paperlists file ``venue_year`` in which the pair occurs is staged by
:func:`talentflow.ingest.paperlists.stage` (so the upstream normalised name, the upstream country as
talentflow's staging aligns it, the raw address and the e-mail domain are what ingest sees), and the
author's staged affiliation rows go through
:func:`talentflow.resolve.affiliations.resolve_affiliations` with the packaged lookup tables. The
first record of that file where ingest stages an author with the pair and at least one affiliation
row is used; a pair that no record of the file stages (ingest drops an aff list misaligned with the
authors) makes no observation and is counted (``not_staged``), not scored. The warehouse
step that fills a missing country from the institution's modal country
(``institution_modal``, see ``pipeline._derive_after_load``) needs the whole warehouse: it is
applied only when the caller passes the institutions' modal countries (``modal``).

Matching rules (shared with ``gold/places/tools/baseline.py``, which scores the upstream country):

- **set match** (``country_accuracy``): every located gold country is among the predicted countries
  and no predicted country is extra, unless the gold has an ``UNK`` component (which could be
  anywhere); an empty prediction is a miss;
- **first country** (``first_country_accuracy``): the first gold country equals the first predicted
  country (rows whose first gold component is ``UNK`` are left out);
- **city** (``city_accuracy``): on rows whose gold has a city, talentflow's city of the first
  affiliation equals it (case and accents folded); no city is a miss. The upstream data has no city.

The ``*_upstream`` measures score the gold file's ``upstream_country`` (the baseline; rows where it
is ``AMBIGUOUS`` are left out of those measures only). Intervals are Wilson score intervals
(rows are independent draws).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from talentflow.errors import ConfigError, InputError
from talentflow.ingest.base import RawFile
from talentflow.ingest.paperlists import SOURCE, _split, parse_filename, stage
from talentflow.resolve.affiliations import resolve_affiliations
from talentflow.resolve.countries import fold, to_iso3
from talentflow.resolve.institutions import Resolver

COLUMNS = ("affiliation", "aff_domain", "venue_year", "upstream_country", "stratum", "split", "country", "city")
SPLITS = ("dev", "test", "all")
UNDECIDABLE = "UNDECIDABLE"
UNK = "UNK"
AMBIGUOUS = "AMBIGUOUS"
MEASURES = ("country_accuracy", "country_accuracy_upstream", "first_country_accuracy",
            "first_country_accuracy_upstream", "city_accuracy")


@dataclass(frozen=True)
class PlacesParams:
    """What a places score depends on besides the gold file and the split (a column of its rows):
    the resolver's lookup tables (a hash of them) and whether the warehouse's modal-country step
    was applied."""

    resolver_tables: str = ""
    modal_share_min: float | None = None  # None: modal step not applied


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise ConfigError(f"--split {split!r}: expected one of {', '.join(SPLITS)}")
    return split


# -- the gold file ---------------------------------------------------------------------------------

def load_places(folder: str | Path) -> tuple[pd.DataFrame, str]:
    """The gold set's ``places.csv`` and its version (hash of the file's bytes)."""
    from talentflow.validation.gold import read_gold_csv

    path = Path(folder) / "places.csv"
    frame = read_gold_csv(path, tuple(COLUMNS))
    for i, vy in enumerate(frame["venue_year"]):
        try:
            parse_filename(f"{vy}.json")
        except ValueError:
            raise InputError(f"{path}: line {i + 2}, field venue_year: not <venue><year> ({vy!r})") from None
    return frame, hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# -- matching rules (also used by gold/places/tools/baseline.py) -----------------------------------

def upstream_codes(value: str) -> list[str]:
    """ISO3 codes of an upstream '+'-joined country list, in order, deduplicated ('' and 'Unknown' skipped)."""
    out: list[str] = []
    for name in (value or "").split("+"):
        name = name.strip()
        if not name or name == "Unknown":
            continue
        code = to_iso3(name)
        if code is None:
            raise InputError(f"unrecognised upstream country {name!r}")
        if code not in out:
            out.append(code)
    return out


def set_match(label: str, predicted: list[str]) -> bool:
    """Every located label country is predicted, and nothing extra unless the label has an UNK component."""
    lab = label.split("+")
    located = {c for c in lab if c != UNK}
    return bool(predicted) and located <= set(predicted) and (UNK in lab or set(predicted) <= located)


def first_match(label: str, predicted: list[str]) -> bool | None:
    """First label country == first predicted country; None when the label's first component is UNK."""
    first = label.split("+")[0]
    if first == UNK:
        return None
    return bool(predicted) and predicted[0] == first


def city_match(gold_city: str, predicted: str | None) -> bool | None:
    """None when the gold has no city; else fold-equal."""
    if not gold_city.strip():
        return None
    return isinstance(predicted, str) and bool(predicted) and fold(predicted) == fold(gold_city)


def wilson(k: float, n: float, z: float = 1.959964) -> tuple[float | None, float | None]:
    """Wilson score interval of a proportion k/n (95% by default)."""
    if n <= 0:
        return None, None
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


# -- talentflow's resolution of one gold row ---------------------------------------------------------

Records = Callable[[str], list]


def mirror_records(mirror: Path) -> Records:
    """Records of a paperlists file of the mirror by venue_year (parsed once each)."""

    @lru_cache(maxsize=None)
    def load(venue_year: str) -> list:
        venue, _ = parse_filename(f"{venue_year}.json")
        base = Path(mirror) / "paperlists" / venue / f"{venue_year}.json"
        for path in (base.with_name(base.name + ".gz"), base):
            if path.is_file():
                data = path.read_bytes()
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                return json.loads(data)
        raise InputError(f"{base}(.gz) is not in the mirror {mirror}")

    return load


def place(rec: dict, venue_year: str, affiliation: str, domain: str, resolver: Resolver,
          modal: dict[str, str] | None = None, index: int = 0) -> dict | None:
    """talentflow's place for the author of ``rec`` whose aff entry is ``affiliation`` with e-mail
    domain ``domain``: the record is staged alone, as ingest stages it, and the author's rows are
    resolved. None when no staged author carries the pair with at least one affiliation row (the
    record's aff list misaligned with its authors, which ingest drops, or the second half of an IEEE
    doubled list): ingest makes no observation of the string from that record."""
    if not isinstance(rec, dict):
        return None
    try:
        affs, doms = _split(rec.get("aff")), _split(rec.get("aff_domain"))
    except TypeError:
        return None
    hits = [i for i, a in enumerate(affs) if a == affiliation and (doms[i] if i < len(doms) else "") == domain]
    if not hits:
        return None
    venue, year = parse_filename(f"{venue_year}.json")
    raw = RawFile(SOURCE, f"{venue}/{venue_year}.json", Path("/nonexistent"), "gold", "gold")
    if _record_id(rec, index) != _record_id(rec, 0):  # no id: ingest names the work by its index in the file
        rec = {**rec, "id": _record_id(rec, index)}
    staged = stage(raw, json.dumps([rec]).encode())
    for i in hits:
        author = [a for a in staged.authorships if a["author_position"] == i + 1]
        if not author:
            continue
        rid = author[0]["researcher_id"]
        rows = [dict(a, file=staged.file) for a in staged.affiliations if a["researcher_id"] == rid]
        if not rows:  # staged without affiliation rows (e.g. an aff list misaligned with the authors)
            continue
        obs, _, _ = resolve_affiliations(rows, resolver, source=SOURCE)
        obs = sorted(obs, key=lambda o: o["aff_seq"])
        if modal:
            for o in obs:
                if o["country"] is None and o["institution_id"] in modal and o.get("place_rule") != "programme":
                    o["country"], o["country_rule"] = modal[o["institution_id"]], "institution_modal"
                    o["place_rule"] = "institution_modal"
        countries: list[str] = []
        for o in obs:
            if o["country"] and o["country"] not in countries:
                countries.append(o["country"])
        return {
            "pred_country": "+".join(countries), "pred_city": obs[0]["city"] if obs else None,
            "country_rule": "+".join(str(o["country_rule"]) for o in obs),
            "staged_upstream": "+".join(r["country"] or "" for r in rows),
            "institution": "+".join(str(r["institution"]) for r in rows),
            "institution_id": "+".join(str(o["institution_id"]) for o in obs),
            "work_id": rows[0]["work_id"], "researcher_id": rid,
        }
    return None


def _record_id(rec: dict, index: int) -> str:
    """The record's id as staging reads it (``idx<index>`` when it has none)."""
    pid = rec.get("id")
    return str(pid).strip() if isinstance(pid, (str, int)) and str(pid).strip() else f"idx{index}"


def predict(gold: pd.DataFrame, records: Records, resolver: Resolver, modal: dict[str, str] | None = None) -> pd.DataFrame:
    """``gold`` with talentflow's prediction columns (``pred_country`` '+'-joined, ``pred_city``,
    ``country_rule``, ``staged_upstream``, ``institution``, ``staged``)."""
    out = []
    for r in gold.itertuples(index=False):
        hit, seen = None, set()
        for i, rec in enumerate(records(r.venue_year)):
            if not isinstance(rec, dict) or (pid := _record_id(rec, i)) in seen:
                continue  # ingest rejects a record that is not an object, or repeats an id (duplicate_record)
            seen.add(pid)
            hit = place(rec, r.venue_year, r.affiliation, r.aff_domain, resolver, modal, index=i)
            if hit is not None:
                break
        out.append({"staged": hit is not None, **(hit or {})})
    pred = pd.DataFrame(out, index=gold.index)
    for col in ("pred_country", "pred_city", "country_rule", "staged_upstream", "institution", "institution_id",
                "work_id", "researcher_id"):
        if col not in pred:
            pred[col] = None
    return gold.join(pred)


# -- scoring ------------------------------------------------------------------------------------------

def judge(frame: pd.DataFrame) -> pd.DataFrame:
    """Per decidable row: set / first / city hits of talentflow and of the upstream country
    (``None`` where a measure does not apply to the row)."""
    rows = []
    for r in frame.itertuples(index=False):
        pred = [c for c in r.pred_country.split("+") if c] if r.staged and isinstance(r.pred_country, str) else []
        amb = r.upstream_country.strip() == AMBIGUOUS
        up = [] if amb else upstream_codes(r.upstream_country)
        rows.append({
            "country_accuracy": set_match(r.country, pred) if r.staged else None,
            "first_country_accuracy": first_match(r.country, pred) if r.staged else None,
            "city_accuracy": city_match(r.city, r.pred_city) if r.staged else None,
            "country_accuracy_upstream": None if amb else set_match(r.country, up),
            "first_country_accuracy_upstream": None if amb else first_match(r.country, up),
        })
    return frame.join(pd.DataFrame(rows, index=frame.index, columns=list(MEASURES)))


def in_split(gold: pd.DataFrame, split: str) -> pd.DataFrame:
    if split == "all":
        return gold
    return gold[gold["split"].str.strip().str.lower() == split]


def score(predicted: pd.DataFrame, split: str) -> tuple[pd.DataFrame, dict]:
    """Measures per stratum (and ``all``) of one split: (long frame stratum, measure, value, lo, hi,
    hits, n; counts of rows: total, undecidable, decidable, not_staged, upstream_ambiguous)."""
    g = in_split(predicted, check_split(split))
    und = g["country"].str.strip().str.upper() == UNDECIDABLE
    d = judge(g[~und])
    counts = {"rows": len(g), "undecidable": int(und.sum()), "decidable": int(len(d)),
              "not_staged": int((~d["staged"]).sum()) if len(d) else 0,
              "upstream_ambiguous": int((d["upstream_country"].str.strip() == AMBIGUOUS).sum()) if len(d) else 0}
    if d.empty:
        raise ConfigError(f"the places gold set has no decidable row in split {split!r}")
    out = []
    for stratum, part in [("all", d), *sorted(d.groupby("stratum"))]:
        for m in MEASURES:
            v = part[m].dropna().astype(bool)
            n, k = len(v), int(v.sum())
            lo, hi = wilson(k, n)
            out.append({"split": split, "stratum": stratum, "measure": m, "value": k / n if n else None,
                        "lo": lo, "hi": hi, "hits": k, "n": n})
    return pd.DataFrame(out), counts


def misses(predicted: pd.DataFrame, split: str) -> pd.DataFrame:
    """Decidable rows where talentflow's countries do not set-match the gold, or its city misses a gold city."""
    g = in_split(predicted, split)
    d = judge(g[g["country"].str.strip().str.upper() != UNDECIDABLE])
    bad = d[(d["country_accuracy"] != True) | (d["city_accuracy"] == False)]  # noqa: E712 (None counts too)
    cols = ["split", "stratum", "affiliation", "aff_domain", "venue_year", "country", "city", "pred_country",
            "pred_city", "country_rule", "staged_upstream", "upstream_country", "institution"]
    return bad.assign(country_ok=bad["country_accuracy"], city_ok=bad["city_accuracy"])[
        cols + ["country_ok", "city_ok"]].reset_index(drop=True)


def resolver_tables_hash() -> str:
    """Hash of the packaged lookup tables the resolver reads (a changed table is a new parameter set)."""
    from importlib import resources

    h = hashlib.sha256()
    for name in ("organizations.csv", "institution_aliases.csv", "hubs.csv", "lab_sites.csv", "cities.csv"):
        h.update(resources.files("talentflow.resolve").joinpath(f"data/{name}").read_bytes())
    return h.hexdigest()[:12]

