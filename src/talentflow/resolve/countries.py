"""Countries: any spelling (ISO2, ISO3, English names, common variants) to ISO 3166-1 alpha-3.

Built on pycountry's ISO 3166 tables, with a small alias table for spellings pycountry does
not know (``UK``, ``Korea``, ``P.R. China``...). Pure functions, cached per distinct string.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

import pycountry

# Spellings seen in real affiliation data that pycountry's lookup does not resolve (or resolves wrongly).
ALIASES: dict[str, str] = {
    "uk": "GBR", "u.k.": "GBR", "england": "GBR", "scotland": "GBR", "wales": "GBR", "northern ireland": "GBR",
    "great britain": "GBR", "britain": "GBR",
    "usa": "USA", "u.s.a.": "USA", "u.s.a": "USA", "us": "USA", "u.s.": "USA", "united states of america": "USA",
    "america": "USA",
    "korea": "KOR", "south korea": "KOR", "republic of korea": "KOR", "korea (south)": "KOR", "korea, south": "KOR",
    "korea, republic of": "KOR", "rep. of korea": "KOR", "s. korea": "KOR", "north korea": "PRK",
    "china": "CHN", "p.r. china": "CHN", "pr china": "CHN", "p. r. china": "CHN", "p.r.china": "CHN", "prc": "CHN",
    "people's republic of china": "CHN", "peoples r china": "CHN", "mainland china": "CHN",
    "hong kong": "HKG", "hong kong sar": "HKG", "hong kong, china": "HKG", "hksar": "HKG", "hong kong sar, china": "HKG",
    "macau": "MAC", "macao": "MAC", "macau sar": "MAC", "macao sar": "MAC", "macau, china": "MAC",
    "taiwan": "TWN", "taiwan, roc": "TWN", "taiwan (roc)": "TWN", "republic of china": "TWN", "r.o.c.": "TWN",
    "roc": "TWN", "taiwan, china": "TWN", "chinese taipei": "TWN",
    "russia": "RUS", "russian federation": "RUS",
    "iran": "IRN", "iran, islamic republic of": "IRN", "vietnam": "VNM", "viet nam": "VNM",
    "czech republic": "CZE", "czechia": "CZE", "turkey": "TUR", "türkiye": "TUR", "turkiye": "TUR",
    "kosovo": "XKX", "state of palestine": "PSE", "palestine": "PSE", "kingdom of saudi arabia": "SAU", "ksa": "SAU",
    "uae": "ARE", "u.a.e.": "ARE", "the netherlands": "NLD", "holland": "NLD", "syria": "SYR", "laos": "LAO",
    "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA", "moldova": "MDA", "macedonia": "MKD",
    "north macedonia": "MKD", "ivory coast": "CIV", "cote d'ivoire": "CIV", "brunei": "BRN",
    "swaziland": "SWZ", "cape verde": "CPV", "micronesia": "FSM", "vatican": "VAT", "the bahamas": "BHS",
    "the gambia": "GMB", "republic of ireland": "IRL", "deutschland": "DEU", "espana": "ESP", "españa": "ESP",
    "italia": "ITA", "schweiz": "CHE", "suisse": "CHE", "brasil": "BRA", "osterreich": "AUT", "österreich": "AUT",
}

# Values that mean "no country" rather than a country we fail to recognize.
MISSING = frozenset({"", "unknown", "n/a", "na", "none", "null", "-", "?", "not specified"})

# US states and Canadian provinces, for addresses that end in "Pittsburgh, PA 15213" or "Toronto, ON".
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
CA_PROVINCES = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())

# Country-code top-level domains that are marketed worldwide and say nothing of a country.
GENERIC_CCTLDS = frozenset({"ai", "io", "co", "me", "tv", "cc", "ly", "fm", "am", "to", "ws", "gg", "sh", "ac", "is"})


@lru_cache(maxsize=500_000)
def fold(text: str) -> str:
    """Lower-case, accents removed, inner white space collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().casefold()


@lru_cache(maxsize=100_000)
def to_iso3(value: str | None) -> str | None:
    """ISO3 code for a country spelled any common way; None when unknown or missing.

    >>> to_iso3("South Korea"), to_iso3("de"), to_iso3("GBR"), to_iso3("Atlantis")
    ('KOR', 'DEU', 'GBR', None)
    """
    if value is None:
        return None
    raw = value.strip().strip(".")
    key = fold(raw)
    if key in MISSING:
        return None
    if key in ALIASES:
        return ALIASES[key]
    if len(raw) == 2 and raw.isalpha():
        hit = pycountry.countries.get(alpha_2=raw.upper())
        return hit.alpha_3 if hit else None
    if len(raw) == 3 and raw.isalpha() and raw.isupper():
        hit = pycountry.countries.get(alpha_3=raw)
        if hit:
            return hit.alpha_3
    try:
        return pycountry.countries.lookup(raw).alpha_3
    except LookupError:
        pass
    stripped = re.sub(r"^the ", "", key)
    if stripped != key:
        return to_iso3(stripped)
    return None


def is_missing(value: str | None) -> bool:
    return value is None or fold(value) in MISSING


def country_from_address(text: str | None) -> str | None:
    """Country named at the end of a postal-style affiliation ("..., Taipei, Taiwan")."""
    if not text:
        return None
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if not parts:
        return None
    last = parts[-1].rstrip(".")
    code = to_iso3(last) if len(last) > 2 or last.isupper() else None
    if code and not (len(last) == 2 and last.upper() in US_STATES and code != "USA" and len(parts) > 1):
        # two upper-case letters at the end are more often a US state than a country
        return code
    token = re.sub(r"\s*\d{5}(-\d{4})?$", "", last).strip()
    if token.upper() in US_STATES and token.isupper():
        return "USA"
    if token.upper() in CA_PROVINCES and token.isupper():
        return "CAN"
    if code:
        return code
    # a country named in an earlier part ("Institute X, Singapore, A*STAR"); full names only
    for part in reversed(parts[:-1]):
        part = part.rstrip(".")
        if len(part) > 3 and (hit := to_iso3(part)):
            return hit
    return None


def country_from_domain(domain: str | None) -> str | None:
    """Country of an e-mail or web domain's country-code TLD (``ntu.edu.tw`` -> TWN; ``.edu`` -> USA)."""
    if not domain:
        return None
    tld = domain.strip().lower().rstrip(".").rsplit(".", 1)[-1]
    if tld == "edu":
        return "USA"
    if tld == "uk":
        return "GBR"
    if len(tld) != 2 or tld in GENERIC_CCTLDS:
        return None
    hit = pycountry.countries.get(alpha_2=tld.upper())
    return hit.alpha_3 if hit else None


EU_2024 = frozenset(
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE".split()
)
OECD_2024 = frozenset(
    "AUS AUT BEL CAN CHL COL CRI CZE DNK EST FIN FRA DEU GRC HUN ISL IRL ISR ITA JPN KOR LVA LTU LUX MEX NLD NZL "
    "NOR POL PRT SVK SVN ESP SWE CHE TUR GBR USA".split()
)


@cache
def wb_regions() -> dict[str, str]:
    """ISO3 -> World Bank region (see ``data/wb_regions.csv`` for provenance)."""
    text = resources.files("talentflow.resolve").joinpath("data/wb_regions.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["iso3"]: r["wb_region"] for r in rows}


def country_table() -> list[dict]:
    """Rows of the ``countries`` table: every ISO 3166-1 country plus Kosovo."""
    regions = wb_regions()
    rows = []
    for c in pycountry.countries:
        rows.append({
            "iso3": c.alpha_3, "iso2": c.alpha_2, "name": getattr(c, "common_name", None) or c.name,
            "wb_region": regions.get(c.alpha_3), "eu": c.alpha_3 in EU_2024, "oecd": c.alpha_3 in OECD_2024,
        })
    rows.append({"iso3": "XKX", "iso2": "XK", "name": "Kosovo", "wb_region": regions.get("XKX"), "eu": False, "oecd": False})
    return rows
