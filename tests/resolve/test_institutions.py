import pytest

from talentflow.resolve.affiliations import resolve_one
from talentflow.resolve.institutions import classify_type, default_resolver, institution_id


@pytest.fixture(scope="module")
def res():
    return default_resolver()


@pytest.mark.parametrize("name,canonical", [
    ("RWTH Aachen", "RWTH Aachen University"), ("RWTH Aachen University", "RWTH Aachen University"),
    ("Technische Universität München", "Technical University of Munich"), ("The Chinese University of Hong Kong",
                                                                           "Chinese University of Hong Kong"),
    ("KAIST", "Korea Advanced Institute of Science and Technology"), ("Some New Lab", "Some New Lab"),
])
def test_aliases(res, name, canonical):
    assert res.canonical(name) == canonical


@pytest.mark.parametrize("name,parent", [
    ("DeepMind", "Google"), ("Google DeepMind", "Google"), ("Google Brain", "Google"), ("FAIR", "Meta"),
    ("Microsoft Research Asia", "Microsoft"), ("Alibaba DAMO Academy", "Alibaba Group"), ("Tencent AI Lab", "Tencent"),
])
def test_company_lineage(res, name, parent):
    assert res.organization(res.canonical(name)).parent == parent


@pytest.mark.parametrize("name,kind", [
    ("Stanford University", "education"), ("Acme Robotics Inc.", "company"), ("Mayo Clinic", "facility"),
    ("Ministry of Science", "government"), ("Simons Foundation", "nonprofit"), ("Google", "company"),
    ("Universidad de Chile", "education"),
])
def test_types(name, kind):
    assert classify_type(name) == kind


@pytest.mark.parametrize("inst,country,address,domain,expected", [
    ("Chinese University of Hong Kong", "China", None, None, ("HKG", "institution_table")),
    ("National Taiwan University", "China", None, None, ("TWN", "institution_table")),
    ("Some Taipei Lab", "China", "Some Taipei Lab, Taipei, Taiwan", None, ("TWN", "address_text")),
    ("Some Lab", "China", None, "lab.edu.hk", ("HKG", "email_domain")),
    ("Tsinghua University", "China", None, None, ("CHN", "institution_table")),  # the table before upstream (docs/places.md)
    ("Some Unlisted University", "China", None, None, ("CHN", "upstream")),
    ("Stanford University", None, None, None, ("USA", "institution_table")),
    ("Google", None, None, None, (None, None)),
    (None, None, "X, Paris, France", None, ("FRA", "address_text")),
])
def test_country_rules(res, inst, country, address, domain, expected):
    r = resolve_one(res, inst, country, address, domain, None, None, "upstream")
    assert (r.country, r.country_rule) == expected


def test_unknown_country_is_reported(res):
    r = resolve_one(res, "X", "Atlantis", None, None, None, None, "input")
    assert r.country is None and r.unknown_country == "Atlantis"


def test_hubs(res):
    assert resolve_one(res, "Stanford University", "United States", None, None, None, None, "upstream").hub == "Bay Area"
    assert resolve_one(res, "X Lab", "United Kingdom", "X Lab, Cambridge, UK", None, None, None, "upstream").hub == "Cambridge (UK)"
    assert resolve_one(res, "X Lab", "United States", "X Lab, Cambridge, MA, USA", None, None, None, "upstream").hub == "Boston"
    assert institution_id("The Chinese University of Hong Kong") == "chinese university hong kong"
    assert institution_id("Universität Hamburg") == institution_id("Hamburg University") == institution_id("University of Hamburg")
    assert institution_id("Washington University") != institution_id("University of Washington")
    assert institution_id("Texas A&M University") == institution_id("Texas A and M University")
