"""Extract per-author raw records from the paperlists mirror (read-only) into a local
parquet outside the repo (default /tmp/gold_raw.parquet). One row per (person, paper).
Person keys follow the warehouse form: ieee:<digits>, acl:<slug>, openreview:~Name1.
Countries here are the UPSTREAM codes, used only for stratified sampling, never as labels."""
import gzip, json, re, sys, glob, os
import pandas as pd

ROOT = "/work/shared/data/paperlists"
VENUES = {"ieee": ["icra", "iros"], "acl": ["acl", "naacl", "coling"],
          "openreview": ["corl", "colm", "www", "aistats", "alt", "3dv", "ai4x", "acmmm"]}
OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gold_raw.parquet"

def sp(s):
    if s is None: return []
    return [x.strip() for x in str(s).split(";")]

def key(panel, aid):
    aid = aid.strip()
    if panel == "ieee":
        m = re.search(r"(\d+)", aid); return f"ieee:{m.group(1)}" if m else None
    if panel == "acl":
        m = re.match(r"^/?\w/([^/]+)/?$", aid); return f"acl:{m.group(1)}" if m else None
    if panel == "openreview":
        return f"openreview:{aid}" if aid.startswith("~") else None

rows = []
for panel, vs in VENUES.items():
    for v in vs:
        for f in sorted(glob.glob(f"{ROOT}/{v}/{v}*.json.gz")):
            year = int(re.search(r"(\d{4})\.json", f).group(1))
            for r in json.load(gzip.open(f)):
                au, ids = sp(r.get("author")), sp(r.get("authorids"))
                n = len(au)
                if panel == "ieee" and n % 2 == 0 and au[: n // 2] == au[n // 2:]:
                    n //= 2
                aff, dom, pos = sp(r.get("aff")), sp(r.get("aff_domain")), sp(r.get("position"))
                un, ui = sp(r.get("aff_unique_norm")), sp(r.get("aff_unique_index"))
                cu, ci = sp(r.get("aff_country_unique")), sp(r.get("aff_country_unique_index"))
                def at(lst, i):
                    return lst[i] if i < len(lst) else ""
                def idx(lst, ilst, i):
                    try: return lst[int(ilst[i])]
                    except Exception: return ""
                for i in range(n):
                    if i >= len(ids): break
                    k = key(panel, ids[i])
                    if not k: continue
                    rows.append(dict(person=k, name=au[i], panel=panel, venue=v, year=year, pid=str(r.get("id")),
                                     pos_i=i, n_auth=n, aff=at(aff, i), dom=at(dom, i), position=at(pos, i),
                                     inst=idx(un, ui, i), cty=idx(cu, ci, i),
                                     aff_len_ok=len(aff) == n, all_aff=str(r.get('aff') or '')[:400]))
df = pd.DataFrame(rows)
df.to_parquet(OUT)
print(df.groupby("panel").agg(n=("person", "size"), persons=("person", "nunique")))
print("aff length mismatches:", (~df.aff_len_ok).sum())
