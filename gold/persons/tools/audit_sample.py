"""Pick the re-labelling audit sample from the labelled queue (q150 excluded).
Round 1: 2 blocks per stratum, seed 20261204.  Round 2 (`audit_sample.py 2`): 1 more block per
stratum, seed 20261205, excluding round 1. The labeller re-reads them with show.py without
looking at labels.txt, writes audit_labels.txt in the same format, and audit_compare.py scores
agreement."""
import random, sys, pandas as pd, pathlib
q = pd.read_csv(pathlib.Path(__file__).with_name("queue.csv"))
q = q[q.q != 150]
def pick(seed, k, exclude=()):
    rng, out = random.Random(seed), []
    for s in sorted(q.stratum.unique()):
        qs = sorted(set(q[q.stratum == s].q) - set(exclude))
        out += sorted(rng.sample(qs, k))
    return out
r1 = pick(20261204, 2)
print(" ".join(map(str, r1 if sys.argv[1:] != ["2"] else pick(20261205, 1, r1))))
