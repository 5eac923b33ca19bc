"""Terminal tables: years without separators, whole-number columns as integers, and in a narrow
terminal the trailing columns that do not fit are named under the table, not cut to one character."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from rich.console import Console

from talentflow.cli.output import render_table


def _render(frame: pd.DataFrame, width: int) -> str:
    out = io.StringIO()
    render_table(frame, console=Console(file=out, width=width, color_system=None))
    return out.getvalue()


def test_years_have_no_thousands_separator_and_whole_floats_print_as_integers():
    frame = pd.DataFrame({"origin": ["University of Tokyo"], "year": [2002], "year_to": [2003.0],
                          "count": [1234.0], "share": [0.25]})
    text = _render(frame, 120)
    assert "2002" in text and "2003" in text and "2,002" not in text
    assert "1,234" in text and "1,234.000" not in text and "0.250" in text


def test_a_narrow_terminal_names_the_columns_it_leaves_out():
    frame = pd.DataFrame({"country": ["USA", "CHN"], **{f"figure_{i}": [1.5, 2.25] for i in range(12)}})
    wide, narrow = _render(frame, 300), _render(frame, 80)
    assert "figure_11" in wide and "need a wider terminal" not in wide
    assert "need a wider terminal" in narrow and "figure_11" in narrow.split("need a wider terminal")[1]
    header = next(line for line in narrow.splitlines() if "country" in line)
    assert "figure_0" in header and "…" not in header  # the shown columns keep whole headers


# -- each command's table leads with the figures that answer it (issue 14) -------------------------

def test_table_view_leads_and_moves_constant_columns_above():
    from talentflow.cli.output import constants_line, table_view

    frame = pd.DataFrame({"level": ["country"] * 2, "region": ["USA", "CHN"], "count": [3.0, 4.0],
                          "rca": [1.2, 0.8], "rca_lo": [1.0, 0.6], "rca_hi": [1.4, 1.0], "suppressed": [False, False]})
    view, constants = table_view(frame, ("region", "rca", "rca_lo", "rca_hi", "absent"))
    assert list(view.columns) == ["region", "rca", "rca_lo", "rca_hi", "count"]
    assert constants == {"level": "country", "suppressed": False}
    assert constants_line(constants) == "level country · suppressed no"
    one, none = table_view(frame.head(1), ("rca",))
    assert list(one.columns)[0] == "rca" and len(one.columns) == len(frame.columns) and none == {}


def test_no_shown_column_is_cut_at_the_terminal_edge():
    """orgs at 100 columns: long text columns used to take more than their share and cut the last
    shown column mid-way."""
    frame = pd.DataFrame({"org": ["Massachusetts Institute of Technology", "Carnegie Mellon University"],
                          "groups": ["Massachusetts Institute of Technology", "Carnegie Mellon University"],
                          "seat": ["USA", "USA,GBR"], "researchers": [1297, 1656], "foreign": [83, 98],
                          "foreign_share": [0.064, 0.059], "foreign_share_lo": [0.051, 0.048]})
    text = _render(frame, 100)
    assert max(len(line) for line in text.splitlines()) <= 100
    header = next(line for line in text.splitlines() if "org" in line and "┃" in line)
    shown = [c.strip() for c in header.strip("┃").split("┃")]
    assert all(c in frame.columns for c in shown), shown  # whole headers, none cut at the edge
    assert header.rstrip().endswith("┃")


@pytest.fixture(scope="module")
def inferred(small_warehouse, tmp_path_factory):
    import shutil

    from talentflow import migration_api
    from talentflow.store.warehouse import Warehouse

    path = tmp_path_factory.mktemp("tables") / "w.duckdb"
    shutil.copy(small_warehouse, path)
    with Warehouse(path) as wh:
        migration_api.infer(wh)
    return path


# command -> the columns its table must show first (in order), and constant columns it shows above
COMMANDS = {
    "flows": (["flows"], ["origin", "destination", "year", "count"], []),
    "rates": (["rates", "--countries", "USA,CHN", "--n-boot", "20"],
              ["country", "year", "net_rate", "net_rate_lo", "net_rate_hi", "in_rate", "out_rate"], []),
    # min-cell 1: at 10 every country of the small warehouse is suppressed or has no move (no evidence: not ranked)
    "rates --ranking": (["rates", "--ranking", "--n-boot", "20", "--min-population", "10", "--min-cell", "1"],
                        ["rank", "country", "net_rate", "net_rate_lo", "net_rate_hi", "population"], ["period"]),
    "orgs": (["orgs", "--n-boot", "20", "--min-cell", "1"],
             ["org", "foreign_share", "foreign_share_lo", "foreign_share_hi", "researchers"], []),
    "pipeline": (["pipeline", "--n-boot", "20", "--min-cell", "1"],
                 ["study_country", "work_country", "share_of_study_country", "researchers"], []),
    "pipeline --stay": (["pipeline", "--stay", "--n-boot", "20", "--min-cell", "1"],
                        ["study_country", "stay_rate", "stay_rate_lo", "stay_rate_hi", "graduates"], []),
    "specialization": (["specialization", "--bootstrap", "20", "--min-cell", "1"],
                       ["region", "region_name", "field", "rca", "rca_lo", "rca_hi"], ["level", "field_kind", "period"]),
    "profile": (["profile", "USA", "--bootstrap", "20", "--min-cell", "1"], ["field", "rca", "rca_lo", "rca_hi"], []),
    "collab": (["collab", "--min-cell", "1"], ["unit", "papers_full", "papers_frac", "external_share"], ["period"]),
    "circulation": (["circulation", "--n-boot", "20", "--min-cell", "1", "--identity", "all"],
                    ["measure", "estimate", "ci_low", "ci_high", "n_movers"], ["key"]),
    "events": (["events"], ["researcher", "event_type", "origin", "destination", "year_from", "year_to"], ["kind"]),
    "status": (["status"], ["table", "rows"], []),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_leads_with_its_answer_at_100_columns(monkeypatch, inferred, name):
    from typer.testing import CliRunner

    from talentflow.cli import app

    argv, lead, above = COMMANDS[name]
    monkeypatch.setenv("COLUMNS", "100")
    result = CliRunner().invoke(app, [*argv, "--db", str(inferred)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    header = next(line for line in lines if "┃" in line)
    shown = [c.strip() for c in header.strip().strip("┃").split("┃")]
    assert shown[:len(lead)] == lead, shown
    if above:
        line = lines[0]
        assert all(f"{c} " in line for c in above) and not set(above) & set(shown), line


@pytest.mark.parametrize("name", ["rates --ranking", "specialization", "orgs"])
def test_csv_keeps_every_column_in_its_order(inferred, name):
    from typer.testing import CliRunner

    from talentflow import migration_api, specialization_api
    from talentflow.cli import app

    argv, *_ = COMMANDS[name]
    result = CliRunner().invoke(app, [*argv, "--db", str(inferred), "--format", "csv"])
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    if name == "rates --ranking":
        expected = list(migration_api.brain_drain(inferred, n_boot=20, min_population=10, min_cell=1).columns)
    elif name == "orgs":
        expected = list(migration_api.orgs(inferred, n_boot=20, min_cell=1).columns)
    else:
        cells = specialization_api.specialization(inferred, store=False).cells
        expected = [c for c in cells.columns if c != "suppressed"]
    assert header == expected + ["params_id", "source_versions"][:len(header) - len(expected)]
    assert header[-1] == "source_versions"  # every export ends with what it rests on
