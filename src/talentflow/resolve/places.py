"""Where is the lab? The place evidence of one raw affiliation string, table by table.

Pure functions of the text and two packaged tables (``data/lab_sites.csv``: multinational lab sites,
branch campuses and the default sites of companies; ``data/cities.csv``: a GeoNames city
gazetteer). ``resolve.affiliations.resolve_one`` puts them in order (docs/places.md):

1. ``lab_site``: a row of the lab-site table of kind ``site`` or ``branch`` matches;
2. ``address_text``: country or city tokens of the raw string (a postal-style part naming a
   country, a US state or Canadian province, a city of the gazetteer; a company name followed by
   the country of its subsidiary: "Huawei Technologies Canada", "Baidu USA");
   then a ``default`` row of the lab-site table (recorded as ``lab_site`` too);
3. ``email_domain``: the country-code TLD of the author's e-mail domain;
4. ``institution_table``: the organizations table's seat (not for companies: a company's seat is
   its headquarters, not where its staff are);
5. ``upstream`` / ``input``: the country as the source gives it.

A fellowship or programme (CIFAR chairs and fellowships, ELLIS fellows, visiting chairs) is not a
location: its part of the string is removed before any rule reads it, and a string that is only a
programme gets no country (rule ``programme``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from talentflow.resolve.countries import CA_PROVINCES, US_STATES, fold, to_iso3
from talentflow.resolve.institutions import KNOWN_COMPANIES

LAB_SITES_VERSION = "2026.12.3"
KNOWN_COMPANY = re.compile(r"\b" + KNOWN_COMPANIES.pattern.lstrip("^"), re.IGNORECASE)  # anywhere in a string


@dataclass(frozen=True)
class Site:
    kind: str  # site | branch | default
    organization: str
    site: str
    country: str
    city: str | None
    pattern: re.Pattern
    domain: str | None


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("talentflow.resolve").joinpath(f"data/{name}").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@cache
def lab_sites() -> tuple[Site, ...]:
    out = []
    for r in _rows("lab_sites.csv"):
        out.append(Site(r["kind"].strip(), r["organization"].strip(), r["site"].strip(), r["country"].strip(),
                        (r["city"] or "").strip() or None, re.compile(r["pattern"]),
                        (r.get("domain") or "").strip().lower() or None))
    return tuple(out)


@cache
def gazetteer() -> dict[str, tuple[tuple[str, str, int], ...]]:
    """folded city name -> ((reported city, ISO3, population), ...), largest first."""
    by: dict[str, list[tuple[str, str, int]]] = {}
    for r in _rows("cities.csv"):
        k = fold(r["name"])
        if k in _NOT_CITIES:
            continue
        entry = (r["city"] or r["name"], r["country"], int(r["population"]))
        if entry[:2] not in {e[:2] for e in by.get(k, [])}:
            by.setdefault(k, []).append(entry)
    return {k: tuple(sorted(v, key=lambda e: -e[2])) for k, v in by.items()}


# Words of affiliations that GeoNames also has as cities but that here are rarely a city.
US_STATE_NAMES = frozenset(fold(s) for s in (
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho "
    "Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota "
    "Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah "
    "Vermont Virginia Washington Wisconsin Wyoming").split()) | {"new york state", "new jersey", "new mexico",
                                                             "north carolina", "south carolina", "west virginia",
                                                             "rhode island", "new hampshire", "north dakota",
                                                             "south dakota"}
_NOT_CITIES = US_STATE_NAMES | frozenset({
    "university", "college", "research", "institute", "center", "centre", "ai", "science", "industry", "mobile",
    "victoria", "concordia", "columbia", "georgetown", "kingston", "lincoln", "hamilton", "temple", "auburn",
    "santa clara", "orange", "bay", "university park", "college station", "industrial", "aurora", "cruise",
    "sale", "split", "nice", "bath", "hope", "deal", "best", "march", "leon", "cardinal", "trinity", "ontario",
    "salem", "jackson", "madison", "clayton", "franklin", "arlington", "lexington", "princeton", "durham",
})


def _literal_words(pattern: str) -> frozenset[str]:
    """Words of two or more letters a pattern spells out: a string that contains none of them
    cannot match (a prefilter; escapes and optional characters removed first)."""
    p = re.sub(r"\\[a-zA-Z]", " ", pattern)
    p = re.sub(r".\?|\{[0-9,]*\}|\[[^\]]*\]", " ", p)
    return frozenset(w for w in re.findall(r"[a-z0-9]{2,}", p))


@cache
def _index() -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Rows of the lab-site table by the first (up to) three letters of the words their pattern spells, and
    the rows that spell none (always tried)."""
    by: dict[str, set[int]] = {}
    always = []
    for i, s in enumerate(lab_sites()):
        words = _literal_words(s.pattern.pattern)
        if not words:
            always.append(i)
        for w in words:
            by.setdefault(w[:3], set()).add(i)
    return {k: tuple(sorted(v)) for k, v in by.items()}, tuple(always)


def site_match(text: str, domain: str | None, kinds: tuple[str, ...]) -> Site | None:
    """The first lab-site row of one of ``kinds`` whose pattern is in ``text`` (folded) and whose
    domain, if any, is the e-mail domain or its parent."""
    index, always = _index()
    rows = set(always)
    for w in set(re.findall(r"[a-z0-9]{2,}", text)):
        rows.update(index.get(w[:3], ()))
    if not rows:
        return None
    dom = (domain or "").strip().lower()
    sites = lab_sites()
    for i in sorted(rows):
        s = sites[i]
        if s.kind not in kinds:
            continue
        if s.domain and not (dom == s.domain or dom.endswith("." + s.domain)):
            continue
        if s.pattern.search(text):
            return s
    return None


# -- programmes ------------------------------------------------------------------------------------

PROGRAMME_PART = re.compile(
    r"\bcifar\b|canadian institute for advanced research|\bellis (fellow|scholar|member|phd|postdoc)|"
    r"\b(ai|research) chair\b|\bvisiting (professor|chair|scholar|researcher|fellow)\b\s*$|"
    r"^\s*(adjunct|affiliate|honorary) (professor|faculty|member)\s*$|\bazrieli\b|"
    r"\bfellow of\b|^\s*(\w+ )?fellow(ship)?\s*$",
    re.IGNORECASE,
)
VISITING_PREFIX = re.compile(r"^\s*(visiting|adjunct|affiliate|honorary)\s+(\w+\s+){0,2}?(at|of|in|@)\s+", re.IGNORECASE)
PROGRAMME_NAMES = re.compile(r"^\s*(cifar|canadian institute for advanced research|canada cifar( ai chair)?)\s*$",
                             re.IGNORECASE)


def strip_programmes(text: str | None) -> tuple[str | None, bool]:
    """(the text without its programme parts, whether a programme part was removed). "Canada
    CIFAR AI Chair, Mila, Montreal" -> ("Mila, Montreal", True); "CIFAR, Canada" -> ("", True)
    ("Canada" named only with the programme is not a place)."""
    if not text:
        return text, False
    parts = [p.strip() for p in re.split(r"[,;]", text)]
    kept, dropped = [], False
    for p in parts:
        if not p:
            continue
        q = VISITING_PREFIX.sub("", p)
        if q != p:
            dropped, p = True, q
        if PROGRAMME_PART.search(p):
            dropped = True
            continue
        kept.append(p)
    if dropped and all(to_iso3(p) is not None for p in kept):
        kept = []  # only a country left: the programme's own ("CIFAR, Canada")
    return ", ".join(kept), dropped


def is_programme_name(name: str | None) -> bool:
    return bool(name) and bool(PROGRAMME_NAMES.match(name))


# -- tokens of the raw string --------------------------------------------------------------------

_POSTAL = re.compile(r"\b\d{3,6}(-\d{3,4})?\b|\b[a-z]\d[a-z] ?\d[a-z]\d\b|\bp\.?o\.? box \d+\b")
_STATE_TAIL = re.compile(r"\s+([a-z]{2})$")
_DISTRICT = re.compile(r"\s+(city|district|shi|si|municipality|prefecture|metropolitan city|gu|county)$")
# Subsidiary names: a company name followed by its country ("Huawei Technologies Canada", "Baidu USA").
_SUBSIDIARY = re.compile(
    r"\b(usa|u\.s\.a?\.?|us|america|north america|canada|uk|united kingdom|japan|china|korea|india|germany|"
    r"france|israel|singapore|ireland|switzerland|australia|brazil|italy|spain|netherlands|russia|taiwan|"
    r"hong kong|sweden|finland|poland|vietnam|egypt)\b\)?\s*(inc|ltd|llc|gmbh|co|corp|corporation|limited|"
    r"lab|labs|research|r ?& ?d)?\.?\s*$")


@dataclass(frozen=True)
class Tokens:
    country: str | None  # the country the string itself names
    cities: tuple[tuple[str, str], ...]  # (city, ISO3) named as a whole part, nearest the end first
    name_cities: tuple[tuple[str, str], ...]  # (city, ISO3) in an institution name ("University of Tokyo")


_LOOSE_MARKS = re.compile(r"\s*[´¨˘`ˆ˜˝¸]\s*")  # accents a PDF extraction left standing apart ("Montr ´eal")


def clean(text: str) -> str:
    return fold(_LOOSE_MARKS.sub("", text))


def _parts(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;]", clean(text)) if p.strip()]


def _city_candidates(part: str) -> tuple[tuple[str, str, int], ...] | None:
    gaz = gazetteer()
    if re.search(r"\b(district|county|province|prefecture|region|state)\b", part):
        return None  # a district or province, not the municipality
    p = _POSTAL.sub(" ", part)
    p = re.sub(r"[()\[\]]", " ", p)
    p = re.sub(r"\s+", " ", p).strip(" .-")
    m = re.search(r"\b(?:[a-z]{1,2}-)?\d{4,5}\s+([a-z][a-z' -]+?)(?:\s+cedex\b.*)?$", part)  # "94235 Cachan Cedex", "D-52074 Aachen"
    postal = m.group(1).strip() if m else p
    german = re.sub(r"\s+(im|am|an der|ob der|bei)\s.*$", "", p)  # "Freiburg im Breisgau", "Frankfurt am Main"
    for cand in (p, _STATE_TAIL.sub("", p), _DISTRICT.sub("", p), re.sub(r"^\d+\s*|\s+cedex.*$", "", p), postal, german):
        hit = gaz.get(cand)
        if hit:
            return hit
    return None


# Short country codes that affiliations do write as a country ("Munich, DE"); other two- and
# three-letter tails are acronyms of labs and companies.
_SHORT_CODES = frozenset("usa us uk gb uae prc roc ksa cn jp de fr it es nl ch kr sg hk tw au be at se dk fi no "
                         "pl pt ie il br ru gr tr cz hu nz mx ar cl za eg sa ae qa".split())
_SPECIAL_PART = {"hong kong": "HKG", "hong kong sar": "HKG", "hksar": "HKG", "kowloon": "HKG", "macau": "MAC",
                 "macao": "MAC", "taiwan": "TWN", "taiwan roc": "TWN", "taiwan r.o.c.": "TWN", "taiwan r.o.c": "TWN",
                 "r.o.c.": "TWN", "roc": "TWN"}
_NAME_PATTERNS = (
    re.compile(r"^(?:the )?(?:(?:technical |national |state )?university|universite|universitat|universidad|universita|"
               r"universidade|institute of technology|polytechnic|college)(?: of| de| di| du| des| degli)? "
               r"([a-z .'-]+?)$"),
    re.compile(r"^([a-z .'-]+?) (?:university|institute of technology|university of technology|polytechnic|"
               r"college|institute)\b"),
    re.compile(r"\b(?:in|at) ([a-z .'-]+?)\)?$"),
)


@lru_cache(maxsize=200_000)
def tokens(text: str | None, company: bool = False) -> Tokens:
    """Country and cities the string names (see the module's rule 2)."""
    if not text:
        return Tokens(None, (), ())
    from talentflow.resolve.countries import country_from_address

    parts = _parts(text)
    raw = _LOOSE_MARKS.sub("", text)
    last = re.split(r"[,;]", raw.strip().rstrip(".,; "))[-1].strip().strip(".")
    country = country_from_address(raw)
    if (len(last) <= 3 and last.upper() not in US_STATES and last.upper() not in CA_PROVINCES
            and country is not None and fold(last) not in _SHORT_CODES):
        country = None  # "Microsoft, MSR", "DJI": an acronym, not Montserrat or Djibouti
    if country == "GEO" and not re.search(r"tbilisi|batumi|kutaisi|\.ge\b", fold(text)):
        country = "USA"  # Georgia, the US state (Georgia Tech, Atlanta, Georgia)
    if country in (None, "CHN"):
        for part in parts:
            if (c := _SPECIAL_PART.get(part.strip(". "))) is not None:
                country = c  # "Hong Kong SAR, China", "Taipei, Taiwan R.O.C."
                break
    cities: list[tuple[str, str]] = []
    dominant: str | None = None
    for part in parts:  # the first city named is the municipality ("Hino, Tokyo"; "Alcala de Henares, Madrid")
        hit = _city_candidates(part)
        if not hit:
            continue
        cities.extend((c, iso) for c, iso, _ in hit)
        big = hit[0]
        if dominant is None and big[2] >= 100_000 and (len(hit) == 1 or big[2] >= 5 * hit[1][2]):
            dominant = big[1]
    if country is None and parts:
        words = parts[-1].split()  # "London, ON Canada", "Haidian Beijing China"
        for k in (2, 1):
            tail = " ".join(words[-k:])
            if (len(words) > k and len(tail) > 3 and words[-k - 1] not in ("new", "south", "north", "west", "east")
                    and tail not in US_STATE_NAMES and (c := to_iso3(tail))):
                country = c  # not "New South Wales", "New Mexico", "Atlanta Georgia"
                break
    if country == "USA" and last.upper() in US_STATES and len(parts) > 1:
        # a two-letter tail that is a state and a country code: "Toronto, ON, CA" (Canada),
        # "Freiburg im Breisgau, Baden-Wurttemberg, DE" (Germany)
        other = to_iso3(last.upper()) if len(last) == 2 else None
        if other == "CAN" and re.sub(r"[^a-z]", "", parts[-2]).upper() in CA_PROVINCES:
            country = "CAN"
        elif other not in (None, "USA") and any(iso == other for _, iso in cities) and not any(
                iso == "USA" for _, iso in cities):
            country = other
    if country is None and dominant is not None:
        country = dominant
    elif (country == "USA" and dominant not in (None, "USA") and last.upper() in US_STATES
          and fold(last) in _SHORT_CODES and not any(iso == "USA" for _, iso in cities)):
        country = dominant  # "Munich, DE": Germany, not Delaware (no US city of that name)
    if country is None and company:
        for part in parts:
            m = _SUBSIDIARY.search(part)
            if m and (c := to_iso3(m.group(1).strip(".").replace("u.s", "us"))):
                country = c
                break
    name_cities: list[tuple[str, str]] = []
    gaz = gazetteer()
    for part in parts:
        words = [m.group(1).strip() for pat in _NAME_PATTERNS if (m := pat.search(part))]
        tail = part.split()
        words += [" ".join(tail[-k:]) for k in (2, 1) if len(tail) > k]
        for w in words:
            if w in gaz:
                name_cities.extend((c, iso) for c, iso, pop in gaz[w] if pop >= 50_000 or w not in tail)
    return Tokens(country, tuple(cities), tuple(name_cities))


def city_in(found: tuple[tuple[str, str], ...], country: str | None) -> str | None:
    if not country:
        return None
    for city, iso in found:
        if iso == country:
            return city
    return None
