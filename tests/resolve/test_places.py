"""Place resolution (issue 17): lab sites, branch campuses, programmes, the rule recorded, the
realigned upstream country index and organization units per country. Each test fails on the
resolver of before issue 17 (CUHK-Shenzhen in Hong Kong, MSR Beijing at the US headquarters,
CIFAR as a Canadian place, no place_rule, a short country index dropping every country)."""

from __future__ import annotations

import pytest

from talentflow import migration_api as mig
from talentflow.api import ingest_csv
from talentflow.ingest.paperlists import _realign_countries
from talentflow.resolve import places
from talentflow.resolve.affiliations import resolve_affiliations, resolve_one
from talentflow.resolve.institutions import Resolver
from talentflow.schema.tables import OBSERVATIONS, PLACE_RULES
from talentflow.store.warehouse import Warehouse


@pytest.fixture(scope="module")
def res() -> Resolver:
    return Resolver.default()


def _one(res, inst, country, address, domain=None):
    return resolve_one(res, inst, country, address, domain, None, None, "upstream")


def test_cuhk_shenzhen_is_in_shenzhen_not_hong_kong(res):
    # upstream's normalised name drops the site; the raw string and the domain name it
    r = _one(res, "Chinese University of Hong Kong", "China", "The Chinese University of Hong Kong, Shenzhen")
    assert (r.country, r.city, r.place_rule) == ("CHN", "Shenzhen", "lab_site")
    assert r.institution_row["name"] == "Chinese University of Hong Kong, Shenzhen"
    assert r.institution_row["parent_id"] == "chinese university hong kong"
    r = _one(res, "Chinese University of Hong Kong", "China", "The Chinese University of Hong Kong", "cuhk.edu.cn")
    assert (r.country, r.city) == ("CHN", "Shenzhen")
    # the Hong Kong campus stays in Hong Kong, also when written with "China"
    for raw in ("The Chinese University of Hong Kong", "Dept. of EE, The Chinese University of Hong Kong, China"):
        r = _one(res, "Chinese University of Hong Kong", "China", raw, "cuhk.edu.hk")
        assert (r.country, r.city) == ("HKG", "Hong Kong"), raw


@pytest.mark.parametrize("raw,country,city", [
    ("Microsoft Research Asia, Beijing", "CHN", "Beijing"),
    ("Microsoft Research Asia", "CHN", "Beijing"),
    ("Microsoft Research, Beijing, China", "CHN", "Beijing"),
    ("Microsoft Research India", "IND", "Bangalore"),
    ("Microsoft Research Montreal", "CAN", "Montreal"),
    ("Google, Pittsburgh", "USA", "Pittsburgh"),
    ("Huawei Noah's Ark Lab, Toronto", "CAN", "Toronto"),
    ("Alibaba DAMO Academy, Singapore", "SGP", "Singapore"),
    ("Samsung AI Center, Cambridge", "GBR", "Cambridge"),
    ("NYU Shanghai", "CHN", "Shanghai"),
    ("Georgia Tech Lorraine", "FRA", "Metz"),
    ("Robotics, Perception and Artificial Intelligence Lab, Chinese University of Hong Kong, N.T., Hong Kong SAR, China",
     "HKG", "Hong Kong"),  # "Intelligence" is not Intel (Intel Labs China)
])
def test_lab_sites_not_headquarters(res, raw, country, city):
    # upstream codes a multinational at its headquarters (United States) or a branch at its parent
    r = _one(res, raw.split(",")[0], "United States", raw)
    assert (r.country, r.city) == (country, city)
    assert r.place_rule in ("lab_site", "address_text", "institution_table")


def test_a_fellowship_is_not_a_location(res):
    r = _one(res, "CIFAR", "Canada", "CIFAR, Canada")
    assert r.country is None and r.place_rule == "programme"
    r = _one(res, "Canadian Institute for Advanced Research", "Canada", "Canada CIFAR AI Chair")
    assert r.country is None and r.place_rule == "programme"
    r = _one(res, "Mila", "Canada", "Canada CIFAR AI Chair, Mila")
    assert (r.country, r.city) == ("CAN", "Montreal")
    rows = [
        {"researcher_id": "r1", "work_id": "w1", "year": 2020, "aff_seq": k, "weight": 0.5, "stage": None,
         "institution": inst, "country": c, "address": raw, "domain": "uva.nl", "locator": "x", "org_type": None,
         "city": None}
        for k, (inst, c, raw) in enumerate([("University of Amsterdam", "Netherlands", "University of Amsterdam"),
                                            ("CIFAR", "Canada", "CIFAR, Canada")])]
    obs, _, _ = resolve_affiliations(rows, Resolver.default(), source="paperlists")
    assert [o["country"] for o in obs] == ["NLD", None]
    assert [o["place_rule"] for o in obs] == ["institution_table", "programme"]


def test_the_rule_is_recorded_and_declared(res):
    assert "place_rule" in [c.name for c in OBSERVATIONS.columns]
    rows = [{"researcher_id": "r1", "work_id": "w1", "year": 2020, "aff_seq": 0, "weight": 1.0, "stage": None,
             "institution": "Some Lab", "country": "Germany", "address": "Some Lab", "domain": None, "locator": "x",
             "org_type": None, "city": None}]
    obs, _, _ = resolve_affiliations(rows, res, source="paperlists")
    assert obs[0]["place_rule"] == "upstream" and obs[0]["country"] == "DEU"
    for raw in ("X, Paris, France", "Microsoft Research Asia", "Stanford University", "Shenzhen University"):
        r = _one(res, raw, None, raw, "gmail.com")
        assert r.place_rule in PLACE_RULES


def test_tokens_of_the_raw_string():
    assert places.tokens("Dept. of X, Carnegie Mellon University, Pittsburgh, PA 15213").country == "USA"
    assert places.tokens("Georgia Institute of Technology, Atlanta, Georgia").country == "USA"  # not GEO
    assert places.tokens("Microsoft Research, MSR").country is None  # not Montserrat
    assert places.tokens("Munich, DE").country == "DEU"
    assert places.tokens("Department of Mathematics, City University of Hong Kong, Hong Kong SAR, China").country == "HKG"
    assert places.city_in(places.tokens("Tokyo Metropolitan University, Hino, Tokyo, Japan").cities, "JPN") == "Hino"
    assert places.city_in(places.tokens("Microsoft Research, Montr ´eal, Qu ´ebec, Canada").cities, "CAN") == "Montreal"


def test_a_short_country_index_is_realigned():
    # authors 0 and 2 at affiliation 0 (country 0); author 1 at affiliation 1, which got no country:
    # upstream's country index skips author 1
    assert _realign_countries(["0", "1", "0"], ["0", "0"]) == ["0", "", "0"]
    # two countries for one affiliation would be needed: no realignment
    assert _realign_countries(["0", "0", "0"], ["0", "1"]) is None
    # two fitting choices, but only one skips the author who has no affiliation text
    inst, ctry = ["0", "1", "2", "3+0+4", "5+6"], ["0", "1", "1+0+0", "3+1"]
    assert _realign_countries(inst, ctry) is None
    assert _realign_countries(inst, ctry, [False, False, True, False, False]) == ["0", "1", "", "1+0+0", "3+1"]


def test_foreign_share_is_per_organization_unit_in_one_country(tmp_path):
    lines = ["person,year,org,country"]
    for i in range(6):  # Chinese researchers at Microsoft in Beijing: the unit in CHN, not foreign
        lines += [f"c{i},2016,Tsinghua University,CHN", f"c{i},2018,Microsoft,CHN", f"c{i},2019,Microsoft,CHN"]
    for i in range(4):  # US researchers at Microsoft in the US
        lines += [f"u{i},2016,Stanford University,USA", f"u{i},2018,Microsoft,USA", f"u{i},2019,Microsoft,USA"]
    for i in range(2):  # Chinese-origin researchers at Microsoft in the US: foreign-origin there
        lines += [f"x{i},2016,Tsinghua University,CHN", f"x{i},2018,Microsoft,USA", f"x{i},2019,Microsoft,USA"]
    path = tmp_path / "obs.csv"
    path.write_text("\n".join(lines) + "\n")
    wh = Warehouse.memory()
    try:
        ingest_csv(wh, path)
        mig.infer(wh)
        o = mig.orgs(wh, orgs=("microsoft",), n_boot=0, min_cell=1).set_index("country")
    finally:
        wh.close()
    assert o.loc["USA", "researchers"] == 6 and o.loc["USA", "foreign"] == 2
    assert o.loc["USA", "foreign_share"] == pytest.approx(2 / 6)
    assert o.loc["CHN", "researchers"] == 6 and o.loc["CHN", "foreign"] == 0
