"""Institutions: names to canonical organizations with type, seat country, city, hub and parent.

Three tables drive it, all in ``data/`` and overridable by the user through ``Resolver``:
- ``institution_aliases.csv``: renames and variants -> canonical name;
- ``organizations.csv``: canonical name -> type, seat country, city, parent (company lineage,
  Hong Kong / Macao / Taiwan institutions that upstream sources code as China);
- ``hubs.csv``: AI hubs and the cities that count toward each.
Organizations not in the tables get a type from keyword rules and no parent.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from talentflow.resolve.countries import fold

COMPANY_WORDS = re.compile(
    r"\b(inc|corp|corporation|ltd|limited|llc|gmbh|ag|co|company|s\.?a|plc|technologies|technology co|"
    r"group|holdings?|ai|robotics|systems|software|motors?|electronics|solutions)\b\.?",
    re.IGNORECASE,
)
EDUCATION_WORDS = re.compile(
    r"(universit|college|school|polytechnic|politecnico|polytechnique|hochschule|ecole|école|"
    r"institut[eo]? (of|de) (science and )?technolog|institute of science and technology|institut für technologie|"
    r"\bIIT\b|\bIIIT\b|\bTU\b|\bLMU\b|\bUNSW\b|\bINSA\b|\bMINES\b|\bEURECOM\b|centralesupelec|"
    r"\b(virginia|georgia|texas|louisiana|michigan|tennessee) tech\b|scuola|instituto superior|"
    r"télécom paris|telecom paris|universidad|universidade|université|università|uniwersytet|"
    r"technion|\bETH\b|\bEPFL\b|\bKAIST\b|graduate institute|\bfaculty\b|department of|\bdept\b|"
    r"institute of information technology|statistical institute|courant institute|hasso plattner)",
    re.IGNORECASE,
)
GOVERNMENT_WORDS = re.compile(
    r"(national lab|national laborator|ministry|agency|government|department of (defense|energy)|"
    r"\barmy\b|\bnavy\b|air force|\bNASA\b|academy of sciences|national institute|council|\bCNRS\b|\bINRIA\b|"
    r"centre national|\bONERA\b|\bCEA\b|\bIrstea\b|\bCSIC\b|\bCSIRO\b|defen[cs]e research|helmholtz|"
    r"\bRIKEN\b|\bAIST\b|bureau|federal|commission)",
    re.IGNORECASE,
)
FACILITY_WORDS = re.compile(
    r"(hospital|medical cent(er|re)|clinic|laborator|\blabs?\b|cent(er|re)\b|centrum|observatory|"
    r"institut(e|o|ut)?\b|forschungszentrum|fondazione|\bIDSIA\b|\bFZI\b)",
    re.IGNORECASE,
)
NONPROFIT_WORDS = re.compile(
    r"(foundation|society|nonprofit|non-profit|allen institute|association|\bSRI international|fraunhofer|"
    r"max[- ]planck|howard hughes|broad institute|salk institute|canadian institute for advanced research)",
    re.IGNORECASE,
)
KNOWN_COMPANIES = re.compile(
    r"^(google|microsoft|amazon|apple|meta|facebook|ibm|nvidia|intel|adobe|baidu|alibaba|tencent|bytedance|huawei|"
    r"samsung|sony|nec|hitachi|fujitsu|toyota|honda|bosch|siemens|uber|salesforce|openai|deepmind|sensetime|megvii|"
    r"xiaomi|jd|meituan|kuaishou|netease|naver|kakao|lg|qualcomm|disney|netflix|twitter|linkedin|yahoo|snap|"
    r"pinterest|spotify|airbnb|tesla|waymo|cruise|zoox|aurora|argo|mobileye|nuro|anthropic|cohere|criteo|"
    r"preferred networks|mitsubishi|panasonic|canon|ricoh|toshiba|denso|kuka|abb|fanuc|yaskawa|dji|ant group|"
    r"didi|horizon robotics|iflytek|unitree|boston dynamics|bloomberg|morgan stanley|j\.?p\.? morgan|goldman sachs|"
    r"valeo|yandex|sberbank|tata consultancy|technicolor|cyberagent|tusimple|wayve|dataminr|ping an|everyday robots|"
    r"prowler|vinai|oppo|hikvision|vivo|lenovo|zte|alipay|sony|line corporation|rakuten|ntt|kddi|softbank)\b",
    re.IGNORECASE,
)


def key(name: str) -> str:
    """The lookup key of a name: folded, punctuation reduced, a leading 'the' dropped."""
    k = fold(name)
    k = re.sub(r"[\"'’`´.()\[\]]", "", k)
    k = re.sub(r"[\s,;:/_-]+", " ", k).strip()
    return re.sub(r"^the ", "", k)


# Words that mean the same in institution names across languages, folded to one spelling.
_SAME_WORD = {
    **dict.fromkeys(["universitat", "universite", "universita", "universidad", "universidade", "universiteit",
                     "uniwersytet", "universitatea", "univ", "universitaet"], "university"),
    **dict.fromkeys(["technische", "technischen", "tecnica", "tecnico", "technique", "tech"], "technical"),
    **dict.fromkeys(["politecnica", "politecnico", "polytechnique", "politehnica", "politecnic"], "polytechnic"),
    "genova": "genoa", "roma": "rome", "munchen": "munich", "wien": "vienna", "milano": "milan", "torino": "turin",
    "napoli": "naples", "koln": "cologne", "sevilla": "seville", "lisboa": "lisbon", "praha": "prague",
    "warszawa": "warsaw", "bruxelles": "brussels", "ii": "2", "iii": "3", "iv": "4",
}
_STOP = frozenset("of the at and de di du der des degli della del la le les y i en zu fur d studi".split())
# "X University" and "University of X" are different places for these X (Washington University in
# St. Louis vs University of Washington in Seattle; Miami University in Ohio vs University of Miami).
_NO_REORDER = frozenset({"washington", "miami", "ohio"})


@lru_cache(maxsize=200_000)
def institution_id(canonical: str) -> str:
    """The institution's key: spelling variants of one name share it.

    Accents, case and punctuation folded; '&' read as 'and'; translations of "university",
    "technical", "polytechnic" and of some city names unified; connecting words (of, the, de, di,
    der...) dropped; Roman numerals as digits; and "X University" read as "University of X"
    (except where both exist as different places). So "Universität Hamburg", "University of
    Hamburg" and "Hamburg University" are one institution; "Washington University" is not the
    "University of Washington".
    """
    text = fold(canonical).replace("&", " and ")
    text = re.sub(r"[\"'’`´.]", "", text)
    tokens = [_SAME_WORD.get(t, t) for t in re.findall(r"[a-z0-9]+", text)]
    tokens = [t for t in tokens if t not in _STOP]
    if len(tokens) >= 2 and tokens[-1] == "university" and tokens[0] not in _NO_REORDER:
        tokens = ["university", *tokens[:-1]]
    return " ".join(tokens) or key(canonical)


def classify_type(name: str) -> str:
    """Organization type from the name alone (used where the organizations table is silent)."""
    if KNOWN_COMPANIES.search(name):
        return "company"
    if EDUCATION_WORDS.search(name):
        return "education"
    if NONPROFIT_WORDS.search(name):
        return "nonprofit"
    if GOVERNMENT_WORDS.search(name):
        return "government"
    if COMPANY_WORDS.search(name):
        return "company"
    if FACILITY_WORDS.search(name):
        return "facility"
    return "other"


@dataclass(frozen=True)
class Organization:
    canonical: str
    type: str
    country: str | None
    city: str | None
    parent: str | None


def _read_csv(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def _packaged(name: str) -> str:
    return resources.files("talentflow.resolve").joinpath(f"data/{name}").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Hub:
    name: str
    country: str
    cities: tuple[str, ...]


@dataclass
class Resolver:
    """Holds the lookup tables; every method is a pure function of its inputs and the tables."""

    organizations: dict[str, Organization] = field(default_factory=dict)  # key(canonical) -> org
    aliases: dict[str, str] = field(default_factory=dict)  # key(alias) -> canonical
    hubs: tuple[Hub, ...] = ()
    _city_to_hub: dict[tuple[str, str], str] = field(default_factory=dict)
    _by_id: dict[str, Organization] = field(default_factory=dict, repr=False)  # institution_id -> org
    memo: dict = field(default_factory=dict, repr=False)  # resolve results, kept across files (see affiliations)

    @classmethod
    def default(cls, extra_organizations: Path | None = None, extra_aliases: Path | None = None) -> "Resolver":
        orgs = _read_csv(_packaged("organizations.csv"))
        aliases = _read_csv(_packaged("institution_aliases.csv"))
        if extra_organizations:
            orgs += _read_csv(Path(extra_organizations).read_text(encoding="utf-8"))
        if extra_aliases:
            aliases += _read_csv(Path(extra_aliases).read_text(encoding="utf-8"))
        hubs = tuple(
            Hub(r["hub"], r["country"], tuple(c.strip() for c in r["cities"].split(";") if c.strip()))
            for r in _read_csv(_packaged("hubs.csv"))
        )
        res = cls(hubs=hubs)
        for r in orgs:
            org = Organization(
                r["canonical"].strip(), r["type"].strip() or classify_type(r["canonical"]),
                (r.get("country") or "").strip() or None, (r.get("city") or "").strip() or None,
                (r.get("parent") or "").strip() or None,
            )
            res.organizations[key(org.canonical)] = org
            res._by_id.setdefault(institution_id(org.canonical), org)
        for r in aliases:
            res.aliases[key(r["alias"])] = r["canonical"].strip()
        for hub in hubs:
            for city in hub.cities:
                res._city_to_hub[(fold(city), hub.country)] = hub.name
        return res

    def canonical(self, name: str) -> str:
        """Canonical name: the alias table's, else the organizations table's spelling, else the name tidied."""
        k = key(name)
        if k in self.aliases:
            return self.aliases[k]
        if k in self.organizations:
            return self.organizations[k].canonical
        tidy = re.sub(r"\s+", " ", name).strip().strip(",;")
        return re.sub(r"^(?i:the)\s+", "", tidy)

    def organization(self, canonical: str) -> Organization:
        found = self.organizations.get(key(canonical)) or self._by_id.get(institution_id(canonical))
        if found:
            return found
        return Organization(canonical, classify_type(canonical), None, None, None)

    def hub_for_city(self, city: str | None, country: str | None) -> str | None:
        if not city or not country:
            return None
        return self._city_to_hub.get(_hub_key(city, country))

    def city_from_text(self, text: str | None, country: str | None) -> str | None:
        """The first hub city named as a comma-separated part of an address, for the given country."""
        if not text or not country:
            return None
        return _city_from_text(self, text, country)


@lru_cache(maxsize=200_000)
def _city_cache_key(text: str) -> tuple[str, ...]:
    return tuple(fold(re.sub(r"\s*\d{4,6}(-\d{4})?\s*", " ", p)).strip() for p in re.split(r"[,;]", text) if p.strip())


def _hub_key(city: str, country: str) -> tuple[str, str]:
    """(folded city, country), telling the two Cambridges apart."""
    c = fold(city)
    if c == "cambridge":
        c = {"USA": "cambridge ma", "GBR": "cambridge uk"}.get(country, c)
    return c, country


def _city_from_text(res: Resolver, text: str, country: str) -> str | None:
    parts = _city_cache_key(text)
    for part in reversed(parts):
        # "Pittsburgh PA" -> "pittsburgh"
        for candidate in (part, re.sub(r"\s+[a-z]{2}$", "", part)):
            if _hub_key(candidate, country) in res._city_to_hub:
                return candidate.title()
    return None


@cache
def default_resolver() -> Resolver:
    return Resolver.default()
