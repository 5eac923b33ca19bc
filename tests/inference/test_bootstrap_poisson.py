"""The Poisson bootstrap keyed by researcher: the same weights in every figure and selection, so a
cube of replicate sums gives exactly what a computation from scratch gives (what the server relies
on), and intervals that cover as the multinomial bootstrap's did."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentflow import migration_api as mig
from talentflow.api import ingest_csv
from talentflow.inference.params import InferenceParams
from talentflow.metrics import rates as rt
from talentflow.metrics.common import Selection, select
from talentflow.metrics.movers import mover_index, movers
from talentflow.metrics.uncertainty import (BootstrapParams, WeightBank, bootstrap_cells, percentile_interval,
                                            poisson_weights, ratio, researcher_keys, use_bank)
from talentflow.store.warehouse import Warehouse


def test_weights_are_poisson_one_and_a_pure_function_of_seed_replicate_and_id():
    ids = [f"ieee:{i}" for i in range(50_000)]
    w = poisson_weights(researcher_keys(ids), 100, 7)
    assert w.shape == (100, 50_000) and w.dtype == np.uint8
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.var() == pytest.approx(1.0, abs=0.02)
    assert (w == 0).mean() == pytest.approx(np.exp(-1), abs=0.005)
    # a researcher's weights do not depend on who else is drawn, nor on the order
    sub = poisson_weights(researcher_keys(ids[::-7]), 100, 7)
    assert np.array_equal(sub, w[:, ::-7])
    assert not np.array_equal(poisson_weights(researcher_keys(ids[:100]), 100, 8), w[:, :100])
    # replicates and researchers are uncorrelated
    c = np.corrcoef(w[:20].astype(float))
    assert np.abs(c - np.eye(20)).max() < 0.03


def test_bank_lookups_equal_fresh_draws_including_ids_it_lacks():
    ids = np.array([f"acl:p{i}" for i in range(3000)], dtype=object)
    bank = WeightBank(ids[:2000], 50, 11)
    ask = np.concatenate([ids[1500:2500], ids[:10]])
    assert np.array_equal(bank.take(ask, 50, 11), poisson_weights(researcher_keys(ask), 50, 11))
    assert np.array_equal(bank.take(ask, 30, 11), poisson_weights(researcher_keys(ask), 30, 11))
    assert np.array_equal(bank.take(ask, 80, 11), poisson_weights(researcher_keys(ask), 80, 11))
    contrib = pd.DataFrame({"researcher_id": ask, "cell": "x", "n": 1.0, "hit": (np.arange(len(ask)) % 3 == 0) * 1.0})
    stat = lambda s: {"share": ratio(s["hit"], s["n"])}  # noqa: E731
    plain = bootstrap_cells(contrib, ["cell"], ["n", "hit"], stat, BootstrapParams(50, 11))
    with use_bank(bank):
        banked = bootstrap_cells(contrib, ["cell"], ["n", "hit"], stat, BootstrapParams(50, 11))
    pd.testing.assert_frame_equal(plain, banked)


def test_percentile_interval_is_numpys_linear_quantile_over_finite_replicates():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(300, 40))
    a[rng.random(a.shape) < 0.2] = np.nan
    a[:, 5] = np.nan
    lo, hi = percentile_interval({"x": a}, 0.9)["x"]
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        ref_lo, ref_hi = np.nanquantile(a, 0.05, axis=0), np.nanquantile(a, 0.95, axis=0)
    np.testing.assert_allclose(lo, ref_lo, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hi, ref_hi, rtol=0, atol=1e-12)
    assert np.isnan(lo[5]) and np.isnan(hi[5])


def _people(tmp_path):
    rng = np.random.default_rng(1)
    lines = ["person,year,org,country"]
    countries = ["USA", "CHN", "DEU", "GBR", "CAN"]
    for i in range(400):
        home = countries[i % 5]
        away = countries[(i + 1 + i // 5) % 5]
        start = 2005 + int(rng.integers(0, 8))
        for y in range(start, start + int(rng.integers(2, 8))):
            c = away if (i % 4 == 0 and y >= start + 3) else home
            lines.append(f"p{i},{y},Lab {c},{c}")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def warehouse(tmp_path):
    wh = Warehouse.memory()
    ingest_csv(wh, _people(tmp_path))
    mig.infer(wh)
    yield wh
    wh.close()


@pytest.mark.parametrize("years,period", [((None, None), 0), ((2008, 2012), 0), ((2006, 2014), 1), ((2005, 2015), 3)])
def test_a_slice_of_the_whole_run_cube_equals_the_rates_computed_for_the_selection(warehouse, years, period):
    boot = BootstrapParams(n_boot=60)
    sel = select(warehouse, None, None, *years)
    direct = rt.rates(warehouse, sel, period=period, boot=boot, min_cell=1)
    cube = rt.rate_cube(warehouse, Selection(sel.params_id), boot)
    sliced = rt.cube_rates(cube, None, *years, period=period, min_cell=1)
    assert len(direct) and direct["inflows"].sum() > 0
    pd.testing.assert_frame_equal(direct, sliced)
    # and the intervals are real: they bracket the estimate where there are moves
    est = direct[direct["status"] == rt.ESTIMATED]
    assert (est["net_rate_lo"] <= est["net_rate"] + 1e-9).all() and (est["net_rate"] <= est["net_rate_hi"] + 1e-9).all()
    assert (est["net_rate_hi"] > est["net_rate_lo"]).any()


def test_mover_index_answers_what_a_bootstrap_of_the_selection_gives(warehouse):
    boot = BootstrapParams(n_boot=80)
    pid = select(warehouse).params_id
    index = mover_index(warehouse, pid, boot)
    for lo, hi in ((None, None), (2008, 2011), (2010, 2016)):
        got = movers(index, None, lo, hi)
        sel = Selection(pid, None, lo, hi)
        frame = warehouse.query(f"""
            WITH pop AS (SELECT DISTINCT researcher_id FROM residence WHERE params_id = $pid AND {sel.year_filter('year')}),
                 mv AS (SELECT researcher_id, count(*) AS moves FROM events WHERE params_id = $pid AND kind = 'country'
                        AND event_type IN ('migration', 'return') AND {sel.year_filter('year_to')} GROUP BY ALL)
            SELECT pop.researcher_id, coalesce(mv.moves, 0) AS moves FROM pop LEFT JOIN mv USING (researcher_id)""",
                                {"pid": pid})
        contrib = frame.assign(cell="all", researchers=1.0, movers=(frame["moves"] > 0) * 1.0,
                               moves=frame["moves"] * 1.0)
        ref = bootstrap_cells(contrib, ["cell"], ["researchers", "movers", "moves"],
                              lambda s: {"share": ratio(s["movers"], s["researchers"], 100.0), "total": s["moves"]},
                              boot).iloc[0]
        assert got["researchers"] == len(frame) and got["moves"] == frame["moves"].sum()
        for k in ("share", "share_lo", "share_hi", "total", "total_lo", "total_hi"):
            assert got[k] == pytest.approx(ref[k], abs=1e-9), k


def test_rates_and_headline_on_the_population_at_risk(tmp_path):
    """Researchers seen in one year only are in the padded population (SMD's denominator) but can
    show no move: the at-risk denominator leaves them out; both are published."""
    lines = ["person,year,org,country"]
    for i in range(12):  # movers USA -> CHN
        lines += [f"m{i},2015,MIT,USA", f"m{i},2016,MIT,USA", f"m{i},2018,Tencent,CHN", f"m{i},2019,Tencent,CHN"]
    for i in range(30):  # stayers, 4 observed years
        lines += [f"s{i},{y},MIT,USA" for y in (2015, 2016, 2017, 2019)]
    for i in range(20):  # seen once
        lines.append(f"o{i},2017,MIT,USA")
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    wh = Warehouse.memory()
    try:
        ingest_csv(wh, path)
        mig.infer(wh, InferenceParams(method="rules"))  # the padded population of the rules
        r = mig.rates(wh, countries=("USA",), period=0, n_boot=50, min_cell=1).iloc[0]
        # 12 movers x 3 padded years + 30 stayers x 5 + 20 x 1
        assert (r["population"], r["population_at_risk"], r["outflows"]) == (206, 186, 12)
        assert r["out_rate"] == pytest.approx(1000 * 12 / 206)
        assert r["out_rate_at_risk"] == pytest.approx(1000 * 12 / 186)
        assert r["net_rate_at_risk_lo"] <= r["net_rate_at_risk"] <= r["net_rate_at_risk_hi"]
        # 20 single-year researchers: at min_cell 25 their complement is small, so the at-risk figures blank
        r25 = mig.rates(wh, countries=("USA",), period=0, n_boot=0, min_cell=25).iloc[0]
        assert r25["population"] == 206 and pd.isna(r25["population_at_risk"]) and pd.isna(r25["out_rate_at_risk"])
        index = mover_index(wh, select(wh).params_id, BootstrapParams(n_boot=50))
        got = movers(index, None, None, None)
        assert (got["researchers"], got["researchers_at_risk"], got["movers"], got["movers_at_risk"]) == (62, 42, 12, 12)
        assert got["share_at_risk"] == pytest.approx(100 * 12 / 42)
        assert got["share_at_risk_lo"] < got["share_at_risk"] < got["share_at_risk_hi"]
    finally:
        wh.close()
