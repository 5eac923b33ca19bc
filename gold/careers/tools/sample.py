"""Draw the stratified gold sample. Evidence patterns are computed from the RAW records
(/tmp/gold_raw.parquet from extract.py) using the upstream country codes, corrected only for
Hong Kong / Taiwan / Macau by the affiliation string -- good enough to stratify, never a label.
Persons must appear in the warehouse observations (ids only, read-only) so keys match.
Output: gold/careers/sample.csv with person, panel, stratum, split, rank (labelling order:
round-robin over panel x stratum, so any prefix of the order is stratified)."""
import hashlib, random, re, sys
import duckdb, pandas as pd

SEED = 20261204
PER_CELL = 13
RAW = "/tmp/gold_raw.parquet"
d = pd.read_parquet(RAW)
wh = duckdb.connect("/work/cache/mirror.duckdb", read_only=True)
known = set(r[0] for r in wh.sql("select distinct researcher_id from observations "
                                  "where researcher_id not like 'name:%'").fetchall())
d = d[d.person.isin(known)].copy()

def fix(row):
    a = row.aff.lower()
    if "hong kong" in a or "hkust" in a or "cuhk" in a: return "HongKong"
    if "taiwan" in a or "taipei" in a or "hsinchu" in a: return "Taiwan"
    if "macau" in a or "macao" in a: return "Macau"
    return row.cty
d["c"] = d.apply(fix, axis=1)
COMPANY = re.compile(r"microsoft|google|deepmind|huawei|amazon|facebook|\bmeta\b|samsung|sony|nvidia|"
                     r"baidu|alibaba|tencent|\bibm\b|intel\b|honda research|toyota research|bosch|"
                     r"disney research|adobe|apple|bytedance|naver|\blg\b|mitsubishi electric research|"
                     r"nec lab|hitachi|siemens|abb |x development|uber|waymo|salesforce", re.I)

info = []
for p, g in d.groupby("person"):
    years = sorted(g.year.unique())
    if len(years) < 2: continue
    gc = g[g.c.fillna("") != ""]
    by = {y: gc[gc.year == y].c.value_counts() for y in years}
    main = {y: (by[y].index[0] if len(by[y]) else None) for y in years}
    seq = [(y, main[y]) for y in years if main[y]]
    cset = set(gc.c)
    dual_years = [y for y in years if len(by[y]) >= 2]
    gaps = max(b - a for a, b in zip(years, years[1:]))
    company = bool(g.aff.str.contains(COMPANY).any())
    s = None
    cs = [c for _, c in seq]
    if len(cset) >= 2:
        visit = any(cs[i - 1] == cs[i + 1] != cs[i] for i in range(1, len(cs) - 1))
        if len(dual_years) >= 2: s = "c_dual"
        elif visit: s = "d_visit"
        elif company and len(set(cs)) >= 2: s = "f_company"
        elif len(cs) >= 2 and cs[-1] != cs[-2] and cs.count(cs[-1]) == 1: s = "b_change_last_year"
        elif len(set(cs)) >= 2 and (cs.count(cs[0]) == 1 or cs.count(cs[-1]) == 1): s = "a_single_year_end"
        elif gaps >= 4: s = "e_gap"
        else: s = "h_other_multi"   # multi-country, not in a named pattern: falls to random pool
    else:
        s = "e_gap" if gaps >= 4 else "g_one_country"
    info.append(dict(person=p, panel=g.panel.iloc[0], pattern=s, n_years=len(years),
                     n_records=len(g), first=years[0], last=years[-1]))
I = pd.DataFrame(info)
print(pd.crosstab(I.panel, I.pattern))

rng = random.Random(SEED)
picked, used = [], set()
STRATA = ["a_single_year_end", "b_change_last_year", "c_dual", "d_visit", "e_gap",
          "f_company", "g_one_country"]
for panel in ["ieee", "acl", "openreview"]:
    for s in STRATA + ["h_random"]:
        if s == "h_random":
            pool = sorted(set(I[(I.panel == panel)].person) - used)
        else:
            pool = sorted(I[(I.panel == panel) & (I.pattern == s)].person)
        pool = [p for p in pool if p not in used]
        # very prolific ids are slow to read by hand: cap at 60 records
        nrec = dict(zip(I.person, I.n_records))
        pool = [p for p in pool if nrec[p] <= 60]
        take = rng.sample(pool, min(PER_CELL, len(pool)))
        for j, p in enumerate(take):
            used.add(p)
            picked.append(dict(person=p, panel=panel, stratum=s, j=j))
S = pd.DataFrame(picked)
S = S.sort_values(["j", "panel", "stratum"]).reset_index(drop=True)
# Top-up draw (added after the first 297 were labelled, to pass 300): TOPUP more per cell
# from a second generator, so the main draw above stays exactly as it was.
TOPUP = 2
rng2 = random.Random(SEED + 1)
extra = []
nrec = dict(zip(I.person, I.n_records))
for panel in ["ieee", "acl", "openreview"]:
    for s in STRATA + ["h_random"]:
        if s == "h_random":
            pool = sorted(set(I[(I.panel == panel)].person) - used)
        else:
            pool = sorted(I[(I.panel == panel) & (I.pattern == s)].person)
        pool = [p for p in pool if p not in used and nrec[p] <= 60]
        take = rng2.sample(pool, min(TOPUP, len(pool)))
        for j, p in enumerate(take):
            used.add(p)
            extra.append(dict(person=p, panel=panel, stratum=s, j=PER_CELL + j))
X = pd.DataFrame(extra).sort_values(["j", "panel", "stratum"])
S = pd.concat([S, X], ignore_index=True)
pools = I.assign(pattern=I.pattern).groupby(["panel", "pattern"]).size().rename("pool").reset_index()
pools.to_csv("gold/careers/strata_pools.csv", index=False)
S["split"] = S.person.map(lambda p: "dev" if int(hashlib.sha256(p.encode()).hexdigest(), 16) % 2 == 0 else "test")
S["rank"] = range(1, len(S) + 1)
S[["rank", "person", "panel", "stratum", "split"]].to_csv("gold/careers/sample.csv", index=False)
print(pd.crosstab([S.panel], S.stratum), len(S))
