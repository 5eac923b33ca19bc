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
from talentflow.resolve import places
from talentflow.resolve.institutions import Organization, Resolver, classify_type, institution_id, key

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
    place_rule: str | None = None  # the rule that placed the observation (PLACE_RULES)


def institution_row(res: Resolver, org: Organization, otype: str) -> dict:
    parent = institution_id(res.canonical(org.parent)) if org.parent else None
    return {
        "institution_id": institution_id(org.canonical), "name": org.canonical, "type": otype,
        "country": org.country, "city": org.city, "hub": res.hub_for_city(org.city, org.country),
        "parent_id": parent, "seat_rule": "organizations_table" if org.country else None,
    }


# The e-mail domain rule: ``"before_institution"`` is the order of docs/places.md (domain, then the
# institution table, then upstream); see there for what the dev split said about the alternatives.
DOMAIN_ORDER = "after_upstream"


def _domain_fits(domain: str | None, text: str, n_parts: int) -> bool:
    """An author has one e-mail domain for all their affiliations: it speaks for a part only when
    the author has one part, or the domain's name (``tsinghua`` of ``tsinghua.edu.cn``) is in it."""
    if not domain:
        return False
    if n_parts <= 1:
        return True
    labels = [x for x in domain.lower().split(".") if len(x) >= 3 and x not in
              ("edu", "com", "org", "net", "gov", "ac", "mail", "mails", "cs", "ece", "eecs", "www")]
    return any(re.search(rf"\b{re.escape(x)}\b", text) for x in labels)


def _domain_country(domain: str | None, text: str, n_parts: int) -> str | None:
    """The e-mail domain's country for this part ("colorado.edu+ku.dk": the domain the part names)."""
    if not domain:
        return None
    doms = [d.strip() for d in domain.split("+") if d.strip()]
    if len(doms) > 1:
        fits = [d for d in doms if _domain_fits(d, text, 2)]
        return country_from_domain(fits[0]) if len(fits) == 1 else None
    return country_from_domain(doms[0]) if doms and _domain_fits(doms[0], text, n_parts) else None


def resolve_one(res: Resolver, institution: str | None, country: str | None, address: str | None,
                domain: str | None, city: str | None, org_type: str | None, given_rule: str,
                n_parts: int = 1) -> Resolved:
    """Resolve one affiliation. ``given_rule`` is the rule name for a country taken as given;
    ``n_parts`` the number of affiliations of the author on the work (the e-mail domain is one for all)."""
    inst_name = institution.strip() if institution else None
    if inst_name and (fold(inst_name) in PLACEHOLDER_INSTITUTIONS or PLACEHOLDER_RE.search(inst_name)):
        inst_name = None
    cleaned, had_programme = places.strip_programmes(address)
    inst_programme = bool(inst_name) and (places.is_programme_name(inst_name)
                                          or bool(places.PROGRAMME_PART.search(inst_name)) and not cleaned)
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
    if not (cleaned and cleaned.strip()) and (inst_programme or had_programme):
        # a fellowship or programme only ("CIFAR, Canada", "Canada CIFAR AI Chair"): not a location
        return Resolved(inst_row["institution_id"] if inst_row else None, None, "programme", None, None, inst_row,
                        unknown, "programme")

    if (org is None or not org.country) and cleaned:
        org = _org_in_text(res, cleaned) or org  # "Dept. of X, National Taiwan University (NTU), Taiwan R.O.C."
    text = places.clean(cleaned or "") + " | " + ("" if inst_programme else places.clean(inst_name or ""))
    company = (org is not None and org.type == "company") or bool(places.KNOWN_COMPANY.search(text))
    tk = places.tokens(cleaned, company)
    code, rule, site = None, None, None
    if (given and given_rule == "input"  # a user's file states the country deliberately ...
            and not (given == "CHN" and org is not None and org.country in SPECIAL)):  # ... but "CUHK, China" is HKG
        code, rule = given, given_rule
    elif (s := places.site_match(text, domain, ("site", "branch"))) is not None:
        site, code, rule = s, s.country, "lab_site"
    elif (tk.country == "CHN" and org is not None and org.country in SPECIAL and not inst_programme
          and not any(iso == "CHN" for _, iso in tk.cities)):
        # "..., The Chinese University of Hong Kong, China": a Hong Kong, Macao or Taiwan institution
        # written with "China" and no mainland city is at its seat
        code, rule = org.country, "institution_table"
    elif tk.country is not None:
        code, rule = tk.country, "address_text"
        if (s := places.site_match(text, domain, ("default",))) is not None and s.country == code:
            site = s  # "Samsung Electronics, Korea": the default site gives the city
    elif (s := places.site_match(text, domain, ("default",))) is not None:
        site, code, rule = s, s.country, "lab_site"
    else:
        dom = _domain_country(domain, text, n_parts)
        seat = org.country if org is not None and not inst_programme else None
        if seat in SPECIAL and given in (None, "CHN"):
            code, rule = seat, "institution_table"
        elif given == "CHN" and dom in SPECIAL:
            code, rule = dom, "email_domain"
        elif DOMAIN_ORDER == "before_institution" and dom is not None:
            code, rule = dom, "email_domain"
        elif seat and org.type != "company":
            code, rule = seat, "institution_table"
        elif DOMAIN_ORDER == "before_upstream" and dom is not None:
            code, rule = dom, "email_domain"
        elif given and not inst_programme:
            code, rule = given, given_rule
        elif dom is not None:
            code, rule = dom, "email_domain"

    if site is not None and site.kind == "branch":
        branch = Organization(site.site, _branch_type(site.site), site.country, site.city, site.organization)
        inst_row = institution_row(res, branch, branch.type)
    out_city = city.strip() if city and city.strip() else None
    if out_city is None and site is not None and code == site.country:
        out_city = (places.city_in(tk.cities, code) if site.kind != "branch" or not site.city else None) or site.city
    if out_city is None:
        out_city = places.city_in(tk.cities, code)
    if out_city is None and org is not None and org.city and org.country == code and org.type != "company":
        out_city = org.city
    if out_city is None:
        out_city = places.city_in(tk.name_cities, code)
    if out_city is None:
        out_city = res.city_from_text(cleaned, code)
    return Resolved(
        inst_row["institution_id"] if inst_row else None, code, rule, out_city, res.hub_for_city(out_city, code),
        inst_row, unknown, rule,
    )


def _org_in_text(res: Resolver, text: str) -> Organization | None:
    """An organization of the tables named as a part of a postal-style string (where the source gives
    no institution name): a place rule only, the observation's institution is not changed."""
    for part in re.split(r"[,;]", text):
        part = re.sub(r"\([^)]*\)", "", part).strip()
        if len(part) < 4:
            continue
        k = key(part)
        if k in res.aliases or k in res.organizations or institution_id(part) in res._by_id:
            o = res.organization(res.canonical(part))
            if o.country:
                return o
    return None


def _branch_type(name: str) -> str:
    t = classify_type(name)
    return "education" if t in ("other", "facility") else t


def resolve_affiliations(rows: list[dict], res: Resolver, *, source: str, given_rule: str = "upstream"):
    """Raw affiliation rows -> (observations, institutions by id, rejects)."""
    memo = res.memo

    n_parts: dict[tuple, int] = {}
    for row in rows:
        k = (row["researcher_id"], row["work_id"])
        n_parts[k] = n_parts.get(k, 0) + 1

    def cached(*args):
        k = (*args, given_rule)
        hit = memo.get(k)
        if hit is None:
            if len(memo) > 100_000:  # bounded: OpenAlex addresses are nearly unique
                memo.clear()
            hit = memo[k] = resolve_one(res, *args[:6], given_rule, args[6])
        return hit

    observations: list[dict] = []
    institutions: dict[str, dict] = {}
    rejects: list[Reject] = []
    for row in rows:
        r = cached(row["institution"], row["country"], row["address"], row["domain"], row.get("city"), row.get("org_type"),
                   n_parts[(row["researcher_id"], row["work_id"])])
        if r.unknown_country is not None:
            rejects.append(Reject(row.get("file", ""), row["locator"], "country", "unknown_country", r.unknown_country, "field"))
        if r.institution_row is not None and r.institution_id not in institutions:
            institutions[r.institution_id] = r.institution_row
            _add_parents(res, r.institution_row, institutions)
        observations.append({
            "researcher_id": row["researcher_id"], "work_id": row["work_id"], "year": row["year"],
            "institution_id": r.institution_id, "country": r.country, "country_rule": r.country_rule,
            "place_rule": r.place_rule, "city": r.city, "hub": r.hub, "stage": row["stage"], "weight": row["weight"], "aff_seq": row["aff_seq"],
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
