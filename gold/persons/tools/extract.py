"""Flatten raw paperlists records into one row per authorship, joined to the warehouse keys.

Reads /work/shared/data/paperlists (read-only) and, read-only, the warehouse tables
`authorships` and `researchers` of /work/cache/mirror.duckdb ONLY for the keys
(work_id, author_position) and the current source id of each authorship.
Writes a local cache (NOT committed; raw-derived) to /tmp/pcache/rows.parquet.
"""
import glob, gzip, json, os, re, unicodedata
import duckdb, pandas as pd

RAW = "/work/shared/data/paperlists"
OUT = "/tmp/pcache/rows.parquet"
IEEE = {"icra", "iros"}


def norm(name):
    s = unicodedata.normalize("NFKD", name if isinstance(name, str) else "").encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z\s]", " ", s.replace("-", " ").replace(".", " "))
    return " ".join(s.split())


def split(v):
    return [x.strip() for x in (v or "").split(";")]


rows = []
for f in sorted(glob.glob(f"{RAW}/*/*.json.gz")):
    venue = os.path.basename(os.path.dirname(f))
    vy = os.path.basename(f)[: -len(".json.gz")]
    year = int(re.search(r"(\d{4})$", vy).group(1))
    for r in json.load(gzip.open(f)):
        if not r.get("id"):
            continue  # no record id: cannot be keyed like the warehouse
        au, ids, aff, dom = split(r.get("author")), split(r.get("authorids")), split(r.get("aff")), split(r.get("aff_domain"))
        n = len(au)
        if venue in IEEE and n % 2 == 0 and au[: n // 2] == au[n // 2:]:
            n //= 2
        names = au[:n]
        for i in range(n):
            rows.append(dict(work_id=f"paperlists:{vy}:{r['id']}", author_position=i + 1, year=year, venue=venue,
                             name=names[i], nname=norm(names[i]),
                             raw_id=ids[i] if i < len(ids) else "", aff=aff[i] if i < len(aff) else "",
                             domain=dom[i] if i < len(dom) else "",
                             title=(r.get("title") or "")[:120],
                             coauthors="|".join(x for j, x in enumerate(names) if j != i)))
df = pd.DataFrame(rows)
c = duckdb.connect("/work/cache/mirror.duckdb", read_only=True)
a = c.sql("select a.work_id, a.author_position, a.researcher_id as source_id, r.name as wh_name "
          "from authorships a join researchers r using(researcher_id)").df()
df = df.merge(a, on=["work_id", "author_position"], how="left")
print(len(df), "raw authorships;", df.source_id.isna().sum(), "without warehouse key")
bad = df[df.source_id.notna() & (df.nname != df.wh_name.map(norm))]
print(len(bad), "name mismatches with warehouse, e.g.\n", bad[["work_id", "name", "wh_name"]].head())
df.to_parquet(OUT)
