"""Builders of ORCID-shaped records (the public API's v3.0 JSON and the XML of the data file)."""

from __future__ import annotations

import json
from pathlib import Path

from talentflow.ingest.orcid import check_digit

FIXTURES = Path(__file__).parent / "fixtures"


def orcid_id(n: int) -> str:
    """A valid iD from a serial number: 15 digits and their check digit."""
    base = f"{n:015d}"
    digits = base + check_digit(base)
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def spell(kind: str, org: str, country: str | None, start: int | None, end: int | None, role: str | None = None,
          dept: str | None = None, put_code: int = 1) -> dict:
    def date(y):
        return None if y is None else {"year": {"value": str(y)}, "month": None, "day": None}

    return {f"{kind}-summary": {
        "put-code": put_code, "department-name": dept, "role-title": role,
        "start-date": date(start), "end-date": date(end),
        "organization": {"name": org, "address": {"city": None, "region": None, "country": country},
                         "disambiguated-organization": None},
    }}


def record_json(ident: str, educations: list[dict], employments: list[dict], name: str = "A Person") -> bytes:
    given, _, family = name.partition(" ")
    return json.dumps({
        "orcid-identifier": {"uri": f"https://orcid.org/{ident}", "path": ident, "host": "orcid.org"},
        "person": {"name": {"given-names": {"value": given}, "family-name": {"value": family}}},
        "activities-summary": {
            "educations": {"affiliation-group": [{"summaries": [e]} for e in educations]},
            "employments": {"affiliation-group": [{"summaries": [e]} for e in employments]},
        },
        "path": f"/{ident}",
    }).encode()


def sample_record_xml(role: str = "PhD in Computer Science", edu_end: int = 2019, job_start: int = 2020,
                      edu_country: str = "DE", job_country: str = "US") -> bytes:
    """The official record sample (record-3.0.xml) with a degree, countries and years filled in."""
    text = (FIXTURES / "record-3.0.xml").read_text(encoding="utf-8")
    text = text.replace("<common:role-title>education:role-title</common:role-title>",
                        f"<common:role-title>{role}</common:role-title>")
    edu_start = text.index("<education:education-summary")
    edu_stop = text.index("</education:education-summary>")
    edu = text[edu_start:edu_stop].replace("<common:year>2019</common:year>", f"<common:year>{edu_end}</common:year>")
    edu = edu.replace("<common:country>AF</common:country>", f"<common:country>{edu_country}</common:country>")
    text = text[:edu_start] + edu + text[edu_stop:]
    emp_start = text.index("<employment:employment-summary")
    emp_stop = text.index("</employment:employment-summary>")
    emp = text[emp_start:emp_stop].replace("<common:year>1948</common:year>", f"<common:year>{job_start}</common:year>")
    emp = emp.replace("<common:country>AF</common:country>", f"<common:country>{job_country}</common:country>")
    return (text[:emp_start] + emp + text[emp_stop:]).encode("utf-8")
