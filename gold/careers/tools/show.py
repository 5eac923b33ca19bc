"""Print persons' raw records compactly for hand labelling.
usage: show.py RANK_FROM RANK_TO   (ranks from sample.csv)  or  show.py KEY [KEY...]"""
import sys, pandas as pd
d = pd.read_parquet("/tmp/gold_raw.parquet")
S = pd.read_csv("gold/careers/sample.csv")
a = sys.argv[1:]
if a and a[0].isdigit():
    keys = S[(S["rank"] >= int(a[0])) & (S["rank"] <= int(a[1]))].person.tolist()
else:
    keys = a
for k in keys:
    g = d[d.person == k].sort_values(["year", "venue"])
    s = S[S.person == k]
    hdr = f"{s['rank'].iloc[0]} {s.stratum.iloc[0]} {s.split.iloc[0]}" if len(s) else ""
    print(f"=== {k} ({g.name.iloc[0] if len(g) else ''})  [{hdr}]  n={len(g)} years={sorted(int(y) for y in g.year.unique())}")
    g = g.assign(flag=g.aff_len_ok.map({True: "", False: "MISALIGNED"}))
    g["ctx"] = [a if (p == "openreview" or not ok) else "" for a, p, ok in zip(g.all_aff, g.panel, g.aff_len_ok)]
    c = g.groupby(["year", "venue", "aff", "dom", "cty", "position", "flag", "ctx"], sort=False).agg(
        n=("pid", "size"), na=("n_auth", "max")).reset_index()
    for r in c.itertuples():
        print(f"  {r.year} {r.venue:6} x{r.n} na{r.na} | {r.aff[:130]} | {r.dom} | {r.cty} | {r.position} {r.flag}")
        if r.ctx and r.ctx != r.aff: print(f"        all: {r.ctx[:200]}")
