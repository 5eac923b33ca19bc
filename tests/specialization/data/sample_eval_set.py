"""Draw the works of the domain evaluation set from a full-mirror warehouse (run once; see README.md).

    python tests/specialization/data/sample_eval_set.py --db /tmp/full.duckdb --out /tmp/eval_unlabelled.csv

Strata (seed 20240501, accepted works with a title only):
- random: a simple random sample of 220 works;
- kw_<domain>: 15 works per domain among those the keyword tagger (title + abstract) tags with it;
- sem_<domain>: 10 works per domain among the 400 titles most similar to the domain's descriptions
  under the semantic model (needs talentflow[semantic]).
A work drawn twice keeps its first stratum. Half of the works (seeded) form the dev split, the rest
the test split. The labels column is left empty: the labels are written by hand afterwards.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from talentflow.store.warehouse import Warehouse
from talentflow.tagging.keywords import load_rules, tag_keywords
from talentflow.tagging.params import DOMAINS, TaggingParams

SEED = 20240501


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    with Warehouse(args.db, read_only=True) as wh:
        works = wh.query("""SELECT work_id, title, abstract, venue, year FROM works
                            WHERE coalesce(accepted, true) AND title IS NOT NULL AND length(title) > 10
                            ORDER BY work_id""")
    picked: dict[str, str] = {}

    def take(ids, n, stratum):
        ids = [i for i in ids if i not in picked]
        for i in rng.choice(ids, size=min(n, len(ids)), replace=False):
            picked[str(i)] = stratum

    take(works["work_id"].tolist(), 220, "random")
    kw = tag_keywords(works, load_rules(), TaggingParams(method="keyword", text="title_abstract"))
    for d in DOMAINS:
        take(sorted(kw.loc[kw["domain"] == d, "work_id"]), 15, f"kw_{d}")
    from talentflow.tagging.semantic import embed, load_prototypes

    protos = load_prototypes()
    vecs = embed(works["title"].tolist())
    for d in DOMAINS:
        sim = (vecs @ embed(list(protos.domains[d])).T).max(axis=1)
        top = works["work_id"].to_numpy()[np.argsort(-sim)[:400]]
        take(sorted(top), 10, f"sem_{d}")
    sample = works[works["work_id"].isin(picked)][["work_id", "title", "venue", "year"]].copy()
    sample["stratum"] = sample["work_id"].map(picked)
    sample = sample.sample(frac=1.0, random_state=SEED).reset_index(drop=True)  # shuffle: label blind to stratum
    sample["split"] = np.where(rng.random(len(sample)) < 0.5, "dev", "test")
    sample["labels"] = ""
    sample.to_csv(args.out, index=False)
    print(f"{len(sample)} works -> {args.out}")
    print(pd.Series(picked).value_counts().sort_index().to_string())


if __name__ == "__main__":
    main()
