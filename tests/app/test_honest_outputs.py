"""What a reader sees is true: nets of suppressed pairs, no-evidence rows, censored years, the one
small-cell rule with its complements, validation that counts a direction only when it is settled,
provenance on every table. Each test here fails on the behaviour the honest-outputs audit found.

``moves_db`` is a small CSV-built warehouse whose moves are known by construction: 12 researchers
move CAN -> USA and 3 USA -> CAN (a suppressed reverse), 11 GBR -> USA (no reverse at all), 40 stay
at MIT, 30 stay in Chile (no move: no evidence), 12 move DEU -> FRA in the last year (censored).
"""

from __future__ import annotations

import csv
import html
import re

import pandas as pd
import pytest

from talentflow.app import queries as q
from talentflow.app import validation as val
from talentflow.inference.params import InferenceParams
from talentflow.metrics.flows import bucket
from talentflow.metrics.suppression import protect_residual, small, suppress, with_complement
from talentflow.report.figures import fmt

PEOPLE_COUNT_COLUMNS = {"count", "researchers", "inflows", "outflows", "foreign", "stayed", "graduates", "moves",
                        "n_movers", "papers_full", "population", "reverse_count", "one_year", "n_researchers"}


def _career(rows, pid, spans):
    for country, org, years in spans:
        rows.extend({"person": pid, "year": y, "org": org, "country": country} for y in years)


@pytest.fixture(scope="module")
def moves_db(tmp_path_factory):
    from talentflow import migration_api
    from talentflow.api import ingest_csv

    rows: list[dict] = []
    for i in range(12):
        _career(rows, f"can{i}", [("CAN", "University of Toronto", [2015, 2016]), ("USA", "MIT", [2017, 2018, 2019])])
    for i in range(3):
        _career(rows, f"usa{i}", [("USA", "Stanford University", [2015, 2016]), ("CAN", "McGill University", [2017, 2018])])
    for i in range(11):
        _career(rows, f"gbr{i}", [("GBR", "University of Oxford", [2015, 2016]), ("USA", "Stanford University", [2017, 2018])])
    for i in range(40):
        _career(rows, f"stay{i}", [("USA", "MIT", [2015, 2016, 2017, 2018, 2019, 2020])])
    for i in range(30):
        _career(rows, f"chl{i}", [("CHL", "Universidad de Chile", [2015, 2016, 2017, 2018])])
    for i in range(12):
        _career(rows, f"late{i}", [("DEU", "Technical University of Munich", [2017, 2018, 2019]), ("FRA", "Inria", [2020])])
    d = tmp_path_factory.mktemp("honest")
    with open(d / "people.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, ["person", "year", "org", "country"])
        w.writeheader()
        w.writerows(rows)
    db = d / "moves.duckdb"
    ingest_csv(db, d / "people.csv")
    # the rules: these careers test what the rules' censoring and counts publish
    migration_api.infer(db, InferenceParams(method="rules"))
    return db


@pytest.fixture(scope="module")
def client(app_db):
    """A client of its own: schemathesis' ASGI calls in test_app_fuzz run the shared app's lifespan,
    which closes its reader."""
    from fastapi.testclient import TestClient

    from talentflow.app.server import create_app

    with TestClient(create_app(app_db, n_boot=50), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def reader(moves_db):
    with q.Reader.open(moves_db) as r:
        yield r


# -- 1. net of a pair whose reverse flow is suppressed --------------------------------------------------

def test_net_of_a_pair_is_blank_when_its_reverse_flow_is_suppressed(reader):
    pairs = q.top_pairs(reader, q.Filters(n_boot=20)).set_index(["origin", "destination"])
    can = pairs.loc[("CAN", "USA")]
    assert can["count"] == 12
    assert pd.isna(can["reverse_count"]) and pd.isna(can["net"])  # 3 the other way: suppressed, and so the net
    gbr = pairs.loc[("GBR", "USA")]
    assert gbr["reverse_count"] == 0 and gbr["net"] == 11  # no reverse flow at all: a true zero
    local = q.top_pairs(reader, q.Filters(n_boot=20, min_cell=1)).set_index(["origin", "destination"])
    assert local.loc[("CAN", "USA"), "net"] == 9


# -- 3. no evidence is not zero; censored years ----------------------------------------------------------

def test_countries_without_moves_are_no_evidence_not_zero(reader):
    rates = q.net_rates(reader, q.Filters(n_boot=20)).set_index("country")
    assert rates.loc["CHL", "status"] == "no move observed"
    assert pd.isna(rates.loc["CHL", "net_rate"]) and pd.isna(rates.loc["CHL", "net_rate_lo"])
    assert rates.loc["GBR", "status"] == "estimated" and rates.loc["GBR", "net_rate"] < 0
    assert rates.loc["CAN", "status"] == "suppressed"
    # estimated rows first: a no-evidence row never ranks between real rates
    order = list(rates["status"])
    assert order.index("no move observed") > max(i for i, s in enumerate(order) if s == "estimated")


def test_years_that_cannot_show_a_move_yet_are_marked_censored(reader):
    years = q.rates_by_year(reader, q.Filters(n_boot=20, min_cell=1), "DEU").set_index("year")
    assert bool(years.loc[2020, "censored"]) and years.loc[2020, "unconfirmed_years"] == 1
    assert not bool(years.loc[2018, "censored"])
    assert years.loc[2020, "status"] == "censored" and pd.isna(years.loc[2020, "net_rate"])


def test_period_labels_stop_at_the_last_year_of_the_data():
    years = pd.Series([2019, 2020, 2024, 2025])
    assert list(bucket(years, 5, 2000)) == ["2015-2019", "2020-2024", "2020-2024", "2025-2025"]
    assert list(bucket(years, 5, 2000, hi=2027)) == ["2015-2019", "2020-2024", "2020-2024", "2025-2027"]


# -- 8. the one small-cell rule and its complements ------------------------------------------------------

def test_small_keeps_zero_and_missing():
    assert list(small(pd.Series([0, 1, 9, 10, None]), 10)) == [False, True, True, False, False]
    assert small(3, 10) and not small(0, 10) and not small(3, 1)


def test_complement_blanks_a_share_whose_rest_is_small():
    frame = pd.DataFrame({"researchers": [50.0, 14.0], "foreign": [12.0, 11.0], "share": [0.24, 11 / 14]})
    out = suppress(with_complement(frame, "foreign", "researchers", "domestic"),
                   {"researchers": ["foreign", "share"], "foreign": ["share"], "domestic": ["foreign", "share"]}, 10)
    assert out.loc[0, "foreign"] == 12 and out.loc[0, "share"] == pytest.approx(0.24)
    assert pd.isna(out.loc[1, "foreign"]) and pd.isna(out.loc[1, "share"])  # 3 domestic would be revealed
    assert out.loc[1, "researchers"] == 14


def test_residual_protection_blanks_until_no_small_sum_can_be_recovered():
    frame = pd.DataFrame({"g": ["a", "a", "a"], "n": [82.0, 3.0, 2.0]})
    out = suppress(frame.assign(_n_raw=frame["n"]), {"n": []}, 10)
    out = protect_residual(out, "g", "n", [], 10)
    assert out["n"].isna().all()  # 87 published elsewhere - 82 = 5: the 82 goes too
    ok = suppress(pd.DataFrame({"g": ["a"] * 3, "n": [82.0, 7.0, 6.0]}).pipe(lambda d: d.assign(_n_raw=d["n"])),
                  {"n": []}, 10)
    assert protect_residual(ok, "g", "n", [], 10)["n"].tolist()[0] == 82  # the blanked ones sum to 13: safe


def test_foreign_share_is_blank_when_the_domestic_complement_is_small(moves_db):
    from talentflow import migration_api as mig

    o = mig.orgs(moves_db, orgs=("stanford university", "massachusetts institute of technology"), n_boot=20).set_index("org")
    assert o.loc["massachusetts institute of technology", "foreign"] == 12 and o.loc["massachusetts institute of technology", "foreign_share"] == pytest.approx(12 / 52)
    stanford = o.loc["stanford university"]  # 11 foreign (GBR), 3 domestic
    assert pd.isna(stanford["foreign"]) and pd.isna(stanford["foreign_share"])


def test_headline_moves_below_min_cell_are_suppressed(reader):
    h = q.headline(reader, q.Filters(n_boot=20, min_cell=30)).set_index("figure")
    assert pd.isna(h.loc["International moves", "value"])  # 26 moves < 30
    h10 = q.headline(reader, q.Filters(n_boot=20)).set_index("figure")
    assert h10.loc["International moves", "value"] == 26


def test_api_publishes_no_count_of_people_between_1_and_min_cell(client):
    """A crawl of every GET route of the API (default min_cell 10) on the small real warehouse."""
    doc = client.get("/api/v1/openapi.json").json()
    seen = 0
    for path in doc["paths"]:
        if "{" in path or not path.startswith("/api/v1/") or path.endswith(("openapi.json", "docs", "health")):
            continue
        for extra in ("", "?level=org", "?panel=openreview", "?min_cell=50"):
            body = client.get(path + extra).json()
            floor = 50 if "min_cell=50" in extra else 10
            rows = body.get("data") if isinstance(body.get("data"), list) else []
            for row in rows:
                for key, value in row.items():
                    papers = key == "count" and "specialization" in path  # fractional papers, not people
                    if key in PEOPLE_COUNT_COLUMNS and not papers and isinstance(value, (int, float)):
                        seen += 1
                        assert not (0 < value < floor), f"{path}{extra}: {key}={value} in {row}"
    assert seen > 100


def test_collaboration_rows_pass_the_requested_min_cell(client):
    body = client.get("/api/v1/collaboration/pairs?min_cell=50").json()
    assert body["data"], "the small warehouse has pairs with 50+ papers"
    assert min(r["papers_full"] for r in body["data"]) >= 50


def test_suppressed_specialization_cells_carry_no_presence(client):
    rows = client.get("/api/v1/specialization?page_size=1000").json()["data"]
    blank = [r for r in rows if r["suppressed"]]
    assert blank and all(r["presence"] is None and r["rca"] is None for r in blank)
    shown = [r for r in rows if not r["suppressed"]]
    assert all(isinstance(r["small_base"], bool) for r in shown)
    assert all(r["small_base"] == (r["count"] < 10) for r in shown)


# -- 14. provenance on every table ---------------------------------------------------------------------

def test_api_tables_carry_params_id_and_source_versions(client, app_db):
    from talentflow.store.warehouse import Warehouse

    with Warehouse(app_db, read_only=True) as wh:
        pid = wh.execute("SELECT params_id FROM inference_runs ORDER BY run_at DESC LIMIT 1")[0][0]
    body = client.get("/api/v1/rates").json()
    assert body["provenance"]["params_id"] == pid
    assert body["provenance"]["source_versions"].startswith("paperlists@")
    text = client.get("/api/v1/rates?format=csv").text
    header = text.splitlines()[0].split(",")
    assert header[-2:] == ["params_id", "source_versions"] and f",{pid}," in text
    spec = client.get("/api/v1/specialization").json()["provenance"]["params_id"]
    assert spec and spec != pid


# -- 10-12. validation that cannot flatter ---------------------------------------------------------------

@pytest.mark.parametrize("published, value, lo, hi, expected", [
    (1.5, 2.0, 0.5, 3.0, val.AGREE), (1.5, -2.0, -3.0, -0.5, val.DISAGREE), (1.5, 2.0, -1.0, 3.0, val.UNSETTLED),
    (1.5, None, None, None, val.NO_EVIDENCE), (0.0, 2.0, 0.5, 3.0, val.UNSETTLED), (-1.0, 0.0, 0.0, 0.0, val.UNSETTLED),
])
def test_a_direction_agrees_only_when_the_interval_excludes_zero(published, value, lo, hi, expected):
    assert val.direction(published, value, lo, hi) == expected


def test_agreement_is_computed_only_where_talentflow_has_evidence():
    frame = pd.DataFrame({"p": [1.0, -1.0, 2.0, 0.5, 3.0], "t": [2.0, -1.0, 1.0, None, 0.0],
                          "direction": [val.AGREE, val.AGREE, val.UNSETTLED, val.NO_EVIDENCE, val.NO_EVIDENCE]})
    a = val.agreement(frame, "t", "p")
    assert (a["n"], a["agree"], a["not_settled"], a["no_evidence"]) == (3, 2, 1, 2)


def test_same_sign_is_not_computed_for_measures_that_cannot_be_negative():
    class Fixed:
        def __init__(self, v):
            self.v = v

    published = pd.DataFrame([
        {"source": "s", "metric": "share_mobile_authors", "entity": "World", "year": "2020", "value": 3.7,
         "unit": "percent", "basis": "primary", "definition": "d"},
        {"source": "s", "metric": "net_ai_talent_migration_per_10k", "entity": "X", "year": "2024", "value": 1.0,
         "unit": "per 10,000", "basis": "primary", "definition": "d"}])
    rules = {"share_mobile_authors": lambda c, r: val.Value(0.8, 0.7, 0.9, "percent", "d", "g"),
             "net_ai_talent_migration_per_10k": lambda c, r: val.Value(2.0, 1.0, 3.0, "per", "d", "g")}
    old = dict(val.RULES)
    val.RULES.update(rules)
    try:
        out = val.compare(published, Fixed(None))
    finally:
        val.RULES.clear()
        val.RULES.update(old)
    assert pd.isna(out.loc[0, "direction"]) and pd.isna(out.loc[0, "same_sign"])
    assert out.loc[1, "direction"] == val.AGREE


# -- 6. scenarios on the panel's own flows ---------------------------------------------------------------

def test_scenario_on_warehouse_flows_is_refused_with_its_reason(moves_db):
    from talentflow.errors import ConfigError
    from talentflow.models_api import run_scenario

    with pytest.raises(ConfigError, match="stock projection needs each country's researcher population"):
        run_scenario("scenarios/korea_visa_fast_track.toml", "warehouse", db=moves_db)


# -- the values a reader sees in the report ----------------------------------------------------------------

def _tables(page: str) -> dict[str, list[list[str]]]:
    out = {}
    for cap, body in re.findall(r"<caption>(.*?)</caption>.*?<tbody>(.*?)</tbody>", page, re.S):
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
                for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
        out[html.unescape(cap)] = rows
    return out


def test_report_prints_the_stored_figures(moves_db, tmp_path):
    from talentflow.report.build import ReportParams, write_report

    path = tmp_path / "r.html"
    write_report(moves_db, path, ReportParams(n_boot=20))
    page = path.read_text()
    tables = _tables(page)
    pairs = {(r[0], r[1]): r for r in tables["Top origin → destination pairs"]}
    assert pairs[("Canada", "United States")][2:] == ["12", "–", "–"]  # not "net 12"
    assert pairs[("United Kingdom", "United States")][2:] == ["11", "0", "11"]
    rates = {r[1]: r for r in tables["Net migration by country (largest gain first)"]}
    assert "Chile" not in rates  # no evidence is not a zero row
    with q.Reader.open(moves_db) as r:
        stored = q.net_rates(r, q.Filters(n_boot=20)).set_index("name")
    gb = stored.loc["United Kingdom"]
    assert rates["United Kingdom"][6] == fmt(gb["net_rate"], 1)
    assert rates["United Kingdom"][7] == f"{fmt(gb['net_rate_lo'], 1)} to {fmt(gb['net_rate_hi'], 1)}"
    assert rates["United Kingdom"][4:6] == ["0", "11"]
    assert "Chile (120)" in page and "no evidence, not a rate of zero" in page
    shares = {r[0]: r for r in tables["Foreign-origin shares"]}
    assert re.fullmatch(r"\d+\.\d% to \d+\.\d%", shares["Massachusetts Institute of Technology"][5])
    assert all(" to " in r[5] and "%" in r[5] for r in tables["Foreign-origin shares"] if r[5] != "–")
    assert str(moves_db.parent) not in page  # no local path (the CSV's upstream is a local file)
    csv_link = re.search(r'download="top_pairs.csv" href="data:text/csv;charset=utf-8,([^"]+)"', page).group(1)
    assert "params_id" in html.unescape(csv_link).replace("%2C", ",")


# -- 13. measured error rates from a gold set ------------------------------------------------------------

def _gold(folder, persons, moves, residence):
    folder.mkdir()
    pd.DataFrame(persons, columns=["person", "panel", "stratum", "split", "decidable", "same_person"]) \
        .to_csv(folder / "persons.csv", index=False)
    pd.DataFrame(moves, columns=["person", "origin", "destination", "year_from", "year_to"]) \
        .to_csv(folder / "moves.csv", index=False)
    pd.DataFrame(residence, columns=["person", "year", "country"]).to_csv(folder / "residence.csv", index=False)
    return folder


def test_gold_scores_count_matches_misses_and_false_moves(moves_db, tmp_path):
    import shutil

    from talentflow import gold_api as mig
    from talentflow.report.build import measured_error_note

    db = tmp_path / "g.duckdb"
    shutil.copy(moves_db, db)
    p = lambda k: {"person": f"csv:{k}", "panel": "csv", "stratum": "s", "split": "test", "decidable": "yes",
                   "same_person": "yes"}
    persons = [p("can0"), p("can1"), p("chl0"), p("late0"), p("stay0"),
               dict(p("can2"), split="dev"), dict(p("can3"), same_person="merged")]
    moves = [  # can0 and can1 moved CAN -> USA (found); late0 moved DEU -> FRA in 2020 (censored: missed)
        {"person": "csv:can0", "origin": "CAN", "destination": "USA", "year_from": 2016, "year_to": 2017},
        {"person": "csv:can1", "origin": "CAN", "destination": "USA", "year_from": 2016, "year_to": 2017},
        {"person": "csv:late0", "origin": "DEU", "destination": "FRA", "year_from": 2019, "year_to": 2020},
        # the gold says stay0 moved to Chile in 2019: talentflow did not see it (a miss)
        {"person": "csv:stay0", "origin": "USA", "destination": "CHL", "year_from": 2018, "year_to": 2019}]
    residence = [{"person": "csv:can0", "year": 2015, "country": "CAN"}, {"person": "csv:can0", "year": 2017, "country": "USA"},
                 {"person": "csv:chl0", "year": 2015, "country": "CHL"}, {"person": "csv:late0", "year": 2020, "country": "FRA"}]
    gold = _gold(tmp_path / "careers", persons, moves, residence)
    with q.Reader.open(moves_db) as r:
        ids = set(r.query("SELECT researcher_id FROM researchers")["researcher_id"])
    assert "csv:can0" in ids, "the CSV namespace prefixes person keys with csv:"
    out = mig.score_gold(db, gold, n_boot=50).set_index("measure")
    assert out.loc["move_precision", "value"] == 1.0 and out.loc["move_precision", "n"] == 2
    assert out.loc["move_recall", "value"] == pytest.approx(2 / 4) and out.loc["move_recall", "n"] == 4
    assert out.loc["mover_recall", "value"] == pytest.approx(2 / 4)
    assert out.loc["residence_accuracy", "value"] == pytest.approx(3 / 4)  # late0 2020: DEU, not FRA
    assert out["persons"].iloc[0] == 5  # the dev person and the merged id are not scored
    with q.Reader.open(db) as r:
        note = measured_error_note(r)
    assert "move_recall 0.50" in note and "test split" in note


# -- 5, 7, 2: rankings on small bases; org vs country flows; the interval level of RCA ----------------------

def test_specialization_rankings_put_small_bases_last(client):
    rows = client.get("/api/v1/specialization/profile/USA").json()["data"]
    flags = [r["small_base"] for r in rows if not r["suppressed"]]
    assert flags == sorted(flags, key=bool), "a field on fewer than min_rank_count papers ranks after the others"


def test_org_flows_say_why_they_do_not_add_up_to_country_flows(client, reader):
    body = client.get("/api/v1/flows", params={"level": "org", "min_cell": 10}).json()
    assert body["notice"] and "country moves" in body["notice"]
    assert client.get("/api/v1/flows", params={"level": "country"}).json()["notice"] is None
    rec = q.flow_reconciliation(reader, q.Filters())
    assert rec["country_moves"] == 26  # 12 CAN->USA, 3 USA->CAN, 11 GBR->USA
    assert rec["also_institution_moves"] + rec["without_any_institution_move"] + rec["other_institution_moves"] \
        == rec["country_moves"]


def test_rca_profile_names_the_interval_level_it_was_computed_at():
    from talentflow.report.figures import profile

    cells = pd.DataFrame({"field_label": ["a", "b"], "rca": [1.5, 0.7], "rca_lo": [1.2, 0.5], "rca_hi": [1.8, 0.9]})
    assert "90% interval" in profile(cells, "P", 0.9)["layout"]["xaxis"]["title"]["text"]
