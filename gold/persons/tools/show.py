"""Print blocks for the human labeller: python show.py Q1 [Q2 ...] (queue numbers)."""
import sys
import pandas as pd
m = pd.read_parquet("/tmp/pcache/blocks.parquet")
for q in map(int, sys.argv[1:]):
    b = m[m.q == q]
    print(f"=== Q{q} {b.block.iloc[0]} [{b.stratum.iloc[0]}] n={len(b)} full={b.full_n.iloc[0]} sampled={b.sampled.iloc[0]}")
    for r in b.itertuples():
        co = ",".join(x.split()[-1] for x in r.coauthors.split("|")[:6] if x)
        print(f"{r.idx:2d} {r.year} {r.venue[:6]:6s} {r.source_id[:30]:30s} {r.name[:22]:22s} | {r.aff[:55]:55s} | {r.domain[:22]:22s} | {co[:60]} | {r.title[:55]}")
