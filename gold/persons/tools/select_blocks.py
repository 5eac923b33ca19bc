"""Choose name blocks for the person-resolution gold set, stratified, with a fixed seed.

Input: /tmp/pcache/rows.parquet (from extract.py). Output: gold/persons/tools/queue.csv, the
ordered labelling queue (strata interleaved round-robin, so any prefix is stratified), and
/tmp/pcache/blocks.parquet (block membership, raw-derived, not committed).
A block = every authorship whose normalized printed name equals the block name, plus every
authorship of a source id that occurs under that name (catches "F. Yang" printed under the same
IEEE/ACL id). Blocks over CAP authorships keep all authorships of the block's focus ids (the
ids that made it a case) and a seeded random sample of the rest, up to CAP.
"""
import random
import pandas as pd

SEED, CAP, PER = 20261204, 40, 70
df = pd.read_parquet("/tmp/pcache/rows.parquet")
df = df[df.source_id.notna()].reset_index(drop=True)
df["ns"] = df.source_id.str.split(":").str[0]
df["key"] = df.work_id + "#" + df.author_position.astype(str)
NAMEONLY = {"nips", "icml", "cvpr", "iccv", "eccv", "kdd", "uai", "colt", "rss", "siggraph", "siggraphasia",
            "wacv", "acml", "automl", "aistats"}
by_name = df.groupby("nname")
stats = by_name.agg(n=("key", "size"), nids=("source_id", "nunique"), nns=("ns", "nunique"),
                    nieee=("source_id", lambda s: s[s.str.startswith("ieee:")].nunique()),
                    nacl=("source_id", lambda s: s[s.str.startswith("acl:")].nunique()),
                    nor=("source_id", lambda s: s[s.str.startswith("openreview:")].nunique()))
stats = stats[stats.index.str.count(" ") >= 1]  # at least two name tokens
rng = random.Random(SEED)
pools = {}

# (a) ACL ids merging namesakes: the known ones, then ids with >=3 authorships and >=3 distinct
# non-webmail e-mail domains (a hint only; labels decide).
known = ["fan yang", "dong wang", "jun wang", "yu li", "hao peng", "thuy vu", "yifan gao", "bo wang"]
acl = df[df.ns == "acl"]
web = {"gmail.com", "", "outlook.com", "163.com", "qq.com", "hotmail.com", "126.com", "yahoo.com"}
d = acl[~acl.domain.isin(web)].groupby("source_id").agg(nd=("domain", "nunique"), nn=("nname", "first"))
cand = sorted(set(d[d.nd >= 3].nn) - set(known))
rng.shuffle(cand)
pools["a_acl_merged"] = known + cand
# (b) IEEE split: a name with >=2 IEEE ids where two ids share a co-author name or an e-mail/aff string
ie = df[df.ns == "ieee"]
cand = []
for nm, g in ie.groupby("nname"):
    ids = g.source_id.unique()
    if len(ids) < 2 or nm.count(" ") < 1 or len(nm.split()[0]) < 2:
        continue
    co = {i: set("|".join(g[g.source_id == i].coauthors).split("|")) - {""} for i in ids}
    af = {i: set(g[g.source_id == i].aff.str[:40]) - {""} for i in ids}
    if any((co[x] & co[y]) or (af[x] & af[y]) for k, x in enumerate(ids) for y in ids[k + 1:]):
        cand.append(nm)
cand.sort(); rng.shuffle(cand)
pools["b_ieee_split"] = [n for n in ["huijing zhao", "yuanqing wu"] if n in set(ie.nname)] + cand
# (c) name-only authors of name-only venues who also appear under an id elsewhere
no = set(df[(df.ns == "name") & df.venue.isin(NAMEONLY)].nname)
wid = set(df[df.ns != "name"].nname)
cand = sorted(n for n in no & wid if n in stats.index and stats.loc[n, "n"] <= 60)
rng.shuffle(cand); pools["c_nameonly_twin"] = cand
# (d) same name under >=2 of the id namespaces
s = stats[((stats.nieee > 0).astype(int) + (stats.nacl > 0) + (stats.nor > 0)) >= 2]
cand = sorted(s.index); rng.shuffle(cand); pools["d_cross_namespace"] = cand
# (e) common names (>=20 authorships, >=5 source ids): expected to hold several people
cand = sorted(stats[(stats.n >= 20) & (stats.nids >= 5)].index); rng.shuffle(cand); pools["e_common"] = cand
# (f) random blocks with >=2 authorships
cand = sorted(stats[stats.n >= 2].index); rng.shuffle(cand); pools["f_random"] = cand

used, queue = set(), []
order = list(pools)
taken = {k: [] for k in order}
for k in order:
    for nm in pools[k]:
        if len(taken[k]) >= PER:
            break
        if nm not in used:
            used.add(nm); taken[k].append(nm)
for i in range(PER):
    for k in order:
        if i < len(taken[k]):
            queue.append((len(queue) + 1, taken[k][i].replace(" ", "_"), k))

members = []
for q, blk, k in queue:
    nm = blk.replace("_", " ")
    ids = set(df[df.nname == nm].source_id)
    b = df[(df.nname == nm) | df.source_id.isin(ids - {f"name:{nm}"})]
    # an id under this name also printed under another full name: keep only if surname agrees
    b = b[b.nname.str.split().str[-1] == nm.split()[-1]]
    if k == "a_acl_merged":
        focus = set(b[(b.ns == "acl")].source_id)
    elif k == "b_ieee_split":
        focus = set(b[(b.ns == "ieee")].source_id)
    elif k == "c_nameonly_twin":
        focus = set(b[b.ns == "name"].source_id) | set(b[b.ns != "name"].source_id)
    else:
        focus = set()
    if len(b) > CAP:
        f = b[b.source_id.isin(focus)]
        if len(f) > CAP:
            f = f.sample(CAP, random_state=SEED)
        rest = b[~b.key.isin(f.key)]
        b = pd.concat([f, rest.sample(min(len(rest), CAP - len(f)), random_state=SEED)])
        sampled = True
    else:
        sampled = False
    b = b.sort_values(["source_id", "year", "work_id", "author_position"]).copy()
    b["block"], b["stratum"], b["q"], b["sampled"] = blk, k, q, sampled
    b["full_n"] = len(df[(df.nname == nm) | df.source_id.isin(ids - {f"name:{nm}"})])
    b["idx"] = range(len(b))
    members.append(b)
m = pd.concat(members)
m.to_parquet("/tmp/pcache/blocks.parquet")
qd = pd.DataFrame(queue, columns=["q", "block", "stratum"])
qd["n"] = qd.block.map(m.groupby("block").size()); qd["full_n"] = qd.block.map(m.groupby("block").full_n.first())
qd.to_csv("gold/persons/tools/queue.csv", index=False)
print(qd.stratum.value_counts()); print(qd.head(24).to_string())
