"""Assemble gold/persons/authorships.csv and blocks.csv from the hand labels (labels.txt).

labels.txt is the labeller's record: per block "Q<n> <block>" then "<person> <idx list> [?] [# note]".
Row idx refers to the deterministic block order written by select_blocks.py
(/tmp/pcache/blocks.parquet). Every row of a labelled block must get exactly one label.
"""
import hashlib, re, sys
import pandas as pd

G = "gold/persons"
m = pd.read_parquet("/tmp/pcache/blocks.parquet")
lab, notes_blk, cur = {}, {}, None
for ln in open(f"{G}/labels.txt", encoding="utf-8"):
    ln = ln.rstrip("\n")
    if not ln.strip() or ln.startswith("#"):
        continue
    h = re.match(r"^Q(\d+) (\S+)\s*(?:#\s*(.*))?$", ln)
    if h:
        cur = int(h.group(1)); lab[cur] = {}
        assert m[m.q == cur].block.iloc[0] == h.group(2), ln
        notes_blk[cur] = h.group(3) or ""
        continue
    x = re.match(r"^(p\d+|U)\s+([\d,\-\s]+?)\s*(\?)?\s*(?:#\s*(.*))?$", ln)
    assert x, f"bad line: {ln}"
    idx = []
    for part in x.group(2).replace(" ", "").split(","):
        a, _, b = part.partition("-")
        idx += list(range(int(a), int(b or a) + 1))
    for i in idx:
        assert i not in lab[cur], f"Q{cur} idx {i} labelled twice"
        lab[cur][i] = (x.group(1), "medium" if x.group(3) else "high", x.group(4) or "")

rows, blocks = [], []
for q, d in lab.items():
    b = m[m.q == q]
    missing = set(b.idx) - set(d)
    assert not missing and not (set(d) - set(b.idx)), f"Q{q}: missing {sorted(missing)} extra {sorted(set(d)-set(b.idx))}"
    blk = b.block.iloc[0]
    split = "dev" if int(hashlib.sha1(blk.encode()).hexdigest(), 16) % 2 == 0 else "test"
    for r in b.itertuples():
        p, conf, note = d[r.idx]
        rows.append(dict(block=blk, work_id=r.work_id, author_position=r.author_position, year=r.year, venue=r.venue,
                         name=r.name, source_id=r.source_id,
                         person="UNDECIDABLE" if p == "U" else f"{blk}:{p[1:]}",
                         confidence="" if p == "U" else conf, notes=note))
    ps = {v[0] for v in d.values()} - {"U"}
    nu = sum(v[0] == "U" for v in d.values())
    samp = f"sampled {len(b)} of {b.full_n.iloc[0]} authorships (seed 20261204)" if b.sampled.iloc[0] else "complete"
    blocks.append(dict(block=blk, stratum=b.stratum.iloc[0], split=split, n_authorships=len(b), n_persons=len(ps),
                       notes=f"queue Q{q}; {samp}; {nu} undecidable"))
A = pd.DataFrame(rows); B = pd.DataFrame(blocks)
assert not A.duplicated(["work_id", "author_position"]).any(), "authorship in two blocks"
A.to_csv(f"{G}/authorships.csv", index=False); B.to_csv(f"{G}/blocks.csv", index=False)
print(len(B), "blocks;", len(A), "authorships;", (A.person == "UNDECIDABLE").sum(), "undecidable;",
      A[A.person != "UNDECIDABLE"].person.nunique(), "persons")
print(pd.crosstab(B.stratum, B.split, margins=True))
