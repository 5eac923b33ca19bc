"""The commands: `talentflow link`, `talentflow persons --format csv`, `infer --identity resolved`, and the
CSV sequence (ingest csv -> link -> infer --identity resolved -> events -> flows) keeping its person keys."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("splink")

from talentflow.cli import app  # noqa: E402
from tests.inference.test_inference_cli import OBS  # noqa: E402
from tests.persons.synthetic import build  # noqa: E402


def _run(runner, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def test_link_then_persons_csv(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "w.duckdb")
    build(db)
    _run(runner, ["link", "--db", db])
    out = pd.read_csv(io.StringIO(_run(runner, ["persons", "--db", db, "--format", "csv"]).stdout))
    assert {"person", "source_id", "name", "authorships", "source_authorships", "person_authorships"} <= set(out.columns)
    assert {"acl:fan-yang", "acl:fan-yang#2"} <= set(out["person"])
    assert set(out.loc[out["source_id"] == "ieee:222", "person"]) == {"ieee:111"}
    ev = _run(runner, ["infer", "--db", db, "--identity", "resolved"])
    assert "inferred" in ev.output
    from talentflow.migration_api import residence

    res = residence(db)  # person keys: the source key, '#k' for a further person of a split id
    assert {"fan-yang", "fan-yang#2", "111"} <= set(res["researcher"]) and "222" not in set(res["researcher"])


def test_csv_sequence_keeps_its_person_keys_under_resolved_identity(tmp_path):
    runner = CliRunner()
    obs = tmp_path / "obs.csv"
    obs.write_text(OBS)
    db = str(tmp_path / "t.duckdb")
    _run(runner, ["ingest", "csv", str(obs), "--db", db])
    _run(runner, ["link", "--db", db])  # nothing to link: CSV keys are the user's own
    _run(runner, ["infer", "--db", db, "--identity", "resolved"])
    ev = pd.read_csv(io.StringIO(_run(runner, ["events", "--db", db, "--format", "csv"]).stdout))
    moves = ev[ev["event_type"].isin(["migration", "return"])].sort_values(["researcher", "year_to"])
    assert [tuple(r) for r in moves[["researcher", "origin", "destination", "year_to"]].itertuples(index=False)] == \
        [("alice", "USA", "CHN", 2017), ("alice", "CHN", "USA", 2020), ("bob", "CHE", "GBR", 2015)]
    flows = pd.read_csv(io.StringIO(_run(runner, ["flows", "--db", db, "--level", "country", "--format", "csv"]).stdout))
    assert list(flows.columns)[:4] == ["origin", "destination", "year", "count"] and flows["count"].sum() == 3
