"""Raw affiliation evidence -> observations with a canonical institution, an ISO3 country, city and hub.

Pure: a function of the raw rows and the lookup tables (``Resolver``). The country rule of each
observation is recorded (``country_rule``):

1. ``institution_table``: the organizations table seats the institution in Hong Kong, Macao or
   Taiwan and the source said China (or nothing);
2. ``address_text`` / ``email_domain``: the source said China but the address ends in Taiwan /
   Hong Kong / Macao, or the domain is ``.tw`` / ``.hk`` / ``.mo``;
3. ``upstream`` (or ``input`` for user files): the country as the source gives it;
4. when the source gives none: the organizations table's seat for non-companies
   (``institution_table``), then the address, then the e-mail domain.
A country string that cannot be recognized is a field reject (``unknown_country``); the
observation is kept with no country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from talentflow.ingest.base import Reject
from talentflow.resolve.countries import country_from_address, country_from_domain, fold, is_missing, to_iso3
from talentflow.resolve.institutions import Organization, Resolver, institution_id, key

SPECIAL = frozenset({"HKG", "MAC", "TWN"})
PLACEHOLDER_INSTITUTIONS = frozenset({
    "unknown institution", "university affiliation not specified", "unknown", "n/a", "none", "independent researcher",
    "independent", "affiliation not specified", "not specified",
})


PLACEHOLDER_RE = re.compile(r"\bnot (provided|specified|available|given)\b|^unknown\b", re.IGNORECASE)


@dataclass(frozen=True)
class Resolved:
    institution_id: str | None
    country: str | None
    country_rule: str | None
    city: str | None
    hub: str | None
    institution_row: dict | None
    unknown_country: str | None  # the raw value when it could not be recognized


def institution_row(res: Resolver, org: Organization, otype: str) -> dict:
    parent = institution_id(res.canonical(org.parent)) if org.parent else None
    return {
        "institution_id": institution_id(org.canonical), "name": org.canonical, "type": otype,
        "country": org.country, "city": org.city, "hub": res.hub_for_city(org.city, org.country),
        "parent_id": parent, "seat_rule": "organizations_table" if org.country else None,
    }


def resolve_one(res: Resolver, institution: str | None, country: str | None, address: str | None,
                domain: str | None, city: str | None, org_type: str | None, given_rule: str) -> Resolved:
    """Resolve one affiliation. ``given_rule`` is the rule name for a country taken as given."""
    inst_name = institution.strip() if institution else None
    if inst_name and (fold(inst_name) in PLACEHOLDER_INSTITUTIONS or PLACEHOLDER_RE.search(inst_name)):
        inst_name = None
    org = None
    inst_row = None
    if inst_name:
        canonical = res.canonical(inst_name)
        org = res.organization(canonical)
        in_table = key(canonical) in res.organizations or institution_id(canonical) in res._by_id
        inst_row = institution_row(res, org, org_type if org_type and not in_table else org.type)

    unknown = None
    given = None
    if country and not is_missing(country):
        given = to_iso3(country)
        if given is None:
            unknown = country
    code, rule = None, None
    if org is not None and org.country in SPECIAL and given in (None, "CHN"):
        code, rule = org.country, "institution_table"
    elif given == "CHN" and (c := country_from_address(address)) in SPECIAL:
        code, rule = c, "address_text"
    elif given == "CHN" and (c := country_from_domain(domain)) in SPECIAL:
        code, rule = c, "email_domain"
    elif given:
        code, rule = given, given_rule
    elif org is not None and org.country and org.type != "company":
        code, rule = org.country, "institution_table"
    elif (c := country_from_address(address)) is not None:
        code, rule = c, "address_text"
    elif (c := country_from_domain(domain)) is not None:
        code, rule = c, "email_domain"

    out_city = city.strip() if city and city.strip() else None
    if out_city is None and org is not None and org.city and org.country == code:
        out_city = org.city
    if out_city is None:
        out_city = res.city_from_text(address, code)
    return Resolved(
        inst_row["institution_id"] if inst_row else None, code, rule, out_city, res.hub_for_city(out_city, code),
        inst_row, unknown,
    )


def resolve_affiliations(rows: list[dict], res: Resolver, *, source: str, given_rule: str = "upstream"):
    """Raw affiliation rows -> (observations, institutions by id, rejects)."""
    memo = res.memo

    def cached(*args):
        k = (*args, given_rule)
        hit = memo.get(k)
        if hit is None:
            if len(memo) > 100_000:  # bounded: OpenAlex addresses are nearly unique
                memo.clear()
            hit = memo[k] = resolve_one(res, *args, given_rule)
        return hit

    observations: list[dict] = []
    institutions: dict[str, dict] = {}
    rejects: list[Reject] = []
    for row in rows:
        r = cached(row["institution"], row["country"], row["address"], row["domain"], row.get("city"), row.get("org_type"))
        if r.unknown_country is not None:
            rejects.append(Reject(row.get("file", ""), row["locator"], "country", "unknown_country", r.unknown_country, "field"))
        if r.institution_row is not None and r.institution_id not in institutions:
            institutions[r.institution_id] = r.institution_row
            _add_parents(res, r.institution_row, institutions)
        observations.append({
            "researcher_id": row["researcher_id"], "work_id": row["work_id"], "year": row["year"],
            "institution_id": r.institution_id, "country": r.country, "country_rule": r.country_rule,
            "city": r.city, "hub": r.hub, "stage": row["stage"], "weight": row["weight"], "aff_seq": row["aff_seq"],
        })
    return observations, institutions, rejects


def _add_parents(res: Resolver, row: dict, institutions: dict[str, dict]) -> None:
    """Make sure every parent organization has a row of its own (so parent_id always resolves)."""
    seen = set()
    while row.get("parent_id") and row["parent_id"] not in institutions and row["parent_id"] not in seen:
        seen.add(row["parent_id"])
        parent = res.organization(res.canonical(res.organizations[row["parent_id"]].canonical)
                                  if row["parent_id"] in res.organizations else row["parent_id"])
        prow = institution_row(res, parent, parent.type)
        prow["institution_id"] = row["parent_id"]
        institutions[row["parent_id"]] = prow
        row = prow
