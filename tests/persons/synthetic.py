"""A small synthetic warehouse with the three cases person resolution is for: one person under two
IEEE ids (and a name-only NeurIPS record), one ACL id that joins two namesakes, and bystanders."""

from __future__ import annotations

import itertools

import pandas as pd

from talentflow.store.warehouse import Warehouse

N_BYSTANDERS = 1500  # distinct people, so that a name shared by a few records is rare, as in real lists
INSTITUTIONS = {  # id -> (name, country, type)
    "peking university": ("Peking University", "CHN", "education"),
    "kyoto university": ("Kyoto University", "JPN", "education"),
    "university illinois urbana champaign": ("UIUC", "USA", "education"),
    "eth zurich": ("ETH Zurich", "CHE", "education"),
    "university oxford": ("University of Oxford", "GBR", "education"),
}


def _word(k: int) -> str:
    """A letters-only name part unique to k (names are normalized to letters, so no digits)."""
    return "".join(chr(97 + (k // 26 ** i) % 26) for i in range(3)).capitalize() + "o"


def _papers():
    """(venue, year, [(researcher_id, namespace, name, institution_id, domain)])"""
    zhao_1, zhao_2 = ("ieee:111", "ieee", "Huijing Zhao"), ("ieee:222", "ieee", "Huijing Zhao")
    pku_co = [("ieee:901", "ieee", "Jinshi Cui"), ("ieee:902", "ieee", "Hongbin Zha"),
              ("ieee:903", "ieee", "Ryosuke Shibasaki")]
    for k, year in enumerate(range(2012, 2022)):
        me = zhao_1 if k % 2 == 0 else zhao_2  # the two ids alternate: one person
        co = [pku_co[k % 3], pku_co[(k + 1) % 3]]
        yield "icra" if k % 2 else "iros", year, [(*me, "peking university", None)] + \
            [(*c, "peking university", None) for c in co]
    # a name-only NeurIPS record of the same person, with a PKU co-author and the PKU domain
    yield "nips", 2019, [("name:huijing zhao", "name", "Huijing Zhao", "peking university", "pku.edu.cn"),
                         ("name:hongbin zha", "name", "Hongbin Zha", "peking university", "pku.edu.cn")]
    fan = ("acl:fan-yang", "acl", "Fan Yang")
    kyoto_co = [("acl:sadao-kurohashi", "acl", "Sadao Kurohashi"), ("acl:chenhui-chu", "acl", "Chenhui Chu")]
    uiuc_co = [("acl:jiawei-han", "acl", "Jiawei Han"), ("acl:heng-ji", "acl", "Heng Ji")]
    for year, venue in itertools.product(range(2019, 2025), ("acl", "naacl")):
        yield venue, year, [(*fan, "kyoto university", "i.kyoto-u.ac.jp")] + \
            [(*c, "kyoto university", "i.kyoto-u.ac.jp") for c in kyoto_co]
        yield "coling" if venue == "acl" else "acl", year, [(*fan, "university illinois urbana champaign", "illinois.edu")] + \
            [(*c, "university illinois urbana champaign", "illinois.edu") for c in uiuc_co]
    # bystanders: distinct people (so that random pairs are non-matches), a few sharing surnames
    countries = ("USA", "CHN", "DEU", "JPN", "GBR", "FRA", "KOR", "CAN")
    for k in range(N_BYSTANDERS // 3):  # many labs, so that sharing one is evidence, as in real lists
        INSTITUTIONS.setdefault(f"lab {_word(k).lower()}", (f"Lab {_word(k)}", countries[k % len(countries)],
                                                          "education"))
    insts = list(INSTITUTIONS)
    for k in range(N_BYSTANDERS):
        a = (f"ieee:5{k:05d}", "ieee", f"{_word(k)} Yang" if k % 4 == 0 else f"{_word(k)} {_word(k + 7)}n")
        b = (f"ieee:6{k:05d}", "ieee", f"{_word(k + 3)}i Zhao" if k % 5 == 0 else f"{_word(k + 5)}e {_word(k)}s")
        inst = insts[(k * 7) % len(insts)]
        yield ("icra", "iros", "acl", "nips")[k % 4], 2010 + k % 14, [(*a, inst, None), (*b, inst, None)]


def build(path) -> None:
    works, researchers, authorships, observations = [], {}, [], []
    for i, (venue, year, authors) in enumerate(_papers()):
        work_id = f"paperlists:{venue}{year}:p{i}"
        works.append({"work_id": work_id, "source": "paperlists", "venue": venue, "year": year, "title": f"t{i}",
                      "file": f"{venue}/{venue}{year}.json", "accepted": True})
        for pos, (rid, ns, name, inst, domain) in enumerate(authors, start=1):
            researchers.setdefault(rid, {"researcher_id": rid, "source_key": rid.split(":", 1)[1], "namespace": ns,
                                         "name": name, "identity": "name_only" if ns == "name" else "stable_id"})
            authorships.append({"researcher_id": rid, "work_id": work_id, "author_position": pos, "year": year,
                                "n_affiliations": 1, "file": f"{venue}/{venue}{year}.json", "aff_domain": domain})
            observations.append({"researcher_id": rid, "work_id": work_id, "year": year, "institution_id": inst,
                                 "country": INSTITUTIONS[inst][1], "country_rule": "upstream", "weight": 1.0,
                                 "aff_seq": 0, "source": "paperlists", "file": f"{venue}/{venue}{year}.json"})
    with Warehouse(path) as wh:
        wh.insert("works", pd.DataFrame(works))
        wh.insert("researchers", pd.DataFrame(list(researchers.values())))
        wh.insert("authorships", pd.DataFrame(authorships))
        wh.insert("observations", pd.DataFrame(observations))
        wh.insert("institutions", pd.DataFrame([{"institution_id": k, "name": v[0], "country": v[1], "type": v[2]}
                                                for k, v in INSTITUTIONS.items()]))
