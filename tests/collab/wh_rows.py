"""Writing small hand-made paper sets into a warehouse (used by the collab tests)."""

from __future__ import annotations

import pandas as pd

from talentflow.resolve.countries import country_table
from talentflow.store.warehouse import Warehouse

# institution_id -> (type, country, hub, parent_id)
INSTITUTIONS = {
    "mit": ("education", "USA", "Boston", None),
    "google": ("company", "USA", "Bay Area", None),
    "deepmind": ("company", "GBR", "London", "google"),
    "tsinghua": ("education", "CHN", "Beijing", None),
    "oxford": ("education", "GBR", None, None),
}


def fill(wh: Warehouse, papers: list[tuple], *, identity: str = "stable_id") -> None:
    """papers: (work_id, year, venue, authors) with authors a list of (researcher_id, affiliations) and
    affiliations a list of (institution_id or None, country or None)."""
    works, auths, obs, people = [], [], [], {}
    for work_id, year, venue, authors in papers:
        works.append({"work_id": work_id, "source": "paperlists", "venue": venue, "year": year, "accepted": True,
                      "file": "test.json"})
        for pos, (rid, affs) in enumerate(authors, start=1):
            people[rid] = {"researcher_id": rid, "source_key": rid, "namespace": "t", "name": rid,
                           "identity": identity}
            auths.append({"researcher_id": rid, "work_id": work_id, "author_position": pos, "year": year,
                          "n_affiliations": len(affs), "file": "test.json"})
            for seq, (inst, country) in enumerate(affs):
                hub = INSTITUTIONS[inst][2] if inst in INSTITUTIONS else None
                obs.append({"researcher_id": rid, "work_id": work_id, "year": year, "institution_id": inst,
                            "country": country, "hub": hub, "weight": 1.0 / len(affs), "aff_seq": seq,
                            "source": "paperlists", "file": "test.json"})
    if wh.count("countries") == 0:
        wh.insert("countries", pd.DataFrame(country_table()))
    if wh.count("institutions") == 0:
        wh.insert("institutions", pd.DataFrame([
            {"institution_id": k, "name": k.upper(), "type": t, "country": c, "hub": h, "parent_id": p}
            for k, (t, c, h, p) in INSTITUTIONS.items()]))
    wh.insert("works", pd.DataFrame(works))
    wh.insert("researchers", pd.DataFrame(list(people.values())), ignore_conflicts=True)
    wh.insert("authorships", pd.DataFrame(auths))
    if obs:
        wh.insert("observations", pd.DataFrame(obs))
