"""Generic CSV/Parquet ingest: the plain header, ISO2/ISO3/names, mappings, rejects with line numbers."""

import pandas as pd
import pytest

from talentflow.api import ingest_csv
from talentflow.errors import ConfigError, InputError
from talentflow.store.warehouse import Warehouse

PLAIN = """person,year,org,country
p1,2015,Tsinghua University,CN
p1,2018,Stanford University,USA
p2,2016,CUHK,China
p2,2019,Google,United States
p3,20x5,MIT,US
,2019,MIT,US
p4,2017,Foo Inc,Atlantis
p5,1850,Old U,DE
"""


def test_plain_header_accepted_as_is(tmp_path):
    f = tmp_path / "obs.csv"
    f.write_text(PLAIN)
    db = tmp_path / "w.duckdb"
    s = ingest_csv(db, f)
    assert dict(zip(s.rejects_by_reason["reason"], s.rejects_by_reason["n"])) == {
        "wrong_type": 1, "empty_person": 1, "unknown_country": 1, "implausible_year": 1}
    with Warehouse(db, read_only=True) as wh:
        obs = wh.query("""SELECT r.source_key AS person, o.year, o.country, o.country_rule, i.name
                          FROM observations o JOIN researchers r USING (researcher_id)
                          LEFT JOIN institutions i USING (institution_id) ORDER BY person, year""")
        obs = obs.astype(object).where(obs.notna(), None)
        assert obs[["person", "year", "country"]].values.tolist() == [
            ["p1", 2015, "CHN"], ["p1", 2018, "USA"], ["p2", 2016, "HKG"], ["p2", 2019, "USA"], ["p4", 2017, None]]
        assert obs["country_rule"].tolist()[:2] == ["input", "input"]
        assert obs["name"].tolist()[2] == "Chinese University of Hong Kong"
        rej = wh.query("SELECT locator, field, reason, raw_value FROM rejects ORDER BY locator")
        assert rej.values.tolist() == [
            ["line 6", "year", "wrong_type", "20x5"], ["line 7", "person", "empty_person", ""],
            ["line 8", "country", "unknown_country", "Atlantis"], ["line 9", "year", "implausible_year", "1850"]]


def test_mapping_and_parquet_and_optional_columns(tmp_path):
    frame = pd.DataFrame({"emp": ["a", "a"], "yr": [2019, 2021], "employer": ["Acme Corp", "Oxford"],
                          "nation": ["GBR", "GB"], "stage": ["PhD student", "Postdoc"], "org_type": ["company", "education"]})
    f = tmp_path / "hr.parquet"
    frame.to_parquet(f)
    db = tmp_path / "w.duckdb"
    ingest_csv(db, f, mapping={"person": "emp", "year": "yr", "org": "employer", "country": "nation"})
    with Warehouse(db, read_only=True) as wh:
        got = wh.query("""SELECT o.year, o.country, o.stage, i.type FROM observations o
                          JOIN institutions i USING (institution_id) ORDER BY year""")
        assert got.values.tolist() == [[2019, "GBR", "PhD student", "company"], [2021, "GBR", "Postdoc", "education"]]


def test_missing_column_error_names_file_and_columns(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("who,when,where\nx,2019,MIT\n")
    with pytest.raises(InputError, match=r"bad.csv: missing required column\(s\) \['person', 'year', 'org', 'country'\]"):
        ingest_csv(tmp_path / "w.duckdb", f)


def test_unknown_mapping_target(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("person,year,org,country\n")
    with pytest.raises(ConfigError, match="unknown target"):
        ingest_csv(tmp_path / "w.duckdb", f, mapping={"employer": "org"})
