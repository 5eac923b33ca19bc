"""B³ of person identities against a gold labelling: a hand-worked example, and the warehouse path."""

from __future__ import annotations

import pandas as pd
import pytest

from talentflow.validation.persons import b_cubed


def test_b_cubed_hand_worked():
    # block x: gold persons {1,2,3} = p, {4} = q; predicted clusters {1,2} = A, {3,4} = B
    frame = pd.DataFrame({"block": ["x"] * 4, "work_id": list("abcd"), "person": ["p", "p", "p", "q"],
                          "predicted": ["A", "A", "B", "B"]})
    out = b_cubed(frame, n_boot=0)
    # precision: 1, 1, 1/2, 1/2 -> 3/4; recall: 2/3, 2/3, 1/3, 1 -> 2/3
    assert out["b3_precision"] == pytest.approx(0.75) and out["b3_recall"] == pytest.approx(2 / 3)
    assert out["b3_f1"] == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))
    # a merged id (one cluster for two people) loses precision, not recall; a split id the reverse
    merged = b_cubed(frame.assign(predicted="A"), n_boot=0)
    split = b_cubed(frame.assign(predicted=list("abcd")), n_boot=0)
    assert merged["b3_recall"] == 1 and merged["b3_precision"] < 1
    assert split["b3_precision"] == 1 and split["b3_recall"] < 1


def test_blocks_do_not_mix_and_unmatched_authorships_stand_alone():
    frame = pd.DataFrame({"block": ["x", "x", "y", "y"], "work_id": list("abcd"), "person": ["p", "p", "p", "p"],
                          "predicted": ["A", None, "A", "A"]})
    out = b_cubed(frame, n_boot=20)
    assert out["blocks"] == 2 and out["b3_precision"] == 1.0
    assert out["b3_recall"] == pytest.approx((0.5 + 0.5 + 1 + 1) / 4)
    assert out["b3_recall_lo"] <= out["b3_recall"] <= out["b3_recall_hi"]


def test_score_persons_on_a_warehouse(tmp_path):
    from talentflow.gold_api import score_persons
    from talentflow.store.warehouse import Warehouse

    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.execute("INSERT INTO researchers VALUES ('acl:fan-yang', 'fan-yang', 'acl', 'Fan Yang', 'stable_id')")
        for i, pos in enumerate((1, 2, 1)):
            wh.execute("INSERT INTO authorships (researcher_id, work_id, author_position, year, n_affiliations, file) VALUES ('acl:fan-yang', ?, ?, 2021, 1, 'f')", [f"w{i}", pos])
    gold = tmp_path / "persons"
    gold.mkdir()
    pd.DataFrame({"block": ["fan_yang"] * 3, "work_id": ["w0", "w1", "w2"], "author_position": [1, 2, 1],
                  "person": ["fan_yang:1", "fan_yang:2", "fan_yang:1"], "confidence": "high"}) \
        .to_csv(gold / "authorships.csv", index=False)
    pd.DataFrame({"block": ["fan_yang"], "stratum": ["a_acl_merged"], "split": ["test"]}) \
        .to_csv(gold / "blocks.csv", index=False)
    out = score_persons(db, gold, n_boot=0, save=True).set_index("stratum")
    assert out.loc["all", "b3_recall"] == 1.0
    assert out.loc["all", "b3_precision"] == pytest.approx((2 / 3 + 1 / 3 + 2 / 3) / 3)  # the merged ACL id
    with Warehouse(db, read_only=True) as wh:
        assert wh.execute("SELECT count(*) FROM gold_scores WHERE gold = 'persons'")[0][0] == 3
