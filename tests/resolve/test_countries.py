import pytest

from talentflow.resolve.countries import country_from_address, country_from_domain, country_table, to_iso3


@pytest.mark.parametrize("value,iso3", [
    ("United States", "USA"), ("US", "USA"), ("USA", "USA"), ("us", "USA"), ("UK", "GBR"), ("GB", "GBR"),
    ("South Korea", "KOR"), ("Korea", "KOR"), ("Republic of Korea", "KOR"), ("KR", "KOR"), ("China", "CHN"),
    ("P.R. China", "CHN"), ("Hong Kong", "HKG"), ("Taiwan", "TWN"), ("Macau", "MAC"), ("Russian Federation", "RUS"),
    ("Türkiye", "TUR"), ("Czech Republic", "CZE"), ("Czechia", "CZE"), ("Kingdom of Saudi Arabia", "SAU"),
    ("State of Palestine", "PSE"), ("Viet Nam", "VNM"), ("Vietnam", "VNM"), ("Iran", "IRN"), ("the Netherlands", "NLD"),
    ("Kosovo", "XKX"), ("deu", "DEU"), ("DEU", "DEU"), ("de", "DEU"),
])
def test_spellings(value, iso3):
    assert to_iso3(value) == iso3


@pytest.mark.parametrize("value", ["", "Unknown", "n/a", None, "Atlantis", "Nowhere Land"])
def test_missing_or_unknown_is_none(value):
    assert to_iso3(value) is None


@pytest.mark.parametrize("text,iso3", [
    ("Dept. CS, National Taiwan University, Taipei, Taiwan", "TWN"),
    ("Robotics Institute, Carnegie Mellon University, Pittsburgh, PA 15213", "USA"),
    ("University of Toronto, Toronto, ON", "CAN"),
    ("Institute of High Performance Computing, Singapore, A*STAR", "SGP"),
    ("Universitat Politecnica de Catalunya, Barcelona, ES", "ESP"),
    ("Some Lab", None),
])
def test_country_from_address(text, iso3):
    assert country_from_address(text) == iso3


@pytest.mark.parametrize("domain,iso3", [("ntu.edu.tw", "TWN"), ("cs.cmu.edu", "USA"), ("ox.ac.uk", "GBR"),
                                         ("gmail.com", None), ("lab.ai", None), ("cuhk.edu.hk", "HKG")])
def test_country_from_domain(domain, iso3):
    assert country_from_domain(domain) == iso3


def test_country_table_has_regions_and_groupings():
    rows = {r["iso3"]: r for r in country_table()}
    assert rows["DEU"]["eu"] and rows["DEU"]["oecd"] and rows["DEU"]["wb_region"] == "Europe & Central Asia"
    assert rows["TWN"]["wb_region"] == "East Asia & Pacific"
    assert not rows["CHN"]["oecd"]
    assert len(rows) >= 249
