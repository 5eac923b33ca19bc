"""Compare the re-labelling audit (audit_labels.txt) with the original labels (labels.txt).

For each audited block: authorships where U status differs, and B3 agreement (audit vs original,
one taken as reference; B3 F1 is symmetric) on authorships that are non-U in both. Also lists the
authorships whose cluster relation changed. Decides nothing about the gold set."""
import re
from collections import defaultdict

G = "gold/persons"

def parse(path):
    lab, cur = {}, None
    for ln in open(path, encoding="utf-8"):
        ln = ln.rstrip("\n")
        if not ln.strip() or ln.startswith("#"):
            continue
        h = re.match(r"^Q(\d+) (\S+)", ln)
        if h and not re.match(r"^(p\d+|U)\s", ln):
            cur = int(h.group(1)); lab[cur] = (h.group(2), {}); continue
        x = re.match(r"^(p\d+|U)\s+([\d,\-\s]+?)\s*(\?)?\s*(?:#.*)?$", ln)
        for part in x.group(2).replace(" ", "").split(","):
            a, _, b = part.partition("-")
            for i in range(int(a), int(b or a) + 1):
                lab[cur][1][i] = (x.group(1), bool(x.group(3)))
    return lab

def b3(gold, pred):
    gc, pc = defaultdict(set), defaultdict(set)
    for i, g in gold.items(): gc[g].add(i)
    for i, p in pred.items(): pc[p].add(i)
    P = sum(len(gc[gold[i]] & pc[pred[i]]) / len(pc[pred[i]]) for i in gold) / len(gold)
    R = sum(len(gc[gold[i]] & pc[pred[i]]) / len(gc[gold[i]]) for i in gold) / len(gold)
    return P, R, 2 * P * R / (P + R)

import sys
orig, aud = parse(sys.argv[1] if len(sys.argv) > 1 else f"{G}/labels.txt"), parse(f"{G}/audit_labels.txt")
tot_n = tot_u = 0; tot_f = 0.0; tot_both = 0
for q, (blk, a) in aud.items():
    o = orig[q][1]
    assert set(o) == set(a), f"Q{q} rows differ"
    u_diff = [i for i in a if (a[i][0] == "U") != (o[i][0] == "U")]
    both = [i for i in a if a[i][0] != "U" and o[i][0] != "U"]
    P, R, F = b3({i: o[i][0] for i in both}, {i: a[i][0] for i in both})
    moved = [i for i in both if {j for j in both if o[j][0] == o[i][0]} != {j for j in both if a[j][0] == a[i][0]}]
    print(f"Q{q:<4} {blk:<22} n={len(a):>2} U-status differs={len(u_diff):>2} {u_diff}  "
          f"B3 P={P:.3f} R={R:.3f} F1={F:.3f}  rows whose cluster changed: {moved}")
    tot_n += len(a); tot_u += len(u_diff); tot_f += F * len(both); tot_both += len(both)
print(f"\n{len(aud)} blocks, {tot_n} authorships; U status differs on {tot_u}; "
      f"micro B3 F1 (audit vs original, both non-U, n={tot_both}) = {tot_f / tot_both:.3f}")
